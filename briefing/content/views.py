"""The content of one dashboard view: overview, direction, area comparison or surveys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..labels import text
from .filters import Filters
from .models import ViewContent

if TYPE_CHECKING:
    from . import Builder


def view_content(
    builder: Builder, filters: Filters, view: str, *, mode: str = "chart"
) -> ViewContent:
    """The content ``view`` needs (only that: other views' charts are not drawn)."""
    lang = filters.lang
    names = {int(d): builder.direction_name(int(d), lang) for d in builder.ds.directions.index}
    if view == "overview":
        return ViewContent(
            names,
            goals=builder.goal_cards(filters),
            cards=builder.indicator_cards(filters),
            last_meeting=builder.last_meeting(filters),
        )
    if view == "direction":
        cards = builder.indicator_cards(filters, detail=True, table_only=mode == "table")
        ds = builder.ds
        return ViewContent(
            names,
            cards=cards,
            accounts={d: builder.account(d, filters) for d in cards},
            opinions={d: builder.opinions(d, filters) for d in cards},
            plan_opinions=builder.opinions(None, filters) if filters.direction is None else [],
            meeting=filters.meeting,
            has_record=not ds.opinions.empty or not ds.accounts.empty,
        )
    if view == "area":
        comparisons, without = builder.comparisons(filters)
        return ViewContent(
            names,
            comparisons=comparisons,
            without=without,
            area_title=_area_title(builder, filters),
        )
    if view == "survey":
        goals = builder.goal_cards(filters, charts_too=mode != "table")
        return ViewContent(names, goals=goals, panels=builder.survey_panels(filters))
    raise ValueError(view)


def _area_title(builder: Builder, filters: Filters) -> str:
    """The area view's heading: the regions, a region's towns, or a town beside its region's."""
    lang = filters.lang
    area = builder.ds.areas.loc[filters.area]
    name = builder.area_name(filters.area, lang)
    if area["level"] == "prefecture":
        return text("regions", lang)
    if area["level"] == "region":
        return text("areas_of", lang, name=name)
    return text("areas_beside", lang, name=name, region=builder.area_name(area["region"], lang))
