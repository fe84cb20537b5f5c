"""「前回からの更新」: the values added or changed since a date, old → new, as published then.

An old value is printed only as the briefings of its time printed it: a value they withheld
stays withheld (:func:`_state_at`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd

from .. import clock
from ..data.changes import read_changes
from ..data.fiscal import format_fy
from ..labels import BRIEFING, text
from ..stats.suppression import Suppression, suppression
from .context import Context, area_name, history_of
from .filters import Filters
from .formatting import value_text
from .models import Change


def changes_since(ctx: Context, filters: Filters, since: dt.date) -> list[Change]:
    """Values added or changed on or after ``since`` in the chosen directions and area.

    With a change record (``changes.csv``, written by imports) each entry reads old → new;
    without one, the ``updated`` date of each value is all there is to go on.
    """
    ds = ctx.ds
    directions = [filters.direction] if filters.direction else list(ds.directions.index)
    record = read_changes(ds.directory)
    # a survey's groups (G1, G2) are not values of a series: their shares are in the goals and the CSV
    record = record[record["series"].isin(ds.series.index)]
    if len(record):
        # the day staff saw on the clock: a save at 08:00 in Japan is the day before in UTC
        days = pd.to_datetime(record["changed_at"], utc=True).dt.tz_convert(clock.TOKYO).dt.date
        recent = record.assign(day=days.map(dt.date.isoformat))[days >= since]
        rows = (
            recent[recent["area"] == filters.area]
            if ds.areas.at[filters.area, "level"] != "region"
            else recent[recent["area"].map(ds.areas["region"]) == filters.area]
        )
        before = _state_at(ctx, recent)
        pairs = [
            (r.series, int(r.fy), r.area, r.old_value, r.new_value, r.day)
            for r in rows.itertuples()
        ]
    else:
        rows = history_of(ctx, filters.area)
        rows = rows[pd.to_datetime(rows["updated"]).dt.date >= since]
        pairs = [
            (r.series, int(r.fy), filters.area, "", r.value, str(r.updated))
            for r in rows.itertuples()
        ]
        before = ctx.withheld
    result = []
    for series, fy, area, old, new, when in pairs:
        info = ds.series.loc[series]
        if info["direction"] not in directions:
            continue

        cell = (series, fy, area)
        lang = filters.lang
        now = _changed_value(ctx, new, info, ctx.withheld.reason(*cell), lang)
        was = _changed_value(ctx, old, info, before.reason(*cell), lang)
        result.append(
            Change(
                indicator=_series_title(info, lang),
                series=series,
                fy=format_fy(fy, lang=lang),
                area=area_name(ctx, area, lang),
                value=f"{was} → {now}" if len(record) else now,
                updated=when,
            )
        )
    return result


def _series_title(info: pd.Series, lang: str) -> str:
    """「3-1 指標名（系列名）」: the indicator, and the series' own label when it has one."""
    label = (
        text("parenthesised", lang, body=info[f"label_{lang}"])
        if pd.notna(info[f"label_{lang}"])
        else ""
    )
    return f"{info['indicator']} {info[f'name_{lang}']}{label}"


def _state_at(ctx: Context, record: pd.DataFrame) -> Suppression:
    """The withheld cells of the data as it stood before the changes in ``record``.

    An old value printed in 「前回からの更新」 was published (or withheld) by the briefings of
    that time: it is printed only if they showed it, so a value they withheld — small, partial
    or 秘匿 — stays withheld.
    """
    ds = ctx.ds
    history = ds.history.set_index(["series", "fy", "area"])
    # each value as it stood before its first change (drop_duplicates keeps the first)
    first = record.assign(fy=record["fy"].astype(int)).drop_duplicates(["series", "fy", "area"])
    for r in first.itertuples():
        key = (r.series, r.fy, r.area)
        if r.old_value == "":
            history = history.drop(index=key, errors="ignore")
        elif key in history.index:
            history.loc[key, "value"] = float(r.old_value)
    before = replace(ds, history=history.reset_index())
    return suppression(before, ctx.settings.suppress_below)


def _changed_value(
    ctx: Context,
    value: object,
    info: pd.Series,
    why: str,
    lang: str,
) -> str:
    """One side of old → new, withheld for ``why`` (the reason at the time it was published)."""
    if value in ("", None):
        return BRIEFING[lang]["new"]
    return value_text(
        float(value),  # type: ignore[arg-type]
        kind=info["kind"],
        unit=info[f"unit_{lang}"],
        suppressed=why,
        threshold=ctx.settings.suppress_below,
        lang=lang,
    )
