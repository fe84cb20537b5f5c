"""Stopping ``briefing serve`` ends Voilà and every kernel and frees the port.

A service manager sends SIGTERM, a closed terminal SIGHUP, ``kill -INT`` SIGINT, and all of them
go to the ``briefing`` process only. Killing only that wrapper used to leave Voilà and its kernels
running, holding the port and about 1 GiB. Each test starts the real command, opens one page (so a
page's kernel and a pool kernel run), records the whole process tree, sends one signal to the
wrapper and waits until nothing of that tree is left.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from servers import ARTIFACTS, answers, free_port, kernel_pids, private_environment

pytestmark = pytest.mark.notebook

#: Generous: starting Voilà and running the dashboard in two kernels on a busy 2-core machine.
START_TIMEOUT = 120.0
#: Longer than supervise.GRACE plus the kernels' own shutdown: only a hang exceeds it.
STOP_TIMEOUT = 60.0


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
    """The ``briefing serve`` process, its port, and the processes of its tree seen so far."""

    process: subprocess.Popen[bytes]
    port: int
    tree: list[psutil.Process]


@pytest.fixture
def served(tmp_path: Path, data_dir: Path) -> Iterator[Served]:
    """``briefing serve`` on a free port with a pool of 1; its whole tree is killed afterwards.

    A failing test may leave Voilà and kernels orphaned: the tree the test recorded is killed too.
    """
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    env = private_environment(dict(os.environ), tmp_path)
    with (ARTIFACTS / "serve-stop.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "briefing.cli", "serve", "--port", str(port), "--pool", "1"]
            + ["--data", str(data_dir)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
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


def voila_of(wrapper: psutil.Process) -> psutil.Process | None:
    return next((c for c in wrapper.children() if b"voila" in " ".join(c.cmdline()).encode()), None)


def open_a_page(served: Served) -> list[psutil.Process]:
    """Wait until the server answers, open the dashboard once, and return the process tree.

    The tree then holds the wrapper, Voilà, the page's kernel and the pool's refill.
    """
    url = f"http://127.0.0.1:{served.port}/"
    wrapper = psutil.Process(served.process.pid)
    voila = wait_until(lambda: voila_of(wrapper), timeout=START_TIMEOUT, what="Voilà started")
    assert isinstance(voila, psutil.Process)
    wait_until(lambda: answers(url), timeout=START_TIMEOUT, what=f"{url} answers")
    with urllib.request.urlopen(url, timeout=START_TIMEOUT) as page:
        assert page.status == 200
    wait_until(
        lambda: len(kernel_pids(voila.pid)) >= 2, timeout=START_TIMEOUT, what="two kernels run"
    )
    served.tree = [wrapper, *wrapper.children(recursive=True)]
    assert len(served.tree) >= 4, served.tree
    return served.tree


def assert_all_ended(tree: list[psutil.Process], port: int) -> None:
    wait_until(
        lambda: all(gone(p) for p in tree),
        timeout=STOP_TIMEOUT,
        what=f"every process of the server ended (tree: {tree})",
    )
    wait_until(lambda: port_is_free(port), timeout=STOP_TIMEOUT, what=f"port {port} free")


@pytest.mark.parametrize(
    "stop",
    [signal.SIGTERM, signal.SIGINT, signal.SIGHUP],
    ids=["SIGTERM (service manager, kill)", "SIGINT (kill -INT)", "SIGHUP (terminal closed)"],
)
def test_a_stop_signal_leaves_no_process_and_frees_the_port(
    served: Served, stop: signal.Signals
) -> None:
    tree = open_a_page(served)

    served.process.send_signal(stop)

    assert served.process.wait(timeout=STOP_TIMEOUT) == 0  # a requested stop is no error
    assert_all_ended(tree, served.port)


def test_voila_and_its_kernels_end_even_when_the_wrapper_is_killed_outright(served: Served) -> None:
    # SIGKILL cannot be caught: Voilà hears of its parent's death from the kernel (Linux)
    tree = open_a_page(served)

    served.process.kill()

    served.process.wait(timeout=STOP_TIMEOUT)
    assert_all_ended(tree, served.port)
