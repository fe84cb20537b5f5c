"""``briefing staff``: the staff page in a real browser, on this PC only, stopped cleanly.

Opened with plain ``voila notebooks/staff.ipynb`` the page stalled at 「Loading widget...」 on its
first load; ``briefing staff`` serves it with the dashboard's execution timeouts, on 127.0.0.1 only
(never reachable from the meeting network). The test goes through one import as staff do:
file → 確認する → name → 保存する, and then stops the server with SIGTERM.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from inputs import write_csv
from playwright.sync_api import Browser, expect
from servers import (
    ARTIFACTS,
    VIEWPORT,
    Served,
    ServerOnly,
    answers,
    free_port,
    gone,
    port_is_free,
    running_briefing,
    wait_until,
)

from briefing import load_dataset

pytestmark = pytest.mark.browser

START_TIMEOUT = 120.0
#: Longer than the page's execution timeout (Settings.execution_timeout): only a hang exceeds it.
LOAD_TIMEOUT_MS = 60_000
SHOTS = ARTIFACTS / "staff"


@pytest.fixture
def staff_server(tmp_path: Path, data_copy: Path, fresh_config: Path) -> Iterator[Served]:
    port = free_port()
    args = ["staff", "--port", str(port), "--no-browser", "--data", str(data_copy)]
    with running_briefing(args, port=port, workdir=tmp_path, name="staff") as server:
        wait_until(
            lambda: answers(f"http://127.0.0.1:{port}/"),
            timeout=START_TIMEOUT,
            what="the staff page answers",
        )
        yield server


def listening(process: psutil.Process) -> list[tuple[str, int]]:
    """The addresses the process and its children listen on (TCP)."""
    found = []
    for member in [process, *process.children(recursive=True)]:
        for conn in member.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN:
                found.append((conn.laddr.ip, conn.laddr.port))
    return found


def test_staff_page_imports_a_file_on_this_pc_only_and_stops_cleanly(
    staff_server: Served, tmp_path: Path, data_copy: Path, browser: Browser
) -> None:
    wrapper = psutil.Process(staff_server.process.pid)
    assert listening(wrapper) == [("127.0.0.1", staff_server.port)]

    update = write_csv(
        tmp_path / "報告.csv",
        [["指標", "年度", "地域", "値", "備考"]] + [["3-1", "R7", "県全体", "410", "新規2か所"]],
        encoding="cp932",
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=VIEWPORT, locale="ja-JP")
    offline = ServerOnly(context)
    offline.allow(f"http://127.0.0.1:{staff_server.port}/")
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{staff_server.port}/", timeout=LOAD_TIMEOUT_MS)
    check = page.get_by_role("button", name="確認する")
    expect(check).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    page.screenshot(path=SHOTS / "1-opened.png")

    page.get_by_placeholder("またはファイルのパス").fill(str(update))
    check.click()
    expect(page.get_by_text("問題はありません")).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    expect(page.locator("textarea").first).to_have_value("新規2か所")
    page.screenshot(path=SHOTS / "2-reviewed.png")

    page.get_by_placeholder("例: 福祉課 山田").fill("福祉課 山田")
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("保存しました")).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    page.screenshot(path=SHOTS / "3-saved.png")
    context.close()
    assert offline.foreign == []
    history = load_dataset(data_copy).history.set_index(["series", "fy", "area"])
    assert history.loc[("3-1", 2025, "240001"), "value"] == 410

    tree = staff_server.tree = [wrapper, *wrapper.children(recursive=True)]
    staff_server.process.send_signal(signal.SIGTERM)
    assert staff_server.process.wait(timeout=60) == 0
    wait_until(lambda: all(gone(p) for p in tree), timeout=60, what=f"all ended: {tree}")
    wait_until(lambda: port_is_free(staff_server.port), timeout=60, what="port free")
