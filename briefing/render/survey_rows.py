"""The G1/G2 rows of a briefing's CSV: every survey share the briefing and dashboard publish.

For each goal and year in range: the share over the briefing's scope (the prefecture, or the
region of the chosen region or municipality) and per group there, and each region's share — with
n, the effective n (Kish; n when unweighted), the interval, and whether it is weighted,
indicative (参考値) or sample. A group whose share is withheld (fewer than ``suppress_below``
respondents, or hidden so such a group cannot be worked out) has no share, interval or effective
n here either: only its n, as everywhere.
"""

from __future__ import annotations

import pandas as pd

from ..content import Context, area_name, shares_of, survey_regions, survey_years
from ..content.filters import Filters
from ..data.areas import PREFECTURE
from ..data.fiscal import format_fy
from ..labels import BRIEFING, SURVEY_CSV, group_label

#: The group name of a share over all groups in the survey tables.
ALL_GROUPS = "全体"


def survey_columns(level: str, lang: str) -> list[str]:
    """The survey columns after the indicator columns (indicator rows leave them empty);
    ``level`` is the intervals' confidence level as printed ("95%")."""
    digits = level.removesuffix("%")
    return [c.format(level=digits) for c in SURVEY_CSV[lang]["columns"]]


def _number(value: object, digits: int = 1) -> object:
    """A rounded number for Excel: 1286 (not 1286.0), 1043.7 (of a shown group: never missing)."""
    rounded = round(float(value), digits)  # type: ignore[arg-type]
    return int(rounded) if rounded.is_integer() else rounded


def _shares(ctx: Context, filters: Filters, goal: str) -> pd.DataFrame:
    """A goal's published shares in the briefing's scope, per group there and per region."""
    lang = filters.lang
    regions, _ = survey_regions(ctx, filters)
    scope = area_name(ctx, PREFECTURE if regions is None else regions[0], lang)
    parts: list[pd.DataFrame] = []
    for by, where in ((None, regions), ("group", regions), ("region", None)):
        shares = shares_of(ctx, goal, by=by, regions=where, years=survey_years(ctx, filters))
        if by != "region":
            shares = shares.assign(area=scope)
        else:
            shares = shares.assign(area=shares["region"].map(lambda c: area_name(ctx, c, lang)))
        if by != "group":
            shares = shares.assign(group=ALL_GROUPS)
        parts.append(shares.assign(order=len(parts)))
    table = pd.concat(parts).sort_values(["fy", "order"])  # a sort on two columns is stable
    if regions is not None:  # the scope's own region appears once, as the scope (the first)
        table = table.drop_duplicates(["fy", "area", "group"])
    return table


def survey_rows(ctx: Context, filters: Filters) -> list[list[object]]:
    """One CSV row per published survey share: the indicator columns (``BRIEFING_CSV``), then
    :func:`survey_columns`, in the filters' language."""
    s, lang = ctx.settings, filters.lang
    yes, no = BRIEFING[lang]["yes"], BRIEFING[lang]["no"]
    words = SURVEY_CSV[lang]
    rows: list[list[object]] = []
    for goal in ctx.ds.goals.itertuples():
        agency = goal.agency if lang == "ja" or pd.isna(goal.agency_en) else goal.agency_en
        for r in _shares(ctx, filters, str(goal.id)).itertuples():
            hidden = bool(r.hidden)
            if hidden and r.n < s.suppress_below:
                value: object = str(words["few"]).format(n=s.suppress_below)
            elif hidden:
                value = words["worked_out"]
            else:
                value = round(float(r.share), 1)
            group = words["all_groups"] if r.group == ALL_GROUPS else group_label(r.group, lang)
            indicator = [goal.id, goal.id, getattr(goal, f"name_{lang}"), r.area]
            indicator += [format_fy(int(r.fy), lang=lang), value, "%", ""]
            indicator += [yes if r.sample else no, "", agency, ""]
            survey = [group, int(r.n), "" if hidden else _number(r.n_eff)]
            survey += ["" if hidden else _number(r.low), "" if hidden else _number(r.high)]
            survey += [yes if r.weighted else no, "" if hidden else (yes if r.reference else no)]
            rows.append(indicator + survey)
    return rows
