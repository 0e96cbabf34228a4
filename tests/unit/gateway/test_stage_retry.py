"""Which UNAVAILABLE a stage waits out: a service that was not reached (refused, reset, draining) is
waited for within the retry budget; one that answered UNAVAILABLE itself (its artifact store
failed) is up and has said why, so its answer fails the stage at once."""

from __future__ import annotations

import grpc
import pytest
from grpc import aio

from gateway.model import Job, Stage
from gateway.stages.retry import StageRetry, call_until_back
from services.common.errors import Unavailable, answered_by_service, from_rpc_error, to_status


def unavailable(message: str, *, from_servicer: bool) -> aio.AioRpcError:
    # The servicer's error interceptor sends to_status(...): its trailing metadata carries the rich
    # status; grpc core's own UNAVAILABLE (no connection) carries none.
    trailing = aio.Metadata(*to_status(Unavailable(message)).trailing_metadata) if from_servicer else aio.Metadata()
    return aio.AioRpcError(grpc.StatusCode.UNAVAILABLE, aio.Metadata(), trailing, details=message)


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


def test_the_origin_of_an_unavailable_survives_the_domain_error() -> None:
    answered = unavailable("artifact store write failed: AccessDenied", from_servicer=True)
    unreached = unavailable("failed to connect to all addresses", from_servicer=False)
    assert answered_by_service(answered) and not answered_by_service(unreached)
    assert from_rpc_error(answered).service_answered  # type: ignore[attr-defined]
    assert not from_rpc_error(unreached).service_answered  # type: ignore[attr-defined]


async def test_a_service_that_answers_unavailable_is_not_waited_for() -> None:
    ctx = Context()
    calls = []

    async def call() -> str:
        calls.append(1)
        raise unavailable("artifact store write failed: AccessDenied", from_servicer=True)

    async def never_ready(timeout: float) -> bool:
        raise AssertionError("waited for a service that answered")

    with pytest.raises(aio.AioRpcError):
        await call_until_back(ctx, Stage.SOUNDTRACK, "audio service", call, wait_ready=never_ready,  # type: ignore[arg-type]
                              retry=StageRetry(budget_s=60.0))
    assert calls == [1] and ctx.warnings == []


async def test_an_unreached_service_is_called_again_once_it_is_back() -> None:
    ctx = Context()
    answers: list[object] = [unavailable("connection refused", from_servicer=False), "soundtrack"]
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
