"""Indicator statistics: values for any area, latest value and the changes since earlier years.

Pure functions on the :class:`~briefing.data.dataset.Dataset` tables: they return new DataFrames and
never change their inputs. Monitoring indicators have no targets, so nothing here judges a value;
it only says how it moved.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.areas import PREFECTURE
from ..data.dataset import Dataset
from ..data.totals import SUMMED_KINDS
from .suppression import Suppression, suppression

_COLUMNS = ["series", "fy", "value", "status", "sample", "comment", "source", "updated"]


def area_level(ds: Dataset, area: str) -> str:
    """``prefecture``, ``region`` or ``municipality`` for an area code."""
    return str(ds.areas.at[area, "level"])


def area_history(ds: Dataset, area: str = PREFECTURE) -> pd.DataFrame:
    """Every series' yearly values for ``area``; a region is the sum of its municipalities.

    Series without a regional breakdown (or whose kind cannot be summed) have no rows for a region
    or a municipality: callers say "no breakdown" rather than showing zeros.
    """
    history = ds.history
    level = area_level(ds, area)
    if level != "region":
        return history.loc[history["area"] == area, _COLUMNS].reset_index(drop=True)
    towns = ds.areas.index[ds.areas["region"] == area]
    rows = history[history["area"].isin(towns) & history["kind"].isin(SUMMED_KINDS)]
    # the latest update is the highest rank among the sorted dates: a max over integers, not
    # over date objects in Python (60 ms at ten times today's data)
    rank, dates = pd.factorize(rows["updated"], sort=True)
    rows = rows.assign(provisional=rows["status"] == "速報", updated=rank)
    grouped = rows.groupby(["series", "fy"], sort=True)
    result = grouped.agg(
        value=("value", "sum"),
        provisional=("provisional", "any"),  # data.totals.sum_status, for whole columns
        sample=("sample", "any"),
        updated=("updated", "max"),
    ).reset_index()
    result["updated"] = dates[result["updated"]]
    result["status"] = result["provisional"].map({True: "速報", False: "確定"})
    result["comment"] = ""
    result["source"] = grouped["source"].first().to_numpy()
    return result[_COLUMNS]


def has_breakdown(ds: Dataset, series: str, area: str) -> bool:
    """Whether ``series`` can be shown for ``area`` at all (prefecture: always)."""
    info = ds.series.loc[series]
    return _shown_at(area_level(ds, area), info["breakdown"], info["kind"])


def _shown_at(level: str, breakdown: str, kind: str) -> bool:
    if level == "prefecture":
        return True
    if breakdown == "none":
        return False
    return level == "municipality" or kind in SUMMED_KINDS


def summarise(
    ds: Dataset,
    area: str = PREFECTURE,
    *,
    threshold: int = 5,
    until: int | None = None,
    withheld: Suppression | None = None,
    history: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per series: latest value, previous year, baseline and the changes between them.

    ``until`` limits the years considered (the dashboard's year range). The ``*_suppressed``
    columns hold why a value is withheld (:mod:`briefing.stats.suppression`), "" when shown; changes
    involving a withheld value are left empty, since they would give it away. ``withheld`` and
    ``history`` (``area_history(ds, area)``) can be passed in when already computed.
    """
    withheld = withheld or suppression(ds, threshold)
    values = history if history is not None else area_history(ds, area)
    if until is not None:
        values = values[values["fy"] <= until]
    values = values.assign(suppressed=withheld.column(values, area))
    catalog = ds.series
    latest, previous, base = _years(values, catalog)
    table = catalog[["series", "indicator", "kind", "baseline_value", "baseline_fy"]].copy()
    if area != PREFECTURE:
        table["baseline_value"] = base["value"]
    latest_why, previous_why, base_why = (
        f["suppressed"].fillna("") for f in (latest, previous, base)
    )
    latest_hidden = latest_why != ""
    change_baseline = _shown_change(
        latest["value"], table["baseline_value"], latest_hidden, base_why
    )
    change_previous = _shown_change(latest["value"], previous["value"], latest_hidden, previous_why)
    level = area_level(ds, area)
    table = table.assign(
        latest_fy=latest["fy"],
        latest=latest["value"],
        status=latest["status"],
        sample=latest["sample"],
        comment=latest["comment"],
        source=latest["source"],
        latest_suppressed=latest_why,
        previous_fy=previous["fy"],
        previous=previous["value"],
        change_baseline=change_baseline,
        change_baseline_pct=_pct(change_baseline, table["baseline_value"]),
        change_previous=change_previous,
        change_previous_pct=_pct(change_previous, previous["value"]),
        available=[
            _shown_at(level, b, k)
            for b, k in zip(catalog["breakdown"], catalog["kind"], strict=True)
        ],
        baseline_suppressed=base_why,
        # the plan gives prefecture baselines; a region's or town's value in that year is sample
        baseline_sample=base["sample"].fillna(False).astype(bool),
        previous_suppressed=previous_why,
    )
    return table.reset_index(drop=True)


def _years(
    values: pd.DataFrame, catalog: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Each series' latest year, the year before it and its baseline year, aligned to the
    catalog once (a column at a time costs far more)."""
    ordered = values.sort_values(["series", "fy"])
    latest = ordered.groupby("series").tail(1).set_index("series").reindex(catalog.index)
    previous = ordered.groupby("series").nth(-2).set_index("series").reindex(catalog.index)
    # the baseline for an area is its value in the plan's baseline year (the plan gives totals)
    base = values[values["fy"] == values["series"].map(catalog["baseline_fy"])]
    return latest, previous, base.set_index("series").reindex(catalog.index)


def _shown_change(
    value: pd.Series, earlier: pd.Series, hidden: pd.Series, earlier_why: pd.Series
) -> pd.Series:
    """``value − earlier``, left empty where either is withheld: it would give the value away."""
    return (value - earlier).where(~(hidden | (earlier_why != "")))


def _pct(change: pd.Series, base: pd.Series) -> pd.Series:
    with np.errstate(divide="ignore", invalid="ignore"):
        return (100 * change / base).where(base > 0)
