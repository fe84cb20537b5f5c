"""The review of an import: what would change (old → new), checked against the stored values,
and how staff read it in the terminal and the notebook. Nothing here writes."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import pandas as pd

from .. import clock
from ..data.areas import PREFECTURE
from ..data.dataset import Dataset
from ..data.fiscal import format_fy
from ..data.problems import Problem, ProblemLog, count
from ..data.reading import MAX_BYTES
from ..data.schema import plain_number
from ..data.totals import SUMMED_KINDS, sum_status
from .importer import Entry, normalise_text, read_entries

#: A note that says nothing but the status: no comment for members
_STATUS_ONLY = re.compile(r"[(（]?(速報|確定|暫定|確報)値?[)）]?[。.]?")


class Change(StrEnum):
    """What an imported row does to the stored value (the review's 「区分」 column)."""

    NEW = "新規"
    CHANGED = "変更"
    UNCHANGED = "変更なし"


@dataclass
class Review:
    """What an import would change: new, changed (old → new) and unchanged values, and problems."""

    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    blanks: int = 0
    #: ``Dataset.version`` of the data this review compared against (a save refuses if it changed)
    version: str = ""
    #: Things to check that do not stop a save (a total summed from only some towns)
    notes: list[str] = field(default_factory=list)
    #: When the files were checked (Japan time), shown with the review
    checked_at: dt.datetime = field(default_factory=clock.now)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem_count(self) -> int:
        """Every problem found, including those a summary line stands for (「ほか N 件」)."""
        return count(self.problems)

    def counts(self) -> dict[str, int]:
        kinds = self.table["change"] if len(self.table) else pd.Series(dtype=str)
        return {k: int((kinds == k).sum()) for k in Change}


def review(
    paths: list[Path],
    ds: Dataset,
    *,
    overwrite_final: bool = False,
    max_bytes: int = MAX_BYTES,
    today: dt.date | None = None,
    recorded: frozenset[str] = frozenset(),
) -> Review:
    """Read, check and compare with the stored history; nothing is written.

    ``recorded``: files whose accounts or opinions change something (``RecordReview.changed_files``),
    which are not refused for holding no figures.

    The review also lists the prefecture totals that saving will recompute from the municipalities
    (``update.apply``), so every value that changes is shown, and a real 確定 total is protected too.
    """
    problems = ProblemLog()
    entries, _, blanks = read_entries(
        paths, ds, max_bytes=max_bytes, today=today, log=problems, recorded=recorded
    )
    stored = ds.history.set_index(["series", "fy", "area"])
    totals, notes = _recomputed_totals(entries, ds)
    rows = []
    for e, derived in [*((e, False) for e in entries), *((e, True) for e in totals)]:
        key = (e.series, e.fy, e.area)
        old = stored.loc[key] if key in stored.index else None
        change = _change(e, old)
        if change == Change.CHANGED and _overwrites_final(e, old) and not overwrite_final:
            problems.append(_final_problem(e, old, derived=derived))
        rows.append(_review_row(ds, e, old, change, derived=derived))
    return Review(
        entries=entries,
        problems=problems.summary(),
        table=pd.DataFrame(rows),
        blanks=blanks,
        version=ds.version,
        notes=notes,
    )


def _change(e: Entry, old: pd.Series | None) -> Change:
    if old is None:
        return Change.NEW
    if float(old["value"]) == e.value and old["status"] == e.status:
        return Change.UNCHANGED
    return Change.CHANGED


def _overwrites_final(e: Entry, old: pd.Series) -> bool:
    """A real 確定 value changed, or turned back to 速報 (sample values may change freely)."""
    return (
        old["status"] == "確定"
        and not bool(old["sample"])
        and (float(old["value"]) != e.value or e.status == "速報")
    )


def _final_problem(e: Entry, old: pd.Series, *, derived: bool) -> Problem:
    """Why a 確定 value is not changed without --overwrite-final, and what to do."""
    flag = "確定値を直すときは --overwrite-final を付けてください（ノートブックでは「確定値の上書きを許可」）。"
    if float(old["value"]) == e.value:
        reason = f"確定値 {plain_number(old['value'])} を速報値に戻そうとしています。"
        hint = "確定値の状態を変えるときは --overwrite-final を付けてください（ノートブックでは「確定値の上書きを許可」）。"
    elif derived:
        reason = f"県全体の確定値 {plain_number(old['value'])} が、市町の値の合計 {plain_number(e.value)} に置き換わります（自動計算）。"
        hint = flag + "県全体の値を変えないときは、県全体の行にその値も入力してください。"
    else:
        reason = f"確定値 {plain_number(old['value'])} を {plain_number(e.value)} に変えようとしています。"
        hint = flag
    return Problem(
        e.file,
        reason,
        hint,
        row=e.row,
        column=e.column,
        value=plain_number(e.value),
        sheet=e.sheet,
    )


def _review_row(
    ds: Dataset, e: Entry, old: pd.Series | None, change: Change, *, derived: bool
) -> dict[str, object]:
    """One line of the review table: the series and area by name, old → new and the status."""
    info = ds.series.loc[e.series]
    return {
        "indicator": info["indicator"],
        "series": e.series,
        "name": info["name_ja"] + (f"（{info['label_ja']}）" if pd.notna(info["label_ja"]) else ""),
        "fy": e.fy,
        "area": e.area,
        "area_name": ds.areas.at[e.area, "name_ja"] + ("（市町の合計）" if derived else ""),
        "old": None if old is None else float(old["value"]),
        "new": e.value,
        "old_status": None if old is None else old["status"],
        "status": e.status,
        "change": change,
        "note": e.note,
    }


def _recomputed_totals(entries: list[Entry], ds: Dataset) -> tuple[list[Entry], list[str]]:
    """The prefecture totals saving will recompute (the rule of :mod:`briefing.data.totals`): summable
    regional series with municipal values in the input and no prefecture value; each is placed at
    the first input row of its series and year. Also a note for each total that will be the sum
    of only some towns (the others have no value yet), which would understate it."""
    given = {(e.series, e.fy) for e in entries if e.area == PREFECTURE}
    towns = [e for e in entries if e.area != PREFECTURE and (e.series, e.fy) not in given]
    history = ds.history[ds.history["area"] != PREFECTURE]
    towns_all = list(ds.areas.index[ds.areas["level"] == "municipality"])
    totals, notes = [], []
    for series, fy in sorted({(e.series, e.fy) for e in towns}):
        if ds.series.at[series, "kind"] not in SUMMED_KINDS:
            continue
        old = history[(history["series"] == series) & (history["fy"] == fy)]
        values = {
            a: (float(v), st)
            for a, v, st in zip(old["area"], old["value"], old["status"], strict=True)
        }
        mine = [e for e in towns if (e.series, e.fy) == (series, fy)]
        values.update({e.area: (e.value, e.status) for e in mine})
        status = sum_status(st for _, st in values.values())
        missing = [ds.areas.at[t, "name_ja"] for t in towns_all if t not in values]
        if missing:
            names = "、".join(missing[:5]) + (
                f" ほか {len(missing) - 5} 市町" if len(missing) > 5 else ""
            )
            notes.append(
                f"{series} {format_fy(fy)}: 県全体の値は {len(towns_all)} 市町のうち "
                f"{len(towns_all) - len(missing)} 市町の合計になります（値がない市町: {names}）。"
                "残りの市町の値も入力するか、県全体の行に値を入力してください。"
            )
        first = mine[0]
        totals.append(
            Entry(
                series,
                fy,
                PREFECTURE,
                sum(v for v, _ in values.values()),
                status,
                "",
                first.file,
                first.sheet,
                first.row,
                first.column,
            )
        )
    return totals, notes


def proposed_comments(result: Review, ds: Dataset) -> dict[tuple[str, int], str]:
    """The comment to propose for each series and year that changes (the staff page's boxes).

    The file's comment for the prefecture value wins; else its notes, each town's named
    (「津市: 窓口を1か所増設」), leaving out notes that only state the status (「速報」). Staff edit
    them before saving: a note is written for the office, a comment is read by members.
    """
    if not len(result.table):
        return {}
    changed = result.table[result.table["change"] != Change.UNCHANGED]
    wanted = set(zip(changed["series"], changed["fy"].astype(int), strict=True))
    proposals: dict[tuple[str, int], list[str]] = {}
    comments: dict[tuple[str, int], str] = {}
    for e in result.entries:
        key = (e.series, e.fy)
        if key not in wanted:
            continue
        if e.area == PREFECTURE and e.comment:
            comments[key] = e.comment
        if e.note and not _STATUS_ONLY.fullmatch(normalise_text(e.note)):
            town = "" if e.area == PREFECTURE else f"{ds.areas.at[e.area, 'name_ja']}: "
            proposals.setdefault(key, []).append(town + e.note)
    return {
        key: comments.get(key) or " / ".join(proposals[key])
        for key in sorted(wanted)
        if key in comments or key in proposals
    }


def _num(value: object) -> str:
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return "－"
    v = float(value)  # type: ignore[arg-type]
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.1f}"


def _known(status: object) -> bool:
    """A stored status, 確定 or 速報 (a new value has none: None, or NaN once pandas has made a
    column of it)."""
    return isinstance(status, str)


def review_rows(result: Review) -> pd.DataFrame:
    """One row per input value with Japanese column names, changes first (for tables)."""
    if not len(result.table):
        return pd.DataFrame(columns=["区分", "指標", "年度", "地域", "旧", "新", "状態"])
    t = result.table
    order = t["change"].map({Change.CHANGED: 0, Change.NEW: 1, Change.UNCHANGED: 2})
    t = t.assign(_o=order).sort_values(["_o", "series", "fy", "area"])  # each value listed once
    notes = {"備考": t["note"]} if (t["note"] != "").any() else {}  # only when a file had notes
    return pd.DataFrame(
        {
            "区分": t["change"],
            "指標": t["series"] + " " + t["name"],
            "年度": t["fy"].map(format_fy),
            "地域": t["area_name"],
            "旧": t["old"].map(_num),
            "新": t["new"].map(_num),
            "状態": [
                f"{o} → {n}" if _known(o) and o != n else n
                for o, n in zip(t["old_status"], t["status"], strict=True)
            ],
            **notes,
        }
    ).reset_index(drop=True)


def review_text(result: Review, ds: Dataset, *, limit: int = 40) -> str:
    """The review for the terminal: totals, then per indicator the values that change."""
    counts = result.counts()
    lines = [
        f"取り込み内容: 新規 {counts['新規']} 件、変更 {counts['変更']} 件、変更なし {counts['変更なし']} 件、空欄（数値なし） {result.blanks} 件",
        f"確認日時: {clock.shown(result.checked_at)}",
    ]
    lines += [f"注意: {note}" for note in result.notes]
    if not len(result.table):
        return "\n".join(lines)
    shown = 0
    for indicator, part in result.table.groupby("indicator", sort=True):
        c = part["change"].value_counts()
        lines.append(
            f"  {indicator} {ds.catalog.at[indicator, 'name_ja']}: 新規 {c.get('新規', 0)}、変更 {c.get('変更', 0)}、変更なし {c.get('変更なし', 0)}"
        )
        for r in part[part["change"] != Change.UNCHANGED].itertuples():
            if shown >= limit:
                continue
            shown += 1
            status = (
                f"（{r.old_status} → {r.status}）"
                if _known(r.old_status) and r.old_status != r.status
                else f"（{r.status}）"
            )
            lines.append(
                f"      {r.change} {format_fy(int(r.fy))} {r.area_name}: {_num(r.old)} → {_num(r.new)}{status}"
            )
            if r.note:
                lines.append(f"        備考: {r.note}")
    hidden = int((result.table["change"] != Change.UNCHANGED).sum()) - shown
    if hidden > 0:
        lines.append(f"      ほか {hidden} 件")
    return "\n".join(lines)


def review_html(result: Review) -> str:
    """The review as an HTML fragment (the staff notebook): problems first, then the table."""
    parts = []
    if result.problems:
        items = "".join(f"<li>{html.escape(str(p))}</li>" for p in result.problems)
        parts.append(
            f'<div class="error"><b>問題が {result.problem_count:,} 件あります。保存できません。</b><ul>{items}</ul></div>'
        )
    if result.notes:
        items = "".join(f"<li>{html.escape(n)}</li>" for n in result.notes)
        parts.append(f'<div class="notice"><b>確認してください</b><ul>{items}</ul></div>')
    counts = result.counts()
    parts.append(
        f"<p>確認日時 {clock.shown(result.checked_at)}。新規 {counts['新規']} 件、変更 {counts['変更']} 件、変更なし {counts['変更なし']} 件、空欄 {result.blanks} 件</p>"
    )
    parts.append(review_rows(result).to_html(index=False, escape=True, border=0))
    return '<div class="mb">' + "".join(parts) + "</div>"
