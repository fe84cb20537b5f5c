"""Withholding on a prefecture of two regions, 伊賀 and 東紀州 (7 towns): what a reader notices.

The fast tests of :func:`briefing.stats.suppression.protect` and ``cheapest_pattern``: each sets
the towns of one table, reads it as the views print it and asks ``reader.py`` what a reader can
work out (region − the other towns, the prefecture − the other region). Each table has one least
set of values to withhold, so a value withheld for nothing, or a dearer one taken, is caught too.
"""

from __future__ import annotations

from reader import narrowed_counts, printed_counts
from tables import FY, IGA_CITY, NABARI, SERIES, few_regions, one_table

from briefing import PREFECTURE, Dataset
from briefing.stats.suppression import COMPLEMENT, SMALL, suppression

OWASE, KUMANO, KIHOKU, MIHAMA, KIHO = "242098", "242128", "245437", "245615", "245623"


def two_regions(ds: Dataset, values: dict[str, float]) -> Dataset:
    """6-1 of 令和7年度 on 伊賀 and 東紀州 alone: ``values`` of the seven towns, the sums as such."""
    return few_regions(one_table(ds, values), ("iga", "higashikishu"))


def withheld_of(ds: Dataset, threshold: int = 5) -> dict[str, str]:
    found = suppression(ds, threshold).reasons
    return {a: why for (s, fy, a), why in found.items() if (s, fy) == (SERIES, FY)}


def reads(ds: Dataset, threshold: int = 5) -> dict[str, str]:
    return printed_counts(ds, suppression(ds, threshold), SERIES, FY)


#: 東紀州 with nothing small: 尾鷲市 20, 熊野市 31, 紀北町 22, 御浜町 43, 紀宝町 24
EAST = {OWASE: 20, KUMANO: 31, KIHOKU: 22, MIHAMA: 43, KIHO: 24}


def test_a_lone_small_town_takes_the_one_value_that_would_give_it_away(
    bundled_dataset: Dataset,
) -> None:
    """名張市 3 beside 伊賀市 40: 伊賀 reads 43, so 伊賀市 goes too, and nothing else."""
    ds = two_regions(bundled_dataset, {NABARI: 3, IGA_CITY: 40} | EAST)
    assert withheld_of(ds) == {NABARI: SMALL, IGA_CITY: COMPLEMENT}
    printed = reads(ds)
    assert (printed[NABARI], printed[IGA_CITY], printed["iga"]) == ("5未満", "秘匿", "43")
    assert narrowed_counts(ds, printed, 5) == {}
    assert narrowed_counts(ds, printed | {IGA_CITY: "40"}, 5) == {NABARI: (3.0, 3.0)}


def test_the_smallest_neighbour_is_the_one_withheld(bundled_dataset: Dataset) -> None:
    """尾鷲市 2 in 東紀州: any one of its four neighbours hides it; 紀北町 (22) is the smallest
    that can, not 熊野市 (31) or 御浜町 (43)."""
    ds = two_regions(bundled_dataset, {NABARI: 30, IGA_CITY: 40} | EAST | {OWASE: 2, KIHO: 50})
    assert withheld_of(ds) == {OWASE: SMALL, KIHOKU: COMPLEMENT}
    printed = reads(ds)
    assert printed["higashikishu"] == str(2 + 31 + 22 + 43 + 50)
    assert narrowed_counts(ds, printed, 5) == {}


def test_two_small_towns_of_one_region_that_cover_each_other_take_nothing_more(
    bundled_dataset: Dataset,
) -> None:
    """尾鷲市 1 and 熊野市 4: 東紀州 says they make 5, which each way round they can."""
    ds = two_regions(bundled_dataset, {NABARI: 30, IGA_CITY: 40} | EAST | {OWASE: 1, KUMANO: 4})
    assert withheld_of(ds) == {OWASE: SMALL, KUMANO: SMALL}
    assert narrowed_counts(ds, reads(ds), 5) == {}


def test_two_small_towns_that_give_each_other_away_take_one_value_not_two(
    bundled_dataset: Dataset,
) -> None:
    """尾鷲市 1 and 熊野市 1 make 2, so neither could be 4: one more value must go. 紀北町's 12
    alone leaves room for a 4, and so would 御浜町 and 紀宝町 (6 each) together: as many people,
    but two values withheld for one (each value costs its size plus 1: 13 against 14)."""
    values = {NABARI: 30, IGA_CITY: 40, OWASE: 1, KUMANO: 1, KIHOKU: 12, MIHAMA: 6, KIHO: 6}
    ds = two_regions(bundled_dataset, values)
    assert withheld_of(ds) == {OWASE: SMALL, KUMANO: SMALL, KIHOKU: COMPLEMENT}
    printed = reads(ds)
    assert narrowed_counts(ds, printed, 5) == {}
    shown = printed | {KIHOKU: "12"}
    assert narrowed_counts(ds, shown, 5) == {OWASE: (0.0, 2.0), KUMANO: (0.0, 2.0)}


def test_a_small_region_whose_other_town_is_0_takes_the_other_region_and_its_smallest_town(
    bundled_dataset: Dataset,
) -> None:
    """名張市 3 and 伊賀市 0: 伊賀 is 3 as well. 0 identifies nobody and is shown; the prefecture
    minus 東紀州 would be 伊賀, so 東紀州 goes, with its smallest town (else it is the sum of
    the rest) — not the prefecture's total, which members quote."""
    ds = two_regions(bundled_dataset, {NABARI: 3, IGA_CITY: 0} | EAST)
    assert withheld_of(ds) == {
        NABARI: SMALL,
        "iga": SMALL,
        "higashikishu": COMPLEMENT,
        OWASE: COMPLEMENT,
    }
    printed = reads(ds)
    assert printed[IGA_CITY] == "0" and printed[PREFECTURE] == str(3 + sum(EAST.values()))
    assert narrowed_counts(ds, printed, 5) == {}


def test_the_prefecture_total_goes_only_when_nothing_else_will_do(bundled_dataset: Dataset) -> None:
    """伊賀 alone as the prefecture, 名張市 3 and 伊賀市 3: each must be able to be 1, and the
    two make 6; 伊賀 and the total are the same 6, so both are withheld."""
    ds = few_regions(one_table(bundled_dataset, {NABARI: 3, IGA_CITY: 3}))
    assert withheld_of(ds) == {
        NABARI: SMALL,
        IGA_CITY: SMALL,
        "iga": COMPLEMENT,
        PREFECTURE: COMPLEMENT,
    }
    assert narrowed_counts(ds, reads(ds), 5) == {}


def test_nothing_is_withheld_when_nothing_is_small(bundled_dataset: Dataset) -> None:
    """0 and 5 are not small: every value is printed as it is."""
    ds = two_regions(bundled_dataset, {NABARI: 0, IGA_CITY: 5} | EAST)
    assert withheld_of(ds) == {}
    printed = reads(ds)
    assert (printed[NABARI], printed[IGA_CITY], printed["iga"]) == ("0", "5", "5")


def test_a_neighbour_of_exactly_5_can_hide_a_4(bundled_dataset: Dataset) -> None:
    """尾鷲市 4 beside 紀北町 5: withheld together they make 9, 5 or more of it 紀北町's, so 尾鷲市
    can be anything from 0 to 4. The 5 is the cheapest to withhold, and enough."""
    values = {NABARI: 30, IGA_CITY: 40} | EAST | {OWASE: 4, KIHOKU: 5}
    ds = two_regions(bundled_dataset, values)
    assert withheld_of(ds) == {OWASE: SMALL, KIHOKU: COMPLEMENT}
    assert narrowed_counts(ds, reads(ds), 5) == {}


def test_small_towns_of_two_regions_each_take_a_neighbour_of_their_own(
    bundled_dataset: Dataset,
) -> None:
    """名張市 3 and 尾鷲市 2: each region would give its own small town away."""
    values = {NABARI: 3, IGA_CITY: 40} | EAST | {OWASE: 2}
    ds = two_regions(bundled_dataset, values)
    assert withheld_of(ds) == {
        NABARI: SMALL,
        IGA_CITY: COMPLEMENT,
        OWASE: SMALL,
        KIHOKU: COMPLEMENT,
    }
    printed = reads(ds)
    assert narrowed_counts(ds, printed, 5) == {}
    assert narrowed_counts(ds, printed | {KIHOKU: "22"}, 5) == {OWASE: (2.0, 2.0)}


def test_at_a_threshold_of_2_a_1_needs_nothing_else_withheld(bundled_dataset: Dataset) -> None:
    """「2未満」 says 0 or 1, which 伊賀 − 伊賀市 cannot narrow: nothing more goes."""
    ds = two_regions(bundled_dataset, {NABARI: 1, IGA_CITY: 40} | EAST)
    assert withheld_of(ds, 2) == {NABARI: SMALL}
    printed = reads(ds, 2)
    assert printed[NABARI] == "2未満" and printed["iga"] == "41"
    assert narrowed_counts(ds, printed, 2) == {}


def test_a_small_town_beside_one_not_reported_needs_no_other_value_withheld(
    bundled_dataset: Dataset,
) -> None:
    """伊賀市 has not reported: 伊賀 and the prefecture read 「一部の市町のみ」, which says nothing
    of 名張市's 2, so 名張市 alone is 「5未満」."""
    ds = few_regions(
        one_table(bundled_dataset, {NABARI: 2} | EAST, drop=(IGA_CITY,)), ("iga", "higashikishu")
    )
    assert withheld_of(ds) == {NABARI: SMALL, "iga": "partial:1/2", PREFECTURE: "partial:6/7"}
    printed = reads(ds)
    assert printed["iga"] == "一部の市町のみ（1/2 市町）" and printed[NABARI] == "5未満"
    assert narrowed_counts(ds, printed, 5) == {}


def test_a_neighbour_of_5_cannot_give_way_so_the_sums_above_go(bundled_dataset: Dataset) -> None:
    """伊賀 alone as the prefecture, 名張市 1 beside 伊賀市 5: 「秘匿」 would say 伊賀市 is 5 or
    more, so withholding it leaves 名張市 at 1 or less; 伊賀 and the total (6, which could as well
    be 9 with 名張市 at 4) are what go."""
    ds = few_regions(one_table(bundled_dataset, {NABARI: 1, IGA_CITY: 5}))
    assert withheld_of(ds) == {NABARI: SMALL, "iga": COMPLEMENT, PREFECTURE: COMPLEMENT}
    printed = reads(ds)
    assert printed[IGA_CITY] == "5"
    assert narrowed_counts(ds, printed, 5) == {}


def test_a_prefecture_of_one_reported_town_reads_as_partial_not_as_a_total(
    bundled_dataset: Dataset,
) -> None:
    """伊賀 alone as the prefecture and only 名張市 reported (30): 30 is not the prefecture's
    count, so the total reads 「一部の市町のみ（1/2 市町）」 as 伊賀 does."""
    ds = few_regions(one_table(bundled_dataset, {NABARI: 30}, drop=(IGA_CITY,)))
    assert withheld_of(ds) == {"iga": "partial:1/2", PREFECTURE: "partial:1/2"}
    printed = reads(ds)
    assert printed[PREFECTURE] == printed["iga"] == "一部の市町のみ（1/2 市町）"
    assert printed[NABARI] == "30"


def test_three_small_values_go_rather_than_one_larger_when_they_hold_fewer_people(
    bundled_dataset: Dataset,
) -> None:
    """尾鷲市 1 needs 18 or more withheld beside it: three towns of 6 (18 people) or 紀宝町's 21.
    The three are withheld and 紀宝町 is shown — fewer people hidden, each value counting as one
    more (21 against 22); a rule that weighed each value heavier would hide 紀宝町 instead."""
    values = {NABARI: 30, IGA_CITY: 40, OWASE: 1, KUMANO: 6, KIHOKU: 6, MIHAMA: 6, KIHO: 21}
    ds = two_regions(bundled_dataset, values)
    printed = reads(ds)
    assert [printed[t] for t in (OWASE, KUMANO, KIHOKU, MIHAMA, KIHO)] == (
        ["5未満", "秘匿", "秘匿", "秘匿", "21"]
    )
    assert narrowed_counts(ds, printed, 5) == {}
