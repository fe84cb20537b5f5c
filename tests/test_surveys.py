"""Plan-wide goals G1/G2: agreeing shares, Wilson intervals and the 参考値 flag for small samples."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from briefing import Dataset, Settings, load_dataset, survey_shares, wilson_interval
from briefing.content import context
from briefing.content.filters import Filters
from briefing.render.html import render_view

AGREEING = ("そう思う", "どちらかといえばそう思う")
#: z of a 95% interval
Z95 = 1.959963984540054


def wilson(share: float, n: float) -> tuple[float, float]:
    """The Wilson interval by its textbook formula (the code computes it vectorised)."""
    centre = (share + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(share * (1 - share) / n + Z95**2 / (4 * n**2)) / (1 + Z95**2 / n)
    return centre - half, centre + half


def _independent_shares(surveys: pd.DataFrame, survey: str) -> dict[int, tuple[int, int]]:
    """fy → (agreeing respondents, all respondents), counted row by row."""
    result: dict[int, tuple[int, int]] = {}
    for row in surveys[surveys["survey"] == survey].itertuples():
        agree, total = result.get(int(row.fy), (0, 0))
        if row.answer in AGREEING:
            agree += int(row.respondents)
        result[int(row.fy)] = (agree, total + int(row.respondents))
    return result


# --- Wilson interval ------------------------------------------------------------------------------


def test_wilson_interval_half_of_a_hundred() -> None:
    low, high = wilson_interval(50, 100)
    assert round(float(low), 4) == 0.4038
    assert round(float(high), 4) == 0.5962


def test_wilson_interval_with_no_agreement() -> None:
    low, high = wilson_interval(0, 10)
    assert float(low) == pytest.approx(0.0, abs=1e-12)
    assert round(float(high), 4) == 0.2775


def test_wilson_interval_without_respondents_is_nan() -> None:
    low, high = wilson_interval(0, 0)
    assert math.isnan(float(low)) and math.isnan(float(high))


def test_wilson_interval_is_vectorised_and_symmetric() -> None:
    low, high = wilson_interval(np.array([0, 5, 10]), np.array([10, 10, 10]))
    assert low.shape == high.shape == (3,)
    assert low[1] == pytest.approx(1 - high[1])
    assert low[2] == pytest.approx(1 - high[0])


def test_wilson_interval_narrows_with_more_respondents() -> None:
    low_small, high_small = wilson_interval(10, 20)
    low_big, high_big = wilson_interval(1000, 2000)
    assert high_big - low_big < high_small - low_small


def test_wilson_interval_wider_at_higher_confidence() -> None:
    low95, high95 = wilson_interval(30, 100)
    low99, high99 = wilson_interval(30, 100, confidence=0.99)
    assert low99 < low95 < 0.3 < high95 < high99


def test_wilson_interval_never_leaves_0_to_100_percent() -> None:
    # a share of 0 or 100 % is shown as "0.0%〜…" / "…〜100.0%", never "-0.0%" or "100.00000001"
    n = np.arange(1, 201)
    low0, _ = wilson_interval(np.zeros_like(n), n)
    _, high_all = wilson_interval(n, n)
    assert (low0 >= 0).all(), n[low0 < 0]
    assert (high_all <= 1).all(), n[high_all > 1]
    assert {f"{100 * v:.1f}" for v in low0} == {"0.0"}


# --- shares over any filter -----------------------------------------------------------------------


def test_g1_share_per_year(bundled_dataset: Dataset) -> None:
    surveys = bundled_dataset.surveys
    table = survey_shares(surveys, "G1")
    expected = _independent_shares(surveys, "G1")
    assert sorted(table["fy"]) == sorted(expected) == [2021, 2022, 2023, 2024, 2025]
    for row in table.itertuples():
        agree, total = expected[int(row.fy)]
        assert row.n == total
        assert abs(row.n - 5000) < 400  # about 5,000 residents a year
        assert row.agree == agree
        assert row.share == pytest.approx(agree / total * 100)
        low, high = wilson_interval(agree, total)
        assert row.low == pytest.approx(100 * float(low))
        assert row.high == pytest.approx(100 * float(high))
        assert row.low < row.share < row.high
        assert not row.reference
        assert row.sample


def test_dont_know_counts_in_the_denominator(bundled_dataset: Dataset) -> None:
    surveys = bundled_dataset.surveys
    g1 = surveys[(surveys["survey"] == "G1") & (surveys["fy"] == 2025)]
    dont_know = int(g1.loc[g1["answer"] == "わからない", "respondents"].sum())
    assert dont_know > 0
    row = survey_shares(surveys, "G1", years=(2025, 2025)).iloc[0]
    assert row["n"] == int(g1["respondents"].sum())


def test_region_and_group_filters_combine(bundled_dataset: Dataset) -> None:
    surveys = bundled_dataset.surveys
    regions, groups = ["iga", "higashikishu"], ["18〜29歳", "70歳以上"]
    table = survey_shares(surveys, "G1", regions=regions, groups=groups)
    chosen = surveys[
        (surveys["survey"] == "G1")
        & surveys["region"].isin(regions)
        & surveys["group"].isin(groups)
    ]
    assert len(table) == 5
    for row in table.itertuples():
        cells = chosen[chosen["fy"] == row.fy]
        assert row.n == cells["respondents"].sum()
        agree = cells.loc[cells["answer"].isin(AGREEING), "respondents"].sum()
        assert row.share == pytest.approx(agree / row.n * 100)
    # each filter on its own keeps more respondents than both together
    only_regions = survey_shares(surveys, "G1", regions=regions)
    only_groups = survey_shares(surveys, "G1", groups=groups)
    assert (only_regions["n"].to_numpy() > table["n"].to_numpy()).all()
    assert (only_groups["n"].to_numpy() > table["n"].to_numpy()).all()


def test_by_region_gives_one_row_per_region_per_year(bundled_dataset: Dataset) -> None:
    surveys = bundled_dataset.surveys
    for survey in ("G1", "G2"):
        table = survey_shares(surveys, survey, by="region")
        assert len(table) == 5 * 5, survey
        assert not table.duplicated(["fy", "region"]).any()
        assert set(table["region"]) == {"hokusei", "chusei", "nansei", "iga", "higashikishu"}
        # the regions add up to the whole prefecture
        whole = survey_shares(surveys, survey).set_index("fy")["n"]
        assert table.groupby("fy")["n"].sum().to_dict() == whole.to_dict()


def test_years_filter(bundled_dataset: Dataset) -> None:
    table = survey_shares(bundled_dataset.surveys, "G2", years=(2023, 2024))
    assert table["fy"].tolist() == [2023, 2024]


def test_small_samples_are_reference_values(bundled_dataset: Dataset) -> None:
    # residents by region and age band: from a few dozen in 東紀州 to hundreds in 北勢
    table = survey_shares(bundled_dataset.surveys, "G1", by=["region", "group"])
    assert (table["n"] < 30).any() and (table["n"] >= 30).any()
    assert (table["reference"] == (table["n"] < 30)).all()
    # reference values are flagged, not dropped: they still carry n and an interval
    small = table[table["reference"]]
    assert small["low"].notna().all() and small["high"].notna().all()


def test_small_sample_threshold_is_configurable(bundled_dataset: Dataset) -> None:
    surveys = bundled_dataset.surveys
    default = survey_shares(surveys, "G2", by="region")
    relaxed = survey_shares(surveys, "G2", by="region", small_n=10)
    assert (relaxed["reference"] == (relaxed["n"] < 10)).all()
    assert relaxed["reference"].sum() < default["reference"].sum()
    strict = survey_shares(surveys, "G1", small_n=10_000)
    assert strict["reference"].all()


def test_survey_shares_does_not_change_its_input(bundled_dataset: Dataset) -> None:
    before = bundled_dataset.surveys.copy()
    survey_shares(bundled_dataset.surveys, "G1", by="group", regions=["iga"])
    pd.testing.assert_frame_equal(bundled_dataset.surveys, before)


def _agency_answers(n_by_group: dict[str, int]) -> pd.DataFrame:
    """G2 rows for one region and year: each agency type with ``n`` respondents, half agreeing."""
    rows = []
    for group, n in n_by_group.items():
        agree = n // 2
        for answer, count in (("そう思う", agree), ("そう思わない", n - agree)):
            rows.append(
                {
                    "survey": "G2",
                    "fy": 2025,
                    "region": "higashikishu",
                    "group": group,
                    "answer": answer,
                    "respondents": count,
                    "sample": True,
                }
            )
    return pd.DataFrame(rows)


def test_groups_under_the_suppression_threshold_show_no_share() -> None:
    """One to four agencies of a kind in a region: their answers would be readable, so no share;
    five and more get one (the boundary on both sides)."""
    sizes = {"医療機関": 1, "NPO・民間支援団体": 3, "地域包括支援センター": 4}
    sizes |= {"市町（福祉・保健）": 5, "教育・就労支援機関": 12}
    shares = survey_shares(_agency_answers(sizes), "G2", by="group", hide_below=5)
    small, big = shares[shares["n"] < 5], shares[shares["n"] >= 5]
    assert sorted(small["n"]) == [1, 3, 4] and sorted(big["n"]) == [5, 12]
    assert small["hidden"].all()
    assert small[["agree", "share", "low", "high"]].isna().all().all()
    assert not big["hidden"].any() and big["share"].notna().all()


@pytest.mark.slow
def test_the_survey_page_hides_a_group_of_four_and_shows_a_group_of_five(
    data_copy: Path, edit_csv: Callable[..., str], find_row: Callable[..., int]
) -> None:
    """What a member reads in 東紀州's G2 table by agency type: 4 answers are not a share."""
    surveys = data_copy / "surveys.csv"
    for group in ("地域包括支援センター", "医療機関"):  # 1 and 2 respondents → 4 and 5
        where = {"survey": "G2", "fy": "2025", "region": "higashikishu", "group": group}
        edit_csv(surveys, find_row(surveys, **where, answer="そう思う"), "respondents", "3")
    ctx = context(load_dataset(data_copy), Settings(data_dir=data_copy, cache_dir=None))
    page = render_view(ctx, Filters(area="higashikishu"), "survey", mode="table")
    rows = {
        re.sub(r"<[^>]+>", "", cells[0]): re.sub(r"<[^>]+>", "", cells[1])
        for cells in re.findall(r"<tr><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td></tr>", page)
    }
    assert rows["地域包括支援センター"] == "非表示（回答者 4 人のため）"
    assert "n=5）" in rows["医療機関"] and "%" in rows["医療機関"]


def test_groups_keep_the_data_order_and_rows_in_any_order_give_the_same_shares(
    bundled_dataset: Dataset,
) -> None:
    """Tables list 北勢 … 東紀州 and 18〜29歳 … 70歳以上 as the survey does, and the latest year
    comes last even when a file lists its rows in another order."""
    surveys = bundled_dataset.surveys
    by_region = survey_shares(surveys, "G1", by="region")
    assert list(dict.fromkeys(by_region["region"])) == list(dict.fromkeys(surveys["region"]))
    by_age = survey_shares(surveys[surveys["survey"] == "G1"], "G1", by="group")
    assert list(dict.fromkeys(by_age["group"])) == list(
        dict.fromkeys(surveys.loc[surveys["survey"] == "G1", "group"])
    )
    shuffled = surveys.sample(frac=1, random_state=7).reset_index(drop=True)
    pd.testing.assert_frame_equal(survey_shares(shuffled, "G1"), survey_shares(surveys, "G1"))
    assert survey_shares(shuffled, "G1")["fy"].is_monotonic_increasing


def test_the_confidence_level_reaches_the_interval(bundled_dataset: Dataset) -> None:
    """A 90% interval (a setting) is narrower than the 95% one, around the same share."""
    at_95 = survey_shares(bundled_dataset.surveys, "G1")
    at_90 = survey_shares(bundled_dataset.surveys, "G1", confidence=0.90)
    assert (at_90["share"] == at_95["share"]).all()
    assert ((at_90["high"] - at_90["low"]) < (at_95["high"] - at_95["low"])).all()


def test_weighted_share_and_interval_from_weight_sums() -> None:
    """Two groups of a weighted year: shares, effective n and intervals add up from Σw and Σw²."""
    rows = []
    # north: agree weights 2 and 1, the rest 1, 1 and 3; south: one of weight 1 agreeing of two
    sums = {
        ("hokusei", "そう思う"): (2, 3.0, 5.0),
        ("hokusei", "そう思わない"): (2, 2.0, 2.0),
        ("hokusei", "わからない"): (1, 3.0, 9.0),
        ("nansei", "そう思う"): (1, 1.0, 1.0),
        ("nansei", "わからない"): (1, 1.0, 1.0),
    }
    for (region, answer), (n, w, w2) in sums.items():
        rows.append(
            {"survey": "G1", "fy": 2026, "region": region, "group": "30〜39歳", "answer": answer,
             "respondents": n, "sample": False, "weighted": w, "weighted_sq": w2}
        )  # fmt: skip
    table = survey_shares(pd.DataFrame(rows), "G1", by="region").set_index("region")
    north = table.loc["hokusei"]
    assert north["n"] == 5 and north["weighted"]
    assert north["share"] == pytest.approx(100 * 3 / 8)
    assert north["n_eff"] == pytest.approx(8**2 / 16)
    low, high = wilson(3 / 8, 4.0)
    assert (north["low"], north["high"]) == pytest.approx((100 * low, 100 * high))
    whole = survey_shares(pd.DataFrame(rows), "G1").iloc[0]
    assert whole["share"] == pytest.approx(100 * 4 / 10)
    assert whole["n_eff"] == pytest.approx(10**2 / 18)
    assert whole["reference"]  # an effective n under 30 is indicative
