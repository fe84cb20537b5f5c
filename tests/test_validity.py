"""The briefing is valid HTML by the W3C's own checker (vnu.jar), as public web pages must be
(JIS X 8341-3 / WCAG 2.0 4.1.1): inline charts used to repeat matplotlib's ids thousands of times."""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from axe import check, opened, preload
from conftest import unavailable

from briefing import Settings
from briefing.render.export import export_file

if TYPE_CHECKING:
    from playwright.sync_api import Browser

VNU = Path(__file__).resolve().parent.parent / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"


def nu_errors(*pages: Path) -> list[str]:
    """The Nu HTML Checker's errors for ``pages`` (one Java start for all), one line each."""
    if not VNU.exists() or not shutil.which("java"):
        unavailable("vnu.jar or Java is not installed (./run.sh test installs both)")
    done = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(done.stderr or done.stdout)["messages"]
    return [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}" for m in messages]


@pytest.fixture(scope="module")
def briefings(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The briefing of the prefecture, a region and a town in Japanese, and in English."""
    from servers import FIGURES_DIR, seed_disclosure

    folder = tmp_path_factory.mktemp("briefings")
    settings = Settings(cache_dir=FIGURES_DIR or folder, disclosure_dir=seed_disclosure(folder))
    pages = [
        export_file(folder / f"{n}.html", area=area, generated="2026-12-01", settings=settings)
        for n, area in enumerate(["県全体", "北勢", "名張市"])
    ]
    pages.append(
        export_file(folder / "en.html", generated="2026-12-01", settings=settings, lang="en")
    )
    return pages


def test_the_briefing_passes_the_w3c_checker_with_no_errors_in_both_languages(
    briefings: list[Path],
) -> None:
    assert nu_errors(*briefings) == []


@pytest.mark.browser
def test_the_briefing_passes_axe_in_both_languages(browser: Browser, briefings: list[Path]) -> None:
    """axe-core's WCAG 2.1 A/AA rules in Chromium, on paper's screen twin: the file as opened."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    preload(context)
    try:
        page = context.new_page()
        found = check(page, {b.name: partial(opened, page, b) for b in briefings})
        assert found == {b.name: [] for b in briefings}
    finally:
        context.close()


def test_the_checker_does_find_errors(tmp_path: Path) -> None:
    """A page with a repeated id fails: the check above can fail."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>t</title></head>'
        '<body><p id="a">1</p><p id="a">2</p></body></html>',
        encoding="utf-8",
    )
    assert any("Duplicate ID" in e for e in nu_errors(page))


@pytest.mark.browser
def test_pale_text_on_one_page_of_many_is_found(browser: Browser, tmp_path: Path) -> None:
    """Colour contrast runs on a sample of pages (``axe.check``): a style that only one page shows
    is in the sample, so its pale text is found, and a page's other rules run on every page."""
    head = '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>t</title></head>'
    bodies = {
        "a.html": '<main><h1>見出し</h1><p class="note">本文</p></main>',
        "b.html": '<main><h1>見出し</h1><p class="note">別の本文</p></main>',
        "c.html": '<main><h1>見出し</h1><p class="note" style="color:#bbb">5未満</p></main>',
        "d.html": '<main><h1>見出し</h1><img src="x.png"></main>',
    }
    for name, body in bodies.items():
        (tmp_path / name).write_text(f"{head}<body>{body}</body></html>", encoding="utf-8")
    context = browser.new_context()
    preload(context)
    try:
        page = context.new_page()
        found = check(page, {n: partial(opened, page, tmp_path / n) for n in sorted(bodies)})
    finally:
        context.close()
    assert [n for n, lines in found.items() if lines] == ["c.html", "d.html"]
    assert found["c.html"][0].startswith("color-contrast")
    assert found["d.html"][0].startswith("image-alt")
