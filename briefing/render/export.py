"""The static HTML briefing: one self-contained file that opens offline and prints on A4.

Charts are inline SVG (sharp on paper), the stylesheet is inline, there is no script, and the
data behind the file comes with it as a CSV ``data:`` link. The same data and options give the
same bytes: the only dates are the data's own and the stated generation date.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from .. import clock
from ..charts import figures
from ..charts.figcache import Drawers
from ..config import Settings
from ..content import (
    Context,
    account,
    area_name,
    comparisons,
    context,
    direction_name,
    directions_of,
    goal_cards,
    has_sample,
    history_of,
    indicator_cards,
    interval_level,
    last_meeting,
    opinions,
    survey_panels,
    year_range,
)
from ..content.filters import Filters
from ..content.formatting import value_text
from ..content.models import (
    Account,
    Comparison,
    GoalCard,
    IndicatorCard,
    LastMeeting,
    Opinion,
    SurveyPanel,
)
from ..data.areas import PREFECTURE
from ..data.dataset import Dataset
from ..data.files import write_atomic
from ..data.fiscal import format_fy
from ..labels import (
    BRIEFING,
    BRIEFING_CSV,
    OPINIONS_CSV,
    OPINIONS_CSV_WHOLE_PLAN,
    source_label,
    text,
    texts,
)
from ..stats.disclosure import require_passed
from ..stats.suppression import Suppression, suppression
from .html import environment, stylesheet
from .survey_rows import survey_columns, survey_rows

#: The text key of each status of the data: 「確定」 and 「速報」 in Japanese, final and provisional in English.
STATUS = {"確定": "final", "速報": "provisional"}

#: Characters that make Excel treat a cell as a formula (CSV injection), plus tab and CR.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Change:
    """One value added or changed since a date, for 「前回からの更新」."""

    indicator: str
    series: str
    fy: str
    area: str
    value: str
    updated: str


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
    writer = csv.writer(buffer, lineterminator="\r\n")
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


def changes_since(ctx: Context, filters: Filters, since: dt.date) -> list[Change]:
    """Values added or changed on or after ``since`` in the chosen directions and area.

    With a change record (``changes.csv``, written by imports) each entry reads old → new;
    without one, the ``updated`` date of each value is all there is to go on.
    """
    from ..data.changes import read_changes

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


@dataclass(frozen=True)
class BriefingContent:
    """Everything ``briefing.html.j2`` shows: the view content of every section, with the
    briefing's own parts (its title line, the embedded CSVs, the stylesheet)."""

    title: str
    direction: str
    area: str
    years: str
    asof: str
    generated: str
    sample: bool
    goals: list[GoalCard]
    tiles: dict[int, list[IndicatorCard]]
    cards: dict[int, list[IndicatorCard]]
    direction_names: dict[int, str]
    comparisons: list[Comparison]
    without: list[IndicatorCard]
    area_level: str
    panels: list[SurveyPanel]
    since: str | None
    changes: list[Change]
    csv_href: str
    accounts: dict[int, Account | None]
    has_record: bool
    last_meeting: LastMeeting | None
    last_opinions: list[Opinion]
    opinions_csv_href: str
    opinions_csv_name: str
    csv_name: str
    threshold: int
    small_n: int
    level: str
    plan_years: str
    plan_last: str
    plan_note: str
    css: str
    lang: str


def render_briefing(
    ds: Dataset,
    filters: Filters,
    *,
    settings: Settings | None = None,
    since: dt.date | None = None,
    generated: dt.date | None = None,
    ctx: Context | None = None,
) -> str:
    """The whole briefing as one HTML document (a string)."""
    settings = settings or Settings()
    ctx = ctx or context(ds, settings, fmt="svg")
    require_passed(ds, settings.suppress_below, settings.disclosure_dir, ctx.disclosure)
    content = briefing_content(ctx, filters, since, generated or clock.today())
    return (
        environment()
        .get_template("briefing.html.j2")
        .render(v=content, t=texts(filters.lang), b=BRIEFING[filters.lang])
    )


def briefing_content(
    ctx: Context, filters: Filters, since: dt.date | None, generated: dt.date
) -> BriefingContent:
    """The briefing's content for ``filters``; 「前回からの更新」 and its marks from ``since``."""
    ds, settings, lang = ctx.ds, ctx.settings, filters.lang
    directions = directions_of(ctx, filters)
    lo, hi = year_range(ctx, filters)
    compared, without = comparisons(ctx, filters)
    # the committee's record is staff's Japanese text: like staff comments, the English edition
    # leaves it to the Japanese one (its notice says so)
    in_japanese = lang == "ja"
    last = last_meeting(ctx, filters) if in_japanese else None
    start, end = (format_fy(fy, lang=lang) for fy in ds.plan_period)
    return BriefingContent(
        title=str(BRIEFING[lang]["title"]),
        direction=direction_name(ctx, filters.direction, lang)
        if filters.direction
        else str(BRIEFING[lang]["all_directions"]),
        area=area_name(ctx, filters.area, lang),
        years=text("range", lang, lo=format_fy(lo, lang=lang), hi=format_fy(hi, lang=lang)),
        asof=str(ds.history["updated"].max()),
        generated=generated.isoformat(),
        sample=has_sample(ctx),
        goals=goal_cards(ctx, filters, charts_too=True),
        tiles=indicator_cards(ctx, filters),
        cards=indicator_cards(ctx, filters, detail=True),
        direction_names={d: direction_name(ctx, d, lang) for d in directions},
        comparisons=compared,
        without=without,
        area_level=str(ds.areas.at[filters.area, "level"]),
        panels=survey_panels(ctx, filters),
        since=since.isoformat() if since else None,
        changes=changes_since(ctx, filters, since) if since else [],
        csv_href=_csv_href(data_csv(ctx, filters)),
        accounts={d: account(ctx, d, filters) for d in directions},
        has_record=in_japanese and (not ds.opinions.empty or not ds.accounts.empty),
        last_meeting=last,
        last_opinions=[
            o
            for d in ([*directions, None] if not filters.direction else directions)
            for o in (opinions(ctx, d, filters, meeting=last.meeting, since=since) if last else [])
        ],
        opinions_csv_href=_csv_href(opinions_csv(ctx, filters, directions))
        if in_japanese and not ds.opinions.empty
        else "",
        opinions_csv_name=f"opinions-{filters.direction or 'all'}.csv",
        csv_name=f"briefing-{filters.direction or 'all'}-{filters.area}.csv",
        threshold=settings.suppress_below,
        small_n=settings.small_sample_n,
        level=interval_level(ctx),
        plan_years=text("range", lang, lo=start, hi=end),
        plan_last=end,
        plan_note=text("plan_note", lang, start=start, end=end),
        css=stylesheet(),
        lang=lang,
    )


def _csv_href(body: str) -> str:
    """A CSV as a ``data:`` link, with the BOM Excel needs to read UTF-8."""
    return "data:text/csv;charset=utf-8," + quote("\ufeff" + body)


def resolve_options(
    ds: Dataset,
    *,
    direction: int | None = None,
    area: str | None = "県全体",
    fy_from: object = None,
    fy_to: object = None,
    since: dt.date | str | None = None,
    generated: dt.date | str | None = None,
) -> tuple[Filters, dt.date | None, dt.date | None]:
    """Filters and dates from the export options; ``ValueError`` (Japanese) for anything unknown."""
    from urllib.parse import urlencode

    from ..content.filters import from_query

    query = {"area": area, "from": fy_from, "to": fy_to, "direction": direction}
    filters, notes = from_query(ds, urlencode({k: v for k, v in query.items() if v is not None}))
    if direction is not None and filters.direction != direction:
        notes.append(f"取組方向「{direction}」はありません（1〜{len(ds.directions)}）。")
    if notes:
        raise ValueError("指定を確認してください: " + " ".join(notes))
    try:
        since_date = dt.date.fromisoformat(str(since)) if since else None
        generated_date = dt.date.fromisoformat(str(generated)) if generated else None
    except ValueError:
        raise ValueError("日付は YYYY-MM-DD の形で指定してください（例: 2026-10-01）。") from None
    return filters, since_date, generated_date


def export_file(
    output: Path | str,
    *,
    direction: int | None = None,
    area: str = "県全体",
    fy_from: object = None,
    fy_to: object = None,
    since: dt.date | str | None = None,
    generated: dt.date | str | None = None,
    settings: Settings | None = None,
    drawers: Drawers | None = None,
    lang: str = "ja",
) -> Path:
    """Load the data, check the options and write one briefing file (the CLI and the notebook).

    Raises ``ValueError`` with a Japanese message when an option names nothing that exists.
    ``drawers`` draws the missing figures (see :meth:`FigureCache.draw_all`).
    """
    from ..data.dataset import load_dataset

    settings = settings or Settings()
    ds = load_dataset(settings.data_dir)
    filters, since_date, generated_date = resolve_options(
        ds,
        direction=direction,
        area=area,
        fy_from=fy_from,
        fy_to=fy_to,
        since=since,
        generated=generated,
    )
    filters = filters.with_(lang=lang)
    path = Path(output)
    ctx = context(ds, settings, fmt="svg")

    def render() -> str:
        return render_briefing(
            ds,
            filters,
            settings=settings,
            since=since_date,
            generated=generated_date,
            ctx=ctx,
        )

    [document] = ctx.cache.draw_all(lambda: [render()], prepare=figures.prepare, drawers=drawers)
    write_atomic(path, document)
    return path


def export_each_area(
    ds: Dataset,
    outdir: Path,
    filters: Filters,
    *,
    settings: Settings | None = None,
    since: dt.date | None = None,
    generated: dt.date | None = None,
    progress: bool = True,
    drawers: Drawers | None = None,
) -> list[Path]:
    """One briefing per area (県全体 and the five regions) and an index page linking them, all in
    the filters' language."""
    settings = settings or Settings()
    ctx = context(ds, settings, fmt="svg")
    codes = [PREFECTURE] + [str(c) for c in ds.areas.index[ds.areas["level"] == "region"]]

    def render(code: str) -> str:
        return render_briefing(
            ds,
            filters.with_(area=code),
            settings=settings,
            since=since,
            generated=generated,
            ctx=ctx,
        )

    documents = ctx.cache.draw_all(
        lambda: [render(code) for code in codes], prepare=figures.prepare, drawers=drawers
    )  # every area's charts at once, on all cores
    written = []
    for i, (code, document) in enumerate(zip(codes, documents, strict=True), start=1):
        path = outdir / f"briefing-{code}.html"
        write_atomic(path, document)
        written.append(path)
        if progress:
            bar = "█" * i + "░" * (len(codes) - i)
            print(
                f"\r{bar} {i}/{len(codes)} {area_name(ctx, code, 'ja')}",
                end="",
                file=sys.stderr,
                flush=True,
            )
    if progress:
        print(file=sys.stderr)
    links = [(area_name(ctx, c, filters.lang), p.name) for c, p in zip(codes, written, strict=True)]
    write_atomic(outdir / "index.html", _index_page(ctx, filters, links, generated))
    return [outdir / "index.html", *written]


def _index_page(
    ctx: Context, filters: Filters, links: list[tuple[str, str]], generated: dt.date | None
) -> str:
    """The page linking each area's briefing, in the briefings' language."""
    lang = filters.lang
    return (
        environment()
        .get_template("index.html.j2")
        .render(
            links=links,
            css=stylesheet(),
            generated=(generated or clock.today()).isoformat(),
            asof=str(ctx.ds.history["updated"].max()),
            sample=has_sample(ctx),
            lang=lang,
            t=texts(lang),
            b=BRIEFING[lang],
            direction=direction_name(ctx, filters.direction, lang)
            if filters.direction
            else BRIEFING[lang]["all_directions"],
        )
    )


def file_data_url(text: str, mime: str = "text/html") -> str:
    """A data: URL for a generated file (the dashboard's download link)."""
    return f"data:{mime};charset=utf-8;base64," + base64.b64encode(text.encode()).decode()
