"""The dashboard driven without a browser: set control values and read what the views show."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefing import Settings, load_dataset
from briefing.content.filters import Filters, from_query
from widgets import Dashboard, Loaded


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings().with_(cache_dir=tmp_path / "figures")


@pytest.fixture
def dashboard(bundled_dataset, settings) -> Dashboard:
    return Dashboard(bundled_dataset, settings=settings)


def shown(d: Dashboard) -> str:
    """The visible view's HTML."""
    return d.views[d.tabs.selected_index].value


def indicator_ids(html: str) -> set[str]:
    return set(re.findall(r"\b([1-6]-[1-4]) ", html))


def test_opens_on_the_overview_with_goals_all_directions_and_the_sample_banner(dashboard):
    html = shown(dashboard)
    assert dashboard.view == "overview"
    assert "G1" in html and "G2" in html and "95%信頼区間" in html
    assert indicator_ids(html) == {
        f"{d}-{i}"
        for d, n in [(1, 2), (2, 3), (3, 2), (4, 3), (5, 4), (6, 2)]
        for i in range(1, n + 1)
    }
    assert "架空のサンプルデータ" in dashboard.banner.value
    # no pass/fail wording: 「達」 starts "achieved" and ends "not reached" in Japanese
    assert "達" not in html and "目標値との差" not in html


def test_direction_filter_keeps_only_that_directions_indicators(dashboard):
    dashboard.bar.direction.value = 3
    html = shown(dashboard)
    assert dashboard.state.filters.direction == 3
    assert indicator_ids(html) == {"3-1", "3-2"}
    assert "家族支援" in html


def test_direction_5_in_higashikishu_labels_non_regional_indicators(dashboard):
    dashboard.bar.direction.value = 5
    dashboard.bar.area.value = "higashikishu"
    html = shown(dashboard)
    assert indicator_ids(html) == {"5-1", "5-2", "5-3", "5-4"}
    assert html.count("この指標には地域別の内訳がありません") == 2
    assert "東紀州の回答者" in html  # goals follow the area's survey region


def test_area_value_is_the_sum_of_its_municipalities(dashboard, bundled_dataset):
    h, areas = bundled_dataset.history, bundled_dataset.areas
    towns = areas.index[areas["region"] == "higashikishu"]
    expected = int(
        h[(h["series"] == "5-2") & (h["fy"] == 2025) & h["area"].isin(towns)]["value"].sum()
    )
    dashboard.bar.direction.value = 5
    dashboard.bar.area.value = "higashikishu"
    row = re.search(
        r"5-2 子どもの居場所数.*?<td class=\"num\">([\d,]+)か所", shown(dashboard), re.S
    )
    assert row and int(row.group(1).replace(",", "")) == expected


def test_direction_view_switches_between_chart_and_table(dashboard):
    dashboard.bar.direction.value = 3
    dashboard.tabs.selected_index = 1
    html = shown(dashboard)
    assert dashboard.view == "direction"
    assert '<img src="data:image/png;base64,' in html and "推移" in html
    assert "<th>年度</th>" not in html
    dashboard.bar.mode.value = "table"
    html = shown(dashboard)
    assert "<img" not in html
    assert "<th>年度</th>" in html and "令和2年度" in html and "275件" in html
    assert "速報" in html  # FY2025 values are provisional


def test_suppressed_small_counts_show_as_under_5_and_hide_changes(bundled_dataset, settings):
    h = bundled_dataset.history
    small = h[(h["series"] == "6-1") & (h["fy"] == 2025) & h["value"].between(1, 4)]
    assert len(small), "the sample data should contain a small municipal count"
    town = small["area"].iloc[0]
    d = Dashboard(bundled_dataset, settings=settings, filters=Filters(direction=6, area=town))
    html = shown(d)
    row = re.search(r"6-1 .*?</tr>", html, re.S).group(0)
    latest, vs_baseline, vs_previous = re.findall(r'<td class="num">(.*?)</td>', row, re.S)
    assert latest.startswith("5未満")
    assert vs_baseline == vs_previous == "－"  # a change would give the hidden value away
    assert f">{int(small['value'].iloc[0])}人<" not in html


def test_area_view_compares_municipalities_with_suppression(bundled_dataset, settings):
    d = Dashboard(
        bundled_dataset,
        settings=settings,
        filters=Filters(direction=6, area="higashikishu", view="area"),
    )
    html = shown(d)
    assert d.view == "area"
    for town in ("尾鷲市", "熊野市", "紀北町", "御浜町", "紀宝町"):
        assert town in html
    assert "6-2" in html and "地域別の内訳がない指標" in html
    d.bar.mode.value = "table"
    assert "5未満" in shown(d) or "0人" in shown(d)


def test_survey_view_marks_small_samples_as_reference(bundled_dataset, settings):
    d = Dashboard(
        bundled_dataset, settings=settings, filters=Filters(area="higashikishu", view="survey")
    )
    html = shown(d)
    assert "参考値" in html and "n=" in html and "95%信頼区間" in html
    assert "年代別" in html and "機関の種類別" in html
    d.bar.area.value = "240001"
    html = shown(d)
    assert "18〜29歳" in html and "県全体" in html


def test_url_query_presets_the_controls(bundled_dataset, settings):
    filters, notes = from_query(
        bundled_dataset, "direction=5&area=東紀州&from=R3&to=令和6年度&view=area"
    )
    d = Dashboard(bundled_dataset, settings=settings, filters=filters, notes=notes)
    assert d.bar.direction.value == 5
    assert d.bar.area.value == "higashikishu"
    assert d.bar.years.value == (2021, 2024)
    assert d.view == "area"
    assert "令和6年度" in shown(d) and "令和7年度" not in shown(d)
    assert d.query() == "direction=5&area=%E6%9D%B1%E7%B4%80%E5%B7%9E&from=2021&to=2024&view=area"


def test_bad_query_values_fall_back_with_a_japanese_note(bundled_dataset, settings):
    app = Loaded(settings)
    d = app.show("direction=99&area=どこか").children[0]
    assert d.state.filters == Filters()
    assert (
        "取組方向「99」はありません" in d.notes.value
        and "地域「どこか」が見つかりません" in d.notes.value
    )


def test_english_switch_relabels_without_changing_filters(dashboard):
    dashboard.bar.direction.value = 5
    dashboard.bar.lang.value = "en"
    assert dashboard.state.filters.direction == 5
    assert dashboard.bar.direction.label.startswith("5 Support for social participation")
    assert dashboard.tabs.get_title(0) == "Overview"
    assert (
        "Plan-wide goals" in shown(dashboard) and "fictitious sample data" in dashboard.banner.value
    )


def test_a_view_already_shown_is_not_rebuilt(dashboard):
    dashboard.bar.direction.value = 2
    count = dashboard.renders
    dashboard.bar.direction.value = 4
    dashboard.bar.direction.value = 2
    assert dashboard.renders == count + 1


def test_charts_are_drawn_once_per_data_version_and_shared_through_the_disk(
    bundled_dataset, settings
):
    first = Dashboard(
        bundled_dataset, settings=settings, filters=Filters(direction=3, view="direction")
    )
    assert first.ctx.cache.drawn == 2
    second = Dashboard(
        bundled_dataset, settings=settings, filters=Filters(direction=3, view="direction")
    )
    assert second.ctx.cache.drawn == 0  # a new kernel finds them on disk
    assert shown(first) == shown(second)


def test_broken_data_shows_a_japanese_error_instead_of_a_traceback(data_copy, edit_csv, settings):
    edit_csv(data_copy / "history.csv", 5, "value", "abc")
    page = Loaded(settings.with_(data_dir=data_copy)).show("").children[0]
    assert "データを読み込めませんでした" in page.value
    assert "history.csv 5行目" in page.value and "「value」列" in page.value
    assert "Traceback" not in page.value


def test_loaded_reads_the_data_directory_from_settings(data_copy, settings):
    app = Loaded(settings.with_(data_dir=data_copy))
    assert app.ds is not None and app.ds.directory == data_copy
    assert app.ds.version == load_dataset(data_copy).version


def test_a_late_url_query_does_not_undo_the_members_choice(dashboard):
    dashboard.apply_query("direction=3")
    assert dashboard.state.filters.direction == 3
    dashboard.bar.direction.value = 5
    dashboard.apply_query("direction=3")  # arrives late (preheated kernel): the member's pick stays
    assert dashboard.state.filters.direction == 5 and dashboard.bar.direction.value == 5


def test_an_empty_url_query_changes_nothing(dashboard):
    dashboard.bar.area.value = "iga"
    dashboard.apply_query("")
    assert dashboard.state.filters.area == "iga"


def test_regional_baselines_are_labelled_as_sample(bundled_dataset, settings):
    d = Dashboard(
        bundled_dataset,
        settings=settings,
        filters=Filters(direction=5, area="higashikishu", view="direction"),
    )
    assert "（令和2年度・サンプル）" in shown(d)  # the plan gives only the prefecture's baseline
    d.bar.area.value = "240001"
    assert "6か所（令和2年度）" in shown(d)


def test_survey_groups_of_one_or_two_agencies_are_hidden(bundled_dataset, settings):
    d = Dashboard(
        bundled_dataset, settings=settings, filters=Filters(area="higashikishu", view="survey")
    )
    assert "非表示（回答者 1 人のため）" in shown(d)


def test_export_button_offers_the_current_view_as_one_file_download(bundled_dataset, settings):
    import base64
    import re as _re

    d = Dashboard(bundled_dataset, settings=settings, filters=Filters(direction=3, area="hokusei"))
    d.export.button.click()
    link = d.export.link.value
    assert 'download="briefing-3-hokusei.html"' in link
    encoded = _re.search(r'href="data:text/html;charset=utf-8;base64,([^"]+)"', link).group(1)
    document = base64.b64decode(encoded).decode()
    assert "進捗ブリーフィング" in document and "3 家族支援" in document and "北勢" in document
    assert "架空のサンプル" in document and "<script" not in document
    assert document.count("<svg") >= 3  # charts embedded, not linked


def test_english_switch_translates_survey_groups(bundled_dataset, settings):
    d = Dashboard(bundled_dataset, settings=settings, filters=Filters(view="survey", lang="en"))
    assert "70 and over" in shown(d) and "Medical institutions" in shown(d)
    assert "70歳以上" not in shown(d)
