"""Figures for the dashboard and the briefing: seaborn on plain matplotlib Figures, Japanese font.

Chart functions take tidy DataFrames and return a :class:`matplotlib.figure.Figure` (no pyplot
state, so kernels and threads never share a current figure). Monitoring indicators get no target
lines or pass/fail colours: only the values, the plan's baseline, and 速報 / 5未満 marks.
"""

from __future__ import annotations

import io
import re
import textwrap
from functools import cache
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..config import Settings
from ..data.fiscal import format_fy
from ..labels import text

#: Characters per line of a survey group's label: 18 kanji fill the space 34 letters do.
_WRAP = {"ja": 18, "en": 34}

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.figure import Figure


@cache
def prepare() -> None:
    """Import matplotlib and seaborn and set the style, once per process.

    The first chart drawn calls it, so a kernel whose charts all come from the figure cache (all
    but the first member to open a view) never pays these imports: ~0.4 s of CPU when a
    committee's pages start at once, and ~30 MB in each of some twenty kernels. seaborn's theme
    goes first: set_theme resets the font to which IPAexGothic is then added.
    """
    import matplotlib

    matplotlib.use("agg")
    import matplotlib_fontja
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook", font_scale=1.05)
    matplotlib_fontja.japanize()
    matplotlib.rcParams.update(
        {
            "svg.hashsalt": "mie-briefing",
            "svg.fonttype": "path",
            "axes.titlesize": 12,  # not bold: IPAexGothic has no bold face
        }
    )


def _figure(settings: Settings, height: float | None = None) -> Figure:
    prepare()
    from matplotlib.figure import Figure

    width, default_height = settings.figure_size
    return Figure(figsize=(width, height or default_height))


def _text_size(text: str, fontsize: float | str) -> tuple[float, float]:
    """Width (the widest line's) and height (all lines') of ``text`` in points, as the PNG
    renderer lays it out (a little wider than the SVG one): no figure and no layout pass."""
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(size=fontsize)
    boxes = [_ruler().get_text_width_height_descent(line, prop, False) for line in text.split("\n")]
    return max(w for w, _, _ in boxes), sum(h for _, h, _ in boxes) * 1.2


@cache
def _ruler() -> RendererAgg:
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(1, 1, 72)  # 72 dpi: pixels are points


def _fit(fig: Figure, ax: Axes, *, note: str = "") -> None:
    """Margins that just hold the tick labels, axis labels, title and note (wrapped to the
    figure's width), from their measured text sizes.

    matplotlib's constrained layout would find the same margins by laying out every artist
    twice before the real draw: 40% of a figure's time, which a cold export of 27 figures and a
    committee's first filter changes both wait for. Everything else a chart draws stays inside
    the axes (legends, value labels, annotations), so these texts are all that needs room.
    """
    from matplotlib import rcParams

    def ticks(axis: object, fontsize: float | str) -> list[tuple[float, float]]:
        low, high = sorted(axis.get_view_interval())  # type: ignore[attr-defined]
        locs = [x for x in axis.get_majorticklocs() if low <= x <= high]  # type: ignore[attr-defined]
        labels = axis.get_major_formatter().format_ticks(locs)  # type: ignore[attr-defined]
        return [_text_size(label, fontsize) for label in labels if label] or [(0.0, 0.0)]

    width, height = (72 * x for x in fig.get_size_inches())
    pad = 5.0  # points, between the figure's edge and any text
    tick_gap = rcParams["xtick.major.size"] + rcParams["xtick.major.pad"]
    x_ticks = ticks(ax.xaxis, rcParams["xtick.labelsize"])
    y_ticks = ticks(ax.yaxis, rcParams["ytick.labelsize"])
    label_size = rcParams["axes.labelsize"]
    left = pad + tick_gap + max(w for w, _ in y_ticks)
    if ax.get_ylabel():
        left += _text_size(ax.get_ylabel(), label_size)[1] + rcParams["axes.labelpad"]
    bottom = pad + tick_gap + max(h for _, h in x_ticks)
    if ax.get_xlabel():
        bottom += _text_size(ax.get_xlabel(), label_size)[1] + rcParams["axes.labelpad"]
    if note:
        note = textwrap.fill(note, width=int((width - 2 * pad) / 8))  # a kanji is 1 em (8 pt)
        bottom += _text_size(note, 8)[1] + 2
        fig.text(pad / width, pad / height, note, fontsize=8, color="0.3")
    top = pad + max(h for _, h in y_ticks) / 2  # the highest tick label sticks out by half
    title = ax.get_title(loc="left") or ax.get_title()
    if title:
        top += _text_size(title, rcParams["axes.titlesize"])[1]
        top += rcParams["axes.titlepad"]
    right = pad + x_ticks[-1][0] / 2  # and the rightmost one by half its width
    fig.subplots_adjust(
        left=min(left / width, 0.6),
        right=1 - right / width,
        bottom=bottom / height,
        top=max(1 - top / height, bottom / height + 0.2),
    )


def _numbers(axis: object) -> None:
    """Counts as 1,234,567 (not 1.2 with an offset "1e6" in the corner), fractions as they are."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.10g}"))  # type: ignore[attr-defined]


def _fy_axis(ax: object, years: list[int], lang: str) -> None:
    step = -(-len(years) // 10)  # at most ~10 labels: long histories stay legible and quick to draw
    years = years[::-1][::step][::-1]
    ax.set_xticks(years)  # type: ignore[attr-defined]
    short = [format_fy(y, lang=lang, short=True) for y in years]
    ax.set_xticklabels(short)  # type: ignore[attr-defined]
    ax.set_xlabel(text("fy_axis", lang))  # type: ignore[attr-defined]


def trend_figure(
    values: pd.DataFrame,
    *,
    unit: str,
    baseline: pd.DataFrame | None = None,
    lang: str = "ja",
    settings: Settings | None = None,
    note: str = "",
    plan: tuple[int, int] | None = None,
) -> Figure:
    """A line per series over fiscal years, the plan's baseline marked, 速報 points hollow,
    sample points crossed, the plan period (``plan``: first and last year) shaded.

    ``values`` has columns fy, value, label, provisional (bool) and sample (bool); suppressed
    values are left out by the caller and named in ``note``. ``baseline`` has label, fy, value.
    """
    settings = settings or Settings()
    fig = _figure(settings)
    ax = fig.subplots()
    if plan is not None:
        word = text("plan_period", lang)
        ax.axvspan(plan[0] - 0.5, plan[1] + 0.5, color="0.9", zorder=0, linewidth=0, label=word)
    labels = list(dict.fromkeys(values["label"]))
    palette = dict(zip(labels, settings.palette, strict=False))
    if len(values):
        _trend_points(ax, values, labels, palette, lang)
    if baseline is not None:
        _baseline_marks(ax, baseline, palette, settings.palette[0], lang)
    if values["provisional"].any():
        word = text("provisional_legend", lang)
        ax.scatter([], [], s=50, facecolor="white", edgecolor="0.3", linewidth=1.8, label=word)
    years = sorted(set(values["fy"]) | (set(baseline["fy"]) if baseline is not None else set()))
    if years:
        _fy_axis(ax, years, lang)
    ax.set_ylabel(unit)
    ax.set_ylim(0, 100) if unit == "%" else ax.set_ylim(bottom=0)
    _numbers(ax.yaxis)
    if plan is not None and years:  # the shading must not widen the chosen years
        ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower right", fontsize=9, frameon=True)
    _fit(fig, ax, note=note)
    return fig


def _trend_points(
    ax: Axes, values: pd.DataFrame, labels: list[str], palette: dict[str, str], lang: str
) -> None:
    """A plain line per series; 速報 points hollow, sample points crossed (with its legend)."""
    # one value per series and year: plain lines (seaborn's lineplot would average repeats
    # into a band, and costs five times as much to draw)
    for label in labels:
        part = values[values["label"] == label].sort_values("fy")
        ax.plot(
            part["fy"],
            part["value"],
            marker="o",
            markersize=7,
            markeredgewidth=0.75,
            markeredgecolor="white",
            color=palette[label],
            label=label if len(labels) > 1 else None,
        )
    provisional = values[values["provisional"]]
    if len(provisional):
        ax.scatter(
            provisional["fy"],
            provisional["value"],
            s=60,
            facecolor="white",
            edgecolor=[palette[x] for x in provisional["label"]],
            linewidth=1.8,
            zorder=5,
        )
    sample = values[values["sample"]] if "sample" in values else values.iloc[:0]
    if len(sample):
        ax.scatter(sample["fy"], sample["value"], marker="x", s=22, color="0.15", zorder=7)
        word = text("sample_legend", lang)
        ax.scatter([], [], marker="x", s=22, color="0.15", label=word)


def _baseline_marks(
    ax: Axes, baseline: pd.DataFrame, palette: dict[str, str], default: str, lang: str
) -> None:
    """Each series' baseline as a dotted line and a diamond at its year, with its legend."""
    for row in baseline.itertuples():
        colour = palette.get(row.label, default)
        ax.axhline(row.value, color=colour, linestyle=":", linewidth=1.2, alpha=0.8)
        ax.scatter([row.fy], [row.value], marker="D", s=70, color=colour, zorder=6)
    word = text("baseline_legend", lang)
    ax.plot([], [], linestyle=":", marker="D", color="0.3", label=word)


def bar_figure(
    table: pd.DataFrame,
    *,
    unit: str,
    lang: str = "ja",
    settings: Settings | None = None,
    title: str = "",
    highlight: str | None = None,
) -> Figure:
    """Areas side by side: ``table`` has label, value, shown (text) and suppressed (bool).

    Suppressed areas keep their row with the text 「5未満」 and no bar, so nothing is hidden silently.
    """
    settings = settings or Settings()
    fig = _figure(settings, height=max(2.0, 0.32 * len(table) + 0.9))
    ax = fig.subplots()
    y = range(len(table))
    values = table["value"].where(~table["suppressed"], 0).fillna(0)
    colours = [
        settings.palette[1] if label == highlight else settings.palette[0]
        for label in table["label"]
    ]
    bars = ax.barh(list(y), values, color=colours)
    if "sample" in table and table["sample"].any():  # sample bars hatched, named in a legend
        _hatch_samples(ax, bars, list(table["sample"]), settings.palette[0], lang)
    ax.set_yticks(list(y))
    ax.set_yticklabels(table["label"])
    ax.invert_yaxis()
    for i, (value, shown) in enumerate(zip(values, table["shown"], strict=True)):
        ax.annotate(
            shown, (value, i), xytext=(3, 0), textcoords="offset points", va="center", fontsize=9
        )
    ax.set_xlabel(unit)
    _numbers(ax.xaxis)
    if title:
        ax.set_title(title, loc="left")
    _room_for_labels(fig, ax, values, list(table["shown"]))
    return fig


def _hatch_samples(ax: Axes, bars: Any, samples: list[bool], colour: str, lang: str) -> None:
    """Hatch the sample bars and name the hatching in a legend."""
    for bar, sample in zip(bars, samples, strict=True):
        if sample:
            bar.set_hatch("///")
            bar.set_edgecolor("white")
    from matplotlib.patches import Patch

    word = text("sample_legend", lang)
    key = Patch(facecolor=colour, hatch="///", edgecolor="white", label=word)
    ax.legend(handles=[key], loc="lower right", fontsize=8, frameon=True)


def _room_for_labels(fig: Figure, ax: Axes, values: pd.Series, shown: list[str]) -> None:
    """Room right of every bar for its label, however long the unit: bar + 3 pt + label must fit
    in the plot's width, which depends on the margins, which depend on the axis's last label."""
    right = 1.0
    for _ in range(2):
        ax.set_xlim(0, right)
        _fit(fig, ax)
        room = ax.get_position().width * fig.get_size_inches()[0] * 72
        right = (
            max(
                (
                    value * room / max(room - 8 - _text_size(label, 9)[0], room * 0.3)
                    for value, label in zip(values, shown, strict=True)
                ),
                default=0.0,
            )
            or 1.0
        )
    ax.set_xlim(0, right)


def share_figure(
    shares: pd.DataFrame, *, lang: str = "ja", settings: Settings | None = None, title: str = ""
) -> Figure:
    """Survey shares with 95% intervals as points and whiskers; 参考値 (small n) hollow.

    ``shares`` has label, share, low, high, n, reference.
    """
    settings = settings or Settings()
    ref = text("reference_suffix", lang)
    labels = [  # long agency names wrap (18 kanji take 45% of the width) instead of squeezing the plot
        textwrap.fill(f"{lab}  n={n:,}{ref if r else ''}", _WRAP[lang])
        for lab, n, r in zip(shares["label"], shares["n"], shares["reference"], strict=True)
    ]
    rows = sum(
        0.34 if "\n" not in label else 0.2 * (label.count("\n") + 1) + 0.14 for label in labels
    )
    fig = _figure(settings, height=max(2.0, rows + 1.0))
    ax = fig.subplots()
    y = list(range(len(shares)))
    colour = settings.palette[0]
    ax.hlines(y, shares["low"], shares["high"], color=colour, linewidth=2)
    solid = ~shares["reference"].to_numpy()
    ys = pd.Series(y)
    ax.scatter(shares["share"][solid], ys[solid], s=50, color=colour, zorder=3)
    ax.scatter(
        shares["share"][~solid],
        ys[~solid],
        s=50,
        facecolor="white",
        edgecolor=colour,
        linewidth=1.8,
        zorder=3,
    )
    for row, share in zip(y, shares["share"], strict=True):  # a hidden share says so
        if pd.isna(share):
            ax.text(1, row, text("hidden", lang), va="center", fontsize=8, color="0.3")
    if "sample" in shares and shares["sample"].any():
        sample = shares["sample"].to_numpy()
        ax.scatter(shares["share"][sample], ys[sample], marker="x", s=18, color="0.15", zorder=4)
        word = text("sample_legend", lang)
        ax.scatter([], [], marker="x", s=18, color="0.15", label=word)
        ax.legend(loc="lower right", fontsize=8, frameon=True)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("%")
    if title:
        ax.set_title(title, loc="left")
    _fit(fig, ax)
    return fig


def goal_figure(
    shares: pd.DataFrame,
    *,
    target: float | None = None,
    target_fy: int | None = None,
    lang: str = "ja",
    settings: Settings | None = None,
) -> Figure:
    """A plan-wide goal's share by fiscal year with its 95% interval band, sample years crossed,
    and the official target when staff have entered one (goals may carry targets; monitoring
    indicators never do)."""
    settings = settings or Settings()
    fig = _figure(settings, height=2.6)
    ax = fig.subplots()
    colour = settings.palette[0]
    ax.fill_between(
        shares["fy"], shares["low"], shares["high"], color=colour, alpha=0.18, linewidth=0
    )
    ax.plot(shares["fy"], shares["share"], marker="o", color=colour)
    if "sample" in shares and shares["sample"].any():
        sample = shares[shares["sample"]]
        ax.scatter(sample["fy"], sample["share"], marker="x", s=22, color="0.15", zorder=6)
        word = text("sample_legend", lang)
        ax.scatter([], [], marker="x", s=22, color="0.15", label=word)
        ax.legend(loc="lower right", fontsize=8, frameon=True)
    if target is not None and target_fy is not None:
        ax.scatter([target_fy], [target], marker="*", s=160, color=settings.palette[1], zorder=5)
        high = target > 80  # the label goes left of the star (the plan's last year is the
        # axis's right end), above it unless that would leave the axes
        ax.annotate(
            text("target_mark", lang, value=f"{target:.0f}%"),
            (target_fy, target),
            textcoords="offset points",
            xytext=(-8, -6 if high else 6),
            ha="right",
            va="top" if high else "bottom",
            fontsize=9,
        )
    years = sorted(set(shares["fy"]) | ({target_fy} if target_fy else set()))
    _fy_axis(ax, years, lang)
    ax.set_ylim(0, 100)
    ax.set_ylabel("%")
    _fit(fig, ax)
    return fig


def to_png(fig: Figure, *, dpi: int = 110) -> bytes:
    """PNG bytes for the dashboard (small and quick to send over the widget channel)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def to_svg(fig: Figure) -> str:
    """SVG markup to put inside HTML (no XML prolog) for the printed briefing: sharp on paper,
    text as paths, no dates or random ids."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    # matplotlib's RDF metadata is not valid inside HTML
    return re.sub(r"\s*<metadata>.*?</metadata>", "", svg[svg.index("<svg") :], flags=re.S)


def prefix_ids(svg: str, prefix: str) -> str:
    """``svg`` with every id (and every reference to one) prefixed: matplotlib names the parts of
    every figure alike (figure_1, patch_1, clip paths), and ids must be unique in a page."""
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}\1)", svg)
    return re.sub(r'href="#([^"]+)"', rf'href="#{prefix}\1"', svg)
