"""The dashboard's single state: controls set it, views redraw from it (one way)."""

from __future__ import annotations

import traitlets

from briefing.content.filters import Filters


class DashboardState(traitlets.HasTraits):
    """``filters`` is replaced, never changed in place, so every observer sees each change."""

    filters = traitlets.Instance(Filters, kw={})
    mode = traitlets.Unicode("chart", help="chart | table | both")
