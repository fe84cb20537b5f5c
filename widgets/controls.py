"""Filter bar: direction, area (grouped by region), fiscal-year range, chart/table, language.

Each builder takes the state and returns one widget; it only sets the state.
"""

from __future__ import annotations

import ipywidgets as w

from briefing import format_fy
from briefing.data.areas import PREFECTURE
from briefing.data.dataset import Dataset
from briefing.labels import DASHBOARD, SITE

from .state import DashboardState

_WIDE = {"description_width": "initial"}


def direction_options(ds: Dataset, lang: str) -> list[tuple[str, int]]:
    label = DASHBOARD[lang]
    column = f"name_{lang}"
    return [(label["all"], 0)] + [
        (f"{d} {ds.directions.at[d, column]}", int(d)) for d in ds.directions.index
    ]


def area_options(ds: Dataset, lang: str) -> list[tuple[str, str]]:
    """県全体, then each region followed by its municipalities (indented), as in the plan's maps."""
    column = f"name_{lang}"
    areas = ds.areas
    options = [(str(areas.at[PREFECTURE, column]), PREFECTURE)]
    for region in areas.index[areas["level"] == "region"]:
        options.append((f"■ {areas.at[region, column]}", str(region)))
        for town in areas.index[areas["region"] == region]:
            options.append((f"\u3000\u3000{areas.at[town, column]}", str(town)))
    return options


def year_options(ds: Dataset, lang: str) -> list[tuple[str, int]]:
    years = sorted(int(y) for y in ds.history["fy"].unique())
    return [(format_fy(y, lang=lang), y) for y in years]


class FilterBar(w.HBox):
    """The controls in one row; ``relabel`` switches their language without touching the state."""

    def __init__(self, *, ds: Dataset, state: DashboardState):
        self.ds, self.state = ds, state
        self._quiet = (
            False  # True while labels are swapped, so option changes are not filter changes
        )
        f = state.filters
        self.direction = w.Dropdown(
            options=direction_options(ds, f.lang),
            value=f.direction or 0,
            style=_WIDE,
            layout=w.Layout(width="330px"),
        )
        self.area = w.Dropdown(
            options=area_options(ds, f.lang),
            value=f.area,
            style=_WIDE,
            layout=w.Layout(width="250px"),
        )
        years = year_options(ds, f.lang)
        lo = f.fy_from or years[0][1]
        hi = f.fy_to or years[-1][1]
        self.years = w.SelectionRangeSlider(
            options=years,
            value=(lo, hi),
            style=_WIDE,
            layout=w.Layout(width="400px"),
            continuous_update=False,
        )
        self.years.add_class("mb-years")  # its handles are named by the page's script
        self.mode = w.ToggleButtons(
            options=list(zip(DASHBOARD[f.lang]["mode"], ("chart", "table", "both"), strict=True)),
            value=state.mode,
            style={"button_width": "76px"},
        )
        self.lang = w.ToggleButtons(
            options=[(str(SITE[lang]["lang_name"]), lang) for lang in ("ja", "en")],
            value=f.lang,
            style={"button_width": "88px"},  # 72px cut "English" to 「Engli…」
        )
        self._relabel(f.lang)
        super().__init__(
            [self.direction, self.area, self.years, self.mode, self.lang],
            layout=w.Layout(flex_flow="row wrap", align_items="center"),
        )
        self.add_class("mb-filterbar")
        self.direction.observe(lambda c: self._set(direction=c["new"] or None), "value")
        self.area.observe(lambda c: self._set(area=c["new"]), "value")
        self.years.observe(self._on_years, "value")
        self.mode.observe(self._on_mode, "value")
        self.lang.observe(self._on_lang, "value")

    def show(self, filters) -> None:  # type: ignore[no-untyped-def]
        """Put the controls on ``filters`` without emitting changes (the caller sets the state)."""
        self._quiet = True
        try:
            self.direction.value = filters.direction or 0
            self.area.value = filters.area
            values = [y for _, y in self.years.options]
            self.years.value = (filters.fy_from or values[0], filters.fy_to or values[-1])
        finally:
            self._quiet = False
        if filters.lang != self.lang.value:
            self._quiet = True
            try:
                self.lang.value = filters.lang
            finally:
                self._quiet = False
            self._relabel(filters.lang)

    def _set(self, **changes: object) -> None:
        if not self._quiet:
            self.state.filters = self.state.filters.with_(**changes)

    def _on_years(self, change: dict) -> None:
        lo, hi = change["new"]
        values = [y for _, y in self.years.options]
        self._set(fy_from=None if lo == values[0] else lo, fy_to=None if hi == values[-1] else hi)

    def _on_mode(self, change: dict) -> None:
        if not self._quiet:
            self.state.mode = change["new"]

    def _on_lang(self, change: dict) -> None:
        self._relabel(change["new"])
        self._set(lang=change["new"])

    def _relabel(self, lang: str) -> None:
        """Swap the controls' labels to ``lang``, keeping every selection as it is."""
        label = DASHBOARD[lang]
        self._quiet = True
        try:
            for control, options in (
                (self.direction, direction_options(self.ds, lang)),
                (self.area, area_options(self.ds, lang)),
                (self.years, year_options(self.ds, lang)),
                (self.mode, list(zip(label["mode"], ("chart", "table", "both"), strict=True))),
            ):
                value = control.value
                control.options = options
                control.value = value
        finally:
            self._quiet = False
        self.direction.description = label["direction"]
        self.area.description = label["area"]
        self.years.description = label["years"]
