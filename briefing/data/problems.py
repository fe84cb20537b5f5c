"""Problems found in a data or input file, reported in Japanese with where and what to do."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

#: Problems of one kind (same file, sheet, column and reason) listed before the rest are counted
SHOWN_PER_KIND = 10


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
    #: What the problem is, without its particulars (groups problems when there are many)
    kind: str = ""
    #: For a summary line: how many problems of this kind it stands for (not listed one by one)
    more: int = 0

    @property
    def group(self) -> tuple[str, str | None, str | None, str]:
        return (self.file, self.sheet, self.column, self.kind or self.reason)

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


@dataclass
class ProblemLog:
    """Problems as they are found: the first few of each kind are kept, the rest only counted.

    A sheet of 300,000 pasted rows has 300,000 problems of one kind; listing them helps no one and
    keeping them all costs hundreds of MB. ``summary()`` gives the kept ones and, after the last of
    each kind, one line 「ほか 299,990 件」.
    """

    first: int = SHOWN_PER_KIND
    kept: list[Problem] = field(default_factory=list)
    seen: Counter[tuple[str, str | None, str | None, str]] = field(default_factory=Counter)

    def append(self, problem: Problem) -> None:
        self.add(problem.group, lambda: problem)

    def add(
        self, group: tuple[str, str | None, str | None, str], make: Callable[[], Problem]
    ) -> None:
        """Count a problem of ``group`` (``Problem.group``); ``make`` it only if it will be listed."""
        self.seen[group] += 1
        if self.seen[group] <= self.first:
            self.kept.append(make())

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.append(problem)

    @property
    def total(self) -> int:
        """Every problem found, listed or not."""
        return sum(self.seen.values())

    def summary(self) -> list[Problem]:
        """The kept problems in the order found, each kind's count of the rest after its last one."""
        last = {p.group: i for i, p in enumerate(self.kept)}
        result = []
        for i, problem in enumerate(self.kept):
            result.append(problem)
            hidden = self.seen[problem.group] - self.first
            if last[problem.group] == i and hidden > 0:
                result.append(
                    Problem(
                        problem.file,
                        f"ほか {hidden:,} 件、同じ種類の問題があります（{problem.kind or problem.reason}）。",
                        f"上の {self.first} 件と同じように直してください。",
                        column=problem.column,
                        sheet=problem.sheet,
                        kind=problem.kind or problem.reason,
                        more=hidden,
                    )
                )
        return result


def count(problems: Iterable[Problem]) -> int:
    """How many problems a (summarised) list stands for."""
    return sum(p.more or 1 for p in problems)


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
