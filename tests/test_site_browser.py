"""The residents' site in a real browser (Debian's Chromium), opened from ``file://`` as from a
USB stick: axe-core finds no WCAG 2.1 A/AA violation on a phone-sized and a desktop window, and
the pages ask for nothing outside the folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe import violations

from briefing import Settings, load_dataset
from briefing.render.site import publish_site

pytestmark = pytest.mark.browser

SAMPLE = ["index.html", "area-240001.html", "area-242161.html", "direction-2.html", "about.html"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("site")
    scratch = tmp_path_factory.mktemp("site-settings")
    settings = Settings(cache_dir=scratch / "figures", disclosure_dir=scratch / "withheld")
    publish_site(load_dataset(Settings().data_dir), outdir, settings=settings)
    return outdir


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sample_pages_have_no_axe_violations(
    browser: object, site: Path, lang: str, viewport: dict[str, int]
) -> None:
    folder = site if lang == "ja" else site / "en"
    context = browser.new_context(viewport=viewport)  # type: ignore[attr-defined]
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
        found = {}
        for name in SAMPLE:
            page.goto((folder / name).as_uri(), wait_until="load")
            found[name] = violations(page)
        assert found == {name: [] for name in SAMPLE}
        assert outside == []
    finally:
        context.close()  # type: ignore[attr-defined]
