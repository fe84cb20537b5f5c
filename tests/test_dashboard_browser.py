"""The dashboard in a real browser: what a committee member sees and can do, offline.

Voilà runs as ``briefing serve`` runs it (preheated kernels, timeouts, culling) on a copy of the
bundled data; Debian's Chromium drives it. Every step saves a screenshot under
``test-artifacts/browser/`` and no page may reach any host but the dashboard's own.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import quote

import pytest
from axe import check
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from servers import (
    ARTIFACTS,
    VIEWPORT,
    ServerOnly,
    VoilaServer,
    running_voila,
    wait_for_page,
)

from briefing import Settings
from briefing.config import BUNDLED_DATA

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "browser"
#: Time for a page to become usable. Voilà's execution timeout (Settings.execution_timeout) ends a
#: stalled execution well before this, so only a real hang exceeds it.
LOAD_TIMEOUT_MS = 40_000
#: Time for a redraw after a click: a view with charts from a cold cache takes a second or two,
#: over 20 s on a machine loaded five times over; only a hang exceeds this.
STEP_TIMEOUT_MS = 60_000
NO_BREAKDOWN = "この指標には地域別の内訳がありません"
HIGASHIKISHU = ("尾鷲市", "熊野市", "紀北町", "御浜町", "紀宝町")


# ---- servers and browser ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def served_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the bundled ``data/`` for the module's server."""
    target = tmp_path_factory.mktemp("served") / "data"
    shutil.copytree(BUNDLED_DATA, target)
    return target


@pytest.fixture(scope="module")
def voila_settings(served_data: Path) -> Settings:
    """The settings ``briefing serve --pool 2`` uses, on the data copy (override to test other
    settings). Two kernels wait instead of six: each one started costs seconds of CPU, and how the
    pool serves a crowd is ``test_dashboard_load.py``'s."""
    return Settings(data_dir=served_data, kernel_pool=2)


@pytest.fixture(scope="module")
def server(
    voila_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[VoilaServer]:
    with running_voila(
        voila_settings, workdir=tmp_path_factory.mktemp("voila"), name="voila-browser"
    ) as running:
        yield running


@pytest.fixture(scope="module")
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport=VIEWPORT, locale="ja-JP", timezone_id="Asia/Tokyo")
    yield made
    made.close()


@pytest.fixture(scope="module")
def guard(context: BrowserContext, server: VoilaServer) -> ServerOnly:
    """Records every request of the module's pages; anything not for a Voilà server is aborted."""
    only = ServerOnly(context)
    only.allow(server.url)
    return only


@pytest.fixture(autouse=True)
def stays_offline(guard: ServerOnly) -> Iterator[None]:
    """Each test fails if one of its pages asked for anything but the dashboard's own server."""
    before = len(guard.foreign)
    yield
    assert guard.foreign[before:] == [], "requests to other hosts (the meeting room may be offline)"


@pytest.fixture
def page(
    context: BrowserContext, guard: ServerOnly, request: pytest.FixtureRequest
) -> Iterator[Page]:
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    shot(opened, f"last-{request.node.name}")  # how the page looked when the test ended
    opened.close()
    assert errors == [], f"JavaScript errors in the page: {errors}"


# ---- helpers ---------------------------------------------------------------------------------


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png")


def shown(locator: Locator) -> Locator:
    """Only what is on screen: the views of the other tabs stay in the page, hidden."""
    return locator.filter(visible=True)


def open_page(page: Page, url: str | None, *, name: str, server: VoilaServer) -> None:
    """Open ``url`` (``None``: reload the page) and wait for the dashboard or the data error panel.

    Voilà's own failure output is reported as such, with a screenshot and the end of Voilà's log.
    """
    if url is None:
        page.reload(timeout=LOAD_TIMEOUT_MS)
    else:
        page.goto(url, timeout=LOAD_TIMEOUT_MS)
    try:
        wait_for_page(page, timeout_ms=LOAD_TIMEOUT_MS)
    except (AssertionError, PlaywrightTimeout) as error:
        shot(page, f"{name}-failed")
        pytest.fail(f"{url or page.url}: {error}\n--- Voilà log ---\n{server.log_tail()}")


def dropdown(page: Page, label: str) -> Locator:
    """An ipywidgets Dropdown (an HTML <select>) found by its visible label."""
    return page.get_by_label(label, exact=True)


def choose(select: Locator, text: str) -> None:
    """Pick the option whose visible text is ``text`` (ipywidgets shows spaces as no-break spaces)."""
    options = [
        " ".join(o.replace("\u00a0", " ").split())
        for o in select.locator("option").all_inner_texts()
    ]
    assert text in options, f"{text!r} is not offered; options are {options}"
    select.select_option(index=options.index(text))


def expect_chosen(select: Locator, text: str) -> None:
    """Wait until the selected option's visible text is ``text`` (whitespace normalised)."""
    expect(select.locator("option:checked")).to_have_text(text, timeout=STEP_TIMEOUT_MS)


def tile_row(page: Page, indicator: str) -> Locator:
    """The overview row of one indicator (first cell starts with its id, e.g. '5-3 ')."""
    first_cell = page.locator("td:first-child", has_text=re.compile(rf"^{re.escape(indicator)}\s"))
    return shown(page.locator("section.tile tbody tr")).filter(has=first_cell)


def overview_ids(page: Page) -> set[str]:
    cells = shown(page.locator("section.tile tbody tr > td:first-child")).all_inner_texts()
    return {found.group(0) for cell in cells if (found := re.match(r"\d+-\d+", cell.strip()))}


def expect_dashboard(page: Page) -> None:
    """The dashboard is usable: direction dropdown, title, sample banner and the goal cards."""
    expect(dropdown(page, "取組方向")).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    expect(page.locator(".mb-dashboard h2").first).to_contain_text("進捗ダッシュボード")
    expect(shown(page.locator("[role=note]")).first).to_contain_text("架空のサンプルデータ")
    expect(shown(page.locator("#goal-G1"))).to_be_visible()
    expect(shown(page.locator("#goal-G2"))).to_be_visible()


def expect_regional_figures(page: Page) -> None:
    """Direction 5 in 東紀州: 5-1/5-2 show values, 5-3/5-4 say they have no regional breakdown."""
    for indicator in ("5-3", "5-4"):
        row = tile_row(page, indicator)
        expect(row).to_contain_text(NO_BREAKDOWN, timeout=STEP_TIMEOUT_MS)
        expect(row).not_to_contain_text(
            re.compile(r"(?<![\d,])0(件|回)")
        )  # never a zero for 東紀州
    for indicator in ("5-1", "5-2"):
        row = tile_row(page, indicator)
        expect(row).to_contain_text(re.compile(r"\d+か所"))
        expect(row).to_contain_text(re.compile(r"令和\d+年度"))
        expect(row).not_to_contain_text(NO_BREAKDOWN)
    assert overview_ids(page) == {"5-1", "5-2", "5-3", "5-4"}
    for goal in ("#goal-G1", "#goal-G2"):
        expect(shown(page.locator(goal))).to_contain_text("東紀州の回答者")


# ---- the offline guard itself ----------------------------------------------------------------


def test_guard_stops_requests_to_other_hosts(browser: Browser, server: VoilaServer) -> None:
    """What makes the offline checks meaningful: other hosts are never reached, and recorded."""
    made = browser.new_context()
    only = ServerOnly(made)
    only.allow(server.url)
    try:
        page = made.new_page()
        page.goto(server.url + "voila/static/voila.js")
        outcome = page.evaluate(
            "url => fetch(url).then(() => 'reached', () => 'stopped')",
            "https://cdn.jsdelivr.net/npm/font-awesome.css",
        )
    finally:
        made.close()
    assert outcome == "stopped"
    assert only.foreign == ["https://cdn.jsdelivr.net/npm/font-awesome.css"]
    assert server.url + "voila/static/voila.js" in only.seen


# ---- links prepared per agenda item ----------------------------------------------------------


TABLET = {"width": 820, "height": 1180}
TITLES = {
    "ja": "三重県ひきこもり支援推進計画 進捗ダッシュボード",
    "en": "Mie Prefecture hikikomori support plan — progress dashboard",
}
YEAR_HANDLES = {"ja": ["開始年度", "終了年度"], "en": ["First fiscal year", "Last fiscal year"]}
TABS = {
    "ja": ("概要", "取組方向", "地域比較", "調査（目標）"),
    "en": ("Overview", "Directions", "Areas", "Surveys (goals)"),
}


VIEWS = ("overview", "direction", "area", "survey")  # in the order of the tabs


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_view_passes_axe_at_desktop_and_tablet_width(
    page: Page, server: VoilaServer, lang: str
) -> None:
    """WCAG 2.1 A/AA by axe-core: 0 violations in each view, reached by its tab as a member
    does (the year slider's handles are named, inactive tabs have contrast); the browser tab says
    what it is and the language toggle is not cut."""
    page.set_viewport_size(VIEWPORT)
    open_page(page, f"{server.url}?lang={lang}", name=f"axe-{lang}", server=server)
    handles = page.locator(".mb-years .noUi-handle")
    expect(handles.first).to_have_attribute("aria-label", YEAR_HANDLES[lang][0])
    assert [h.get_attribute("aria-label") for h in handles.all()] == YEAR_HANDLES[lang]
    expect(page).to_have_title(TITLES[lang])
    english = page.get_by_role("button", name="English", exact=True)
    assert english.evaluate("b => b.scrollWidth <= b.clientWidth"), "「Engli…」: cut off"

    def view_at(view: str, tab: str, size: dict[str, int]) -> None:
        page.set_viewport_size(size)
        page.get_by_role("tab", name=tab, exact=True).click()
        expect(shown(page.locator(f"[data-view^='{view}|']"))).to_have_count(
            1, timeout=STEP_TIMEOUT_MS
        )
        shot(page, f"axe-{view}-{lang}-{size['width']}")

    states = {
        (view, width): partial(view_at, view, tab, size)
        for view, tab in zip(VIEWS, TABS[lang], strict=True)
        for width, size in (("desktop", VIEWPORT), ("tablet", TABLET))
    }
    assert check(page, states) == {key: [] for key in states}


def test_link_presets_direction_and_area(page: Page, server: VoilaServer) -> None:
    url = f"{server.url}?direction=5&area={quote('東紀州')}"
    open_page(page, url, name="preset-direction-area", server=server)
    expect_dashboard(page)
    expect_chosen(dropdown(page, "取組方向"), "5 社会参加支援")
    expect_chosen(dropdown(page, "地域"), "■ 東紀州")
    expect_regional_figures(page)
    # the view's own record of what it shows: view|direction|area|from|to|lang|mode
    expect(shown(page.locator("[data-view^='overview|5|higashikishu|']"))).to_have_count(1)
    shot(page, "preset-direction-area")


def test_link_opens_the_survey_tab(page: Page, server: VoilaServer) -> None:
    open_page(page, f"{server.url}?view=survey", name="preset-survey", server=server)
    expect(page.get_by_role("tab", name="調査（目標）")).to_have_attribute(
        "aria-selected", "true", timeout=LOAD_TIMEOUT_MS
    )
    # the survey view draws several charts: from a cold figure cache that takes a while
    expect(shown(page.locator("#goal-G1"))).to_contain_text("95%信頼区間", timeout=STEP_TIMEOUT_MS)
    expect(shown(page.locator("#goal-G1"))).to_contain_text(re.compile(r"n=[\d,]+"))
    expect(shown(page.get_by_text("地域別")).first).to_be_visible()
    shot(page, "preset-survey")


def test_bad_link_still_shows_the_dashboard_with_a_note(page: Page, server: VoilaServer) -> None:
    open_page(page, f"{server.url}?direction=99&area=xyz", name="preset-bad", server=server)
    expect_dashboard(page)
    expect(shown(page.get_by_text("取組方向「99」はありません"))).to_be_visible(
        timeout=STEP_TIMEOUT_MS
    )
    expect(shown(page.get_by_text("地域「xyz」が見つかりません"))).to_be_visible()
    expect_chosen(dropdown(page, "取組方向"), "全体")
    expect_chosen(dropdown(page, "地域"), "県全体")
    expect(shown(page.locator("section.tile"))).to_have_count(6)
    shot(page, "preset-bad")


# ---- a member's walk-through -----------------------------------------------------------------


def test_member_walks_through_direction_5_in_higashikishu(page: Page, server: VoilaServer) -> None:
    open_page(page, server.url, name="walk-01-opened", server=server)
    expect_dashboard(page)
    expect(shown(page.locator("section.tile"))).to_have_count(6)
    expect(page.get_by_role("tab", name="概要")).to_have_attribute("aria-selected", "true")
    expect_chosen(dropdown(page, "取組方向"), "全体")
    expect_chosen(dropdown(page, "地域"), "県全体")
    shot(page, "walk-01-opened")

    choose(dropdown(page, "取組方向"), "5 社会参加支援")
    expect(shown(page.locator("section.tile"))).to_have_count(1, timeout=STEP_TIMEOUT_MS)
    expect(shown(page.locator("section.tile h3"))).to_have_text("5 社会参加支援")
    assert overview_ids(page) == {"5-1", "5-2", "5-3", "5-4"}
    shot(page, "walk-02-direction-5")

    choose(dropdown(page, "地域"), "■ 東紀州")
    expect_regional_figures(page)
    shot(page, "walk-03-higashikishu")

    page.get_by_role("tab", name="取組方向").click()
    charts = shown(page.locator("section.card img[alt*='推移']"))
    expect(charts).to_have_count(2, timeout=STEP_TIMEOUT_MS)  # 5-1 and 5-2: the regional ones
    for indicator in ("5-1", "5-2"):
        expect(shown(page.locator(f"#ind-{indicator} img"))).to_have_attribute(
            "alt", re.compile("推移")
        )
        expect(shown(page.locator(f"#ind-{indicator}"))).to_contain_text(re.compile(r"令和\d+年度"))
    for indicator in ("5-3", "5-4"):
        expect(shown(page.locator(f"#ind-{indicator}"))).to_contain_text(NO_BREAKDOWN)
        expect(shown(page.locator(f"#ind-{indicator} img"))).to_have_count(0)
    shot(page, "walk-04-direction-tab")

    page.get_by_role("button", name="表", exact=True).click()
    year_header = page.get_by_role("columnheader", name="年度", exact=True)
    for indicator in ("5-1", "5-2"):
        table = shown(page.locator(f"#ind-{indicator} table")).filter(has=year_header)
        years = table.locator("tbody tr td:first-child")
        expect(years.first).to_have_text(re.compile(r"^令和(元|\d+)年度$"), timeout=STEP_TIMEOUT_MS)
        assert years.count() >= 2, "a table of the years shown, one row each"
    expect(charts).to_have_count(0)
    shot(page, "walk-05-table")

    page.get_by_role("tab", name="地域比較").click()
    comparison = shown(page.locator(".mb section.card"))
    expect(comparison.first).to_be_visible(timeout=STEP_TIMEOUT_MS)
    for town in HIGASHIKISHU:
        expect(comparison.first).to_contain_text(town)
    expect(shown(page.get_by_text(NO_BREAKDOWN)).first).to_be_visible()
    shot(page, "walk-06-areas")

    page.get_by_role("tab", name="調査（目標）").click()
    survey = shown(page.locator("#goal-G2"))
    expect(survey).to_contain_text("95%信頼区間", timeout=STEP_TIMEOUT_MS)
    expect(survey).to_contain_text(re.compile(r"n=\d"))
    expect(shown(page.get_by_text("参考値")).first).to_be_visible()
    shot(page, "walk-07-survey")

    page.get_by_role("button", name="English", exact=True).click()
    expect(page.get_by_role("tab", name="Overview")).to_be_visible(timeout=STEP_TIMEOUT_MS)
    expect(page.get_by_role("tab", name="Surveys (goals)")).to_have_attribute(
        "aria-selected", "true"
    )
    expect(shown(page.get_by_role("heading", name="Plan-wide goals"))).to_be_visible()
    expect(dropdown(page, "Direction")).to_be_visible()
    expect_chosen(dropdown(page, "Area"), "■ Higashi-Kishu")
    expect(shown(page.locator("#goal-G2"))).to_contain_text("95% CI")
    shot(page, "walk-08-english")


# ---- a broken data file ----------------------------------------------------------------------


@dataclass
class Broken:
    server: VoilaServer
    history: Path
    row: int
    good_value: str


@pytest.fixture
def broken(
    data_copy: Path,
    find_row: Callable[..., int],
    edit_csv: Callable[[Path, int, str, str], str],
    voila_settings: Settings,
    guard: ServerOnly,
    tmp_path: Path,
) -> Iterator[Broken]:
    """A second server on data whose history.csv has 「abc」 as a value (one preheated kernel)."""
    history = data_copy / "history.csv"
    row = find_row(history, series="1-1", fy="2020", area="240001")
    good = edit_csv(history, row, "value", "abc")
    settings = voila_settings.with_(data_dir=data_copy, kernel_pool=1)
    with running_voila(settings, workdir=tmp_path / "voila", name="voila-broken-data") as running:
        guard.allow(running.url)
        yield Broken(running, history, row, good)


def expect_data_error(page: Page, broken: Broken) -> None:
    alert = shown(page.locator(".mb [role=alert]"))
    expect(alert).to_contain_text("データを読み込めませんでした")
    expect(alert).to_contain_text("history.csv")
    expect(alert).to_contain_text(f"{broken.row}行目")
    expect(alert).to_contain_text("abc")
    assert "Traceback" not in page.inner_text("body")
    expect(dropdown(page, "取組方向")).to_have_count(0)


def test_broken_data_file_is_explained_in_japanese(page: Page, broken: Broken) -> None:
    open_page(page, broken.server.url, name="broken-data", server=broken.server)
    expect_data_error(page, broken)
    shot(page, "broken-data")


def test_reload_after_fixing_the_file_shows_the_dashboard(
    page: Page, broken: Broken, edit_csv: Callable[[Path, int, str, str], str]
) -> None:
    open_page(page, broken.server.url, name="fixed-data-before", server=broken.server)
    expect_data_error(page, broken)
    # the page's kernel and the pool's refill exist, and the refill has read the broken file
    broken.server.wait_for_quiet_kernels(at_least=broken.server.settings.kernel_pool + 1)
    edit_csv(broken.history, broken.row, "value", broken.good_value)  # what the error panel asks
    open_page(page, None, name="fixed-data-reloaded", server=broken.server)
    shot(page, "fixed-data-reloaded")
    # the kernel reads the fixed files and chooses their withheld cells when the viewer arrives:
    # wait for that (a generous bound that only a hang would reach)
    expect(page.locator(".mb [role=alert]")).to_have_count(0, timeout=60_000)
    expect_dashboard(page)
