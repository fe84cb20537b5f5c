"""Voilà servers started exactly as ``briefing serve`` starts them, stopped with every kernel.

The pieces here (a free port, private Jupyter folders, the launch, the log lines that say the
server is up, the stop) are the harness of the tests too (``tests/servers.py``).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from briefing.config import Settings
from briefing.server import voila_command, voila_environment

from .common import REPO, log
from .procs import kernel_pids, kernels_under, wait_idle

#: Voilà's log line with its address, and the one saying its kernel pool started.
RUNNING_AT = re.compile(r"Voilà is running at:\s*(http://\S+?/)\s", re.S)
POOL_FILLED = "Kernel pool of"


def free_port() -> int:
    """A TCP port nobody listens on right now (the URL Voilà really uses is read from its log)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def private_folders(env: dict[str, str], workdir: Path) -> dict[str, str]:
    """``env`` with Jupyter's data and runtime folders, IPython's and the temporary folder in
    ``workdir``: nothing of the machine's own Jupyter state is used, nothing is left behind."""
    env = dict(env)
    for variable, folder in (
        ("JUPYTER_DATA_DIR", "jupyter-data"),
        ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"),
        ("IPYTHONDIR", "ipython"),
        ("TMPDIR", "tmp"),
    ):
        (workdir / folder).mkdir(parents=True, exist_ok=True)
        env[variable] = str(workdir / folder)
    return env


def launch(
    command: list[str], env: Mapping[str, str], log_path: Path, *, cwd: Path = REPO
) -> subprocess.Popen[bytes]:
    """``command`` in a session of its own (so a stop reaches its whole group), output to ``log_path``."""
    with log_path.open("wb") as out:
        return subprocess.Popen(
            command,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes], private_dir: Path, *, grace: float = 20) -> None:
    """SIGTERM lets Voilà shut its kernels down; whatever is left is killed, kernels included."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=grace)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    for pid in kernels_under(private_dir):
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)


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
        return self.log_text().count(POOL_FILLED)

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
        env = private_folders(voila_environment(self.settings), self.private)
        # the kernels' tempfile.gettempdir(): Settings.cache_dir (the shared figure cache) lives here
        env["TMPDIR"] = str(self.tmpdir)
        self.process = launch(
            voila_command(self.settings, notebook=self.notebook), env, self.log_path
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
            found = RUNNING_AT.search(self.log_text())
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
        if self.process is not None:
            stop(self.process, self.private, grace=15)
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
