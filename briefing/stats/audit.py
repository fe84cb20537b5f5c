"""The audit of withheld counts: what a careful reader can work out, by integer programming.

A reader of the dashboard, the briefings and their CSV knows every shown value, every change
shown (latest − previous year, latest − baseline), the sum relations of towns, regions and
prefecture, and what each withheld label means: 「5未満」 is 0 to ``threshold`` − 1, 「秘匿」 is
``threshold`` or more, a partial or missing value is 0 or more. For each 「5未満」 the audit
finds, with HiGHS (scipy), the smallest and the largest whole value consistent with all of that.
It passes when every one of them can still be 1 or less and ``threshold`` − 1: the published
figures say nothing about it beyond its label.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.areas import PREFECTURE
from ..data.dataset import Dataset
from .hierarchy import PROTECTED_KINDS, SumTable, sum_tables
from .statistics import area_history, summarise
from .suppression import COMPLEMENT, SMALL, Suppression
from .survey_disclosure import GroupKey, survey_cells, survey_sums

Cell = tuple[str, int, str]


@dataclass(frozen=True)
class Fact:
    """One published equation: Σ coefficient × cell = value."""

    terms: tuple[tuple[Cell, float], ...]
    value: float


@dataclass(frozen=True)
class Finding:
    """A 「5未満」 that a reader can narrow: its true value and the range left open."""

    cell: Cell
    value: float
    low: float
    high: float


@dataclass(frozen=True)
class AuditResult:
    checked: int
    findings: list[Finding]

    @property
    def passed(self) -> bool:
        return not self.findings


def published_facts(
    ds: Dataset, withheld: Suppression, tables: list[SumTable]
) -> tuple[dict[Cell, float], list[Fact]]:
    """What the views publish about the protected series: shown values and shown changes.

    Taken from the functions the dashboard and the briefing use (``area_history`` for values,
    ``summarise`` for changes), so a view that starts showing more is audited with it.
    """
    by_key = {(t.series, t.fy): t for t in tables}
    protected = {series for series, _ in by_key}
    # a stored prefecture total that is not the towns' sum says nothing about the towns
    unrelated = {(s, fy, PREFECTURE) for (s, fy), t in by_key.items() if PREFECTURE in t.unknown}
    shown: dict[Cell, float] = {}
    facts: list[Fact] = []
    for area in ds.areas.index:
        history = area_history(ds, area)
        history = history[history["series"].isin(protected)]
        reasons = withheld.column(history, area)
        for series, fy, value, why in zip(
            history["series"], history["fy"], history["value"], reasons, strict=True
        ):
            table = by_key.get((series, int(fy)))
            if why or table is None or (series, int(fy), area) in unrelated:
                continue
            shown[(series, int(fy), area)] = float(value)
        summary = summarise(ds, area, withheld=withheld, history=history)
        for row in summary[summary["series"].isin(protected)].itertuples():
            latest = (
                (row.series, int(row.latest_fy), area) if row.latest_fy == row.latest_fy else None
            )
            if latest is None:
                continue
            for change, other_fy in (
                (row.change_previous, row.previous_fy),
                (row.change_baseline, row.baseline_fy),
            ):
                if change == change and other_fy == other_fy and other_fy is not None:
                    other = (row.series, int(other_fy), area)
                    if not {latest, other} & unrelated:
                        facts.append(Fact(((latest, 1.0), (other, -1.0)), float(change)))
    return shown, facts


def audit(
    ds: Dataset,
    withheld: Suppression,
    *,
    extra: Iterable[Fact] = (),
) -> AuditResult:
    """Every 「5未満」 of ``ds`` under ``withheld``, checked against all that is published."""
    tables = sum_tables(ds, PROTECTED_KINDS)
    shown, facts = published_facts(ds, withheld, tables)
    return solve(tables, withheld, shown, [*facts, *extra])


def solve(
    tables: list[SumTable], withheld: Suppression, shown: dict[Cell, float], facts: list[Fact]
) -> AuditResult:
    """The range of each 「5未満」 cell given ``shown`` values, the sums and ``facts``."""
    t = withheld.threshold
    truth, equations = _equations(tables, facts)

    def domain(cell: Cell) -> tuple[float, float]:
        why = withheld.reasons.get(cell, "")
        if why == SMALL:
            return 0.0, t - 1.0
        if why == COMPLEMENT:
            return float(t), np.inf
        return 0.0, np.inf

    # unknowns joined by an equation form one small problem each
    parent: dict[Cell, Cell] = {}

    def find(c: Cell) -> Cell:
        while parent.setdefault(c, c) != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    reduced: list[tuple[dict[Cell, float], float]] = []
    for fact in equations:
        rest: dict[Cell, float] = {}
        value = fact.value
        for cell, coef in fact.terms:
            if cell in shown:
                value -= coef * shown[cell]
            else:
                rest[cell] = rest.get(cell, 0.0) + coef
        if not rest:
            continue
        first = next(iter(rest))
        for cell in rest:
            parent[find(cell)] = find(first)
        reduced.append((rest, value))
    groups: dict[Cell, list[tuple[dict[Cell, float], float]]] = defaultdict(list)
    for rest, value in reduced:
        groups[find(next(iter(rest)))].append((rest, value))
    smalls = [c for c, why in withheld.reasons.items() if why == SMALL]
    findings, checked = [], 0
    for cell in sorted(smalls):
        checked += 1
        rows = groups.get(find(cell), [])
        low, high = _range(cell, rows, domain)
        if low > 1 or high < t - 1:
            findings.append(Finding(cell, truth.get(cell, float("nan")), low, high))
    return AuditResult(checked=checked, findings=findings)


def survey_audit(surveys: pd.DataFrame, hidden: frozenset[GroupKey], threshold: int) -> AuditResult:
    """Hidden survey groups whose agreeing count a reader can narrow from the shown shares and
    every n: each must still range over 0 to its n."""
    findings, checked = [], 0
    for (survey, fy), cells in survey_cells(surveys).items():
        cells = {k: v for k, v in cells.items() if v[1] > 0}
        shown = {k: a for k, (a, _) in cells.items() if (survey, fy, *k) not in hidden}
        rows = []
        for total, parts in survey_sums(list(cells)):
            rest: dict[Cell, float] = {}
            value = 0.0
            for part, coef in ((total, 1.0), *((q, -1.0) for q in parts)):
                if part in shown:
                    value -= coef * shown[part]
                else:
                    rest[(survey, fy, "|".join(part))] = coef
            if rest:
                rows.append((rest, value))
        for k, (agree, n) in cells.items():
            if n >= threshold:
                continue
            group: Cell = (survey, fy, "|".join(k))
            checked += 1
            low, high = _range(group, rows, _domain_n(cells))
            if low > 0 or high < n:
                findings.append(Finding(group, agree, low, high))
    return AuditResult(checked=checked, findings=findings)


def _domain_n(cells: dict[tuple[str, str], tuple[float, float]]) -> object:
    def domain(cell: Cell) -> tuple[float, float]:
        region, group = cell[2].split("|")
        return 0.0, cells[(region, group)][1]

    return domain


def _equations(tables: list[SumTable], facts: list[Fact]) -> tuple[dict[Cell, float], list[Fact]]:
    """Every cell's true value, and what a reader knows: ``facts`` and total − Σ parts = 0."""
    truth: dict[Cell, float] = {}
    equations: list[Fact] = list(facts)
    for table in tables:
        for area, value in table.values.items():
            truth[(table.series, table.fy, area)] = value
        for total, parts in table.sums:
            cells = (
                ((table.series, table.fy, total), 1.0),
                *(((table.series, table.fy, q), -1.0) for q in parts),
            )
            equations.append(Fact(cells, 0.0))
    return truth, equations


def _range(
    cell: Cell, rows: list[tuple[dict[Cell, float], float]], domain: object
) -> tuple[float, float]:
    """Smallest and largest whole value of ``cell`` under ``rows`` (integer programmes)."""
    # imported here: scipy is half of a command's start, and the audit's verdict is usually read
    # from the disclosure store
    from scipy.optimize import Bounds, LinearConstraint, milp

    cells = sorted({c for rest, _ in rows for c in rest} | {cell})
    at = {c: i for i, c in enumerate(cells)}
    bounds = [domain(c) for c in cells]  # type: ignore[operator]
    lb = np.array([b[0] for b in bounds])
    ub = np.array([b[1] for b in bounds])
    constraints = []
    if rows:
        matrix = np.zeros((len(rows), len(cells)))
        for r, (rest, _) in enumerate(rows):
            for c, coef in rest.items():
                matrix[r, at[c]] = coef
        values = np.array([v for _, v in rows])
        constraints.append(LinearConstraint(matrix, values, values))
    result = []
    for sign in (1.0, -1.0):
        cost = np.zeros(len(cells))
        cost[at[cell]] = sign
        found = milp(
            cost,
            constraints=constraints,
            integrality=np.ones(len(cells)),
            bounds=Bounds(lb, ub),
        )
        # never unbounded: the cell's own bounds are finite (0 to threshold − 1, or to its n)
        if found.status != 0:
            raise RuntimeError(f"監査の計算に失敗しました: {cell} {found.message}")
        result.append(sign * found.fun)
    return result[0], result[1]
