"""Staff notes in the files count: shown in the review, a 速報/確定 note sets the status (or asks),
and notes become the proposed comments on the staff page, where staff can still edit them.

Agencies write what matters beside the figure: 「速報」 in a 備考 column of a CP932 CSV, 「新規2か所」
in an Excel report. Both used to be dropped (the value was saved as 確定, the comment box stayed empty).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from inputs import run_in_process, write_csv, write_xlsx

from briefing import PREFECTURE, Dataset, Settings, load_dataset
from briefing.intake.review import review, review_html, review_text
from widgets import UpdatePanel

TODAY = dt.date(2026, 11, 1)


def stored(data: Path, series: str, area: str = PREFECTURE) -> tuple[float, str, str]:
    history = load_dataset(data).history.set_index(["series", "fy", "area"])
    row = history.loc[(series, 2025, area)]
    return float(row["value"]), str(row["status"]), str(row["comment"])


@pytest.mark.slow
def test_a_cp932_note_saying_provisional_is_saved_as_provisional(
    tmp_path: Path, data_copy: Path
) -> None:
    # the file: 5-4 with 備考 「速報」 was saved as 確定
    path = write_csv(
        tmp_path / "報告.csv",
        [
            ["指標", "年度", "地域", "値", "備考"],
            ["5-4", "令和7年度", "県全体", "５，３９０", "速報"],
            ["3-1", "R7", "県全体", "410", "新規2か所"],
        ],
        encoding="cp932",
    )
    done = run_in_process("import", path, "--by", "福祉課", "--data", data_copy, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "備考: 新規2か所" in done.stdout  # the review shows the notes
    assert stored(data_copy, "5-4")[:2] == (5390.0, "速報")
    assert stored(data_copy, "3-1")[:2] == (410.0, "確定")


@pytest.mark.parametrize(
    ("note", "status"),
    [
        ("速報", "速報"),
        ("速報値（確定は3月）", "速報"),
        ("未確定", "速報"),
        ("暫定値", "速報"),
        ("確定値", "確定"),
        ("新規2か所", "確定"),  # no word about the status: the default
    ],
)
def test_what_a_note_says_about_the_status(
    tmp_path: Path, bundled_dataset: Dataset, note: str, status: str
) -> None:
    path = write_csv(
        tmp_path / "u.csv", [["指標", "年度", "値", "備考"], ["3-1", "R7", "410", note]]
    )
    result = review([path], bundled_dataset, today=TODAY)
    assert result.ok, result.problems
    assert result.table.set_index("series").at["3-1", "status"] == status


@pytest.mark.slow
def test_a_note_that_contradicts_the_status_column_asks_staff_to_decide(
    tmp_path: Path, data_copy: Path
) -> None:
    path = write_xlsx(
        tmp_path / "報告.xlsx",
        [
            ["指標", "年度", "値", "状態", "メモ"],
            ["3-1", "R7", 410, "確定", "速報値です"],
            ["5-4", "R7", 5390, "", "速報・確定の別は未定"],
        ],
    )
    ds = load_dataset(data_copy)
    result = review([path], ds, today=TODAY)
    text = [str(p) for p in result.problems]
    assert len(text) == 2, text
    assert "報告.xlsx シート「報告」 2行目 「メモ」列" in text[0]
    assert "速報" in text[0] and "確定" in text[0] and "状態" in text[0]
    assert "報告.xlsx シート「報告」 3行目 「メモ」列" in text[1]
    assert "状態の列に" in text[1]  # says what to do

    before = (data_copy / "history.csv").read_bytes()
    done = run_in_process("import", path, "--by", "福祉課", "--data", data_copy, cwd=tmp_path)
    assert done.returncode == 1 and "メモ" in done.stderr
    assert (data_copy / "history.csv").read_bytes() == before


def test_notes_are_shown_in_the_review_table(tmp_path: Path, bundled_dataset: Dataset) -> None:
    path = write_csv(
        tmp_path / "u.csv",
        [["指標", "年度", "地域", "値", "注記"], ["2-2", "R7", "津市", "300", "窓口を1か所増設"]],
    )
    result = review([path], bundled_dataset, today=TODAY)
    assert "<th>備考</th>" in review_html(result)
    assert "窓口を1か所増設" in review_html(result)
    assert "備考: 窓口を1か所増設" in review_text(result, bundled_dataset)


@pytest.mark.slow
def test_notes_prefill_the_comments_on_the_staff_page_and_staff_can_edit_them(
    tmp_path: Path, data_copy: Path, fresh_config: Path
) -> None:
    path = write_xlsx(
        tmp_path / "報告.xlsx",
        [
            ["令和7年度 実績報告", None, None, None, None],
            ["指標", "年度", "市町", "値", "備考"],
            ["3-1", "R7", "県全体", 410, "新規2か所"],
            ["2-2", "R7", "津市", 300, "窓口を1か所増設"],
            ["2-2", "R7", "四日市市", 130, "速報"],  # a status, not a comment for members
        ],
    )
    panel = UpdatePanel(settings=Settings().with_(data_dir=data_copy))
    panel.path.value = str(path)
    result = panel.run_review()
    assert result is not None and result.ok, result and result.problems
    boxes = {b.key: b for b in panel.comments.children if hasattr(b, "key")}
    assert boxes[("3-1", 2025)].value == "新規2か所"
    assert boxes[("2-2", 2025)].value == "津市: 窓口を1か所増設"

    boxes[("3-1", 2025)].value = "新たに2か所で相談を始めた"  # staff edit the proposal
    panel.by.value = "福祉課 山田"
    panel.save.click()
    assert "保存しました" in panel.message.value
    assert stored(data_copy, "3-1") == (410.0, "確定", "新たに2か所で相談を始めた")
    assert stored(data_copy, "2-2")[2] == "津市: 窓口を1か所増設"
    assert stored(data_copy, "2-2", "242021")[1] == "速報"


def test_the_comments_proposed_for_the_staff_page(tmp_path: Path, bundled_dataset: Dataset) -> None:
    """For each series and year that changes: the file's comment on the prefecture value, else
    its notes with each town named; a note that only states the status is not a comment, and a
    series whose values do not change gets no box."""
    from briefing.intake.review import proposed_comments

    path = write_csv(
        tmp_path / "u.csv",
        [
            ["指標", "年度", "地域", "値", "コメント", "備考"],
            ["3-2", "R6", "", "57", "", "変わらず"],
            ["3-1", "R7", "県全体", "410", "", "新規2か所"],
            ["2-2", "R7", "津市", "300", "", "窓口を1か所増設"],
            ["2-2", "R7", "四日市市", "130", "", "（速報値）"],
            ["2-2", "R7", "鈴鹿市", "7", "", "相談会を開催"],
            ["5-1", "R7", "県全体", "9", "県の所見", "国の調査"],
        ],
    )
    ds = bundled_dataset
    result = review([path], ds, today=TODAY)
    assert result.ok, result.problems
    unchanged = int(
        ds.history.query("series == '3-2' and fy == 2024 and area == '240001'")["value"].iloc[0]
    )
    assert unchanged == 57  # the first row repeats the stored value
    assert proposed_comments(result, ds) == {
        ("2-2", 2025): "津市: 窓口を1か所増設 / 鈴鹿市: 相談会を開催",
        ("3-1", 2025): "新規2か所",
        ("5-1", 2025): "県の所見",
    }
    assert proposed_comments(review([], ds, today=TODAY), ds) == {}
