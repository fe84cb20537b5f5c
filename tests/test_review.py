"""The review staff read before saving: in the terminal, and the checks that stop a save.

``briefing import`` prints this review (the command itself is tested in ``test_import_cli.py``,
in a child process); here it is read in process, fast: what changes, in what order, how much of
it, and which real final values it refuses to change without being told.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from inputs import write_csv, write_xlsx

from briefing import PREFECTURE, Dataset
from briefing.intake.review import review, review_text

TODAY = dt.date(2026, 11, 1)


def towns(ds: Dataset) -> list[str]:
    return [
        str(ds.areas.at[a, "name_ja"]) for a in ds.areas.index[ds.areas["level"] == "municipality"]
    ]


@pytest.mark.parametrize(("changed", "hidden"), [(39, 0), (40, 0), (41, 1), (45, 5)])
def test_the_terminal_review_lists_forty_changes_and_counts_the_rest(
    tmp_path: Path, bundled_dataset: Dataset, changed: int, hidden: int
) -> None:
    """2-2 and 5-1 for the towns (each changed), with their recomputed totals: 40 lines at most,
    then 「ほか N 件」; unchanged values are counted but never listed."""
    ds = bundled_dataset
    names = towns(ds)
    rows = [["指標", "年度", "地域", "値", "状態"], ["3-2", "R7", "", "67", "速報"]]  # unchanged
    for i in range(changed - 2):  # the two totals change too
        series, town = ("2-2", names[i]) if i < len(names) else ("5-1", names[i - len(names)])
        rows.append([series, "R7", town, str(1000 + i), ""])
    result = review([write_csv(tmp_path / "many.csv", rows)], ds, today=TODAY)
    assert result.ok, result.problems
    assert result.counts()["変更"] == changed and result.counts()["変更なし"] == 1
    lines = review_text(result, ds).splitlines()
    listed = [line for line in lines if line.startswith("      ") and "→" in line]
    assert len(listed) == min(changed, 40)
    assert (f"      ほか {hidden} 件" in lines) == (hidden > 0)
    assert not any("ほか" in line for line in lines) or hidden
    headers = [
        line.split(":")[0].strip()
        for line in lines
        if line.startswith("  ") and not line.startswith("      ")
    ]
    assert [h.split()[0] for h in headers] == sorted(h.split()[0] for h in headers)
    assert any(h.startswith("3-2 ") for h in headers)  # listed with its count, nothing below it
    assert "3-2 家族教室への参加者数（延べ）: 新規 0、変更 0、変更なし 1" in "\n".join(lines)


def test_the_terminal_review_of_nothing_says_so_and_when(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    empty = write_csv(tmp_path / "empty.csv", [["指標", "年度", "値"], ["3-1", "R7", "－"]])
    text = review_text(review([empty], bundled_dataset, today=TODAY), bundled_dataset)
    lines = text.splitlines()
    assert lines[0] == "取り込み内容: 新規 0 件、変更 0 件、変更なし 0 件、空欄（数値なし） 1 件"
    assert lines[1].startswith("確認日時: 20") and lines[1].endswith("+09:00")
    assert len(lines) == 2


def test_notes_and_a_total_of_only_some_towns_are_pointed_out(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    rows = [["指標", "年度", "地域", "値", "備考"]]
    rows += [
        ["2-2", "R8", name, "3", "集計中" if i == 0 else ""]
        for i, name in enumerate(towns(bundled_dataset)[:3])
    ]
    result = review([write_csv(tmp_path / "new.csv", rows)], bundled_dataset, today=TODAY)
    [note] = result.notes
    assert note.startswith(
        "2-2 令和8年度: 県全体の値は 29 市町のうち 3 市町の合計になります（値がない市町: "
    )
    missing = note.split("（値がない市町: ")[1].split("）")[0]
    assert missing.count("、") == 4 and missing.endswith(
        " ほか 21 市町"
    )  # five named, the rest counted
    text = review_text(result, bundled_dataset)
    assert f"注意: {note}" in text.splitlines()
    assert "        備考: 集計中" in text.splitlines()
    total = result.table[result.table["area"] == PREFECTURE].iloc[0]
    assert (total["new"], total["status"], total["change"]) == (9.0, "確定", "新規")


@pytest.mark.parametrize("missing", [5, 6])
def test_a_total_of_some_towns_names_five_missing_towns_then_counts_the_rest(
    tmp_path: Path, bundled_dataset: Dataset, missing: int
) -> None:
    """Five missing towns are all named; a sixth is counted (「ほか 1 市町」), in the areas' order."""
    names = towns(bundled_dataset)
    given = names[: len(names) - missing]
    rows = [["指標", "年度", "地域", "値"], *(["2-2", "R8", name, "3"] for name in given)]
    result = review([write_csv(tmp_path / "some.csv", rows)], bundled_dataset, today=TODAY)
    left = names[len(given) :]
    listed = "、".join(left[:5]) + (" ほか 1 市町" if missing == 6 else "")
    [note] = result.notes
    assert note.startswith(
        f"2-2 令和8年度: 県全体の値は 29 市町のうち {29 - missing} 市町の合計になります"
        f"（値がない市町: {listed}）。"
    ), note


def test_a_prefecture_value_given_beside_its_towns_is_kept_not_summed(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    """The file's own 県全体 is what saving stores: no 「市町の合計」 line, no note of missing towns."""
    rows = [
        ["指標", "年度", "地域", "値"],
        ["5-1", "R8", "県全体", "10"],
        ["5-1", "R8", "津市", "3"],
    ]
    result = review([write_csv(tmp_path / "both.csv", rows)], bundled_dataset, today=TODAY)
    assert result.ok and result.notes == []
    assert review_text(result, bundled_dataset).splitlines()[2:] == [
        "  5-1 ひきこもり当事者のための居場所数: 新規 2、変更 0、変更なし 0",
        "      新規 令和8年度 県全体: － → 10（確定）",
        "      新規 令和8年度 津市: － → 3（確定）",
    ]


def test_a_regional_share_gets_no_summed_total_and_the_counts_after_it_still_do(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    """Shares do not add up over towns (the catalog is data: a share may be given per town);
    the places (5-1) listed after it still show the prefecture total saving will write."""
    series = bundled_dataset.series
    ds = replace(
        bundled_dataset,
        series=series.assign(kind=series["kind"].mask(series.index == "2-2", "share")),
    )
    rows = [
        ["指標", "年度", "地域", "値"],
        ["2-2", "R8", "津市", "30.5"],
        ["5-1", "R8", "津市", "3"],
    ]
    result = review([write_csv(tmp_path / "share.csv", rows)], ds, today=TODAY)
    assert result.ok
    lines = review_text(result, ds).splitlines()
    assert [line for line in lines if line.startswith("      ")] == [
        "      新規 令和8年度 津市: － → 30.5（確定）",
        "      新規 令和8年度 津市: － → 3（確定）",
        "      新規 令和8年度 県全体（市町の合計）: － → 3（確定）",
    ]
    assert [note.split(":")[0] for note in result.notes] == ["5-1 令和8年度"]


# ---- real final values --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (["3-1", "R2", "", "276", ""], "確定値 275 を 276 に変えようとしています。"),
        (["3-1", "R2", "", "275", "速報"], "確定値 275 を速報値に戻そうとしています。"),
        (["2-3a", "R2", "", "73.5", ""], "確定値 72.9 を 73.5 に変えようとしています。"),
        (["5-1", "R2", "津市", "3", ""], "県全体の確定値 6 が、市町の値の合計"),
    ],
    ids=["changed", "back-to-provisional", "share", "recomputed-total"],
)
def test_a_real_final_value_is_not_changed_without_being_told(
    tmp_path: Path, bundled_dataset: Dataset, row: list[str], reason: str
) -> None:
    """The plan's 現状値 are real and final: changing one needs --overwrite-final (or the
    staff page's box), and the review says which value, in which row, and what it would become."""
    path = write_csv(tmp_path / "fix.csv", [["指標", "年度", "地域", "値", "状態"], row])
    result = review([path], bundled_dataset, today=TODAY)
    [problem] = result.problems
    assert problem.reason.startswith(reason)
    assert (problem.file, problem.row, problem.column) == ("fix.csv", 2, "値")
    assert "--overwrite-final" in problem.hint and "確定値の上書きを許可" in problem.hint
    assert review([path], bundled_dataset, today=TODAY, overwrite_final=True).ok


def test_a_final_value_in_a_workbook_is_named_by_sheet_row_heading_and_new_value(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    """Staff find the cell to fix: the sheet, the row, the heading as written (実績値) and the
    value it would take; a recomputed total points at the row of its first town."""
    path = write_xlsx(
        tmp_path / "fix.xlsx",
        [["指標", "年度", "地域", "実績値"], ["3-1", "R2", "", "276"], ["5-1", "R2", "津市", "3"]],
        title="報告",
    )
    result = review([path], bundled_dataset, today=TODAY)
    assert [str(p).split(" → ")[0] for p in result.problems] == [
        "fix.xlsx シート「報告」 2行目 「実績値」列: 値「276」: 確定値 275 を 276 に変えようとしています。",
        "fix.xlsx シート「報告」 3行目 「実績値」列: 値「7」: "
        "県全体の確定値 6 が、市町の値の合計 7 に置き換わります（自動計算）。",
    ]


def test_sample_values_and_provisional_ones_change_freely(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    rows = [["指標", "年度", "地域", "値", "状態"]]
    rows += [["3-1", "R7", "", "410", "確定"]]  # a sample 速報
    rows += [["3-1", "R6", "", "360", ""]]  # a sample 確定
    result = review([write_csv(tmp_path / "s.csv", rows)], bundled_dataset, today=TODAY)
    assert result.ok and result.counts()["変更"] == 2


# ---- a note that says 速報 or 確定 ------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "note", "problem"),
    [
        ("確定", "速報値です", "備考は「速報」ですが、状態の列は「確定」です。"),
        ("速報", "確定値", "備考は「確定」ですが、状態の列は「速報」です。"),
        ("", "速報・確定の別は未定", "備考に「速報」と「確定」の両方があり"),
        ("速報", "速報", None),
        ("確定", "確報", None),
    ],
)
def test_a_note_that_contradicts_the_status_column_stops_the_save(
    tmp_path: Path, bundled_dataset: Dataset, status: str, note: str, problem: str | None
) -> None:
    path = write_csv(
        tmp_path / "n.csv",
        [["指標", "年度", "値", "状態", "メモ"], ["3-1", "R7", "410", status, note]],
    )
    result = review([path], bundled_dataset, today=TODAY)
    if problem is None:
        assert result.ok and result.entries[0].status == status
        return
    [found] = result.problems
    assert found.reason.startswith(problem) and (found.row, found.column) == (2, "メモ")


def test_a_five_digit_code_that_matches_no_town_is_a_problem(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    """Codes are often written without their check digit (24201 for 津市 242012); one that
    matches nothing is reported, like any unknown area."""
    path = write_csv(
        tmp_path / "codes.csv",
        [["指標", "年度", "地域", "値"], ["2-2", "R7", "24201", "5"], ["2-2", "R7", "24999", "5"]],
    )
    result = review([path], bundled_dataset, today=TODAY)
    assert [e.area for e in result.entries] == ["242012"]
    [problem] = result.problems
    assert (problem.row, problem.value) == (
        3,
        "24999",
    ) and "地域（市町）が見つかりません" in problem.reason


def test_a_formula_without_its_result_is_named_by_the_heading_above_it(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    """Staff look for the column by its heading; a cell outside the table (the title row, past
    the last heading, under an empty heading) keeps its letter. Two sheets, each its own heading."""
    import openpyxl

    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "報告"
    fillers = [f"列{i}" for i in range(3, 27)]  # C … Z
    first.append(["=1+1", "令和7年度 実績"])  # a title row with a formula
    first.append(["系列ID", "年度", *fillers, "値", None])  # 値 in AA, nothing over AB
    first.append(["3-1", "R7", *[None] * 24, "=400+10", None])
    first.append(["3-2", "R7", *[None] * 24, 70, "=1+2"])
    first.append(["3-2", "R6", "=2024", *[None] * 23, 60, None])
    second = book.create_sheet("追加")
    second.append(["系列ID", "年度", "値"])
    second.append(["5-4", "R7", "=5000+1"])
    path = tmp_path / "formulas.xlsx"
    book.save(path)
    result = review([path], bundled_dataset, today=TODAY)
    found = {(p.sheet, p.row, p.column) for p in result.problems if "数式" in p.reason}
    assert found == {
        ("報告", 1, "A"),
        ("報告", 3, "値"),
        ("報告", 4, "AB"),
        ("報告", 5, "列3"),
        ("追加", 2, "値"),
    }
