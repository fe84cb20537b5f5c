"""The plan's period (令和4〜6年度) as data: cards, tables, charts and the end-of-plan summary,
and every value's provenance (sample or real, 確定 or 速報) wherever it is shown."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from briefing import PREFECTURE, DataError, Settings, load_dataset
from briefing.content import (
    comparisons,
    context,
    goal_cards,
    indicator_cards,
    survey_panels,
)
from briefing.content.filters import Filters
from briefing.render.export import render_briefing
from briefing.render.html import render_view
from briefing.stats.surveys import difference_interval, wilson_interval

SETTINGS = Settings(cache_dir=None)


def _value(ds, series: str, fy: int, area: str = PREFECTURE) -> float:  # type: ignore[no-untyped-def]
    rows = ds.history
    hit = rows[(rows["series"] == series) & (rows["fy"] == fy) & (rows["area"] == area)]
    return float(hit["value"].iloc[0])


def test_the_plan_period_comes_from_the_data(bundled_dataset) -> None:  # type: ignore[no-untyped-def]
    assert bundled_dataset.plan_period == (2022, 2024)


@pytest.mark.slow
def test_a_card_shows_the_plan_end_beside_the_latest_and_marks_later_years(
    bundled_dataset,  # type: ignore[no-untyped-def]
) -> None:
    ds = bundled_dataset
    ctx = context(ds, SETTINGS)
    card = next(c for c in indicator_cards(ctx, Filters(direction=3))[3] if c.id == "3-1")
    line = card.lines[0]
    end, base = _value(ds, "3-1", 2024), 275.0
    change = end - base
    assert (
        line.plan_end
        == f"{end:,.0f}件（令和6年度、基準値から {change:+,.0f}（{100 * change / base:+.1f}%））"
    )
    assert line.latest_fy == "令和7年度" and line.after_plan
    html = render_view(ctx, Filters(view="direction", direction=3), "direction", mode="table")
    assert "計画最終年度" in html and "計画期間後" in html
    assert "令和7年度（計画期間後）" in html and "令和6年度（計画期間後）" not in html
    assert "計画期間は令和4年度〜令和6年度です" in html


@pytest.mark.slow
def test_a_successor_plan_is_set_in_the_data(data_copy: Path, edit_csv: Callable[..., str]) -> None:
    edit_csv(data_copy / "plan.csv", 2, "fy_to", "2025")
    ds = load_dataset(data_copy)
    ctx = context(ds, SETTINGS)
    line = next(c for c in indicator_cards(ctx, Filters(direction=3))[3] if c.id == "3-1").lines[0]
    assert not line.after_plan and line.plan_end.startswith("402件（令和7年度")


def test_a_plan_that_ends_before_it_starts_is_refused_in_japanese(
    data_copy: Path, edit_csv: Callable[..., str]
) -> None:
    edit_csv(data_copy / "plan.csv", 2, "fy_to", "2020")
    with pytest.raises(DataError) as caught:
        load_dataset(data_copy)
    assert (
        "plan.csv" in caught.value.report()
        and "計画期間の終わりが始まりより前" in caught.value.report()
    )


@pytest.mark.slow
def test_the_briefing_has_an_end_of_plan_summary(bundled_dataset) -> None:  # type: ignore[no-untyped-def]
    ds = bundled_dataset
    html = render_briefing(ds, Filters(), settings=SETTINGS)
    section = html.split('id="plan"')[1].split("</section>")[0]
    assert "計画期間のまとめ（令和4年度〜令和6年度）" in section
    assert "計画最終年度（令和6年度）" in section
    rows = re.findall(r"<tr><td>(\d-\d) ", section)
    assert len(rows) >= 16 and {"1-1", "6-1"} <= set(rows)
    assert f"{_value(ds, '5-4', 2024):,.0f}件" in section


@pytest.mark.slow
def test_a_goal_change_carries_the_interval_of_the_difference(bundled_dataset) -> None:  # type: ignore[no-untyped-def]
    ctx = context(bundled_dataset, SETTINGS)
    cards = goal_cards(ctx, Filters(area="higashikishu"))
    g1 = next(c for c in cards if c.id == "G1")
    assert "差の95%信頼区間" in g1.change
    # 東紀州's G1 sample of ~200 a year moves less than its sampling error
    assert "標本誤差の範囲内" in g1.change
    whole = next(c for c in goal_cards(ctx, Filters()) if c.id == "G1")
    assert "差の95%信頼区間" in whole.change and "標本誤差の範囲内" not in whole.change


def test_the_difference_interval_matches_newcombe_by_hand() -> None:
    low1, high1 = wilson_interval(40, 100)
    low2, high2 = wilson_interval(60, 100)
    low, high = difference_interval(
        (40.0, 100 * float(low1), 100 * float(high1)), (60.0, 100 * float(low2), 100 * float(high2))
    )
    # Newcombe (1998), method 10, 40/100 vs 60/100, from the Wilson limits 0.3094–0.4980 and
    # 0.5020–0.6906: 0.2 − √(0.0980² + 0.0980²) and 0.2 + √(0.0906² + 0.0906²)
    assert round(low / 100, 4) == 0.0614 and round(high / 100, 4) == 0.3281


# ---- provenance -------------------------------------------------------------------------


@pytest.mark.slow
def test_sample_values_are_marked_in_tables_and_real_ones_are_not(bundled_dataset) -> None:  # type: ignore[no-untyped-def]
    ctx = context(bundled_dataset, SETTINGS)
    card = next(
        c for c in indicator_cards(ctx, Filters(direction=3), detail=True)[3] if c.id == "3-1"
    )
    cells = dict(zip(card.table.iloc[:, 0], card.table.iloc[:, 1], strict=True))
    assert cells["令和2年度"] == "275件"  # the plan's baseline: real, unmarked
    assert cells["令和5年度"].endswith("＊")
    assert "＊は架空のサンプル値です" in card.note
    compared, _ = comparisons(ctx, Filters(direction=6))
    assert all(
        str(v).endswith("＊") or "未満" in str(v) or "秘匿" in str(v)
        for v in compared[0].table.iloc[:, 1]
    )
    panel = survey_panels(ctx, Filters())[0]
    assert panel.table.iloc[0, 1].endswith("＊") and "＊は架空のサンプル値です" in panel.note


@pytest.mark.slow
def test_the_goal_cards_sample_badge_follows_the_data(
    data_copy: Path,
) -> None:
    path = data_copy / "surveys.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(",true\n", ",false\n"), encoding="utf-8"
    )
    ds = load_dataset(data_copy)
    ctx = context(ds, SETTINGS)
    assert not any(g.sample for g in goal_cards(ctx, Filters()))
    html = render_view(ctx, Filters(view="overview"), "overview", mode="table")
    goals = html.split('id="goal-G1"')[1].split("</section>")[0]
    assert "サンプル" not in goals
    bundled = context(load_dataset(), SETTINGS)
    assert all(g.sample for g in goal_cards(bundled, Filters()))


def _legend(fig) -> list[str]:  # type: ignore[no-untyped-def]
    legend = fig.axes[0].get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend else []


@pytest.mark.slow
def test_charts_shade_the_plan_and_mark_sample_values_with_a_legend() -> None:
    import pandas as pd
    from matplotlib.patches import Rectangle

    from briefing.charts import figures as charts

    values = pd.DataFrame(
        {
            "fy": [2020, 2021, 2022, 2023, 2024, 2025],
            "value": [10, 12, 14, 13, 15, 16],
            "label": ["a"] * 6,
            "provisional": [False] * 6,
            "sample": [False, False, True, True, True, True],
        }
    )
    fig = charts.trend_figure(values, unit="件", plan=(2022, 2024))
    assert {"計画期間", "架空のサンプル"} <= set(_legend(fig))
    spans = [
        p for p in fig.axes[0].patches if isinstance(p, Rectangle) and p.get_label() == "計画期間"
    ]
    (span,) = spans
    assert span.get_x() == 2021.5 and span.get_x() + span.get_width() == 2024.5
    real = charts.trend_figure(values.assign(sample=False), unit="件", plan=(2022, 2024))
    assert "架空のサンプル" not in _legend(real)

    table = pd.DataFrame(
        {
            "label": ["北勢", "中勢", "南勢"],
            "value": [30.0, 20.0, 3.0],
            "shown": ["30人＊", "20人", "5未満"],
            "suppressed": [False, False, True],
            "sample": [True, False, False],
        }
    )
    bars = charts.bar_figure(table, unit="人")
    hatched = [p for p in bars.axes[0].patches if p.get_hatch() == "///" and p.get_width() > 0]
    assert len(hatched) == 1 and "架空のサンプル" in _legend(bars)

    shares = pd.DataFrame(
        {
            "label": ["NPO", "医療機関"],
            "share": [float("nan"), 57.1],
            "low": [float("nan"), 25.0],
            "high": [float("nan"), 84.2],
            "n": [4, 7],
            "reference": [True, True],
            "sample": [True, True],
        }
    )
    goal = charts.goal_figure(
        pd.DataFrame(
            {
                "fy": [2021, 2025],
                "share": [40.0, 45.0],
                "low": [38.0, 43.0],
                "high": [42.0, 47.0],
                "sample": [False, True],
            }
        )
    )
    assert "架空のサンプル" in _legend(goal)
    fig = charts.share_figure(shares)
    assert "架空のサンプル" in _legend(fig)
    assert "非表示" in [t.get_text() for t in fig.axes[0].texts]
