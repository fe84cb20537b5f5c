"""What each view shows, as plain data ready for a template: the one place that decides content.

The dashboard and the exported briefing both render these objects, so a value, a 5未満 or a
参考値 appears the same way on screen and on paper. Charts are drawn through a
:class:`~briefing.charts.figcache.FigureCache` and handed over as bytes (PNG) or text (SVG).
"""

from __future__ import annotations

from dataclasses import dataclass

from .areas import AreaViews
from .filters import VIEWS, Filters, from_query
from .goals import GoalViews
from .models import (
    Account,
    Chart,
    Comparison,
    GoalCard,
    IndicatorCard,
    LastMeeting,
    Opinion,
    ResponseCount,
    SeriesLine,
    SurveyPanel,
    ViewContent,
)
from .records import RecordViews
from .views import view_content


@dataclass
class Builder(AreaViews, GoalViews, RecordViews):
    """Builds view content for one dataset and settings; charts as ``png`` (screen) or ``svg`` (print).

    The parts live in their own modules: indicators, areas side by side, goals and surveys,
    and the committee's record (accounts, opinions and responses).
    """


__all__ = [
    "Account",
    "Builder",
    "Chart",
    "Comparison",
    "Filters",
    "GoalCard",
    "IndicatorCard",
    "LastMeeting",
    "Opinion",
    "ResponseCount",
    "SeriesLine",
    "SurveyPanel",
    "VIEWS",
    "ViewContent",
    "from_query",
    "view_content",
]
