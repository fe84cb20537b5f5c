"""``python -m benchmarks``: run every phase, write the JSON and Markdown results."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from briefing.config import BUNDLED_DATA, Settings
from briefing.server import DASHBOARD, voila_command

from .bare import ensure_bare_notebook
from .common import CACHE_NAME, CHROMIUM, RESULTS, T_START, log
from .phases import (
    Context,
    briefing_command,
    browser_viewers,
    dataset_facts,
    http_viewers,
    measure_exports,
    measure_pages,
    poll_release,
    run_timed,
)
from .procs import PhaseLoad, Sampler, wait_idle
from .report import fmt_ms, fmt_s, machine_info, markdown, other_load, table_rows, versions
from .voila import Voila, servers


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer repetitions, 5 viewers, no 10× data"
    )
    parser.add_argument(
        "--loads",
        type=int,
        help="page loads per notebook for time to interactive (default 5, quick 3)",
    )
    parser.add_argument(
        "--changes",
        type=int,
        help="filter changes to new views and as many back (default 20, quick 8)",
    )
    parser.add_argument("--viewers", type=int, help="concurrent viewers (default 15, quick 5)")
    parser.add_argument(
        "--viewer-changes",
        type=int,
        default=5,
        help="filter changes per concurrent viewer (default 5)",
    )
    parser.add_argument(
        "--pool",
        type=int,
        help=f"kernel pool of every server (default Settings().kernel_pool = {Settings().kernel_pool})",
    )
    parser.add_argument(
        "--cull",
        type=int,
        help=f"cull_after of every server, seconds (default Settings().cull_after = {Settings().cull_after})",
    )
    parser.add_argument(
        "--scale", type=int, default=10, help="data scale for the scale comparison (default 10)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=RESULTS,
        help="where the JSON and Markdown go (default benchmarks/results)",
    )
    args = parser.parse_args(argv)
    args.loads = args.loads or (3 if args.quick else 5)
    args.changes = args.changes or (8 if args.quick else 20)
    args.viewers = args.viewers or (5 if args.quick else 15)
    # this VM's speed drifts by ±15% between identical runs: exports are medians of 5
    args.export_reps = 1 if args.quick else 5
    args.nbconvert_reps = 1 if args.quick else 3  # its time varies: the ½ target needs a median
    return args


def bigger_data(
    ctx: Context, scale: int, sizes: dict[str, Any], result: dict[str, Any]
) -> list[tuple[str, Path]]:
    """``briefing sample --scale N``; if that data does not load, the largest smaller scale that does."""
    from briefing.data.problems import DataError

    tried = []
    # the sample spans `scale` × 7 fiscal years back from the last one: halving usually fits at once
    for factor in dict.fromkeys([scale, scale // 2, *range(scale // 2 - 1, 1, -1)]):
        if factor < 2:
            continue
        target = ctx.work / f"data-{factor}x"
        seconds, error = run_timed(
            briefing_command() + ["sample", "--scale", str(factor), "-o", str(target)],
            env=dict(os.environ),
            cwd=ctx.work,
            timeout=300,
        )
        if seconds is None:
            tried.append(f"briefing sample --scale {factor} failed: {error[:300]}")
            continue
        try:
            sizes[f"{factor}x"] = dataset_facts(target)[3]
        except DataError as problem:
            lines = str(problem).splitlines()
            first = lines[1].lstrip("- ") if len(lines) > 1 else lines[0]
            tried.append(
                f"{factor}× data from `briefing sample --scale {factor}` does not load ({lines[0]} e.g. {first[:140]})"
            )
            continue
        if tried:
            ctx.notes.append(
                f"SCALE: {tried[0]}"
                + (
                    f"; nor does {', '.join(t.split(' data')[0] for t in tried[1:])}"
                    if len(tried) > 1
                    else ""
                )
                + f" — measured {factor}× instead."
            )
            result["scale_fallback"] = {"asked": scale, "measured": factor, "why": tried}
        return [(f"{factor}x", target)]
    ctx.notes.append(f"SCALE: no larger data could be made: {'; '.join(tried)}")
    return []


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


class Run:
    """One benchmark run: its options, private folders, servers still running, and the result."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.started = dt.datetime.now().astimezone()
        self.stem = f"bench-{self.started:%Y%m%d-%H%M%S}" + ("-quick" if args.quick else "")
        settings = Settings()
        if args.pool is not None:
            settings = settings.with_(kernel_pool=args.pool)
        if args.cull is not None:
            settings = settings.with_(cull_after=args.cull)
        self.settings = settings
        self.work = Path(tempfile.mkdtemp(prefix="mie-bench-"))
        tmpdir = self.work / "tmp"
        tmpdir.mkdir()
        self.ctx = Context(args=args, work=self.work, tmpdir=tmpdir, settings=settings)
        self.ctx.clear_cache()
        self.release_thread: threading.Thread | None = None
        self.release_server: Voila | None = None
        self.result: dict[str, Any] = {
            "started": self.started.isoformat(timespec="seconds"),
            "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "machine": machine_info(),
            "versions": versions(),
            "settings": {
                "kernel_pool": settings.kernel_pool,
                "cull_after": settings.cull_after,
                "execution_timeout": settings.execution_timeout,
                "cache_dir": f"$TMPDIR/{CACHE_NAME} (TMPDIR = a private directory of this run, emptied at the start)",
            },
            "voila_command": voila_command(settings)[2:],
            "scales": {},
            "notes": self.ctx.notes,
            "errors": [],
        }
        self.result["machine"]["other_processes_at_start"] = other_load()
        machine = self.result["machine"]
        log(
            f"work dir {self.work}; machine load {machine['loadavg_start']}; {machine['other_processes_at_start']}"
        )

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """A failing phase is recorded and the run goes on with the next one."""
        load = PhaseLoad()
        try:
            yield
        except KeyboardInterrupt:
            raise
        except Exception as error:  # noqa: BLE001
            self.result["errors"].append(f"{name}: {type(error).__name__}: {str(error)[:1500]}")
            log(f"{name} FAILED: {type(error).__name__}: {str(error)[:300]}")
        finally:
            self.result.setdefault("phase_load", {})[name] = load.stop()

    def data(self) -> list[tuple[str, Path]]:
        """A copy of the bundled data, and (unless quick) the larger sample data."""
        data1 = self.work / "data-1x"
        shutil.copytree(
            BUNDLED_DATA, data1, ignore=shutil.ignore_patterns(".versions", ".staging", ".lock*")
        )
        sizes = {"1x": dataset_facts(data1)[3]}
        scales = [("1x", data1)]
        if not self.args.quick:
            scales += bigger_data(self.ctx, self.args.scale, sizes, self.result)
        self.result["data"] = sizes
        return scales

    def pages(self, scales: list[tuple[str, Path]]) -> None:
        """1 + 2: time to interactive and filter changes, every data size (bare notebook beside)."""
        with self.phase("pages"):
            self.result["scales"].update(asyncio.run(measure_pages(self.ctx, scales)))

    def concurrent(self, data1: Path) -> None:
        """5: concurrent viewers on the 1× data (HTTP on a server of its own, then browsers on a
        fresh one, whose kernels' release is polled in the background while the exports run)."""
        args, settings = self.args, self.settings
        conc: dict[str, Any] = {
            "viewers": args.viewers,
            "pool": settings.kernel_pool,
            "cull_after": settings.cull_after,
            "page_timeout_s": 120.0,
            "release_timeout_s": 180.0,
        }
        self.result["concurrent"] = conc

        def server(name: str) -> Voila:
            return Voila(
                name,
                settings.with_(data_dir=data1),
                notebook=DASHBOARD,
                work=self.work,
                tmpdir=self.ctx.tmpdir,
            )

        http_server, self.release_server = server("concurrent-http"), server("concurrent-browser")
        log(f"starting Voilà {self.release_server.name} (for later)")
        self.release_server.launch()  # starts meanwhile; its idle kernels do not disturb HTTP
        with self.phase("concurrent HTTP"), servers(http_server):
            log(f"{args.viewers} concurrent HTTP GETs")
            with sampled(http_server) as sampler:
                conc["http"] = http_viewers(http_server, args.viewers, timeout=120)
            conc["http"].update(sampler.figures(), stalls_in_log=http_server.stalls())
            h = conc["http"]
            log(
                f"HTTP: {h['ok']} ok, slowest {fmt_s(h['slowest_s'])}, peak RSS {h['peak_rss_bytes'] / 2**30:.2f} GiB"
            )
        with self.phase("concurrent browsers"):
            self.browsers(conc)
        peaks = [conc.get(k, {}).get("peak_rss_bytes") for k in ("http", "browser")]
        if any(p is not None for p in peaks):
            conc["peak_rss_bytes"] = max(p for p in peaks if p is not None)
            conc["peak_kernels"] = max(
                conc.get(k, {}).get("peak_kernels", 0) for k in ("http", "browser")
            )

    def browsers(self, conc: dict[str, Any]) -> None:
        server, args = self.release_server, self.args
        assert server is not None
        server.wait_ready()
        log(f"{args.viewers} browser pages at once, {args.viewer_changes} changes each")
        with sampled(server) as sampler:
            conc["browser"] = asyncio.run(
                browser_viewers(server, args.viewers, args.viewer_changes, conc["page_timeout_s"])
            )
        b = conc["browser"]
        b.update(sampler.figures())
        log(
            f"browsers: {b['interactive']} interactive, last at {fmt_s(b['last_interactive_s'])}, {len(b['failed'])} failed; changes median {fmt_ms(b['change_median_ms'])}, {b['changes_failed']} failed; peak RSS {b['peak_rss_bytes'] / 2**30:.2f} GiB, {b['peak_kernels']} kernels"
        )
        conc["release"] = {}
        # culling is timer-driven: poll it in the background while the exports run
        self.release_thread = threading.Thread(
            target=poll_release,
            args=(
                server,
                self.settings.kernel_pool,
                b.pop("closed_at"),
                conc["release_timeout_s"],
                conc["release"],
            ),
            daemon=True,
        )
        self.release_thread.start()

    def exports(self, scales: list[tuple[str, Path]]) -> None:
        """3 + 4: exports, every data size (the culling of phase 5 is polled meanwhile)."""
        with self.phase("exports"):
            server = self.release_server
            if server is not None and server.process is not None:
                # the pool refills once the committee's pages are served: let those kernels
                # start before timing (they took up to 1 s of the first exports' cores)
                waited = wait_idle(server.pid, timeout=60)
                self.result["exports_waited_for_idle_server_s"] = waited
                log(f"waited {waited:.1f} s for the server's kernels to settle before the exports")
            for label, exports in measure_exports(self.ctx, scales).items():
                self.result["scales"].setdefault(label, {})["export"] = exports
        conc = self.result.get("concurrent", {})
        if self.release_thread is not None and self.release_thread.is_alive():
            log("waiting for the kernels of the closed pages to be culled")
            self.release_thread.join(conc["release_timeout_s"] + 10)
        if "release" in conc:
            log(f"kernels released after {fmt_s(conc['release'].get('released_after_s'))}")

    def stop(self) -> None:
        """Stop what is still running, keep the Voilà logs, remove the private folders."""
        if self.release_server is not None:
            if "browser" in self.result.get("concurrent", {}):
                stalls = self.release_server.stalls()
                self.result["concurrent"]["browser"]["stalls_in_log"] = stalls
            self.release_server.stop()
        logs = self.args.out / f"{self.stem}-logs"
        logs.mkdir(parents=True, exist_ok=True)
        for path in sorted(self.work.glob("voila-*.log")):
            shutil.copy(path, logs / path.name)
        self.result["voila_logs"] = str(logs)
        shutil.rmtree(self.work, ignore_errors=True)

    def write(self) -> None:
        """The notes, the table, and the JSON and Markdown files."""
        result = self.result
        result["machine"]["loadavg_end"] = " ".join(open("/proc/loadavg").read().split()[:3])
        result["machine"]["other_processes_at_end"] = other_load()
        result["duration_s"] = time.monotonic() - T_START
        self.ctx.notes.extend(notes(result, quick=self.args.quick))
        result["table"] = table_rows(result)
        text = markdown(result)
        out = self.args.out
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{self.stem}.json").write_text(
            json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8"
        )
        (out / f"{self.stem}.md").write_text(text, encoding="utf-8")
        print()
        print(text)
        print(f"written: {out / (self.stem + '.json')} and .md ({result['duration_s']:.0f} s)")


@contextmanager
def sampled(server: Voila) -> Iterator[Sampler]:
    """Sample the server's memory and CPU while the block runs."""
    sampler = Sampler(server.pid)
    sampler.start()
    try:
        yield sampler
    finally:
        sampler.stop()


def notes(result: dict[str, Any], *, quick: bool) -> list[str]:
    """What a reader of the table needs to know: stalls, the machine's load, how changes were made."""
    conc = result.get("concurrent", {})
    stalls = sum(v for s in result["scales"].values() for v in s.get("stalls_in_log", {}).values())
    stalls += conc.get("http", {}).get("stalls_in_log", 0)
    stalls += conc.get("browser", {}).get("stalls_in_log", 0)
    machine = result["machine"]
    found = [
        f"Voilà execution timeouts (stalled executions, 'Timeout waiting for' in the logs): {stalls}",
        "The machine is shared (other test runs may be using the CPUs): load average "
        f"{machine['loadavg_start']} at the start, {machine['loadavg_end']} at the end; "
        f"{machine['other_processes_at_end']} at the end. Figures may be noisy.",
        "Year-range changes are made with the keyboard on the slider's lower handle (ArrowRight/ArrowLeft).",
    ]
    if result.get("phase_load"):
        found.append(
            "Share of the machine's CPU capacity used by other processes (not this run) during each phase: "
            + ", ".join(
                f"{name} {v['others_share']:.0%} ({v['wall_s']:.0f} s)"
                for name, v in result["phase_load"].items()
            )
        )
    for name in ("http", "browser"):
        cpu = conc.get(name, {}).get("cpu_seconds")
        if cpu:
            found.append(
                f"CPU seconds during the concurrent {name} phase: "
                + ", ".join(f"{k} {v}" for k, v in cpu.items())
            )
    if quick:
        found.append("--quick: fewer loads and changes, fewer viewers, no 10× data.")
    return found


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing (Debian package chromium)", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _interrupt)
    ensure_bare_notebook()
    run = Run(args)
    try:
        scales = run.data()
        run.pages(scales)
        run.concurrent(scales[0][1])
        run.exports(scales)
    except KeyboardInterrupt:
        run.ctx.notes.append("interrupted: the figures are incomplete")
        log("interrupted")
    finally:
        run.stop()
    run.write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
