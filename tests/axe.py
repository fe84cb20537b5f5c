"""axe-core (Deque's WCAG rule engine, from npm into ``.tools/``) run inside a page in Chromium.

``check(page, states)`` runs the WCAG 2.0/2.1 A and AA rules — the level JIS X 8341-3:2016 AA asks
of public bodies' pages — in every state (a page opened, a tab chosen, a width set) and returns one
line per violation and element, so a failing test says what and where.

Colour contrast is nine tenths of axe's time (about 1 s a page here, 0.1 s for all the other rules
together), and what it checks depends only on how text is styled: its colour, size and weight and
the backgrounds and opacity of it and every element around it. So every rule but contrast runs in
every state, and contrast in the fewest states that together show every text style any state shows
(``text_styles``, ``covering``); on the residents' site that is 3 of its 43 pages per language.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar

from conftest import unavailable

AXE = Path(__file__).resolve().parent.parent / ".tools/node_modules/axe-core/axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CONTRAST = "color-contrast"
K = TypeVar("K", bound=Hashable)

#: Each visible piece of text (and form control) as what decides its contrast: its colour, fill,
#: size, weight and shadow, then for it and each element around it the tag, classes, background
#: and opacity.
_TEXT_STYLES = """() => {
  const part = e => { const s = getComputedStyle(e);
    return [e.tagName, e.getAttribute('class') || '', s.backgroundColor, s.backgroundImage,
            s.opacity].join(' '); };
  const seen = new Set();
  for (const e of document.body.querySelectorAll('*')) {
    const text = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
      || e.matches('input, select, textarea');
    if (!text || !e.checkVisibility()) continue;
    const s = getComputedStyle(e);
    const chain = [];
    for (let a = e; a; a = a.parentElement) chain.push(part(a));
    seen.add([s.color, s.fill, s.fontSize, s.fontWeight, s.textShadow, ...chain].join('|'));
  }
  return [...seen];
}"""


def violations(page: Any, rules: Literal["contrast", "others"]) -> list[str]:
    """The WCAG A/AA violations axe-core finds in ``page`` (a Playwright page), one per node:
    of colour contrast alone, or of every rule but colour contrast."""
    if page.evaluate("typeof window.axe") == "undefined":
        page.add_script_tag(content=_source())
    options = {
        "runOnly": (
            {"type": "rule", "values": [CONTRAST]}
            if rules == "contrast"
            else {"type": "tag", "values": TAGS}
        ),
        # only violations are read: axe then skips working out selectors for every passing node
        "resultTypes": ["violations"],
        "rules": {CONTRAST: {"enabled": rules == "contrast"}},
    }
    found = page.evaluate(
        "options => axe.run(document, options)"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ') + ' ' + n.failureSummary)})))",
        options,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {node}" for v in found for node in v["nodes"]
    ]


def preload(context: Any) -> None:
    """axe in every document ``context`` (a Playwright browser context) opens from now on, as the
    browser builds the page: sending its 0.5 MB to each page took longer than running every rule
    but contrast (0.23 s against 0.16 s a page of the residents' site)."""
    context.add_init_script(script=_source())


@cache
def _source() -> str:
    if not AXE.exists():
        unavailable("axe-core is not installed (./run.sh test installs it into .tools/)")
    return AXE.read_text(encoding="utf-8")


def opened(page: Any, path: Path) -> None:
    """``page`` showing the file at ``path``, as a browser opens it from a folder or USB stick."""
    page.goto(path.as_uri(), wait_until="load")


def text_styles(page: Any) -> frozenset[str]:
    """What decides the contrast of each visible text in ``page``, one string per distinct style."""
    return frozenset(page.evaluate(_TEXT_STYLES))


def covering(styles: Mapping[K, frozenset[str]]) -> list[K]:
    """Few states whose text styles together are every state's (greedy: most new styles first)."""
    left = frozenset().union(*styles.values())
    chosen: list[K] = []
    while left:
        best = max(styles, key=lambda key: len(styles[key] & left))
        chosen.append(best)
        left -= styles[best]
    return chosen


def check(page: Any, states: Mapping[K, Callable[[], None]]) -> dict[K, list[str]]:
    """Every rule in every state, colour contrast in the states that show every text style.

    Each state's callable brings ``page`` to it (opens a file, picks a tab, sets a width) and must
    do so again when called a second time.
    """
    found: dict[K, list[str]] = {}
    styles: dict[K, frozenset[str]] = {}
    for key, enter in states.items():
        enter()
        found[key] = violations(page, "others")
        styles[key] = text_styles(page)
    for key in covering(styles):
        states[key]()
        found[key] += violations(page, "contrast")
    return found
