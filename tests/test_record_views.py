"""The committee's record where members look: the direction view (account beside the indicators,
then opinions and responses, newest meeting first, filterable by meeting), the overview's count
of the last meeting's responses, escaped staff text, and the English edition."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefing import Settings, load_dataset
from briefing.content.filters import from_query
from widgets import Dashboard

SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings().with_(cache_dir=tmp_path / "figures")


@pytest.fixture
def dashboard(data_copy: Path, settings: Settings, edit_csv, find_row) -> Dashboard:  # type: ignore[no-untyped-def]
    opinions = data_copy / "opinions.csv"
    edit_csv(opinions, find_row(opinions, id="2025-02-20-02"), "response", SCRIPT + "\n2行目")
    edit_csv(data_copy / "accounts.csv", 4, "activities", "家族教室を開いた。" + SCRIPT)
    return Dashboard(load_dataset(data_copy), settings=settings)


def shown(d: Dashboard) -> str:
    return d.views[d.tabs.selected_index].value


def test_direction_view_shows_account_beside_indicators_then_opinions_newest_first(dashboard):
    dashboard.bar.direction.value = 3
    dashboard.tabs.selected_index = 1
    html = shown(dashboard)
    beside = html[html.index('class="with-account"') : html.index('class="opinions"')]
    assert "3-1" in beside and "県の取組の報告（令和6年度）" in beside and "取組状況" in beside
    assert (
        "成果と課題" in beside and "今後の方向" in beside and "記入: 福祉課（サンプル）" in beside
    )
    opinions = html[html.index('class="opinions"') :]
    assert "家族教室に参加しにくい地域への配慮" in opinions
    dashboard.bar.direction.value = 6
    html = shown(dashboard)
    ids = re.findall(r'data-opinion="([^"]+)"', html)
    assert ids == sorted(ids, reverse=True)


def test_staff_text_with_script_stays_text(dashboard):
    dashboard.bar.direction.value = 3
    dashboard.tabs.selected_index = 1
    html = shown(dashboard)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;/script&gt;\n2行目" in html  # line break kept (shown with white-space: pre-wrap)


def test_meeting_filter_keeps_one_meetings_opinions(dashboard):
    dashboard.tabs.selected_index = 1
    assert dashboard.meeting.options[0] == ("すべての会議", "")
    assert [v for _, v in dashboard.meeting.options[1:]] == ["令和7年度第1回", "令和6年度第2回"]
    dashboard.meeting.value = "令和6年度第2回"
    html = shown(dashboard)
    assert dashboard.state.filters.meeting == "令和6年度第2回"
    assert "令和6年度第2回" in html and "令和7年度第1回（" not in html
    dashboard.bar.direction.value = 6
    assert "令和6年度第2回の意見はありません。" in shown(dashboard)
    filters, notes = from_query(dashboard.ds, "view=direction&meeting=令和7年度第1回")
    assert filters.meeting == "令和7年度第1回" and not notes
    assert "meeting=" in filters.to_query(dashboard.ds)


def test_overview_counts_responses_of_the_last_meeting_without_judging(dashboard):
    html = shown(dashboard)
    part = html[html.index('class="responses"') :]
    assert "前回の委員会（令和7年度第1回、2025-08-28）の意見への対応" in part
    assert "5 社会参加支援</td><td>0 / 1 件に対応の記入あり" in part
    assert "計画全体</td><td>1 / 1 件に対応の記入あり" in part
    # a count, not a judgement: no word of reaching a target (達), no coloured status
    assert "達" not in part and "color" not in part


def test_english_keeps_staff_text_and_marks_it_japanese_only(dashboard):
    dashboard.bar.direction.value = 3
    dashboard.tabs.selected_index = 1
    dashboard.state.filters = dashboard.state.filters.with_(lang="en")
    html = shown(dashboard)
    assert "The committee&#39;s opinions and the prefecture&#39;s responses" in html
    assert "What was done" in html and "(日本語のみ)" in html
    assert "家族教室に参加しにくい地域への配慮をお願いしたい。" in html
    assert dashboard.meeting.options[0] == ("All meetings", "")


def test_older_data_folder_shows_no_record_sections(data_copy: Path, settings: Settings) -> None:
    (data_copy / "accounts.csv").unlink()
    (data_copy / "opinions.csv").unlink()
    d = Dashboard(load_dataset(data_copy), settings=settings)
    assert 'class="responses"' not in shown(d)
    d.tabs.selected_index = 1
    assert 'class="opinions"' not in shown(d) and d.meeting.layout.display == "none"
