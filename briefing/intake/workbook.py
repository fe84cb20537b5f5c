"""The Excel input template: one row per series × area expected for a fiscal year.

Staff fill only the yellow cells; the sheet is protected otherwise, so the structure the import
relies on (header row, IDs, codes) stays intact. The previous year's value sits beside each input
so an implausible figure stands out before it is sent.
"""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..data.areas import PREFECTURE
from ..data.dataset import Dataset
from ..data.fiscal import format_fy

HEADER = [
    "系列ID",
    "指標名",
    "単位",
    "地域コード",
    "地域",
    "年度",
    "前年度の値",
    "値（入力）",
    "状態（確定/速報）",
    "コメント",
]
INPUT = PatternFill("solid", fgColor="FFF2B3")
HEAD = PatternFill("solid", fgColor="DCE6F0")
README = [
    "この Excel ファイルの使い方",
    "",
    "1. シート「入力」の黄色いセル（値・状態・コメント）だけに入力してください。他のセルは変更できません。",
    "2. 値は数字だけを入力します（全角・カンマ付きも読み取れます）。数値がないときは空欄のままにします。",
    "3. 割合（%）は 72.9 のように % を付けずに入力します。",
    "4. 市町別の指標は市町ごとに入力します。県全体の値は、空欄なら市町の合計を自動で計算します。",
    "5. 状態は「確定」か「速報」。空欄は確定として扱います。",
    "6. 保存したら、担当者が briefing import（または briefing staff の担当者用ページ）で取り込みます。",
    "   取り込む前に、新しい値・変わる値（旧 → 新）・問題点の一覧が表示され、確認してから保存します。",
    "7. 保存後に誤りに気づいたら briefing undo で直前の状態に戻せます。",
    "",
    "注意: 地域別の人数・件数が 1〜4 の値も実数で入力してください。画面と資料では自動的に「5未満」と表示されます。",
    "",
    "シート「取組の報告」: 取組方向ごとに、この年度の取組状況・成果と課題・今後の方向を書きます（セル内の改行もそのまま残ります）。",
    "シート「委員会意見」: 会議の意見を 1 行に 1 つ書きます。委員は分野（学識経験者、家族会、NPO、市町、医療など）だけを書き、氏名は書きません。",
    "   取組方向は 1〜6、指標への意見なら指標の番号（例: 3-1）、計画全体への意見なら「全体」。",
    "   会議の後、県の対応と対応状況（対応済・対応中・検討中・対応予定なしなど）を書き足して、もう一度取り込みます。",
    "   意見番号のある行は保存済みの意見です。意見番号は変えないでください。空欄のセルは保存済みの内容を消しません。",
]
ACCOUNT_HEADER = [
    "取組方向",
    "取組方向の名称",
    "年度",
    "取組状況",
    "成果と課題",
    "今後の方向",
    "記入者",
]
OPINION_HEADER = [
    "意見番号",
    "会議日",
    "会議名",
    "取組方向",
    "委員の分野",
    "意見",
    "対応",
    "対応状況",
]
#: Blank rows for a meeting's new opinions
NEW_OPINION_ROWS = 30


def build_template(ds: Dataset, fy: int, *, direction: int | None = None) -> bytes:
    """The workbook for ``fy`` (and one direction, if given) as .xlsx bytes."""
    book = Workbook()
    sheet = book.active
    sheet.title = "入力"
    sheet["A1"] = f"三重県ひきこもり支援推進計画 モニタリング指標 入力シート（{format_fy(fy)}）"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells("A1:J1")
    sheet["A2"] = "黄色のセルに入力してください。使い方はシート「説明」を参照。"
    sheet.merge_cells("A2:J2")
    sheet.append(HEADER)
    for cell in sheet[3]:
        cell.font, cell.fill = Font(bold=True), HEAD
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    status = DataValidation(type="list", formula1='"確定,速報"', allow_blank=True)
    sheet.add_data_validation(status)
    history = ds.history.set_index(["series", "fy", "area"])["value"]
    series = ds.series if direction is None else ds.series[ds.series["direction"] == direction]
    towns = list(ds.areas.index[ds.areas["level"] == "municipality"])
    for s, info in series.iterrows():
        areas = towns if info["breakdown"] == "municipality" else [PREFECTURE]
        name = info["name_ja"] + (f"（{info['label_ja']}）" if pd.notna(info["label_ja"]) else "")
        for area in areas:
            previous = history.get((s, fy - 1, area))
            sheet.append(
                [
                    s,
                    name,
                    info["unit_ja"],
                    area,
                    ds.areas.at[area, "name_ja"],
                    format_fy(fy),
                    None
                    if previous is None
                    else (int(previous) if float(previous).is_integer() else float(previous)),
                    None,
                    None,
                    None,
                ]
            )
            row = sheet.max_row
            for col in "HIJ":
                sheet[f"{col}{row}"].fill = INPUT
                sheet[f"{col}{row}"].protection = Protection(locked=False)
            status.add(f"I{row}")
    for col, width in zip("ABCDEFGHIJ", (8, 52, 10, 11, 12, 12, 11, 12, 14, 40), strict=True):
        sheet.column_dimensions[col].width = width
    sheet.freeze_panes = "A4"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # staff may widen columns
    _account_sheet(book, ds, fy, direction)
    _opinion_sheet(book, ds, direction)
    readme = book.create_sheet("説明")
    for line in README:
        readme.append([line])
    readme.column_dimensions["A"].width = 110
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _head(sheet: Worksheet, row: int) -> None:
    for cell in sheet[row]:
        cell.font, cell.fill = Font(bold=True), HEAD
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _account_sheet(book: Workbook, ds: Dataset, fy: int, direction: int | None) -> None:
    """One row per direction for ``fy``: the stored account (if any) to revise, in yellow cells."""
    sheet = book.create_sheet("取組の報告")
    sheet["A1"] = f"取組方向ごとの取組の報告（{format_fy(fy)}）"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = (
        "黄色のセルに書いてください（セル内の改行は Alt+Enter）。記入者が空欄なら取り込んだ担当者名になります。"
    )
    sheet.append(ACCOUNT_HEADER)
    _head(sheet, 3)
    stored = {(int(r["direction"]), int(r["fy"])): r for r in ds.accounts.to_dict("records")}
    for number, info in ds.directions.iterrows():
        if direction is not None and number != direction:
            continue
        old = stored.get((int(number), fy), {})
        sheet.append(
            [int(number), info["name_ja"], format_fy(fy)]
            + [old.get(c) or None for c in ("activities", "results", "next_steps", "written_by")]
        )
        for col in "DEFG":
            cell = sheet[f"{col}{sheet.max_row}"]
            cell.fill = INPUT
            cell.protection = Protection(locked=False)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in zip("ABCDEFG", (8, 28, 12, 48, 48, 40, 16), strict=True):
        sheet.column_dimensions[col].width = width
    sheet.freeze_panes = "A4"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


def _opinion_sheet(book: Workbook, ds: Dataset, direction: int | None) -> None:
    """The last meeting's opinions and any still without a response, then blank rows."""
    sheet = book.create_sheet("委員会意見")
    sheet["A1"] = "委員会の意見と県の対応"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = (
        "1 行に 1 つの意見。委員は分野だけを書き、氏名は書きません。会議の後に「対応」「対応状況」を書き足します。"
    )
    sheet.append(OPINION_HEADER)
    _head(sheet, 3)
    opinions = ds.opinions
    if len(opinions):
        last = opinions["meeting_date"].max()
        opinions = opinions[(opinions["meeting_date"] == last) | (opinions["response"] == "")]
        if direction is not None:
            opinions = opinions[opinions["direction"] == direction]
    for r in opinions.to_dict("records"):
        target = "全体" if pd.isna(r["direction"]) else (r["indicator"] or str(int(r["direction"])))
        sheet.append(
            [r["id"], r["meeting_date"], r["meeting"], target, r["member_field"]]
            + [r[c] or None for c in ("opinion", "response", "status")]
        )
    for _ in range(NEW_OPINION_ROWS):
        sheet.append([None] * len(OPINION_HEADER))
    status = DataValidation(
        type="list", formula1='"対応済,対応中,検討中,対応予定なし"', allow_blank=True
    )
    status.showErrorMessage = False  # the list suggests; staff may write other words
    sheet.add_data_validation(status)
    for row in range(4, sheet.max_row + 1):
        status.add(f"H{row}")
        for col in "BCDEFGH":
            sheet[f"{col}{row}"].fill = INPUT
            sheet[f"{col}{row}"].alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in zip("ABCDEFGH", (16, 12, 16, 10, 12, 50, 50, 12), strict=True):
        sheet.column_dimensions[col].width = width
    sheet.freeze_panes = "A4"
