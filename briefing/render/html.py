"""HTML of each view from :mod:`briefing.content`, through the Jinja2 templates in ``templates/``.

Autoescaping is on: staff comments and names are text, never markup.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from types import SimpleNamespace

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..content import Builder
from ..content.filters import Filters
from ..labels import texts

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


@cache
def stylesheet() -> str:
    return (TEMPLATES / "style.css").read_text(encoding="utf-8")


def view_model(
    builder: Builder, filters: Filters, view: str, *, mode: str = "chart"
) -> SimpleNamespace:
    """The content one view needs (only that: other views' charts are not drawn)."""
    lang = filters.lang
    names = {int(d): builder.direction_name(int(d), lang) for d in builder.ds.directions.index}
    model = SimpleNamespace(direction_names=names)
    if view == "overview":
        model.goals = builder.goal_cards(filters)
        model.cards = builder.indicator_cards(filters)
        model.last_meeting = builder.last_meeting(filters)
    elif view == "direction":
        model.cards = builder.indicator_cards(filters, detail=True, table_only=mode == "table")
        record_model(builder, filters, model)
    elif view == "area":
        comparisons, without = builder.comparisons(filters)
        model.comparisons, model.without = comparisons, without
        area = builder.ds.areas.loc[filters.area]
        name = builder.area_name(filters.area, lang)
        t = texts(lang)
        if area["level"] == "prefecture":
            model.area_title = t["regions"]
        elif area["level"] == "region":
            model.area_title = t["areas_of"].format(name=name)
        else:
            model.area_title = t["areas_beside"].format(
                name=name, region=builder.area_name(area["region"], lang)
            )
    elif view == "survey":
        model.goals = builder.goal_cards(filters, charts_too=mode != "table")
        model.panels = builder.survey_panels(filters)
    else:
        raise ValueError(view)
    return model


def record_model(
    builder: Builder, filters: Filters, model: SimpleNamespace, *, since: dt.date | None = None
) -> None:
    """Each shown direction's account and opinions (and, for 全体, the plan-wide opinions)."""
    model.accounts = {d: builder.account(d, filters) for d in model.cards}
    model.opinions = {d: builder.opinions(d, filters, since=since) for d in model.cards}
    model.plan_opinions = (
        builder.opinions(None, filters, since=since) if filters.direction is None else []
    )
    model.meeting = filters.meeting
    model.has_record = not builder.ds.opinions.empty or not builder.ds.accounts.empty


def render_view(builder: Builder, filters: Filters, view: str, *, mode: str = "chart") -> str:
    """One dashboard view as an HTML fragment (wrapped in ``<div class="mb">``)."""
    model = view_model(builder, filters, view, mode=mode)
    macros = environment().get_template("views.html.j2").module
    t = SimpleNamespace(**texts(filters.lang))
    body = (
        getattr(macros, view)(model, t)
        if view == "overview"
        else getattr(macros, view)(model, t, mode)
    )
    key = "|".join(
        str(x)
        for x in (
            view,
            filters.direction or 0,
            filters.area,
            filters.fy_from or "",
            filters.fy_to or "",
            filters.lang,
            mode,
            filters.meeting,
        )
    )
    return f'<div class="mb" data-view="{key}">{body}</div>'
