"""Stopping ``briefing serve`` ends Voilà and every kernel and frees the port.

A service manager sends SIGTERM, a closed terminal SIGHUP, ``kill -INT`` SIGINT, and all of them
go to the ``briefing`` process only. Killing only that wrapper used to leave Voilà and its kernels
running, holding the port and about 1 GiB. Each test starts the real command, opens one page (so a
page's kernel and a pool kernel run), records the whole process tree, sends one signal to the
wrapper and waits until nothing of that tree is left.
"""

from __future__ import annotations

import signal
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from servers import (
    Served,
    answers,
    free_port,
    gone,
    kernel_pids,
    port_is_free,
    running_briefing,
    wait_until,
)

pytestmark = pytest.mark.notebook

#: Generous: starting Voilà and running the dashboard in two kernels on a busy 2-core machine.
START_TIMEOUT = 120.0
#: Longer than supervise.GRACE plus the kernels' own shutdown: only a hang exceeds it.
STOP_TIMEOUT = 60.0


@pytest.fixture
def served(tmp_path: Path, data_dir: Path) -> Iterator[Served]:
    """``briefing serve`` on a free port with a pool of 1; its whole tree is killed afterwards."""
    port = free_port()
    args = ["serve", "--port", str(port), "--pool", "1", "--data", str(data_dir)]
    with running_briefing(args, port=port, workdir=tmp_path, name="serve-stop") as server:
        yield server


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


def test_the_members_dashboard_offers_no_way_to_the_staff_page(served: Served) -> None:
    # Voilà serves only the dashboard notebook: other notebooks and the file tree are refused
    url = f"http://127.0.0.1:{served.port}/"
    wait_until(lambda: answers(url), timeout=START_TIMEOUT, what=f"{url} answers")
    for path in ("voila/render/staff.ipynb", "voila/tree", "notebooks/staff.ipynb"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url + path, timeout=START_TIMEOUT)
        refused.value.close()
        assert refused.value.code in (403, 404), path
