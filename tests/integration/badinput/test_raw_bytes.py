"""Raw bytes at the gRPC boundary of every service, the gateway included: requests that are not valid
protobuf (random bytes, mutated real requests, a string field holding invalid UTF-8) are sent through a
generic channel with identity serializers, so nothing on the client side cleans them up.

The answer is always a status a client can act on — never UNKNOWN (gRPC's default when a request
does not decode, with a Python type name in it) or INTERNAL. The corpus is seeded: every run sends
the same bytes, and a failure names the method and the bytes' hex.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.descriptor import FieldDescriptor, MethodDescriptor, ServiceDescriptor
from google.protobuf.message_factory import GetMessageClass
from grpc import aio

from services.audio.main import build_service as build_audio
from services.audio.settings import AudioSettings
from services.common import pb
from services.common.artifacts import FileArtifactStore
from services.compositor.main import build_service as build_compositor
from services.compositor.settings import CompositorSettings
from services.imagegen.device import SimulatedDevice
from services.imagegen.main import build_service as build_imagegen
from services.imagegen.settings import ImageGenSettings
from services.storyboard.main import build_service as build_storyboard
from services.storyboard.settings import StoryboardSettings
from tests.integration.badinput.conftest import RunningGateway
from tests.support import serve_in_process, test_settings

ALLOWED = {
    grpc.StatusCode.OK,  # bytes that happen to decode into a request that is fine
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.UNAUTHENTICATED,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.ALREADY_EXISTS,  # a decoded request id the fuzzer reused with other content
}
RANDOM_PER_METHOD = 12
MUTANTS_PER_METHOD = 12
BAD_UTF8 = b"\xff\xfe\xc3("
CALL_TIMEOUT_S = 60  # a hang is a failure; the bound is far above any answer on a loaded machine


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _length_delimited(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def invalid_utf8_requests(descriptor: Any, depth: int = 2) -> Iterator[tuple[str, bytes]]:
    """(field path, bytes) for each string field reachable within `depth` levels, holding invalid UTF-8."""
    for field in descriptor.fields:
        if field.type == FieldDescriptor.TYPE_STRING:
            yield field.name, _length_delimited(field.number, BAD_UTF8)
        elif field.type == FieldDescriptor.TYPE_MESSAGE and depth > 1 and not field.message_type.GetOptions().map_entry:
            for path, inner in invalid_utf8_requests(field.message_type, depth - 1):
                yield f"{field.name}.{path}", _length_delimited(field.number, inner)
        elif field.type == FieldDescriptor.TYPE_MESSAGE and field.message_type.GetOptions().map_entry:
            key = field.message_type.fields_by_name["key"]
            if key.type == FieldDescriptor.TYPE_STRING:  # map<string, ...>: a bad key
                yield f"{field.name}[key]", _length_delimited(field.number, _length_delimited(1, BAD_UTF8))


def _sample_request(descriptor: Any) -> bytes:
    """A plausible request: every string field filled, so mutations land in real structure."""
    message = GetMessageClass(descriptor)()
    for field in descriptor.fields:
        if field.type == FieldDescriptor.TYPE_STRING and not field.is_repeated:
            setattr(message, field.name, f"{field.name}-value")
    return message.SerializeToString()


def corpus(method: MethodDescriptor, seed: int) -> list[tuple[str, bytes]]:
    """The bytes sent to one method: invalid UTF-8 in each string field, random bytes, mutated samples."""
    rng = random.Random(f"{method.full_name}:{seed}")
    cases = [(f"utf8:{path}", data) for path, data in invalid_utf8_requests(method.input_type)]
    cases += [(f"random:{i}", rng.randbytes(rng.randrange(1, 64))) for i in range(RANDOM_PER_METHOD)]
    sample = _sample_request(method.input_type)
    for i in range(MUTANTS_PER_METHOD):
        mutant = bytearray(sample or b"\x0a\x00")
        for _ in range(rng.randrange(1, 4)):
            mutant[rng.randrange(len(mutant))] = rng.randrange(256)
        cases.append((f"mutant:{i}", bytes(mutant)))
    cases.append(("truncated", sample[: max(1, len(sample) // 2)] + b"\x0a\xff"))
    return cases


def _path(method: MethodDescriptor) -> str:
    return f"/{method.containing_service.full_name}/{method.name}"


async def _send_async(channel: aio.Channel, method: MethodDescriptor, data: bytes) -> grpc.StatusCode:
    path = _path(method)
    try:
        if method.client_streaming:
            async def one() -> AsyncIterator[bytes]:
                yield data

            if method.server_streaming:
                async for _ in channel.stream_stream(path)(one(), timeout=CALL_TIMEOUT_S):
                    pass
            else:
                await channel.stream_unary(path)(one(), timeout=CALL_TIMEOUT_S)
        elif method.server_streaming:
            async for _ in channel.unary_stream(path)(data, timeout=CALL_TIMEOUT_S):
                pass
        else:
            await channel.unary_unary(path)(data, timeout=CALL_TIMEOUT_S)
    except aio.AioRpcError as error:
        assert "Error" not in error.details() and "<class" not in error.details(), error.details()
        return error.code()
    return grpc.StatusCode.OK


def _send_sync(channel: grpc.Channel, method: MethodDescriptor, data: bytes, metadata: Any) -> grpc.StatusCode:
    path = _path(method)
    try:
        if method.client_streaming:
            call: Callable[..., Any] = (
                channel.stream_stream(path) if method.server_streaming else channel.stream_unary(path)
            )
            result = call(iter([data]), timeout=CALL_TIMEOUT_S, metadata=metadata)
        elif method.server_streaming:
            result = channel.unary_stream(path)(data, timeout=CALL_TIMEOUT_S, metadata=metadata)
        else:
            channel.unary_unary(path)(data, timeout=CALL_TIMEOUT_S, metadata=metadata)
            return grpc.StatusCode.OK
        if method.server_streaming:
            for _ in result:
                pass
    except grpc.RpcError as error:
        assert "Error" not in (error.details() or "") and "<class" not in (error.details() or ""), error.details()
        return error.code()
    return grpc.StatusCode.OK


def _check(service: ServiceDescriptor, send: Callable[[MethodDescriptor, bytes], grpc.StatusCode]) -> dict[str, int]:
    """Send the corpus to every method; returns how often each code answered."""
    seen: dict[str, int] = {}
    bad: list[str] = []
    for method in service.methods:
        for name, data in corpus(method, seed=14):
            code = send(method, data)
            seen[code.name] = seen.get(code.name, 0) + 1
            if code not in ALLOWED or (name.startswith("utf8:") and code != grpc.StatusCode.INVALID_ARGUMENT
                                       and code != grpc.StatusCode.UNAUTHENTICATED):
                bad.append(f"{method.name} {name} {data.hex()} -> {code.name}")
    assert not bad, "\n".join(bad)
    return seen


@contextlib.asynccontextmanager
async def served(build: Callable[[Any], Any], settings: Any) -> AsyncIterator[aio.Channel]:
    async with serve_in_process(build(settings), settings) as runtime:
        async with aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
            yield channel


async def _check_async(channel: aio.Channel, service: ServiceDescriptor) -> dict[str, int]:
    results: dict[tuple[str, bytes], grpc.StatusCode] = {}
    for method in service.methods:
        for _, data in corpus(method, seed=14):
            results[(method.full_name, data)] = await _send_async(channel, method, data)
    return _check(service, lambda method, data: results[(method.full_name, data)])


def _store_settings(cls: type, tmp_path: Path, **overrides: object) -> Any:
    return test_settings(cls, artifact_store=(tmp_path / "store").as_uri(), **overrides)


def test_gateway_answers_raw_bytes_with_clear_codes(gateway: RunningGateway) -> None:
    service = pb.video_pb2.DESCRIPTOR.services_by_name["VideoService"]
    # Without credentials the answer may be UNAUTHENTICATED; with them, the bytes themselves are judged.
    for metadata in ([], gateway.auth):
        seen = _check(service, lambda m, d, md=metadata: _send_sync(gateway.channel, m, d, md))
        assert seen.get("INVALID_ARGUMENT") or seen.get("UNAUTHENTICATED")
    utf8 = next(data for name, data in corpus(service.methods_by_name["CreateVideo"], 14) if name == "utf8:prompt")
    with_key = _send_sync(gateway.channel, service.methods_by_name["CreateVideo"], utf8, gateway.auth)
    assert with_key == grpc.StatusCode.INVALID_ARGUMENT


async def test_storyboard_answers_raw_bytes_with_clear_codes(tmp_path: Path) -> None:
    settings = _store_settings(StoryboardSettings, tmp_path, default_backend="planner", transformers_preload=False)
    async with served(build_storyboard, settings) as channel:
        seen = await _check_async(channel, pb.storyboard_pb2.DESCRIPTOR.services_by_name["StoryboardService"])
    assert seen["INVALID_ARGUMENT"] > 0


async def test_imagegen_answers_raw_bytes_with_clear_codes(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "store")
    settings = _store_settings(ImageGenSettings, tmp_path, model_dir=tmp_path / "models", imagegen_model="draft")
    build = lambda s: build_imagegen(s, device=SimulatedDevice.with_vram(0), store=store)  # noqa: E731
    async with served(build, settings) as channel:
        seen = await _check_async(channel, pb.imagegen_pb2.DESCRIPTOR.services_by_name["ImageGenService"])
    assert seen["INVALID_ARGUMENT"] > 0


async def test_audio_answers_raw_bytes_with_clear_codes(tmp_path: Path) -> None:
    async with served(build_audio, _store_settings(AudioSettings, tmp_path, preload=False)) as channel:
        seen = await _check_async(channel, pb.audio_pb2.DESCRIPTOR.services_by_name["AudioService"])
    assert seen["INVALID_ARGUMENT"] > 0


async def test_compositor_answers_raw_bytes_with_clear_codes(tmp_path: Path) -> None:
    async with served(build_compositor, _store_settings(CompositorSettings, tmp_path)) as channel:
        seen = await _check_async(channel, pb.compositor_pb2.DESCRIPTOR.services_by_name["CompositorService"])
    assert seen["INVALID_ARGUMENT"] > 0
