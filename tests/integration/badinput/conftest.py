"""A real gateway (gateway.main.build_service on the shared runtime) over the gateway tests' gRPC doubles,
served from a background event loop so that synchronous hypothesis tests can call it over loopback."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import pytest

from gateway.auth import hash_key
from gateway.main import build_service
from gateway.settings import GatewaySettings
from services.common import pb
from services.common.artifacts import FileArtifactStore
from tests.integration.gateway.conftest import gateway_settings
from tests.integration.gateway.doubles import Doubles, running_doubles
from tests.support import serve_in_process

API_KEY = "badinput-key-0123456789"
TENANT = "fuzz"
# The smallest message cap the runtime allows: oversized messages are cheap to build.
MAX_MESSAGE_MB = 4


@dataclass
class RunningGateway:
    target: str
    doubles: Doubles
    channel: grpc.Channel
    stub: pb.video_grpc.VideoServiceStub
    # request_id -> the serialized request first sent with it (ALREADY_EXISTS is right only for a reuse).
    sent: dict[str, bytes] = field(default_factory=dict)

    @property
    def auth(self) -> list[tuple[str, str]]:
        return [("authorization", f"Bearer {API_KEY}")]


def _settings(tmp: Path, doubles: Doubles) -> GatewaySettings:
    return gateway_settings(
        tmp, doubles,
        auth_mode="api_key",
        api_keys=f"{TENANT}:{hash_key(API_KEY)}",
        max_message_mb=MAX_MESSAGE_MB,
        tenant_max_active_jobs=5,
    )


@contextlib.contextmanager
def gateway_in_background(tmp: Path) -> Iterator[tuple[str, Doubles]]:
    loop = asyncio.new_event_loop()
    ready: concurrent.futures.Future[tuple[str, Doubles, asyncio.Event]] = concurrent.futures.Future()

    async def serve() -> None:
        stop = asyncio.Event()
        try:
            async with running_doubles(FileArtifactStore(tmp / "artifacts")) as doubles:
                settings = _settings(tmp, doubles)
                async with serve_in_process(build_service(settings), settings) as runtime:
                    ready.set_result((f"127.0.0.1:{runtime.port}", doubles, stop))
                    await stop.wait()
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc)
            raise

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), name="badinput-gateway")
    thread.start()
    target, doubles, stop = ready.result(timeout=60)
    try:
        yield target, doubles
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=30)
        loop.close()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    with gateway_in_background(tmp_path_factory.mktemp("badinput")) as (target, doubles):
        channel = grpc.insecure_channel(target)
        try:
            yield RunningGateway(target, doubles, channel, pb.video_grpc.VideoServiceStub(channel))
        finally:
            channel.close()
