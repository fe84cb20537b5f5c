"""Area codes and names: the prefecture's code, and finding an area from what a person typed.

Links (``?area=東紀州``), the export command and staff files all name areas by code, Japanese
name or romaji; one lookup serves them all, so an area written one way works everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .dataset import Dataset

#: 全国地方公共団体コード of 三重県 (the prefecture as a whole).
PREFECTURE = "240001"


def find_area(ds: Dataset, text: str) -> str | None:
    """Area code for a code (also without its check digit, as files often write it), a Japanese
    name (津市, 東紀州, 県全体) or romaji (Tsu-shi, higashikishu)."""
    wanted = unicodedata.normalize("NFKC", text).strip()
    if wanted in ds.areas.index:
        return wanted
    areas = ds.areas
    for column in ("name_ja", "name_en", "kana"):
        hit = areas.index[areas[column].str.casefold() == wanted.casefold()]
        if len(hit):
            return str(hit[0])
    if wanted in ("三重県", "県", "全体"):
        return PREFECTURE
    if re.fullmatch(r"\d{5}", wanted):
        hits = [c for c in areas.index if str(c)[:5] == wanted and len(str(c)) == 6]
        return str(hits[0]) if len(hits) == 1 else None
    return None
