"""Read the files staff bring (CSV in CP932 or UTF-8 with BOM, Excel workbooks) into plain rows.

Everything is read as text with its file, sheet and row number kept, so every later problem can be
reported where the staff member will look for it. Nothing here knows about indicators.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .problems import Problem

MAX_BYTES = 20 * 1024 * 1024
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
                "1年度分の数値だけのファイルに分けてください。",
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


def _size(n: int) -> str:
    """A file size as staff read it: 20 MB, 1.5 MB, 12 KB, 300 バイト."""
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:,.1f}".removesuffix(".0") + " MB"
    if n >= 1024:
        return f"{n / 1024:,.1f}".removesuffix(".0") + " KB"
    return f"{n:,} バイト"


def _read_csv(name: str, data: bytes) -> tuple[list[Sheet], list[Problem]]:
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
    rows = [list(r) for r in csv.reader(io.StringIO(text), dialect=dialect)]
    return [Sheet(name, None, rows)], []


def _read_excel(name: str, data: bytes) -> tuple[list[Sheet], list[Problem]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False)
        formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False, read_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        return [], [
            Problem(
                name,
                f"Excel ファイルとして読めません（{type(error).__name__}）。",
                "Excel で開けるか確認し、.xlsx で保存し直してください。",
            )
        ]
    sheets, problems = [], []
    for sheet in book.worksheets:
        raw = formulas[sheet.title]
        rows: list[list[str]] = []
        for r, row in enumerate(sheet.iter_rows(), start=1):
            cells = []
            for c, cell in enumerate(row, start=1):
                value = cell.value
                if (
                    value is None
                    and isinstance(raw.cell(r, c).value, str)
                    and str(raw.cell(r, c).value).startswith("=")
                ):
                    problems.append(
                        Problem(
                            name,
                            "数式の計算結果が保存されていません。",
                            "Excel で開いて保存し直してください（計算結果が保存されます）。",
                            row=r,
                            column=cell.column_letter,
                            value=str(raw.cell(r, c).value),
                            sheet=sheet.title,
                        )
                    )
                if (
                    isinstance(value, int | float)
                    and not isinstance(value, bool)
                    and "%" in (cell.number_format or "")
                ):
                    value = round(value * 100, 10)  # a cell shown as 72.9% holds 0.729
                cells.append(_cell_text(value))
            rows.append(cells)
        sheets.append(Sheet(name, sheet.title, rows))
    return sheets, problems


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[no-any-return]
    return str(value)
