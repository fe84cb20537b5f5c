"""Which survey groups get no share: small ones, and the fewest others that keep them hidden.

For each survey and year the dashboard and the briefing publish agreeing shares and n for every
region × group (a region's breakdown), every region, every group over the prefecture, and the
prefecture. With a share and its n, the agreeing count is known (one decimal is exact below
n = 500), and the counts add up across regions and across groups. A group with fewer than
``threshold`` respondents shows only its n; the same integer programme as for counts
(:func:`briefing.stats.suppression.cheapest_pattern`) hides the shares of the fewest other respondents
so that every hidden group's agreeing count could still be anything from 0 to its n.
n is always published (it says how many answered, not how they answered).
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from ..data.schema import AGREEING
from .suppression import ProtectionError, cheapest_pattern

#: A margin over all regions or all groups.
ALL = "*"

#: (survey, fy, region or ALL, group or ALL)
GroupKey = tuple[str, int, str, str]


def survey_cells(
    surveys: pd.DataFrame,
) -> dict[tuple[str, int], dict[tuple[str, str], tuple[float, float]]]:
    """Per survey and year: (region, group) → (agreeing, n), margins included."""
    rows = surveys.assign(agree=surveys["respondents"].where(surveys["answer"].isin(AGREEING), 0))
    grouped = rows.groupby(["survey", "fy", "region", "group"], sort=False)[
        ["agree", "respondents"]
    ].sum()
    tables: dict[tuple[str, int], dict[tuple[str, str], tuple[float, float]]] = defaultdict(dict)
    for (survey, fy, region, group), (agree, n) in grouped.iterrows():
        cells = tables[(str(survey), int(fy))]
        for key in ((region, group), (region, ALL), (ALL, group), (ALL, ALL)):
            a, m = cells.get(key, (0.0, 0.0))
            cells[key] = (a + float(agree), m + float(n))
    return tables


def survey_withheld(surveys: pd.DataFrame, threshold: int) -> frozenset[GroupKey]:
    """Every published survey cell whose share is not shown (its n still is)."""
    hidden: set[GroupKey] = set()
    for (survey, fy), cells in survey_cells(surveys).items():
        answered = {k: v for k, v in cells.items() if v[1] > 0}  # nobody answered: nothing shown
        hidden |= {(survey, fy, *k) for k in _protect(answered, threshold, f"{survey} {fy}年度")}
    return frozenset(hidden)


def _protect(
    cells: dict[tuple[str, str], tuple[float, float]], threshold: int, what: str
) -> set[tuple[str, str]]:
    """The small cells of one table and the cheapest others (fewest respondents) to hide."""
    primaries = [k for k, (_, n) in cells.items() if n < threshold]
    if not primaries:
        return set()
    names = {k: f"{k[0]}|{k[1]}" for k in cells}
    agree = {names[k]: a for k, (a, _) in cells.items()}
    size = {names[k]: n for k, (_, n) in cells.items()}
    everyone = names[(ALL, ALL)]
    chosen = cheapest_pattern(
        agree,
        [(names[t], [names[p] for p in parts]) for t, parts in survey_sums(list(cells))],
        primaries=[names[k] for k in primaries],
        candidates=[names[k] for k in cells if k not in primaries],
        unknown=(),
        domain=lambda c: (0.0, size[c]),
        targets=lambda c: [(g, g) for g in (0.0, size[c]) if g != agree[c]],
        cost=lambda c: size[c] * (1000.0 if c == everyone else 1.0),
    )
    if chosen is None:
        raise ProtectionError(f"{what}: 調査の区分を伏せる組み合わせが見つかりません")
    back = {v: k for k, v in names.items()}
    return set(primaries) | {back[c] for c in chosen}


def survey_sums(
    cells: list[tuple[str, str]],
) -> list[tuple[tuple[str, str], list[tuple[str, str]]]]:
    """Region total = Σ its groups; group total = Σ regions; prefecture = Σ regions."""
    regions = sorted({r for r, g in cells if r != ALL})
    groups = sorted({g for r, g in cells if g != ALL})
    present = set(cells)
    sums = []
    for r in regions:
        sums.append(((r, ALL), [(r, g) for g in groups if (r, g) in present]))
    for g in groups:
        sums.append(((ALL, g), [(r, g) for r in regions if (r, g) in present]))
    sums.append(((ALL, ALL), [(r, ALL) for r in regions]))
    return sums
