"""No change is shown next to a withheld value: a reader could subtract it back.

Rules a reader can check on the page, over every card the direction view draws for every area
(prefecture, regions, municipalities) of the bundled data and of purpose-built cases. They do not
name which cells are withheld, only what must hold wherever one is: beside a 「5未満」 or 「秘匿」
baseline, latest or previous value, the change from or to it reads 「－」.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pages import Card, by_year, cards_on_page

from briefing import Dataset, Settings, load_dataset
from briefing.content import context

#: every area's pages of the whole data, seconds: mutation testing runs the fast tests of the
#: same rule instead (test_withheld_tables, test_statistics)
pytestmark = pytest.mark.slow

WITHHELD = ("未満", "秘匿")
NO_CHANGE = "－"


def withheld(cell: str) -> bool:
    return any(mark in cell for mark in WITHHELD)


def broken_rules(card: Card) -> list[str]:
    """Every change shown beside a withheld value on ``card`` (empty when the card is sound)."""
    broken = []
    for label, latest, baseline, vs_baseline, vs_previous in card.lines:
        if withheld(latest) and (vs_baseline, vs_previous) != (NO_CHANGE, NO_CHANGE):
            broken.append(
                f"{card.id} {label}: latest {latest} beside {vs_baseline} / {vs_previous}"
            )
        if withheld(baseline) and vs_baseline != NO_CHANGE:
            broken.append(f"{card.id} {label}: baseline {baseline} beside {vs_baseline}")
        # the previous value is the year before the latest in the card's table by year
        shown = by_year(card, label)
        if len(shown) >= 2 and withheld(shown[-2]) and vs_previous != NO_CHANGE:
            broken.append(f"{card.id} {label}: previous {shown[-2]} beside {vs_previous}")
    return broken


def withheld_beside(cards: list[Card]) -> tuple[int, int]:
    """How many lines have a withheld baseline and a shown latest, and a withheld previous value:
    the cases the rules are about (so a test can say it met some)."""
    baselines = previous = 0
    for card in cards:
        for label, latest, baseline, _, _ in card.lines:
            baselines += withheld(baseline) and not withheld(latest)
            shown = by_year(card, label)
            previous += len(shown) >= 2 and withheld(shown[-2]) and not withheld(latest)
    return baselines, previous


@pytest.fixture(scope="module")
def bundled_cards(bundled_dataset: Dataset) -> dict[str, list[Card]]:
    """Every area's direction view of the bundled data."""
    ctx = context(bundled_dataset, Settings(cache_dir=None))
    return {area: cards_on_page(ctx, area) for area in bundled_dataset.areas.index}


def test_no_card_of_the_bundled_data_shows_a_change_beside_a_withheld_value(
    bundled_cards: dict[str, list[Card]],
) -> None:
    broken = [
        rule for cards in bundled_cards.values() for card in cards for rule in broken_rules(card)
    ]
    assert broken == []
    # the rules met real cases: small town counts sit beside larger latest values
    baselines, previous = withheld_beside([c for cards in bundled_cards.values() for c in cards])
    assert baselines > 0 and previous > 0, (baselines, previous)


def test_a_town_whose_baseline_year_was_small_shows_its_latest_but_no_change_from_it(
    data_copy: Path, edit_csv, find_row
) -> None:
    """A town trained 2 推進員 in the plan's baseline year and 3 last year, 40 this year: 40 is
    shown, but 「+38」 or 「+37」 beside it would give the 2 and the 3 away."""
    history = data_copy / "history.csv"
    town = "242012"  # 津市: a latest of 40 is far above the threshold, so it stays shown
    for fy, value in (("2020", "2"), ("2024", "3"), ("2025", "40")):
        edit_csv(history, find_row(history, series="6-1", fy=fy, area=town), "value", value)
    ds = load_dataset(data_copy)
    cards = cards_on_page(context(ds, Settings(data_dir=data_copy, cache_dir=None)), town)
    [card] = [c for c in cards if c.id == "6-1"]
    [(_, latest, baseline, vs_baseline, vs_previous)] = card.lines
    assert latest.startswith("40") and withheld(baseline), card.lines
    assert (vs_baseline, vs_previous) == (NO_CHANGE, NO_CHANGE), card.lines
    assert broken_rules(card) == []
