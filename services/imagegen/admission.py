"""Admission to the device: at most `max_concurrency` renders at once and `capacity` waiting.

Beyond that a request is refused at once (RESOURCE_EXHAUSTED), before anything is streamed, so the
caller can wait or go to another replica; the gauges are what the autoscaler scales on.
"""

from __future__ import annotations

import asyncio
from types import TracebackType

from services.common.errors import ResourceExhausted
from services.imagegen import metrics


class Admission:
    """At most `max_concurrency` generations on the device and `capacity` waiting; beyond: refuse."""

    def __init__(self, max_concurrency: int, capacity: int) -> None:
        self.max_concurrency = max_concurrency
        self.capacity = capacity
        self.inflight = 0
        self.waiting = 0
        self._semaphore: asyncio.Semaphore | None = None

    def _publish(self) -> None:
        metrics.INFLIGHT.set(self.inflight)
        metrics.QUEUE_DEPTH.set(self.waiting)

    def admit(self) -> Ticket:
        if self.inflight + self.waiting >= self.max_concurrency + self.capacity:
            metrics.REJECTED_TOTAL.inc()
            raise ResourceExhausted(
                f"image worker busy: {self.inflight} generating, {self.waiting} queued "
                f"(capacity {self.capacity}); retry on another replica"
            )
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.max_concurrency)
        self.waiting += 1
        self._publish()
        return Ticket(self, self._semaphore)


class Ticket:
    """An admitted request: queued until `async with ticket` gets the device, released after."""

    def __init__(self, admission: Admission, semaphore: asyncio.Semaphore) -> None:
        self._admission = admission
        self._semaphore = semaphore
        self._state = "queued"

    async def __aenter__(self) -> Ticket:
        try:
            await self._semaphore.acquire()
        except BaseException:
            self.close()
            raise
        self._admission.waiting -= 1
        self._admission.inflight += 1
        self._state = "running"
        self._admission._publish()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Leave the queue or give the device back (idempotent)."""
        if self._state == "queued":
            self._admission.waiting -= 1
        elif self._state == "running":
            self._admission.inflight -= 1
            self._semaphore.release()
        else:
            return
        self._state = "closed"
        self._admission._publish()
