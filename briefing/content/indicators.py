"""Monitoring indicators: cards with latest values and changes, and each card's table and chart."""

from __future__ import annotations

from functools import partial

import pandas as pd

from ..charts import figures
from ..charts.sparkline import sparkline_svg
from ..data.areas import PREFECTURE
from ..data.fiscal import format_fy
from ..labels import KIND, source_label, text
from ..stats.statistics import has_breakdown
from ..stats.suppression import COMPLEMENT, partial_counts
from .context import (
    Context,
    cached_chart,
    directions_of,
    shown_rows,
    summary_of,
    year_range,
)
from .filters import Filters
from .formatting import change_text, value_text
from .models import Chart, IndicatorCard, SeriesLine


def indicator_cards(
    ctx: Context, filters: Filters, *, detail: bool = False, table_only: bool = False
) -> dict[int, list[IndicatorCard]]:
    """Cards per direction for the filters: latest values and changes, plus chart and table
    when ``detail`` (the direction view and the briefing)."""
    lang = filters.lang
    lo, hi = year_range(ctx, filters)
    lines = partial(_lines, ctx, filters, lo=lo, hi=hi)
    shown = shown_rows(ctx, filters.area, lo, hi)
    result: dict[int, list[IndicatorCard]] = {}
    indicators = list(ctx.ds.indicators.itertuples())
    series_of = dict(tuple(ctx.ds.series.groupby("indicator", sort=False)))
    for direction in directions_of(ctx, filters):
        cards = []
        for ind in (i for i in indicators if i.direction == direction):
            series = series_of.get(ind.id, ctx.ds.series.iloc[0:0])
            available = all(has_breakdown(ctx.ds, s, filters.area) for s in series.index)
            rows = shown.by_indicator[ind.id]
            card = _card(
                ind,
                direction,
                lang,
                lines(filters.area, series.index) if available else [],
                available=available,
                # an indicator without a breakdown shows the prefecture's value, labelled as such
                prefecture_lines=[] if available else lines(PREFECTURE, series.index),
                source=_sources(rows, lang),
            )
            if detail and available:
                card = _detail(
                    ctx, card, series, rows, shown.by_series, filters, chart=not table_only
                )
            cards.append(card)
        result[direction] = cards
    return result


def _lines(
    ctx: Context, filters: Filters, area: str, series: pd.Index, *, lo: int, hi: int
) -> list[SeriesLine]:
    """The lines of ``area`` for the series of one indicator."""
    summary = summary_of(ctx, area, hi)
    plan_end = summary_of(ctx, area, ctx.ds.plan_period[1])
    by_series = shown_rows(ctx, area, lo, hi).by_series
    return [_line(ctx, summary.loc[s], by_series[s], filters, plan_end.loc[s]) for s in series]


def _card(  # type: ignore[no-untyped-def]
    ind,
    direction: int,
    lang: str,
    lines: list[SeriesLine],
    *,
    available: bool,
    prefecture_lines: list[SeriesLine],
    source: str,
) -> IndicatorCard:
    """An indicator's card from its catalog row (name, unit, kind, agency, note) and lines."""
    return IndicatorCard(
        id=ind.id,
        direction=direction,
        name=getattr(ind, f"name_{lang}"),
        unit=str(getattr(ind, f"unit_{lang}")) if pd.notna(ind.unit_ja) else "",
        kind=ind.kind,
        kind_label=KIND[lang][ind.kind],
        counting=text("counting_total" if ind.counting == "延べ" else "counting_distinct", lang)
        if pd.notna(ind.counting)
        else "",
        agency=ind.agency if lang == "ja" or pd.isna(ind.agency_en) else ind.agency_en,
        note=_text(ind.note if lang == "ja" else ind.note_en),
        available=available,
        prefecture_lines=prefecture_lines,
        lines=lines,
        source=source,
    )


def _line(
    ctx: Context, row: pd.Series, values: pd.DataFrame, filters: Filters, at_end: pd.Series
) -> SeriesLine:
    lang, kind, threshold = filters.lang, row["kind"], ctx.settings.suppress_below
    plan_to = ctx.ds.plan_period[1]
    unit = ctx.ds.series.at[row.name, f"unit_{lang}"]
    label = ctx.ds.series.at[row.name, f"label_{lang}"]
    latest_fy = format_fy(int(row["latest_fy"]), lang=lang) if pd.notna(row["latest_fy"]) else ""
    has_base = pd.notna(row["baseline_value"])

    def shown_value(column: str, suppressed: str) -> str:
        return value_text(
            row[column],
            kind=kind,
            unit=unit,
            suppressed=row[suppressed],
            threshold=threshold,
            lang=lang,
        )

    baseline = (
        shown_value("baseline_value", "baseline_suppressed")
        + text(
            "parenthesised",
            lang,
            body=format_fy(int(row["baseline_fy"]), lang=lang)
            + (text("and_sep", lang) + text("sample", lang) if row["baseline_sample"] else ""),
        )
        if has_base
        else text("no_baseline", lang)
    )
    shown = values[values["suppressed"] == ""]
    return SeriesLine(
        label="" if pd.isna(label) else str(label),
        latest=shown_value("latest", "latest_suppressed"),
        latest_fy=latest_fy,
        provisional=row["status"] == "速報",
        vs_baseline=change_text(
            row["change_baseline"], row["change_baseline_pct"], kind=kind, lang=lang
        )
        if has_base
        else text("none", lang),
        vs_previous=change_text(
            row["change_previous"], row["change_previous_pct"], kind=kind, lang=lang
        ),
        baseline=baseline,
        # staff write comments in Japanese only: the English edition says so once instead
        comment=str(row["comment"]) if pd.notna(row["comment"]) and lang == "ja" else "",
        sample=bool(row["sample"]) if pd.notna(row["sample"]) else False,
        spark=sparkline_svg(
            list(shown["fy"]), list(shown["value"]), colour=ctx.settings.palette[0]
        ),
        plan_end=_plan_end(ctx, at_end, kind, unit, has_base, lang),
        after_plan=pd.notna(row["latest_fy"]) and int(row["latest_fy"]) > plan_to,
    )


def _plan_end(
    ctx: Context, at_end: pd.Series, kind: str, unit: str, has_base: bool, lang: str
) -> str:
    """The value of the plan's last year and its change from the baseline, "" without one."""
    plan_to = ctx.ds.plan_period[1]
    if pd.isna(at_end["latest_fy"]) or int(at_end["latest_fy"]) != plan_to:
        return ""
    change = ""
    if has_base and pd.notna(at_end["change_baseline"]):
        change = f"{text('list_sep', lang)}{text('vs_baseline', lang)} " + change_text(
            at_end["change_baseline"], at_end["change_baseline_pct"], kind=kind, lang=lang
        )
    return value_text(
        at_end["latest"],
        kind=kind,
        unit=unit,
        suppressed=at_end["latest_suppressed"],
        threshold=ctx.settings.suppress_below,
        lang=lang,
    ) + text("plan_end_value", lang, fy=format_fy(plan_to, lang=lang), change=change)


def _sources(rows: pd.DataFrame, lang: str = "ja") -> str:
    sources = (source_label(s, lang) for s in rows["source"] if isinstance(s, str) and s)
    return text("source_sep", lang).join(dict.fromkeys(sources))


def _detail(
    ctx: Context,
    card: IndicatorCard,
    series: pd.DataFrame,
    rows: pd.DataFrame,
    by_series: dict[str, pd.DataFrame],
    filters: Filters,
    *,
    chart: bool,
) -> IndicatorCard:
    """The card with its table of every year and its chart; ``rows`` are its series' years."""
    lang, threshold = filters.lang, ctx.settings.suppress_below
    labels = {
        s: (series.at[s, f"label_{lang}"] if pd.notna(series.at[s, f"label_{lang}"]) else card.name)
        for s in series.index
    }
    wide = {labels[s]: _year_cells(ctx, series, s, by_series[s], lang) for s in series.index}
    table = pd.DataFrame(wide).rename_axis(text("fy_column", lang)).reset_index()
    hidden = rows[rows["suppressed"] != ""]
    withheld = bool((hidden["suppressed"] == COMPLEMENT).any())
    partial = any(partial_counts(r) is not None for r in hidden["suppressed"])
    what = text("and_sep", lang).join(
        [text("suppressed", lang, n=threshold)]
        + [text("withheld", lang)] * withheld
        + [text("partial_short", lang)] * partial
    )
    note = (
        text("not_plotted", lang, what=what, threshold=threshold, count=len(hidden))
        if len(hidden)
        else ""
    )
    figure = None
    if chart and card.kind != "milestone":
        figure = _trend_chart(
            ctx, card, series, rows[rows["suppressed"] == ""], labels, filters, note
        )
    card_note = _card_note(ctx, card.note, bool(rows["sample"].any()), withheld, partial, lang)
    return IndicatorCard(**{**card.__dict__, "table": table, "chart": figure, "note": card_note})


def _year_cells(
    ctx: Context, series: pd.DataFrame, s: str, rows: pd.DataFrame, lang: str
) -> dict[str, str]:
    """Series ``s``'s value in each year as the tables print it (withheld, 速報, sample marks)."""
    unit, kind = series.at[s, f"unit_{lang}"], series.at[s, "kind"]
    return {
        _fy_label(ctx, int(r.fy), lang): value_text(
            r.value,
            kind=kind,
            unit=unit,
            suppressed=r.suppressed,
            threshold=ctx.settings.suppress_below,
            lang=lang,
        )
        + (
            text("parenthesised", lang, body=text("provisional", lang))
            if r.status == "速報"
            else ""
        )
        + (text("sample_mark", lang) if r.sample and not r.suppressed else "")
        for r in rows.itertuples()
    }


def _card_note(
    ctx: Context, note: str, sample: bool, withheld: bool, partial: bool, lang: str
) -> str:
    """The card's own note, the plan period and what the table's marks mean."""
    plan = ctx.ds.plan_period
    start, end = (format_fy(fy, lang=lang) for fy in plan)
    return " ".join(
        filter(
            None,
            [
                note,
                text("plan_note", lang, start=start, end=end),
                text("sample_note", lang) if sample else "",
                text("withheld_note", lang, n=ctx.settings.suppress_below) if withheld else "",
                text("partial_note", lang) if partial else "",
            ],
        )
    )


def _trend_chart(
    ctx: Context,
    card: IndicatorCard,
    series: pd.DataFrame,
    rows: pd.DataFrame,
    labels: dict[str, str],
    filters: Filters,
    note: str,
) -> Chart:
    lang = filters.lang
    values = pd.DataFrame(
        {
            "fy": rows["fy"],
            "value": rows["value"],
            "label": rows["series"].map(labels),
            "provisional": rows["status"] == "速報",
            "sample": rows["sample"].astype(bool),
        }
    )
    base = series[series["baseline_value"].notna()]
    baseline = None
    if filters.area == PREFECTURE and len(base):
        lo, hi = year_range(ctx, filters)
        base = base[base["baseline_fy"].between(lo, hi)]
        baseline = pd.DataFrame(
            {
                "label": [labels[s] for s in base.index],
                "fy": base["baseline_fy"].astype(int),
                "value": base["baseline_value"],
            }
        )
    unit = card.unit
    key = {
        "chart": "trend",
        "id": card.id,
        "filters": [filters.area, *year_range(ctx, filters), lang],
        "fmt": ctx.fmt,
    }
    plan = ctx.ds.plan_period
    alt = _trend_alt(card, values, lang) + text(
        "trend_alt_extra",
        lang,
        start=format_fy(plan[0], lang=lang),
        end=format_fy(plan[1], lang=lang),
    )

    draw = partial(
        figures.trend_figure,
        values,
        unit=unit,
        baseline=baseline,
        lang=lang,
        settings=ctx.settings,
        note=note,
        plan=ctx.ds.plan_period,
    )
    return cached_chart(ctx, key, draw, alt)


def _fy_label(ctx: Context, fy: int, lang: str) -> str:
    """A year as the tables show it; years after the plan say so."""
    after = (
        text("parenthesised", lang, body=text("after_plan", lang))
        if fy > ctx.ds.plan_period[1]
        else ""
    )
    return format_fy(fy, lang=lang) + after


def _trend_alt(card: IndicatorCard, values: pd.DataFrame, lang: str) -> str:
    parts = []
    for label, part in values.groupby("label", sort=False):
        part = part.sort_values("fy")
        if len(part):
            first, last = part.iloc[0], part.iloc[-1]
            parts.append(
                f"{label}: {format_fy(int(first.fy), lang=lang)} {first.value:g} → {format_fy(int(last.fy), lang=lang)} {last.value:g}"
            )
    return text("trend_alt_head", lang, name=card.name) + "; ".join(parts)


def _text(cell: object) -> str:
    """A text cell of the catalog, "" when empty."""
    return "" if pd.isna(cell) else str(cell)  # type: ignore[arg-type]
