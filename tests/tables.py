"""Small data for fast tests: one count table of the bundled data, a prefecture of a few
regions, a made-up survey table. Each keeps the shape of the real files (areas, history, surveys)."""

from __future__ import annotations

import csv
import functools
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd

from briefing import PREFECTURE, Dataset, load_dataset

DATA = Path(__file__).resolve().parent.parent / "data"
SERIES, FY = "6-1", 2025
NABARI, IGA_CITY = "242080", "242161"  # 伊賀: 名張市 and 伊賀市, its only towns
TSU, MATSUSAKA = "242012", "242047"


@functools.cache
def bundled() -> Dataset:
    """The bundled data, loaded once per process: here, not in conftest.py, which pytest imports
    again for every session (mutation testing runs one per mutant, in forks of one process)."""
    return load_dataset(DATA)


def one_table(
    ds: Dataset,
    values: dict[str, float],
    *,
    series: str = SERIES,
    fy: int = FY,
    others: float | None = None,
    drop: tuple[str, ...] = (),
    total: float | None = None,
) -> Dataset:
    """``ds`` with only one table: the towns given set, every other town ``others`` (default:
    as bundled), ``drop`` towns not reported, the prefecture total the towns' sum (or ``total``)."""
    history = ds.history
    rows = history[(history["series"] == series) & (history["fy"] == fy)].copy()
    towns = rows["area"] != PREFECTURE
    if others is not None:
        rows.loc[towns, "value"] = float(others)
    for area, value in values.items():
        assert (rows["area"] == area).sum() == 1, area
        rows.loc[rows["area"] == area, "value"] = float(value)
    rows = rows[~rows["area"].isin(drop)]
    towns = rows["area"] != PREFECTURE
    rows.loc[~towns, "value"] = rows.loc[towns, "value"].sum() if total is None else total
    return replace(ds, history=rows.reset_index(drop=True))


def large(ds: Dataset, start: float = 20) -> dict[str, float]:
    """Every town a distinct value of ``start`` or more (nothing small, no ties in cost)."""
    towns = [str(a) for a in ds.areas.index[ds.areas["level"] == "municipality"]]
    return {t: start + i for i, t in enumerate(towns)}


def few_regions(ds: Dataset, regions: tuple[str, ...] = ("iga",)) -> Dataset:
    """The prefecture as only ``regions`` (伊賀 alone by default): its total is their towns' sum."""
    keep = ds.areas.index.isin([PREFECTURE, *regions]) | ds.areas["region"].isin(regions)
    areas = ds.areas[keep]
    history = ds.history[ds.history["area"].isin(areas.index)].copy()
    towns = history["area"] != PREFECTURE
    total = history[towns].groupby(["series", "fy"])["value"].sum()
    at = ~towns & history.set_index(["series", "fy"]).index.isin(total.index)
    keys = list(zip(history.loc[at, "series"], history.loc[at, "fy"], strict=True))
    history.loc[at, "value"] = [total[k] for k in keys]
    surveys = ds.surveys[ds.surveys["region"].isin(regions)].reset_index(drop=True)
    return replace(ds, areas=areas, history=history.reset_index(drop=True), surveys=surveys)


def answers(table: dict[tuple[str, str], tuple[int, int]], fy: int = 2025) -> pd.DataFrame:
    """G2 rows: (region, group) → (agreeing, n), the rest answering そう思わない."""
    rows = []
    for (region, group), (agree, n) in table.items():
        for answer, count in (("そう思う", agree), ("そう思わない", n - agree)):
            rows.append(
                {
                    "survey": "G2",
                    "fy": fy,
                    "region": region,
                    "group": group,
                    "answer": answer,
                    "respondents": count,
                    "sample": True,
                }
            )
    return pd.DataFrame(rows)


#: G2 of 伊賀 and 中勢 by two agency types: (agreeing, n); 伊賀 has 3 medical agencies.
TWO_BY_TWO = {
    ("iga", "医療機関"): (1, 3),
    ("iga", "社会福祉協議会"): (20, 40),
    ("chusei", "医療機関"): (10, 30),
    ("chusei", "社会福祉協議会"): (25, 50),
}


def tiny_data(folder: Path, towns: dict[tuple[int, str], int] | None = None) -> Path:
    """A data folder on disk: the bundled files with 伊賀 as the whole prefecture, 6-1 for
    令和6–7年度 (``towns``, default 名張市 10 and 20, 伊賀市 30 and 35; the totals their sums),
    3-1, 2-3a and 2-1a's totals as bundled, and G1 of 伊賀 for 令和7年度 (no group under 5). Its audit takes a moment."""
    shutil.copytree(DATA, folder)
    areas = {PREFECTURE, "iga", NABARI, IGA_CITY}
    default = {(2024, NABARI): 10, (2024, IGA_CITY): 30, (2025, NABARI): 20, (2025, IGA_CITY): 35}
    values: dict[tuple[int, str], int] = dict(towns or default)
    for fy in (2024, 2025):
        values[(fy, PREFECTURE)] = values[(fy, NABARI)] + values[(fy, IGA_CITY)]

    def keep(
        name: str,
        wanted: Callable[[dict[str, str]], bool],
        edit: Callable[[dict[str, str]], None] = lambda r: None,
    ) -> None:
        with (folder / name).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        kept = [r for r in rows if wanted(r)]
        for r in kept:
            edit(r)
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(kept)

    keep("areas.csv", lambda r: r["code"] in areas)

    def history_row(r: dict[str, str]) -> bool:
        if r["series"] in ("3-1", "2-3a") or (r["series"], r["area"]) == ("2-1a", PREFECTURE):
            return True
        return r["series"] == "6-1" and (int(r["fy"]), r["area"]) in values

    def set_value(r: dict[str, str]) -> None:
        if r["series"] == "6-1":
            r["value"] = str(values[(int(r["fy"]), r["area"])])

    keep("history.csv", history_row, set_value)
    keep("surveys.csv", lambda r: (r["survey"], r["fy"], r["region"]) == ("G1", "2025", "iga"))
    return folder


def years(ds: Dataset, tables: dict[int, dict[str, float]], *, series: str = SERIES) -> Dataset:
    """``ds`` with ``series`` only in the years given, each set as :func:`one_table` sets one
    (the prefecture the towns' sum); every other series as it was."""
    parts = [one_table(ds, values, series=series, fy=fy).history for fy, values in tables.items()]
    rest = ds.history[ds.history["series"] != series]
    return replace(ds, history=pd.concat([rest, *parts], ignore_index=True))
