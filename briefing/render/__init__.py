"""HTML from view content: the Jinja templates, the dashboard's view HTML and the one-file briefing."""

from .export import export_each_area, export_file, render_briefing, resolve_options
from .html import render_view

__all__ = [
    "export_each_area",
    "export_file",
    "render_briefing",
    "render_view",
    "resolve_options",
]
