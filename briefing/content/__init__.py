"""What each view shows, as plain data ready for a template: the one place that decides content.

The dashboard and the exported briefing both render these objects, so a value, a 5未満 or a
参考値 appears the same way on screen and on paper. Each view function takes a :class:`Context`
(the dataset, settings, figure cache and withheld cells) and returns typed models; charts are
drawn through a :class:`~briefing.charts.figcache.FigureCache` and handed over as bytes (PNG) or
text (SVG).
"""

from __future__ import annotations

from .areas import comparisons
from .context import (
    Context,
    area_name,
    context,
    direction_name,
    directions_of,
    has_sample,
    history_of,
    interval_level,
    shares_of,
    year_range,
)
from .filters import VIEWS, Filters, from_query
from .goals import goal_cards, survey_panels, survey_regions, survey_years
from .indicators import indicator_cards
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
from .records import account, last_meeting, meetings, opinions
from .views import view_content

__all__ = [
    "Account",
    "Chart",
    "Comparison",
    "Context",
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
    "account",
    "area_name",
    "comparisons",
    "context",
    "direction_name",
    "directions_of",
    "from_query",
    "goal_cards",
    "has_sample",
    "history_of",
    "indicator_cards",
    "interval_level",
    "last_meeting",
    "meetings",
    "opinions",
    "shares_of",
    "survey_panels",
    "survey_regions",
    "survey_years",
    "view_content",
    "year_range",
]
