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
import re
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

from ..data.files import write_cache

#: Part of every file name: change it when what a stored figure shows changes for the same key
#: (3: complementary suppression; 4: margins measured, not constrained layout; 5: withheld cells
#: chosen by integer programming, plan period shaded, sample points marked; 6: no SVG metadata).
ENCODING = 6

#: Drawing processes are forked (they inherit the jobs); where there is no fork (Windows), the
#: figures are drawn one after another in the calling process.
FORK = "fork" in multiprocessing.get_all_start_methods()


class FigureCache:
    """``get(key, draw)`` returns the cached bytes for ``key`` or draws, stores and returns them."""

    def __init__(self, directory: Path | None, version: str):
        self.directory = directory / version if directory else None
        self.version = version
        self._memory: dict[str, bytes] = {}
        self.drawn = 0  # how many figures this process had to draw (the rest came from the cache)
        self._pending: dict[str, Callable[[], bytes]] | None = None  # while draw_all collects

    @property
    def cold(self) -> bool:
        """Nothing drawn yet for this data version."""
        return self.directory is None or not self.directory.exists()

    def get(
        self, key: dict[str, object], draw: Callable[[], bytes], *, suffix: str = "png"
    ) -> bytes:
        digest = json.dumps([ENCODING, key], sort_keys=True, default=str).encode()
        name = f"{hashlib.sha256(digest).hexdigest()[:24]}.{suffix}"
        if name in self._memory:
            return self._memory[name]
        path = self.directory / name if self.directory else None
        if path is not None and path.exists():
            data = path.read_bytes()
        elif self._pending is not None:  # collecting: draw later, all at once
            if suffix != "svg":
                raise ValueError("draw_all puts in SVG figures only (PNG is base64-encoded)")
            self._pending[name] = draw
            return _placeholder(name)
        else:
            data = draw()
            self.drawn += 1
            if path is not None:
                write_cache(path, data)
        self._memory[name] = data
        return data

    def draw_all(
        self,
        render: Callable[[], list[str]],
        *,
        prepare: Callable[[], None] | None = None,
        processes: int | None = None,
        drawers: Drawers | None = None,
    ) -> list[str]:
        """The documents ``render`` makes, with every figure, drawing missing ones on all cores.

        ``render`` runs once: a missing (SVG) figure comes out as a placeholder, is drawn in a
        worker process (one per core), stored, and put in its place. ``prepare`` (matplotlib's
        imports, ~0.4 s) is paid once: on a cold cache by :class:`Drawers` forked at the start
        (``drawers``, started even earlier by the caller, or here), while ``render`` runs;
        otherwise here, before the workers fork.

        Uses fork: call it from a plain process (the CLI), not from a kernel with threads.
        """
        processes = processes or os.cpu_count() or 1
        own = drawers is None and prepare is not None and self.cold and processes > 1 and FORK
        if own and prepare is not None:
            drawers = Drawers(prepare, processes)
        try:
            self._pending = {}
            try:
                documents = render()
                jobs = list(self._pending.values())
                names = list(self._pending)
            finally:
                self._pending = None
            if not jobs:
                drawn = []
            elif drawers is not None:
                drawn = drawers.draw(jobs)
            else:
                if prepare is not None:
                    prepare()
                drawn = _draw(jobs, processes)
        finally:
            if own and drawers is not None:
                drawers.close()
        figures = {}
        for name, data in zip(names, drawn, strict=True):
            self.drawn += 1
            self._memory[name] = data
            figures[name] = data.decode()
            if self.directory is not None:
                write_cache(self.directory / name, data)
        return [_PLACEHOLDER.sub(lambda m: figures[m.group(1)], document) for document in documents]


#: What a missing figure is while ``draw_all`` collects (never shown to anyone).
_PLACEHOLDER = re.compile(r'<svg data-figure-pending="([0-9a-f]{24}\.svg)"></svg>')
_JOBS: list[Callable[[], bytes]] = []


def _placeholder(name: str) -> bytes:
    return f'<svg data-figure-pending="{name}"></svg>'.encode()


def _draw(jobs: list[Callable[[], bytes]], processes: int) -> list[bytes]:
    """Every job's result, from forked workers that inherit the jobs (nothing is pickled)."""
    global _JOBS
    _JOBS = jobs
    try:
        if processes > 1 and len(jobs) > 1 and FORK:
            with multiprocessing.get_context("fork").Pool(min(processes, len(jobs))) as pool:
                return pool.map(_draw_job, range(len(jobs)), chunksize=1)
        return [job() for job in jobs]
    finally:
        _JOBS = []


def _draw_job(index: int) -> bytes:
    return _JOBS[index]()


class Drawers:
    """A process forked before the figures are known: it pays for ``prepare`` while the parent
    loads and renders, receives the jobs (pickled partials) and forks the drawing workers itself.

    The CLI starts it before loading the data when the cache is cold (``with Drawers(...)``) and
    hands it to :meth:`FigureCache.draw_all`.
    """

    def __init__(self, prepare: Callable[[], None], processes: int | None = None):
        processes = processes or os.cpu_count() or 1
        context = multiprocessing.get_context("fork")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_run_drawers, args=(child, prepare, processes))
        self.process.start()

    def draw(self, jobs: list[Callable[[], bytes]]) -> list[bytes]:
        self.connection.send(jobs)
        ok, result = self.connection.recv()
        if not ok:
            raise result
        return list(result)

    def close(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()

    def __enter__(self) -> Drawers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _run_drawers(connection: Connection, prepare: Callable[[], None], processes: int) -> None:
    prepare()
    jobs = connection.recv()
    try:
        connection.send((True, _draw(jobs, processes)))
    except Exception as error:  # noqa: BLE001  (raised again in the parent)
        connection.send((False, error))
