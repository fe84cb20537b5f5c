"""ipywidgets components of the dashboard, composed from the core package ``briefing``.

Names are imported on first use: the Voilà server imports ``widgets.kernel_pool`` only and should
not load ipywidgets, pandas and the dashboard with it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import Dashboard, Loaded, error_panel, request_query
    from .controls import FilterBar
    from .staff_page import UpdatePanel
    from .state import DashboardState

_HOME = {
    "Dashboard": "app",
    "DashboardState": "state",
    "FilterBar": "controls",
    "Loaded": "app",
    "error_panel": "app",
    "request_query": "app",
    "UpdatePanel": "staff_page",
}
__all__ = [
    "Dashboard",
    "DashboardState",
    "FilterBar",
    "Loaded",
    "error_panel",
    "request_query",
    "UpdatePanel",
]


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'widgets' has no attribute {name!r}")
    return getattr(import_module(f".{_HOME[name]}", __name__), name)
