"""Core of the committee briefing workbook: data, statistics and charts, with no Jupyter inside.

The stages, in the order data flows: ``data`` (files in → checked tables), ``stats``
(statistics and disclosure), ``content`` (what each view shows), ``render`` (charts, HTML, the
briefing) and ``intake`` (staff bring new figures in). ``config``, ``labels``, ``clock``, ``cli``,
``server`` and ``supervise`` serve them all.
"""

from .config import DATA_ENV, Settings
from .data import (
    PREFECTURE,
    DataError,
    Dataset,
    FiscalYearError,
    Problem,
    format_fy,
    load_dataset,
    parse_fy,
)
from .stats import (
    area_history,
    has_breakdown,
    summarise,
    survey_shares,
    wilson_interval,
)
from .stats.suppression import suppression

__all__ = [
    "DATA_ENV",
    "PREFECTURE",
    "DataError",
    "Dataset",
    "FiscalYearError",
    "Problem",
    "Settings",
    "area_history",
    "format_fy",
    "has_breakdown",
    "load_dataset",
    "parse_fy",
    "summarise",
    "survey_shares",
    "suppression",
    "wilson_interval",
]
