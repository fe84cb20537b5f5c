"""Each dashboard view's HTML: the right content for the view, the mode and the area, and a key
that tells one view from another (the dashboard keeps views already drawn by that key).

Tables only (no chart is drawn, so each view takes a moment) on a tiny data folder; the views in
full, with their charts, are tested on the bundled data in ``test_dashboard_widgets.py``.
"""

from __future__ import annotations

import re

import pytest
from tables import NABARI, tiny_data

from briefing import Settings, load_dataset
from briefing.content import Context, context
from briefing.content.filters import Filters
from briefing.render.html import render_view


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Context:
    folder = tiny_data(tmp_path_factory.mktemp("views") / "data")
    return context(
        load_dataset(folder), Settings(data_dir=folder, cache_dir=None, disclosure_dir=None)
    )


def heading(html: str) -> str:
    found = re.search(r"<h2>(.*?)</h2>", html)
    assert found, html[:200]
    return found.group(1)


@pytest.mark.parametrize(
    ("area", "lang", "title"),
    [
        ("240001", "ja", "地域別（5地域）"),
        ("iga", "ja", "伊賀の内訳"),
        (NABARI, "ja", "名張市と同じ地域（伊賀）の市町"),
        ("iga", "en", "Breakdown of Iga"),
    ],
)
def test_the_area_view_says_what_it_compares(
    ctx: Context, area: str, lang: str, title: str
) -> None:
    html = render_view(ctx, Filters(area=area, view="area", lang=lang), "area", mode="table")
    assert heading(html) == title
    assert ("伊賀" if area == "240001" else "名張市" if lang == "ja" else "Nabari") in html


def test_the_direction_view_in_table_mode_has_tables_and_no_charts(ctx: Context) -> None:
    html = render_view(ctx, Filters(view="direction", direction=6), "direction", mode="table")
    assert 'id="ind-6-1"' in html and "<table" in html
    assert "<svg" not in html and "<figure" not in html and "<img" not in html
    assert heading(html).startswith("6 ")


def test_the_survey_view_in_table_mode_draws_no_chart(ctx: Context) -> None:
    html = render_view(ctx, Filters(view="survey"), "survey", mode="table")
    assert "G1" in html and "<table" in html
    assert "<svg" not in html and "<figure" not in html and "<img" not in html


def test_each_view_has_its_own_key_and_the_same_view_the_same_key(ctx: Context) -> None:
    def key(filters: Filters, view: str, mode: str = "table") -> str:
        html = render_view(ctx, filters, view, mode=mode)
        found = re.match(r'<div class="mb" data-view="([^"]*)">', html)
        assert found and html.endswith("</div>")
        return found.group(1)

    base = Filters(view="direction", direction=6)
    assert key(base, "direction") == "direction|6|240001|||ja|table|"
    assert key(base, "direction") == key(base.with_(), "direction")
    others = {
        key(base.with_(area="iga"), "direction"),
        key(base.with_(fy_from=2025), "direction"),
        key(base.with_(fy_to=2024), "direction"),
        key(base.with_(lang="en"), "direction"),
        key(base.with_(direction=3), "direction"),
        key(base.with_(direction=None), "area"),
    }
    assert len(others) == 6 and key(base, "direction") not in others
    assert (
        key(base.with_(fy_from=2025, fy_to=2025), "direction")
        == "direction|6|240001|2025|2025|ja|table|"
    )


def test_an_unknown_view_is_refused(ctx: Context) -> None:
    with pytest.raises(ValueError):
        render_view(ctx, Filters(), "map", mode="table")


@pytest.mark.parametrize(
    ("lang", "goals", "indicators"),
    [
        ("ja", "計画全体の目標", "取組方向ごとのモニタリング指標"),
        ("en", "Plan-wide goals", "Monitoring indicators by action direction"),
    ],
)
def test_the_overview_shows_the_goals_then_the_indicators_in_the_committees_language(
    ctx: Context, lang: str, goals: str, indicators: str
) -> None:
    html = render_view(ctx, Filters(view="overview", lang=lang), "overview", mode="table")
    assert re.findall(r"<h2>(.*?)</h2>", html)[:2] == [goals, indicators]
    assert 'id="goal-G1"' in html  # 伊賀's G1 of the tiny data
    assert html.startswith(f'<div class="mb" data-view="overview|0|240001|||{lang}|table|">')


def test_the_benchmark_waits_for_the_key_the_dashboard_draws(ctx: Context) -> None:
    """``python -m benchmarks`` times a view until its key is in the page: the key must be the
    one drawn (a key grown by a part once left every benchmark load waiting until its timeout)."""
    from benchmarks.browser import view_key

    filters = Filters(direction=5, area="iga", fy_from=2021, lang="en")
    html = render_view(ctx, filters, "direction", mode="table")
    assert f'data-view="{view_key("direction", 5, "iga", 2021, None, "en", "table")}"' in html
