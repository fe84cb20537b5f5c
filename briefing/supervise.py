"""Run a server (Voilà) as a child and take it down whole when the command is asked to stop.

A service manager sends SIGTERM, a closed terminal SIGHUP, ``kill -INT`` or Ctrl+C SIGINT; any of
them used to end only the ``briefing`` wrapper, leaving Voilà and its kernels running without a
parent, holding the port and about 1 GiB. Here the child runs in a session of its own (so Ctrl+C
reaches only the wrapper, and one path handles every signal), the wrapper passes SIGTERM on to it
and waits; kernels, which jupyter_client starts in sessions of their own, are watched while it
runs and stopped if Voilà did not stop them itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType

import psutil

#: The signals that ask ``briefing serve`` to stop (those a terminal, ``kill`` or systemd send).
STOP_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name)
)

#: Seconds Voilà gets to shut its kernels down before everything left is killed.
GRACE = 15.0

#: How often the process tree is looked at while the server runs, and while it stops (seconds).
_POLL = 1.0
_POLL_STOPPING = 0.1


def _die_with_parent() -> None:
    """In the child, before exec: receive SIGTERM if the wrapper dies (even by SIGKILL)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


@contextlib.contextmanager
def _stop_requests(on_stop: Callable[[int], None]) -> Iterator[None]:
    """Call ``on_stop(signum)`` on each stop signal while inside; the old handlers come back after."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        on_stop(signum)

    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    """Send ``sig`` to the child's process group (POSIX); on Windows, end the child itself."""
    with contextlib.suppress(ProcessLookupError):
        if os.name == "posix":
            os.killpg(process.pid, sig)
        else:
            process.terminate()


def _descendants(pid: int) -> set[psutil.Process]:
    try:
        return set(psutil.Process(pid).children(recursive=True))
    except psutil.Error:
        return set()


def _end(processes: set[psutil.Process], *, timeout: float) -> None:
    """SIGTERM the still running ``processes``, then SIGKILL whatever did not exit in ``timeout``."""
    alive = [p for p in processes if p.is_running()]
    for process in alive:
        with contextlib.suppress(psutil.Error):
            process.terminate()
    _, left = psutil.wait_procs(alive, timeout=timeout)
    for process in left:
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(left, timeout=timeout)


def run_until_stopped(
    command: Sequence[str], *, env: Mapping[str, str], cwd: Path, grace: float = GRACE
) -> int:
    """Run ``command`` until it exits or a stop signal arrives; leave no process of it behind.

    Returns the child's exit code, or 0 when it was asked to stop (a requested stop is not an error
    to a service manager).
    """
    requested: list[int] = []
    process: subprocess.Popen[bytes] | None = None

    def stop(signum: int) -> None:
        requested.append(signum)
        if process is not None and process.poll() is None:
            _signal_group(process, signal.SIGTERM)

    with _stop_requests(stop):
        posix = os.name == "posix"
        process = subprocess.Popen(
            list(command),
            env=dict(env),
            cwd=cwd,
            start_new_session=posix,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        if requested:  # a signal came before the child existed
            stop(requested[-1])
        seen: set[psutil.Process] = set()
        deadline: float | None = None
        while process.poll() is None:
            seen |= _descendants(process.pid)
            if requested and deadline is None:
                deadline = time.monotonic() + grace
            if deadline is not None and time.monotonic() > deadline:
                # Voilà did not finish in time: end its group
                _signal_group(process, getattr(signal, "SIGKILL", signal.SIGTERM))
                process.wait()
                break
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=_POLL_STOPPING if requested else _POLL)
        # kernels live in sessions of their own: whatever Voilà left running ends here
        _end(seen, timeout=grace / 3)
    return 0 if requested else process.returncode
