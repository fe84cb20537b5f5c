"""How a preheated kernel learns its page's request (the link's query) from the Voilà server.

Voilà runs the notebook before anyone asks for the page; when a page takes the kernel, the
server hands the request's variables (``QUERY_STRING`` …) to the kernel over a websocket
(``/voila/query/<kernel id>``). Voilà 0.5.13's two ends of it lose the request under load:

- the kernel's wait (``voila.utils.wait_for_request``) gives up when the connection is not open
  within 5 s or is refused, and waits for ever for a message sent to a connection that is gone;
- the server's handler (``RequestInfoSocketHandler``), when a connection closes that is no longer
  the kernel's latest, deletes whichever connection it saw last (often the kernel's new one), so
  the request is then kept for a connection that never comes.

A page that lost its request kept the view the kernel had drawn before it arrived: 全体 for a
member's ``?direction=5`` link, or the error panel after the data file was fixed. Here the kernel
asks again until the request arrives (``wait_for_query``), and the server (``mend_server``, called
by the kernel manager in the server process) drops only the closing connection and keeps each
request, so that asking again always gets it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

#: Seconds the kernel waits for an open connection, then for the request on it, before asking again.
OPEN_WITHIN = 10.0
ANSWER_WITHIN = 30.0


def query_url() -> str:
    """The server's websocket for this kernel's request, from the variables Voilà gives a kernel."""
    env = os.environ
    base = env.get("VOILA_WS_BASE_URL", env.get("VOILA_SERVER_URL", "/"))
    return (
        f"{env.get('VOILA_WS_PROTOCOL', 'ws')}://{env.get('VOILA_APP_IP', '127.0.0.1')}:"
        f"{env.get('VOILA_APP_PORT', '8866')}{base}voila/query/{env.get('VOILA_KERNEL_ID', '')}"
    )


def wait_for_query(*, answer_within: float = ANSWER_WITHIN) -> None:
    """Wait until the page's request has arrived and its variables are in ``os.environ``."""
    from websockets.exceptions import WebSocketException
    from websockets.sync.client import connect

    url = query_url()
    while "QUERY_STRING" not in os.environ:
        try:
            with connect(url, open_timeout=OPEN_WITHIN, proxy=None) as socket:
                message = socket.recv(timeout=answer_within)
        except (OSError, TimeoutError, WebSocketException) as error:
            # refused, not open in time or no request yet: ask again (the server keeps it)
            # to the server's log, not to the page (the cell's stderr would show on the dashboard)
            print(
                f"request info: {type(error).__name__} from {url}; asking again",
                file=sys.__stderr__,
            )
            time.sleep(1)
            continue
        for name, value in json.loads(message).items():
            os.environ[name] = value


def mend_server() -> None:
    """Make Voilà's request handler drop only the closing connection and keep every request."""
    from tornado.websocket import WebSocketClosedError
    from voila.request_info_handler import RequestInfoSocketHandler as Handler

    def on_close(self: Handler) -> None:
        for kernel_id, waiter in list(Handler._waiters.items()):
            if waiter is self:
                del Handler._waiters[kernel_id]

    def send_updates(cls: type[Handler], msg: dict[str, Any]) -> None:
        cls._cache[msg["kernel_id"]] = msg["payload"]
        waiter = cls._waiters.get(msg["kernel_id"])
        if waiter is not None:
            try:
                waiter.write_message(msg["payload"])
            except WebSocketClosedError:
                pass  # gone meanwhile: the kernel asks again and gets it from the cache

    Handler.on_close = on_close  # type: ignore[method-assign]
    Handler.send_updates = classmethod(send_updates)  # type: ignore[method-assign,assignment]


def forget(kernel_id: str) -> None:
    """Drop what the server kept for ``kernel_id`` (its kernel is shut down or culled)."""
    from voila.request_info_handler import RequestInfoSocketHandler as Handler

    Handler._cache.pop(kernel_id, None)
    Handler._waiters.pop(kernel_id, None)
