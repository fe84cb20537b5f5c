"""Saving data safely: one lock, a journal with a single commit point, versions and undo.

A save stages every new file in ``.staging/`` and backs up the files it replaces, then writes
``COMMIT`` (the commit point, an atomic rename). Rolling forward — moving the backup into
``.versions/`` and the staged files into place — is idempotent, so a save killed at any moment is
finished by the next reader or writer if it reached the commit point, and discarded if it did not:
the data is always either all old or all new.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .. import clock
from .files import sync_dir, write_synced

STAGING = ".staging"
VERSIONS = ".versions"
LOCK = ".lock"
#: Data files a save may replace; a version keeps the previous bytes of each.
MANAGED = (
    "history.csv",
    "changes.csv",
    "surveys.csv",
    "accounts.csv",
    "opinions.csv",
    "record_changes.csv",
)
#: What versions saved before ``meta.json`` listed its managed files kept (undo touches only these)
_MANAGED_BEFORE = ("history.csv", "changes.csv")


class LockError(RuntimeError):
    """Another save holds the lock; the message says what to do, in Japanese."""


class StaleError(LockError):
    """The data changed (another import or undo) after it was read for this save; nothing written."""


@contextlib.contextmanager
def locked(directory: Path, *, wait: float = 10.0) -> Iterator[None]:
    """Hold the data directory's lock; give up after ``wait`` seconds with a clear message."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK, "a+") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockError(
                        "別の保存（またはやり直し）が実行中のため保存できませんでした。"
                        "しばらく待ってからもう一度実行してください。データは変更されていません。"
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def save(
    directory: Path,
    files: dict[str, bytes] | Callable[[], dict[str, bytes]],
    *,
    meta: dict[str, object],
    check: Callable[[], None] | None = None,
) -> str:
    """Replace ``files`` in ``directory`` all at once, keeping the previous bytes as a version.

    ``files`` may be a function, called with the lock held, so that new bytes computed from the
    current files cannot overwrite a save that finished in between; ``check`` (also called with the
    lock held, before anything is written) may raise :class:`StaleError` to refuse the save.
    Returns the version name (what ``undo`` will restore).
    """
    with locked(directory):
        _recover(directory)
        if check is not None:
            check()
        if callable(files):
            files = files()
        name = clock.now().strftime("%Y%m%dT%H%M%S%f")  # Japan time, as staff read it
        staging = _fresh_staging(directory)
        backup = staging / "backup"
        backup.mkdir()
        for file in MANAGED:
            if (directory / file).exists():
                shutil.copy2(directory / file, backup / file)
        (backup / "meta.json").write_text(
            json.dumps(
                {**meta, "files": sorted(files), "managed": list(MANAGED)},
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
        for file, data in files.items():
            write_synced(staging / "new" / file, data)
        _pause()
        _commit(
            staging,
            {"backup_to": name, "replace": sorted(files), "delete": [], "drop_version": None},
        )
        _roll_forward(directory)
        return name


def undo(directory: Path) -> str | None:
    """Restore the files as they were before the last save; None when there is nothing to undo."""
    with locked(directory):
        _recover(directory)
        versions = list_versions(directory)
        if not versions:
            return None
        last = directory / VERSIONS / versions[-1]
        # a version kept the files managed when it was saved: an older one has no surveys.csv,
        # which must then stay as it is rather than be taken for a file that did not exist yet
        managed = version_meta(directory, versions[-1]).get("managed", _MANAGED_BEFORE)
        staging = _fresh_staging(directory)
        restore = [f for f in MANAGED if f in managed and (last / f).exists()]  # type: ignore[operator]
        for file in restore:
            write_synced(staging / "new" / file, (last / file).read_bytes())
        # a file the save created goes; one it did not touch stays (a version made before the
        # file was managed has no copy of it)
        replaced = version_meta(directory, versions[-1]).get("files", MANAGED)
        delete = [
            f
            for f in MANAGED
            if f in managed  # type: ignore[operator]
            and f in replaced  # type: ignore[operator]
            and not (last / f).exists()
            and (directory / f).exists()
        ]
        _pause()
        _commit(
            staging,
            {"backup_to": None, "replace": restore, "delete": delete, "drop_version": versions[-1]},
        )
        _roll_forward(directory)
        return versions[-1]


def list_versions(directory: Path) -> list[str]:
    root = directory / VERSIONS
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.exists() else []


def version_meta(directory: Path, version: str) -> dict[str, object]:
    path = directory / VERSIONS / version / "meta.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def recover(directory: Path) -> None:
    """Finish or discard a save that was interrupted (called before reading the data)."""
    if (directory / STAGING).exists():
        with locked(directory):
            _recover(directory)


def _recover(directory: Path) -> None:
    staging = directory / STAGING
    if (staging / "COMMIT").exists():
        _roll_forward(directory)
    elif staging.exists():
        shutil.rmtree(staging)


def _fresh_staging(directory: Path) -> Path:
    """The staging folder of a new save or undo (``_recover`` has just removed any old one)."""
    staging = directory / STAGING
    staging.mkdir()
    return staging


def _commit(staging: Path, plan: dict[str, object]) -> None:
    tmp = staging / "COMMIT.tmp"
    write_synced(tmp, json.dumps(plan).encode())
    os.replace(tmp, staging / "COMMIT")
    sync_dir(staging)


def _roll_forward(directory: Path) -> None:
    """Carry out a committed plan; every step can run again after a kill and do no harm."""
    staging = directory / STAGING
    plan = json.loads((staging / "COMMIT").read_text(encoding="utf-8"))
    if plan["backup_to"] and (staging / "backup").exists():
        (directory / VERSIONS).mkdir(exist_ok=True)
        os.replace(staging / "backup", directory / VERSIONS / plan["backup_to"])
        _pause()
    for file in plan["replace"]:
        if (staging / "new" / file).exists():
            os.replace(staging / "new" / file, directory / file)
            _pause()
    for file in plan["delete"]:
        (directory / file).unlink(missing_ok=True)
    if plan["drop_version"] and (directory / VERSIONS / plan["drop_version"]).exists():
        shutil.rmtree(directory / VERSIONS / plan["drop_version"])
    sync_dir(directory)
    shutil.rmtree(staging)


#: Pause points this process has passed (``BRIEFING_TEST_SAVE_KILL_AT`` counts them).
_STEPS = itertools.count(1)


def _pause() -> None:
    """Between a save's steps, let a test slow it down or kill it at a known step.

    ``BRIEFING_TEST_SAVE_PAUSE=S`` sleeps S seconds at every step (two saves then overlap);
    ``BRIEFING_TEST_SAVE_KILL_AT=N`` kills the process (SIGKILL, as a power cut would stop it) at
    its N-th step, so a test knows where the save stopped without timing a kill from outside.
    """
    # a test hook, not a rule: left out of mutation testing (tests/README.md)
    # pragma: no mutate block
    pause = os.environ.get("BRIEFING_TEST_SAVE_PAUSE")
    if pause:
        time.sleep(float(pause))
    kill_at = os.environ.get("BRIEFING_TEST_SAVE_KILL_AT")
    if kill_at and next(_STEPS) == int(kill_at):
        os.kill(os.getpid(), signal.SIGKILL)
