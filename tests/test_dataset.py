"""Loading ``data/``: the bundled files load, and every broken cell is reported where staff can find it.

Each rule is checked on a copy of the real data with one cell changed; the error must name the file,
the row as a spreadsheet shows it (header = row 1), the column and a Japanese reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from briefing import PREFECTURE, DataError, Dataset, Problem, load_dataset

_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _load_problems(directory: Path) -> list[Problem]:
    with pytest.raises(DataError) as caught:
        load_dataset(directory)
    problems = caught.value.problems
    assert problems, "DataError without problems"
    return problems


# --- the bundled data ---------------------------------------------------------------------------


def test_bundled_data_loads(bundled_dataset: Dataset) -> None:
    ds = bundled_dataset
    assert len(ds.history) > 1000
    assert len(ds.surveys) > 1000
    assert (ds.areas["level"] == "municipality").sum() == 29
    assert (ds.areas["level"] == "region").sum() == 5
    assert set(ds.areas.loc[ds.areas["level"] == "prefecture", "code"]) == {PREFECTURE}
    assert len(ds.version) == 16


def test_bundled_history_is_typed(bundled_dataset: Dataset) -> None:
    history = bundled_dataset.history
    assert history["fy"].dtype == "int64"
    assert history["value"].dtype == "float64"
    assert history["sample"].dtype == bool
    assert set(history["status"]) <= {"確定", "速報"}


def test_loading_a_copy_gives_the_same_version(bundled_dataset: Dataset, data_copy: Path) -> None:
    assert load_dataset(data_copy).version == bundled_dataset.version


def test_version_changes_when_a_value_changes(
    bundled_dataset: Dataset, data_copy: Path, edit_csv: Callable[..., str]
) -> None:
    edit_csv(data_copy / "history.csv", 2, "comment", "コメントを追加")
    assert load_dataset(data_copy).version != bundled_dataset.version


def test_edit_helper_changes_only_the_edited_line(
    data_copy: Path, edit_csv: Callable[..., str]
) -> None:
    path = data_copy / "catalog.csv"  # has a quoted cell with a comma in it
    before = path.read_bytes().splitlines(keepends=True)
    old = edit_csv(path, 3, "note", "メモ")
    after = path.read_bytes().splitlines(keepends=True)
    assert old.startswith("目標値は計画本文になし")
    assert len(after) == len(before)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert changed == [2]


# --- one broken cell, one clear message ---------------------------------------------------------


@dataclass(frozen=True)
class Breakage:
    """Where to break the copy and what the message must then say."""

    file: str
    match: dict[str, str]
    column: str
    value: str
    words: tuple[str, ...]  # at least one of these appears in the message


H, S, C = "history.csv", "surveys.csv", "catalog.csv"


def _pref(series: str, fy: str) -> dict[str, str]:
    """The prefecture-wide row of ``series`` in ``fy``."""
    return {"series": series, "fy": fy, "area": PREFECTURE}


CASES = {
    "value-not-a-number": Breakage(H, _pref("3-1", "2025"), "value", "abc", ("数値",)),
    "share-over-100": Breakage(H, _pref("2-3a", "2022"), "value", "100.5", ("100",)),
    "negative-count": Breakage(H, _pref("3-1", "2022"), "value", "-3", ("0 以上", "0以上")),
    "non-integer-count": Breakage(H, _pref("3-1", "2022"), "value", "12.5", ("整数",)),
    "milestone-2": Breakage(H, _pref("6-2", "2023"), "value", "2", ("創設",)),
    "unknown-series": Breakage(H, _pref("3-1", "2022"), "series", "9-9", ("系列",)),
    "unknown-area": Breakage(H, _pref("3-1", "2022"), "area", "999999", ("地域コード",)),
    "region-code-as-area": Breakage(
        H, {"series": "2-2", "fy": "2022", "area": "242012"}, "area", "hokusei", ("地域コード",)
    ),
    "municipality-for-prefecture-only-series": Breakage(
        H, _pref("3-1", "2022"), "area", "242012", ("内訳",)
    ),
    "bad-status": Breakage(H, _pref("3-1", "2022"), "status", "済", ("確定",)),
    "bad-sample-flag": Breakage(H, _pref("3-1", "2022"), "sample", "yes", ("true",)),
    "bad-updated-date": Breakage(H, _pref("3-1", "2022"), "updated", "2026-13-01", ("日付",)),
    "bad-fiscal-year": Breakage(H, _pref("3-1", "2022"), "fy", "令和", ("年度",)),
    "empty-required-cell": Breakage(H, _pref("3-1", "2022"), "value", "", ("空",)),
    "unknown-survey-region": Breakage(
        S, {"survey": "G1", "fy": "2023", "region": "iga"}, "region", "tokyo", ("地域コード",)
    ),
    "negative-respondents": Breakage(
        S, {"survey": "G2", "fy": "2024", "region": "chusei"}, "respondents", "-3", ("回答者数",)
    ),
    "bad-survey-answer": Breakage(
        S, {"survey": "G1", "fy": "2021", "region": "hokusei"}, "answer", "はい", ("そう思う",)
    ),
    "unknown-catalog-kind": Breakage(C, {"id": "3-1"}, "kind", "rate", ("count",)),
    "target-on-a-monitoring-indicator": Breakage(
        C, {"id": "3-1"}, "target_value", "300", ("目標値",)
    ),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_broken_cell_is_reported_with_file_row_column_and_reason(
    case: Breakage,
    data_copy: Path,
    edit_csv: Callable[..., str],
    find_row: Callable[..., int],
) -> None:
    path = data_copy / case.file
    row = find_row(path, **case.match)
    edit_csv(path, row, case.column, case.value)

    problems = _load_problems(data_copy)

    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert problem.file == case.file
    assert problem.row == row
    assert problem.column == case.column
    assert _JAPANESE.search(problem.reason), problem.reason
    text = str(problem)
    assert any(word in text for word in case.words), text
    if case.value:
        assert case.value in text


def test_duplicate_history_line_is_reported_at_the_repeat(data_copy: Path) -> None:
    path = data_copy / "history.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines) + lines[5], encoding="utf-8")
    repeated_row = len(lines) + 1  # header is row 1, so the appended line is row len(lines) + 1

    problems = _load_problems(data_copy)

    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert problem.file == "history.csv"
    assert problem.row == repeated_row
    assert _JAPANESE.search(problem.reason)
    # the message names the key so staff know which line it duplicates
    series, fy, area = lines[5].split(",")[:3]
    assert series in str(problem) and fy in str(problem) and area in str(problem)


def test_missing_file_is_reported(data_copy: Path) -> None:
    (data_copy / "history.csv").unlink()
    problems = _load_problems(data_copy)
    assert [p.file for p in problems] == ["history.csv"]
    assert _JAPANESE.search(problems[0].reason)
    assert "history.csv" in str(problems[0])


def test_missing_column_is_reported_on_the_header_row(data_copy: Path) -> None:
    path = data_copy / "history.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    position = header.index("status")
    # history.csv has no quoted cells, so a plain split is safe here
    kept = [",".join(c for i, c in enumerate(line.split(",")) if i != position) for line in lines]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")

    problems = _load_problems(data_copy)

    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert problem.file == "history.csv"
    assert problem.row == 1
    assert "status" in str(problem)
    assert _JAPANESE.search(problem.reason)


def test_file_not_in_utf8_is_reported(data_copy: Path) -> None:
    path = data_copy / "history.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("cp932"))
    problems = _load_problems(data_copy)
    assert [p.file for p in problems] == ["history.csv"]
    assert "UTF-8" in str(problems[0])


def test_utf8_with_bom_from_excel_loads(data_copy: Path) -> None:
    # Excel's 「CSV UTF-8」, which the error hint recommends, writes a byte-order mark
    path = data_copy / "history.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(load_dataset(data_copy).history) > 1000


# --- every problem, not only the first ----------------------------------------------------------


def test_several_cell_problems_in_one_file_are_all_reported(
    data_copy: Path, edit_csv: Callable[..., str], find_row: Callable[..., int]
) -> None:
    path = data_copy / "history.csv"
    first = find_row(path, series="3-1", fy="2021", area=PREFECTURE)
    second = find_row(path, series="4-2", fy="2023", area=PREFECTURE)
    third = find_row(path, series="5-4", fy="2024", area=PREFECTURE)
    edit_csv(path, first, "value", "abc")
    edit_csv(path, second, "status", "済")
    edit_csv(path, third, "updated", "昨日")

    problems = _load_problems(data_copy)

    assert {(p.file, p.row, p.column) for p in problems} == {
        ("history.csv", first, "value"),
        ("history.csv", second, "status"),
        ("history.csv", third, "updated"),
    }
    report = str(DataError(problems))
    assert "3 件" in report


def test_several_consistency_problems_in_one_file_are_all_reported(
    data_copy: Path, edit_csv: Callable[..., str], find_row: Callable[..., int]
) -> None:
    path = data_copy / "history.csv"
    negative = find_row(path, series="3-1", fy="2021", area=PREFECTURE)
    share = find_row(path, series="2-3b", fy="2023", area=PREFECTURE)
    town = find_row(path, series="4-3", fy="2022", area=PREFECTURE)
    edit_csv(path, negative, "value", "-1")
    edit_csv(path, share, "value", "250")
    edit_csv(path, town, "area", "242021")

    problems = _load_problems(data_copy)

    assert {(p.file, p.row, p.column) for p in problems} == {
        ("history.csv", negative, "value"),
        ("history.csv", share, "value"),
        ("history.csv", town, "area"),
    }


def test_cell_and_consistency_problems_are_reported_together(
    data_copy: Path, edit_csv: Callable[..., str], find_row: Callable[..., int]
) -> None:
    # a typo in one cell must not hide an impossible value two rows further down: staff fix
    # the file in one pass instead of discovering the second problem after fixing the first
    path = data_copy / "history.csv"
    typo = find_row(path, series="3-1", fy="2021", area=PREFECTURE)
    negative = find_row(path, series="3-1", fy="2022", area=PREFECTURE)
    edit_csv(path, typo, "value", "abc")
    edit_csv(path, negative, "value", "-1")

    problems = _load_problems(data_copy)

    assert {(p.file, p.row, p.column) for p in problems} == {
        ("history.csv", typo, "value"),
        ("history.csv", negative, "value"),
    }


def test_problems_in_several_files_are_all_reported(
    data_copy: Path, edit_csv: Callable[..., str]
) -> None:
    edit_csv(data_copy / "history.csv", 2, "value", "abc")
    edit_csv(data_copy / "surveys.csv", 4, "respondents", "many")
    problems = _load_problems(data_copy)
    assert {(p.file, p.row) for p in problems} == {("history.csv", 2), ("surveys.csv", 4)}


def test_problem_text_names_file_row_and_column(
    data_copy: Path, edit_csv: Callable[..., str]
) -> None:
    edit_csv(data_copy / "history.csv", 7, "value", "abc")
    (problem,) = _load_problems(data_copy)
    text = str(problem)
    assert "history.csv" in text
    assert "7行目" in text
    assert "列" in text and "value" in text
    assert "abc" in text


def test_data_error_report_lists_every_problem(
    data_copy: Path, edit_csv: Callable[..., str]
) -> None:
    for row in (2, 3, 4):
        edit_csv(data_copy / "history.csv", row, "sample", "maybe")
    with pytest.raises(DataError) as caught:
        load_dataset(data_copy)
    report = str(caught.value)
    for row in (2, 3, 4):
        assert f"{row}行目" in report
