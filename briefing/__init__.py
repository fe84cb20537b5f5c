"""Core of the committee briefing workbook: data, statistics and charts, with no Jupyter inside."""

from .config import DATA_ENV, Settings
from .dataset import PREFECTURE, Dataset, load_dataset
from .fiscal import FiscalYearError, format_fy, parse_fy
from .problems import DataError, Problem
from .statistics import area_history, has_breakdown, summarise
from .suppression import suppression
from .surveys import survey_shares, wilson_interval

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
