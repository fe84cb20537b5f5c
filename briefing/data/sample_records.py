"""Hand-written sample records (架空のサンプル): the prefecture's accounts and the committee's opinions.

None of this text comes from the plan or from a real meeting; every row carries ``sample=true``.
Members are named by field only, never by name.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .schema import ACCOUNTS, OPINIONS

WRITER = "福祉課（サンプル）"

#: (direction, fy, 取組状況, 成果と課題, 今後の方向)
_ACCOUNTS = (
    (1, 2024, "県のウェブサイトとSNSで相談窓口を案内し、市町と共同で啓発講演会を3回開催した。",
     "講演会の参加者は前年度より増えたが、若い世代への周知は十分ではない。",
     "若い世代が使う媒体での発信を試す。"),
    (2, 2024, "市町プラットフォームの設置を支援し、新規相談の受付方法を共有した。",
     "相談件数は増えたが、相談につながるまでの期間が長い例がある。",
     "早期の相談につながるよう、学校・医療との連携を進める。"),
    (3, 2024, "家族教室を県内5地域で開き、家族会の活動を支援した。",
     "参加者は増えたが、東紀州地域では会場までの移動が課題。",
     "オンラインでの参加を組み合わせる。"),
    (4, 2024, "ひきこもり地域支援センターで個別の相談と訪問支援を行った。",
     "継続支援の件数は増えた。\n一方で、支援者1人あたりの担当件数が多い。",
     "支援者の確保と研修を進める。"),
    (5, 2024, "居場所の立ち上げを支援し、運営者の交流会を開いた。",
     "居場所の数は増えたが、地域による差がある。",
     "居場所のない市町への働きかけを続ける。"),
    (6, 2024, "ひきこもりサポーター（推進員）の養成講座を開いた。",
     "養成数は増えたが、養成後の活動の場が少ない。",
     "養成した方が活動できる場を市町とつくる。"),
)  # fmt: skip

#: (id, 会議日, 会議名, 取組方向, 指標, 委員の分野, 意見, 対応, 対応状況, 対応の更新日)
_OPINIONS = (
    ("2025-02-20-01", "2025-02-20", "令和6年度第2回", 2, "", "学識経験者",
     "相談件数の増加だけでなく、相談につながるまでの期間も見てほしい。",
     "次年度の報告から、初回相談までの期間の分布を示すことを検討する。", "検討中", "2025-04-10"),
    ("2025-02-20-02", "2025-02-20", "令和6年度第2回", 3, "", "家族会",
     "家族教室に参加しにくい地域への配慮をお願いしたい。",
     "令和7年度からオンライン参加を試行している。", "対応済", "2025-07-01"),
    ("2025-08-28-01", "2025-08-28", "令和7年度第1回", None, "", "NPO",
     "数字の増減だけで評価せず、当事者の声を聞く機会を設けてほしい。",
     "当事者・家族の意見を聞く場を令和7年度中に設ける予定。", "対応中", "2025-10-15"),
    ("2025-08-28-02", "2025-08-28", "令和7年度第1回", 5, "5-1", "市町",
     '居場所の運営費が続かない例がある。"場所"だけでなく、運営する人への支援も必要では。',
     "", "", ""),
    ("2025-08-28-03", "2025-08-28", "令和7年度第1回", 6, "", "医療",
     "推進員の養成後、活動の場につなぐ仕組みを、市町と一緒に考えてほしい。",
     "市町と協議を始めた。\n令和8年度の事業に反映できるか検討している。", "対応中", "2025-11-20"),
)  # fmt: skip


def _csv(columns: list[str], rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def write_sample_records(directory: Path) -> None:
    """Write ``accounts.csv`` and ``opinions.csv`` with the hand-written sample rows."""
    accounts = [
        [d, fy, act, res, nxt, WRITER, "2025-07-31", "true"] for d, fy, act, res, nxt in _ACCOUNTS
    ]
    (directory / ACCOUNTS.filename).write_bytes(
        _csv([c.name for c in ACCOUNTS.columns], accounts)  # type: ignore[arg-type]
    )
    opinions = [
        [i, date, meeting, "" if d is None else d, ind, field, op, resp, st, upd, "true"]
        for i, date, meeting, d, ind, field, op, resp, st, upd in _OPINIONS
    ]
    (directory / OPINIONS.filename).write_bytes(
        _csv([c.name for c in OPINIONS.columns], opinions)  # type: ignore[arg-type]
    )
