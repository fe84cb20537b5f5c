"""Voilà's kernel manager with a pool refill that waits for the pages being opened.

Voilà refills its pool of preheated kernels as soon as a page takes one. When a committee opens
the dashboard at once, the refills then start in the same seconds as the kernels the later pages
are waiting for, and on two cores they share the CPU: every page comes later, some past the
execution timeout. Here a refill waits until no page has taken a kernel for a second and every
page has its kernel and has had its notebook run, and at most one refill per core runs at a time.
A refill that a page takes while it waits starts at once.

Whether a page's notebook has run is read from the kernel client Voilà makes to run it (stopped
after the last cell, whether it ran, failed or timed out), not guessed from the kernel being idle
for a moment between cells, so a busy machine changes when refills start but not their order. The
log tells that order (``Kernel pool: …``): each page served, each refill as it begins.

Voilà spares the kernels waiting in the pool from idle culling, but not one just given to a page:
its idle time then counts from its last message, and the page's browser connects only once the
page and its ~100 scripts have arrived. When a committee opened the dashboard at once, that took
longer than the cull time, and pages lost their kernel ("Kernel does not exist"). So a page's
kernel whose browser has not connected yet is kept ``connect_patience`` seconds before idle culling
applies; once a page has connected, culling is Jupyter Server's (a closed page's kernel goes).

It also mends how the server hands a page's request to its kernel (``widgets/request_info.py``).

Runs in the Voilà server process (``--VoilaConfiguration.multi_kernel_manager_class``), which
imports this module only, not the dashboard's widgets.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Float, Integer

from .request_info import forget, mend_server

_WORKING = ("starting", "busy")


class QueuedRefillKernelManager(AsyncMappingKernelManager):
    """``AsyncMappingKernelManager`` whose pool refills yield to the pages being served."""

    refill_concurrency = Integer(
        os.cpu_count() or 1,
        config=True,
        help="Pool kernels that may start and run the notebook at the same time.",
    )
    refill_patience = Float(
        60.0,
        config=True,
        help="Seconds a refill waits at most for pages to be served before it starts anyway.",
    )
    refill_grace = Float(
        1.0,
        config=True,
        help="Seconds after a page last took a pool kernel before a refill may start: the pages "
        "of a committee arrive within a second of one another.",
    )
    refill_poll = Float(0.2, config=True, help="Seconds between checks while a refill waits.")
    connect_patience = Float(
        180.0,
        config=True,
        help="Seconds a page's kernel is kept from idle culling while the page's browser has not "
        "connected to it yet (counted from the first culling round that finds it out of the pool).",
    )

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        mend_server()  # the request reaches its kernel also under load (widgets/request_info.py)
        self._page_starts = 0  # kernels starting for a page outside the pool
        self._refills: set[str] = set()  # ids of kernels starting for the pool
        self._items: set[asyncio.Task[Any]] = set()  # pool tasks that may still start a kernel
        self._runs: dict[str, list[Any]] = {}  # kernel → Voilà's clients for it, until served
        self._last_taken = 0.0  # when a page last took a pool kernel (Voilà then queues a refill)
        self._pool_items: dict[str, asyncio.Task[Any]] = {}  # pool kernel → its item in the pool
        self._unconnected: dict[str, float] = {}  # page's kernel → when culling first found it
        self._connected: set[str] = set()  # kernels a browser has connected to

    async def start_kernel(self, **kwargs: Any) -> str:  # type: ignore[override]
        """Start a kernel; a refill of the pool first waits its turn (see the module docstring)."""
        task = asyncio.current_task()
        refill = task is not None and self._queued(task)
        if refill:
            self._items.add(task)  # type: ignore[arg-type]
            refill = await self._wait_turn(task)  # type: ignore[arg-type]
        if not refill:
            self._page_starts += 1
            try:
                return self._watch(await super().start_kernel(**kwargs))
            finally:
                self._page_starts -= 1
        kernel_id = kwargs.setdefault("kernel_id", str(uuid.uuid4()))
        self.log.info("Kernel pool: filling with kernel %s", kernel_id)
        self._refills.add(kernel_id)
        self._pool_items[kernel_id] = task  # type: ignore[assignment]
        try:
            return self._watch(await super().start_kernel(**kwargs))
        finally:
            self._refills.discard(kernel_id)

    def notify_connect(self, kernel_id: str) -> None:
        super().notify_connect(kernel_id)
        self._connected.add(kernel_id)

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        """Cull as Jupyter Server does, except a page's kernel still waiting for its browser."""
        if not self._awaits_browser(kernel_id):
            await super().cull_kernel_if_idle(kernel_id)

    def _awaits_browser(self, kernel_id: str) -> bool:
        """Whether ``kernel_id`` serves a page whose browser has not connected, within the patience."""
        item = self._pool_items.get(kernel_id)
        if (
            kernel_id in self._connected
            or (item is not None and self._queued(item))  # still in the pool
            or getattr(self._kernels.get(kernel_id), "execution_state", None) == "dead"
        ):
            return False
        since = self._unconnected.setdefault(kernel_id, time.monotonic())
        return time.monotonic() - since < self.connect_patience

    async def shutdown_kernel(self, kernel_id: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self._pool_items.pop(kernel_id, None)
        self._unconnected.pop(kernel_id, None)
        self._connected.discard(kernel_id)
        forget(kernel_id)
        await super().shutdown_kernel(kernel_id, *args, **kwargs)

    def _watch(self, kernel_id: str) -> str:
        """Keep the kernel clients made for ``kernel_id``: Voilà's renderer makes one to run the
        notebook and stops it after the last cell."""
        kernel = self._kernels[kernel_id]
        made = self._runs.setdefault(kernel_id, [])
        make = kernel.client

        def client(*args: Any, **kwargs: Any) -> Any:
            made.append(make(*args, **kwargs))
            return made[-1]

        kernel.client = client
        return kernel_id

    def _queued(self, task: asyncio.Task[Any]) -> bool:
        """Whether ``task`` is a refill still in Voilà's pool (one a page took is not)."""
        pools: dict[str, list[asyncio.Task[Any]]] = getattr(self, "_pools", {})
        return any(task in pool for pool in pools.values())

    async def _wait_turn(self, task: asyncio.Task[Any]) -> bool:
        """Wait until the refill may start; False when a page took it meanwhile (start now)."""
        self._last_taken = now = time.monotonic()
        deadline = now + self.refill_patience
        while (now := time.monotonic()) < deadline:
            if not self._queued(task):
                return False
            if (
                now - self._last_taken >= self.refill_grace
                and not self._pages_waiting()
                and self._refills_working() < self.refill_concurrency
            ):
                return True
            await asyncio.sleep(self.refill_poll)
        return True

    def _pages_waiting(self) -> bool:
        """A page waits for its kernel, or for its notebook to run (logged once served), or its
        kernel is busy."""
        self._items = {task for task in self._items if not task.done()}
        if self._page_starts > 0 or any(not self._queued(task) for task in self._items):
            return True  # taken from the pool, its kernel not started yet
        pooled = self._pool_kernel_ids()
        waiting = False
        for kernel_id, clients in list(self._runs.items()):
            if kernel_id not in self._kernels:
                del self._runs[kernel_id]  # shut down or culled
            elif kernel_id in pooled:
                continue
            elif not clients or any(client.channels_running for client in clients):
                waiting = True
            else:
                del self._runs[kernel_id]
                self.log.info("Kernel pool: page on kernel %s served", kernel_id)
        # a served page's kernel that is busy (drawing its widgets in the browser) comes first too
        return waiting or any(
            self._working(kernel_id) for kernel_id in list(self._kernels) if kernel_id not in pooled
        )

    def _pool_kernel_ids(self) -> set[str]:
        """Kernels in the pool: started, or starting, and not yet taken by a page."""
        pools: dict[str, list[asyncio.Task[Any]]] = getattr(self, "_pools", {})
        return self._refills | {
            item.result()["kernel_id"]
            for pool in pools.values()
            for item in pool
            if item.done() and not item.cancelled() and item.exception() is None
        }

    def _working(self, kernel_id: str) -> bool:
        kernel = self._kernels.get(kernel_id)
        return kernel is None or getattr(kernel, "execution_state", "idle") in _WORKING

    def _refills_working(self) -> int:
        return sum(self._working(kernel_id) for kernel_id in self._pool_kernel_ids())
