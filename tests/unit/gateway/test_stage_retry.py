"""Which UNAVAILABLE a stage waits out: a service that was not reached (refused, reset, draining) or
is not ready yet (loading its model) is waited for within the retry budget; one that answered that
a dependency failed (its artifact store) is up and has said why, so its answer fails the stage at once."""

from __future__ import annotations

import grpc
import pytest
from grpc import aio

from gateway.model import Job, Stage
from gateway.stages.retry import StageRetry, call_until_back
from services.common.artifacts import store_failed
from services.common.errors import Unavailable, dependency_failed, from_rpc_error, to_status


def answered(error: Unavailable) -> aio.AioRpcError:
    """The call error a client sees for `error` raised in a servicer (the interceptor sends to_status)."""
    trailing = aio.Metadata(*to_status(error).trailing_metadata)
    return aio.AioRpcError(grpc.StatusCode.UNAVAILABLE, aio.Metadata(), trailing, details=error.message)


def unreached(message: str) -> aio.AioRpcError:
    """grpc core's own UNAVAILABLE (no connection, reset): no status details."""
    return aio.AioRpcError(grpc.StatusCode.UNAVAILABLE, aio.Metadata(), aio.Metadata(), details=message)


class Context:
    def __init__(self) -> None:
        self.job = Job.__new__(Job)
        self.warnings: list[str] = []
        self.commits = 0

    def warn(self, code: str, message: str, stage: str) -> None:
        self.warnings.append(code)

    def budget(self, seconds: float) -> float:
        return seconds

    async def commit(self, *, persist: bool = True) -> None:
        self.commits += 1


def test_a_failed_dependency_survives_the_trip_to_the_caller() -> None:
    store = answered(store_failed("write", "AccessDenied"))
    loading = answered(Unavailable("the image worker is still loading its model; retry shortly"))
    gone = unreached("failed to connect to all addresses")
    assert dependency_failed(store) and not dependency_failed(loading) and not dependency_failed(gone)
    assert from_rpc_error(store).dependency_failed  # type: ignore[attr-defined]
    assert not from_rpc_error(loading).dependency_failed  # type: ignore[attr-defined]
    assert from_rpc_error(store).message == "artifact store write failed: AccessDenied"


async def test_a_service_that_answers_unavailable_is_not_waited_for() -> None:
    ctx = Context()
    calls = []

    async def call() -> str:
        calls.append(1)
        raise answered(store_failed("write", "AccessDenied"))

    async def never_ready(timeout: float) -> bool:
        raise AssertionError("waited for a service that answered")

    with pytest.raises(aio.AioRpcError):
        await call_until_back(ctx, Stage.SOUNDTRACK, "audio service", call, wait_ready=never_ready,  # type: ignore[arg-type]
                              retry=StageRetry(budget_s=60.0))
    assert calls == [1] and ctx.warnings == []


@pytest.mark.parametrize(
    "first_failure",
    [unreached("connection refused"), answered(Unavailable("the image worker is still loading its model"))],
    ids=["unreached", "loading"],
)
async def test_an_unready_service_is_called_again_once_it_is_back(first_failure: aio.AioRpcError) -> None:
    ctx = Context()
    answers: list[object] = [first_failure, "soundtrack"]
    ready: list[float] = []

    async def call() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return str(answer)

    async def back(timeout: float) -> bool:
        ready.append(timeout)
        return True  # the channel connects again

    result = await call_until_back(ctx, Stage.SOUNDTRACK, "audio service", call, wait_ready=back,  # type: ignore[arg-type]
                                   retry=StageRetry(budget_s=60.0, backoff_s=0.0))
    assert result == "soundtrack" and ctx.warnings == ["service_unavailable"] and len(ready) == 1
