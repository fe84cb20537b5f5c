"""Plan-wide goals G1/G2: shares of agreeing respondents with Wilson intervals, over any filter.

The share is (そう思う + どちらかといえばそう思う) / all respondents, わからない included, so it
never looks better by leaving the undecided out. Small samples are flagged 参考値, never hidden.
A weighted survey (:mod:`briefing.data.survey_weights`) gives Σw(agree) / Σw, and its interval is
the Wilson interval at Kish's effective sample size (Σw)² / Σw²: weights that correct for who
answered also widen the interval, as if fewer had answered.
"""

from __future__ import annotations

from collections.abc import Iterable
from statistics import NormalDist

import numpy as np
import pandas as pd

from ..data.schema import AGREEING
from ..data.survey_weights import weights


def wilson_interval(
    agree: np.ndarray | float, n: np.ndarray | float, *, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for ``agree`` successes out of ``n``, as shares in 0–1.

    Unlike the textbook ± interval it stays inside 0–1 and behaves for small n and shares near 0.

    >>> low, high = wilson_interval(50, 100)
    >>> round(float(low), 3), round(float(high), 3)
    (0.404, 0.596)
    """
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    agree_arr = np.asarray(agree, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = agree_arr / n_arr
        denominator = 1 + z**2 / n_arr
        centre = (p + z**2 / (2 * n_arr)) / denominator
        half = z * np.sqrt(p * (1 - p) / n_arr + z**2 / (4 * n_arr**2)) / denominator
        low = np.where(n_arr > 0, np.clip(centre - half, 0, 1), np.nan)
        high = np.where(n_arr > 0, np.clip(centre + half, 0, 1), np.nan)
    return low, high


def difference_interval(
    first: tuple[float, float, float], last: tuple[float, float, float]
) -> tuple[float, float]:
    """Interval for last − first of two independent shares, each given as (share, low, high)
    with its Wilson limits: Newcombe's hybrid score method (1998, method 10), which keeps the
    Wilson interval's good behaviour for small n and shares near 0 or 100.

    >>> low, high = difference_interval((40.0, 38.0, 42.0), (45.0, 43.0, 47.0))
    >>> round(low, 2), round(high, 2)
    (2.17, 7.83)
    """
    p1, l1, u1 = first
    p2, l2, u2 = last
    d = p2 - p1
    return d - float(np.hypot(p2 - l2, u1 - p1)), d + float(np.hypot(u2 - p2, p1 - l1))


def survey_shares(
    surveys: pd.DataFrame,
    survey: str,
    *,
    by: str | list[str] | None = None,
    regions: Iterable[str] | None = None,
    groups: Iterable[str] | None = None,
    years: tuple[int, int] | None = None,
    small_n: int = 30,
    hide_below: int = 0,
    hidden: frozenset[tuple[str, int, str, str]] = frozenset(),
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Agreeing share per fiscal year (and per ``by`` column: ``region`` or ``group``).

    ``regions`` and ``groups`` keep only those cells before combining, so a filter to one region
    and one age band gives that cell's share. Returns columns fy, [by], agree, n, share, low, high
    (shares in %), ``weighted`` (the share is weighted), ``n_eff`` (Kish's effective sample size;
    n when unweighted) and ``reference`` (effective n < ``small_n``: show as 参考値). Groups with fewer than
    ``hide_below`` respondents get no share at all: one agency's answer must not be readable;
    nor do the ``hidden`` ones (:mod:`briefing.stats.survey_disclosure`: (survey, fy, region or "*",
    group or "*")), which would give a small group away.
    """
    rows = _chosen(surveys[surveys["survey"] == survey], regions, groups, years)
    keys = ["fy"] + ([by] if isinstance(by, str) else list(by or []))
    table = _summed(rows, keys)
    share = (table["agree_w"] / table["w"]).to_numpy()
    n_eff = (table["w"] ** 2 / table["w2"]).to_numpy()
    low, high = wilson_interval(share * n_eff, n_eff, confidence=confidence)
    table = table.drop(columns=["agree_w", "w", "w2"])
    return table.assign(
        share=100 * share,
        low=100 * low,
        high=100 * high,
        n_eff=n_eff,
        reference=n_eff < small_n,
    ).pipe(
        _hide,
        table["n"] < hide_below,
        _keys(table, survey, by, regions, groups).isin(hidden) & (table["n"] >= hide_below),
    )


def _chosen(
    rows: pd.DataFrame,
    regions: Iterable[str] | None,
    groups: Iterable[str] | None,
    years: tuple[int, int] | None,
) -> pd.DataFrame:
    """The rows of the chosen regions, groups and years (None: all)."""
    if regions is not None:
        rows = rows[rows["region"].isin(list(regions))]
    if groups is not None:
        rows = rows[rows["group"].isin(list(groups))]
    if years is not None:
        rows = rows[rows["fy"].between(*years)]
    return rows


def _summed(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Respondents, agreeing ones and weights summed per ``keys``; cells with nobody dropped."""
    for key in keys[1:]:  # keep the data's own order (北勢 … 東紀州, 18〜29歳 … 70歳以上)
        rows = rows.assign(
            **{key: pd.Categorical(rows[key], categories=list(dict.fromkeys(rows[key])))}
        )
    agreeing = rows["answer"].isin(AGREEING)
    w, w2, weighted = weights(rows)
    rows = rows.assign(
        agree=rows["respondents"].where(agreeing, 0),
        agree_w=w.where(agreeing, 0.0),
        w=w,
        w2=w2,
        is_weighted=weighted,
    )
    grouped = rows.groupby(keys, sort=True, observed=True)
    table = grouped.agg(
        agree=("agree", "sum"),
        n=("respondents", "sum"),
        agree_w=("agree_w", "sum"),
        w=("w", "sum"),
        w2=("w2", "sum"),
        weighted=("is_weighted", "any"),
        sample=("sample", "any"),
    ).reset_index()
    table = table[table["n"] > 0].reset_index(drop=True)
    return table.astype({key: str for key in keys[1:]})


def _keys(
    table: pd.DataFrame,
    survey: str,
    by: str | list[str] | None,
    regions: Iterable[str] | None,
    groups: Iterable[str] | None,
) -> pd.Series:
    """The published cell each row is: one region (or all) × one group (or all)."""
    by = [by] if isinstance(by, str) else list(by or [])
    chosen = {
        "region": list(regions) if regions is not None else None,
        "group": list(groups) if groups is not None else None,
    }

    def fixed(key: str) -> str:
        picked = chosen[key]
        return picked[0] if picked is not None and len(picked) == 1 else "*"

    region = table["region"] if "region" in by else pd.Series(fixed("region"), index=table.index)
    group = table["group"] if "group" in by else pd.Series(fixed("group"), index=table.index)
    return pd.Series(
        list(zip([survey] * len(table), table["fy"].astype(int), region, group, strict=True)),
        index=table.index,
        dtype=object,
    )


def _hide(table: pd.DataFrame, small: pd.Series, protects: pd.Series) -> pd.DataFrame:
    """No share for small groups, nor for the groups hidden to protect them (``protects``)."""
    hidden = small | protects
    columns = ["agree", "share", "low", "high", "n_eff"]
    return table.assign(
        hidden=hidden, protects=protects, **{c: table[c].where(~hidden) for c in columns}
    )
