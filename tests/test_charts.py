"""Charts keep every word on the page: margins are measured from the labels (no layout pass),
so long area and survey labels, long units, large numbers and notes must still fit."""

from __future__ import annotations

import pandas as pd
import pytest

from briefing.charts import figures as charts

LONG_UNIT = "市町プラットフォーム"


def _inside(inner: object, outer: object, slack: float = 1.0) -> bool:
    return (
        inner.x0 >= outer.x0 - slack  # type: ignore[attr-defined]
        and inner.y0 >= outer.y0 - slack  # type: ignore[attr-defined]
        and inner.x1 <= outer.x1 + slack  # type: ignore[attr-defined]
        and inner.y1 <= outer.y1 + slack  # type: ignore[attr-defined]
    )


def _assert_fits(fig: object) -> None:
    """Everything drawn lies inside the figure, the plot keeps a useful size, and what is
    written on the plot (value labels, annotations) stays on it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)  # type: ignore[arg-type]
    canvas.draw()
    renderer = canvas.get_renderer()
    page = fig.bbox  # type: ignore[attr-defined]
    drawn = fig.get_tightbbox(renderer).transformed(fig.dpi_scale_trans)  # type: ignore[attr-defined]
    assert _inside(drawn, page), f"something is cut off: {drawn} reaches outside {page}"
    [ax] = fig.axes  # type: ignore[attr-defined]
    plot = ax.get_window_extent(renderer)
    assert plot.width >= 0.35 * page.width and plot.height >= 0.3 * page.height
    for text in ax.texts:
        assert _inside(text.get_window_extent(renderer), plot), text.get_text()
    for label in ax.get_xticklabels() + ax.get_yticklabels():
        assert "e+" not in label.get_text() and "1e" not in label.get_text()
    assert not ax.yaxis.get_offset_text().get_text()


def _trend(values: list[float], *, label: str = "相談件数", start: int = 2019) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "fy": range(start, start + len(values)),
            "value": values,
            "label": label,
            "provisional": [False] * (len(values) - 1) + [True],
        }
    )


@pytest.mark.parametrize(
    "values",
    [[3, 5, 8], [12_000, 150_000, 1_234_567], [0.5, 0.25, 0.75]],
    ids=["small", "millions", "fractions"],
)
def test_trend_labels_numbers_and_note_fit(values: list[float]) -> None:
    both = pd.concat(
        [_trend(values), _trend([v / 2 for v in values], label="市町プラットフォーム")]
    )
    baseline = pd.DataFrame({"label": ["相談件数"], "fy": [2019], "value": [values[0]]})
    note = "東紀州の令和5年度は5未満のため線から除いています（秘匿）"
    fig = charts.trend_figure(both, unit=LONG_UNIT, baseline=baseline, note=note)
    _assert_fits(fig)
    assert any(t.get_text() == note for t in fig.texts)


def test_a_long_history_fits() -> None:
    fig = charts.trend_figure(_trend(list(range(1, 71)), start=1956), unit="人")
    _assert_fits(fig)
    assert len(fig.axes[0].get_xticks()) <= 11


def test_bar_value_labels_stay_inside_however_long_the_unit() -> None:
    table = pd.DataFrame(
        {
            "label": ["北勢", "中勢", "南勢", "伊賀", "東紀州"],
            "value": [12_345.0, 50.0, 12_000.0, None, 3.0],
            "suppressed": [False, False, False, False, True],
            "shown": [f"12,345{LONG_UNIT}", f"50{LONG_UNIT}", f"12,000{LONG_UNIT}", "－", "5未満"],
        }
    )
    fig = charts.bar_figure(table, unit=LONG_UNIT, title="地域別（令和7年度）", highlight="中勢")
    _assert_fits(fig)
    assert [t.get_text() for t in fig.axes[0].texts][-1] == "5未満"


def test_long_survey_labels_fit() -> None:
    shares = pd.DataFrame(
        {
            "label": ["障害福祉サービス事業所・障害者相談支援事業所", "市町"],
            "share": [52.0, 48.0],
            "low": [33.0, 31.0],
            "high": [70.0, 65.0],
            "n": [23, 1_234],
            "reference": [True, False],
        }
    )
    _assert_fits(charts.share_figure(shares, title="相談支援機関の種類別"))


@pytest.mark.parametrize("target", [40.0, 95.0])
def test_a_goal_target_label_stays_inside_the_plot(target: float) -> None:
    shares = pd.DataFrame(
        {"fy": [2021, 2022, 2023], "share": [33.0, 35.0, 38.0], "low": [30.0, 32.0, 35.0]}
    ).assign(high=lambda d: d["share"] + 3)
    fig = charts.goal_figure(shares, target=target, target_fy=2026)
    _assert_fits(fig)
    assert fig.axes[0].texts[0].get_text() == f"目標 {target:.0f}%"
