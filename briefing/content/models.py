"""The view content as plain data: what templates render, for the dashboard and the briefing."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Chart:
    """An embedded chart: ``src`` is a data: URL (PNG) or ``svg`` inline markup, with alt text."""

    alt: str
    src: str = ""
    svg: str = ""


@dataclass(frozen=True)
class SeriesLine:
    label: str
    latest: str
    latest_fy: str
    provisional: bool
    vs_baseline: str
    vs_previous: str
    baseline: str
    comment: str
    sample: bool
    spark: str
    #: the value in the plan's last year and its change since the baseline ("" when none)
    plan_end: str = ""
    #: the latest value is from after the plan period
    after_plan: bool = False


@dataclass(frozen=True)
class IndicatorCard:
    id: str
    direction: int
    name: str
    unit: str
    kind: str  # count | share | stock | milestone
    kind_label: str
    counting: str
    agency: str
    note: str
    available: bool
    lines: list[SeriesLine]
    source: str = ""
    table: pd.DataFrame | None = None
    chart: Chart | None = None
    #: for an area without a breakdown: the prefecture's lines, shown as a reference
    prefecture_lines: list[SeriesLine] = field(default_factory=list)


@dataclass(frozen=True)
class GoalCard:
    id: str
    name: str
    scope: str
    latest: str
    latest_fy: str
    reference: bool
    change: str
    target: str
    spark: str
    table: pd.DataFrame
    chart: Chart | None = None
    #: the latest share comes from sample data
    sample: bool = False
    #: how to read the shares (weighted ones: what the weights and the effective n are)
    note: str = ""


@dataclass(frozen=True)
class Comparison:
    """Areas side by side for one series of a regional indicator."""

    card: IndicatorCard
    series_label: str
    fy: str
    table: pd.DataFrame
    chart: Chart | None
    note: str = ""


@dataclass(frozen=True)
class SurveyPanel:
    title: str
    table: pd.DataFrame
    chart: Chart | None
    note: str = ""


@dataclass(frozen=True)
class Account:
    """The prefecture's account of one direction's year: what was done, achieved, and next."""

    direction: int
    fy: str
    activities: str
    results: str
    next_steps: str
    written: str
    sample: bool


@dataclass(frozen=True)
class Opinion:
    """One committee opinion and the prefecture's response as it stands."""

    id: str
    meeting: str
    meeting_date: str
    subject: str
    member_field: str
    opinion: str
    response: str
    status: str
    response_updated: str
    sample: bool
    #: the response (or its status) changed on or after the briefing's ``--since`` date
    changed_since: bool = False


@dataclass(frozen=True)
class ResponseCount:
    """How many of a direction's opinions at the last meeting have a response written."""

    direction: int | None
    name: str
    answered: int
    total: int


@dataclass(frozen=True)
class LastMeeting:
    """The last meeting and its response counts per direction."""

    meeting: str
    date: str
    counts: list[ResponseCount]


@dataclass(frozen=True)
class ViewContent:
    """What one dashboard view shows; a view fills only its own parts (others' charts not drawn)."""

    direction_names: dict[int, str]
    goals: list[GoalCard] = field(default_factory=list)
    cards: dict[int, list[IndicatorCard]] = field(default_factory=dict)
    comparisons: list[Comparison] = field(default_factory=list)
    without: list[IndicatorCard] = field(default_factory=list)
    area_title: str = ""
    panels: list[SurveyPanel] = field(default_factory=list)
    #: the committee's record: the overview's response counts of the last meeting; the
    #: direction view's accounts and opinions per shown direction, and the plan-wide opinions
    last_meeting: LastMeeting | None = None
    accounts: dict[int, Account | None] = field(default_factory=dict)
    opinions: dict[int, list[Opinion]] = field(default_factory=dict)
    plan_opinions: list[Opinion] = field(default_factory=list)
    meeting: str = ""
    has_record: bool = False


@dataclass(frozen=True)
class Change:
    """One value added or changed since a date, for 「前回からの更新」."""

    indicator: str
    series: str
    fy: str
    area: str
    value: str
    updated: str
