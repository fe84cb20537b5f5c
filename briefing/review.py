"""The review of an import, as staff read it: per indicator, new and changed values (old → new)."""

from __future__ import annotations

import html

import pandas as pd

from .dataset import Dataset
from .fiscal import format_fy
from .importer import Review


def _num(value: object) -> str:
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return "－"
    v = float(value)  # type: ignore[arg-type]
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.1f}"


def _known(status: object) -> bool:
    """A stored status (a new value has none: None, or NaN once pandas has made a column of it)."""
    return isinstance(status, str) and status != ""


def review_rows(result: Review, ds: Dataset) -> pd.DataFrame:
    """One row per input value with Japanese column names, changes first (for tables)."""
    if not len(result.table):
        return pd.DataFrame(columns=["区分", "指標", "年度", "地域", "旧", "新", "状態"])
    t = result.table
    order = t["change"].map({"変更": 0, "新規": 1, "変更なし": 2})
    t = t.assign(_o=order).sort_values(["_o", "series", "fy", "area"], kind="stable")
    return pd.DataFrame(
        {
            "区分": t["change"],
            "指標": t["series"] + " " + t["name"],
            "年度": t["fy"].map(format_fy),
            "地域": t["area_name"],
            "旧": t["old"].map(_num),
            "新": t["new"].map(_num),
            "状態": [
                f"{o} → {n}" if _known(o) and o != n else n
                for o, n in zip(t["old_status"], t["status"], strict=True)
            ],
        }
    ).reset_index(drop=True)


def review_text(result: Review, ds: Dataset, *, limit: int = 40) -> str:
    """The review for the terminal: totals, then per indicator the values that change."""
    counts = result.counts()
    lines = [
        f"取り込み内容: 新規 {counts['新規']} 件、変更 {counts['変更']} 件、変更なし {counts['変更なし']} 件、空欄（数値なし） {result.blanks} 件"
    ]
    lines += [f"注意: {note}" for note in result.notes]
    if not len(result.table):
        return "\n".join(lines)
    shown = 0
    for indicator, part in result.table.groupby("indicator", sort=True):
        c = part["change"].value_counts()
        lines.append(
            f"  {indicator} {ds.catalog.at[indicator, 'name_ja']}: 新規 {c.get('新規', 0)}、変更 {c.get('変更', 0)}、変更なし {c.get('変更なし', 0)}"
        )
        for r in part[part["change"] != "変更なし"].itertuples():
            if shown >= limit:
                continue
            shown += 1
            status = (
                f"（{r.old_status} → {r.status}）"
                if _known(r.old_status) and r.old_status != r.status
                else f"（{r.status}）"
            )
            lines.append(
                f"      {r.change} {format_fy(int(r.fy))} {r.area_name}: {_num(r.old)} → {_num(r.new)}{status}"
            )
    hidden = int((result.table["change"] != "変更なし").sum()) - shown
    if hidden > 0:
        lines.append(f"      ほか {hidden} 件")
    return "\n".join(lines)


def review_html(result: Review, ds: Dataset) -> str:
    """The review as an HTML fragment (the staff notebook): problems first, then the table."""
    parts = []
    if result.problems:
        items = "".join(f"<li>{html.escape(str(p))}</li>" for p in result.problems)
        parts.append(
            f'<div class="error"><b>問題が {len(result.problems)} 件あります。保存できません。</b><ul>{items}</ul></div>'
        )
    if result.notes:
        items = "".join(f"<li>{html.escape(n)}</li>" for n in result.notes)
        parts.append(f'<div class="notice"><b>確認してください</b><ul>{items}</ul></div>')
    counts = result.counts()
    parts.append(
        f"<p>新規 {counts['新規']} 件、変更 {counts['変更']} 件、変更なし {counts['変更なし']} 件、空欄 {result.blanks} 件</p>"
    )
    parts.append(review_rows(result, ds).to_html(index=False, escape=True, border=0))
    return '<div class="mb">' + "".join(parts) + "</div>"
