"""The CSV files that come with a briefing: the values it shows and the committee's opinions.

Both open in Excel (UTF-8 with the link's BOM, CRLF line ends); text that Excel would run as a
formula is neutralised, and withheld values are written as the briefing prints them.
"""

from __future__ import annotations

import csv
import io

import pandas as pd

from ..content import Context, area_name, history_of, interval_level, year_range
from ..content.filters import Filters
from ..content.formatting import value_text
from ..data.fiscal import format_fy
from ..labels import (
    BRIEFING,
    BRIEFING_CSV,
    OPINIONS_CSV,
    OPINIONS_CSV_WHOLE_PLAN,
    source_label,
    text,
)
from .survey_rows import survey_columns, survey_rows

#: The text key of each status of the data: 「確定」 and 「速報」 in Japanese, final and provisional in English.
STATUS = {"確定": "final", "速報": "provisional"}

#: Characters that make Excel treat a cell as a formula (CSV injection), plus tab and CR.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: object) -> object:
    """Prefix text that Excel would run as a formula with an apostrophe; numbers stay numbers."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return cell


def _text(cell: object) -> object:
    """An empty cell for a missing comment or source (pandas reads an empty cell as NaN)."""
    return "" if pd.isna(cell) else cell  # type: ignore[call-overload]


def data_csv(ctx: Context, filters: Filters) -> str:
    """The values the briefing shows (withheld ones as 「5未満」 or 「秘匿」), as CSV text for Excel.

    The indicator rows come first, then the survey shares of G1 and G2 (:mod:`.survey_rows`),
    which fill the survey columns at the end (n, effective n, interval, weighted, 参考値).
    """
    ds, threshold = ctx.ds, ctx.settings.suppress_below
    directions = [filters.direction] if filters.direction else list(ds.directions.index)
    series = ds.series[ds.series["direction"].isin(directions)]
    rows = history_of(ctx, filters.area)
    lo, hi = year_range(ctx, filters)
    rows = rows[rows["series"].isin(series.index) & rows["fy"].between(lo, hi)]
    rows = rows.assign(withheld=ctx.withheld.column(rows, filters.area))
    lang = filters.lang
    words = BRIEFING[lang]
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # the csv module's default dialect is Excel's: CRLF line ends
    header = list(BRIEFING_CSV[lang])
    extra = survey_columns(interval_level(ctx), lang)
    writer.writerow(header + extra)
    place = area_name(ctx, filters.area, lang)
    about = ds.series[["indicator", f"name_{lang}", f"unit_{lang}"]].to_dict("index")
    for row in rows.itertuples():
        info, hide = about[row.series], row.withheld
        value: object = (
            value_text(row.value, kind="count", suppressed=hide, threshold=threshold, lang=lang)
            if hide
            else (int(row.value) if float(row.value).is_integer() else row.value)
        )
        cells = [
            info["indicator"],
            row.series,
            info[f"name_{lang}"],
            place,
            format_fy(int(row.fy), lang=lang),
            value,
            info[f"unit_{lang}"],
            text(STATUS[row.status], lang),
            words["yes"] if row.sample else words["no"],
            _text(row.comment) if lang == "ja" else "",  # staff write comments in Japanese
            source_label(str(_text(row.source)), lang),
            row.updated,
        ]
        writer.writerow([neutralise(c) for c in cells + [""] * len(extra)])
    for cells in survey_rows(ctx, filters):
        writer.writerow([neutralise(c) for c in cells])
    return buffer.getvalue()


def opinions_csv(ctx: Context, filters: Filters, directions: list[int]) -> str:
    """The committee's opinions of the briefing's directions (and, for 全体, the plan-wide ones)
    with the responses, as CSV text for Excel. Its columns are the ones ``briefing import`` reads.
    """
    ops = ctx.ds.opinions
    keep = ops["direction"].isin(directions)
    if not filters.direction:
        keep |= ops["direction"].isna()
    rows = ops[keep].sort_values(["meeting_date", "id"], ascending=[False, True])
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # CRLF, as in the file of values
    writer.writerow(OPINIONS_CSV)
    for r in rows.to_dict("records"):
        cells = [
            r["meeting_date"],
            r["meeting"],
            OPINIONS_CSV_WHOLE_PLAN if pd.isna(r["direction"]) else int(r["direction"]),
            r["indicator"],
            r["member_field"],
            r["opinion"],
            r["response"],
            r["status"],
            r["response_updated"],
            BRIEFING["ja"]["yes"] if r["sample"] else BRIEFING["ja"]["no"],
        ]
        writer.writerow([neutralise(c) for c in cells])
    return buffer.getvalue()
