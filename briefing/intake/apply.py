"""Apply a reviewed import to the stored history and save it with its change record.

Untouched rows of ``history.csv`` keep their exact text; changed and new rows are written in the
same style; prefecture totals of regional series are recomputed from the municipalities when the
input gave municipal values but no total. Every changed value is appended to ``changes.csv``.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import clock
from ..config import Settings
from ..data import store
from ..data.areas import PREFECTURE
from ..data.changes import appended_changes
from ..data.dataset import Dataset, data_version, load_dataset
from ..data.schema import plain_number
from ..data.totals import SUMMED_KINDS, sum_status
from ..stats.disclosure import require_passed
from .records import RecordReview, record_files
from .review import Review

MISSING_NAME = "担当者名がありません。変更記録に残す担当者名（例: 福祉課 山田）を入力してください。"


@dataclass
class _History:
    """The rows of ``history.csv`` being edited and the change record of every edit: each write
    goes through :meth:`put`, so no changed value escapes ``changes.csv``."""

    rows: list[dict[str, str]]
    by: str
    now: dt.datetime
    changes: list[dict[str, object]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.index = {(r["series"], int(r["fy"]), r["area"]): i for i, r in enumerate(self.rows)}
        self.today = self.now.astimezone(clock.TOKYO).date().isoformat()

    def put(
        self,
        series: str,
        fy: int,
        area: str,
        value: float,
        status: str,
        comment: str | None,
        source: str,
        file: str,
    ) -> bool:
        """Write one value unless it is already stored as given; ``comment`` ``None`` keeps the
        old one. Returns whether anything changed."""
        key = (series, fy, area)
        old = self.rows[self.index[key]] if key in self.index else None
        if (
            old is not None
            and float(old["value"]) == value
            and old["status"] == status
            and (comment is None or comment == old["comment"])
        ):
            return False
        # a real row keeps its comment and source while only its status changes; a new value
        # takes the new file as its source (an old comment like 「計画策定時の現状値」 no longer fits)
        keep = old is not None and old["sample"] == "false" and float(old["value"]) == value
        new = {
            "series": series,
            "fy": str(fy),
            "area": area,
            "value": plain_number(value),
            "status": status,
            "sample": "false",
            "comment": (old["comment"] if keep and old else "") if comment is None else comment,
            "source": old["source"] if keep and old and old["source"] else source,
            "updated": self.today,
        }
        if old is None:
            self.index[key] = len(self.rows)
            self.rows.append(new)
        else:
            self.rows[self.index[key]] = new
        self.changes.append(_change(self.by, self.now, file, new, old))
        return True

    def towns(self, series: str, fy: int) -> list[dict[str, str]]:
        """The municipal rows of a series and year."""
        return [
            r
            for r in self.rows
            if r["series"] == series and int(r["fy"]) == fy and r["area"] != PREFECTURE
        ]


def _change(
    by: str, now: dt.datetime, file: str, new: dict[str, str], old: dict[str, str] | None
) -> dict[str, object]:
    """One row of ``changes.csv``."""
    return {
        "changed_at": clock.stamp(now),
        "by": by,
        "file": file,
        "series": new["series"],
        "fy": int(new["fy"]),
        "area": new["area"],
        "old_value": old["value"] if old else "",
        "new_value": new["value"],
        "old_status": old["status"] if old else "",
        "new_status": new["status"],
    }


def apply(
    ds: Dataset,
    result: Review,
    *,
    by: str,
    now: dt.datetime,
    comments: dict[tuple[str, int], str] | None = None,
) -> dict[str, bytes]:
    """The new ``history.csv`` and ``changes.csv`` bytes for a review without problems.

    ``comments`` sets the staff comment of a series' prefecture value for a year (the notebook's
    comment boxes); it goes with the values, in the same save.
    """
    history = pd.read_csv(ds.directory / "history.csv", dtype=str, keep_default_na=False)
    edit = _History(history.to_dict("records"), by=by, now=now)
    comments = comments or {}
    _put_entries(edit, result, comments)
    _follow_totals(edit, ds, result, comments)
    table = pd.DataFrame(edit.rows, columns=history.columns)
    table = (
        table.assign(_fy=table["fy"].astype(int))
        .sort_values(["series", "_fy", "area"])  # unique keys: no ties to keep in order
        .drop(columns="_fy")
    )
    return {
        "history.csv": _csv(table),
        "changes.csv": appended_changes(ds.directory, edit.changes),
    }


def _put_entries(edit: _History, result: Review, comments: dict[tuple[str, int], str]) -> None:
    """The reviewed values; a comment box's text goes with the prefecture value of its year."""
    for e in result.entries:
        comment = comments.get((e.series, e.fy)) if e.area == PREFECTURE else None
        edit.put(
            e.series,
            e.fy,
            e.area,
            e.value,
            e.status,
            comment if comment is not None else (e.comment or None),
            f"{e.file}（{edit.today} 取込）",
            e.file,
        )


def _follow_totals(
    edit: _History, ds: Dataset, result: Review, comments: dict[tuple[str, int], str]
) -> None:
    """Prefecture totals of summable regional series follow their municipalities when the input
    gave municipal values but no total."""
    given = {(e.series, e.fy) for e in result.entries if e.area == PREFECTURE}
    touched = {(e.series, e.fy) for e in result.entries if e.area != PREFECTURE} - given
    for series, fy in sorted(touched):
        if ds.series.at[series, "kind"] not in SUMMED_KINDS:
            continue
        towns = edit.towns(series, fy)
        total = sum(float(r["value"]) for r in towns)
        status = sum_status(r["status"] for r in towns)
        written = edit.put(
            series,
            fy,
            PREFECTURE,
            total,
            status,
            comments.get((series, fy)),
            "市町の値の合計（自動計算）",
            "（自動計算）",
        )
        if written and any(r["sample"] == "true" for r in towns):
            # a total of sample values is sample (an unchanged total, e.g. the plan's real baseline, keeps its flag)
            edit.rows[edit.index[(series, fy, PREFECTURE)]]["sample"] = "true"


def commit(
    ds: Dataset,
    result: Review,
    *,
    by: str,
    files: list[str] | None = None,
    now: dt.datetime | None = None,
    comments: dict[tuple[str, int], str] | None = None,
    settings: Settings | None = None,
    records: RecordReview | None = None,
) -> str:
    """Save a reviewed import (atomic, versioned); returns the version name for undo.

    ``by`` is the staff member's name for the change record (``staff.remembered_name()``); the
    login name says nothing on a shared office PC, so there is no default. Times are Japan time.
    Raises :class:`~briefing.stats.disclosure.DisclosureError` (nothing saved) when the new figures'
    withheld counts would fail the audit.
    """
    if not by.strip():
        raise ValueError(MISSING_NAME)
    by = by.strip()
    now = now or clock.now()
    counts = result.counts()
    reviewed = result.version or ds.version

    def unchanged() -> None:  # runs with the lock held: another save may have finished meanwhile
        if data_version(ds.directory) != reviewed:
            raise store.StaleError(
                "確認した後に、別の取り込み（またはやり直し）でデータが変わったため保存しませんでした。"
                "データは変更されていません。もう一度取り込んで、確認し直してください。"
            )

    def checked_files() -> dict[str, bytes]:
        new: dict[str, bytes] = {}
        if result.entries or comments:
            new = apply(ds, result, by=by, now=now, comments=comments)
            _require_disclosable(ds, new, settings or Settings())
        if records is not None and records.records:
            new |= record_files(ds, records, by=by, now=now)
        return new

    return store.save(
        ds.directory,
        checked_files,
        check=unchanged,
        meta={
            "when": clock.stamp(now),
            "by": by,
            "inputs": files or [],
            **counts,
            **(records.counts() if records is not None else {}),
        },
    )


def _require_disclosable(ds: Dataset, files: dict[str, bytes], settings: Settings) -> None:
    """Solve and audit the withheld cells of the data as it will be saved; the stored answer
    then serves every view of the new version at once."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for path in ds.directory.glob("*.csv"):
            shutil.copyfile(path, folder / path.name)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        require_passed(load_dataset(folder), settings.suppress_below, settings.disclosure_dir)


def _csv(table: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    table.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")
