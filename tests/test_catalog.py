"""The bundled catalog says exactly what the plan says: names, directions, baselines, no targets.

The reference is the careful transcription of the plan's chapter 5 (``INDICATORS.md``), kept as a
byte-for-byte fixture copy so the test also runs where ``../shared`` is absent. Its Markdown tables
are parsed, not retyped, so a change to either side shows up here.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from briefing import Dataset, parse_fy

NO_VALUE = {"", "－", "–", "-", "—"}


@dataclass(frozen=True)
class Transcribed:
    """One row of the monitoring-indicator table of INDICATORS.md."""

    direction: int
    direction_name: str | None
    id: str
    name_ja: str
    unit: str
    baseline: list[tuple[str | None, float]]
    baseline_fy: int | None


def _table_rows(lines: list[str], header_start: str) -> list[list[str]]:
    """Cells of the Markdown table whose header line starts with ``header_start``."""
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2 :]:  # skip the header and the |---| separator
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def parse_baseline(cell: str) -> list[tuple[str | None, float]]:
    """``"20 窓口, 19 プラットフォーム"`` → [("窓口", 20.0), ("プラットフォーム", 19.0)];
    ``"4,521"`` → [(None, 4521.0)]; ``"－"`` → []."""
    if cell in NO_VALUE:
        return []
    parts = []
    for part in re.split(r",\s+", cell):  # "4,521" has no space after its comma
        number = re.search(r"\d[\d,]*(?:\.\d+)?", part)
        assert number, f"no number in baseline part {part!r}"
        label = (part[: number.start()] + part[number.end() :]).strip() or None
        parts.append((label, float(number.group().replace(",", ""))))
    return parts


def parse_indicators(path: Path) -> dict[str, Transcribed]:
    lines = path.read_text(encoding="utf-8").splitlines()
    result: dict[str, Transcribed] = {}
    for direction, ident, name, unit, baseline, fy, _notes in _table_rows(lines, "| dir | id |"):
        number, _, direction_name = direction.partition(" ")
        result[ident] = Transcribed(
            direction=int(number),
            direction_name=direction_name or None,
            id=ident,
            name_ja=name,
            unit="" if unit in NO_VALUE else unit,
            baseline=parse_baseline(baseline),
            baseline_fy=None if fy in NO_VALUE else parse_fy(fy),
        )
    return result


def parse_goals(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {row[0]: row[1] for row in _table_rows(lines, "| id | Japanese (exact) |")}


@pytest.fixture(scope="module")
def indicators_md(fixtures_dir: Path) -> Path:
    return fixtures_dir / "INDICATORS.md"


@pytest.fixture(scope="module")
def transcription(indicators_md: Path) -> dict[str, Transcribed]:
    return parse_indicators(indicators_md)


@pytest.fixture(scope="module")
def catalog_rows(data_dir: Path) -> dict[str, dict[str, str]]:
    """catalog.csv read as plain text cells, so names are compared exactly as stored."""
    with (data_dir / "catalog.csv").open(encoding="utf-8", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


#: SHA-256 of ``shared/INDICATORS.md`` when the fixture was last copied from it.
SHARED_SHA256 = "bde103f0e49e3053cc303881ad097c6f9a12c0f89bd5e8ffbded090712fa9f34"


def test_fixture_copy_matches_the_shared_transcription(
    indicators_md: Path, repo_root: Path
) -> None:
    """The fixture is a copy of the team's shared transcription. Next to the repository the copy
    is compared with it; a clone elsewhere (CI) has no ``../shared``, and there the copy must still
    be the one last taken from it."""
    shared = repo_root.parent / "shared" / "INDICATORS.md"
    if shared.exists():
        assert indicators_md.read_bytes() == shared.read_bytes()
    assert hashlib.sha256(indicators_md.read_bytes()).hexdigest() == SHARED_SHA256


def test_transcription_parses_into_16_indicators(transcription: dict[str, Transcribed]) -> None:
    assert len(transcription) == 16
    assert {t.direction for t in transcription.values()} == {1, 2, 3, 4, 5, 6}


def test_catalog_counts(bundled_dataset: Dataset) -> None:
    ds = bundled_dataset
    assert len(ds.catalog) == 18
    assert sorted(ds.goals["id"]) == ["G1", "G2"]
    assert len(ds.indicators) == 16
    assert len(ds.directions) == 6
    assert len(ds.series) == 19


def test_catalog_ids_are_the_plans_ids(
    bundled_dataset: Dataset, transcription: dict[str, Transcribed]
) -> None:
    assert set(bundled_dataset.indicators["id"]) == set(transcription)


def test_japanese_names_are_verbatim(
    catalog_rows: dict[str, dict[str, str]], transcription: dict[str, Transcribed]
) -> None:
    mismatches = {
        ident: (catalog_rows[ident]["name_ja"], t.name_ja)
        for ident, t in transcription.items()
        if catalog_rows[ident]["name_ja"] != t.name_ja
    }
    assert not mismatches


def test_goal_names_are_verbatim(
    catalog_rows: dict[str, dict[str, str]], indicators_md: Path
) -> None:
    goals = parse_goals(indicators_md)
    assert set(goals) == {"G1", "G2"}
    for ident, name in goals.items():
        assert catalog_rows[ident]["name_ja"] == name
        assert catalog_rows[ident]["type"] == "goal"


def test_directions_match(bundled_dataset: Dataset, transcription: dict[str, Transcribed]) -> None:
    catalog = bundled_dataset.catalog
    for ident, t in transcription.items():
        assert catalog.at[ident, "direction"] == t.direction, ident


def test_direction_names_match(
    bundled_dataset: Dataset, transcription: dict[str, Transcribed]
) -> None:
    names = {t.direction: t.direction_name for t in transcription.values() if t.direction_name}
    assert set(names) == {1, 2, 3, 4, 5, 6}
    directions = bundled_dataset.directions
    for number, name in names.items():
        assert directions.at[number, "name_ja"] == name


def test_units_match(
    catalog_rows: dict[str, dict[str, str]], transcription: dict[str, Transcribed]
) -> None:
    for ident, t in transcription.items():
        assert catalog_rows[ident]["unit_ja"] == t.unit, ident


def _series_for(
    series: pd.DataFrame, indicator: str, baseline: list[tuple[str | None, float]]
) -> dict[str, tuple[str | None, float]]:
    """Pair each transcribed baseline part with its series (by label when the plan gives one)."""
    rows = series[series["indicator"] == indicator]
    if len(baseline) <= 1 and len(rows) == 1:
        return {rows.index[0]: baseline[0]} if baseline else {}
    paired: dict[str, tuple[str | None, float]] = {}
    for label, value in baseline:
        assert label, f"{indicator}: several series but an unlabelled baseline"
        matches = [s for s, row in rows.iterrows() if label in str(row["label_ja"])]
        assert len(matches) == 1, f"{indicator}: label {label} matches {matches}"
        paired[matches[0]] = (label, value)
    return paired


def test_baselines_match_the_plan(
    bundled_dataset: Dataset, transcription: dict[str, Transcribed]
) -> None:
    series = bundled_dataset.series
    checked = 0
    for ident, t in transcription.items():
        paired = _series_for(series, ident, t.baseline)
        rows = series[series["indicator"] == ident]
        if t.baseline:
            assert set(paired) == set(rows.index), f"{ident}: every series has a baseline"
        for name, row in rows.iterrows():
            if name in paired:
                assert row["baseline_value"] == pytest.approx(paired[name][1]), name
                assert row["baseline_fy"] == t.baseline_fy, name
                checked += 1
            else:
                assert pd.isna(row["baseline_value"]), name
                assert pd.isna(row["baseline_fy"]), name
    assert checked == 14  # 19 series, five of them new indicators without a baseline


def test_split_indicators_have_the_plans_series(bundled_dataset: Dataset) -> None:
    series = bundled_dataset.series
    windows = series[series["indicator"] == "2-1"].set_index("label_ja")
    assert windows["baseline_value"].to_dict() == {"相談窓口": 20, "市町プラットフォーム": 19}
    assert set(windows["baseline_fy"]) == {2021}
    schools = series[series["indicator"] == "2-3"].set_index("label_ja")
    assert schools["baseline_value"].to_dict() == pytest.approx(
        {"小学生": 72.9, "中学生": 63.2, "高校生": 58.0}
    )
    assert set(schools["baseline_fy"]) == {2020}


def test_no_baseline_where_the_plan_says_dash(
    bundled_dataset: Dataset, transcription: dict[str, Transcribed]
) -> None:
    new = {ident for ident, t in transcription.items() if not t.baseline}
    assert new == {"1-1", "1-2", "2-2", "4-1", "6-2"}
    series = bundled_dataset.series
    assert series.loc[series["indicator"].isin(new), "baseline_value"].isna().all()


def test_monitoring_indicators_carry_no_target(bundled_dataset: Dataset) -> None:
    indicators = bundled_dataset.indicators
    assert indicators["target_value"].isna().all()
    assert indicators["target_fy"].isna().all()


def test_goals_have_no_bundled_target(bundled_dataset: Dataset) -> None:
    goals = bundled_dataset.goals
    assert goals["target_value"].isna().all()
    assert goals["target_fy"].isna().all()


def test_kinds_are_as_documented(bundled_dataset: Dataset) -> None:
    kinds = bundled_dataset.indicators["kind"].to_dict()
    special = {"6-2": "milestone", "2-3": "share", "2-1": "stock", "5-1": "stock", "5-2": "stock"}
    expected = {ident: special.get(ident, "count") for ident in kinds}
    assert kinds == expected


def test_counting_follows_the_names(
    bundled_dataset: Dataset, transcription: dict[str, Transcribed]
) -> None:
    counting = bundled_dataset.indicators["counting"].fillna("").to_dict()
    assert {i for i, c in counting.items() if c == "延べ"} == {"3-1", "3-2", "4-2"}
    assert {i for i, c in counting.items() if c == "実"} == {"4-1"}
    for ident, t in transcription.items():
        from_name = "延べ" if "（延べ）" in t.name_ja else "実" if "（実件数）" in t.name_ja else ""
        assert counting[ident] == from_name, ident


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("－", []),
        ("275", [(None, 275.0)]),
        ("4,521", [(None, 4521.0)]),
        ("20 窓口, 19 プラットフォーム", [("窓口", 20.0), ("プラットフォーム", 19.0)]),
        (
            "小学生 72.9, 中学生 63.2, 高校生 58.0",
            [("小学生", 72.9), ("中学生", 63.2), ("高校生", 58.0)],
        ),
    ],
)
def test_baseline_cell_parser(cell: str, expected: list[tuple[str | None, float]]) -> None:
    # the helper above must itself be right, or the comparisons prove nothing
    parsed = parse_baseline(cell)
    assert [label for label, _ in parsed] == [label for label, _ in expected]
    assert all(math.isclose(a, b) for (_, a), (_, b) in zip(parsed, expected, strict=True))
