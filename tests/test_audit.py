"""`briefing audit`, and the export and the import refusing figures that fail it.

A failing state cannot come from the method itself, so these tests break the method on purpose
(only the small values withheld, as a regression would) and check that nothing is published or
saved, with a Japanese message naming the cell.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

from briefing import Dataset, Settings, load_dataset
from briefing.cli import main
from briefing.content.filters import Filters
from briefing.render.export import render_briefing
from briefing.stats import disclosure as disclosure_module
from briefing.stats.disclosure import DisclosureError
from briefing.stats.suppression import SMALL, Suppression, suppression

#: the commands on the whole data, tens of seconds each: mutation testing runs the fast tests of
#: the audit instead (test_withheld_tables, test_disclosure_cache)
pytestmark = pytest.mark.slow


def _primaries_only(ds: Dataset, threshold: int) -> Suppression:
    found = suppression(ds, threshold)
    return replace(found, reasons={k: v for k, v in found.reasons.items() if v == SMALL})


@pytest.fixture
def broken_method(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(disclosure_module, "suppression", _primaries_only)
    # a fresh temporary folder: no stored answer from the working method is reused
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()


@pytest.mark.child_process
def test_audit_passes_on_the_bundled_data_and_says_what_it_checked(data_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "briefing.cli", "audit", "--data", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "監査に合格" in done.stdout
    assert "「5未満」 105 件" in done.stdout and "「秘匿」" in done.stdout


def test_audit_lists_every_narrowed_cell_in_japanese(
    broken_method: None, data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "--data", str(data_copy)]) == 1
    err = capsys.readouterr().err
    assert "監査で" in err and "件の問題" in err
    assert "6-1 相談支援包括化推進員養成数" in err and "と絞り込めます" in err


def test_export_refuses_figures_that_fail_the_audit(
    broken_method: None, data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = data_copy.parent / "b.html"
    code = main(["export", "--data", str(data_copy), "-o", str(out)])
    assert code == 1 and not out.exists()
    assert "公表できません" in capsys.readouterr().err
    ds = load_dataset(data_copy)
    with pytest.raises(DisclosureError):
        render_briefing(ds, Filters(), settings=Settings(cache_dir=None, disclosure_dir=None))


def test_publish_refuses_figures_that_fail_the_audit(
    broken_method: None, data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = data_copy.parent / "site"
    code = main(["publish", "--data", str(data_copy), "--outdir", str(out)])
    assert code == 1 and not out.exists()
    assert "公表できません" in capsys.readouterr().err


def test_an_import_that_would_fail_the_audit_saves_nothing(
    broken_method: None, data_copy: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    before = {p.name: p.read_bytes() for p in data_copy.glob("*.csv")}
    figures = tmp_path / "new.csv"
    figures.write_text("系列,年度,市町,値\n6-1,令和7年度,名張市,3\n", encoding="utf-8")
    code = main(["import", str(figures), "--data", str(data_copy), "--by", "テスト"])
    assert code == 1
    assert "公表できません" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in data_copy.glob("*.csv")} == before
    assert not (data_copy / ".versions").exists() or not any((data_copy / ".versions").iterdir())
