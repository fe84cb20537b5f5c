"""The figure cache: drawn once per data version, shared on disk, and filled on every core."""

from __future__ import annotations

import os
import threading
from functools import partial
from pathlib import Path

import pytest

from briefing.charts.figcache import FigureCache


def test_a_figure_is_drawn_once_and_found_by_another_process_on_disk(tmp_path: Path):
    calls = []
    first = FigureCache(tmp_path, "v1")
    assert first.get({"chart": "a"}, lambda: calls.append(1) or b"A") == b"A"
    assert first.get({"chart": "a"}, lambda: calls.append(1) or b"B") == b"A"
    second = FigureCache(tmp_path, "v1")  # another kernel
    assert second.get({"chart": "a"}, lambda: b"B") == b"A" and second.drawn == 0
    assert FigureCache(tmp_path, "v2").get({"chart": "a"}, lambda: b"new data") == b"new data"
    assert len(calls) == 1


def _svg(name: str) -> bytes:
    return f"<svg>{name} {os.getpid()}</svg>".encode()


PREPARED: list[int] = []


def _prepare() -> None:
    PREPARED.append(os.getpid())


def _document(cache: FigureCache, names: list[str]) -> str:
    return "|".join(cache.get({"chart": n}, partial(_svg, n), suffix="svg").decode() for n in names)


@pytest.mark.parametrize("cold", [True, False], ids=["cold cache", "some figures stored"])
def test_draw_all_renders_once_and_puts_in_figures_drawn_by_worker_processes(
    tmp_path: Path, cold: bool
):
    cache = FigureCache(tmp_path, "v1")
    if not cold:
        cache.get({"chart": "known"}, lambda: b"<svg>known</svg>", suffix="svg")
    renders = []

    def render() -> list[str]:
        renders.append(1)
        return [_document(cache, ["known", "x", "y"]), _document(cache, ["y", "z"])]

    first, second = cache.draw_all(render, prepare=_prepare, processes=2)
    assert len(renders) == 1
    assert "pending" not in first + second
    x, y, z = (first.split("|")[1], first.split("|")[2], second.split("|")[1])
    assert second.split("|")[0] == y  # one figure asked for twice is drawn once
    pids = {part.split()[1].removesuffix("</svg>") for part in (x, y, z)}
    assert str(os.getpid()) not in pids  # drawn by the workers, not this process
    assert cache.drawn == 4  # known (before or now), x, y, z
    # prepare ran in this process only when the cache was warm (cold: in the forked Drawers)
    assert PREPARED.count(os.getpid()) == (0 if cold else 1)
    PREPARED.clear()
    # stored: a new process finds every figure without drawing
    again = FigureCache(tmp_path, "v1")
    assert again.draw_all(render, prepare=_prepare, processes=2) == [first, second]
    assert again.drawn == 0 and PREPARED == []


def test_a_figure_that_fails_to_draw_fails_the_export(tmp_path: Path):
    cache = FigureCache(tmp_path, "v1")

    def render() -> list[str]:
        return [cache.get({"chart": "bad"}, partial(int, "x"), suffix="svg").decode()]

    with pytest.raises(ValueError):
        cache.draw_all(render, prepare=_prepare, processes=2)
    assert not (tmp_path / "v1").exists() or not any((tmp_path / "v1").iterdir())


def _never_ready() -> None:
    """A ``prepare`` that never finishes: drawers that are waited for would hang the caller."""
    threading.Event().wait()


#: Generous: a warm cache returns at once; only waiting for the drawers (for ever) exceeds it.
HANG_S = 60


def test_drawers_started_before_the_data_loads_draw_and_a_warm_cache_never_waits_for_them(
    tmp_path: Path,
):
    from briefing.charts.figcache import Drawers

    cache = FigureCache(tmp_path, "v1")
    assert cache.cold
    with Drawers(_prepare, processes=2) as drawers:  # the CLI forks them first, then loads
        [document] = cache.draw_all(lambda: [_document(cache, ["a", "b"])], drawers=drawers)
        assert drawers.process.is_alive()  # still the caller's to close
    assert not drawers.process.is_alive()
    assert str(os.getpid()) not in document and "pending" not in document
    assert PREPARED == []  # matplotlib's import was paid in the drawers, not here
    assert not cache.cold
    # every figure stored: drawers that are never ready are not waited for
    warm = FigureCache(tmp_path, "v1")
    again: list[str] = []
    with Drawers(_never_ready, processes=2) as drawers:
        worker = threading.Thread(
            target=lambda: again.extend(
                warm.draw_all(lambda: [_document(warm, ["a", "b"])], drawers=drawers)
            )
        )
        worker.start()
        worker.join(timeout=HANG_S)
        assert not worker.is_alive(), "a warm cache waited for drawers that never got ready"
        assert drawers.process.is_alive()  # they were still preparing when the document came
    assert again == [document] and warm.drawn == 0


def test_without_fork_figures_are_drawn_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Windows has no fork: ``briefing export`` there draws every figure itself, same result."""
    import briefing.charts.figcache

    monkeypatch.setattr(briefing.charts.figcache, "FORK", False)
    cache = FigureCache(tmp_path, "v1")

    def render() -> list[str]:
        return [_document(cache, ["x", "y"])]

    [document] = cache.draw_all(render, prepare=_prepare, processes=2)
    assert document == f"<svg>x {os.getpid()}</svg>|<svg>y {os.getpid()}</svg>"
    assert PREPARED == [os.getpid()]  # matplotlib's imports, once, here
    PREPARED.clear()
