"""Voilà's kernel manager with a pool refill that waits for the pages being opened.

Voilà refills its pool of preheated kernels as soon as a page takes one. When a committee opens
the dashboard at once, the refills then start in the same seconds as the kernels the later pages
are waiting for, and on two cores they share the CPU: every page comes later, some past the
execution timeout. Here a refill waits until no page has taken a kernel for a second and none is
waiting (no kernel started for a page still starting or busy), and at most one refill per core
runs at a time. A refill that a page takes while it waits starts at once.

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

_WORKING = ("starting", "busy")


class QueuedRefillKernelManager(AsyncMappingKernelManager):
    """``AsyncMappingKernelManager`` whose pool refills yield to kernels that pages wait for."""

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

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._page_starts = 0  # kernels starting for a page that is waiting
        self._refills: set[str] = set()  # ids of kernels starting for the pool
        self._last_taken = 0.0  # when a page last took a pool kernel (Voilà then queues a refill)

    async def start_kernel(self, **kwargs: Any) -> str:  # type: ignore[override]
        """Start a kernel; a refill of the pool first waits its turn (see the module docstring)."""
        task = asyncio.current_task()
        refill = task is not None and self._queued(task)
        if refill:
            refill = await self._wait_turn(task)  # type: ignore[arg-type]
        if not refill:
            self._page_starts += 1
            try:
                return await super().start_kernel(**kwargs)
            finally:
                self._page_starts -= 1
        kernel_id = kwargs.setdefault("kernel_id", str(uuid.uuid4()))
        self._refills.add(kernel_id)
        try:
            return await super().start_kernel(**kwargs)
        finally:
            self._refills.discard(kernel_id)

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

    def _pages_waiting(self) -> bool:
        pooled = self._pool_kernel_ids()
        return self._page_starts > 0 or any(
            self._working(kernel_id) for kernel_id in list(self._kernels) if kernel_id not in pooled
        )

    def _refills_working(self) -> int:
        return sum(self._working(kernel_id) for kernel_id in self._pool_kernel_ids())
