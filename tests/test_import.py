"""Reading, normalising, checking and reviewing staff input (Python API: ``briefing.intake.importer``).

The corpus is written by the tests themselves (see ``inputs.py``): CSV as Japanese Excel saves it
(CP932 or UTF-8 with BOM), free-form Excel reports with title rows and notes, filled templates, and
formula cells with and without the result Excel stores. Row numbers are spreadsheet rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from inputs import (
    csv_bytes,
    fill_template,
    store_cached_values,
    template_rows,
    write_csv,
    write_xlsx,
)

from briefing import Dataset, load_dataset
from briefing.data.areas import PREFECTURE
from briefing.data.changes import read_changes
from briefing.intake.apply import commit
from briefing.intake.importer import Entry, normalise_text, read_entries
from briefing.intake.review import review, review_html, review_rows, review_text
from briefing.intake.workbook import build_template
from briefing.stats.statistics import summarise

TODAY = dt.date(2026, 11, 1)  # FY2026: years up to FY2027 are plausible
HOKUSEI = [
    "242021",
    "242055",
    "242071",
    "242101",
    "242144",
    "243035",
    "243248",
    "243418",
    "243434",
    "243442",
]


def key(e: Entry) -> tuple[str, int, str, float, str, int]:
    return (e.series, e.fy, e.area, e.value, e.status, e.row)


def stored(ds: Dataset, series: str, fy: int, area: str = PREFECTURE) -> pd.Series:
    h = ds.history
    rows = h[(h["series"] == series) & (h["fy"] == fy) & (h["area"] == area)]
    assert len(rows) == 1, (series, fy, area)
    return rows.iloc[0]


# --- what offices write is understood ------------------------------------------------------

OFFICE_ROWS = [
    [
        "令和7年度 ひきこもり支援 実績報告（子ども・福祉総務課）",
        "",
        "",
        "",
        "",
        "",
    ],  # title row above the header
    ["※数値がない項目は「－」", "", "", "", "", ""],
    [
        "指標",
        "年度",
        "市町名",
        "実績値",
        "状態",
        "備考",
    ],  # header on row 3, notes column at the end
    [
        "３－１",
        "令和７年度",
        "県全体",
        "４，５２１",
        "速報",
        "２月末までの速報",
    ],  # full-width everything
    [
        "5-4",
        "R7",
        "",
        "4,521",
        "",
        "",
    ],  # thousands separator (quoted by the CSV writer), blank area = prefecture
    ["2-2", "令和7年度", "四日市市", "１２３", "確定", ""],  # municipality by name
    ["2-2", "R7", "242012", "1,234", "", "団体コード（6桁）"],
    ["2-2", "2025", "24203", "45", "", "団体コード（5桁、検査数字なし）"],
    ["2-2", "H31", "鈴鹿市", "７", "", "平成31年度＝2019"],
    ["2-1a", "令和７年度", "243035", "－", "", "数値なし"],
    ["5-1", "R7", "熊野市", "", "", "空欄"],
    ["2-3a", "2025", "県全体", "７２．９", "", "割合"],
    ["", "", "", "", "", ""],
    ["", "", "", "", "", "※ 以上"],
]
OFFICE_ENTRIES = {
    ("3-1", 2025, PREFECTURE, 4521.0, "速報", 4),
    ("5-4", 2025, PREFECTURE, 4521.0, "確定", 5),
    ("2-2", 2025, "242021", 123.0, "確定", 6),
    ("2-2", 2025, "242012", 1234.0, "確定", 7),
    ("2-2", 2025, "242039", 45.0, "確定", 8),
    ("2-2", 2019, "242071", 7.0, "確定", 9),
    ("2-3a", 2025, PREFECTURE, 72.9, "確定", 12),
}


@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig"])
def test_office_csv_is_normalised(tmp_path: Path, bundled_dataset: Dataset, encoding: str) -> None:
    path = write_csv(tmp_path / f"報告_{encoding}.csv", OFFICE_ROWS, encoding=encoding)
    if encoding == "cp932":
        assert not path.read_bytes().startswith(b"\xef\xbb\xbf")
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")
    entries, problems, blanks = read_entries([path], bundled_dataset, today=TODAY)
    assert problems == []
    assert {key(e) for e in entries} == OFFICE_ENTRIES
    assert blanks == 3  # 「－」, the empty cell and the closing note: no figure, not an error
    assert {e.file for e in entries} == {path.name} and {e.sheet for e in entries} == {None}


def test_unquoted_values_and_other_spellings(tmp_path: Path, bundled_dataset: Dataset) -> None:
    text = "系列ID,年度,地域,値\r\n3-1,FY2025,三重県,402\r\n3-2,令和元年度,,12人\r\n2-3b,2025年度,,63.2%\r\n2-3c,R７,,５８．０％\r\n"
    path = tmp_path / "spellings.csv"
    path.write_bytes(text.encode("utf-8"))  # UTF-8 without BOM is read too
    entries, problems, _ = read_entries([path], bundled_dataset, today=TODAY)
    assert problems == []
    assert {key(e) for e in entries} == {
        ("3-1", 2025, PREFECTURE, 402.0, "確定", 2),
        ("3-2", 2019, PREFECTURE, 12.0, "確定", 3),
        ("2-3b", 2025, PREFECTURE, 63.2, "確定", 4),
        ("2-3c", 2025, PREFECTURE, 58.0, "確定", 5),
    }


def test_indicator_names_are_understood(tmp_path: Path, bundled_dataset: Dataset) -> None:
    path = write_csv(
        tmp_path / "names.csv",
        [
            ["指標名", "年度", "値"],
            ["ひきこもり地域支援センターにおける専門相談件数（延べ）", "R7", "400"],
            ["家族教室への参加者数（延べ）", "R7", "70"],
            ["2-1 相談窓口", "R7", "22"],
        ],
    )
    entries, problems, _ = read_entries([path], bundled_dataset, today=TODAY)
    assert problems == []
    assert [(e.series, e.value) for e in entries] == [("3-1", 400.0), ("3-2", 70.0), ("2-1a", 22.0)]


def test_normalise_text() -> None:
    assert normalise_text(" ３－１ ") == "3-1"
    assert normalise_text("４，５２１") == "4,521"
    assert normalise_text("２－１ａ") == "2-1a"


def test_excel_report_with_merged_title_notes_and_formula_result(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    path = write_xlsx(
        tmp_path / "report.xlsx",
        [
            [
                "令和7年度 実績報告（三重県ひきこもり地域支援センター）",
                None,
                None,
                None,
                None,
                None,
            ],
            ["系列ID", "年度", "地域コード", "値", "状態", "備考"],
            ["3-2", "令和7年度", None, "=60+10", "確定", "前期＋後期"],
            ["2-2", "R7", "242012", 300, "速報", None],
            ["6-2", 2025, "県全体", 1, None, None],
            ["2-3a", 2025, None, 72.5, None, "小数"],
        ],
        merge=["A1:F1"],
    )
    store_cached_values(path, {"D3": 70})
    entries, problems, _ = read_entries([path], bundled_dataset, today=TODAY)
    assert problems == []
    assert {key(e) for e in entries} == {
        ("3-2", 2025, PREFECTURE, 70.0, "確定", 3),
        ("2-2", 2025, "242012", 300.0, "速報", 4),
        ("6-2", 2025, PREFECTURE, 1.0, "確定", 5),
        ("2-3a", 2025, PREFECTURE, 72.5, "確定", 6),
    }
    assert {e.sheet for e in entries} == {"報告"}


def test_formula_without_stored_result_is_reported(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    path = write_xlsx(
        tmp_path / "formula.xlsx",
        [["系列ID", "年度", "実績"], ["3-2", "R7", "=60+10"], ["3-1", "R7", 400]],
    )
    result = review([path], bundled_dataset, today=TODAY)
    assert not result.ok
    [problem] = result.problems
    assert (problem.file, problem.sheet, problem.row, problem.column, problem.value) == (
        "formula.xlsx",
        "報告",
        2,
        "実績",
        "=60+10",
    )
    assert "数式の計算結果が保存されていません" in str(problem)


# --- templates --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template_2025(tmp_path_factory: pytest.TempPathFactory, bundled_dataset: Dataset) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "update_2025.xlsx"
    path.write_bytes(build_template(bundled_dataset, 2025))
    return path


def test_filled_template_is_read(
    tmp_path: Path, template_2025: Path, bundled_dataset: Dataset
) -> None:
    filled = fill_template(
        template_2025,
        tmp_path / "filled.xlsx",
        {
            ("3-1", PREFECTURE): (410, "速報", "オンライン相談の開始で増加"),
            ("2-3a", PREFECTURE): ("７４．１", None, None),  # text typed with full-width digits
            ("2-2", "242012"): ("=250+50", "確定", None),  # a formula: its stored result is used
            ("2-2", "242021"): ("－", None, "未集計"),
            ("6-2", PREFECTURE): (1, "確定", None),
        },
    )
    row = next(
        r["row"]
        for r in template_rows(filled)
        if (r["系列ID"], r["地域コード"]) == ("2-2", "242012")
    )
    store_cached_values(filled, {f"H{row}": 300})
    result = review([filled], bundled_dataset, today=TODAY)
    assert result.problems == []
    got = {(e.series, e.area): (e.value, e.status, e.comment) for e in result.entries}
    assert got == {
        ("3-1", PREFECTURE): (410.0, "速報", "オンライン相談の開始で増加"),
        ("2-3a", PREFECTURE): (74.1, "確定", ""),
        ("2-2", "242012"): (300.0, "確定", ""),
        ("6-2", PREFECTURE): (1.0, "確定", ""),
    }
    # every row left empty (and the 「－」) is a blank, not an error
    assert result.blanks == 187 - 4
    assert {e.sheet for e in result.entries} == {"入力"}


def test_unfilled_template_is_refused(template_2025: Path, bundled_dataset: Dataset) -> None:
    result = review([template_2025], bundled_dataset, today=TODAY)
    assert [str(p) for p in result.problems] == [
        "update_2025.xlsx: 数値が1つも入力されていません。 → 「値」の列に数値を入力してください。"
    ]


# --- problems: every one, with where and what to do -------------------------------------------

PROBLEM_ROWS = [
    ["系列ID", "年度", "市町名", "実績値", "状態"],
    ["9-9", "2025", "", "1", ""],  # 2 unknown series
    ["3-1", "2025", "大阪市", "1", ""],  # 3 unknown area name
    ["2-2", "2025", "249999", "1", ""],  # 4 unknown area code
    ["3-1", "2025", "津市", "1", ""],  # 5 municipal value for a prefecture-only series
    ["3-1", "2025", "", "１２ａ", ""],  # 6 not a number
    ["3-2", "2025", "", "－５", ""],  # 7 negative count (full-width minus)
    ["2-3a", "2025", "", "100.5", ""],  # 8 share above 100
    ["4-1", "2010", "", "1", ""],  # 9 year too early
    ["4-2", "2099", "", "1", ""],  # 10 year too late
    ["5-3", "2025", "", "1", "済み"],  # 11 status
    ["5-4", "2025", "", "10", ""],  # 12
    ["5-4", "R7", "県全体", "11", ""],  # 13 same key as row 12
    ["2-2", "2025", "北勢", "5", ""],  # 14 a region, not a municipality
    ["6-2", "2025", "", "2", ""],  # 15 milestone is 0 or 1
    ["4-3", "2025", "", "1.5", ""],  # 16 counts are whole numbers
    ["1-1", "令和", "", "1", ""],  # 17 unreadable year
]
PROBLEMS = [  # (row, column as written, value, reason)
    (2, "系列ID", "9-9", "指標（系列）が見つかりません"),
    (3, "市町名", "大阪市", "地域（市町）が見つかりません"),
    (4, "市町名", "249999", "地域（市町）が見つかりません"),
    (5, "市町名", "津市", "市町別の内訳がありません"),
    (6, "実績値", "１２ａ", "数値ではありません"),
    (7, "実績値", "－５", "負になりません"),
    (8, "実績値", "100.5", "0〜100 の範囲外"),
    (9, "年度", "2010", "年度が想定の範囲外"),
    (10, "年度", "2099", "年度が想定の範囲外"),
    (11, "状態", "済み", "状態が読み取れません"),
    (14, "市町名", "北勢", "地域（北勢など）の値は入力できません"),
    (15, "実績値", "2", "創設の有無は 0 か 1"),
    (16, "実績値", "1.5", "整数"),
    (17, "年度", "令和", "読み取れません"),
    (13, None, None, "同じ指標・年度・地域の値が2回あります"),
]


def test_every_problem_of_a_file_is_reported_at_once(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    path = write_csv(tmp_path / "problems.csv", PROBLEM_ROWS, encoding="cp932")
    result = review([path], bundled_dataset, today=TODAY)
    assert not result.ok
    got = [(p.row, p.column, p.value) for p in result.problems]
    assert got == [(row, column, value) for row, column, value, _ in PROBLEMS]
    for problem, (_, _, _, reason) in zip(result.problems, PROBLEMS, strict=True):
        assert problem.file == "problems.csv"
        assert reason in problem.reason
        assert problem.hint  # what to do
    duplicate = result.problems[-1]
    assert "problems.csv 12行目と同じ" in duplicate.reason and "5-4 令和7年度" in duplicate.reason


def test_problems_across_files_and_sheets(tmp_path: Path, bundled_dataset: Dataset) -> None:
    one = write_csv(tmp_path / "a.csv", [["系列ID", "年度", "値"], ["3-1", "R7", "400"]])
    two = write_xlsx(
        tmp_path / "b.xlsx",
        [["系列ID", "年度", "値"], ["３－１", "令和7年度", 401], ["3-2", "R7", "x"]],
        title="北勢",
    )
    result = review([one, two], bundled_dataset, today=TODAY)
    texts = [str(p) for p in result.problems]
    assert texts[0].startswith(
        "b.xlsx シート「北勢」 3行目 「値」列: 値「x」: 数値ではありません。"
    )
    assert texts[1].startswith(
        "b.xlsx シート「北勢」 2行目: 同じ指標・年度・地域の値が2回あります（a.csv 2行目と同じ"
    )
    assert len(texts) == 2


def test_unquoted_thousands_separator_is_not_misread(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    path = tmp_path / "split.csv"
    path.write_bytes("指標,年度,値\r\n5-4,R7,4,521\r\n3-1,R7,410\r\n".encode("cp932"))
    result = review([path], bundled_dataset, today=TODAY)
    [problem] = result.problems
    assert (problem.row, problem.column, problem.value) == (2, "値", "4,521")
    assert "引用符" in problem.hint
    assert [e.series for e in result.entries] == ["3-1"]  # 4 was not taken for 4,521


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.csv", b"", "ファイルが空です"),
        ("notes.pdf", b"%PDF-1.4\n", "CSV でも Excel（.xlsx）でもないファイルです"),
        (
            "old.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200),
            "古い Excel 形式（.xls）は読めません",
        ),
        ("broken.xlsx", b"PK\x03\x04not really a workbook", "Excel ファイルとして読めません"),
        (
            "garbled.csv",
            "指標,年度,値\r\n3-1,R7,".encode("cp932") + b"\x82\xff\r\n",
            "文字コードを判別できません",
        ),
        (
            "utf16.csv",
            "指標,年度,値\r\n3-1,R7,400\r\n".encode("utf-16"),
            "CSV ではないファイルです",
        ),
        ("noheader.csv", b"a,b,c\r\n1,2,3\r\n", "見出しの行が見つかりません"),
        ("headeronly.csv", "指標,年度,値\r\n".encode(), "数値が1つも入力されていません"),
    ],
)
def test_unreadable_files(
    tmp_path: Path, bundled_dataset: Dataset, name: str, data: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    result = review([path], bundled_dataset, today=TODAY)
    [problem] = result.problems
    assert problem.file == name and reason in problem.reason and problem.hint
    assert result.entries == []


def test_missing_file(tmp_path: Path, bundled_dataset: Dataset) -> None:
    result = review([tmp_path / "nowhere.csv"], bundled_dataset, today=TODAY)
    assert [p.reason for p in result.problems] == ["ファイルが見つかりません。"]


def test_size_limit(tmp_path: Path, bundled_dataset: Dataset) -> None:
    rows = [["指標", "年度", "値"]] + [["3-1", "R7", "400"]]
    path = write_csv(tmp_path / "big.csv", rows + [["", "", ""]] * 500)
    size = path.stat().st_size
    result = review([path], bundled_dataset, max_bytes=size - 1, today=TODAY)
    [problem] = result.problems
    assert "ファイルが大きすぎます" in problem.reason and "上限 " in problem.reason
    assert f"{size - 1:,} バイト" in problem.reason or "KB" in problem.reason
    assert result.entries == []
    assert review([path], bundled_dataset, max_bytes=size, today=TODAY).ok


def test_plausible_years_follow_today(tmp_path: Path, bundled_dataset: Dataset) -> None:
    path = write_csv(
        tmp_path / "y.csv",
        [["指標", "年度", "値"], ["3-1", "2027", "1"], ["3-2", "2014", "1"], ["3-2", "2015", "1"]],
    )
    result = review([path], bundled_dataset, today=TODAY)
    assert [(p.row, p.value) for p in result.problems] == [(3, "2014")]
    # still FY2025: FY2027 is too far ahead
    early = review([path], bundled_dataset, today=dt.date(2026, 3, 31))
    assert [(p.row, p.value) for p in early.problems] == [(2, "2027"), (3, "2014")]
    assert "2015〜2026年度" in early.problems[0].reason


# --- the review: new, changed (old → new), unchanged -------------------------------------------


def test_review_shows_old_and_new_per_indicator(tmp_path: Path, bundled_dataset: Dataset) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        [
            ["指標", "年度", "地域", "値", "状態"],
            ["3-1", "R7", "", "410", "速報"],  # 402 速報 → 410
            ["3-2", "R7", "", "67", "速報"],  # unchanged
            ["3-2", "R8", "", "70", ""],  # new year
            ["2-3a", "R7", "", "74.3", "確定"],  # same value, 速報 → 確定 is a change
        ],
    )
    result = review([path], bundled_dataset, today=TODAY)
    assert result.ok
    assert result.counts() == {"新規": 1, "変更": 2, "変更なし": 1}
    table = result.table.set_index(["series", "fy"])
    assert table.loc[("3-1", 2025), ["old", "new", "change"]].tolist() == [402.0, 410.0, "変更"]
    assert pd.isna(table.loc[("3-2", 2026), "old"]) and table.loc[("3-2", 2026), "change"] == "新規"
    text = review_text(result, bundled_dataset)
    lines = text.splitlines()
    assert lines[0] == "取り込み内容: 新規 1 件、変更 2 件、変更なし 1 件、空欄（数値なし） 0 件"
    assert (
        "  3-1 ひきこもり地域支援センターにおける専門相談件数（延べ）: 新規 0、変更 1、変更なし 0"
        in lines
    )
    assert "      変更 令和7年度 県全体: 402 → 410（速報）" in lines
    assert "      新規 令和8年度 県全体: － → 70（確定）" in lines
    assert "      変更 令和7年度 県全体: 74.3 → 74.3（速報 → 確定）" in lines
    assert "nan" not in text
    rows = review_rows(result)
    assert rows["区分"].tolist() == ["変更", "変更", "新規", "変更なし"]
    assert "nan" not in rows.to_string() and "nan" not in review_html(result)


def test_review_lists_the_recomputed_prefecture_total(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    path = write_csv(
        tmp_path / "towns.csv",
        [
            ["指標", "年度", "市町", "値"],
            ["2-2", "R7", "津市", "300"],
            ["2-2", "R7", "四日市市", "200"],
        ],
    )
    result = review([path], bundled_dataset, today=TODAY)
    assert result.ok
    old_total = stored(bundled_dataset, "2-2", 2025)["value"]
    new_total = old_total - 294 - 292 + 300 + 200
    total = result.table[result.table["area"] == PREFECTURE].iloc[0]
    assert (total["old"], total["new"], total["change"], total["area_name"]) == (
        old_total,
        new_total,
        "変更",
        "県全体（市町の合計）",
    )
    assert f"県全体（市町の合計）: {old_total:,.0f} → {new_total:,.0f}" in review_text(
        result, bundled_dataset
    )


def test_a_total_from_only_some_towns_is_pointed_out(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    """A new year with two towns would make the prefecture total the sum of those two."""
    path = write_csv(
        tmp_path / "towns.csv",
        [
            ["指標", "年度", "市町", "値"],
            ["2-2", "R8", "津市", "300"],
            ["2-2", "R8", "四日市市", "200"],
        ],
    )
    result = review([path], bundled_dataset, today=TODAY)
    assert result.ok, "a note, not a problem: staff may bring the other towns later"
    [note] = result.notes
    assert note.startswith("2-2 令和8年度: 県全体の値は 29 市町のうち 2 市町の合計になります")
    assert "伊勢市" in note and "ほか 22 市町" in note
    assert f"注意: {note}" in review_text(result, bundled_dataset).splitlines()
    assert "確認してください" in review_html(result)
    # a year whose other towns are stored already: the total covers every town, nothing to say
    again = write_csv(
        tmp_path / "again.csv", [["指標", "年度", "市町", "値"], ["2-2", "R7", "津市", "300"]]
    )
    assert review([again], bundled_dataset, today=TODAY).notes == []


# --- saving: the values, the totals, the change record ----------------------------------------


@pytest.mark.slow
def test_round_trip_template_fill_import_summarise(tmp_path: Path, data_copy: Path) -> None:
    ds = load_dataset(data_copy)
    template = tmp_path / "update_2026.xlsx"
    template.write_bytes(build_template(ds, 2026))
    towns = list(ds.areas.index[ds.areas["level"] == "municipality"])
    values: dict[tuple[str, str], object] = {("2-2", code): 10 + i for i, code in enumerate(towns)}
    values |= {
        ("3-1", PREFECTURE): (430, "速報", "相談方法の多様化で増加"),
        ("2-3b", PREFECTURE): 65.5,
        ("6-2", PREFECTURE): 1,
    }
    filled = fill_template(template, tmp_path / "filled.xlsx", values)
    result = review([filled], ds, today=TODAY)
    assert result.ok, result.problems
    assert result.counts() == {
        "新規": 29 + 3 + 1,
        "変更": 0,
        "変更なし": 0,
    }  # + the 2-2 prefecture total
    commit(
        ds,
        result,
        by="県 担当",
        files=[filled.name],
        now=dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC),
    )

    after = load_dataset(data_copy)
    assert stored(after, "3-1", 2026)[["value", "status", "sample", "comment"]].tolist() == [
        430.0,
        "速報",
        False,
        "相談方法の多様化で増加",
    ]
    assert stored(after, "2-2", 2026, "242012")["value"] == 10
    total = sum(10 + i for i in range(29))
    assert stored(after, "2-2", 2026)[["value", "status", "sample"]].tolist() == [
        total,
        "確定",
        False,
    ]
    summary = summarise(after).set_index("series")
    assert summary.loc["3-1", ["latest_fy", "latest", "status"]].tolist() == [2026, 430.0, "速報"]
    assert summary.loc["3-1", "previous"] == 402.0
    assert summary.loc["2-2", ["latest_fy", "latest"]].tolist() == [2026, total]
    assert summary.loc["2-3b", "latest"] == 65.5 and summary.loc["6-2", "latest"] == 1
    hokusei = summarise(after, "hokusei").set_index("series")
    assert hokusei.loc["2-2", "latest"] == sum(10 + towns.index(code) for code in HOKUSEI)
    # values not in the file are untouched
    assert stored(after, "3-2", 2025)["value"] == stored(ds, "3-2", 2025)["value"]


@pytest.mark.slow
def test_change_record_has_one_row_per_changed_value(tmp_path: Path, data_copy: Path) -> None:
    ds = load_dataset(data_copy)
    path = write_csv(
        tmp_path / "update.csv",
        [
            ["指標", "年度", "地域", "値", "状態"],
            ["3-1", "R7", "", "410", ""],
            ["3-2", "R7", "", "67", "速報"],  # unchanged
            ["2-2", "R7", "津市", "300", ""],
            ["3-2", "R8", "", "70", ""],
        ],
    )
    result = review([path], ds, today=TODAY)
    when = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    commit(ds, result, by="山田", files=[path.name], now=when)
    record = read_changes(data_copy)
    old_total = stored(ds, "2-2", 2025)["value"]
    assert record[
        ["by", "file", "series", "fy", "area", "old_value", "new_value"]
    ].values.tolist() == [
        ["山田", "update.csv", "3-1", "2025", PREFECTURE, "402", "410"],
        ["山田", "update.csv", "2-2", "2025", "242012", "294", "300"],
        ["山田", "update.csv", "3-2", "2026", PREFECTURE, "", "70"],
        [
            "山田",
            "（自動計算）",
            "2-2",
            "2025",
            PREFECTURE,
            f"{old_total:.0f}",
            f"{old_total + 6:.0f}",
        ],
    ]
    assert set(record["changed_at"]) == {"2026-11-20T10:30:00+09:00"}
    # the review showed exactly the values the record lists as changed or new
    shown = result.table[result.table["change"] != "変更なし"]
    assert sorted(
        zip(shown["series"], shown["fy"].astype(str), shown["area"], strict=True)
    ) == sorted(zip(record["series"], record["fy"], record["area"], strict=True))


@pytest.mark.slow
def test_sample_values_are_replaced_but_real_final_values_are_protected(
    tmp_path: Path, data_copy: Path
) -> None:
    # the stored 402 is sample data (速報) and 363 (FY2024) is a sample 確定: both may be replaced
    first = write_csv(
        tmp_path / "first.csv",
        [
            ["指標", "年度", "値", "状態"],
            ["3-1", "R7", "410", "確定"],
            ["3-1", "R6", "360", "確定"],
        ],
    )
    ds = load_dataset(data_copy)
    result = review([first], ds, today=TODAY)
    assert result.ok, result.problems
    commit(ds, result, by="a")
    ds = load_dataset(data_copy)
    assert stored(ds, "3-1", 2025)[["value", "status", "sample"]].tolist() == [410.0, "確定", False]

    second = write_csv(
        tmp_path / "second.csv",
        [["指標", "年度", "値"], ["3-1", "R7", "420"], ["3-1", "R6", "360"]],
    )
    refused = review([second], ds, today=TODAY)
    [problem] = refused.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "second.csv",
        2,
        "値",
        "420",
    )
    assert (
        problem.reason == "確定値 410 を 420 に変えようとしています。"
        and "--overwrite-final" in problem.hint
    )
    allowed = review([second], ds, overwrite_final=True, today=TODAY)
    assert allowed.ok and allowed.counts() == {"新規": 0, "変更": 1, "変更なし": 1}
    commit(ds, allowed, by="b")
    assert stored(load_dataset(data_copy), "3-1", 2025)["value"] == 420


@pytest.mark.slow
def test_the_plans_baseline_is_protected_from_a_recomputed_total(
    tmp_path: Path, data_copy: Path
) -> None:
    ds = load_dataset(data_copy)
    baseline = stored(ds, "5-1", 2020)
    # the plan's 現状値
    assert baseline[["value", "status", "sample"]].tolist() == [
        6.0,
        "確定",
        False,
    ]
    towns = write_csv(
        tmp_path / "towns.csv",
        [
            ["指標", "年度", "市町", "値"],
            ["5-1", "R2", "津市", str(int(stored(ds, "5-1", 2020, "242012")["value"]) + 1)],
        ],
    )
    result = review([towns], ds, today=TODAY)
    [problem] = result.problems
    assert (
        problem.row == 2
        and "県全体の確定値 6 が、市町の値の合計 7 に置き換わります" in problem.reason
    )
    # giving the prefecture value explicitly keeps it
    both = write_csv(
        tmp_path / "both.csv",
        [["指標", "年度", "市町", "値"], ["5-1", "R2", "津市", "3"], ["5-1", "R2", "県全体", "6"]],
    )
    kept = review([both], ds, today=TODAY)
    assert kept.ok and kept.counts() == {"新規": 0, "変更": 1, "変更なし": 1}
    commit(ds, kept, by="c")
    after = stored(load_dataset(data_copy), "5-1", 2020)
    assert (
        after[["value", "status", "sample", "comment"]].tolist()
        == baseline[["value", "status", "sample", "comment"]].tolist()
    )


@pytest.mark.slow
def test_an_unchanged_total_keeps_its_flags(tmp_path: Path, data_copy: Path) -> None:
    """Rewriting one town with its own value next to another change must not relabel the plan's
    real baseline as sample data."""
    ds = load_dataset(data_copy)
    path = write_csv(
        tmp_path / "same.csv",
        [
            ["指標", "年度", "市町", "値"],
            ["5-1", "R2", "津市", f"{stored(ds, '5-1', 2020, '242012')['value']:.0f}"],
            ["3-1", "R7", "", "1"],
        ],
    )
    result = review([path], ds, today=TODAY)
    assert result.ok and result.counts()["変更"] == 1
    before = (data_copy / "history.csv").read_bytes().decode().splitlines()
    commit(ds, result, by="d")
    after = (data_copy / "history.csv").read_bytes().decode().splitlines()
    assert [line for line in after if line not in before] == [
        next(x for x in after if x.startswith("3-1,2025,"))
    ]


@pytest.mark.slow
def test_untouched_rows_keep_their_bytes(tmp_path: Path, data_copy: Path) -> None:
    original = (data_copy / "history.csv").read_bytes().decode().splitlines(keepends=True)
    ds = load_dataset(data_copy)
    path = write_csv(tmp_path / "one.csv", [["指標", "年度", "値"], ["3-1", "R7", "410"]])
    commit(ds, review([path], ds, today=TODAY), by="e")
    new = (data_copy / "history.csv").read_bytes().decode().splitlines(keepends=True)
    assert len(new) == len(original)
    differing = [i for i, (a, b) in enumerate(zip(original, new, strict=True)) if a != b]
    assert len(differing) == 1 and new[differing[0]].startswith("3-1,2025,240001,410,確定,false,")


def test_csv_bytes_helper_matches_excel() -> None:
    assert csv_bytes([["a", "4,521"]], encoding="cp932") == b'a,"4,521"\r\n'


def test_a_save_without_a_staff_name_is_refused_and_writes_nothing(
    tmp_path: Path, data_copy: Path
) -> None:
    # the login name (root, user) says nothing on a shared office PC: there is no default
    ds = load_dataset(data_copy)
    before = {p.name: p.read_bytes() for p in data_copy.iterdir() if p.is_file()}
    path = write_csv(tmp_path / "u.csv", [["指標", "年度", "値"], ["3-1", "R7", "410"]])
    with pytest.raises(ValueError, match="担当者名"):
        commit(ds, review([path], ds, today=TODAY), by="  ", files=[path.name])
    assert {p.name: p.read_bytes() for p in data_copy.iterdir() if p.is_file()} == before


def test_a_real_final_value_cannot_quietly_go_back_to_provisional(
    tmp_path: Path, data_copy: Path
) -> None:
    ds = load_dataset(data_copy)
    assert stored(ds, "3-1", 2020)[["value", "status", "sample"]].tolist() == [275.0, "確定", False]
    back = write_csv(
        tmp_path / "back.csv", [["指標", "年度", "値", "状態"], ["3-1", "R2", "275", "速報"]]
    )
    [problem] = review([back], ds, today=TODAY).problems
    assert (
        problem.row == 2
        and "速報値に戻そう" in problem.reason
        and "--overwrite-final" in problem.hint
    )
    assert review([back], ds, overwrite_final=True, today=TODAY).ok


@pytest.mark.slow
def test_a_replaced_real_value_takes_the_new_source_and_drops_the_old_comment(
    tmp_path: Path, data_copy: Path
) -> None:
    ds = load_dataset(data_copy)
    assert stored(ds, "3-1", 2020)["comment"] == "計画策定時の現状値"
    fixed = write_csv(tmp_path / "fixed.csv", [["指標", "年度", "値"], ["3-1", "R2", "276"]])
    commit(ds, review([fixed], ds, overwrite_final=True, today=TODAY), by="a")
    row = stored(load_dataset(data_copy), "3-1", 2020)
    assert row["value"] == 276 and pd.isna(row["comment"]) and "fixed.csv" in row["source"]


def test_percent_formatted_excel_cells_are_read_as_percent(tmp_path: Path, data_copy: Path) -> None:
    path = write_xlsx(tmp_path / "share.xlsx", [["指標", "年度", "値"], ["2-3a", "R7", 0.751]])
    book = openpyxl.load_workbook(path)
    book.active["C2"].number_format = "0.0%"
    book.save(path)
    result = review([path], load_dataset(data_copy), today=TODAY)
    assert result.ok, result.problems
    assert result.entries[0].value == pytest.approx(75.1)


def test_a_two_row_header_with_a_merged_heading_is_read_as_one(
    tmp_path: Path, data_copy: Path
) -> None:
    """「実績」 merged over 「値｜状態」, as offices lay out their reports."""
    path = write_xlsx(
        tmp_path / "two-rows.xlsx",
        [
            ["指標", "年度", "地域", "実績", None, "備考"],
            [None, None, None, "値", "状態", None],
            ["3-1", "令和7年度", "県全体", "４１０", "速報", "メモ"],
            ["5-1", "R7", "熊野市", "3", "確定", None],
        ],
        merge=["D1:E1", "A1:A2", "B1:B2", "C1:C2"],
    )
    result = review([path], load_dataset(data_copy), today=TODAY)
    assert result.ok, result.problems
    got = {(e.series, e.area, e.value, e.status, e.row) for e in result.entries}
    assert got == {("3-1", "240001", 410.0, "速報", 3), ("5-1", "242128", 3.0, "確定", 4)}


# --- headings as offices write them -----------------------------------------------------------


def test_headings_typed_with_spaces_inside_are_found(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    path = write_csv(
        tmp_path / "spaced.csv", [["系列 ID", "年　度", "実績 値"], ["3-1", "R7", "410"]]
    )
    entries, problems, _ = read_entries([path], bundled_dataset, today=TODAY)
    assert problems == []
    assert [(e.series, e.value, e.row, e.column) for e in entries] == [("3-1", 410.0, 2, "実績 値")]


@pytest.mark.parametrize("row", [20, 21])
def test_a_heading_is_looked_for_in_the_first_twenty_rows(
    tmp_path: Path, bundled_dataset: Dataset, row: int
) -> None:
    notes = [[f"※ 記入上の注意 {n}"] for n in range(1, row)]
    path = write_csv(tmp_path / "late.csv", [*notes, ["指標", "年度", "値"], ["3-1", "R7", "410"]])
    result = review([path], bundled_dataset, today=TODAY)
    if row == 20:
        assert result.problems == []
        assert [(e.series, e.row) for e in result.entries] == [("3-1", 21)]
    else:
        assert [str(p) for p in result.problems] == [
            "late.csv: 見出しの行が見つかりません（指標・年度・値の列が必要です）。 → 1行目付近に"
            " series、fy、value（または 系列ID・年度・値）の見出しを入れるか、briefing template"
            " のファイルを使ってください。"
        ]
        assert result.entries == []


def test_a_two_row_heading_with_nothing_below_asks_for_figures(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    """The heading is recognised (so staff are not told to add one): only the figures are missing."""
    path = write_xlsx(
        tmp_path / "empty-two-rows.xlsx",
        [["指標", "年度", "地域", "実績", None], [None, None, None, "値", "状態"]],
        merge=["D1:E1", "A1:A2", "B1:B2", "C1:C2"],
    )
    result = review([path], bundled_dataset, today=TODAY)
    assert [p.reason for p in result.problems] == ["数値が1つも入力されていません。"]


def test_a_title_and_a_two_row_heading_of_uneven_csv_rows_are_read(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    """A CSV typed by hand: a one-cell title, 「令和7年度」 over 「値｜状態」, the lower heading row
    shorter than the upper one (no trailing commas), the notes column last."""
    path = write_csv(
        tmp_path / "uneven.csv",
        [
            ["令和7年度 ひきこもり支援 実績報告"],
            ["指標", "年度", "令和7年度", "", "備考"],
            ["", "", "値", "状態"],
            ["3-1", "R7", "410", "", "速報値"],
        ],
    )
    result = review([path], bundled_dataset, today=TODAY)
    assert result.problems == []
    assert [(e.series, e.value, e.status, e.note, e.row) for e in result.entries] == [
        ("3-1", 410.0, "速報", "速報値", 4)
    ]


def test_a_remark_under_the_heading_is_not_taken_for_part_of_it(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    """The notes column keeps its heading, so a note saying 速報 still makes the value 速報."""
    path = write_csv(
        tmp_path / "remark.csv",
        [
            ["指標", "年度", "値", "備考"],
            ["", "", "", "※速報値は備考に「速報」と書いてください"],
            ["3-1", "R7", "410", "速報"],
        ],
    )
    result = review([path], bundled_dataset, today=TODAY)
    assert result.problems == []
    assert [(e.series, e.status, e.note, e.row) for e in result.entries] == [
        ("3-1", "速報", "速報", 3)
    ]


def test_a_csv_row_that_stops_before_the_last_columns_reads_them_as_empty(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    path = tmp_path / "short.csv"
    path.write_bytes("指標,年度,値,状態,備考\r\n3-1,R7,410\r\n3-2,R7,67,速報\r\n".encode("cp932"))
    result = review([path], bundled_dataset, today=TODAY)
    assert result.problems == []
    assert [(e.series, e.value, e.status, e.note) for e in result.entries] == [
        ("3-1", 410.0, "確定", ""),
        ("3-2", 67.0, "速報", ""),
    ]


# --- sheets and files -------------------------------------------------------------------------


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


OPINIONS = [
    ["会議日", "会議名", "取組方向", "意見"],
    ["2025-08-28", "第1回推進会議", "3", "相談窓口の周知を"],
]


def test_figures_after_a_cover_sheet_and_an_opinions_sheet_are_read(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    path = _workbook(
        tmp_path / "book.xlsx",
        {
            "表紙": [["令和7年度 ひきこもり支援 実績報告"], ["子ども・福祉総務課"]],
            "意見": OPINIONS,
            "実績": [["指標", "年度", "値"], ["3-1", "R7", 410]],
        },
    )
    result = review([path], bundled_dataset, today=TODAY)
    assert result.problems == []
    assert [(e.series, e.value, e.sheet, e.row) for e in result.entries] == [
        ("3-1", 410.0, "実績", 2)
    ]


def test_a_workbook_of_opinions_alone_is_not_refused_for_lacking_figures(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    path = _workbook(tmp_path / "opinions.xlsx", {"意見": OPINIONS})
    entries, problems, blanks = read_entries([path], bundled_dataset, today=TODAY)
    assert (entries, problems, blanks) == ([], [], 0)


def test_blank_values_of_every_file_are_counted(tmp_path: Path, bundled_dataset: Dataset) -> None:
    one = write_csv(
        tmp_path / "a.csv",
        [["指標", "年度", "値"], ["3-1", "R7", "410"], ["3-2", "R7", "－"], ["5-4", "R7", ""]],
    )
    two = write_xlsx(
        tmp_path / "b.xlsx", [["指標", "年度", "値"], ["4-1", "R7", "－"], ["4-2", "R7", 30]]
    )
    result = review([one, two], bundled_dataset, today=TODAY)
    assert result.ok and result.blanks == 3
    assert review_text(result, bundled_dataset).splitlines()[0].endswith("空欄（数値なし） 3 件")


def test_a_repeat_names_the_sheet_of_the_first_value(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    path = write_xlsx(
        tmp_path / "b.xlsx",
        [["系列ID", "年度", "値"], ["3-1", "R7", 400], ["３－１", "令和7年度", 401]],
        title="北勢",
    )
    [problem] = review([path], bundled_dataset, today=TODAY).problems
    assert str(problem).startswith(
        "b.xlsx シート「北勢」 3行目: 同じ指標・年度・地域の値が2回あります（b.xlsx シート「北勢」"
        " 2行目と同じ: 3-1 令和7年度 240001）。"
    )


# --- values as offices write them -------------------------------------------------------------


def test_series_named_by_label_name_or_upper_case_id(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    path = write_csv(
        tmp_path / "names.csv",
        [
            ["指標", "年度", "市町", "値"],
            ["SNS アカウントにおける投稿件数", "R7", "", "120"],
            ["２－１Ａ", "R7", "津市", "2"],
            ["相談窓口", "R6", "津市", "2"],
            ["中学生", "R7", "", "61.5"],
        ],
    )
    entries, problems, _ = read_entries([path], bundled_dataset, today=TODAY)
    assert problems == []
    assert [(e.series, e.fy) for e in entries] == [
        ("1-2", 2025),
        ("2-1a", 2025),
        ("2-1a", 2024),
        ("2-3b", 2025),
    ]


def test_a_lone_series_is_found_by_its_own_id_when_it_differs_from_its_indicators(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    """E.g. 3-1 kept as 3-1a after a second series of the indicator was dropped."""
    series = bundled_dataset.series.rename(index={"3-1": "3-1a"})
    ds = dataclasses.replace(bundled_dataset, series=series)
    path = write_csv(
        tmp_path / "ids.csv", [["指標", "年度", "値"], ["3-1a", "R7", "410"], ["3-1", "R6", "363"]]
    )
    entries, problems, _ = read_entries([path], ds, today=TODAY)
    assert problems == []
    assert [(e.series, e.fy) for e in entries] == [("3-1a", 2025), ("3-1a", 2024)]


def test_a_share_with_a_percent_sign_is_read_however_its_unit_is_spelled(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    """series.csv edited with a Japanese input method may say 「％」 (full-width) for the unit."""
    series = bundled_dataset.series.copy()
    series.loc[series["kind"] == "share", "unit_ja"] = "％"
    ds = dataclasses.replace(bundled_dataset, series=series)
    path = write_csv(tmp_path / "share.csv", [["指標", "年度", "値"], ["2-3a", "R7", "７２．９％"]])
    entries, problems, _ = read_entries([path], ds, today=TODAY)
    assert problems == [] and [e.value for e in entries] == [72.9]


def test_no_figure_written_in_other_ways_is_a_blank(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    path = write_csv(
        tmp_path / "na.csv",
        [
            ["指標", "年度", "値"],
            ["3-1", "R7", "N/A"],
            ["3-2", "R7", "NA"],
            ["5-4", "R7", "なし"],
            ["4-1", "R7", "12"],
        ],
    )
    result = review([path], bundled_dataset, today=TODAY)
    assert result.ok and [e.series for e in result.entries] == ["4-1"] and result.blanks == 3


def test_english_status_words_in_any_case(tmp_path: Path, bundled_dataset: Dataset) -> None:
    path = write_csv(
        tmp_path / "en.csv",
        [["series", "fy", "value", "status"], ["3-1", "2025", "410", "Provisional"]]
        + [["3-2", "2025", "67", "FINAL"]],
    )
    entries, problems, _ = read_entries([path], bundled_dataset, today=TODAY)
    assert problems == []
    assert [(e.series, e.status) for e in entries] == [("3-1", "速報"), ("3-2", "確定")]


def test_an_unreadable_status_beside_a_note_is_one_problem(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    path = write_csv(
        tmp_path / "status.csv",
        [["指標", "年度", "値", "状態", "備考"], ["3-1", "R7", "410", "済み", "速報値"]],
    )
    result = review([path], bundled_dataset, today=TODAY)
    assert [(p.row, p.column, p.value, p.reason) for p in result.problems] == [
        (2, "状態", "済み", "状態が読み取れません。")
    ]


@pytest.mark.parametrize(
    ("written", "value"),
    [("4 521", 4521.0), ("４　５２１人", 4521.0), ("1,234 人", 1234.0)],
)
def test_spaces_inside_a_number_are_dropped(
    tmp_path: Path, bundled_dataset: Dataset, written: str, value: float
) -> None:
    path = write_csv(tmp_path / "spaces.csv", [["指標", "年度", "値"], ["3-2", "R7", written]])
    entries, problems, _ = read_entries([path], bundled_dataset, today=TODAY)
    assert problems == [] and [e.value for e in entries] == [value]


@pytest.mark.parametrize("written", ["nan", "NaN", "inf", "-Infinity"])
def test_nan_and_infinity_are_not_numbers(
    tmp_path: Path, bundled_dataset: Dataset, written: str
) -> None:
    """As a value exported by another program may read: not taken for a figure out of range."""
    path = write_csv(tmp_path / "nan.csv", [["指標", "年度", "値"], ["3-1", "R7", written]])
    [problem] = review([path], bundled_dataset, today=TODAY).problems
    assert (problem.row, problem.value, problem.reason) == (2, written, "数値ではありません。")


def test_the_ends_of_every_kinds_range_are_accepted(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    path = write_csv(
        tmp_path / "ends.csv",
        [
            ["指標", "年度", "市町", "値"],
            ["3-1", "R7", "", "0"],  # a count of none
            ["5-1", "R7", "津市", "0"],  # no place yet (a stock)
            ["2-3a", "R7", "", "0"],  # shares from 0 to 100
            ["2-3b", "R7", "", "0.5"],
            ["2-3c", "R7", "", "100"],
            ["6-2", "R7", "", "0"],  # not yet created
        ],
    )
    entries, problems, _ = read_entries([path], bundled_dataset, today=TODAY)
    assert problems == []
    assert [(e.series, e.value) for e in entries] == [
        ("3-1", 0.0),
        ("5-1", 0.0),
        ("2-3a", 0.0),
        ("2-3b", 0.5),
        ("2-3c", 100.0),
        ("6-2", 0.0),
    ]


def test_a_count_of_places_is_whole_and_not_negative(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    path = write_csv(
        tmp_path / "places.csv",
        [["指標", "年度", "市町", "値"], ["5-1", "R7", "津市", "-1"], ["5-1", "R6", "津市", "1.5"]],
    )
    result = review([path], bundled_dataset, today=TODAY)
    assert [(p.row, p.column, p.value, p.reason) for p in result.problems] == [
        (2, "値", "-1", "件数・人数・か所数は負になりません。"),
        (3, "値", "1.5", "件数・人数・か所数は整数です。"),
    ]


# --- an unquoted thousands separator in a CSV ---------------------------------------------------


def test_a_trailing_comma_after_a_short_value_is_no_split_number(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    path = tmp_path / "trailing.csv"
    path.write_bytes("指標,年度,値\r\n3-1,R7,410,\r\n".encode("cp932"))
    result = review([path], bundled_dataset, today=TODAY)
    assert result.problems == [] and [e.value for e in result.entries] == [410.0]


def test_three_digits_under_a_heading_beside_the_value_are_that_columns(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    """Last year's 402 beside this year's 410 is no 「410,402」 split in two."""
    path = write_csv(
        tmp_path / "beside.csv", [["指標", "年度", "値", "前年度"], ["3-1", "R7", "410", "402"]]
    )
    result = review([path], bundled_dataset, today=TODAY)
    assert result.problems == [] and [e.value for e in result.entries] == [410.0]


def test_a_split_number_into_an_unheaded_column_before_the_notes_is_caught(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    path = tmp_path / "split.csv"
    path.write_bytes("指標,年度,値,,備考\r\n5-4,R7,4,521,速報値\r\n".encode("cp932"))
    result = review([path], bundled_dataset, today=TODAY)
    [problem] = result.problems
    assert (problem.row, problem.column, problem.value) == (2, "値", "4,521")
    assert "引用符" in problem.hint and result.entries == []


def test_in_excel_a_number_in_an_unheaded_column_beside_the_value_is_no_split(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    """Only a CSV splits an unquoted 4,521; in a workbook 12 and 300 are two cells."""
    path = write_xlsx(tmp_path / "side.xlsx", [["指標", "年度", "値"], ["3-2", "R7", 12, 300]])
    result = review([path], bundled_dataset, today=TODAY)
    assert result.problems == [] and [e.value for e in result.entries] == [12.0]
