"""A preheated kernel gets its page's link query even when its first call to the server fails.

Voilà's kernel asks the server for the request over a websocket and gives up when the
connection is refused or not open within 5 s (the server busy starting the pool's kernels);
the page then showed 全体 for a member's ``?direction=99`` link. Here the kernel's side runs for
real in its own process; the server's side is a websocket that answers as Voilà's
``RequestInfoSocketHandler`` does, and only from the second attempt on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest
from servers import free_port
from websockets.sync.server import ServerConnection, serve

from widgets import request_query

pytestmark = pytest.mark.child_process

QUERY = "direction=5&area=%E6%9D%B1%E7%B4%80%E5%B7%9E"


def test_the_links_query_arrives_after_a_failed_first_try() -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "QUERY_STRING"}
    env |= {
        "VOILA_PREHEAT": "True",
        "VOILA_KERNEL_ID": "k1",
        "VOILA_APP_IP": "127.0.0.1",
        "VOILA_APP_PORT": str(port),
        "VOILA_SERVER_URL": "/",
    }
    kernel = subprocess.Popen(
        [sys.executable, "-c", "from widgets import request_query; print(request_query())"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert kernel.stderr is not None
        # the server is not listening yet: the kernel's first try is refused
        for line in kernel.stderr:
            if "Failed to connect" in line:
                break
        paths: list[str] = []

        def answer(ws: ServerConnection) -> None:
            paths.append(ws.request.path if ws.request else "")
            ws.send(json.dumps({"QUERY_STRING": QUERY, "SERVER_NAME": "127.0.0.1"}))

        with serve(answer, "127.0.0.1", port) as server:
            threading.Thread(target=server.serve_forever, daemon=True).start()
            out, _ = kernel.communicate(timeout=60)
            server.shutdown()
    finally:
        kernel.kill()
        kernel.wait()
    assert out.strip() == QUERY
    assert paths == ["/voila/query/k1"]


def test_outside_a_preheated_kernel_the_query_is_the_environments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("QUERY_STRING", "view=survey")
    assert request_query() == "view=survey"
