"""Start the Voilà dashboard with the repo's settings: offline template, timeouts, culling, pool.

Voilà runs as a child process so the core package never imports Jupyter. Every option is set on the
command line, so the result does not depend on the machine's own Jupyter configuration.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .config import REPO_ROOT, Settings
from .supervise import run_until_stopped

DASHBOARD = REPO_ROOT / "notebooks" / "dashboard.ipynb"
#: The staff page (import, review, comments, save, undo): served by ``briefing staff`` only
STAFF_PAGE = REPO_ROOT / "notebooks" / "staff.ipynb"
#: Holds voila/templates/briefing: Voilà's lab template without its CDN stylesheet.
TEMPLATES_ROOT = REPO_ROOT / "widgets"


def voila_command(
    settings: Settings, *, notebook: Path = DASHBOARD, open_browser: bool = False
) -> list[str]:
    """The full ``voila`` command line for ``settings`` (used by ``serve``, ``staff`` and the tests).

    Voilà serves only ``notebook``: the members' dashboard has no way to reach the staff page.
    """
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        f"--port={settings.port}",
        f"--Voila.ip={settings.host}",
        *([] if open_browser else ["--no-browser"]),
        "--template=briefing",
        "--strip_sources=True",
        "--show_tracebacks=False",
        f"--preheat_kernel={settings.kernel_pool > 0}",
        f"--pool_size={settings.kernel_pool}",
        # refills wait for the pages being opened instead of starting 1 s after each (widgets/kernel_pool.py)
        "--VoilaConfiguration.multi_kernel_manager_class=widgets.kernel_pool.QueuedRefillKernelManager",
        "--VoilaKernelManager.fill_delay=0",
        # a lost wake-up in the kernel client stalls ~1 in 5 executions here until this fires
        f"--VoilaExecutor.timeout={settings.execution_timeout}",
        f"--VoilaExecutor.iopub_timeout={settings.execution_timeout}",
        "--VoilaExecutor.cell_error_instruction=表示中に問題が起きました。ページを再読み込みしてください。続くときは担当者に連絡してください。",
        "--VoilaExecutor.cell_timeout_instruction=時間内に表示できませんでした。ページを再読み込みしてください。",
        # closing a page does not shut its kernel down (Voilà #1458): cull unconnected idle kernels
        f"--MappingKernelManager.cull_idle_timeout={settings.cull_after}",
        f"--MappingKernelManager.cull_interval={max(5, settings.cull_after // 4)}",
        "--MappingKernelManager.cull_connected=False",
        # … but not a page's kernel before the page's browser has connected (widgets/kernel_pool.py)
        f"--QueuedRefillKernelManager.connect_patience={settings.connect_patience}",
        *_ipc(),
    ]


def _ipc() -> list[str]:
    """Kernels talk to the server over Unix sockets rather than TCP ports.

    A TCP port picked for a new pool kernel can be taken by another connection before the kernel
    binds it ("Address already in use"): the kernel dies, stays in the pool, and the page given
    it waited 60 s for nothing (seen once in ~300 kernel starts while 3 servers ran). Socket files
    live in a per-server folder under /tmp, which keeps their paths under the 107-character
    limit whatever TMPDIR is. Windows has no Unix sockets: TCP there.
    """
    if os.name != "posix":
        return []
    return ["--KernelManager.transport=ipc", "--Voila.connection_dir_root=/tmp"]


def voila_environment(settings: Settings) -> dict[str, str]:
    """The environment Voilà and its kernels run in: the settings kernels share with the server
    (data directory, culling time), user config kept out."""
    env = dict(os.environ)
    env.update(settings.to_environment())
    env["JUPYTER_CONFIG_DIR"] = str(REPO_ROOT / "jupyter_config")
    env["JUPYTER_PATH"] = os.pathsep.join(
        filter(None, [str(TEMPLATES_ROOT), env.get("JUPYTER_PATH")])
    )
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env["MPLBACKEND"] = "agg"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


def serve(settings: Settings) -> int:
    """Run Voilà until Ctrl+C or a stop signal, then stop it with all its kernels.

    Prints the address to open first. Returns Voilà's exit code, 0 after a requested stop.
    """
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    print(f"ダッシュボード: http://{host}:{settings.port}/  （終了は Ctrl+C）", flush=True)
    if settings.host not in ("127.0.0.1", "localhost"):
        print(
            f"会議室のネットワークからは http://<このPCのIPアドレス>:{settings.port}/ で開けます。",
            flush=True,
        )
    return run_until_stopped(
        voila_command(settings), env=voila_environment(settings), cwd=REPO_ROOT
    )


def staff(settings: Settings, *, open_browser: bool = True) -> int:
    """Serve the staff page on this PC only (127.0.0.1), with the dashboard's Voilà settings.

    The same execution timeouts matter here: plain ``voila notebooks/staff.ipynb`` stalled at
    「Loading widget...」 on its first load. One person uses it: a pool of one kernel.
    """
    settings = settings.with_(host="127.0.0.1", port=settings.staff_port, kernel_pool=1)
    print(
        f"担当者用ページ: http://127.0.0.1:{settings.port}/  （このPCだけで開けます。終了は Ctrl+C）",
        flush=True,
    )
    return run_until_stopped(
        voila_command(settings, notebook=STAFF_PAGE, open_browser=open_browser),
        env=voila_environment(settings),
        cwd=REPO_ROOT,
    )
