"""HTML of each view from :mod:`briefing.content`, through the Jinja2 templates in ``templates/``.

Autoescaping is on: staff comments and names are text, never markup.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, select_autoescape

from ..content import Context
from ..content.filters import Filters
from ..content.views import view_content
from ..labels import texts

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment() -> Environment:
    """The templates, compiled once per machine: every kernel and export would otherwise spend
    0.1–0.2 s compiling them (Jinja keys its cache by the template's source and Python's version,
    in a folder of the user's own under the temporary folder)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        bytecode_cache=FileSystemBytecodeCache(),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


@cache
def stylesheet() -> str:
    return (TEMPLATES / "style.css").read_text(encoding="utf-8")


def render_view(ctx: Context, filters: Filters, view: str, *, mode: str) -> str:
    """One dashboard view as an HTML fragment (wrapped in ``<div class="mb">``); ``mode`` is the
    dashboard's chart/table/both switch, which every caller passes."""
    model = view_content(ctx, filters, view, mode=mode)
    macros = environment().get_template("views.html.j2").module
    t = texts(filters.lang)
    body = (
        getattr(macros, view)(model, t)
        if view == "overview"
        else getattr(macros, view)(model, t, mode)
    )
    return f'<div class="mb" data-view="{filters.key(view, mode)}">{body}</div>'
