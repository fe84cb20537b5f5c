"""Bring in the committee's record: the prefecture's accounts per direction and year, and the
members' opinions with the prefecture's responses.

Read from the template's sheets 「取組の報告」 and 「委員会意見」 or from any CSV / Excel table whose
headings name the columns (会議日, 会議名, 取組方向, 意見, 対応, 対応状況 …, in any order; other
columns are ignored). Every problem names file, sheet, row and column; nothing here writes.
A blank cell never erases stored text: a response is filled in after the meeting, not cleared.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import pandas as pd

from .. import clock
from ..data.changes import RECORD_CHANGE_COLUMNS, appended_rows
from ..data.dataset import Dataset
from ..data.fiscal import FiscalYearError, format_fy, parse_fy
from ..data.problems import Problem
from ..data.reading import MAX_BYTES, Sheet, read_file
from ..data.schema import ACCOUNTS, OPINIONS

ACCOUNT = "accounts"
OPINION = "opinions"

#: Heading words per stored column (compared after NFKC, without spaces, lower case)
OPINION_HEADERS = {
    "id": ("意見番号", "番号", "id"),
    "meeting_date": ("会議日", "開催日", "meeting_date"),
    "meeting": ("会議名", "会議", "meeting"),
    "direction": ("取組方向", "対象", "direction"),
    "indicator": ("指標", "指標id", "indicator"),
    "member_field": ("委員の分野", "分野", "member_field"),
    "opinion": ("意見", "委員の意見", "opinion"),
    "response": ("対応", "県の対応", "response"),
    "status": ("対応状況", "状況", "status"),
    "response_updated": ("対応の更新日", "response_updated"),
}
OPINION_REQUIRED = ("meeting_date", "meeting", "direction", "opinion")
ACCOUNT_HEADERS = {
    "direction": ("取組方向", "direction"),
    "fy": ("年度", "fy"),
    "activities": ("取組状況", "activities"),
    "results": ("成果と課題", "results"),
    "next_steps": ("今後の方向", "next_steps"),
    "written_by": ("記入者", "作成者", "written_by"),
}
ACCOUNT_REQUIRED = ("direction", "fy")
ACCOUNT_TEXTS = ("activities", "results", "next_steps")
#: What the review calls each column (the headings staff wrote in the template)
SHOWN = {
    "meeting_date": "会議日",
    "meeting": "会議名",
    "direction": "取組方向",
    "indicator": "指標",
    "member_field": "委員の分野",
    "opinion": "意見",
    "response": "対応",
    "status": "対応状況",
    "response_updated": "対応の更新日",
    "fy": "年度",
    "activities": "取組状況",
    "results": "成果と課題",
    "next_steps": "今後の方向",
    "written_by": "記入者",
}
#: Words for 「the plan as a whole」 in the 取組方向 column
WHOLE_PLAN = {"", "全体", "計画全体", "計画全体への意見", "全般", "plan"}


class Change(StrEnum):
    NEW = "新規"
    CHANGED = "変更"
    UNCHANGED = "変更なし"


@dataclass(frozen=True)
class Record:
    """One row read from a file: its kind, its stored values, and where it came from."""

    kind: str
    values: dict[str, str]
    file: str
    sheet: str | None
    row: int
    #: the row's 意見番号 as given (matched to a stored opinion), "" when none
    given_id: str = ""


@dataclass
class RecordReview:
    """What an import of accounts and opinions would change; nothing written."""

    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: one row per record: kind, key, change, and the changed columns as 「列: 旧 → 新」
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: files with at least one accounts or opinions sheet
    files: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, int]:
        kinds = self.table["change"] if len(self.table) else pd.Series(dtype=str)
        return {f"記録の{k}": int((kinds == k).sum()) for k in Change}

    @property
    def changed_files(self) -> frozenset[str]:
        """Files with at least one new or changed account or opinion."""
        if not len(self.table):
            return frozenset()
        return frozenset(self.table.loc[self.table["change"] != Change.UNCHANGED, "file"])

    @property
    def changed(self) -> bool:
        return bool(len(self.table)) and bool((self.table["change"] != Change.UNCHANGED).any())


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def _columns(cells: list[str], headers: dict[str, tuple[str, ...]]) -> dict[str, int]:
    keys = [_key(c) for c in cells]
    found: dict[str, int] = {}
    for name, words in headers.items():
        for word in words:
            if word in keys and keys.index(word) not in found.values():
                found[name] = keys.index(word)
                break
    return found


def sheet_kind(sheet: Sheet) -> tuple[str, int, dict[str, int]] | None:
    """Whether a sheet holds opinions or accounts: (kind, heading row index, columns), or None."""
    for i, row in enumerate(sheet.rows[:20]):
        columns = _columns(row, OPINION_HEADERS)
        if "opinion" in columns and "meeting_date" in columns:
            return OPINION, i, columns
        columns = _columns(row, ACCOUNT_HEADERS)
        if any(t in columns for t in ACCOUNT_TEXTS) and "direction" in columns:
            return ACCOUNT, i, columns
    return None


def parse_day(text: str) -> dt.date:
    """A meeting date as offices write it: 2025-08-28, 2025/8/28, 令和7年8月28日, R7.8.28."""
    t = unicodedata.normalize("NFKC", text).strip()
    t = t.removesuffix("T00:00:00").removesuffix(" 00:00:00")
    era = re.fullmatch(r"(令和|R|r)(元|\d{1,2})[年.\-/](\d{1,2})[月.\-/](\d{1,2})日?", t)
    if era:
        year = 2018 + (1 if era.group(2) == "元" else int(era.group(2)))
        return dt.date(year, int(era.group(3)), int(era.group(4)))
    plain = re.fullmatch(r"(\d{4})[年.\-/](\d{1,2})[月.\-/](\d{1,2})日?", t)
    if plain:
        return dt.date(int(plain.group(1)), int(plain.group(2)), int(plain.group(3)))
    raise ValueError(t)


def _direction(text: str, ds: Dataset) -> tuple[str, str] | None:
    """(direction, indicator) from 「3」「取組方向3」「全体」「3-1」 or an indicator's name; None if unknown."""
    t = unicodedata.normalize("NFKC", text).strip()
    if t in WHOLE_PLAN:
        return "", ""
    m = re.fullmatch(r"(?:取組方向|方向)?\s*(\d)(?:\s.*)?", t)
    if m and int(m.group(1)) in set(ds.directions["direction"]):
        return m.group(1), ""
    indicators = ds.indicators
    for ident, info in indicators.iterrows():
        if t in (str(ident), unicodedata.normalize("NFKC", str(info["name_ja"]))):
            return str(int(info["direction"])), str(ident)
    for number, info in ds.directions.iterrows():
        if t in (str(info["name_ja"]), f"{number} {info['name_ja']}"):
            return str(number), ""
    return None


def _text(value: str) -> str:
    """Staff text as written: line breaks kept (Windows ones made plain), ends trimmed."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def read_records(
    paths: list[Path], ds: Dataset, *, max_bytes: int = MAX_BYTES
) -> tuple[list[Record], list[Problem], set[str]]:
    """Every account and opinion row of every file, with every problem found."""
    records: list[Record] = []
    problems: list[Problem] = []
    files: set[str] = set()
    for path in paths:
        sheets, _ = read_file(
            path, max_bytes=max_bytes
        )  # unreadable files: the figure import says why
        for sheet in sheets:
            found = sheet_kind(sheet)
            if found is None:
                continue
            files.add(sheet.file)
            kind, header, columns = found
            required = OPINION_REQUIRED if kind == OPINION else ACCOUNT_REQUIRED
            headers = OPINION_HEADERS if kind == OPINION else ACCOUNT_HEADERS
            missing = [c for c in required if c not in columns]
            if missing:
                problems += [
                    Problem(
                        sheet.file,
                        f"「{headers[m][0]}」の列がありません。",
                        "見出しの行に "
                        + "、".join(headers[c][0] for c in required)
                        + " を入れてください。",
                        row=header + sheet.first_row,
                        sheet=sheet.name,
                    )
                    for m in missing
                ]
                continue
            heads = sheet.rows[header]
            for offset, row in enumerate(sheet.rows[header + 1 :], start=header + 2):
                line = _Row(sheet, columns, heads, row, offset + sheet.first_row - 1, problems)
                values = (_opinion if kind == OPINION else _account)(line, ds)
                if values is not None:
                    given = _text(line.cell("id")) if kind == OPINION else ""
                    records.append(Record(kind, values, sheet.file, sheet.name, line.number, given))
    return records, problems, files


@dataclass(frozen=True)
class _Row:
    """One row of a sheet: its cells by column key, and where its problems go."""

    sheet: Sheet
    columns: dict[str, int]
    heads: list[str]
    cells: list[str]
    number: int
    problems: list[Problem]

    def cell(self, name: str) -> str:
        i = self.columns.get(name)
        return self.cells[i] if i is not None and i < len(self.cells) else ""

    def bad(self, name: str, reason: str, hint: str) -> None:
        column = self.heads[self.columns[name]].strip() if name in self.columns else SHOWN[name]
        self.problems.append(
            Problem(
                self.sheet.file,
                reason,
                hint,
                row=self.number,
                column=column,
                value=self.cell(name),
                sheet=self.sheet.name,
            )
        )


def _opinion(line: _Row, ds: Dataset) -> dict[str, str] | None:
    cell, bad = line.cell, line.bad
    texts = {name: _text(cell(name)) for name in OPINION_HEADERS}
    filled = {k for k, v in texts.items() if v and k not in ("direction",)}
    if not filled - {"id"}:
        return None  # an empty row (the template's blank lines), even with its 取組方向
    ok = True
    try:
        texts["meeting_date"] = parse_day(texts["meeting_date"]).isoformat()
    except ValueError:
        bad(
            "meeting_date",
            "会議日が日付として読めません。",
            "2025-08-28 や 令和7年8月28日 のように入力してください。",
        )
        ok = False
    if not texts["meeting"]:
        bad("meeting", "会議名が空です。", "「令和7年度第1回」のように入力してください。")
        ok = False
    ok = _opinion_target(line, texts, ds) and ok
    if not texts["opinion"]:
        bad("opinion", "意見が空です。", "委員の意見を入力してください。")
        ok = False
    if texts["response_updated"]:
        try:
            texts["response_updated"] = parse_day(texts["response_updated"]).isoformat()
        except ValueError:
            bad(
                "response_updated",
                "日付として読めません。",
                "2025-10-15 のように入力するか、空欄にしてください（保存した日になります）。",
            )
            ok = False
    return texts if ok else None


def _opinion_target(line: _Row, texts: dict[str, str], ds: Dataset) -> bool:
    """Set the opinion's direction and indicator from either column (an indicator names its
    direction); whether they were readable and agree."""
    target = _direction(texts["direction"], ds)
    if target is None:
        line.bad(
            "direction",
            "取組方向が読み取れません。",
            "1〜6 の番号、指標の番号（例: 3-1）、または計画全体への意見なら「全体」と入力してください。",
        )
        return False
    texts["direction"], indicator = target
    if texts["indicator"]:
        again = _direction(texts["indicator"], ds)
        if again is None or not again[1]:
            line.bad(
                "indicator",
                "指標が見つかりません。",
                "指標の番号（例: 3-1）を入力してください。",
            )
            return False
        if texts["direction"] and again[0] != texts["direction"]:
            line.bad(
                "indicator",
                "指標の取組方向と「取組方向」の列が違います。",
                "どちらかを直してください。",
            )
            return False
        texts["direction"], indicator = again
    texts["indicator"] = indicator
    return True


def _account(line: _Row, ds: Dataset) -> dict[str, str] | None:
    cell, bad = line.cell, line.bad
    texts = {name: _text(cell(name)) for name in ACCOUNT_HEADERS}
    if not any(texts[t] for t in ACCOUNT_TEXTS):
        return None  # nothing written for this direction yet
    ok = True
    target = _direction(texts["direction"], ds)
    if target is None or not target[0] or target[1]:
        bad("direction", "取組方向が読み取れません。", "1〜6 の番号を入力してください。")
        ok = False
    else:
        texts["direction"] = target[0]
    try:
        texts["fy"] = str(parse_fy(texts["fy"]))
    except FiscalYearError as error:
        bad("fy", str(error), "「令和6年度」「R6」「2024」のように入力してください。")
        ok = False
    return texts if ok else None


def _stored_opinions(ds: Dataset) -> dict[str, dict[str, str]]:
    return {
        str(r["id"]): {k: _shown(v) for k, v in r.items()} for r in ds.opinions.to_dict("records")
    }


def _stored_accounts(ds: Dataset) -> dict[tuple[str, str], dict[str, str]]:
    """The stored accounts as text, by (direction, fiscal year)."""
    return {
        (_shown(r["direction"]), _shown(r["fy"])): {k: _shown(v) for k, v in r.items()}
        for r in ds.accounts.to_dict("records")
    }


def _shown(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _opinion_match(ds: Dataset) -> dict[tuple[str, str, str], str]:
    return {
        (_shown(r["meeting_date"]), _shown(r["direction"]), _key(str(r["opinion"]))): str(r["id"])
        for r in ds.opinions.to_dict("records")
    }


def record_review(paths: list[Path], ds: Dataset, *, max_bytes: int = MAX_BYTES) -> RecordReview:
    """Read the files' accounts and opinions and compare them with the stored ones."""
    records, problems, files = read_records(paths, ds, max_bytes=max_bytes)
    stored = _stored_opinions(ds)
    match = _opinion_match(ds)
    accounts = _stored_accounts(ds)
    rows = []
    seen: dict[tuple[str, ...], Record] = {}
    for r in records:
        v = r.values
        if r.kind == OPINION:
            if r.given_id and r.given_id not in stored:
                problems.append(
                    Problem(r.file, "意見番号が見つかりません。", "新しい意見なら意見番号を空欄にしてください。",
                            row=r.row, column="意見番号", value=r.given_id, sheet=r.sheet)
                )  # fmt: skip
                continue
            ident = r.given_id or match.get(
                (v["meeting_date"], v["direction"], _key(v["opinion"])), ""
            )
            key: tuple[str, ...] = (
                OPINION,
                ident or f"{v['meeting_date']}|{v['direction']}|{_key(v['opinion'])}",
            )
            old = stored.get(ident)
            columns = [c for c in OPINION_HEADERS if c != "id"]
            label = f"{v['meeting']} {format_direction(v['direction'], v['indicator'])}"
        else:
            key = (ACCOUNT, v["direction"], v["fy"])
            old = accounts.get((v["direction"], v["fy"]))
            columns = [*ACCOUNT_TEXTS, "written_by"]
            label = f"{format_direction(v['direction'], '')} {format_fy(int(v['fy']))}"
        if key in seen:
            first = seen[key]
            problems.append(
                Problem(r.file, f"同じ{'意見' if r.kind == OPINION else '取組方向・年度の報告'}が2回あります（{first.file} {first.row}行目と同じ）。",
                        "どちらか一方を削除してください。", row=r.row, sheet=r.sheet)
            )  # fmt: skip
            continue
        seen[key] = r
        change, detail = _compared(v, old, columns)
        rows.append(
            {
                "record": "委員会意見" if r.kind == OPINION else "取組の報告",
                "what": label,
                "change": change,
                "detail": detail,
                "file": r.file,
                "row": r.row,
            }
        )
    table = pd.DataFrame(rows, columns=["record", "what", "change", "detail", "file", "row"])
    return RecordReview(records, problems, table, files)


def _compared(
    new: dict[str, str], old: dict[str, str] | None, columns: list[str]
) -> tuple[Change, str]:
    """New, changed or unchanged, and each changed column as 「見出し: old → new」 (a blank cell
    keeps what is stored, so it is no change)."""
    if old is None:
        return Change.NEW, ""
    diffs = [
        f"{SHOWN[c]}: {old.get(c, '') or '（空欄）'} → {new[c]}"
        for c in columns
        if new.get(c) and new[c] != old.get(c, "")
    ]
    return (Change.CHANGED if diffs else Change.UNCHANGED), "\n".join(diffs)


def format_direction(direction: str, indicator: str) -> str:
    if not direction:
        return "計画全体"
    return f"取組方向{direction}" + (f"（指標 {indicator}）" if indicator else "")


def record_review_text(result: RecordReview) -> str:
    """The review as staff read it in a terminal."""
    if not len(result.table):
        return ""
    counts = result.table["change"].value_counts()
    lines = [
        "取組の報告・委員会意見: " + "、".join(f"{c} {int(counts.get(c, 0))} 件" for c in Change)
    ]
    for row in result.table.itertuples():
        if row.change == Change.UNCHANGED:
            continue
        lines.append(f"- {row.change} {row.record} {row.what}（{row.file} {row.row}行目）")
        lines += [f"    {line}" for line in str(row.detail).splitlines()]
    return "\n".join(lines)


def record_review_html(result: RecordReview) -> str:
    """The review as an HTML fragment for the staff page (staff text escaped, line breaks kept)."""
    words = record_review_text(result)
    if not words:
        return ""
    return (
        '<div class="mb"><pre style="white-space:pre-wrap;font-family:inherit">'
        + html.escape(words)
        + "</pre></div>"
    )


class _RecordEdit:
    """The stored accounts and opinions being edited and the change record of every edit: each
    changed cell goes through :meth:`note`, so none escapes ``record_changes.csv``."""

    def __init__(self, ds: Dataset, *, by: str, now: dt.datetime) -> None:
        self.by = by
        self.today = now.astimezone(clock.TOKYO).date().isoformat()
        self.stamp = clock.stamp(now)
        self.changes: list[dict[str, object]] = []
        self.opinions = {k: dict(v) for k, v in _stored_opinions(ds).items()}
        self.match = _opinion_match(ds)
        self.accounts = _stored_accounts(ds)

    def note(self, r: Record, kind: str, key: str, column: str, old: str, new: str) -> None:
        self.changes.append(
            {"changed_at": self.stamp, "by": self.by, "file": r.file, "record": kind, "key": key,
             "column": column, "old": old, "new": new}
        )  # fmt: skip

    def opinion(self, r: Record) -> None:
        """Put one opinion: matched by its id, else by meeting, direction and wording; a new one
        is numbered after its meeting date. A changed response updates its date."""
        v = r.values
        ident = r.given_id or self.match.get(
            (v["meeting_date"], v["direction"], _key(v["opinion"])), ""
        )
        if not ident:
            ident = self._new_opinion(v)
        row = self.opinions[ident]
        answered = False
        for c in OPINION_HEADERS:
            if (
                c in ("id", "response_updated")
                or not v.get(c)
                and c not in ("direction", "indicator")
            ):
                continue
            if c in ("direction", "indicator") and not v[c] and row.get("opinion"):
                continue  # an existing opinion keeps its subject when the cell is blank
            if v[c] != row.get(c, ""):
                self.note(r, OPINION, ident, c, row.get(c, ""), v[c])
                answered |= c in ("response", "status")
                row[c] = v[c]
        if answered or (
            v.get("response_updated") and v["response_updated"] != row["response_updated"]
        ):
            row["response_updated"] = v.get("response_updated") or self.today
        if any(ch["key"] == ident for ch in self.changes):
            row["sample"] = "false"

    def _new_opinion(self, v: dict[str, str]) -> str:
        n = 1
        while f"{v['meeting_date']}-{n:02d}" in self.opinions:
            n += 1
        ident = f"{v['meeting_date']}-{n:02d}"
        self.opinions[ident] = {c.name: "" for c in OPINIONS.columns} | {
            "id": ident,
            "sample": "false",
        }
        self.match[(v["meeting_date"], v["direction"], _key(v["opinion"]))] = ident
        return ident

    def account(self, r: Record) -> None:
        """Put one direction's account of a year; an edited one is dated and signed."""
        v = r.values
        row = self.accounts.setdefault(
            (v["direction"], v["fy"]),
            {c.name: "" for c in ACCOUNTS.columns}
            | {"direction": v["direction"], "fy": v["fy"], "sample": "false"},
        )
        edited = False
        for c in (*ACCOUNT_TEXTS, "written_by"):
            if v.get(c) and v[c] != row.get(c, ""):
                self.note(r, ACCOUNT, f"{v['direction']}|{v['fy']}", c, row.get(c, ""), v[c])
                row[c] = v[c]
                edited = True
        if edited:
            row["written"] = self.today
            row["written_by"] = v.get("written_by") or self.by
            row["sample"] = "false"


def record_files(
    ds: Dataset, result: RecordReview, *, by: str, now: dt.datetime
) -> dict[str, bytes]:
    """The new ``accounts.csv``, ``opinions.csv`` and ``record_changes.csv`` bytes."""
    edit = _RecordEdit(ds, by=by, now=now)
    for r in result.records:
        if r.kind == OPINION:
            edit.opinion(r)
        else:
            edit.account(r)
    touched = {r.kind for r in result.records}
    files: dict[str, bytes] = {}
    if OPINION in touched:
        ordered = sorted(edit.opinions.values(), key=lambda o: (o["meeting_date"], o["id"]))
        files[OPINIONS.filename] = _csv([c.name for c in OPINIONS.columns], ordered)
    if ACCOUNT in touched:
        ordered = sorted(edit.accounts.values(), key=lambda a: (int(a["direction"]), int(a["fy"])))
        files[ACCOUNTS.filename] = _csv([c.name for c in ACCOUNTS.columns], ordered)
    files["record_changes.csv"] = appended_rows(
        ds.directory, "record_changes.csv", RECORD_CHANGE_COLUMNS, edit.changes
    )
    return files


def _csv(columns: list[str], rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")
