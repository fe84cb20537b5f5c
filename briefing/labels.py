"""Interface words in Japanese and English, so views and exports say things the same way."""

from __future__ import annotations

KIND = {
    "ja": {"count": "件数・人数", "share": "割合", "stock": "設置数（年度末）", "milestone": "創設の有無"},
    "en": {"count": "count", "share": "share", "stock": "number in place (year end)", "milestone": "milestone"},
}

TEXT = {
    "ja": {
        "sample_banner": "架空のサンプルデータを含みます。計画の現状値（基準値）以外の数値は実績ではありません。",
        "suppressed": "{n}未満",
        "reference": "参考値",
        "no_breakdown": "この指標には地域別の内訳がありません（県全体の値のみ）",
        "no_baseline": "基準値なし（新規指標）",
        "baseline": "基準値",
        "latest": "最新値",
        "vs_baseline": "基準値から",
        "vs_previous": "前年度から",
        "provisional": "速報",
        "final": "確定",
        "established": "創設済",
        "not_established": "未創設",
        "prefecture": "県全体",
    },
    "en": {
        "sample_banner": "Contains fictitious sample data. Apart from the plan's baselines, figures are not actual results.",
        "suppressed": "<{n}",
        "reference": "indicative",
        "no_breakdown": "No regional breakdown for this indicator (prefecture total only)",
        "no_baseline": "No baseline (new indicator)",
        "baseline": "Baseline",
        "latest": "Latest",
        "vs_baseline": "vs baseline",
        "vs_previous": "vs previous year",
        "provisional": "provisional",
        "final": "final",
        "established": "established",
        "not_established": "not yet established",
        "prefecture": "Whole prefecture",
    },
}


def text(key: str, lang: str = "ja", **values: object) -> str:
    """The interface text ``key`` in ``lang``, with ``values`` filled in."""
    return TEXT[lang][key].format(**values)
