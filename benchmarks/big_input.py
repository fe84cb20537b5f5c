"""Time and memory of ``briefing import --dry-run`` on a sheet of 300,000 rows (one line repeated).

Staff once pasted one line 300,000 times into an Excel report (4.4 MB): the import took 221 s and
1.3 GiB and printed a line per repeated row. Target: answered in under 20 s and 500 MiB, with the
problems summarised. Writes a small JSON next to the other results; not part of the test suite.

    .venv/bin/python -m benchmarks.big_input [--rows N] [--out DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
LINE = ["3-1", "令和7年度", "県全体", 410, "速報", "オンライン相談で増加"]
HEADER = ["指標", "年度", "地域", "値", "状態", "備考"]


def write_inputs(folder: Path, rows: int) -> dict[str, Path]:
    """The repeated line as an Excel workbook (as staff pasted it) and as a CP932 CSV.

    The workbook is written in openpyxl's normal mode, which stores text as shared strings as
    Excel does (write-only mode stores every cell's text inline: a file twice as large to parse).
    """
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "報告"
    sheet.append(HEADER)
    for _ in range(rows):
        sheet.append(LINE)
    xlsx = folder / "pasted.xlsx"
    book.save(xlsx)
    csv = folder / "pasted.csv"
    line = ",".join(str(c) for c in LINE) + "\r\n"
    csv.write_bytes((",".join(HEADER) + "\r\n" + line * rows).encode("cp932"))
    return {"xlsx": xlsx, "csv": csv}


def measure(path: Path, data: Path) -> dict[str, Any]:
    """Wall time, peak memory (RSS of the command, Linux) and the end of its output, one run."""
    # VmHWM: the peak of this process since its exec (ru_maxrss would carry the parent's peak,
    # which holds the workbook it wrote, across fork and exec)
    script = (
        "import re, sys; from briefing.cli import main; code = main(sys.argv[1:]); "
        "peak = re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1); "
        "sys.stderr.write(f'\\nPEAK_KIB={peak}\\n'); sys.exit(code)"
    )
    command = [sys.executable, "-c", script, "import", str(path), "--dry-run", "--data", str(data)]
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", env=env)
    seconds = time.perf_counter() - start
    peak = (
        int(done.stderr.rsplit("PEAK_KIB=", 1)[1].split()[0]) if "PEAK_KIB=" in done.stderr else 0
    )
    output = (done.stdout + done.stderr).splitlines()
    return {
        "file": path.name,
        "bytes": path.stat().st_size,
        "seconds": round(seconds, 2),
        "peak_mib": round(peak / 1024, 1),
        "exit_code": done.returncode,
        "output_lines": len(output),
        "output_tail": [line for line in output if "PEAK_KIB" not in line][-6:],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=300_000, help="repeated rows (default 300000)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="big-input-") as tmp:
        folder = Path(tmp)
        data = folder / "data"
        shutil.copytree(ROOT / "data", data)
        inputs = write_inputs(folder, args.rows)
        runs = [measure(path, data) for path in inputs.values()]
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    result = {"rows": args.rows, "targets": {"seconds": 20, "peak_mib": 500}, "runs": runs}
    (args.out / f"big-input-{stamp}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    for run in runs:
        met = run["seconds"] < 20 and run["peak_mib"] < 500
        print(
            f"{run['file']}: {run['bytes'] / 1e6:.1f} MB, {run['seconds']} s, {run['peak_mib']} MiB, "
            f"exit {run['exit_code']}, {run['output_lines']} lines of output — {'met' if met else 'NOT met'}"
        )
        for line in run["output_tail"]:  # type: ignore[attr-defined]
            print(f"    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
