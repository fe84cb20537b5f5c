"""One settings object: every setting a picture depends on reaches the picture, never a stale one.

The figure cache is shared by every kernel on disk; a chart cached under one setting and served
under another would show committee members the wrong picture with nothing to tell them so.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
from contextlib import redirect_stdout
from dataclasses import fields
from pathlib import Path

import pytest

from briefing import Dataset, Settings
from briefing.cli import _parser
from briefing.config import from_options
from briefing.content import (
    Filters,
    comparisons,
    context,
    goal_cards,
    indicator_cards,
    survey_panels,
)
from briefing.render import render_briefing
from briefing.server import voila_environment

GENERATED = dt.date(2026, 12, 1)

#: A changed value for each setting that a chart depends on.
CHANGED = {
    "palette": ("#000000", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#0072B2"),
    "figure_size": (5.0, 3.6),
    "confidence": 0.80,
    "suppress_below": 10,
    "small_sample_n": 2000,
}  # fmt: skip


#: A direction whose counts are broken down by area, some of them small.
FILTERS = Filters(direction=2)


def _charts(ds: Dataset, settings: Settings) -> list[str]:
    """Trend, area, goal and survey charts as the briefing draws them (SVG), ids stripped: they
    name the chart, not its look."""
    ctx = context(ds, settings, fmt="svg")
    cards = [c for group in indicator_cards(ctx, FILTERS, detail=True).values() for c in group]
    compared, _ = comparisons(ctx, FILTERS)
    charts = (
        [c.chart for c in cards]
        + [c.chart for c in compared]
        + [g.chart for g in goal_cards(ctx, FILTERS, charts_too=True)]
        + [p.chart for p in survey_panels(ctx, FILTERS)]
    )
    svgs = [c.svg for c in charts if c is not None and c.svg]
    assert len(svgs) > 10
    return [re.sub(r'id="[^"]*"|url\(#[^)]*\)|href="#[^"]*"', "", svg) for svg in svgs]


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("figures")


@pytest.fixture(scope="module")
def default_charts(bundled_dataset: Dataset, shared_cache: Path) -> list[str]:
    return _charts(bundled_dataset, Settings(cache_dir=shared_cache))


def test_every_drawing_setting_is_named_and_changed_here():
    assert set(Settings().drawing()) == set(CHANGED)


@pytest.mark.parametrize("name", sorted(CHANGED))
def test_a_changed_setting_draws_new_charts_from_the_same_cache(
    name: str, bundled_dataset: Dataset, shared_cache: Path, default_charts: list[str]
):
    changed = _charts(
        bundled_dataset, Settings(cache_dir=shared_cache).with_(**{name: CHANGED[name]})
    )
    differing = sum(a != b for a, b in zip(default_charts, changed, strict=False))
    assert differing or len(changed) != len(default_charts), (
        f"{name}: the cached charts were served"
    )


def test_the_intervals_level_is_the_one_set_in_every_label(
    bundled_dataset: Dataset, tmp_path: Path
):
    html = render_briefing(
        bundled_dataset,
        Filters(),
        settings=Settings(cache_dir=tmp_path, confidence=0.90),
        generated=GENERATED,
    )
    text = re.sub(r"<svg.*?</svg>|<[^>]+>", " ", html, flags=re.S)
    assert "90%信頼区間" in text
    assert "95%" not in text


def test_command_options_are_made_from_the_settings_with_their_help_once():
    helps = {f.name: f.metadata["help"] for f in fields(Settings)}
    serve_help = _parser().parse_args(["serve"])  # defaults: nothing given, nothing overridden
    assert from_options(serve_help) == Settings()
    args = _parser().parse_args(["serve", "--port", "9001", "--pool", "2", "--host", "0.0.0.0"])
    assert from_options(args) == Settings().with_(port=9001, kernel_pool=2, host="0.0.0.0")
    staff = _parser().parse_args(["staff", "--port", "9002"])
    assert from_options(staff).staff_port == 9002 and from_options(staff).port == Settings().port
    out = io.StringIO()
    with redirect_stdout(out), pytest.raises(SystemExit):
        _parser().parse_args(["serve", "--help"])
    flat = "".join(out.getvalue().split())
    for name in ("data_dir", "host", "port", "kernel_pool"):
        assert "".join(helps[name].split()) in flat, name


def test_kernels_get_the_servers_settings_through_their_environment(tmp_path: Path):
    settings = Settings(data_dir=tmp_path, cull_after=12)
    env = voila_environment(settings)
    seen = subprocess.run(
        [
            sys.executable,
            "-c",
            "from briefing import Settings; s = Settings(); print(s.data_dir, s.cull_after)",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert seen == [str(tmp_path), "12"]
