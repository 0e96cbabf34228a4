"""Fixtures: the gateway in-process on port 0 (tests/support.serve_in_process) over the doubles."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from grpc import aio

from gateway.main import GatewayParts, build_service
from gateway.settings import GatewaySettings
from services.common import pb
from services.common.artifacts import FileArtifactStore
from services.common.server import ServiceRuntime
from tests.integration.gateway.doubles import Doubles, running_doubles
from tests.support import serve_in_process, test_settings, until  # noqa: F401  (until: used by the gateway tests)

video = pb.video_pb2


def gateway_settings(tmp_path: Path, doubles: Doubles, **overrides: object) -> GatewaySettings:
    values: dict[str, object] = {
        "storyboard_target": doubles.targets["storyboard"],
        "audio_target": doubles.targets["audio"],
        "compositor_target": doubles.targets["compositor"],
        "imagegen_target": doubles.targets["imagegen"],
        "imagegen_targets": doubles.imagegen_targets,
        "job_store": f"sqlite:///{tmp_path / 'jobs.db'}",
        "artifact_store": (tmp_path / "artifacts").as_uri(),
        "auth_mode": "none",
        "replica_id": "replica-a",
        "lease_s": 3.0,
        "claim_interval_s": 0.05,
        "watch_poll_s": 0.2,
        "retry_backoff_s": 0.01,
        "retry_backoff_max_s": 0.05,
        "progress_persist_interval_s": 0.05,
        "cancel_wait_s": 3.0,
        "webhook_backoff_s": 0.05,
        "default_long_edge": 256,
    }
    values.update(overrides)
    return test_settings(GatewaySettings, **values)  # type: ignore[return-value]


@dataclass
class Gateway:
    runtime: ServiceRuntime
    parts: GatewayParts
    channel: aio.Channel
    stub: pb.video_grpc.VideoServiceStub

    async def create(self, prompt: str = "a lighthouse keeper finds a map", metadata=None, **kwargs: object):
        spec = kwargs.pop("spec", None) or video.VideoSpec(duration_s=10, scene_count=3)
        request = video.CreateVideoRequest(prompt=prompt, spec=spec, **kwargs)
        response = await self.stub.CreateVideo(request, metadata=metadata)
        return response.job

    async def wait(self, name: str, metadata=None) -> video.Job:
        """Watch until terminal; returns the terminal job."""
        last = None
        async for response in self.stub.WatchJob(video.WatchJobRequest(name=name), metadata=metadata, timeout=30):
            last = response.event
        assert last is not None and last.HasField("job")
        return last.job


@contextlib.asynccontextmanager
async def running_gateway(settings: GatewaySettings) -> AsyncIterator[Gateway]:
    service = build_service(settings)
    async with serve_in_process(service, settings) as runtime:
        channel = aio.insecure_channel(f"127.0.0.1:{runtime.port}")
        try:
            yield Gateway(runtime, service.extra["gateway"], channel, pb.video_grpc.VideoServiceStub(channel))  # type: ignore[arg-type]
        finally:
            await channel.close()


@pytest.fixture
def artifact_store(tmp_path: Path) -> FileArtifactStore:
    return FileArtifactStore(tmp_path / "artifacts")


@pytest.fixture
async def doubles(artifact_store: FileArtifactStore) -> AsyncIterator[Doubles]:
    async with running_doubles(artifact_store) as running:
        yield running


@pytest.fixture
async def gateway(tmp_path: Path, doubles: Doubles) -> AsyncIterator[Gateway]:
    async with running_gateway(gateway_settings(tmp_path, doubles)) as running:
        yield running


def new_request_id() -> str:
    return str(uuid.uuid4())
