"""A region's value is the sum of its towns, and a sum is only as final as its least final part.

One town's 速報 (provisional) figure makes the region's total provisional too: a member who
reads 確定 would quote a number that may still change.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pages import Card, by_year, cards_on_page

from briefing import Settings, load_dataset
from briefing.content import context

#: a dashboard per case, seconds: mutation testing runs the fast test of the same rule instead
#: (test_statistics: a region's sum is as provisional as its towns)
pytestmark = pytest.mark.slow

PROVISIONAL = "速報"
IGA = {"242080": "名張市", "242161": "伊賀市"}


def card_6_1(data: Path, area: str) -> Card:
    ctx = context(load_dataset(data), Settings(data_dir=data, cache_dir=None))
    [card] = [c for c in cards_on_page(ctx, area) if c.id == "6-1"]
    return card


@pytest.mark.parametrize(
    ("statuses", "region_provisional"),
    [
        ({"242080": "確定", "242161": "速報"}, True),
        ({"242080": "速報", "242161": "確定"}, True),
        ({"242080": "確定", "242161": "確定"}, False),
    ],
    ids=["one town provisional", "the other town provisional", "both final"],
)
def test_a_region_is_provisional_when_any_of_its_towns_is(
    data_copy: Path,
    edit_csv: Callable[..., str],
    find_row: Callable[..., int],
    statuses: dict[str, str],
    region_provisional: bool,
) -> None:
    history = data_copy / "history.csv"
    for town, status in statuses.items():
        edit_csv(history, find_row(history, series="6-1", fy="2025", area=town), "status", status)
    for town, status in statuses.items():  # each town shows its own status
        [(_, latest, *_)] = card_6_1(data_copy, town).lines
        assert (PROVISIONAL in latest) == (status == "速報"), (IGA[town], latest)
    card = card_6_1(data_copy, "iga")
    [(label, latest, *_)] = card.lines
    assert (PROVISIONAL in latest) == region_provisional, latest
    this_year = by_year(card, label)[-1]  # the table by year marks it too
    assert (PROVISIONAL in this_year) == region_provisional, this_year
