"""Input files for the import tests, made at test time (no binaries are committed).

Staff bring CSV saved by Excel (CP932 「CSV（コンマ区切り）」 or UTF-8 with BOM 「CSV UTF-8」, CRLF
line ends, cells quoted only when needed) and filled copies of ``briefing template``. These helpers
write such files byte for byte, fill templates with openpyxl, give a formula cell the cached result
Excel would have stored, run the ``briefing`` command in a real process and fingerprint a data
directory (every file, hidden ones included) so a test can prove that nothing was written.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from unittest import mock

import openpyxl

from briefing import DATA_ENV

REPO_ROOT = Path(__file__).resolve().parent.parent

#: template columns (see briefing/intake/workbook.py): A 系列ID … D 地域コード … G 前年度の値, H 値（入力）, I 状態, J コメント
TEMPLATE_HEADER_ROW = 3
TEMPLATE_FIRST_ROW = 4


# --- the command line -------------------------------------------------------------------------


def cli_env(**extra: str) -> dict[str, str]:
    """The environment of a staff member's shell: no data directory override, UTF-8 output."""
    env = {
        k: v for k, v in os.environ.items() if k != DATA_ENV and not k.startswith("BRIEFING_TEST_")
    }
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env


def cli_args(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "briefing.cli", *(str(a) for a in args)]


def run_cli(
    *args: str | Path, cwd: Path, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    """``briefing ARGS`` in a new process; stdout and stderr as text; no terminal to ask on."""
    return subprocess.run(
        cli_args(*args),
        cwd=cwd,
        env=cli_env(**env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )


def run_in_process(*args: str | Path, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``briefing ARGS`` run by ``briefing.cli.main`` in this process, as ``run_cli`` would in a
    new one (same environment, no terminal): ~1 s quicker, the start of Python and pandas saved.
    Tests that need the process itself (exit on a signal, the terminal's encoding) use ``run_cli``."""
    from briefing.cli import main

    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch.dict(os.environ, cli_env(**env), clear=True),
        contextlib.chdir(cwd),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        mock.patch.object(sys, "stdin", io.StringIO()),
    ):
        try:
            code = main([str(a) for a in args])
        except SystemExit as error:  # argparse's own refusals
            code = error.code if isinstance(error.code, int) else 2
    return subprocess.CompletedProcess(cli_args(*args), code, out.getvalue(), err.getvalue())


def start_cli(*args: str | Path, cwd: Path, **env: str) -> subprocess.Popen[str]:
    """``briefing ARGS`` started in the background (read its output with ``communicate``)."""
    return subprocess.Popen(
        cli_args(*args),
        cwd=cwd,
        env=cli_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


def run_many(
    jobs: Mapping[str, Sequence[str | Path]], *, cwd: Path, workers: int = 4
) -> dict[str, subprocess.CompletedProcess[str]]:
    """Several ``briefing`` commands at once, each in its own process and on its own data folder:
    name → finished process."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {name: pool.submit(run_cli, *args, cwd=cwd) for name, args in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


# --- fingerprints ---------------------------------------------------------------------------


def snapshot(directory: Path) -> dict[str, str]:
    """Every file (hidden ones too) and folder under ``directory``: relative path → sha256 or "<dir>"."""
    found: dict[str, str] = {}
    for path in sorted(directory.rglob("*")):
        key = path.relative_to(directory).as_posix()
        found[key] = "<dir>" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return found


# --- CSV ------------------------------------------------------------------------------------


def csv_bytes(
    rows: Iterable[Sequence[object]], *, encoding: str = "utf-8-sig", newline: str = "\r\n"
) -> bytes:
    """Rows as Excel writes them: quoted only when needed, CRLF, the given encoding."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    for row in rows:
        writer.writerow(["" if c is None else c for c in row])
    return buffer.getvalue().encode(encoding)


def write_csv(path: Path, rows: Iterable[Sequence[object]], *, encoding: str = "utf-8-sig") -> Path:
    path.write_bytes(csv_bytes(rows, encoding=encoding))
    return path


# --- Excel ----------------------------------------------------------------------------------


def write_xlsx(
    path: Path, rows: Iterable[Sequence[object]], *, title: str = "報告", merge: Iterable[str] = ()
) -> Path:
    """A plain one-sheet workbook (for free-form reports rather than the template)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for cells in merge:
        sheet.merge_cells(cells)
    book.save(path)
    return path


def template_rows(path: Path) -> list[dict[str, object]]:
    """The rows of a template's 入力 sheet under its header, with the spreadsheet row number."""
    book = openpyxl.load_workbook(path)
    sheet = book["入力"]
    header = [c.value for c in sheet[TEMPLATE_HEADER_ROW]]
    rows = []
    for number, values in enumerate(
        sheet.iter_rows(min_row=TEMPLATE_FIRST_ROW, values_only=True), start=TEMPLATE_FIRST_ROW
    ):
        rows.append({"row": number, **dict(zip(header, values, strict=True))})
    return rows


def fill_template(template: Path, out: Path, values: Mapping[tuple[str, str], object]) -> Path:
    """Copy ``template`` to ``out`` with the yellow cells filled.

    ``values[(series, area_code)]`` is the value for column H, or a tuple (value, status, comment)
    for columns H, I and J. Every key must be a row of the template.
    """
    book = openpyxl.load_workbook(template)
    sheet = book["入力"]
    where = {
        (str(sheet.cell(r, 1).value), str(sheet.cell(r, 4).value)): r
        for r in range(TEMPLATE_FIRST_ROW, sheet.max_row + 1)
    }
    for key, given in values.items():
        row = where[key]
        value, status, comment = given if isinstance(given, tuple) else (given, None, None)
        sheet.cell(row, 8).value = value
        sheet.cell(row, 9).value = status
        sheet.cell(row, 10).value = comment
    book.save(out)
    return out


def store_cached_values(path: Path, cached: Mapping[str, object], *, sheet: int = 1) -> Path:
    """Give formula cells the result Excel stores beside the formula (openpyxl writes none).

    ``cached`` maps a cell reference (``"H5"``) to its stored result; the sheet XML inside the zip is
    patched so the cell reads ``<f>…</f><v>result</v>``, as a workbook saved by Excel does.
    """
    member = f"xl/worksheets/sheet{sheet}.xml"
    with zipfile.ZipFile(path) as source:
        items = [(info, source.read(info.filename)) for info in source.infolist()]
    patched = []
    for info, data in items:
        if info.filename == member:
            xml = data.decode("utf-8")
            for ref, value in cached.items():
                pattern = re.compile(
                    rf'(<c r="{ref}"[^>]*>\s*<f>[^<]*</f>)\s*(?:<v\s*/>|<v>[^<]*</v>)?'
                )
                xml, count = pattern.subn(lambda m, v=value: f"{m.group(1)}<v>{v}</v>", xml)
                if count != 1:
                    raise AssertionError(f"no formula cell {ref} in {member}")
            data = xml.encode("utf-8")
        patched.append((info, data))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in patched:
            target.writestr(info, data)
    return path
