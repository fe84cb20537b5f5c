"""Shared fixtures: the bundled dataset, a scratch copy of ``data/`` and a CSV cell editor.

Row numbers follow the spreadsheet convention used in every error message: the header is row 1,
the first data row is row 2.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest
import servers

from briefing import Dataset

if TYPE_CHECKING:
    from playwright.sync_api import Browser

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def unavailable(reason: str) -> NoReturn:
    """Skip a test that lacks a tool or file here; with ``CI=true``, fail it instead.

    Every skip in the suite goes through here: on a developer's machine a missing tool is a hint,
    but on CI (``./run.sh test`` installs every tool) it would let checks silently never run.
    """
    if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
        pytest.fail(f"CI=true: {reason} (./run.sh test installs what the tests use)", pytrace=False)
    pytest.skip(reason)


def _split_record(line: str) -> tuple[list[str], str]:
    """Parse one physical CSV line into its cells and its line ending."""
    body = line.rstrip("\r\n")
    ending = line[len(body) :]
    return next(csv.reader([body])), ending


def csv_header(path: Path) -> list[str]:
    """The column names of a CSV file."""
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def edit_csv(path: Path, row: int, column: str, value: str) -> str:
    """Set one cell of ``path`` (row as in the file: header = 1) and return the old value.

    Only the edited line is rewritten; the bytes of every other line stay as they were.
    """
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if not 2 <= row <= len(lines):
        raise IndexError(f"{path.name} has no data row {row}")
    header, _ = _split_record(lines[0])
    cells, ending = _split_record(lines[row - 1])
    position = header.index(column)
    old = cells[position]
    cells[position] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=ending or "\n").writerow(cells)
    lines[row - 1] = buffer.getvalue()
    path.write_text("".join(lines), encoding="utf-8", newline="")
    return old


def find_row(path: Path, **match: str) -> int:
    """File row number (header = 1) of the first data row whose cells equal ``match``."""
    with path.open(encoding="utf-8", newline="") as handle:
        for number, record in enumerate(csv.DictReader(handle), start=2):
            if all(record[key] == wanted for key, wanted in match.items()):
                return number
    raise LookupError(f"no row in {path.name} with {match}")


def read_rows(path: Path) -> list[dict[str, str]]:
    """Every data row of a CSV file as a dict of strings."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session", autouse=True)
def private_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Tests (and the commands they start) never read or write the real ~/.config (staff name)."""
    folder = tmp_path_factory.mktemp("config")
    old = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = str(folder)
    yield folder
    if old is None:
        del os.environ["XDG_CONFIG_HOME"]
    else:
        os.environ["XDG_CONFIG_HOME"] = old


@pytest.fixture(scope="session", autouse=True)
def private_temp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``Settings()`` keeps the withheld cells and the audit's verdict (and figures) under the
    temporary folder, shared by every process on the machine and keyed by the data alone: an
    answer stored there by other code (another checkout, an older method, a mutant of mutation
    testing) would be served to these tests instead of what the code under test decides, and a
    wrong answer computed here would be served to everyone else. Tests in this process get their
    own folder; commands they start in a child process keep theirs (``TMPDIR``)."""
    folder = tmp_path_factory.mktemp("tmp")
    old = tempfile.tempdir
    tempfile.tempdir = str(folder)
    yield folder
    tempfile.tempdir = old


@pytest.fixture(scope="session", autouse=True)
def shared_for_the_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Session folders for the bundled data's disclosure (chosen there on first use only) and for
    a figure cache that servers and exports share (``servers.shared_tmpdir``)."""
    servers.SEED_DIR = tmp_path_factory.mktemp("disclosure-seed")
    servers.FIGURES_DIR = tmp_path_factory.mktemp("figures")
    yield
    servers.SEED_DIR = servers.FIGURES_DIR = None


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium (``servers.chromium``), launched once per test process when a
    test first asks for it; each test makes its own contexts and pages."""
    from servers import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture
def session_figures() -> Path:
    """The session's shared figure cache (``Settings.cache_dir``) for exports of the bundled data."""
    import servers

    assert servers.FIGURES_DIR is not None
    return servers.FIGURES_DIR


@pytest.fixture
def bundled_disclosure_dir(tmp_path: Path) -> Path:
    """A ``Settings.disclosure_dir`` holding the bundled data's disclosure, chosen once per session."""
    from servers import seed_disclosure

    return seed_disclosure(tmp_path / "seeded")


@pytest.fixture
def fresh_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty configuration folder: a PC where no staff name was remembered yet."""
    folder = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    return folder


@pytest.fixture(scope="session")
def bundled_dataset() -> Dataset:
    """The repository's own ``data/``, loaded and validated once per process (mutation testing
    runs a session per mutant in processes forked from one that has loaded it)."""
    from tables import bundled

    return bundled()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the repository's ``data/`` directory that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


@pytest.fixture(name="edit_csv")
def edit_csv_fixture() -> Callable[[Path, int, str, str], str]:
    """``edit_csv(path, row, column, new_value)``: change one cell (header = row 1)."""
    return edit_csv


@pytest.fixture(name="find_row")
def find_row_fixture() -> Callable[..., int]:
    """``find_row(path, series="3-1", fy="2025", area="240001")``: the file row of a match."""
    return find_row


@pytest.fixture(name="read_rows")
def read_rows_fixture() -> Callable[[Path], list[dict[str, str]]]:
    """``read_rows(path)``: every data row of a CSV file as a dict of strings."""
    return read_rows


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The repository's bundled ``data/`` directory (read only: copy it before changing)."""
    return DATA_DIR


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES
