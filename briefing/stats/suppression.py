"""Which counts are withheld: small ones, and the fewest others that keep them from being solved.

A count of people or cases from 1 to ``threshold`` − 1 in a town, a region or the prefecture is
withheld and reads 「5未満」 (primary suppression). Because regions and the prefecture are sums
(:mod:`briefing.stats.hierarchy`), more values must go with it (secondary suppression). They are chosen
the way statistical offices do it (τ-ARGUS's and sdcTable's optimal method, after Fischetti and
Salazar): one small integer programme per series and year finds the set of other values of least
total size such that, for every 「5未満」, both 1 and ``threshold`` − 1 stay consistent with
everything published — so a reader who knows every shown value, every sum relation and which
values are withheld still cannot narrow it down. Those others read 「秘匿」; they are never 0 and
never small, so a reader learns only that each is ``threshold`` or more.

A sum over only some towns (a town has not reported) is not a number on the page: it reads
「一部の市町のみ（n/m 市町）」 and counts as unknown here.
:mod:`briefing.stats.audit` checks the result with its own solver.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..data.areas import PREFECTURE
from ..data.dataset import Dataset
from .hierarchy import PROTECTED_KINDS, SumTable, sum_tables

if TYPE_CHECKING:  # scipy is imported where it solves (see _solve)
    from scipy.optimize import LinearConstraint

SMALL = "small"
COMPLEMENT = "complement"
PARTIAL = "partial"

#: Cost of withholding the prefecture's total relative to its value: only when nothing else will do.
TOTAL_COST = 1000.0


class ProtectionError(RuntimeError):
    """No pattern protects a table (should not happen: the prefecture total can always go)."""


@dataclass(frozen=True)
class Suppression:
    """The values of one dataset not shown as numbers.

    ``reasons[(series, fy, area)]`` is SMALL, COMPLEMENT or a partial sum's
    :func:`partial_reason`.
    """

    threshold: int
    reasons: dict[tuple[str, int, str], str]

    def reason(self, series: str, fy: int, area: str) -> str:
        """SMALL, COMPLEMENT, a partial reason, or "" when the value is shown."""
        return self.reasons.get((series, int(fy), area), "")

    def column(self, rows: pd.DataFrame, area: str) -> pd.Series:
        """The reason for each row of ``rows`` (columns series and fy) of ``area``."""
        return pd.Series(
            [
                self.reasons.get((s, int(fy), area), "")
                for s, fy in zip(rows["series"], rows["fy"], strict=True)
            ],
            index=rows.index,
        )


def suppression(ds: Dataset, threshold: int) -> Suppression:
    """Every value of ``ds`` to withhold at ``threshold``: small, partial and complementary."""
    return choose(sum_tables(ds), threshold)


def choose(tables: list[SumTable], threshold: int) -> Suppression:
    """The withheld cells of ``tables``: small ones, partial sums, and optimal complements."""
    reasons: dict[tuple[str, int, str], str] = {}
    for table in tables:
        key = (table.series, table.fy)
        for area in table.cells:
            partial = table.partial(area)
            if partial is not None and (area != PREFECTURE or partial[0] > 0):
                reasons[(*key, area)] = partial_reason(*partial)
        if table.kind not in PROTECTED_KINDS:
            continue
        for area, why in protect(table, threshold).items():
            reasons[(*key, area)] = why
    return Suppression(threshold=threshold, reasons=reasons)


def partial_reason(reported: int, of: int) -> str:
    """The reason of a sum over ``reported`` of its ``of`` towns: "partial:27/29"."""
    return f"{PARTIAL}:{reported}/{of}"


def partial_counts(reason: str) -> tuple[int, int] | None:
    """(reported, of) of a partial reason, None for any other."""
    if not reason.startswith(PARTIAL + ":"):
        return None
    reported, of = reason.removeprefix(PARTIAL + ":").split("/")
    return int(reported), int(of)


def small_cells(table: SumTable, threshold: int) -> list[str]:
    """Published cells whose own value is 1 to ``threshold`` − 1."""
    return [c for c in table.cells if c not in table.unknown and 1 <= table.values[c] < threshold]


def protect(table: SumTable, threshold: int) -> dict[str, str]:
    """SMALL for the small cells of ``table`` and COMPLEMENT for the cheapest cells that hide them.

    A reader knows of a withheld cell: small, 0 to ``threshold`` − 1; 秘匿, ``threshold`` or
    more; unknown (partial), 0 or more. Each small cell must be able to be ``threshold`` − 1 and
    1 or less. Candidates are shown values of ``threshold`` or more; the prefecture's total only
    when nothing else will do.
    """
    primaries = small_cells(table, threshold)
    if not primaries:
        return {}
    a = table.values
    top = max(max(a.values()), 1.0) * 2 + 10 * threshold  # no value of this table reaches it

    def domain(c: str) -> tuple[float, float]:
        if c in primaries:
            return 0.0, threshold - 1.0
        return (0.0, top) if c in table.unknown else (float(threshold), top)

    def targets(p: str) -> list[tuple[float, float]]:
        up = [(threshold - 1.0, threshold - 1.0)] if a[p] < threshold - 1 else []
        return up + ([(0.0, 1.0)] if a[p] > 1 else [])

    candidates = [
        c
        for c in table.cells
        if c not in table.unknown and c not in primaries and a[c] >= threshold
    ]
    chosen = cheapest_pattern(
        a,
        table.sums,
        primaries=primaries,
        candidates=candidates,
        unknown=table.unknown,
        domain=domain,
        targets=targets,
        cost=lambda c: (a[c] + 1) * (TOTAL_COST if c == PREFECTURE else 1.0),
    )
    if chosen is None:
        raise ProtectionError(f"{table.series} {table.fy}年度: 秘匿する組み合わせが見つかりません")
    return dict.fromkeys(primaries, SMALL) | dict.fromkeys(sorted(chosen), COMPLEMENT)


def cheapest_pattern(
    values: Mapping[str, float],
    sums: Sequence[tuple[str, Sequence[str]]],
    *,
    primaries: Sequence[str],
    candidates: Sequence[str],
    unknown: Collection[str],
    domain: Callable[[str], tuple[float, float]],
    targets: Callable[[str], list[tuple[float, float]]],
    cost: Callable[[str], float],
) -> set[str] | None:
    """The candidates of least total ``cost`` to withhold so that every primary can reach each of
    its ``targets`` ranges, or None when no choice does.

    The integer programme (Fischetti and Salazar's model, as in τ-ARGUS and sdcTable): a binary
    per candidate, and for each primary and target a move of every cell that keeps all ``sums``
    (total = Σ parts), keeps each withheld or unknown cell within its ``domain`` (what a reader
    knows of it) and moves a candidate only if it is withheld. Shown cells cannot move.
    """
    cells = list(values)
    at = {c: i for i, c in enumerate(cells)}
    blocks = [(p, goal) for p in primaries for goal in targets(p)]
    if not blocks:
        return set()
    n, k = len(cells), len(candidates)
    size = k + n * len(blocks)
    low, high = np.zeros(size), np.zeros(size)
    high[:k] = 1
    rows_eq: list[dict[int, float]] = []
    rows_le: list[dict[int, float]] = []
    free = set(primaries) | set(unknown)
    slot = {c: s for s, c in enumerate(candidates)}
    for b, (p, (lo, hi)) in enumerate(blocks):
        base = k + n * b
        for i, c in enumerate(cells):
            j, v = base + i, values[c]
            if c == p:
                low[j], high[j] = lo - v, hi - v
            elif c in free or c in slot:
                d = domain(c)
                low[j], high[j] = d[0] - v, d[1] - v
            if c in slot:
                s = slot[c]
                rows_le.append({j: 1.0, s: -(d[1] - v)})  # f ≤ (high − value)·s
                rows_le.append({j: -1.0, s: d[0] - v})  # f ≥ (low − value)·s
        for total, parts in sums:
            rows_eq.append({base + at[total]: 1.0, **{base + at[q]: -1.0 for q in parts}})
    constraints = [_constraint(rows_eq, [0.0] * len(rows_eq), size, equal=True)]
    if rows_le:
        constraints.append(_constraint(rows_le, [0.0] * len(rows_le), size, equal=False))
    objective = np.zeros(size)
    objective[:k] = [cost(c) for c in candidates]
    integrality = np.zeros(size)
    integrality[:k] = 1
    chosen = _solve(objective, constraints, integrality, low, high)
    return None if chosen is None else {c for s, c in enumerate(candidates) if chosen[s] > 0.5}


def _solve(
    objective: np.ndarray,
    constraints: list[LinearConstraint],
    integrality: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
) -> np.ndarray | None:
    """HiGHS's optimum of the integer programme, None when it has none."""
    # imported here: scipy is half of a command's start, and cells are solved for only when
    # their store has no answer for the data yet
    from scipy.optimize import Bounds, milp

    result = milp(
        objective, constraints=constraints, integrality=integrality, bounds=Bounds(low, high)
    )
    return None if result.status != 0 or result.x is None else result.x


def _constraint(
    rows: list[dict[int, float]], values: list[float], size: int, *, equal: bool
) -> LinearConstraint:
    from scipy.optimize import LinearConstraint
    from scipy.sparse import coo_matrix

    r = [i for i, row in enumerate(rows) for _ in row]
    j = [column for row in rows for column in row]
    v = [value for row in rows for value in row.values()]
    matrix = coo_matrix((v, (r, j)), shape=(len(rows), size)).tocsr()
    bound = np.array(values)
    return LinearConstraint(matrix, bound if equal else -np.inf, bound)


def to_json(s: Suppression) -> dict[str, object]:
    """The pattern as plain lists, for the disclosure cache."""
    return {"reasons": [[*k, v] for k, v in sorted(s.reasons.items())]}


def from_json(data: dict[str, Any], threshold: int) -> Suppression:
    return Suppression(
        threshold=threshold,
        reasons={(str(s), int(fy), str(a)): str(v) for s, fy, a, v in data["reasons"]},
    )
