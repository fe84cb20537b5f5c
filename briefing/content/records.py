"""The committee's record as view content: each direction's account, the opinions with their
responses (newest meeting first) and, for the overview, how many of the last meeting's opinions
have a response — a count, never a judgement. Staff text is passed on as written (templates
escape it); in English it is marked (日本語のみ).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..data.fiscal import format_fy
from ..labels import text
from .context import Context, direction_name
from .filters import Filters
from .models import Account, LastMeeting, Opinion, ResponseCount


def meetings(ctx: Context) -> list[str]:
    """Meeting names, newest first (the direction view's meeting filter)."""
    ops = ctx.ds.opinions
    if ops.empty:
        return []
    order = ops.groupby("meeting")["meeting_date"].max().sort_values(ascending=False)
    return list(order.index)


def account(ctx: Context, direction: int, filters: Filters) -> Account | None:
    """The latest account of ``direction`` up to the filtered last year."""
    acc = ctx.ds.accounts
    if acc.empty:
        return None
    rows = acc[acc["direction"] == direction]
    if filters.fy_to:
        rows = rows[rows["fy"] <= filters.fy_to]
    if rows.empty:
        return None
    r = rows.sort_values("fy").iloc[-1]
    lang = filters.lang
    return Account(
        direction=direction,
        fy=format_fy(int(r["fy"]), lang=lang),
        activities=r["activities"],
        results=r["results"],
        next_steps=r["next_steps"],
        written=text("written", lang, by=r["written_by"] or "—", when=r["written"]),
        sample=bool(r["sample"]),
    )


def opinions(
    ctx: Context,
    direction: int | None,
    filters: Filters,
    *,
    meeting: str = "",
    since: dt.date | None = None,
) -> list[Opinion]:
    """Opinions about ``direction`` (``None``: the plan as a whole), newest meeting first."""
    ops = ctx.ds.opinions
    if ops.empty:
        return []
    rows = ops[ops["direction"].isna()] if direction is None else ops[ops["direction"] == direction]
    meeting = meeting or filters.meeting
    if meeting:
        rows = rows[rows["meeting"] == meeting]
    rows = rows.sort_values(["meeting_date", "id"], ascending=[False, True])
    return [_opinion(ctx, r, filters.lang, since) for r in rows.to_dict("records")]


def _opinion(ctx: Context, r: dict[str, object], lang: str, since: dt.date | None) -> Opinion:
    if pd.isna(r["direction"]):  # type: ignore[call-overload]
        subject = text("whole_plan", lang)
    else:
        subject = direction_name(ctx, int(r["direction"]), lang)  # type: ignore[call-overload]
        if r["indicator"]:
            subject += "・" + text("about_indicator", lang, id=r["indicator"])
    updated = str(r["response_updated"])
    return Opinion(
        id=str(r["id"]),
        meeting=str(r["meeting"]),
        meeting_date=str(r["meeting_date"]),
        subject=subject,
        member_field=str(r["member_field"]),
        opinion=str(r["opinion"]),
        response=str(r["response"]),
        status=str(r["status"]),
        response_updated=updated,
        sample=bool(r["sample"]),
        changed_since=bool(since and updated and updated >= since.isoformat()),
    )


def last_meeting(ctx: Context, filters: Filters) -> LastMeeting | None:
    """Per direction (and the plan as a whole), how many of the last meeting's opinions have
    a response written; directions without an opinion at that meeting are left out."""
    ops = ctx.ds.opinions
    if ops.empty:
        return None
    date = ops["meeting_date"].max()
    last = ops[ops["meeting_date"] == date]
    counts = []
    for direction in [*sorted(int(d) for d in ctx.ds.directions.index), None]:
        rows = (
            last[last["direction"].isna()]
            if direction is None
            else last[last["direction"] == direction]
        )
        if filters.direction and direction != filters.direction:
            continue
        if rows.empty:
            continue
        name = (
            text("whole_plan", filters.lang)
            if direction is None
            else direction_name(ctx, direction, filters.lang)
        )
        answered = int((rows["response"] != "").sum())
        counts.append(ResponseCount(direction, name, answered, len(rows)))
    return LastMeeting(str(last["meeting"].iloc[0]), date, counts)
