"""Interface words in Japanese and English, so views and exports say things the same way."""

from __future__ import annotations

KIND = {
    "ja": {
        "count": "件数・人数",
        "share": "割合",
        "stock": "設置数（年度末）",
        "milestone": "創設の有無",
    },
    "en": {
        "count": "count",
        "share": "share",
        "stock": "number in place (year end)",
        "milestone": "milestone",
    },
}

TEXT = {
    "ja": {
        "sample_banner": "架空のサンプルデータを含みます。計画の現状値（基準値）以外の数値は実績ではありません。",
        "suppressed": "{n}未満",
        "withheld": "秘匿",
        "withheld_note": "「秘匿」は、{n}未満の値が合計や他の値から逆算されないよう、あわせて伏せた値（{n}以上）です。",
        "partial": "一部の市町のみ（{n}/{m} 市町）",
        "group_small": "非表示（回答者 {n} 人のため）",
        "plan_end": "計画最終年度",
        "plan_end_value": "（{fy}{change}）",
        "trend_alt_extra": "。網掛けは計画期間（{start}〜{end}）、×印は架空のサンプル値",
        "plan_summary": "計画期間のまとめ",
        "plan_summary_lead": "計画期間の終わりの検証のために、各指標の基準値（計画策定時の現状値）と計画最終年度の値を並べます。目標値はないため、良し悪しの判定はしません。",
        "sample_running": "⚠ 架空のサンプル値を含みます",
        "share_interval": "{share}%（{level}信頼区間 {low}〜{high}、n={n}）",
        "share_column": "割合（{level}信頼区間、回答者数）",
        "goal_change_within": "（{since}から。差の{level}信頼区間 {low}〜{high}: 標本誤差の範囲内）",
        "goal_change_beyond": "（{since}から。差の{level}信頼区間 {low}〜{high}）",
        "after_plan": "計画期間後",
        "sample_mark": "＊",
        "sample_note": "＊は架空のサンプル値です。",
        "plan_note": "計画期間は{start}〜{end}です（グラフの網掛け）。",
        "group_protects": "非表示（回答者の少ない区分が逆算されないよう。回答者 {n} 人）",
        "partial_note": "「一部の市町のみ」は、まだ報告のない市町がある年度の合計です。数値としては示さず、変化も計算しません。",
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
        "prefecture_value": "参考: 県全体の値",
        "sample": "サンプル",
        "indicator": "指標",
        "trend": "推移",
        "unit": "単位",
        "kind": "種類",
        "agency": "担当",
        "comment": "担当課コメント",
        "source": "出典",
        "change": "変化",
        "goals": "計画全体の目標",
        "indicators": "取組方向ごとのモニタリング指標",
        "no_targets": "モニタリング指標には目標値を設けていません（計画の方針）。基準値（計画策定時の現状値）からの変化と推移を示します。",
        "no_regional_here": "この取組方向には地域別の内訳がある指標はありません。",
        "without_title": "地域別の内訳がない指標",
        "areas_of": "{name}の内訳",
        "areas_beside": "{name}と同じ地域（{region}）の市町",
        "regions": "地域別（5地域）",
    },
    "en": {
        "sample_banner": "Contains fictitious sample data. Apart from the plan's baselines, figures are not actual results.",
        "suppressed": "<{n}",
        "withheld": "withheld",
        "withheld_note": "“withheld”: a value of {n} or more not shown, so that a value under {n} cannot be worked out from a total and the other values.",
        "partial": "some municipalities only ({n} of {m})",
        "group_small": "hidden (only {n} respondents)",
        "plan_end": "End of plan",
        "plan_end_value": " ({fy}{change})",
        "trend_alt_extra": ". Shaded: the plan period ({start}–{end}); crosses: fictitious sample values",
        "plan_summary": "The plan period in summary",
        "plan_summary_lead": "For the committee's end-of-plan verification: each indicator's baseline (at plan adoption) beside its value in the plan's last year. There are no targets, so nothing is judged met or missed.",
        "sample_running": "Contains fictitious sample values",
        "share_interval": "{share}% ({level} CI {low}–{high}, n={n})",
        "share_column": "Share ({level} CI, n)",
        "goal_change_within": " (since {since}; {level} CI of the difference {low} to {high}: within sampling error)",
        "goal_change_beyond": " (since {since}; {level} CI of the difference {low} to {high})",
        "after_plan": "after the plan period",
        "sample_mark": "*",
        "sample_note": "* fictitious sample value.",
        "plan_note": "The plan period is {start}–{end} (shaded in the charts).",
        "group_protects": "hidden (so that a small group cannot be worked out; n={n})",
        "partial_note": "“Some municipalities only”: a total for a year in which not every municipality has reported yet. It is not shown as a number and no change is computed from it.",
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
        "prefecture_value": "For reference, prefecture total",
        "sample": "sample",
        "indicator": "Indicator",
        "trend": "Trend",
        "unit": "Unit",
        "kind": "Kind",
        "agency": "Responsible",
        "comment": "Staff comment",
        "source": "Source",
        "change": "Change",
        "goals": "Plan-wide goals",
        "indicators": "Monitoring indicators by action direction",
        "no_targets": "Monitoring indicators have no targets (by the plan's design). Shown: change from the baseline and the trend.",
        "no_regional_here": "No indicator of this direction has a regional breakdown.",
        "without_title": "Indicators without a regional breakdown",
        "areas_of": "Breakdown of {name}",
        "areas_beside": "Municipalities of {region}, with {name}",
        "regions": "By region (5 regions)",
    },
}


def text(key: str, lang: str = "ja", **values: object) -> str:
    """The interface text ``key`` in ``lang``, with ``values`` filled in."""
    return TEXT[lang][key].format(**values)


def texts(lang: str) -> dict[str, str]:
    """All interface texts of ``lang``, for templates."""
    return dict(TEXT[lang])


#: Survey groups (age bands, agency types) in English; the data keeps the Japanese words.
GROUPS_EN = {
    "18〜29歳": "18–29", "30〜39歳": "30–39", "40〜49歳": "40–49", "50〜59歳": "50–59",
    "60〜69歳": "60–69", "70歳以上": "70 and over",
    "市町（福祉・保健）": "Municipalities (welfare, health)", "地域包括支援センター": "Community general support centres",
    "社会福祉協議会": "Social welfare councils", "障害福祉サービス事業所": "Disability welfare services",
    "NPO・民間支援団体": "NPOs and private support groups", "医療機関": "Medical institutions",
    "教育・就労支援機関": "Education and employment support",
}  # fmt: skip


def group_label(group: str, lang: str = "ja") -> str:
    """A survey group's name in ``lang`` (unknown groups keep their own name)."""
    return GROUPS_EN.get(group, group) if lang == "en" else group
