"""The report: one table of targets turned into rows, the Markdown, the machine and versions."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from .common import REPO
from .procs import processes, tree


def fmt_s(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def fmt_ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} ms"


def fmt_x(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


@dataclass(frozen=True)
class Target:
    """A goal the report checks: written once, shown in the table and tested against the figure."""

    text: str
    met: Callable[[float], bool]


#: Every target of the benchmark, in one place (the table's "target" column and its "met").
TARGETS = {
    "tti": Target("< 2.5 s", lambda s: s < 2.5),
    "vs_bare": Target("≤ 1.3", lambda r: r <= 1.3),
    "new_view": Target("< 500 ms", lambda ms: ms < 500),
    "shown_view": Target("< 150 ms", lambda ms: ms < 150),
    "export": Target("< 4 s", lambda s: s < 4),
    "scale": Target("≤ 1.3×", lambda r: r <= 1.3),
    "http": Target("all ≤ 10 s", lambda s: s <= 10),
    "memory": Target("< 4 GiB", lambda b: b < 4 * 2**30),
    "release": Target("≤ 120 s", lambda s: s <= 120),
}

Row = tuple[str, str, str, str]


def _row(measure: str, target: str, measured: str, met: bool | None) -> Row:
    return (measure, target, measured, "—" if met is None else ("yes" if met else "no"))


def _checked(
    measure: str,
    target: str,
    value: float | None,
    shown: str,
    *,
    also: bool = True,
    needed: bool = False,
) -> Row:
    """A row for ``TARGETS[target]``: met when the value meets it (and ``also`` holds); without a
    value, not judged — or not met when the figure was ``needed``."""
    goal = TARGETS[target]
    met = (False if needed else None) if value is None else goal.met(value) and also
    return _row(measure, goal.text, shown, met)


def _page_rows(label: str, scale: dict[str, Any]) -> list[Row]:
    tti = scale.get("tti", {})
    d = tti.get("dashboard_median_s")
    n = len(tti.get("dashboard_s", []))
    fails = len(tti.get("dashboard_failed", []))
    more = f"; {fails} more failed, see below" if fails else ""
    rows = [
        _checked(
            f"[{label}] time to interactive, dashboard (median of {n}{more})", "tti", d, fmt_s(d)
        )
    ]
    if "bare_median_s" in tti:
        rows.append(
            _row(
                f"[{label}] time to interactive, bare Voilà notebook (median of {len(tti['bare_s'])})",
                "(reference)",
                fmt_s(tti["bare_median_s"]),
                None,
            )
        )
        r = tti.get("ratio")
        rows.append(_checked(f"[{label}] dashboard / bare", "vs_bare", r, fmt_x(r)))
    ch = scale.get("changes", {})
    failed = len(ch.get("failed", []))
    v = ch.get("new_median_ms")
    rows.append(
        _checked(
            f"[{label}] filter change → view not shown before (median of {ch.get('new_count', 0)}{f', {failed} failed' if failed else ''}; max {fmt_ms(ch.get('new_max_ms'))})",
            "new_view",
            v,
            fmt_ms(v),
            also=not failed,
        )
    )
    v = ch.get("back_median_ms")
    rows.append(
        _checked(
            f"[{label}] filter change → view shown before (median of {ch.get('back_count', 0)}; max {fmt_ms(ch.get('back_max_ms'))})",
            "shown_view",
            v,
            fmt_ms(v),
        )
    )
    return rows


def _export_rows(label: str, scale: dict[str, Any]) -> list[Row]:
    ex = scale.get("export", {})
    nb = ex.get("nbconvert_median_s")
    rows = []
    for cache in ("cold", "warm"):
        v = ex.get(f"full_{cache}_median_s")
        half = nb is None or (v is not None and v < nb / 2)
        rows.append(
            _row(
                f"[{label}] `briefing export -o` (full), {cache} figure cache (median of {ex.get('reps_full', 1)})",
                f"{TARGETS['export'].text} and < ½ nbconvert ({fmt_s(nb / 2 if nb else None)})",
                fmt_s(v),
                None if v is None else TARGETS["export"].met(v) and half,
            )
        )
    for cache in ("cold", "warm"):
        rows.append(
            _row(
                f"[{label}] `briefing export --each-area`, {cache} figure cache (median of {ex.get('reps_each_area', 1)})",
                "(reference)",
                fmt_s(ex.get(f"each_area_{cache}_median_s")),
                None,
            )
        )
    rows.append(
        _row(
            f"[{label}] `jupyter nbconvert --execute --to html` dashboard.ipynb (median of {len(ex.get('nbconvert_s', [])) or 1})",
            "(reference)",
            fmt_s(nb),
            None,
        )
    )
    return rows


def _failure_rows(result: dict[str, Any]) -> list[Row]:
    scales = result["scales"].values()

    def culled(bare: bool) -> int:
        return sum(
            n
            for s in scales
            for name, n in s.get("culled_before_connect", {}).items()
            if (name == "bare") == bare
        )

    def lost(key: str) -> list[str]:
        return [e for s in scales for e in s.get("tti", {}).get(key, [])]

    def loads(*keys: str) -> int:
        return sum(len(s.get("tti", {}).get(k, [])) for s in scales for k in keys)

    def reasons(failures: list[str]) -> str:
        kinds = sorted({f.split(":")[0] for f in failures})
        counted = ", ".join(
            f"{sum(1 for f in failures if f.split(':')[0] == r)}× {r}" for r in kinds
        )
        return f" ({counted})" if counted else ""

    walk_failed = [e for s in scales for e in s.get("changes", {}).get("failed", [])]
    rows = []
    if loads("dashboard_s", "dashboard_failed"):
        gone = lost("dashboard_failed")
        rows.append(
            _row(
                f"dashboard loads and walks that failed (of {loads('dashboard_s', 'dashboard_failed')} measured loads; pre-heated kernels culled before their page connected: {culled(False)})",
                "0",
                f"{len(gone)} loads{reasons(gone)}, {len(walk_failed)} walk steps",
                not gone and not walk_failed,
            )
        )
    if loads("bare_s", "bare_failed"):
        gone = lost("bare_failed")
        rows.append(
            _row(
                f"bare Voilà loads that failed (of {loads('bare_s', 'bare_failed')}; pre-heated kernels culled before their page connected: {culled(True)})",
                "(reference)",
                f"{len(gone)} loads{reasons(gone)}",
                None,
            )
        )
    return rows


#: The figures compared between the larger data and 1×: (name, phase, key).
SCALED = (
    ("time to interactive", "tti", "dashboard_median_s"),
    ("filter change, new view", "changes", "new_median_ms"),
    ("filter change, shown view", "changes", "back_median_ms"),
    ("export full, cold", "export", "full_cold_median_s"),
    ("export full, warm", "export", "full_warm_median_s"),
    ("export each area, cold", "export", "each_area_cold_median_s"),
    ("export each area, warm", "export", "each_area_warm_median_s"),
)


def _scale_rows(result: dict[str, Any]) -> list[Row]:
    rows = []
    fallback = result.get("scale_fallback")
    if fallback:
        why = fallback["why"][0].split("e.g. ", 1)[-1][:90]
        rows.append(
            _row(
                f"{fallback['asked']}× sample data (`briefing sample --scale {fallback['asked']}`) loads",
                "loads",
                f"no — {why}…; measured {fallback['measured']}× instead",
                False,
            )
        )
    scales = result["scales"]
    if "1x" in scales and any(k != "1x" for k in scales):
        big_label = next(k for k in scales if k != "1x")
        one, big = scales["1x"], scales[big_label]
        for name, phase, key in SCALED:
            r = ratio(big.get(phase, {}).get(key), one.get(phase, {}).get(key))
            rows.append(_checked(f"scale {big_label} / 1x: {name}", "scale", r, fmt_x(r)))
    return rows


def _http_rows(conc: dict[str, Any]) -> list[Row]:
    """Plain HTTP GETs at once: every page must arrive, the slowest within the target."""
    if "http" not in conc:
        return []
    h = conc["http"]
    return [
        _checked(
            f"{conc['viewers']} concurrent HTTP GETs: slowest complete page ({h['ok']} ok, {h['failed']} failed; median {fmt_s(h['median_s'])})",
            "http",
            h["slowest_s"],
            fmt_s(h["slowest_s"]),
            also=h["failed"] == 0,
            needed=True,
        )
    ]


def _browser_rows(conc: dict[str, Any]) -> list[Row]:
    """Browser pages at once: when the last became interactive, how many failed or hung (with
    the kernels culled too early, the usual why), and their filter changes."""
    if "browser" not in conc:
        return []
    b = conc["browser"]
    culled = b.get("kernels_culled_before_their_page_connected", 0)
    why = f" — {culled} pre-heated kernel(s) culled before their page connected" if culled else ""
    return [
        _row(
            f"{conc['viewers']} browser pages at once: last interactive (median {fmt_s(b['median_interactive_s'])})",
            "(none fail)",
            fmt_s(b["last_interactive_s"]),
            None,
        ),
        _row(
            f"{conc['viewers']} browser pages: failed or hung (per-page timeout {conc['page_timeout_s']:.0f} s)",
            "0",
            f"{len(b['failed'])}{why}",
            not b["failed"],
        ),
        _row(
            f"{conc['viewers']} browser pages: filter changes ({b['changes_done']} done, {b['changes_failed']} failed; max {fmt_ms(b['change_max_ms'])})",
            "(none fail)",
            fmt_ms(b["change_median_ms"]),
            b["changes_failed"] == 0 if b["changes_done"] else None,
        ),
    ]


def _server_rows(conc: dict[str, Any]) -> list[Row]:
    """The server's side of the concurrent viewers: its peak memory, and whether the kernels of
    closed pages were given back."""
    rows = []
    if "peak_rss_bytes" in conc:
        v = conc["peak_rss_bytes"]
        rows.append(
            _checked(
                f"peak server memory, Voilà + kernels (RSS sum; up to {conc.get('peak_kernels')} kernels)",
                "memory",
                v,
                f"{v / 2**30:.2f} GiB",
            )
        )
    if "release" in conc:
        v = conc["release"].get("released_after_s")
        shown = fmt_s(v) if v is not None else f"not within {conc['release_timeout_s']:.0f} s"
        rows.append(
            _checked(
                f"kernels of closed pages released (back to pool of {conc['pool']}; cull_after {conc['cull_after']} s)",
                "release",
                v,
                shown,
                needed=True,
            )
        )
    return rows


def _concurrent_rows(conc: dict[str, Any]) -> list[Row]:
    """Phase 5's rows: HTTP, then browsers, then the server's memory and release of kernels."""
    return _http_rows(conc) + _browser_rows(conc) + _server_rows(conc)


def table_rows(result: dict[str, Any]) -> list[Row]:
    """The report's table: measure | target | measured | met."""
    rows: list[Row] = []
    for label, scale in result["scales"].items():
        rows += _page_rows(label, scale) + _export_rows(label, scale)
    return (
        rows
        + _failure_rows(result)
        + _scale_rows(result)
        + _concurrent_rows(result.get("concurrent", {}))
    )


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    lines = [
        f"Benchmark {result['started']} — {m['nproc']} CPUs, {m['mem_gib']:.1f} GiB, load average at start {m['loadavg_start']}, at end {m.get('loadavg_end', '?')}; run took {result.get('duration_s', 0):.0f} s"
        + (" (quick)" if result["options"]["quick"] else ""),
        "",
        "| measure | target | measured | met |",
        "|---|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in result["table"]]
    if result["notes"]:
        lines += ["", *[f"- {n}" for n in result["notes"]]]
    return "\n".join(lines) + "\n"


def machine_info() -> dict[str, Any]:
    mem = 0
    with open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    model = ""
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": model,
        "mem_gib": mem / 2**30,
        "platform": platform.platform(),
        "loadavg_start": " ".join(open("/proc/loadavg").read().split()[:3]),
    }


def versions() -> dict[str, str]:
    found = {"python": sys.version.split()[0]}
    for name in (
        "voila",
        "ipywidgets",
        "ipykernel",
        "jupyter_client",
        "jupyter_server",
        "nbconvert",
        "nbclient",
        "pandas",
        "numpy",
        "matplotlib",
        "seaborn",
        "playwright",
        "tornado",
        "mie-hikikomori-briefing",
    ):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    try:
        found["git"] = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
        if dirty.strip():
            found["git"] += " (with uncommitted changes)"
    except (OSError, subprocess.SubprocessError):
        pass
    return found


def other_load() -> str:
    """What else is running (the machine is shared): busy processes not started by this run."""
    mine = {p.pid for p in tree(os.getpid())}
    busy = []
    for proc in processes().values():
        if proc.pid in mine:
            continue
        if (
            b"pytest" in proc.cmdline
            or b"ipykernel_launcher" in proc.cmdline
            or b"chromium" in proc.cmdline
            or b"voila" in proc.cmdline
        ):
            busy.append(proc.cmdline.split(b"\0")[0].decode(errors="replace").rsplit("/", 1)[-1])
    return f"{len(busy)} other test/kernel/browser processes" if busy else "none seen"
