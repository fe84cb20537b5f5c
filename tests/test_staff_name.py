"""The name in the change record: asked once, remembered on this PC, never the login name.

On a shared office PC the login is ``root`` or ``user``. ``briefing import`` takes ``--by``, else
the name remembered in ``$XDG_CONFIG_HOME/mie-briefing/``, else asks at the terminal once; with no
terminal to ask on and no name it saves nothing and says how to give one.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from inputs import cli_args, cli_env, run_cli, snapshot, write_csv

from briefing.data.changes import read_changes
from briefing.intake.staff_name import remember_name, remembered_name


def update_file(folder: Path, series: str = "3-1") -> Path:
    return write_csv(folder / f"u{series}.csv", [["指標", "年度", "値"], [series, "R7", "410"]])


@pytest.mark.child_process
def test_without_a_name_nothing_is_saved_and_the_message_says_how(
    tmp_path: Path, data_copy: Path, fresh_config: Path
) -> None:
    before = snapshot(data_copy)
    done = run_cli("import", update_file(tmp_path), "--data", data_copy, cwd=tmp_path)
    assert done.returncode == 2
    assert "担当者名" in done.stderr and "--by" in done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(data_copy) == before


@pytest.mark.child_process
def test_a_name_given_once_is_used_the_next_time(
    tmp_path: Path, data_copy: Path, fresh_config: Path
) -> None:
    first = run_cli(
        "import", update_file(tmp_path), "--by", "福祉課 山田", "--data", data_copy, cwd=tmp_path
    )
    assert first.returncode == 0, first.stderr
    assert remembered_name() == "福祉課 山田"
    assert (fresh_config / "mie-briefing").is_dir()

    second = run_cli("import", update_file(tmp_path, "5-4"), "--data", data_copy, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert read_changes(data_copy)["by"].tolist() == ["福祉課 山田", "福祉課 山田"]


@pytest.mark.child_process
def test_the_name_is_asked_at_the_terminal_once(
    tmp_path: Path, data_copy: Path, fresh_config: Path
) -> None:
    controller, terminal = os.openpty()
    try:
        os.write(controller, "福祉課 田中\n".encode())
        done = subprocess.run(
            cli_args("import", update_file(tmp_path), "--data", data_copy),
            cwd=tmp_path,
            env=cli_env(),
            stdin=terminal,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            check=False,
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert done.returncode == 0, done.stderr
    assert "担当者名" in done.stdout  # the question
    assert read_changes(data_copy)["by"].tolist() == ["福祉課 田中"]
    assert remembered_name() == "福祉課 田中"


def test_a_remembered_name_survives_an_unreadable_or_missing_file(fresh_config: Path) -> None:
    assert remembered_name() == ""
    remember_name("  福祉課 山田 ")
    assert remembered_name() == "福祉課 山田"
    (fresh_config / "mie-briefing" / "staff.json").write_text("{broken", encoding="utf-8")
    assert remembered_name() == ""  # asked again rather than failing
