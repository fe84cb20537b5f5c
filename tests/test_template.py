"""``briefing template``: the Excel workbook staff fill, one row per series × area expected for a year."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from inputs import TEMPLATE_FIRST_ROW, TEMPLATE_HEADER_ROW, run_in_process, template_rows

from briefing import Dataset, load_dataset
from briefing.data.areas import PREFECTURE
from briefing.intake.workbook import HEADER, build_template

_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
YELLOW = "00FFF2B3"


@pytest.fixture(scope="module")
def template_2025(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``briefing template --fy 2025`` run once, as staff would, on the bundled data."""
    folder = tmp_path_factory.mktemp("template")
    done = run_in_process("template", "--fy", "2025", "-o", "update.xlsx", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert "update.xlsx" in done.stdout and "令和7年度" in done.stdout
    return folder / "update.xlsx"


def expected_rows(ds: Dataset, direction: int | None = None) -> list[tuple[str, str]]:
    towns = list(ds.areas.index[ds.areas["level"] == "municipality"])
    rows = []
    for series, info in ds.series.iterrows():
        if direction is not None and info["direction"] != direction:
            continue
        rows += [
            (str(series), a)
            for a in (towns if info["breakdown"] == "municipality" else [PREFECTURE])
        ]
    return rows


@pytest.mark.slow
def test_one_row_per_series_and_expected_area(
    template_2025: Path, bundled_dataset: Dataset
) -> None:
    rows = template_rows(template_2025)
    assert [(r["系列ID"], r["地域コード"]) for r in rows] == expected_rows(bundled_dataset)
    per_series: dict[str, int] = {}
    for r in rows:
        per_series[str(r["系列ID"])] = per_series.get(str(r["系列ID"]), 0) + 1
    regional = bundled_dataset.series.index[bundled_dataset.series["breakdown"] == "municipality"]
    assert len(regional) == 6
    assert all(per_series[s] == 29 for s in regional)  # one row per municipality, no regional rows
    assert all(n == 1 for s, n in per_series.items() if s not in regional)
    assert {r["年度"] for r in rows} == {"令和7年度"}


@pytest.mark.slow
def test_header_unit_names_and_previous_year_value(
    template_2025: Path, bundled_dataset: Dataset
) -> None:
    ds = bundled_dataset
    sheet = openpyxl.load_workbook(template_2025)["入力"]
    assert [c.value for c in sheet[TEMPLATE_HEADER_ROW]] == HEADER
    assert "令和7年度" in str(sheet["A1"].value)
    history = ds.history.set_index(["series", "fy", "area"])["value"]
    for r in template_rows(template_2025):
        series, area = str(r["系列ID"]), str(r["地域コード"])
        info = ds.series.loc[series]
        assert r["単位"] == info["unit_ja"] or (r["単位"] is None and info["unit_ja"] == "")
        assert r["地域"] == ds.areas.at[area, "name_ja"]
        assert str(r["指標名"]).startswith(info["name_ja"])
        assert r["前年度の値"] == pytest.approx(history[(series, 2024, area)])
        assert r["値（入力）"] is None and r["状態（確定/速報）"] is None and r["コメント"] is None
    two_one_a = next(r for r in template_rows(template_2025) if r["系列ID"] == "2-1a")
    assert two_one_a["単位"] == "窓口" and "（相談窓口）" in str(two_one_a["指標名"])


@pytest.mark.slow
def test_only_the_yellow_input_cells_are_unlocked(template_2025: Path) -> None:
    sheet = openpyxl.load_workbook(template_2025)["入力"]
    assert sheet.protection.sheet  # the IDs and codes the import relies on cannot be typed over
    for row in range(TEMPLATE_FIRST_ROW, sheet.max_row + 1):
        for column in "HIJ":
            cell = sheet[f"{column}{row}"]
            assert cell.fill.fgColor.rgb == YELLOW and cell.protection.locked is False, (
                cell.coordinate
            )
        for column in "ABCDEFG":
            cell = sheet[f"{column}{row}"]
            assert cell.fill.fgColor.rgb != YELLOW and cell.protection.locked is not False, (
                cell.coordinate
            )
    validation = sheet.data_validations.dataValidation
    assert any("確定" in str(v.formula1) and "速報" in str(v.formula1) for v in validation)


@pytest.mark.slow
def test_readme_sheet_in_japanese(template_2025: Path) -> None:
    book = openpyxl.load_workbook(template_2025)
    assert book.sheetnames == ["入力", "取組の報告", "委員会意見", "説明"]
    text = "\n".join(str(r[0]) for r in book["説明"].iter_rows(values_only=True) if r[0])
    assert len(_JAPANESE.findall(text)) > 100
    for words in ("黄色", "確定", "速報", "briefing import", "briefing undo", "5未満"):
        assert words in text


def test_direction_limits_the_rows(tmp_path: Path, bundled_dataset: Dataset) -> None:
    book = build_template(bundled_dataset, 2026, direction=2)
    path = tmp_path / "d2.xlsx"
    path.write_bytes(book)
    rows = template_rows(path)
    assert [(r["系列ID"], r["地域コード"]) for r in rows] == expected_rows(
        bundled_dataset, direction=2
    )
    assert {str(r["系列ID"]) for r in rows} == {"2-1a", "2-1b", "2-2", "2-3a", "2-3b", "2-3c"}
    assert len(rows) == 3 * 29 + 3
    assert {r["年度"] for r in rows} == {"令和8年度"}
    # the previous year is the latest stored one (FY2025)
    history = bundled_dataset.history.set_index(["series", "fy", "area"])["value"]
    assert all(
        r["前年度の値"] == pytest.approx(history[(r["系列ID"], 2025, r["地域コード"])])
        for r in rows
    )


def test_year_without_previous_values_leaves_them_empty(
    tmp_path: Path, bundled_dataset: Dataset
) -> None:
    path = tmp_path / "h31.xlsx"
    path.write_bytes(build_template(bundled_dataset, 2019))
    rows = template_rows(path)
    assert {r["年度"] for r in rows} == {"令和元年度"}
    assert all(r["前年度の値"] is None for r in rows)  # nothing is stored for FY2018


@pytest.mark.slow
def test_cli_accepts_reiwa_years_and_direction(tmp_path: Path, data_copy: Path) -> None:
    done = run_in_process(
        "template",
        "--fy",
        "令和８年度",
        "--direction",
        "5",
        "-o",
        "r8.xlsx",
        "--data",
        data_copy,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    rows = template_rows(tmp_path / "r8.xlsx")
    assert {str(r["系列ID"]) for r in rows} == {"5-1", "5-2", "5-3", "5-4"}
    assert {r["年度"] for r in rows} == {"令和8年度"}
    assert (
        load_dataset(data_copy).version
        == load_dataset(Path(__file__).parent.parent / "data").version
    )


@pytest.mark.slow
def test_cli_rejects_an_unreadable_year_in_japanese(tmp_path: Path) -> None:
    done = run_in_process("template", "--fy", "来年", "-o", "x.xlsx", cwd=tmp_path)
    assert done.returncode != 0
    assert "年度「来年」を読み取れません" in done.stderr
    assert not (tmp_path / "x.xlsx").exists()
