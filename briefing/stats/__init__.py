"""Statistics and disclosure: changes over time, survey shares with intervals, and which cells
are withheld (chosen by integer programming, then audited) so no one can work a small count out.

The functions named like their modules (``disclosure.disclosure``, ``suppression.suppression``)
are imported from those modules, so that the names here keep meaning the modules.
"""

from .disclosure import Disclosure, DisclosureError, audited, require_passed
from .statistics import area_history, has_breakdown, summarise
from .suppression import COMPLEMENT, SMALL, Suppression
from .surveys import difference_interval, survey_shares, wilson_interval

__all__ = [
    "COMPLEMENT",
    "SMALL",
    "Disclosure",
    "DisclosureError",
    "Suppression",
    "area_history",
    "audited",
    "difference_interval",
    "has_breakdown",
    "require_passed",
    "summarise",
    "survey_shares",
    "wilson_interval",
]
