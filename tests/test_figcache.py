"""The figure cache: drawn once per data version, shared on disk, and filled on every core."""

from __future__ import annotations

from pathlib import Path

from briefing.figcache import PLACEHOLDER, FigureCache


def test_a_figure_is_drawn_once_and_found_by_another_process_on_disk(tmp_path: Path):
    calls = []
    first = FigureCache(tmp_path, "v1")
    assert first.get({"chart": "a"}, lambda: calls.append(1) or b"A") == b"A"
    assert first.get({"chart": "a"}, lambda: calls.append(1) or b"B") == b"A"
    second = FigureCache(tmp_path, "v1")  # another kernel
    assert second.get({"chart": "a"}, lambda: b"B") == b"A" and second.drawn == 0
    assert FigureCache(tmp_path, "v2").get({"chart": "a"}, lambda: b"new data") == b"new data"
    assert len(calls) == 1


def test_draw_all_draws_missing_figures_in_worker_processes_then_render_finds_them(tmp_path: Path):
    import os

    cache = FigureCache(tmp_path, "v1")
    cache.get({"chart": "known"}, lambda: b"known")

    def render() -> list[bytes]:
        return [
            cache.get({"chart": n}, lambda n=n: f"{n}:{os.getpid()}".encode())
            for n in ("known", "x", "y", "z")
        ]

    cache.draw_all(render, processes=2)
    assert cache.drawn == 4  # "known" once before, then x, y, z
    result = render()
    assert PLACEHOLDER not in result and result[0] == b"known"
    pids = {r.split(b":")[1] for r in result[1:]}
    assert str(os.getpid()).encode() not in pids  # drawn by the workers, not this process
