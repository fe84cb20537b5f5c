"""The briefing's data as CSV, and its 「前回からの更新」: what is sent to members and published.

The CSV is what a member opens in Excel: one row per value shown, withheld values as their label
(never the number), no cell that Excel would run as a formula. 「前回からの更新」 lists each value
changed since a date, old → new, each side withheld as the briefing of its time withheld it.
Small data on disk (``tables.tiny_data``: 伊賀 as the whole prefecture), so each test is quick.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from conftest import edit_csv, find_row
from tables import IGA_CITY, NABARI, tiny_data

from briefing import PREFECTURE, Settings, load_dataset
from briefing.content import Context, context
from briefing.content.filters import Filters
from briefing.content.updates import changes_since
from briefing.data.changes import CHANGE_COLUMNS
from briefing.intake.records import record_review
from briefing.render.data_csv import data_csv, neutralise, opinions_csv

HEADER = [
    "指標",
    "系列",
    "指標名",
    "地域",
    "年度",
    "値",
    "単位",
    "状態",
    "サンプル",
    "担当課コメント",
    "出典",
    "更新日",
]


def context_of(folder: Path) -> Context:
    return context(
        load_dataset(folder), Settings(data_dir=folder, cache_dir=None, disclosure_dir=None)
    )


def rows_of(text: str) -> list[list[str]]:
    """The header (its first twelve columns) and the indicator rows (the survey rows follow)."""
    rows = list(csv.reader(io.StringIO(text)))
    return [rows[0][:12]] + [r[:12] for r in rows[1:] if r[1] not in ("G1", "G2")]


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """名張市 3 in 令和7年度 (「5未満」, 伊賀市 withheld with it), 12 the year before."""
    towns = {(2024, NABARI): 12, (2024, IGA_CITY): 30, (2025, NABARI): 3, (2025, IGA_CITY): 40}
    return tiny_data(tmp_path / "data", towns)


def test_a_towns_csv_has_every_year_shown_and_the_small_value_as_its_label(small: Path) -> None:
    ctx = context_of(small)
    text = data_csv(ctx, Filters(area=NABARI, direction=6))
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")  # Excel's line ends
    rows = rows_of(text)
    assert rows[0] == HEADER
    assert [(r[1], r[3], r[4], r[5], r[6], r[7]) for r in rows[1:]] == [
        ("6-1", "名張市", "令和6年度", "12", "人", "確定"),
        ("6-1", "名張市", "令和7年度", "5未満", "人", "速報"),
    ]
    full = [r for r in csv.reader(io.StringIO(text)) if r[1] == "6-1"]
    assert [r[12:] for r in full] == [[""] * 7] * 2  # no survey cells on an indicator row
    assert {r[0] for r in rows[1:]} == {"6-1"} and rows[1][2] == "相談支援包括化推進員養成数"


def test_the_english_csv_reads_in_english_with_fiscal_years_as_fy(small: Path) -> None:
    """Its header, years, withheld value, status, yes/no and source are English; the staff's
    comment (written in Japanese) is left to the Japanese edition."""
    path = small / "history.csv"
    edit_csv(path, find_row(path, series="6-1", fy="2024", area=NABARI), "comment", "研修を2回実施")
    ctx = context_of(small)
    text = data_csv(ctx, Filters(area=NABARI, direction=6, lang="en"))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        *("indicator", "series", "indicator_name", "area", "fiscal_year", "value", "unit"),
        *("status", "sample", "staff_comment", "source", "updated", "group", "respondents"),
        *("effective_respondents", "ci95_low", "ci95_high", "weighted", "indicative"),
    ]
    sample = "fictitious sample data (made by briefing sample)"
    name = "Comprehensive consultation support coordinators trained"
    assert [r[:12] for r in rows[1:] if r[1] == "6-1"] == [
        ["6-1", "6-1", name, "Nabari-shi", "FY2024", "12", "people", "final", "yes", "", sample]
        + ["2025-06-30"],
        ["6-1", "6-1", name, "Nabari-shi", "FY2025", "<5", "people", "provisional", "yes", ""]
        + [sample, "2026-10-15"],
    ]
    japanese = rows_of(data_csv(ctx, Filters(area=NABARI, direction=6)))
    assert japanese[1][9] == "研修を2回実施"


def test_another_threshold_reads_in_the_csv(small: Path) -> None:
    folder = small
    ctx = context(
        load_dataset(folder),
        Settings(data_dir=folder, cache_dir=None, disclosure_dir=None, suppress_below=15),
    )
    rows = rows_of(data_csv(ctx, Filters(area=NABARI, direction=6)))
    assert [r[5] for r in rows[1:]] == ["15未満", "15未満"]


def test_the_region_and_the_neighbour_withheld_with_it_read_as_labels(small: Path) -> None:
    ctx = context_of(small)
    town = rows_of(data_csv(ctx, Filters(area=IGA_CITY, direction=6)))
    assert [r[5] for r in town[1:]] == ["30", "秘匿"]
    region = rows_of(data_csv(ctx, Filters(area="iga", direction=6)))
    assert [r[5] for r in region[1:]] == ["42", "43"]
    assert [r[8] for r in region[1:]] == ["はい", "はい"]  # the bundled towns are sample data


def test_the_year_range_and_direction_limit_the_rows(small: Path) -> None:
    ctx = context_of(small)
    rows = rows_of(data_csv(ctx, Filters(area=PREFECTURE, direction=6, fy_from=2025, fy_to=2025)))
    assert [(r[1], r[4]) for r in rows[1:]] == [("6-1", "令和7年度")]
    everything = rows_of(data_csv(ctx, Filters(area=PREFECTURE)))
    assert {r[1] for r in everything[1:]} == {"2-1a", "2-3a", "3-1", "6-1"}


def test_comments_and_sources_are_text_and_formulas_do_not_run(small: Path) -> None:
    path = small / "history.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        history = list(csv.DictReader(handle))
    for r in history:
        if (r["series"], r["fy"]) == ("3-1", "2025"):
            r["comment"], r["source"] = '=HYPERLINK("http://x","押して")', ""
        if (r["series"], r["fy"]) == ("3-1", "2024"):
            r["comment"], r["value"] = "+増加", "4521"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(history[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(history)
    rows = {(r[1], r[4]): r for r in rows_of(data_csv(context_of(small), Filters()))[1:]}
    assert rows[("3-1", "令和7年度")][9] == '\'=HYPERLINK("http://x","押して")'
    assert rows[("3-1", "令和7年度")][10] == ""  # no source: an empty cell, not "nan"
    assert rows[("3-1", "令和6年度")][9] == "'+増加"
    assert rows[("3-1", "令和6年度")][5] == "4521"  # a number Excel can add up, no separator
    real = rows[("3-1", "令和2年度")]  # the plan's 現状値: real, with its source
    assert (real[8], real[10]) == (
        "いいえ",
        "三重県ひきこもり支援推進計画（令和4年3月）第5章 現状値",
    )
    assert rows[("3-1", "令和7年度")][8] == "はい"
    assert rows[("2-3a", "令和2年度")][5] == "72.9"  # a share keeps its decimal


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+81", "'+81"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("増加", "増加"),
        ("", ""),
        (-5, -5),
        (3.5, 3.5),
    ],
)
def test_text_excel_would_run_is_neutralised_and_numbers_stay_numbers(
    cell: object, expected: object
) -> None:
    assert neutralise(cell) == expected


# ---- 「前回からの更新」 ------------------------------------------------------------------------


def record(folder: Path, *changes: tuple[str, str, str, str, str, str]) -> None:
    """changes.csv rows: (changed_at, series, fy, area, old, new)."""
    with (folder / "changes.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CHANGE_COLUMNS)
        for when, series, fy, area, old, new in changes:
            writer.writerow(
                [when, "福祉課", "報告.xlsx", series, fy, area, old, new, "速報", "確定"]
            )


def test_updates_print_old_and_new_each_withheld_as_it_was_then(small: Path) -> None:
    """名張市's 令和7年度 was 20 and is now 3: 「20人 → 5未満」. 伊賀市's was 35, shown then (nothing
    small beside it); now 40 and withheld with 名張市's 3: 「35人 → 秘匿」."""
    record(
        small,
        ("2026-11-20T10:30:00+09:00", "6-1", "2025", NABARI, "20", "3"),
        ("2026-11-20T10:30:00+09:00", "6-1", "2025", IGA_CITY, "35", "40"),
        ("2026-11-20T10:30:00+09:00", "6-1", "2024", NABARI, "", "12"),
    )
    ctx = context_of(small)
    since = dt.date(2026, 11, 1)
    town = changes_since(ctx, Filters(area=NABARI), since)
    assert [(c.fy, c.value, c.updated) for c in town] == [
        ("令和7年度", "20人 → 5未満", "2026-11-20"),
        ("令和6年度", "（新規） → 12人", "2026-11-20"),
    ]
    assert town[0].indicator == "6-1 相談支援包括化推進員養成数" and town[0].area == "名張市"
    neighbour = changes_since(ctx, Filters(area=IGA_CITY), since)
    assert [c.value for c in neighbour] == ["35人 → 秘匿"]
    region = changes_since(ctx, Filters(area="iga"), since)
    assert len(region) == 3  # the changes of its towns
    assert changes_since(ctx, Filters(area=NABARI, direction=3), since) == []


def test_updates_count_by_the_day_in_japan(small: Path) -> None:
    """08:30 on 1 December in Japan is still 30 November in UTC: it is on or after 1 December."""
    record(
        small,
        ("2026-11-30T23:30:00+00:00", "6-1", "2024", NABARI, "10", "12"),
        ("2026-11-30T23:59:00+09:00", "6-1", "2024", IGA_CITY, "29", "30"),
    )
    [change] = changes_since(context_of(small), Filters(area="iga"), dt.date(2026, 12, 1))
    assert (change.area, change.updated) == ("名張市", "2026-12-01")


def test_without_a_change_record_the_update_dates_decide(small: Path) -> None:
    ctx = context_of(small)
    updated = {str(d) for d in ctx.ds.history["updated"]}
    latest = max(updated)
    found = changes_since(ctx, Filters(area=NABARI), dt.date.fromisoformat(latest))
    assert found and all(c.updated == latest for c in found)
    assert all("→" not in c.value for c in found)  # no old value to show
    assert changes_since(ctx, Filters(area=NABARI), dt.date(2100, 1, 1)) == []


def test_a_value_changed_twice_since_the_date_is_withheld_as_it_first_was(small: Path) -> None:
    """伊賀市's 令和6年度: 4 before the date (「5未満」 then), 10 after one import, 30 after another.
    The old side of each line is withheld as the briefing before the first import had it: the 4
    never appears (nor, as the same cell, the 10 in between)."""
    record(
        small,
        ("2026-11-20T10:30:00+09:00", "6-1", "2024", IGA_CITY, "4", "10"),
        ("2026-11-21T10:30:00+09:00", "6-1", "2024", IGA_CITY, "10", "30"),
    )
    lines = changes_since(context_of(small), Filters(area=IGA_CITY), dt.date(2026, 11, 1))
    assert [c.value for c in lines] == ["5未満 → 10人", "5未満 → 30人"]


def test_updates_name_the_series_and_keep_to_the_direction_chosen(small: Path) -> None:
    """Changes of other directions come first in the record and are left out, not the end of
    the list; a split indicator says which part (2-1 相談窓口); a share keeps its decimal."""
    record(
        small,
        ("2026-11-20T10:30:00+09:00", "3-1", "2025", PREFECTURE, "402", "410"),
        ("2026-11-20T10:30:00+09:00", "2-1a", "2025", PREFECTURE, "20", "22"),
        ("2026-11-20T10:30:00+09:00", "2-3a", "2025", PREFECTURE, "72.9", "74"),
        ("2026-11-20T10:30:00+09:00", "6-1", "2025", PREFECTURE, "50", "55"),
    )
    ctx = context_of(small)
    since = dt.date(2026, 11, 1)
    [six] = changes_since(ctx, Filters(direction=6), since)
    assert (six.series, six.value) == ("6-1", "50人 → 55人")
    two = changes_since(ctx, Filters(direction=2), since)
    assert [(c.indicator, c.value) for c in two] == [
        (
            "2-1 市町における相談窓口および市町プラットフォームの設置・運営数（相談窓口）",
            "20窓口 → 22窓口",
        ),
        (f"2-3 {ctx.ds.catalog.at['2-3', 'name_ja']}（小学生）", "72.9% → 74.0%"),
    ]


def test_updates_read_in_english_in_the_english_briefing(small: Path) -> None:
    record(
        small,
        ("2026-11-20T10:30:00+09:00", "6-1", "2025", NABARI, "20", "3"),
        ("2026-11-20T10:30:00+09:00", "6-1", "2024", NABARI, "", "12"),
    )
    found = changes_since(context_of(small), Filters(area=NABARI, lang="en"), dt.date(2026, 11, 1))
    assert [(c.indicator, c.fy, c.area, c.value) for c in found] == [
        ("6-1 Comprehensive consultation support coordinators trained", "FY2025", "Nabari-shi")
        + ("20 people → <5",),
        ("6-1 Comprehensive consultation support coordinators trained", "FY2024", "Nabari-shi")
        + ("(new) → 12 people",),
    ]


def test_an_update_names_a_series_by_its_own_label_in_either_language(small: Path) -> None:
    """2-3's share of primary schools reads （小学生） in Japanese and (Primary school) in English."""
    record(small, ("2026-11-20T10:30:00+09:00", "2-3a", "2025", PREFECTURE, "40", "45"))
    since = dt.date(2026, 11, 1)
    [ja] = changes_since(context_of(small), Filters(), since)
    [en] = changes_since(context_of(small), Filters(lang="en"), since)
    assert ja.indicator.startswith("2-3 ") and ja.indicator.endswith("（小学生）")
    assert en.indicator.startswith("2-3 ") and en.indicator.endswith(" (Primary school)")


def test_updates_withhold_at_the_threshold_set(small: Path) -> None:
    """At 15, 名張市's new 12 is withheld as 「15未満」, and so is its old 14; its old 20 is shown."""
    record(
        small,
        ("2026-11-20T10:30:00+09:00", "6-1", "2025", NABARI, "20", "3"),
        ("2026-11-20T10:30:00+09:00", "6-1", "2024", NABARI, "14", "12"),
    )
    settings = Settings(data_dir=small, cache_dir=None, disclosure_dir=None, suppress_below=15)
    ctx = context(load_dataset(small), settings)
    found = changes_since(ctx, Filters(area=NABARI), dt.date(2026, 11, 1))
    assert [c.value for c in found] == ["20人 → 15未満", "15未満 → 15未満"]


def test_a_recorded_value_no_longer_in_the_data_is_skipped(small: Path) -> None:
    """A change record row for a value the history no longer holds (a hand-edited file, say)
    must not stop the briefing."""
    record(
        small,
        ("2026-11-20T10:30:00+09:00", "6-1", "2023", NABARI, "", "7"),
        ("2026-11-20T10:30:00+09:00", "6-1", "2025", NABARI, "20", "3"),
    )
    found = changes_since(context_of(small), Filters(area=NABARI), dt.date(2026, 11, 1))
    assert [c.value for c in found] == ["（新規） → 7人", "20人 → 5未満"]


# ---- the survey rows ----------------------------------------------------------------------


@pytest.fixture
def surveyed(small: Path) -> Path:
    """The tiny folder's G1 (伊賀, 令和7年度) and a G2 of its own: 3 medical agencies (1 agrees),
    40 councils (20 agree) in 令和7年度, and 12 councils (6 agree) in 令和6年度."""
    lines = (small / "surveys.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    g2 = [
        ("2025", "医療機関", "そう思う", 1),
        ("2025", "医療機関", "そう思わない", 2),
        ("2025", "社会福祉協議会", "そう思う", 20),
        ("2025", "社会福祉協議会", "わからない", 20),
        ("2024", "社会福祉協議会", "どちらかといえばそう思う", 6),
        ("2024", "社会福祉協議会", "そう思わない", 6),
    ]
    rows = [f"G2,{fy},iga,{group},{answer},{n},false\n" for fy, group, answer, n in g2]
    (small / "surveys.csv").write_text("".join(lines + rows), encoding="utf-8")
    return small


def survey_lines(folder: Path | Context, filters: Filters) -> list[dict[str, str]]:
    text = data_csv(context_of(folder) if isinstance(folder, Path) else folder, filters)
    rows = list(csv.DictReader(io.StringIO(text)))
    return [r for r in rows if r["系列"] in ("G1", "G2")]


def test_the_csv_has_every_survey_share_with_n_interval_and_flags(surveyed: Path) -> None:
    rows = survey_lines(surveyed, Filters())
    g2 = {(r["年度"], r["地域"], r["区分"]): r for r in rows if r["系列"] == "G2"}
    # 令和6年度: 12 councils, half agree: shown, indicative (n < 30), with its interval
    whole = g2[("令和6年度", "県全体", "全体")]
    assert (whole["値"], whole["回答者数"], whole["有効回答者数"]) == ("50.0", "12", "12")
    assert (whole["参考値"], whole["加重"], whole["サンプル"], whole["単位"]) == (
        "はい",
        "いいえ",
        "いいえ",
        "%",
    )
    assert (whole["95%信頼区間下限"], whole["95%信頼区間上限"]) == ("25.4", "74.6")  # Wilson
    assert whole["指標名"] and whole["出典"] == "三重県（相談支援機関調査）"
    assert all(r["状態"] == r["担当課コメント"] == r["更新日"] == "" for r in rows)
    # 令和7年度: 3 medical agencies are too few; the 40 councils would give them away
    small_group = g2[("令和7年度", "県全体", "医療機関")]
    assert (small_group["値"], small_group["回答者数"]) == ("非表示（回答者5人未満）", "3")
    assert (
        small_group["有効回答者数"] == small_group["95%信頼区間下限"] == small_group["参考値"] == ""
    )
    councils = g2[("令和7年度", "県全体", "社会福祉協議会")]
    assert (councils["値"], councils["回答者数"]) == (
        "非表示（回答者の少ない区分の逆算防止）",
        "40",
    )
    assert councils["95%信頼区間上限"] == ""
    total = g2[("令和7年度", "県全体", "全体")]
    assert (total["値"], total["回答者数"], total["参考値"]) == ("48.8", "43", "いいえ")
    assert g2[("令和7年度", "伊賀", "全体")]["値"] == "48.8"  # and per region
    g1 = [r for r in rows if r["系列"] == "G1"]
    assert g1 and all(r["サンプル"] == "はい" for r in g1)


def test_a_regions_csv_has_its_own_survey_rows_once(surveyed: Path) -> None:
    rows = survey_lines(surveyed, Filters(area="iga", fy_from=2025, fy_to=2025))
    g2 = [(r["年度"], r["地域"], r["区分"]) for r in rows if r["系列"] == "G2"]
    assert g2 == [
        ("令和7年度", "伊賀", "全体"),
        ("令和7年度", "伊賀", "医療機関"),
        ("令和7年度", "伊賀", "社会福祉協議会"),
    ]
    town = survey_lines(surveyed, Filters(area=NABARI, fy_from=2025, fy_to=2025))
    assert [r["地域"] for r in town if r["系列"] == "G2"] == ["伊賀"] * 3  # a town's region


def test_a_survey_row_that_excel_would_run_is_neutralised(surveyed: Path) -> None:
    """A group named by the contractor 「=合計」 reaches Excel as text."""
    path = surveyed / "surveys.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("社会福祉協議会", "=合計"), encoding="utf-8"
    )
    groups = {r["区分"] for r in survey_lines(surveyed, Filters()) if r["系列"] == "G2"}
    assert "'=合計" in groups and "=合計" not in groups


def test_the_english_csv_names_survey_groups_years_and_agencies_in_english(
    surveyed: Path,
) -> None:
    rows = list(csv.DictReader(io.StringIO(data_csv(context_of(surveyed), Filters(lang="en")))))
    g2 = {(r["fiscal_year"], r["area"], r["group"]): r for r in rows if r["series"] == "G2"}
    assert list(g2) == [
        ("FY2024", "Whole prefecture", "all"),
        ("FY2024", "Whole prefecture", "Social welfare councils"),
        ("FY2024", "Iga", "all"),
        ("FY2025", "Whole prefecture", "all"),
        ("FY2025", "Whole prefecture", "Medical institutions"),
        ("FY2025", "Whole prefecture", "Social welfare councils"),
        ("FY2025", "Iga", "all"),
    ]
    few = g2[("FY2025", "Whole prefecture", "Medical institutions")]
    assert (few["value"], few["respondents"], few["effective_respondents"]) == (
        "withheld (fewer than 5 respondents)",
        "3",
        "",
    )
    councils = g2[("FY2025", "Whole prefecture", "Social welfare councils")]
    assert councils["value"] == "withheld (so that a small group cannot be worked out)"
    whole = g2[("FY2024", "Whole prefecture", "all")]
    assert [whole[c] for c in ("value", "sample", "weighted", "indicative")] == [
        *("50.0", "no", "no", "yes")
    ]
    agencies = {r["series"]: r["source"] for r in rows if r["series"] in ("G1", "G2")}
    assert agencies == {
        "G1": "Mie Prefecture (residents' opinion survey)",
        "G2": "Mie Prefecture (survey of consultation and support agencies)",
    }
    assert all(r["status"] == r["staff_comment"] == r["updated"] == "" for r in g2.values())
    assert {r["group"] for r in rows if r["series"] == "G1"} >= {"all", "18–29", "70 and over"}


def add_g2(folder: Path, *rows: tuple[object, ...]) -> None:
    """G2 answers of 令和7年度: (region, group, answer, respondents), or with Σw and Σw² after
    them for a weighted survey (the other rows then leave those columns empty)."""
    path = folder / "surveys.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    weighted = any(len(r) > 4 for r in rows)
    if weighted:
        lines = [lines[0] + ",weighted,weighted_sq"] + [line + ",," for line in lines[1:]]
    for region, group, answer, n, *weights in rows:
        cells = [region, group, answer, n, "false", *weights]
        lines.append(",".join(map(str, ["G2", 2025, *cells])))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_group_of_five_hidden_to_protect_a_smaller_one_says_why(small: Path) -> None:
    """3 medical agencies are too few; the 5 NPOs, hidden so the 3 cannot be worked out from
    the total, are not too few themselves: their cell says which."""
    add_g2(
        small,
        ("iga", "医療機関", "そう思う", 1),
        ("iga", "医療機関", "そう思わない", 2),
        ("iga", "NPO・民間支援団体", "そう思う", 2),
        ("iga", "NPO・民間支援団体", "そう思わない", 3),
        ("iga", "社会福祉協議会", "そう思う", 20),
        ("iga", "社会福祉協議会", "わからない", 20),
    )
    rows = {r["区分"]: r for r in survey_lines(small, Filters()) if r["系列"] == "G2"}
    npo = rows["NPO・民間支援団体"]
    assert (npo["値"], npo["回答者数"]) == ("非表示（回答者の少ない区分の逆算防止）", "5")
    assert npo["有効回答者数"] == npo["95%信頼区間下限"] == npo["95%信頼区間上限"] == ""
    assert rows["医療機関"]["値"] == "非表示（回答者5人未満）"


def test_a_weighted_survey_reads_as_weighted_with_its_effective_n(small: Path) -> None:
    """40 councils, weights Σw 40 and Σw² 70: 75% agree, an effective n of 1600 / 70 ≈ 22.9,
    so 参考値 (under 30) though 40 answered."""
    add_g2(
        small,
        ("iga", "社会福祉協議会", "そう思う", 20, 30, 60),
        ("iga", "社会福祉協議会", "わからない", 20, 10, 10),
    )
    [whole, *_] = [r for r in survey_lines(small, Filters()) if r["系列"] == "G2"]
    assert [whole[c] for c in ("値", "回答者数", "有効回答者数", "加重", "参考値")] == [
        *("75.0", "40", "22.9", "はい", "はい")
    ]
    assert (whole["95%信頼区間下限"], whole["95%信頼区間上限"]) == ("54.6", "88.2")


def test_a_regions_csv_has_the_regions_shares_not_the_prefectures(small: Path) -> None:
    """With 中勢 surveyed too, 伊賀's CSV gives 伊賀's share and its groups only (the
    prefecture's 66.7% and 中勢's medical agencies are not 伊賀's), then each region's share."""
    with (small / "areas.csv").open("a", encoding="utf-8") as handle:
        handle.write("chusei,region,中勢,Chusei,ちゅうせい,\n")
    add_g2(
        small,
        ("iga", "社会福祉協議会", "そう思う", 20),
        ("iga", "社会福祉協議会", "わからない", 20),
        ("chusei", "社会福祉協議会", "そう思う", 30),
        ("chusei", "社会福祉協議会", "そう思わない", 10),
        ("chusei", "医療機関", "そう思う", 30),
        ("chusei", "医療機関", "そう思わない", 10),
    )
    ctx = context_of(small)
    prefecture = survey_lines(ctx, Filters())
    assert [(r["地域"], r["区分"], r["値"]) for r in prefecture if r["系列"] == "G2"][0] == (
        "県全体",
        "全体",
        "66.7",
    )
    rows = survey_lines(ctx, Filters(area="iga"))
    assert [(r["地域"], r["区分"], r["値"], r["回答者数"]) for r in rows if r["系列"] == "G2"] == [
        ("伊賀", "全体", "50.0", "40"),
        ("伊賀", "社会福祉協議会", "50.0", "40"),
        ("中勢", "全体", "75.0", "80"),
    ]


# ---- the committee's opinions, the second CSV of a briefing ------------------------------------


def test_the_opinions_csv_lists_newest_meeting_first_and_goes_back_in_unchanged(
    small: Path, tmp_path: Path
) -> None:
    """全体's file has every opinion, plan-wide ones marked 全体; a direction's has its own only.
    Staff edit the file and bring it back with ``briefing import``: as sent, nothing changes."""
    ctx = context_of(small)
    ops = ctx.ds.opinions
    text = opinions_csv(ctx, Filters(), [1, 2, 3, 4, 5, 6])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["会議日", "会議名", "取組方向"] and len(rows) - 1 == len(ops)
    newest_first = ops.sort_values(["meeting_date", "id"], ascending=[False, True])
    assert [r[5] for r in rows[1:]] == list(newest_first["opinion"])
    assert {r[2] for r in rows[1:]} == {"全体", "2", "3", "5", "6"}  # whole numbers, not 2.0
    assert {r[-1] for r in rows[1:]} == {"はい"}  # the bundled opinions are sample text
    sent = tmp_path / "opinions.csv"
    sent.write_text(text, encoding="utf-8-sig")
    back = record_review([sent], ctx.ds)
    assert back.ok and len(back.records) == len(ops) and not back.changed
    of_two = list(csv.reader(io.StringIO(opinions_csv(ctx, Filters(direction=2), [2]))))
    assert {r[2] for r in of_two[1:]} == {"2"} and len(of_two) - 1 == (ops["direction"] == 2).sum()


def test_an_opinion_that_excel_would_run_as_a_formula_is_written_as_text(small: Path) -> None:
    """…and one staff entered themselves (not sample text) says so: サンプル いいえ."""
    edit_csv(small / "opinions.csv", 2, "opinion", '=HYPERLINK("http://example.com")')
    edit_csv(small / "opinions.csv", 2, "sample", "false")
    ctx = context_of(small)
    rows = list(csv.reader(io.StringIO(opinions_csv(ctx, Filters(), [2]))))
    [entered] = [r for r in rows if r[5] == '\'=HYPERLINK("http://example.com")']
    assert entered[-1] == "いいえ"
