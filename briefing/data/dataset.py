"""Load and validate the whole data directory into one immutable :class:`Dataset`.

Nothing is read at import time: notebooks, the CLI and tests call :func:`load_dataset`.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from ..config import Settings
from . import schema, store
from .cross_checks import cross_check
from .problems import DataError, Problem
from .survey_weights import weight_problems


@dataclass(frozen=True)
class Dataset:
    """Validated tables of one data directory; ``version`` changes whenever any file's bytes do."""

    directory: Path
    version: str
    directions: pd.DataFrame
    catalog: pd.DataFrame
    series: pd.DataFrame
    areas: pd.DataFrame
    history: pd.DataFrame
    surveys: pd.DataFrame
    plan: pd.DataFrame
    #: The prefecture's accounts per direction and year (``accounts.csv``; empty if absent)
    accounts: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    #: The committee's opinions and responses (``opinions.csv``; empty if absent)
    opinions: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)

    @cached_property
    def plan_period(self) -> tuple[int, int]:
        """First and last fiscal year of the current plan (the latest row of plan.csv)."""
        current = self.plan.sort_values("fy_from").iloc[-1]
        return int(current["fy_from"]), int(current["fy_to"])

    @property
    def indicators(self) -> pd.DataFrame:
        """Catalog rows of the 16 monitoring indicators (goals left out)."""
        return self.catalog[self.catalog["type"] == "indicator"]

    @property
    def goals(self) -> pd.DataFrame:
        return self.catalog[self.catalog["type"] == "goal"]


def data_version(directory: Path) -> str:
    """A short hash of every data file's bytes: a cache key that changes when the data does."""
    digest = hashlib.sha256()
    for spec in (*schema.ALL, *schema.RECORDS):
        path = directory / spec.filename
        digest.update(spec.filename.encode())
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load_dataset(directory: Path | str | None = None) -> Dataset:
    """Read every file of ``directory`` (default: the settings' data directory) and check it.

    Raises :class:`DataError` listing every problem (file, row, column, reason) when anything is
    wrong; a dataset that loads is consistent: codes exist, ranges hold, keys are unique.
    """
    directory = Path(directory) if directory is not None else Settings().data_dir
    store.recover(directory)  # finish (or discard) a save that was interrupted
    tables = _checked_tables(directory)
    catalog = _keyed(tables["catalog.csv"], "id").astype(
        {"target_value": "float64", "target_fy": "Int64", "direction": "Int64"}
    )
    series = _series_with_indicators(tables["series.csv"], catalog)
    history = tables["history.csv"].merge(
        series[["series", "indicator", "kind", "breakdown"]], on="series"
    )
    history = history.astype({"fy": "int64", "value": "float64", "sample": "bool"})
    surveys = tables["surveys.csv"].astype(
        {
            "fy": "int64",
            "respondents": "int64",
            "sample": "bool",
            "weighted": "float64",
            "weighted_sq": "float64",
        }
    )
    return Dataset(
        directory=directory,
        version=data_version(directory),
        directions=_keyed(tables["directions.csv"], "direction"),
        catalog=catalog,
        series=_keyed(
            series.astype({"baseline_value": "float64", "baseline_fy": "Int64"}), "series"
        ),
        areas=_keyed(tables["areas.csv"], "code"),
        history=history.sort_values(["series", "fy", "area"], ignore_index=True),
        surveys=surveys,
        plan=tables["plan.csv"]
        .drop(columns="file_row")
        .astype({"fy_from": "int64", "fy_to": "int64"}),
        accounts=_records(tables["accounts.csv"], ["direction", "fy"]),
        opinions=_records(tables["opinions.csv"], ["meeting_date", "id"]),
    )


def _checked_tables(directory: Path) -> dict[str, pd.DataFrame]:
    """Every file's typed table by file name; raises :class:`DataError` with every problem."""
    tables: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for spec in schema.ALL:
        table, found = schema.read_table(directory, spec)
        tables[spec.filename] = table
        problems += found
    for spec in schema.RECORDS:  # optional: an older data folder has none
        if (directory / spec.filename).exists():
            table, found = schema.read_table(directory, spec)
        else:
            table, found = schema.read_table(directory, spec)[0], []
        tables[spec.filename] = table
        problems += found
    if not any(p.row is None or p.row == 1 for p in problems):
        # check references and ranges on the rows that parsed, so one pass reports everything
        skip = {(p.file, p.row) for p in problems}
        problems += cross_check(tables, skip=skip)
        problems += weight_problems(tables["surveys.csv"], skip)
    if problems:
        raise DataError(problems)
    return tables


def _series_with_indicators(series: pd.DataFrame, catalog: pd.DataFrame) -> pd.DataFrame:
    """Each series with its indicator's kind, breakdown, names and agency, and its unit: its own
    (窓口 / プラットフォーム) or its indicator's."""
    series = series.merge(
        catalog[
            ["id", "kind", "breakdown", "direction", "counting", "name_ja", "name_en", "agency"]
        ].rename(columns={"id": "indicator"}),
        on="indicator",
    )
    for lang in ("ja", "en"):
        own = series[f"unit_{lang}"]
        series[f"unit_{lang}"] = own.where(
            own.notna(), series["indicator"].map(catalog[f"unit_{lang}"])
        )
        series[f"unit_{lang}"] = series[f"unit_{lang}"].fillna("")
    return series


def _keyed(table: pd.DataFrame, key: str) -> pd.DataFrame:
    """Index by ``key`` but keep it as a column too, so both lookups and merges work."""
    return table.set_index(table[key].to_numpy()).drop(columns="file_row")


def _records(table: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """A record table sorted; text and dates (ISO ``YYYY-MM-DD``) as ``str``, ``""`` when blank,
    since staff text is shown as written."""
    table = table.drop(columns="file_row").sort_values(order, ignore_index=True)
    typed = {"direction": "Int64", "fy": "int64", "sample": "bool"}
    for column in table.columns:
        if column in typed:
            table[column] = table[column].astype(typed[column])
        else:
            table[column] = [
                "" if v is None or v != v else v.isoformat() if hasattr(v, "isoformat") else str(v)
                for v in table[column]
            ]
    return table
