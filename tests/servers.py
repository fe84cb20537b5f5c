"""Run the dashboard for real in tests: Voilà as a child process, and headless Chromium.

``running_voila`` starts Voilà exactly as ``briefing serve`` does (``voila_command`` and
``voila_environment``), on a free port, with the machine's own Jupyter and IPython state kept out,
and stops it together with every kernel it started. ``kernel_count`` reads ``/proc`` so tests can
watch kernels come and go (culling). ``chromium`` launches Debian's Chromium through Playwright and
``ServerOnly`` keeps its pages from reaching anything but the dashboard (the meeting room may have
no internet). The launch, the stop and ``/proc`` reading are the benchmark's own
(``benchmarks.voila``, ``benchmarks.procs``): tests and benchmark start the dashboard the same way.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import psutil

from benchmarks.common import CHROMIUM as CHROMIUM_PATH
from benchmarks.common import CHROMIUM_ARGS
from benchmarks.procs import kernel_pids, processes
from benchmarks.voila import (
    POOL_FILLED,
    RUNNING_AT,
    free_port,
    launch,
    private_folders,
    stop,
)
from briefing.config import REPO_ROOT, Settings
from briefing.server import DASHBOARD, voila_command, voila_environment

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

#: Screenshots, Voilà logs and timing summaries land here (git-ignored).
ARTIFACTS = REPO_ROOT / "test-artifacts"


def log_path(name: str) -> Path:
    """``test-artifacts/<name>.log``, one per test process: ``./run.sh test`` runs two (xdist),
    and two servers writing one log would hand a test the other one's address."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / (f"{name}-{worker}.log" if worker else f"{name}.log")


CHROMIUM = Path(CHROMIUM_PATH)
#: Voilà scrolls inside its own container: only a tall window shows the whole dashboard.
VIEWPORT = {"width": 1400, "height": 2400}

#: What Voilà puts in the page instead of the dashboard when something went wrong: a timed-out or
#: failed cell, or the widget's plain-text form when no kernel is left to draw it (culled).
VOILA_FAILURE = re.compile(
    r"Cell execution timed out|There was an error when executing cell|Traceback"
    r"|Dashboard\(children="
)


def kernel_count(parent: int) -> int:
    """How many kernels the Voilà process ``parent`` is running now."""
    return len(kernel_pids(parent))


def wait_for_quiet_kernels(
    parent: int, *, at_least: int = 1, quiet: float = 1.5, timeout: float = 60
) -> None:
    """Wait until ``parent`` runs ``at_least`` kernels and none used CPU for ``quiet`` seconds.

    Voilà logs nothing when a pooled kernel has finished running the notebook; a kernel that
    stopped using CPU has (so a refill of the pool is ready once it exists and is quiet).
    """
    deadline = time.monotonic() + timeout
    last: dict[int, int] = {}
    still_since = time.monotonic()
    while time.monotonic() < deadline:
        table = processes()
        ticks = {pid: table[pid].ticks for pid in kernel_pids(parent, table)}
        if ticks != last or len(ticks) < at_least:
            last, still_since = ticks, time.monotonic()
        elif time.monotonic() - still_since >= quiet:
            return
        time.sleep(0.25)
    raise TimeoutError(f"kernels of {parent} still busy after {timeout:.0f} s: {last}")


def wait_until(condition: Callable[[], object], *, timeout: float, what: str) -> object:
    """Poll ``condition`` until it is truthy; fail only when ``timeout`` passes (a hang)."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.1)
    return result


def gone(process: psutil.Process) -> bool:
    """Ended (a zombie no longer runs anything; its parent reaps it)."""
    try:
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def port_is_free(port: int) -> bool:
    """Nobody listens on ``port``: a new server could bind it now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class Served:
    """A ``briefing serve`` or ``briefing staff`` process, its port, and its process tree seen so far."""

    process: subprocess.Popen[bytes]
    port: int
    tree: list[psutil.Process]


@contextmanager
def running_briefing(
    args: list[str],
    *,
    port: int,
    workdir: Path,
    name: str,
    command: list[str] | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[Served]:
    """``briefing ARGS`` (a server command) in its own session, with private Jupyter folders.

    ``command`` replaces ``python -m briefing.cli`` (e.g. the console script a service runs) and
    ``env`` adds variables after the private folders are set (so it may point them elsewhere).
    Its whole tree is killed afterwards, including what a test recorded in ``tree`` (a failing test
    may leave Voilà and kernels orphaned). The output goes to ``test-artifacts/<name>.log``.
    """
    environment = private_environment(dict(os.environ), workdir) | (env or {})
    process = launch(
        [*(command or [sys.executable, "-m", "briefing.cli"]), *args], environment, log_path(name)
    )
    server = Served(process, port, [psutil.Process(process.pid)])
    try:
        yield server
    finally:
        with contextlib.suppress(psutil.Error):
            server.tree += psutil.Process(process.pid).children(recursive=True)
        for left in server.tree:
            with contextlib.suppress(psutil.Error):
                left.kill()
        process.wait(timeout=30)


@dataclass
class VoilaServer:
    """A running dashboard: its address, process, settings and log."""

    url: str
    process: subprocess.Popen[bytes]
    settings: Settings
    log_path: Path
    private_dir: Path

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash), to compare request URLs with."""
        return self.url.rstrip("/")

    def kernel_count(self) -> int:
        return kernel_count(self.process.pid)

    def wait_for_quiet_kernels(
        self, *, at_least: int = 1, quiet: float = 1.5, timeout: float = 60
    ) -> None:
        wait_for_quiet_kernels(self.process.pid, at_least=at_least, quiet=quiet, timeout=timeout)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])


def _wait(
    condition, *, timeout: float, what: str, server_process: subprocess.Popen[bytes], log_path: Path
):  # type: ignore[no-untyped-def]
    """Poll ``condition()`` every 0.1 s until it returns something truthy, within ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if server_process.poll() is not None:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(
                f"Voilà exited (code {server_process.returncode}) before {what}:\n{tail}"
            )
        if time.monotonic() > deadline:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise TimeoutError(f"Voilà: no {what} within {timeout:.0f} s (log {log_path}):\n{tail}")
        time.sleep(0.1)


def answers(url: str) -> bool:
    """Whether a Voilà server at ``url`` serves its static files (a dashboard load would use a kernel)."""
    try:
        with urllib.request.urlopen(url + "voila/static/voila.js", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


#: Set by conftest to folders of the test session (None outside pytest: nothing is shared).
#: ``SEED_DIR``: the bundled data's withheld cells and their audit, chosen there once.
SEED_DIR: Path | None = None
#: ``FIGURES_DIR``: a figure cache shared by the session's servers and exports.
FIGURES_DIR: Path | None = None


def _default_name(field: str) -> str:
    """The folder name under ``tempfile.gettempdir()`` that ``Settings`` uses for ``field``."""
    default = getattr(Settings(), field)
    assert isinstance(default, Path)
    return default.name


def bundled_disclosure() -> Path | None:
    """The session's folder holding the bundled data's disclosure files, chosen on first use.

    Choosing the withheld cells and auditing them takes 10–30 s on a busy 2-core machine; every
    server, kernel and export of the bundled data would do it again in its own temporary folder.
    The files are what ``briefing.stats.disclosure`` itself stores (keyed by data version and method):
    a copy of the data that a test changes has another version and is chosen afresh.
    """
    if SEED_DIR is None:
        return None
    done = SEED_DIR / "complete"
    if not done.exists():
        from briefing import load_dataset
        from briefing.stats.disclosure import disclosure, require_passed

        settings = Settings(data_dir=REPO_ROOT / "data")
        ds = load_dataset(settings.data_dir)
        found = disclosure(ds, settings.suppress_below, SEED_DIR)
        require_passed(ds, settings.suppress_below, SEED_DIR, found)
        done.touch()
    return SEED_DIR


def seed_disclosure(tmpdir: Path) -> Path:
    """Put the bundled data's disclosure (chosen once per session) where a process whose
    ``TMPDIR`` is ``tmpdir`` looks for it; return that folder (``Settings.disclosure_dir``)."""
    target = tmpdir / _default_name("disclosure_dir")
    target.mkdir(parents=True, exist_ok=True)
    seed = bundled_disclosure()
    for stored in seed.glob("*.json") if seed else ():
        shutil.copy2(stored, target / stored.name)
    return target


def share_figures(tmpdir: Path) -> None:
    """Make the figure cache of a process whose ``TMPDIR`` is ``tmpdir`` the session's own.

    Charts are stored per data version and drawn atomically (``briefing.charts.figcache``), so servers
    and exports can share them as the kernels of one server do; a test that is about drawing
    uses a cache of its own.
    """
    if FIGURES_DIR is None:
        return
    link = tmpdir / _default_name("cache_dir")
    if not link.exists():
        tmpdir.mkdir(parents=True, exist_ok=True)
        link.symlink_to(FIGURES_DIR, target_is_directory=True)


def shared_tmpdir(tmpdir: Path) -> Path:
    """``tmpdir`` prepared as a ``TMPDIR``: the bundled disclosure seeded, the figures shared."""
    seed_disclosure(tmpdir)
    share_figures(tmpdir)
    return tmpdir


def private_environment(env: dict[str, str], workdir: Path) -> dict[str, str]:
    """``env`` with private Jupyter, IPython and temporary folders in ``workdir``
    (``benchmarks.voila.private_folders``), the temporary folder starting with the bundled data's
    disclosure and the session's figure cache (``shared_tmpdir``)."""
    env = private_folders(env, workdir)
    shared_tmpdir(workdir / "tmp")
    return env


@contextmanager
def running_voila(
    settings: Settings,
    *,
    workdir: Path,
    name: str = "voila",
    notebook: Path = DASHBOARD,
    extra_args: list[str] | None = None,
    startup_timeout: float = 90,
    wait_for_pool: bool = True,
) -> Iterator[VoilaServer]:
    """Start the dashboard like ``briefing serve`` and yield it once it answers.

    ``settings.port`` is replaced by a free port. ``workdir`` receives Jupyter's data and runtime
    directories, IPython's directory and the temporary directory of Voilà and its kernels
    (connection files, the shared figure cache), so nothing of the machine's own state is used
    and nothing is left behind. The log goes to ``test-artifacts/<name>.log``. With
    ``wait_for_pool`` (and a kernel pool configured) it also waits until the pool is started.

    Example::

        with running_voila(Settings(data_dir=copy), workdir=tmp) as server:
            page.goto(server.url + "?direction=5")
    """
    settings = settings.with_(port=free_port(), host="127.0.0.1")
    private = workdir.resolve()
    env = private_environment(voila_environment(settings), private)
    log_file = log_path(name)
    command = voila_command(settings, notebook=notebook) + list(extra_args or [])
    process = launch(command, env, log_file)
    try:

        def running_at() -> str | None:
            found = RUNNING_AT.search(log_file.read_text(encoding="utf-8", errors="replace"))
            return found.group(1) if found else None

        def pool_ready() -> bool:
            return POOL_FILLED in log_file.read_text(encoding="utf-8", errors="replace")

        wait = {"timeout": startup_timeout, "server_process": process, "log_path": log_file}
        url = _wait(running_at, what="'Voilà is running at' line", **wait)
        _wait(lambda: answers(url), what=f"HTTP answer at {url}", **wait)
        if wait_for_pool and settings.kernel_pool > 0:
            _wait(pool_ready, what="filled kernel pool", **wait)
        yield VoilaServer(
            url=url, process=process, settings=settings, log_path=log_file, private_dir=private
        )
    finally:
        stop(process, private)


def wait_for_page(page: Page, *, timeout_ms: float) -> None:
    """Wait until the page shows the dashboard's controls or the data error panel.

    Raises ``AssertionError`` with the page's text as soon as Voilà's failure output shows
    instead, rather than waiting the whole timeout for controls that will never come.
    """
    page.wait_for_function(
        """(failure) => document.querySelector('.mb-dashboard select, .mb [role=alert]') !== null
                        || new RegExp(failure).test(document.body.innerText)""",
        arg=VOILA_FAILURE.pattern,
        timeout=timeout_ms,
        polling=200,
    )
    if page.locator(".mb-dashboard select, .mb [role=alert]").count() == 0:
        text = page.inner_text("body")
        found = VOILA_FAILURE.search(text)
        raise AssertionError(
            f"Voilà's failure output ({found and found.group(0)!r}) instead of the dashboard:\n{text[:1500]}"
        )


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's headless Chromium through Playwright (Playwright's own download is impossible here)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise RuntimeError(
            f"{CHROMIUM} がありません: sudo apt-get install chromium fonts-noto-cjk "
            "（ブラウザのテストを省くには -m 'not browser'）"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class ServerOnly:
    """Keeps a browser context offline: requests to any other host are aborted and recorded.

    Every request (and WebSocket) the pages make is kept in ``seen``; the ones that went, or tried
    to go, anywhere but an allowed Voilà server are in ``foreign``. ``data:`` and ``blob:`` URLs
    never leave the page and are fine.
    """

    def __init__(self, context: BrowserContext) -> None:
        self.origins: set[tuple[str, int]] = set()
        self.seen: list[str] = []
        self.foreign: list[str] = []
        context.on("request", lambda request: self._record(request.url))
        context.on("page", lambda page: page.on("websocket", lambda ws: self._record(ws.url)))
        context.route(self.is_foreign, lambda route: route.abort("blockedbyclient"))

    def allow(self, server_url: str) -> None:
        parts = urlsplit(server_url)
        self.origins.add((parts.hostname or "", parts.port or 80))

    def is_foreign(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return False
        if parts.scheme not in ("http", "https", "ws", "wss"):
            return True
        return (parts.hostname or "", parts.port or 80) not in self.origins

    def _record(self, url: str) -> None:
        self.seen.append(url)
        if self.is_foreign(url):
            self.foreign.append(url)
