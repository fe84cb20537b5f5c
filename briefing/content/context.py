"""What every part of the view content needs: the dataset, settings, the figure cache, the
withheld cells, and each area's history and summary computed once.

The view functions (:mod:`.indicators`, :mod:`.areas`, :mod:`.goals`, :mod:`.records`) take this
context and return the typed models of :mod:`.models`; the dataset never changes under a context,
so its histories and summaries are kept for every view and every area of an export.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

import pandas as pd

from ..charts import figures
from ..charts.figcache import FigureCache
from ..config import Settings
from ..data.dataset import Dataset
from ..labels import text
from ..stats.disclosure import Disclosure, disclosure
from ..stats.statistics import area_history, summarise
from ..stats.suppression import Suppression
from ..stats.surveys import survey_shares
from .filters import Filters
from .models import Chart

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class ShownRows:
    """An area's yearly values in a range of years, each with why it is withheld ("" when
    shown), split per indicator and per series (no rows when it has none), in the table's order."""

    by_indicator: dict[str, pd.DataFrame]
    by_series: dict[str, pd.DataFrame]


@dataclass(frozen=True)
class Context:
    """One dataset with its settings; charts as ``png`` (screen) or ``svg`` (print)."""

    ds: Dataset
    settings: Settings
    fmt: str
    cache: FigureCache
    disclosure: Disclosure
    histories: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    summaries: dict[tuple[str, int], pd.DataFrame] = field(default_factory=dict, repr=False)
    shown: dict[tuple[str, int, int], ShownRows] = field(default_factory=dict, repr=False)
    shares: dict[tuple[object, ...], pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def withheld(self) -> Suppression:
        """The indicators' withheld cells (the disclosure also holds the survey groups')."""
        return self.disclosure.withheld


def context(
    ds: Dataset,
    settings: Settings | None = None,
    *,
    fmt: str = "png",
    cache: FigureCache | None = None,
) -> Context:
    """The context of ``ds``: the withheld cells chosen (or read from their store) once here."""
    settings = settings or Settings()
    return Context(
        ds=ds,
        settings=settings,
        fmt=fmt,
        cache=cache if cache is not None else FigureCache(settings.cache_dir, ds.version),
        disclosure=disclosure(ds, settings.suppress_below, settings.disclosure_dir),
    )


def history_of(ctx: Context, area: str) -> pd.DataFrame:
    """``area_history`` of ``area``, computed once per context: every view, and every area of
    an export, asks for the same few areas again."""
    if area not in ctx.histories:
        ctx.histories[area] = area_history(ctx.ds, area)
    return ctx.histories[area]


def summary_of(ctx: Context, area: str, until: int) -> pd.DataFrame:
    """``summarise`` of ``area`` up to ``until``, indexed by series, computed once per context."""
    if (area, until) not in ctx.summaries:
        ctx.summaries[area, until] = summarise(
            ctx.ds,
            area,
            threshold=ctx.settings.suppress_below,
            until=until,
            withheld=ctx.withheld,
            history=history_of(ctx, area),
        ).set_index("series")
    return ctx.summaries[area, until]


def shares_of(
    ctx: Context,
    survey: str,
    *,
    by: str | None = None,
    regions: Iterable[str] | None = None,
    years: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """``survey_shares`` with the settings' thresholds and level and the withheld groups, computed
    once per context: every area's briefing (and its CSV) shows the same shares by region, and
    a briefing's directions the same shares of its area. Callers must not change the table."""
    where = None if regions is None else tuple(regions)
    key = (survey, by, where, years)
    if key not in ctx.shares:
        s = ctx.settings
        ctx.shares[key] = survey_shares(
            ctx.ds.surveys,
            survey,
            by=by,
            regions=where,
            years=years,
            small_n=s.small_sample_n,
            hide_below=s.suppress_below,
            hidden=ctx.disclosure.groups,
            confidence=s.confidence,
        )
    return ctx.shares[key]


def shown_rows(ctx: Context, area: str, lo: int, hi: int) -> ShownRows:
    """``area``'s values from ``lo`` to ``hi``, split once per context: the residents' site asks
    for every area, and a mask per series and area cost more than the rest of its pages."""
    key = (area, lo, hi)
    if key not in ctx.shown:
        history = history_of(ctx, area)
        history = history[history["fy"].between(lo, hi)]
        history = history.assign(suppressed=ctx.withheld.column(history, area))
        ctx.shown[key] = ShownRows(
            _split(
                history, history["series"].map(ctx.ds.series["indicator"]), ctx.ds.indicators["id"]
            ),
            _split(history, history["series"], ctx.ds.series.index),
        )
    return ctx.shown[key]


def _split(table: pd.DataFrame, by: pd.Series, keys: Iterable[str]) -> dict[str, pd.DataFrame]:
    """``table``'s rows per value of ``by`` for each of ``keys``, in the table's order."""
    groups = dict(tuple(table.groupby(by, sort=False)))
    none = table.iloc[0:0]
    return {str(k): groups.get(k, none) for k in keys}


def area_name(ctx: Context, code: str, lang: str) -> str:
    """An area's name (the prefecture, a region or a municipality) in ``lang``."""
    return str(ctx.ds.areas.at[code, f"name_{lang}"])


def direction_name(ctx: Context, direction: int, lang: str) -> str:
    """An action direction with its number, as headings and opinions name it."""
    name = ctx.ds.directions.at[direction, f"name_{lang}"]
    return text("direction_name", lang, n=direction, name=name)


def directions_of(ctx: Context, filters: Filters) -> list[int]:
    """The chosen direction, or all of them."""
    if filters.direction:
        return [filters.direction]
    return [int(d) for d in ctx.ds.directions.index]


def year_range(ctx: Context, filters: Filters) -> tuple[int, int]:
    """The fiscal-year range of ``filters``, open ends filled from the data."""
    years = ctx.ds.history["fy"]
    return (filters.fy_from or int(years.min()), filters.fy_to or int(years.max()))


def interval_level(ctx: Context) -> str:
    """The intervals' confidence level as labels print it ("95%")."""
    return f"{ctx.settings.confidence * 100:g}%"


def has_sample(ctx: Context) -> bool:
    """Whether any value is fictitious sample data: every page that shows one says so."""
    return bool(ctx.ds.history["sample"].any() or ctx.ds.surveys["sample"].any())


def cached_chart(
    ctx: Context, key: Mapping[str, object], figure: Callable[[], Figure], alt: str
) -> Chart:
    """The chart for ``key`` from the cache, drawn with ``figure`` (and encoded) when missing.

    ``figure`` is a picklable ``partial`` of a chart function, so the export can hand it to
    worker processes.
    """
    # an inline SVG's ids get a prefix of the chart's own, the same in every run
    digest = hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode())
    draw = partial(_encoded, figure, ctx.fmt, f"c{digest.hexdigest()[:10]}-")
    # every setting a picture depends on is part of its key: a changed setting, a new chart
    data = ctx.cache.get({**key, "settings": ctx.settings.drawing()}, draw, suffix=ctx.fmt)
    if ctx.fmt == "svg":
        return Chart(alt=alt, svg=data.decode())
    return Chart(alt=alt, src="data:image/png;base64," + base64.b64encode(data).decode())


def _encoded(figure: Callable[[], Figure], fmt: str, prefix: str) -> bytes:
    fig = figure()
    if fmt == "svg":
        return figures.prefix_ids(figures.to_svg(fig), prefix).encode()
    return figures.to_png(fig)
