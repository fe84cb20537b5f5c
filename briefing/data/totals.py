"""The rule for totals: which kinds of figure add up over towns, and what a sum's status is.

A region's value, and a prefecture total that staff leave to be computed, is the sum of its
municipalities' values; the sum is 速報 while any of them is (a provisional part makes the
whole provisional).
"""

from __future__ import annotations

from collections.abc import Iterable

#: Kinds whose regional and prefecture value is the sum of the towns' (shares and milestones are not).
SUMMED_KINDS = ("count", "stock")


def sum_status(statuses: Iterable[object]) -> str:
    """The status of a sum: 速報 if any part is 速報, else 確定."""
    return "速報" if any(status == "速報" for status in statuses) else "確定"
