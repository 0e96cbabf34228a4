"""Waiting for a downstream service that is gone for a while (a pod rescheduled, evicted, rolled).

A stage whose call fails with UNAVAILABLE (connection refused or reset, the server killed mid-call)
does not fail the job: it waits for the service's channel to connect again — any replica behind
the target: the channels are round_robin over every address — and calls again, within the stage's
retry budget and the job's deadline. The wait is a warning on the job and a metric. Every other
failure (INVALID_ARGUMENT, INTERNAL, ...) is final at once: retrying cannot change its answer; so is
an UNAVAILABLE that says a dependency of the service failed (its artifact store): it is up, and says why.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from grpc import aio

from gateway.downstream import WaitNotice
from gateway.metrics import STAGE_WAITS
from gateway.model import Stage
from services.common.errors import Unavailable, from_rpc_error

if TYPE_CHECKING:
    from gateway.stages.base import JobContext

T = TypeVar("T")


@dataclass(frozen=True)
class StageRetry:
    budget_s: float = 120.0  # how long one stage may wait for its service to come back
    backoff_s: float = 0.2  # between calls while the service answers but is not ready (doubling)
    max_backoff_s: float = 2.0


async def call_until_back(
    ctx: JobContext,
    stage: Stage,
    service: str,
    call: Callable[[], Awaitable[T]],
    *,
    wait_ready: Callable[[float], Awaitable[bool]],
    retry: StageRetry,
) -> T:
    """`call()`; while it fails as UNAVAILABLE, wait for the service (up to `retry.budget_s` from
    the first failure, capped by the job's deadline) and call again. Raises the last failure, its
    message saying how long the stage waited."""
    first_failure: float | None = None
    delay = retry.backoff_s
    while True:
        try:
            return await call()
        except (aio.AioRpcError, Unavailable) as exc:
            lost = _unavailable(exc)
            if lost is None:
                raise
            now = time.monotonic()
            if first_failure is None:
                first_failure = now
                STAGE_WAITS.labels(stage.value).inc()
                ctx.warn(
                    "service_unavailable",
                    f"the {service} was unreachable ({lost.message}); waiting up to {retry.budget_s:g} s "
                    "for it to come back",
                    stage.value,
                )
            waited = now - first_failure
            left = retry.budget_s - waited
            if left <= 0:
                gave_up = f"the {service} was unreachable for {waited:.0f} s ({lost.message}); gave up"
                raise Unavailable(gave_up) from None
            left = ctx.budget(left)  # never past the job's deadline (DeadlineExceeded when it is spent)
            ctx.job.message = f"waiting for the {service} to come back ({waited:.0f} s so far)"
            await ctx.commit(persist=False)
            # A refused connection fails at once: wait until the channel connects again, then give a
            # service that accepts connections but is not ready yet a short, growing pause.
            if await wait_ready(left):
                await asyncio.sleep(min(delay * random.uniform(0.5, 1.5), max(left, 0.0)))
                delay = min(delay * 2, retry.max_backoff_s)


def _unavailable(exc: aio.AioRpcError | Unavailable) -> Unavailable | None:
    """The failure as an unreachable service worth waiting for, or None (final)."""
    error = exc if isinstance(exc, Unavailable) else from_rpc_error(exc)
    if not isinstance(error, Unavailable) or error.dependency_failed:
        return None  # the service is up: its failing dependency is its answer
    return error


def keyframe_wait_warning(ctx: JobContext, tier: str, notice: WaitNotice) -> None:
    """The job says why its keyframes are not moving (once per tier and kind: warnings are deduplicated)."""
    if notice.kind == "busy":
        message = (f"every {tier} image worker was busy; keyframes wait for capacity "
                   "(the autoscaler adds workers on cinesynth_keyframes_waiting)")
        ctx.warn("keyframes_waiting", message, Stage.KEYFRAMES.value)
    else:
        message = f"no {tier} image worker was reachable; waiting for the pool to come back"
        ctx.warn("service_unavailable", message, Stage.KEYFRAMES.value)
