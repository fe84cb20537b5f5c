"""The change record ``changes.csv``: one row per value an import changed, with who and when.

Imports append to it (through the store, in the same step as ``history.csv`` or ``surveys.csv``)
and the briefing's 「前回からの更新」 reads it back. A survey import records one row per region and
group: ``series`` is the survey (G1, G2), ``area`` the region, ``group`` the age band or agency type,
and the values are the agreeing shares in % (weighted when the survey is). Figures leave ``group``
empty; a record written before the column existed reads as if it were empty.
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
    "group",
]


def read_changes(directory: Path) -> pd.DataFrame:
    """The change record (empty when nothing was ever imported)."""
    path = directory / "changes.csv"
    if not path.exists():
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    record = pd.read_csv(path, dtype=str, keep_default_na=False)
    return record.assign(**{c: "" for c in CHANGE_COLUMNS if c not in record.columns})


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
    """The bytes of the record ``name`` with ``rows`` appended (a header first if it is new).

    A record written before a column existed is rewritten once with that column empty; otherwise
    the old bytes stay exactly as they were.
    """
    path = directory / name
    old = path.read_bytes() if path.exists() else b""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")  # a missing cell: ""
    if old:
        header = next(csv.reader(io.StringIO(old.decode())))  # UTF-8; a file has a first row
        if header != columns:
            writer.writeheader()
            writer.writerows(csv.DictReader(io.StringIO(old.decode())))
            old = b""
    else:
        writer.writeheader()
    writer.writerows(rows)
    return old + buffer.getvalue().encode()
