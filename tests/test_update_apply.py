"""What a save writes: the new rows of ``history.csv`` and the rows added to ``changes.csv``.

``update.apply`` gives the bytes a save would write, without saving (the save itself, its lock
and its versions are tested in ``test_store.py``): staff and members read these files, the
dashboard reads the history, and the change record is what 「前回からの更新」 prints. Fast: no
audit, the bundled data is read and nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest

from briefing import PREFECTURE, Dataset, load_dataset
from briefing.data.changes import CHANGE_COLUMNS, appended_changes, read_changes
from briefing.intake.apply import apply
from briefing.intake.importer import Entry
from briefing.intake.review import Review

#: 2026-11-20 10:30 in Japan (01:30 UTC): the change record says so in Japan time
NOW = dt.datetime(2026, 11, 20, 1, 30, tzinfo=dt.UTC)
STAMP = "2026-11-20T10:30:00+09:00"
TODAY = "2026-11-20"
TSU, MATSUSAKA = "242012", "242047"


def entry(
    series: str, fy: int, area: str, value: float, status: str = "確定", **more: str
) -> Entry:
    return Entry(series, fy, area, value, status, more.get("comment", ""), "報告.xlsx", "報告", 2)


def saved(
    ds: Dataset, *entries: Entry, **options: object
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The rows of history.csv and of changes.csv as a save of ``entries`` would write them."""
    files = apply(ds, Review(entries=list(entries)), by="福祉課 山田", now=NOW, **options)  # type: ignore[arg-type]
    assert sorted(files) == ["changes.csv", "history.csv"]
    history = list(csv.DictReader(io.StringIO(files["history.csv"].decode("utf-8"))))
    changes = list(csv.DictReader(io.StringIO(files["changes.csv"].decode("utf-8"))))
    return history, changes


def row(rows: list[dict[str, str]], series: str, fy: int, area: str = PREFECTURE) -> dict[str, str]:
    [found] = [r for r in rows if (r["series"], r["fy"], r["area"]) == (series, str(fy), area)]
    return found


def stored(ds: Dataset, series: str, fy: int, area: str = PREFECTURE) -> dict[str, str]:
    with (ds.directory / "history.csv").open(encoding="utf-8", newline="") as handle:
        return row(list(csv.DictReader(handle)), series, fy, area)


# ---- one value -----------------------------------------------------------------------------


def test_a_changed_sample_value_becomes_real_with_the_file_as_its_source(
    bundled_dataset: Dataset,
) -> None:
    history, changes = saved(bundled_dataset, entry("3-1", 2025, PREFECTURE, 410))
    assert stored(bundled_dataset, "3-1", 2025)["sample"] == "true"
    assert row(history, "3-1", 2025) == {
        "series": "3-1",
        "fy": "2025",
        "area": PREFECTURE,
        "value": "410",
        "status": "確定",
        "sample": "false",
        "comment": "",
        "source": f"報告.xlsx（{TODAY} 取込）",
        "updated": TODAY,
    }
    assert changes == [
        {
            "changed_at": STAMP,
            "by": "福祉課 山田",
            "file": "報告.xlsx",
            "series": "3-1",
            "fy": "2025",
            "area": PREFECTURE,
            "old_value": stored(bundled_dataset, "3-1", 2025)["value"],
            "new_value": "410",
            "old_status": stored(bundled_dataset, "3-1", 2025)["status"],
            "new_status": "確定",
            "group": "",  # a survey's age band or agency type; empty for figures
        }
    ]


def test_a_save_keeps_every_other_row_word_for_word_and_the_file_in_its_order(
    data_copy: Path,
) -> None:
    """A comment that reads like "no value" (N/A, NA, null) is still staff's words; a new year
    goes in its place among the rows (series, year, area), so the file reads as before."""
    path = data_copy / "history.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    rows = (data_copy / "history.csv").read_text(encoding="utf-8").splitlines()
    words = {"3-2": "N/A", "4-1": "NA", "4-2": "null"}
    for i, line in enumerate(rows):
        series = line.split(",", 1)[0]
        if series in words and ",2024," in line:
            fields = next(csv.reader([line]))
            fields[header.index("comment")] = words.pop(series)
            rows[i] = ",".join(fields)
    assert not words
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ds = load_dataset(data_copy)
    history, _ = saved(ds, entry("3-1", 2026, PREFECTURE, 5), entry("6-1", 2026, TSU, 3))
    assert list(history[0]) == header
    assert [row(history, s, 2024)["comment"] for s in ("3-2", "4-1", "4-2")] == [
        "N/A",
        "NA",
        "null",
    ]
    keys = [(r["series"], int(r["fy"]), r["area"]) for r in history]
    assert keys == sorted(keys) and ("3-1", 2026, PREFECTURE) in keys
    assert len(history) == len(rows) - 1 + 3  # the two values and 6-1's new total


def test_a_real_value_that_only_turns_final_keeps_its_comment_and_source(
    bundled_dataset: Dataset,
) -> None:
    """The plan's 現状値 275 marked 速報 and back: same figure, same comment and source."""
    before = stored(bundled_dataset, "3-1", 2020)
    assert before["sample"] == "false" and before["comment"] == "計画策定時の現状値"
    history, changes = saved(bundled_dataset, entry("3-1", 2020, PREFECTURE, 275, "速報"))
    after = row(history, "3-1", 2020)
    assert after == before | {"status": "速報", "updated": TODAY}
    assert [
        (c["old_value"], c["new_value"], c["old_status"], c["new_status"]) for c in changes
    ] == [("275", "275", "確定", "速報")]


def test_a_real_value_replaced_drops_its_old_comment_and_takes_the_new_source(
    bundled_dataset: Dataset,
) -> None:
    history, _ = saved(bundled_dataset, entry("3-1", 2020, PREFECTURE, 276))
    after = row(history, "3-1", 2020)
    assert (after["value"], after["comment"], after["source"]) == (
        "276",
        "",
        f"報告.xlsx（{TODAY} 取込）",
    )


def test_the_same_value_and_status_again_changes_nothing(bundled_dataset: Dataset) -> None:
    old = stored(bundled_dataset, "3-1", 2025)
    history, changes = saved(
        bundled_dataset, entry("3-1", 2025, PREFECTURE, float(old["value"]), old["status"])
    )
    assert changes == [] and row(history, "3-1", 2025) == old


def test_a_value_for_a_new_year_is_added_in_year_order(bundled_dataset: Dataset) -> None:
    history, changes = saved(bundled_dataset, entry("3-1", 2026, PREFECTURE, 12.5, "速報"))
    new = row(history, "3-1", 2026)
    assert (new["value"], new["status"], new["sample"]) == ("12.5", "速報", "false")
    years = [int(r["fy"]) for r in history if r["series"] == "3-1"]
    assert years == sorted(years) and years[-1] == 2026
    series = [r["series"] for r in history]
    assert series == sorted(series, key=lambda s: series.index(s))  # still grouped by series
    assert len(history) == len(bundled_dataset.history) + 1
    [change] = changes
    assert (change["old_value"], change["old_status"], change["new_value"]) == ("", "", "12.5")


def test_values_are_written_as_offices_write_them(bundled_dataset: Dataset) -> None:
    """Whole numbers without a decimal point (4521, not 4521.0); shares as given (72.9)."""
    history, _ = saved(
        bundled_dataset,
        entry("3-1", 2025, PREFECTURE, 4521.0),
        entry("2-3a", 2025, PREFECTURE, 72.9),
    )
    assert row(history, "3-1", 2025)["value"] == "4521"
    assert row(history, "2-3a", 2025)["value"] == "72.9"


# ---- comments ------------------------------------------------------------------------------


def test_a_comment_from_the_staff_page_goes_with_the_prefecture_value(
    bundled_dataset: Dataset,
) -> None:
    comments = {("3-1", 2025): "相談件数が増えた。"}
    history, changes = saved(
        bundled_dataset, entry("3-1", 2025, PREFECTURE, 410), comments=comments
    )
    assert row(history, "3-1", 2025)["comment"] == "相談件数が増えた。"
    assert len(changes) == 1


def test_a_new_comment_alone_is_saved_and_an_unchanged_one_is_not(
    bundled_dataset: Dataset,
) -> None:
    old = stored(bundled_dataset, "3-1", 2020)
    same = entry("3-1", 2020, PREFECTURE, 275)
    history, changes = saved(bundled_dataset, same, comments={("3-1", 2020): "見直しました"})
    assert row(history, "3-1", 2020)["comment"] == "見直しました" and len(changes) == 1
    history, changes = saved(bundled_dataset, same, comments={("3-1", 2020): old["comment"]})
    assert changes == [] and row(history, "3-1", 2020) == old


def test_a_comment_in_the_file_is_kept_for_a_town(bundled_dataset: Dataset) -> None:
    history, _ = saved(bundled_dataset, entry("2-2", 2025, TSU, 300, comment="窓口を増設"))
    assert row(history, "2-2", 2025, TSU)["comment"] == "窓口を増設"
    # the staff page's comment is for the prefecture's value, not the town's
    history, _ = saved(
        bundled_dataset, entry("2-2", 2025, TSU, 300), comments={("2-2", 2025): "県の所見"}
    )
    assert row(history, "2-2", 2025, TSU)["comment"] == ""
    assert row(history, "2-2", 2025)["comment"] == "県の所見"


# ---- prefecture totals recomputed from the towns -------------------------------------------


def _towns_total(ds: Dataset, series: str, fy: int, **changed: float) -> float:
    h = ds.history
    towns = h[(h["series"] == series) & (h["fy"] == fy) & (h["area"] != PREFECTURE)]
    values = dict(zip(towns["area"], towns["value"], strict=True)) | changed
    return float(sum(values.values()))


def test_a_total_follows_its_towns_and_is_provisional_if_any_town_is(
    bundled_dataset: Dataset,
) -> None:
    ds = bundled_dataset
    history, changes = saved(ds, entry("2-2", 2025, TSU, 300), entry("2-2", 2025, MATSUSAKA, 10))
    total = row(history, "2-2", 2025)
    expected = _towns_total(ds, "2-2", 2025, **{TSU: 300, MATSUSAKA: 10})
    assert float(total["value"]) == expected
    # the other towns are still 速報 sample values: so is their total
    assert (total["status"], total["sample"]) == ("速報", "true")
    assert total["source"] == "市町の値の合計（自動計算）" and total["comment"] == ""
    assert [c["file"] for c in changes] == ["報告.xlsx", "報告.xlsx", "（自動計算）"]
    assert changes[-1]["area"] == PREFECTURE and changes[-1]["new_value"] == total["value"]


def test_a_total_of_final_real_towns_is_final_and_real(data_copy: Path) -> None:
    """Every town of 2-2 in 令和7年度 real and 確定; the file brings two of them, 確定."""
    path = data_copy / "history.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for r in rows:
        if (r["series"], r["fy"]) == ("2-2", "2025") and r["area"] != PREFECTURE:
            r |= {"status": "確定", "sample": "false"}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    ds = load_dataset(data_copy)
    history, _ = saved(ds, entry("2-2", 2025, TSU, 300), entry("2-2", 2025, MATSUSAKA, 10))
    total = row(history, "2-2", 2025)
    assert (total["status"], total["sample"]) == ("確定", "false")
    # one provisional town makes it provisional again
    history, _ = saved(ds, entry("2-2", 2025, TSU, 300, "速報"))
    assert row(history, "2-2", 2025)["status"] == "速報"


def test_a_total_given_in_the_file_is_not_recomputed(bundled_dataset: Dataset) -> None:
    history, changes = saved(
        bundled_dataset, entry("2-2", 2025, TSU, 300), entry("2-2", 2025, PREFECTURE, 1900)
    )
    assert row(history, "2-2", 2025)["value"] == "1900"
    assert "（自動計算）" not in [c["file"] for c in changes]


def test_a_stock_total_is_recomputed_and_a_share_has_no_towns_to_sum(
    bundled_dataset: Dataset,
) -> None:
    ds = bundled_dataset
    history, _ = saved(ds, entry("5-1", 2025, TSU, 9))
    assert float(row(history, "5-1", 2025)["value"]) == _towns_total(ds, "5-1", 2025, **{TSU: 9})


def test_a_regional_share_is_saved_without_a_summed_total_and_counts_after_it_get_theirs(
    bundled_dataset: Dataset,
) -> None:
    """Shares do not add up over towns (the catalog is data: a share may be given per town); the
    places (5-1) saved in the same file still get their prefecture total."""
    from dataclasses import replace

    series = bundled_dataset.series
    ds = replace(
        bundled_dataset,
        series=series.assign(kind=series["kind"].mask(series.index == "2-2", "share")),
    )
    history, changes = saved(ds, entry("2-2", 2026, TSU, 30.5), entry("5-1", 2026, TSU, 3))
    assert [(c["series"], c["area"]) for c in changes] == [
        ("2-2", TSU),
        ("5-1", TSU),
        ("5-1", PREFECTURE),
    ]
    assert row(history, "5-1", 2026)["value"] == "3"


def test_a_total_that_stays_the_same_keeps_its_flags(bundled_dataset: Dataset) -> None:
    """A town rewritten with its own value: the plan's real baseline total is not relabelled."""
    ds = bundled_dataset
    before = stored(ds, "5-1", 2020)
    town = float(stored(ds, "5-1", 2020, TSU)["value"])
    history, changes = saved(
        ds, entry("5-1", 2020, TSU, town, stored(ds, "5-1", 2020, TSU)["status"])
    )
    assert row(history, "5-1", 2020) == before
    assert changes == []


# ---- the change record --------------------------------------------------------------------


def test_the_change_record_grows_below_its_header(data_copy: Path) -> None:
    ds = load_dataset(data_copy)
    files = apply(ds, Review(entries=[entry("3-1", 2025, PREFECTURE, 410)]), by="a", now=NOW)
    (data_copy / "changes.csv").write_bytes(files["changes.csv"])
    again = apply(
        load_dataset(data_copy),
        Review(entries=[entry("3-1", 2024, PREFECTURE, 5)]),
        by="b",
        now=NOW,
    )
    lines = again["changes.csv"].decode("utf-8").splitlines()
    assert lines[0] == ",".join(CHANGE_COLUMNS) and lines.count(lines[0]) == 1
    assert (
        len(lines) == 3
        and lines[1].startswith(f"{STAMP},a,")
        and lines[2].startswith(f"{STAMP},b,")
    )
    assert again["changes.csv"].startswith(files["changes.csv"])  # old bytes kept as they were
    record = read_changes(data_copy)
    assert list(record.columns) == CHANGE_COLUMNS and record["by"].tolist() == ["a"]


def test_without_a_change_record_there_is_an_empty_one(data_copy: Path) -> None:
    record = read_changes(data_copy)
    assert len(record) == 0 and list(record.columns) == CHANGE_COLUMNS


@pytest.mark.parametrize("hour", [0, 8, 23])
def test_the_change_record_and_the_rows_use_the_japanese_date(
    bundled_dataset: Dataset, hour: int
) -> None:
    when = dt.datetime(
        2026, 11, 19, hour, 5, tzinfo=dt.UTC
    )  # 09:05, 17:05, 08:05 next day in Japan
    files = apply(
        bundled_dataset, Review(entries=[entry("3-1", 2025, PREFECTURE, 1)]), by="a", now=when
    )
    japan = when.astimezone(dt.timezone(dt.timedelta(hours=9)))
    history = list(csv.DictReader(io.StringIO(files["history.csv"].decode("utf-8"))))
    assert row(history, "3-1", 2025)["updated"] == japan.date().isoformat()
    assert f"{japan.isoformat(timespec='seconds')},a," in files["changes.csv"].decode("utf-8")


# ---- the save: its record, its refusals ---------------------------------------------------


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    from tables import tiny_data

    return tiny_data(tmp_path / "data")


def test_a_save_records_who_when_what_and_how_much(tiny: Path, tmp_path: Path) -> None:
    from briefing import Settings
    from briefing.data.store import MANAGED, list_versions, version_meta
    from briefing.intake.apply import commit
    from briefing.stats.disclosure import METHOD

    ds = load_dataset(tiny)
    reviewed = Review(
        entries=[entry("3-1", 2025, PREFECTURE, 410), entry("3-1", 2026, PREFECTURE, 5)],
        version=ds.version,
    )
    reviewed.table = pd.DataFrame({"change": ["変更", "新規", "変更なし"]})
    withheld = tmp_path / "withheld"
    version = commit(
        ds,
        reviewed,
        by="  福祉課 山田 ",
        files=["報告.xlsx"],
        now=NOW,
        comments={("3-1", 2025): "相談件数が増えた。"},
        settings=Settings(disclosure_dir=withheld),
    )
    assert list_versions(tiny) == [version]
    assert version_meta(tiny, version) == {
        "when": STAMP,
        "by": "福祉課 山田",
        "inputs": ["報告.xlsx"],
        "新規": 1,
        "変更": 1,
        "変更なし": 1,
        "files": ["changes.csv", "history.csv"],
        "managed": list(MANAGED),
    }
    assert set(read_changes(tiny)["by"]) == {"福祉課 山田"}
    assert stored(load_dataset(tiny), "3-1", 2025)["comment"] == "相談件数が増えた。"
    # the new version's withheld cells and audit are stored for every view to use at once
    new = load_dataset(tiny).version
    assert {p.name for p in withheld.glob(f"{new}-*")} == {
        f"{new}-5-m{METHOD}-cells.json",
        f"{new}-5-m{METHOD}-audit.json",
        f"{new}-5-cells.lock",
        f"{new}-5-audit.lock",
    }


def test_a_save_of_a_review_older_than_the_data_is_refused(tiny: Path) -> None:
    from briefing.data.store import StaleError, save
    from briefing.intake.apply import commit

    ds = load_dataset(tiny)
    reviewed = Review(entries=[entry("3-1", 2025, PREFECTURE, 410)], version=ds.version)
    theirs = (tiny / "history.csv").read_bytes().replace(b",402,", b",403,")
    save(tiny, {"history.csv": theirs}, meta={})  # someone else's import, after this review
    with pytest.raises(StaleError, match="もう一度取り込んで、確認し直してください"):
        commit(ds, reviewed, by="a", now=NOW)
    assert (tiny / "history.csv").read_bytes() == theirs


@pytest.mark.parametrize("name", ["", "   ", "\t"])
def test_a_save_without_a_name_is_refused(tiny: Path, name: str) -> None:
    from briefing.intake.apply import MISSING_NAME, commit

    ds = load_dataset(tiny)
    with pytest.raises(ValueError) as refused:
        commit(ds, Review(entries=[entry("3-1", 2025, PREFECTURE, 410)]), by=name, now=NOW)
    assert str(refused.value) == MISSING_NAME and "担当者名" in MISSING_NAME
    assert not (tiny / ".versions").exists()


def test_a_review_without_a_version_is_checked_against_the_data_it_was_given(tiny: Path) -> None:
    from briefing.intake.apply import commit

    ds = load_dataset(tiny)
    commit(ds, Review(entries=[entry("3-1", 2025, PREFECTURE, 410)]), by="a", now=NOW)
    assert stored(load_dataset(tiny), "3-1", 2025)["value"] == "410"


def test_without_a_record_of_accounts_and_opinions_there_is_an_empty_one(data_copy: Path) -> None:
    from briefing.data.changes import RECORD_CHANGE_COLUMNS, read_record_changes

    record = read_record_changes(data_copy)
    assert len(record) == 0 and list(record.columns) == RECORD_CHANGE_COLUMNS
    (data_copy / "record_changes.csv").write_text(
        ",".join(RECORD_CHANGE_COLUMNS) + "\n2026-11-20T10:30:00+09:00,a,f.xlsx,opinion,7,text,,\n",
        encoding="utf-8",
    )
    [row] = read_record_changes(data_copy).to_dict("records")
    assert (row["key"], row["old"], row["new"]) == ("7", "", "")  # empty cells stay empty text


def test_a_change_record_from_before_the_group_column_reads_and_grows_with_it(
    data_copy: Path,
) -> None:
    """changes.csv written before survey imports had no ``group``: it reads as empty, and the
    next save rewrites the header once, keeping every old row."""
    old_columns = [c for c in CHANGE_COLUMNS if c != "group"]
    (data_copy / "changes.csv").write_text(
        ",".join(old_columns)
        + "\n2026-10-01T09:00:00+09:00,a,f.csv,3-1,2025,240001,400,402,確定,速報\n",
        encoding="utf-8",
    )
    assert read_changes(data_copy)["group"].tolist() == [""]
    ds = load_dataset(data_copy)
    files = apply(ds, Review(entries=[entry("3-1", 2024, PREFECTURE, 5)]), by="b", now=NOW)
    lines = files["changes.csv"].decode("utf-8").splitlines()
    assert lines[0] == ",".join(CHANGE_COLUMNS)
    assert lines[1] == "2026-10-01T09:00:00+09:00,a,f.csv,3-1,2025,240001,400,402,確定,速報,"
    assert lines[2].startswith(f"{STAMP},b,報告.xlsx,3-1,2024,240001,") and len(lines) == 3


def test_a_change_record_saved_again_from_excel_keeps_its_bytes_and_grows_below(
    tmp_path: Path,
) -> None:
    # Excel writes CRLF and quotes; the record of who changed what must stay as it was
    first = ["2025-06-01T10:00:00+09:00", "山田", '"a.xlsx"'] + [""] * (len(CHANGE_COLUMNS) - 3)
    old = (",".join(CHANGE_COLUMNS) + "\r\n" + ",".join(first) + "\r\n").encode("utf-8")
    (tmp_path / "changes.csv").write_bytes(old)
    row: dict[str, object] = {c: "" for c in CHANGE_COLUMNS} | {"by": "鈴木", "file": "b.xlsx"}
    written = appended_changes(tmp_path, [row])
    assert written.startswith(old)
    (tmp_path / "changes.csv").write_bytes(written)
    assert read_changes(tmp_path)[["by", "file"]].values.tolist() == [
        ["山田", "a.xlsx"],
        ["鈴木", "b.xlsx"],
    ]


def test_figures_and_an_opinion_brought_in_together_are_saved_together(
    tiny: Path, tmp_path: Path
) -> None:
    """One save keeps both; its version counts both; the opinion's change record names who and
    when (Japan time); undo takes both back."""
    from inputs import write_csv

    from briefing.data.changes import read_record_changes
    from briefing.data.store import undo, version_meta
    from briefing.intake.apply import commit
    from briefing.intake.records import record_review

    ds = load_dataset(tiny)
    before = {n: (tiny / n).read_bytes() for n in ("history.csv", "opinions.csv")}
    opinions = write_csv(
        tmp_path / "意見.csv",
        [["会議日", "会議名", "取組方向", "委員の分野", "意見"],
         ["2026-11-30", "令和8年度第1回", "2", "家族会", "家族の声を聞く場を増やしてほしい。"]],
        encoding="cp932",
    )  # fmt: skip
    records = record_review([opinions], ds)
    assert records.ok, records.problems
    reviewed = Review(entries=[entry("3-1", 2025, PREFECTURE, 410)], version=ds.version)
    version = commit(ds, reviewed, by="福祉課 山田", now=NOW, records=records)
    after = load_dataset(tiny)
    assert stored(after, "3-1", 2025)["value"] == "410"
    assert "家族の声を聞く場を増やしてほしい。" in set(after.opinions["opinion"])
    assert version_meta(tiny, version)["記録の新規"] == 1
    record = read_record_changes(tiny)
    assert set(record["by"]) == {"福祉課 山田"} and set(record["changed_at"]) == {STAMP}
    undo(tiny)
    assert {n: (tiny / n).read_bytes() for n in before} == before
    # the opinion alone: the figures are not touched
    version = commit(load_dataset(tiny), Review(), by="福祉課 山田", now=NOW, records=records)
    assert version_meta(tiny, version)["files"] == ["opinions.csv", "record_changes.csv"]
    assert (tiny / "history.csv").read_bytes() == before["history.csv"]
