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
class ViewContent:
    """What one dashboard view shows; a view fills only its own parts (others' charts not drawn)."""

    direction_names: dict[int, str]
    goals: list[GoalCard] = field(default_factory=list)
    cards: dict[int, list[IndicatorCard]] = field(default_factory=dict)
    comparisons: list[Comparison] = field(default_factory=list)
    without: list[IndicatorCard] = field(default_factory=list)
    area_title: str = ""
    panels: list[SurveyPanel] = field(default_factory=list)
