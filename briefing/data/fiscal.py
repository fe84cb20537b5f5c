"""Japanese fiscal years (年度): parse what offices write, store the Gregorian start year, show 令和.

A fiscal year runs April–March and is stored as the Gregorian year it starts in:
令和2年度 = R2 = FY2020. 令和元年度 and 平成31年度 are both FY2019.

>>> parse_fy("令和２年度"), format_fy(2020), format_fy(2020, lang="en")
(2020, '令和2年度', 'FY2020')
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

#: Earliest and latest fiscal years accepted anywhere (昭和25年度, so long generated histories
#: for benchmarks load, .. far enough ahead). Imports apply a much narrower plausible range.
MIN_FY = 1950
MAX_FY = 2100

# era name → Gregorian year of era year 1
_ERAS = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988, "昭和": 1925, "S": 1925}
_LAST_ERA_YEAR = {"平成": 31, "H": 31, "昭和": 63, "S": 63}
_PATTERN = re.compile(
    r"^(?:(?P<era>令和|平成|昭和|R|H|S)\s*(?P<eyear>\d{1,2}|元)|(?:FY\s*)?(?P<year>\d{4}))\s*(?:年度|年)?$",
    re.IGNORECASE,
)


class FiscalYearError(ValueError):
    """A text that is not a fiscal year; the message is Japanese and says what is accepted."""


def fiscal_year_of(day: dt.date) -> int:
    """The fiscal year ``day`` falls in (January–March belong to the year before)."""
    return day.year if day.month >= 4 else day.year - 1


def parse_fy(text: object) -> int:
    """Return the Gregorian fiscal year for ``text`` (int, "2020", "FY2020", "R2", "令和2年度", …)."""
    if isinstance(text, bool):
        raise FiscalYearError(_message(text))
    if isinstance(text, int):
        year = text
    elif isinstance(text, float) and text.is_integer():
        year = int(text)
    else:
        normal = unicodedata.normalize("NFKC", str(text)).strip()
        match = _PATTERN.match(normal)
        if not match:
            raise FiscalYearError(_message(text))
        if match["year"]:
            year = int(match["year"])
        else:
            era = match["era"].upper() if match["era"] in ("r", "h", "s") else match["era"]
            eyear = 1 if match["eyear"] == "元" else int(match["eyear"])
            if eyear < 1 or eyear > _LAST_ERA_YEAR.get(era, 99):
                raise FiscalYearError(_message(text))
            year = _ERAS[era] + eyear
    if not MIN_FY <= year <= MAX_FY:
        raise FiscalYearError(
            f"年度「{text}」は範囲外です（{MIN_FY}〜{MAX_FY}年度の間で指定してください）。"
        )
    return year


def format_fy(fy: int, *, lang: str = "ja", short: bool = False) -> str:
    """Show a fiscal year as 令和N年度 (or R6 when ``short``), or FY2024 (FY24) in English."""
    if lang == "en":
        return f"FY{fy % 100:02d}" if short else f"FY{fy}"
    if fy >= 2019:
        n = fy - 2018
        if short:
            return f"R{n}"
        return f"令和{'元' if n == 1 else n}年度"
    era, short_era, n = ("平成", "H", fy - 1988) if fy >= 1989 else ("昭和", "S", fy - 1925)
    if short:
        return f"{short_era}{n}"
    return f"{era}{'元' if n == 1 else n}年度"


def _message(text: object) -> str:
    return (
        f"年度「{text}」を読み取れません。"
        "「2024」「2024年度」「FY2024」「R6」「令和6年度」「令和元年度」のように書いてください。"
    )
