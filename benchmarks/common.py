"""Paths, constants and the run's log shared by every part of the benchmark."""

from __future__ import annotations

import os
import re
import statistics
import time
from pathlib import Path

from briefing.data.areas import PREFECTURE

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

BARE = HERE / "bare.ipynb"
RESULTS = HERE / "results"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 1600}
CACHE_NAME = "mie-briefing-figures"  # Settings.cache_dir is <tempdir>/mie-briefing-figures
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
VOILA_FAILURE = re.compile(
    r"Cell execution timed out|There was an error when executing cell|Traceback"
)
#: The view a page without a query opens: 全体 (direction 0), 県全体.
PRESET_DIRECTION, PRESET_AREA = 0, PREFECTURE
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
T_START = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - T_START:6.1f}s] {message}", flush=True)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None
