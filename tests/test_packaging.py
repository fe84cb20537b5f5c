"""The installable surface: dependencies in step across pip and conda, explicit public names,
the stages of ``briefing/`` importing only the stages before them, and no function over 60 lines."""

from __future__ import annotations

import ast
import importlib
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


#: Each stage's public names (its ``__init__`` re-exports them; a change here is a change of API).
STAGE_NAMES = {
    "data": {
        "CHANGE_COLUMNS", "PREFECTURE", "DataError", "Dataset", "FiscalYearError", "Problem",
        "data_version", "find_area", "fiscal_year_of", "format_fy", "load_dataset", "parse_fy",
        "read_changes", "read_file", "read_record_changes", "write_atomic",
    },
    "stats": {
        "COMPLEMENT", "SMALL", "Disclosure", "DisclosureError", "Suppression", "area_history",
        "audited", "difference_interval", "has_breakdown", "require_passed", "summarise",
        "survey_shares", "wilson_interval",
    },
    "charts": {"Drawers", "FigureCache", "sparkline_svg"},
    "content": {
        "Account", "Chart", "Comparison", "Context", "Filters", "GoalCard", "IndicatorCard",
        "LastMeeting", "Opinion", "ResponseCount", "SeriesLine", "SurveyPanel", "VIEWS",
        "ViewContent", "account", "area_name", "comparisons", "context", "direction_name",
        "directions_of", "from_query", "goal_cards", "has_sample", "history_of", "indicator_cards",
        "interval_level", "last_meeting", "meetings", "opinions", "shares_of", "survey_panels",
        "survey_regions",
        "survey_years", "view_content", "year_range",
    },
    "render": {"export_each_area", "export_file", "render_briefing", "render_view", "resolve_options"},
    "intake": {
        "Change", "RecordReview", "Review", "build_template", "commit", "read_entries",
        "record_review", "record_review_text", "remember_name", "remembered_name",
        "review", "review_html", "review_text", "SurveyReview", "build_survey_template",
        "commit_survey", "review_survey", "review_survey_html", "review_survey_text",
    },
}  # fmt: skip

#: Which stages each stage may import: data flows one way (files → checked tables → statistics
#: and disclosure → charts → view content → HTML); staff intake checks and saves new data.
MAY_IMPORT = {
    "data": set(),
    "stats": {"data"},
    "charts": {"data", "stats"},
    "content": {"data", "stats", "charts"},
    "render": {"data", "stats", "charts", "content"},
    "intake": {"data", "stats"},
}
#: Modules every stage may use: settings, interface words, Japan time.
SHARED = {"config", "labels", "clock"}


def test_each_stage_exports_its_public_names():
    for stage, names in STAGE_NAMES.items():
        package = importlib.import_module(f"briefing.{stage}")
        assert set(package.__all__) == names, stage
        for name in names:
            assert hasattr(package, name), f"briefing.{stage}.{name}"


def _imported_briefing_modules(path: Path) -> set[str]:
    """The ``briefing.*`` modules a file imports, relative imports resolved."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = (
                [f"{module}.{alias.name}" for alias in node.names] if not node.module else [module]
            )
            found.update(t for t in targets if t.startswith("briefing"))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("briefing"))
    return found


def test_stages_import_only_the_stages_before_them():
    checked = 0
    for stage, allowed in MAY_IMPORT.items():
        for path in sorted((ROOT / "briefing" / stage).glob("*.py")):
            for module in _imported_briefing_modules(path):
                parts = module.split(".")
                if len(parts) < 2 or parts[1] == stage:
                    continue
                assert parts[1] in allowed | SHARED, (
                    f"briefing/{stage}/{path.name} imports {module}"
                )
                checked += 1
    assert checked > 20  # the scan saw the imports between stages
    for name in SHARED:
        imported = _imported_briefing_modules(ROOT / "briefing" / f"{name}.py")
        assert not {m for m in imported if m.split(".")[1] not in SHARED}, name


def test_core_package_imports_nothing_from_jupyter():
    """briefing/ must stay usable without a kernel: no ipywidgets, IPython, voila or nbclient."""
    forbidden = re.compile(
        r"^\s*(from|import)\s+(ipywidgets|IPython|voila|nbclient|nbconvert|jupyter\w*|widgets)\b",
        re.M,
    )
    for path in (ROOT / "briefing").rglob("*.py"):
        assert not forbidden.search(path.read_text(encoding="utf-8")), path.name


MAX_FUNCTION_LINES = 60


def test_no_function_is_longer_than_sixty_lines():
    """Each function does one thing a reader can hold in mind (docstring included); a long rule
    list belongs in a table (data), not in a function."""
    long = set()
    for package in ("briefing", "widgets", "benchmarks"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    size = (node.end_lineno or node.lineno) - node.lineno + 1
                    if size > MAX_FUNCTION_LINES:
                        long.add(f"{path.relative_to(ROOT).as_posix()}:{node.name}")
    assert long == set(), "split these into named helpers"
