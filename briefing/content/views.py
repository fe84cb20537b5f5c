"""The content of one dashboard view: overview, direction, area comparison or surveys."""

from __future__ import annotations

from ..labels import text
from .areas import comparisons
from .context import Context, area_name, direction_name
from .filters import Filters
from .goals import goal_cards, survey_panels
from .indicators import indicator_cards
from .models import ViewContent
from .records import account, last_meeting, opinions


def view_content(ctx: Context, filters: Filters, view: str, *, mode: str = "chart") -> ViewContent:
    """The content ``view`` needs (only that: other views' charts are not drawn)."""
    lang = filters.lang
    names = {int(d): direction_name(ctx, int(d), lang) for d in ctx.ds.directions.index}
    if view == "overview":
        return ViewContent(
            names,
            goals=goal_cards(ctx, filters),
            cards=indicator_cards(ctx, filters),
            last_meeting=last_meeting(ctx, filters),
        )
    if view == "direction":
        cards = indicator_cards(ctx, filters, detail=True, table_only=mode == "table")
        ds = ctx.ds
        return ViewContent(
            names,
            cards=cards,
            accounts={d: account(ctx, d, filters) for d in cards},
            opinions={d: opinions(ctx, d, filters) for d in cards},
            plan_opinions=opinions(ctx, None, filters) if filters.direction is None else [],
            meeting=filters.meeting,
            has_record=not ds.opinions.empty or not ds.accounts.empty,
        )
    if view == "area":
        found, without = comparisons(ctx, filters)
        return ViewContent(
            names,
            comparisons=found,
            without=without,
            area_title=_area_title(ctx, filters),
        )
    if view == "survey":
        goals = goal_cards(ctx, filters, charts_too=mode != "table")
        return ViewContent(names, goals=goals, panels=survey_panels(ctx, filters))
    raise ValueError(view)


def _area_title(ctx: Context, filters: Filters) -> str:
    """The area view's heading: the regions, a region's towns, or a town beside its region's."""
    lang = filters.lang
    area = ctx.ds.areas.loc[filters.area]
    name = area_name(ctx, filters.area, lang)
    if area["level"] == "prefecture":
        return text("regions", lang)
    if area["level"] == "region":
        return text("areas_of", lang, name=name)
    return text("areas_beside", lang, name=name, region=area_name(ctx, area["region"], lang))
