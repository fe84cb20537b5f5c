"""Areas side by side: one regional indicator's latest value across the areas of a level."""

from __future__ import annotations

from functools import partial

import pandas as pd

from ..charts import figures
from ..data.areas import PREFECTURE
from ..data.fiscal import format_fy
from ..labels import text
from ..stats.suppression import COMPLEMENT, partial_counts
from .context import Context, area_name, cached_chart, history_of, year_range
from .filters import Filters
from .formatting import value_text
from .indicators import indicator_cards
from .models import Comparison, IndicatorCard


def comparisons(ctx: Context, filters: Filters) -> tuple[list[Comparison], list[IndicatorCard]]:
    """Regional indicators compared across the areas under (or beside) the chosen area, and
    the indicators that have no regional breakdown, to be named as such."""
    areas = ctx.ds.areas
    level = areas.at[filters.area, "level"]
    if level == "prefecture":
        codes, highlight = list(areas.index[areas["level"] == "region"]), None
    elif level == "region":
        codes, highlight = list(areas.index[areas["region"] == filters.area]), None
    else:
        region = areas.at[filters.area, "region"]
        codes, highlight = list(areas.index[areas["region"] == region]), filters.area
    lo, hi = year_range(ctx, filters)
    cards = indicator_cards(ctx, filters.with_(area=PREFECTURE))
    result, without = [], []
    # per area, per series: each lookup below touches only its own rows
    frames = {code: dict(tuple(history_of(ctx, code).groupby("series"))) for code in codes}
    for direction_cards in cards.values():
        for card in direction_cards:
            series = ctx.ds.series[ctx.ds.series["indicator"] == card.id]
            if (series["breakdown"] == "none").all():
                without.append(card)
                continue
            for s in series.index:
                result.append(
                    _comparison(ctx, card, s, codes, frames, (lo, hi), highlight, filters)
                )
    return result, without


def _comparison(ctx, card, s, codes, frames, years, highlight, filters) -> Comparison:  # type: ignore[no-untyped-def]
    """One series of ``card`` across ``codes`` in its latest year within ``years``."""
    lang = filters.lang
    unit = ctx.ds.series.at[s, f"unit_{lang}"]
    fy, rows = _latest_rows(ctx, s, codes, frames, years, lang)
    table = pd.DataFrame(rows)
    label = ctx.ds.series.at[s, f"label_{lang}"]
    label = "" if pd.isna(label) else str(label)
    fy_text = format_fy(fy, lang=lang) if fy else ""
    title = f"{card.name}{text('parenthesised', lang, body=label) if label else ''} {fy_text}"
    key = {
        "chart": "bars",
        "series": s,
        "codes": codes,
        "fy": fy,
        "lang": lang,
        "hl": highlight,
        "fmt": ctx.fmt,
    }
    alt = title + ": " + text("list_sep", lang).join(f"{r['label']} {r['shown']}" for r in rows)
    draw = partial(
        figures.bar_figure,
        table,
        unit=unit,
        lang=lang,
        settings=ctx.settings,
        highlight=area_name(ctx, highlight, lang) if highlight else None,
    )
    shown = table[["label", "shown"]].rename(
        columns={"label": text("area_column", lang), "shown": fy_text}
    )
    return Comparison(
        card=card,
        series_label=label,
        fy=fy_text,
        table=shown,
        chart=cached_chart(ctx, key, draw, alt) if fy else None,
        note=_note(rows, ctx.settings.suppress_below, lang),
    )


def _latest_rows(  # type: ignore[no-untyped-def]
    ctx: Context, s: str, codes: list[str], frames, years: tuple[int, int], lang: str
) -> tuple[int | None, list[dict[str, object]]]:
    """The latest year in ``years`` any of ``codes`` has for series ``s``, and each area's value
    in that year as shown (withheld, provisional, sample marks)."""
    kind = ctx.ds.series.at[s, "kind"]
    unit = ctx.ds.series.at[s, f"unit_{lang}"]
    fy = None
    parts: list[pd.DataFrame | None] = [frames[code].get(s) for code in codes]
    for part in parts:
        if part is not None and part["fy"].between(*years).any():
            fy = max(fy or 0, int(part.loc[part["fy"].between(*years), "fy"].max()))
    rows = []
    for code, part in zip(codes, parts, strict=True):
        hit = part.loc[part["fy"] == fy] if part is not None else pd.DataFrame()
        value = float(hit["value"].iloc[0]) if len(hit) else float("nan")
        sample = bool(len(hit) and hit["sample"].iloc[0])
        why = ctx.withheld.reason(s, fy, code) if fy else ""
        shown = value_text(
            value,
            kind=kind,
            unit=unit,
            suppressed=why,
            threshold=ctx.settings.suppress_below,
            lang=lang,
        )
        if len(hit) and hit["status"].iloc[0] == "速報" and not why:
            shown += text("parenthesised", lang, body=text("provisional", lang))
        if sample and not why:
            shown += text("sample_mark", lang)
        rows.append(
            {
                "label": area_name(ctx, code, lang),
                "value": value,
                "suppressed": why != "",
                "shown": shown,
                "why": why,
                "sample": sample,
            }
        )
    return fy, rows


def _note(rows: list[dict[str, object]], threshold: int, lang: str) -> str:
    """What the comparison's marks mean: 秘匿, 一部の市町のみ, sample values."""
    withheld = any(r["why"] == COMPLEMENT for r in rows)
    incomplete = any(partial_counts(str(r["why"])) is not None for r in rows)
    return " ".join(
        filter(
            None,
            [
                text("withheld_note", lang, n=threshold) if withheld else "",
                text("partial_note", lang) if incomplete else "",
                text("sample_note", lang) if any(r["sample"] for r in rows) else "",
            ],
        )
    )
