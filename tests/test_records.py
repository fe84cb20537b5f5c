"""The committee's record: accounts per direction and year, opinions and responses.

Loaded as optional files (older data folders still load), brought in as staff bring figures —
the template's sheets, plain CSV (CP932) and Excel — with the same review, problems with row and
column, atomic save, change record and undo.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from inputs import run_in_process, snapshot, write_csv, write_xlsx

from briefing import DataError, load_dataset
from briefing.data.changes import read_record_changes

BY = "福祉課 山田"
LONG = '家族の声を、"定期的に"聞く場を設けてほしい。\n2行目, カンマも「引用」も残る。'


def test_bundled_records_are_sample_and_name_no_member(data_dir: Path) -> None:
    ds = load_dataset(data_dir)
    assert len(ds.accounts) == 6 and ds.accounts["sample"].all()
    assert len(ds.opinions) >= 4 and ds.opinions["sample"].all()
    assert set(ds.opinions["member_field"]) <= {"学識経験者", "家族会", "NPO", "市町", "医療"}
    # statuses are staff's words, never numbers
    assert not ds.opinions["status"].str.fullmatch(r"\d+").any()


def test_older_data_folder_without_records_still_loads(data_copy: Path) -> None:
    (data_copy / "accounts.csv").unlink()
    (data_copy / "opinions.csv").unlink()
    ds = load_dataset(data_copy)
    assert ds.accounts.empty and ds.opinions.empty


def test_bad_record_rows_are_reported_with_row_and_column(data_copy: Path, edit_csv) -> None:  # type: ignore[no-untyped-def]
    edit_csv(data_copy / "opinions.csv", 3, "direction", "9")
    edit_csv(data_copy / "opinions.csv", 4, "meeting_date", "令和7年")
    edit_csv(data_copy / "accounts.csv", 2, "direction", "7")
    with pytest.raises(DataError) as caught:
        load_dataset(data_copy)
    report = caught.value.report()
    assert "opinions.csv 3行目 「direction」列: 値「9」: 取組方向がありません。" in report
    assert "opinions.csv 4行目 「meeting_date」列" in report and "日付ではありません" in report
    assert "accounts.csv 2行目 「direction」列: 値「7」" in report


def _fill_template(template: Path, out: Path) -> Path:
    """Fill the template as staff do: direction 3's account and two new opinions."""
    book = openpyxl.load_workbook(template)
    accounts = book["取組の報告"]
    for row in accounts.iter_rows(min_row=4):
        if row[0].value == 3:
            row[3].value = "家族教室を5地域で開いた。\n参加者 120 人"
            row[4].value = '参加は増えた, 一方で "移動" が課題'
            row[5].value = "オンライン参加を組み合わせる。"
    opinions = book["委員会意見"]
    first_blank = next(r[0].row for r in opinions.iter_rows(min_row=4) if r[5].value is None)
    for offset, (direction, field, text) in enumerate(
        [("3", "家族会", LONG), ("全体", "学識経験者", "数値だけでなく当事者の声を。")]
    ):
        row = first_blank + offset
        opinions[f"B{row}"] = "2026-11-30"
        opinions[f"C{row}"] = "令和8年度第1回"
        opinions[f"D{row}"] = direction
        opinions[f"E{row}"] = field
        opinions[f"F{row}"] = text
    book.save(out)
    return out


def test_template_import_round_trip_keeps_long_text(tmp_path: Path, data_copy: Path) -> None:
    template = tmp_path / "update.xlsx"
    made = run_in_process(
        "template", "--fy", "R7", "-o", template, "--data", data_copy, cwd=tmp_path
    )
    assert made.returncode == 0, made.stderr
    book = openpyxl.load_workbook(template)
    assert {"取組の報告", "委員会意見"} <= set(book.sheetnames)
    filled = _fill_template(template, tmp_path / "filled.xlsx")

    dry = run_in_process("import", filled, "--dry-run", "--data", data_copy, cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "新規 3 件" in dry.stdout  # one account, two opinions
    before = snapshot(data_copy)
    assert "保存していません" in dry.stdout

    saved = run_in_process("import", filled, "--by", BY, "--data", data_copy, cwd=tmp_path)
    assert saved.returncode == 0, saved.stderr
    ds = load_dataset(data_copy)
    account = ds.accounts[(ds.accounts["direction"] == 3) & (ds.accounts["fy"] == 2025)].iloc[0]
    assert account["activities"] == "家族教室を5地域で開いた。\n参加者 120 人"
    assert account["results"] == '参加は増えた, 一方で "移動" が課題'
    assert account["written_by"] == BY and not account["sample"]
    new = ds.opinions[ds.opinions["meeting"] == "令和8年度第1回"]
    assert set(new["opinion"]) == {LONG, "数値だけでなく当事者の声を。"}
    whole = new[new["opinion"] != LONG].iloc[0]
    assert whole["direction"] is None or str(whole["direction"]) == "<NA>"
    record = read_record_changes(data_copy)
    assert set(record["by"]) == {BY} and LONG in set(record["new"])

    saved_once = snapshot(data_copy)
    again = run_in_process("import", filled, "--by", BY, "--data", data_copy, cwd=tmp_path)
    assert "新規 0 件、変更 0 件、変更なし" in again.stdout  # the same file twice changes nothing
    assert snapshot(data_copy) == saved_once

    undone = run_in_process("undo", "--data", data_copy, cwd=tmp_path)
    assert undone.returncode == 0, undone.stderr
    after = snapshot(data_copy)
    assert {k: v for k, v in after.items() if not k.startswith(".")} == {
        k: v for k, v in before.items() if not k.startswith(".")
    }


def test_plain_cp932_csv_adds_a_response_after_the_meeting(tmp_path: Path, data_copy: Path) -> None:
    ds = load_dataset(data_copy)
    open_one = ds.opinions[ds.opinions["response"] == ""].iloc[0]
    path = write_csv(
        tmp_path / "対応.csv",
        [
            ["備考", "対応状況", "対応", "意見", "取組方向", "会議名", "会議日"],
            ["x", "対応中", LONG, open_one["opinion"], open_one["indicator"], open_one["meeting"],
             open_one["meeting_date"].replace("-", "/")],
        ],
        encoding="cp932",
    )  # fmt: skip
    result = run_in_process("import", path, "--by", BY, "--data", data_copy, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "変更 1 件" in result.stdout and "対応: （空欄） → " in result.stdout
    after = load_dataset(data_copy).opinions.set_index("id").loc[open_one["id"]]
    assert after["response"] == LONG and after["status"] == "対応中"
    assert after["response_updated"] != "" and not after["sample"]


def test_problems_name_row_and_column_and_nothing_is_written(
    tmp_path: Path, data_copy: Path
) -> None:
    path = write_xlsx(
        tmp_path / "意見.xlsx",
        [
            ["会議日", "会議名", "取組方向", "意見", "対応", "対応状況"],
            ["2026-11-30", "令和8年度第1回", "9", "意見です", "", ""],
            ["11月30日ごろ", "令和8年度第1回", "2", "意見です", "", ""],
            ["2026-11-30", "", "2", "", "", ""],
        ],
    )
    before = snapshot(data_copy)
    result = run_in_process("import", path, "--by", BY, "--data", data_copy, cwd=tmp_path)
    assert result.returncode == 1
    err = result.stderr
    assert (
        "意見.xlsx シート「報告」 2行目 「取組方向」列: 値「9」: 取組方向が読み取れません。" in err
    )
    assert "3行目 「会議日」列: 値「11月30日ごろ」: 会議日が日付として読めません。" in err
    assert "4行目 「会議名」列" in err and "4行目 「意見」列" in err
    assert "何も保存していません" in err
    assert snapshot(data_copy) == before


def test_record_import_with_figures_in_one_save(tmp_path: Path, data_copy: Path) -> None:
    """A template with figures and opinions saves both in one version; undo takes both back."""
    shutil.copy(data_copy / "history.csv", tmp_path / "history_before.csv")
    template = tmp_path / "t.xlsx"
    run_in_process("template", "--fy", "R7", "-o", template, "--data", data_copy, cwd=tmp_path)
    book = openpyxl.load_workbook(template)
    sheet = book["入力"]
    sheet["H4"] = 999
    book.save(template)
    filled = _fill_template(template, tmp_path / "both.xlsx")
    result = run_in_process("import", filled, "--by", BY, "--data", data_copy, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (data_copy / "history.csv").read_bytes() != (
        tmp_path / "history_before.csv"
    ).read_bytes()
    assert "令和8年度第1回" in (data_copy / "opinions.csv").read_text(encoding="utf-8")
    run_in_process("undo", "--data", data_copy, cwd=tmp_path)
    assert (data_copy / "history.csv").read_bytes() == (
        tmp_path / "history_before.csv"
    ).read_bytes()
    assert "令和8年度第1回" not in (data_copy / "opinions.csv").read_text(encoding="utf-8")


def test_staff_page_reviews_and_saves_opinions(data_copy: Path, fresh_config: Path) -> None:
    """The staff page (``briefing staff``) takes an opinions CSV the same way as the command."""
    import datetime as dt

    from briefing import Settings
    from widgets import UpdatePanel

    content = (
        "会議日,会議名,取組方向,委員の分野,意見\n"
        f'2026-11-30,令和8年度第1回,2,学識経験者,"{LONG.replace(chr(34), chr(34) * 2)}"\n'
    ).encode("cp932")
    panel = UpdatePanel(settings=Settings().with_(data_dir=data_copy))
    panel.by.value = BY
    panel.upload.value = (
        {"name": "意見.csv", "type": "text/csv", "size": len(content),
         "content": memoryview(content), "last_modified": dt.datetime(2026, 12, 1)},
    )  # fmt: skip
    result = panel.run_review()
    assert result is not None and result.ok and not panel.save.disabled
    assert "新規 委員会意見 令和8年度第1回 取組方向2" in panel.review.value
    panel.save.click()
    assert "保存しました" in panel.message.value
    ops = load_dataset(data_copy).opinions
    assert LONG in set(ops["opinion"])


def test_check_summarises_the_record(tmp_path: Path, data_dir: Path) -> None:
    result = run_in_process("check", "--data", data_dir, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (
        "取組の報告: 6 件、委員会意見: 5 件（会議 2 回、対応の記入あり 4 件、うちサンプル 11 件）"
        in result.stdout
    )
