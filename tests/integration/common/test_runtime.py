"""The shared runtime on real servers bound to port 0: health, reflection, metrics, errors, drain, retries."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import grpc
import pytest
from google.protobuf import descriptor_pool
from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase
from prometheus_client import REGISTRY

from services.common import pb
from services.common.channels import create_channel
from services.common.errors import field_violations
from services.common.server import ServiceRuntime, check_health
from tests.integration.common.probe import probe_service
from tests.support import port_zero_env, reported_ports, serve_in_process, test_settings, until, until_serving

ROOT = Path(__file__).resolve().parents[3]
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


def storyboard_request(prompt: str) -> pb.storyboard_pb2.CreateStoryboardRequest:
    return pb.storyboard_pb2.CreateStoryboardRequest(prompt=prompt)


async def test_health_is_not_serving_until_start_finishes_and_watch_streams_the_change() -> None:
    gate = asyncio.Event()
    service, _ = probe_service(start_gate=gate)
    runtime = ServiceRuntime(test_settings(), service)
    starting = asyncio.create_task(runtime.start())
    # Health answers as soon as the server is bound; start() then waits on the gate.
    await until(lambda: runtime.port != 0 and not gate.is_set())
    target = f"127.0.0.1:{runtime.port}"
    try:
        assert await check_health(target) == NOT_SERVING
        assert await check_health(target, pb.STORYBOARD_SERVICE) == NOT_SERVING
        async with aio.insecure_channel(target) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            watch = stub.Watch(health_pb2.HealthCheckRequest(service=pb.STORYBOARD_SERVICE))
            first = await watch.read()
            assert first.status == NOT_SERVING
            gate.set()
            await starting
            second = await asyncio.wait_for(watch.read(), 5)
            assert second.status == SERVING
            watch.cancel()
        assert await check_health(target) == SERVING
        with pytest.raises(grpc.RpcError) as unknown:
            async with aio.insecure_channel(target) as channel:
                await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service="nope"))
        assert unknown.value.code() == grpc.StatusCode.NOT_FOUND
    finally:
        await runtime.drain(grace_s=0)


async def test_reflection_lists_the_services() -> None:
    service, _ = probe_service()
    async with serve_in_process(service) as runtime:
        # The reflection client is synchronous; run it off the event loop.
        def list_services() -> tuple[list[str], str]:
            with grpc.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
                db = ProtoReflectionDescriptorDatabase(channel)
                services = db.get_services()
                pool = descriptor_pool.DescriptorPool(db)
                method = pool.FindServiceByName(pb.STORYBOARD_SERVICE).methods_by_name["CreateStoryboard"]
                return list(services), method.input_type.full_name

        services, input_type = await asyncio.to_thread(list_services)
    assert pb.STORYBOARD_SERVICE in services
    assert pb.IMAGEGEN_SERVICE in services
    assert "grpc.health.v1.Health" in services
    assert input_type == "cinesynth.v1.CreateStoryboardRequest"


async def test_reflection_can_be_switched_off() -> None:
    service, _ = probe_service()
    async with serve_in_process(service, test_settings(reflection=False)) as runtime:
        def list_services() -> list[str]:
            with grpc.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
                return list(ProtoReflectionDescriptorDatabase(channel).get_services())

        with pytest.raises(grpc.RpcError) as err:
            await asyncio.to_thread(list_services)
    assert err.value.code() == grpc.StatusCode.UNIMPLEMENTED


def handled(method: str, code: str, service: str = pb.STORYBOARD_SERVICE) -> float:
    value = REGISTRY.get_sample_value(
        "grpc_server_handled_total",
        {"grpc_type": "unary", "grpc_service": service, "grpc_method": method, "grpc_code": code},
    )
    return value or 0.0


async def test_metrics_move_after_calls_and_are_served_over_http() -> None:
    service, _ = probe_service()
    async with serve_in_process(service, test_settings(metrics_port=0)) as runtime:
        ok_before = handled("CreateStoryboard", "OK")
        invalid_before = handled("CreateStoryboard", "INVALID_ARGUMENT")
        async with aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
            stub = pb.storyboard_grpc.StoryboardServiceStub(channel)
            await stub.CreateStoryboard(storyboard_request("ok"))
            await stub.CreateStoryboard(storyboard_request("ok"))
            with pytest.raises(grpc.RpcError):
                await stub.CreateStoryboard(storyboard_request("invalid"))
        assert handled("CreateStoryboard", "OK") == ok_before + 2
        assert handled("CreateStoryboard", "INVALID_ARGUMENT") == invalid_before + 1
        assert runtime.metrics_port
        url = f"http://127.0.0.1:{runtime.metrics_port}/metrics"
        body = await asyncio.to_thread(
            lambda: urllib.request.urlopen(url, timeout=5).read().decode()
        )
    assert "grpc_server_started_total{" in body
    assert 'grpc_code="INVALID_ARGUMENT"' in body
    assert 'grpc_server_handling_seconds_bucket{grpc_method="CreateStoryboard"' in body
    assert 'le="600.0"' in body


async def test_invalid_argument_carries_bad_request_field_violations() -> None:
    service, _ = probe_service()
    async with serve_in_process(service) as runtime, aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
        with pytest.raises(grpc.RpcError) as err:
            await pb.storyboard_grpc.StoryboardServiceStub(channel).CreateStoryboard(storyboard_request("invalid"))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = {v.field: v.description for v in field_violations(err.value)}
    assert violations == {"prompt": "must not be 'invalid'", "scene_count": "must be 1..60, got 0"}


async def test_unexpected_errors_reach_the_client_as_a_generic_message(caplog: pytest.LogCaptureFixture) -> None:
    service, _ = probe_service()
    async with serve_in_process(service) as runtime, aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
        with pytest.raises(grpc.RpcError) as err:
            await pb.storyboard_grpc.StoryboardServiceStub(channel).CreateStoryboard(storyboard_request("boom"))
    assert err.value.code() == grpc.StatusCode.INTERNAL
    details = err.value.details()
    assert details.startswith("internal error (correlation id ")
    assert "/srv/model.bin" not in details and "Traceback" not in details
    correlation = details.split("correlation id ")[1].rstrip(")")
    logged = [r for r in caplog.records if getattr(r, "correlation_id", None) == correlation]
    assert logged and logged[0].exc_info is not None


async def test_stream_errors_and_direct_aborts_keep_their_codes() -> None:
    service, _ = probe_service()
    async with serve_in_process(service) as runtime, aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
        stub = pb.imagegen_grpc.ImageGenServiceStub(channel)
        call = stub.GenerateKeyframes(
            pb.imagegen_pb2.GenerateKeyframesRequest(
                keyframes=[pb.imagegen_pb2.KeyframeSpec(id="a"), pb.imagegen_pb2.KeyframeSpec(id="fail")]
            )
        )
        first = await call.read()
        assert first.keyframe.id == "a"
        with pytest.raises(grpc.RpcError) as err:
            await call.read()
        assert err.value.code() == grpc.StatusCode.NOT_FOUND
        with pytest.raises(grpc.RpcError) as aborted:
            await pb.storyboard_grpc.StoryboardServiceStub(channel).CreateStoryboard(
                storyboard_request("aborted-directly")
            )
        assert aborted.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        with pytest.raises(grpc.RpcError) as unimplemented:
            await stub.GetNodeInfo(pb.imagegen_pb2.GetNodeInfoRequest())
        assert unimplemented.value.code() == grpc.StatusCode.UNIMPLEMENTED


async def test_drain_lets_in_flight_calls_finish_and_refuses_new_ones() -> None:
    service, probe = probe_service()
    runtime = ServiceRuntime(test_settings(), service)
    await runtime.start()
    target = f"127.0.0.1:{runtime.port}"
    async with aio.insecure_channel(target) as channel:
        stub = pb.storyboard_grpc.StoryboardServiceStub(channel)
        in_flight = asyncio.ensure_future(stub.CreateStoryboard(storyboard_request("slow:1.0")))
        await until(lambda: probe.calls["slow:1.0"] == 1)  # the call is running on the server
        drained = asyncio.create_task(runtime.drain(grace_s=30))
        response = await in_flight
        assert response.storyboard.title == "for slow:1.0"
        await drained
    assert await check_health(target, timeout=0.5) != SERVING


def test_sigterm_drains_a_real_process(tmp_path: Path) -> None:
    port_file = tmp_path / "probe.ports.json"
    env = {**port_zero_env(os.environ, port_file), "PYTHONPATH": str(ROOT), "CINESYNTH_LOG_FORMAT": "text"}
    log = tmp_path / "probe.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.common.slow_server", "--grace-period", "30"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        ports = reported_ports(proc, port_file)
        target = f"127.0.0.1:{ports.grpc_port}"
        asyncio.run(until_serving(target, proc))
        started = f"http://127.0.0.1:{ports.metrics_port}/metrics"

        def running() -> bool:
            body = urllib.request.urlopen(started, timeout=10).read().decode()
            return any(
                line.startswith("grpc_server_started_total{") and 'grpc_method="CreateStoryboard"' in line
                for line in body.splitlines()
            )

        with grpc.insecure_channel(target) as channel:
            stub = pb.storyboard_grpc.StoryboardServiceStub(channel)
            future = stub.CreateStoryboard.future(storyboard_request("slow:1.5"), timeout=60)
            asyncio.run(until(running))  # the call reached the server before it is told to stop
            proc.send_signal(signal.SIGTERM)
            assert future.result().storyboard.title == "for slow:1.5"
        assert proc.wait(timeout=60) == 0
        text = log.read_text()
        assert "draining" in text and "stopped" in text
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


async def test_client_retries_unavailable_but_not_invalid_argument() -> None:
    service, probe = probe_service()
    async with serve_in_process(service) as runtime:
        channel = create_channel(f"127.0.0.1:{runtime.port}")
        async with channel:
            stub = pb.storyboard_grpc.StoryboardServiceStub(channel)
            response = await stub.CreateStoryboard(storyboard_request("unavailable:2"), timeout=10)
            assert response.storyboard.title == "for unavailable:2"
            assert probe.calls["unavailable:2"] == 3
            with pytest.raises(grpc.RpcError) as err:
                await stub.CreateStoryboard(storyboard_request("invalid"), timeout=10)
            assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert probe.calls["invalid"] == 1
            with pytest.raises(grpc.RpcError) as exhausted:
                await stub.CreateStoryboard(storyboard_request("unavailable:99"), timeout=10)
            assert exhausted.value.code() == grpc.StatusCode.UNAVAILABLE
            assert probe.calls["unavailable:99"] == 5  # maxAttempts
