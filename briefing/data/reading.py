"""Read the files staff bring (CSV in CP932 or UTF-8 with BOM, Excel workbooks) into plain rows.

Everything is read as text with its file, sheet and row number kept, so every later problem can be
reported where the staff member will look for it. Nothing here knows about indicators.
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from .problems import Problem

#: Far beyond any real submission (a year's template is about 600 rows; ten years of every series
#: and town under 6,000) and beyond what is worth holding in memory: such files are refused before
#: they are read. A sheet of 300,000 pasted rows is still read, checked and answered in seconds.
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 500_000
#: Distinct rows remembered while sharing repeats (memory stays bounded for any file)
_DISTINCT_ROWS = 100_000
ENCODINGS = ("utf-8-sig", "cp932")


@dataclass(frozen=True)
class Sheet:
    """One table of text cells; ``rows[i]`` is spreadsheet row ``first_row + i``."""

    file: str
    name: str | None
    rows: list[list[str]]
    first_row: int = 1


def read_file(path: Path, *, max_bytes: int = MAX_BYTES) -> tuple[list[Sheet], list[Problem]]:
    """The sheets of a CSV or Excel file, or the reason it cannot be read (in Japanese)."""
    name = path.name
    if not path.is_file():
        return [], [
            Problem(name, "ファイルが見つかりません。", "ファイルの場所と名前を確認してください。")
        ]
    size = path.stat().st_size
    if size == 0:
        return [], [
            Problem(name, "ファイルが空です。", "数値を入力したファイルを指定してください。")
        ]
    if size > max_bytes:
        return [], [
            Problem(
                name,
                f"ファイルが大きすぎます（{_size(size)}、上限 {_size(max_bytes)}）。",
                "実際の報告は大きくても数百 KB です。貼り付けの誤りがないか確かめ、1年度分の数値だけのファイルにしてください。",
            )
        ]
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        return _read_excel(name, data)
    if suffix == ".xls" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return [], [
            Problem(
                name,
                "古い Excel 形式（.xls）は読めません。",
                "Excel で「Excel ブック（*.xlsx）」として保存し直してください。",
            )
        ]
    if suffix not in (".csv", ".txt", ".tsv"):
        return [], [
            Problem(
                name,
                f"CSV でも Excel（.xlsx）でもないファイルです（拡張子 {suffix or 'なし'}）。",
                "テンプレート（briefing template）に入力した .xlsx か、CSV を指定してください。",
            )
        ]
    return _read_csv(name, data)


def _too_many_rows(name: str, rows: int, *, sheet: str | None = None) -> Problem:
    return Problem(
        name,
        f"行が多すぎます（{rows:,} 行以上、上限 {MAX_ROWS:,} 行）。",
        "実際の報告は多くても数千行です。貼り付けの誤りがないか確かめ、1年度分の数値だけのファイルにしてください。",
        sheet=sheet,
    )


def _size(n: int) -> str:
    """A file size as staff read it: 20 MB, 1.5 MB, 12 KB, 300 バイト."""
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:,.1f}".removesuffix(".0") + " MB"
    if n >= 1024:
        return f"{n / 1024:,.1f}".removesuffix(".0") + " KB"
    return f"{n:,} バイト"


def _read_csv(name: str, data: bytes) -> tuple[list[Sheet], list[Problem]]:
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    if lines > MAX_ROWS:
        return [], [_too_many_rows(name, lines)]
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return [], [
            Problem(
                name,
                "文字コードを判別できません（UTF-8 でも Shift_JIS（CP932）でもありません）。",
                "Excel で「CSV UTF-8（コンマ区切り）」または「CSV（コンマ区切り）」として保存し直してください。",
            )
        ]
    if "\x00" in text:
        return [], [
            Problem(
                name,
                "CSV ではないファイルです（バイナリデータを含みます）。",
                "CSV か .xlsx を指定してください。",
            )
        ]
    dialect = "excel-tab" if text.count("\t") > text.count(",") else "excel"
    rows = _share_repeats(csv.reader(io.StringIO(text), dialect=dialect))
    return [Sheet(name, None, rows)], []


def _share_repeats(rows: Iterable[list[str]]) -> list[list[str]]:
    """The rows, identical ones as one list: a pasted sheet repeats one line thousands of times,
    and the checks look at each distinct row once (``importer``)."""
    seen: dict[tuple[str, ...], list[str]] = {}
    shared = []
    for row in rows:
        key = tuple(row)
        known = seen.get(key)
        if known is None and len(seen) < _DISTINCT_ROWS:
            seen[key] = known = row
        shared.append(known if known is not None else row)
    return shared


def _read_excel(name: str, data: bytes) -> tuple[list[Sheet], list[Problem]]:
    """Every sheet's cells as text.

    Values come from calamine (Rust): openpyxl took 221 s and 1.3 GiB for a sheet of 300,000
    pasted rows. What calamine does not tell — which cells are formatted as percent, which hold a
    formula saved without its result — is read from the sheet's XML (``_XlsxDetails``).
    """
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        details = _XlsxDetails(data)
        for sheet_name, declared in details.declared_rows.items():
            if declared > MAX_ROWS:  # the size the sheet declares: refused before reading its cells
                return [], [_too_many_rows(name, declared, sheet=sheet_name)]
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets, problems = [], []
        for sheet_name in book.sheet_names:
            rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            if len(rows) > MAX_ROWS:  # a sheet that declares no size
                return [], [_too_many_rows(name, len(rows), sheet=sheet_name)]
            percent = details.percent_cells(sheet_name)
            for r, row in enumerate(rows, start=1):  # to text in place: one copy in memory
                for c, value in enumerate(row, start=1):
                    if (
                        (r, c) in percent
                        and isinstance(value, int | float)
                        and not isinstance(value, bool)
                    ):
                        value = round(value * 100, 10)  # a cell shown as 72.9% holds 0.729
                    row[c - 1] = _cell_text(value)
            text_rows = _share_repeats(cast(list[list[str]], rows))
            del rows
            for r, c, formula in details.formulas_without_result(sheet_name):
                problems.append(
                    Problem(
                        name,
                        "数式の計算結果が保存されていません。",
                        "Excel で開いて保存し直してください（計算結果が保存されます）。",
                        row=r,
                        column=_column_letter(c),
                        value=formula,
                        sheet=sheet_name,
                    )
                )
            sheets.append(Sheet(name, sheet_name, text_rows))
    except (CalamineError, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        return [], [
            Problem(
                name,
                f"Excel ファイルとして読めません（{type(error).__name__}）。",
                "Excel で開けるか確認し、.xlsx で保存し直してください。",
            )
        ]
    return sheets, problems


_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}
#: Excel's built-in percent formats (0%, 0.00%)
_PERCENT_FORMATS = {9, 10}
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]*\d*:?[A-Z]*(\d+)"')
_FORMULA_TAG = re.compile(rb"<f[ >/]")
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_FORMULA_ONLY = re.compile(
    rb"<c\b([^>]*)>\s*<f\b[^>]*?(?:/>|>([^<]*)</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>"
)


class _XlsxDetails:
    """What the workbook's XML says beyond the values: sheet files, sizes, percent styles."""

    def __init__(self, data: bytes) -> None:
        import xml.etree.ElementTree as ET

        self.archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(self.archive.namelist())
        book = ET.fromstring(self.archive.read("xl/workbook.xml"))
        rels = ET.fromstring(self.archive.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("p:Relationship", _NS)}
        self.files: dict[str, str] = {}
        for sheet in book.iterfind("m:sheets/m:sheet", _NS):
            target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            if path in names:
                self.files[sheet.get("name", "")] = path
        self.percent_styles: set[bytes] = set()
        if "xl/styles.xml" in names:
            styles = ET.fromstring(self.archive.read("xl/styles.xml"))
            percent = set(_PERCENT_FORMATS)
            for fmt in styles.iterfind("m:numFmts/m:numFmt", _NS):
                if "%" in fmt.get("formatCode", ""):
                    percent.add(int(fmt.get("numFmtId", "-1")))
            for index, xf in enumerate(styles.iterfind("m:cellXfs/m:xf", _NS)):
                if int(xf.get("numFmtId", "0")) in percent:
                    self.percent_styles.add(str(index).encode())

    @property
    def declared_rows(self) -> dict[str, int]:
        """Rows each sheet declares (its ``<dimension>``, read from the start of its XML)."""
        declared = {}
        for sheet, path in self.files.items():
            with self.archive.open(path) as xml:
                found = _DIMENSION.search(xml.read(4096))
            if found:
                declared[sheet] = int(found.group(1))
        return declared

    def _has_formula(self, sheet: str) -> bool:
        """Whether the sheet holds any ``<f>`` element (streamed: a long sheet's XML is ~100 MB)."""
        if sheet not in self.files:
            return False
        with self.archive.open(self.files[sheet]) as xml:
            tail = b""
            while chunk := xml.read(1 << 22):
                if _FORMULA_TAG.search(chunk) or _FORMULA_TAG.search(tail + chunk[:3]):
                    return True
                tail = chunk[-3:]
        return False

    def _xml(self, sheet: str) -> bytes:
        return self.archive.read(self.files[sheet]) if sheet in self.files else b""

    def percent_cells(self, sheet: str) -> set[tuple[int, int]]:
        """(row, column) of the cells formatted as percent."""
        if not self.percent_styles:
            return set()
        styles = b"|".join(re.escape(s) for s in self.percent_styles)
        pattern = re.compile(rb'<c\b[^>]*?\bs="(?:' + styles + rb')"[^>]*>')
        cells = set()
        for tag in pattern.finditer(self._xml(sheet)):
            ref = _REF.search(tag.group(0))
            if ref:
                cells.add((int(ref.group(2)), _column_number(ref.group(1).decode())))
        return cells

    def formulas_without_result(self, sheet: str) -> list[tuple[int, int, str]]:
        """(row, column, formula) of formula cells saved without their result."""
        if not self._has_formula(sheet):
            return []
        xml = self._xml(sheet)
        found = []
        for cell in _FORMULA_ONLY.finditer(xml):
            ref = _REF.search(cell.group(1))
            if ref:
                formula = html.unescape((cell.group(2) or b"").decode("utf-8"))
                found.append(
                    (int(ref.group(2)), _column_number(ref.group(1).decode()), f"={formula}")
                )
        return found


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[no-any-return]
    return str(value)
