"""Withholding on one table at a time: no 「5未満」 a reader can narrow, and nothing withheld for nothing.

Each test keeps one count series and year of the bundled data (6-1, 令和7年度: the 29 towns,
the five regions and the prefecture, related by sums), sets the towns it is about and reads the
table as the views print it. ``reader.py`` solves what a reader can work out from the printed
table; the exact set of withheld values is asserted where only one set is the least one, so a
value withheld without need (or a needed one shown) is caught too. Fast: one table is one small
integer programme.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from reader import narrowed_counts, printed_counts, towns_of
from tables import FY, IGA_CITY, MATSUSAKA, NABARI, SERIES, TSU, few_regions, large, one_table

from briefing import PREFECTURE, Dataset
from briefing.stats.audit import audit
from briefing.stats.disclosure import findings_text
from briefing.stats.hierarchy import completeness_notes
from briefing.stats.suppression import COMPLEMENT, SMALL, Suppression, suppression


def withheld_in(table: Suppression, series: str = SERIES, fy: int = FY) -> dict[str, str]:
    return {a: why for (s, f, a), why in table.reasons.items() if (s, f) == (series, fy)}


def test_a_lone_small_town_takes_its_neighbour_with_it_and_nothing_else(
    bundled_dataset: Dataset,
) -> None:
    """伊賀 = 名張市 + 伊賀市: with 伊賀 shown, 伊賀市's 40 would give 名張市's 3 away. Hiding 伊賀
    instead is not enough (the prefecture minus the other regions is 伊賀), so 伊賀市 goes."""
    ds = one_table(bundled_dataset, large(bundled_dataset) | {NABARI: 3, IGA_CITY: 40})
    withheld = suppression(ds, 5)
    assert withheld_in(withheld) == {NABARI: SMALL, IGA_CITY: COMPLEMENT}
    printed = printed_counts(ds, withheld, SERIES, FY)
    assert printed[NABARI] == "5未満" and printed[IGA_CITY] == "秘匿"
    assert printed["iga"] == "43人" or printed["iga"] == "43"
    assert narrowed_counts(ds, printed, 5) == {}
    # without 伊賀市's 秘匿 a reader subtracts: 43 − 40
    shown = printed | {IGA_CITY: "40"}
    assert narrowed_counts(ds, shown, 5) == {NABARI: (3.0, 3.0)}


def test_two_small_towns_that_cover_each_other_need_nothing_more(bundled_dataset: Dataset) -> None:
    """松阪市 1 and 明和町 4 in 中勢: the region says they add up to 5, which 1 + 4 and 4 + 1
    both do: a reader learns nothing, so nothing else is withheld."""
    ds = one_table(bundled_dataset, large(bundled_dataset) | {MATSUSAKA: 1, "244422": 4})
    withheld = suppression(ds, 5)
    assert withheld_in(withheld) == {MATSUSAKA: SMALL, "244422": SMALL}
    assert narrowed_counts(ds, printed_counts(ds, withheld, SERIES, FY), 5) == {}


def test_two_small_towns_that_give_each_other_away_take_the_smallest_neighbour(
    bundled_dataset: Dataset,
) -> None:
    """松阪市 1 and 明和町 1: together 2, so neither can be 4. The cheapest value to withhold with
    them is 中勢's smallest other town (12), and one is enough (12 − 2 can still hold a 4)."""
    values = large(bundled_dataset, 30) | {MATSUSAKA: 1, "244422": 1, "244431": 12}
    ds = one_table(bundled_dataset, values)
    withheld = suppression(ds, 5)
    assert withheld_in(withheld) == {MATSUSAKA: SMALL, "244422": SMALL, "244431": COMPLEMENT}
    printed = printed_counts(ds, withheld, SERIES, FY)
    assert narrowed_counts(ds, printed, 5) == {}
    assert narrowed_counts(ds, printed | {"244431": "12"}, 5) == {
        MATSUSAKA: (0.0, 2.0),
        "244422": (0.0, 2.0),
    }


def test_a_complement_too_small_to_hide_the_difference_is_not_enough(
    bundled_dataset: Dataset,
) -> None:
    """With 大台町 at 5, its 「秘匿」 (5 or more) would tell a reader it is exactly 5 and the two
    small towns 1 + 1: the smallest town that can hide the difference (津市, 30) goes instead."""
    values = large(bundled_dataset, 30) | {MATSUSAKA: 1, "244422": 1, "244431": 5}
    ds = one_table(bundled_dataset, values)
    withheld = suppression(ds, 5)
    assert withheld_in(withheld) == {MATSUSAKA: SMALL, "244422": SMALL, TSU: COMPLEMENT}
    printed = printed_counts(ds, withheld, SERIES, FY)
    assert printed["244431"] in ("5人", "5")
    assert narrowed_counts(ds, printed, 5) == {}
    assert narrowed_counts(ds, printed | {TSU: "30", "244431": "秘匿"}, 5) != {}


def test_a_small_region_is_withheld_itself_and_0_is_shown(bundled_dataset: Dataset) -> None:
    """名張市 3 and 伊賀市 0: 伊賀 is 3 too. 0 identifies nobody and is shown; the region is
    「5未満」, and another region goes with it (the prefecture minus the others is 伊賀), with one
    of its towns (else that region is the sum of its shown towns): 中勢 and 津市, the cheapest."""
    values = large(bundled_dataset) | {NABARI: 3, IGA_CITY: 0}
    ds = one_table(bundled_dataset, values)
    withheld = suppression(ds, 5)
    printed = printed_counts(ds, withheld, SERIES, FY)
    assert printed[IGA_CITY] == "0人" or printed[IGA_CITY] == "0"
    got = withheld_in(withheld)
    assert got[NABARI] == SMALL and got["iga"] == SMALL
    assert {a for a, why in got.items() if why == COMPLEMENT} == {"chusei", TSU}
    assert narrowed_counts(ds, printed, 5) == {}


def test_the_prefecture_total_is_kept_when_other_values_can_go_instead(
    bundled_dataset: Dataset,
) -> None:
    """Only 津市 (50) and 名張市 (3) have trainees: 伊賀 = the prefecture − 中勢. Withholding the
    total would be cheapest by size, but the total is what members quote: 中勢 and 津市 go."""
    ds = one_table(bundled_dataset, {TSU: 50, NABARI: 3}, others=0)
    withheld = suppression(ds, 5)
    assert withheld_in(withheld) == {
        NABARI: SMALL,
        "iga": SMALL,
        TSU: COMPLEMENT,
        "chusei": COMPLEMENT,
    }
    printed = printed_counts(ds, withheld, SERIES, FY)
    assert printed[PREFECTURE] in ("53人", "53")
    assert narrowed_counts(ds, printed, 5) == {}


@pytest.mark.parametrize(
    ("threshold", "small"),
    [(5, {NABARI: 1}), (10, {NABARI: 1, "242098": 7})],
    ids=["5", "10"],
)
def test_the_threshold_decides_what_is_small(
    bundled_dataset: Dataset, threshold: int, small: dict[str, int]
) -> None:
    """尾鷲市's 7 is shown at the default 5 and 「10未満」 when the prefecture sets 10."""
    ds = one_table(bundled_dataset, large(bundled_dataset, 40) | {NABARI: 1, "242098": 7})
    withheld = suppression(ds, threshold)
    assert {a for a, why in withheld_in(withheld).items() if why == SMALL} == set(small)
    printed = printed_counts(ds, withheld, SERIES, FY)
    assert all(printed[a] == f"{threshold}未満" for a in small)
    assert narrowed_counts(ds, printed, threshold) == {}
    assert all(
        v >= threshold for a, v in _values(ds).items() if withheld_in(withheld).get(a) == COMPLEMENT
    )


def _values(ds: Dataset) -> dict[str, float]:
    rows = ds.history
    values = dict(zip(rows["area"], rows["value"], strict=True))
    for region in ("hokusei", "chusei", "nansei", "iga", "higashikishu"):
        values[region] = sum(values.get(t, 0.0) for t in towns_of(ds, region))
    return values


def test_values_from_1_to_4_are_small_and_0_and_5_are_not(bundled_dataset: Dataset) -> None:
    towns = ["242021", "242055", "242071", "242101", "242144", "243035"]  # 北勢
    values = large(bundled_dataset) | dict(zip(towns, [0, 1, 2, 3, 4, 5], strict=True))
    ds = one_table(bundled_dataset, values)
    withheld = suppression(ds, 5)
    small = {a for a, why in withheld_in(withheld).items() if why == SMALL}
    assert small == set(towns[1:5])
    printed = printed_counts(ds, withheld, SERIES, FY)
    assert narrowed_counts(ds, printed, 5) == {}


def test_stocks_and_places_are_shown_however_small(bundled_dataset: Dataset) -> None:
    """A stock (e.g. 2-1a, places of consultation) counts no people: 1 is shown as 1."""
    stock = bundled_dataset.series.index[bundled_dataset.series["kind"] == "stock"][0]
    fy = int(bundled_dataset.history.loc[bundled_dataset.history["series"] == stock, "fy"].max())
    ds = one_table(bundled_dataset, {NABARI: 1, IGA_CITY: 40}, series=stock, fy=fy)
    assert withheld_in(suppression(ds, 5), stock, fy) == {}


def test_a_region_with_a_town_not_reported_reads_partial_and_still_protects(
    bundled_dataset: Dataset,
) -> None:
    """伊賀市 has not reported: 伊賀 and the prefecture are sums of only some towns, printed as
    such, and 名張市's 2 is still 「5未満」 with nothing a reader can subtract."""
    ds = one_table(bundled_dataset, large(bundled_dataset) | {NABARI: 2}, drop=(IGA_CITY,))
    withheld = suppression(ds, 5)
    printed = printed_counts(ds, withheld, SERIES, FY)
    assert printed["iga"] == "一部の市町のみ（1/2 市町）"
    assert printed[PREFECTURE] == "一部の市町のみ（28/29 市町）"
    assert printed[NABARI] == "5未満"
    assert narrowed_counts(ds, printed, 5) == {}
    # an unknown sum needs no complement of its own
    assert [why for why in withheld_in(withheld).values() if why == COMPLEMENT] == []
    notes = completeness_notes(ds)
    assert len(notes) == 1 and "29 市町のうち 28 市町" in notes[0] and "伊賀市" in notes[0]


def test_a_year_with_only_the_prefecture_total_shows_the_total(bundled_dataset: Dataset) -> None:
    """No town reported yet, only the prefecture's figure: it is printed as a number."""
    towns = [
        str(a)
        for a in bundled_dataset.areas.index[bundled_dataset.areas["level"] == "municipality"]
    ]
    ds = one_table(bundled_dataset, {}, drop=tuple(towns), total=12)
    withheld = suppression(ds, 5)
    assert withheld.reason(SERIES, FY, PREFECTURE) == ""
    assert printed_counts(ds, withheld, SERIES, FY)[PREFECTURE] in ("12人", "12")


def test_a_prefecture_total_entered_apart_from_the_towns_is_shown_as_entered(
    bundled_dataset: Dataset,
) -> None:
    """Staff entered a total 5 above the towns' sum: it is shown, but it is not the sum, so
    伊賀 = the prefecture − the rest does not hold; 伊賀's own sum still needs 伊賀市 withheld."""
    values = large(bundled_dataset) | {NABARI: 3, IGA_CITY: 40}
    towns_sum = sum(values.values())
    ds = one_table(bundled_dataset, values, total=towns_sum + 5)
    withheld = suppression(ds, 5)
    assert withheld_in(withheld) == {NABARI: SMALL, IGA_CITY: COMPLEMENT}
    notes = completeness_notes(ds)
    assert notes == [
        f"{SERIES} 令和7年度: 県全体の値 {towns_sum + 5:,.0f} が市町の合計 {towns_sum:,.0f} と異なります。"
        "県全体の値は入力どおり表示します。"
    ]


# ---- the audit: what the workbook's own check finds -------------------------------------------
# (on a prefecture of one region, 伊賀: the audit reads every area's page, and 35 take seconds)


def _primaries_only(withheld: Suppression) -> Suppression:
    return replace(withheld, reasons={k: v for k, v in withheld.reasons.items() if v == SMALL})


def test_the_audit_finds_a_small_value_a_reader_can_subtract_and_says_so(
    bundled_dataset: Dataset,
) -> None:
    ds = few_regions(one_table(bundled_dataset, {NABARI: 3, IGA_CITY: 40}))
    withheld = suppression(ds, 5)
    assert withheld_in(withheld) == {NABARI: SMALL, IGA_CITY: COMPLEMENT}
    sound = audit(ds, withheld)
    assert sound.checked == 1 and sound.findings == [] and sound.passed
    leaky = audit(ds, _primaries_only(withheld))
    assert not leaky.passed and leaky.checked == 1
    assert [(f.cell, f.value, f.low, f.high) for f in leaky.findings] == [
        ((SERIES, FY, NABARI), 3.0, 3.0, 3.0)
    ]
    [line] = findings_text(ds, leaky, 5)
    assert line == (
        "6-1 相談支援包括化推進員養成数 令和7年度 名張市: 「5未満」と表示しますが、公表する値から "
        "3〜3 と絞り込めます（1 以下と 4 の両方がありうる必要があります）。"
    )


def test_the_audit_reads_a_withheld_value_as_at_least_the_threshold(
    bundled_dataset: Dataset,
) -> None:
    """「秘匿」 says 5 or more: with 伊賀市 at 5 the reader knows 名張市 = 伊賀 − 伊賀市 ≤ 3."""
    ds = few_regions(one_table(bundled_dataset, {NABARI: 3, IGA_CITY: 5}))
    weak = Suppression(5, {(SERIES, FY, NABARI): SMALL, (SERIES, FY, IGA_CITY): COMPLEMENT})
    [finding] = audit(ds, weak).findings
    assert (finding.low, finding.high) == (0.0, 3.0)
    # a partial sum, by contrast, may be anything from 0 up
    unknown = Suppression(5, weak.reasons | {(SERIES, FY, IGA_CITY): "partial:0/1"})
    assert audit(ds, unknown).findings == []
    # the method withholds 伊賀 and, as nothing else is left, the total instead
    method = suppression(ds, 5)
    assert withheld_in(method) == {NABARI: SMALL, "iga": COMPLEMENT, PREFECTURE: COMPLEMENT}
    assert audit(ds, method).findings == []


def test_a_shown_change_is_an_equation_the_audit_solves(bundled_dataset: Dataset) -> None:
    """名張市: 2 last year, 20 this year. A card printing 「+18」 beside 20 would give the 2
    away; the workbook prints no change beside a withheld value, and the audit agrees."""
    from briefing.stats.audit import Fact

    ds = bundled_dataset
    last = one_table(ds, {NABARI: 2, IGA_CITY: 30}, fy=2024)
    this = one_table(ds, {NABARI: 20, IGA_CITY: 30})
    both = few_regions(replace(ds, history=pd.concat([last.history, this.history])))
    withheld = suppression(both, 5)
    assert withheld.reason(SERIES, 2024, NABARI) == SMALL
    assert withheld.reason(SERIES, FY, NABARI) == ""
    result = audit(both, withheld)
    assert result.checked == 1 and result.findings == []
    leak = Fact((((SERIES, FY, NABARI), 1.0), ((SERIES, 2024, NABARI), -1.0)), 18.0)
    [found] = audit(both, withheld, extra=[leak]).findings
    assert (found.cell, found.low, found.high) == ((SERIES, 2024, NABARI), 2.0, 2.0)


@pytest.mark.parametrize(
    ("nabari", "iga_city", "narrowed"),
    [(3, 4, (3.0, 4.0)), (2, 4, (2.0, 4.0)), (1, 4, None)],
    ids=["3+4", "2+4", "1+4"],
)
def test_two_small_towns_of_a_shown_region_are_audited_together(
    bundled_dataset: Dataset, nabari: int, iga_city: int, narrowed: tuple[float, float] | None
) -> None:
    """伊賀 printed as 7 over two 「5未満」 towns: each is 3 or 4, a leak; 6 leaves 2 to 4, a leak
    (never 1); 5 leaves 1 to 4: each can still be 1 or less and 4, which is all 「5未満」 says."""
    ds = few_regions(one_table(bundled_dataset, {NABARI: nabari, IGA_CITY: iga_city}))
    both = Suppression(5, {(SERIES, FY, NABARI): SMALL, (SERIES, FY, IGA_CITY): SMALL})
    result = audit(ds, both)
    assert result.checked == 2
    expected = [] if narrowed is None else [(NABARI, *narrowed), (IGA_CITY, *narrowed)]
    assert sorted((f.cell[2], f.low, f.high) for f in result.findings) == sorted(expected)
    printed = printed_counts(ds, both, SERIES, FY)
    assert sorted(narrowed_counts(ds, printed, 5).items()) == sorted(
        (a, (lo, hi)) for a, lo, hi in expected
    )


def test_the_audit_follows_a_small_region_through_the_prefecture_total(
    bundled_dataset: Dataset,
) -> None:
    """伊賀 3 (名張市 3, 伊賀市 0) with 伊賀 and 名張市 withheld alone: the prefecture total minus
    東紀州 is 伊賀. The audit must read the total as the sum it is."""
    ds = few_regions(
        one_table(bundled_dataset, large(bundled_dataset) | {NABARI: 3, IGA_CITY: 0}),
        ("iga", "higashikishu"),
    )
    alone = Suppression(5, {(SERIES, FY, NABARI): SMALL, (SERIES, FY, "iga"): SMALL})
    found = audit(ds, alone).findings
    assert sorted((f.cell[2], f.low, f.high) for f in found) == [
        (NABARI, 3.0, 3.0),
        ("iga", 3.0, 3.0),
    ]
    method = suppression(ds, 5)
    assert audit(ds, method).findings == []
    assert narrowed_counts(ds, printed_counts(ds, method, SERIES, FY), 5) == {}


def test_an_entered_total_that_is_not_the_sum_is_no_equation_for_the_audit(
    bundled_dataset: Dataset,
) -> None:
    """With the total entered 5 above the towns' sum, reading it as the sum would contradict the
    regions: the audit leaves it out and still checks the region's own sum."""
    values = large(bundled_dataset) | {NABARI: 3, IGA_CITY: 40}
    table = one_table(bundled_dataset, values)
    ds = few_regions(table, ("iga", "higashikishu"))
    towns = ds.history[ds.history["area"] != PREFECTURE]["value"].sum()
    history = ds.history.copy()
    history.loc[history["area"] == PREFECTURE, "value"] = towns + 5
    ds = replace(ds, history=history)
    method = suppression(ds, 5)
    assert method.reason(SERIES, FY, PREFECTURE) == ""
    assert audit(ds, method).findings == []
    [found] = audit(ds, _primaries_only(method)).findings
    assert (found.cell, found.low, found.high) == ((SERIES, FY, NABARI), 3.0, 3.0)


def test_a_small_region_under_an_entered_total_passes_the_audit_as_printed(
    bundled_dataset: Dataset,
) -> None:
    """伊賀 alone as the prefecture, 3 (名張市 1, 伊賀市 2), under a total entered as 8: the
    three read 「5未満」, the total is printed, and the audit passes — the total is not 伊賀, so
    it narrows nothing (read as the sum, it would make 伊賀 8, more than 「5未満」 allows)."""
    ds = few_regions(one_table(bundled_dataset, {NABARI: 1, IGA_CITY: 2}))
    history = ds.history.copy()
    towns = history["area"] != PREFECTURE
    history.loc[~towns, "value"] = history.loc[towns, "value"].sum() + 5
    ds = replace(ds, history=history)
    method = suppression(ds, 5)
    assert withheld_in(method) == {NABARI: SMALL, IGA_CITY: SMALL, "iga": SMALL}
    result = audit(ds, method)
    assert result.checked == 3 and result.passed


def test_the_audit_reads_the_cards_at_the_threshold_it_checks(bundled_dataset: Dataset) -> None:
    """At a threshold of 10, 名張市's 7 of last year reads 「10未満」 and its card prints no change
    beside this year's 20: the audit passes. (Cards read at 5 would print 「+13」, giving the 7
    away.)"""
    last = one_table(bundled_dataset, {NABARI: 7, IGA_CITY: 30}, fy=FY - 1)
    this = one_table(bundled_dataset, {NABARI: 20, IGA_CITY: 30})
    both = few_regions(replace(bundled_dataset, history=pd.concat([last.history, this.history])))
    withheld = suppression(both, 10)
    assert withheld.reason(SERIES, FY - 1, NABARI) == SMALL
    result = audit(both, withheld)
    assert result.checked == 1 and result.passed


def test_a_town_without_a_value_of_one_count_keeps_the_changes_of_another_in_the_audit(
    bundled_dataset: Dataset,
) -> None:
    """名張市 has not reported 2-2 for 令和7年度 (its 2-2 card has no value) and its 6-1 rose from
    20 to 25 since 令和6年度: the audit runs, passes, and knows the 「+5」 of the 6-1 card."""
    from briefing.stats.audit import published_facts, solve
    from briefing.stats.hierarchy import PROTECTED_KINDS, sum_tables

    ds = bundled_dataset
    parts = [
        one_table(ds, {}, series="2-2", drop=(NABARI,)),
        one_table(ds, {NABARI: 20, IGA_CITY: 30}, fy=FY - 1),
        one_table(ds, {NABARI: 25, IGA_CITY: 30}),
    ]
    ds = few_regions(replace(ds, history=pd.concat([p.history for p in parts], ignore_index=True)))
    withheld = suppression(ds, 5)
    tables = sum_tables(ds, PROTECTED_KINDS)
    shown, facts = published_facts(ds, withheld, tables)
    changes = {tuple(cell for cell, _ in f.terms): f.value for f in facts}
    assert changes[((SERIES, FY, NABARI), (SERIES, FY - 1, NABARI))] == 5.0
    result = solve(tables, withheld, shown, facts)  # what audit() does with them
    assert result.checked == len([r for r in withheld.reasons.values() if r == SMALL])
    assert result.passed


# ---- briefing check: sums that lack towns or differ -------------------------------------------


def test_check_names_every_town_that_has_not_reported(bundled_dataset: Dataset) -> None:
    """One town of 北勢 and one of 東紀州 missing: both named, in the order of the area list."""
    ds = one_table(bundled_dataset, {}, drop=("243442", "245623"))
    assert completeness_notes(ds) == [
        "6-1 令和7年度: 29 市町のうち 27 市町の値しかありません（未報告: 川越町、紀宝町）。"
        "地域と県全体の合計は「一部の市町のみ」と表示します。"
    ]


def test_check_notes_a_year_with_a_single_town_and_not_one_with_none(
    bundled_dataset: Dataset,
) -> None:
    towns = [
        str(a)
        for a in bundled_dataset.areas.index[bundled_dataset.areas["level"] == "municipality"]
    ]
    one = one_table(bundled_dataset, {}, drop=tuple(t for t in towns if t != TSU))
    [note] = completeness_notes(one)
    assert "29 市町のうち 1 市町の値しかありません" in note
    assert completeness_notes(one_table(bundled_dataset, {}, drop=tuple(towns), total=9)) == []


def test_check_is_silent_about_a_year_without_a_prefecture_total(
    bundled_dataset: Dataset,
) -> None:
    """Towns reported and no total entered: the total is their sum, nothing to point out."""
    ds = one_table(bundled_dataset, {})
    ds = replace(ds, history=ds.history[ds.history["area"] != PREFECTURE])
    assert completeness_notes(ds) == []
    assert suppression(ds, 5).reason(SERIES, FY, PREFECTURE) == ""


def test_the_audit_knows_every_change_the_cards_print(bundled_dataset: Dataset) -> None:
    """The audit's equations of shown changes are the changes on each area's card: since the
    plan's baseline year and since last year, beside shown values only (名張市 was 2 in 令和6年度,
    伊賀市's value withheld with it: no change from that year is printed, nor an equation)."""
    from pages import cards_on_page

    from briefing import Settings
    from briefing.content import context
    from briefing.stats.audit import published_facts
    from briefing.stats.hierarchy import PROTECTED_KINDS, sum_tables

    ds = bundled_dataset
    years = {2020: {NABARI: 20, IGA_CITY: 36}, 2024: {NABARI: 2, IGA_CITY: 30}}
    years |= {FY: {NABARI: 20, IGA_CITY: 45}}
    tables = [one_table(ds, values, fy=fy).history for fy, values in years.items()]
    ds = few_regions(replace(ds, history=pd.concat(tables, ignore_index=True)))
    ctx = context(ds, Settings(cache_dir=None, disclosure_dir=None))
    shown, facts = published_facts(ds, ctx.withheld, sum_tables(ds, PROTECTED_KINDS))
    truth = {
        (s, int(f), a): v for s, f, a, v in ds.history[["series", "fy", "area", "value"]].values
    }
    truth |= {(SERIES, fy, "iga"): float(sum(values.values())) for fy, values in years.items()}
    for fact in facts:  # each equation holds for the true values
        assert sum(c * truth[cell] for cell, c in fact.terms) == fact.value, fact
    printed: dict[str, list[float]] = {}
    for area in ds.areas.index:
        [card] = [c for c in cards_on_page(ctx, str(area)) if c.id == SERIES]
        [(_, _, _, vs_baseline, vs_previous)] = card.lines
        for text in (vs_baseline, vs_previous):
            if text != "－":
                printed.setdefault(str(area), []).append(
                    float(text.split("（")[0].replace(",", ""))
                )
    equations = {}
    for fact in facts:
        area = fact.terms[0][0][2]
        equations.setdefault(area, []).append(fact.value)
    assert {a: sorted(v) for a, v in equations.items()} == {
        a: sorted(v) for a, v in printed.items()
    }
    assert sorted(printed[NABARI]) == [0.0]  # since 令和2年度 (20 → 20); none from the withheld 2
    assert printed[IGA_CITY] == [9.0]  # its 令和6年度 went with 名張市's 2: no change from it
    assert shown[(SERIES, FY, NABARI)] == 20 and (SERIES, 2024, NABARI) not in shown


def test_a_small_region_beside_a_total_entered_apart_from_the_towns_needs_no_other_region(
    bundled_dataset: Dataset,
) -> None:
    """伊賀 is 3 (名張市 1, 伊賀市 2): all three read 「5未満」. The prefecture's total was entered
    5 above the towns' sum, so it minus the other regions is not 伊賀: no other region goes."""
    values = large(bundled_dataset) | {NABARI: 1, IGA_CITY: 2}
    ds = one_table(bundled_dataset, values, total=sum(values.values()) + 5)
    assert withheld_in(suppression(ds, 5)) == {NABARI: SMALL, IGA_CITY: SMALL, "iga": SMALL}
    # the same towns under a total that is their sum: another region is withheld with 伊賀
    summed = withheld_in(suppression(one_table(bundled_dataset, values), 5))
    assert COMPLEMENT in summed.values()
