"""Saving safely: atomic replacement, versions and undo, the lock, and saves cut short.

A save stages the new files, writes a commit mark and then moves files into place; whatever
moment it is killed at, the next reader (``load_dataset`` → ``store.recover``) finds either all the
old files or all the new ones. The tests crash saves in-process at every step, kill real
``briefing import`` processes (SIGKILL) at moments spread over a slowed-down save, run two imports
at once, and undo through the command line.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import signal
from pathlib import Path

import pandas as pd
import pytest
from inputs import run_in_process, snapshot, start_cli, write_csv

from briefing import load_dataset
from briefing.data import store as store_module
from briefing.data.changes import read_changes
from briefing.data.store import (
    LockError,
    StaleError,
    list_versions,
    locked,
    recover,
    save,
    undo,
    version_meta,
)
from briefing.intake.apply import commit
from briefing.intake.review import review

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MANAGED = ("history.csv", "changes.csv")


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def managed(directory: Path) -> dict[str, str | None]:
    """The bytes (as hashes) of the files a save replaces; None when a file does not exist."""
    return {name: digest(directory / name) for name in MANAGED}


def one_value_csv(folder: Path, name: str, series: str, value: str) -> Path:
    return write_csv(folder / name, [["指標", "年度", "値"], [series, "R7", value]])


# --- the store API ----------------------------------------------------------------------------


def test_save_replaces_files_and_keeps_the_previous_version(data_copy: Path) -> None:
    old_history = (data_copy / "history.csv").read_bytes()
    version = save(
        data_copy,
        {"history.csv": old_history + b"", "changes.csv": b"changed_at\n"},
        meta={"by": "t", "inputs": ["x.csv"]},
    )
    assert list_versions(data_copy) == [version]
    kept = data_copy / ".versions" / version
    assert (kept / "history.csv").read_bytes() == old_history
    assert not (kept / "changes.csv").exists()  # there was none before
    assert version_meta(data_copy, version)["by"] == "t"
    assert (data_copy / "changes.csv").read_bytes() == b"changed_at\n"
    assert not (data_copy / ".staging").exists()


def test_undo_restores_bytes_and_removes_files_that_did_not_exist(data_copy: Path) -> None:
    before = managed(data_copy)
    save(data_copy, {"history.csv": b"series\n", "changes.csv": b"a\n"}, meta={})
    save(data_copy, {"history.csv": b"series\nx\n", "changes.csv": b"a\nb\n"}, meta={})
    assert undo(data_copy) is not None
    assert (data_copy / "history.csv").read_bytes() == b"series\n" and (
        data_copy / "changes.csv"
    ).read_bytes() == b"a\n"
    assert undo(data_copy) is not None
    assert managed(data_copy) == before and before["changes.csv"] is None
    assert undo(data_copy) is None
    assert list_versions(data_copy) == []


def test_lock_refuses_a_second_holder_in_japanese(data_copy: Path) -> None:
    with locked(data_copy):
        with (
            pytest.raises(
                LockError, match="別の保存（またはやり直し）が実行中のため保存できませんでした"
            ),
            locked(data_copy, wait=0.2),
        ):
            pass
    with locked(data_copy, wait=0.2):  # released again
        pass


def test_save_refuses_when_its_check_fails_and_writes_nothing(data_copy: Path) -> None:
    before = snapshot(data_copy)

    def stale() -> None:
        raise StaleError("変わりました")

    with pytest.raises(StaleError):
        save(data_copy, {"history.csv": b"x\n"}, meta={}, check=stale)
    after = snapshot(data_copy)
    assert {k: v for k, v in after.items() if k != ".lock"} == before


@pytest.mark.slow
def test_commit_refuses_a_review_of_data_that_changed_since(
    tmp_path: Path, data_copy: Path
) -> None:
    """Two staff members review at the same time; the second save must not undo the first."""
    ds = load_dataset(data_copy)
    first = review([one_value_csv(tmp_path, "a.csv", "3-1", "410")], ds)
    second = review([one_value_csv(tmp_path, "b.csv", "3-2", "70")], ds)
    commit(ds, first, by="a")
    saved = managed(data_copy)
    with pytest.raises(StaleError, match="もう一度取り込んで"):
        commit(ds, second, by="b")
    assert managed(data_copy) == saved
    ds = load_dataset(data_copy)
    commit(ds, review([one_value_csv(tmp_path, "b.csv", "3-2", "70")], ds), by="b")
    h = load_dataset(data_copy).history.set_index(["series", "fy", "area"])["value"]
    assert (h[("3-1", 2025, "240001")], h[("3-2", 2025, "240001")]) == (410, 70)
    assert read_changes(data_copy)["by"].tolist() == ["a", "b"]


class Crash(Exception):
    pass


def crash_at(monkeypatch: pytest.MonkeyPatch, step: int) -> None:
    """Make the ``step``-th pause point of the next save (or undo) raise, as a kill would stop it."""
    calls = {"n": 0}

    def pause() -> None:
        calls["n"] += 1
        if calls["n"] == step:
            raise Crash

    monkeypatch.setattr(store_module, "_pause", pause)


# save pause points: 1 before the commit mark, 2 after the backup moved to .versions,
# 3 after changes.csv is in place, 4 after history.csv is in place (files move in name order)
@pytest.mark.slow
@pytest.mark.parametrize("step", [1, 2, 3, 4])
def test_a_save_stopped_at_any_step_is_old_or_new_after_recovery(
    tmp_path: Path, data_copy: Path, monkeypatch: pytest.MonkeyPatch, step: int
) -> None:
    ds = load_dataset(data_copy)
    result = review([one_value_csv(tmp_path, "a.csv", "3-1", "410")], ds)
    old = managed(data_copy)
    reference = tmp_path / "reference"  # the same save, not interrupted
    shutil.copytree(data_copy, reference)
    ref = load_dataset(reference)
    commit(ref, review([one_value_csv(tmp_path, "a.csv", "3-1", "410")], ref), by="t")
    crash_at(monkeypatch, step)
    with pytest.raises(Crash):
        commit(ds, result, by="t")
    assert (data_copy / ".staging").exists()  # stopped inside the save
    monkeypatch.setattr(store_module, "_pause", lambda: None)
    recover(data_copy)
    assert not (data_copy / ".staging").exists()
    now = managed(data_copy)
    if step == 1:
        assert now == old and list_versions(data_copy) == []
    else:
        assert now["history.csv"] == digest(reference / "history.csv")
        assert now["changes.csv"] is not None and len(list_versions(data_copy)) == 1
    load_dataset(data_copy)
    assert undo(data_copy) is None or managed(data_copy) == old


@pytest.mark.slow
@pytest.mark.parametrize("step", [1, 2])
def test_an_undo_stopped_at_any_step_is_old_or_new_after_recovery(
    tmp_path: Path, data_copy: Path, monkeypatch: pytest.MonkeyPatch, step: int
) -> None:
    original = managed(data_copy)
    ds = load_dataset(data_copy)
    commit(ds, review([one_value_csv(tmp_path, "a.csv", "3-1", "410")], ds), by="t")
    imported = managed(data_copy)
    # undo pauses: 1 before the commit mark, 2 after history.csv is back
    crash_at(monkeypatch, step)
    with pytest.raises(Crash):
        undo(data_copy)
    assert (data_copy / ".staging").exists()
    monkeypatch.setattr(store_module, "_pause", lambda: None)
    load_dataset(data_copy)  # recovers by itself
    assert not (data_copy / ".staging").exists()
    assert managed(data_copy) in (original, imported)
    assert (managed(data_copy) == original) == (list_versions(data_copy) == [])


@pytest.mark.slow
def test_load_dataset_recovers_an_interrupted_save(
    tmp_path: Path, data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ds = load_dataset(data_copy)
    old_history = digest(data_copy / "history.csv")
    # files are moved in name order: changes.csv is in place, history.csv not yet
    crash_at(monkeypatch, 3)
    with pytest.raises(Crash):
        commit(ds, review([one_value_csv(tmp_path, "a.csv", "3-1", "410")], ds), by="t")
    assert (data_copy / ".staging" / "COMMIT").exists() and (data_copy / "changes.csv").exists()
    # a mix on disk, until the next reader finishes the save
    assert digest(data_copy / "history.csv") == old_history
    monkeypatch.setattr(store_module, "_pause", lambda: None)
    after = load_dataset(data_copy)
    assert not (data_copy / ".staging").exists()
    assert read_changes(data_copy)["new_value"].tolist() == ["410"]
    assert (
        after.history.set_index(["series", "fy", "area"]).loc[("3-1", 2025, "240001"), "value"]
        == 410
    )


def out_of_step(directory: Path) -> list[str]:
    """Changes recorded in ``changes.csv`` that ``history.csv`` does not hold (last one per value)."""
    history = pd.read_csv(directory / "history.csv", dtype=str, keep_default_na=False)
    stored = {(r.series, r.fy, r.area): r.value for r in history.itertuples()}
    recorded = {(r.series, r.fy, r.area): r.new_value for r in read_changes(directory).itertuples()}
    return [
        f"{key}: changes.csv {value}, history.csv {stored.get(key)}"
        for key, value in recorded.items()
        if stored.get(key) != value
    ]


@pytest.mark.slow
def test_a_save_after_a_crash_past_the_commit_point_keeps_history_and_changes_in_step(
    tmp_path: Path, data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The staff page reviewed a file; meanwhile another import died with only changes.csv in
    place. Saving must finish (or refuse over) that save, never record a value history lacks."""
    page = load_dataset(data_copy)
    waiting = review([one_value_csv(tmp_path, "b.csv", "3-2", "70")], page)
    other = load_dataset(data_copy)
    crash_at(monkeypatch, 3)  # changes.csv is in place, history.csv not yet
    with pytest.raises(Crash):
        commit(other, review([one_value_csv(tmp_path, "a.csv", "3-1", "410")], other), by="a")
    monkeypatch.setattr(store_module, "_pause", lambda: None)
    assert out_of_step(data_copy)  # the crash left a mix: only the next writer can mend it
    with contextlib.suppress(StaleError):  # refusing is fine: the data changed under the review
        commit(page, waiting, by="b")
    assert out_of_step(data_copy) == []
    assert not (data_copy / ".staging").exists()
    stored = load_dataset(data_copy).history.set_index(["series", "fy", "area"])["value"]
    assert stored[("3-1", 2025, "240001")] == 410  # the first save was finished, not dropped


# --- the same crashes on the store alone (fast: no import, no audit) ----------------------------


def contents(n: int) -> dict[str, bytes]:
    """Version ``n`` of the two files a save replaces."""
    return {"history.csv": f"series\n{n}\n".encode(), "changes.csv": f"changed_at\n{n}\n".encode()}


def on_disk(directory: Path) -> dict[str, bytes | None]:
    return {n: (directory / n).read_bytes() if (directory / n).exists() else None for n in MANAGED}


@pytest.mark.parametrize("step", [1, 2, 3, 4])
def test_a_save_of_the_store_stopped_at_any_step_is_all_old_or_all_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: int
) -> None:
    folder = tmp_path / "data"
    save(folder, contents(1), meta={})
    crash_at(monkeypatch, step)
    with pytest.raises(Crash):
        save(folder, contents(2), meta={"by": "二人目"})
    assert (folder / ".staging").exists()
    monkeypatch.setattr(store_module, "_pause", lambda: None)
    recover(folder)
    assert not (folder / ".staging").exists()
    if step == 1:  # before the commit point: as if it never happened
        assert on_disk(folder) == contents(1) and len(list_versions(folder)) == 1
        return
    assert on_disk(folder) == contents(2)
    versions = list_versions(folder)
    assert len(versions) == 2
    assert version_meta(folder, versions[-1]) == {
        "by": "二人目",
        "files": ["changes.csv", "history.csv"],
        "managed": list(store_module.MANAGED),
    }
    assert undo(folder) == versions[-1] and on_disk(folder) == contents(1)


@pytest.mark.parametrize("step", [1, 2, 3])
def test_an_undo_of_the_store_stopped_at_any_step_is_all_old_or_all_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: int
) -> None:
    folder = tmp_path / "data"
    save(folder, contents(1), meta={})
    save(folder, contents(2), meta={})
    crash_at(monkeypatch, step)
    with pytest.raises(Crash):
        undo(folder)
    monkeypatch.setattr(store_module, "_pause", lambda: None)
    recover(folder)
    assert not (folder / ".staging").exists()
    if step == 1:
        assert on_disk(folder) == contents(2) and len(list_versions(folder)) == 2
    else:
        assert on_disk(folder) == contents(1) and len(list_versions(folder)) == 1


def test_the_next_save_first_finishes_a_save_killed_past_its_commit_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed with changes.csv in place and history.csv not: the next save completes it before
    its own, and builds its files from the completed ones; undo then goes back one save."""
    folder = tmp_path / "data"
    save(folder, contents(1), meta={})
    crash_at(monkeypatch, 3)
    with pytest.raises(Crash):
        save(folder, contents(2), meta={})
    assert on_disk(folder) == {
        "history.csv": contents(1)["history.csv"],
        "changes.csv": contents(2)["changes.csv"],
    }
    monkeypatch.setattr(store_module, "_pause", lambda: None)
    seen: list[bytes] = []

    def appended() -> dict[str, bytes]:
        seen.append((folder / "history.csv").read_bytes())
        return {"history.csv": seen[-1] + b"3\n"}

    save(folder, appended, meta={})
    assert seen == [contents(2)["history.csv"]]
    assert on_disk(folder) == {
        "history.csv": b"series\n2\n3\n",
        "changes.csv": contents(2)["changes.csv"],
    }
    assert len(list_versions(folder)) == 3
    undo(folder)
    assert on_disk(folder) == contents(2)


def test_a_save_without_a_commit_mark_is_discarded_by_the_next_reader(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    save(folder, contents(1), meta={})
    (folder / ".staging" / "new").mkdir(parents=True)
    (folder / ".staging" / "new" / "history.csv").write_bytes(b"half written")
    recover(folder)
    assert not (folder / ".staging").exists() and on_disk(folder) == contents(1)
    recover(folder)  # nothing to do


def test_versions_are_named_by_japan_time_and_listed_oldest_first(tmp_path: Path) -> None:
    import re

    folder = tmp_path / "data"
    assert list_versions(folder) == [] and version_meta(folder, "20260101T000000000000") == {}
    names = [save(folder, contents(n), meta={"n": n}) for n in (1, 2, 3)]
    assert all(re.fullmatch(r"20\d{6}T\d{12}", n) for n in names)
    assert list_versions(folder) == sorted(names) == names
    assert [version_meta(folder, n)["n"] for n in names] == [1, 2, 3]
    assert undo(folder) == names[-1] and list_versions(folder) == names[:2]


def test_undo_takes_back_a_survey_and_a_record_file_too(tmp_path: Path) -> None:
    """Every file a save replaces comes back on undo, not only the two figures files."""
    folder = tmp_path / "data"
    first = {**contents(1), "surveys.csv": b"survey\n1\n", "opinions.csv": b"opinion\n1\n"}
    save(folder, first, meta={})
    save(folder, {"surveys.csv": b"survey\n2\n", "opinions.csv": b"opinion\n2\n"}, meta={})
    undo(folder)
    assert {n: (folder / n).read_bytes() for n in first} == first


def test_undo_of_a_version_saved_before_surveys_were_kept_leaves_the_surveys_as_they_are(
    tmp_path: Path,
) -> None:
    """A version from before ``meta.json`` listed its files kept only the two figures files: its
    undo restores those and neither restores nor deletes ``surveys.csv``, which it never held."""
    folder = tmp_path / "data"
    save(folder, contents(1), meta={})
    version = save(folder, {**contents(2), "surveys.csv": b"survey\n"}, meta={"by": "t"})
    kept = folder / ".versions" / version
    (kept / "meta.json").write_text('{"by": "t"}', encoding="utf-8")  # as such a version was
    assert undo(folder) == version
    assert on_disk(folder) == contents(1)
    assert (folder / "surveys.csv").read_bytes() == b"survey\n"


def test_an_undo_cut_short_after_removing_a_file_is_finished_by_the_next_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Undoing the save that created ``surveys.csv`` removes it; a power cut after the removal
    but before the undo is done leaves the rest to the next reader, which removes nothing twice."""
    folder = tmp_path / "data"
    save(folder, contents(1), meta={})
    save(folder, {"surveys.csv": b"survey\n"}, meta={})
    real_sync = store_module.sync_dir

    def cut(path: Path) -> None:
        if not (folder / "surveys.csv").exists() and (folder / ".staging").exists():
            raise Crash
        real_sync(path)

    monkeypatch.setattr(store_module, "sync_dir", cut)
    with pytest.raises(Crash):
        undo(folder)
    monkeypatch.setattr(store_module, "sync_dir", real_sync)
    recover(folder)
    assert not (folder / "surveys.csv").exists() and not (folder / ".staging").exists()
    assert on_disk(folder) == contents(1) and len(list_versions(folder)) == 1


# --- undo through the command line ------------------------------------------------------------


@pytest.mark.slow
def test_undo_restores_byte_identical_files(tmp_path: Path, data_copy: Path) -> None:
    original = {name: (data_copy / name).read_bytes() for name in ("history.csv",)}
    first = one_value_csv(tmp_path, "first.csv", "3-1", "410")
    second = write_csv(
        tmp_path / "second.csv",
        [["指標", "年度", "市町", "値"], ["2-2", "R7", "津市", "300"], ["3-2", "R8", "", "70"]],
    )
    assert (
        run_in_process(
            "import", first, "--data", data_copy, "--by", "一人目", cwd=tmp_path
        ).returncode
        == 0
    )
    after_first = {name: (data_copy / name).read_bytes() for name in MANAGED}
    done = run_in_process("import", second, "--data", data_copy, "--by", "二人目", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # 2 values + the 2-2 total
    assert read_changes(data_copy)["by"].tolist() == [
        "一人目",
        "二人目",
        "二人目",
        "二人目",
    ]

    done = run_in_process("undo", "--data", data_copy, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "二人目" in done.stdout and "second.csv" in done.stdout and "取り消し" in done.stdout
    assert {name: (data_copy / name).read_bytes() for name in MANAGED} == after_first

    done = run_in_process("undo", "--data", data_copy, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (data_copy / "history.csv").read_bytes() == original["history.csv"]
    assert not (
        data_copy / "changes.csv"
    ).exists()  # there was no change record before the first import
    assert load_dataset(data_copy).version == load_dataset(DATA_DIR).version

    done = run_in_process("undo", "--data", data_copy, cwd=tmp_path)
    assert done.returncode != 0
    assert "取り消せる取り込みはありません" in done.stderr
    assert (data_copy / "history.csv").read_bytes() == original["history.csv"]


# --- two imports at once ----------------------------------------------------------------------


@pytest.mark.child_process
def test_two_imports_at_once_never_lose_or_mix_data(tmp_path: Path, data_copy: Path) -> None:
    a = one_value_csv(tmp_path, "a.csv", "3-1", "410")
    b = one_value_csv(tmp_path, "b.csv", "3-2", "70")
    slow = start_cli(
        "import", a, "--data", data_copy, "--by", "A", cwd=tmp_path, BRIEFING_TEST_SAVE_PAUSE="0.2"
    )
    fast = start_cli("import", b, "--data", data_copy, "--by", "B", cwd=tmp_path)
    outputs = {"A": slow.communicate(timeout=120), "B": fast.communicate(timeout=120)}
    codes = {"A": slow.returncode, "B": fast.returncode}
    assert sorted(codes.values()) in ([0, 0], [0, 3]), (codes, outputs)
    for who, code in codes.items():
        if code == 3:  # refused: the lock message or "the data changed since you reviewed it"
            assert "データは変更されていません" in outputs[who][1]
    ds = load_dataset(data_copy)
    h = ds.history.set_index(["series", "fy", "area"])
    saved = {who for who, code in codes.items() if code == 0}
    assert (h.loc[("3-1", 2025, "240001"), "value"] == 410) == ("A" in saved)
    assert (h.loc[("3-2", 2025, "240001"), "value"] == 70) == ("B" in saved)
    record = read_changes(data_copy)
    assert sorted(record["by"]) == sorted(saved)
    assert {(r.by, r.series, r.new_value) for r in record.itertuples()} <= {
        ("A", "3-1", "410"),
        ("B", "3-2", "70"),
    }
    assert len(list_versions(data_copy)) == len(saved)
    assert not (data_copy / ".staging").exists()


# --- a save killed mid-way --------------------------------------------------------------------

# save pause points (as above): 1 before the commit mark, 2 after the backup moved to .versions,
# 3 after changes.csv is in place, 4 after history.csv is in place. A real ``briefing import`` is
# killed (SIGKILL, by itself: BRIEFING_TEST_SAVE_KILL_AT) at each of them.
KILL_AT = (1, 2, 3, 4)


@pytest.fixture(scope="module")
def killed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The same import run to its end once, and killed at each step of its save on other copies."""
    root = tmp_path_factory.mktemp("kill")
    source = write_csv(
        root / "update.csv",
        [["指標", "年度", "市町", "値"], ["3-1", "R7", "", "410"], ["2-2", "R7", "津市", "300"]],
    )
    copies = {}
    for name in ["reference", *(f"kill_{step}" for step in KILL_AT)]:
        copies[name] = root / name
        shutil.copytree(DATA_DIR, copies[name])
    jobs = {"reference": {}} | {
        f"kill_{s}": {"BRIEFING_TEST_SAVE_KILL_AT": str(s)} for s in KILL_AT
    }
    processes = {
        name: start_cli("import", source, "--data", copies[name], "--by", "kill", cwd=root, **env)
        for name, env in jobs.items()
    }
    for process in processes.values():
        process.communicate(timeout=120)
    staging = {name: (copies[name] / ".staging").exists() for name in jobs}
    codes = {name: process.returncode for name, process in processes.items()}
    return {"copies": copies, "codes": codes, "staging": staging}


@pytest.mark.child_process
def test_each_kill_landed_inside_the_save(killed: dict[str, object]) -> None:
    codes: dict[str, int] = killed["codes"]  # type: ignore[assignment]
    staging: dict[str, bool] = killed["staging"]  # type: ignore[assignment]
    assert codes == {"reference": 0} | {f"kill_{s}": -signal.SIGKILL for s in KILL_AT}
    assert staging == {"reference": False} | {f"kill_{s}": True for s in KILL_AT}


@pytest.mark.child_process
@pytest.mark.parametrize("step", KILL_AT)
def test_a_killed_save_leaves_old_data_before_its_commit_point_and_new_data_after(
    killed: dict[str, object], step: int
) -> None:
    copies: dict[str, Path] = killed["copies"]  # type: ignore[assignment]
    data = copies[f"kill_{step}"]
    recover(data)
    ds = load_dataset(data)
    history = digest(data / "history.csv")
    old_history, new_history = (
        digest(DATA_DIR / "history.csv"),
        digest(copies["reference"] / "history.csv"),
    )
    assert old_history != new_history
    if step == 1:  # before the commit mark: the save is discarded
        assert history == old_history
        assert not (data / "changes.csv").exists() and list_versions(data) == []
    else:  # past it: the next reader finishes the save
        assert history == new_history
        # the change record says what the reference run says (only the time stamp may differ)
        assert (
            read_changes(data)
            .drop(columns="changed_at")
            .equals(read_changes(copies["reference"]).drop(columns="changed_at"))
        )
        assert read_changes(data)["old_value"].tolist()[:2] == ["402", "294"]
        assert len(list_versions(data)) == 1
        assert digest(data / ".versions" / list_versions(data)[0] / "history.csv") == old_history
    value = ds.history.set_index(["series", "fy", "area"]).loc[("3-1", 2025, "240001"), "value"]
    assert value == (402 if step == 1 else 410)
