"""The static HTML briefing: one self-contained file that opens offline and prints on A4.

Charts are inline SVG (sharp on paper), the stylesheet is inline, there is no script, and the
data behind the file comes with it as a CSV ``data:`` link. The same data and options give the
same bytes: the only dates are the data's own and the stated generation date.
"""

from __future__ import annotations

import base64
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

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
    indicator_cards,
    interval_level,
    last_meeting,
    opinions,
    survey_panels,
    year_range,
)
from ..content.filters import Filters
from ..content.models import (
    Account,
    Change,
    Comparison,
    GoalCard,
    IndicatorCard,
    LastMeeting,
    Opinion,
    SurveyPanel,
)
from ..content.updates import changes_since
from ..data.areas import PREFECTURE
from ..data.dataset import Dataset
from ..data.files import write_atomic
from ..data.fiscal import format_fy
from ..labels import (
    BRIEFING,
    text,
    texts,
)
from ..stats.disclosure import require_passed
from .data_csv import data_csv, opinions_csv
from .html import environment, stylesheet


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
