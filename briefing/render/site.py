"""The residents' site (``briefing publish``): plain HTML and CSS pages, in Japanese and English.

A top page in plain Japanese (やさしい日本語), a page per area (prefecture, regions,
municipalities) and per action direction, each with its figures as CSV (UTF-8 with BOM and the
全国地方公共団体コード, as Japanese open data), and a page about the figures. No script, nothing
from the internet, relative links only: the folder works from a web server, a file share or a USB
stick. The content comes from :class:`~briefing.content.Context`, so the site withholds exactly
what the briefing withholds, and nothing is written when the disclosure audit fails.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape

from ..config import Settings
from ..content import (
    Context,
    area_name,
    comparisons,
    context,
    direction_name,
    goal_cards,
    has_sample,
    history_of,
    indicator_cards,
)
from ..content.filters import Filters
from ..content.formatting import value_text
from ..data.areas import PREFECTURE
from ..data.dataset import Dataset
from ..data.files import write_atomic
from ..data.fiscal import format_fy
from ..labels import CSV_COLUMNS, CSV_WORDS, SITE, text, texts
from ..stats.disclosure import require_passed
from .data_csv import neutralise
from .html import TEMPLATES, environment

LANGS = ("ja", "en")
#: Each language's folder inside the site: Japanese first, at the top.
FOLDER = {"ja": "", "en": "en/"}
_RUBY = re.compile(r"\[([^\[\]|]+)\|([^\[\]|]+)\]")


def ruby(words: str) -> Markup:
    """Escape ``words`` and show each ``[漢字|よみ]`` as ruby (the reading above the kanji)."""
    return Markup(
        _RUBY.sub(r"<ruby>\1<rp>（</rp><rt>\2</rt><rp>）</rp></ruby>", str(escape(words)))
    )


def plain(words: str) -> str:
    """``words`` without the reading marks (for titles and the CSV)."""
    return _RUBY.sub(r"\1", words)


def _compact(css: str) -> str:
    """The stylesheet without comments and indentation: it is inlined in every page, so the
    page arrives in one request and nothing blocks its first paint (Lighthouse, slow phones)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return "\n".join(line.strip() for line in css.splitlines() if line.strip())


@dataclass(frozen=True)
class Page:
    """One page of the site: its file name (inside the language folder) and its title."""

    name: str
    title: str


def publish_site(
    ds: Dataset,
    outdir: Path,
    *,
    langs: tuple[str, ...] = LANGS,
    settings: Settings | None = None,
) -> list[Path]:
    """Write the whole site into ``outdir`` and return the files written.

    Raises :class:`~briefing.stats.disclosure.DisclosureError` (nothing written) when the
    disclosure audit fails.
    """
    settings = settings or Settings()
    ctx = context(ds, settings, fmt="svg")
    require_passed(ds, settings.suppress_below, settings.disclosure_dir, ctx.disclosure)
    outdir = Path(outdir)
    written: list[Path] = []

    def write(path: str, text: str) -> None:
        target = outdir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, text)
        written.append(target)

    css = _compact((TEMPLATES / "site" / "site.css").read_text(encoding="utf-8"))
    for lang in langs:
        site = _Site(ctx, lang, langs, css)
        for name, html in site.pages():
            write(FOLDER[lang] + name, html)
        for name, body in site.csv_files():
            write(FOLDER[lang] + name, "\ufeff" + body)
    return written


class _Site:
    """The pages and data files of one language."""

    def __init__(self, ctx: Context, lang: str, langs: tuple[str, ...], css: str) -> None:
        self.ctx, self.ds, self.lang, self.css = ctx, ctx.ds, lang, css
        self.s = SITE[lang]
        self.t = texts(lang)
        self.twin = next((other for other in langs if other != lang), None)
        self.root = "../" if FOLDER[lang] else ""
        areas = self.ds.areas
        self.regions = [str(c) for c in areas.index[areas["level"] == "region"]]
        self.municipalities = {
            r: [str(c) for c in areas.index[areas["region"] == r]] for r in self.regions
        }
        self.directions = [int(d) for d in self.ds.directions.index]

    # ---- names ----------------------------------------------------------------------------
    def area(self, code: str) -> str:
        return area_name(self.ctx, code, self.lang)

    def direction(self, n: int) -> str:
        return str(self.ds.directions.at[n, f"name_{self.lang}"])

    def period(self) -> str:
        lo, hi = self.ds.plan_period
        return text(
            "range", self.lang, lo=format_fy(lo, lang=self.lang), hi=format_fy(hi, lang=self.lang)
        )

    # ---- pages ----------------------------------------------------------------------------
    def pages(self) -> list[tuple[str, str]]:
        result = [("index.html", self.top()), ("about.html", self.about())]
        result += [(f"area-{c}.html", self.area_page(c)) for c in self._area_codes()]
        result += [(f"direction-{d}.html", self.direction_page(d)) for d in self.directions]
        return result

    def _area_codes(self) -> list[str]:
        codes = [PREFECTURE]
        for r in self.regions:
            codes += [r, *self.municipalities[r]]
        return codes

    def _render(self, template: str, page: Page, **values: object) -> str:
        twin = None
        if self.twin:
            twin = ("" if self.twin == "ja" else FOLDER[self.twin]) + page.name
            twin = ("../" if FOLDER[self.lang] else "") + twin
        return (
            environment()
            .get_template(f"site/{template}")
            .render(
                page=page,
                s=self.s,
                t=self.t,
                lang=self.lang,
                twin=twin,
                twin_lang=self.twin,
                root=self.root,
                ruby=ruby,
                css=Markup(self.css),
                site_title=str(self.s["site_title"]),
                sample=has_sample(self.ctx),
                asof=str(self.ds.history["updated"].max()),
                **values,
            )
        )

    def top(self) -> str:
        goals = goal_cards(self.ctx, Filters(lang=self.lang))
        groups = [(str(self.s["prefecture_group"]), [(PREFECTURE, self.area(PREFECTURE))])]
        for r in self.regions:
            groups.append(
                (
                    str(self.s["region_group"]).format(name=self.area(r)),
                    [(c, self.area(c)) for c in [r, *self.municipalities[r]]],
                )
            )
        return self._render(
            "top.html.j2",
            Page("index.html", str(self.s["site_title"])),
            what=[w.format(period=self.period()) for w in self.s["what"]],
            read=[w.format(n=self.ctx.settings.suppress_below) for w in self.s["read"]],
            goals=goals,
            directions=[(d, self.direction(d)) for d in self.directions],
            groups=groups,
        )

    def about(self) -> str:
        n = self.ctx.settings.suppress_below
        fill = {"n": n, "m": n - 1, "small_n": self.ctx.settings.small_sample_n}
        sections = [
            (
                self.s[f"about_{k}_title"],
                [w.format(**fill) for w in self.s[f"about_{k}"]],
            )
            for k in ("sources", "sample", "small", "targets", "survey", "years")
        ]
        return self._render(
            "about.html.j2", Page("about.html", str(self.s["about_title"])), sections=sections
        )

    def area_page(self, code: str) -> str:
        name = self.area(code)
        filters = Filters(area=code, lang=self.lang)
        cards = indicator_cards(self.ctx, filters, detail=True, table_only=True)
        level = str(self.ds.areas.at[code, "level"])
        parent = None
        if level == "region":
            parent = PREFECTURE
        elif level == "municipality":
            parent = str(self.ds.areas.at[code, "region"])
        below = self.municipalities.get(code, []) if level == "region" else []
        if level == "prefecture":
            below = self.regions
        return self._render(
            "area.html.j2",
            Page(f"area-{code}.html", str(self.s["area_page"]).format(name=name)),
            name=name,
            cards=cards,
            direction_names={d: direction_name(self.ctx, d, self.lang) for d in cards},
            parent=(parent, self.area(parent)) if parent else None,
            below=[(c, self.area(c)) for c in below],
            csv_name=f"data/area-{code}.csv",
        )

    def direction_page(self, n: int) -> str:
        filters = Filters(direction=n, lang=self.lang)
        cards = indicator_cards(self.ctx, filters, detail=True, table_only=True)[n]
        compared, _ = comparisons(self.ctx, filters)
        return self._render(
            "direction.html.j2",
            Page(
                f"direction-{n}.html",
                str(self.s["direction_page"]).format(n=n, name=self.direction(n)),
            ),
            cards=cards,
            comparisons=compared,
            csv_name=f"data/direction-{n}.csv",
        )

    # ---- data -----------------------------------------------------------------------------
    def csv_files(self) -> list[tuple[str, str]]:
        every = self._area_codes()
        files = [(f"data/area-{c}.csv", self.csv([c], self.directions)) for c in every]
        files += [(f"data/direction-{d}.csv", self.csv(every, [d])) for d in self.directions]
        return files

    def csv(self, codes: list[str], directions: list[int]) -> str:
        """The values the pages show for ``codes`` and ``directions`` (withheld ones as on the
        pages), one row per series, year and area."""
        ds, lang, threshold = self.ds, self.lang, self.ctx.settings.suppress_below
        words = CSV_WORDS[lang]
        series = ds.series[ds.series["direction"].isin(directions)]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS[lang])
        for code in codes:
            rows = history_of(self.ctx, code)
            rows = rows[rows["series"].isin(series.index)]
            hidden = self.ctx.withheld.column(rows, code)
            level = ds.areas.at[code, "level"]
            official = code if level in ("prefecture", "municipality") else ""
            for row, hide in zip(rows.itertuples(), hidden, strict=True):
                info = series.loc[row.series]
                value: object = (
                    value_text(
                        row.value, kind="count", suppressed=hide, threshold=threshold, lang=lang
                    )
                    if hide
                    else (int(row.value) if float(row.value).is_integer() else row.value)
                )
                unit = info[f"unit_{lang}"]
                cells = [
                    official,
                    self.area(code),
                    info["indicator"],
                    row.series,
                    info[f"name_{lang}"],
                    format_fy(int(row.fy), lang=lang),
                    value,
                    "" if unit != unit else unit,
                    words.get(str(row.status), row.status),
                    words["yes"] if row.sample else words["no"],
                    "" if row.source != row.source else row.source,
                    row.updated,
                ]
                writer.writerow([neutralise(c) for c in cells])
        return buffer.getvalue()
