"""A preheated kernel gets its page's link query however the server's websocket behaves under load.

Voilà's kernel asks the server for the request over a websocket. Its own wait gave up when the
connection was refused or not open within 5 s, and waited for ever for a message sent to a
connection that had gone; the server's handler, when an older connection of the same kernel
closed, deleted the kernel's newer one. The page then kept the view drawn before the request:
全体 for a member's ``?direction=99`` link, the error panel after a fixed data file. The kernel's
side runs for real in its own process; the server's side is Voilà's own handler in Tornado.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import tornado.web
from servers import free_port
from tornado.ioloop import IOLoop
from tornado.websocket import WebSocketClosedError
from voila.request_info_handler import RequestInfoSocketHandler
from websockets.sync.client import ClientConnection, connect
from websockets.sync.server import ServerConnection, serve

from widgets import request_query
from widgets.request_info import forget, mend_server

pytestmark = pytest.mark.child_process

QUERY = "direction=5&area=%E6%9D%B1%E7%B4%80%E5%B7%9E"
PAYLOAD = json.dumps({"QUERY_STRING": QUERY, "SERVER_NAME": "127.0.0.1"})


def kernel_asking(port: int, *, answer_within: float = 30) -> subprocess.Popen[str]:
    """A process that waits for its request as a preheated kernel ``k1`` of a server on ``port``."""
    env = {k: v for k, v in os.environ.items() if k != "QUERY_STRING"}
    env |= {
        "VOILA_PREHEAT": "True",
        "VOILA_KERNEL_ID": "k1",
        "VOILA_APP_IP": "127.0.0.1",
        "VOILA_APP_PORT": str(port),
        "VOILA_SERVER_URL": "/",
    }
    code = (
        "import os; from widgets.request_info import wait_for_query; "
        f"wait_for_query(answer_within={answer_within}); print(os.environ['QUERY_STRING'])"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def answered(kernel: subprocess.Popen[str], answer: object, port: int) -> tuple[str, list[str]]:
    """Serve ``answer`` on ``port`` until the kernel has printed its query; the paths it asked."""
    paths: list[str] = []

    def handler(ws: ServerConnection) -> None:
        paths.append(ws.request.path if ws.request else "")
        answer(ws, len(paths))  # type: ignore[operator]

    try:
        with serve(handler, "127.0.0.1", port) as server:
            threading.Thread(target=server.serve_forever, daemon=True).start()
            out, _ = kernel.communicate(timeout=60)
            server.shutdown()
    finally:
        kernel.kill()
        kernel.wait()
    return out.strip(), paths


def test_the_links_query_arrives_after_a_refused_first_try() -> None:
    port = free_port()
    kernel = kernel_asking(port)
    assert kernel.stderr is not None
    # the server is not listening yet: the kernel's first try is refused
    for line in kernel.stderr:
        if "asking again" in line:
            break
    out, paths = answered(kernel, lambda ws, _: ws.send(PAYLOAD), port)
    assert out == QUERY
    assert paths == ["/voila/query/k1"]


def test_the_links_query_arrives_when_the_first_connection_never_answers() -> None:
    """The request went to a connection that is gone: the kernel asks again on a new one."""
    port = free_port()
    kernel = kernel_asking(port, answer_within=1)

    def second_only(ws: ServerConnection, attempt: int) -> None:
        if attempt == 1:
            ws.recv()  # says nothing until the kernel closes it
        else:
            ws.send(PAYLOAD)

    out, paths = answered(kernel, second_only, port)
    assert out == QUERY
    assert paths == ["/voila/query/k1", "/voila/query/k1"]


def test_outside_a_preheated_kernel_the_query_is_the_environments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("QUERY_STRING", "view=survey")
    assert request_query() == "view=survey"


class Voila(RequestInfoSocketHandler):
    """Voilà's handler, telling the test when the server has handled a connection's close."""

    closed = threading.Semaphore(0)

    def on_close(self) -> None:
        super().on_close()
        Voila.closed.release()


@pytest.fixture
def voila_handler() -> Iterator[tuple[IOLoop, str]]:
    """Voilà's request handler, mended as the dashboard's server mends it, in a Tornado server."""
    mend_server()
    started = threading.Event()
    port = free_port()
    loop: list[IOLoop] = []

    def run() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        app = tornado.web.Application([(r"/voila/query/(.*)", Voila)])
        app.listen(port, "127.0.0.1")
        loop.append(IOLoop.current())
        started.set()
        loop[0].start()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(10)
    yield loop[0], f"ws://127.0.0.1:{port}/voila/query"
    RequestInfoSocketHandler._waiters.clear()
    RequestInfoSocketHandler._cache.clear()
    loop[0].add_callback(loop[0].stop)
    thread.join(10)


@contextmanager
def opened(url: str) -> Iterator[ClientConnection]:
    """A kernel's connection, once the server has opened it (a ping is answered after ``open``)."""
    with connect(url, proxy=None) as connection:
        connection.ping().wait(10)
        yield connection


def closed(connection: ClientConnection) -> None:
    """Close ``connection`` and wait until the server has handled it."""
    connection.close()
    assert Voila.closed.acquire(timeout=10)


def send_request(loop: IOLoop, kernel_id: str) -> None:
    """What Voilà's page handler does once a page has taken ``kernel_id``."""
    done = threading.Event()

    def send() -> None:
        RequestInfoSocketHandler.send_updates({"kernel_id": kernel_id, "payload": PAYLOAD})
        done.set()

    loop.add_callback(send)
    assert done.wait(10)


def test_an_older_connection_closing_leaves_the_kernels_newer_one(
    voila_handler: tuple[IOLoop, str],
) -> None:
    loop, url = voila_handler
    with opened(f"{url}/other") as other:
        with opened(f"{url}/k1") as older, opened(f"{url}/k1") as newer:
            closed(older)  # the kernel gave up on it and asked again
            send_request(loop, "k1")
            send_request(loop, "other")
            assert newer.recv(timeout=10) == PAYLOAD
        assert other.recv(timeout=10) == PAYLOAD


def test_a_request_sent_to_a_connection_that_is_gone_reaches_the_next(
    voila_handler: tuple[IOLoop, str],
) -> None:
    loop, url = voila_handler
    with opened(f"{url}/k1") as gone:
        send_request(loop, "k1")  # the kernel stopped listening on it: the message is lost
        closed(gone)
    with opened(f"{url}/k1") as again:
        assert again.recv(timeout=10) == PAYLOAD


def test_a_kernel_shut_down_leaves_no_request_behind(voila_handler: tuple[IOLoop, str]) -> None:
    """Each page's request is kept for asking again, until its kernel goes (a long meeting)."""
    loop, _ = voila_handler
    send_request(loop, "k1")
    send_request(loop, "k2")
    forget("k1")
    assert set(RequestInfoSocketHandler._cache) == {"k2"}


def test_a_request_for_a_connection_closing_meanwhile_is_kept(
    voila_handler: tuple[IOLoop, str],
) -> None:
    """The kernel's connection closed just as the page arrived: the page is still served, and
    the request waits for the kernel's next connection."""
    loop, _ = voila_handler

    class Closing:
        def write_message(self, message: str) -> None:
            raise WebSocketClosedError()

    RequestInfoSocketHandler._waiters["k1"] = Closing()  # type: ignore[assignment]
    send_request(loop, "k1")
    assert RequestInfoSocketHandler._cache["k1"] == PAYLOAD
