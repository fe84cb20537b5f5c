"""`briefing publish`: the residents' site, built from the bundled data and read back.

Every page passes the W3C's Nu HTML Checker; every link resolves inside the folder (it must work
from a USB stick) and nothing is loaded from the internet; the pages and the CSV files withhold
exactly what the briefing withholds; and each page links its twin in the other language. A sample
of pages passes axe-core's WCAG 2.1 A/AA rules in Chromium, at phone and desktop width.
"""

from __future__ import annotations

import csv
import io
import re
from functools import partial
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from axe import check, opened, preload
from pages import _Cards, cards_on_page
from servers import seed_disclosure
from test_validity import nu_errors

from briefing import Dataset, Settings, load_dataset
from briefing.cli import main
from briefing.content import context
from briefing.data.fiscal import parse_fy
from briefing.render.site import publish_site, ruby

#: Pages axe-core checks at desktop width too (at a phone's width it checks every page).
AXE_SAMPLE = [
    "index.html",
    "area-240001.html",
    "area-242161.html",
    "direction-2.html",
    "about.html",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
N_AREAS = 1 + 5 + 29
N_PAGES = 2 + N_AREAS + 6  # top, about, areas, directions


class _Links(HTMLParser):
    """Every link, resource and id of a page, and whether it has a script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []
        self.ids: set[str] = set()
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if a.get("id"):
            self.ids.add(str(a["id"]))
        for name in ("href", "src"):
            if a.get(name):
                self.refs.append(str(a[name]))


def read_links(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return parser


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The bundled data's withheld cells as the session chose them once (``servers``)."""
    scratch = tmp_path_factory.mktemp("site-settings")
    return Settings(cache_dir=scratch / "figures", disclosure_dir=seed_disclosure(scratch))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Path:
    outdir = tmp_path_factory.mktemp("site")
    ds = load_dataset(Settings().data_dir)
    publish_site(ds, outdir, settings=settings)
    return outdir


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_the_site_has_every_page_in_both_languages(site: Path) -> None:
    ja = sorted(p.name for p in site.glob("*.html"))
    en = sorted(p.name for p in (site / "en").glob("*.html"))
    assert len(ja) == N_PAGES and ja == en
    assert {"index.html", "about.html", "area-240001.html", "area-hokusei.html"} <= set(ja)
    assert "area-242161.html" in ja  # 伊賀市
    assert [f"direction-{n}.html" for n in range(1, 7)] == [p for p in ja if "direction" in p]


def test_every_page_passes_the_w3c_checker(site: Path) -> None:
    assert nu_errors(*html_pages(site)) == []


def test_every_link_resolves_inside_the_folder_and_nothing_comes_from_outside(site: Path) -> None:
    broken = []
    for page in html_pages(site):
        links = read_links(page)
        assert links.scripts == 0, page
        for ref in links.refs:
            parts = urlsplit(ref)
            if parts.scheme == "data":  # the empty icon: no request at all
                continue
            assert not parts.scheme and not parts.netloc, f"{page.name}: {ref}"
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file() or not target.is_relative_to(site.resolve()):
                broken.append(f"{page.relative_to(site)} → {ref}")
            elif parts.fragment and parts.fragment not in read_links(target).ids:
                broken.append(f"{page.relative_to(site)} → {ref} (no such id)")
    assert broken == []


def test_each_page_links_its_twin_in_the_other_language(site: Path) -> None:
    for page in site.glob("*.html"):
        ja = page.read_text(encoding="utf-8")
        en = (site / "en" / page.name).read_text(encoding="utf-8")
        assert '<html lang="ja">' in ja and '<html lang="en">' in en
        assert f'href="en/{page.name}" hreflang="en" lang="en">English</a>' in ja
        assert f'href="../{page.name}" hreflang="ja" lang="ja">日本語</a>' in en


def test_the_top_page_says_what_the_plan_is_in_plain_words(site: Path) -> None:
    top = (site / "index.html").read_text(encoding="utf-8")
    assert "<h1>三重県ひきこもり支援推進計画の進み具合</h1>" in top
    assert "計画の2つの目標" in top and "数字の読み方" in top
    assert "令和4年度〜令和6年度" in top
    assert "<ruby>推進<rp>（</rp><rt>すいしん</rt><rp>）</rp></ruby>" in top
    assert "架空" in top  # the sample notice
    en = (site / "en" / "index.html").read_text(encoding="utf-8")
    assert "FY2022–FY2024" in en and "fictitious sample" in en


def test_the_about_page_explains_sources_samples_withholding_and_no_targets(site: Path) -> None:
    about = (site / "about.html").read_text(encoding="utf-8")
    for heading in (
        "数字の出どころ",
        "サンプルの数字について",
        "少ない数字を見せない理由",
        "取組の数字に目標がない理由",
    ):
        assert f">{heading}</h2>" in about
    assert "「5未満」" in about and "第5章" in about


def test_an_area_page_shows_the_cards_of_the_dashboard(
    site: Path, bundled_dataset: Dataset, settings: Settings
) -> None:
    """The same lines and tables by year, with the same 5未満 and 秘匿, as the dashboard."""
    ctx = context(bundled_dataset, settings)
    for code in ("242161", "higashikishu", "240001"):  # 伊賀市, 東紀州, 県全体
        parser = _Cards()
        parser.feed((site / f"area-{code}.html").read_text(encoding="utf-8"))
        for card in parser.cards:
            card.lines = card.lines[1:]
        assert parser.cards == cards_on_page(ctx, code)


def test_the_csv_files_are_open_data_and_withhold_what_the_pages_withhold(
    site: Path, bundled_dataset: Dataset, settings: Settings
) -> None:
    raw = (site / "data" / "direction-6.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert next(iter(rows[0])) == "全国地方公共団体コード"
    withheld = context(bundled_dataset, settings).withheld.reasons
    names = bundled_dataset.areas["name_ja"]
    code_of = {str(n): str(c) for c, n in names.items()}
    seen = 0
    for row in rows:
        code = code_of[row["地域"]]
        assert row["全国地方公共団体コード"] == (code if code[0].isdigit() else "")
        fy = parse_fy(row["年度"])
        if (row["系列"], fy, code) in withheld:
            seen += 1
            assert not re.fullmatch(r"[\d.]+", row["値"]), row
        else:
            assert re.fullmatch(r"[\d.]+", row["値"]), row
    assert seen > 0  # the direction has withheld cells, and none of them shows a number
    en = (site / "en" / "data" / "area-242161.csv").read_text(encoding="utf-8-sig")
    assert en.startswith("local_government_code,area,") and "Iga-shi" in en and "FY2024" in en


def test_readings_are_ruby_and_the_rest_is_escaped() -> None:
    assert ruby("[支援|しえん]<b>") == (
        "<ruby>支援<rp>（</rp><rt>しえん</rt><rp>）</rp></ruby>&lt;b&gt;"
    )


def test_publish_command_writes_one_language(tmp_path: Path, settings: Settings) -> None:
    out = tmp_path / "site"
    code = main(["publish", "--outdir", str(out), "--lang", "ja"])
    assert code == 0
    assert (out / "index.html").exists() and not (out / "en").exists()
    assert "English</a>" not in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_pages_have_no_axe_violations(
    browser: object, site: Path, lang: str, viewport: dict[str, int]
) -> None:
    """Every page at a phone's width (residents read on phones); a sample of them on a desktop.

    Colour contrast is checked on the pages that together show every text style (``axe.check``).
    """
    folder = site if lang == "ja" else site / "en"
    names = AXE_SAMPLE if viewport == DESKTOP else sorted(p.name for p in folder.glob("*.html"))
    assert len(names) >= len(AXE_SAMPLE)
    context = browser.new_context(viewport=viewport)  # type: ignore[attr-defined]
    preload(context)
    outside: list[str] = []

    def guard(route: object, request: object) -> None:
        url = request.url  # type: ignore[attr-defined]
        if url.startswith(site.as_uri()):
            route.continue_()  # type: ignore[attr-defined]
        else:
            outside.append(url)
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", guard)
    try:
        page = context.new_page()
        found = check(page, {name: partial(opened, page, folder / name) for name in names})
        assert found == {name: [] for name in names}
        assert outside == []
    finally:
        context.close()  # type: ignore[attr-defined]
