"""Which regional counts are withheld: small ones, and others that would give a small one away.

A region's count is the sum of its towns', and the prefecture's the sum of the regions'. If only
one value in such a sum is withheld, it can be worked out from the total and the others, so a
second value is withheld with it (complementary suppression): the smallest other count in the
sum, or the total itself when nothing else in the sum is counted. This is repeated until no sum
has exactly one withheld value. Small counts read 「5未満」; the others read 「秘匿」.

It is the usual rule of thumb, not an audit of every combination of sums.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from .dataset import PREFECTURE, Dataset

#: Kinds whose small regional values could identify people (places and windows cannot).
SUPPRESSIBLE = ("count",)
SMALL = "small"
COMPLEMENT = "complement"


def suppress_mask(
    values: pd.Series, *, kind: pd.Series | str, area: str, threshold: int
) -> pd.Series:
    """True where a value is itself small: a regional count from 1 to ``threshold`` − 1."""
    if area == PREFECTURE:
        return pd.Series(False, index=values.index)
    kinds = kind if isinstance(kind, pd.Series) else pd.Series(kind, index=values.index)
    return kinds.isin(SUPPRESSIBLE) & (values >= 1) & (values < threshold)


@dataclass(frozen=True)
class Suppression:
    """The withheld values of one dataset: ``reasons[(series, fy, area)]`` is SMALL or COMPLEMENT."""

    threshold: int
    reasons: dict[tuple[str, int, str], str]

    def reason(self, series: str, fy: int, area: str) -> str:
        """SMALL, COMPLEMENT, or "" when the value is shown."""
        return self.reasons.get((series, int(fy), area), "")

    def column(self, rows: pd.DataFrame, area: str) -> pd.Series:
        """The reason for each row of ``rows`` (columns series and fy) of ``area``."""
        return pd.Series(
            [
                self.reasons.get((s, int(fy), area), "")
                for s, fy in zip(rows["series"], rows["fy"], strict=True)
            ],
            index=rows.index,
            dtype=object,
        )


def suppression(ds: Dataset, threshold: int) -> Suppression:
    """Every regional count of ``ds`` to withhold at ``threshold``, small or complementary."""
    kinds = ds.history["series"].map(ds.series["kind"])
    towns = ds.history[kinds.isin(SUPPRESSIBLE) & (ds.history["area"] != PREFECTURE)]
    # one pass in plain Python: per (series, year), every town's value and each region's towns
    values: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
    members: dict[tuple[str, int], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    region_of = ds.areas["region"].to_dict()
    for series, fy, area, value in zip(
        towns["series"], towns["fy"], towns["area"], towns["value"], strict=True
    ):
        key = (series, int(fy))
        values[key][area] = float(value)
        members[key][region_of[area]].append(area)
    reasons: dict[tuple[str, int, str], str] = {}
    for key, cells in values.items():
        for region, parts in members[key].items():
            cells[region] = sum(cells[t] for t in parts)
        withheld = {cell: SMALL for cell, v in cells.items() if 1 <= v < threshold}
        if not withheld:
            continue
        sums_of: list[tuple[str | None, list[str]]] = [(None, list(members[key]))]
        sums_of += [(region, parts) for region, parts in members[key].items()]
        _complete(withheld, sums_of, cells)
        reasons |= {(key[0], key[1], cell): why for cell, why in withheld.items()}
    return Suppression(threshold=threshold, reasons=reasons)


def _complete(
    withheld: dict[str, str], sums_of: list[tuple[str | None, list[str]]], values: dict[str, float]
) -> None:
    """Withhold more values until no sum (total, parts) has exactly one withheld value.

    A total of ``None`` is the prefecture's, which is always shown.
    """
    changed = True
    while changed:
        changed = False
        for total, parts in sums_of:
            cells = parts if total is None else [total, *parts]
            if sum(cell in withheld for cell in cells) != 1:
                continue
            others = sorted((values[c], c) for c in parts if c not in withheld and values[c] > 0)
            if others:
                withheld[others[0][1]] = COMPLEMENT
            elif total is not None and total not in withheld:
                withheld[total] = COMPLEMENT
            else:
                continue  # nothing else in this sum is counted: the total is the value itself
            changed = True
