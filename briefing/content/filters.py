"""The dashboard's filters as one value, and their URL form (``?direction=5&area=東紀州``).

Staff prepare one link per agenda item; the same parser serves the dashboard, the export command
and the tests, and it accepts area names, codes or romaji so links can be typed by hand.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlencode

from ..data.areas import PREFECTURE, find_area
from ..data.dataset import Dataset
from ..data.fiscal import FiscalYearError, format_fy, parse_fy


@dataclass(frozen=True)
class Filters:
    """What is being looked at: direction (None = 全体), area code, fiscal-year range, language."""

    direction: int | None = None
    area: str = PREFECTURE
    fy_from: int | None = None
    fy_to: int | None = None
    lang: str = "ja"
    view: str = "overview"
    #: the direction view's opinions from one meeting only ("" = every meeting)
    meeting: str = ""

    def with_(self, **changes: object) -> Filters:
        return replace(self, **changes)  # type: ignore[arg-type]

    def key(self, view: str, mode: str) -> str:
        """The shown view's record of what it shows (its ``data-view``), which the tests and the
        benchmark wait for: view|direction|area|from|to|lang|mode|meeting."""
        parts = (view, self.direction or 0, self.area, self.fy_from or "", self.fy_to or "")
        return "|".join(str(x) for x in (*parts, self.lang, mode, self.meeting))

    def to_query(self, ds: Dataset) -> str:
        """The URL query that reopens this view (area by its Japanese name, readable in a link)."""
        items: dict[str, object] = {}
        if self.direction:
            items["direction"] = self.direction
        if self.area != PREFECTURE:
            items["area"] = ds.areas.at[self.area, "name_ja"]
        if self.fy_from:
            items["from"] = self.fy_from
        if self.fy_to:
            items["to"] = self.fy_to
        if self.lang != "ja":
            items["lang"] = self.lang
        if self.view != "overview":
            items["view"] = self.view
        if self.meeting:
            items["meeting"] = self.meeting
        return urlencode(items)


VIEWS = ("overview", "direction", "area", "survey")


def from_query(ds: Dataset, query: str) -> tuple[Filters, list[str]]:
    """Filters from a URL query string, and Japanese notes on the parts that were ignored.

    Unknown or wrong values never break the page: they fall back to the default and are reported.
    """
    params = {k: v[-1] for k, v in parse_qs(query.lstrip("?")).items()}
    filters, notes = Filters(), []
    if "direction" in params:
        raw = unicodedata.normalize("NFKC", params["direction"]).strip()
        if raw.isdigit() and int(raw) in ds.directions.index:
            filters = filters.with_(direction=int(raw))
        elif raw not in ("", "0", "all", "全体"):
            notes.append(f"取組方向「{raw}」はありません（1〜{len(ds.directions)}）。")
    if "area" in params:
        code = find_area(ds, params["area"])
        if code is None:
            notes.append(f"地域「{params['area']}」が見つかりません。")
        else:
            filters = filters.with_(area=code)
    years = sorted(int(y) for y in ds.history["fy"].unique())
    for key, field in (("from", "fy_from"), ("to", "fy_to")):
        if key in params:
            try:
                fy = parse_fy(params[key])
            except FiscalYearError as error:
                notes.append(str(error))
                continue
            clamped = min(max(fy, years[0]), years[-1])
            if clamped != fy:
                notes.append(
                    f"年度「{params[key]}」はデータの範囲（{format_fy(years[0])}〜{format_fy(years[-1])}）の外のため、{format_fy(clamped)}にしました。"
                )
            filters = filters.with_(**{field: clamped})
    if filters.fy_from and filters.fy_to and filters.fy_from > filters.fy_to:
        filters = filters.with_(fy_from=filters.fy_to, fy_to=filters.fy_from)
    if params.get("lang") in ("ja", "en"):
        filters = filters.with_(lang=params["lang"])
    if params.get("view") in VIEWS:
        filters = filters.with_(view=params["view"])
    if "meeting" in params:
        meetings = set(ds.opinions["meeting"]) if not ds.opinions.empty else set()
        if params["meeting"] in meetings:
            filters = filters.with_(meeting=params["meeting"])
        else:
            notes.append(f"会議「{params['meeting']}」の意見はありません。")
    return filters, notes
