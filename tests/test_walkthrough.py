"""The evening before a meeting, as the README walks staff through it, done for real.

On a scratch copy of the data: ``briefing template`` makes the Excel sheet, openpyxl fills the
yellow cells as an agency would, the staff page (started as ``briefing staff`` starts it) takes
the file through its upload button, shows the review, and saves; the dashboard (``briefing serve``)
shows the new figures, and ``briefing export`` writes the briefing with them. Each step's screen
goes to ``docs/images/`` (1000 px wide, compressed) for the README, which must show exactly those.
"""

from __future__ import annotations

import re
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import openpyxl
import pytest
from inputs import TEMPLATE_FIRST_ROW, cli_env
from playwright.sync_api import Browser, Locator, Page, expect
from servers import (
    ServerOnly,
    answers,
    free_port,
    running_briefing,
    shared_tmpdir,
    wait_for_page,
    wait_until,
)

from briefing import load_dataset
from briefing.config import REPO_ROOT

IMAGES = REPO_ROOT / "docs" / "images"
README = REPO_ROOT / "README.md"
#: What the README shows, in the order of the routine.
SHOTS = (
    "walkthrough-1-staff-page.png",
    "walkthrough-2-review.png",
    "walkthrough-3-saved.png",
    "walkthrough-4-dashboard.png",
    "walkthrough-5-briefing.png",
)
#: Small enough for a README, wide enough to read the Japanese text.
WINDOW = {"width": 1000, "height": 760}
MAX_BYTES = 200_000

START_TIMEOUT = 120.0
#: Longer than the pages' execution timeout and a save's audit: only a hang exceeds it.
STEP_TIMEOUT_MS = 90_000

#: The confirmed figures for 令和7年度 that the family-support agencies send (direction 3).
FIGURES = {
    "3-1": (410, "確定", "年度末の集計で確定。家族教室の会場を2か所増やした"),
    "3-2": (70, "確定", ""),
}


def run(*args: str | Path, cwd: Path, tmpdir: Path) -> subprocess.CompletedProcess[str]:
    """``briefing ARGS`` as staff type it, with the test's temporary folder."""
    done = subprocess.run(
        [sys.executable, "-m", "briefing.cli", *map(str, args)],
        cwd=cwd,
        env=cli_env(TMPDIR=str(tmpdir)),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done


def fill_template(path: Path) -> None:
    """Type the figures into the yellow cells (値・状態・コメント) of the template's rows."""
    book = openpyxl.load_workbook(path)
    sheet = book["入力"]
    filled = 0
    for row in range(TEMPLATE_FIRST_ROW, sheet.max_row + 1):
        series = sheet[f"A{row}"].value
        if series in FIGURES:
            value, status, comment = FIGURES[series]
            sheet[f"H{row}"], sheet[f"I{row}"] = value, status
            sheet[f"J{row}"] = comment or None
            filled += 1
    assert filled == len(FIGURES)
    book.save(path)


def snap(page: Page, name: str, *, at: Locator | None = None) -> None:
    """A screenshot of the window for the README (scrolled to ``at``), made small."""
    from PIL import Image

    if at is not None:
        at.scroll_into_view_if_needed()
    path = IMAGES / name
    page.screenshot(path=path)
    with Image.open(path) as shot:
        small = shot.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)
    assert path.stat().st_size < MAX_BYTES, f"{name}: {path.stat().st_size:,} bytes"


@pytest.mark.browser
def test_the_evening_before_a_meeting_from_template_to_briefing(
    browser: Browser, tmp_path: Path, data_copy: Path, fresh_config: Path
) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    tmpdir = shared_tmpdir(tmp_path / "tmp")
    # 1. the Excel sheet for 令和7年度, direction 3, filled as the agencies would
    sheet = tmp_path / "家族支援_R7.xlsx"
    run("template", "--fy", "R7", "--direction", "3", "-o", sheet, "--data", data_copy,
        cwd=tmp_path, tmpdir=tmpdir)  # fmt: skip
    fill_template(sheet)

    staff_port, dashboard_port = free_port(), free_port()
    with ExitStack() as servers:
        # both started as staff start them, sharing one temporary folder (the stored disclosure)
        staff = servers.enter_context(
            running_briefing(
                ["staff", "--port", str(staff_port), "--no-browser", "--data", str(data_copy)],
                port=staff_port, workdir=tmp_path, name="walkthrough-staff",
            )
        )  # fmt: skip
        dashboard = servers.enter_context(
            running_briefing(
                ["serve", "--port", str(dashboard_port), "--pool", "1", "--data", str(data_copy)],
                port=dashboard_port, workdir=tmp_path, name="walkthrough-dashboard",
            )
        )  # fmt: skip
        for served in (staff, dashboard):
            url = f"http://127.0.0.1:{served.port}/"
            wait_until(lambda url=url: answers(url), timeout=START_TIMEOUT, what=f"{url} answers")
        context = browser.new_context(viewport=WINDOW, locale="ja-JP", timezone_id="Asia/Tokyo")
        offline = ServerOnly(context)
        offline.allow(f"http://127.0.0.1:{staff_port}/")
        offline.allow(f"http://127.0.0.1:{dashboard_port}/")
        page = context.new_page()

        # 2. the staff page: choose the file with its button, 確認する
        page.goto(f"http://127.0.0.1:{staff_port}/", timeout=STEP_TIMEOUT_MS)
        check = page.get_by_role("button", name="確認する")
        expect(check).to_be_visible(timeout=STEP_TIMEOUT_MS)
        with page.expect_file_chooser() as chooser:
            page.get_by_role("button", name=re.compile("ファイルを選ぶ")).click()
        chooser.value.set_files(sheet)
        expect(page.get_by_role("button", name=re.compile("ファイルを選ぶ"))).to_contain_text("(1)")
        snap(page, SHOTS[0])
        check.click()
        expect(page.get_by_text("問題はありません。2 件の値が変わります")).to_be_visible(
            timeout=STEP_TIMEOUT_MS
        )
        change = page.locator("table").first.locator("tr", has_text="3-1")
        expect(change).to_contain_text("変更")  # 402 → 410, 速報 → 確定
        assert re.search(r"402\D+410\D", " ".join(change.inner_text().split())), change.inner_text()
        comment = page.locator("textarea").first
        expect(comment).to_have_value(FIGURES["3-1"][2])  # the sheet's comment, as a draft
        snap(page, SHOTS[1], at=page.get_by_text("問題はありません"))

        # 3. the comment members will read, the name once, 保存する
        comment.fill("年度末の集計で確定しました。家族教室の会場を2か所増やしました。")
        page.get_by_placeholder("例: 福祉課 山田").fill("福祉課 山田")
        page.get_by_role("button", name="保存する").click()
        saved = page.get_by_text("保存しました")
        expect(saved).to_be_visible(timeout=STEP_TIMEOUT_MS)
        snap(page, SHOTS[2], at=saved)

        # 4. the dashboard as members will see it tomorrow
        page.goto(
            f"http://127.0.0.1:{dashboard_port}/?direction=3&view=direction",
            timeout=STEP_TIMEOUT_MS,
        )
        wait_for_page(page, timeout_ms=STEP_TIMEOUT_MS)
        card = page.locator("section.card#ind-3-1").filter(visible=True)
        expect(card).to_contain_text("410", timeout=STEP_TIMEOUT_MS)
        expect(card).to_contain_text("家族教室の会場を2か所増やしました")
        snap(page, SHOTS[3], at=card)
        context.close()
        assert offline.foreign == []

    # 5. the briefing to send to members (and print)
    briefing = tmp_path / "会議資料_家族支援.html"
    run("export", "--direction", "3", "-o", briefing, "--data", data_copy,
        cwd=tmp_path, tmpdir=tmpdir)  # fmt: skip
    html = briefing.read_text(encoding="utf-8")
    assert "410" in html and "家族教室の会場を2か所増やしました" in html
    reader = browser.new_context(viewport=WINDOW, locale="ja-JP")
    page = reader.new_page()
    page.goto(briefing.as_uri())
    snap(page, SHOTS[4], at=page.locator("#ind-3-1").first)
    reader.close()

    saved_values = load_dataset(data_copy).history.set_index(["series", "fy", "area"])
    assert saved_values.loc[("3-1", 2025, "240001"), "value"] == 410
    assert saved_values.loc[("3-1", 2025, "240001"), "status"] == "確定"


def test_the_readme_shows_exactly_the_walkthrough_images() -> None:
    """Every picture the README shows exists, and every picture in docs/images/ is shown."""
    readme = README.read_text(encoding="utf-8")
    shown = re.findall(r"!\[[^\]]*\]\(docs/images/([^)\s]+)\)", readme)
    assert shown == list(SHOTS), "the README shows the routine's screens in order"
    assert sorted(p.name for p in IMAGES.iterdir()) == sorted(SHOTS)
