"""The ``briefing`` command as staff run it: real processes, real exit codes, Japanese messages."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from briefing import DATA_ENV

pytestmark = pytest.mark.child_process
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != DATA_ENV}
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "briefing.cli", *args],
        cwd=cwd,
        env=env if env is not None else _env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


@pytest.fixture
def broken_copy(
    data_copy: Path, edit_csv: Callable[..., str], find_row: Callable[..., int]
) -> tuple[Path, int]:
    """A data copy whose 3-1 FY2024 prefecture value reads "abc"; returns it and the row."""
    path = data_copy / "history.csv"
    row = find_row(path, series="3-1", fy="2024", area="240001")
    edit_csv(path, row, "value", "abc")
    return data_copy, row


def test_console_script_is_installed_next_to_python() -> None:
    script = shutil.which("briefing", path=str(Path(sys.executable).parent))
    assert script is not None


def test_console_script_checks_the_bundled_data(tmp_path: Path) -> None:
    script = shutil.which("briefing", path=str(Path(sys.executable).parent))
    assert script is not None
    done = subprocess.run(
        [script, "check"],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "系列 19" in done.stdout


def test_check_prints_the_summary(tmp_path: Path, data_dir: Path) -> None:
    done = run_cli("check", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "系列 19" in out
    assert "サンプル" in out
    assert "モニタリング指標 16" in out
    assert "市町 29" in out
    assert str(data_dir) in out  # says which folder it checked
    assert done.stderr == ""


def test_check_of_a_broken_copy_fails_with_a_japanese_message(
    tmp_path: Path, broken_copy: tuple[Path, int]
) -> None:
    directory, row = broken_copy
    done = run_cli("check", "--data", str(directory), cwd=tmp_path)
    assert done.returncode != 0
    err = done.stderr
    assert "history.csv" in err
    assert f"{row}行目" in err
    assert "value" in err
    assert "abc" in err
    assert _JAPANESE.search(err)
    assert "Traceback" not in err
    assert "系列 19" not in done.stdout  # no summary for data that did not load


def test_check_of_a_missing_folder_fails_cleanly(tmp_path: Path) -> None:
    done = run_cli("check", "--data", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert done.returncode != 0
    assert "history.csv" in done.stderr
    assert "Traceback" not in done.stderr


def test_check_of_a_folder_without_values_yet(tmp_path: Path, data_copy: Path) -> None:
    # a new plan period starts with the reference files and an empty history.csv
    path = data_copy / "history.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    done = run_cli("check", "--data", str(data_copy), cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    assert "系列 19" in done.stdout


def test_sample_writes_a_folder_that_check_accepts(tmp_path: Path) -> None:
    outdir = tmp_path / "scaled"
    made = run_cli("sample", "-o", str(outdir), "--scale", "2", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert str(outdir) in made.stdout
    assert (outdir / "history.csv").exists() and (outdir / "surveys.csv").exists()

    checked = run_cli("check", "--data", str(outdir), cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "14 年度" in checked.stdout  # twice the bundled 7 fiscal years
    assert "系列 19" in checked.stdout


def test_data_environment_variable_points_check_at_a_broken_copy(
    tmp_path: Path, broken_copy: tuple[Path, int]
) -> None:
    directory, row = broken_copy
    done = run_cli("check", cwd=tmp_path, env=_env(**{DATA_ENV: str(directory)}))
    assert done.returncode != 0
    assert "history.csv" in done.stderr
    assert f"{row}行目" in done.stderr


def test_data_option_wins_over_the_environment_variable(
    tmp_path: Path, broken_copy: tuple[Path, int], data_dir: Path
) -> None:
    directory, _ = broken_copy
    done = run_cli(
        "check", "--data", str(data_dir), cwd=tmp_path, env=_env(**{DATA_ENV: str(directory)})
    )
    assert done.returncode == 0, done.stderr
