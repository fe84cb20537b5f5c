"""Writing files so that no reader ever sees half of one: the one home of every file writer.

A briefing, a cached chart or a disclosure record is written to a temporary file beside its
target and renamed over it in one step. The data store's saves also need the bytes on disk
before the next step (``write_synced``, ``sync_dir``), so that a power cut finds either the old
or the new data.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def write_atomic(path: Path, data: bytes | str) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8) in one step: never a half file."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    # not mkstemp: its 0600 would make a briefing sent or published unreadable to others; a file
    # created like this gets the permissions of any saved file (the umask applies)
    tmp = path.parent / f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_cache(path: Path, data: bytes) -> None:
    """``write_atomic`` for a cache: a read-only or full disk only costs the work again later."""
    with contextlib.suppress(OSError):
        write_atomic(path, data)


def write_synced(path: Path, data: bytes) -> None:
    """Write ``data`` and wait until it is on disk (the store's staged files and commit plan)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def sync_dir(path: Path) -> None:
    """Put a folder's renames on disk (not every file system allows it; then it is skipped)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
