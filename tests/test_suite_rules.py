"""Rules for the suite itself: on CI a missing tool fails a test instead of turning it off."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import unavailable

TESTS = Path(__file__).resolve().parent
SKIPS = re.compile(r"pytest\.skip\(|\.skipif\b|importorskip|mark\.skip\b|mark\.xfail\b")


def test_every_skip_goes_through_the_helper_that_fails_under_ci() -> None:
    files = [p for p in TESTS.glob("*.py") if p.name not in ("conftest.py", Path(__file__).name)]
    assert len(files) > 10
    direct = [
        f"{path.name}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if SKIPS.search(line)
    ]
    assert direct == [], "call conftest.unavailable(reason) instead"


@pytest.mark.parametrize(
    ("ci", "outcome"),
    [("true", pytest.fail.Exception), ("", pytest.skip.Exception)],
    ids=["CI=true fails", "elsewhere skips"],
)
def test_a_missing_tool_skips_here_and_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="pdftotext"):
        unavailable("pdftotext is not installed")


def test_chromium_is_launched_only_by_the_shared_fixture() -> None:
    """Playwright's sync API runs once per process: a test file launching its own Chromium
    fails when the session's ``browser`` (conftest.py) already runs in that process."""
    files = [p for p in TESTS.glob("test_*.py") if p.name != Path(__file__).name]
    assert len(files) > 10
    own = [p.name for p in files if "chromium()" in p.read_text(encoding="utf-8")]
    assert own == [], "use the browser fixture of conftest.py"
