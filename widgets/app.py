"""The dashboard: filter bar, sample-data banner and four views in tabs, driven by one state.

Only the visible view is drawn; each drawn view is kept per (view, filters, mode), so going back
to something already shown costs nothing, and charts come from the shared figure cache.
"""

from __future__ import annotations

import html
import os
import threading
import time
from typing import Any

import ipywidgets as w

from briefing import DataError, Settings, load_dataset
from briefing.content import context, has_sample, meetings
from briefing.content.filters import VIEWS, Filters, from_query
from briefing.data.dataset import Dataset, data_version
from briefing.labels import DASHBOARD, DASHBOARD_FIXED, text
from briefing.render.export import file_data_url, render_briefing
from briefing.render.html import render_view, stylesheet

from .controls import FilterBar
from .request_info import wait_for_query
from .state import DashboardState


class Dashboard(w.VBox):
    """The whole dashboard for one dataset; ``filters`` presets the controls (from the URL)."""

    def __init__(
        self,
        ds: Dataset,
        *,
        settings: Settings | None = None,
        filters: Filters | None = None,
        notes: list[str] | None = None,
    ):
        self.ds = ds
        self.settings = settings or Settings()
        self.ctx = context(ds, self.settings)
        self.print_ctx = context(ds, self.settings, fmt="svg")
        self.state = DashboardState(filters=filters or Filters())
        self._opened_with = self.state.filters
        self._rendered: dict[tuple[Any, ...], str] = {}
        self.renders = 0  # views actually built (the rest came from the kept HTML)
        self.bar = FilterBar(ds=ds, state=self.state)
        self.header = w.HTML()
        self.banner = w.HTML()
        self.notes = w.HTML(_notes_html(notes or []))
        self.export = ExportButton(dashboard=self)
        self.meeting = self._meeting_filter()
        self.views = [w.HTML(layout=w.Layout(width="100%")) for _ in VIEWS]
        self.tabs = w.Tab(children=self.views, selected_index=VIEWS.index(self.state.filters.view))
        style = w.HTML(f"<style>{stylesheet()}</style>")
        super().__init__(
            [
                style,
                self.header,
                self.bar,
                self.meeting,
                self.export,
                self.banner,
                self.notes,
                self.tabs,
            ],
            layout=w.Layout(width="100%"),
        )
        self.add_class("mb-dashboard")
        self.tabs.observe(self._on_tab, "selected_index")
        self.state.observe(lambda _: self.refresh(), names=["filters", "mode"])
        self.refresh()

    def _meeting_filter(self) -> w.Dropdown:
        """Which meeting's opinions the direction view shows (hidden when there are none)."""
        lang = self.state.filters.lang
        names = meetings(self.ctx)
        dropdown = w.Dropdown(
            options=[(text("all_meetings", lang), ""), *((m, m) for m in names)],
            value=self.state.filters.meeting if self.state.filters.meeting in names else "",
            description=text("meeting", lang),
            layout=w.Layout(width="330px", display="" if names else "none"),
        )
        dropdown.observe(
            lambda change: setattr(
                self.state, "filters", self.state.filters.with_(meeting=change["new"])
            ),
            "value",
        )
        return dropdown

    @property
    def view(self) -> str:
        return VIEWS[self.tabs.selected_index or 0]

    def _on_tab(self, change: dict) -> None:
        self.state.filters = self.state.filters.with_(view=VIEWS[change["new"] or 0])

    def refresh(self) -> None:
        """Redraw what depends on the state: header, banner and the visible view only."""
        f = self.state.filters
        titles = DASHBOARD[f.lang]
        asof = self.ds.history["updated"].max()
        # words the page itself needs (its tab title, the year slider's handles): the Voilà
        # template's script reads them from here (widgets cannot set those attributes)
        words = " ".join(
            f'data-{key}="{html.escape(str(titles[name]))}"'
            for key, name in (("title", "title"), ("from", "year_from"), ("to", "year_to"))
        )
        self.header.value = (
            f'<div class="mb"><h2 style="margin-top:0">{titles["title"]}</h2>'
            f'<div class="sub">{titles["asof"]}: {asof}</div>'
            f'<span id="mb-page-words" hidden {words}></span></div>'
        )
        self.banner.value = (
            f'<div class="mb"><div class="banner" role="note">⚠ {text("sample_banner", f.lang)}</div></div>'
            if has_sample(self.ctx)
            else ""
        )
        for i, title in enumerate(titles["tabs"]):
            self.tabs.set_title(i, title)
        self.meeting.description = text("meeting", f.lang)
        options = [(text("all_meetings", f.lang), ""), *self.meeting.options[1:]]
        if options != list(self.meeting.options):
            self.meeting.options = options  # keeps the value: "" and the meeting names stay
        key = (f.view, f.direction, f.area, f.fy_from, f.fy_to, f.lang, self.state.mode, f.meeting)
        if key not in self._rendered:
            self._rendered[key] = render_view(self.ctx, f, f.view, mode=self.state.mode)
            self.renders += 1
        # content first, then the tab: a page never shows a selected tab that is still empty
        self.views[VIEWS.index(f.view)].value = self._rendered[key]
        if VIEWS.index(f.view) != self.tabs.selected_index:
            self.tabs.selected_index = VIEWS.index(f.view)

    def apply_query(self, query: str) -> None:
        """Set every control and the state from a URL query at once (one redraw).

        A query that arrives after the member has already chosen something is ignored: what
        they picked wins over what the link said.
        """
        if not query.strip("?") or self.state.filters != self._opened_with:
            return
        filters, notes = from_query(self.ds, query)
        self.bar.show(filters)
        self.meeting.value = filters.meeting
        self.notes.value = _notes_html(notes)
        self.state.filters = filters

    def resend(self) -> None:
        """Send the visible state again. The query is applied while the page is still connecting;
        an update that crosses the page's first state request must not leave a blank view."""
        for widget in (
            self.bar.direction,
            self.bar.area,
            self.bar.years,
            self.tabs,
            self.views[self.tabs.selected_index or 0],
        ):
            widget.send_state()

    def query(self) -> str:
        """The URL query that reopens the current view (for links per agenda item)."""
        return self.state.filters.to_query(self.ds)


def _notes_html(notes: list[str]) -> str:
    if not notes:
        return ""
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return f'<div class="mb"><div class="notice">{DASHBOARD_FIXED["query_notes"]}<ul>{items}</ul></div></div>'


class ExportButton(w.HBox):
    """Saves the current view (its filters) as the static HTML briefing, as a browser download."""

    def __init__(self, *, dashboard: Dashboard):
        self.dashboard = dashboard
        self.button = w.Button(
            description=DASHBOARD_FIXED["export"],
            layout=w.Layout(width="auto"),
        )
        self.button.add_class("mb-export")
        self.link = w.HTML()
        super().__init__([self.button, self.link], layout=w.Layout(align_items="center"))
        self.button.on_click(lambda _: self.make())

    def make(self) -> str:
        """Build the briefing for the current filters and offer it as a download link."""
        d = self.dashboard
        f = d.state.filters
        name = f"briefing-{f.direction or 'all'}-{f.area}.html"
        words = DASHBOARD[f.lang]
        self.link.value = str(words["making"])
        document = render_briefing(d.ds, f, settings=d.settings, ctx=d.print_ctx)
        self.link.value = (
            f'<div class="mb"><a class="mb-download" download="{name}" href="{file_data_url(document)}">'
            + str(words["download"]).format(name=name, kb=f"{len(document.encode()) / 1024:,.0f}")
            + "</a></div>"
        )
        return document


def error_panel(error: DataError) -> w.HTML:
    """What a viewer sees when a data file is broken: the problems in Japanese, no traceback."""
    items = "".join(f"<li>{html.escape(str(p))}</li>" for p in error.problems[:30])
    more = (
        f"<li>{DASHBOARD_FIXED['more'].format(n=len(error.problems) - 30)}</li>"
        if len(error.problems) > 30
        else ""
    )
    return w.HTML(
        f'<style>{stylesheet()}</style><div class="mb"><div class="error" role="alert"><h2>{DASHBOARD_FIXED["load_failed"]}</h2>'
        f"<p>{DASHBOARD_FIXED['load_failed_help']}</p>"
        f"<ul>{items}{more}</ul></div></div>"
    )


class Loaded:
    """The data loaded before a viewer arrives (a preheated kernel runs this ahead of the request)."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.error: DataError | None = None
        self.ds: Dataset | None = None
        self.version = ""
        self.load()

    def load(self) -> None:
        self.version = data_version(self.settings.data_dir)
        try:
            self.ds, self.error = load_dataset(self.settings.data_dir), None
        except DataError as error:
            self.ds, self.error = None, error

    def content(self, query: str) -> w.Widget:
        """The dashboard with filters from ``query``, or the error panel when data is broken."""
        if self.error is not None or self.ds is None:
            return error_panel(self.error or DataError([]))
        filters, notes = from_query(self.ds, query)
        return Dashboard(self.ds, settings=self.settings, filters=filters, notes=notes)

    def show(self, query: str | None = None) -> w.Box:
        """The page: its content for ``query`` (default: the page's own URL query).

        A preheated Voilà kernel runs this before anyone asks for the page, so it shows the
        default view at once and finishes in a background thread when the request arrives:
        the data is read again if its files changed meanwhile (a fix after an error, an import),
        then the URL query is applied. Blocking the cell instead would trip the execution
        timeout of every pool kernel that waits longer than it.
        """
        page = w.VBox(layout=w.Layout(width="100%"))
        page.children = (
            self.content(query if query is not None else os.environ.get("QUERY_STRING", "")),
        )
        if query is None and _preheated():
            threading.Thread(target=self._await_viewer, args=(page,), daemon=True).start()
        return page

    def _await_viewer(self, page: w.Box) -> None:
        """Bring the page up to date for its viewer once the request arrives.

        Until a browser connects, the server keeps the kernel from idle culling
        (``widgets/kernel_pool.py``), in the pool and after a page has taken it.
        """
        query = request_query()
        if data_version(self.settings.data_dir) != self.version:
            self.load()
            page.children = (self.content(query),)
        elif isinstance(page.children[0], Dashboard):
            page.children[0].apply_query(query)
            if not query.strip("?"):
                return
        else:
            return
        # an update that crosses the page's first state request is lost: send the state again
        for delay in (1.0, 3.0):
            time.sleep(delay)
            page.send_state()
            if isinstance(page.children[0], Dashboard):
                page.children[0].resend()


def _preheated() -> bool:
    return os.environ.get("VOILA_PREHEAT", "False") == "True"


def request_query() -> str:
    """The page's URL query; in a preheated Voilà kernel this waits until the request arrives
    (``widgets/request_info.py``: Voilà's own wait loses it under load)."""
    if _preheated():
        wait_for_query()
    return os.environ.get("QUERY_STRING", "")
