"""The change record ``changes.csv``: one row per value an import changed, with who and when.

Imports append to it (through the store, in the same step as ``history.csv``) and the briefing's
「前回からの更新」 reads it back.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

#: ``record_changes.csv``: one row per column of an account or opinion an import changed
RECORD_CHANGE_COLUMNS = ["changed_at", "by", "file", "record", "key", "column", "old", "new"]
CHANGE_COLUMNS = [
    "changed_at",
    "by",
    "file",
    "series",
    "fy",
    "area",
    "old_value",
    "new_value",
    "old_status",
    "new_status",
]


def read_changes(directory: Path) -> pd.DataFrame:
    """The change record (empty when nothing was ever imported)."""
    path = directory / "changes.csv"
    if not path.exists():
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def appended_changes(directory: Path, changes: list[dict[str, object]]) -> bytes:
    """The bytes of ``changes.csv`` with ``changes`` appended (a header first if it is new)."""
    return appended_rows(directory, "changes.csv", CHANGE_COLUMNS, changes)


def read_record_changes(directory: Path) -> pd.DataFrame:
    """The change record of accounts and opinions ``record_changes.csv`` (empty when none)."""
    path = directory / "record_changes.csv"
    if not path.exists():
        return pd.DataFrame(columns=RECORD_CHANGE_COLUMNS)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def appended_rows(
    directory: Path, name: str, columns: list[str], rows: list[dict[str, object]]
) -> bytes:
    """The bytes of the record ``name`` with ``rows`` appended (a header first if it is new)."""
    path = directory / name
    old = path.read_bytes() if path.exists() else b""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    if not old:
        writer.writeheader()
    writer.writerows(rows)
    return old + buffer.getvalue().encode("utf-8")
