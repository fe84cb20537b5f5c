"""Processes from /proc: trees, kernels, idle waits, CPU and memory sampling per phase."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .common import CLK_TCK, PAGE_SIZE


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
    """Kernel processes (``ipykernel_launcher``) that are children of the process ``parent``."""
    table = table if table is not None else processes()
    return sorted(
        p.pid for p in table.values() if p.ppid == parent and b"ipykernel_launcher" in p.cmdline
    )


def kernels_under(folder: Path) -> list[int]:
    """Kernels whose connection file lies under ``folder``: they start in sessions of their own
    (jupyter_client), so they outlive a killed Voilà and a group kill misses them."""
    marker = str(folder).encode()
    return [
        p.pid
        for p in processes().values()
        if b"ipykernel_launcher" in p.cmdline and marker in p.cmdline
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

    def figures(self) -> dict[str, Any]:
        """Peak memory and kernels, and CPU seconds by kind, as the report keeps them."""
        return {
            "peak_rss_bytes": self.peak_rss,
            "peak_kernels": self.peak_kernels,
            "cpu_seconds": self.cpu_seconds(),
        }

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
