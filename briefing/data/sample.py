"""Seeded generator of the bundled sample data (架空のサンプル) around the plan's real baselines.

Only the baselines come from the plan (chapter 5, 現状値); every other value is invented, plausible
in size and trend, and flagged ``sample=true``. ``scale`` multiplies the number of fiscal years (and
survey years) so benchmarks can test ten times the data volume with the same shapes.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import BUNDLED_DATA
from .areas import PREFECTURE
from .sample_records import write_sample_records
from .schema import ANSWERS

LAST_FY = 2025
PLAN_SOURCE = "三重県ひきこもり支援推進計画（令和4年3月）第5章 現状値"
SAMPLE_SOURCE = "架空のサンプルデータ（briefing sample で生成）"
#: Reference files copied unchanged into a generated data directory.
REFERENCE_FILES = ("directions.csv", "catalog.csv", "series.csv", "areas.csv", "plan.csv")

# Rough populations in thousands (2020 census, rounded): only weights for spreading totals.
POPULATION = {
    "242012": 274, "242021": 305, "242039": 123, "242047": 159, "242055": 140, "242071": 196,
    "242080": 77, "242098": 17, "242101": 49, "242110": 17, "242128": 16, "242144": 45,
    "242152": 46, "242161": 90, "243035": 6, "243248": 25, "243418": 41, "243434": 11,
    "243442": 15, "244414": 14, "244422": 22, "244431": 9, "244619": 15, "244708": 8,
    "244716": 8, "244724": 11, "245437": 15, "245615": 8, "245623": 11,
}  # fmt: skip


@dataclass(frozen=True)
class Trend:
    """A prefecture total: ``anchor`` in ``anchor_fy``, growing by ``growth`` a year from ``first_fy``."""

    anchor: float
    anchor_fy: int
    growth: float
    first_fy: int | None = None  # None: as far back as the data goes
    noise: float = 0.04


TRENDS = {
    "1-1": Trend(820, 2019, 0.06, noise=0.04),
    "1-2": Trend(48, 2022, 0.25, first_fy=2022, noise=0.05),
    "2-2": Trend(1480, 2022, 0.07, first_fy=2022),
    "2-3a": Trend(72.9, 2020, 0.006, noise=0.01),
    "2-3b": Trend(63.2, 2020, 0.008, noise=0.01),
    "2-3c": Trend(58.0, 2020, 0.01, noise=0.012),
    "3-1": Trend(275, 2020, 0.08),
    "3-2": Trend(42, 2020, 0.09, noise=0.08),
    "4-1": Trend(12, 2022, 0.3, first_fy=2022, noise=0.05),
    "4-2": Trend(94, 2020, 0.1),
    "4-3": Trend(134, 2020, 0.05),
    "5-3": Trend(17, 2021, 0.12, noise=0.06),
    "5-4": Trend(4521, 2020, 0.03),
    "6-1": Trend(56, 2020, 0.04, noise=0.1),
}
#: Stocks per municipality grow step-wise to these totals by the last fiscal year.
STOCK_GOALS = {"2-1a": 29, "2-1b": 28, "5-1": 14, "5-2": 92}
REGIONAL_COUNTS = ("2-2", "6-1")
COMMENTS = {
    ("1-1", 2020): "（サンプル）感染症対策のため講演会の定員を縮小して開催。",
    ("2-1a", 2025): "（サンプル）全29市町で相談窓口の設置が完了。",
    ("3-1", 2025): "（サンプル）オンライン相談の開始により相談件数が増加。",
    ("5-1", 2024): "（サンプル）民間団体との協働により居場所が新たに開設。",
    ("6-2", 2023): "（サンプル）ひきこもりサポーター制度を創設。",
}
AGE_BANDS = {
    "18〜29歳": 0.12,
    "30〜39歳": 0.13,
    "40〜49歳": 0.17,
    "50〜59歳": 0.17,
    "60〜69歳": 0.19,
    "70歳以上": 0.22,
}
AGENCY_TYPES = {
    "市町（福祉・保健）": 0.2, "地域包括支援センター": 0.22, "社会福祉協議会": 0.12,
    "障害福祉サービス事業所": 0.18, "NPO・民間支援団体": 0.12, "医療機関": 0.08, "教育・就労支援機関": 0.08,
}  # fmt: skip
REGION_SHARE = {"hokusei": 0.46, "chusei": 0.25, "nansei": 0.16, "iga": 0.09, "higashikishu": 0.04}


def generate(
    directory: Path, *, seed: int = 2022, scale: int = 1, reference: Path = BUNDLED_DATA
) -> None:
    """Write a complete data directory: reference files copied, history and surveys generated,
    and the hand-written sample accounts and opinions (``sample_records``)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in REFERENCE_FILES:
        if (reference / name).resolve() != (directory / name).resolve():
            shutil.copyfile(reference / name, directory / name)
    rng = np.random.default_rng(seed)
    series = pd.read_csv(reference / "series.csv", dtype={"baseline_fy": "Int64"})
    areas = pd.read_csv(reference / "areas.csv", dtype=str)
    municipalities = areas[areas["level"] == "municipality"]
    years = list(range(LAST_FY - 7 * scale + 1, LAST_FY + 1))
    history = _history(rng, series, list(municipalities["code"]), years)
    history.to_csv(directory / "history.csv", index=False, lineterminator="\n")
    survey_years = list(range(LAST_FY - 5 * scale + 1, LAST_FY + 1))
    _surveys(rng, survey_years).to_csv(directory / "surveys.csv", index=False, lineterminator="\n")
    write_sample_records(directory)


def _history(
    rng: np.random.Generator, series: pd.DataFrame, towns: list[str], years: list[int]
) -> pd.DataFrame:
    baselines = {
        row.series: (float(row.baseline_value), int(row.baseline_fy))
        for row in series.itertuples()
        if pd.notna(row.baseline_value)
    }
    weights = np.array([POPULATION[t] for t in towns], dtype=float)
    weights /= weights.sum()
    rows: list[dict[str, object]] = []

    def add(name: str, fy: int, area: str, value: float, *, sample: bool = True) -> None:
        rows.append(_history_row(name, fy, area, value, sample=sample))

    for name, trend in TRENDS.items():
        share = name.startswith("2-3")
        for fy in years:
            if trend.first_fy is not None and fy < trend.first_fy:
                continue
            if baselines.get(name, (None, None))[1] == fy:
                total = baselines[name][0]
            else:
                total = trend.anchor * (1 + trend.growth) ** (fy - trend.anchor_fy)
                total *= 1 + rng.normal(0, trend.noise)
                total = min(round(total, 1), 99.0) if share else max(round(total), 0)
            add(name, fy, PREFECTURE, total, sample=baselines.get(name, (None, None))[1] != fy)
            if name in REGIONAL_COUNTS:
                for town, count in zip(towns, rng.multinomial(int(total), weights), strict=True):
                    add(name, fy, town, count)

    for name, goal in STOCK_GOALS.items():
        base, base_fy = baselines[name]
        for fy, stock in _stocks(
            rng, weights, base, base_fy, goal, years, one_each=name.startswith("2-1")
        ):
            add(name, fy, PREFECTURE, stock.sum(), sample=fy != base_fy)
            for town, count in zip(towns, stock, strict=True):
                add(name, fy, town, count)

    for fy in years:
        if fy >= 2022:
            add("6-2", fy, PREFECTURE, 1 if fy >= 2023 else 0)
    return pd.DataFrame(rows).sort_values(["series", "fy", "area"], ignore_index=True)


def _history_row(name: str, fy: int, area: str, value: float, *, sample: bool) -> dict[str, object]:
    """One row of the sample ``history.csv``: a made-up value, or (``sample`` false) the plan's
    real baseline with its source."""
    plan = not sample
    return {
        "series": name,
        "fy": fy,
        "area": area,
        "value": _fmt(value),
        "status": "速報" if fy == LAST_FY else "確定",
        "sample": "false" if plan else "true",
        "comment": "計画策定時の現状値"
        if plan
        else COMMENTS.get((name, fy), "")
        if area == PREFECTURE
        else "",
        "source": PLAN_SOURCE if plan else SAMPLE_SOURCE,
        "updated": "2022-03-31" if plan else _updated(fy),
    }


def _stocks(
    rng: np.random.Generator,
    weights: np.ndarray,
    base: float,
    base_fy: int,
    goal: int,
    years: list[int],
    *,
    one_each: bool,
) -> list[tuple[int, np.ndarray]]:
    """Per-municipality stocks that never fall, equal ``base`` in ``base_fy`` and reach ``goal``."""
    n = len(weights)
    order = rng.choice(n, size=n, replace=False, p=weights)  # larger towns open first

    # places: each new one opens in a town drawn by sqrt(population), so small towns get some too
    spread = np.sqrt(weights) / np.sqrt(weights).sum()
    sequence = rng.choice(n, size=max(goal, int(base)) + 1, p=spread)

    def place(total: int) -> np.ndarray:
        stock = np.zeros(n, dtype=int)
        if one_each:
            stock[order[: min(total, n)]] = 1
        else:
            np.add.at(stock, sequence[:total], 1)
        return stock

    totals: dict[int, int] = {}
    before = [fy for fy in years if fy < base_fy]
    after = [fy for fy in years if fy > base_fy]
    for i, fy in enumerate(reversed(before), start=1):
        totals[fy] = max(0, int(base) - i * max(1, int(base) // 12 if one_each else 1))
    totals[base_fy] = int(base)
    for i, fy in enumerate(after, start=1):
        totals[fy] = round(base + (goal - base) * i / len(after))
    return [(fy, place(totals[fy])) for fy in years if fy in totals]


def _surveys(rng: np.random.Generator, years: list[int]) -> pd.DataFrame:
    rows: list[dict[str, object]] = []

    def cells(survey: str, fy: int, region: str, group: str, n: int, agree: float) -> None:
        dont_know = 0.14 if survey == "G1" else 0.08
        disagree = max(0.0, 1 - agree - dont_know)
        probs = [agree * 0.35, agree * 0.65, disagree * 0.6, disagree * 0.4, dont_know]
        for answer, count in zip(ANSWERS, rng.multinomial(n, probs), strict=True):
            rows.append(
                {
                    "survey": survey,
                    "fy": fy,
                    "region": region,
                    "group": group,
                    "answer": answer,
                    "respondents": int(count),
                    "sample": "true",
                }
            )

    for step, fy in enumerate(years):
        progress = (step + 1) / len(years)
        for region, rshare in REGION_SHARE.items():
            for i, (band, ashare) in enumerate(AGE_BANDS.items()):
                n = int(rng.poisson(5000 * rshare * ashare))
                cells("G1", fy, region, band, n, 0.30 + 0.10 * progress + 0.015 * (3 - i))
            for group, gshare in AGENCY_TYPES.items():
                n = int(rng.poisson(150 * rshare * gshare))
                if n:
                    cells("G2", fy, region, group, n, 0.45 + 0.15 * progress)
    return pd.DataFrame(rows)


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _updated(fy: int) -> str:
    return (
        dt.date(fy + 1, 10, 15).isoformat() if fy == LAST_FY else dt.date(fy + 1, 6, 30).isoformat()
    )
