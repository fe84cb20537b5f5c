"""Files in, checked tables out: fiscal years, the data files' schema, reading, the data store.

Nothing here knows about statistics, views or pages; every later stage starts from a
:class:`Dataset`.
"""

from .areas import PREFECTURE, find_area
from .changes import CHANGE_COLUMNS, read_changes, read_record_changes
from .dataset import Dataset, data_version, load_dataset
from .files import write_atomic
from .fiscal import FiscalYearError, fiscal_year_of, format_fy, parse_fy
from .problems import DataError, Problem
from .reading import read_file

__all__ = [
    "CHANGE_COLUMNS",
    "PREFECTURE",
    "DataError",
    "Dataset",
    "FiscalYearError",
    "Problem",
    "data_version",
    "find_area",
    "fiscal_year_of",
    "format_fy",
    "load_dataset",
    "parse_fy",
    "read_changes",
    "read_file",
    "read_record_changes",
    "write_atomic",
]
