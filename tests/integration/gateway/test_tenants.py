"""API keys, tenant isolation and per-tenant limits, through gRPC."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import grpc
import pytest

from gateway.auth import hash_key
from services.common import pb
from tests.integration.gateway.conftest import gateway_settings, running_gateway
from tests.integration.gateway.doubles import Doubles

video = pb.video_pb2
common = pb.common_pb2

KEY_A, KEY_B, KEY_C = "key-for-tenant-a-0123456789", "key-for-tenant-b-9876543210", "key-for-tenant-c-from-file"
AS_A = [("authorization", f"Bearer {KEY_A}")]
AS_B = [("authorization", f"Bearer {KEY_B}")]
AS_C = [("authorization", f"Bearer {KEY_C}")]


async def _code(call) -> grpc.StatusCode:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        result = call()
        if hasattr(result, "__aiter__"):
            async for _ in result:
                pass
        else:
            await result
    return raised.value.code()


async def test_tenants_see_only_their_own_jobs(
    tmp_path: Path, doubles: Doubles, caplog: pytest.LogCaptureFixture
) -> None:
    keys_file = tmp_path / "keys.txt"
    keys_file.write_text(f"# tenant c\ntenant-c:{hash_key(KEY_C)}\n")
    settings = gateway_settings(
        tmp_path, doubles, auth_mode="api_key",
        api_keys=f"tenant-a:{hash_key(KEY_A)},tenant-b:{hash_key(KEY_B)}", api_keys_file=str(keys_file),
        log_level="DEBUG",
    )
    caplog.set_level(logging.DEBUG)
    async with running_gateway(settings) as gateway:
        stub = gateway.stub
        job = await gateway.create(metadata=AS_A, labels={"team": "a"})
        await gateway.wait(job.name, metadata=AS_A)

        # Missing, malformed or wrong keys.
        assert await _code(lambda: stub.GetJob(video.GetJobRequest(name=job.name))) == grpc.StatusCode.UNAUTHENTICATED
        for bad in ("Bearer nope", "Basic " + KEY_A, KEY_A, "Bearer "):
            call = lambda bad=bad: stub.GetJob(video.GetJobRequest(name=job.name), metadata=[("authorization", bad)])  # noqa: E731
            assert await _code(call) == grpc.StatusCode.UNAUTHENTICATED, bad
        assert await _code(lambda: stub.ListJobs(video.ListJobsRequest())) == grpc.StatusCode.UNAUTHENTICATED
        create = lambda: stub.CreateVideo(video.CreateVideoRequest(prompt="x"))  # noqa: E731
        assert await _code(create) == grpc.StatusCode.UNAUTHENTICATED
        watch = lambda: stub.WatchJob(video.WatchJobRequest(name=job.name))  # noqa: E731
        assert await _code(watch) == grpc.StatusCode.UNAUTHENTICATED

        # Tenant B cannot see, watch, cancel or download A's job: NOT_FOUND, as if it did not exist.
        calls = {
            "get": lambda: stub.GetJob(video.GetJobRequest(name=job.name), metadata=AS_B),
            "cancel": lambda: stub.CancelJob(video.CancelJobRequest(name=job.name), metadata=AS_B),
            "watch": lambda: stub.WatchJob(video.WatchJobRequest(name=job.name), metadata=AS_B),
            "download": lambda: stub.DownloadArtifact(
                video.DownloadArtifactRequest(name=job.name, kind=common.ARTIFACT_KIND_VIDEO), metadata=AS_B
            ),
        }
        for what, call in calls.items():
            assert await _code(call) == grpc.StatusCode.NOT_FOUND, what
        assert not (await stub.ListJobs(video.ListJobsRequest(), metadata=AS_B)).jobs
        assert not (await stub.ListJobs(video.ListJobsRequest(), metadata=AS_C)).jobs
        listed = (await stub.ListJobs(video.ListJobsRequest(), metadata=AS_A)).jobs
        assert [j.id for j in listed] == [job.id]
        # The same request_id in two tenants is two jobs.
        a2 = await gateway.create(metadata=AS_A, request_id="shared-id")
        c2 = await gateway.create(metadata=AS_C, request_id="shared-id")
        assert a2.id != c2.id
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert KEY_A not in logged and KEY_B not in logged, "keys never reach the logs"


async def test_per_tenant_active_job_limit(tmp_path: Path, doubles: Doubles) -> None:
    doubles.imagegen[0].gate = asyncio.Event()  # jobs stay active
    settings = gateway_settings(
        tmp_path, doubles, auth_mode="api_key", api_keys=f"tenant-a:{hash_key(KEY_A)},tenant-b:{hash_key(KEY_B)}",
        tenant_max_active_jobs=2, tenant_limits={"tenant-b": 1},
    )
    async with running_gateway(settings) as gateway:
        first = await gateway.create(metadata=AS_B, request_id="b-1")
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await gateway.create(metadata=AS_B, request_id="b-2")
        assert raised.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "limit is 1" in raised.value.details()
        # Retrying the accepted request is still fine (idempotent), and other tenants are unaffected.
        assert (await gateway.create(metadata=AS_B, request_id="b-1")).id == first.id
        await gateway.create(metadata=AS_A)
        await gateway.create(metadata=AS_A)
        with pytest.raises(grpc.aio.AioRpcError):
            await gateway.create(metadata=AS_A)
        # A cancelled job frees its slot.
        await gateway.stub.CancelJob(video.CancelJobRequest(name=first.name), metadata=AS_B)
        await gateway.create(metadata=AS_B, request_id="b-3")
        doubles.imagegen[0].gate.set()
