"""Debian's Chromium through Playwright: page loads, filter changes and their timing in the page."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from typing import Any

from briefing.content.filters import Filters
from briefing.data.areas import PREFECTURE

from .common import CHROMIUM, CHROMIUM_ARGS, PRESET_AREA, PRESET_DIRECTION, VIEWPORT

# Stamps the first user action (change, click, key) after __mbActAt was reset to null.
INIT_JS = """
window.__mbActAt = null;
window.__mbLog = [];
for (const type of ['input', 'change', 'pointerdown', 'mousedown', 'click', 'keydown']) {
  document.addEventListener(type, () => {
    if (window.__mbActAt === null) window.__mbActAt = performance.now();
    if (window.__mbFirstAct === undefined) window.__mbFirstAct = performance.now();
  }, true);
}
new MutationObserver((records) => {
  for (const record of records) for (const node of record.addedNodes) {
    if (node.nodeType !== 1) continue;
    const views = node.matches('[data-view]') ? [node] : [...node.querySelectorAll('[data-view]')];
    for (const view of views) window.__mbLog.push([Math.round(performance.now()), view.dataset.view]);
  }
}).observe(document, {childList: true, subtree: true});
"""

# Ready: the view with the expected data-view key is in the page and all its images decoded;
# with `page` also the filter selects present and enabled. Voilà's failure output ends the wait.
VOILA_FAILED_JS = """
() => {
  const pattern = /Cell execution timed out|There was an error when executing cell|Traceback/;
  for (const output of document.querySelectorAll('.jp-OutputArea-output')) {
    if (output.querySelector('.mb-dashboard, .widget-dropdown')) continue;
    const found = (output.textContent || '').match(pattern);
    if (found) return found[0];
  }
  return null;
}
"""

READY_JS = """
([key, page]) => {
  const view = document.querySelector(`.mb-dashboard [data-view="${key}"]`);
  if (!view) {
    if (page && !document.querySelector('.mb-dashboard')) {
      const failed = (__FAILED__)();
      if (failed) return {failed};
    }
    return false;
  }
  for (const img of view.querySelectorAll('img')) if (!img.complete || img.naturalWidth === 0) return false;
  if (page) {
    const selects = document.querySelectorAll('.mb-filterbar select');
    if (selects.length < 2) return false;
    for (const s of selects) if (s.disabled) return false;
  }
  return {at: performance.now()};
}
""".replace("__FAILED__", VOILA_FAILED_JS.strip())

BARE_READY_JS = """
() => {
  const select = document.querySelector('.bare-dropdown select');
  const img = document.querySelector('img[src^="data:image/png"]');
  if (!select || select.disabled || !img || !img.complete || img.naturalWidth === 0) {
    const failed = (__FAILED__)();
    return failed ? {failed} : false;
  }
  return {at: performance.now()};
}
""".replace("__FAILED__", VOILA_FAILED_JS.strip())


def view_key(
    view: str,
    direction: int,
    area: str,
    fy_from: int | None = None,
    fy_to: int | None = None,
    lang: str = "ja",
    mode: str = "chart",
) -> str:
    """The ``data-view`` of the view the dashboard shows for these filters, once it is drawn."""
    filters = Filters(
        direction=direction or None, area=area, fy_from=fy_from, fy_to=fy_to, lang=lang
    )
    return filters.key(view, mode)


@dataclass(frozen=True)
class State:
    view: str = "overview"
    direction: int = 0
    area: str = PREFECTURE
    year_lo: int = 0  # index into the slider's years (0 = first year: no "from" in the key)
    year_hi: int = -1  # -1 = last year

    def key(self, years: list[int]) -> str:
        lo = years[self.year_lo] if self.year_lo > 0 else None
        hi = years[self.year_hi] if self.year_hi not in (-1, len(years) - 1) else None
        return view_key(self.view, self.direction, self.area, lo, hi)


@dataclass(frozen=True)
class Step:
    kind: str  # direction | area | years | tab
    value: Any  # direction number, area code, +1/-1 (lower year handle), view name
    key: str
    fresh: bool  # the view was never shown before in this run (its charts never drawn)


def apply(state: State, kind: str, value: Any) -> State:
    if kind == "direction":
        return State(state.view, value, state.area, state.year_lo, state.year_hi)
    if kind == "area":
        return State(state.view, state.direction, value, state.year_lo, state.year_hi)
    if kind == "years":
        return State(state.view, state.direction, state.area, state.year_lo + value, state.year_hi)
    if kind == "tab":
        return State(value, state.direction, state.area, state.year_lo, state.year_hi)
    raise ValueError(kind)


def change_plan(areas: list[str], years: list[int], n_new: int, n_back: int) -> list[Step]:
    """A walk of single-control changes: first ``n_new`` to views never shown, then ``n_back`` back.

    New: direction 1 on the overview, the 取組方向 tab, then directions × areas in a serpentine (each
    area with every direction), two steps of the lower year handle. Back: the two year steps
    undone, then alternating area and direction changes among the combinations already shown.
    """
    state = State()
    seen = {state.key(years)}
    steps: list[Step] = []

    def go(kind: str, value: Any) -> None:
        nonlocal state
        state = apply(state, kind, value)
        key = state.key(years)
        steps.append(Step(kind, value, key, key not in seen))
        seen.add(key)

    go("direction", 1)
    go("tab", "direction")
    year_steps = 2 if n_new >= 8 else 0
    block = 0
    while len(steps) < n_new - year_steps:
        if block > 0:
            go("area", areas[block % len(areas)])
        order = range(1, 7) if state.direction <= 1 else range(6, 0, -1)
        for d in order:
            if len(steps) >= n_new - year_steps:
                break
            if d != state.direction:
                go("direction", d)
        block += 1
    for _ in range(year_steps):
        go("years", +1)
    for _ in range(year_steps):
        go("years", -1)
    turn = 0
    while len([s for s in steps if not s.fresh]) < n_back:
        kinds = ("area", "direction") if turn % 2 == 0 else ("direction", "area")
        moved = False
        for kind in kinds:
            values = areas if kind == "area" else list(range(1, 7))
            rotated = values[turn % len(values) :] + values[: turn % len(values)]
            for value in rotated:
                candidate = apply(state, kind, value)
                if candidate != state and candidate.key(years) in seen:
                    go(kind, value)
                    moved = True
                    break
            if moved:
                break
        turn += 1
        if not moved and turn > 1000:
            break
    return steps


def viewer_plan(areas: list[str], years: list[int], index: int, count: int) -> list[Step]:
    """Five-ish changes of one concurrent viewer: direction, tab, area, direction, area."""
    state = State()
    seen = {state.key(years)}
    regions = areas[1:6]
    actions = [
        ("direction", index % 6 + 1),
        ("tab", "direction"),
        ("area", regions[index % len(regions)]),
        ("direction", (index + 1) % 6 + 1),
        ("area", PREFECTURE),
    ]
    steps = []
    for kind, value in (actions * (count // len(actions) + 1))[:count]:
        state = apply(state, kind, value)
        key = state.key(years)
        steps.append(Step(kind, value, key, key not in seen))
        seen.add(key)
    return steps


class Browser:
    """Debian's Chromium through Playwright's async API; pages get INIT_JS and a fixed viewport."""

    def __init__(self) -> None:
        self.playwright: Any = None
        self.browser: Any = None
        self.version = ""

    async def __aenter__(self) -> Browser:
        from playwright.async_api import async_playwright

        self.playwright = await async_playwright().start()
        self.browser = await self.playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        self.version = self.browser.version
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            if self.browser is not None:
                await asyncio.wait_for(self.browser.close(), 30)
        finally:
            if self.playwright is not None:
                await self.playwright.stop()

    async def page(self) -> tuple[Any, Any]:
        context = await self.browser.new_context(
            viewport=VIEWPORT, locale="ja-JP", timezone_id="Asia/Tokyo"
        )
        await context.add_init_script(INIT_JS)
        return context, await context.new_page()


async def open_dashboard(
    page: Any, url: str, *, timeout: float, bare: bool = False, polling: Any = "raf"
) -> tuple[float | None, str | None]:
    """Seconds from navigation to interactive, or (None, reason).

    A page whose kernel is gone (HTTP 4xx/5xx on /api/kernels/…, e.g. culled before the page
    connected) or that shows Voilà's failure output fails at once instead of at the timeout.
    """
    from playwright.async_api import Error as PlaywrightError

    gone: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def on_response(response: Any) -> None:
        if response.status >= 400 and "/api/kernels/" in response.url and not gone.done():
            gone.set_result(
                f"kernel gone: HTTP {response.status} for {response.url.split('?')[0].rsplit('/', 2)[-2:]}"
            )

    page.on("response", on_response)
    start = time.perf_counter()
    try:
        await page.goto(url, wait_until="commit", timeout=timeout * 1000)
        left = max(1.0, timeout - (time.perf_counter() - start))
        if bare:
            waiting = page.wait_for_function(BARE_READY_JS, polling=polling, timeout=left * 1000)
        else:
            key = view_key("overview", PRESET_DIRECTION, PRESET_AREA)
            waiting = page.wait_for_function(
                READY_JS, arg=[key, True], polling=polling, timeout=left * 1000
            )
        ready = asyncio.ensure_future(waiting)
        done, _ = await asyncio.wait({ready, gone}, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            try:
                await ready
            except (asyncio.CancelledError, PlaywrightError):
                pass
            return None, gone.result()
        result = await (await ready).json_value()
    except PlaywrightError as error:
        return None, "timeout" if "Timeout" in str(error) else str(error).splitlines()[0][:200]
    finally:
        page.remove_listener("response", on_response)
    elapsed = time.perf_counter() - start
    if "failed" in result:
        return None, result["failed"]
    return elapsed, None


async def area_index(page: Any, name: str) -> int:
    texts = (
        await page.locator(".mb-filterbar select")
        .nth(1)
        .evaluate("s => [...s.options].map(o => o.textContent)")
    )
    cleaned = [re.sub(r"[\s\u00a0\u3000■]+", "", t) for t in texts]
    return cleaned.index(name)


async def make_change(
    page: Any, step: Step, *, area_names: dict[str, str], timeout: float, polling: Any = "raf"
) -> tuple[float | None, str | None]:
    """Milliseconds from the user's action (first event in the page) to the view drawn, images loaded."""
    from playwright.async_api import Error as PlaywrightError

    try:
        await page.evaluate("window.__mbActAt = null")
        start = time.perf_counter()
        selects = page.locator(".mb-filterbar select")
        if step.kind == "direction":
            await selects.nth(0).select_option(index=int(step.value), timeout=timeout * 1000)
        elif step.kind == "area":
            await selects.nth(1).select_option(
                index=await area_index(page, area_names[step.value]), timeout=timeout * 1000
            )
        elif step.kind == "tab":
            name = {
                "overview": "概要",
                "direction": "取組方向",
                "area": "地域比較",
                "survey": "調査（目標）",
            }[step.value]
            await page.get_by_role("tab", name=name).click(timeout=timeout * 1000)
        elif step.kind == "years":
            await page.locator(".mb-filterbar .noUi-handle-lower").press(
                "ArrowRight" if step.value > 0 else "ArrowLeft", timeout=timeout * 1000
            )
        left = max(1.0, timeout - (time.perf_counter() - start))
        handle = await page.wait_for_function(
            READY_JS, arg=[step.key, False], polling=polling, timeout=left * 1000
        )
        result = await handle.json_value()
        python_ms = (time.perf_counter() - start) * 1000
        acted = await page.evaluate("window.__mbActAt")
    except PlaywrightError as error:
        shown: Any = []
        try:
            shown = await page.evaluate(
                "(home) => [[...document.querySelectorAll('[data-view]')].map(e => e.dataset.view), window.__mbLog.slice(-12),"
                " window.__mbLog.some(([ms, key]) => key === home && ms > (window.__mbFirstAct ?? 1e12))]",
                view_key("overview", PRESET_DIRECTION, PRESET_AREA),
            )
        except PlaywrightError:
            pass
        reason = "timeout" if "Timeout" in str(error) else str(error).splitlines()[0][:200]
        if shown and shown[2]:
            reason = (
                "RESET: "
                + reason
                + " (the page went back to the default view after the user's first change)"
            )
        return (
            None,
            f"{reason} waiting for {step.key}; views in page, and the last views drawn [ms, key]: {shown[:2]}",
        )
    if "failed" in result:
        return None, result["failed"]
    return (result["at"] - acted if acted is not None else python_ms), None
