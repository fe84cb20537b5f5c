"""Withheld counts stay withheld: no reader can work a 「5未満」 out of what is published.

Two auditors check it: the workbook's own (``briefing.stats.audit``, integer programmes over what the
views publish) and one written here from scratch, which reads only the published CSV files of
every area and the region list and solves linear programmes with scipy's ``linprog``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog
from servers import seed_disclosure

from briefing import PREFECTURE, Dataset, Settings, load_dataset, parse_fy, suppression
from briefing.content import Context, area_name, context, indicator_cards, survey_panels
from briefing.content.filters import Filters
from briefing.render.data_csv import data_csv
from briefing.render.html import render_view
from briefing.stats.audit import Fact, audit, survey_audit
from briefing.stats.disclosure import METHOD, audited, disclosure
from briefing.stats.summary import describe
from briefing.stats.suppression import COMPLEMENT, SMALL, Suppression
from briefing.stats.survey_disclosure import survey_withheld

#: seconds per test (whole-data audits, every area's CSV and pages): mutation testing runs the
#: fast tests of the same rules instead (test_withheld_tables, test_survey_groups)
pytestmark = pytest.mark.slow

REGIONS = ["hokusei", "chusei", "nansei", "iga", "higashikishu"]


def _primaries_only(withheld: Suppression) -> Suppression:
    """The pattern before secondary suppression: only the small values withheld."""
    return replace(withheld, reasons={k: v for k, v in withheld.reasons.items() if v == SMALL})


def _with_values(ds: Dataset, series: str, fy: int, values: dict[str, float]) -> Dataset:
    """``ds`` with the given towns' values of one series and year (others unchanged)."""
    history = ds.history.copy()
    for area, value in values.items():
        hit = (history["series"] == series) & (history["fy"] == fy) & (history["area"] == area)
        assert hit.sum() == 1, area
        history.loc[hit, "value"] = float(value)
    towns = (history["series"] == series) & (history["fy"] == fy) & (history["area"] != PREFECTURE)
    total = (history["series"] == series) & (history["fy"] == fy) & (history["area"] == PREFECTURE)
    history.loc[total, "value"] = history.loc[towns, "value"].sum()
    return replace(ds, history=history)


def _iga_3_and_40(data: Path, edit_csv: Callable[..., str], find_row: Callable[..., int]) -> Path:
    """伊賀 has two towns: 名張市 3 and 伊賀市 40 would give the 3 away from the region's 43."""
    path = data / "history.csv"
    for area, value in (("242080", "3"), ("242161", "40")):
        edit_csv(path, find_row(path, series="6-1", fy="2025", area=area), "value", value)
    return path


def _towns(ds: Dataset, region: str) -> list[str]:
    return list(ds.areas.index[ds.areas["region"] == region])


# ---- the bundled data -------------------------------------------------------------------


@pytest.mark.parametrize("threshold", [5, 10])
def test_the_bundled_data_passes_the_audit(bundled_dataset: Dataset, threshold: int) -> None:
    withheld = suppression(bundled_dataset, threshold)
    result = audit(bundled_dataset, withheld)
    assert result.checked > 100  # every small count of 2-2 and 6-1 was examined
    assert result.findings == []
    reasons = set(withheld.reasons.values())
    assert {SMALL, COMPLEMENT} <= reasons  # the bundled data needs complements


def test_the_audit_passes_on_twice_the_sample_years(tmp_path: Path) -> None:
    from briefing.data.sample import generate

    generate(tmp_path, scale=2)
    ds = load_dataset(tmp_path)
    withheld = suppression(ds, 5)
    result = audit(ds, withheld)
    assert result.checked > 180 and result.findings == []
    groups = survey_withheld(ds.surveys, 5)
    assert survey_audit(ds.surveys, groups, 5).findings == []


def test_small_values_only_read_5未満_and_complements_are_never_small(
    bundled_dataset: Dataset,
) -> None:
    ds = bundled_dataset
    withheld = suppression(ds, 5)
    checked = 0
    for series in ("2-2", "6-1"):
        rows = ds.history[(ds.history["series"] == series) & (ds.history["area"] != PREFECTURE)]
        for fy, year in rows.groupby("fy"):
            values = dict(zip(year["area"], year["value"], strict=True))
            for region in REGIONS:
                values[region] = sum(values.get(t, 0) for t in _towns(ds, region))
            for area, value in values.items():
                why = withheld.reason(series, int(fy), area)
                assert (why == SMALL) == (1 <= value <= 4), (series, fy, area)
                if why == COMPLEMENT:
                    assert value >= 5  # 「秘匿」 tells a reader only "5 or more"
                checked += 1
    assert checked > 300


def _published(ctx: Context, ds: Dataset) -> dict[tuple[str, int, str], str]:
    """Every protected cell as the CSV of each area's briefing prints it (value or label)."""
    names = {str(n): str(c) for c, n in zip(ds.areas.index, ds.areas["name_ja"], strict=True)}
    cells: dict[tuple[str, int, str], str] = {}
    for area in ds.areas.index:
        for direction in (2, 6):
            text = data_csv(ctx, Filters(area=str(area), direction=direction))
            for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))):
                if row["系列"] in ("2-2", "6-1"):
                    cells[(row["系列"], parse_fy(row["年度"]), names[row["地域"]])] = row["値"]
    return cells


def _independent_ranges(
    ds: Dataset, published: dict[tuple[str, int, str], str]
) -> list[tuple[tuple[str, int, str], float, float]]:
    """Min and max of each 「5未満」 by linear programming over the published CSV cells only."""
    result = []
    for series, fy in sorted({(s, f) for s, f, _ in published}):
        regions = {r: _towns(ds, r) for r in REGIONS}
        cells = [t for ts in regions.values() for t in ts] + REGIONS + [PREFECTURE]
        at = {c: i for i, c in enumerate(cells)}
        equations = [[0.0] * len(cells) for _ in range(len(regions) + 1)]
        for k, (region, towns) in enumerate(regions.items()):
            equations[k][at[region]] = 1
            for t in towns:
                equations[k][at[t]] = -1
        equations[-1][at[PREFECTURE]] = 1
        for region in REGIONS:
            equations[-1][at[region]] = -1
        bounds = []
        for c in cells:
            shown = published.get((series, fy, c))
            if shown is None or shown.startswith("一部"):
                bounds.append((0, None))
            elif shown == "5未満":
                bounds.append((0, 4))
            elif shown == "秘匿":
                bounds.append((5, None))
            else:
                v = float(shown.replace(",", ""))
                bounds.append((v, v))
        for c in cells:
            if published.get((series, fy, c)) != "5未満":
                continue
            ends = []
            for sign in (1, -1):
                goal = np.zeros(len(cells))
                goal[at[c]] = sign
                found = linprog(goal, A_eq=equations, b_eq=[0] * len(equations), bounds=bounds)
                assert found.status == 0, (series, fy, c, found.message)
                ends.append(sign * found.fun)
            result.append(((series, fy, c), ends[0], ends[1]))
    return result


def test_an_independent_audit_of_every_areas_csv_finds_no_5未満_narrowed(
    bundled_dataset: Dataset, bundled_disclosure_dir: Path
) -> None:
    ds = bundled_dataset
    # the cells the workbook chose (once per test session) are what the auditor here checks
    ctx = context(ds, Settings(cache_dir=None, disclosure_dir=bundled_disclosure_dir))
    published = _published(ctx, ds)
    ranges = _independent_ranges(ds, published)
    assert len(ranges) > 100
    narrowed = [(cell, lo, hi) for cell, lo, hi in ranges if lo > 1 + 1e-9 or hi < 4 - 1e-9]
    assert narrowed == []
    # the same cells are withheld in every area's file as in the dashboard's pattern
    for (series, fy, area), shown in published.items():
        why = ctx.withheld.reason(series, fy, area)
        assert (shown == "5未満") == (why == SMALL), (series, fy, area)
        assert (shown == "秘匿") == (why == COMPLEMENT), (series, fy, area)
    # and the dashboard's direction view of every area shows the same 6-1 cells as the CSV
    compared = 0
    for area in ds.areas.index:
        page = render_view(
            ctx,
            Filters(area=str(area), view="direction", direction=6),
            "direction",
            mode="table",
        )
        page = page.split('id="ind-6-1"')[1].split("</section>")[0]
        cells = re.findall(
            r'<tr><td>(令和[^<（]*年度)(?:（[^<]*）)?</td><td class="num">([^<]*)</td></tr>', page
        )
        assert cells, area
        for year, text in cells:
            csv_text = published[("6-1", parse_fy(year), str(area))]
            number = re.match(r"[\d,]+(?=人)", text)
            shown = number.group(0).replace(",", "") if number else text.split("（")[0]
            assert shown == csv_text.replace(",", ""), (area, year, text, csv_text)
            compared += 1
    assert compared > 200


# ---- adversarial data: the audit catches each case, the method mends it ----------------


def _caught_then_mended(ds: Dataset, cell: tuple[str, int, str]) -> Suppression:
    withheld = suppression(ds, 5)
    assert withheld.reason(*cell) == SMALL
    before = audit(ds, _primaries_only(withheld))
    assert cell in {f.cell for f in before.findings}  # primary suppression alone gives it away
    after = audit(ds, withheld)
    assert after.checked >= 1 and after.findings == []
    return withheld


def test_two_small_values_in_one_sum(bundled_dataset: Dataset) -> None:
    # 中勢: 津市 7, 松阪市 1, 明和町 1, 多気町 0, 大台町 0 — two 5未満 in a region of 9
    chusei = _towns(bundled_dataset, "chusei")
    values = dict.fromkeys(chusei, 0.0) | {"242012": 7, "242047": 1, "244422": 1}
    ds = _with_values(bundled_dataset, "6-1", 2020, values)
    withheld = _caught_then_mended(ds, ("6-1", 2020, "242047"))
    shown = [t for t in chusei if not withheld.reason("6-1", 2020, t)]
    assert "242012" not in shown or withheld.reason("6-1", 2020, "chusei")


def test_a_region_whose_other_towns_are_0(bundled_dataset: Dataset) -> None:
    iga = _towns(bundled_dataset, "iga")  # 名張市 3, 伊賀市 0: the region is the town
    ds = _with_values(bundled_dataset, "6-1", 2023, {iga[0]: 3, iga[1]: 0})
    withheld = _caught_then_mended(ds, ("6-1", 2023, iga[0]))
    assert withheld.reason("6-1", 2023, "iga") == SMALL  # the region is small itself


def test_the_same_town_small_in_every_year(bundled_dataset: Dataset) -> None:
    ds = bundled_dataset
    for fy in sorted(set(ds.history.loc[ds.history["series"] == "6-1", "fy"])):
        ds = _with_values(ds, "6-1", int(fy), {"242080": 2, "242161": 30})
    withheld = suppression(ds, 5)
    assert audit(ds, withheld).findings == []
    before = audit(ds, _primaries_only(withheld))
    caught = {f.cell[1] for f in before.findings if f.cell[2] == "242080"}
    assert len(caught) == 7  # every year's 2 was given away by 伊賀 − 伊賀市


def test_a_change_from_a_withheld_year_is_caught(bundled_dataset: Dataset) -> None:
    ds = _with_values(bundled_dataset, "6-1", 2024, {"242080": 2, "242161": 30})
    ds = _with_values(ds, "6-1", 2025, {"242080": 20, "242161": 30})
    withheld = suppression(ds, 5)
    assert audit(ds, withheld).findings == []
    # a view that printed 名張市's change since 令和6年度 (+18) would reveal the withheld 2
    leak = Fact(((("6-1", 2025, "242080"), 1.0), (("6-1", 2024, "242080"), -1.0)), 18.0)
    found = audit(ds, withheld, extra=[leak]).findings
    assert [f.cell for f in found] == [("6-1", 2024, "242080")]
    assert found[0].low == found[0].high == 2


def test_a_staff_entered_total_that_differs_is_not_a_sum_of_the_towns(
    data_copy: Path, edit_csv: Callable[..., str], find_row: Callable[..., int]
) -> None:
    path = _iga_3_and_40(data_copy, edit_csv, find_row)
    # and the prefecture total entered 5 higher than the towns' sum
    ds = load_dataset(data_copy)
    towns = ds.history.query("series == '6-1' and fy == 2025 and area != @PREFECTURE")
    row = find_row(path, series="6-1", fy="2025", area=PREFECTURE)
    edit_csv(path, row, "value", str(int(towns["value"].sum()) + 5))
    ds = load_dataset(data_copy)
    withheld = _caught_then_mended(ds, ("6-1", 2025, "242080"))  # 伊賀 43 − 伊賀市 40
    # the entered total is shown as entered; it is not an equation over the towns
    assert withheld.reason("6-1", 2025, PREFECTURE) == ""
    assert withheld.reason("6-1", 2025, "242080") == SMALL
    total = int(towns["value"].sum())
    assert f"県全体の値 {total + 5:,} が市町の合計 {total:,} と異なります" in describe(ds)


# ---- partial totals ---------------------------------------------------------------------


def test_a_region_with_a_town_missing_reads_partial_with_no_change(
    data_copy: Path, find_row: Callable[..., int]
) -> None:
    path = data_copy / "history.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    row = find_row(path, series="2-2", fy="2025", area="242012")  # 津市 has not reported
    path.write_text("".join(lines[: row - 1] + lines[row:]), encoding="utf-8")
    ds = load_dataset(data_copy)
    ctx = context(ds, Settings(data_dir=data_copy, cache_dir=None, disclosure_dir=None))
    view = render_view(
        ctx, Filters(area="chusei", view="direction", direction=2), "direction", mode="table"
    )
    assert "一部の市町のみ（4/5 市町）" in view
    assert "まだ報告のない市町がある年度" in view  # the note says what it means
    card = indicator_cards(ctx, Filters(area="chusei", direction=2))[2]
    line = next(c for c in card if c.id == "2-2").lines[0]
    assert line.latest == "一部の市町のみ（4/5 市町）"
    assert line.vs_previous == "－"  # no change computed from a partial sum
    prefecture = indicator_cards(ctx, Filters(area=PREFECTURE, direction=2))[2]
    total = next(c for c in prefecture if c.id == "2-2").lines[0]
    assert total.latest == "一部の市町のみ（28/29 市町）" and total.vs_previous == "－"
    csv_text = data_csv(ctx, Filters(area="chusei", direction=2))
    assert any("令和7年度,一部の市町のみ（4/5 市町）" in r for r in csv_text.splitlines())
    assert audit(ds, ctx.withheld).findings == []
    assert "2-2 令和7年度: 29 市町のうち 28 市町の値しかありません（未報告: 津市）" in describe(ds)


# ---- the views --------------------------------------------------------------------------


def test_a_lone_small_town_is_withheld_with_a_complement_on_the_page_and_in_the_csv(
    data_copy: Path, edit_csv: Callable[..., str], find_row: Callable[..., int]
) -> None:
    _iga_3_and_40(data_copy, edit_csv, find_row)
    ds = load_dataset(data_copy)
    ctx = context(ds, Settings(data_dir=data_copy, cache_dir=None, disclosure_dir=None))
    assert ctx.withheld.reason("6-1", 2025, "242080") == SMALL
    view = render_view(ctx, Filters(area="iga", view="area"), "area", mode="table")
    assert '<td>名張市</td><td class="num">5未満</td>' in view
    hidden = [
        why
        for why in (
            ctx.withheld.reason("6-1", 2025, "242161"),
            ctx.withheld.reason("6-1", 2025, "iga"),
        )
        if why
    ]
    assert hidden == [COMPLEMENT]  # 伊賀市 or the region goes with it, not both
    assert "逆算されないよう" in view  # the note says why
    town = render_view(
        ctx, Filters(area="242161", view="direction", direction=6), "direction", mode="table"
    )
    region = render_view(
        ctx, Filters(area="iga", view="direction", direction=6), "direction", mode="table"
    )
    if ctx.withheld.reason("6-1", 2025, "242161"):
        assert "40人" not in town.split("令和7年度")[-1].split("</tr>")[0]
    else:
        assert "43人" not in region
    lines = data_csv(ctx, Filters(area="242080", direction=6)).splitlines()
    latest = [line for line in lines if ",6-1," in line and "令和7年度" in line]
    assert len(latest) == 1 and ",5未満," in latest[0]


def test_the_choice_and_the_audit_are_stored_per_data_version_and_shared(tmp_path: Path) -> None:
    ds = load_dataset()
    settings = Settings(cache_dir=None, disclosure_dir=tmp_path)
    first = context(ds, settings)
    stored = sorted(p.name for p in tmp_path.glob("*.json"))
    assert len(stored) == 2 and f"{ds.version}-5-m{METHOD}-cells.json" in stored
    assert audited(ds, 5, tmp_path).passed
    assert len(list(tmp_path.glob("*.json"))) == 4  # and their audits
    second = context(ds, settings)
    assert second.withheld == first.withheld
    assert second.disclosure.groups == first.disclosure.groups and first.disclosure.groups


def test_a_folder_that_cannot_be_written_only_costs_choosing_again(
    tmp_path: Path, bundled_dataset: Dataset, bundled_disclosure_dir: Path
) -> None:
    """On a shared PC or under JupyterHub the temporary folder may be another user's: the page
    must still show, with the same choice (made in memory, not stored)."""
    blocked = tmp_path / "mie-briefing-disclosure"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    found = disclosure(bundled_dataset, 5, blocked)
    assert found == disclosure(bundled_dataset, 5, bundled_disclosure_dir)
    assert blocked.is_file()


# ---- survey groups ----------------------------------------------------------------------


def _g2_cells(ds: Dataset, fy: int) -> dict[tuple[str, str], tuple[float, float]]:
    """(region or "*", group or "*") → (agreeing, n), rebuilt here from surveys.csv."""
    rows = ds.surveys[(ds.surveys["survey"] == "G2") & (ds.surveys["fy"] == fy)]
    agree = rows["answer"].isin(["そう思う", "どちらかといえばそう思う"])
    cells: dict[tuple[str, str], tuple[float, float]] = {}
    for (region, group), part in rows.groupby(["region", "group"]):
        a, n = (
            float(part.loc[agree[part.index], "respondents"].sum()),
            float(part["respondents"].sum()),
        )
        for key in ((region, group), (region, "*"), ("*", group), ("*", "*")):
            old = cells.get(key, (0.0, 0.0))
            cells[key] = (old[0] + a, old[1] + n)
    return cells


def test_no_hidden_survey_group_can_be_worked_out_from_the_published_shares(
    bundled_dataset: Dataset, bundled_disclosure_dir: Path
) -> None:
    ds = bundled_dataset
    ctx = context(ds, Settings(cache_dir=None, disclosure_dir=bundled_disclosure_dir))
    fy = int(ds.surveys["fy"].max())
    cells = {k: v for k, v in _g2_cells(ds, fy).items() if v[1] > 0}
    # what a reader sees: every region's panel by agency type, the prefecture's, the regions'
    shown: dict[tuple[str, str], float] = {}
    hidden_seen = 0
    for area in ["240001", *REGIONS]:
        for panel in survey_panels(ctx, Filters(area=area)):
            if not panel.title.startswith("G2"):
                continue
            by_region = "地域別" in panel.title
            for label, text in zip(panel.table.iloc[:, 0], panel.table.iloc[:, 1], strict=True):
                region = (
                    next(r for r in REGIONS if area_name(ctx, r, "ja") == label)
                    if by_region
                    else ("*" if area == "240001" else area)
                )
                group = "*" if by_region else str(label)
                if text.startswith("非表示"):
                    hidden_seen += 1
                    continue
                share, n = float(text.split("%")[0]), cells[(region, group)][1]
                shown[(region, group)] = round(share * n / 100)  # one decimal: the count is exact
    assert hidden_seen > 5
    keys = list(cells)
    at = {k: i for i, k in enumerate(keys)}
    equations, rhs = [], []
    for region in {r for r, g in keys if r != "*"}:
        row = [0.0] * len(keys)
        row[at[(region, "*")]] = 1
        for r, g in keys:
            if r == region and g != "*":
                row[at[(r, g)]] = -1
        equations.append(row)
        rhs.append(0.0)
    for group in {g for r, g in keys if g != "*"}:
        row = [0.0] * len(keys)
        row[at[("*", group)]] = 1
        for r, g in keys:
            if g == group and r != "*":
                row[at[(r, g)]] = -1
        equations.append(row)
        rhs.append(0.0)
    bounds = [(shown[k], shown[k]) if k in shown else (0, cells[k][1]) for k in keys]
    small = [k for k in keys if cells[k][1] < 5]
    assert small
    for k in small:
        ends = []
        for sign in (1, -1):
            goal = np.zeros(len(keys))
            goal[at[k]] = sign
            found = linprog(goal, A_eq=equations, b_eq=rhs, bounds=bounds)
            assert found.status == 0
            ends.append(sign * found.fun)
        assert ends[0] <= 1e-9 and ends[1] >= cells[k][1] - 1e-9, (k, ends)


def test_survey_groups_hidden_only_for_n_still_give_a_small_group_away(
    bundled_dataset: Dataset,
) -> None:
    ds = bundled_dataset
    small = frozenset(
        ("G2", fy, *k)
        for fy in set(ds.surveys["fy"])
        for k, (_, n) in _g2_cells(ds, int(fy)).items()
        if 0 < n < 5
    )
    before = survey_audit(ds.surveys, small, 5)
    assert before.checked == len(small) and before.findings  # e.g. 北勢 NPO: 41 − 37 = 4
    after = survey_audit(ds.surveys, survey_withheld(ds.surveys, 5), 5)
    assert after.checked == len(small) and after.findings == []


def test_an_old_value_withheld_by_the_earlier_briefing_stays_withheld_in_the_updates(
    data_copy: Path, tmp_path: Path
) -> None:
    """「前回からの更新」 prints old → new; an old 「秘匿」 printed there would undo the
    protection the earlier briefing gave (the earlier total minus the others)."""
    import datetime as dt

    from briefing.intake.apply import commit
    from briefing.intake.review import review
    from briefing.render.export import render_briefing

    ds = load_dataset(data_copy)
    # the earlier and the new data's choices are stored here once, as in a kernel or an export
    settings = Settings(cache_dir=None, disclosure_dir=seed_disclosure(tmp_path))
    withheld = disclosure(ds, 5, settings.disclosure_dir).withheld
    series, fy, town = next(
        (s, f, a)
        for (s, f, a), why in sorted(withheld.reasons.items())
        if why == COMPLEMENT and ds.areas.at[a, "level"] == "municipality"
    )
    old = ds.history.query("series == @series and fy == @fy and area == @town")["value"].iloc[0]
    name = ds.areas.at[town, "name_ja"]
    update = tmp_path / "update.csv"
    update.write_text(
        f"指標,年度,地域,値\n{series},{fy},{name},{int(old) + 20}\n", encoding="utf-8"
    )
    commit(
        ds,
        review([update], ds),
        by="福祉課",
        now=dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC),
        settings=settings,
    )
    new = load_dataset(data_copy)
    html = render_briefing(
        new,
        Filters(area=town),
        settings=settings,
        since=dt.date(2026, 11, 1),
        generated=dt.date(2026, 11, 26),
    )
    section = html[html.index('id="updates"') :].split("</section>")[0]
    row = next(r for r in section.split("<tr>") if name in r)
    assert "秘匿 →" in row  # the earlier briefing withheld it
    unit = ds.series.at[series, "unit_ja"]
    assert f"{old:,.0f}{unit} →" not in row
    now = disclosure(new, 5, settings.disclosure_dir).withheld.reason(series, fy, town)
    assert (f"→ {int(old) + 20:,}{unit}" in row) == (now == "")
