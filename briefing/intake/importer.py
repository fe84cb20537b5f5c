"""Bring new figures in: find the columns, normalise what offices write, and check them.

Input is a filled template or a free-form long table (series or indicator, year, area, value,
optional status, comment and notes). A note that says 速報 or 確定 sets the row's status, or is
reported when it contradicts the status column. Full-width digits, thousands separators, 令和/R/H years, names
instead of codes and 「－」 for "no figure" are understood; every other problem is reported with
file, sheet, row, column, the value found, what is wrong and what to do, and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from .. import clock
from ..data.areas import PREFECTURE, find_area
from ..data.dataset import Dataset
from ..data.fiscal import FiscalYearError, fiscal_year_of, format_fy, parse_fy
from ..data.problems import Problem, ProblemLog
from ..data.reading import MAX_BYTES, Sheet, read_file
from .records import sheet_kind

#: Header words per column, in order of preference (normalised: NFKC, lower case, no spaces).
HEADERS = {
    "series": ("series", "系列id", "系列", "指標id", "指標番号", "指標", "指標名", "id"),
    "fy": ("fy", "年度"),
    "area": ("area", "地域コード", "団体コード", "市町コード", "市町", "市町名", "地域", "地域名"),
    "value": ("value", "値(入力)", "値", "数値", "実績", "実績値"),
    "status": ("status", "状態", "状態(確定/速報)", "確定/速報"),
    "comment": ("comment", "コメント", "担当課コメント"),
    "note": ("備考", "注記", "メモ", "注", "摘要", "特記事項", "note", "notes", "remarks", "memo"),
}
REQUIRED = ("series", "fy", "value")
BLANKS = {"", "-", "－", "―", "—", "ー", "‐", "なし", "n/a", "na", "…"}
STATUS_WORDS = {
    "確定": "確定",
    "確定値": "確定",
    "final": "確定",
    "速報": "速報",
    "速報値": "速報",
    "provisional": "速報",
}
#: Phrases of a note that make a value provisional, including 「確定」 said of the future or negated
_PROVISIONAL_NOTE = re.compile(
    r"速報|暫定|未確定|確定前|確定待|確定予定|確定見込|確定は|確定後|確定次第"
)
_FINAL_NOTE = re.compile(r"確定|確報")
_DASHES = re.compile(r"(?<=\d)[‐‑–—―ー−](?=\d)")


#: Rows whose check is remembered (enough for any real file; a pasted sheet repeats a few rows)
_MEMO_ROWS = 100_000


@dataclass(frozen=True)
class Entry:
    """One normalised input value, with where it came from."""

    series: str
    fy: int
    area: str
    value: float
    status: str
    comment: str
    file: str
    sheet: str | None
    row: int
    column: str = "値"  # the value column's header as written in the file
    note: str = ""  # the notes column (備考, メモ…) as written


#: A checked row: whether it is a blank value (「－」, an empty value cell), its problems as
#: (column key, value, reason, hint), and for a value (series, fy, area, value, status, comment,
#: note); an empty row is no blank, has no problems and no value
_Outcome = tuple[
    bool, list[tuple[str, str, str, str]], tuple[str, int, str, float, str, str, str] | None
]


@functools.lru_cache(maxsize=4096)
def normalise_text(value: str) -> str:
    """Full-width to half-width, unified dashes between digits, trimmed."""
    return _DASHES.sub("-", unicodedata.normalize("NFKC", value)).strip()


def note_status(note: str) -> str | None:
    """The status a note states: 「速報」, 「確定」, ``None`` when it says neither, ``""`` when both.

    「速報値（確定は3月）」 is 速報: 「確定」 said of the future or negated does not count as final.
    """
    text = normalise_text(note)
    provisional = bool(_PROVISIONAL_NOTE.search(text))
    final = bool(_FINAL_NOTE.search(_PROVISIONAL_NOTE.sub("", text)))
    if provisional and final:
        return ""
    return "速報" if provisional else "確定" if final else None


def read_entries(
    paths: list[Path],
    ds: Dataset,
    *,
    max_bytes: int = MAX_BYTES,
    today: dt.date | None = None,
    log: ProblemLog | None = None,
    recorded: frozenset[str] = frozenset(),
) -> tuple[list[Entry], list[Problem], int]:
    """Every value of every file, normalised, with every problem found (not only the first).

    Problems go to ``log`` (the first few of each kind, the rest counted) and come back summarised;
    a value given twice is a problem and only its first row is kept. Sheets of accounts and
    opinions are left to ``records``; a file named in ``recorded`` (its accounts or opinions
    change something) is not refused for holding no figures.
    """
    entries: list[Entry] = []
    problems = ProblemLog() if log is None else log
    blanks = 0
    latest_fy = fiscal_year_of(today or clock.today()) + 1
    for path in paths:
        sheets, found = read_file(path, max_bytes=max_bytes)
        used = records = False  # a sheet of figures; of accounts or opinions
        for sheet in sheets:
            if sheet_kind(sheet) is not None:  # accounts or opinions: read by ``records``
                records = True
                continue
            header_row, columns, header_cells = _find_header(sheet)
            if header_row is None:
                continue
            used = True
            found = [_with_heading(p, sheet, header_row) for p in found]
            e, b = _sheet_entries(sheet, header_row, columns, header_cells, ds, latest_fy, problems)
            entries += e
            blanks += b
        problems.extend(found)
        if sheets:
            _check_file_has_figures(path, used, records, recorded, entries, problems)
    entries = _first_of_each(entries, problems)
    return entries, problems.summary(), blanks


def _check_file_has_figures(
    path: Path,
    used: bool,
    records: bool,
    recorded: frozenset[str],
    entries: list[Entry],
    problems: ProblemLog,
) -> None:
    """A file with no heading staff would recognise, or with headings but no figure (and no
    problem already said about it, nor accounts or opinions that change something), is refused."""
    if not used and not records:
        words = "、".join(h[0] for h in (HEADERS[k] for k in REQUIRED))
        problems.append(
            Problem(
                path.name,
                "見出しの行が見つかりません（指標・年度・値の列が必要です）。",
                f"1行目付近に {words}（または 系列ID・年度・値）の見出しを入れるか、briefing template のファイルを使ってください。",
            )
        )
    elif (
        used
        and path.name not in recorded
        and not any(e.file == path.name for e in entries)
        and not any(p.file == path.name for p in problems.kept)
    ):
        problems.append(
            Problem(
                path.name,
                "数値が1つも入力されていません。",
                "「値」の列に数値を入力してください。",
            )
        )


def _with_heading(problem: Problem, sheet: Sheet, header_row: int) -> Problem:
    """A cell problem found while reading (e.g. a formula without its result) names its column by
    the heading staff see above it, not by the letter, once the sheet's heading row is known."""
    if (
        problem.sheet != sheet.name
        or problem.row is None
        or not problem.column
        or not problem.column.isalpha()
    ):
        return problem
    if problem.row <= header_row + sheet.first_row - 1:
        return problem
    index = 0
    for letter in problem.column.upper():
        index = index * 26 + ord(letter) - ord("A") + 1
    heading = (
        sheet.rows[header_row][index - 1].strip() if index - 1 < len(sheet.rows[header_row]) else ""
    )
    return replace(problem, column=heading) if heading else problem


def _header_key(text: str) -> str:
    return re.sub(r"\s+", "", normalise_text(text)).lower()  # NFKC made 「（）」 half-width


def _find_header(sheet: Sheet) -> tuple[int | None, dict[str, int], list[str]]:
    """The header (within the first 20 rows): the index of its last row, the column positions and
    the column names as written. A two-row header (「実績」 merged over 「値｜状態」) is read as one."""
    rows = sheet.rows[:20]
    for i, row in enumerate(rows):
        below = rows[i + 1] if i + 1 < len(rows) else []
        combined = [
            lower or upper for upper, lower in itertools.zip_longest(row, below, fillvalue="")
        ]
        # the row below is part of the header when it names columns and holds no numbers
        below_is_header = bool(_columns(below)) and all(
            _number(normalise_text(c), "") is None for c in below if c.strip()
        )
        for last, cells in ((i + 1, combined), (i, row)) if below_is_header else ((i, row),):
            columns = _columns(cells)
            if all(r in columns for r in REQUIRED):
                return last, columns, list(cells)
    return None, {}, []


def _columns(cells: list[str]) -> dict[str, int]:
    keys = [_header_key(c) for c in cells]
    columns: dict[str, int] = {}
    for name, words in HEADERS.items():
        for word in words:
            if word in keys and keys.index(word) not in columns.values():
                columns[name] = keys.index(word)
                break
    return columns


#: A problem found in a row: (column key, value as written, what is wrong, what to do)
_Found = tuple[str, str, str, str]
#: Area texts that mean the prefecture as a whole
_WHOLE_PREFECTURE = ("", "県", "県全体", "三重県")


class _RowReader:
    """What the rows of one sheet say, checked against the dataset.

    A row's outcome depends only on its cells, so a repeated row is checked once; the dataset's
    series and areas are kept as plain dicts (a pandas lookup per row cost ~30 µs, most of a long
    sheet's time) and each year and place text is parsed once (a pasted sheet repeats the same
    few texts thousands of times).
    """

    def __init__(
        self,
        sheet: Sheet,
        columns: dict[str, int],
        header_cells: list[str],
        ds: Dataset,
        latest_fy: int,
    ) -> None:
        self.sheet_name = sheet.name
        self.columns = columns
        self.header_cells = header_cells
        self.ds = ds
        self.latest_fy = latest_fy
        self.lookup = _series_lookup(ds)
        self.about = ds.series[["breakdown", "unit_ja", "kind"]].to_dict("index")
        self.levels = ds.areas["level"].to_dict()
        self.years: dict[str, int | FiscalYearError] = {}
        self.places: dict[str, str | None] = {}

    def cell(self, row: list[str], name: str) -> str:
        i = self.columns.get(name)
        return row[i] if i is not None and i < len(row) else ""

    def check(self, row: list[str]) -> _Outcome:
        """What one row holds, independent of where it is (so a repeated row is checked once)."""
        if not any(c.strip() for c in row):
            return False, [], None
        found: list[_Found] = []
        raw_value = normalise_text(self.cell(row, "value"))
        i = self.columns["value"]
        if self.sheet_name is None and _split_thousands(row, self.header_cells, i, raw_value):
            found.append(
                (
                    "value",
                    f"{row[i]},{row[i + 1]}",
                    "カンマ付きの数値が引用符で囲まれていないため、2つの列に分かれています。",
                    '"4,521" のように引用符で囲むか、カンマなしで 4521 と入力してください（Excel で CSV に保存すると自動で囲まれます）。',
                )
            )
            return False, found, None
        if raw_value.lower() in BLANKS:
            return True, found, None
        series = self._series(row, found)
        fy = self._fy(row, found)
        area = self._area(row, series, found)
        value = self._value(row, raw_value, series, found)
        status, note = self._status(row, found)
        if (
            series is not None
            and fy is not None
            and area is not None
            and value is not None
            and status is not None
        ):
            comment = self.cell(row, "comment").strip()
            return False, found, (series, fy, area, value, status, comment, note)
        return False, found, None

    def _series(self, row: list[str], found: list[_Found]) -> str | None:
        text = normalise_text(self.cell(row, "series"))
        series = self.lookup.get(text) or self.lookup.get(text.casefold())
        if series is None:
            found.append(
                (
                    "series",
                    self.cell(row, "series"),
                    "指標（系列）が見つかりません。",
                    "系列ID（例: 3-1、2-1a）か、計画の指標名をそのまま入力してください。",
                )
            )
        return series

    def _fy(self, row: list[str], found: list[_Found]) -> int | None:
        text = self.cell(row, "fy")
        if text not in self.years:
            try:
                self.years[text] = parse_fy(text)
            except FiscalYearError as error:
                self.years[text] = error
        parsed = self.years[text]
        if isinstance(parsed, FiscalYearError):
            hint = "「令和6年度」「R6」「2024」のように入力してください。"
            found.append(("fy", text, str(parsed), hint))
            return None
        if not 2015 <= parsed <= self.latest_fy:
            reason = f"年度が想定の範囲外です（2015〜{self.latest_fy}年度）。"
            found.append(("fy", text, reason, "入力する年度を確認してください。"))
            return None
        return parsed

    def _area(self, row: list[str], series: str | None, found: list[_Found]) -> str | None:
        """The area code; only municipalities and the prefecture, and the prefecture alone for a
        series without a breakdown (regions are sums of their municipalities)."""
        text = normalise_text(self.cell(row, "area"))  # no area column: "" (the prefecture)
        if text not in self.places:
            whole = text in _WHOLE_PREFECTURE
            self.places[text] = PREFECTURE if whole else find_area(self.ds, text)
        area = self.places[text]
        if area is None:
            reason = "地域（市町）が見つかりません。"
            hint = "市町名（例: 津市）、6桁の団体コード、または「県全体」を入力してください。"
        elif self.levels[area] == "region":
            reason = "地域（北勢など）の値は入力できません。"
            hint = "地域の値は市町の値の合計から計算します。市町ごとに入力してください。"
        elif (
            series is not None and area != PREFECTURE and self.about[series]["breakdown"] == "none"
        ):
            reason = "この指標には市町別の内訳がありません。"
            hint = "県全体の値として入力してください（地域の列を「県全体」にする）。"
        else:
            return area
        found.append(("area", self.cell(row, "area"), reason, hint))
        return None

    def _value(
        self, row: list[str], raw: str, series: str | None, found: list[_Found]
    ) -> float | None:
        value = _number(raw, self.about[series]["unit_ja"] if series else "")
        if value is None:
            found.append(
                (
                    "value",
                    self.cell(row, "value"),
                    "数値ではありません。",
                    "半角または全角の数字だけを入力してください（例: 4,521、72.9）。数値がないときは空欄か「－」にします。",
                )
            )
            return None
        problem = _range_problem(self.about[series]["kind"], value) if series is not None else None
        if problem:
            found.append(("value", self.cell(row, "value"), *problem))
            return None
        return value

    def _status(self, row: list[str], found: list[_Found]) -> tuple[str | None, str]:
        """The status column (blank is 確定), or what the note says when the column is blank; a
        note that contradicts the column, or says both, is a problem. Returns it with the note."""
        status_text = normalise_text(self.cell(row, "status")).lower()
        status = STATUS_WORDS.get(status_text, "確定" if status_text == "" else None)
        if status is None:
            found.append(
                (
                    "status",
                    self.cell(row, "status"),
                    "状態が読み取れません。",
                    "「確定」か「速報」を入力してください（空欄は確定）。",
                )
            )
        note = self.cell(row, "note").strip()
        said = note_status(note) if note and status is not None else None
        if said == "" and status_text == "":
            found.append(
                (
                    "note",
                    note,
                    "備考に「速報」と「確定」の両方があり、どちらの値か決められません。",
                    "状態の列に「確定」か「速報」を入力してください（列がなければ「状態」の列を作ってください）。",
                )
            )
            return None, note
        if said and status_text and said != status:
            found.append(
                (
                    "note",
                    note,
                    f"備考は「{said}」ですが、状態の列は「{status}」です。",
                    f"どちらが正しいか確かめて、状態の列を直すか、備考から「{said}」を消してください。",
                )
            )
            return None, note
        if said and not status_text:
            return said, note
        return status, note


def _sheet_entries(
    sheet: Sheet,
    header: int,
    columns: dict[str, int],
    header_cells: list[str],
    ds: Dataset,
    latest_fy: int,
    problems: ProblemLog,
) -> tuple[list[Entry], int]:
    """The values of one sheet below its heading and the number of blank values; each row's
    problems go to ``problems`` with the row number and the column's heading as staff see them."""
    entries: list[Entry] = []
    blanks = 0
    reader = _RowReader(sheet, columns, header_cells, ds, latest_fy)
    # identical rows are one list (reading._share_repeats): check each once
    checked: dict[int, _Outcome] = {}
    for offset, row in enumerate(sheet.rows[header + 1 :], start=header + 2):
        outcome = checked.get(id(row))
        if outcome is None:
            outcome = reader.check(row)
            if len(checked) < _MEMO_ROWS:
                checked[id(row)] = outcome
        blank, found, fields = outcome
        if blank:
            blanks += 1
            continue
        number = offset + sheet.first_row - 1
        _log_row_problems(sheet, number, found, columns, header_cells, problems)
        if fields is not None:
            column = header_cells[columns["value"]]
            entries.append(Entry(*fields[:6], sheet.file, sheet.name, number, column, fields[6]))
    return entries, blanks


def _log_row_problems(
    sheet: Sheet,
    number: int,
    found: list[_Found],
    columns: dict[str, int],
    header_cells: list[str],
    problems: ProblemLog,
) -> None:
    """A row's problems, named by the column's heading as written (the log keeps the first few of
    each kind and builds the rest only to count them)."""
    for name, text, reason, hint in found:
        column = header_cells[columns[name]]  # a problem is found only in a column read
        problems.add(
            (sheet.file, sheet.name, column, reason),
            functools.partial(
                Problem,
                sheet.file,
                reason,
                hint,
                row=number,
                column=column,
                value=text,
                sheet=sheet.name,
            ),
        )


def _split_thousands(row: list[str], header: list[str], i: int, value: str) -> bool:
    """A CSV row where an unquoted 4,521 became two cells: 「4」 under the value heading and 「521」
    in the next cell, which has no heading of its own (or the row is longer than the heading)."""
    if (
        i + 1 >= len(row)
        or not re.fullmatch(r"\d{1,3}", value)
        or not re.fullmatch(r"\d{3}", normalise_text(row[i + 1]))
    ):
        return False
    return i + 1 >= len(header) or not header[i + 1].strip() or len(row) > len(header)


def _series_lookup(ds: Dataset) -> dict[str, str]:
    """Every way staff may name a series: id, indicator id or name when it has one series, and
    「指標名（系列名）」 or the series label when unambiguous."""
    lookup: dict[str, str] = {}
    counts = ds.series["indicator"].value_counts()
    for s, info in ds.series.iterrows():
        names = {normalise_text(str(s)).casefold()}  # _series tries the text casefolded too
        if counts[info["indicator"]] == 1:
            names |= {info["indicator"], normalise_text(info["name_ja"])}
        if pd.notna(info["label_ja"]):
            names |= {
                normalise_text(f"{info['name_ja']}（{info['label_ja']}）"),
                normalise_text(f"{info['indicator']} {info['label_ja']}"),
            }
            if (ds.series["label_ja"] == info["label_ja"]).sum() == 1:
                names.add(normalise_text(info["label_ja"]))
        for name in names:
            lookup[name] = str(s)
    return lookup


def _number(text: str, unit: str) -> float | None:
    """The number of a normalised text (NFKC: full-width commas, spaces and 「％」 are half-width)."""
    text = text.replace(",", "").replace(" ", "")
    for suffix in (unit, "%"):
        if suffix and text.endswith(suffix):
            text = text[: -len(suffix)]
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _range_problem(kind: str, value: float) -> tuple[str, str] | None:
    if kind in ("count", "stock") and value < 0:
        return "件数・人数・か所数は負になりません。", "0 以上の数を入力してください。"
    if kind in ("count", "stock") and not value.is_integer():
        return "件数・人数・か所数は整数です。", "小数点のない整数を入力してください。"
    if kind == "share" and not 0 <= value <= 100:
        return "割合が 0〜100 の範囲外です。", "％の数値（例: 72.9）を入力してください。"
    if kind == "milestone" and value not in (0, 1):
        return "創設の有無は 0 か 1 です。", "未創設なら 0、創設済なら 1 を入力してください。"
    return None


_REPEATED = "同じ指標・年度・地域の値が2回あります"


def _first_of_each(entries: list[Entry], problems: ProblemLog) -> list[Entry]:
    """The entries with each series, year and area once; every repeat is a problem."""
    seen: dict[tuple[str, int, str], Entry] = {}
    for e in entries:
        key = (e.series, e.fy, e.area)
        first = seen.setdefault(key, e)
        if first is e:
            continue
        where = (
            f"{first.file}"
            + (f" シート「{first.sheet}」" if first.sheet else "")
            + f" {first.row}行目"
        )

        def repeated(e: Entry = e, where: str = where) -> Problem:
            return Problem(
                e.file,
                f"同じ指標・年度・地域の値が2回あります（{where}と同じ: {e.series} {format_fy(e.fy)} {e.area}）。",
                "どちらか一方を削除してください。",
                row=e.row,
                sheet=e.sheet,
                kind=_REPEATED,
            )

        problems.add((e.file, e.sheet, None, _REPEATED), repeated)
    return list(seen.values())
