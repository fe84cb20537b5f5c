"""Load and validate the whole data directory into one immutable :class:`Dataset`.

Nothing is read at import time: notebooks, the CLI and tests call :func:`load_dataset`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..config import Settings
from ..labels import KIND
from . import schema, store
from .areas import PREFECTURE
from .problems import DataError, Problem
from .survey_weights import weight_problems

#: Allowed value range per indicator kind: (minimum, maximum, must be whole, what to write).
_RANGES = {
    "count": (0, None, True, "0 以上の整数を入力してください。"),
    "stock": (0, None, True, "0 以上の整数を入力してください。"),
    "share": (0, 100, False, "0〜100 の割合（%）を入力してください。"),
    "milestone": (0, 1, True, "0（未創設）か 1（創設済）を入力してください。"),
}


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

    @property
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
    for spec in schema.ALL:
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
    tables: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for spec in schema.ALL:
        table, found = schema.read_table(directory, spec)
        tables[spec.filename] = table
        problems += found
    if not any(p.row is None or p.row == 1 for p in problems):
        # check references and ranges on the rows that parsed, so one pass reports everything
        skip = {(p.file, p.row) for p in problems}
        problems += _cross_check(tables, skip=skip)
        problems += weight_problems(tables["surveys.csv"], skip)
    if problems:
        raise DataError(problems)
    catalog = _keyed(tables["catalog.csv"], "id").astype(
        {"target_value": "float64", "target_fy": "Int64", "direction": "Int64"}
    )
    series = tables["series.csv"].merge(
        catalog[
            ["id", "kind", "breakdown", "direction", "counting", "name_ja", "name_en", "agency"]
        ].rename(columns={"id": "indicator"}),
        on="indicator",
    )
    for lang in ("ja", "en"):  # a series' own unit (窓口 / プラットフォーム) or its indicator's
        own = series[f"unit_{lang}"]
        series[f"unit_{lang}"] = own.where(
            own.notna(), series["indicator"].map(catalog[f"unit_{lang}"])
        )
        series[f"unit_{lang}"] = series[f"unit_{lang}"].fillna("")
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
    )


def _keyed(table: pd.DataFrame, key: str) -> pd.DataFrame:
    """Index by ``key`` but keep it as a column too, so both lookups and merges work."""
    return table.set_index(table[key].to_numpy()).drop(columns="file_row")


def _cross_check(
    tables: dict[str, pd.DataFrame], skip: set[tuple[str, int | None]]
) -> list[Problem]:
    """Checks across files: references that must exist and values that must fit their kind.

    Rows in ``skip`` already have a problem of their own: they still count as references (their
    id exists) but are not checked again, so one typo does not cascade into many messages.
    """
    problems: list[Problem] = []

    def bad(file: str, row: object, column: str, value: object, reason: str, hint: str) -> None:
        problems.append(Problem(file, reason, hint, row=int(row), column=column, value=str(value)))  # type: ignore[call-overload]

    directions = set(tables["directions.csv"]["direction"])
    catalog = tables["catalog.csv"]
    for row in _unchecked(catalog, "catalog.csv", skip).itertuples():
        if row.type == "indicator" and row.direction not in directions:
            bad(
                "catalog.csv",
                row.file_row,
                "direction",
                row.direction,
                "取組方向がありません。",
                "directions.csv の番号を入力してください。",
            )
        if row.type == "indicator" and pd.notna(row.target_value):
            bad(
                "catalog.csv",
                row.file_row,
                "target_value",
                row.target_value,
                "モニタリング指標には目標値を設定しません（計画の方針）。",
                "目標値は計画全体の目標（G1・G2）にだけ入力してください。",
            )
    kinds = catalog.set_index("id")
    areas = tables["areas.csv"]
    region_codes = set(areas.loc[areas["level"] == "region", "code"])
    for row in _unchecked(areas[areas["level"] == "municipality"], "areas.csv", skip).itertuples():
        if row.region not in region_codes:
            bad(
                "areas.csv",
                row.file_row,
                "region",
                row.region,
                "地域コードがありません。",
                "地域（level=region）の code を入力してください。",
            )

    series = tables["series.csv"]
    for row in _unchecked(series, "series.csv", skip).itertuples():
        if row.indicator not in kinds.index or kinds.at[row.indicator, "type"] != "indicator":
            bad(
                "series.csv",
                row.file_row,
                "indicator",
                row.indicator,
                "指標がありません。",
                "catalog.csv のモニタリング指標の id を入力してください。",
            )
        if pd.isna(row.baseline_value) != pd.isna(row.baseline_fy):
            bad(
                "series.csv",
                row.file_row,
                "baseline_fy",
                row.baseline_fy,
                "基準値と基準年度は両方入力するか、両方空にします。",
                "計画の現状値と年度を確認してください。",
            )
    series = series[series["indicator"].isin(kinds.index)]
    # plain dict: one lookup per history row (a DataFrame .loc per row was most of the load time)
    series_info = {
        s: (kinds.at[i, "kind"], kinds.at[i, "breakdown"])
        for s, i in zip(series["series"], series["indicator"], strict=True)
    }

    # history and surveys are the long files (tens of thousands of rows at ten times today's
    # volume): checked column-wise, then only the flagged rows are visited, in file order
    municipalities = set(areas.loc[areas["level"] == "municipality", "code"])
    history = _unchecked(tables["history.csv"], "history.csv", skip)
    kind = history["series"].map({s: k for s, (k, _) in series_info.items()})
    breakdown = history["series"].map({s: b for s, (_, b) in series_info.items()})
    known = history["series"].isin(series_info.keys())
    checked = known & kind.isin(_RANGES.keys()) & breakdown.notna()  # else already reported
    other = history["area"] != PREFECTURE
    bad_area = checked & other & ~history["area"].isin(municipalities)
    value = history["value"]
    low, high = (kind.map({k: r[i] for k, r in _RANGES.items()}).astype(float) for i in (0, 1))
    whole = kind.map({k: r[2] for k, r in _RANGES.items()})
    bad_value = checked & (
        (value < low) | (high.notna() & (value > high)) | (whole.eq(True) & (value % 1 != 0))
    )
    flags = history.assign(
        kind=kind,
        bad_series=~known,
        bad_area=bad_area,
        no_breakdown=checked & other & ~bad_area & (breakdown == "none"),
        bad_value=bad_value,
    )
    for row in flags[~known | bad_area | flags["no_breakdown"] | bad_value].itertuples():
        if row.bad_series:
            bad(
                "history.csv",
                row.file_row,
                "series",
                row.series,
                "系列がありません。",
                "series.csv の series を入力してください。",
            )
            continue
        if row.bad_area:
            hint = f"県全体は {PREFECTURE}、市町は6桁の団体コードを入力してください（地域の値は市町から計算します）。"
            bad("history.csv", row.file_row, "area", row.area, "地域コードがありません。", hint)
        elif row.no_breakdown:
            bad(
                "history.csv",
                row.file_row,
                "area",
                row.area,
                "この指標には市町別の内訳がありません。",
                f"県全体（{PREFECTURE}）の値として入力してください。",
            )
        if row.bad_value:
            bad(
                "history.csv",
                row.file_row,
                "value",
                schema.plain_number(row.value),
                f"この指標の種類（{KIND['ja'][row.kind]}）では取りえない値です。",
                _RANGES[row.kind][3],
            )

    plan = tables["plan.csv"]
    if not len(plan):
        problems.append(
            Problem(
                "plan.csv",
                "計画が 1 行もありません。",
                "計画の名称と計画期間（fy_from〜fy_to）を入力してください。",
            )
        )
    for row in _unchecked(plan, "plan.csv", skip).itertuples():
        if row.fy_from > row.fy_to:
            bad(
                "plan.csv",
                row.file_row,
                "fy_to",
                row.fy_to,
                "計画期間の終わりが始まりより前です。",
                "fy_from 以降の年度を入力してください。",
            )

    regions = set(areas.loc[areas["level"] == "region", "code"])
    surveys = _unchecked(tables["surveys.csv"], "surveys.csv", skip)
    unknown = ~surveys["region"].isin(regions)
    negative = surveys["respondents"] < 0
    for row in surveys.assign(unknown=unknown, negative=negative)[unknown | negative].itertuples():
        if row.unknown:
            bad(
                "surveys.csv",
                row.file_row,
                "region",
                row.region,
                "地域コードがありません。",
                "areas.csv の地域（level=region）の code を入力してください。",
            )
        if row.negative:
            bad(
                "surveys.csv",
                row.file_row,
                "respondents",
                row.respondents,
                "回答者数が負です。",
                "0 以上の整数を入力してください。",
            )
    return problems


def _unchecked(table: pd.DataFrame, name: str, skip: set[tuple[str, int | None]]) -> pd.DataFrame:
    """``table`` without the rows that already have a problem of their own."""
    return table[~table["file_row"].isin({row for file, row in skip if file == name})]
