"""Big and wrong files: problems of one kind are summarised, files far too big are refused up front.

Staff once pasted one line 300,000 times into an Excel report; the import printed a line per
repeated row. Now the first few problems of each kind are listed and the rest counted
(「ほか 2,989 件」) in the terminal and on the staff page, and a file with more rows than any real
submission could have is refused before it is read, with the limit in the message. How fast the
300,000-row sheet is answered is measured by ``python -m benchmarks.big_input``, not here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from inputs import run_cli, snapshot, write_xlsx

from briefing import Dataset, Settings
from briefing.data import reading
from briefing.data.problems import SHOWN_PER_KIND
from briefing.intake.review import review, review_html
from widgets import UpdatePanel

LINE = ["3-1", "令和7年度", "県全体", "410"]
REPEATS = 3_000


def pasted_csv(path: Path, rows: int) -> Path:
    """One line repeated ``rows`` times under the heading, as a CP932 CSV saved by Excel."""
    line = ",".join(LINE) + "\r\n"
    path.write_bytes(("指標,年度,地域,値\r\n" + line * rows).encode("cp932"))
    return path


@pytest.mark.child_process
def test_repeated_rows_are_summarised_in_the_terminal(tmp_path: Path, data_copy: Path) -> None:
    before = snapshot(data_copy)
    path = pasted_csv(tmp_path / "貼り付け.csv", REPEATS)
    done = run_cli("import", path, "--by", "福祉課", "--data", data_copy, cwd=tmp_path)
    assert done.returncode == 1
    err = done.stderr
    assert f"問題が {REPEATS - 1:,} 件あります" in err  # every repeat counted
    listed = [line for line in err.splitlines() if line.startswith("- ")]
    assert len(listed) == SHOWN_PER_KIND + 1  # the first few, then one line for the rest
    assert "貼り付け.csv 3行目" in listed[0] and "2回あります" in listed[0]
    assert f"ほか {REPEATS - 1 - SHOWN_PER_KIND:,} 件" in listed[-1]
    assert len((done.stdout + err).splitlines()) < 40
    assert snapshot(data_copy) == before


def test_repeated_rows_are_summarised_on_the_staff_page(tmp_path: Path, data_copy: Path) -> None:
    path = write_xlsx(tmp_path / "貼り付け.xlsx", [["指標", "年度", "地域", "値"]] + [LINE] * 500)
    panel = UpdatePanel(settings=Settings().with_(data_dir=data_copy))
    panel.path.value = str(path)
    result = panel.run_review()
    assert result is not None and not result.ok
    assert "問題が 499 件" in panel.message.value and panel.save.disabled
    shown = panel.review.value
    assert shown.count("<li>") == SHOWN_PER_KIND + 1
    assert f"ほか {499 - SHOWN_PER_KIND:,} 件" in shown


def test_kinds_are_summarised_apart(tmp_path: Path, bundled_dataset: Dataset) -> None:
    # 30 values that are not numbers and 30 unknown series: each kind keeps its first few
    rows = [["指標", "年度", "地域", "値"]]
    rows += [["3-1", "R7", "県全体", "abc"]] * 30
    rows += [[f"9-{n}", "R7", "県全体", "1"] for n in range(30)]
    path = tmp_path / "二種類.csv"
    path.write_bytes("\r\n".join(",".join(r) for r in rows).encode("utf-8-sig"))
    result = review([path], bundled_dataset)
    assert result.problem_count == 60
    summaries = [p for p in result.problems if p.more]
    assert [p.more for p in summaries] == [30 - SHOWN_PER_KIND] * 2
    assert "数値ではありません" in str(summaries[0]) and "系列" in str(summaries[1])
    assert "ほか 20 件" in review_html(result)


@pytest.mark.child_process
def test_a_csv_with_more_rows_than_any_report_is_refused_before_it_is_read(
    tmp_path: Path, data_copy: Path
) -> None:
    before = snapshot(data_copy)
    path = pasted_csv(tmp_path / "巨大.csv", reading.MAX_ROWS + 1)
    done = run_cli("import", path, "--dry-run", "--data", data_copy, cwd=tmp_path)
    assert done.returncode == 1
    assert "巨大.csv: 行が多すぎます" in done.stderr
    assert f"上限 {reading.MAX_ROWS:,} 行" in done.stderr
    assert "2回あります" not in done.stderr  # not read row by row
    assert snapshot(data_copy) == before


def test_a_workbook_declaring_too_many_rows_is_refused_before_its_rows_are_read(
    tmp_path: Path, bundled_dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "MAX_ROWS", 50)  # writing 500,000 Excel rows takes minutes
    path = write_xlsx(tmp_path / "長い.xlsx", [["指標", "年度", "地域", "値"]] + [LINE] * 60)
    result = review([path], bundled_dataset)
    assert [str(p) for p in result.problems] == [
        "長い.xlsx シート「報告」: 行が多すぎます（61 行以上、上限 50 行）。 → "
        "実際の報告は多くても数千行です。貼り付けの誤りがないか確かめ、1年度分の数値だけのファイルにしてください。"
    ]
