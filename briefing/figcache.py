"""A figure cache on disk, shared by every kernel: one chart is drawn once per data version.

Keys include the data version, so an import of new figures never shows a stale chart. Files are
written atomically (temporary file, then rename), so two kernels drawing the same chart at once
both end with a whole file.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


class FigureCache:
    """``get(key, draw)`` returns the cached bytes for ``key`` or draws, stores and returns them."""

    def __init__(self, directory: Path | None, version: str):
        self.directory = directory / version if directory else None
        self.version = version
        self._memory: dict[str, bytes] = {}
        self.drawn = 0  # how many figures this process had to draw (the rest came from the cache)
        self._pending: dict[str, Callable[[], bytes]] | None = None

    def get(
        self, key: dict[str, object], draw: Callable[[], bytes], *, suffix: str = "png"
    ) -> bytes:
        name = hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[
            :24
        ]
        name = f"{name}.{suffix}"
        if name in self._memory:
            return self._memory[name]
        path = self.directory / name if self.directory else None
        if path is not None and path.exists():
            data = path.read_bytes()
        elif self._pending is not None:  # collecting: draw later, all at once
            self._pending[name] = draw
            return PLACEHOLDER
        else:
            data = draw()
            self.drawn += 1
            if path is not None:
                _write_atomic(path, data)
        self._memory[name] = data
        return data

    def draw_all(self, render: Callable[[], object], *, processes: int | None = None) -> None:
        """Run ``render`` once only to learn which figures it needs, then draw the missing ones
        in parallel processes (one per core), so a later ``render`` finds them all cached.

        Uses fork: call it from a plain process (the CLI), not from a kernel with threads.
        """
        self._pending = {}
        try:
            render()
            jobs = list(self._pending.items())
        finally:
            self._pending = None
        processes = min(processes or os.cpu_count() or 1, len(jobs))
        if processes < 2:
            return
        global _JOBS
        _JOBS = [draw for _, draw in jobs]
        try:
            with multiprocessing.get_context("fork").Pool(processes) as pool:
                results = pool.map(_draw_job, range(len(jobs)), chunksize=1)
        finally:
            _JOBS = []
        for (name, _), data in zip(jobs, results, strict=True):
            self.drawn += 1
            self._memory[name] = data
            if self.directory is not None:
                _write_atomic(self.directory / name, data)


#: What a collecting pass returns for a figure it has not drawn yet (never shown to anyone).
PLACEHOLDER = b"<svg></svg>"
_JOBS: list[Callable[[], bytes]] = []


def _draw_job(index: int) -> bytes:
    return _JOBS[index]()


def _write_atomic(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only or full disk only costs a redraw next time
