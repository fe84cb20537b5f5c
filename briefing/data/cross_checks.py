"""Checks across the data files, as a table of rules: references that must exist and values that
must fit their kind. Adding a check is adding a row to ``RULES``.

Each rule names a file and a column, says which rows are wrong (a vectorised test: the long
files have tens of thousands of rows at ten times today's volume), and what to tell staff.
Problems come out in file order, then row order, then rule order, as staff read a file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..labels import KIND
from .areas import PREFECTURE
from .problems import Problem
from .schema import plain_number

#: Allowed value range per indicator kind: (minimum, maximum, must be whole, what to write).
RANGES = {
    "count": (0, None, True, "0 以上の整数を入力してください。"),
    "stock": (0, None, True, "0 以上の整数を入力してください。"),
    "share": (0, 100, False, "0〜100 の割合（%）を入力してください。"),
    "milestone": (0, 1, True, "0（未創設）か 1（創設済）を入力してください。"),
}


@dataclass(frozen=True)
class Known:
    """What the other files say exists: the references a row may point at."""

    directions: set[object]
    indicators: set[object]
    regions: set[object]
    municipalities: set[object]
    kind: dict[str, str]  # series → its indicator's kind
    breakdown: dict[str, str]  # series → its indicator's breakdown
    indicator_direction: dict[str, object]  # indicator id → its direction

    @classmethod
    def of(cls, tables: dict[str, pd.DataFrame]) -> Known:
        catalog, areas, series = tables["catalog.csv"], tables["areas.csv"], tables["series.csv"]
        entries = catalog.set_index("id")
        series = series[series["indicator"].isin(entries.index)]
        # plain dicts: one lookup per history row (a DataFrame .loc per row was most of the time)
        by_series = dict(zip(series["series"], series["indicator"], strict=True))
        return cls(
            directions=set(tables["directions.csv"]["direction"]),
            indicators=set(catalog.loc[catalog["type"] == "indicator", "id"]),
            regions=set(areas.loc[areas["level"] == "region", "code"]),
            municipalities=set(areas.loc[areas["level"] == "municipality", "code"]),
            kind={s: entries.at[i, "kind"] for s, i in by_series.items()},
            breakdown={s: entries.at[i, "breakdown"] for s, i in by_series.items()},
            indicator_direction=dict(
                zip(
                    catalog.loc[catalog["type"] == "indicator", "id"],
                    catalog.loc[catalog["type"] == "indicator", "direction"],
                    strict=True,
                )
            ),
        )


Test = Callable[[pd.DataFrame, Known], "pd.Series[bool]"]
#: What to tell staff: the same words for every row, or words made from the row.
Words = str | Callable[[Any, Known], str]


@dataclass(frozen=True)
class Rule:
    """Rows of ``file`` for which ``wrong`` holds have a problem in ``column``."""

    file: str
    column: str
    wrong: Test
    reason: Words
    hint: Words
    shown: Callable[[Any], str] = str


def _checked_history(t: pd.DataFrame, k: Known) -> pd.Series[bool]:
    """History rows whose series, kind and breakdown are known (the rest is reported elsewhere)."""
    kind = t["series"].map(k.kind)
    return (
        t["series"].isin(k.kind.keys())
        & kind.isin(RANGES.keys())
        & t["series"].map(k.breakdown).notna()
    )


def _bad_area(t: pd.DataFrame, k: Known) -> pd.Series[bool]:
    return _checked_history(t, k) & (t["area"] != PREFECTURE) & ~t["area"].isin(k.municipalities)


def _no_breakdown(t: pd.DataFrame, k: Known) -> pd.Series[bool]:
    checked = _checked_history(t, k) & (t["area"] != PREFECTURE) & ~_bad_area(t, k)
    return checked & (t["series"].map(k.breakdown) == "none")


def _out_of_range(t: pd.DataFrame, k: Known) -> pd.Series[bool]:
    kind = t["series"].map(k.kind)
    low, high = (kind.map({n: r[i] for n, r in RANGES.items()}).astype(float) for i in (0, 1))
    whole = kind.map({n: r[2] for n, r in RANGES.items()})
    value = t["value"]
    outside = (value < low) | (high.notna() & (value > high)) | (whole.eq(True) & (value % 1 != 0))
    return _checked_history(t, k) & outside


def _indicator(t: pd.DataFrame) -> pd.Series[bool]:
    return t["type"] == "indicator"


RULES = (
    Rule("catalog.csv", "direction",
         lambda t, k: _indicator(t) & ~t["direction"].isin(k.directions),
         "取組方向がありません。", "directions.csv の番号を入力してください。"),
    Rule("catalog.csv", "target_value",
         lambda t, k: _indicator(t) & t["target_value"].notna(),
         "モニタリング指標には目標値を設定しません（計画の方針）。",
         "目標値は計画全体の目標（G1・G2）にだけ入力してください。"),
    Rule("areas.csv", "region",
         lambda t, k: (t["level"] == "municipality") & ~t["region"].isin(k.regions),
         "地域コードがありません。", "地域（level=region）の code を入力してください。"),
    Rule("series.csv", "indicator",
         lambda t, k: ~t["indicator"].isin(k.indicators),
         "指標がありません。", "catalog.csv のモニタリング指標の id を入力してください。"),
    Rule("series.csv", "baseline_fy",
         lambda t, k: t["baseline_value"].isna() != t["baseline_fy"].isna(),
         "基準値と基準年度は両方入力するか、両方空にします。", "計画の現状値と年度を確認してください。"),
    Rule("history.csv", "series",
         lambda t, k: ~t["series"].isin(k.kind.keys()),
         "系列がありません。", "series.csv の series を入力してください。"),
    Rule("history.csv", "area", _bad_area, "地域コードがありません。",
         f"県全体は {PREFECTURE}、市町は6桁の団体コードを入力してください（地域の値は市町から計算します）。"),
    Rule("history.csv", "area", _no_breakdown, "この指標には市町別の内訳がありません。",
         f"県全体（{PREFECTURE}）の値として入力してください。"),
    Rule("history.csv", "value", _out_of_range,
         lambda row, k: f"この指標の種類（{KIND['ja'][k.kind[row.series]]}）では取りえない値です。",
         lambda row, k: RANGES[k.kind[row.series]][3],
         shown=plain_number),
    Rule("plan.csv", "fy_to",
         lambda t, k: t["fy_from"] > t["fy_to"],
         "計画期間の終わりが始まりより前です。", "fy_from 以降の年度を入力してください。"),
    Rule("surveys.csv", "region",
         lambda t, k: ~t["region"].isin(k.regions),
         "地域コードがありません。", "areas.csv の地域（level=region）の code を入力してください。"),
    Rule("surveys.csv", "respondents",
         lambda t, k: t["respondents"] < 0,
         "回答者数が負です。", "0 以上の整数を入力してください。"),
    Rule("accounts.csv", "direction",
         lambda t, k: ~t["direction"].isin(k.directions),
         "取組方向がありません。", "directions.csv の番号（1〜6）を入力してください。"),
    Rule("opinions.csv", "direction",
         lambda t, k: t["direction"].notna() & ~t["direction"].isin(k.directions),
         "取組方向がありません。",
         "directions.csv の番号（1〜6）を入力するか、計画全体への意見なら空欄にしてください。",
         shown=plain_number),
    Rule("opinions.csv", "indicator",
         lambda t, k: t["indicator"].notna() & ~t["indicator"].isin(k.indicators),
         "指標がありません。", "catalog.csv のモニタリング指標の id（例: 3-1）を入力してください。"),
    Rule("opinions.csv", "indicator",
         lambda t, k: t["indicator"].isin(k.indicators)
         & (t["indicator"].map(k.indicator_direction) != t["direction"]),
         "指標の取組方向と direction の列が違います。",
         "指標の取組方向の番号を direction の列に入力してください。"),
)  # fmt: skip

#: The files in the order staff read them: problems are listed in this order.
FILE_ORDER = (
    "catalog.csv",
    "areas.csv",
    "series.csv",
    "history.csv",
    "plan.csv",
    "surveys.csv",
    "accounts.csv",
    "opinions.csv",
)


def cross_check(
    tables: dict[str, pd.DataFrame], skip: set[tuple[str, int | None]]
) -> list[Problem]:
    """Every rule's problems. Rows in ``skip`` already have a problem of their own: they still
    count as references (their id exists) but are not checked again, so one typo does not
    cascade into many messages."""
    known = Known.of(tables)
    found: list[tuple[int, int, int, Problem]] = []
    for number, rule in enumerate(RULES):
        table = tables[rule.file]
        skipped = {row for file, row in skip if file == rule.file}
        if skipped:
            table = table[~table["file_row"].isin(skipped)]
        wrong = rule.wrong(table, known)
        if not wrong.any():
            continue
        for row in table[wrong].itertuples():
            reason = rule.reason(row, known) if callable(rule.reason) else rule.reason
            hint = rule.hint(row, known) if callable(rule.hint) else rule.hint
            value = rule.shown(getattr(row, rule.column))
            problem = Problem(
                rule.file, reason, hint, row=int(row.file_row), column=rule.column, value=value
            )
            found.append((FILE_ORDER.index(rule.file), int(row.file_row), number, problem))
    problems = [problem for *_, problem in sorted(found, key=lambda f: f[:3])]
    if not len(tables["plan.csv"]):
        problems.insert(
            sum(FILE_ORDER.index(f[3].file) < FILE_ORDER.index("plan.csv") for f in found),
            Problem(
                "plan.csv",
                "計画が 1 行もありません。",
                "計画の名称と計画期間（fy_from〜fy_to）を入力してください。",
            ),
        )
    return problems
