"""Word-sized trend lines as inline SVG: dozens per page cost nothing to draw, unlike a figure each."""

from __future__ import annotations

from collections.abc import Sequence


def sparkline_svg(
    xs: Sequence[float],
    ys: Sequence[float],
    *,
    colour: str = "#0072B2",
    width: int = 96,
    height: int = 24,
    low: float | None = None,
    high: float | None = None,
) -> str:
    """A small polyline of ``ys`` over ``xs`` with the last point dotted; empty text for < 2 points."""
    if len(ys) < 2:
        return ""
    lo = min(ys) if low is None else low
    hi = max(ys) if high is None else high
    span_y = (hi - lo) or 1.0
    span_x = (max(xs) - min(xs)) or 1.0
    pad = 3
    points = [
        (
            pad + (x - min(xs)) / span_x * (width - 2 * pad),
            height - pad - (y - lo) / span_y * (height - 2 * pad),
        )
        for x, y in zip(xs, ys, strict=True)
    ]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    last_x, last_y = points[-1]
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" aria-hidden="true">'
        f'<polyline fill="none" stroke="{colour}" stroke-width="1.6" points="{path}"/>'
        f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.4" fill="{colour}"/></svg>'
    )
