"""ipywidgets components of the dashboard, composed from the core package ``briefing``."""

from .app import Dashboard, Loaded, error_panel, request_query
from .controls import FilterBar
from .state import DashboardState
from .update import UpdatePanel

__all__ = [
    "Dashboard",
    "DashboardState",
    "FilterBar",
    "Loaded",
    "error_panel",
    "request_query",
    "UpdatePanel",
]
