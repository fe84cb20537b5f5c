"""What survey files write, in the workbook's words: answers, age bands and agency types.

Contractors write the same answer many ways (「1. そう思う」, 「どちらかと言えばそう思う」, full-width
digits) and ages as 34, 「34歳」 or a band (「30代」); agencies name their type in their own words. Each
is mapped to the five answers of :data:`briefing.data.schema.ANSWERS` and to the groups the data
already uses (``surveys.csv``), so a change of bands is a change of data, not of code.

**無回答 and blanks**: an answer left blank or written 無回答 (未回答, 不明, 無効, NA, －) is not an
answer to the question. Such a respondent is left out of n and out of the share's denominator (as
the share's definition counts the five answers, わからない included), and the review says how many
were left out, per region and group.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from ..data.sample import AGE_BANDS, AGENCY_TYPES
from ..data.schema import ANSWERS

#: What each survey measures, as staff name it
SURVEY_NAMES = {"G1": "県民意識調査", "G2": "相談支援機関調査"}
#: The group each survey is broken down by
GROUP_KIND = {"G1": "年代", "G2": "機関の種類"}

#: An answer that is no answer (compared after :func:`plain`)
NO_ANSWER = "無回答"
_NO_ANSWERS = {"", "無回答", "未回答", "回答なし", "不明", "無効", "無効回答", "na", "n/a", "-", "－", "ー", "―", "…"}  # fmt: skip
_NUMBERING = re.compile(r"^(?:\(?\d{1,2}[).．:：、\s]|[(（]\d{1,2}[)）])\s*")


def plain(text: str) -> str:
    """NFKC, no spaces, lower case: how headers and answers are compared."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def _answer_key(text: str) -> str:
    key = _NUMBERING.sub("", unicodedata.normalize("NFKC", text).strip())
    key = plain(key).replace("言え", "いえ").replace("分から", "わから").replace("判ら", "わから")
    return key.replace("おもう", "思う").replace("おもわない", "思わない")


_ANSWER_KEYS = {_answer_key(a): a for a in ANSWERS}


@functools.lru_cache(maxsize=1024)
def answer_of(text: str) -> str | None:
    """The answer category of ``text``, :data:`NO_ANSWER` for a blank or 無回答, None if unknown.

    >>> answer_of("1. そう思う"), answer_of("どちらかと言えばそう思う"), answer_of(""), answer_of("はい")
    ('そう思う', 'どちらかといえばそう思う', '無回答', None)
    """
    key = _answer_key(text)
    if key in _NO_ANSWERS or plain(text) in _NO_ANSWERS:
        return NO_ANSWER
    return _ANSWER_KEYS.get(key)


@dataclass(frozen=True)
class Band:
    """An age band of the data: ``name`` (18〜29歳) covers ``low`` to ``high`` years (None: open)."""

    name: str
    low: int
    high: int | None

    def covers(self, low: int, high: int | None) -> bool:
        if low < self.low:
            return False
        if self.high is None:
            return True
        return high is not None and high <= self.high


_BAND = re.compile(r"^(\d{1,3})\s*(?:歳|才)?\s*[〜~\-－–―ー]\s*(\d{1,3})\s*(?:歳|才)?$")
_OVER = re.compile(r"^(\d{1,3})\s*(?:歳|才)?(?:代)?\s*以上$")
_DECADE = re.compile(r"^(\d{1,2})0\s*(?:歳|才)?\s*代$")
_AGE = re.compile(r"^(\d{1,3})(?:\.0+)?\s*(?:歳|才)?$")


def _span(text: str) -> tuple[int, int | None] | None:
    """The years a text names: 34, 「34歳」, 「30代」, 「30〜39歳」, 「70歳以上」."""
    t = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    if m := _AGE.match(t):
        return int(m[1]), int(m[1])
    if m := _BAND.match(t):
        return int(m[1]), int(m[2])
    if m := _OVER.match(t):
        return int(m[1]), None
    if m := _DECADE.match(t):
        return int(m[1]) * 10, int(m[1]) * 10 + 9
    return None


def bands(surveys: pd.DataFrame) -> list[Band]:
    """The G1 age bands the data uses (its own order), or the bundled bands if it has none."""
    names = list(dict.fromkeys(surveys.loc[surveys["survey"] == "G1", "group"])) or list(AGE_BANDS)
    found = []
    for name in names:
        span = _span(name)
        if span is not None:
            found.append(Band(name, span[0], span[1]))
    return found


def band_of(text: str, known: list[Band]) -> tuple[str | None, str]:
    """The band of an age or a band text, or (None, why not) in Japanese."""
    span = _span(text)
    if span is None:
        return None, "年齢として読み取れません。"
    low, high = span
    if low > 120:
        return None, "年齢が大きすぎます。"
    for band in known:
        if band.covers(low, high):
            return band.name, ""
    youngest = min(b.low for b in known)
    if low < youngest:
        return None, f"調査の対象（{youngest}歳以上）より若い年齢です。"
    return None, "どの年代にも収まりません（年代の区切りをまたいでいます）。"


def band_hint(known: list[Band]) -> str:
    return (
        "年齢（34、「34歳」）か、年代（"
        + "・".join(b.name for b in known)
        + "）を入力してください。"
    )


def agency_types(surveys: pd.DataFrame) -> list[str]:
    """The G2 agency types the data uses (first seen first), or the bundled ones."""
    return list(dict.fromkeys(surveys.loc[surveys["survey"] == "G2", "group"])) or list(
        AGENCY_TYPES
    )


def agency_of(text: str, known: list[str]) -> str | None:
    """The agency type ``text`` names (compared without spaces, full-width or brackets)."""
    key = re.sub(r"[()（）・･]", "", plain(text))
    for name in known:
        if re.sub(r"[()（）・･]", "", plain(name)) == key:
            return name
    return None


def groups(surveys: pd.DataFrame, survey: str) -> list[str]:
    """The groups of ``survey`` in the data's order (age bands or agency types)."""
    return [b.name for b in bands(surveys)] if survey == "G1" else agency_types(surveys)


def group_of(text: str, survey: str, surveys: pd.DataFrame) -> tuple[str | None, str, str]:
    """The group of ``text`` for ``survey``: (group, "", "") or (None, reason, hint)."""
    if survey == "G1":
        known = bands(surveys)
        band, why = band_of(text, known)
        return band, why, band_hint(known) if band is None else ""
    names = agency_types(surveys)
    found = agency_of(text, names)
    if found is None:
        return (
            None,
            "機関の種類が分かりません。",
            "次のいずれかを入力してください: " + "、".join(names),
        )
    return found, "", ""
