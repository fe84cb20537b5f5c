"""The dashboard with the keyboard alone, and a focus ring one can see at every stop.

Voilà runs as ``briefing serve`` runs it on a copy of the bundled data; Debian's Chromium is
driven only by Tab, Shift+Tab, the arrow keys, Enter and Space. Each press that should change
something is checked on the view's own record of what it shows (``data-view``:
view|direction|area|from|to|lang|mode|meeting). Every focus stop must show a ring: a solid outline
at least 2 px wide with 3:1 contrast on white (WCAG 1.4.11), and pixels that really change
between focused and not focused (an outline clipped by its container would not).
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator

import pytest
from PIL import Image, ImageChops
from playwright.sync_api import Browser, Page, expect
from servers import ARTIFACTS, VIEWPORT, VoilaServer, running_voila, wait_for_page

from briefing import Settings
from briefing.config import BUNDLED_DATA

pytestmark = pytest.mark.browser

LOAD_TIMEOUT_MS = 40_000
#: A redraw with charts from a cold figure cache on a busy machine; only a hang takes longer.
STEP_TIMEOUT_MS = 60_000
#: Presses allowed to reach the next control (the bar has about a dozen stops).
MOST_PRESSES = 20

_FOCUS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) { return null; }
  const s = getComputedStyle(e), r = e.getBoundingClientRect();
  const label = e.getAttribute('aria-label') || (e.labels && e.labels[0] ? e.labels[0].innerText : '')
                || (e.innerText || '').trim();
  return {what: `${e.tagName} ${e.getAttribute('role') || ''} ${label.slice(0, 30)}`, label: label,
          role: e.getAttribute('role') || e.tagName.toLowerCase(),
          style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor,
          box: {x: r.x, y: r.y, width: r.width, height: r.height}};
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoilaServer]:
    data = tmp_path_factory.mktemp("served") / "data"
    shutil.copytree(BUNDLED_DATA, data)
    with running_voila(
        Settings(data_dir=data, kernel_pool=1),
        workdir=tmp_path_factory.mktemp("voila"),
        name="voila-keyboard",
    ) as running:
        yield running


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, locale="ja-JP", timezone_id="Asia/Tokyo")
    opened = context.new_page()
    yield opened
    (ARTIFACTS / "browser").mkdir(parents=True, exist_ok=True)
    opened.screenshot(path=ARTIFACTS / "browser" / "keyboard-last.png")
    context.close()


def _luminance(css: str) -> float:
    red, green, blue = (int(c) / 255 for c in re.findall(r"\d+(?:\.\d+)?", css)[:3])
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_on_white(css: str) -> float:
    return 1.05 / (_luminance(css) + 0.05)


class Keyboard:
    """Presses keys and checks the focus ring at every stop it passes."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.stops: list[str] = []
        self.unseen: list[str] = []

    def _shot(self, box: dict[str, float]) -> Image.Image:
        margin = 6
        clip = {
            "x": max(0, box["x"] - margin),
            "y": max(0, box["y"] - margin),
            "width": min(box["width"] + 2 * margin, VIEWPORT["width"] - max(0, box["x"] - margin)),
            "height": min(box["height"] + 2 * margin, 600),
        }
        return Image.open(io.BytesIO(self.page.screenshot(clip=clip))).convert("RGB")

    def check_ring(self) -> dict[str, object]:
        """The focused element's ring is wide, contrasting and really painted."""
        focus = self.page.evaluate(_FOCUS)
        assert focus is not None, f"focus left the dashboard after {self.stops[-3:]}"
        self.stops.append(str(focus["what"]))
        drawn = (
            focus["style"] not in ("none", "hidden")
            and float(focus["width"]) >= 2  # type: ignore[arg-type]
            and contrast_on_white(str(focus["color"])) >= 3
        )
        focused = self._shot(focus["box"])  # type: ignore[arg-type]
        self.page.evaluate("() => { window.mbFocused = document.activeElement; mbFocused.blur(); }")
        plain = self._shot(focus["box"])  # type: ignore[arg-type]
        self.page.evaluate("() => window.mbFocused.focus()")  # back where the keys left it
        histogram = ImageChops.difference(focused, plain).convert("L").histogram()
        changed = sum(histogram) - histogram[0]
        if not drawn or changed < 20:
            self.unseen.append(
                f"{focus['what']}: outline {focus['style']} {focus['width']}px {focus['color']}, "
                f"{changed} pixels change on focus"
            )
        return focus  # type: ignore[no-any-return]

    def to(
        self, label: str | re.Pattern[str], *, key: str = "Tab", role: str | None = None
    ) -> None:
        """Press ``key`` until the focused element is named ``label`` (and has ``role``)."""
        for _ in range(MOST_PRESSES):
            self.page.keyboard.press(key)
            focus = self.check_ring()
            name = " ".join(str(focus["label"]).replace("\u00a0", " ").split())
            matched = label.search(name) if isinstance(label, re.Pattern) else name == label
            if matched and (role is None or focus["role"] == role):
                return
        raise AssertionError(f"{label!r} not reached with {key}; stops: {self.stops}")

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)


def expect_view(page: Page, pattern: str) -> None:
    """The visible view's record matches ``pattern`` (a regular expression on data-view)."""
    view = page.locator("[data-view]").filter(visible=True)
    expect(view).to_have_attribute("data-view", re.compile(pattern), timeout=STEP_TIMEOUT_MS)


def test_every_control_works_from_the_keyboard_with_a_visible_focus_ring(
    page: Page, server: VoilaServer
) -> None:
    page.goto(server.url, timeout=LOAD_TIMEOUT_MS)
    wait_for_page(page, timeout_ms=LOAD_TIMEOUT_MS)
    expect_view(page, r"^overview\|0\|240001\|\|\|ja\|chart\|")
    keys = Keyboard(page)

    keys.to("取組方向")
    keys.press("ArrowDown")  # 全体 → 1
    expect_view(page, r"^overview\|1\|240001\|")
    keys.to("地域")
    keys.press("ArrowDown")  # 県全体 → ■ 北勢
    expect_view(page, r"^overview\|1\|hokusei\|\|\|")
    keys.to("開始年度", role="slider")
    keys.press("ArrowRight")  # one year later
    expect_view(page, r"^overview\|1\|hokusei\|2020\|\|")
    keys.to("終了年度", role="slider")
    keys.press("ArrowLeft")  # one year earlier
    expect_view(page, r"^overview\|1\|hokusei\|2020\|2024\|ja\|chart\|")

    keys.to("表")
    keys.press("Space")
    expect_view(page, r"\|ja\|table\|")
    expect(page.get_by_role("button", name="表", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.get_by_role("button", name="グラフ", exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )

    keys.to("概要", role="tab")  # only the selected tab is a stop; arrows move between tabs
    keys.press("ArrowRight")
    keys.check_ring()
    keys.press("Enter")
    expect_view(page, r"^direction\|1\|hokusei\|2020\|2024\|ja\|table\|")
    keys.press("ArrowRight")
    keys.check_ring()
    keys.press("Space")
    expect_view(page, r"^area\|1\|hokusei\|")
    keys.to(re.compile(r"^この表示を資料"), key="Shift+Tab")
    keys.press("Enter")
    download = re.compile(r"^ダウンロード: briefing-1-hokusei\.html")
    expect(page.get_by_role("link", name=download)).to_be_visible(timeout=STEP_TIMEOUT_MS)
    keys.to(download)  # the file, by keyboard too
    keys.to("English", key="Shift+Tab")
    keys.press("Enter")
    expect_view(page, r"^area\|1\|hokusei\|2020\|2024\|en\|table\|")
    expect(page).to_have_title("Mie Prefecture hikikomori support plan — progress dashboard")
    keys.to("Chart", key="Shift+Tab")
    keys.press("Enter")
    expect_view(page, r"^area\|1\|hokusei\|2020\|2024\|en\|chart\|")
    keys.to("Areas", role="tab")
    keys.press("ArrowRight")
    keys.check_ring()
    keys.press("Enter")
    expect_view(page, r"^survey\|1\|hokusei\|2020\|2024\|en\|chart\|")
    keys.to(re.compile(r"."), role="div")  # the view itself: a stop, so arrows scroll it

    assert keys.unseen == [], "focus stops without a visible ring"
    assert len(keys.stops) >= 15, keys.stops


def test_the_ring_check_can_fail() -> None:
    """The contrast rule tells the widgets' own pale ring from ours."""
    assert contrast_on_white("rgb(100, 181, 246)") < 3  # ipywidgets' 1px focus outline
    assert contrast_on_white("rgb(179, 89, 0)") >= 3
