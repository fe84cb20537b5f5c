"""The short text summary that ``briefing check`` prints after a successful validation."""

from __future__ import annotations

from ..data.dataset import Dataset
from ..data.fiscal import format_fy
from .hierarchy import completeness_notes


def describe(ds: Dataset) -> str:
    """How much data there is and how much of it is sample data, in Japanese."""
    history, surveys = ds.history, ds.surveys
    sample = int(history["sample"].sum())
    years = sorted(history["fy"].unique())
    survey_years = sorted(surveys["fy"].unique())
    lines = [
        f"データフォルダ: {ds.directory}",
        "検証: 問題はありません。",
        f"指標: 計画全体の目標 {len(ds.goals)}、モニタリング指標 {len(ds.indicators)}（取組方向 {len(ds.directions)}、系列 {len(ds.series)}）",
        f"地域: 市町 {int((ds.areas['level'] == 'municipality').sum())}、地域 {int((ds.areas['level'] == 'region').sum())}、県全体 1",
        f"指標の値: {len(history)} 件"
        + (
            f"（{format_fy(years[0])}〜{format_fy(years[-1])}、{len(years)} 年度、{history['area'].nunique()} 地域コード）"
            if years
            else ""
        ),
        f"  うち架空のサンプル: {sample} 件、計画の現状値など実データ: {len(history) - sample} 件",
    ]
    if len(surveys):
        lines.append(
            f"調査: {len(surveys)} 行（{format_fy(survey_years[0])}〜{format_fy(survey_years[-1])}、"
            f"回答者 延べ {int(surveys['respondents'].sum()):,} 人、うちサンプル {int(surveys.loc[surveys['sample'], 'respondents'].sum()):,} 人）"
        )
    if len(ds.accounts) or len(ds.opinions):
        ops = ds.opinions
        lines.append(
            f"取組の報告: {len(ds.accounts)} 件、委員会意見: {len(ops)} 件"
            f"（会議 {ops['meeting'].nunique() if len(ops) else 0} 回、対応の記入あり {int((ops['response'] != '').sum()) if len(ops) else 0} 件、"
            f"うちサンプル {int(ds.accounts['sample'].sum()) + int(ops['sample'].sum() if len(ops) else 0)} 件）"
        )
    notes = completeness_notes(ds)
    if notes:
        lines.append(f"注意（{len(notes)} 件、保存や表示は止めません）:")
        lines += [f"  - {note}" for note in notes]
    lines.append(f"データ版: {ds.version}")
    return "\n".join(lines)
