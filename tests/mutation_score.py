"""The score of the last mutation run (``./run.sh mutants``), per module, from ``mutants/``.

Usage: ``python tests/mutation_score.py [GLOB ...]`` (the mutant names the run was given; all
when none). Killed counts the mutants a test failed on and those whose tests hung (a timeout is
noticed too); survived lists every mutant no test failed on, with its changed line, so it can be
judged (tests/README.md lists the ones judged equivalent). Not a test: pytest does not collect it.
"""

from __future__ import annotations

import fnmatch
import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code


def main(patterns: list[str]) -> int:
    root = Path("mutants")
    if not root.is_dir():
        print("mutants/ がありません。先に ./run.sh mutants を実行してください。", file=sys.stderr)
        return 1
    rows: dict[str, Counter[str]] = {}
    survivors: list[str] = []
    for meta in sorted(root.glob("briefing/**/*.py.meta")):
        data = json.loads(meta.read_text(encoding="utf-8"))
        module = str(meta.relative_to(root)).removesuffix(".meta")
        for name, code in data["exit_code_by_key"].items():
            if patterns and not any(fnmatch.fnmatch(name, p) for p in patterns):
                continue
            count = rows.setdefault(module, Counter())
            count["total"] += 1
            status = status_by_exit_code[code]
            if status in ("killed", "timeout"):  # a test failed, or the tests ran out of time
                count["killed"] += 1
                count["timeout"] += status == "timeout"
            elif status == "not checked":
                count["not checked"] += 1
            else:  # survived, no tests, suspicious, ...
                count["survived" if status == "survived" else "no tests"] += 1
                survivors.append(name if status == "survived" else f"{name} ({status})")
    if not rows:
        print("該当する変異がありません。", file=sys.stderr)
        return 1
    width = max(len(m) for m in rows)
    print(f"{'module':<{width}}  total  killed  (timeout)  survived  other  not checked  score")
    overall: Counter[str] = Counter()
    for module, c in sorted(rows.items()):
        overall.update(c)
        print(_line(module, c, width))
    print(_line("all", overall, width))
    if survivors:
        print(f"\n{len(survivors)} mutants not killed (mutmut show NAME shows the change):")
        print("\n".join(f"  {s}" for s in survivors))
    return 0


def _line(name: str, c: Counter[str], width: int) -> str:
    checked = c["total"] - c["not checked"]
    score = f"{100 * c['killed'] / checked:.1f}%" if checked else "-"
    return (
        f"{name:<{width}}  {c['total']:5}  {c['killed']:6}  ({c['timeout']:7})  {c['survived']:8}"
        f"  {c['no tests']:5}  {c['not checked']:11}  {score}"
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
