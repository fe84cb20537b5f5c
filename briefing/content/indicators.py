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
from .context import Context, cached_chart, directions_of, history_of, summary_of, year_range
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
    summary = summary_of(ctx, filters.area, hi)
    plan_end = summary_of(ctx, filters.area, ctx.ds.plan_period[1])
    history = history_of(ctx, filters.area)
    history = history[history["fy"].between(lo, hi)]
    history = history.assign(suppressed=ctx.withheld.column(history, filters.area))
    result: dict[int, list[IndicatorCard]] = {}
    indicators = ctx.ds.indicators
    # indicators without a breakdown show the prefecture's value, labelled as such
    prefecture: dict[str, list[SeriesLine]] = {}
    if filters.area != PREFECTURE:
        for cards in indicator_cards(ctx, filters.with_(area=PREFECTURE)).values():
            prefecture |= {c.id: c.lines for c in cards}
    for direction in directions_of(ctx, filters):
        cards = []
        for ind in indicators[indicators["direction"] == direction].itertuples():
            series = ctx.ds.series[ctx.ds.series["indicator"] == ind.id]
            available = all(has_breakdown(ctx.ds, s, filters.area) for s in series.index)
            lines = (
                [
                    _line(
                        ctx,
                        summary.loc[s],
                        history[history["series"] == s],
                        filters,
                        plan_end.loc[s],
                    )
                    for s in series.index
                ]
                if available
                else []
            )
            card = IndicatorCard(
                id=ind.id,
                direction=direction,
                name=getattr(ind, f"name_{lang}"),
                unit=str(getattr(ind, f"unit_{lang}")) if pd.notna(ind.unit_ja) else "",
                kind=ind.kind,
                kind_label=KIND[lang][ind.kind],
                counting=text(
                    "counting_total" if ind.counting == "延べ" else "counting_distinct", lang
                )
                if pd.notna(ind.counting)
                else "",
                agency=ind.agency if lang == "ja" or pd.isna(ind.agency_en) else ind.agency_en,
                note=_text(ind.note if lang == "ja" else ind.note_en),
                available=available,
                prefecture_lines=[] if available else prefecture.get(ind.id, []),
                lines=lines,
                source=_sources(history[history["series"].isin(series.index)], lang),
            )
            if detail and available:
                card = _detail(ctx, card, series, history, filters, chart=not table_only)
            cards.append(card)
        result[direction] = cards
    return result


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
    plan_end = ""
    if pd.notna(at_end["latest_fy"]) and int(at_end["latest_fy"]) == plan_to:
        plan_end = value_text(
            at_end["latest"],
            kind=kind,
            unit=unit,
            suppressed=at_end["latest_suppressed"],
            threshold=threshold,
            lang=lang,
        ) + text(
            "plan_end_value",
            lang,
            fy=format_fy(plan_to, lang=lang),
            change=f"{text('list_sep', lang)}{text('vs_baseline', lang)} "
            + change_text(
                at_end["change_baseline"], at_end["change_baseline_pct"], kind=kind, lang=lang
            )
            if has_base and pd.notna(at_end["change_baseline"])
            else "",
        )
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
        plan_end=plan_end,
        after_plan=pd.notna(row["latest_fy"]) and int(row["latest_fy"]) > plan_to,
    )


def _sources(rows: pd.DataFrame, lang: str = "ja") -> str:
    sources = (source_label(s, lang) for s in rows["source"] if isinstance(s, str) and s)
    return text("source_sep", lang).join(dict.fromkeys(sources))


def _detail(
    ctx: Context,
    card: IndicatorCard,
    series: pd.DataFrame,
    history: pd.DataFrame,
    filters: Filters,
    *,
    chart: bool,
) -> IndicatorCard:
    lang, threshold = filters.lang, ctx.settings.suppress_below
    rows = history[history["series"].isin(series.index)]
    labels = {
        s: (series.at[s, f"label_{lang}"] if pd.notna(series.at[s, f"label_{lang}"]) else card.name)
        for s in series.index
    }
    wide = {}
    for s in series.index:
        part = rows[rows["series"] == s]
        unit, kind = series.at[s, f"unit_{lang}"], series.at[s, "kind"]
        wide[labels[s]] = {
            _fy_label(ctx, int(r.fy), lang): value_text(
                r.value,
                kind=kind,
                unit=unit,
                suppressed=r.suppressed,
                threshold=threshold,
                lang=lang,
            )
            + (
                text("parenthesised", lang, body=text("provisional", lang))
                if r.status == "速報"
                else ""
            )
            + (text("sample_mark", lang) if r.sample and not r.suppressed else "")
            for r in part.itertuples()
        }
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
    plan = ctx.ds.plan_period
    card_note = " ".join(
        filter(
            None,
            [
                card.note,
                text(
                    "plan_note",
                    lang,
                    start=format_fy(plan[0], lang=lang),
                    end=format_fy(plan[1], lang=lang),
                ),
                text("sample_note", lang) if bool(rows["sample"].any()) else "",
                text("withheld_note", lang, n=threshold) if withheld else "",
                text("partial_note", lang) if partial else "",
            ],
        )
    )
    return IndicatorCard(**{**card.__dict__, "table": table, "chart": figure, "note": card_note})


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
