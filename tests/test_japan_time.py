"""Times staff read are Japan time with their offset, whatever zone the PC's clock keeps.

Servers and containers often run in UTC: a save at 08:30 in Japan is 23:30 of the day before
there. The change record, the saved version, the review and the briefing's 「前回からの更新」 all
say the Japanese date and time, with ``+09:00``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from inputs import run_cli, write_csv

from briefing import Settings, load_dataset
from briefing.content.filters import Filters
from briefing.data.changes import read_changes
from briefing.data.store import version_meta
from briefing.intake.apply import commit
from briefing.intake.review import review, review_html, review_text
from briefing.render.export import render_briefing

#: 2026-12-01 08:30 in Japan: still 30 November in UTC
MORNING_IN_JAPAN = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 1)


@pytest.mark.slow
def test_a_save_records_japan_time_and_the_japanese_date(tmp_path: Path, data_copy: Path) -> None:
    ds = load_dataset(data_copy)
    path = write_csv(tmp_path / "u.csv", [["指標", "年度", "値"], ["3-1", "R7", "410"]])
    version = commit(
        ds, review([path], ds, today=TODAY), by="山田", files=[path.name], now=MORNING_IN_JAPAN
    )
    assert read_changes(data_copy)["changed_at"].tolist() == ["2026-12-01T08:30:00+09:00"]
    history = load_dataset(data_copy).history
    row = history[(history["series"] == "3-1") & (history["fy"] == 2025)].iloc[0]
    assert str(row["updated"]) == "2026-12-01"
    assert version_meta(data_copy, version)["when"] == "2026-12-01T08:30:00+09:00"


def test_the_review_says_when_it_was_checked_in_japan_time(tmp_path: Path, data_copy: Path) -> None:
    ds = load_dataset(data_copy)
    path = write_csv(tmp_path / "u.csv", [["指標", "年度", "値"], ["3-1", "R7", "410"]])
    result = review([path], ds, today=TODAY)
    result.checked_at = MORNING_IN_JAPAN
    assert "確認日時: 2026-12-01 08:30 +09:00" in review_text(result, ds)
    assert "2026-12-01 08:30 +09:00" in review_html(result)


@pytest.mark.slow
def test_updates_since_a_day_count_by_the_japanese_date(tmp_path: Path, data_copy: Path) -> None:
    ds = load_dataset(data_copy)
    path = write_csv(
        tmp_path / "u.csv", [["指標", "年度", "地域", "値"], ["3-1", "R7", "県全体", "410"]]
    )
    commit(ds, review([path], ds, today=TODAY), by="山田", now=MORNING_IN_JAPAN)
    html = render_briefing(
        load_dataset(data_copy),
        Filters(),
        settings=Settings(cache_dir=tmp_path / "c"),
        since=dt.date(2026, 12, 1),
        generated=dt.date(2026, 12, 1),
    )
    section = html[html.index('id="updates"') :]
    assert "402件 → 410件" in section and "2026-12-01" in section


@pytest.mark.child_process
def test_the_command_line_shows_and_records_japan_time_on_a_utc_clock(
    tmp_path: Path, data_copy: Path
) -> None:
    path = write_csv(tmp_path / "u.csv", [["指標", "年度", "値"], ["3-1", "R7", "410"]])
    done = run_cli(
        "import", path, "--by", "福祉課 山田", "--data", data_copy, cwd=tmp_path, TZ="UTC"
    )
    assert done.returncode == 0, done.stderr
    assert "確認日時: " in done.stdout and "+09:00" in done.stdout
    assert read_changes(data_copy)["changed_at"].iloc[0].endswith("+09:00")
    undone = run_cli("undo", "--data", data_copy, cwd=tmp_path, TZ="UTC")
    assert undone.returncode == 0, undone.stderr
    assert "+09:00" in undone.stdout and "福祉課 山田" in undone.stdout
