"""Japan time for everything staff and members read: change records, versions, reviews, dates.

The machine running the workbook may keep UTC (servers, containers); staff read Japan time, so
every timestamp is made in Asia/Tokyo and written with its offset (``+09:00``). ``zoneinfo`` reads
the zone from the system or, where there is none (Windows, slim images), from ``tzdata``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")


def now() -> dt.datetime:
    """The current time in Japan, with its offset."""
    return dt.datetime.now(TOKYO)


def today() -> dt.date:
    """Today's date in Japan (in UTC it is still yesterday until 09:00)."""
    return now().date()


def stamp(when: dt.datetime) -> str:
    """``when`` in Japan time for files: ``2026-12-01T20:39:38+09:00``."""
    return when.astimezone(TOKYO).isoformat(timespec="seconds")


def shown(when: dt.datetime) -> str:
    """``when`` in Japan time for people: ``2026-12-01 20:39 +09:00``."""
    local = when.astimezone(TOKYO)
    return f"{local:%Y-%m-%d %H:%M} {local.isoformat()[-6:]}"


def shown_text(stamp_text: str) -> str:
    """A stored timestamp (ISO text, any offset) for people in Japan time; other text unchanged."""
    try:
        when = dt.datetime.fromisoformat(stamp_text)
    except ValueError:
        return stamp_text
    return shown(when) if when.tzinfo else stamp_text
