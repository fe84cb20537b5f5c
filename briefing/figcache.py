"""A figure cache on disk, shared by every kernel: one chart is drawn once per data version.

Keys include the data version, so an import of new figures never shows a stale chart. Files are
written atomically (temporary file, then rename), so two kernels drawing the same chart at once
both end with a whole file.
"""

from __future__ import annotations

import hashlib
import json
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
        else:
            data = draw()
            self.drawn += 1
            if path is not None:
                _write_atomic(path, data)
        self._memory[name] = data
        return data


def _write_atomic(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only or full disk only costs a redraw next time
