"""The staff update panel without a browser: choose a file, review, edit a comment, save, undo."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from briefing import Settings, clock, load_dataset
from briefing.data import store
from briefing.data.changes import read_changes
from widgets import UpdatePanel


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def upload(panel: UpdatePanel, name: str, content: bytes) -> None:
    panel.upload.value = (
        {
            "name": name,
            "type": "text/csv",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": dt.datetime(2026, 11, 1),
        },
    )


@pytest.mark.slow
def test_upload_review_comment_save_and_undo(data_copy: Path, fresh_config: Path):
    before = digest(data_copy)
    panel = UpdatePanel(settings=Settings().with_(data_dir=data_copy))
    panel.by.value = "福祉課 山田"
    upload(
        panel,
        "update.csv",
        "指標,年度,地域,値\n３－１,令和７年度,県全体,４１０\n5-1,R7,熊野市,3\n".encode("cp932"),
    )
    result = panel.run_review()
    assert result is not None and result.ok
    assert not panel.save.disabled
    assert "402" in panel.review.value and "410" in panel.review.value  # old → new
    boxes = [b for b in panel.comments.children if hasattr(b, "key")]
    assert {b.key for b in boxes} == {("3-1", 2025), ("5-1", 2025)}
    next(b for b in boxes if b.key == ("3-1", 2025)).value = "相談方法の多様化で増加"
    panel.save.click()
    assert "保存しました" in panel.message.value and panel.save.disabled
    assert "+09:00" in panel.message.value  # Japan time, whatever the PC's clock zone
    history = load_dataset(data_copy).history
    row = history[
        (history["series"] == "3-1") & (history["fy"] == 2025) & (history["area"] == "240001")
    ].iloc[0]
    assert row["value"] == 410 and row["comment"] == "相談方法の多様化で増加" and not row["sample"]
    panel.revert.click()
    assert "取り消しました" in panel.message.value and "+09:00" in panel.message.value
    assert digest(data_copy) == before


def test_problems_are_listed_and_saving_stays_disabled(data_copy: Path):
    before = digest(data_copy)
    panel = UpdatePanel(settings=Settings().with_(data_dir=data_copy))
    upload(panel, "bad.csv", "指標,年度,地域,値\n3-1,R7,県全体,abc\n9-9,R7,,1\n".encode())
    result = panel.run_review()
    assert result is not None and len(result.problems) == 2
    assert panel.save.disabled
    assert "bad.csv 2行目" in panel.review.value and "数値ではありません" in panel.review.value
    assert "指標（系列）が見つかりません" in panel.review.value
    panel.save.click()
    assert digest(data_copy) == before


@pytest.mark.slow
def test_no_copy_of_an_uploaded_file_stays_on_the_pc(
    data_copy: Path, fresh_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The page copies an upload to read it; a corrected file checked again, and the save,
    leave no copy behind (a staff PC's temporary folder is not the place for the files)."""
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    panel = UpdatePanel(settings=Settings().with_(data_dir=data_copy))
    panel.by.value = "福祉課 山田"
    upload(panel, "update.csv", "指標,年度,地域,値\n3-1,R7,県全体,abc\n".encode())
    assert panel.run_review() is not None and panel.save.disabled
    copies = "briefing-upload-*/*"
    assert [f.name for f in temp.glob(copies)] == ["update.csv"]  # read while staff fix it
    upload(panel, "update.csv", "指標,年度,地域,値\n3-1,R7,県全体,410\n".encode())
    result = panel.run_review()
    assert result is not None and result.ok
    assert [f.name for f in temp.glob(copies)] == ["update.csv"]  # the first copy is gone
    panel.save.click()
    assert "保存しました" in panel.message.value
    assert list(temp.glob("briefing-upload-*")) == []


def test_undo_with_nothing_saved_says_so(data_copy: Path):
    panel = UpdatePanel(settings=Settings().with_(data_dir=data_copy))
    panel.revert.click()
    assert "取り消せる保存はありません" in panel.message.value


class _Markup(HTMLParser):
    """The elements, event-handler attributes and text an HTML fragment would put on the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.handlers: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def rendered(fragment: str) -> _Markup:
    parser = _Markup()
    parser.feed(fragment)
    parser.close()
    return parser


ATTACK = "<img src=x onerror=alert(1)>"


def test_markup_in_an_uploaded_file_reaches_the_staff_page_as_text(data_copy: Path):
    """A cell, a series name or a file name that looks like HTML is shown, never run."""
    panel = UpdatePanel(settings=Settings().with_(data_dir=data_copy))
    content = f"指標,年度,地域,値\n3-1,R7,県全体,{ATTACK}\n{ATTACK},R7,,1\n".encode()
    upload(panel, f"{ATTACK}.csv", content)
    result = panel.run_review()
    assert result is not None and len(result.problems) == 2
    shown = [rendered(widget.value) for widget in (panel.message, panel.review)]
    assert all(not page.tags & {"img", "script", "svg", "iframe"} for page in shown)
    assert all(page.handlers == [] for page in shown)
    text = "".join(shown[1].text)
    # both bad cells and the file name are named in the problems, as the staff member typed them
    assert text.count(ATTACK) == 4, text
    # nothing to save: the table under the problems is empty but still says what it would list
    assert review_table(panel.review.value) == [
        ["区分", "指標", "年度", "地域", "旧", "新", "状態"]
    ]


@pytest.mark.slow
def test_the_staff_name_is_asked_once_and_remembered_on_this_pc(
    data_copy: Path, fresh_config: Path
):
    before = digest(data_copy)
    panel = UpdatePanel(settings=Settings().with_(data_dir=data_copy))
    assert panel.by.value == ""  # not the login name
    upload(panel, "update.csv", "指標,年度,地域,値\n3-1,R7,県全体,410\n".encode("cp932"))
    assert panel.run_review() is not None and not panel.save.disabled
    panel.save.click()
    assert "担当者名" in panel.message.value and "保存しました" not in panel.message.value
    assert digest(data_copy) == before  # nothing written without a name

    panel.by.value = "福祉課 山田"
    panel.save.click()
    assert "保存しました" in panel.message.value
    assert read_changes(data_copy)["by"].tolist() == ["福祉課 山田"]
    assert UpdatePanel(settings=Settings().with_(data_dir=data_copy)).by.value == "福祉課 山田"


def review_table(fragment: str) -> list[list[str]]:
    """The rows of the review table as the staff member reads them (header row first)."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", fragment, flags=re.S)
    return [[c.strip() for c in re.findall(r"<t[dh]>(.*?)</t[dh]>", r, flags=re.S)] for r in rows]


def test_the_review_shows_each_value_old_and_new_changes_first(data_copy: Path):
    """What staff check before saving: kind of change, indicator, year, area, old → new, status."""
    panel = UpdatePanel(settings=Settings().with_(data_dir=data_copy))
    content = "指標,年度,地域,値,状態\n3-2,R6,県全体,57,確定\n2-2,R8,津市,300,速報\n3-1,R7,県全体,410,確定\n"
    upload(panel, "update.csv", content.encode())
    result = panel.run_review()
    assert result is not None and result.ok
    name_2_2 = "2-2 相談支援機関における新規相談件数"
    assert review_table(panel.review.value) == [
        ["区分", "指標", "年度", "地域", "旧", "新", "状態"],
        [
            "変更",
            "3-1 ひきこもり地域支援センターにおける専門相談件数（延べ）",
            "令和7年度",
            "県全体",
        ]
        + ["402", "410", "速報 → 確定"],
        ["新規", name_2_2, "令和8年度", "県全体（市町の合計）", "－", "300", "速報"],
        ["新規", name_2_2, "令和8年度", "津市", "－", "300", "速報"],
        ["変更なし", "3-2 家族教室への参加者数（延べ）", "令和6年度", "県全体", "57", "57", "確定"],
    ]
    assert "新規 2 件、変更 1 件、変更なし 1 件、空欄 0 件" in panel.review.value


def test_the_review_asks_staff_to_check_a_total_of_only_some_towns(data_copy: Path):
    """One town's new figure alone would make a prefecture total of one town: the page says so."""
    panel = UpdatePanel(settings=Settings().with_(data_dir=data_copy))
    upload(panel, "tsu.csv", "指標,年度,地域,値\n2-2,R8,津市,300\n".encode())
    assert panel.run_review() is not None
    notes = rendered(panel.review.value)
    assert "確認してください" in notes.text
    [note] = [t for t in notes.text if "県全体の値は" in t]
    assert "29 市町のうち 1 市町の合計" in note and "四日市市" in note


@pytest.mark.slow
def test_the_new_years_input_workbook_is_offered_as_a_download(data_copy: Path):
    import base64
    import io
    import re

    import openpyxl

    panel = UpdatePanel(settings=Settings().with_(data_dir=data_copy))
    panel.template_fy.value = "R8"
    panel.make_template.click()
    link = re.search(
        r'<a download="update_2026.xlsx" href="data:[^;]+;base64,([^"]+)">',
        panel.template_link.value,
    )
    assert link, panel.template_link.value
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(link.group(1))))
    assert "令和8年度" in str(book["入力"]["A1"].value)

    panel.template_fy.value = "来年"
    panel.make_template.click()
    assert "来年" in panel.template_link.value and "download" not in panel.template_link.value


def test_changing_a_final_value_is_refused_with_both_values_as_written(data_copy: Path):
    """The plan's baseline 72.9% keeps its decimal in the message (not 72), so staff see what
    would change."""
    panel = UpdatePanel(settings=Settings().with_(data_dir=data_copy))
    upload(panel, "shares.csv", "指標,年度,地域,値\n2-3a,R2,県全体,74.5\n".encode())
    result = panel.run_review()
    assert result is not None and not result.ok and panel.save.disabled
    assert "確定値 72.9 を 74.5 に変えようとしています" in "".join(
        rendered(panel.review.value).text
    )


@dataclass
class Element:
    """An element as the browser builds it: its tag, attributes and children (elements or text)."""

    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children).strip()

    def find(self, tag: str) -> list[Element]:
        found = [c for c in self.children if isinstance(c, Element)]
        return [e for c in found for e in ([c] if c.tag == tag else []) + c.find(tag)]


class _Tree(HTMLParser):
    VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open = [Element("")]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.open[-1].children.append(element)
        if tag not in self.VOID:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        assert self.open[-1].tag == tag, (self.open[-1].tag, tag)
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.open[-1].children.append(data)


def parts(element: Element) -> list[tuple[str, str]]:
    """Each child's tag (none for text) and text, in order."""
    return [(c.tag, c.text()) if isinstance(c, Element) else ("", c) for c in element.children]


def tree(fragment: str) -> list[Element | str]:
    """What a fragment puts on the page, top level first (text outside elements included)."""
    parser = _Tree()
    parser.feed(fragment)
    parser.close()
    assert len(parser.open) == 1, "unclosed elements"
    return parser.open[0].children


def test_the_review_shows_problems_then_what_to_check_then_the_counts_and_table(
    data_copy: Path,
) -> None:
    """One box styled by the page (``.mb``): the problems in a red box, one item each, each total
    of some towns in a notice, the counts, then the table, ruled by the page's style alone."""
    panel = UpdatePanel(settings=Settings().with_(data_dir=data_copy))
    content = (
        "指標,年度,地域,値\n2-3a,R7,県全体,74.1\n2-2,R8,津市,300\n5-1,R8,津市,3\n3-1,R7,県全体,abc\n"
        "9-9,R7,,1\n"
    )
    upload(panel, "update.csv", content.encode())
    result = panel.run_review()
    assert result is not None and len(result.problems) == 2 and len(result.notes) == 2
    [page] = tree(panel.review.value)
    assert isinstance(page, Element) and (page.tag, page.attrs) == ("div", {"class": "mb"})
    error, notice, counts, table = page.children
    assert isinstance(error, Element) and error.attrs == {"class": "error"}
    assert parts(error)[0] == ("b", "問題が 2 件あります。保存できません。")
    [problems] = error.find("ul")
    assert parts(problems) == [("li", str(p)) for p in result.problems]
    assert isinstance(notice, Element) and notice.attrs == {"class": "notice"}
    assert parts(notice)[0] == ("b", "確認してください")
    [notes] = notice.find("ul")
    assert parts(notes) == [("li", note) for note in result.notes]
    assert isinstance(counts, Element) and counts.tag == "p"
    assert counts.text() == (
        f"確認日時 {clock.shown(result.checked_at)}。新規 4 件、変更 1 件、変更なし 0 件、空欄 0 件"
    )
    assert isinstance(table, Element) and table.tag == "table"
    assert "border" not in table.attrs  # the page rules rows; a border attribute draws a grid
    assert [[cell.text() for cell in row.find("td")] for row in table.find("tr")][1:] == [
        ["変更", "2-3a 不登校児童生徒が、学校内外の機関等での相談・指導等を受けた割合（小学生）"]
        + ["令和7年度", "県全体", "74.3", "74.1", "速報 → 確定"],
        ["新規", "2-2 相談支援機関における新規相談件数", "令和8年度", "県全体（市町の合計）"]
        + ["－", "300", "確定"],
        ["新規", "2-2 相談支援機関における新規相談件数", "令和8年度", "津市", "－", "300", "確定"],
        ["新規", "5-1 ひきこもり当事者のための居場所数", "令和8年度", "県全体（市町の合計）"]
        + ["－", "3", "確定"],
        ["新規", "5-1 ひきこもり当事者のための居場所数", "令和8年度", "津市", "－", "3", "確定"],
    ]


def test_a_note_that_looks_like_html_is_shown_in_the_table_as_written(data_copy: Path) -> None:
    panel = UpdatePanel(settings=Settings().with_(data_dir=data_copy))
    upload(panel, "update.csv", f"指標,年度,地域,値,備考\n3-2,R7,県全体,70,{ATTACK}\n".encode())
    result = panel.run_review()
    assert result is not None and result.ok
    shown = rendered(panel.review.value)
    assert "img" not in shown.tags and shown.handlers == []
    [page] = tree(panel.review.value)
    assert isinstance(page, Element)
    [table] = page.find("table")
    [header, row] = table.find("tr")
    assert [c.text() for c in header.find("th")][-1] == "備考"
    assert [c.text() for c in row.find("td")][-1] == ATTACK


def test_a_save_after_another_save_since_the_review_is_refused(data_copy: Path) -> None:
    """Two staff members review at once: the later save must not undo the first; nothing is
    written and the page asks for a new review."""
    panel = UpdatePanel(settings=Settings().with_(data_dir=data_copy))
    panel.by.value = "福祉課 山田"
    upload(panel, "update.csv", "指標,年度,地域,値\n3-1,R7,県全体,410\n".encode())
    assert panel.run_review() is not None and not panel.save.disabled
    theirs = (data_copy / "history.csv").read_bytes().replace(b",402,", b",403,", 1)
    store.save(data_copy, {"history.csv": theirs}, meta={})  # someone else's import meanwhile
    panel.save.click()
    assert "もう一度取り込んで、確認し直してください" in panel.message.value
    assert (data_copy / "history.csv").read_bytes() == theirs


def test_a_workbook_of_opinions_with_its_figures_sheet_left_empty_can_be_saved(
    data_copy: Path,
) -> None:
    """The input workbook sent back with only the committee's opinions filled in: its empty
    figures sheet is not refused as 「数値が1つも入力されていません」."""
    import io

    import openpyxl

    book = openpyxl.Workbook()
    figures = book.active
    assert figures is not None
    figures.title = "入力"
    figures.append(["系列ID", "年度", "地域コード", "値（入力）"])
    figures.append(["3-1", "R7", "240001", None])
    opinions = book.create_sheet("委員会意見")
    opinions.append(["会議日", "会議名", "取組方向", "委員の分野", "意見"])
    opinions.append(["2026-11-30", "令和8年度第1回", "2", "家族会", "相談先を広く知らせてほしい。"])
    content = io.BytesIO()
    book.save(content)
    panel = UpdatePanel(settings=Settings().with_(data_dir=data_copy))
    upload(panel, "update_2025.xlsx", content.getvalue())
    result = panel.run_review()
    assert result is not None and result.problems == [], result.problems
    assert not panel.save.disabled and "数値が1つも" not in panel.review.value
