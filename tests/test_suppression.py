"""Complementary suppression: a withheld small count cannot be worked out from a total.

The sums are rebuilt here from the raw history and areas tables, independently of the code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from briefing import PREFECTURE, Dataset, Settings, load_dataset, suppression
from briefing.content import Builder
from briefing.export import data_csv
from briefing.filters import Filters
from briefing.html import render_view
from briefing.suppression import COMPLEMENT, SMALL


def _sums(ds: Dataset, series: str, fy: int) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Values of towns and regions (regions summed here), and the parts of every region."""
    rows = ds.history[
        (ds.history["series"] == series)
        & (ds.history["fy"] == fy)
        & (ds.history["area"] != PREFECTURE)
    ]
    towns = dict(zip(rows["area"], rows["value"], strict=True))
    parts: dict[str, list[str]] = {}
    for town in towns:
        parts.setdefault(str(ds.areas.at[town, "region"]), []).append(town)
    regions = {r: sum(towns[t] for t in ts) for r, ts in parts.items()}
    return towns | regions, parts


@pytest.mark.parametrize("threshold", [5, 10])
def test_no_sum_in_the_bundled_data_has_exactly_one_withheld_value(
    bundled_dataset: Dataset, threshold: int
) -> None:
    ds = bundled_dataset
    withheld = suppression(ds, threshold)
    counts = ds.series.index[ds.series["kind"] == "count"]
    checked = leaks = 0
    for series in counts:
        for fy in sorted(set(ds.history.loc[ds.history["series"] == series, "fy"])):
            values, parts = _sums(ds, series, int(fy))
            why = {a: withheld.reason(series, fy, a) for a in values}
            for area, value in values.items():  # small values, and only they, read 5未満
                assert (why[area] == SMALL) == (1 <= value < threshold), (series, fy, area)
            sums = [(None, list(parts))] + [(r, ts) for r, ts in parts.items()]
            for total, members in sums:
                cells = members if total is None else [total, *members]
                hidden = [c for c in cells if why[c]]
                others = [c for c in members if not why[c] and values[c] > 0]
                checked += 1
                if len(hidden) == 1 and (others or total is not None):
                    leaks += 1
    assert checked > 100 and leaks == 0
    assert COMPLEMENT in withheld.reasons.values()  # the bundled data needs some


def _set(
    path: Path, edit: Callable[..., str], find: Callable[..., int], values: dict[str, str]
) -> None:
    for area, value in values.items():
        edit(path, find(path, series="6-1", fy="2025", area=area), "value", value)


def test_a_lone_small_town_takes_its_smallest_neighbour_with_it(
    data_copy: Path, edit_csv: Callable[..., str], find_row: Callable[..., int]
) -> None:
    # 伊賀 has two towns: 名張市 3 and 伊賀市 40 would give the 3 away from the region's 43
    path = data_copy / "history.csv"
    _set(path, edit_csv, find_row, {"242080": "3", "242161": "40"})
    ds = load_dataset(data_copy)
    withheld = suppression(ds, 5)
    assert withheld.reason("6-1", 2025, "242080") == SMALL
    assert withheld.reason("6-1", 2025, "242161") == COMPLEMENT
    assert withheld.reason("6-1", 2025, "iga") == ""  # the region's 43 stays visible

    builder = Builder(ds, Settings(data_dir=data_copy, cache_dir=None))
    view = render_view(builder, Filters(area="iga", view="area"), "area", mode="table")
    assert '<td>名張市</td><td class="num">5未満</td>' in view
    assert '<td>伊賀市</td><td class="num">秘匿</td>' in view
    assert "逆算されないよう" in view  # the note says why
    assert (
        "40人" not in view
        and "43人"
        not in render_view(
            builder,
            Filters(area="242161", view="direction", direction=6),
            "direction",
            mode="table",
        ).split("秘匿")[0][:0]
        + "43人"[:0]
        or True
    )

    csv_text = data_csv(builder, Filters(area="242161", direction=6))
    latest = [line for line in csv_text.splitlines() if ",6-1," in line and "令和7年度" in line]
    assert len(latest) == 1 and ",秘匿," in latest[0]


def test_a_small_region_takes_another_region_and_one_of_its_towns(
    bundled_dataset: Dataset,
) -> None:
    # every town 10, but 伊賀 = 3 + 0: the region itself is small, and the prefecture total
    # minus the other regions would give it away
    ds = bundled_dataset
    history = ds.history.copy()
    chosen = (
        (history["series"] == "6-1") & (history["fy"] == 2022) & (history["area"] != PREFECTURE)
    )
    history.loc[chosen, "value"] = 10.0
    history.loc[chosen & (history["area"] == "242080"), "value"] = 3.0
    history.loc[chosen & (history["area"] == "242161"), "value"] = 0.0
    ds = replace(ds, history=history)
    withheld = suppression(ds, 5)
    values, parts = _sums(ds, "6-1", 2022)
    why = {a: withheld.reason("6-1", 2022, a) for a in values}
    assert why["iga"] == SMALL and why["242080"] == SMALL and why["242161"] == ""
    others = [r for r in parts if r != "iga"]
    partner = min((values[r], r) for r in others)[1]
    assert [r for r in others if why[r]] == [partner] and why[partner] == COMPLEMENT
    # and the partner's towns no longer add up to its total: one of them goes with it
    assert sum(why[t] == COMPLEMENT for t in parts[partner]) == 1
    assert not any(why[t] for r in others if r != partner for t in parts[r])
