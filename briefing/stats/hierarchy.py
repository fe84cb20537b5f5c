"""The sums a reader knows: municipalities → region → prefecture, per count series and year.

A region's count is the sum of its towns', the prefecture's the sum of the regions'. These
relations are public (the README says so), so they are equations anyone can solve with the
published values. Disclosure control (:mod:`briefing.stats.suppression`) and its audit
(:mod:`briefing.stats.audit`) both work on these tables, built once here.

A region is *complete* in a year when every one of its towns reported; otherwise its sum is
partial and is not published as a number. The prefecture's value of a series broken down by
municipality is the stored total when it equals the sum of the towns; a total that differs (or a
year with missing towns) leaves the sum of the towns unpublished.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..data.areas import PREFECTURE
from ..data.dataset import Dataset
from ..data.fiscal import format_fy
from ..data.totals import SUMMED_KINDS

#: Kinds whose small regional values could identify people (places and windows cannot).
PROTECTED_KINDS = ("count",)


@dataclass(frozen=True)
class SumTable:
    """One series and year: every town, region and the prefecture, and the sums between them.

    ``values`` holds what the data says (a missing town counts 0, a region the sum of the towns
    that reported); ``reported[area]`` is (towns reported, towns in the area) for regions and
    the prefecture; ``unknown`` are the cells that are not published as numbers whatever the
    disclosure rule decides (missing towns, partial sums, a sum that differs from the stored
    prefecture total).
    """

    series: str
    kind: str
    fy: int
    values: dict[str, float]
    sums: tuple[tuple[str, tuple[str, ...]], ...]
    reported: dict[str, tuple[int, int]]
    unknown: frozenset[str]
    entered_total: float | None

    @property
    def cells(self) -> list[str]:
        return list(self.values)

    def partial(self, area: str) -> tuple[int, int] | None:
        """(reported, of) when ``area``'s value is a sum over only some of its towns."""
        got = self.reported.get(area)
        return got if got is not None and got[0] < got[1] else None


def sum_tables(ds: Dataset, kinds: tuple[str, ...] = SUMMED_KINDS) -> list[SumTable]:
    """Every (series, year) table of the series of ``kinds`` that have a municipal breakdown."""
    history = ds.history
    rows = history[history["kind"].isin(kinds) & (history["breakdown"] != "none")]
    areas = ds.areas
    towns_of: dict[str, list[str]] = defaultdict(list)
    for code, level, region in zip(areas.index, areas["level"], areas["region"], strict=True):
        if level == "municipality":
            towns_of[str(region)].append(str(code))
    regions = [str(c) for c in areas.index[areas["level"] == "region"]]
    all_towns = [t for r in regions for t in towns_of[r]]
    found: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
    for series, fy, area, value in zip(
        rows["series"], rows["fy"], rows["area"], rows["value"], strict=True
    ):
        found[(str(series), int(fy))][str(area)] = float(value)
    tables = []
    for (series, fy), given in sorted(found.items()):
        values = {t: given.get(t, 0.0) for t in all_towns}
        reported: dict[str, tuple[int, int]] = {}
        unknown = {t for t in all_towns if t not in given}
        for region in regions:
            parts = towns_of[region]
            values[region] = sum(values[t] for t in parts)
            reported[region] = (sum(t in given for t in parts), len(parts))
            if reported[region][0] < len(parts):
                unknown.add(region)
        total = sum(values[r] for r in regions)
        values[PREFECTURE] = total
        reported[PREFECTURE] = (len(all_towns) - len(unknown & set(all_towns)), len(all_towns))
        entered = given.get(PREFECTURE)
        if reported[PREFECTURE][0] < len(all_towns) or entered is None or entered != total:
            unknown.add(PREFECTURE)
        sums = ((PREFECTURE, tuple(regions)),) + tuple((r, tuple(towns_of[r])) for r in regions)
        tables.append(
            SumTable(
                series=series,
                kind=str(ds.series.at[series, "kind"]),
                fy=fy,
                values=values,
                sums=sums,
                reported=reported,
                unknown=frozenset(unknown),
                entered_total=entered,
            )
        )
    return tables


def completeness_notes(ds: Dataset) -> list[str]:
    """For ``briefing check``: years whose regional sums lack towns, and prefecture totals that
    differ from the sum of the towns (both values shown)."""
    notes = []
    for table in sum_tables(ds):
        name = f"{table.series} {format_fy(table.fy)}"
        got, of = table.reported[PREFECTURE]
        if 0 < got < of:
            missing = [
                str(ds.areas.at[t, "name_ja"])
                for _, parts in table.sums[1:]
                for t in parts
                if t in table.unknown
            ]
            notes.append(
                f"{name}: {of} 市町のうち {got} 市町の値しかありません（未報告: {'、'.join(missing)}）。"
                "地域と県全体の合計は「一部の市町のみ」と表示します。"
            )
        elif got == of and table.entered_total not in (None, table.values[PREFECTURE]):
            notes.append(
                f"{name}: 県全体の値 {table.entered_total:,.0f} が市町の合計 "
                f"{table.values[PREFECTURE]:,.0f} と異なります。県全体の値は入力どおり表示します。"
            )
    return notes
