"""The committee's record in the briefing: 「前回の委員会意見と対応状況」, each direction's account,
``--since`` marking responses changed since the date, and a second CSV file for the opinions.

The whole path as staff walk it: a response written after the meeting, saved from a CP932 CSV
with ``briefing import``, shows up in the next briefing as changed.
"""

from __future__ import annotations

from pathlib import Path

from inputs import run_in_process, write_csv
from test_export import csv_link, csv_rows, element, parse, run_export

from briefing import load_dataset

RESPONSE = '運営費の補助を市町と協議中。\n"人"への支援も, 含めて検討する。<script>x</script>'


def test_response_added_after_the_meeting_is_marked_in_the_next_briefing(
    tmp_path: Path, data_copy: Path
) -> None:
    ds = load_dataset(data_copy)
    open_one = ds.opinions[ds.opinions["response"] == ""].iloc[0]
    update = write_csv(
        tmp_path / "対応.csv",
        [
            ["会議日", "会議名", "取組方向", "意見", "対応", "対応状況"],
            [open_one["meeting_date"], open_one["meeting"], open_one["indicator"],
             open_one["opinion"], RESPONSE, "対応中"],
        ],
        encoding="cp932",
    )  # fmt: skip
    saved = run_in_process(
        "import", update, "--by", "福祉課 山田", "--data", data_copy, cwd=tmp_path
    )
    assert saved.returncode == 0, saved.stderr

    out = tmp_path / "b.html"
    done = run_export(
        "--data", str(data_copy), "--since", "2026-01-01", "-o", str(out),
        cwd=tmp_path, figures=tmp_path / "fig",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    section = element(html, "opinions")
    assert "前回の委員会意見と対応状況" in section
    assert "令和7年度第1回（2025-08-28）の意見と、現時点の県の対応です。" in section
    assert "2026-01-01以降に更新: 1" in section
    answered = section[section.index(f'data-opinion="{open_one["id"]}"') :]
    answered = answered[: answered.index("</article>")]
    assert "2026-01-01以降に更新" in answered and "対応状況: 対応中" in answered
    assert "&lt;script&gt;x&lt;/script&gt;" in answered and "<script>" not in html
    assert "5 社会参加支援</td><td>1 / 1 件に対応の記入あり" in section
    # the others were answered before the date: not marked
    assert section.count("2026-01-01以降に更新") == 2  # the lead and the one opinion

    direction = element(html, "direction-3")
    assert "県の取組の報告（令和6年度）" in direction and "成果と課題" in direction

    link, text = csv_link(html, "opinions-")
    rows = csv_rows(text)
    assert rows[0] == [
        "会議日", "会議名", "取組方向", "指標", "委員の分野", "意見", "対応", "対応状況",
        "対応の更新日", "サンプル",
    ]  # fmt: skip
    row = next(r for r in rows[1:] if r[5] == open_one["opinion"])
    assert row[6] == RESPONSE and row[7] == "対応中" and row[9] == "いいえ"
    assert any(r[2] == "全体" for r in rows[1:])
    assert len([a for a in parse(html).links if (a.get("download") or "").endswith(".csv")]) == 2

    # the opinions file goes back in unchanged: long text survives the round trip
    back = tmp_path / "opinions.csv"
    back.write_text(text[1:], encoding="utf-8-sig", newline="")
    again = run_in_process("import", back, "--dry-run", "--data", data_copy, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "新規 0 件、変更 0 件" in again.stdout


def test_english_briefing_leaves_the_committee_record_to_the_japanese_edition(
    tmp_path: Path, data_copy: Path
) -> None:
    """Accounts and opinions are staff's Japanese text: the English briefing (a page with no
    stray Japanese) says where they are instead, as it does for staff comments."""
    from briefing import Settings
    from briefing.content import Filters
    from briefing.render.export import render_briefing

    settings = Settings().with_(cache_dir=tmp_path / "fig")
    english = render_briefing(
        load_dataset(data_copy), Filters(direction=6, lang="en"), settings=settings
    )
    japanese = render_briefing(load_dataset(data_copy), Filters(direction=6), settings=settings)
    assert "推進員の養成後" in japanese and 'id="opinions"' in japanese
    assert "推進員の養成後" not in english and 'id="opinions"' not in english
    assert "the committee&#39;s opinions are written in Japanese" in english
