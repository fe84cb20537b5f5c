"""Read a survey file into counts per region, group and answer: nothing of a respondent is kept.

Two shapes arrive (CSV in CP932 or UTF-8, or Excel; titles, blank rows, full-width digits and
thousands separators tolerated as in the figure import):

- **respondent rows** from the contractor: one row per respondent with the municipality (name or
  code; a region is accepted too), the age (34, 「34歳」, 「30代」) or for G2 the agency type, the
  answer as text (the column whose cells are answers, whatever its long title), and usually a
  weight (ウェイト). Weighted rows give Σw and Σw² per cell (:mod:`briefing.data.survey_weights`).
- **tabulations**: a title, a blank row, then one row per region × group (地域, 年代 or 機関の種類)
  and one column per answer with counts, often a 無回答 and a 計 column. A merged region cell
  (empty below its first row) carries down; total rows (計, 合計, 県全体) are skipped. A
  tabulation is unweighted: one whose title or headings say it is weighted (ウェイト, 加重) is
  refused, because its counts of respondents, which the withholding of small groups needs, are
  not in it.

The rule for 無回答 and blanks is in :mod:`briefing.intake.survey_terms`; respondents without a
municipality or an age are left out the same way and counted. Every other problem is reported
with file, sheet, row, column, value, reason and what to do.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import clock
from ..data.areas import PREFECTURE, find_area
from ..data.dataset import Dataset
from ..data.fiscal import FiscalYearError, fiscal_year_of, format_fy, parse_fy
from ..data.problems import Problem, ProblemLog
from ..data.reading import MAX_BYTES, Sheet, read_file
from ..data.schema import ANSWERS
from .survey_terms import GROUP_KIND, NO_ANSWER, answer_of, group_of, plain

#: Heading words (compared by :func:`plain`, as parts of the heading) per column
PLACE_WORDS = (
    "市町村",
    "市区町村",
    "市町",
    "居住地",
    "お住まい",
    "住所",
    "自治体",
    "所在地",
    "団体コード",
)
REGION_WORDS = ("地域", "圏域", "地区")
AGE_WORDS = ("年齢", "年代", "age")
AGENCY_WORDS = ("機関の種類", "機関種別", "機関の種別", "種別", "種類", "機関区分")
WEIGHT_WORDS = ("ウェイト", "ウエイト", "weight", "重み", "加重値")
TOTAL_WORDS = ("計", "合計", "総数", "回答者数", "total")
#: Words of a title or heading that say a tabulation's counts are weighted
WEIGHTED_TABLE = re.compile(r"ウェイト|ウエイト|加重|重み付|weighted", re.IGNORECASE)
#: A row label that is a total, not a region or group
TOTAL_ROW = {"計", "合計", "総計", "小計", "全体", "県全体", "三重県", "県計", "total", "全県"}
_TITLE_FY = re.compile(
    r"(令和|平成|R|H)\s*(\d{1,2}|元)\s*年度|((?:19|20)\d\d)\s*年度", re.IGNORECASE
)
_NUMBER_CHARS = re.compile(r"[,，\s人件]")
#: Answers (and 無回答) that must be in a tabulation's headings for it to be taken as one
_MIN_ANSWER_COLUMNS = 3


@dataclass
class SurveyCounts:
    """What one survey file holds, aggregated: no respondent's row survives this object."""

    file: str
    survey: str
    fy: int | None = None
    #: "respondents" or "tabulation"
    shape: str = ""
    weighted: bool = False
    #: (region, group, answer) → [respondents, Σw, Σw²]
    cells: dict[tuple[str, str, str], list[float]] = field(default_factory=dict)
    #: (region, group) → respondents whose answer was 無回答 or blank (left out of n)
    no_answer: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: respondents with no municipality or no age/agency type (left out: no cell to count them in)
    unplaced: int = 0
    #: respondent rows, or tabulation rows, read
    rows: int = 0
    #: tabulation rows of a region and group with no count at all (read as nobody)
    empty_rows: int = 0

    def add(self, region: str, group: str, answer: str, weight: float = 1.0) -> None:
        cell = self.cells.setdefault((region, group, answer), [0.0, 0.0, 0.0])
        cell[0] += 1
        cell[1] += weight
        cell[2] += weight * weight

    def table(self) -> pd.DataFrame:
        """One row per region, group and answer with anyone in the group (answers with 0 too)."""
        answered: defaultdict[tuple[str, str], float] = defaultdict(float)
        for (region, group, _), (n, _, _) in self.cells.items():
            answered[(region, group)] += n
        rows = []
        for region, group in answered:
            if not answered[(region, group)]:
                continue
            for answer in ANSWERS:
                n, w, w2 = self.cells.get((region, group, answer), [0.0, 0.0, 0.0])
                rows.append(
                    {
                        "region": region,
                        "group": group,
                        "answer": answer,
                        "respondents": int(n),
                        # as surveys.csv will hold them (6 decimals), so a second import
                        # of the same file compares equal
                        "weighted": round(w, 6) if self.weighted else math.nan,
                        "weighted_sq": round(w2, 6) if self.weighted else math.nan,
                    }
                )
        columns = ["region", "group", "answer", "respondents", "weighted", "weighted_sq"]
        return pd.DataFrame(rows, columns=columns)


def read_survey(
    path: Path,
    ds: Dataset,
    survey: str,
    *,
    fy: int | None = None,
    question: str | None = None,
    max_bytes: int = MAX_BYTES,
    today: dt.date | None = None,
    log: ProblemLog | None = None,
) -> SurveyCounts:
    """The counts of one survey file; problems go to ``log`` (nothing is counted from a file
    with problems: the caller saves nothing then)."""
    problems = ProblemLog() if log is None else log
    counts = SurveyCounts(file=path.name, survey=survey)
    sheets, found = read_file(path, max_bytes=max_bytes)
    problems.extend(found)
    if not sheets:
        return counts
    for sheet in sheets:
        header = _find_header(sheet, survey)
        if header is None:
            continue
        row, shape, columns = header
        counts.shape = shape
        title_fy = _title_year(sheet, row, problems)
        counts.fy = _year(fy, title_fy, sheet, today, problems)
        reader = _Reader(sheet, row, columns, ds, survey, counts, problems)
        if shape == "tabulation":
            reader.tabulation()
        else:
            reader.respondents(question)
        return counts
    kind = GROUP_KIND[survey]
    problems.append(
        Problem(
            path.name,
            f"調査の見出しの行が見つかりません（回答者ごとの表なら市町と{kind}と回答の列、集計表なら地域と{kind}と回答（そう思う…わからない）ごとの列が必要です）。",
            f"1〜20行目に見出しの行があるか確かめてください。{survey} ではない調査なら --survey を確かめてください。"
            f"紙の集計結果から入力するときは briefing template --survey {survey} の Excel を使います。",
        )
    )
    return counts


#: A heading longer than this is a question, not a column of places, ages or weights
_SHORT = 16


def _has(key: str, words: tuple[str, ...]) -> bool:
    return len(key) <= _SHORT and any(plain(w) in key for w in words)


def _find_header(sheet: Sheet, survey: str) -> tuple[int, str, dict[str, object]] | None:
    """(row index, shape, columns) of the first heading row in the first 20 rows."""
    group_words = AGE_WORDS if survey == "G1" else AGENCY_WORDS
    for i, row in enumerate(sheet.rows[:20]):
        keys = [plain(c) for c in row]
        answers = {answer_of(c): j for j, c in enumerate(row) if c.strip() and answer_of(c)}
        region = next((j for j, k in enumerate(keys) if _has(k, REGION_WORDS + PLACE_WORDS)), None)
        group = next((j for j, k in enumerate(keys) if _has(k, group_words) and j != region), None)
        if len(answers) >= _MIN_ANSWER_COLUMNS and region is not None and group is not None:
            total = next(
                (j for j, k in enumerate(keys) if k in TOTAL_WORDS or k.startswith("計(")), None
            )
            columns: dict[str, object] = {
                "region": region,
                "group": group,
                "answers": answers,
                "total": total,
            }
            return i, "tabulation", columns
        place = next((j for j, k in enumerate(keys) if _has(k, PLACE_WORDS)), None)
        place = place if place is not None else region
        if place is not None and group is not None:
            weight = next((j for j, k in enumerate(keys) if _has(k, WEIGHT_WORDS)), None)
            return i, "respondents", {"place": place, "group": group, "weight": weight}
    return None


def _title_year(sheet: Sheet, header: int, problems: ProblemLog) -> int | None:
    """The fiscal year a title above the heading names (「令和7年度 県民意識調査」), if any."""
    for row in sheet.rows[:header]:
        for cell in row:
            match = _TITLE_FY.search(unicodedata.normalize("NFKC", cell))
            if match:
                try:
                    return parse_fy(match.group(0))
                except FiscalYearError:
                    return None
    return None


def _year(
    given: int | None,
    title: int | None,
    sheet: Sheet,
    today: dt.date | None,
    problems: ProblemLog,
) -> int | None:
    latest = fiscal_year_of(today or clock.today()) + 1
    if given is not None and title is not None and given != title:
        problems.append(
            Problem(
                sheet.file,
                f"ファイルの表題は{format_fy(title)}ですが、指定された年度は{format_fy(given)}です。",
                "どちらの年度の調査か確かめて、--fy（担当者用ページでは「年度」）を直してください。",
                sheet=sheet.name,
            )
        )
        return None
    fy = given if given is not None else title
    if fy is None:
        problems.append(
            Problem(
                sheet.file,
                "調査の年度が分かりません（表題に「令和7年度」のような年度がありません）。",
                "--fy R7 のように年度を指定してください（担当者用ページでは「年度」に入力）。",
                sheet=sheet.name,
            )
        )
        return None
    if not 2015 <= fy <= latest:
        problems.append(
            Problem(
                sheet.file,
                f"年度が想定の範囲外です（{format_fy(fy)}。2015〜{latest}年度）。",
                "調査の年度を確認してください。",
                sheet=sheet.name,
            )
        )
        return None
    return fy


class _Reader:
    """The rows below one heading, read into ``counts``; problems named by row and heading."""

    def __init__(
        self,
        sheet: Sheet,
        header: int,
        columns: dict[str, object],
        ds: Dataset,
        survey: str,
        counts: SurveyCounts,
        problems: ProblemLog,
    ) -> None:
        self.sheet, self.header, self.columns = sheet, header, columns
        self.ds, self.survey, self.counts, self.problems = ds, survey, counts, problems
        self.headings = sheet.rows[header]
        self.places: dict[str, tuple[str | None, str]] = {}
        self.groups: dict[str, tuple[str | None, str, str]] = {}

    # -- shared --------------------------------------------------------------------------
    def bad(self, row: int, column: int | None, value: str, reason: str, hint: str) -> None:
        heading = (
            self.headings[column].strip()
            if column is not None and column < len(self.headings)
            else None
        )
        self.problems.add(
            (self.sheet.file, self.sheet.name, heading, reason),
            lambda: Problem(
                self.sheet.file,
                reason,
                hint,
                row=row,
                column=heading,
                value=value,
                sheet=self.sheet.name,
            ),
        )

    def rows(self) -> list[tuple[int, list[str]]]:
        start = self.header + 1
        return [
            (start + i + self.sheet.first_row, row) for i, row in enumerate(self.sheet.rows[start:])
        ]

    @staticmethod
    def cell(row: list[str], column: int | None) -> str:
        return row[column] if column is not None and column < len(row) else ""

    def region(self, text: str) -> tuple[str | None, str]:
        """The region of a municipality or region (name or code), or (None, why not)."""
        if text not in self.places:
            code = find_area(self.ds, unicodedata.normalize("NFKC", text).strip())
            if code is None or code == PREFECTURE:
                self.places[text] = (None, "市町（または地域）が見つかりません。")
            else:
                level = self.ds.areas.at[code, "level"]
                region = code if level == "region" else self.ds.areas.at[code, "region"]
                self.places[text] = (str(region), "")
        return self.places[text]

    def group(self, text: str) -> tuple[str | None, str, str]:
        if text not in self.groups:
            self.groups[text] = group_of(text, self.survey, self.ds.surveys)
        return self.groups[text]

    # -- respondent rows -----------------------------------------------------------------
    def respondents(self, question: str | None) -> None:
        answer_column = self._answer_column(question)
        if answer_column is None:
            return
        place, group = int(self.columns["place"]), int(self.columns["group"])  # type: ignore[call-overload]
        weight_column = self.columns["weight"]
        self.counts.weighted = weight_column is not None
        for number, row in self.rows():
            if not any(c.strip() for c in row):
                continue
            self.counts.rows += 1
            answer_text = self.cell(row, answer_column)
            answer = answer_of(answer_text)
            if answer is None:
                self.bad(
                    number,
                    answer_column,
                    answer_text,
                    "回答が読み取れません。",
                    "「"
                    + "」「".join(ANSWERS)
                    + "」のいずれか（無回答は空欄か「無回答」）にしてください。",
                )
            place_text, group_text = self.cell(row, place), self.cell(row, group)
            if not place_text.strip() or not group_text.strip():
                self.counts.unplaced += answer not in (None, NO_ANSWER)
                continue
            region, why = self.region(place_text)
            if region is None:
                self.bad(
                    number,
                    place,
                    place_text,
                    why,
                    "市町名（例: 津市）か6桁の団体コード（例: 242012）を入力してください。",
                )
            cell_group, why, hint = self.group(group_text)
            if cell_group is None:
                self.bad(number, group, group_text, why, hint)
            weight = self._weight(number, row, weight_column, answer)
            if region is None or cell_group is None or answer is None or weight is None:
                continue
            if answer == NO_ANSWER:
                self.counts.no_answer[(region, cell_group)] += 1
            else:
                self.counts.add(region, cell_group, answer, weight)

    def _weight(
        self, number: int, row: list[str], column: object, answer: str | None
    ) -> float | None:
        if column is None:
            return 1.0
        text = self.cell(row, int(column))  # type: ignore[call-overload]
        value = _number(text)
        if not text.strip() and answer == NO_ANSWER:
            return 1.0  # left out anyway
        if value is None or not math.isfinite(value) or value <= 0:
            self.bad(
                number,
                int(column),  # type: ignore[call-overload]
                text,
                "ウェイトが空か、正の数ではありません。" if text.strip() else "ウェイトが空です。",
                "調査会社から受け取った値（例: 1.23）をそのまま使ってください。ウェイトを使わないときは、ウェイトの列を削除します。",
            )
            return None
        return value

    def _answer_column(self, question: str | None) -> int | None:
        """The column of the answers: the one named by ``question``, else the only column whose
        cells are mostly answers."""
        used = {self.columns["place"], self.columns["group"], self.columns["weight"]}
        candidates = [j for j in range(len(self.headings)) if j not in used]
        if question:
            wanted = plain(question)
            named = [j for j in candidates if wanted in plain(self.headings[j])]
            if len(named) == 1:
                return named[0]
            self.problems.append(
                Problem(
                    self.sheet.file,
                    f"「{question}」を見出しに含む列が{'ありません' if not named else '複数あります'}。",
                    "設問の列の見出しの一部（例: 問15）を、その列だけに当てはまるように指定してください。",
                    row=self.header + self.sheet.first_row,
                    sheet=self.sheet.name,
                )
            )
            return None
        rows = [r for _, r in self.rows() if any(c.strip() for c in r)][:2000]
        scores = {}
        for j in candidates:
            cells = [self.cell(r, j) for r in rows]
            given = [c for c in cells if c.strip()]
            if not given:
                continue
            answers = sum(answer_of(c) not in (None, NO_ANSWER) for c in given)
            if answers >= max(1, len(given) // 2):
                scores[j] = answers
        if len(scores) == 1:
            return next(iter(scores))
        names = "、".join(f"「{self.headings[j].strip()}」" for j in scores)
        self.problems.append(
            Problem(
                self.sheet.file,
                "回答（そう思う…わからない）の列が見つかりません。"
                if not scores
                else f"回答の列が複数あります（{names}）。",
                "取り込む設問の列を --question で指定してください（見出しの一部、例: --question 問15）。"
                if scores
                else "設問の列に「そう思う」「どちらかといえばそう思う」などの回答が文字で入っているか確かめてください（番号だけのときは文字に直してください）。",
                row=self.header + self.sheet.first_row,
                sheet=self.sheet.name,
            )
        )
        return None

    # -- tabulations ---------------------------------------------------------------------
    def tabulation(self) -> None:
        answers = self._tabulated_answers()
        if answers is None:
            return
        region_column, group_column = int(self.columns["region"]), int(self.columns["group"])  # type: ignore[call-overload]
        seen: dict[tuple[str, str], int] = {}
        last_region = ""
        for number, row in self.rows():
            values = [self.cell(row, j) for j in answers.values()]
            region_text, group_text = self.cell(row, region_column), self.cell(row, group_column)
            if region_text.strip():
                last_region = region_text
            elif group_text.strip():
                region_text = last_region  # a merged region cell, empty below its first row
            if not group_text.strip() and not any(v.strip() for v in values):
                continue  # blank line, note or heading row
            if plain(region_text) in TOTAL_ROW or plain(group_text) in TOTAL_ROW:
                continue
            self.counts.rows += 1
            region, why = self.region(region_text)
            if region is None:
                self.bad(
                    number,
                    region_column,
                    region_text,
                    why,
                    "地域名（北勢・中勢・南勢・伊賀・東紀州）か市町名を入力してください。",
                )
            group, why, hint = self.group(group_text)
            if group is None:
                self.bad(number, group_column, group_text, why, hint)
            numbers = self._answer_counts(number, row, answers)
            if region is None or group is None or len(numbers) != len(answers):
                continue
            key = (region_text.strip(), group)
            if key in seen:
                self.bad(
                    number,
                    group_column,
                    group_text,
                    f"同じ地域・区分の行が2回あります（{seen[key]}行目と同じ）。",
                    "どちらか一方を削除してください。",
                )
                continue
            seen[key] = number
            self._add_tabulated(region, group, numbers)

    def _tabulated_answers(self) -> dict[str, int] | None:
        """The answer columns of a tabulation, or ``None`` (and why) when it cannot be read: a
        weighted table, or one without every answer's column."""
        above = " ".join(c for r in self.sheet.rows[: self.header + 1] for c in r)
        if WEIGHTED_TABLE.search(unicodedata.normalize("NFKC", above)):
            self.problems.append(
                Problem(
                    self.sheet.file,
                    "ウェイト付き（加重）の集計表は取り込めません（小さな区分を伏せる計算と有効回答者数に、ウェイトなしの回答者数が要るため）。",
                    "回答者ごとのファイル（ウェイトの列つき）を取り込むか、ウェイトなしの回答者数の集計表を使ってください。",
                    row=self.header + self.sheet.first_row,
                    sheet=self.sheet.name,
                )
            )
            return None
        answers: dict[str, int] = self.columns["answers"]  # type: ignore[assignment]
        missing = [a for a in ANSWERS if a not in answers]
        if missing:
            self.problems.append(
                Problem(
                    self.sheet.file,
                    "回答の列「" + "」「".join(missing) + "」がありません。",
                    "集計表には「"
                    + "」「".join(ANSWERS)
                    + "」の5つの列が要ります（無回答の列は任意）。"
                    "回答者がいなければ 0 の列を作ってください。",
                    row=self.header + self.sheet.first_row,
                    sheet=self.sheet.name,
                )
            )
            return None
        return answers

    def _answer_counts(
        self, number: int, row: list[str], answers: dict[str, int]
    ) -> dict[str, int]:
        """The respondents per answer of one tabulated row (a blank cell is 0); a count that is
        not a whole number is reported and left out, as is a 計 that disagrees with the counts."""
        numbers: dict[str, int] = {}
        for answer, column in answers.items():
            text = self.cell(row, column)
            if not text.strip():
                numbers[answer] = 0
                continue
            value = _number(text)
            if value is None or value < 0 or not float(value).is_integer():
                self.bad(
                    number,
                    column,
                    text,
                    "回答者数は 0 以上の整数です。",
                    "人数を半角か全角の数字で入力してください（例: 1,234）。回答者がいなければ空欄か 0 にします。",
                )
                continue
            numbers[answer] = int(value)
        if not any(self.cell(row, c).strip() for c in answers.values()):
            self.counts.empty_rows += 1
        total_column = self.columns["total"]
        total_text = self.cell(row, total_column) if total_column is not None else ""  # type: ignore[arg-type]
        if total_text.strip() and len(numbers) == len(answers):
            total = _number(total_text)
            given = sum(numbers.values())
            answered = given - numbers.get(NO_ANSWER, 0)
            if total is None or total not in (given, answered):
                self.bad(
                    number,
                    total_column,  # type: ignore[arg-type]
                    total_text,
                    f"計が回答ごとの人数の合計（{given:,}）と合いません。",
                    "回答ごとの人数と計を、印刷された集計結果と照らし合わせてください。",
                )
        return numbers

    def _add_tabulated(self, region: str, group: str, numbers: dict[str, int]) -> None:
        """Count a tabulated row: each respondent weighs 1 (a tabulation has no weights)."""
        for answer, n in numbers.items():
            if answer == NO_ANSWER:
                self.counts.no_answer[(region, group)] += n
            else:
                cell = self.counts.cells.setdefault((region, group, answer), [0.0, 0.0, 0.0])
                cell[0] += n
                cell[1] += n
                cell[2] += n


def _number(text: str) -> float | None:
    cleaned = _NUMBER_CHARS.sub("", unicodedata.normalize("NFKC", text))
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None
