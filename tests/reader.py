"""What a careful reader can work out from published figures, solved here from scratch.

Independent of ``briefing.stats.audit``: a reader knows the printed text of every area's value of one
count table (a number, 「N未満」 = 0 to N − 1, 「秘匿」 = N or more, a partial sum = 0 or more),
that a region is the sum of its towns and the prefecture the sum of the regions; and, for a
survey table, every group's n and every shown share (so its agreeing count), with the same sums
across regions and groups. scipy's ``linprog`` gives the smallest and largest value each
withheld cell can still take. A linear programme can only widen the integer range, so a range it
finds narrowed is narrowed for the reader too.
"""

from __future__ import annotations

import math
import re

import numpy as np
from scipy.optimize import linprog

from briefing import PREFECTURE, Dataset
from briefing.content.formatting import value_text
from briefing.stats.suppression import Suppression

#: Area code → printed text of its value (absent: no value printed).
Printed = dict[str, str]


def printed_counts(ds: Dataset, withheld: Suppression, series: str, fy: int) -> Printed:
    """Every area's value of one count table as the views print it (values summed here)."""
    rows = ds.history[(ds.history["series"] == series) & (ds.history["fy"] == fy)]
    given = dict(zip(rows["area"], rows["value"], strict=True))
    values = {t: v for t, v in given.items() if t != PREFECTURE}
    for region in regions(ds):
        towns = [t for t in towns_of(ds, region) if t in given]
        if towns:
            values[region] = sum(given[t] for t in towns)
    if PREFECTURE in given:
        values[PREFECTURE] = given[PREFECTURE]
    threshold = withheld.threshold
    return {
        area: value_text(
            value, kind="count", suppressed=withheld.reason(series, fy, area), threshold=threshold
        )
        for area, value in values.items()
    }


def regions(ds: Dataset) -> list[str]:
    return [str(c) for c in ds.areas.index[ds.areas["level"] == "region"]]


def towns_of(ds: Dataset, region: str) -> list[str]:
    return [str(c) for c in ds.areas.index[ds.areas["region"] == region]]


def _bounds(text: str | None) -> tuple[float, float | None]:
    if text is None or text.startswith("一部"):
        return 0.0, None
    if small := re.fullmatch(r"(\d+)未満", text):
        return 0.0, float(small.group(1)) - 1
    if text == "秘匿":
        return math.nan, None  # the threshold, filled in by the caller
    number = float(text.replace(",", ""))
    return number, number


def count_ranges(ds: Dataset, printed: Printed, threshold: int) -> dict[str, tuple[float, float]]:
    """The range each 「N未満」 area can still take, given everything else printed."""
    cells = [t for r in regions(ds) for t in towns_of(ds, r)] + regions(ds) + [PREFECTURE]
    at = {c: i for i, c in enumerate(cells)}
    equations = []
    for total, parts in [(r, towns_of(ds, r)) for r in regions(ds)] + [(PREFECTURE, regions(ds))]:
        row = [0.0] * len(cells)
        row[at[total]] = 1.0
        for p in parts:
            row[at[p]] = -1.0
        equations.append(row)
    bounds = []
    for c in cells:
        low, high = _bounds(printed.get(c))
        bounds.append((float(threshold), None) if math.isnan(low) else (low, high))
    result = {}
    for c in cells:
        if not re.fullmatch(r"\d+未満", printed.get(c, "")):
            continue
        ends = []
        for sign in (1.0, -1.0):
            goal = np.zeros(len(cells))
            goal[at[c]] = sign
            found = linprog(goal, A_eq=equations, b_eq=[0.0] * len(equations), bounds=bounds)
            assert found.status == 0, (c, found.message)
            ends.append(sign * found.fun)
        result[c] = (ends[0], ends[1])
    return result


def narrowed_counts(
    ds: Dataset, printed: Printed, threshold: int
) -> dict[str, tuple[float, float]]:
    """The 「N未満」 areas a reader can tell apart from 1 or from N − 1 (empty when protected)."""
    return {
        area: (low, high)
        for area, (low, high) in count_ranges(ds, printed, threshold).items()
        if low > 1 + 1e-9 or high < threshold - 1 - 1e-9
    }


#: (region or "*", group or "*") → (agreeing count, n); a survey group table of one year.
Cells = dict[tuple[str, str], tuple[float, float]]


def survey_ranges(
    cells: Cells, hidden: set[tuple[str, str]]
) -> dict[tuple[str, str], tuple[float, float]]:
    """The range of the agreeing count of each hidden cell, from every n and every shown share."""
    keys = list(cells)
    at = {k: i for i, k in enumerate(keys)}
    equations = []
    for region in {r for r, _ in keys if r != "*"}:
        row = [0.0] * len(keys)
        row[at[(region, "*")]] = 1.0
        for r, g in keys:
            if r == region and g != "*":
                row[at[(r, g)]] = -1.0
        equations.append(row)
    for group in {g for _, g in keys if g != "*"}:
        row = [0.0] * len(keys)
        row[at[("*", group)]] = 1.0
        for r, g in keys:
            if g == group and r != "*":
                row[at[(r, g)]] = -1.0
        equations.append(row)
    row = [0.0] * len(keys)
    row[at[("*", "*")]] = 1.0
    for r, g in keys:
        if r != "*" and g == "*":
            row[at[(r, g)]] = -1.0
    equations.append(row)
    bounds = [(0.0, cells[k][1]) if k in hidden else (cells[k][0], cells[k][0]) for k in keys]
    result = {}
    for k in hidden:
        ends = []
        for sign in (1.0, -1.0):
            goal = np.zeros(len(keys))
            goal[at[k]] = sign
            found = linprog(goal, A_eq=equations, b_eq=[0.0] * len(equations), bounds=bounds)
            assert found.status == 0, (k, found.message)
            ends.append(sign * found.fun)
        result[k] = (ends[0], ends[1])
    return result
