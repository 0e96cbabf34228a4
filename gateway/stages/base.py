"""What every stage shares: the job context it runs in, its failure type, and the one way a stage
calls a service (domain errors raised as StageFailed, a gone service waited for, results checked
before they are stored, the service's warnings forwarded onto the job).

A stage module has a pure `request(job, ...)` that builds the service's request from the job and a
pure `record(job, response)` that writes the answer back into the job, plus the stage class that
makes the call; the pure pair is where the job <-> proto knowledge lives.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from pathlib import PurePosixPath
from typing import Any, Protocol, TypeVar

from grpc import aio

from gateway.downstream import Downstream
from gateway.model import ArtifactRecord, Job, Stage
from gateway.stages.results import unstorable_result
from gateway.stages.retry import StageRetry, call_until_back
from services.common import pb
from services.common.errors import CinesynthError, from_rpc_error

T = TypeVar("T")


class JobContext(Protocol):
    """What a stage needs from whoever runs the job (the JobRunner)."""

    job: Job

    def budget(self, stage_timeout_s: float) -> float:
        """Timeout for a downstream call: the stage's, capped by what is left of the run."""

    def stage_started(self, stage: Stage, message: str) -> None: ...

    def stage_finished(self, stage: Stage, message: str) -> None: ...

    def warn(self, code: str, message: str, stage: str) -> None: ...

    async def commit(self, *, persist: bool = True) -> None:
        """Publish the job's changes to watchers; persist now, or (False) soon (progress only)."""


class StageFailed(Exception):
    """A stage's domain error, with the stage it happened in."""

    def __init__(self, stage: Stage, error: CinesynthError) -> None:
        super().__init__(f"{stage.value}: {error.message}")
        self.stage = stage
        self.error = error


async def call(stage: Stage, make_call: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """`make_call()`, its gRPC or domain failure raised as StageFailed(stage, ...)."""
    try:
        return await make_call()
    except aio.AioRpcError as exc:
        raise StageFailed(stage, from_rpc_error(exc)) from None
    except CinesynthError as exc:
        raise StageFailed(stage, exc) from None


def until_back(
    ctx: JobContext,
    downstream: Downstream,
    retry: StageRetry,
    stage: Stage,
    service: str,
    make_call: Callable[[], Coroutine[Any, Any, T]],
) -> Coroutine[Any, Any, T]:
    """`make_call` again while the service is unreachable, within the stage's retry budget."""
    return call_until_back(
        ctx, stage, f"{service} service", make_call,
        wait_ready=lambda timeout: downstream.wait_ready(service, timeout), retry=retry,
    )


def check_result(stage: Stage, service: str, message: Any, fields: tuple[str, ...] | None = None) -> None:
    """A result that cannot be stored (NaN/inf) fails the stage, naming the service and field."""
    error = unstorable_result(service, message, fields)
    if error is not None:
        raise StageFailed(stage, error)


def forward_warnings(ctx: JobContext, warnings: Any, stage: Stage) -> None:
    for warning in warnings:
        ctx.warn(warning.code, warning.message, warning.stage or stage.value)


async def fan_out(
    scenes: Iterable[tuple[int, pb.common_pb2.Scene]],
    concurrency: int,
    render: Callable[[int, pb.common_pb2.Scene], Awaitable[None]],
) -> None:
    """`render(index, scene)` for every scene, `concurrency` at a time; the first failure cancels the
    rest and is raised as itself (not as an exception group)."""
    slots = asyncio.Semaphore(concurrency)

    async def one(index: int, scene: pb.common_pb2.Scene) -> None:
        async with slots:
            await render(index, scene)

    try:
        async with asyncio.TaskGroup() as group:
            for index, scene in scenes:
                group.create_task(one(index, scene))
    except BaseExceptionGroup as failures:
        raise first_error(failures) from None


def first_error(error: BaseException) -> BaseException:
    """The first real failure inside (nested) exception groups from a TaskGroup."""
    if isinstance(error, BaseExceptionGroup):
        leaves = [first_error(e) for e in error.exceptions]
        real = [e for e in leaves if not isinstance(e, asyncio.CancelledError)]
        return (real or leaves)[0]
    return error


def artifact_record(artifact: pb.common_pb2.Artifact, name: str, kind: str) -> ArtifactRecord:
    return ArtifactRecord(
        name=name,
        uri=artifact.uri,
        mime_type=artifact.mime_type or "application/octet-stream",
        size_bytes=artifact.size_bytes,
        sha256=artifact.sha256,
        kind=kind,
    )


def suffix(artifact: pb.common_pb2.Artifact, default: str) -> str:
    return PurePosixPath(artifact.name or artifact.uri).suffix or default
