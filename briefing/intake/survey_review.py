"""The review of a survey import: per region and group the new n and share (old → new where a
year is replaced), 無回答 and blanks counted, every problem listed. Nothing here writes.

Shares read as they will be published: weighted ones say so and give the effective n, and a
group whose share will not be shown (fewer than ``suppress_below`` respondents, or hidden so that
such a group cannot be worked out, :mod:`briefing.stats.survey_disclosure`) reads 「非公開」 here
too — the review may be printed or shown on a screen in the office.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import clock
from ..config import Settings
from ..data.dataset import Dataset
from ..data.fiscal import format_fy
from ..data.problems import Problem, ProblemLog, count
from ..data.reading import MAX_BYTES
from ..stats.survey_disclosure import survey_withheld
from ..stats.surveys import survey_shares
from .survey_reader import SurveyCounts, read_survey
from .survey_terms import GROUP_KIND, SURVEY_NAMES, groups

#: The group of a region's (or the prefecture's) total row in the review
ALL_GROUPS = "全体"


@dataclass
class SurveyReview:
    """What a survey import would save: the new counts of one survey and year, compared."""

    survey: str
    file: str
    fy: int | None = None
    counts: SurveyCounts | None = None
    problems: list[Problem] = field(default_factory=list)
    #: one row per region × group, then each region's and the prefecture's total
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the rows surveys.csv will hold for this survey and year (region, group, answer, counts)
    new_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the year was in the data already: its rows are replaced
    replaces: bool = False
    version: str = ""
    threshold: int = 5
    checked_at: dt.datetime = field(default_factory=clock.now)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem_count(self) -> int:
        return count(self.problems)

    @property
    def weighted(self) -> bool:
        return bool(self.counts and self.counts.weighted)

    @property
    def changed(self) -> bool:
        """Whether saving would change surveys.csv."""
        return bool(len(self.table)) and bool(self.table["change"].ne("変更なし").any())


def review_survey(
    path: Path,
    ds: Dataset,
    survey: str,
    *,
    fy: int | None = None,
    question: str | None = None,
    settings: Settings | None = None,
    max_bytes: int = MAX_BYTES,
    today: dt.date | None = None,
) -> SurveyReview:
    """Read ``path`` as ``survey`` (G1 or G2) and compare it with the stored year; nothing is written."""
    settings = settings or Settings()
    log = ProblemLog()
    counts = read_survey(
        path, ds, survey, fy=fy, question=question, max_bytes=max_bytes, today=today, log=log
    )
    result = SurveyReview(
        survey=survey,
        file=path.name,
        fy=counts.fy,
        counts=counts,
        version=ds.version,
        threshold=settings.suppress_below,
    )
    if not log.total and counts.shape and not counts.cells:
        log.append(
            Problem(
                path.name,
                "回答が1件もありません（すべて無回答・空欄か、人数が 0 です）。",
                "取り込むファイルと設問の列を確かめてください。",
            )
        )
    result.problems = log.summary()
    if result.problems or counts.fy is None:
        return result
    new_rows = counts.table()
    result.new_rows = new_rows
    old = ds.surveys[(ds.surveys["survey"] == survey) & (ds.surveys["fy"] == counts.fy)]
    result.replaces = bool(len(old))
    new = new_rows.assign(survey=survey, fy=counts.fy, sample=False)
    result.table = _compare(ds, survey, counts, old, new, settings)
    return result


def _published(rows: pd.DataFrame, survey: str, settings: Settings) -> pd.DataFrame:
    """Every published share of one survey year's rows (each region × group, each region and the
    prefecture), keyed by region and group, hidden ones hidden as the views hide them."""
    if not len(rows):
        return pd.DataFrame()
    hidden = survey_withheld(rows, settings.suppress_below)
    levels: list[list[str]] = [["region", "group"], ["region"], []]
    return pd.concat([_shares(rows, survey, by, settings, hidden) for by in levels])


def _shares(
    rows: pd.DataFrame,
    survey: str,
    by: list[str],
    settings: Settings,
    hidden: frozenset[tuple[str, int, str, str]],
) -> pd.DataFrame:
    table = survey_shares(
        rows,
        survey,
        by=by or None,
        small_n=settings.small_sample_n,
        hide_below=settings.suppress_below,
        hidden=hidden,
        confidence=settings.confidence,
    )
    for missing in {"region", "group"} - set(by):
        table = table.assign(**{missing: ALL_GROUPS if missing == "group" else ""})
    return table.set_index(["region", "group"])


def _compare(
    ds: Dataset,
    survey: str,
    counts: SurveyCounts,
    old: pd.DataFrame,
    new: pd.DataFrame,
    settings: Settings,
) -> pd.DataFrame:
    regions = [str(r) for r in ds.areas.index[ds.areas["level"] == "region"]]
    order = groups(ds.surveys, survey)
    parts = {"old": _published(old, survey, settings), "new": _published(new, survey, settings)}
    present = set(parts["old"].index) | set(parts["new"].index)
    keys = [(r, g) for r in regions for g in order if (r, g) in present]
    keys += [(r, ALL_GROUPS) for r in regions if (r, ALL_GROUPS) in present]
    keys += [("", ALL_GROUPS)] if ("", ALL_GROUPS) in present else []
    cells = {
        name: rows.set_index(["region", "group", "answer"])[["respondents", "weighted"]]
        .fillna(-1.0)
        .sort_index()
        for name, rows in (("old", old), ("new", new))
    }
    no_answer = counts.no_answer
    rows = []
    for region, group in keys:
        before = (
            parts["old"].loc[(region, group)] if (region, group) in parts["old"].index else None
        )
        after = parts["new"].loc[(region, group)] if (region, group) in parts["new"].index else None
        if before is None:
            change = "新規"
        elif after is None:
            change = "削除"
        elif _same(cells, region, group):
            change = "変更なし"
        else:
            change = "変更"
        skipped = sum(
            v
            for (r, g), v in no_answer.items()
            if (not region or r == region) and (group == ALL_GROUPS or g == group)
        )
        rows.append(
            {
                "region": region,
                "region_name": ds.areas.at[region, "name_ja"] if region else "県全体",
                "group": group,
                "change": change,
                "old_n": None if before is None else int(before["n"]),
                "new_n": None if after is None else int(after["n"]),
                "n_eff": None if after is None or pd.isna(after["n_eff"]) else after["n_eff"],
                "weighted": bool(after is not None and after["weighted"]),
                "old_share": _share(before, settings.suppress_below),
                "new_share": _share(after, settings.suppress_below),
                "new_value": None if after is None else after["share"],
                "old_value": None if before is None else before["share"],
                "no_answer": int(skipped),
            }
        )
    return pd.DataFrame(rows)


def _same(cells: dict[str, pd.DataFrame], region: str, group: str) -> bool:
    """Whether a region and group (or a total over them) has the same counts before and after."""

    def part(table: pd.DataFrame) -> pd.DataFrame:
        index = table.index
        keep = pd.Series(True, index=index)
        if region:
            keep &= index.get_level_values("region") == region
        if group != ALL_GROUPS:
            keep &= index.get_level_values("group") == group
        return table[keep.to_numpy()]

    a, b = part(cells["old"]), part(cells["new"])
    return a.index.equals(b.index) and bool((a.to_numpy() == b.to_numpy()).all())


def _share(row: pd.Series | None, threshold: int) -> str:
    if row is None:
        return "－"
    if pd.isna(row["share"]):
        if row["n"] < threshold:
            return f"非公開（回答者 {threshold} 人未満）"
        return "非公開（小さな区分の逆算防止）"
    text = f"{row['share']:.1f}%（{row['low']:.1f}〜{row['high']:.1f}）"
    return ("加重 " if row["weighted"] else "") + text


def _n(value: object) -> str:
    return "－" if value is None or pd.isna(value) else f"{int(value):,}"  # type: ignore[call-overload, arg-type]


def review_survey_rows(result: SurveyReview) -> pd.DataFrame:
    """The review table with Japanese headings (terminal and notebook)."""
    kind = GROUP_KIND[result.survey]
    columns = ["区分", "地域", kind, "回答者数（旧 → 新）", "割合（旧 → 新）", "無回答・空欄"]
    if result.weighted:
        columns.insert(4, "有効回答者数")
    if not len(result.table):
        return pd.DataFrame(columns=columns)
    t = result.table
    data = {
        "区分": t["change"],
        "地域": t["region_name"],
        kind: t["group"],
        "回答者数（旧 → 新）": [
            f"{_n(o)} → {_n(n)}" if result.replaces else _n(n)
            for o, n in zip(t["old_n"], t["new_n"], strict=True)
        ],
        "割合（旧 → 新）": [
            f"{o} → {n}" if result.replaces else n
            for o, n in zip(t["old_share"], t["new_share"], strict=True)
        ],
        "無回答・空欄": t["no_answer"].map(lambda v: f"{v:,}"),
    }
    if result.weighted:
        data["有効回答者数"] = t["n_eff"].map(lambda v: "－" if pd.isna(v) else f"{v:,.0f}")
    return pd.DataFrame(data)[columns]


def _summary(result: SurveyReview) -> list[str]:
    counts = result.counts
    name = f"{result.survey} {SURVEY_NAMES[result.survey]}"
    fy = format_fy(result.fy) if result.fy else "年度不明"
    what = "（保存済みの年度を置き換え）" if result.replaces else "（新しい年度）"
    lines = [f"調査の取り込み: {name} {fy}{what if result.fy else ''}"]
    if counts is None:
        return lines
    shape = {"respondents": "回答者ごとの行", "tabulation": "集計表"}.get(counts.shape, "")
    if shape:
        lines.append(
            f"ファイル: {result.file}（{shape} {counts.rows:,} 行、"
            + (
                "ウェイトあり: 割合は加重、信頼区間は有効回答者数 (Σw)²/Σw² で計算"
                if counts.weighted
                else "ウェイトなし"
            )
            + "）"
        )
    n = int(result.new_rows["respondents"].sum()) if len(result.new_rows) else 0
    left_out = sum(counts.no_answer.values())
    line = f"集計する回答者: {n:,} 人。無回答・空欄 {left_out:,} 人は集計から除きます（割合の分母にも入れません）"
    if counts.unplaced:
        line += f"。市町または{GROUP_KIND[result.survey]}が空欄の {counts.unplaced:,} 人も、地域・区分に数えられないため除きます"
    if counts.empty_rows:
        line += f"。人数が空欄の行 {counts.empty_rows:,} 行は回答者なしとして扱います"
    lines.append(line + "。")
    lines.append(
        f"確認日時: {clock.shown(result.checked_at)}。回答者の行そのものは保存しません（保存するのは地域・区分・回答ごとの人数だけです）。"
    )
    return lines


def review_survey_text(result: SurveyReview) -> str:
    """The review for the terminal: the summary, then one line per region and group."""
    lines = _summary(result)
    if len(result.table):
        c = result.table["change"].value_counts()
        lines.append(
            "区分ごと: "
            + "、".join(
                f"{k} {c.get(k, 0)}" for k in ("新規", "変更", "変更なし", "削除") if c.get(k, 0)
            )
        )
        table = review_survey_rows(result)
        lines.append("  " + " | ".join(table.columns))
        for row in table.itertuples(index=False):
            lines.append("  " + " | ".join(str(v) for v in row))
    return "\n".join(lines)


def review_survey_html(result: SurveyReview) -> str:
    """The review as an HTML fragment (the staff page): problems first, then the table."""
    parts = []
    if result.problems:
        items = "".join(f"<li>{html.escape(str(p))}</li>" for p in result.problems)
        parts.append(
            f'<div class="error"><b>問題が {result.problem_count:,} 件あります。保存できません。</b><ul>{items}</ul></div>'
        )
    parts += [f"<p>{html.escape(line)}</p>" for line in _summary(result)]
    if len(result.table):
        parts.append(review_survey_rows(result).to_html(index=False, escape=True, border=0))
    return '<div class="mb">' + "".join(parts) + "</div>"
