"""Lighthouse (npm, mobile settings) on the published residents' site, against Debian's Chromium.

Builds the site with ``briefing publish`` into a temporary folder, serves it on 127.0.0.1 with
Python's own HTTP server (stopped at the end), runs Lighthouse on every page type in both
languages (top, about, the prefecture, a region, a municipality, each direction; ``--all``: every
page of the site) and prints the four category scores per page (performance, accessibility, best
practices, SEO; target ≥ 95 each), each page's lowest score, the lowest of each category and the
machine's load average before and after (Lighthouse's simulated timings grow with the load).
Results go to ``benchmarks/results/lighthouse-<time>.json`` and ``.md``. Not part of the test
suite: the scores depend on this machine's load.

    npm install --prefix .tools/lighthouse lighthouse@12.8.2   # once (Node 18.16 or later)
    .venv/bin/python -m benchmarks.lighthouse [--data DIR] [--runs N] [--all] [--page NAME ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from briefing import Settings, load_dataset
from briefing.render.site import publish_site

REPO = Path(__file__).resolve().parent.parent
LIGHTHOUSE = REPO / ".tools/lighthouse/node_modules/.bin/lighthouse"
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGET = 95
METRICS = (
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "speed-index",
    "cumulative-layout-shift",
)
#: One page of each type, in each language (the prefecture's page is the longest).
PAGE_TYPES = [
    "index.html",
    "about.html",
    "area-240001.html",
    "area-hokusei.html",
    "area-242080.html",
    *(f"direction-{n}.html" for n in range(1, 7)),
]
PAGES = [*PAGE_TYPES, *(f"en/{name}" for name in PAGE_TYPES)]


def scores(url: str, out: Path) -> dict[str, Any]:
    """One Lighthouse run (mobile, the default): the category scores, 0–100."""
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        check=True,
        timeout=300,
    )
    report = json.loads(out.read_text(encoding="utf-8"))
    result: dict[str, Any] = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
    failed = [
        a["id"]
        for a in report["audits"].values()
        if a.get("score") is not None and a["score"] < 0.9 and a.get("scoreDisplayMode") == "binary"
    ]
    result["failed"] = failed
    result["metrics"] = {  # what the performance score is made of (ms; CLS unitless)
        m: round(report["audits"][m]["numericValue"], 3)
        for m in METRICS
        if report["audits"].get(m, {}).get("numericValue") is not None
    }
    return result


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _table(results: dict[str, dict[str, Any]], before: str, after: str) -> str:
    """The scores per page with each page's lowest, then the lowest of each category."""
    lines = [
        f"load average (1, 5, 15 min) before: {before}; after: {after}",
        "",
        "| page | performance | accessibility | best practices | SEO | lowest | ≥ 95 |",
        "|---|---|---|---|---|---|---|",
    ]
    for page, r in results.items():
        low = min(r[c] for c in CATEGORIES)
        lines.append(
            f"| `{page}` | {r['performance']:g} | {r['accessibility']:g} | "
            f"{r['best-practices']:g} | {r['seo']:g} | {low:g} | {'はい' if low >= TARGET else 'いいえ'} |"
        )
    lows = {c: min(r[c] for r in results.values()) for c in CATEGORIES}
    met = sum(1 for r in results.values() if min(r[c] for c in CATEGORIES) >= TARGET)
    lines.append(
        f"| lowest of {len(results)} pages | {lows['performance']:g} | {lows['accessibility']:g} | "
        f"{lows['best-practices']:g} | {lows['seo']:g} | {min(lows.values()):g} | "
        f"{met}/{len(results)} |"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Settings().data_dir)
    parser.add_argument("--runs", type=int, default=1, help="runs per page (median)")
    parser.add_argument("--all", action="store_true", help="every page of the site (86 pages)")
    parser.add_argument("--page", action="append", help="only this page (e.g. en/about.html)")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks/results")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        print(
            f"{LIGHTHOUSE} がありません: npm install --prefix .tools/lighthouse lighthouse@12.8.2"
        )
        return 2
    before = _load()
    with tempfile.TemporaryDirectory(prefix="site-") as folder:
        site = Path(folder)
        publish_site(load_dataset(args.data), site)
        pages = args.page or PAGES
        if args.all:
            pages = sorted(str(p.relative_to(site)) for p in site.rglob("*.html"))
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            base = f"http://127.0.0.1:{server.server_address[1]}/"
            results: dict[str, dict[str, Any]] = {}
            for page in pages:
                runs = [scores(base + page, site / f"report-{n}.json") for n in range(args.runs)]
                results[page] = {c: statistics.median(r[c] for r in runs) for c in CATEGORIES} | {
                    "failed": sorted({a for r in runs for a in r["failed"]}),
                    "metrics": {
                        m: statistics.median(r["metrics"][m] for r in runs)
                        for m in runs[0]["metrics"]
                    },
                }
                print(page, results[page], file=sys.stderr, flush=True)
        finally:
            server.shutdown()
            server.server_close()
    table = _table(results, before, _load())
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (args.out / f"lighthouse-{stamp}.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    (args.out / f"lighthouse-{stamp}.md").write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
