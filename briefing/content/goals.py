"""The plan's two goals and the survey breakdowns behind them, with intervals and 参考値."""

from __future__ import annotations

from functools import partial

import pandas as pd

from ..charts import figures
from ..charts.sparkline import sparkline_svg
from ..data.fiscal import format_fy
from ..labels import group_label, text
from ..stats.surveys import difference_interval
from .context import Context, area_name, cached_chart, interval_level, shares_of, year_range
from .filters import Filters
from .formatting import change_text, share_text
from .models import GoalCard, SurveyPanel


def survey_regions(ctx: Context, filters: Filters) -> tuple[list[str] | None, str]:
    level = ctx.ds.areas.at[filters.area, "level"]
    if level == "prefecture":
        return None, text("prefecture", filters.lang)
    region = filters.area if level == "region" else ctx.ds.areas.at[filters.area, "region"]
    name = area_name(ctx, region, filters.lang)
    if level == "municipality":
        scope = text("scope_municipality", filters.lang, name=name)
    else:
        scope = text("scope_region", filters.lang, name=name)
    return [region], scope


def survey_years(ctx: Context, filters: Filters) -> tuple[int, int]:
    """The fiscal-year range of ``filters`` for surveys: open ends filled from the surveys and
    the history both, so a survey year imported before that year's figures is shown."""
    lo, hi = year_range(ctx, filters)
    years = ctx.ds.surveys["fy"]
    if not len(years):
        return lo, hi
    return (
        filters.fy_from or min(lo, int(years.min())),
        filters.fy_to or max(hi, int(years.max())),
    )


def goal_cards(ctx: Context, filters: Filters, *, charts_too: bool = False) -> list[GoalCard]:
    """The two goals' cards: the latest share with its interval, the change since the first year
    (and whether it is within sampling error), the target, and the chart when ``charts_too``."""
    regions, scope = survey_regions(ctx, filters)
    cards = []
    for goal in ctx.ds.goals.itertuples():
        shares = shares_of(ctx, goal.id, regions=regions)
        if filters.fy_from or filters.fy_to:
            shares = shares[shares["fy"].between(*survey_years(ctx, filters))]
        if len(shares):
            cards.append(_goal_card(ctx, goal, shares, regions, scope, filters.lang, charts_too))
    return cards


def _goal_card(  # type: ignore[no-untyped-def]
    ctx: Context, goal, shares: pd.DataFrame, regions, scope: str, lang: str, charts_too: bool
) -> GoalCard:
    last = shares.iloc[-1]
    years = [format_fy(int(f), lang=lang) for f in shares["fy"]]
    table = _share_table(ctx, shares, text("fy_column", lang), years, lang)
    chart = None
    if charts_too:
        key = {
            "chart": "goal",
            "id": goal.id,
            "regions": regions,
            "years": list(shares["fy"]),
            "lang": lang,
            "fmt": ctx.fmt,
        }
        alt = f"{getattr(goal, f'name_{lang}')}: " + text("list_sep", lang).join(table.iloc[:, 1])
        draw = partial(
            figures.goal_figure,
            shares,
            target=goal.target_value if pd.notna(goal.target_value) else None,
            target_fy=int(goal.target_fy) if pd.notna(goal.target_fy) else None,
            lang=lang,
            settings=ctx.settings,
        )
        chart = cached_chart(ctx, key, draw, alt)
    return GoalCard(
        id=goal.id,
        name=getattr(goal, f"name_{lang}"),
        scope=scope,
        latest=_share(ctx, last, lang),
        latest_fy=format_fy(int(last["fy"]), lang=lang),
        reference=bool(last["reference"]),
        change=_goal_change(ctx, shares.iloc[0], last, lang),
        target=(
            f"{goal.target_value:g}%"
            + text("parenthesised", lang, body=format_fy(int(goal.target_fy), lang=lang))
            if pd.notna(goal.target_value)
            else text("target_missing", lang)
        ),
        spark=sparkline_svg(
            list(shares["fy"]),
            list(shares["share"]),
            colour=ctx.settings.palette[0],
            low=0,
            high=100,
        ),
        table=table,
        chart=chart,
        sample=bool(last["sample"]),
        note=text("weighted_note", lang) if bool(shares["weighted"].any()) else "",
    )


def _goal_change(ctx: Context, first: pd.Series, last: pd.Series, lang: str) -> str:
    """The change since the first year with the interval of the difference: a survey's
    change can be sampling error, and the card says when it may be."""
    since = format_fy(int(first["fy"]), lang=lang)
    body = change_text(last["share"] - first["share"], kind="share", lang=lang)
    if body == text("none", lang) or first["fy"] == last["fy"]:
        return body
    low, high = difference_interval(
        (first["share"], first["low"], first["high"]),
        (last["share"], last["low"], last["high"]),
    )
    level = interval_level(ctx)
    within = low <= 0 <= high
    return body + text(
        "goal_change_within" if within else "goal_change_beyond",
        lang,
        since=since,
        level=level,
        low=change_text(low, kind="share", lang=lang),
        high=change_text(high, kind="share", lang=lang),
    )


def survey_panels(ctx: Context, filters: Filters) -> list[SurveyPanel]:
    """G1 by region and by age band, G2 by agency type and by region, for the latest year in range."""
    lang = filters.lang
    regions, scope = survey_regions(ctx, filters)
    years = survey_years(ctx, filters)
    in_scope = text("parenthesised", lang, body=scope)
    plan = [
        ("G1", "region", None, text("by_region", lang)),
        ("G1", "group", regions, text("by_age", lang) + in_scope),
        ("G2", "group", regions, text("by_agency", lang) + in_scope),
        ("G2", "region", None, text("by_region", lang)),
    ]
    panels = []
    for survey, by, where, subtitle in plan:
        shares = shares_of(ctx, survey, by=by, regions=where, years=years)
        if len(shares):
            panels.append(_survey_panel(ctx, shares, survey, by, where, subtitle, lang))
    return panels


def _survey_panel(  # type: ignore[no-untyped-def]
    ctx: Context, shares: pd.DataFrame, survey: str, by: str, where, subtitle: str, lang: str
) -> SurveyPanel:
    """One breakdown's latest year: its table, chart and notes."""
    fy = int(shares["fy"].max())
    shares = shares[shares["fy"] == fy]
    names = (
        shares[by].map(lambda c: area_name(ctx, c, lang))
        if by == "region"
        else shares[by].map(lambda g: group_label(g, lang))
    )
    shares = shares.assign(label=names.to_numpy())
    goal = ctx.ds.catalog.loc[survey]
    title = f"{survey} {goal[f'name_{lang}']} — {subtitle} {format_fy(fy, lang=lang)}"
    table = _share_table(ctx, shares, text("group_column", lang), shares["label"], lang)
    key: dict[str, object] = {
        "chart": "shares",
        "survey": survey,
        "by": by,
        "where": where,
        "fy": fy,
        "lang": lang,
        "fmt": ctx.fmt,
    }
    alt = (
        title
        + ": "
        + text("list_sep", lang).join(
            f"{a} {b}" for a, b in zip(table.iloc[:, 0], table.iloc[:, 1], strict=True)
        )
    )
    draw = partial(figures.share_figure, shares, lang=lang, settings=ctx.settings)
    small_n = ctx.settings.small_sample_n
    n_ref = int(shares["reference"].sum())
    notes = [
        text("weighted_note", lang) if bool(shares["weighted"].any()) else "",
        text("small_groups_note", lang, n=small_n, count=n_ref) if n_ref else "",
        text("sample_note", lang) if bool(shares["sample"].any()) else "",
    ]
    return SurveyPanel(
        title=title,
        table=table.reset_index(drop=True),
        chart=cached_chart(ctx, key, draw, alt),
        note=" ".join(filter(None, notes)),
    )


def _share_table(
    ctx: Context, shares: pd.DataFrame, heading: str, labels: object, lang: str
) -> pd.DataFrame:
    """A two-column table: ``labels`` under ``heading``, and each row's share as printed."""
    level = interval_level(ctx)
    return pd.DataFrame(
        {
            heading: labels,
            text("share_column", lang, level=level): _share_column(ctx, shares, lang),
        }
    )


def _share(ctx: Context, r: pd.Series, lang: str) -> str:
    """One share with its interval, n (and effective n when weighted), 参考値 or why hidden."""
    return share_text(
        r["share"],
        r["low"],
        r["high"],
        int(r["n"]),
        level=interval_level(ctx),
        reference=bool(r["reference"]),
        protects=bool(r["protects"]),
        lang=lang,
        n_eff=r["n_eff"] if bool(r["weighted"]) else None,
    )


def _share_column(ctx: Context, shares: pd.DataFrame, lang: str) -> list[str]:
    """Each row's share as the tables print it, with the sample mark."""
    return [
        _share(ctx, r, lang)
        + (text("sample_mark", lang) if r["sample"] and not r["hidden"] else "")
        for _, r in shares.iterrows()
    ]
