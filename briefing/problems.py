"""Problems found in a data or input file, reported in Japanese with where and what to do."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one place. ``row`` counts as a spreadsheet does (header = row 1)."""

    file: str
    reason: str
    hint: str = ""
    row: int | None = None
    column: str | None = None
    value: str | None = None
    sheet: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"シート「{self.sheet}」")
        if self.row is not None:
            where.append(f"{self.row}行目")
        if self.column:
            where.append(f"「{self.column}」列")
        text = " ".join(where) + ": "
        if self.value is not None:
            text += f"値「{self.value}」: "
        text += self.reason
        if self.hint:
            text += f" → {self.hint}"
        return text


class DataError(Exception):
    """Raised with every problem found, not only the first, so staff can fix a file in one pass."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__(self.report())

    def report(self, limit: int = 50) -> str:
        """All problems as Japanese lines, at most ``limit`` of them plus a count of the rest."""
        lines = [f"データに {len(self.problems)} 件の問題があります。"]
        lines += [f"- {p}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"- ほか {len(self.problems) - limit} 件")
        return "\n".join(lines)
