"""What each view shows, as plain data ready for a template: the one place that decides content.

The dashboard and the exported briefing both render these objects, so a value, a 5未満 or a
参考値 appears the same way on screen and on paper. Charts are drawn through a
:class:`~briefing.figcache.FigureCache` and handed over as bytes (PNG) or text (SVG).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

import pandas as pd

from . import charts
from .config import Settings
from .dataset import PREFECTURE, Dataset
from .figcache import FigureCache
from .filters import Filters
from .fiscal import format_fy
from .formatting import change_text, share_text, value_text
from .labels import KIND, group_label, text
from .sparkline import sparkline_svg
from .statistics import area_history, has_breakdown, summarise
from .suppression import COMPLEMENT, Suppression, suppression
from .surveys import survey_shares

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class Chart:
    """An embedded chart: ``src`` is a data: URL (PNG) or ``svg`` inline markup, with alt text."""

    alt: str
    src: str = ""
    svg: str = ""


@dataclass(frozen=True)
class SeriesLine:
    label: str
    latest: str
    latest_fy: str
    provisional: bool
    vs_baseline: str
    vs_previous: str
    baseline: str
    comment: str
    sample: bool
    spark: str


@dataclass(frozen=True)
class IndicatorCard:
    id: str
    direction: int
    name: str
    unit: str
    kind: str  # count | share | stock | milestone
    kind_label: str
    counting: str
    agency: str
    note: str
    available: bool
    lines: list[SeriesLine]
    source: str = ""
    table: pd.DataFrame | None = None
    chart: Chart | None = None
    #: for an area without a breakdown: the prefecture's lines, shown as a reference
    prefecture_lines: list[SeriesLine] = field(default_factory=list)


@dataclass(frozen=True)
class GoalCard:
    id: str
    name: str
    scope: str
    latest: str
    latest_fy: str
    reference: bool
    change: str
    target: str
    spark: str
    table: pd.DataFrame
    chart: Chart | None = None


@dataclass(frozen=True)
class Comparison:
    """Areas side by side for one series of a regional indicator."""

    card: IndicatorCard
    series_label: str
    fy: str
    table: pd.DataFrame
    chart: Chart | None
    note: str = ""


@dataclass(frozen=True)
class SurveyPanel:
    title: str
    table: pd.DataFrame
    chart: Chart | None
    note: str = ""


@dataclass
class Builder:
    """Builds view content for one dataset and settings; charts as ``png`` (screen) or ``svg`` (print)."""

    ds: Dataset
    settings: Settings = field(default_factory=Settings)
    fmt: str = "png"
    cache: FigureCache | None = None
    withheld: Suppression = field(init=False)

    def __post_init__(self) -> None:
        if self.cache is None:
            self.cache = FigureCache(self.settings.cache_dir, self.ds.version)
        self.withheld = suppression(self.ds, self.settings.suppress_below)
        self._histories: dict[str, pd.DataFrame] = {}
        self._summaries: dict[tuple[str, int], pd.DataFrame] = {}

    def history(self, area: str) -> pd.DataFrame:
        """``area_history`` of ``area``, computed once per builder (the dataset never changes):
        every view, and every area of an export, asks for the same few areas again."""
        if area not in self._histories:
            self._histories[area] = area_history(self.ds, area)
        return self._histories[area]

    def _summary(self, area: str, until: int) -> pd.DataFrame:
        if (area, until) not in self._summaries:
            self._summaries[area, until] = summarise(
                self.ds,
                area,
                threshold=self.settings.suppress_below,
                until=until,
                withheld=self.withheld,
                history=self.history(area),
            ).set_index("series")
        return self._summaries[area, until]

    # ---- naming -------------------------------------------------------------------------
    def area_name(self, code: str, lang: str) -> str:
        return str(self.ds.areas.at[code, "name_ja" if lang == "ja" else "name_en"])

    def direction_name(self, direction: int, lang: str) -> str:
        name = self.ds.directions.at[direction, "name_ja" if lang == "ja" else "name_en"]
        return f"{direction} {name}" if lang == "ja" else f"{direction}. {name}"

    def directions(self, filters: Filters) -> list[int]:
        return (
            [filters.direction] if filters.direction else [int(d) for d in self.ds.directions.index]
        )

    def years(self, filters: Filters) -> tuple[int, int]:
        """The fiscal-year range of ``filters``, open ends filled from the data."""
        years = self.ds.history["fy"]
        return (filters.fy_from or int(years.min()), filters.fy_to or int(years.max()))

    def has_sample(self) -> bool:
        return bool(self.ds.history["sample"].any() or self.ds.surveys["sample"].any())

    # ---- monitoring indicators ----------------------------------------------------------
    def indicator_cards(
        self, filters: Filters, *, detail: bool = False, table_only: bool = False
    ) -> dict[int, list[IndicatorCard]]:
        """Cards per direction for the filters: latest values and changes, plus chart and table
        when ``detail`` (the direction view and the briefing)."""
        lang = filters.lang
        lo, hi = self.years(filters)
        summary = self._summary(filters.area, hi)
        history = self.history(filters.area)
        history = history[history["fy"].between(lo, hi)]
        history = history.assign(suppressed=self.withheld.column(history, filters.area))
        result: dict[int, list[IndicatorCard]] = {}
        indicators = self.ds.indicators
        # indicators without a breakdown show the prefecture's value, labelled as such
        prefecture: dict[str, list[SeriesLine]] = {}
        if filters.area != PREFECTURE:
            for cards in self.indicator_cards(filters.with_(area=PREFECTURE)).values():
                prefecture |= {c.id: c.lines for c in cards}
        for direction in self.directions(filters):
            cards = []
            for ind in indicators[indicators["direction"] == direction].itertuples():
                series = self.ds.series[self.ds.series["indicator"] == ind.id]
                available = all(has_breakdown(self.ds, s, filters.area) for s in series.index)
                lines = (
                    [
                        self._line(summary.loc[s], history[history["series"] == s], filters)
                        for s in series.index
                    ]
                    if available
                    else []
                )
                card = IndicatorCard(
                    id=ind.id,
                    direction=direction,
                    name=ind.name_ja if lang == "ja" else ind.name_en,
                    unit=str(ind.unit_ja if lang == "ja" else ind.unit_en)
                    if pd.notna(ind.unit_ja)
                    else "",
                    kind=ind.kind,
                    kind_label=KIND[lang][ind.kind],
                    counting=("延べ" if ind.counting == "延べ" else "実数")
                    if lang == "ja" and pd.notna(ind.counting)
                    else (
                        ("total contacts" if ind.counting == "延べ" else "distinct cases")
                        if pd.notna(ind.counting)
                        else ""
                    ),
                    agency=ind.agency,
                    note=ind.note if pd.notna(ind.note) else "",
                    available=available,
                    prefecture_lines=[] if available else prefecture.get(ind.id, []),
                    lines=lines,
                    source=self._sources(history[history["series"].isin(series.index)]),
                )
                if detail and available:
                    card = self._detail(card, series, history, filters, chart=not table_only)
                cards.append(card)
            result[direction] = cards
        return result

    def _line(self, row: pd.Series, values: pd.DataFrame, filters: Filters) -> SeriesLine:
        lang, kind, threshold = filters.lang, row["kind"], self.settings.suppress_below
        unit = self.ds.series.at[row.name, f"unit_{lang}"]
        label = self.ds.series.at[row.name, f"label_{lang}"]
        latest_fy = (
            format_fy(int(row["latest_fy"]), lang=lang) if pd.notna(row["latest_fy"]) else ""
        )
        has_base = pd.notna(row["baseline_value"])
        baseline = (
            value_text(
                row["baseline_value"],
                kind=kind,
                unit=unit,
                suppressed=row["baseline_suppressed"],
                threshold=threshold,
                lang=lang,
            )
            + f"（{format_fy(int(row['baseline_fy']), lang=lang)}"
            + (f"・{text('sample', lang)}" if row["baseline_sample"] else "")
            + "）"
            if has_base
            else text("no_baseline", lang)
        )
        shown = values[values["suppressed"] == ""]
        return SeriesLine(
            label="" if pd.isna(label) else str(label),
            latest=value_text(
                row["latest"],
                kind=kind,
                unit=unit,
                suppressed=row["latest_suppressed"],
                threshold=threshold,
                lang=lang,
            ),
            latest_fy=latest_fy,
            provisional=row["status"] == "速報",
            vs_baseline=change_text(
                row["change_baseline"], row["change_baseline_pct"], kind=kind, lang=lang
            )
            if has_base
            else "－",
            vs_previous=change_text(
                row["change_previous"], row["change_previous_pct"], kind=kind, lang=lang
            ),
            baseline=baseline,
            comment=str(row["comment"]) if pd.notna(row["comment"]) else "",
            sample=bool(row["sample"]) if pd.notna(row["sample"]) else False,
            spark=sparkline_svg(
                list(shown["fy"]), list(shown["value"]), colour=self.settings.palette[0]
            ),
        )

    def _sources(self, rows: pd.DataFrame) -> str:
        return "／".join(dict.fromkeys(s for s in rows["source"] if isinstance(s, str) and s))

    def _detail(
        self,
        card: IndicatorCard,
        series: pd.DataFrame,
        history: pd.DataFrame,
        filters: Filters,
        *,
        chart: bool,
    ) -> IndicatorCard:
        lang, threshold = filters.lang, self.settings.suppress_below
        rows = history[history["series"].isin(series.index)]
        labels = {
            s: (
                series.at[s, f"label_{lang}"]
                if pd.notna(series.at[s, f"label_{lang}"])
                else card.name
            )
            for s in series.index
        }
        wide = {}
        for s in series.index:
            part = rows[rows["series"] == s]
            unit, kind = series.at[s, f"unit_{lang}"], series.at[s, "kind"]
            wide[labels[s]] = {
                format_fy(int(r.fy), lang=lang): value_text(
                    r.value,
                    kind=kind,
                    unit=unit,
                    suppressed=r.suppressed,
                    threshold=threshold,
                    lang=lang,
                )
                + (f"（{text('provisional', lang)}）" if r.status == "速報" else "")
                for r in part.itertuples()
            }
        table = pd.DataFrame(wide).rename_axis("年度" if lang == "ja" else "FY").reset_index()
        hidden = rows[rows["suppressed"] != ""]
        withheld = bool((hidden["suppressed"] == COMPLEMENT).any())
        what = f"{threshold}未満" + ("・秘匿" if withheld else "")
        note = (
            (
                f"{what}の値はグラフに表示していません（{len(hidden)}件）"
                if lang == "ja"
                else f"values withheld or under {threshold} not plotted ({len(hidden)})"
            )
            if len(hidden)
            else ""
        )
        figure = None
        if chart and card.kind != "milestone":
            figure = self._trend_chart(
                card, series, rows[rows["suppressed"] == ""], labels, filters, note
            )
        card_note = " ".join(
            filter(None, [card.note, text("withheld_note", lang, n=threshold) if withheld else ""])
        )
        return IndicatorCard(
            **{**card.__dict__, "table": table, "chart": figure, "note": card_note}
        )

    def _trend_chart(
        self,
        card: IndicatorCard,
        series: pd.DataFrame,
        rows: pd.DataFrame,
        labels: dict[str, str],
        filters: Filters,
        note: str,
    ) -> Chart:
        lang = filters.lang
        values = pd.DataFrame(
            {
                "fy": rows["fy"],
                "value": rows["value"],
                "label": rows["series"].map(labels),
                "provisional": rows["status"] == "速報",
            }
        )
        base = series[series["baseline_value"].notna()]
        baseline = None
        if filters.area == PREFECTURE and len(base):
            lo, hi = self.years(filters)
            base = base[base["baseline_fy"].between(lo, hi)]
            baseline = pd.DataFrame(
                {
                    "label": [labels[s] for s in base.index],
                    "fy": base["baseline_fy"].astype(int),
                    "value": base["baseline_value"],
                }
            )
        unit = card.unit
        key = {
            "chart": "trend",
            "id": card.id,
            "filters": [filters.area, *self.years(filters), lang],
            "fmt": self.fmt,
            "s": self.settings.suppress_below,
        }
        alt = self._trend_alt(card, values, lang)

        draw = partial(
            charts.trend_figure,
            values,
            unit=unit,
            baseline=baseline,
            lang=lang,
            settings=self.settings,
            note=note,
        )
        return self._chart(key, draw, alt)

    def _chart(self, key: dict[str, object], figure: Callable[[], Figure], alt: str) -> Chart:
        """The chart for ``key`` from the cache, drawn with ``figure`` (and encoded) when missing.

        ``figure`` is a picklable ``partial`` of a chart function, so the export can hand it to
        worker processes.
        """
        assert self.cache is not None
        data = self.cache.get(key, partial(_encoded, figure, self.fmt), suffix=self.fmt)
        if self.fmt == "svg":
            return Chart(alt=alt, svg=data.decode())
        return Chart(alt=alt, src="data:image/png;base64," + base64.b64encode(data).decode())

    @staticmethod
    def _trend_alt(card: IndicatorCard, values: pd.DataFrame, lang: str) -> str:
        parts = []
        for label, part in values.groupby("label", sort=False):
            part = part.sort_values("fy")
            if len(part):
                first, last = part.iloc[0], part.iloc[-1]
                parts.append(
                    f"{label}: {format_fy(int(first.fy), lang=lang)} {first.value:g} → {format_fy(int(last.fy), lang=lang)} {last.value:g}"
                )
        head = f"{card.name}の推移" if lang == "ja" else f"Trend of {card.name}"
        return head + ("。" if lang == "ja" else ". ") + "; ".join(parts)

    # ---- areas side by side -------------------------------------------------------------
    def comparisons(self, filters: Filters) -> tuple[list[Comparison], list[IndicatorCard]]:
        """Regional indicators compared across the areas under (or beside) the chosen area, and
        the indicators that have no regional breakdown, to be named as such."""
        areas = self.ds.areas
        level = areas.at[filters.area, "level"]
        if level == "prefecture":
            codes, highlight = list(areas.index[areas["level"] == "region"]), None
        elif level == "region":
            codes, highlight = list(areas.index[areas["region"] == filters.area]), None
        else:
            region = areas.at[filters.area, "region"]
            codes, highlight = list(areas.index[areas["region"] == region]), filters.area
        lo, hi = self.years(filters)
        cards = self.indicator_cards(filters.with_(area=PREFECTURE))
        result, without = [], []
        # per area, per series: each lookup below touches only its own rows
        frames = {code: dict(tuple(self.history(code).groupby("series"))) for code in codes}
        for direction_cards in cards.values():
            for card in direction_cards:
                series = self.ds.series[self.ds.series["indicator"] == card.id]
                if (series["breakdown"] == "none").all():
                    without.append(card)
                    continue
                for s in series.index:
                    result.append(
                        self._comparison(card, s, codes, frames, (lo, hi), highlight, filters)
                    )
        return result, without

    def _comparison(self, card, s, codes, frames, years, highlight, filters) -> Comparison:  # type: ignore[no-untyped-def]
        lang, threshold = filters.lang, self.settings.suppress_below
        kind = self.ds.series.at[s, "kind"]
        unit = self.ds.series.at[s, f"unit_{lang}"]
        rows = []
        fy = None
        parts: list[pd.DataFrame | None] = [frames[code].get(s) for code in codes]
        for part in parts:
            if part is not None and part["fy"].between(*years).any():
                fy = max(fy or 0, int(part.loc[part["fy"].between(*years), "fy"].max()))
        for code, part in zip(codes, parts, strict=True):
            hit = part.loc[part["fy"] == fy, "value"] if part is not None else pd.Series()
            value = float(hit.iloc[0]) if len(hit) else float("nan")
            why = self.withheld.reason(s, fy, code) if fy else ""
            rows.append(
                {
                    "label": self.area_name(code, lang),
                    "value": value,
                    "suppressed": why != "",
                    "shown": value_text(
                        value,
                        kind=kind,
                        unit=unit,
                        suppressed=why,
                        threshold=threshold,
                        lang=lang,
                    ),
                    "why": why,
                }
            )
        table = pd.DataFrame(rows)
        label = self.ds.series.at[s, f"label_{lang}"]
        label = "" if pd.isna(label) else str(label)
        fy_text = format_fy(fy, lang=lang) if fy else ""
        title = f"{card.name}{'（' + label + '）' if label else ''} {fy_text}"
        highlight_name = self.area_name(highlight, lang) if highlight else None
        key = {
            "chart": "bars",
            "series": s,
            "codes": codes,
            "fy": fy,
            "lang": lang,
            "hl": highlight,
            "fmt": self.fmt,
            "s": threshold,
        }
        alt = title + ": " + "、".join(f"{r['label']} {r['shown']}" for r in rows)

        draw = partial(
            charts.bar_figure,
            table,
            unit=unit,
            lang=lang,
            settings=self.settings,
            highlight=highlight_name,
        )

        shown = table[["label", "shown"]].rename(
            columns={"label": "地域" if lang == "ja" else "Area", "shown": fy_text}
        )
        withheld = any(r["why"] == COMPLEMENT for r in rows)
        return Comparison(
            card=card,
            series_label=label,
            fy=fy_text,
            table=shown,
            chart=self._chart(key, draw, alt) if fy else None,
            note=text("withheld_note", lang, n=threshold) if withheld else "",
        )

    # ---- plan-wide goals and surveys ----------------------------------------------------
    def _survey_regions(self, filters: Filters) -> tuple[list[str] | None, str]:
        level = self.ds.areas.at[filters.area, "level"]
        if level == "prefecture":
            return None, text("prefecture", filters.lang)
        region = filters.area if level == "region" else self.ds.areas.at[filters.area, "region"]
        name = self.area_name(region, filters.lang)
        if level == "municipality":
            scope = (
                f"{name}の回答者（調査は地域単位）"
                if filters.lang == "ja"
                else f"respondents in {name} (surveys are by region)"
            )
        else:
            scope = f"{name}の回答者" if filters.lang == "ja" else f"respondents in {name}"
        return [region], scope

    def goal_cards(self, filters: Filters, *, charts_too: bool = False) -> list[GoalCard]:
        lang, s = filters.lang, self.settings
        regions, scope = self._survey_regions(filters)
        cards = []
        for goal in self.ds.goals.itertuples():
            shares = survey_shares(
                self.ds.surveys,
                goal.id,
                regions=regions,
                small_n=s.small_sample_n,
                hide_below=s.suppress_below,
                confidence=s.confidence,
            )
            if filters.fy_from or filters.fy_to:
                shares = shares[shares["fy"].between(*self.years(filters))]
            if not len(shares):
                continue
            last, first = shares.iloc[-1], shares.iloc[0]
            change = change_text(last["share"] - first["share"], kind="share", lang=lang) + (
                f"（{format_fy(int(first['fy']), lang=lang)}から）"
                if lang == "ja"
                else f" (since FY{int(first['fy'])})"
            )
            target = (
                f"{goal.target_value:g}%（{format_fy(int(goal.target_fy), lang=lang)}）"
                if pd.notna(goal.target_value)
                else (
                    "目標値: 未入力（正式な目標値が決まれば data/catalog.csv に入力）"
                    if lang == "ja"
                    else "Target: not entered"
                )
            )
            table = pd.DataFrame(
                {
                    ("年度" if lang == "ja" else "FY"): [
                        format_fy(int(f), lang=lang) for f in shares["fy"]
                    ],
                    ("割合（95%信頼区間、回答者数）" if lang == "ja" else "Share (95% CI, n)"): [
                        share_text(
                            r.share, r.low, r.high, int(r.n), reference=bool(r.reference), lang=lang
                        )
                        for r in shares.itertuples()
                    ],
                }
            )
            chart = None
            if charts_too:
                key = {
                    "chart": "goal",
                    "id": goal.id,
                    "regions": regions,
                    "years": list(shares["fy"]),
                    "lang": lang,
                    "fmt": self.fmt,
                }
                alt = f"{goal.name_ja if lang == 'ja' else goal.name_en}: " + "、".join(
                    table.iloc[:, 1]
                )

                draw = partial(
                    charts.goal_figure,
                    shares,
                    target=goal.target_value if pd.notna(goal.target_value) else None,
                    target_fy=int(goal.target_fy) if pd.notna(goal.target_fy) else None,
                    lang=lang,
                    settings=s,
                )
                chart = self._chart(key, draw, alt)
            cards.append(
                GoalCard(
                    id=goal.id,
                    name=goal.name_ja if lang == "ja" else goal.name_en,
                    scope=scope,
                    latest=share_text(
                        last["share"],
                        last["low"],
                        last["high"],
                        int(last["n"]),
                        reference=bool(last["reference"]),
                        lang=lang,
                    ),
                    latest_fy=format_fy(int(last["fy"]), lang=lang),
                    reference=bool(last["reference"]),
                    change=change,
                    target=target,
                    spark=sparkline_svg(
                        list(shares["fy"]),
                        list(shares["share"]),
                        colour=s.palette[0],
                        low=0,
                        high=100,
                    ),
                    table=table,
                    chart=chart,
                )
            )
        return cards

    def survey_panels(self, filters: Filters) -> list[SurveyPanel]:
        """G1 by region and by age band, G2 by agency type and by region, for the latest year in range."""
        lang, s = filters.lang, self.settings
        regions, scope = self._survey_regions(filters)
        lo, hi = self.years(filters)
        panels = []
        plan = [
            ("G1", "region", None, "地域別" if lang == "ja" else "by region"),
            (
                "G1",
                "group",
                regions,
                ("年代別" if lang == "ja" else "by age band") + f"（{scope}）",
            ),
            (
                "G2",
                "group",
                regions,
                ("機関の種類別" if lang == "ja" else "by agency type") + f"（{scope}）",
            ),
            ("G2", "region", None, "地域別" if lang == "ja" else "by region"),
        ]
        for survey, by, where, subtitle in plan:
            shares = survey_shares(
                self.ds.surveys,
                survey,
                by=by,
                regions=where,
                years=(lo, hi),
                small_n=s.small_sample_n,
                hide_below=s.suppress_below,
                confidence=s.confidence,
            )
            if not len(shares):
                continue
            fy = int(shares["fy"].max())
            shares = shares[shares["fy"] == fy]
            names = (
                shares[by].map(lambda c: self.area_name(c, lang))
                if by == "region"
                else shares[by].map(lambda g: group_label(g, lang))
            )
            shares = shares.assign(label=names.to_numpy())
            goal = self.ds.catalog.loc[survey]
            title = f"{survey} {goal.name_ja if lang == 'ja' else goal.name_en} — {subtitle} {format_fy(fy, lang=lang)}"
            table = pd.DataFrame(
                {
                    ("区分" if lang == "ja" else "Group"): shares["label"],
                    ("割合（95%信頼区間、回答者数）" if lang == "ja" else "Share (95% CI, n)"): [
                        share_text(
                            r.share, r.low, r.high, int(r.n), reference=bool(r.reference), lang=lang
                        )
                        for r in shares.itertuples()
                    ],
                }
            )
            key: dict[str, object] = {
                "chart": "shares",
                "survey": survey,
                "by": by,
                "where": where,
                "fy": fy,
                "lang": lang,
                "fmt": self.fmt,
                "n": s.small_sample_n,
            }
            alt = (
                title
                + ": "
                + "、".join(
                    f"{a} {b}" for a, b in zip(table.iloc[:, 0], table.iloc[:, 1], strict=True)
                )
            )

            draw = partial(charts.share_figure, shares, lang=lang, settings=s)

            n_ref = int(shares["reference"].sum())
            note = (
                (
                    f"回答者が{s.small_sample_n}人未満の区分（{n_ref}）は参考値です。"
                    if lang == "ja"
                    else f"{n_ref} groups with n < {s.small_sample_n} are indicative only."
                )
                if n_ref
                else ""
            )
            panels.append(
                SurveyPanel(
                    title=title,
                    table=table.reset_index(drop=True),
                    chart=self._chart(key, draw, alt),
                    note=note,
                )
            )
        return panels


def _encoded(figure: Callable[[], Figure], fmt: str) -> bytes:
    fig = figure()
    return charts.to_svg(fig).encode() if fmt == "svg" else charts.to_png(fig)
