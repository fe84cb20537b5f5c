"""The exported briefing in a real browser (Debian's Chromium through Playwright), offline.

Each briefing is opened from a ``file://`` URL with every other request aborted and recorded; it
must not try to load anything. Printed to PDF it must be A4 portrait with the page header, its
sections must start on new pages and no chart or table may be cut across pages. The PDFs and a
picture of page 1 are kept under ``test-artifacts/export/`` (git-ignored) for people to look at.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import servers
from conftest import unavailable
from servers import seed_disclosure

from briefing import Settings
from briefing.render.export import export_file

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
ARTIFACTS = REPO / "test-artifacts" / "export"
DATE = "2026-11-26"
TITLE = "三重県ひきこもり支援推進計画 進捗ブリーフィング"
A4_PT = (595.28, 841.89)
TOLERANCE_PT = 2.0


@dataclass(frozen=True)
class Case:
    name: str
    options: dict[str, object]
    area: str
    directions: tuple[str, ...]
    #: Page-count bounds around the measured count (full: 28 pages, direction 3 / 北勢: 8 pages
    #: with Chromium 14x, fonts-noto-cjk): wide enough for font or style tweaks, narrow enough to
    #: catch a briefing that lost its page breaks or blew up.
    pages: tuple[int, int]


CASES = {
    "full": Case(
        "full",
        {},
        "県全体",
        (
            "1 情報発信・普及啓発",
            "2 対象者の状況把握・早期対応",
            "3 家族支援",
            "4 当事者支援",
            "5 社会参加支援",
            "6 多様な担い手の育成・確保",
        ),
        (10, 60),
    ),
    "direction3-hokusei": Case(
        "direction3-hokusei", {"direction": 3, "area": "北勢"}, "北勢", ("3 家族支援",), (4, 20)
    ),
}


# ---- PDF helpers (pypdf if present, else poppler's pdfinfo, else the raw bytes) -----------------


def pdf_page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Width and height (pt) of every page."""
    try:
        from pypdf import PdfReader  # type: ignore[import-not-found]
    except ImportError:
        pass
    else:
        import io

        reader = PdfReader(io.BytesIO(pdf))
        return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    if shutil.which("pdfinfo"):
        info = subprocess.run(
            ["pdfinfo", "-f", "1", "-l", "100000", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        sizes = [
            (float(w), float(h))
            for w, h in re.findall(r"^Page\s+\d+ size:\s*([\d.]+) x ([\d.]+)", info, flags=re.M)
        ]
        count = int(re.search(r"^Pages:\s+(\d+)", info, flags=re.M).group(1))  # type: ignore[union-attr]
        assert len(sizes) == count
        return sizes
    pages = re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.\s-]+)\]", pdf)
    sizes = []
    for box in boxes:
        x0, y0, x1, y1 = (float(v) for v in box.split())
        sizes.append((x1 - x0, y1 - y0))
    assert sizes and len(pages) == len(sizes), "cannot read the page sizes from the PDF bytes"
    return sizes


def pdf_pages_text(pdf: Path) -> list[str]:
    """The text of each page (pdftotext); without poppler the test skips (fails with CI=true)."""
    if not shutil.which("pdftotext"):
        unavailable("pdftotext (poppler-utils) is not installed: cannot read the PDF's text")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode()
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


#: The running footer of every printed page while sample values are shown.
SAMPLE_FOOTER = "⚠ 架空のサンプル値を含みます"


def body_lines(page: str, header: tuple[str, ...]) -> list[str]:
    """The lines of a page without the running header, the sample footer and the page number."""
    lines = [line.replace(SAMPLE_FOOTER, "").strip() for line in page.splitlines()]
    return [
        line
        for line in lines
        if line and line not in header and not re.fullmatch(r"\d+\s*/\s*\d+", line)
    ]


# ---- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    outdir = tmp_path_factory.mktemp("briefings")
    settings = Settings(
        data_dir=DATA,
        cache_dir=servers.FIGURES_DIR,  # the session's charts, shared with the other exports
        disclosure_dir=seed_disclosure(outdir),
    )
    return {
        name: export_file(
            outdir / f"{name}.html", generated=DATE, settings=settings, **case.options
        )  # type: ignore[arg-type]
        for name, case in CASES.items()
    }


@dataclass
class Opened:
    case: Case
    path: Path
    url: str
    page: object
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def open_offline(browser: object, path: Path) -> tuple[object, Opened]:
    """Open ``path`` with every request but the document itself (and data: URLs) aborted."""
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1100, "height": 900}, locale="ja-JP", timezone_id="Asia/Tokyo"
    )
    url = path.as_uri()
    opened = Opened(CASES.get(path.stem, CASES["full"]), path, url, None)

    def guard(route: object, request: object) -> None:
        target = request.url  # type: ignore[attr-defined]
        opened.requests.append(target)
        if target == url or target.startswith("data:"):
            route.continue_()  # type: ignore[attr-defined]
        else:
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", guard)
    page = context.new_page()
    page.on("request", lambda request: opened.requests.append(request.url))
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    page.on("requestfailed", lambda request: opened.errors.append(f"failed: {request.url}"))
    page.goto(url, wait_until="load")
    opened.page = page
    return context, opened


@pytest.fixture(scope="module", params=list(CASES))
def opened(
    request: pytest.FixtureRequest, browser: object, exports: dict[str, Path]
) -> Iterator[Opened]:
    context, result = open_offline(browser, exports[request.param])
    yield result
    context.close()  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Printed:
    a4: Path
    css: Path
    pages: list[tuple[float, float]]
    css_pages: list[tuple[float, float]]


@pytest.fixture(scope="module")
def printed(opened: Opened) -> Printed:
    """The briefing printed to PDF twice: format="A4", and with the page size the CSS asks for."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = opened.page
    a4 = page.pdf(format="A4")  # type: ignore[attr-defined]
    css = page.pdf(prefer_css_page_size=True)  # type: ignore[attr-defined]
    a4_path = ARTIFACTS / f"briefing-{opened.case.name}.pdf"
    css_path = ARTIFACTS / f"briefing-{opened.case.name}-css-page-size.pdf"
    a4_path.write_bytes(a4)
    css_path.write_bytes(css)
    result = Printed(a4_path, css_path, pdf_page_sizes(a4), pdf_page_sizes(css))
    summary = ARTIFACTS / f"briefing-{opened.case.name}.json"
    summary.write_text(
        json.dumps(
            {
                "html_bytes": opened.path.stat().st_size,
                "pdf_bytes": len(a4),
                "pages": len(result.pages),
                "pages_css_size": len(result.css_pages),
                "page_size_pt": sorted(set(result.pages)),
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    return result


# ---- the harness itself --------------------------------------------------------------------------


def test_guard_sees_and_blocks_what_a_page_would_load(browser: object, tmp_path: Path) -> None:
    """A page that does load other files: the guard records (and aborts) every attempt."""
    control = tmp_path / "control.html"
    control.write_text(
        '<!DOCTYPE html><html><head><link rel="stylesheet" href="other.css"></head><body>'
        '<img src="https://example.invalid/x.png" alt="x"><img src="data:image/gif;base64,'
        'R0lGODlhAQABAAAAACw=" alt="y"></body></html>',
        encoding="utf-8",
    )
    context, result = open_offline(browser, control)
    try:
        assert result.url in result.requests
        assert any(r.endswith("/other.css") for r in result.requests)
        assert "https://example.invalid/x.png" in result.requests
    finally:
        context.close()  # type: ignore[attr-defined]


# ---- on screen -----------------------------------------------------------------------------------


def test_nothing_but_the_document_is_requested(opened: Opened) -> None:
    others = [r for r in opened.requests if r != opened.url and not r.startswith("data:")]
    assert opened.url in opened.requests, "the recorder saw the document itself"
    assert not others, f"the briefing tried to load {others[:5]}"
    assert not opened.errors, opened.errors


def test_every_chart_is_visible_with_alt_text(opened: Opened) -> None:
    page = opened.page
    holders = page.locator("div[role=img]")  # type: ignore[attr-defined]
    charts = page.locator("div[role=img] > svg")  # type: ignore[attr-defined]
    count = charts.count()
    assert count == holders.count() >= (15 if opened.case.name == "full" else 4)
    width = page.evaluate("document.documentElement.clientWidth")  # type: ignore[attr-defined]
    for i in range(count):
        chart = charts.nth(i)
        assert chart.is_visible(), f"chart {i} is hidden"
        box = chart.bounding_box()
        assert box and box["width"] > 50 and box["height"] > 50, f"chart {i}: {box}"
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, f"chart {i} overflows: {box}"
        label = holders.nth(i).get_attribute("aria-label") or ""
        assert label.strip(), f"chart {i} has no alt text"
    assert page.locator("script").count() == 0  # type: ignore[attr-defined]


# ---- on paper ------------------------------------------------------------------------------------


def is_a4_portrait(size: tuple[float, float]) -> bool:
    width, height = size
    return abs(width - A4_PT[0]) <= TOLERANCE_PT and abs(height - A4_PT[1]) <= TOLERANCE_PT


def test_pdf_is_a4_portrait_with_a_sensible_page_count(opened: Opened, printed: Printed) -> None:
    low, high = opened.case.pages
    assert printed.pages, "the PDF has pages"
    assert all(is_a4_portrait(s) for s in printed.pages), sorted(set(printed.pages))
    assert low <= len(printed.pages) <= high, f"{len(printed.pages)} pages"


def test_css_page_size_is_a4_portrait(opened: Opened, printed: Printed) -> None:
    assert all(is_a4_portrait(s) for s in printed.css_pages), sorted(set(printed.css_pages))
    assert len(printed.css_pages) == len(printed.pages)


def test_page_one_is_kept_as_a_picture(opened: Opened, printed: Printed) -> None:
    png = ARTIFACTS / f"briefing-{opened.case.name}-page1.png"
    png.unlink(missing_ok=True)
    if shutil.which("pdftoppm"):
        stem = png.with_suffix("")
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(printed.a4),
                str(stem),
            ],
            check=True,
            capture_output=True,
        )
    else:
        opened.page.screenshot(path=str(png))  # type: ignore[attr-defined]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_page_has_the_header_with_title_and_date(opened: Opened, printed: Printed) -> None:
    pages = pdf_pages_text(printed.a4)
    assert len(pages) == len(printed.pages)
    top_left = f"{TITLE}（{opened.case.area}）"
    for number, text in enumerate(pages, start=1):
        assert top_left in text, f"page {number} has no title header"
        assert f"作成日 {DATE}" in text, f"page {number} has no date header"
        assert SAMPLE_FOOTER in text, f"page {number} has no sample notice"
        footer = text.replace(SAMPLE_FOOTER, "")
        assert re.search(rf"^\s*{number}\s*/\s*{len(pages)}\s*$", footer, flags=re.M), (
            f"page {number} has no page number"
        )
    everything = "\n".join(pages)
    assert "架空のサンプル" in pages[0]
    assert "この資料の数値（CSV" not in everything, "the download link is for the screen only"


def test_sections_start_on_new_pages(opened: Opened, printed: Printed) -> None:
    pages = pdf_pages_text(printed.a4)
    header = (f"{TITLE}（{opened.case.area}）", f"作成日 {DATE}")
    firsts = [(body_lines(text, header) or [""])[0] for text in pages]
    assert firsts[0] == TITLE
    for heading in (*opened.case.directions, "地域比較", "調査の内訳"):
        assert any(first.startswith(heading) for first in firsts), (
            f"「{heading}」 does not start a page; pages start with {firsts}"
        )


#: Puts an invisible marker at the top and the bottom of every figure and table (absolutely
#: positioned: the layout does not change). A block printed whole has both markers on one page;
#: a cut table also repeats its header row (and so its top marker) on the next page.
MARK_BLOCKS = """() => {
  const style = 'position:absolute;left:0;font-size:4px;line-height:4px;color:#fff;white-space:nowrap;';
  let n = 0;
  for (const block of document.querySelectorAll('figure, table')) {
    const id = String(n++).padStart(4, '0');
    let first = block, last = block;
    if (block.tagName === 'TABLE') {
      const rows = block.rows;
      first = rows[0].cells[0];
      last = rows[rows.length - 1].cells[0];
    }
    for (const [host, end, where] of [[first, 'A', 'top:0'], [last, 'Z', 'bottom:0']]) {
      host.style.position = 'relative';
      const mark = document.createElement('span');
      mark.textContent = `QX${id}${end}Q`;
      mark.style.cssText = style + where;
      host.appendChild(mark);
    }
  }
  return n;
}"""


def test_no_chart_or_table_is_cut_across_pages(
    browser: object, opened: Opened, printed: Printed
) -> None:
    context, marked = open_offline(browser, opened.path)
    try:
        blocks = marked.page.evaluate(MARK_BLOCKS)  # type: ignore[attr-defined]
        pdf = marked.page.pdf(format="A4")  # type: ignore[attr-defined]
    finally:
        context.close()  # type: ignore[attr-defined]
    path = ARTIFACTS / f"briefing-{opened.case.name}-marked.pdf"
    path.write_bytes(pdf)
    pages = pdf_pages_text(path)
    assert len(pages) == len(printed.pages), "the markers did not change the layout"
    where: dict[str, set[int]] = {}
    for number, text in enumerate(pages, start=1):
        for block, _end in re.findall(r"QX(\d{4})([AZ])Q", text):
            where.setdefault(block, set()).add(number)
    assert len(where) == blocks >= 5, f"found markers of {len(where)} of {blocks} blocks"
    cut = {block: sorted(numbers) for block, numbers in where.items() if len(numbers) > 1}
    assert not cut, f"blocks printed across pages (block: pages): {cut}"
    path.unlink()


#: The printable width of the page in CSS pixels: A4 (210 mm) less the 13 mm side margins.
PRINTABLE_PX = round((210 - 2 * 13) / 25.4 * 96)

STICKING_OUT = """() => {
  const out = [];
  for (const box of document.querySelectorAll('.mb .card, .mb .goal, .mb .tile')) {
    const edge = box.getBoundingClientRect().right;
    for (const part of box.querySelectorAll('table, figure, svg, img')) {
      if (part.getBoundingClientRect().right > edge + 1) {
        out.push((box.querySelector('h3') || box).textContent.trim().slice(0, 40));
        break;
      }
    }
  }
  return out;
}"""


def test_no_table_or_chart_sticks_out_of_its_card_on_paper(browser: object, opened: Opened) -> None:
    # long units such as 「プラットフォーム」 once pushed a card's summary table past its border
    context = browser.new_context(viewport={"width": PRINTABLE_PX, "height": 1000})  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.emulate_media(media="print")
        page.goto(opened.url, wait_until="load")
        assert page.evaluate(STICKING_OUT) == []
    finally:
        context.close()  # type: ignore[attr-defined]
