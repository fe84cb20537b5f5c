"""The withheld cells of one data version, chosen once and audited once, shared by every view.

Choosing (:mod:`briefing.stats.suppression`, :mod:`briefing.stats.survey_disclosure`) and auditing
(:mod:`briefing.stats.audit`) take seconds; every dashboard kernel and every export of the same data
needs the same answer, so both are stored by data version in small JSON files. Views need only
the choice; exports and saves also need the audit's verdict.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..data.dataset import Dataset
from ..data.files import write_cache
from ..data.fiscal import format_fy
from .audit import AuditResult, Finding, audit, survey_audit
from .suppression import Suppression, from_json, suppression, to_json
from .survey_disclosure import ALL, GroupKey, survey_withheld

try:
    import fcntl
except ImportError:  # Windows: no lock; at worst two kernels compute the same answer
    fcntl = None  # type: ignore[assignment]

#: Bumped whenever the method or the audit changes, so an older stored answer is not reused.
METHOD = 1


class DisclosureError(ValueError):
    """The data's withheld cells fail the audit: nothing may be published from it."""


@dataclass(frozen=True)
class Disclosure:
    """Withheld counts and survey groups whose share is hidden."""

    withheld: Suppression
    groups: frozenset[GroupKey]


def disclosure(ds: Dataset, threshold: int, cache_dir: Path | None = None) -> Disclosure:
    """The withheld cells of ``ds``, from ``cache_dir`` when already chosen."""
    data = _cached(
        cache_dir, ds.version, threshold, "cells", lambda: to_json(suppression(ds, threshold))
    )
    groups = _cached(
        cache_dir,
        _surveys_key(ds),
        threshold,
        "groups",
        lambda: {"groups": sorted(survey_withheld(ds.surveys, threshold))},
    )
    return Disclosure(
        withheld=from_json(data, threshold),
        groups=frozenset((str(s), int(f), str(r), str(g)) for s, f, r, g in groups["groups"]),
    )


def audited(
    ds: Dataset, threshold: int, cache_dir: Path | None = None, found: Disclosure | None = None
) -> AuditResult:
    """The audit of ``ds``'s withheld counts and survey groups, from ``cache_dir`` when done."""
    chosen = found or disclosure(ds, threshold, cache_dir)
    counts = _cached(
        cache_dir, ds.version, threshold, "audit", lambda: _to_plain(audit(ds, chosen.withheld))
    )
    groups = _cached(
        cache_dir,
        _surveys_key(ds),
        threshold,
        "groups-audit",
        lambda: _to_plain(survey_audit(ds.surveys, chosen.groups, threshold)),
    )
    return AuditResult(
        checked=int(counts["checked"]) + int(groups["checked"]),
        findings=[
            Finding((str(s), int(f), str(a)), *rest)
            for s, f, a, *rest in counts["findings"] + groups["findings"]
        ],
    )


def _surveys_key(ds: Dataset) -> str:
    """The survey groups depend on surveys.csv alone: an import of figures keeps them."""
    return hashlib.sha256(pd.util.hash_pandas_object(ds.surveys).to_numpy()).hexdigest()[:16]


def _to_plain(result: AuditResult) -> dict[str, Any]:
    return {
        "checked": result.checked,
        "findings": [[*f.cell, f.value, f.low, f.high] for f in result.findings],
    }


def _cached(
    cache_dir: Path | None,
    key: str,
    threshold: int,
    part: str,
    compute: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """``compute()``'s answer, stored in ``cache_dir`` under ``key`` and read back next time.

    Kernels that start together wait for the first one's answer instead of all computing it.
    """
    data = _load(cache_dir, key, threshold, part)
    if data is not None or cache_dir is None:
        return data if data is not None else compute()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        lock = open(cache_dir / f"{key}-{threshold}-{part}.lock", "a")  # noqa: SIM115
    except OSError:  # another user's folder (a shared PC, JupyterHub) or read-only: not stored
        return compute()
    with lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        data = _load(cache_dir, key, threshold, part)
        if data is None:
            data = compute()
            _store(cache_dir, key, threshold, part, data)
    return data


def _load(cache_dir: Path | None, key: str, threshold: int, part: str) -> dict[str, Any] | None:
    path = cache_dir / f"{key}-{threshold}-m{METHOD}-{part}.json" if cache_dir else None
    if path is None or not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except ValueError:
        return None  # a damaged file is computed again and replaced


def _store(cache_dir: Path | None, key: str, threshold: int, part: str, data: object) -> None:
    if cache_dir is not None:
        path = cache_dir / f"{key}-{threshold}-m{METHOD}-{part}.json"
        write_cache(path, json.dumps(data, ensure_ascii=False).encode())


def findings_text(ds: Dataset, result: AuditResult, threshold: int) -> list[str]:
    """One Japanese line per withheld value or hidden group that a reader could narrow down."""
    lines = []
    for f in result.findings:
        series, fy, area = f.cell
        if series in ("G1", "G2"):
            region, group = area.split("|")
            where = "県全体" if region == ALL else str(ds.areas.at[region, "name_ja"])
            what = "全体" if group == ALL else group  # a group's Japanese name is its own
            lines.append(
                f"{series} {format_fy(fy)} {where}・{what}: 割合を伏せた区分ですが、公表する割合と回答者数から"
                f"賛成の数が {f.low:.0f}〜{f.high:.0f} と絞り込めます（0〜回答者数のすべてがありうる必要があります）。"
            )
            continue
        high = "上限なし" if f.high == float("inf") else f"{f.high:.0f}"
        lines.append(
            f"{series} {ds.series.at[series, 'name_ja']} {format_fy(fy)} "
            f"{ds.areas.at[area, 'name_ja']}: 「{threshold}未満」と表示しますが、公表する値から "
            f"{f.low:.0f}〜{high} と絞り込めます（1 以下と {threshold - 1} の両方がありうる必要があります）。"
        )
    return lines


def require_passed(
    ds: Dataset, threshold: int, cache_dir: Path | None = None, found: Disclosure | None = None
) -> None:
    """Raise :class:`DisclosureError` (Japanese, with every finding) when the audit fails."""
    result = audited(ds, threshold, cache_dir, found)
    if not result.passed:
        raise DisclosureError(
            "秘匿の監査に通らないため、公表できません（briefing audit で確認できます）:\n"
            + "\n".join(findings_text(ds, result, threshold))
        )
