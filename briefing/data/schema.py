"""Column schemas of the data files and the per-cell checks that turn text into typed tables.

Each file is read as text and every cell is checked, so a broken value is reported with its row and
column instead of surfacing later as a pandas error or a wrong chart.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .fiscal import MAX_FY, MIN_FY, FiscalYearError, parse_fy
from .problems import Problem

Parser = Callable[[str], object]


class CellError(ValueError):
    """A cell that does not fit its column; ``hint`` says what to write instead."""

    def __init__(self, reason: str, hint: str):
        super().__init__(reason)
        self.reason, self.hint = reason, hint


def text(value: str) -> str:
    return value


def integer(value: str) -> int:
    try:
        number = float(value)
    except ValueError:
        raise CellError("整数ではありません。", "半角数字の整数を入力してください。") from None
    if not number.is_integer():
        raise CellError("整数ではありません。", "小数点のない整数を入力してください。")
    return int(number)


def plain_number(value: object) -> str:
    """A number as the data files and messages write it: 410, 72.9 (the inverse of ``number``)."""
    v = float(value)  # type: ignore[arg-type]
    return str(int(v)) if v.is_integer() else str(v)


def number(value: str) -> float:
    try:
        result = float(value)
    except ValueError:
        raise CellError(
            "数値ではありません。", "半角数字で入力してください（例: 4521、72.9）。"
        ) from None
    if math.isnan(result) or math.isinf(result):
        raise CellError("数値ではありません。", "半角数字で入力してください（例: 4521、72.9）。")
    return result


def boolean(value: str) -> bool:
    if value in ("true", "false"):
        return value == "true"
    raise CellError("true / false ではありません。", "true か false を入力してください。")


def date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CellError(
            "日付ではありません。", "YYYY-MM-DD の形で入力してください（例: 2026-03-31）。"
        ) from None


def fiscal_year(value: str) -> int:
    if len(value) == 4 and value.isascii() and value.isdigit() and MIN_FY <= int(value) <= MAX_FY:
        return int(value)  # the stored form: skip the full parser (thousands of cells per file)
    try:
        return parse_fy(value)
    except FiscalYearError as error:
        raise CellError(str(error), "西暦の年度（例: 2024）で入力してください。") from None


def one_of(*choices: str) -> Parser:
    def check(value: str) -> str:
        if value not in choices:
            raise CellError(
                "使えない値です。", "次のいずれかを入力してください: " + "、".join(choices)
            )
        return value

    return check


@dataclass(frozen=True)
class Column:
    name: str
    parse: Parser = text
    required: bool = True
    #: False for a column added later: a file written before it existed has no such column and
    #: reads as if every cell of it were empty
    in_every_file: bool = True


@dataclass(frozen=True)
class FileSchema:
    """A data file: its name, its columns in order, and the columns that make a row unique."""

    filename: str
    columns: Sequence[Column]
    key: Sequence[str]


KINDS = ("count", "share", "stock", "milestone")
STATUSES = ("確定", "速報")
#: The resident and agency surveys' answer scale; the first two count as agreeing.
ANSWERS = (
    "そう思う",
    "どちらかといえばそう思う",
    "どちらかといえばそう思わない",
    "そう思わない",
    "わからない",
)
AGREEING = ANSWERS[:2]

DIRECTIONS = FileSchema(
    "directions.csv",
    [Column("direction", integer), Column("name_ja"), Column("name_en")],
    key=["direction"],
)
CATALOG = FileSchema(
    "catalog.csv",
    [
        Column("id"),
        Column("type", one_of("goal", "indicator")),
        Column("direction", integer, required=False),
        Column("name_ja"),
        Column("name_en"),
        Column("kind", one_of(*KINDS)),
        Column("counting", one_of("延べ", "実"), required=False),
        Column("unit_ja", required=False),
        Column("unit_en", required=False),
        Column("breakdown", one_of("none", "municipality")),
        Column("agency"),
        Column("agency_en", required=False),
        Column("target_value", number, required=False),
        Column("target_fy", fiscal_year, required=False),
        Column("note", required=False),
        Column("note_en", required=False),
    ],
    key=["id"],
)
SERIES = FileSchema(
    "series.csv",
    [
        Column("series"),
        Column("indicator"),
        Column("label_ja", required=False),
        Column("label_en", required=False),
        Column("unit_ja", required=False),
        Column("unit_en", required=False),
        Column("baseline_value", number, required=False),
        Column("baseline_fy", fiscal_year, required=False),
    ],
    key=["series"],
)
AREAS = FileSchema(
    "areas.csv",
    [
        Column("code"),
        Column("level", one_of("prefecture", "region", "municipality")),
        Column("name_ja"),
        Column("name_en"),
        Column("kana", required=False),
        Column("region", required=False),
    ],
    key=["code"],
)
HISTORY = FileSchema(
    "history.csv",
    [
        Column("series"),
        Column("fy", fiscal_year),
        Column("area"),
        Column("value", number),
        Column("status", one_of(*STATUSES)),
        Column("sample", boolean),
        Column("comment", required=False),
        Column("source", required=False),
        Column("updated", date),
    ],
    key=["series", "fy", "area"],
)
SURVEYS = FileSchema(
    "surveys.csv",
    [
        Column("survey", one_of("G1", "G2")),
        Column("fy", fiscal_year),
        Column("region"),
        Column("group"),
        Column("answer", one_of(*ANSWERS)),
        Column("respondents", integer),
        Column("sample", boolean),
        # weighted surveys only (empty, or no such columns, when unweighted): Σw and Σw² of the
        # respondents who gave this answer, so weighted shares and Kish's effective n add up
        Column("weighted", number, required=False, in_every_file=False),
        Column("weighted_sq", number, required=False, in_every_file=False),
    ],
    key=["survey", "fy", "region", "group", "answer"],
)
PLAN = FileSchema(
    "plan.csv",
    [
        Column("name_ja"),
        Column("name_en"),
        Column("fy_from", fiscal_year),
        Column("fy_to", fiscal_year),
        Column("adopted", required=False),
    ],
    key=["name_ja"],
)
ALL = (DIRECTIONS, CATALOG, SERIES, AREAS, HISTORY, SURVEYS, PLAN)

#: The prefecture's account of each action direction and fiscal year (what was done, what it
#: achieved and what remains hard, next steps), with who wrote it and when.
ACCOUNTS = FileSchema(
    "accounts.csv",
    [
        Column("direction", integer),
        Column("fy", fiscal_year),
        Column("activities", required=False),
        Column("results", required=False),
        Column("next_steps", required=False),
        Column("written_by", required=False),
        Column("written", date),
        Column("sample", boolean),
    ],
    key=["direction", "fy"],
)
#: The committee's opinions and the prefecture's responses. A member is named by field only;
#: the response status is words staff choose (対応済・対応中…), never a score.
OPINIONS = FileSchema(
    "opinions.csv",
    [
        Column("id"),
        Column("meeting_date", date),
        Column("meeting"),
        Column("direction", integer, required=False),
        Column("indicator", required=False),
        Column("member_field", required=False),
        Column("opinion"),
        Column("response", required=False),
        Column("status", required=False),
        Column("response_updated", date, required=False),
        Column("sample", boolean),
    ],
    key=["id"],
)
#: Files that may be absent: older data folders have none and still load (as empty tables).
RECORDS = (ACCOUNTS, OPINIONS)


def read_table(directory: Path, schema: FileSchema) -> tuple[pd.DataFrame, list[Problem]]:
    """Read ``schema.filename`` as UTF-8 text and return the typed table and every problem in it.

    Rows keep their file row number in the ``file_row`` column so later checks can point at them.
    """
    name = schema.filename
    raw, unreadable = _read_text_table(directory / name)
    if raw is None:
        return _empty(schema), unreadable
    raw = _without_blank_rows(raw)
    for column in schema.columns:
        if not column.in_every_file and column.name not in raw.columns:
            raw[column.name] = ""
    missing = [c.name for c in schema.columns if c.name not in raw.columns]
    if missing:
        hint = "1行目の見出しを確認してください: " + "、".join(c.name for c in schema.columns)
        return _empty(schema), [
            Problem(name, f"列「{m}」がありません。", hint, row=1) for m in missing
        ]
    problems: list[Problem] = []
    rows = raw.index.tolist()
    typed = {
        column.name: _parsed_column(name, column, rows, raw[column.name].tolist(), problems)
        for column in schema.columns
    }
    table = pd.DataFrame(typed)
    table["file_row"] = [i + 2 for i in rows]
    return table, problems + _duplicate_keys(name, schema, table)


def _read_text_table(path: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Every cell as text, or ``None`` and why the file cannot be read at all."""
    name = path.name
    if not path.exists():
        return None, [Problem(name, "ファイルがありません。", "データフォルダを確認してください。")]
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8"), []
    except UnicodeDecodeError:
        hint = "UTF-8 で保存し直してください（Excel なら「CSV UTF-8」）。"
        return None, [Problem(name, "UTF-8 として読めません。", hint)]
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        return None, [
            Problem(
                name, f"CSV として読めません（{error}）。", "列の数と区切りを確認してください。"
            )
        ]


def _without_blank_rows(raw: pd.DataFrame) -> pd.DataFrame:
    """Without Excel's trailing ",,,," rows (only a row whose first cell is blank can be blank
    throughout, so only those are looked at)."""
    maybe = raw.index[raw.iloc[:, 0].str.strip() == ""] if len(raw.columns) else raw.index
    if maybe.empty:
        return raw
    blank = maybe[(raw.loc[maybe].apply(lambda col: col.str.strip()) == "").all(axis=1)]
    return raw.drop(index=blank)


def _parsed_column(
    name: str, column: Column, rows: list[int], cells: list[str], problems: list[Problem]
) -> list[object]:
    """One column's typed values (``None`` where blank or wrong); each problem goes to
    ``problems`` with its file row. A column repeats few values (years, areas, statuses), so each
    text is parsed once."""
    values: list[object] = []
    parsed: dict[str, object] = {}
    for index, cell in zip(rows, cells, strict=True):
        cell = cell.strip()
        if cell in parsed:
            values.append(parsed[cell])
            continue
        if cell == "":
            if column.required:
                problems.append(
                    Problem(
                        name,
                        "値が空です。",
                        "値を入力してください。",
                        row=index + 2,
                        column=column.name,
                    )
                )
            values.append(None)
            continue
        try:
            values.append(parsed.setdefault(cell, column.parse(cell)))
        except CellError as error:
            problems.append(
                Problem(
                    name,
                    error.reason,
                    error.hint,
                    row=index + 2,
                    column=column.name,
                    value=cell,
                )
            )
            values.append(None)
    return values


def _duplicate_keys(name: str, schema: FileSchema, table: pd.DataFrame) -> list[Problem]:
    """A row whose key (fully given) an earlier row already has."""
    key_columns = list(schema.key)
    duplicated = table.duplicated(key_columns, keep="first") & table[key_columns].notna().all(
        axis=1
    )
    if not duplicated.any():
        return []
    problems = []
    for _, row in table[duplicated].iterrows():
        key = "・".join(str(row[k]) for k in schema.key)
        problems.append(
            Problem(
                name,
                f"同じキー（{'・'.join(schema.key)} = {key}）の行がすでにあります。",
                "重複している行のどちらかを削除してください。",
                row=int(row["file_row"]),
            )
        )
    return problems


def _empty(schema: FileSchema) -> pd.DataFrame:
    return pd.DataFrame(
        {c.name: pd.Series(dtype=object) for c in schema.columns} | {"file_row": []}
    )
