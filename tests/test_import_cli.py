"""``briefing import`` as staff run it: one bad file per kind of problem, good files, dry run.

Every command runs on its own copy of ``data/``, through the command's ``main`` in this process
(``run_in_process``: starting Python and pandas for each of ~25 commands took most of this module's
time); ``test_the_command_in_its_own_process_says_the_same`` shows that a real process answers the
same, exit code and all. A refused import must exit non-zero,
name the file, row, column (as written in the file), the value and the reason in Japanese, and
leave the data folder byte-identical (every file, hidden ones included).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from inputs import fill_template, run_in_process, run_many, snapshot, write_csv, write_xlsx

from briefing import load_dataset
from briefing.data.areas import PREFECTURE
from briefing.data.changes import read_changes
from briefing.intake.apply import commit
from briefing.intake.review import review
from briefing.intake.workbook import build_template
from briefing.stats.statistics import summarise

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
BY = "三重 太郎"

pytestmark = pytest.mark.child_process


@dataclass
class Case:
    """One ``briefing import`` run: the file it reads, how to prepare the data, what to expect."""

    make: Callable[[Path], Path]
    expect: list[str] = field(default_factory=list)
    args: tuple[str, ...] = ()
    prepare: Callable[[Path], None] | None = None


def csv_file(
    name: str, rows: list[list[str]], encoding: str = "utf-8-sig"
) -> Callable[[Path], Path]:
    return lambda folder: write_csv(folder / name, rows, encoding=encoding)


def raw_file(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        (folder / name).write_bytes(data)
        return folder / name

    return make


def not_a_number_xlsx(folder: Path) -> Path:
    return write_xlsx(
        folder / "not_a_number.xlsx",
        [
            ["令和7年度 相談件数の報告（津市）", None, None, None],
            ["指標", "年度", "市町", "実績"],
            ["2-2", "令和7年度", "津市", "十二"],
        ],
        merge=["A1:D1"],
    )


def formula_xlsx(folder: Path) -> Path:
    return write_xlsx(folder / "formula.xlsx", [["系列ID", "年度", "値"], ["3-2", "R7", "=60+10"]])


def import_real_410(data: Path) -> None:
    """Make a real 確定 value first: 3-1 FY2025 = 410 imported (the stored one is sample data)."""
    ds = load_dataset(data)
    source = data.parent / f"{data.name}_first.csv"
    write_csv(source, [["指標", "年度", "値", "状態"], ["3-1", "R7", "410", "確定"]])
    result = review([source], ds)
    assert result.ok, result.problems
    commit(ds, result, by="setup")


def huge_csv(folder: Path) -> Path:
    path = folder / "huge.csv"
    with path.open("wb") as handle:
        handle.write("指標,年度,値\r\n3-1,R7,410\r\n".encode("cp932"))
        handle.write(b" " * (21 * 1024 * 1024))
    return path


CP932_ROWS = [
    ["令和7年度 ひきこもり支援 実績報告", "", "", "", "", ""],
    ["指標", "年度", "市町名", "実績値", "状態", "備考"],
    ["３－１", "令和７年度", "県全体", "４，５２１", "速報", "全角"],
    ["5-4", "R7", "", "4,521", "", ""],
    ["2-2", "令和7年度", "四日市市", "１２３", "", ""],
    ["2-2", "R7", "242012", "1,234", "", "6桁"],
    ["2-2", "2025", "24203", "45", "", "5桁"],
    ["3-2", "H31", "", "５０", "", "平成31年度"],
    ["2-1a", "令和７年度", "243035", "－", "", ""],
]

BAD: dict[str, Case] = {
    "unknown_series": Case(
        csv_file(
            "unknown_series.csv",
            [["系列ID", "年度", "値"], ["3-1", "R7", "400"], ["9-9", "令和7年度", "10"]],
        ),
        [
            "unknown_series.csv",
            "3行目",
            "「系列ID」列",
            "値「9-9」",
            "指標（系列）が見つかりません",
        ],
    ),
    "unknown_area_name": Case(
        csv_file(
            "unknown_area_name.csv",
            [["指標", "年度", "市町名", "実績"], ["2-2", "R7", "大阪市", "10"]],
            "cp932",
        ),
        [
            "unknown_area_name.csv",
            "2行目",
            "「市町名」列",
            "値「大阪市」",
            "地域（市町）が見つかりません",
        ],
    ),
    "unknown_area_code": Case(
        csv_file(
            "unknown_area_code.csv",
            [["指標", "年度", "団体コード", "実績"], ["2-2", "R7", "249999", "10"]],
        ),
        [
            "unknown_area_code.csv",
            "2行目",
            "「団体コード」列",
            "値「249999」",
            "地域（市町）が見つかりません",
        ],
    ),
    "regional_value": Case(
        csv_file(
            "regional_value.csv", [["指標", "年度", "市町", "値"], ["3-1", "R7", "津市", "10"]]
        ),
        [
            "regional_value.csv",
            "2行目",
            "「市町」列",
            "値「津市」",
            "この指標には市町別の内訳がありません",
        ],
    ),
    "region_instead_of_town": Case(
        csv_file("region.csv", [["指標", "年度", "地域", "値"], ["2-2", "R7", "北勢", "10"]]),
        ["region.csv", "2行目", "「地域」列", "値「北勢」", "地域（北勢など）の値は入力できません"],
    ),
    "not_a_number": Case(
        not_a_number_xlsx,
        [
            "not_a_number.xlsx",
            "シート「報告」",
            "3行目",
            "「実績」列",
            "値「十二」",
            "数値ではありません",
        ],
    ),
    "negative": Case(
        csv_file("negative.csv", [["指標", "年度", "値"], ["3-2", "R7", "－５"]], "cp932"),
        ["negative.csv", "2行目", "「値」列", "値「－５」", "件数・人数・か所数は負になりません"],
    ),
    "share_out_of_range": Case(
        csv_file("share.csv", [["指標", "年度", "実績値"], ["2-3a", "R7", "１０５"]]),
        ["share.csv", "2行目", "「実績値」列", "値「１０５」", "割合が 0〜100 の範囲外です"],
    ),
    "year_out_of_range": Case(
        csv_file("year.csv", [["指標", "年度", "値"], ["3-1", "平成22年度", "10"]]),
        ["year.csv", "2行目", "「年度」列", "値「平成22年度」", "年度が想定の範囲外です"],
    ),
    "duplicate": Case(
        csv_file(
            "duplicate.csv",
            [
                ["指標", "年度", "市町", "値"],
                ["2-2", "R7", "津市", "10"],
                ["2-2", "令和7年度", "242012", "11"],
            ],
        ),
        [
            "duplicate.csv",
            "3行目",
            "同じ指標・年度・地域の値が2回あります",
            "duplicate.csv 2行目と同じ",
        ],
    ),
    "final_baseline": Case(
        csv_file("final.csv", [["指標", "年度", "実績値"], ["3-1", "令和2年度", "300"]]),
        [
            "final.csv",
            "2行目",
            "「実績値」列",
            "値「300」",
            "確定値 275 を 300 に変えようとしています",
            "--overwrite-final",
        ],
    ),
    "final_after_import": Case(
        csv_file("final2.csv", [["指標", "年度", "値"], ["3-1", "R7", "420"]]),
        [
            "final2.csv",
            "2行目",
            "「値」列",
            "値「420」",
            "確定値 410 を 420 に変えようとしています",
            "--overwrite-final",
        ],
        prepare=import_real_410,
    ),
    "empty": Case(raw_file("empty.csv", b""), ["empty.csv", "ファイルが空です"]),
    "not_csv": Case(
        raw_file("report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"),
        ["report.pdf", "CSV でも Excel（.xlsx）でもないファイルです"],
    ),
    "old_excel": Case(
        raw_file("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)),
        ["old.xls", "古い Excel 形式（.xls）は読めません"],
    ),
    "encoding": Case(
        raw_file("garbled.csv", "指標,年度,値\r\n3-1,R7,".encode("cp932") + b"\x82\xff\r\n"),
        ["garbled.csv", "文字コードを判別できません"],
    ),
    "formula_without_result": Case(
        formula_xlsx,
        [
            "formula.xlsx",
            "シート「報告」",
            "2行目",
            "「値」列",
            "値「=60+10」",
            "数式の計算結果が保存されていません",
        ],
    ),
    "too_large": Case(huge_csv, ["huge.csv", "ファイルが大きすぎます", "上限 20 MB"]),
    "several": Case(
        csv_file(
            "several.csv",
            [
                ["系列ID", "年度", "市町名", "値"],
                ["9-9", "R7", "", "1"],
                ["3-1", "R7", "津市", "1"],
                ["3-1", "R7", "", "abc"],
                ["3-2", "R7", "", "-5"],
                ["2-3a", "R7", "", "101"],
                ["4-1", "2010", "", "1"],
                ["5-4", "R7", "", "1"],
                ["5-4", "R7", "", "2"],
            ],
            "cp932",
        ),
        [
            "問題が 7 件あります。何も保存していません。",
            "several.csv 2行目 「系列ID」列: 値「9-9」: 指標（系列）が見つかりません。",
            "several.csv 3行目 「市町名」列: 値「津市」: この指標には市町別の内訳がありません。",
            "several.csv 4行目 「値」列: 値「abc」: 数値ではありません。",
            "several.csv 5行目 「値」列: 値「-5」: 件数・人数・か所数は負になりません。",
            "several.csv 6行目 「値」列: 値「101」: 割合が 0〜100 の範囲外です。",
            "several.csv 7行目 「年度」列: 値「2010」: 年度が想定の範囲外です",
            "several.csv 9行目: 同じ指標・年度・地域の値が2回あります（several.csv 8行目と同じ",
        ],
    ),
}


def round_trip_template(folder: Path) -> Path:
    ds = load_dataset(DATA_DIR)
    template = folder / "update_2026.xlsx"
    template.write_bytes(build_template(ds, 2026))
    towns = ds.areas.index[ds.areas["level"] == "municipality"]
    values: dict[tuple[str, str], object] = {("2-2", code): 20 + i for i, code in enumerate(towns)}
    values |= {
        ("3-1", PREFECTURE): (433, "速報", "オンライン相談で増加"),
        ("2-3b", PREFECTURE): "６５．５",
    }
    return fill_template(template, folder / "filled_2026.xlsx", values)


GOOD: dict[str, Case] = {
    "cp932": Case(csv_file("報告_R7.csv", CP932_ROWS, "cp932"), args=("--by", BY)),
    "dry_run": Case(csv_file("dry.csv", CP932_ROWS, "cp932"), args=("--dry-run",)),
    "template": Case(round_trip_template, args=("--by", BY)),
    "final_overwrite": Case(
        csv_file("final3.csv", [["指標", "年度", "値"], ["3-1", "R7", "420"]]),
        args=("--overwrite-final", "--by", BY),
        prepare=import_real_410,
    ),
}


@dataclass
class Run:
    file: Path
    data: Path
    before: dict[str, str]
    done: subprocess.CompletedProcess[str]

    @property
    def after(self) -> dict[str, str]:
        return snapshot(self.data)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every case of this module, run once through the command line."""
    root = tmp_path_factory.mktemp("import_cli")
    inputs = root / "inputs"
    inputs.mkdir()
    prepared = {}
    for name, case in (BAD | GOOD).items():
        data = root / f"data_{name}"
        shutil.copytree(DATA_DIR, data)
        if case.prepare:
            case.prepare(data)
        prepared[name] = (case.make(inputs), data, snapshot(data))
    return {
        name: Run(file, data, before, run_in_process(*command(name, file, data), cwd=root))
        for name, (file, data, before) in prepared.items()
    }


def command(name: str, file: Path, data: Path) -> list[str]:
    """``briefing import`` of case ``name``'s ``file`` into ``data``."""
    return ["import", str(file), *(BAD | GOOD)[name].args, "--data", str(data)]


def test_the_command_in_its_own_process_says_the_same(runs: dict[str, Run], tmp_path: Path) -> None:
    """A refusal and a dry run, each in a new process: the same exit code and the same words."""
    names = ["several", "dry_run"]
    copies = {}
    for name in names:
        copies[name] = tmp_path / f"data_{name}"
        shutil.copytree(runs[name].data, copies[name])
    done = run_many(
        {name: command(name, runs[name].file, copies[name]) for name in names}, cwd=tmp_path
    )
    for name in names:
        assert (done[name].returncode, untimed(done[name].stdout), done[name].stderr) == (
            runs[name].done.returncode,
            untimed(runs[name].done.stdout),
            runs[name].done.stderr,
        ), name
        assert snapshot(copies[name]) == runs[name].before


def untimed(review: str) -> str:
    """The review with its time of checking (Japan time, to the minute) left out: two runs may
    fall on either side of a minute."""
    when = re.search(r"確認日時: (\d{4}-\d\d-\d\d \d\d:\d\d) \+09:00\n", review)
    assert when is not None, review
    return review.replace(when.group(1), "…")


@pytest.mark.parametrize("name", list(BAD))
def test_bad_file_is_refused_with_a_clear_message(runs: dict[str, Run], name: str) -> None:
    run = runs[name]
    assert run.done.returncode == 1, run.done.stderr
    stderr = run.done.stderr
    assert "何も保存していません" in stderr
    for fragment in BAD[name].expect:
        assert fragment in stderr, f"{fragment!r} not in:\n{stderr}"
    assert "Traceback" not in stderr
    assert run.after == run.before  # byte-identical: nothing written, not even a lock or a version


def test_several_problems_are_all_listed(runs: dict[str, Run]) -> None:
    stderr = runs["several"].done.stderr
    problems = [line for line in stderr.splitlines() if line.startswith("- ")]
    assert len(problems) == 7
    # the first 5-4 row is fine in itself
    assert not any(line.startswith("- several.csv 8行目") for line in problems)
    assert all("→" in line for line in problems)  # each says what to do


def test_cp932_csv_is_imported_and_reviewed(runs: dict[str, Run]) -> None:
    run = runs["cp932"]
    assert run.done.returncode == 0, run.done.stderr
    out = run.done.stdout
    assert (
        out.splitlines()[0]
        == "取り込み内容: 新規 0 件、変更 7 件、変更なし 0 件、空欄（数値なし） 1 件"
    )
    assert "      変更 令和7年度 県全体: 402 → 4,521（速報）" in out
    assert "      変更 令和7年度 四日市市: 292 → 123（速報 → 確定）" in out
    assert "      変更 令和7年度 津市: 294 → 1,234（速報 → 確定）" in out
    assert "      変更 令和7年度 伊勢市: 119 → 45（速報 → 確定）" in out
    assert "保存しました（版 " in out and "briefing undo" in out
    ds = load_dataset(run.data)
    h = ds.history.set_index(["series", "fy", "area"])
    assert h.loc[("3-1", 2025, PREFECTURE), ["value", "status"]].tolist() == [4521.0, "速報"]
    assert h.loc[("5-4", 2025, PREFECTURE), "value"] == 4521
    assert h.loc[("2-2", 2025, "242012"), "value"] == 1234
    assert h.loc[("3-2", 2019, PREFECTURE), "value"] == 50
    towns = h.loc["2-2"].loc[2025].drop(PREFECTURE)["value"]
    # the total follows its municipalities
    assert h.loc[("2-2", 2025, PREFECTURE), "value"] == towns.sum()


def test_change_record_after_an_import(runs: dict[str, Run]) -> None:
    run = runs["cp932"]
    record = read_changes(run.data)
    assert list(record.columns[:8]) == [
        "changed_at",
        "by",
        "file",
        "series",
        "fy",
        "area",
        "old_value",
        "new_value",
    ]
    assert set(record["by"]) == {BY}
    assert set(record["file"]) == {"報告_R7.csv", "（自動計算）"}
    rows = {(r.series, r.fy, r.area): (r.old_value, r.new_value) for r in record.itertuples()}
    old_total = float(
        load_dataset(DATA_DIR)
        .history.set_index(["series", "fy", "area"])
        .loc[("2-2", 2025, PREFECTURE), "value"]
    )
    new_total = old_total - 292 - 294 - 119 + 123 + 1234 + 45
    assert rows == {
        ("3-1", "2025", PREFECTURE): ("402", "4521"),
        ("5-4", "2025", PREFECTURE): ("5380", "4521"),
        ("2-2", "2025", "242021"): ("292", "123"),
        ("2-2", "2025", "242012"): ("294", "1234"),
        ("2-2", "2025", "242039"): ("119", "45"),
        ("3-2", "2019", PREFECTURE): (rows[("3-2", "2019", PREFECTURE)][0], "50"),
        ("2-2", "2025", PREFECTURE): (f"{old_total:.0f}", f"{new_total:.0f}"),
    }
    assert len(record) == len(rows)  # one row per changed value
    stamps = {dt.datetime.fromisoformat(t) for t in record["changed_at"]}
    assert len(stamps) == 1 and next(iter(stamps)).tzinfo is not None
    assert sorted(p for p in run.after if p.startswith(".versions/")) != []


def test_dry_run_writes_nothing_but_shows_the_review(runs: dict[str, Run]) -> None:
    run = runs["dry_run"]
    assert run.done.returncode == 0, run.done.stderr
    assert run.after == run.before
    out = run.done.stdout
    assert "取り込み内容: 新規 0 件、変更 7 件、変更なし 0 件" in out
    assert "402 → 4,521" in out and "県全体（市町の合計）" in out
    assert "確認のみ（--dry-run）: 保存していません。" in out
    assert "保存しました" not in out


def test_template_round_trip_through_the_command(runs: dict[str, Run]) -> None:
    run = runs["template"]
    assert run.done.returncode == 0, run.done.stderr
    # 29 towns + their total + 3-1 + 2-3b
    assert "新規 32 件、変更 0 件、変更なし 0 件" in run.done.stdout
    ds = load_dataset(run.data)
    summary = summarise(ds).set_index("series")
    assert summary.loc["3-1", ["latest_fy", "latest", "status", "comment"]].tolist() == [
        2026,
        433.0,
        "速報",
        "オンライン相談で増加",
    ]
    assert summary.loc["2-3b", "latest"] == 65.5
    assert summary.loc["2-2", ["latest_fy", "latest"]].tolist() == [
        2026,
        sum(20 + i for i in range(29)),
    ]
    h = ds.history
    towns = h[(h["series"] == "2-2") & (h["fy"] == 2026) & (h["area"] != PREFECTURE)]
    assert len(towns) == 29 and not towns["sample"].any()
    assert set(read_changes(run.data)["by"]) == {BY}


def test_final_value_can_be_overwritten_when_asked(runs: dict[str, Run]) -> None:
    run = runs["final_overwrite"]
    assert run.done.returncode == 0, run.done.stderr
    assert "変更 令和7年度 県全体: 410 → 420（確定）" in run.done.stdout
    h = load_dataset(run.data).history.set_index(["series", "fy", "area"])
    assert h.loc[("3-1", 2025, PREFECTURE), "value"] == 420
    record = read_changes(run.data)
    assert record[["by", "old_value", "new_value"]].values.tolist()[-1] == [BY, "410", "420"]
