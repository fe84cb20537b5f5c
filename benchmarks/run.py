"""Benchmark of the committee dashboard and the export, on the machine it runs on.

Starts everything itself (Voilà exactly as ``briefing serve`` does, through ``voila_command`` and
``voila_environment``; Debian's Chromium through Playwright; ``briefing export`` and ``jupyter
nbconvert`` as subprocesses), measures, and writes ``benchmarks/results/bench-<time>.json`` and
``.md`` (a table: measure | target | measured | met). See benchmarks/README.md.

    python benchmarks/run.py            # full run (1× and 10× data, 15 viewers), < 10 min
    python benchmarks/run.py --quick    # fewer repetitions, no 10× data

Not part of the test suite. Every wait is bounded; every server and browser started here is
stopped in a ``finally`` block (Voilà in its own process group, its kernels by their connection
files, which lie in this run's private directory).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from briefing.config import BUNDLED_DATA, DATA_ENV, Settings  # noqa: E402
from briefing.server import DASHBOARD, voila_command, voila_environment  # noqa: E402

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
PRESETS = {"direction": 0, "area": "240001"}  # the page without query: 全体, 県全体
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
T_START = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - T_START:6.1f}s] {message}", flush=True)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


# ---- the bare notebook ------------------------------------------------------------------------

BARE_CELLS = [
    "# Bare Voilà notebook for the benchmark: one dropdown and one matplotlib chart\n"
    "import io\n\n"
    "import ipywidgets as w\n"
    "import matplotlib\n\n"
    'matplotlib.use("agg")\n'
    "import matplotlib.pyplot as plt\n"
    "from IPython.display import Image, display",
    "fig, ax = plt.subplots(figsize=(6.4, 3.2))\n"
    'ax.plot([2019, 2020, 2021, 2022, 2023, 2024, 2025], [3, 5, 4, 6, 7, 6, 8], marker="o")\n'
    "buffer = io.BytesIO()\n"
    'fig.savefig(buffer, format="png", dpi=100)\n'
    "plt.close(fig)\n"
    "display(Image(buffer.getvalue()))",
    'dropdown = w.Dropdown(options=[("全体", 0), ("1", 1), ("2", 2)], description="取組方向")\n'
    'dropdown.add_class("bare-dropdown")\n'
    "dropdown",
]


def ensure_bare_notebook() -> None:
    if BARE.exists():
        return
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"bare-{i}",
                "metadata": {},
                "outputs": [],
                "source": source.splitlines(keepends=True),
            }
            for i, source in enumerate(BARE_CELLS)
        ],
        "metadata": {
            "kernelspec": {
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
                "name": "python3",
            },
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    BARE.write_text(json.dumps(notebook, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# ---- processes (/proc) ------------------------------------------------------------------------


@dataclass
class Proc:
    pid: int
    ppid: int
    ticks: int  # utime + stime
    rss: int  # bytes
    cmdline: bytes
    child_ticks: int = 0  # cutime + cstime: children already reaped


def processes() -> dict[int, Proc]:
    found: dict[int, Proc] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
            with open(f"/proc/{entry.name}/cmdline", "rb") as handle:
                cmdline = handle.read()
        except OSError:
            continue
        fields = stat.rsplit(b")", 1)[1].split()
        # fields[0] is the state (field 3); utime/stime are fields 14/15, rss field 24
        found[int(entry.name)] = Proc(
            int(entry.name),
            int(fields[1]),
            int(fields[11]) + int(fields[12]),
            int(fields[21]) * PAGE_SIZE,
            cmdline,
            int(fields[13]) + int(fields[14]),
        )
    return found


def tree(root: int, table: dict[int, Proc] | None = None) -> list[Proc]:
    """``root`` and all its descendants."""
    table = table if table is not None else processes()
    children: dict[int, list[int]] = {}
    for proc in table.values():
        children.setdefault(proc.ppid, []).append(proc.pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            out.append(table[pid])
        todo.extend(children.get(pid, []))
    return out


def kernel_pids(parent: int, table: dict[int, Proc] | None = None) -> list[int]:
    table = table if table is not None else processes()
    return [
        p.pid for p in table.values() if p.ppid == parent and b"ipykernel_launcher" in p.cmdline
    ]


def wait_idle(
    root: int, *, timeout: float = 30.0, busy_share: float = 0.10, quiet_samples: int = 2
) -> float:
    """Wait until ``root`` and its descendants use < ``busy_share`` of one core; returns seconds waited."""
    start = time.monotonic()
    last = sum(p.ticks for p in tree(root))
    quiet = 0
    while time.monotonic() - start < timeout:
        time.sleep(0.25)
        now = sum(p.ticks for p in tree(root))
        quiet = quiet + 1 if (now - last) <= busy_share * 0.25 * CLK_TCK else 0
        last = now
        if quiet >= quiet_samples:
            break
    return time.monotonic() - start


def machine_busy_ticks() -> int:
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    return sum(values) - values[3] - values[4]  # all but idle and iowait


class PhaseLoad:
    """How much of the machine's CPU others used during a phase (the machine is shared)."""

    def __init__(self) -> None:
        self.start = (time.monotonic(), machine_busy_ticks(), self._ours())

    @staticmethod
    def _ours() -> int:
        return sum(p.ticks + p.child_ticks for p in tree(os.getpid()))

    def stop(self) -> dict[str, float]:
        wall = time.monotonic() - self.start[0]
        busy = (machine_busy_ticks() - self.start[1]) / CLK_TCK
        ours = (self._ours() - self.start[2]) / CLK_TCK
        capacity = wall * len(os.sched_getaffinity(0))
        return {
            "wall_s": round(wall, 1),
            "our_cpu_s": round(ours, 1),
            "others_cpu_s": round(max(0.0, busy - ours), 1),
            "others_share": round(max(0.0, busy - ours) / capacity, 2) if capacity else 0.0,
        }


class Sampler(threading.Thread):
    """Every 0.5 s: RSS of ``root`` and all its descendants (the Voilà process and its kernels),
    and CPU time by kind of process (Voilà, its kernels, this run's Chromium, everything else)."""

    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root = root
        self.peak_rss = 0
        self.peak_kernels = 0
        self.samples = 0
        self._stop_event = threading.Event()
        self._first: dict[int, int] = {}
        self._last: dict[int, int] = {}
        self._kind: dict[int, str] = {}
        self._start_ticks = {p.pid: p.ticks for p in processes().values()}
        self._busy = [machine_busy_ticks(), 0]
        self._wall = [time.monotonic(), 0.0]

    def run(self) -> None:
        while not self._stop_event.is_set():
            self._sample()
            self._stop_event.wait(0.5)
        self._sample()
        self._busy[1] = machine_busy_ticks()
        self._wall[1] = time.monotonic()

    def _sample(self) -> None:
        table = processes()
        served = tree(self.root, table)
        self.peak_rss = max(self.peak_rss, sum(p.rss for p in served))
        self.peak_kernels = max(self.peak_kernels, len(kernel_pids(self.root, table)))
        self.samples += 1
        seen = set()
        for proc in served:
            seen.add(proc.pid)
            kind = (
                "voila server"
                if proc.pid == self.root
                else ("kernels" if b"ipykernel_launcher" in proc.cmdline else "voila other")
            )
            self._note(proc, kind)
        for proc in tree(os.getpid(), table):
            if proc.pid not in seen and proc.pid != self.root:
                self._note(
                    proc, "chromium" if b"chrom" in proc.cmdline else "benchmark + playwright"
                )

    def _note(self, proc: Proc, kind: str) -> None:
        self._first.setdefault(proc.pid, self._start_ticks.get(proc.pid, 0))
        self._last[proc.pid] = proc.ticks
        self._kind[proc.pid] = kind

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=10)

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds used during the sampling, by kind; 'rest of the machine' is everyone else."""
        out: dict[str, float] = {}
        for pid, kind in self._kind.items():
            out[kind] = out.get(kind, 0.0) + (self._last[pid] - self._first[pid]) / CLK_TCK
        total = (self._busy[1] - self._busy[0]) / CLK_TCK
        out["rest of the machine"] = max(0.0, total - sum(out.values()))
        out["wall seconds"] = self._wall[1] - self._wall[0]
        out["cpu capacity (wall × CPUs)"] = out["wall seconds"] * len(os.sched_getaffinity(0))
        return {k: round(v, 1) for k, v in out.items()}


# ---- Voilà servers ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Voila:
    """One Voilà server started as ``briefing serve`` starts it (plus private Jupyter/temp dirs)."""

    def __init__(self, name: str, settings: Settings, *, notebook: Path, work: Path, tmpdir: Path):
        self.name = name
        self.settings = settings.with_(port=free_port(), host="127.0.0.1")
        self.notebook = notebook
        self.private = work / f"voila-{name}"
        self.tmpdir = tmpdir
        self.log_path = work / f"voila-{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def pool_fills(self) -> int:
        return self.log_text().count("Kernel pool of")

    def culled_before_connect(self) -> list[str]:
        """Pre-heated kernels handed to a page and culled before the page's websocket connected."""
        used: set[str] = set()
        connected: set[str] = set()
        culled = []
        for line in self.log_text().splitlines():
            if found := re.search(r"Using pre-heated kernel: (\S+)", line):
                used.add(found.group(1))
            elif found := re.search(r"Connecting to kernel (\S+?)\.?$", line):
                connected.add(found.group(1))
            elif found := re.search(r"Culling 'idle' kernel .*?\(([0-9a-f-]+)\)", line):
                if found.group(1) in used and found.group(1) not in connected:
                    culled.append(found.group(1))
        return culled

    def stalls(self) -> int:
        """Executions that ran into Voilà's execution timeout."""
        return self.log_text().count("Timeout waiting for")

    def start(self, timeout: float = 180) -> None:
        self.launch()
        self.wait_ready(timeout)

    def launch(self) -> None:
        env = voila_environment(self.settings)
        for variable, folder in (
            ("JUPYTER_DATA_DIR", "data"),
            ("JUPYTER_RUNTIME_DIR", "runtime"),
            ("IPYTHONDIR", "ipython"),
        ):
            (self.private / folder).mkdir(parents=True, exist_ok=True)
            env[variable] = str(self.private / folder)
        # the kernels' tempfile.gettempdir(): Settings.cache_dir (the shared figure cache) lives here
        env["TMPDIR"] = str(self.tmpdir)
        command = voila_command(self.settings, notebook=self.notebook)
        with self.log_path.open("wb") as out:
            self.process = subprocess.Popen(
                command,
                env=env,
                cwd=REPO,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 180) -> None:
        """Until Voilà answers and its kernel pool is filled (and the server is idle again)."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        pool = self.settings.kernel_pool
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"Voilà {self.name} exited ({self.process.returncode}):\n{self.log_text()[-2000:]}"
                )
            found = re.search(r"Voilà is running at:\s*(http://\S+?/)\s", self.log_text())
            if found and (pool == 0 or self.pool_fills() >= 1):
                self.url = found.group(1)
                wait_idle(self.pid, timeout=30)
                return
            time.sleep(0.2)
        raise TimeoutError(
            f"Voilà {self.name} not ready within {timeout:.0f} s:\n{self.log_text()[-2000:]}"
        )

    def kernels(self) -> int:
        return len(kernel_pids(self.pid)) if self.process else 0

    def stop(self) -> None:
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait(timeout=10)
        # kernels run in sessions of their own: find them by their connection files (our private dir)
        marker = str(self.private).encode()
        for proc in processes().values():
            if b"ipykernel_launcher" in proc.cmdline and marker in proc.cmdline:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        self.process = None


@contextmanager
def servers(*made: Voila) -> Iterator[tuple[Voila, ...]]:
    try:
        for server in made:
            log(
                f"starting Voilà {server.name} (pool {server.settings.kernel_pool}, data {server.settings.data_dir.name})"
            )
            server.launch()
        for server in made:
            server.wait_ready()
        yield made
    finally:
        for server in made:
            server.stop()


def wait_refilled(server: Voila, fills_before: int, *, timeout: float = 60) -> None:
    """After a page took a preheated kernel: wait until the pool is full again and the server idle."""
    if server.settings.kernel_pool > 0:
        deadline = time.monotonic() + timeout
        while server.pool_fills() <= fills_before and time.monotonic() < deadline:
            time.sleep(0.2)
    wait_idle(server.pid, timeout=30)


# ---- the browser ------------------------------------------------------------------------------

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
    return "|".join(str(x) for x in (view, direction, area, fy_from or "", fy_to or "", lang, mode))


@dataclass(frozen=True)
class State:
    view: str = "overview"
    direction: int = 0
    area: str = "240001"
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
        ("area", "240001"),
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
            key = view_key("overview", PRESETS["direction"], PRESETS["area"])
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
                view_key("overview", PRESETS["direction"], PRESETS["area"]),
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


# ---- phases -----------------------------------------------------------------------------------


@dataclass
class Context:
    args: argparse.Namespace
    work: Path
    tmpdir: (
        Path  # TMPDIR of every server and export: the figure cache is tmpdir/mie-briefing-figures
    )
    settings: Settings
    notes: list[str] = field(default_factory=list)

    @property
    def cache_dir(self) -> Path:
        return self.tmpdir / CACHE_NAME

    def clear_cache(self) -> None:
        shutil.rmtree(self.cache_dir, ignore_errors=True)


def dataset_facts(data_dir: Path) -> tuple[list[str], list[int], dict[str, str], dict[str, int]]:
    from briefing.data.dataset import load_dataset

    ds = load_dataset(data_dir)
    preferred = ["240001", "hokusei", "higashikishu", "242012", "chusei", "iga", "nansei"]
    codes = [str(c) for c in ds.areas.index]
    areas = [c for c in preferred if c in codes] + [c for c in codes if c not in preferred]
    years = sorted(int(y) for y in ds.history["fy"].unique())
    names = {str(c): str(ds.areas.at[c, "name_ja"]) for c in ds.areas.index}
    size = {
        "history_rows": len(ds.history),
        "surveys_rows": len(ds.surveys) if hasattr(ds, "surveys") else 0,
        "years": len(years),
    }
    return areas, years, names, size


async def measure_pages(
    ctx: Context, datasets: list[tuple[str, Path]]
) -> dict[str, dict[str, Any]]:
    """Phases 1 + 2 for every data size at once: page loads, then a walk of filter changes.

    One dashboard server per data size and one for the bare notebook run side by side; loads go
    round the servers in turn, and the walks on the data sizes alternate step by step, so a busy
    spell on the (shared) machine hits every figure alike rather than one data size.
    """
    args = ctx.args
    dashes = [
        Voila(
            f"dashboard-{label}",
            ctx.settings.with_(data_dir=data_dir),
            notebook=DASHBOARD,
            work=ctx.work,
            tmpdir=ctx.tmpdir,
        )
        for label, data_dir in datasets
    ]
    bare = Voila(
        "bare",
        ctx.settings.with_(data_dir=datasets[0][1]),
        notebook=BARE,
        work=ctx.work,
        tmpdir=ctx.tmpdir,
    )
    made = [*dashes, bare]
    facts = {label: dataset_facts(data_dir) for label, data_dir in datasets}
    out: dict[str, dict[str, Any]] = {label: {} for label, _ in datasets}
    walks: dict[str, list[dict[str, Any]]] = {label: [] for label, _ in datasets}
    with servers(*made):
        async with Browser() as browser:
            loads: dict[str, list[float]] = {s.name: [] for s in made}
            failures: dict[str, list[str]] = {s.name: [] for s in made}
            warmups: dict[str, float | str | None] = {}

            async def load(server: Voila) -> tuple[float | None, str | None]:
                fills = server.pool_fills()
                context, page = await browser.page()
                try:
                    result = await open_dashboard(page, server.url, timeout=30, bare=server is bare)
                finally:
                    await context.close()
                await asyncio.to_thread(wait_refilled, server, fills)
                return result

            log(
                f"one warm-up load, then {args.loads} measured page loads each of {', '.join(s.name for s in made)}, in turn"
            )
            for server in made:  # the first page of a server pays one-off costs (templates, files)
                seconds, error = await load(server)
                warmups[server.name] = seconds if seconds is not None else error
            attempts = 0
            # failed loads are retried, up to 2 more per server, so the median has `loads` values
            while attempts < args.loads + 2 and any(len(loads[s.name]) < args.loads for s in made):
                order = made[attempts % len(made) :] + made[: attempts % len(made)]
                for server in order:
                    if len(loads[server.name]) >= args.loads:
                        continue
                    seconds, error = await load(server)
                    if seconds is None:
                        failures[server.name].append(error or "?")
                        log(f"{server.name}: load failed: {error}")
                    else:
                        loads[server.name].append(seconds)
                attempts += 1
            for (label, _), dash in zip(datasets, dashes, strict=True):
                tti = out[label]["tti"] = {
                    "dashboard_s": loads[dash.name],
                    "dashboard_median_s": median(loads[dash.name]),
                    "dashboard_failed": failures[dash.name],
                    "dashboard_warmup": warmups[dash.name],
                    "how": "fresh browser context per load, after one warm-up load per server; the pool is refilled and the server idle before each load; from page.goto to the overview's data-view element present and both selects enabled",
                }
                if dash is dashes[0]:
                    tti.update(
                        bare_s=loads[bare.name],
                        bare_median_s=median(loads[bare.name]),
                        bare_failed=failures[bare.name],
                        bare_warmup=warmups[bare.name],
                    )
                    if tti["dashboard_median_s"] and tti["bare_median_s"]:
                        tti["ratio"] = tti["dashboard_median_s"] / tti["bare_median_s"]
                log(
                    f"{label}: TTI dashboard {fmt_s(tti['dashboard_median_s'])} {[round(x, 2) for x in loads[dash.name]]}"
                    + (
                        f", bare {fmt_s(tti.get('bare_median_s'))} {[round(x, 2) for x in loads[bare.name]]}"
                        if "bare_s" in tti
                        else ""
                    )
                )

            plans = {
                label: change_plan(facts[label][0], facts[label][1], args.changes, args.changes)
                for label, _ in datasets
            }
            log(
                f"filter changes: {', '.join(f'{len(p)} on {label}' for label, p in plans.items())}, steps alternating between the data sizes"
            )
            pages = {}
            try:
                for (label, _), dash in zip(datasets, dashes, strict=True):
                    context, page = await browser.page()
                    pages[label] = (context, page)
                    seconds, error = await open_dashboard(page, dash.url, timeout=60)
                    if seconds is None:
                        raise RuntimeError(
                            f"dashboard {label} did not open for the filter changes: {error}"
                        )
                live = {label for label, _ in datasets}
                for index in range(max(len(p) for p in plans.values())):
                    for label in [
                        lb for lb, _ in datasets if lb in live and index < len(plans[lb])
                    ]:
                        step = plans[label][index]
                        ms, error = await make_change(
                            pages[label][1], step, area_names=facts[label][2], timeout=90
                        )
                        walks[label].append(
                            {
                                "kind": step.kind,
                                "value": step.value,
                                "key": step.key,
                                "fresh": step.fresh,
                                "ms": ms,
                                "error": error,
                            }
                        )
                        if ms is None:
                            log(
                                f"{label}: change to {step.key} failed ({error}); the rest of this walk is skipped"
                            )
                            live.discard(label)
            finally:
                for context, _ in pages.values():
                    await context.close()
        for (label, _), dash in zip(datasets, dashes, strict=True):
            out[label]["stalls_in_log"] = {
                dash.name: dash.stalls(),
                **({bare.name: bare.stalls()} if dash is dashes[0] else {}),
            }
            out[label]["culled_before_connect"] = {
                dash.name: len(dash.culled_before_connect()),
                **({bare.name: len(bare.culled_before_connect())} if dash is dashes[0] else {}),
            }
            out[label]["chromium"] = browser.version
    for label, changes in walks.items():
        out[label]["changes"] = summarise_walk(changes)
        c = out[label]["changes"]
        log(
            f"{label}: filter change new {fmt_ms(c['new_median_ms'])} (n={c['new_count']}), back {fmt_ms(c['back_median_ms'])} (n={c['back_count']})"
        )
    return out


def summarise_walk(changes: list[dict[str, Any]]) -> dict[str, Any]:
    fresh = [c["ms"] for c in changes if c["fresh"] and c["ms"] is not None]
    back = [c["ms"] for c in changes if not c["fresh"] and c["ms"] is not None]
    by_kind = {}
    for kind in ("direction", "area", "years", "tab"):
        for is_fresh, name in ((True, "new"), (False, "back")):
            values = [
                c["ms"]
                for c in changes
                if c["kind"] == kind and c["fresh"] == is_fresh and c["ms"] is not None
            ]
            if values:
                by_kind[f"{kind}_{name}_median_ms"] = median(values)
                by_kind[f"{kind}_{name}_count"] = len(values)
    return {
        "steps": changes,
        "new_median_ms": median(fresh),
        "new_max_ms": max(fresh) if fresh else None,
        "new_count": len(fresh),
        "back_median_ms": median(back),
        "back_max_ms": max(back) if back else None,
        "back_count": len(back),
        "failed": [c for c in changes if c["ms"] is None],
        "by_kind": by_kind,
        "how": "one page (one kernel) per data size; select_option on the 取組方向/地域 selects, a click on the 取組方向 tab, "
        "ArrowRight/ArrowLeft on the lower year handle; time from the first DOM event of the action to the "
        "view with the expected data-view present and its images decoded (in-page clock, rAF polling)",
    }


def run_timed(
    command: list[str], *, env: dict[str, str], cwd: Path, timeout: float
) -> tuple[float | None, str]:
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            start_new_session=True,
        )
    except subprocess.TimeoutExpired as expired:
        return (
            None,
            f"timed out after {timeout:.0f} s: {(expired.stderr or b'')[-500:].decode(errors='replace')}",
        )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        return None, f"exit {done.returncode}: {done.stderr[-800:].decode(errors='replace')}"
    return elapsed, ""


def briefing_command() -> list[str]:
    script = Path(sys.executable).parent / "briefing"
    return [str(script)] if script.exists() else [sys.executable, "-m", "briefing.cli"]


def measure_exports(ctx: Context, datasets: list[tuple[str, Path]]) -> dict[str, dict[str, Any]]:
    """Phase 3 for every data size, alternating between them: briefing export (full, each area),
    each with a cold figure cache (emptied just before) and then warm; jupyter nbconvert --execute."""
    command = briefing_command()
    results: dict[str, dict[str, Any]] = {}
    envs = {}
    for label, data_dir in datasets:
        (ctx.work / f"export-{label}").mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env[DATA_ENV] = str(data_dir)
        env["TMPDIR"] = str(ctx.tmpdir)
        envs[label] = env
        results[label] = {
            "reps_full": ctx.args.export_reps,
            "reps_each_area": ctx.args.export_reps,
            "errors": [],
        }
        for key in (
            "full_cold_s",
            "full_warm_s",
            "each_area_cold_s",
            "each_area_warm_s",
            "nbconvert_s",
        ):
            results[label][key] = []
    for name, times in (("full", ctx.args.export_reps), ("each_area", ctx.args.export_reps)):
        for _ in range(times):
            for label, data_dir in datasets:
                out_dir = ctx.work / f"export-{label}"
                extra = ["export", "--data", str(data_dir)] + (
                    ["-o", str(out_dir / "full.html")]
                    if name == "full"
                    else ["--each-area", "--outdir", str(out_dir / "each")]
                )
                ctx.clear_cache()
                for cache in ("cold", "warm"):
                    seconds, error = run_timed(
                        command + extra, env=envs[label], cwd=ctx.work, timeout=300
                    )
                    if seconds is None:
                        results[label]["errors"].append(f"{name} {cache}: {error}")
                    else:
                        results[label][f"{name}_{cache}_s"].append(seconds)
    for label, _ in datasets:
        r = results[label]
        for key in ("full_cold", "full_warm", "each_area_cold", "each_area_warm"):
            r[f"{key}_median_s"] = median(r[f"{key}_s"])
        full = ctx.work / f"export-{label}" / "full.html"
        if full.exists():
            r["full_html_kb"] = round(full.stat().st_size / 1024)
        log(
            f"{label}: export full cold {fmt_s(r['full_cold_median_s'])} warm {fmt_s(r['full_warm_median_s'])}; each area cold {fmt_s(r['each_area_cold_median_s'])} warm {fmt_s(r['each_area_warm_median_s'])}"
        )

    # nbconvert --execute of the dashboard notebook, in the environment Voilà gives its kernels
    jupyter = Path(sys.executable).parent / "jupyter"
    for _ in range(ctx.args.nbconvert_reps):
        for label, data_dir in datasets:
            nb_env = voila_environment(ctx.settings.with_(data_dir=data_dir))
            private = ctx.work / f"nbconvert-{label}"
            for variable, folder in (
                ("JUPYTER_DATA_DIR", "data"),
                ("JUPYTER_RUNTIME_DIR", "runtime"),
                ("IPYTHONDIR", "ipython"),
            ):
                (private / folder).mkdir(parents=True, exist_ok=True)
                nb_env[variable] = str(private / folder)
            nb_env["TMPDIR"] = str(ctx.tmpdir)
            nb_command = [
                str(jupyter) if jupyter.exists() else "jupyter",
                "nbconvert",
                "--execute",
                "--to",
                "html",
                str(DASHBOARD),
                "--ExecutePreprocessor.timeout=60",
                "--output-dir",
                str(private / "out"),
            ]
            seconds, error = run_timed(nb_command, env=nb_env, cwd=REPO, timeout=240)
            if seconds is None:
                results[label]["errors"].append(f"nbconvert: {error}")
            else:
                results[label]["nbconvert_s"].append(seconds)
    for label, _ in datasets:
        r = results[label]
        r["nbconvert_median_s"] = median(r["nbconvert_s"])
        log(f"{label}: nbconvert --execute {fmt_s(r['nbconvert_median_s'])}")
    return results


def http_viewers(server: Voila, count: int, timeout: float) -> dict[str, Any]:
    """``count`` plain HTTP GETs of the page at once; seconds until each full body has arrived."""
    host, port = "127.0.0.1", server.settings.port
    barrier = threading.Barrier(count)
    results: list[dict[str, Any]] = [{} for _ in range(count)]

    def fetch(i: int) -> None:
        barrier.wait(timeout=30)
        start = time.perf_counter()
        try:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
            connection.request("GET", "/")
            response = connection.getresponse()
            body = response.read().decode("utf-8", errors="replace")
            connection.close()
            elapsed = time.perf_counter() - start
            failure = VOILA_FAILURE.search(body)
            ok = response.status == 200 and WIDGET_MIME in body and failure is None
            results[i] = {
                "s": elapsed,
                "status": response.status,
                "ok": ok,
                "bytes": len(body),
                "failure": failure.group(0) if failure else None,
            }
        except Exception as error:  # noqa: BLE001  (a timeout or reset is a result here)
            results[i] = {"s": None, "ok": False, "error": f"{type(error).__name__}: {error}"}

    threads = [threading.Thread(target=fetch, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout + 40)
    times = [r["s"] for r in results if r.get("ok")]
    return {
        "each": results,
        "ok": len(times),
        "failed": count - len(times),
        "slowest_s": max(times) if times else None,
        "median_s": median(times),
    }


async def browser_viewers(
    ctx: Context, server: Voila, count: int, changes: int, timeout: float
) -> dict[str, Any]:
    """``count`` Chromium pages opened at once, then ``changes`` filter changes each."""
    areas, years, names, _ = dataset_facts(server.settings.data_dir)
    async with Browser() as browser:
        pages = [await browser.page() for _ in range(count)]
        start = time.perf_counter()

        async def viewer(i: int) -> dict[str, Any]:
            _, page = pages[i]
            seconds, error = await open_dashboard(page, server.url, timeout=timeout, polling=100)
            result: dict[str, Any] = {
                "tti_s": seconds,
                "interactive_at_s": time.perf_counter() - start if seconds else None,
                "error": error,
                "changes": [],
            }
            if seconds is None:
                return result
            for step in viewer_plan(areas, years, i, changes):
                ms, error = await make_change(
                    page, step, area_names=names, timeout=timeout, polling=50
                )
                result["changes"].append(
                    {"key": step.key, "fresh": step.fresh, "ms": ms, "error": error}
                )
                if ms is None:
                    break
            result["done_at_s"] = time.perf_counter() - start
            return result

        try:
            each = await asyncio.wait_for(
                asyncio.gather(*(viewer(i) for i in range(count))), timeout * (2 + changes)
            )
        finally:
            log_text = server.log_text()
            culled_open = len(server.culled_before_connect())
            missing = log_text.count("404 GET /api/kernels/")
            for context, _ in pages:
                try:
                    await asyncio.wait_for(context.close(), 20)
                except Exception:  # noqa: BLE001
                    pass
    closed_at = time.monotonic()
    closed_after = time.perf_counter() - start
    ttis = [r["interactive_at_s"] for r in each if r["interactive_at_s"] is not None]
    change_ms = [c["ms"] for r in each for c in r["changes"] if c["ms"] is not None]
    return {
        "each": each,
        "interactive": len(ttis),
        "failed": [r["error"] for r in each if r["tti_s"] is None],
        "last_interactive_s": max(ttis) if ttis else None,
        "median_interactive_s": median(ttis),
        "changes_done": len(change_ms),
        "changes_failed": sum(1 for r in each for c in r["changes"] if c["ms"] is None),
        "change_median_ms": median(change_ms),
        "change_max_ms": max(change_ms) if change_ms else None,
        "closed_at": closed_at,
        "kernels_culled_before_their_page_connected": culled_open,
        "kernel_404s_while_pages_open": missing,
        "idle_before_close_s": [
            round(closed_after - r["done_at_s"], 1) for r in each if "done_at_s" in r
        ],
    }


def poll_release(
    server: Voila, pool: int, closed_at: float, timeout: float, result: dict[str, Any]
) -> None:
    """Poll the kernel processes of ``server`` until only the pool is left (kernels of closed pages culled)."""
    trace = []
    while time.monotonic() - closed_at < timeout:
        count = server.kernels()
        trace.append((round(time.monotonic() - closed_at, 1), count))
        if count <= pool:
            result["released_after_s"] = time.monotonic() - closed_at
            break
        time.sleep(1)
    else:
        result["released_after_s"] = None
    result["kernel_trace"] = trace[:: max(1, len(trace) // 40)]


# ---- report -----------------------------------------------------------------------------------


def fmt_s(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def fmt_ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} ms"


def fmt_x(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def table_rows(result: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []

    def add(measure: str, target: str, measured: str, met: bool | None) -> None:
        rows.append((measure, target, measured, "—" if met is None else ("yes" if met else "no")))

    for label, scale in result["scales"].items():
        tti = scale.get("tti", {})
        d = tti.get("dashboard_median_s")
        n = len(tti.get("dashboard_s", []))
        fails = len(tti.get("dashboard_failed", []))
        add(
            f"[{label}] time to interactive, dashboard (median of {n}{f'; {fails} more failed, see below' if fails else ''})",
            "< 2.5 s",
            fmt_s(d),
            None if d is None else d < 2.5,
        )
        if "bare_median_s" in tti:
            b = tti["bare_median_s"]
            add(
                f"[{label}] time to interactive, bare Voilà notebook (median of {len(tti['bare_s'])})",
                "(reference)",
                fmt_s(b),
                None,
            )
            r = tti.get("ratio")
            add(f"[{label}] dashboard / bare", "≤ 1.3", fmt_x(r), None if r is None else r <= 1.3)
        ch = scale.get("changes", {})
        failed = len(ch.get("failed", []))
        v = ch.get("new_median_ms")
        add(
            f"[{label}] filter change → view not shown before (median of {ch.get('new_count', 0)}{f', {failed} failed' if failed else ''}; max {fmt_ms(ch.get('new_max_ms'))})",
            "< 500 ms",
            fmt_ms(v),
            None if v is None else v < 500 and not failed,
        )
        v = ch.get("back_median_ms")
        add(
            f"[{label}] filter change → view shown before (median of {ch.get('back_count', 0)}; max {fmt_ms(ch.get('back_max_ms'))})",
            "< 150 ms",
            fmt_ms(v),
            None if v is None else v < 150,
        )
        ex = scale.get("export", {})
        nb = ex.get("nbconvert_median_s")
        for cache in ("cold", "warm"):
            v = ex.get(f"full_{cache}_median_s")
            met = None if v is None else v < 4 and (nb is None or v < nb / 2)
            add(
                f"[{label}] `briefing export -o` (full), {cache} figure cache (median of {ex.get('reps_full', 1)})",
                f"< 4 s and < ½ nbconvert ({fmt_s(nb / 2 if nb else None)})",
                fmt_s(v),
                met,
            )
        for cache in ("cold", "warm"):
            add(
                f"[{label}] `briefing export --each-area`, {cache} figure cache (median of {ex.get('reps_each_area', 1)})",
                "(reference)",
                fmt_s(ex.get(f"each_area_{cache}_median_s")),
                None,
            )
        add(
            f"[{label}] `jupyter nbconvert --execute --to html` dashboard.ipynb (median of {len(ex.get('nbconvert_s', [])) or 1})",
            "(reference)",
            fmt_s(nb),
            None,
        )

    def culled(bare: bool) -> int:
        return sum(
            n
            for scale in result["scales"].values()
            for name, n in scale.get("culled_before_connect", {}).items()
            if (name == "bare") == bare
        )

    def failed(key: str) -> list[str]:
        return [e for scale in result["scales"].values() for e in scale.get("tti", {}).get(key, [])]

    def loads(*keys: str) -> int:
        return sum(
            len(scale.get("tti", {}).get(k, []))
            for scale in result["scales"].values()
            for k in keys
        )

    def reasons(failures: list[str]) -> str:
        counted = ", ".join(
            f"{sum(1 for f in failures if f.split(':')[0] == r)}× {r}"
            for r in sorted({f.split(":")[0] for f in failures})
        )
        return f" ({counted})" if counted else ""

    walk_failed = [
        e for scale in result["scales"].values() for e in scale.get("changes", {}).get("failed", [])
    ]
    if loads("dashboard_s", "dashboard_failed"):
        lost = failed("dashboard_failed")
        add(
            f"dashboard loads and walks that failed (of {loads('dashboard_s', 'dashboard_failed')} measured loads; pre-heated kernels culled before their page connected: {culled(False)})",
            "0",
            f"{len(lost)} loads{reasons(lost)}, {len(walk_failed)} walk steps",
            not lost and not walk_failed,
        )
    if loads("bare_s", "bare_failed"):
        lost = failed("bare_failed")
        add(
            f"bare Voilà loads that failed (of {loads('bare_s', 'bare_failed')}; pre-heated kernels culled before their page connected: {culled(True)})",
            "(reference)",
            f"{len(lost)} loads{reasons(lost)}",
            None,
        )
    fallback = result.get("scale_fallback")
    if fallback:
        add(
            f"{fallback['asked']}× sample data (`briefing sample --scale {fallback['asked']}`) loads",
            "loads",
            "no — "
            + fallback["why"][0].split("e.g. ", 1)[-1][:90]
            + f"…; measured {fallback['measured']}× instead",
            False,
        )
    if "1x" in result["scales"] and any(k != "1x" for k in result["scales"]):
        big_label = next(k for k in result["scales"] if k != "1x")
        one, big = result["scales"]["1x"], result["scales"][big_label]
        for name, path in (
            ("time to interactive", ("tti", "dashboard_median_s")),
            ("filter change, new view", ("changes", "new_median_ms")),
            ("filter change, shown view", ("changes", "back_median_ms")),
            ("export full, cold", ("export", "full_cold_median_s")),
            ("export full, warm", ("export", "full_warm_median_s")),
            ("export each area, cold", ("export", "each_area_cold_median_s")),
            ("export each area, warm", ("export", "each_area_warm_median_s")),
        ):
            r = ratio(big.get(path[0], {}).get(path[1]), one.get(path[0], {}).get(path[1]))
            add(
                f"scale {big_label} / 1x: {name}",
                "≤ 1.3×",
                fmt_x(r),
                None if r is None else r <= 1.3,
            )
    conc = result.get("concurrent", {})
    if "http" in conc:
        h = conc["http"]
        add(
            f"{conc['viewers']} concurrent HTTP GETs: slowest complete page ({h['ok']} ok, {h['failed']} failed; median {fmt_s(h['median_s'])})",
            "all ≤ 10 s",
            fmt_s(h["slowest_s"]),
            h["slowest_s"] is not None and h["failed"] == 0 and h["slowest_s"] <= 10,
        )
    if "browser" in conc:
        b = conc["browser"]
        add(
            f"{conc['viewers']} browser pages at once: last interactive (median {fmt_s(b['median_interactive_s'])})",
            "(none fail)",
            fmt_s(b["last_interactive_s"]),
            None,
        )
        culled = b.get("kernels_culled_before_their_page_connected", 0)
        why = (
            f" — {culled} pre-heated kernel(s) culled before their page connected" if culled else ""
        )
        add(
            f"{conc['viewers']} browser pages: failed or hung (per-page timeout {conc['page_timeout_s']:.0f} s)",
            "0",
            f"{len(b['failed'])}{why}",
            not b["failed"],
        )
        add(
            f"{conc['viewers']} browser pages: filter changes ({b['changes_done']} done, {b['changes_failed']} failed; max {fmt_ms(b['change_max_ms'])})",
            "(none fail)",
            fmt_ms(b["change_median_ms"]),
            b["changes_failed"] == 0 if b["changes_done"] else None,
        )
    if "peak_rss_bytes" in conc:
        v = conc["peak_rss_bytes"]
        add(
            f"peak server memory, Voilà + kernels (RSS sum; up to {conc.get('peak_kernels')} kernels)",
            "< 4 GiB",
            f"{v / 2**30:.2f} GiB",
            v < 4 * 2**30,
        )
    if "release" in conc:
        v = conc["release"].get("released_after_s")
        add(
            f"kernels of closed pages released (back to pool of {conc['pool']}; cull_after {conc['cull_after']} s)",
            "≤ 120 s",
            fmt_s(v) if v is not None else f"not within {conc['release_timeout_s']:.0f} s",
            v is not None and v <= 120,
        )
    return rows


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    lines = [
        f"Benchmark {result['started']} — {m['nproc']} CPUs, {m['mem_gib']:.1f} GiB, load average at start {m['loadavg_start']}, at end {m.get('loadavg_end', '?')}; run took {result.get('duration_s', 0):.0f} s"
        + (" (quick)" if result["options"]["quick"] else ""),
        "",
        "| measure | target | measured | met |",
        "|---|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in result["table"]]
    if result["notes"]:
        lines += ["", *[f"- {n}" for n in result["notes"]]]
    return "\n".join(lines) + "\n"


def machine_info() -> dict[str, Any]:
    mem = 0
    with open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    model = ""
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": model,
        "mem_gib": mem / 2**30,
        "platform": platform.platform(),
        "loadavg_start": " ".join(open("/proc/loadavg").read().split()[:3]),
    }


def versions() -> dict[str, str]:
    found = {"python": sys.version.split()[0]}
    for name in (
        "voila",
        "ipywidgets",
        "ipykernel",
        "jupyter_client",
        "jupyter_server",
        "nbconvert",
        "nbclient",
        "pandas",
        "numpy",
        "matplotlib",
        "seaborn",
        "playwright",
        "tornado",
        "mie-hikikomori-briefing",
    ):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    try:
        found["git"] = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
        if dirty.strip():
            found["git"] += " (with uncommitted changes)"
    except (OSError, subprocess.SubprocessError):
        pass
    return found


def other_load() -> str:
    """What else is running (the machine is shared): busy processes not started by this run."""
    mine = {p.pid for p in tree(os.getpid())}
    busy = []
    for proc in processes().values():
        if proc.pid in mine:
            continue
        if (
            b"pytest" in proc.cmdline
            or b"ipykernel_launcher" in proc.cmdline
            or b"chromium" in proc.cmdline
            or b"voila" in proc.cmdline
        ):
            busy.append(proc.cmdline.split(b"\0")[0].decode(errors="replace").rsplit("/", 1)[-1])
    return f"{len(busy)} other test/kernel/browser processes" if busy else "none seen"


# ---- main -------------------------------------------------------------------------------------


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer repetitions, 5 viewers, no 10× data"
    )
    parser.add_argument(
        "--loads",
        type=int,
        help="page loads per notebook for time to interactive (default 5, quick 3)",
    )
    parser.add_argument(
        "--changes",
        type=int,
        help="filter changes to new views and as many back (default 20, quick 8)",
    )
    parser.add_argument("--viewers", type=int, help="concurrent viewers (default 15, quick 5)")
    parser.add_argument(
        "--viewer-changes",
        type=int,
        default=5,
        help="filter changes per concurrent viewer (default 5)",
    )
    parser.add_argument(
        "--pool",
        type=int,
        help=f"kernel pool of every server (default Settings().kernel_pool = {Settings().kernel_pool})",
    )
    parser.add_argument(
        "--cull",
        type=int,
        help=f"cull_after of every server, seconds (default Settings().cull_after = {Settings().cull_after})",
    )
    parser.add_argument(
        "--scale", type=int, default=10, help="data scale for the scale comparison (default 10)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=RESULTS,
        help="where the JSON and Markdown go (default benchmarks/results)",
    )
    args = parser.parse_args(argv)
    args.loads = args.loads or (3 if args.quick else 5)
    args.changes = args.changes or (8 if args.quick else 20)
    args.viewers = args.viewers or (5 if args.quick else 15)
    # this VM's speed drifts by ±15% between identical runs: exports are medians of 5
    args.export_reps = 1 if args.quick else 5
    args.nbconvert_reps = 1 if args.quick else 3  # its time varies: the ½ target needs a median
    return args


def bigger_data(
    ctx: Context, scale: int, sizes: dict[str, Any], result: dict[str, Any]
) -> list[tuple[str, Path]]:
    """``briefing sample --scale N``; if that data does not load, the largest smaller scale that does."""
    from briefing.data.problems import DataError

    tried = []
    # the sample spans `scale` × 7 fiscal years back from the last one: halving usually fits at once
    for factor in dict.fromkeys([scale, scale // 2, *range(scale // 2 - 1, 1, -1)]):
        if factor < 2:
            continue
        target = ctx.work / f"data-{factor}x"
        seconds, error = run_timed(
            briefing_command() + ["sample", "--scale", str(factor), "-o", str(target)],
            env=dict(os.environ),
            cwd=ctx.work,
            timeout=300,
        )
        if seconds is None:
            tried.append(f"briefing sample --scale {factor} failed: {error[:300]}")
            continue
        try:
            sizes[f"{factor}x"] = dataset_facts(target)[3]
        except DataError as problem:
            lines = str(problem).splitlines()
            first = lines[1].lstrip("- ") if len(lines) > 1 else lines[0]
            tried.append(
                f"{factor}× data from `briefing sample --scale {factor}` does not load ({lines[0]} e.g. {first[:140]})"
            )
            continue
        if tried:
            ctx.notes.append(
                f"SCALE: {tried[0]}"
                + (
                    f"; nor does {', '.join(t.split(' data')[0] for t in tried[1:])}"
                    if len(tried) > 1
                    else ""
                )
                + f" — measured {factor}× instead."
            )
            result["scale_fallback"] = {"asked": scale, "measured": factor, "why": tried}
        return [(f"{factor}x", target)]
    ctx.notes.append(f"SCALE: no larger data could be made: {'; '.join(tried)}")
    return []


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing (Debian package chromium)", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _interrupt)
    ensure_bare_notebook()
    started = dt.datetime.now().astimezone()
    stem = f"bench-{started:%Y%m%d-%H%M%S}" + ("-quick" if args.quick else "")
    settings = Settings()
    if args.pool is not None:
        settings = settings.with_(kernel_pool=args.pool)
    if args.cull is not None:
        settings = settings.with_(cull_after=args.cull)
    work = Path(tempfile.mkdtemp(prefix="mie-bench-"))
    tmpdir = work / "tmp"
    tmpdir.mkdir()
    ctx = Context(args=args, work=work, tmpdir=tmpdir, settings=settings)
    ctx.clear_cache()
    result: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "machine": machine_info(),
        "versions": versions(),
        "settings": {
            "kernel_pool": settings.kernel_pool,
            "cull_after": settings.cull_after,
            "execution_timeout": settings.execution_timeout,
            "cache_dir": f"$TMPDIR/{CACHE_NAME} (TMPDIR = a private directory of this run, emptied at the start)",
        },
        "voila_command": voila_command(settings)[2:],
        "scales": {},
        "notes": ctx.notes,
    }
    result["machine"]["other_processes_at_start"] = other_load()
    log(
        f"work dir {work}; machine load {result['machine']['loadavg_start']}; {result['machine']['other_processes_at_start']}"
    )
    release_thread: threading.Thread | None = None
    release_server: Voila | None = None
    errors: list[str] = result.setdefault("errors", [])

    @contextmanager
    def phase(name: str) -> Iterator[None]:
        """A failing phase is recorded and the run goes on with the next one."""
        load = PhaseLoad()
        try:
            yield
        except KeyboardInterrupt:
            raise
        except Exception as error:  # noqa: BLE001
            errors.append(f"{name}: {type(error).__name__}: {str(error)[:1500]}")
            log(f"{name} FAILED: {type(error).__name__}: {str(error)[:300]}")
        finally:
            result.setdefault("phase_load", {})[name] = load.stop()

    try:
        data1 = work / "data-1x"
        shutil.copytree(
            BUNDLED_DATA, data1, ignore=shutil.ignore_patterns(".versions", ".staging", ".lock*")
        )
        sizes = {"1x": dataset_facts(data1)[3]}
        scales = [("1x", data1)]
        if not args.quick:
            scales += bigger_data(ctx, args.scale, sizes, result)
        result["data"] = sizes

        # 1 + 2: time to interactive and filter changes, every data size (the bare notebook beside)
        with phase("pages"):
            result["scales"].update(asyncio.run(measure_pages(ctx, scales)))

        # 5: concurrent viewers, 1× (HTTP on a server of its own; then browsers on a fresh one)
        conc: dict[str, Any] = {
            "viewers": args.viewers,
            "pool": settings.kernel_pool,
            "cull_after": settings.cull_after,
            "page_timeout_s": 120.0,
            "release_timeout_s": 180.0,
        }
        result["concurrent"] = conc
        server = Voila(
            "concurrent-http",
            settings.with_(data_dir=data1),
            notebook=DASHBOARD,
            work=work,
            tmpdir=tmpdir,
        )
        release_server = Voila(
            "concurrent-browser",
            settings.with_(data_dir=data1),
            notebook=DASHBOARD,
            work=work,
            tmpdir=tmpdir,
        )
        log(f"starting Voilà {release_server.name} (for later)")
        release_server.launch()  # starts meanwhile; its idle kernels do not disturb the HTTP phase
        with phase("concurrent HTTP"), servers(server):
            sampler = Sampler(server.pid)
            sampler.start()
            try:
                log(f"{args.viewers} concurrent HTTP GETs")
                conc["http"] = http_viewers(server, args.viewers, timeout=120)
            finally:
                sampler.stop()
            conc["http"]["peak_rss_bytes"] = sampler.peak_rss
            conc["http"]["peak_kernels"] = sampler.peak_kernels
            conc["http"]["cpu_seconds"] = sampler.cpu_seconds()
            conc["http"]["stalls_in_log"] = server.stalls()
            log(
                f"HTTP: {conc['http']['ok']} ok, slowest {fmt_s(conc['http']['slowest_s'])}, peak RSS {sampler.peak_rss / 2**30:.2f} GiB"
            )

        with phase("concurrent browsers"):
            release_server.wait_ready()
            sampler = Sampler(release_server.pid)
            sampler.start()
            try:
                log(f"{args.viewers} browser pages at once, {args.viewer_changes} changes each")
                conc["browser"] = asyncio.run(
                    browser_viewers(
                        ctx,
                        release_server,
                        args.viewers,
                        args.viewer_changes,
                        conc["page_timeout_s"],
                    )
                )
            finally:
                sampler.stop()
            b = conc["browser"]
            b["peak_rss_bytes"] = sampler.peak_rss
            b["peak_kernels"] = sampler.peak_kernels
            b["cpu_seconds"] = sampler.cpu_seconds()
            log(
                f"browsers: {b['interactive']} interactive, last at {fmt_s(b['last_interactive_s'])}, {len(b['failed'])} failed; changes median {fmt_ms(b['change_median_ms'])}, {b['changes_failed']} failed; peak RSS {sampler.peak_rss / 2**30:.2f} GiB, {sampler.peak_kernels} kernels"
            )
            conc["release"] = {}
            # culling is timer-driven: poll it in the background while the exports run
            release_thread = threading.Thread(
                target=poll_release,
                args=(
                    release_server,
                    settings.kernel_pool,
                    b.pop("closed_at"),
                    conc["release_timeout_s"],
                    conc["release"],
                ),
                daemon=True,
            )
            release_thread.start()
        peaks = [conc.get(k, {}).get("peak_rss_bytes") for k in ("http", "browser")]
        if any(p is not None for p in peaks):
            conc["peak_rss_bytes"] = max(p for p in peaks if p is not None)
            conc["peak_kernels"] = max(
                conc.get(k, {}).get("peak_kernels", 0) for k in ("http", "browser")
            )

        # 3 + 4: exports, every data size (the culling of phase 5 is polled meanwhile)
        with phase("exports"):
            if release_server is not None and release_server.process is not None:
                # the pool refills once the committee's pages are served: let those kernels
                # start before timing (they took up to 1 s of the first exports' cores)
                waited = wait_idle(release_server.pid, timeout=60)
                result["exports_waited_for_idle_server_s"] = waited
                log(f"waited {waited:.1f} s for the server's kernels to settle before the exports")
            for label, exports in measure_exports(ctx, scales).items():
                result["scales"].setdefault(label, {})["export"] = exports
        if release_thread is not None and release_thread.is_alive():
            log("waiting for the kernels of the closed pages to be culled")
            release_thread.join(conc["release_timeout_s"] + 10)
        if "release" in conc:
            log(f"kernels released after {fmt_s(conc['release'].get('released_after_s'))}")
    except KeyboardInterrupt:
        ctx.notes.append("interrupted: the figures are incomplete")
        log("interrupted")
    finally:
        if release_server is not None:
            if "browser" in result.get("concurrent", {}):
                result["concurrent"]["browser"]["stalls_in_log"] = release_server.stalls()
            release_server.stop()
        logs = args.out / f"{stem}-logs"
        logs.mkdir(parents=True, exist_ok=True)
        for path in sorted(work.glob("voila-*.log")):
            shutil.copy(path, logs / path.name)
        result["voila_logs"] = str(logs)
        shutil.rmtree(work, ignore_errors=True)

    result["machine"]["loadavg_end"] = " ".join(open("/proc/loadavg").read().split()[:3])
    result["machine"]["other_processes_at_end"] = other_load()
    result["duration_s"] = time.monotonic() - T_START
    stalls = sum(v for s in result["scales"].values() for v in s.get("stalls_in_log", {}).values())
    stalls += result.get("concurrent", {}).get("http", {}).get("stalls_in_log", 0) + result.get(
        "concurrent", {}
    ).get("browser", {}).get("stalls_in_log", 0)
    ctx.notes.append(
        f"Voilà execution timeouts (stalled executions, 'Timeout waiting for' in the logs): {stalls}"
    )
    ctx.notes.append(
        "The machine is shared (other test runs may be using the CPUs): load average "
        f"{result['machine']['loadavg_start']} at the start, {result['machine']['loadavg_end']} at the end; "
        f"{result['machine']['other_processes_at_end']} at the end. Figures may be noisy."
    )
    ctx.notes.append(
        "Year-range changes are made with the keyboard on the slider's lower handle (ArrowRight/ArrowLeft)."
    )
    if result.get("phase_load"):
        ctx.notes.append(
            "Share of the machine's CPU capacity used by other processes (not this run) during each phase: "
            + ", ".join(
                f"{name} {v['others_share']:.0%} ({v['wall_s']:.0f} s)"
                for name, v in result["phase_load"].items()
            )
        )
    for name in ("http", "browser"):
        cpu = result.get("concurrent", {}).get(name, {}).get("cpu_seconds")
        if cpu:
            ctx.notes.append(
                f"CPU seconds during the concurrent {name} phase: "
                + ", ".join(f"{k} {v}" for k, v in cpu.items())
            )
    if args.quick:
        ctx.notes.append("--quick: fewer loads and changes, fewer viewers, no 10× data.")
    result["table"] = table_rows(result)
    text = markdown(result)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{stem}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8"
    )
    (args.out / f"{stem}.md").write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"written: {args.out / (stem + '.json')} and .md ({result['duration_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
