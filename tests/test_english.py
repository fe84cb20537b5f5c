"""The English briefing is wholly English: `briefing export --lang en` and the dashboard's button in
English mode. Any Japanese character outside a short, listed set fails the test — in the page
text, its attributes, its inline charts and the CSV it carries."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from briefing import Settings
from briefing.cli import main
from briefing.content import Context, context
from briefing.content.filters import Filters
from briefing.labels import GROUPS_EN
from briefing.render.data_csv import data_csv
from briefing.render.export import export_each_area
from widgets import Dashboard

#: Japanese allowed in the English edition: the plan's official name, once, beside its translation.
ALLOWED = {"三重県ひきこもり支援推進計画": 1}
JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+")


def stray_japanese(document: str) -> list[str]:
    """Runs of Japanese characters in ``document`` (CSV data: URLs decoded) beyond ``ALLOWED``."""
    document = re.sub(r'href="data:text/csv[^"]*"', lambda m: unquote(m.group(0)), document)
    found = JAPANESE.findall(document)
    stray = [run for run in found if run not in ALLOWED]
    for run, most in ALLOWED.items():
        stray += [run] * max(0, found.count(run) - most)
    return stray


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(cache_dir=tmp_path / "figures", disclosure_dir=tmp_path / "withheld")


@pytest.mark.parametrize(
    "options",
    [[], ["--area", "名張市", "--since", "2026-10-01"], ["--direction", "3", "--area", "北勢"]],
    ids=["full", "nabari-updates", "direction3-hokusei"],
)
def test_export_in_english_has_no_stray_japanese(
    tmp_path: Path, options: list[str], monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    out = tmp_path / "en.html"
    code = main(["export", "--lang", "en", "--date", "2026-12-01", "-o", str(out), *options])
    assert code == 0
    document = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in document
    assert "Mie Prefecture hikikomori support plan — progress briefing" in document
    assert "FY2024" in document and "令和" not in document
    assert "indicator,series,indicator_name,area,fiscal_year" in unquote(document)
    assert stray_japanese(document) == []


def test_the_japanese_briefing_stays_japanese(tmp_path: Path) -> None:
    out = tmp_path / "ja.html"
    assert main(["export", "--date", "2026-12-01", "-o", str(out)]) == 0
    document = out.read_text(encoding="utf-8")
    assert '<html lang="ja">' in document and "令和6年度" in document
    assert "三重県ひきこもり支援推進計画 進捗ブリーフィング" in document


def test_the_dashboard_button_in_english_mode_gives_the_english_briefing(
    bundled_dataset: object, settings: Settings
) -> None:
    dashboard = Dashboard(bundled_dataset, settings=settings)  # type: ignore[arg-type]
    dashboard.bar.lang.value = "en"
    document = dashboard.export.make()
    assert '<html lang="en">' in document
    assert stray_japanese(document) == []
    assert "Download: briefing-all-240001.html" in dashboard.export.link.value


def test_the_check_finds_japanese() -> None:
    """The check above can fail: a stray word, and the plan's name more than once."""
    assert stray_japanese("<p>Trend 令和6年度</p>") == ["令和", "年度"]
    assert stray_japanese("三重県ひきこもり支援推進計画 " * 2) == ["三重県ひきこもり支援推進計画"]


def test_each_area_in_english_has_an_english_index(
    tmp_path: Path, bundled_dataset: object, session_figures: Path, bundled_disclosure_dir: Path
) -> None:
    settings = Settings(cache_dir=session_figures, disclosure_dir=bundled_disclosure_dir)
    written = export_each_area(
        bundled_dataset,  # type: ignore[arg-type]
        tmp_path,
        Filters(lang="en", direction=3),
        settings=settings,
        progress=False,
    )
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in index
    assert "progress briefings by area" in index and "Support for families" in index
    assert all(f'href="{p.name}"' in index for p in written[1:]) and len(written) == 7
    assert "Whole prefecture" in index and "Hokusei" in index
    assert stray_japanese(index) == []
    for briefing in written[1:]:
        assert stray_japanese(briefing.read_text(encoding="utf-8")) == [], briefing.name


def survey_table(ctx: Context, lang: str) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(data_csv(ctx, Filters(lang=lang)))))
    series = "series" if lang == "en" else "系列"
    return [r for r in rows if r[series] in ("G1", "G2")]


def test_the_english_csv_carries_the_survey_rows_in_english(
    bundled_dataset: object, session_figures: Path, bundled_disclosure_dir: Path
) -> None:
    settings = Settings(cache_dir=session_figures, disclosure_dir=bundled_disclosure_dir)
    ctx = context(bundled_dataset, settings, fmt="svg")  # type: ignore[arg-type]
    header = next(csv.reader(io.StringIO(data_csv(ctx, Filters(lang="en")))))
    assert header[-7:] == [
        "group",
        "respondents",
        "effective_respondents",
        "ci95_low",
        "ci95_high",
        "weighted",
        "indicative",
    ]
    english, japanese = survey_table(ctx, "en"), survey_table(ctx, "ja")
    assert len(english) == len(japanese) > 0
    assert {r["series"] for r in english} == {"G1", "G2"}
    groups = {"all", *GROUPS_EN.values()}
    areas = set(bundled_dataset.areas["name_en"])  # type: ignore[attr-defined]
    withheld = 0
    for en, ja in zip(english, japanese, strict=True):
        assert en["group"] in groups and en["area"] in areas
        assert en["fiscal_year"].startswith("FY") and en["unit"] == "%"
        assert en["respondents"] == ja["回答者数"] and en["ci95_low"] == ja["95%信頼区間下限"]
        assert en["weighted"] == {"はい": "yes", "いいえ": "no"}[ja["加重"]]
        if ja["値"].startswith("非表示"):
            withheld += 1
            assert en["value"].startswith("withheld (") and en["ci95_low"] == ""
        else:
            assert en["value"] == ja["値"]
        assert stray_japanese(",".join(en.values())) == []
    assert withheld == sum(1 for r in japanese if r["値"].startswith("非表示"))
