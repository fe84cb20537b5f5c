"""The measured phases: page loads and filter changes, exports, concurrent HTTP and browsers."""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefing.config import DATA_ENV, Settings
from briefing.data.areas import PREFECTURE
from briefing.server import DASHBOARD, voila_environment

from .browser import Browser, Step, change_plan, make_change, open_dashboard, viewer_plan
from .common import BARE, CACHE_NAME, REPO, VOILA_FAILURE, WIDGET_MIME, log, median
from .report import fmt_ms, fmt_s
from .voila import Voila, servers, wait_refilled


@dataclass
class Context:
    args: argparse.Namespace
    work: Path
    tmpdir: (
        Path  # TMPDIR of every server and export: the figure cache is tmpdir/mie-briefing-figures
    )
    settings: Settings
    notes: list[str] = field(default_factory=list)

    @property
    def cache_dir(self) -> Path:
        return self.tmpdir / CACHE_NAME

    def clear_cache(self) -> None:
        shutil.rmtree(self.cache_dir, ignore_errors=True)


def dataset_facts(data_dir: Path) -> tuple[list[str], list[int], dict[str, str], dict[str, int]]:
    from briefing.data.dataset import load_dataset

    ds = load_dataset(data_dir)
    preferred = [PREFECTURE, "hokusei", "higashikishu", "242012", "chusei", "iga", "nansei"]
    codes = [str(c) for c in ds.areas.index]
    areas = [c for c in preferred if c in codes] + [c for c in codes if c not in preferred]
    years = sorted(int(y) for y in ds.history["fy"].unique())
    names = {str(c): str(ds.areas.at[c, "name_ja"]) for c in ds.areas.index}
    size = {
        "history_rows": len(ds.history),
        "surveys_rows": len(ds.surveys) if hasattr(ds, "surveys") else 0,
        "years": len(years),
    }
    return areas, years, names, size


@dataclass
class Loads:
    """The page loads of every server, by server name: what the TTI figures are made from."""

    seconds: dict[str, list[float]]
    failed: dict[str, list[str]]
    warmup: dict[str, float | str | None] = field(default_factory=dict)


def page_servers(ctx: Context, datasets: list[tuple[str, Path]]) -> tuple[list[Voila], Voila]:
    """One dashboard server per data size, and the bare notebook on the first data size."""
    dashes = [
        Voila(
            f"dashboard-{label}",
            ctx.settings.with_(data_dir=data_dir),
            notebook=DASHBOARD,
            work=ctx.work,
            tmpdir=ctx.tmpdir,
        )
        for label, data_dir in datasets
    ]
    bare = Voila(
        "bare",
        ctx.settings.with_(data_dir=datasets[0][1]),
        notebook=BARE,
        work=ctx.work,
        tmpdir=ctx.tmpdir,
    )
    return dashes, bare


async def load_once(
    browser: Browser, server: Voila, *, bare: bool
) -> tuple[float | None, str | None]:
    """One page load in a fresh browser context; then wait for the pool to be refilled, so the
    next load finds the server idle."""
    fills = server.pool_fills()
    context, page = await browser.page()
    try:
        result = await open_dashboard(page, server.url, timeout=30, bare=bare)
    finally:
        await context.close()
    await asyncio.to_thread(wait_refilled, server, fills)
    return result


async def time_loads(browser: Browser, made: list[Voila], bare: Voila, count: int) -> Loads:
    """A warm-up load per server, then ``count`` loads each, round the servers in turn (starting
    one further each round), so a busy spell on the machine hits every server alike."""
    loads = Loads({s.name: [] for s in made}, {s.name: [] for s in made})
    log(
        f"one warm-up load, then {count} measured page loads each of {', '.join(s.name for s in made)}, in turn"
    )
    for server in made:  # the first page of a server pays one-off costs (templates, files)
        seconds, error = await load_once(browser, server, bare=server is bare)
        loads.warmup[server.name] = seconds if seconds is not None else error
    attempts = 0
    # failed loads are retried, up to 2 more per server, so the median has `count` values
    while attempts < count + 2 and any(len(loads.seconds[s.name]) < count for s in made):
        order = made[attempts % len(made) :] + made[: attempts % len(made)]
        for server in order:
            if len(loads.seconds[server.name]) >= count:
                continue
            seconds, error = await load_once(browser, server, bare=server is bare)
            if seconds is None:
                loads.failed[server.name].append(error or "?")
                log(f"{server.name}: load failed: {error}")
            else:
                loads.seconds[server.name].append(seconds)
        attempts += 1
    return loads


def tti_figures(label: str, dash: Voila, bare: Voila | None, loads: Loads) -> dict[str, Any]:
    """The time-to-interactive entry of one data size; with the bare notebook's beside it when
    ``bare`` ran on this data size."""
    tti: dict[str, Any] = {
        "dashboard_s": loads.seconds[dash.name],
        "dashboard_median_s": median(loads.seconds[dash.name]),
        "dashboard_failed": loads.failed[dash.name],
        "dashboard_warmup": loads.warmup[dash.name],
        "how": "fresh browser context per load, after one warm-up load per server; the pool is refilled and the server idle before each load; from page.goto to the overview's data-view element present and both selects enabled",
    }
    if bare is not None:
        tti.update(
            bare_s=loads.seconds[bare.name],
            bare_median_s=median(loads.seconds[bare.name]),
            bare_failed=loads.failed[bare.name],
            bare_warmup=loads.warmup[bare.name],
        )
        if tti["dashboard_median_s"] and tti["bare_median_s"]:
            tti["ratio"] = tti["dashboard_median_s"] / tti["bare_median_s"]
    log(
        f"{label}: TTI dashboard {fmt_s(tti['dashboard_median_s'])} {[round(x, 2) for x in loads.seconds[dash.name]]}"
        + (
            f", bare {fmt_s(tti.get('bare_median_s'))} {[round(x, 2) for x in loads.seconds[bare.name]]}"
            if bare is not None
            else ""
        )
    )
    return tti


async def walk_steps(
    pages: dict[str, Any], plans: dict[str, list[Step]], names: dict[str, dict[str, str]]
) -> dict[str, list[dict[str, Any]]]:
    """Step i of every data size's walk before step i + 1 of any; a walk stops at its first
    failure (the page's state is unknown after it)."""
    walks: dict[str, list[dict[str, Any]]] = {label: [] for label in plans}
    live = set(plans)
    for index in range(max(len(p) for p in plans.values())):
        for label in [lb for lb in plans if lb in live and index < len(plans[lb])]:
            step = plans[label][index]
            ms, error = await make_change(pages[label], step, area_names=names[label], timeout=90)
            walks[label].append(
                {
                    "kind": step.kind,
                    "value": step.value,
                    "key": step.key,
                    "fresh": step.fresh,
                    "ms": ms,
                    "error": error,
                }
            )
            if ms is None:
                log(
                    f"{label}: change to {step.key} failed ({error}); the rest of this walk is skipped"
                )
                live.discard(label)
    return walks


async def walk_filters(
    browser: Browser,
    dashes: dict[str, Voila],
    facts: dict[str, tuple[list[str], list[int], dict[str, str], dict[str, int]]],
    changes: int,
) -> dict[str, list[dict[str, Any]]]:
    """Phase 2: one page per data size kept open, and its walk of filter changes."""
    plans = {
        label: change_plan(facts[label][0], facts[label][1], changes, changes) for label in dashes
    }
    log(
        f"filter changes: {', '.join(f'{len(p)} on {label}' for label, p in plans.items())}, steps alternating between the data sizes"
    )
    contexts, pages = [], {}
    try:
        for label, dash in dashes.items():
            context, pages[label] = await browser.page()
            contexts.append(context)
            seconds, error = await open_dashboard(pages[label], dash.url, timeout=60)
            if seconds is None:
                raise RuntimeError(
                    f"dashboard {label} did not open for the filter changes: {error}"
                )
        return await walk_steps(pages, plans, {label: facts[label][2] for label in dashes})
    finally:
        for context in contexts:
            await context.close()


def server_signs(dash: Voila, bare: Voila | None) -> dict[str, Any]:
    """What the servers' logs show of trouble: stalls, and kernels culled before their page came."""
    others = [bare] if bare is not None else []
    return {
        "stalls_in_log": {s.name: s.stalls() for s in (dash, *others)},
        "culled_before_connect": {s.name: len(s.culled_before_connect()) for s in (dash, *others)},
    }


async def measure_pages(
    ctx: Context, datasets: list[tuple[str, Path]]
) -> dict[str, dict[str, Any]]:
    """Phases 1 + 2 for every data size at once: page loads, then a walk of filter changes.

    One dashboard server per data size and one for the bare notebook run side by side; loads go
    round the servers in turn, and the walks on the data sizes alternate step by step, so a busy
    spell on the (shared) machine hits every figure alike rather than one data size.
    """
    dashes, bare = page_servers(ctx, datasets)
    by_label = {label: dash for (label, _), dash in zip(datasets, dashes, strict=True)}
    beside = {label: bare if dash is dashes[0] else None for label, dash in by_label.items()}
    facts = {label: dataset_facts(data_dir) for label, data_dir in datasets}
    out: dict[str, dict[str, Any]] = {label: {} for label, _ in datasets}
    with servers(*dashes, bare):
        async with Browser() as browser:
            loads = await time_loads(browser, [*dashes, bare], bare, ctx.args.loads)
            for label, dash in by_label.items():
                out[label]["tti"] = tti_figures(label, dash, beside[label], loads)
            walks = await walk_filters(browser, by_label, facts, ctx.args.changes)
        for label, dash in by_label.items():
            out[label].update(server_signs(dash, beside[label]), chromium=browser.version)
    for label, steps in walks.items():
        c = out[label]["changes"] = summarise_walk(steps)
        log(
            f"{label}: filter change new {fmt_ms(c['new_median_ms'])} (n={c['new_count']}), back {fmt_ms(c['back_median_ms'])} (n={c['back_count']})"
        )
    return out


def summarise_walk(changes: list[dict[str, Any]]) -> dict[str, Any]:
    fresh = [c["ms"] for c in changes if c["fresh"] and c["ms"] is not None]
    back = [c["ms"] for c in changes if not c["fresh"] and c["ms"] is not None]
    by_kind = {}
    for kind in ("direction", "area", "years", "tab"):
        for is_fresh, name in ((True, "new"), (False, "back")):
            values = [
                c["ms"]
                for c in changes
                if c["kind"] == kind and c["fresh"] == is_fresh and c["ms"] is not None
            ]
            if values:
                by_kind[f"{kind}_{name}_median_ms"] = median(values)
                by_kind[f"{kind}_{name}_count"] = len(values)
    return {
        "steps": changes,
        "new_median_ms": median(fresh),
        "new_max_ms": max(fresh) if fresh else None,
        "new_count": len(fresh),
        "back_median_ms": median(back),
        "back_max_ms": max(back) if back else None,
        "back_count": len(back),
        "failed": [c for c in changes if c["ms"] is None],
        "by_kind": by_kind,
        "how": "one page (one kernel) per data size; select_option on the 取組方向/地域 selects, a click on the 取組方向 tab, "
        "ArrowRight/ArrowLeft on the lower year handle; time from the first DOM event of the action to the "
        "view with the expected data-view present and its images decoded (in-page clock, rAF polling)",
    }


def run_timed(
    command: list[str], *, env: dict[str, str], cwd: Path, timeout: float
) -> tuple[float | None, str]:
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            start_new_session=True,
        )
    except subprocess.TimeoutExpired as expired:
        return (
            None,
            f"timed out after {timeout:.0f} s: {(expired.stderr or b'')[-500:].decode(errors='replace')}",
        )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        return None, f"exit {done.returncode}: {done.stderr[-800:].decode(errors='replace')}"
    return elapsed, ""


def briefing_command() -> list[str]:
    script = Path(sys.executable).parent / "briefing"
    return [str(script)] if script.exists() else [sys.executable, "-m", "briefing.cli"]


#: The timed exports: the full briefing and one file per area, each with a cold and a warm cache.
EXPORT_KINDS = ("full_cold", "full_warm", "each_area_cold", "each_area_warm")


def export_environments(
    ctx: Context, datasets: list[tuple[str, Path]]
) -> dict[str, dict[str, str]]:
    """The environment of ``briefing export`` per data size: its data, and the run's TMPDIR (so
    the figure cache is the one ``ctx.clear_cache`` empties)."""
    envs = {}
    for label, data_dir in datasets:
        (ctx.work / f"export-{label}").mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env[DATA_ENV] = str(data_dir)
        env["TMPDIR"] = str(ctx.tmpdir)
        envs[label] = env
    return envs


def export_arguments(kind: str, data_dir: Path, out_dir: Path) -> list[str]:
    """``briefing export`` arguments for the full briefing (``full``) or one file per area."""
    return ["export", "--data", str(data_dir)] + (
        ["-o", str(out_dir / "full.html")]
        if kind == "full"
        else ["--each-area", "--outdir", str(out_dir / "each")]
    )


def time_exports(
    ctx: Context, datasets: list[tuple[str, Path]], results: dict[str, dict[str, Any]]
) -> None:
    """Every export twice in a row, first with the figure cache emptied (cold), then warm;
    the data sizes alternate, so a busy spell does not fall on one of them."""
    command, envs = briefing_command(), export_environments(ctx, datasets)
    for kind in ("full", "each_area"):
        for _ in range(ctx.args.export_reps):
            for label, data_dir in datasets:
                extra = export_arguments(kind, data_dir, ctx.work / f"export-{label}")
                ctx.clear_cache()
                for cache in ("cold", "warm"):
                    seconds, error = run_timed(
                        command + extra, env=envs[label], cwd=ctx.work, timeout=300
                    )
                    if seconds is None:
                        results[label]["errors"].append(f"{kind} {cache}: {error}")
                    else:
                        results[label][f"{kind}_{cache}_s"].append(seconds)


def summarise_exports(ctx: Context, label: str, r: dict[str, Any]) -> None:
    """The medians of one data size's exports, and the size of its full briefing."""
    for key in EXPORT_KINDS:
        r[f"{key}_median_s"] = median(r[f"{key}_s"])
    full = ctx.work / f"export-{label}" / "full.html"
    if full.exists():
        r["full_html_kb"] = round(full.stat().st_size / 1024)
    log(
        f"{label}: export full cold {fmt_s(r['full_cold_median_s'])} warm {fmt_s(r['full_warm_median_s'])}; each area cold {fmt_s(r['each_area_cold_median_s'])} warm {fmt_s(r['each_area_warm_median_s'])}"
    )


def nbconvert_run(ctx: Context, label: str, data_dir: Path) -> tuple[list[str], dict[str, str]]:
    """``jupyter nbconvert --execute`` of the dashboard in the environment Voilà gives its kernels,
    with Jupyter folders of its own (nothing shared with the servers still running)."""
    env = voila_environment(ctx.settings.with_(data_dir=data_dir))
    private = ctx.work / f"nbconvert-{label}"
    for variable, folder in (
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
    ):
        (private / folder).mkdir(parents=True, exist_ok=True)
        env[variable] = str(private / folder)
    env["TMPDIR"] = str(ctx.tmpdir)
    jupyter = Path(sys.executable).parent / "jupyter"
    command = [
        str(jupyter) if jupyter.exists() else "jupyter",
        "nbconvert",
        "--execute",
        "--to",
        "html",
        str(DASHBOARD),
        "--ExecutePreprocessor.timeout=60",
        "--output-dir",
        str(private / "out"),
    ]
    return command, env


def time_nbconvert(
    ctx: Context, datasets: list[tuple[str, Path]], results: dict[str, dict[str, Any]]
) -> None:
    """The reference the export is compared with, the data sizes alternating."""
    for _ in range(ctx.args.nbconvert_reps):
        for label, data_dir in datasets:
            command, env = nbconvert_run(ctx, label, data_dir)
            seconds, error = run_timed(command, env=env, cwd=REPO, timeout=240)
            if seconds is None:
                results[label]["errors"].append(f"nbconvert: {error}")
            else:
                results[label]["nbconvert_s"].append(seconds)


def measure_exports(ctx: Context, datasets: list[tuple[str, Path]]) -> dict[str, dict[str, Any]]:
    """Phase 3 for every data size, alternating between them: briefing export (full, each area),
    each with a cold figure cache (emptied just before) and then warm; jupyter nbconvert --execute."""
    results: dict[str, dict[str, Any]] = {
        label: {
            "reps_full": ctx.args.export_reps,
            "reps_each_area": ctx.args.export_reps,
            "errors": [],
            **{f"{key}_s": [] for key in (*EXPORT_KINDS, "nbconvert")},
        }
        for label, _ in datasets
    }
    time_exports(ctx, datasets, results)
    for label, _ in datasets:
        summarise_exports(ctx, label, results[label])
    time_nbconvert(ctx, datasets, results)
    for label, _ in datasets:
        r = results[label]
        r["nbconvert_median_s"] = median(r["nbconvert_s"])
        log(f"{label}: nbconvert --execute {fmt_s(r['nbconvert_median_s'])}")
    return results


def http_viewers(server: Voila, count: int, timeout: float) -> dict[str, Any]:
    """``count`` plain HTTP GETs of the page at once; seconds until each full body has arrived."""
    host, port = "127.0.0.1", server.settings.port
    barrier = threading.Barrier(count)
    results: list[dict[str, Any]] = [{} for _ in range(count)]

    def fetch(i: int) -> None:
        barrier.wait(timeout=30)
        start = time.perf_counter()
        try:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
            connection.request("GET", "/")
            response = connection.getresponse()
            body = response.read().decode("utf-8", errors="replace")
            connection.close()
            elapsed = time.perf_counter() - start
            failure = VOILA_FAILURE.search(body)
            ok = response.status == 200 and WIDGET_MIME in body and failure is None
            results[i] = {
                "s": elapsed,
                "status": response.status,
                "ok": ok,
                "bytes": len(body),
                "failure": failure.group(0) if failure else None,
            }
        except Exception as error:  # noqa: BLE001  (a timeout or reset is a result here)
            results[i] = {"s": None, "ok": False, "error": f"{type(error).__name__}: {error}"}

    threads = [threading.Thread(target=fetch, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout + 40)
    times = [r["s"] for r in results if r.get("ok")]
    return {
        "each": results,
        "ok": len(times),
        "failed": count - len(times),
        "slowest_s": max(times) if times else None,
        "median_s": median(times),
    }


@dataclass(frozen=True)
class Viewing:
    """What every concurrent page shares: the server, the data's areas, years and area names,
    the changes per page, the per-page timeout, and when all pages began (the clock's zero)."""

    server: Voila
    areas: list[str]
    years: list[int]
    names: dict[str, str]
    changes: int
    timeout: float
    start: float


async def one_viewer(page: Any, index: int, v: Viewing) -> dict[str, Any]:
    """One committee member: open the dashboard, then make filter changes of their own (stopping
    at the first that fails)."""
    seconds, error = await open_dashboard(page, v.server.url, timeout=v.timeout, polling=100)
    result: dict[str, Any] = {
        "tti_s": seconds,
        "interactive_at_s": time.perf_counter() - v.start if seconds else None,
        "error": error,
        "changes": [],
    }
    if seconds is None:
        return result
    for step in viewer_plan(v.areas, v.years, index, v.changes):
        ms, error = await make_change(page, step, area_names=v.names, timeout=v.timeout, polling=50)
        result["changes"].append({"key": step.key, "fresh": step.fresh, "ms": ms, "error": error})
        if ms is None:
            break
    result["done_at_s"] = time.perf_counter() - v.start
    return result


async def close_pages(pages: list[tuple[Any, Any]]) -> None:
    """Close every page's context, each given 20 s: a hung page must not stop the run."""
    for context, _ in pages:
        try:
            await asyncio.wait_for(context.close(), 20)
        except Exception:  # noqa: BLE001
            pass


def viewers_summary(each: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of the concurrent pages: when they became interactive, and their changes."""
    ttis = [r["interactive_at_s"] for r in each if r["interactive_at_s"] is not None]
    change_ms = [c["ms"] for r in each for c in r["changes"] if c["ms"] is not None]
    return {
        "each": each,
        "interactive": len(ttis),
        "failed": [r["error"] for r in each if r["tti_s"] is None],
        "last_interactive_s": max(ttis) if ttis else None,
        "median_interactive_s": median(ttis),
        "changes_done": len(change_ms),
        "changes_failed": sum(1 for r in each for c in r["changes"] if c["ms"] is None),
        "change_median_ms": median(change_ms),
        "change_max_ms": max(change_ms) if change_ms else None,
    }


async def browser_viewers(
    server: Voila, count: int, changes: int, timeout: float
) -> dict[str, Any]:
    """``count`` Chromium pages opened at once, then ``changes`` filter changes each."""
    areas, years, names, _ = dataset_facts(server.settings.data_dir)
    async with Browser() as browser:
        pages = [await browser.page() for _ in range(count)]
        v = Viewing(server, areas, years, names, changes, timeout, start=time.perf_counter())
        try:
            each = await asyncio.wait_for(
                asyncio.gather(*(one_viewer(page, i, v) for i, (_, page) in enumerate(pages))),
                timeout * (2 + changes),
            )
        finally:
            log_text = server.log_text()
            culled_open = len(server.culled_before_connect())
            missing = log_text.count("404 GET /api/kernels/")
            await close_pages(pages)
    closed_at = time.monotonic()
    closed_after = time.perf_counter() - v.start
    return {
        **viewers_summary(each),
        "closed_at": closed_at,
        "kernels_culled_before_their_page_connected": culled_open,
        "kernel_404s_while_pages_open": missing,
        "idle_before_close_s": [
            round(closed_after - r["done_at_s"], 1) for r in each if "done_at_s" in r
        ],
    }


def poll_release(
    server: Voila, pool: int, closed_at: float, timeout: float, result: dict[str, Any]
) -> None:
    """Poll the kernel processes of ``server`` until only the pool is left (kernels of closed pages culled)."""
    trace = []
    while time.monotonic() - closed_at < timeout:
        count = server.kernels()
        trace.append((round(time.monotonic() - closed_at, 1), count))
        if count <= pool:
            result["released_after_s"] = time.monotonic() - closed_at
            break
        time.sleep(1)
    else:
        result["released_after_s"] = None
    result["kernel_trace"] = trace[:: max(1, len(trace) // 40)]
