"""Save a reviewed survey import: the year's counts replace its rows in ``surveys.csv``.

Only the aggregated counts are written (region, group, answer: respondents and, when weighted,
Σw and Σw²); the file the counts came from is not copied anywhere. Rows of other years keep their
exact text and place; a replaced year's rows are written where its first row was, a new year's at
the end. The weight columns are added to a file that lacks them only when a weighted year arrives
(older rows then leave them empty). The change record gets one row per region and group that
changed, and the save goes through :mod:`briefing.data.store` (atomic, previous version kept,
``briefing undo`` restores the bytes).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd

from .. import clock
from ..config import Settings
from ..data import store
from ..data.changes import appended_changes
from ..data.dataset import Dataset, data_version
from .apply import MISSING_NAME, _require_disclosable
from .survey_review import SurveyReview

WEIGHT_COLUMNS = ["weighted", "weighted_sq"]


def _decimal(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def survey_files(
    ds: Dataset, result: SurveyReview, *, by: str, now: dt.datetime
) -> dict[str, bytes]:
    """The new ``surveys.csv`` and ``changes.csv`` bytes for a review without problems."""
    assert result.ok and result.fy is not None
    path = ds.directory / "surveys.csv"
    text = path.read_text(encoding="utf-8")
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    lines = text.splitlines(keepends=True)[1:]
    weighted = result.weighted
    columns = header + [c for c in WEIGHT_COLUMNS if weighted and c not in header]
    where = {c: i for i, c in enumerate(header)}
    kept: list[str] = []
    place: int | None = None
    for line, cells in zip(lines, csv.reader(io.StringIO("".join(lines))), strict=True):
        if (
            cells
            and cells[where["survey"]] == result.survey
            and int(cells[where["fy"]]) == result.fy
        ):
            place = len(kept) if place is None else place
            continue
        if len(columns) > len(header) and cells:
            line = line.rstrip("\r\n") + "," * (len(columns) - len(header)) + "\n"
        kept.append(line)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for r in result.new_rows.itertuples():
        row = {
            "survey": result.survey,
            "fy": str(result.fy),
            "region": r.region,
            "group": r.group,
            "answer": r.answer,
            "respondents": str(int(r.respondents)),
            "sample": "false",
            "weighted": _decimal(r.weighted) if weighted else "",
            "weighted_sq": _decimal(r.weighted_sq) if weighted else "",
        }
        writer.writerow([row.get(c, "") for c in columns])
    new = buffer.getvalue().splitlines(keepends=True)
    at = len(kept) if place is None else place
    if kept and not kept[-1].endswith("\n"):
        kept[-1] += "\n"
    out = ",".join(columns) + "\n" if len(columns) > len(header) else text.splitlines(True)[0]
    body = "".join(kept[:at] + new + kept[at:])
    return {
        "surveys.csv": (out + body).encode("utf-8"),
        "changes.csv": appended_changes(ds.directory, _changes(result, by=by, now=now)),
    }


def _changes(result: SurveyReview, *, by: str, now: dt.datetime) -> list[dict[str, object]]:
    """One change record row per region × group whose counts changed (shares in %)."""
    changed = result.table[result.table["change"].ne("変更なし") & result.table["region"].ne("")]
    changed = changed[changed["group"] != "全体"]
    return [
        {
            "changed_at": clock.stamp(now),
            "by": by,
            "file": result.file,
            "series": result.survey,
            "fy": result.fy,
            "area": r.region,
            "group": r.group,
            "old_value": "" if pd.isna(r.old_value) else f"{r.old_value:.1f}",
            "new_value": "" if pd.isna(r.new_value) else f"{r.new_value:.1f}",
            "old_status": "",
            "new_status": "",
        }
        for r in changed.itertuples()
    ]


def commit_survey(
    ds: Dataset,
    result: SurveyReview,
    *,
    by: str,
    now: dt.datetime | None = None,
    settings: Settings | None = None,
) -> str:
    """Save a reviewed survey import (atomic, versioned); returns the version name for undo.

    Raises :class:`~briefing.data.store.StaleError` when the data changed since the review, and
    :class:`~briefing.stats.disclosure.DisclosureError` when the new groups fail the audit
    (nothing is saved in either case).
    """
    if not by.strip():
        raise ValueError(MISSING_NAME)
    if not result.ok or result.fy is None:
        raise ValueError("問題のある取り込みは保存できません。")
    by = by.strip()
    now = now or clock.now()
    reviewed = result.version or ds.version

    def unchanged() -> None:
        if data_version(ds.directory) != reviewed:
            raise store.StaleError(
                "確認した後に、別の取り込み（またはやり直し）でデータが変わったため保存しませんでした。"
                "データは変更されていません。もう一度取り込んで、確認し直してください。"
            )

    def checked_files() -> dict[str, bytes]:
        new = survey_files(ds, result, by=by, now=now)
        _require_disclosable(ds, new, settings or Settings())
        return new

    counts = result.table["change"].value_counts() if len(result.table) else {}
    return store.save(
        ds.directory,
        checked_files,
        check=unchanged,
        meta={
            "when": clock.stamp(now),
            "by": by,
            "inputs": [result.file],
            "survey": result.survey,
            "fy": result.fy,
            **{str(k): int(v) for k, v in dict(counts).items()},
        },
    )
