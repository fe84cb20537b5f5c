"""Charts drawn from statistics: figures (matplotlib and seaborn, imported on first draw), the
small inline trend lines, and the cache that draws each chart once per data version and settings.

View content (:mod:`briefing.content`) asks for charts; it is the only stage that does.
"""

from .figcache import Drawers, FigureCache
from .sparkline import sparkline_svg

__all__ = ["Drawers", "FigureCache", "sparkline_svg"]
