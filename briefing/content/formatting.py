"""How numbers read in the interface: units, 5未満 suppression, signed changes, 参考値.

Every view and the exported briefing format through here, so a value never reads one way on the
screen and another on paper.
"""

from __future__ import annotations

import pandas as pd

from ..labels import text
from ..stats.suppression import COMPLEMENT, partial_counts


#: Changes of shares are in percentage points, not per cent.
def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))  # type: ignore[arg-type]


def number(value: float, kind: str) -> str:
    """4521 → "4,521"; 72.9 → "72.9" (shares keep one decimal)."""
    if kind == "share":
        return f"{value:.1f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def value_text(
    value: object,
    *,
    kind: str,
    unit: str = "",
    suppressed: str = "",
    threshold: int = 5,
    lang: str = "ja",
) -> str:
    """A value as people read it: "402件", "74.3%", "5未満", "秘匿", "創設済", "－", or
    「一部の市町のみ（27/29 市町）」 for a sum that lacks some towns.

    ``suppressed`` is why the value is withheld (:mod:`briefing.stats.suppression`), "" when shown.
    """
    if suppressed == COMPLEMENT:
        return text("withheld", lang)
    if (partial := partial_counts(suppressed)) is not None:
        return text("partial", lang, n=partial[0], m=partial[1])
    if suppressed:
        return text("suppressed", lang, n=threshold)
    if _missing(value):
        return text("none", lang)
    v = float(value)  # type: ignore[arg-type]
    if kind == "milestone":
        return text("established" if v >= 1 else "not_established", lang)
    if unit and unit != "%":
        return text("with_unit", lang, number=number(v, kind), unit=unit)
    return f"{number(v, kind)}{unit}"


def change_text(change: object, pct: object = None, *, kind: str, lang: str = "ja") -> str:
    """A signed change, with the per cent in brackets: "+127（+46.2%）"; shares in points."""
    if _missing(change) or kind == "milestone":
        return text("none", lang)
    c = float(change)  # type: ignore[arg-type]
    if kind == "share":
        return f"{c:+.1f}{text('points', lang)}"
    body = f"{c:+,.0f}" if c.is_integer() else f"{c:+,.1f}"
    if not _missing(pct):
        body += text("parenthesised", lang, body=f"{float(pct):+.1f}%")  # type: ignore[arg-type]
    return body


def share_text(
    share: float,
    low: float,
    high: float,
    n: int,
    *,
    level: str,
    reference: bool,
    protects: bool = False,
    lang: str = "ja",
    n_eff: float | None = None,
) -> str:
    """A survey share with its interval at ``level`` ("95%") and n: "40.1%（95%信頼区間 38.7〜41.4、n=4,932）".

    A weighted share (``n_eff``, Kish's effective sample size, given) says so and shows both sizes:
    "40.1%（加重、95%信頼区間 38.6〜41.6、n=4,932、有効n=3,870）".
    A hidden share says why: too few respondents, or (``protects``) it would give such a group away.
    """
    if _missing(share) and protects:
        return text("group_protects", lang, n=f"{n:,}")
    if _missing(share):
        return text("group_small", lang, n=f"{n:,}")
    body = text(
        "share_interval" if _missing(n_eff) else "share_interval_weighted",
        lang,
        share=f"{share:.1f}",
        level=level,
        low=f"{low:.1f}",
        high=f"{high:.1f}",
        n=f"{n:,}",
        n_eff="" if _missing(n_eff) else f"{float(n_eff):,.0f}",  # type: ignore[arg-type]
    )
    if reference:
        body += f" {text('reference', lang)}"
    return body
