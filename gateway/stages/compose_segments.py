"""Segment-parallel compose: a film's video rendered in segments across every compositor replica,
then joined once the soundtrack is there.

The compositor plans where the film splits (PlanSegments, at cuts where it can). Segments are
video-only, so they start as soon as the keyframes exist, while the soundtrack is still being made;
each goes to the next replica round-robin, and one that a replica refuses or loses (UNAVAILABLE,
RESOURCE_EXHAUSTED) is rendered again, alone, on another. The join (JoinSegments) stream-copies the
segments and muxes the soundtrack and captions once. A compositor that does not know the segment
RPCs (an older image) gets the whole film through ComposeVideo instead, with a warning.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import grpc
from grpc import aio

from gateway.downstream import RETRY_ON_ANOTHER_WORKER, RetryPolicy, WorkerPool
from services.common import pb
from services.common.errors import Internal, from_rpc_error
from services.common.metrics import FALLBACKS

log = logging.getLogger(__name__)

cpb = pb.compositor_pb2


class SegmentsUnsupported(Exception):
    """The compositor answered UNIMPLEMENTED to PlanSegments: compose the film in one call."""


@dataclass(frozen=True)
class SegmentConfig:
    per_replica: int = 0  # segments per compositor replica (0 = segment-parallel compose off)
    min_segment_s: float = 2.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    @property
    def enabled(self) -> bool:
        return self.per_replica > 0


Progress = Callable[[int, int], Awaitable[None]]


class SegmentedCompose:
    def __init__(self, pool: WorkerPool, config: SegmentConfig) -> None:
        self.pool = pool
        self.config = config

    async def plan(self, video: cpb.ComposeVideoRequest, timeout: float) -> cpb.PlanSegmentsResponse:
        replicas = len(await self.pool.refresh())
        fps = video.fps or 24
        request = cpb.PlanSegmentsRequest(
            compose=video, max_segments=min(256, max(1, replicas * self.config.per_replica)),
            min_segment_frames=max(1, round(self.config.min_segment_s * fps)),
        )
        picked = await self.pool.pick(set())
        assert picked is not None
        try:
            return await picked[1].PlanSegments(request, timeout=timeout)
        except aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.UNIMPLEMENTED:
                raise SegmentsUnsupported(exc.details() or "") from None
            raise from_rpc_error(exc) from None

    async def render(
        self, video: cpb.ComposeVideoRequest, plan: cpb.PlanSegmentsResponse, progress: Progress, timeout: float
    ) -> list[cpb.SegmentResult]:
        """Every segment of `plan`, in order; at most one segment per replica at a time."""
        done = [0] * len(plan.segments)
        replicas = max(1, len(await self.pool.refresh()))
        slots = asyncio.Semaphore(replicas)

        async def report(index: int, frames: int) -> None:
            done[index] = frames
            await progress(sum(done), plan.frame_count)

        async def one(index: int, frames: cpb.FrameRange) -> cpb.SegmentResult:
            async with slots:
                request = cpb.ComposeSegmentRequest(compose=video, frames=frames)
                return await self._segment(index, request, report, timeout)

        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(i, f)) for i, f in enumerate(plan.segments)]
        return [t.result() for t in tasks]

    async def _segment(
        self, index: int, request: cpb.ComposeSegmentRequest, report: Callable[[int, int], Awaitable[None]],
        timeout: float,
    ) -> cpb.SegmentResult:
        """One segment on some replica; a refusing or lost replica is skipped and the segment
        rendered again from its first frame on another (`retry.attempts` calls in all)."""
        policy = self.config.retry
        excluded: set[str] = set()
        delay = policy.backoff_s
        last: aio.AioRpcError | None = None
        for attempt in range(1, policy.attempts + 1):
            picked = await self.pool.pick(excluded)
            if picked is None:
                excluded.clear()
                await asyncio.sleep(delay * random.uniform(0.5, 1.5))
                delay = min(delay * 2, policy.max_backoff_s)
                picked = await self.pool.pick(excluded)
                assert picked is not None
            address, stub = picked
            call = stub.ComposeSegment(request, timeout=timeout)
            try:
                result: cpb.SegmentResult | None = None
                async for response in call:
                    if response.HasField("progress"):
                        await report(index, response.progress.frames_done)
                    else:
                        result = response.result
                if result is None or not result.video.uri:
                    raise Internal("a compositor finished a segment without a video")
                return result
            except aio.AioRpcError as exc:
                if exc.code() not in RETRY_ON_ANOTHER_WORKER or attempt == policy.attempts:
                    raise from_rpc_error(exc) from None
                last = exc
                await report(index, 0)
                FALLBACKS.labels("compose", "segment_retried").inc()
                excluded.add(address)
                log.info(
                    "segment lost, rendering it again on another compositor",
                    extra={"compositor": address, "code": exc.code().name, "attempt": attempt, "segment": index},
                )
            finally:
                call.cancel()
        assert last is not None
        raise from_rpc_error(last)

    async def join(
        self, film: cpb.ComposeVideoRequest, segments: list[cpb.SegmentResult], timeout: float
    ) -> cpb.ComposeResult:
        excluded: set[str] = set()
        for attempt in range(1, self.config.retry.attempts + 1):
            picked = await self.pool.pick(excluded)
            if picked is None:
                excluded.clear()
                picked = await self.pool.pick(excluded)
                assert picked is not None
            address, stub = picked
            try:
                response = await stub.JoinSegments(cpb.JoinSegmentsRequest(compose=film, segments=segments),
                                                   timeout=timeout)
                return response.result
            except aio.AioRpcError as exc:
                if exc.code() not in RETRY_ON_ANOTHER_WORKER or attempt == self.config.retry.attempts:
                    raise from_rpc_error(exc) from None
                excluded.add(address)
        raise Internal("the join found no compositor")  # pragma: no cover (the loop returns or raises)

