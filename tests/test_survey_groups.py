"""Survey groups too small for a share, and the shares hidden so they stay unreadable.

A member reads each group's n and, for the shown groups, its agreeing share (so its agreeing
count), and knows that a region's groups add up to the region and the regions to the whole. A
group of 1–4 gets no share; ``reader.survey_ranges`` solves what the printed shares still leave
open for it: anything from 0 to its n, or it is given away. Small made-up tables: fast, and each
has one least set of groups to hide.
"""

from __future__ import annotations

import pandas as pd
import pytest
from reader import survey_ranges
from tables import TWO_BY_TWO, answers

from briefing import survey_shares
from briefing.stats.audit import survey_audit
from briefing.stats.survey_disclosure import survey_cells, survey_withheld

ALL = "*"


def hidden_of(keys: frozenset[tuple[str, int, str, str]], fy: int = 2025) -> set[tuple[str, str]]:
    return {(r, g) for s, f, r, g in keys if (s, f) == ("G2", fy)}


def published_cells(
    frame: pd.DataFrame, fy: int = 2025
) -> dict[tuple[str, str], tuple[float, float]]:
    """Every published cell (region or "*", group or "*") → (agreeing, n), counted here."""
    cells: dict[tuple[str, str], tuple[float, float]] = {}
    for row in frame[frame["fy"] == fy].itertuples():
        agree = row.respondents if row.answer == "そう思う" else 0
        for key in ((row.region, row.group), (row.region, ALL), (ALL, row.group), (ALL, ALL)):
            a, n = cells.get(key, (0.0, 0.0))
            cells[key] = (a + agree, n + row.respondents)
    return cells


def given_away(
    frame: pd.DataFrame, hidden: set[tuple[str, str]]
) -> dict[tuple[str, str], tuple[float, float]]:
    """The hidden groups of fewer than 5 whose agreeing count is not free from 0 to n."""
    cells = published_cells(frame)
    ranges = survey_ranges(cells, hidden)
    return {
        k: r
        for k, r in ranges.items()
        if cells[k][1] < 5 and (r[0] > 1e-9 or r[1] < cells[k][1] - 1e-9)
    }


def test_one_small_group_takes_the_other_three_inner_groups_with_it() -> None:
    """伊賀's 3 medical agencies: 伊賀's total minus its other group, or all medical agencies
    minus 中勢's, would give their answers away. The least to hide is the other three groups
    (hiding a total costs more: the whole prefecture most of all); every n stays shown."""
    frame = answers(TWO_BY_TWO)
    hidden = hidden_of(survey_withheld(frame, 5))
    assert hidden == set(TWO_BY_TWO)
    assert given_away(frame, hidden) == {}
    assert given_away(frame, {("iga", "医療機関")}) == {("iga", "医療機関"): (1.0, 1.0)}


def test_the_group_hidden_with_a_small_one_is_the_one_with_fewest_respondents() -> None:
    """伊賀's 3 medical agencies beside 40 councils and 12 NPOs: 伊賀's total would give them
    away, so one more of 伊賀's groups goes — the 12 NPOs, not the 40 councils (though fewer of
    the councils agreed) — and, so that neither group total gives them away, 中勢's medical
    agencies and NPOs (30 and 20 answered, fewer than the group totals, 33 and 32). 中勢's
    councils and every total keep their share."""
    table = {("iga", "医療機関"): (1, 3), ("iga", "社会福祉協議会"): (5, 40)}
    table |= {("iga", "NPO・民間支援団体"): (10, 12), ("chusei", "医療機関"): (10, 30)}
    table |= {("chusei", "社会福祉協議会"): (2, 50), ("chusei", "NPO・民間支援団体"): (15, 20)}
    frame = answers(table)
    hidden = hidden_of(survey_withheld(frame, 5))
    groups = {"医療機関", "NPO・民間支援団体"}
    assert hidden == {(r, g) for r in ("iga", "chusei") for g in groups}
    assert given_away(frame, hidden) == {}
    assert given_away(frame, hidden - {("chusei", "NPO・民間支援団体")}) != {}


def test_a_group_in_which_everyone_agreed_cannot_hide_that_nobody_did() -> None:
    """伊賀's 12 NPOs all agreed: hidden with the 3 medical agencies, 伊賀's total would still
    say at least 1 of the 3 agreed (the NPOs can take no more). The 40 councils go instead."""
    table = {("iga", "医療機関"): (1, 3), ("iga", "社会福祉協議会"): (20, 40)}
    table |= {("iga", "NPO・民間支援団体"): (12, 12), ("chusei", "医療機関"): (10, 30)}
    table |= {("chusei", "社会福祉協議会"): (25, 50), ("chusei", "NPO・民間支援団体"): (8, 20)}
    frame = answers(table)
    hidden = hidden_of(survey_withheld(frame, 5))
    assert hidden == {(r, g) for r in ("iga", "chusei") for g in ("医療機関", "社会福祉協議会")}
    assert given_away(frame, hidden) == {}
    npos = {(r, g) for r in ("iga", "chusei") for g in ("医療機関", "NPO・民間支援団体")}
    assert given_away(frame, npos) == {("iga", "医療機関"): (1.0, 3.0)}


def test_a_region_where_only_4_answered_gets_no_share() -> None:
    """伊賀's 2 medical agencies and 2 councils, 1 of each agreeing, make 4 answers in all: the
    two groups need nothing more (either could be 0 or 2 of 2), but 伊賀's own share would be a
    share of 4, so it is hidden like a group, with 中勢's total and groups to keep it so."""
    table = {("iga", "医療機関"): (1, 2), ("iga", "社会福祉協議会"): (1, 2)}
    table |= {("chusei", "医療機関"): (10, 30), ("chusei", "社会福祉協議会"): (20, 40)}
    frame = answers(table)
    hidden = survey_withheld(frame, 5)
    assert hidden_of(hidden) == {
        (r, g) for r in ("iga", "chusei") for g in ("医療機関", "社会福祉協議会", ALL)
    }
    assert given_away(frame, hidden_of(hidden)) == {}
    regions = survey_shares(frame, "G2", by="region", hide_below=5, hidden=hidden)
    assert regions["share"].isna().all() and list(regions["n"]) == [4, 70]


def test_a_group_with_only_4_answers_in_the_whole_prefecture_gets_no_share() -> None:
    """2 medical agencies in 伊賀 and 2 in 中勢, 1 of each agreeing: the prefecture's row for
    medical agencies is a share of 4, hidden like any small group, with the councils' total and
    their regions' rows to keep it so."""
    table = {("iga", "医療機関"): (1, 2), ("chusei", "医療機関"): (1, 2)}
    table |= {("iga", "社会福祉協議会"): (20, 40), ("chusei", "社会福祉協議会"): (25, 50)}
    frame = answers(table)
    hidden = survey_withheld(frame, 5)
    assert hidden_of(hidden) == {
        (r, g) for r in ("iga", "chusei", ALL) for g in ("医療機関", "社会福祉協議会")
    }
    assert given_away(frame, hidden_of(hidden)) == {}
    groups = survey_shares(frame, "G2", by="group", hide_below=5, hidden=hidden)
    assert groups["share"].isna().all() and list(groups["n"]) == [4, 90]


def test_in_a_survey_of_one_region_the_groups_go_rather_than_the_totals() -> None:
    """Only 伊賀 answered: its 3 medical agencies are the prefecture's too. Hiding 伊賀's and the
    prefecture's totals would also do, but those are the figures quoted; the councils go."""
    table = {("iga", "医療機関"): (1, 3), ("iga", "社会福祉協議会"): (20, 40)}
    frame = answers(table)
    hidden = hidden_of(survey_withheld(frame, 5))
    assert hidden == {(r, g) for r in ("iga", ALL) for g in ("医療機関", "社会福祉協議会")}
    assert given_away(frame, hidden) == {}
    totals = survey_shares(frame, "G2", by="region", hide_below=5, hidden=survey_withheld(frame, 5))
    assert list(totals["n"]) == [43] and totals["share"].notna().all()


def assert_hidden_around_iga_and_chusei_and_the_prefecture_shown(
    frame: pd.DataFrame, n: int
) -> None:
    """伊賀's medical agencies and 中勢's councils go with the totals they meet, nothing can be
    worked out, and the prefecture's share (over ``n`` respondents) stays."""
    hidden = survey_withheld(frame, 5)
    assert hidden_of(hidden) == {
        ("iga", "医療機関"),
        ("chusei", "社会福祉協議会"),
        ("iga", ALL),
        ("chusei", ALL),
        (ALL, "医療機関"),
        (ALL, "社会福祉協議会"),
    }
    assert given_away(frame, hidden_of(hidden)) == {}
    whole = survey_shares(frame, "G2", hide_below=5, hidden=hidden)
    assert list(whole["n"]) == [n] and whole["share"].notna().all()


def test_the_prefectures_share_stays_when_dearer_cells_can_hide_a_small_group() -> None:
    """伊賀's 4 medical agencies, none agreeing. Hiding 伊賀's total, all medical agencies and
    the prefecture's total (24 + 14 + 44 respondents) would do; so do 伊賀's and 中勢's totals,
    中勢's councils and both agency types over the prefecture (98). The prefecture's share is
    the figure quoted, so the dearer set goes and it stays."""
    table = {("iga", "社会福祉協議会"): (0, 20), ("iga", "医療機関"): (0, 4)}
    table |= {("chusei", "社会福祉協議会"): (6, 10), ("chusei", "医療機関"): (0, 10)}
    assert_hidden_around_iga_and_chusei_and_the_prefecture_shown(answers(table), 44)


def test_a_hidden_group_can_take_up_to_all_its_respondents_agreeing() -> None:
    """伊賀's 3 medical agencies all agreed; so did 中勢's 20. Their 0 must stay possible: 3 fewer
    agreeing there, 3 more in 中勢's councils (6 of 10, room for 4), so those go with the totals
    they meet, and the prefecture's share stays."""
    table = {("iga", "医療機関"): (3, 3), ("chusei", "医療機関"): (20, 20)}
    table |= {("chusei", "社会福祉協議会"): (6, 10)}
    assert_hidden_around_iga_and_chusei_and_the_prefecture_shown(answers(table), 33)


def test_hidden_groups_show_their_n_but_no_share_and_the_totals_stay() -> None:
    frame = answers(TWO_BY_TWO)
    hidden = survey_withheld(frame, 5)
    regions = survey_shares(frame, "G2", by="region", hide_below=5, hidden=hidden)
    assert regions["share"].notna().all() and list(regions["n"]) == [43, 80]
    iga = survey_shares(
        frame, "G2", by="group", regions=["iga"], hide_below=5, hidden=hidden
    ).set_index("group")
    assert iga["share"].isna().all() and list(iga["n"]) == [3, 40]
    assert iga.loc["医療機関", "hidden"] and not iga.loc["医療機関", "protects"]
    assert iga.loc["社会福祉協議会", "protects"]  # hidden to protect the small one
    whole = survey_shares(frame, "G2", by="group", hide_below=5, hidden=hidden)
    assert whole["share"].notna().all()  # the prefecture's groups: 33 and 90


def test_a_group_of_one_respondent_gets_no_share() -> None:
    """伊賀's one medical agency agreed: a share would say so (100%). It shows only its n of 1,
    and the other three groups go with it, as for a group of 3."""
    table = dict(TWO_BY_TWO) | {("iga", "医療機関"): (1, 1)}
    frame = answers(table)
    hidden = survey_withheld(frame, 5)
    assert hidden_of(hidden) == set(TWO_BY_TWO)
    assert given_away(frame, hidden_of(hidden)) == {}
    iga = survey_shares(
        frame, "G2", by="group", regions=["iga"], hide_below=5, hidden=hidden
    ).set_index("group")
    assert iga["share"].isna().all() and list(iga["n"]) == [1, 40]


def test_five_respondents_get_a_share_and_four_do_not() -> None:
    table = {("iga", "医療機関"): (2, 5), ("iga", "社会福祉協議会"): (20, 40)}
    assert survey_withheld(answers(table), 5) == frozenset()
    table[("iga", "医療機関")] = (2, 4)
    hidden = hidden_of(survey_withheld(answers(table), 5))
    assert ("iga", "医療機関") in hidden
    assert given_away(answers(table), hidden) == {}


def test_two_small_groups_that_cover_each_other_hide_nothing_else() -> None:
    """伊賀's 3 and 2: 伊賀's 5 answers split 2 + 3, and the other region holds nothing of
    these groups: no one can tell how the 2 agreeing are split."""
    table = {("iga", "医療機関"): (1, 3), ("iga", "社会福祉協議会"): (1, 2)}
    table |= {("chusei", "教育・就労支援機関"): (10, 30)}
    frame = answers(table)
    hidden = hidden_of(survey_withheld(frame, 5))
    assert ("iga", "医療機関") in hidden and ("iga", "社会福祉協議会") in hidden
    assert given_away(frame, hidden) == {}


def test_each_year_and_survey_is_its_own_table() -> None:
    frame = pd.concat(
        [answers(TWO_BY_TWO, 2024), answers({k: (v[0], v[1] + 10) for k, v in TWO_BY_TWO.items()})]
    )
    withheld = survey_withheld(frame, 5)
    assert hidden_of(withheld, 2024) == set(TWO_BY_TWO)
    assert hidden_of(withheld, 2025) == set()


def test_a_group_nobody_answered_is_not_a_cell() -> None:
    table = dict(TWO_BY_TWO) | {("iga", "NPO・民間支援団体"): (0, 0)}
    cells = survey_cells(answers(table))[("G2", 2025)]
    assert cells[("iga", "NPO・民間支援団体")] == (0.0, 0.0)
    assert hidden_of(survey_withheld(answers(table), 5)) == set(TWO_BY_TWO)


@pytest.mark.parametrize("threshold", [5, 4])
def test_the_survey_audit_finds_a_group_hidden_alone(threshold: int) -> None:
    frame = answers(TWO_BY_TWO)
    alone = frozenset({("G2", 2025, "iga", "医療機関")})
    found = survey_audit(frame, alone, threshold)
    assert found.checked == 1
    assert [(f.cell, f.value, f.low, f.high) for f in found.findings] == [
        (("G2", 2025, "iga|医療機関"), 1.0, 1.0, 1.0)
    ]
    sound = survey_audit(frame, survey_withheld(frame, threshold), threshold)
    assert sound.checked == 1 and sound.passed


def test_the_survey_audit_passes_when_the_n_leaves_the_count_open() -> None:
    """Hidden shares whose counts add up to a shown total still leave each open from 0 to n."""
    table = {("iga", "医療機関"): (1, 3), ("iga", "社会福祉協議会"): (2, 3)}
    table |= {("chusei", "医療機関"): (0, 3), ("chusei", "社会福祉協議会"): (3, 3)}
    frame = answers(table)
    withheld = survey_withheld(frame, 5)
    found = survey_audit(frame, withheld, 5)
    assert found.checked == len([k for k, (_, n) in published_cells(frame).items() if n < 5])
    assert found.findings == []


@pytest.mark.parametrize(
    ("options", "hidden_rows"),
    [
        ({"by": "group", "regions": ["iga"]}, 2),
        ({"by": "region", "groups": ["医療機関"]}, 2),
        ({"by": ["region", "group"]}, 4),
        ({"regions": ["iga"], "groups": ["医療機関"]}, 1),
        ({"by": "group", "regions": ["chusei"], "groups": ["社会福祉協議会"]}, 1),
        ({"regions": ["iga"]}, 0),
        ({"by": "group"}, 0),
        ({"by": "region"}, 0),
        ({}, 0),
    ],
    ids=[
        "iga-by-group",
        "medical-by-region",
        "every-cell",
        "one-cell",
        "one-cell-by-group",
        "iga-total",
        "prefecture-by-group",
        "by-region",
        "prefecture",
    ],
)
def test_every_view_of_a_hidden_group_hides_its_share_and_only_those(
    options: dict[str, object], hidden_rows: int
) -> None:
    """The same four inner groups are hidden whichever way a member filters and groups the
    table (a region's groups, a group's regions, one cell); totals stay shown, with every n."""
    frame = answers(TWO_BY_TWO)
    shares = survey_shares(frame, "G2", hide_below=5, hidden=survey_withheld(frame, 5), **options)  # type: ignore[arg-type]
    assert int(shares["share"].isna().sum()) == hidden_rows
    assert shares["n"].notna().all() and (shares["n"] > 0).all()
    hidden = shares[shares["share"].isna()]
    assert hidden[["agree", "low", "high"]].isna().all().all()
    assert (hidden["protects"] == (hidden["n"] >= 5)).all()
    assert not shares.loc[shares["share"].notna(), "hidden"].any()


def test_a_share_is_sample_data_if_any_of_its_answers_is() -> None:
    frame = answers({("iga", "医療機関"): (5, 10), ("chusei", "医療機関"): (5, 10)})
    frame.loc[frame["region"] == "chusei", "sample"] = False
    by_region = survey_shares(frame, "G2", by="region").set_index("region")
    assert by_region["sample"].to_dict() == {"iga": True, "chusei": False}
    assert bool(survey_shares(frame, "G2")["sample"].iloc[0])


CHUSEI = {("chusei", "医療機関"): (10, 30), ("chusei", "社会福祉協議会"): (20, 40)}


@pytest.mark.parametrize(
    ("iga", "hidden", "found"),
    [
        # nobody agreed: 0 of 3, given away as 0 (the upper end narrowed)
        ({"医療機関": (0, 3), "社会福祉協議会": (20, 40)}, ["医療機関"], (0, 0)),
        # everybody agreed: 3 of 3 (the lower end narrowed)
        ({"医療機関": (3, 3), "社会福祉協議会": (20, 40)}, ["医療機関"], (3, 3)),
        # one respondent
        ({"医療機関": (1, 1), "社会福祉協議会": (20, 40)}, ["医療機関"], (1, 1)),
        # 3 of 3 beside 38 of 40 with 伊賀's 41 shown: at least 1 agreed, so never 0
        ({"医療機関": (3, 3), "社会福祉協議会": (38, 40)}, ["医療機関", "社会福祉協議会"], (1, 3)),
    ],
    ids=["none-agreed", "all-agreed", "one-respondent", "at-least-one"],
)
def test_the_survey_audit_finds_either_end_narrowed(
    iga: dict[str, tuple[int, int]], hidden: list[str], found: tuple[int, int]
) -> None:
    """伊賀's medical agencies hidden with too little around them (中勢's groups and every total
    shown, or the group totals hidden with 伊賀's groups): a reader narrows them."""
    frame = answers({("iga", g): v for g, v in iga.items()} | CHUSEI)
    cells = {("iga", g) for g in hidden} | (
        {("*", g) for g in hidden} if len(hidden) > 1 else set()
    )
    keys = frozenset(("G2", 2025, r, g) for r, g in cells)
    result = survey_audit(frame, keys, 5)
    assert result.checked == 1
    assert [(f.cell, f.low, f.high) for f in result.findings] == [
        (("G2", 2025, "iga|医療機関"), *map(float, found))
    ]
    ranges = survey_ranges(published_cells(frame), cells)
    assert ranges[("iga", "医療機関")] == pytest.approx(found)


def test_the_survey_audit_checks_groups_under_the_threshold_that_someone_answered() -> None:
    """A group of exactly 5 is not small; a group nobody answered is not a cell."""
    table = {("iga", "医療機関"): (1, 3), ("iga", "社会福祉協議会"): (2, 5)}
    table |= {("iga", "NPO・民間支援団体"): (0, 0), ("chusei", "医療機関"): (10, 30)}
    frame = answers(table)
    result = survey_audit(frame, survey_withheld(frame, 5), 5)
    assert result.checked == 1 and result.passed


def test_a_small_group_total_is_hidden_in_the_prefectures_table_too() -> None:
    """Only 伊賀 has medical agencies (3): the prefecture's row for them is as small."""
    table = {("iga", "医療機関"): (1, 3), ("iga", "社会福祉協議会"): (20, 40)}
    table |= {("chusei", "社会福祉協議会"): (25, 50), ("chusei", "教育・就労支援機関"): (10, 30)}
    frame = answers(table | {("chusei", "NPO・民間支援団体"): (0, 0)})
    hidden = survey_withheld(frame, 5)
    assert ("G2", 2025, "*", "医療機関") in hidden
    by_group = survey_shares(frame, "G2", by="group", hide_below=5, hidden=hidden)
    shares = dict(zip(by_group["group"], by_group["share"], strict=True))
    assert "NPO・民間支援団体" not in shares  # nobody answered: no row at all
    assert pd.isna(shares["医療機関"])
    assert given_away(frame, hidden_of(hidden)) == {}


def test_a_group_of_exactly_five_hidden_to_protect_another_stays_hidden() -> None:
    """伊賀's 5 social welfare councils are not small themselves, but hidden with the 3 medical
    agencies beside them: no share for them in any table."""
    table = {("iga", "医療機関"): (1, 3), ("iga", "社会福祉協議会"): (2, 5)}
    table |= {("chusei", "医療機関"): (10, 30), ("chusei", "社会福祉協議会"): (20, 40)}
    frame = answers(table)
    hidden = survey_withheld(frame, 5)
    assert ("G2", 2025, "iga", "社会福祉協議会") in hidden
    iga = survey_shares(frame, "G2", by="group", regions=["iga"], hide_below=5, hidden=hidden)
    five = iga.set_index("group").loc["社会福祉協議会"]
    assert five["n"] == 5 and pd.isna(five["share"]) and five["protects"]
