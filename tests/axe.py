"""axe-core (Deque's WCAG rule engine, from npm into ``.tools/``) run inside a page in Chromium.

``violations(page)`` injects ``axe.min.js`` with Playwright and runs the WCAG 2.0/2.1 A and AA
rules — the level JIS X 8341-3:2016 AA asks of public bodies' pages — and returns one line per
violation and element, so a failing test says what and where.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import unavailable

AXE = Path(__file__).resolve().parent.parent / ".tools/node_modules/axe-core/axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page: Any) -> list[str]:
    """The WCAG A/AA violations axe-core finds in ``page`` (a Playwright page), one per node."""
    if not AXE.exists():
        unavailable("axe-core is not installed (./run.sh test installs it into .tools/)")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        # only violations are read: axe then skips working out selectors for every passing node
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ') + ' ' + n.failureSummary)})))",
        TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {node}" for v in found for node in v["nodes"]
    ]
