"""The withheld cells and the audit's verdict, stored once per data version and shared.

Every dashboard kernel and every export of the same data must withhold the same cells, and a
save must not publish what fails the audit. What a user notices: the same answer everywhere, a
stored answer used (so a page opens without seconds of solving), a damaged one replaced, and a
Japanese refusal that names every value or group a reader could narrow. Small made-up data.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from tables import IGA_CITY, NABARI, TWO_BY_TWO, answers, few_regions, one_table

from briefing import Dataset
from briefing.stats.disclosure import (
    METHOD,
    Disclosure,
    DisclosureError,
    audited,
    disclosure,
    require_passed,
)
from briefing.stats.suppression import COMPLEMENT, SMALL, Suppression, suppression
from briefing.stats.survey_disclosure import survey_withheld


@pytest.fixture
def small_data(bundled_dataset: Dataset) -> Dataset:
    """伊賀 alone: 名張市 3 and 伊賀市 40 in 令和7年度, and a G2 table with 3 medical agencies."""
    ds = few_regions(one_table(bundled_dataset, {NABARI: 3, IGA_CITY: 40}))
    surveys = answers(TWO_BY_TWO).assign(file_row=range(2, 2 + 2 * len(TWO_BY_TWO)))
    return replace(ds, surveys=surveys)


def stored(folder: Path) -> dict[str, object]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")}


def test_the_answer_is_stored_per_data_version_and_served_from_there(
    small_data: Dataset, tmp_path: Path
) -> None:
    first = disclosure(small_data, 5, tmp_path)
    assert first.withheld == suppression(small_data, 5)
    assert first.groups == survey_withheld(small_data.surveys, 5) and first.groups
    files = stored(tmp_path)
    cells = f"{small_data.version}-5-m{METHOD}-cells.json"
    assert cells in files and len(files) == 2
    assert files[cells] == {
        "reasons": [["6-1", 2025, NABARI, SMALL], ["6-1", 2025, IGA_CITY, COMPLEMENT]]
    }
    # another kernel reads the stored answer instead of solving again
    (tmp_path / cells).write_text(json.dumps({"reasons": [["6-1", 2025, NABARI, SMALL]]}))
    again = disclosure(small_data, 5, tmp_path)
    assert again.withheld == Suppression(5, {("6-1", 2025, NABARI): SMALL})
    assert again.groups == first.groups
    # another threshold is another answer
    assert disclosure(small_data, 10, tmp_path).withheld.threshold == 10
    assert len(stored(tmp_path)) == 4


def test_a_damaged_stored_answer_is_computed_again_and_replaced(
    small_data: Dataset, tmp_path: Path
) -> None:
    disclosure(small_data, 5, tmp_path)
    cells = tmp_path / f"{small_data.version}-5-m{METHOD}-cells.json"
    cells.write_text('{"reasons": [["6-1", 20')  # a kernel killed while writing, say
    assert disclosure(small_data, 5, tmp_path).withheld == suppression(small_data, 5)
    assert json.loads(cells.read_text(encoding="utf-8"))["reasons"]


def test_an_import_of_figures_keeps_the_stored_survey_groups(
    small_data: Dataset, tmp_path: Path
) -> None:
    disclosure(small_data, 5, tmp_path)
    changed = replace(small_data, version="another-version")
    disclosure(changed, 5, tmp_path)
    names = sorted(stored(tmp_path))
    assert len(names) == 3  # two cell patterns, one set of survey groups
    assert sum(n.endswith("-groups.json") for n in names) == 1


def test_the_audit_counts_every_small_value_and_group_and_is_stored(
    small_data: Dataset, tmp_path: Path
) -> None:
    result = audited(small_data, 5, tmp_path)
    assert result.passed and result.checked == 2  # 名張市, and 伊賀's medical agencies
    assert len(stored(tmp_path)) == 4
    assert audited(small_data, 5, tmp_path) == result
    assert audited(small_data, 5) == result  # and the same without storing


def test_a_pattern_that_gives_values_away_is_refused_with_each_one_named(
    small_data: Dataset,
) -> None:
    leaky = Disclosure(
        withheld=Suppression(5, {("6-1", 2025, NABARI): SMALL}),
        groups=frozenset({("G2", 2025, "iga", "医療機関")}),
    )
    result = audited(small_data, 5, None, leaky)
    assert result.checked == 2 and len(result.findings) == 2
    with pytest.raises(DisclosureError) as refused:
        require_passed(small_data, 5, None, leaky)
    assert str(refused.value).splitlines() == [
        "秘匿の監査に通らないため、公表できません（briefing audit で確認できます）:",
        "6-1 相談支援包括化推進員養成数 令和7年度 名張市: 「5未満」と表示しますが、公表する値から "
        "3〜3 と絞り込めます（1 以下と 4 の両方がありうる必要があります）。",
        "G2 令和7年度 伊賀・医療機関: 割合を伏せた区分ですが、公表する割合と回答者数から"
        "賛成の数が 1〜1 と絞り込めます（0〜回答者数のすべてがありうる必要があります）。",
    ]
    require_passed(small_data, 5)  # the method's own answer passes


def test_a_hidden_total_group_is_named_as_the_prefecture_or_the_whole_region(
    small_data: Dataset,
) -> None:
    """A group total over all regions reads 県全体, a region's total over all groups 全体."""
    from briefing.stats.audit import AuditResult, Finding
    from briefing.stats.disclosure import findings_text

    result = AuditResult(
        checked=2,
        findings=[
            Finding(("G2", 2025, "*|医療機関"), 11.0, 11.0, 11.0),
            Finding(("G2", 2025, "iga|*"), 21.0, 20.0, 21.0),
        ],
    )
    lines = findings_text(small_data, result, 5)
    assert lines[0].startswith("G2 令和7年度 県全体・医療機関: ") and "11〜11" in lines[0]
    assert lines[1].startswith("G2 令和7年度 伊賀・全体: ") and "20〜21" in lines[1]


def test_kernels_starting_together_wait_for_the_first_ones_answer(
    small_data: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kernel that finds no stored answer waits while another computes it, then reads that
    answer instead of solving again (a committee opening many pages at once). The folder may
    not exist yet."""
    import fcntl
    import shutil
    import threading
    from types import SimpleNamespace

    from briefing.stats import disclosure as module

    first = tmp_path / "first" / "kernel"
    expected = disclosure(small_data, 5, first)
    cells = f"{small_data.version}-5-m{METHOD}-cells.json"
    shared = tmp_path / "shared"
    shutil.copytree(first, shared, ignore=shutil.ignore_patterns(cells))
    other = open(shared / f"{small_data.version}-5-cells.lock", "a")  # noqa: SIM115
    fcntl.flock(other, fcntl.LOCK_EX)  # the other kernel is solving
    waiting = threading.Event()
    waited: list[int] = []

    def flock(handle: object, operation: int) -> None:
        waited.append(operation)
        waiting.set()
        fcntl.flock(handle, operation)  # type: ignore[arg-type]

    def finish() -> None:
        waiting.wait(timeout=60)
        try:
            shutil.copy(first / cells, shared / cells)
        finally:  # with no answer to hand over, the waiting kernel must not wait for ever
            fcntl.flock(other, fcntl.LOCK_UN)
            other.close()

    def solve_again(*args: object) -> None:
        raise AssertionError("solved again instead of reading the other kernel's answer")

    monkeypatch.setattr(module, "fcntl", SimpleNamespace(flock=flock, LOCK_EX=fcntl.LOCK_EX))
    monkeypatch.setattr(module, "suppression", solve_again)
    monkeypatch.setattr(module, "survey_withheld", solve_again)
    other_kernel = threading.Thread(target=finish)
    other_kernel.start()
    try:
        assert disclosure(small_data, 5, shared) == expected
    finally:
        waiting.set()  # a failure above must not leave the other kernel waiting
        other_kernel.join()
    assert waited == [fcntl.LOCK_EX]


def test_other_data_or_another_threshold_never_gets_a_stored_answer_of_another(
    small_data: Dataset, tmp_path: Path
) -> None:
    """Kernels of different data versions share the folder: each reads only its own answers."""
    assert audited(small_data, 5, tmp_path).passed
    leaky = Disclosure(Suppression(5, {("6-1", 2025, NABARI): SMALL}), frozenset())
    other = replace(small_data, version="other-version")
    assert not audited(other, 5, tmp_path, leaky).passed
    assert audited(small_data, 50, tmp_path).checked > audited(small_data, 5, tmp_path).checked
    # the survey groups' audit too: at 50 every group is checked, not the 5's stored few
    assert audited(small_data, 50, tmp_path) == audited(small_data, 50, None)
    # other survey answers: other hidden groups, not the stored ones
    surveys = answers({("iga", "医療機関"): (10, 30), ("chusei", "医療機関"): (10, 30)})
    other_surveys = replace(small_data, surveys=surveys.assign(file_row=range(2, 6)))
    assert disclosure(other_surveys, 5, tmp_path).groups == frozenset()
    changed = answers(TWO_BY_TWO | {("chusei", "社会福祉協議会"): (26, 50)})
    changed_surveys = replace(
        small_data, version="v3", surveys=changed.assign(file_row=range(2, 10))
    )
    groups_leak = Disclosure(Suppression(5, {}), frozenset({("G2", 2025, "iga", "医療機関")}))
    assert not audited(changed_surveys, 5, tmp_path, groups_leak).passed


def test_a_withheld_value_narrowed_from_below_only_says_so(small_data: Dataset) -> None:
    """A 「5未満」 that the published values bound only from below reads 「上限なし」."""
    from briefing.stats.audit import AuditResult, Finding
    from briefing.stats.disclosure import findings_text

    result = AuditResult(1, [Finding(("6-1", 2025, NABARI), 3.0, 2.0, float("inf"))])
    [line] = findings_text(small_data, result, 5)
    assert line.startswith("6-1 相談支援包括化推進員養成数 令和7年度 名張市: 「5未満」")
    assert "公表する値から 2〜上限なし と絞り込めます" in line


def test_a_narrowed_g1_age_band_is_named_as_a_survey_group(small_data: Dataset) -> None:
    from briefing.stats.audit import AuditResult, Finding
    from briefing.stats.disclosure import findings_text

    result = AuditResult(1, [Finding(("G1", 2024, "iga|18〜29歳"), 2.0, 2.0, 2.0)])
    [line] = findings_text(small_data, result, 5)
    assert line.startswith("G1 令和6年度 伊賀・18〜29歳: 割合を伏せた区分ですが") and "2〜2" in line
