"""What the dashboard's pages show, read back as a reader reads them (for tests on the page).

``cards_on_page`` renders the direction view (the cards with their tables by year, as on screen
and in the briefing) for one area and returns each card's cells as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from briefing.content import Context
from briefing.content.filters import Filters
from briefing.render.html import render_view


@dataclass
class Card:
    """One indicator card as the page shows it: its summary rows and its table by year."""

    id: str
    #: label, latest（year）, baseline（year）, change since the baseline, change since last year
    lines: list[list[str]] = field(default_factory=list)
    #: the table under the card: header (年度, one column per series), then one row per year
    years: list[list[str]] = field(default_factory=list)


class _Cards(HTMLParser):
    """Collects the text of every cell of every ``section.card`` (sparklines and charts left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cards: list[Card] = []
        self._tables = 0  # tables opened so far in the current card
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section" and a.get("class") == "card":
            self.cards.append(Card(id=(a.get("id") or "").removeprefix("ind-")))
            self._tables = 0
        elif not self.cards:
            return
        elif tag == "svg":
            self._svg += 1
        elif tag == "table":
            self._tables += 1
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if not self.cards:
            return
        if tag == "svg":
            self._svg -= 1
        elif tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            card = self.cards[-1]
            (card.lines if self._tables == 1 else card.years).append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._svg:
            self._cell.append(data)


def cards_on_page(ctx: Context, area: str) -> list[Card]:
    """The indicator cards of the direction view (all directions) for ``area``, as rendered."""
    parser = _Cards()
    parser.feed(render_view(ctx, Filters(area=area), "direction", mode="table"))
    parser.close()
    for card in parser.cards:
        card.lines = card.lines[1:]  # the header row
    return parser.cards


def by_year(card: Card, label: str) -> list[str]:
    """The values of one series in the card's table by year, oldest first (years it has)."""
    column = card.years[0].index(label)
    return [row[column] for row in card.years[1:] if row[column] not in ("", "nan")]
