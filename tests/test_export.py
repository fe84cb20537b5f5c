"""The static HTML briefing (``briefing export``), without a browser.

The README examples run through the real command line (a subprocess, as staff run it); the rest
goes through the Python API (``export_file``, ``render_briefing``, ``data_csv``, ``neutralise``).
Every run passes ``--date 2026-11-26`` so that the output is fixed, and draws its charts into a
figure cache of this test session (``TMPDIR`` for subprocesses, ``Settings(cache_dir=...)`` in
process), so a stale chart from another checkout can never leak into these files.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
import stat
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from inputs import run_in_process
from servers import seed_disclosure, shared_tmpdir

from briefing import Settings, load_dataset
from briefing.content import context
from briefing.content.filters import from_query
from briefing.render.data_csv import data_csv, neutralise
from briefing.render.export import export_file, render_briefing

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
DATE = "2026-11-26"
TITLE = "三重県ひきこもり支援推進計画 進捗ブリーフィング"
BANNER = "架空のサンプル"
NO_BREAKDOWN = "この指標には地域別の内訳がありません"
REGIONS = ("北勢", "中勢", "南勢", "伊賀", "東紀州")
#: Attributes through which a document makes the browser fetch something.
REF_ATTRS = {
    "src",
    "href",
    "xlink:href",
    "srcset",
    "action",
    "formaction",
    "poster",
    "data",
    "background",
    "ping",
    "manifest",
    "longdesc",
    "usemap",
    "cite",
    "lowsrc",
    "dynsrc",
}
#: Elements that load or run other resources; none belongs in the briefing.
FOREIGN_TAGS = {
    "script",
    "link",
    "iframe",
    "frame",
    "object",
    "embed",
    "base",
    "img",
    "video",
    "audio",
    "source",
}
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


# ---- helpers -----------------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def names(level: str | None = None) -> dict[str, str]:
    """Area code → Japanese name (from the bundled areas.csv), of one level if given."""
    return {
        r["code"]: r["name_ja"] for r in read_csv(DATA / "areas.csv") if level in (None, r["level"])
    }


def cli_env(figures: Path, **extra: str) -> dict[str, str]:
    """The environment of a CLI run: bundled data unless told otherwise, a private figure cache
    (the default cache lives under ``tempfile.gettempdir()``, i.e. ``$TMPDIR``)."""
    env = {k: v for k, v in os.environ.items() if k != "BRIEFING_DATA"}
    env["TMPDIR"] = str(figures)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.update(extra)
    return env


def run_export(
    *args: str, cwd: Path, figures: Path, **extra: str
) -> subprocess.CompletedProcess[str]:
    figures.mkdir(parents=True, exist_ok=True)
    seed_disclosure(figures)  # the bundled data's withheld cells, chosen once per session
    return subprocess.run(
        [sys.executable, "-m", "briefing.cli", "export", *args],
        cwd=cwd,
        env=cli_env(figures, **extra),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def without_svg(html: str) -> str:
    return re.sub(r"<svg\b.*?</svg>", "", html, flags=re.S)


def element(html: str, element_id: str) -> str:
    """The outer HTML of the element with ``id`` (nested elements of the same name counted)."""
    found = re.search(rf'<(\w+)\b[^>]*\bid="{re.escape(element_id)}"', html)
    assert found, f"no element with id={element_id!r}"
    tag, start = found.group(1), found.start()
    depth, pos = 0, start
    for m in re.compile(rf"<(/?){tag}\b[^>]*>").finditer(html, start):
        depth += -1 if m.group(1) else 1
        pos = m.end()
        if depth == 0:
            return html[start:pos]
    raise AssertionError(f"element {element_id!r} is not closed")


def cells(row_html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", c)
        for c in re.findall(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", row_html, flags=re.S)
    ]


@dataclass
class Page:
    """What an HTML parser sees in a briefing: tags, references, charts, the CSV link."""

    tags: Counter[str] = field(default_factory=Counter)
    refs: list[tuple[str, str, str]] = field(default_factory=list)
    svgs: list[tuple[dict[str, str | None], tuple[str, dict[str, str | None]] | None]] = field(
        default_factory=list
    )
    links: list[dict[str, str | None]] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    attrs: Counter[str] = field(default_factory=Counter)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self._in_style = False

    def _open(self, tag: str, attrs: list[tuple[str, str | None]]) -> dict[str, str | None]:
        a = dict(attrs)
        self.page.tags[tag] += 1
        for name, value in attrs:
            self.page.attrs[name] += 1
            if name in REF_ATTRS:
                self.page.refs.append((tag, name, value or ""))
            if name == "style" and value:
                self.page.styles.append(value)
        if tag == "svg":
            self.page.svgs.append((a, self.stack[-1] if self.stack else None))
        if tag == "a":
            self.page.links.append(a)
        return a

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = self._open(tag, attrs)
        self._in_style = tag == "style"
        if tag not in VOID:
            self.stack.append((tag, a))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.page.styles.append(data)


def parse(html: str) -> Page:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.page


def csv_link(html: str, prefix: str = "briefing-") -> tuple[dict[str, str | None], str]:
    """The CSV download link whose file name starts with ``prefix`` (the values' CSV; the
    committee's opinions come as a second file, ``opinions-…``) and its decoded text."""
    links = [
        a
        for a in parse(html).links
        if (a.get("href") or "").startswith("data:text/csv")
        and (a.get("download") or "").startswith(prefix)
    ]
    assert len(links) == 1, f"expected one CSV data link, found {len(links)}"
    head, _, payload = (links[0]["href"] or "").partition(",")
    assert ";base64" not in head
    return links[0], unquote(payload)


def csv_rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff"), "the CSV starts with a BOM so that Excel reads it as UTF-8"
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def assert_self_contained(html: str) -> None:
    """No script, nothing loaded from a host, a file or a relative path: only #anchors and data:."""
    page = parse(html)
    assert "<script" not in html.lower()
    assert not (set(page.tags) & FOREIGN_TAGS), f"foreign elements: {set(page.tags) & FOREIGN_TAGS}"
    bad = [r for r in page.refs if not (r[2].startswith("#") or r[2].startswith("data:"))]
    assert not bad, f"references to other files or hosts: {bad[:5]}"
    # the same rule for CSS (inline <style>, style="" and SVG presentation attributes like clip-path)
    urls = re.findall(r"url\(\s*['\"]?([^'\")\s]*)", html)
    assert all(u.startswith(("#", "data:")) for u in urls), [
        u for u in urls if not u.startswith(("#", "data:"))
    ][:5]
    assert "@import" not in "\n".join(page.styles)
    assert not [a for a in page.attrs if a.startswith("on")], "event handler attributes"


# ---- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``TMPDIR`` of the CLI runs of this module, hence their figure cache (the session's, shared
    with the servers and the other exports of the bundled data; the same-bytes test draws its own)."""
    return shared_tmpdir(tmp_path_factory.mktemp("figures-tmp"))


@pytest.fixture(scope="module")
def settings(figures: Path) -> Settings:
    return Settings(data_dir=DATA, cache_dir=figures / "mie-briefing-figures")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("exports")


@pytest.fixture(scope="module")
def hokusei3(workdir: Path, figures: Path) -> tuple[subprocess.CompletedProcess[str], str]:
    """The README example: ``briefing export --direction 3 --area 北勢 -o b.html``."""
    run = run_export(
        "--direction",
        "3",
        "--area",
        "北勢",
        "--date",
        DATE,
        "-o",
        "b.html",
        cwd=workdir,
        figures=figures,
    )
    html = (workdir / "b.html").read_text(encoding="utf-8") if run.returncode == 0 else ""
    return run, html


@pytest.fixture(scope="module")
def full(workdir: Path, figures: Path) -> str:
    """``briefing export -o full.html`` (no options: every direction, the whole prefecture)."""
    run = run_export("--date", DATE, "-o", "full.html", cwd=workdir, figures=figures)
    assert run.returncode == 0, run.stderr
    return (workdir / "full.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pref3(workdir: Path, settings: Settings) -> str:
    """Direction 3 for the whole prefecture (3-1 and 3-2 have prefecture values only)."""
    return export_file(
        workdir / "pref3.html", direction=3, generated=DATE, settings=settings
    ).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def asof() -> str:
    return max(r["updated"] for r in read_csv(DATA / "history.csv"))


# ---- the README example ------------------------------------------------------------------------


@pytest.mark.child_process
def test_readme_example_direction_3_hokusei(
    hokusei3: tuple[subprocess.CompletedProcess[str], str], workdir: Path, asof: str
) -> None:
    run, html = hokusei3
    assert run.returncode == 0, run.stderr
    assert (
        "b.html" in run.stdout and "KB" in run.stdout
    )  # a Japanese line naming the file and its size
    text = without_svg(html)
    assert TITLE in text
    assert re.search(r"<title>[^<]*3 家族支援[^<]*北勢[^<]*</title>", text)
    head = text[: text.index('id="goals"')]  # everything above the goals
    assert "3 家族支援" in head and "北勢" in head, "the filters used are stated at the top"
    assert BANNER in head, "the sample-data banner is at the top"
    assert "令和元年度〜令和7年度" in head
    assert asof in head and DATE in head, "data as of and generation date"
    # plan-wide goals
    for goal in ("G1", "G2"):
        assert f'id="goal-{goal}"' in text
    assert "北勢の回答者" in element(text, "goals")
    # the overview tiles list only the chosen direction
    tiles = re.findall(r'<section class="tile">\s*<h3>(.*?)</h3>', element(text, "goals"))
    assert tiles == ["3 家族支援"]
    # the direction section holds 3-1 and 3-2, and nothing of the other directions
    direction = element(text, "direction-3")
    assert "<h2>3 家族支援</h2>" in direction
    assert 'id="ind-3-1"' in direction and 'id="ind-3-2"' in direction
    assert not re.search(r'id="(direction-[12456]|ind-[12456]-\d)"', text)
    assert "5-1" not in direction
    # 3-1 and 3-2 are prefecture-only: said clearly, never shown as zero
    for ind in ("ind-3-1", "ind-3-2"):
        card = element(direction, ind)
        assert NO_BREAKDOWN in card
        assert not re.search(r"(?<![\d,.])0(件|人)", card)
    assert "令和" in text and "年度" in text
    assert_self_contained(html)


@pytest.mark.slow
def test_prefecture_direction_3_shows_baseline_changes_comment_and_source(pref3: str) -> None:
    """275件 is 3-1's baseline (令和2年度, from the plan); changes vs baseline and previous year."""
    card = element(without_svg(pref3), "ind-3-1")
    assert "275件（令和2年度）" in card
    history = {
        (r["fy"]): r
        for r in read_csv(DATA / "history.csv")
        if r["series"] == "3-1" and r["area"] == "240001"
    }
    latest, previous = int(history["2025"]["value"]), int(history["2024"]["value"])
    assert f"{latest}件（令和7年度）" in card
    assert f"{latest - 275:+d}（{(latest - 275) / 275 * 100:+.1f}%）" in card
    assert f"{latest - previous:+d}（{(latest - previous) / previous * 100:+.1f}%）" in card
    assert history["2025"]["comment"] and history["2025"]["comment"] in card, "the staff comment"
    assert 'class="source"' in card and "出典" in card and "第5章" in card, "the source line"
    assert re.search(r'<div role="img" aria-label="[^"]+">', element(pref3, "ind-3-1")), (
        "a chart with alt text"
    )
    rows = re.findall(r"<tr><td>令和\d*元?年度</td>.*?</tr>", card)
    assert len(rows) >= 5, "the chart's data table"


# ---- the full export ---------------------------------------------------------------------------


@pytest.mark.child_process
def test_full_export_has_every_direction_and_accessible_inline_charts(full: str) -> None:
    directions = {int(r["direction"]): r["name_ja"] for r in read_csv(DATA / "directions.csv")}
    assert sorted(directions) == [1, 2, 3, 4, 5, 6]
    for number, name in directions.items():
        assert f"<h2>{number} {name}</h2>" in element(full, f"direction-{number}")
    page = parse(full)
    charts = [(a, parent) for a, parent in page.svgs if "spark" not in (a.get("class") or "")]
    sparks = [a for a, _ in page.svgs if "spark" in (a.get("class") or "")]
    assert len(charts) >= 15, f"only {len(charts)} inline SVG charts"
    assert full.count("<svg") == len(page.svgs) >= 15
    for attrs, parent in charts:
        assert parent is not None and parent[0] == "div", f"chart not wrapped: {attrs}"
        assert parent[1].get("role") == "img"
        assert (parent[1].get("aria-label") or "").strip(), "every chart has alt text"
    for attrs in sparks:
        assert attrs.get("aria-hidden") == "true", (
            "sparklines are decoration next to the written value"
        )
    # every chart comes with its table: a <table> follows each chart's figure in the same card
    for block in re.findall(r"<figure>.*?</figure>(.{0,40})", full, flags=re.S):
        assert block.lstrip().startswith("<table>"), block
    assert_self_contained(full)


@pytest.mark.child_process
def test_full_export_csv_link_parses_and_holds_3_1(full: str) -> None:
    link, text = csv_link(full)
    assert (link.get("download") or "").endswith(".csv")
    rows = csv_rows(text)
    header, body = rows[0], rows[1:]
    assert header[:2] == ["指標", "系列"]
    assert {
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
    } <= set(header)
    assert all(len(r) == len(header) for r in body)
    everything = [dict(zip(header, r, strict=True)) for r in body]
    records = [r for r in everything if r["指標"] not in ("G1", "G2")]
    # the goals' survey shares follow the indicators, with their n, effective n and interval
    goals = [r for r in everything if r["指標"] in ("G1", "G2")]
    assert {r["指標"] for r in goals} == {"G1", "G2"}
    assert {"区分", "回答者数", "有効回答者数", "95%信頼区間下限", "95%信頼区間上限"} <= set(header)
    assert all(r["回答者数"] for r in goals) and all(not r["区分"] for r in records)
    assert {r["指標"].split("-")[0] for r in records} == {"1", "2", "3", "4", "5", "6"}
    three_one = [r for r in records if r["指標"] == "3-1"]
    assert any(r["値"] == "275" and r["年度"] == "令和2年度" for r in three_one)
    assert {r["地域"] for r in records} == {"県全体"}
    expected = sum(1 for r in read_csv(DATA / "history.csv") if r["area"] == "240001")
    assert len(records) == expected


@pytest.mark.child_process
def test_csv_has_no_nan_cells(full: str) -> None:
    """Empty comments and sources are empty cells in Excel, not the text 「nan」."""
    rows = csv_rows(csv_link(full)[1])
    nan = [r for r in rows if any(c.strip().lower() == "nan" for c in r)]
    assert not nan, f"{len(nan)} rows with 'nan' cells, e.g. {nan[0]}"


# ---- suppression and 参考値 ---------------------------------------------------------------------


def small_6_1() -> tuple[str, int]:
    """A municipality whose 6-1 count in FY2025 is 1–4 (to be shown as 5未満)."""
    towns = names("municipality")
    hits = sorted(
        (r["area"], float(r["value"]))
        for r in read_csv(DATA / "history.csv")
        if r["series"] == "6-1"
        and r["fy"] == "2025"
        and r["area"] in towns
        and 1 <= float(r["value"]) <= 4
    )
    assert hits, "the bundled data has a small municipal 6-1 count to suppress"
    code, value = hits[0]
    assert value.is_integer()
    return code, int(value)


@pytest.mark.slow
def test_small_municipal_count_is_suppressed(tmp_path: Path, settings: Settings) -> None:
    code, value = small_6_1()
    name = names()[code]
    html = export_file(
        tmp_path / "town.html", area=name, generated=DATE, settings=settings
    ).read_text(encoding="utf-8")
    card = element(html, "ind-6-1")
    text = without_svg(card)
    assert "5未満（令和7年度）" in text
    assert not re.search(rf"(?<![\d,.]){value}人", text), (
        f"the raw value {value} shows in the 6-1 card"
    )
    assert f"令和7年度 {value}" not in card, "nor in the chart's alt text"
    summary = re.search(r"<tbody><tr>(.*?)</tr>", text, flags=re.S)
    assert summary is not None
    assert cells(summary.group(1))[3:5] == ["－", "－"], (
        "no change that gives the hidden value away"
    )
    # the areas side by side show it the same way
    comparison = re.findall(
        r'<div class="card"><h3>6-1 .*?</table>',
        without_svg(element(html, "areas")),
        flags=re.S,
    )
    assert comparison and re.search(rf"<td>{name}</td><td[^>]*>5未満</td>", comparison[0])
    # and so does the CSV
    rows = csv_rows(csv_link(html)[1])
    records = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    latest = [r for r in records if r["系列"] == "6-1" and r["年度"] == "令和7年度"]
    assert [r["値"] for r in latest] == ["5未満"] and latest[0]["地域"] == name
    assert not any(r["値"] in {"1", "2", "3", "4"} for r in records if r["系列"] == "6-1")


@pytest.mark.slow
def test_survey_shares_from_small_samples_are_reference_values(
    tmp_path: Path, settings: Settings
) -> None:
    html = export_file(
        tmp_path / "hk.html", area="東紀州", generated=DATE, settings=settings
    ).read_text(encoding="utf-8")
    surveys = without_svg(element(html, "surveys"))
    marked = [c for c in re.findall(r"<td[^>]*>(.*?)</td>", surveys) if "参考値" in c]
    assert marked, "small survey samples are marked 参考値"
    for cell in marked:
        assert "n=" in cell and "信頼区間" in cell, (
            f"参考値 without its sample size and interval: {cell}"
        )
    assert "東紀州の回答者" in surveys


# ---- 前回からの更新 -------------------------------------------------------------------------------


@pytest.mark.child_process
def test_since_lists_values_updated_since_the_date(workdir: Path, figures: Path, full: str) -> None:
    since = "2026-10-01"
    run = run_export(
        "--since", since, "--date", DATE, "-o", "since.html", cwd=workdir, figures=figures
    )
    assert run.returncode == 0, run.stderr
    html = (workdir / "since.html").read_text(encoding="utf-8")
    section = element(html, "updates")
    assert "前回からの更新" in section and since in section
    rows = [
        cells(r) for r in re.findall(r"<tr>(.*?)</tr>", section.split("<tbody>")[1], flags=re.S)
    ]
    assert rows, "the values updated since the date are listed"
    history = read_csv(DATA / "history.csv")
    recent = {r["series"] for r in history if r["area"] == "240001" and r["updated"] >= since}
    series = {r["series"]: r["indicator"] for r in read_csv(DATA / "series.csv")}
    for _indicator, fy, area, value, updated in rows:
        assert fy == "令和7年度", (
            "only FY2025 values were updated after 2026-10-01 in the sample data"
        )
        assert area == "県全体" and value
        assert updated[:10] >= since
    assert {r[0].split()[0] for r in rows} == {series[s] for s in recent}
    for old in {r["updated"] for r in history if r["updated"] < since}:
        assert old not in section, f"a value updated on {old} is listed"
    assert "前回からの更新" not in full and 'id="updates"' not in full, (
        "no such section without --since"
    )


# ---- staff text is text --------------------------------------------------------------------------


XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"


@pytest.mark.child_process
def test_comment_with_markup_is_shown_as_text(
    data_copy: Path,
    edit_csv: Callable[..., str],
    find_row: Callable[..., int],
    tmp_path: Path,
    figures: Path,
) -> None:
    history = data_copy / "history.csv"
    edit_csv(history, find_row(history, series="3-1", fy="2025", area="240001"), "comment", XSS)
    run = run_export(
        "--data",
        str(data_copy),
        "--direction",
        "3",
        "--date",
        DATE,
        "-o",
        "x.html",
        cwd=tmp_path,
        figures=figures,
    )
    assert run.returncode == 0, run.stderr
    html = (tmp_path / "x.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in element(html, "ind-3-1")
    assert "<script" not in html.lower()
    assert "<img src=x" not in html and "<img" not in html.lower()
    assert_self_contained(html)
    # the CSV carries the comment as text (it is text in Excel, not markup)
    rows = csv_rows(csv_link(html)[1])
    assert any(XSS in r for r in rows)


# ---- CSV injection -------------------------------------------------------------------------------


FORMULAS = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\t=1"]


@pytest.mark.slow
def test_csv_neutralises_formulas_in_comments(
    data_copy: Path, edit_csv: Callable[..., str], find_row: Callable[..., int], settings: Settings
) -> None:
    history = data_copy / "history.csv"
    years = ["2019", "2020", "2021", "2022", "2023"]
    for fy, payload in zip(years, FORMULAS, strict=True):
        edit_csv(history, find_row(history, series="3-1", fy=fy, area="240001"), "comment", payload)
    ds = load_dataset(data_copy)
    filters, notes = from_query(ds, "direction=3")
    assert not notes
    text = data_csv(context(ds, settings.with_(data_dir=data_copy), fmt="svg"), filters)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0]
    records = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    comments = {r["年度"]: r["担当課コメント"] for r in records if r["系列"] == "3-1"}
    fy_names = ["令和元年度", "令和2年度", "令和3年度", "令和4年度", "令和5年度"]
    for fy, payload in zip(fy_names, FORMULAS, strict=True):
        shown = comments[fy]
        assert shown.startswith("'"), f"{payload!r} reaches Excel as {shown!r}"
        assert shown[1:] in {payload, payload.strip()}, f"{payload!r} became {shown!r}"
    for record in records:
        for value in record.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (
                f"a live formula cell: {value!r}"
            )
    # numbers stay numbers in the CSV: a value is written plainly, never with an apostrophe
    assert any(r["値"] == "275" for r in records if r["系列"] == "3-1")


def test_neutralise() -> None:
    assert neutralise(4521) == 4521 and isinstance(neutralise(4521), int)
    assert neutralise(-3) == -3 and neutralise(72.9) == 72.9
    assert neutralise("普通") == "普通"
    assert neutralise("") == ""
    for payload in ["=1+1", "+1", "-2", "@SUM(A1)", "\t=1", "\r=1"]:
        assert neutralise(payload) == "'" + payload
    assert neutralise("1-2") == "1-2" and neutralise("a=b") == "a=b"


# ---- the same bytes ------------------------------------------------------------------------------


@pytest.mark.child_process
def test_same_options_give_the_same_bytes_even_when_charts_are_redrawn(
    tmp_path: Path, figures: Path, full: str
) -> None:
    """A run with an empty figure cache of its own draws every chart again; its briefing is byte
    for byte the one made from the charts that another process drew earlier (the module's full
    export, into the session's cache), and the one rendered in process."""
    digests = {}
    for run_id, temp in (("redrawn", tmp_path / "tmp-redrawn"), ("stored", figures)):
        workdir = tmp_path / run_id
        workdir.mkdir()
        run = run_export(
            "--date", DATE, "--since", "2026-10-01", "-o", "same.html", cwd=workdir, figures=temp
        )
        assert run.returncode == 0, run.stderr
        digests[run_id] = hashlib.sha256((workdir / "same.html").read_bytes()).hexdigest()
    redrawn = {p.name for p in (tmp_path / "tmp-redrawn").glob("mie-briefing-figures/*/*.svg")}
    stored = {p.name for p in figures.glob("mie-briefing-figures/*/*.svg")}
    assert redrawn and redrawn <= stored, "the redrawing run drew every chart into its own cache"
    assert digests["redrawn"] == digests["stored"]
    # and the same as rendering in process (API and command line agree)
    ds = load_dataset(DATA)
    filters, _ = from_query(ds, "")
    html = render_briefing(
        ds,
        filters,
        settings=Settings(
            data_dir=DATA, cache_dir=tmp_path / "tmp-redrawn" / "mie-briefing-figures"
        ),
        since=dt.date(2026, 10, 1),
        generated=dt.date(2026, 11, 26),
    )
    assert hashlib.sha256(html.encode("utf-8")).hexdigest() == digests["redrawn"]


# ---- one briefing per area -----------------------------------------------------------------------


@pytest.mark.child_process
def test_each_area_writes_six_briefings_and_an_index(tmp_path: Path, figures: Path) -> None:
    run = run_export(
        "--each-area", "--outdir", "out", "--date", DATE, cwd=tmp_path, figures=figures
    )
    assert run.returncode == 0, run.stderr
    out = tmp_path / "out"
    files = sorted(p.name for p in out.iterdir())
    regions = [r["code"] for r in read_csv(DATA / "areas.csv") if r["level"] == "region"]
    expected = sorted(
        ["index.html", "briefing-240001.html", *(f"briefing-{c}.html" for c in regions)]
    )
    assert files == expected, "exactly the index and six briefings, no temporary files"
    assert "6/6" in run.stderr and "1/6" in run.stderr, "progress on stderr"
    index = (out / "index.html").read_text(encoding="utf-8")
    hrefs = [a.get("href") or "" for a in parse(index).links]
    assert sorted(hrefs) == sorted(f for f in expected if f != "index.html"), (
        "relative links to each file"
    )
    for name in ("県全体", *REGIONS):
        assert name in index
    assert BANNER in index and DATE in index
    assert_self_contained_index(index)
    area_names = names()
    for href in hrefs:
        html = (out / href).read_text(encoding="utf-8")
        code = href.removeprefix("briefing-").removesuffix(".html")
        assert re.search(rf"<title>[^<]*{area_names[code]}</title>", html)
        assert "<script" not in html and BANNER in html and DATE in html


def assert_self_contained_index(index: str) -> None:
    page = parse(index)
    assert "<script" not in index.lower() and not (set(page.tags) & FOREIGN_TAGS)
    for _, _, value in page.refs:
        assert value.startswith(("#", "data:")) or re.fullmatch(r"briefing-[\w-]+\.html", value), (
            value
        )


# ---- bad options and bad data --------------------------------------------------------------------


@pytest.mark.slow
def test_unknown_area_is_refused_in_japanese(tmp_path: Path) -> None:
    run = run_in_process("export", "--area", "大阪", "--date", DATE, "-o", "bad.html", cwd=tmp_path)
    assert run.returncode != 0
    assert "大阪" in run.stderr and "見つかりません" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "bad.html").exists()
    assert list(tmp_path.iterdir()) == [], "nothing written"


@pytest.mark.slow
@pytest.mark.parametrize("option", [["--since", "2026-13-01"], ["--date", "26/11/2026"]])
def test_bad_date_is_refused(option: list[str], tmp_path: Path) -> None:
    run = run_in_process("export", *option, "-o", "bad.html", cwd=tmp_path)
    assert run.returncode != 0
    assert "YYYY-MM-DD" in run.stderr and "Traceback" not in run.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_each_area_needs_an_outdir(tmp_path: Path) -> None:
    run = run_in_process("export", "--each-area", cwd=tmp_path)
    assert run.returncode != 0 and "--outdir" in run.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_each_area_refuses_an_area_instead_of_ignoring_it(tmp_path: Path) -> None:
    run = run_in_process("export", "--each-area", "--outdir", "out", "--area", "北勢", cwd=tmp_path)
    assert run.returncode != 0 and "--area" in run.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_broken_data_names_file_row_and_column_and_writes_nothing(
    data_copy: Path,
    edit_csv: Callable[..., str],
    find_row: Callable[..., int],
    tmp_path: Path,
) -> None:
    history = data_copy / "history.csv"
    row = find_row(history, series="3-1", fy="2022", area="240001")
    edit_csv(history, row, "value", "三百")
    out = tmp_path / "out"
    out.mkdir()
    run = run_in_process(
        "export", "--date", DATE, "-o", "b.html", cwd=out, BRIEFING_DATA=str(data_copy)
    )
    assert run.returncode != 0
    assert (
        "history.csv" in run.stderr
        and f"{row}行目" in run.stderr
        and "value" in run.stderr
        and "三百" in run.stderr
    )
    assert "Traceback" not in run.stderr
    assert list(out.iterdir()) == []


# ---- atomic writes -------------------------------------------------------------------------------


@pytest.mark.slow
def test_export_replaces_an_existing_file_whole_and_leaves_no_temporary_files(
    tmp_path: Path, settings: Settings
) -> None:
    target = tmp_path / "briefing.html"
    target.write_text("OLD " * 500_000, encoding="utf-8")  # far longer than the briefing
    export_file(target, direction=3, generated=DATE, settings=settings)
    data = target.read_bytes()
    assert data.startswith(b"<!DOCTYPE html>") and data.rstrip().endswith(b"</html>")
    assert b"OLD " not in data
    assert [p.name for p in tmp_path.iterdir()] == ["briefing.html"]


@pytest.mark.slow
def test_failed_export_keeps_the_previous_file(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "briefing.html"
    target.write_text("previous version", encoding="utf-8")
    with pytest.raises(ValueError, match="大阪"):
        export_file(target, area="大阪", generated=DATE, settings=settings)
    assert target.read_text(encoding="utf-8") == "previous version"

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)  # the rename fails after the whole file was written
    with pytest.raises(OSError, match="disk full"):
        export_file(target, direction=3, generated=DATE, settings=settings)
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "previous version"
    assert [p.name for p in tmp_path.iterdir()] == ["briefing.html"], (
        "the temporary file is removed"
    )


@pytest.mark.slow
def test_exported_file_is_readable_like_any_other_file(tmp_path: Path, settings: Settings) -> None:
    """The briefing is sent and published: its permissions follow the umask, like a file saved
    from an editor (a temporary file's private 0600 would hide it from a web server)."""
    umask = os.umask(0)
    os.umask(umask)
    path = export_file(tmp_path / "public.html", direction=3, generated=DATE, settings=settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


@pytest.mark.slow
def test_updates_since_a_date_come_from_the_change_record_with_old_and_new(
    tmp_path: Path, data_copy: Path
) -> None:
    """After an import, 「前回からの更新」 lists what the import changed, old → new."""
    import datetime as dt

    from briefing import Settings, load_dataset
    from briefing.content.filters import Filters
    from briefing.intake.apply import commit
    from briefing.intake.review import review
    from briefing.render.export import render_briefing

    update = tmp_path / "update.csv"
    update.write_text("指標,年度,地域,値\n3-1,R7,県全体,410\n", encoding="utf-8-sig")
    ds = load_dataset(data_copy)
    commit(
        ds, review([update], ds), by="福祉課", now=dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    )
    html = render_briefing(
        load_dataset(data_copy),
        Filters(direction=3),  # 3-1's direction: the updates, without drawing every chart
        settings=Settings(cache_dir=tmp_path / "c"),
        since=dt.date(2026, 11, 1),
        generated=dt.date(2026, 11, 26),
    )
    section = html[html.index('id="updates"') :]
    assert "402件 → 410件" in section and "2026-11-20" in section
    assert section.count("<tr>") == 2  # header + the one change


@pytest.mark.slow
def test_every_id_in_the_briefing_is_unique_and_no_svg_metadata_is_left(
    tmp_path: Path, settings: Settings
) -> None:
    """Inline charts would otherwise all be figure_1, axes_1, … and clip one another (the W3C
    checker counted 1,969 duplicate ids and 216 metadata errors in one briefing)."""
    html = export_file(tmp_path / "b.html", generated=DATE, settings=settings).read_text(
        encoding="utf-8"
    )
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) > 1000  # the charts' parts are there, each under its own prefix
    assert len(ids) == len(set(ids))
    for ref in set(re.findall(r'(?:url\(#|href="#)([^)"]+)', html)):
        assert ref in ids, f"a reference to a missing id: {ref}"
    assert "<metadata" not in html and "rdf:RDF" not in html
