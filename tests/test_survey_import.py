"""Survey results in (issue 17): a G1 respondent file and a G2 tabulation, from the files to the
dashboard content and the briefing, weighted where the file says so, with nothing of a respondent kept.

The files are real: a CP932 CSV as a contractor writes it (title, blank row, long question heading,
「34歳」, full-width digits, names and codes of municipalities, 無回答 and blanks, a ウェイト column)
and an Excel tabulation made with openpyxl (title row, blank row, merged region cells, a 計 column).
Expected counts, weighted shares, Kish's effective n and the Wilson interval are computed here by
hand from the rows written, independently of ``briefing``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest
from inputs import run_in_process, snapshot, write_csv
from test_surveys import wilson

from briefing import Settings, load_dataset
from briefing.content import Filters, context, goal_cards, survey_panels
from briefing.data.changes import read_changes
from briefing.data.problems import DataError
from briefing.data.store import undo
from briefing.intake.survey_apply import commit_survey
from briefing.intake.survey_review import review_survey, review_survey_text
from briefing.intake.survey_terms import answer_of, band_of, bands
from briefing.render.data_csv import data_csv
from briefing.render.export import render_briefing

ANSWERS = [
    "そう思う",
    "どちらかといえばそう思う",
    "どちらかといえばそう思わない",
    "そう思わない",
    "わからない",
]
AGREE = ANSWERS[:2]
BANDS = ["18〜29歳", "30〜39歳", "40〜49歳", "50〜59歳", "60〜69歳", "70歳以上"]
REGION_NAMES = {"hokusei": "北勢", "chusei": "中勢", "nansei": "南勢", "iga": "伊賀", "higashikishu": "東紀州"}  # fmt: skip
QUESTION = "問15 ひきこもりに関する理解が進んだと感じますか（○は1つ）"


# ---- by hand ---------------------------------------------------------------------------------


def town_regions(data: Path) -> dict[str, str]:
    """Municipality name, code and 5-digit code → region code, read from areas.csv."""
    found = {}
    with (data / "areas.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["level"] == "municipality":
                found[row["name_ja"]] = found[row["code"]] = found[row["code"][:5]] = row["region"]
    return found


def band(age: str) -> str:
    """The band of an age as the file writes it (a decade such as 70代 by its first year)."""
    digits = int(
        re.sub(r"\D", "", age.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    )
    if digits < 30:
        return BANDS[0]
    return BANDS[min(digits // 10 - 2, 5)]


# ---- the respondent file -----------------------------------------------------------------------

TOWNS = ["四日市市", "242012", "伊勢市", "鈴鹿市", "24208", "尾鷲市", "伊賀市", "松阪市", "志摩市", "菰野町", "熊野市", "亀山市"]  # fmt: skip
AGES = ["34歳", "２２", "70", "45歳", "58", "66", "19歳", "81", "70代", "３９歳", "52", "27"]
WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


def respondents(seed: int = 17, count: int = 420) -> list[tuple[str, str, str, str, str]]:
    """(number, town, age, answer text, weight text) as the contractor writes them."""
    rng = random.Random(seed)
    answers = [*ANSWERS, "どちらかと言えばそう思う", "1. そう思う", "無回答", ""]
    rows = []
    for i in range(count):
        town = "" if i % 97 == 5 else rng.choice(TOWNS)
        age = rng.choice(AGES)
        answer = rng.choice(answers)
        weight = f"{rng.uniform(0.4, 2.6):.4f}"
        if i % 11 == 0:
            weight = weight.translate(WIDTH)  # full-width digits, as some exports write
        rows.append((str(i + 1), town, age, answer, weight))
    return rows


def expected_counts(rows: list[tuple[str, str, str, str, str]], data: Path) -> dict:
    """By hand: per (region, band, answer) [n, Σw, Σw²], and those left out."""
    regions = town_regions(data)
    width = str.maketrans("０１２３４５６７８９．", "0123456789.")
    cells: dict[tuple[str, str, str], list[float]] = {}
    no_answer = unplaced = 0
    for _, town, age, text, weight in rows:
        answer = {"どちらかと言えばそう思う": AGREE[1], "1. そう思う": AGREE[0]}.get(text, text)
        if answer in ("無回答", ""):
            no_answer += bool(town)
            continue
        if not town:
            unplaced += 1
            continue
        w = float(weight.translate(width))
        cell = cells.setdefault((regions[town], band(age), answer), [0, 0.0, 0.0])
        cell[0] += 1
        cell[1] += w
        cell[2] += w * w
    return {"cells": cells, "no_answer": no_answer, "unplaced": unplaced}


def write_respondent_csv(path: Path, rows: list[tuple[str, str, str, str, str]]) -> Path:
    lines = [
        ["令和8年度 三重県県民意識調査 個票データ"],
        [],
        ["回答者番号", "居住地（市町）", "年齢", QUESTION, "ウェイト"],
        *rows,
    ]
    return write_csv(path, lines, encoding="cp932")


def settings_for(data: Path, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=data, cache_dir=tmp_path / "figures", disclosure_dir=tmp_path / "disclosure"
    )


def csv_link_rows(html: str) -> list[dict[str, str]]:
    href = re.search(r'href="data:text/csv;charset=utf-8,([^"]+)"', html)
    assert href, "the briefing links its data as CSV"
    text = unquote(href.group(1)).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text, newline="")))


# ---- G1: a weighted respondent file ------------------------------------------------------------


def test_weighted_respondent_file_goes_to_the_dashboard_and_the_briefing(
    data_copy: Path, tmp_path: Path
) -> None:
    rows = respondents()
    source = write_respondent_csv(tmp_path / "g1_r8_kojin.csv", rows)
    (tmp_path / "orig").mkdir()
    for path in data_copy.iterdir():
        (tmp_path / "orig" / path.name).write_bytes(path.read_bytes())
    expected = expected_counts(rows, data_copy)
    ds = load_dataset(data_copy)
    settings = settings_for(data_copy, tmp_path)
    before = (data_copy / "surveys.csv").read_bytes()

    result = review_survey(source, ds, "G1", settings=settings)  # the year from the title
    assert result.ok, result.problems
    assert result.fy == 2026 and result.weighted and not result.replaces
    assert sum(result.counts.no_answer.values()) == expected["no_answer"]
    assert result.counts.unplaced == expected["unplaced"]
    text = review_survey_text(result)
    assert f"無回答・空欄 {expected['no_answer']:,} 人は集計から除きます" in text
    assert "ウェイトあり: 割合は加重" in text and "有効回答者数" in text

    commit_survey(ds, result, by="福祉課 山田", settings=settings)

    # only counts are saved, and all of them: one row per region, band and answer
    saved = [r for r in csv.DictReader(io.StringIO((data_copy / "surveys.csv").read_text()))]
    new = {(r["region"], r["group"], r["answer"]): r for r in saved if r["fy"] == "2026"}
    groups = {(r, g) for r, g, _ in expected["cells"]}
    assert len(new) == 5 * len(groups)
    for (region, group, answer), r in new.items():
        n, w, w2 = expected["cells"].get((region, group, answer), [0, 0.0, 0.0])
        assert int(r["respondents"]) == n
        assert float(r["weighted"]) == pytest.approx(w, abs=1e-6)
        assert float(r["weighted_sq"]) == pytest.approx(w2, abs=1e-6)
        assert r["sample"] == "false"
    assert set(saved[0]) == {"survey", "fy", "region", "group", "answer", "respondents", "sample", "weighted", "weighted_sq"}  # fmt: skip
    # nothing of the respondents: no copy of the file, no heading of it, no respondent's row
    files = {p.name for p in data_copy.iterdir() if not p.name.startswith(".")}
    assert files == {p.name for p in (data_copy.parent / "orig").iterdir()} | {"changes.csv"}
    for path in (p for p in data_copy.rglob("*") if p.is_file()):
        data = path.read_bytes()
        assert QUESTION[:6].encode() not in data and QUESTION[:6].encode("cp932") not in data
    # older rows keep their text, with the two new columns left empty
    assert saved[0]["weighted"] == "" and saved[0]["respondents"] == "40"
    record = read_changes(data_copy)
    assert set(record["series"]) == {"G1"} and set(record["by"]) == {"福祉課 山田"}

    # the prefecture's weighted share and its interval at the effective n, by hand
    cells = expected["cells"].values()
    agree_w = sum(v[1] for k, v in expected["cells"].items() if k[2] in AGREE)
    total_w = sum(v[1] for v in cells)
    n = sum(v[0] for v in cells)
    n_eff = total_w**2 / sum(v[2] for v in cells)
    share = agree_w / total_w
    low, high = wilson(share, n_eff)
    assert n_eff < n  # weights cost precision
    shown = (
        f"{100 * share:.1f}%（加重、95%信頼区間 {100 * low:.1f}〜{100 * high:.1f}、"
        f"n={n:,}、有効n={n_eff:,.0f}）"
    )

    ds = load_dataset(data_copy)
    ctx = context(ds, settings, fmt="svg")
    g1 = next(c for c in goal_cards(ctx, Filters()) if c.id == "G1")
    assert g1.latest_fy == "令和8年度" and g1.latest == shown
    assert not g1.sample and "有効回答者数" in g1.note
    panels = survey_panels(ctx, Filters())
    assert any("G1" in p.title and "令和8年度" in p.title for p in panels)

    html = render_briefing(
        ds, Filters(), settings=settings, ctx=ctx, generated=dt.date(2026, 12, 1)
    )
    goals = html.split('id="goals"')[1].split('id="plan"')[0]
    assert shown in goals
    rows_csv = csv_link_rows(html)
    total = [
        r
        for r in rows_csv
        if r["指標"] == "G1"
        and r["年度"] == "令和8年度"
        and r["地域"] == "県全体"
        and r["区分"] == "全体"
    ]
    assert len(total) == 1
    assert total[0]["値"] == f"{100 * share:.1f}" and total[0]["回答者数"] == str(n)
    assert float(total[0]["有効回答者数"]) == pytest.approx(round(n_eff, 1))
    assert total[0]["95%信頼区間下限"] == f"{100 * low:.1f}"
    assert total[0]["95%信頼区間上限"] == f"{100 * high:.1f}"
    assert total[0]["加重"] == "はい" and total[0]["サンプル"] == "いいえ"
    # every region of the new year is there, and a hidden group has no share nor interval
    new_year = [r for r in rows_csv if r["指標"] == "G1" and r["年度"] == "令和8年度"]
    assert {r["地域"] for r in new_year} == {"県全体", *REGION_NAMES.values()}
    for r in new_year:
        if r["値"].startswith("非表示"):
            assert r["95%信頼区間下限"] == r["有効回答者数"] == "" and r["回答者数"]

    assert undo(data_copy) is not None
    assert (data_copy / "surveys.csv").read_bytes() == before
    assert not (data_copy / "changes.csv").exists()


# ---- G2: an Excel tabulation -------------------------------------------------------------------

AGENCIES = ["市町（福祉・保健）", "地域包括支援センター", "社会福祉協議会", "障害福祉サービス事業所", "NPO・民間支援団体", "医療機関", "教育・就労支援機関"]  # fmt: skip


def tabulation_counts() -> dict[tuple[str, str], list[int]]:
    """(region name, agency) → five answers and 無回答; 東紀州's 医療機関 is a group of 3."""
    rng = random.Random(2)
    counts = {}
    for region in REGION_NAMES.values():
        for agency in AGENCIES:
            counts[(region, agency)] = [rng.randint(1, 6) for _ in range(5)] + [rng.randint(0, 2)]
    counts[("東紀州", "医療機関")] = [1, 1, 0, 1, 0, 1]
    return counts


def write_tabulation(path: Path, counts: dict[tuple[str, str], list[int]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "G2集計"
    sheet.append(["令和7年度 ひきこもり支援に関する相談支援機関調査 集計結果（問8）"])
    sheet.append([])
    sheet.append(["地域", "機関の種類", *ANSWERS, "無回答", "計"])
    first = None
    for (region, agency), values in counts.items():
        shown = region if region != first else None  # merged cells: the region once per block
        first = region
        cells: list[object] = [shown, agency]
        cells += [str(v).translate(WIDTH) if v >= 5 else v for v in values]  # some full-width
        cells.append(sum(values))
        sheet.append(cells)
    sheet.append(["計", None, *[None] * 7])
    book.save(path)
    return path


def test_excel_tabulation_replaces_a_year_unweighted_and_withholds_a_small_group(
    data_copy: Path, tmp_path: Path
) -> None:
    counts = tabulation_counts()
    source = write_tabulation(tmp_path / "g2_r7.xlsx", counts)
    ds = load_dataset(data_copy)
    settings = settings_for(data_copy, tmp_path)
    old_hokusei = int(
        ds.surveys[
            (ds.surveys["survey"] == "G2")
            & (ds.surveys["fy"] == 2025)
            & (ds.surveys["region"] == "hokusei")
        ]["respondents"].sum()
    )
    result = review_survey(source, ds, "G2", settings=settings)
    assert result.ok, result.problems
    assert result.fy == 2025 and result.replaces and not result.weighted
    hokusei = sum(sum(v[:5]) for (r, _), v in counts.items() if r == "北勢")
    text = review_survey_text(result)
    assert f"北勢 | 全体 | {old_hokusei:,} → {hokusei:,}" in text  # old → new
    assert "非公開（回答者 5 人未満）" in text  # the group of 3, as it will be published
    commit_survey(ds, result, by="福祉課 山田", settings=settings)

    lines = (data_copy / "surveys.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "survey,fy,region,group,answer,respondents,sample"  # stays unweighted
    codes = {v: k for k, v in REGION_NAMES.items()}
    saved = [r for r in csv.DictReader(lines) if r["survey"] == "G2" and r["fy"] == "2025"]
    assert len(saved) == 5 * len(counts)
    for r in saved:
        name = REGION_NAMES[r["region"]]
        assert int(r["respondents"]) == counts[(name, r["group"])][ANSWERS.index(r["answer"])]
    assert {r["region"] for r in saved} == set(codes.values())

    ds = load_dataset(data_copy)
    ctx = context(ds, settings, fmt="svg")
    hidden = {k for k in ctx.disclosure.groups if k[:2] == ("G2", 2025)}
    assert ("G2", 2025, "higashikishu", "医療機関") in hidden and len(
        hidden
    ) >= 2  # and a complement
    # 北勢 by hand, unweighted: no 加重, the effective n is n
    agree = sum(sum(v[:2]) for (r, _), v in counts.items() if r == "北勢")
    low, high = wilson(agree / hokusei, hokusei)
    panel = next(
        p for p in survey_panels(ctx, Filters()) if p.title.startswith("G2") and "地域別" in p.title
    )
    assert "令和7年度" in panel.title
    cell = panel.table.iloc[0, 1]
    assert cell.startswith(
        f"{100 * agree / hokusei:.1f}%（95%信頼区間 {100 * low:.1f}〜{100 * high:.1f}、n={hokusei:,}）"
    )
    assert "加重" not in cell
    # in the CSV, the small group and whatever protects it have no share
    rows = [r for r in csv.DictReader(io.StringIO(data_csv(ctx, Filters(area="higashikishu"))))]
    mine = {r["区分"]: r for r in rows if r["指標"] == "G2" and r["年度"] == "令和7年度" and r["地域"] == "東紀州"}  # fmt: skip
    assert (
        mine["医療機関"]["値"] == "非表示（回答者5人未満）" and mine["医療機関"]["回答者数"] == "3"
    )
    withheld = [g for g, r in mine.items() if r["値"].startswith("非表示")]
    assert len(withheld) >= 2 or mine["全体"]["値"].startswith("非表示")
    for r in mine.values():
        if r["値"].startswith("非表示"):
            assert r["95%信頼区間下限"] == r["95%信頼区間上限"] == ""


# ---- bad input ---------------------------------------------------------------------------------


def test_every_problem_is_named_by_row_and_column_and_nothing_is_written(
    data_copy: Path, tmp_path: Path
) -> None:
    rows = [
        ["回答者番号", "市町村", "年齢", QUESTION, "ウェイト"],
        ["1", "津市", "34歳", "そう思う", "1.1"],
        ["2", "架空町", "40", "そう思う", "1.0"],
        ["3", "鈴鹿市", "十五歳", "わからない", "0.9"],
        ["4", "鈴鹿市", "15", "そう思わない", "0.9"],
        ["5", "伊賀市", "50", "はい", "1.2"],
        ["6", "伊賀市", "50", "そう思う", ""],
        ["7", "伊賀市", "50", "そう思う", "-2"],
    ]
    source = write_csv(tmp_path / "bad.csv", rows, encoding="cp932")
    before = snapshot(data_copy)
    run = run_in_process(
        "import",
        source,
        "--survey",
        "G1",
        "--fy",
        "R8",
        "--by",
        "山田",
        "--data",
        data_copy,
        cwd=tmp_path,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    err = run.stderr
    assert "bad.csv 3行目 「市町村」列: 値「架空町」: 市町（または地域）が見つかりません。" in err
    assert "bad.csv 4行目 「年齢」列: 値「十五歳」: 年齢として読み取れません。" in err
    assert "bad.csv 5行目 「年齢」列: 値「15」: 調査の対象（18歳以上）より若い年齢です。" in err
    assert f"bad.csv 6行目 「{QUESTION}」列: 値「はい」: 回答が読み取れません。" in err
    assert "bad.csv 7行目 「ウェイト」列" in err and "bad.csv 8行目 「ウェイト」列" in err
    assert "何も保存していません" in err
    assert snapshot(data_copy) == before


def test_a_weighted_tabulation_and_a_missing_year_are_refused(
    data_copy: Path, tmp_path: Path
) -> None:
    ds = load_dataset(data_copy)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["県民意識調査 集計結果（ウェイト付き）"])
    sheet.append(["地域", "年代", *ANSWERS])
    sheet.append(["北勢", "30代", 10.5, 20.25, 3, 4, 5])
    book.save(tmp_path / "weighted.xlsx")
    result = review_survey(tmp_path / "weighted.xlsx", ds, "G1")
    reasons = " ".join(p.reason for p in result.problems)
    assert "ウェイト付き（加重）の集計表は取り込めません" in reasons
    assert "調査の年度が分かりません" in reasons


# ---- the template and the command line -------------------------------------------------------


def test_template_filled_and_imported_by_the_command_line_then_undone(
    data_copy: Path, tmp_path: Path
) -> None:
    before = snapshot(data_copy)
    made = run_in_process("template", "--survey", "G2", "--fy", "R8", "-o", tmp_path / "t.xlsx", "--data", data_copy, cwd=tmp_path)  # fmt: skip
    assert made.returncode == 0, made.stderr
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    sheet = book["集計表"]
    assert sheet["A1"].value == "令和8年度 相談支援機関調査（G2） 集計表"
    heading = [c.value for c in sheet[4]]
    assert heading == ["地域", "機関の種類", *ANSWERS, "無回答", "計"]
    filled = 0
    for row in range(5, sheet.max_row + 1):
        for column, value in zip(range(3, 9), (3, 4, 2, 1, 1, 0), strict=True):
            sheet.cell(row, column).value = value
        filled += 1
    book.save(tmp_path / "t.xlsx")
    run = run_in_process("import", tmp_path / "t.xlsx", "--survey", "G2", "--by", "福祉課 山田", "--data", data_copy, cwd=tmp_path)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "G2 相談支援機関調査 令和8年度（新しい年度）" in run.stdout
    assert "保存しました" in run.stdout and "写していません" in run.stdout
    ds = load_dataset(data_copy)
    new = ds.surveys[(ds.surveys["survey"] == "G2") & (ds.surveys["fy"] == 2026)]
    assert len(new) == 5 * filled and int(new["respondents"].sum()) == 11 * filled
    assert not (data_copy / "t.xlsx").exists()
    back = run_in_process("undo", "--data", data_copy, cwd=tmp_path)
    assert back.returncode == 0, back.stderr

    def files(found: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in found.items() if not k.startswith(".")}

    assert files(snapshot(data_copy)) == files(before)  # surveys.csv byte for byte, no changes.csv


# ---- the words and the file format ----------------------------------------------------------


def test_answers_and_ages_as_files_write_them(bundled_dataset) -> None:
    assert answer_of("１．そう思う") == "そう思う"
    assert answer_of("（2）どちらかと言えばそう思う") == "どちらかといえばそう思う"
    assert answer_of("分からない") == "わからない"
    assert answer_of("") == answer_of("無回答") == answer_of("不明") == "無回答"
    assert answer_of("5") is None and answer_of("はい") is None
    known = bands(bundled_dataset.surveys)
    assert [b.name for b in known] == BANDS
    assert band_of("３４歳", known)[0] == "30〜39歳"
    assert band_of("20代", known)[0] == "18〜29歳"
    assert band_of("80歳以上", known)[0] == "70歳以上"
    assert band_of("10代", known)[0] is None  # 10–17 is not in any band


def test_surveys_file_with_half_a_weight_is_reported(data_copy: Path) -> None:
    path = data_copy / "surveys.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] += ",weighted,weighted_sq"
    lines[1] += ",40.5,"
    lines[2:] = [line + ",," for line in lines[2:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_dataset(data_copy)
    assert "surveys.csv 2行目 「weighted_sq」列: weighted と weighted_sq は両方入力するか" in str(
        error.value
    )


# ---- the staff page ----------------------------------------------------------------------------


def test_staff_page_takes_a_survey_tabulation_and_forgets_the_upload(
    data_copy: Path, tmp_path: Path, fresh_config: Path
) -> None:
    from widgets import UpdatePanel

    before = snapshot(data_copy)
    content = write_tabulation(tmp_path / "g2.xlsx", tabulation_counts()).read_bytes()
    panel = UpdatePanel(settings=settings_for(data_copy, tmp_path))
    panel.kind.value = "G2"
    panel.by.value = "福祉課 山田"
    panel.upload.value = (
        {
            "name": "g2.xlsx",
            "type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": dt.datetime(2026, 11, 1),
        },
    )
    result = panel.run_review()
    assert result is not None and result.ok and not panel.save.disabled
    assert "G2 相談支援機関調査 令和7年度（保存済みの年度を置き換え）" in panel.review.value
    assert "回答者数（旧 → 新）" in panel.review.value
    assert not any(Path(p).exists() for p in panel.paths)  # the uploaded copy is gone
    assert panel.upload.value == ()  # and so are its bytes in the page
    panel.save.click()
    assert "保存しました" in panel.message.value
    assert load_dataset(data_copy).surveys.query("survey == 'G2' and fy == 2025")[
        "respondents"
    ].sum() == sum(sum(v[:5]) for v in tabulation_counts().values())
    panel.revert.click()
    assert "取り消しました" in panel.message.value
    assert {k: v for k, v in snapshot(data_copy).items() if not k.startswith(".")} == {
        k: v for k, v in before.items() if not k.startswith(".")
    }
    panel.template_fy.value = "R8"
    panel.make_template.click()
    assert "survey_G2_2026.xlsx" in panel.template_link.value
