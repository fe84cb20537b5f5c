"""The sample-data generator: reproducible, honest about what is sample, and plausible in shape."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from briefing import PREFECTURE, Dataset, load_dataset
from briefing.data.sample import generate

DATA_FILES = (
    "directions.csv",
    "catalog.csv",
    "series.csv",
    "areas.csv",
    "history.csv",
    "surveys.csv",
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory generated with the defaults (as the bundled one was)."""
    directory = tmp_path_factory.mktemp("generated")
    generate(directory)
    return directory


@pytest.fixture(scope="module")
def tripled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("scale3")
    generate(directory, scale=3)
    return directory


def test_same_seed_gives_identical_files(generated: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again, seed=2022)
    for name in ("history.csv", "surveys.csv"):
        assert (again / name).read_bytes() == (generated / name).read_bytes(), name


def test_different_seed_gives_different_values(generated: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    generate(other, seed=7)
    assert (other / "history.csv").read_bytes() != (generated / "history.csv").read_bytes()
    assert (other / "surveys.csv").read_bytes() != (generated / "surveys.csv").read_bytes()
    # the plan's baselines do not depend on the seed
    ds_other, ds_default = load_dataset(other), load_dataset(generated)
    real = ds_default.history[~ds_default.history["sample"]]
    real_other = ds_other.history[~ds_other.history["sample"]]
    pd.testing.assert_frame_equal(
        real[["series", "fy", "area", "value"]].reset_index(drop=True),
        real_other[["series", "fy", "area", "value"]].reset_index(drop=True),
    )


def test_bundled_data_is_reproducible(generated: Path, data_dir: Path) -> None:
    # regenerate with `briefing sample -o data` after changing the generator
    different = [
        name
        for name in DATA_FILES
        if (generated / name).read_bytes() != (data_dir / name).read_bytes()
    ]
    assert not different


def test_baselines_are_the_plans_and_not_sample(bundled_dataset: Dataset) -> None:
    ds = bundled_dataset
    history = ds.history
    with_baseline = ds.series[ds.series["baseline_value"].notna()]
    assert len(with_baseline) == 14
    real_keys = set()
    for name, row in with_baseline.iterrows():
        rows = history[
            (history["series"] == name)
            & (history["fy"] == row["baseline_fy"])
            & (history["area"] == PREFECTURE)
        ]
        assert len(rows) == 1, name
        assert rows["value"].iloc[0] == pytest.approx(row["baseline_value"]), name
        assert not rows["sample"].iloc[0], name
        real_keys.add((name, int(row["baseline_fy"]), PREFECTURE))
    not_sample = history[~history["sample"]]
    assert (
        set(zip(not_sample["series"], not_sample["fy"], not_sample["area"], strict=True))
        == real_keys
    )


def test_sample_rows_say_so_in_their_source(bundled_dataset: Dataset) -> None:
    history = bundled_dataset.history
    assert history.loc[history["sample"], "source"].str.contains("サンプル").all()
    assert not history.loc[~history["sample"], "source"].str.contains("サンプル").any()
    assert bundled_dataset.surveys["sample"].all()


def test_scale_multiplies_the_years_and_still_loads(
    bundled_dataset: Dataset, tripled: Path
) -> None:
    ds = load_dataset(tripled)
    assert ds.history["fy"].nunique() == 3 * bundled_dataset.history["fy"].nunique()
    assert ds.surveys["fy"].nunique() == 3 * bundled_dataset.surveys["fy"].nunique()
    assert ds.history["fy"].max() == bundled_dataset.history["fy"].max()
    assert len(ds.history) > 2 * len(bundled_dataset.history)


def _decreases(ds: Dataset) -> list[tuple[str, str, int]]:
    """(series, municipality, fy) where a stock is lower than the year before."""
    history = ds.history
    stocks = history[(history["kind"] == "stock") & (history["area"] != PREFECTURE)]
    found = []
    for (series, area), rows in stocks.groupby(["series", "area"]):
        values = rows.sort_values("fy")
        drops = values["value"].diff() < 0
        found += [(str(series), str(area), int(fy)) for fy in values.loc[drops, "fy"]]
    return found


def test_municipal_stocks_never_decrease(bundled_dataset: Dataset) -> None:
    assert not _decreases(bundled_dataset)


def test_municipal_stocks_never_decrease_at_scale(tripled: Path) -> None:
    assert not _decreases(load_dataset(tripled))


def test_stock_totals_are_the_sum_of_municipalities(bundled_dataset: Dataset) -> None:
    history = bundled_dataset.history
    stocks = history[history["kind"] == "stock"]
    towns = stocks[stocks["area"] != PREFECTURE].groupby(["series", "fy"])["value"].sum()
    totals = stocks[stocks["area"] == PREFECTURE].set_index(["series", "fy"])["value"]
    pd.testing.assert_series_equal(towns.sort_index(), totals.sort_index(), check_names=False)


def test_windows_reach_every_municipality(bundled_dataset: Dataset) -> None:
    history = bundled_dataset.history
    windows = history[(history["series"] == "2-1a") & (history["area"] == PREFECTURE)]
    by_year = windows.set_index("fy")["value"]
    assert by_year[2021] == 20  # the plan's baseline
    assert by_year[2025] == 29  # all 29 municipalities
    assert by_year.is_monotonic_increasing
    towns = history[(history["series"] == "2-1a") & (history["area"] != PREFECTURE)]
    assert set(towns["value"]) <= {0, 1}  # a municipality has a window or not


def test_milestone_is_0_or_1_and_never_undone(bundled_dataset: Dataset) -> None:
    history = bundled_dataset.history
    scheme = history[history["series"] == "6-2"].sort_values("fy")["value"]
    assert set(scheme) <= {0, 1}
    assert scheme.is_monotonic_increasing
