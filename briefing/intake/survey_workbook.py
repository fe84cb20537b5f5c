"""The survey tabulation sheet: staff copy the printed results of G1 or G2 into it.

Its shape is the tabulation the import reads (a title naming the year, a blank row, a heading row,
then one row per region × group with a column per answer, 無回答 and 計), so the filled sheet goes
in with ``briefing import FILE --survey G1``. Only the yellow cells can be changed.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection

from ..data.dataset import Dataset
from ..data.fiscal import format_fy
from ..data.schema import ANSWERS
from .survey_terms import GROUP_KIND, SURVEY_NAMES, groups

INPUT = PatternFill("solid", fgColor="FFF2B3")
HEAD = PatternFill("solid", fgColor="DCE6F0")
FIRST_ROW = 5  # title, note, blank, heading


def _readme(survey: str) -> list[str]:
    kind = GROUP_KIND[survey]
    return [
        "この Excel ファイルの使い方（調査の集計表）",
        "",
        f"1. シート「集計表」の黄色いセルに、印刷された集計結果の人数（{'回答者数' if survey == 'G1' else '回答した機関の数'}）を、地域×{kind}ごとに写してください。",
        "2. 数字は全角・カンマ付きでも読み取れます。回答者がいない区分は空欄のままにします（0 と同じ）。",
        "3. 「無回答」の列は、その設問に答えなかった人数です。割合の計算には入れません（取り込みの確認表に人数を示します）。",
        "4. 「計」の列は任意です。入力すると、回答ごとの人数の合計と合っているかを確かめます（無回答を含めた合計でも、含めない合計でも構いません）。",
        f"5. 保存したら briefing import このファイル --survey {survey}（または担当者用ページで「調査 {survey}」を選ぶ）で取り込みます。",
        "   保存する前に、地域×区分ごとの回答者数と割合（置き換える年度は旧 → 新）と問題点の一覧が表示されます。",
        "6. 保存後に誤りに気づいたら briefing undo で直前の状態に戻せます。",
        "",
        "注意: この表は人数（回答者数）をそのまま入力するものです。回答者ごとのファイルにウェイトがあるときは、",
        "この表ではなく回答者ごとのファイルを直接取り込んでください（割合と有効回答者数を計算します）。",
        "回答者が5人未満の区分は、画面と資料では割合を示しません（回答者数のみ）。人数はそのまま入力してください。",
    ]


def build_survey_template(ds: Dataset, survey: str, fy: int) -> bytes:
    """The tabulation sheet of ``survey`` (G1 or G2) for ``fy`` as .xlsx bytes."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "集計表"
    header = ["地域", GROUP_KIND[survey], *ANSWERS, "無回答", "計"]
    last = chr(ord("A") + len(header) - 1)
    sheet["A1"] = f"{format_fy(fy)} {SURVEY_NAMES[survey]}（{survey}） 集計表"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells(f"A1:{last}1")
    sheet["A2"] = "黄色のセルに人数を入力してください（計は任意）。使い方はシート「説明」を参照。"
    sheet.merge_cells(f"A2:{last}2")
    sheet.append([])
    sheet.append(header)
    for cell in sheet[FIRST_ROW - 1]:
        cell.font, cell.fill = Font(bold=True), HEAD
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    regions = ds.areas[ds.areas["level"] == "region"]
    for region in regions.itertuples():
        for group in groups(ds.surveys, survey):
            sheet.append([region.name_ja, group])
            row = sheet.max_row
            for column in range(3, len(header) + 1):
                cell = sheet.cell(row, column)
                cell.fill = INPUT
                cell.protection = Protection(locked=False)
    widths = [10, 22] + [14] * (len(header) - 2)
    for i, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    sheet.freeze_panes = f"C{FIRST_ROW}"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    readme = book.create_sheet("説明")
    for line in _readme(survey):
        readme.append([line])
    readme.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
