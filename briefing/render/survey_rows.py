"""The G1/G2 rows of a briefing's CSV: every survey share the briefing and dashboard publish.

For each goal and year in range: the share over the briefing's scope (the prefecture, or the
region of the chosen region or municipality) and per group there, and each region's share — with
n, the effective n (Kish; n when unweighted), the interval, and whether it is weighted,
indicative (参考値) or sample. A group whose share is withheld (fewer than ``suppress_below``
respondents, or hidden so such a group cannot be worked out) has no share, interval or effective
n here either: only its n, as everywhere.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..content import Context, area_name, interval_level, survey_regions, survey_years
from ..content.filters import Filters
from ..data.fiscal import format_fy
from ..stats.surveys import survey_shares

ALL_GROUPS = "全体"


def survey_columns(level: str) -> list[str]:
    """The survey columns after the indicator columns (indicator rows leave them empty);
    ``level`` is the intervals' confidence level as printed ("95%")."""
    return [
        "区分",
        "回答者数",
        "有効回答者数",
        f"{level}信頼区間下限",
        f"{level}信頼区間上限",
        "加重",
        "参考値",
    ]


def _number(value: object, digits: int = 1) -> object:
    """A rounded number for Excel: 1286 (not 1286.0), 1043.7; empty when missing."""
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return ""
    rounded = round(float(value), digits)  # type: ignore[arg-type]
    return int(rounded) if rounded.is_integer() else rounded


def survey_rows(ctx: Context, filters: Filters, columns: list[str]) -> list[list[object]]:
    """One CSV row per published survey share, in ``columns`` (indicator and survey columns)."""
    regions, _ = survey_regions(ctx, filters)
    years = survey_years(ctx, filters)
    rows: list[list[object]] = []
    for goal in ctx.ds.goals.itertuples():
        for r in _goal_table(ctx, goal.id, regions, years).itertuples():
            cells = _cells(ctx, goal, r)
            rows.append([cells.get(c, "") for c in columns])
    return rows


def _goal_table(
    ctx: Context, goal: str, regions: list[str] | None, years: tuple[int, int]
) -> pd.DataFrame:
    """The goal's shares in the scope (all groups, by group) and by region, year by year."""
    s = ctx.settings
    scope = "県全体" if regions is None else area_name(ctx, regions[0], "ja")
    parts: list[pd.DataFrame] = []
    for by, where in ((None, regions), ("group", regions), ("region", None)):
        shares = survey_shares(
            ctx.ds.surveys,
            goal,
            by=by,
            regions=where,
            years=years,
            small_n=s.small_sample_n,
            hide_below=s.suppress_below,
            hidden=ctx.disclosure.groups,
            confidence=s.confidence,
        )
        if by != "region":
            shares = shares.assign(area=scope)
        else:
            shares = shares.assign(area=shares["region"].map(lambda c: area_name(ctx, c, "ja")))
        if by != "group":
            shares = shares.assign(group=ALL_GROUPS)
        parts.append(shares.assign(order=len(parts)))
    table = pd.concat(parts, ignore_index=True).sort_values(["fy", "order"], kind="stable")
    if regions is not None:  # the scope's own region appears once
        table = table.drop_duplicates(["fy", "area", "group"], keep="first")
    return table


def _cells(ctx: Context, goal: Any, r: Any) -> dict[str, object]:
    """One share's cells by column name; a hidden share says why instead of its value."""
    s = ctx.settings
    hidden = bool(r.hidden)
    if hidden and r.n < s.suppress_below:
        value: object = f"非表示（回答者{s.suppress_below}人未満）"
    elif hidden:
        value = "非表示（回答者の少ない区分の逆算防止）"
    else:
        value = round(float(r.share), 1)
    return {
        "指標": goal.id,
        "系列": goal.id,
        "指標名": goal.name_ja,
        "地域": r.area,
        "年度": format_fy(int(r.fy)),
        "値": value,
        "単位": "%",
        "状態": "",
        "サンプル": "はい" if r.sample else "いいえ",
        "担当課コメント": "",
        "出典": goal.agency,
        "更新日": "",
        "区分": r.group,
        "回答者数": int(r.n),
        "有効回答者数": "" if hidden else _number(r.n_eff),
        f"{interval_level(ctx)}信頼区間下限": "" if hidden else _number(r.low),
        f"{interval_level(ctx)}信頼区間上限": "" if hidden else _number(r.high),
        "加重": "はい" if r.weighted else "いいえ",
        "参考値": "" if hidden else ("はい" if r.reference else "いいえ"),
    }
