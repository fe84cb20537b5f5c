"""The installable surface: dependencies in step across pip and conda, explicit public names."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

import briefing
import widgets

ROOT = Path(__file__).resolve().parent.parent


def _names(requirements: list[str]) -> dict[str, str]:
    result = {}
    for req in requirements:
        match = re.match(r"^([A-Za-z0-9_.\-]+)(.*)$", req.strip())
        assert match, req
        result[match.group(1).lower().replace("_", "-")] = match.group(2).replace(" ", "")
    return result


def test_environment_yml_lists_the_same_packages_and_versions_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = _names(project["dependencies"] + project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    conda = _names([p for p in pip if not p.startswith("-e")])
    assert conda == wanted
    assert "-e ." in pip


def test_public_surface_is_explicit():
    assert set(briefing.__all__) == {
        "DATA_ENV", "PREFECTURE", "DataError", "Dataset", "FiscalYearError", "Problem", "Settings",
        "area_history", "format_fy", "has_breakdown", "load_dataset", "parse_fy", "summarise",
        "survey_shares", "suppression", "wilson_interval",
    }  # fmt: skip
    assert set(widgets.__all__) == {
        "Dashboard",
        "DashboardState",
        "FilterBar",
        "Loaded",
        "error_panel",
        "request_query",
        "UpdatePanel",
    }
    for module in (briefing, widgets):
        for name in module.__all__:
            assert hasattr(module, name), name


def test_core_package_imports_nothing_from_jupyter():
    """briefing/ must stay usable without a kernel: no ipywidgets, IPython, voila or nbclient."""
    forbidden = re.compile(
        r"^\s*(from|import)\s+(ipywidgets|IPython|voila|nbclient|nbconvert|jupyter\w*|widgets)\b",
        re.M,
    )
    for path in (ROOT / "briefing").rglob("*.py"):
        assert not forbidden.search(path.read_text(encoding="utf-8")), path.name
