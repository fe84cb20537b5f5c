"""Indicator statistics as the committee sees them: area values, latest value, changes, suppression.

Expected numbers are recomputed here from the raw history and areas tables, independently of the
code under test.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from briefing import (
    PREFECTURE,
    Dataset,
    area_history,
    has_breakdown,
    load_dataset,
    summarise,
)
from briefing.stats.suppression import (
    COMPLEMENT,
    SMALL,
    Suppression,
    suppression,
)

REGIONS = ["hokusei", "chusei", "nansei", "iga", "higashikishu"]


@pytest.fixture(scope="module")
def bundled_withheld(bundled_dataset: Dataset) -> Suppression:
    """What ``summarise`` chooses by itself for the bundled data (threshold 5), chosen once so
    that tests looping over towns do not choose it again for each."""
    return suppression(bundled_dataset, 5)


@pytest.fixture(scope="module")
def iga_only(bundled_dataset: Dataset) -> Dataset:
    """The bundled data with 伊賀 as the whole prefecture: a card's values are chosen in a
    moment, so tests of what a card says do not choose the 35 areas' withheld cells."""
    from tables import few_regions

    return few_regions(bundled_dataset)


def _towns(ds: Dataset, region: str) -> list[str]:
    areas = ds.areas
    return list(areas.loc[(areas["level"] == "municipality") & (areas["region"] == region), "code"])


def _municipalities(ds: Dataset) -> list[str]:
    return list(ds.areas.loc[ds.areas["level"] == "municipality", "code"])


def _regional_summable(ds: Dataset) -> list[str]:
    series = ds.series
    chosen = series[
        (series["breakdown"] == "municipality") & series["kind"].isin(["count", "stock"])
    ]
    return list(chosen.index)


def _raw(ds: Dataset, series: str, area: str) -> dict[int, float]:
    rows = ds.history[(ds.history["series"] == series) & (ds.history["area"] == area)]
    return dict(zip(rows["fy"].astype(int), rows["value"].astype(float), strict=True))


def _row(table: pd.DataFrame, series: str) -> pd.Series:
    rows = table[table["series"] == series]
    assert len(rows) == 1
    return rows.iloc[0]


# --- values for an area ---------------------------------------------------------------------------


def test_the_bundled_data_has_regional_summable_series(bundled_dataset: Dataset) -> None:
    assert set(_regional_summable(bundled_dataset)) == {"2-1a", "2-1b", "2-2", "5-1", "5-2", "6-1"}


@pytest.mark.parametrize("region", REGIONS)
def test_region_is_the_sum_of_its_municipalities(bundled_dataset: Dataset, region: str) -> None:
    ds = bundled_dataset
    towns = _towns(ds, region)
    assert towns
    history = ds.history
    expected = (
        history[history["area"].isin(towns)].groupby(["series", "fy"])["value"].sum().to_dict()
    )
    result = area_history(ds, region)
    got = {(r.series, int(r.fy)): float(r.value) for r in result.itertuples()}
    assert got == pytest.approx(expected)
    assert {s for s, _ in got} == set(_regional_summable(ds))


def test_region_membership_comes_from_the_areas_table(bundled_dataset: Dataset) -> None:
    ds = bundled_dataset
    assert sum(len(_towns(ds, r)) for r in REGIONS) == 29
    assert "244716" in _towns(ds, "nansei")  # 大紀町, as the bundled mapping has it


def test_prefecture_total_is_the_sum_of_all_municipalities(bundled_dataset: Dataset) -> None:
    ds = bundled_dataset
    towns = _municipalities(ds)
    prefecture = area_history(ds, PREFECTURE)
    for series in _regional_summable(ds):
        by_town = ds.history[(ds.history["series"] == series) & ds.history["area"].isin(towns)]
        sums = by_town.groupby("fy")["value"].sum()
        assert len(sums) > 0, series
        totals = prefecture[prefecture["series"] == series].set_index("fy")["value"]
        for fy, total in sums.items():
            assert totals[fy] == total, (series, fy)


def test_prefecture_history_is_the_raw_rows(bundled_dataset: Dataset) -> None:
    ds = bundled_dataset
    prefecture = area_history(ds, PREFECTURE)
    got = prefecture[prefecture["series"] == "3-1"].set_index("fy")["value"].to_dict()
    assert got == _raw(ds, "3-1", PREFECTURE)


@pytest.mark.parametrize("area", ["hokusei", "242012", "245623"])
def test_prefecture_only_series_have_no_regional_rows(bundled_dataset: Dataset, area: str) -> None:
    ds = bundled_dataset
    result = area_history(ds, area)
    prefecture_only = ds.series.index[ds.series["breakdown"] == "none"]
    assert len(prefecture_only) == 13
    assert not result["series"].isin(prefecture_only).any()
    for series in prefecture_only:
        assert has_breakdown(ds, series, area) is False, series


@pytest.mark.parametrize("area", ["chusei", "242047"])
def test_regional_series_have_a_breakdown(bundled_dataset: Dataset, area: str) -> None:
    for series in _regional_summable(bundled_dataset):
        assert has_breakdown(bundled_dataset, series, area) is True


def test_prefecture_always_has_every_series(bundled_dataset: Dataset) -> None:
    for series in bundled_dataset.series.index:
        assert has_breakdown(bundled_dataset, series, PREFECTURE) is True


def test_region_summary_says_unavailable_rather_than_zero(iga_only: Dataset) -> None:
    table = summarise(iga_only, "iga")
    row = _row(table, "3-1")
    assert not row["available"]
    assert pd.isna(row["latest"])
    assert _row(table, "2-2")["available"]
    assert _row(table, "2-2")["latest"] > 0


# --- latest value and changes ---------------------------------------------------------------------


def test_prefecture_summary_for_3_1_matches_the_raw_rows(iga_only: Dataset) -> None:
    ds = iga_only
    raw = _raw(ds, "3-1", PREFECTURE)
    assert raw[2020] == 275  # the plan's baseline
    row = _row(summarise(ds, PREFECTURE), "3-1")

    assert row["latest_fy"] == 2025 == max(raw)
    assert row["latest"] == raw[2025]
    assert row["previous_fy"] == 2024
    assert row["previous"] == raw[2024]
    assert row["baseline_value"] == 275
    assert row["baseline_fy"] == 2020
    assert row["change_baseline"] == raw[2025] - 275
    assert row["change_baseline_pct"] == pytest.approx((raw[2025] - 275) / 275 * 100)
    assert row["change_previous"] == raw[2025] - raw[2024]
    assert row["change_previous_pct"] == pytest.approx((raw[2025] - raw[2024]) / raw[2024] * 100)
    assert row["sample"]
    assert row["status"] == "速報"
    assert not row["latest_suppressed"]


def test_summary_has_one_row_per_series(iga_only: Dataset) -> None:
    table = summarise(iga_only)
    assert sorted(table["series"]) == sorted(iga_only.series.index)


def test_indicators_without_baseline_have_no_change_vs_baseline(iga_only: Dataset) -> None:
    table = summarise(iga_only)
    new = table[table["baseline_value"].isna()]
    assert set(new["series"]) == {"1-1", "1-2", "2-2", "4-1", "6-2"}
    assert new["change_baseline"].isna().all()
    assert new["change_baseline_pct"].isna().all()
    # …but they still move against the previous year
    assert new["change_previous"].notna().all()


def test_until_limits_the_years(iga_only: Dataset) -> None:
    ds = iga_only
    raw = _raw(ds, "3-1", PREFECTURE)
    table = summarise(ds, PREFECTURE, until=2023)
    assert set(table["latest_fy"].dropna()) == {2023}
    row = _row(table, "3-1")
    assert row["latest"] == raw[2023]
    assert row["previous_fy"] == 2022
    assert row["change_baseline"] == raw[2023] - 275


def test_summarise_does_not_change_the_dataset(iga_only: Dataset) -> None:
    before = iga_only.history.copy()
    summarise(iga_only, "242080")
    summarise(iga_only, "iga")
    pd.testing.assert_frame_equal(iga_only.history, before)


# --- small-count suppression ----------------------------------------------------------------------


def _latest_counts(ds: Dataset, series: str, low: float, high: float) -> list[str]:
    """Municipalities whose latest value of ``series`` lies in [low, high]."""
    history = ds.history[(ds.history["series"] == series) & (ds.history["area"] != PREFECTURE)]
    latest = history[history["fy"] == history["fy"].max()]
    chosen = latest[(latest["value"] >= low) & (latest["value"] <= high)]
    return sorted(chosen["area"])


@pytest.mark.slow  # fast on 伊賀 alone: the card tests below, test_withheld_tables.py
def test_small_municipal_count_is_suppressed_with_both_changes(
    bundled_dataset: Dataset, bundled_withheld: Suppression
) -> None:
    ds = bundled_dataset
    towns = _latest_counts(ds, "6-1", 1, 4)
    assert towns, "the bundled data should have a small municipal count"
    for town in towns:
        row = _row(summarise(ds, town, withheld=bundled_withheld), "6-1")
        assert row["latest_suppressed"], town
        assert pd.isna(row["change_baseline"]), town
        assert pd.isna(row["change_baseline_pct"]), town
        assert pd.isna(row["change_previous"]), town
        assert pd.isna(row["change_previous_pct"]), town


@pytest.mark.slow  # fast on 伊賀 alone: the card tests below, test_withheld_tables.py
def test_threshold_changes_what_is_suppressed(bundled_dataset: Dataset) -> None:
    ds = bundled_dataset
    two_to_four = _latest_counts(ds, "6-1", 2, 4)
    ones = _latest_counts(ds, "6-1", 1, 1)
    assert two_to_four and ones
    at_5, at_2 = suppression(ds, 5), suppression(ds, 2)
    for town in two_to_four:
        assert _row(summarise(ds, town, withheld=at_5), "6-1")["latest_suppressed"], town
        # no longer small itself (it may still be withheld to protect a 1 elsewhere)
        assert _row(summarise(ds, town, withheld=at_2), "6-1")["latest_suppressed"] != SMALL, town
    for town in ones:
        assert _row(summarise(ds, town, withheld=at_2), "6-1")["latest_suppressed"] == SMALL, town
    # the threshold given reaches the pattern when none is passed
    assert _row(summarise(ds, ones[0], threshold=2), "6-1")["latest_suppressed"] == SMALL


@pytest.mark.slow  # fast on 伊賀 alone: the card tests below, test_withheld_tables.py
def test_zero_is_not_suppressed(bundled_dataset: Dataset, bundled_withheld: Suppression) -> None:
    ds = bundled_dataset
    zeros = _latest_counts(ds, "6-1", 0, 0)
    assert zeros
    for town in zeros:
        row = _row(summarise(ds, town, withheld=bundled_withheld), "6-1")
        assert not row["latest_suppressed"], town
        assert row["latest"] == 0


@pytest.mark.slow  # fast on 伊賀 alone: the card tests below, test_withheld_tables.py
def test_zero_keeps_its_change_when_the_neighbours_are_visible(
    data_copy: Path, edit_csv: Callable[..., str], find_row: Callable[..., int]
) -> None:
    path = data_copy / "history.csv"
    town = "242098"  # 尾鷲市
    for fy, value in (("2020", "7"), ("2024", "60"), ("2025", "0")):
        edit_csv(path, find_row(path, series="6-1", fy=fy, area=town), "value", value)
        # its neighbours in 東紀州 count none, so nothing small has to be protected by hiding it
        for neighbour in ("242128", "245437", "245615", "245623"):
            edit_csv(path, find_row(path, series="6-1", fy=fy, area=neighbour), "value", "0")
    row = _row(summarise(load_dataset(data_copy), town), "6-1")
    assert not row["latest_suppressed"]
    assert row["change_previous"] == -60
    assert row["baseline_value"] == 7
    assert row["change_baseline"] == -7


@pytest.mark.slow  # fast on 伊賀 alone: the card tests below, test_withheld_tables.py
def test_suppressed_previous_year_hides_the_change_from_it(
    data_copy: Path, edit_csv: Callable[..., str], find_row: Callable[..., int]
) -> None:
    path = data_copy / "history.csv"
    town = "242012"  # 津市
    edit_csv(path, find_row(path, series="6-1", fy="2024", area=town), "value", "3")
    edit_csv(path, find_row(path, series="6-1", fy="2025", area=town), "value", "9")
    row = _row(summarise(load_dataset(data_copy), town), "6-1")
    assert not row["latest_suppressed"]
    assert row["previous_suppressed"]
    assert pd.isna(row["change_previous"])  # 9 − change would reveal the hidden 3


@pytest.mark.slow  # fast on 伊賀 alone: the card tests below, test_withheld_tables.py
def test_small_regional_sum_is_suppressed(bundled_dataset: Dataset) -> None:
    ds = bundled_dataset
    withheld = suppression(ds, 5)
    for region in REGIONS:
        values = area_history(ds, region)
        latest = values[values["series"] == "6-1"].sort_values("fy").iloc[-1]["value"]
        row = _row(summarise(ds, region, withheld=withheld), "6-1")
        assert (row["latest_suppressed"] == SMALL) == (1 <= latest <= 4), region


def test_a_prefecture_only_count_is_never_suppressed(
    data_copy: Path, edit_csv: Callable[..., str], find_row: Callable[..., int]
) -> None:
    path = data_copy / "history.csv"
    edit_csv(path, find_row(path, series="3-1", fy="2025", area=PREFECTURE), "value", "3")
    table = summarise(load_dataset(data_copy), PREFECTURE)
    row = _row(table, "3-1")
    assert row["latest"] == 3
    assert not row["latest_suppressed"]
    assert row["change_baseline"] == 3 - 275
    assert not table["latest_suppressed"].fillna(False).any()


def test_stocks_are_not_suppressed(bundled_dataset: Dataset, bundled_withheld: Suppression) -> None:
    ds = bundled_dataset
    for series in ("5-1", "2-1a"):
        towns = _latest_counts(ds, series, 1, 4)
        assert towns, series
        for town in towns:
            row = _row(summarise(ds, town, withheld=bundled_withheld), series)
            assert not row["latest_suppressed"], (series, town)
            assert not math.isnan(row["change_previous"]), (series, town)


# --- what a region's row says, and changes that need a base -------------------------------------


def test_a_regions_sum_is_as_provisional_sampled_and_recent_as_its_towns(
    bundled_dataset: Dataset,
) -> None:
    """伊賀 = 名張市 + 伊賀市: 速報 if either is, sample if either is, updated when the later was,
    and no comment (a town's comment is not the region's); the source is the first town's."""
    from dataclasses import replace

    from tables import IGA_CITY, NABARI, one_table

    ds = one_table(bundled_dataset, {NABARI: 3, IGA_CITY: 40})
    history = ds.history.copy()
    towns = {NABARI: ("確定", False, "2026-04-01", "名張の報告", "名張の所見")}
    towns |= {IGA_CITY: ("速報", True, "2026-06-30", "伊賀の報告", "伊賀の所見")}
    for town, (status, sample, updated, source, comment) in towns.items():
        at = history["area"] == town
        history.loc[at, ["status", "sample", "source", "comment"]] = [
            status,
            sample,
            source,
            comment,
        ]
        history.loc[at, "updated"] = pd.Timestamp(updated).date()
    got = area_history(replace(ds, history=history), "iga")
    [row] = got.to_dict("records")
    assert (row["value"], row["status"], row["sample"]) == (43, "速報", True)
    assert (str(row["updated"]), row["comment"], row["source"]) == ("2026-06-30", "", "名張の報告")
    history.loc[history["area"] == IGA_CITY, ["status", "sample"]] = ["確定", False]
    [row] = area_history(replace(ds, history=history), "iga").to_dict("records")
    assert (row["status"], row["sample"]) == ("確定", False)
    # the later update is the region's whichever town comes first in the file
    history.loc[history["area"] == NABARI, "updated"] = pd.Timestamp("2026-08-01").date()
    [row] = area_history(replace(ds, history=history), "iga").to_dict("records")
    assert str(row["updated"]) == "2026-08-01"


@pytest.mark.slow  # fast on 伊賀 alone: the card tests below, test_withheld_tables.py
def test_a_change_from_0_has_no_percentage_and_a_fall_is_negative(
    data_copy: Path, edit_csv: Callable[..., str], find_row: Callable[..., int]
) -> None:
    """尾鷲市 0 in the plan's year and 20 last year, 10 now: +10 since then (no per cent of 0),
    −10 (−50.0%) since last year."""
    path = data_copy / "history.csv"
    for fy, value in (("2020", "0"), ("2024", "20"), ("2025", "10")):
        edit_csv(path, find_row(path, series="5-1", fy=fy, area="242098"), "value", value)
    row = _row(summarise(load_dataset(data_copy), "242098"), "5-1")
    assert (row["baseline_value"], row["change_baseline"]) == (0, 10)
    assert math.isnan(row["change_baseline_pct"])
    assert (row["change_previous"], row["change_previous_pct"]) == (-10, -50.0)
    assert (row["latest_fy"], row["previous_fy"], row["baseline_fy"]) == (2025, 2024, 2020)
    assert row["baseline_sample"]  # a town's value in the plan's year is sample data


def test_withheld_values_follow_their_own_years_when_later_years_are_left_out(
    bundled_dataset: Dataset,
) -> None:
    """The dashboard's year range ends at 令和6年度: the card shows that year's value and its
    withholding, not 令和7年度's."""
    from dataclasses import replace

    from tables import IGA_CITY, NABARI, one_table

    years = {2023: {NABARI: 30, IGA_CITY: 40}, 2024: {NABARI: 2, IGA_CITY: 40}}
    years |= {2025: {NABARI: 25, IGA_CITY: 40}}
    ds = bundled_dataset
    tables = [one_table(ds, values, fy=fy).history for fy, values in years.items()]
    rest = ds.history[ds.history["series"] != "6-1"]
    ds = replace(ds, history=pd.concat([rest, *tables], ignore_index=True))
    withheld = suppression(ds, 5)
    assert withheld.reason("6-1", 2024, NABARI) == SMALL
    now = _row(summarise(ds, NABARI, withheld=withheld), "6-1")
    assert (now["latest"], now["latest_suppressed"], now["previous_suppressed"]) == (25, "", SMALL)
    then = _row(summarise(ds, NABARI, withheld=withheld, until=2024), "6-1")
    assert (then["latest"], then["latest_suppressed"], then["previous_suppressed"]) == (
        2,
        SMALL,
        "",
    )
    assert math.isnan(then["change_previous"])
    assert (
        _row(summarise(ds, IGA_CITY, withheld=withheld, until=2024), "6-1")["latest_suppressed"]
        == COMPLEMENT
    )


# --- a card on a prefecture of 伊賀 alone (fast: a few small tables) ---------------------------


def _iga(
    ds: Dataset,
    tables: dict[int, dict[str, float]],
    marks: dict[tuple[str, int], tuple[str, bool, str, str]] | None = None,
) -> Dataset:
    """伊賀 as the prefecture with 6-1 in the years given; ``marks`` set (status, sample,
    comment, source) of a town's row in a year."""
    from dataclasses import replace

    from tables import few_regions, years

    ds = years(few_regions(ds), tables)
    history = ds.history.copy()
    for (area, fy), values in (marks or {}).items():
        at = (history["series"] == "6-1") & (history["area"] == area) & (history["fy"] == fy)
        assert at.sum() == 1
        history.loc[at, ["status", "sample", "comment", "source"]] = list(values)
    return replace(ds, history=history)


def test_a_towns_card_gives_this_year_last_year_the_plan_year_and_the_changes(
    bundled_dataset: Dataset,
) -> None:
    """名張市 50 in the plan's year (令和2年度), 40 last year, 30 now: −20 (−40.0%) since the
    plan, −10 (−25.0%) since last year, with this year's status, sample mark, note and source."""
    from tables import IGA_CITY, NABARI

    ds = _iga(
        bundled_dataset,
        {2020: {NABARI: 50, IGA_CITY: 60}, 2024: {NABARI: 40, IGA_CITY: 60}}
        | {2025: {NABARI: 30, IGA_CITY: 90}},
        {
            (NABARI, 2020): ("確定", True, "", "令和2年度の報告"),
            (NABARI, 2024): ("確定", True, "昨年の所見", "昨年の報告"),
            (NABARI, 2025): ("速報", False, "所見", "報告"),
        },
    )
    row = _row(summarise(ds, NABARI), "6-1")
    assert (row["latest_fy"], row["latest"], row["previous_fy"], row["previous"]) == (
        2025,
        30,
        2024,
        40,
    )
    assert (row["baseline_fy"], row["baseline_value"]) == (2020, 50)
    assert (row["change_baseline"], row["change_baseline_pct"]) == (-20, -40.0)
    assert (row["change_previous"], row["change_previous_pct"]) == (-10, -25.0)
    assert (row["status"], row["sample"], row["comment"], row["source"]) == (
        "速報",
        False,
        "所見",
        "報告",
    )
    assert row["available"]
    assert row["baseline_sample"]  # a town's value in the plan's year is sample data
    withheld = [row[f"{c}_suppressed"] for c in ("latest", "previous", "baseline")]
    assert withheld == ["", "", ""]
    # 伊賀's card: the sums, 110 in the plan's year; the prefecture's: the plan's own 56
    region = _row(summarise(ds, "iga"), "6-1")
    assert (region["latest"], region["baseline_value"], region["change_baseline"]) == (
        120,
        110,
        10,
    )
    assert region["previous"] == 100 and region["change_previous_pct"] == 20.0
    prefecture = _row(summarise(ds, PREFECTURE), "6-1")
    assert (prefecture["baseline_value"], prefecture["change_baseline"]) == (56, 120 - 56)
    assert not prefecture["baseline_sample"]  # the plan's figure, not sample data


def test_a_withheld_plan_year_value_has_no_change_from_it_and_last_years_change_stays(
    bundled_dataset: Dataset,
) -> None:
    """名張市 3 in the plan's year: 「5未満」, and 伊賀市's 60 withheld with it (伊賀 is 63).
    Neither card shows a change from that year (30 − change would give 3); both show −10 / +30
    since last year."""
    from tables import IGA_CITY, NABARI

    ds = _iga(
        bundled_dataset,
        {2020: {NABARI: 3, IGA_CITY: 60}, 2024: {NABARI: 40, IGA_CITY: 60}}
        | {2025: {NABARI: 30, IGA_CITY: 90}},
    )
    nabari, iga_city = (_row(summarise(ds, town), "6-1") for town in (NABARI, IGA_CITY))
    assert (nabari["baseline_suppressed"], iga_city["baseline_suppressed"]) == (SMALL, COMPLEMENT)
    for row in (nabari, iga_city):
        assert math.isnan(row["change_baseline"]) and math.isnan(row["change_baseline_pct"])
        assert not row["latest_suppressed"] and not row["previous_suppressed"]
    assert (nabari["change_previous"], iga_city["change_previous"]) == (-10, 30)
    assert iga_city["change_previous_pct"] == 50.0
    region = _row(summarise(ds, "iga"), "6-1")
    assert (region["baseline_suppressed"], region["change_baseline"]) == ("", 120 - 63)


def test_a_withheld_last_year_has_no_change_from_it_and_the_plans_change_stays(
    bundled_dataset: Dataset,
) -> None:
    from tables import IGA_CITY, NABARI

    ds = _iga(
        bundled_dataset,
        {2020: {NABARI: 50, IGA_CITY: 60}, 2024: {NABARI: 2, IGA_CITY: 60}}
        | {2025: {NABARI: 30, IGA_CITY: 90}},
    )
    for town, why in ((NABARI, SMALL), (IGA_CITY, COMPLEMENT)):
        row = _row(summarise(ds, town), "6-1")
        assert (row["previous_suppressed"], row["latest_suppressed"]) == (why, ""), town
        assert math.isnan(row["change_previous"]) and math.isnan(row["change_previous_pct"])
        assert not math.isnan(row["change_baseline"]), town


def test_a_withheld_value_this_year_has_no_change_at_all(bundled_dataset: Dataset) -> None:
    """名張市 4 now (伊賀市 withheld with it): neither card says how far either moved."""
    from tables import IGA_CITY, NABARI

    ds = _iga(
        bundled_dataset,
        {2020: {NABARI: 50, IGA_CITY: 60}, 2024: {NABARI: 40, IGA_CITY: 60}}
        | {2025: {NABARI: 4, IGA_CITY: 90}},
    )
    for town, why in ((NABARI, SMALL), (IGA_CITY, COMPLEMENT)):
        row = _row(summarise(ds, town), "6-1")
        assert (row["latest_suppressed"], row["previous_suppressed"]) == (why, ""), town
        for change in ("change_baseline", "change_baseline_pct", "change_previous"):
            assert math.isnan(row[change]), (town, change)
        assert math.isnan(row["change_previous_pct"])
    # the threshold given decides: at 3, a 4 is shown with its changes
    row = _row(summarise(ds, NABARI, threshold=3), "6-1")
    assert (row["latest_suppressed"], row["change_previous"]) == ("", -36)


def test_a_card_ending_at_an_earlier_year_reads_that_year(bundled_dataset: Dataset) -> None:
    """The dashboard's range ends at 令和6年度: 40 is the latest, 令和5年度's 45 the previous."""
    from tables import IGA_CITY, NABARI

    ds = _iga(
        bundled_dataset,
        {2020: {NABARI: 50, IGA_CITY: 60}, 2023: {NABARI: 45, IGA_CITY: 60}}
        | {2024: {NABARI: 40, IGA_CITY: 60}, 2025: {NABARI: 30, IGA_CITY: 90}},
    )
    row = _row(summarise(ds, NABARI, until=2024), "6-1")
    assert (row["latest_fy"], row["latest"], row["previous_fy"], row["previous"]) == (
        2024,
        40,
        2023,
        45,
    )
    assert row["change_baseline"] == -10
    assert _row(summarise(ds, NABARI, until=2025), "6-1")["latest"] == 30


def test_a_rise_from_0_in_the_plan_year_has_no_percentage(bundled_dataset: Dataset) -> None:
    """名張市 0 in the plan's year, 30 now: +30, and no per cent of 0."""
    from tables import IGA_CITY, NABARI

    ds = _iga(bundled_dataset, {2020: {NABARI: 0, IGA_CITY: 60}, 2025: {NABARI: 30, IGA_CITY: 90}})
    row = _row(summarise(ds, NABARI), "6-1")
    assert (row["baseline_value"], row["change_baseline"]) == (0, 30)
    assert math.isnan(row["change_baseline_pct"])
    # no value between: the plan's year is also the year before, with no percentage either
    assert (row["previous_fy"], row["previous"], row["change_previous"]) == (2020, 0, 30)
    assert math.isnan(row["change_previous_pct"])


def test_a_first_year_of_5_is_shown_with_nothing_said_withheld_about_years_without_a_value(
    bundled_dataset: Dataset,
) -> None:
    """名張市's first value is 令和7年度's 5 (not small at the default threshold): no year before
    and none in the plan's year, so no change, and nothing reads as withheld; 3-1 (prefecture
    only) says no breakdown, not withheld."""
    from tables import IGA_CITY, NABARI

    ds = _iga(bundled_dataset, {2025: {NABARI: 5, IGA_CITY: 90}})
    table = summarise(ds, NABARI)
    row = _row(table, "6-1")
    assert row["latest"] == 5
    assert math.isnan(row["previous"]) and math.isnan(row["baseline_value"])
    assert math.isnan(row["change_previous"]) and math.isnan(row["change_baseline"])
    withheld = [row[f"{c}_suppressed"] for c in ("latest", "previous", "baseline")]
    assert withheld == ["", "", ""]
    assert not row["baseline_sample"]  # no value in the plan's year: nothing marked sample
    none = _row(table, "3-1")
    assert not none["available"] and math.isnan(none["latest"])
    assert [none[f"{c}_suppressed"] for c in ("latest", "previous", "baseline")] == ["", "", ""]


def test_a_share_by_town_is_shown_for_a_town_and_not_summed_for_its_region(
    iga_only: Dataset,
) -> None:
    """A series given per town as a share: each town's card has it, 伊賀's says no breakdown
    (shares do not add up)."""
    from dataclasses import replace

    from tables import NABARI

    series = iga_only.series.copy()
    series.loc["5-1", "kind"] = "share"
    ds = replace(iga_only, series=series)
    assert has_breakdown(ds, "5-1", NABARI) and not has_breakdown(ds, "5-1", "iga")
    assert _row(summarise(ds, NABARI), "5-1")["available"]
    assert not _row(summarise(ds, "iga"), "5-1")["available"]


def test_a_rise_from_1_has_its_percentage(bundled_dataset: Dataset) -> None:
    """Consultation places (5-1, never withheld): 名張市 1 last year, 3 now: +2 (+200.0%)."""
    from tables import IGA_CITY, NABARI, few_regions, years

    ds = few_regions(bundled_dataset)
    ds = years(ds, {2024: {NABARI: 1, IGA_CITY: 4}, 2025: {NABARI: 3, IGA_CITY: 4}}, series="5-1")
    row = _row(summarise(ds, NABARI), "5-1")
    assert (row["previous"], row["change_previous"], row["change_previous_pct"]) == (1, 2, 200.0)


def test_a_share_by_town_with_a_town_missing_shows_the_prefectures_figure_as_entered(
    iga_only: Dataset,
) -> None:
    """Shares are not sums: 伊賀市 not reported leaves the prefecture's share a number, not
    「一部の市町のみ」 (that is for counts, whose total is the towns' sum)."""
    from dataclasses import replace

    from tables import IGA_CITY

    series = iga_only.series.copy()
    series.loc["5-1", "kind"] = "share"
    history = iga_only.history.copy()
    history.loc[history["series"] == "5-1", "kind"] = "share"
    gone = (history["series"] == "5-1") & (history["fy"] == 2025) & (history["area"] == IGA_CITY)
    assert gone.sum() == 1
    ds = replace(iga_only, series=series, history=history[~gone])
    assert suppression(ds, 5).reason("5-1", 2025, PREFECTURE) == ""
    assert not _row(summarise(ds, PREFECTURE), "5-1")["latest_suppressed"]
