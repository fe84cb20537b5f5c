"""The shared part of :class:`~briefing.content.Builder`: data, caches, names and charts."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
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
from .filters import Filters
from .models import Chart

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass
class BuilderBase:
    """What every part of the content needs: the dataset, settings, the figure cache, withheld
    values, and each area's history and summary computed once."""

    ds: Dataset
    settings: Settings = field(default_factory=Settings)
    fmt: str = "png"
    cache: FigureCache | None = None
    disclosure: Disclosure = field(init=False)
    withheld: Suppression = field(init=False)

    def __post_init__(self) -> None:
        if self.cache is None:
            self.cache = FigureCache(self.settings.cache_dir, self.ds.version)
        self.disclosure = disclosure(
            self.ds, self.settings.suppress_below, self.settings.disclosure_dir
        )
        self.withheld = self.disclosure.withheld
        self._histories: dict[str, pd.DataFrame] = {}
        self._summaries: dict[tuple[str, int], pd.DataFrame] = {}

    def history(self, area: str) -> pd.DataFrame:
        """``area_history`` of ``area``, computed once per builder (the dataset never changes):
        every view, and every area of an export, asks for the same few areas again."""
        if area not in self._histories:
            self._histories[area] = area_history(self.ds, area)
        return self._histories[area]

    def _summary(self, area: str, until: int) -> pd.DataFrame:
        if (area, until) not in self._summaries:
            self._summaries[area, until] = summarise(
                self.ds,
                area,
                threshold=self.settings.suppress_below,
                until=until,
                withheld=self.withheld,
                history=self.history(area),
            ).set_index("series")
        return self._summaries[area, until]

    # ---- naming -------------------------------------------------------------------------
    def area_name(self, code: str, lang: str) -> str:
        return str(self.ds.areas.at[code, f"name_{lang}"])

    def direction_name(self, direction: int, lang: str) -> str:
        name = self.ds.directions.at[direction, f"name_{lang}"]
        return text("direction_name", lang, n=direction, name=name)

    def directions(self, filters: Filters) -> list[int]:
        return (
            [filters.direction] if filters.direction else [int(d) for d in self.ds.directions.index]
        )

    def years(self, filters: Filters) -> tuple[int, int]:
        """The fiscal-year range of ``filters``, open ends filled from the data."""
        years = self.ds.history["fy"]
        return (filters.fy_from or int(years.min()), filters.fy_to or int(years.max()))

    @property
    def level(self) -> str:
        """The intervals' confidence level as labels print it ("95%")."""
        return f"{self.settings.confidence * 100:g}%"

    def has_sample(self) -> bool:
        return bool(self.ds.history["sample"].any() or self.ds.surveys["sample"].any())

    def _chart(self, key: Mapping[str, object], figure: Callable[[], Figure], alt: str) -> Chart:
        """The chart for ``key`` from the cache, drawn with ``figure`` (and encoded) when missing.

        ``figure`` is a picklable ``partial`` of a chart function, so the export can hand it to
        worker processes.
        """
        assert self.cache is not None
        # an inline SVG's ids get a prefix of the chart's own, the same in every run
        digest = hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode())
        draw = partial(_encoded, figure, self.fmt, f"c{digest.hexdigest()[:10]}-")
        # every setting a picture depends on is part of its key: a changed setting, a new chart
        data = self.cache.get({**key, "settings": self.settings.drawing()}, draw, suffix=self.fmt)
        if self.fmt == "svg":
            return Chart(alt=alt, svg=data.decode())
        return Chart(alt=alt, src="data:image/png;base64," + base64.b64encode(data).decode())


def _encoded(figure: Callable[[], Figure], fmt: str, prefix: str) -> bytes:
    fig = figure()
    if fmt == "svg":
        return figures.prefix_ids(figures.to_svg(fig), prefix).encode()
    return figures.to_png(fig)
