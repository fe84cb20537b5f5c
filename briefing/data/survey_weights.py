"""Weighted survey counts in ``surveys.csv``: Σw and Σw² per answer, and what a row must satisfy.

A weighted survey (respondent rows with a ウェイト column) stores, for each survey, year, region,
group and answer, the respondents (unweighted n), the sum of their weights (``weighted``) and the
sum of their squared weights (``weighted_sq``). Both sums add up over answers, groups and regions,
so any published cell gets its weighted share Σw(agree)/Σw and Kish's effective sample size
(Σw)²/Σw² from the same rows. An unweighted row leaves both empty: every weight is 1, so Σw and
Σw² are the respondents themselves and the effective n is n.
"""

from __future__ import annotations

import pandas as pd

from .problems import Problem

FILE = "surveys.csv"


def weight_problems(surveys: pd.DataFrame, skip: set[tuple[str, int | None]]) -> list[Problem]:
    """Rows of ``surveys.csv`` (as read by ``schema.read_table``) whose weights cannot be right.

    Rows in ``skip`` (a cell of theirs did not parse) are not checked again.
    """
    rows = surveys[~surveys["file_row"].isin({r for f, r in skip if f == FILE})]
    problems = []
    for row in rows.itertuples():
        weighted, squared = row.weighted, row.weighted_sq
        if pd.isna(weighted) and pd.isna(squared):
            continue
        at = int(row.file_row)
        if pd.isna(weighted) or pd.isna(squared):
            missing = "weighted" if pd.isna(weighted) else "weighted_sq"
            problems.append(
                Problem(
                    FILE,
                    "weighted と weighted_sq は両方入力するか、両方空にします。",
                    "ウェイト付きの調査なら両方の合計を、ウェイトのない調査なら両方を空にしてください。",
                    column=missing,
                    row=at,
                )
            )
            continue
        if weighted < 0 or squared < 0:
            problems.append(
                Problem(
                    FILE,
                    "ウェイトの合計が負です。",
                    "0 以上の数を入力してください（briefing import で取り込み直すのが確実です）。",
                    column="weighted" if weighted < 0 else "weighted_sq",
                    value=str(weighted if weighted < 0 else squared),
                    row=at,
                )
            )
        elif (row.respondents == 0) != (weighted == 0):
            problems.append(
                Problem(
                    FILE,
                    "回答者数とウェイトの合計が合いません（どちらか一方だけが 0 です）。",
                    "回答者がいなければ両方 0、いればウェイトの合計は 0 より大きくなります。",
                    column="weighted",
                    value=str(weighted),
                    row=at,
                )
            )
    return problems


def weights(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Σw, Σw² and whether weighted, for each row (unweighted rows: the respondents, twice).

    A table without the weight columns (built by hand, or an old file) is unweighted.
    """
    n = rows["respondents"].astype(float)
    if "weighted" not in rows.columns:
        return n, n, pd.Series(False, index=rows.index)
    given = rows["weighted"].notna()
    return (
        rows["weighted"].astype(float).where(given, n),
        rows["weighted_sq"].astype(float).where(given, n),
        given,
    )
