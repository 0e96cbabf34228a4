"""The real services in-process behind a real gateway, for music-video acceptance tests.

Storyboard (planner), ImageGen (CPU, draft tier: no weights), Audio and Compositor (real ffmpeg) are
served on loopback port 0 from one background thread's event loop, the gateway last, pointing at
them. Tests talk to the gateway like any client: blocking gRPC stubs and the `cinesynth` CLI in the
test thread. Two tenants (api_key auth) for the isolation checks; a 4 MiB upload cap; a one-track
music library.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import pytest

from client import cli
from gateway.main import build_service as build_gateway
from gateway.settings import GatewaySettings
from services.audio.audio_io import write_wav
from services.audio.main import build_service as build_audio
from services.audio.settings import AudioSettings
from services.common import pb
from services.common.artifacts import FileArtifactStore
from services.compositor.main import build_service as build_compositor
from services.compositor.settings import CompositorSettings
from services.imagegen.main import build_service as build_imagegen
from services.imagegen.settings import ImageGenSettings
from services.storyboard.main import build_service as build_storyboard
from services.storyboard.settings import StoryboardSettings
from tests.support import serve_in_process, test_settings
from tests.unit.audio.signals import drum_track

UPLOAD_CAP = 4 * 1024 * 1024
SAMPLE_RATE = 22050
KEYS = {"alpha": "alpha-key-0123456789", "beta": "beta-key-0123456789"}
LIBRARY_TRACK_ID = "loop"
LIBRARY_TRACK_S = 8.0


@dataclass
class LocalStack:
    root: Path
    gateway_target: str = ""
    store: FileArtifactStore = field(init=False)
    channel: grpc.Channel | None = None

    def __post_init__(self) -> None:
        self.store = FileArtifactStore(self.root / "artifacts")

    @property
    def stub(self) -> pb.video_grpc.VideoServiceStub:
        assert self.channel is not None
        return pb.video_grpc.VideoServiceStub(self.channel)

    @staticmethod
    def auth(tenant: str = "alpha") -> list[tuple[str, str]]:
        return [("authorization", f"Bearer {KEYS[tenant]}")]

    def cli(self, *argv: str, tenant: str = "alpha") -> int:
        command, *rest = argv
        return cli.main([command, "--gateway", self.gateway_target, "--api-key", KEYS[tenant], *rest])


class _StackThread(threading.Thread):
    """Runs every server on its own event loop until `stop()`."""

    def __init__(self, stack: LocalStack) -> None:
        super().__init__(name="musicvideo-stack", daemon=True)
        self.stack = stack
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported to the test thread
            self.error = exc
            self.ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        root = self.stack.root
        store = (root / "artifacts").as_uri()
        library = root / "library"
        ports: dict[str, int] = {}
        downstream = {
            "storyboard": (build_storyboard, test_settings(StoryboardSettings, artifact_store=store)),
            "imagegen": (build_imagegen, test_settings(
                ImageGenSettings, artifact_store=store, model_dir=root / "models", imagegen_max_tier="draft",
                allow_download=False, imagegen_device="cpu",
            )),
            "audio": (build_audio, test_settings(
                AudioSettings, artifact_store=store, preload=False, music_library_dir=str(library),
            )),
            "compositor": (build_compositor, test_settings(
                CompositorSettings, artifact_store=store, x264_preset="ultrafast",
            )),
        }
        async with contextlib.AsyncExitStack() as servers:
            for name, (build, settings) in downstream.items():
                runtime = await servers.enter_async_context(serve_in_process(build(settings), settings))
                ports[name] = runtime.port
            keys = ",".join(f"{tenant}:{hashlib.sha256(key.encode()).hexdigest()}" for tenant, key in KEYS.items())
            settings = test_settings(
                GatewaySettings,
                **{f"{name}_target": f"127.0.0.1:{port}" for name, port in ports.items()},
                job_store=f"sqlite:///{root / 'jobs.db'}",
                artifact_store=store,
                auth_mode="api_key",
                api_keys=keys,
                replica_id="musicvideo",
                claim_interval_s=0.05,
                watch_poll_s=0.2,
                progress_persist_interval_s=0.1,
                max_upload_bytes=UPLOAD_CAP,
                music_library_dir=str(library),
            )
            gateway = await servers.enter_async_context(serve_in_process(build_gateway(settings), settings))
            self.stack.gateway_target = f"127.0.0.1:{gateway.port}"
            self.ready.set()
            await self._stopping.wait()

    def stop(self) -> None:
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        self.join(timeout=60)


def write_track(path: Path, seconds: float, section_change_s: float | None) -> Path:
    """The synthetic test music: 120 BPM, kicks on beats, hats on eighths, a new section at the change."""
    return write_wav(path, drum_track(bpm=120.0, seconds=seconds, sr=SAMPLE_RATE,
                                      section_change_s=section_change_s), SAMPLE_RATE)


@pytest.fixture(scope="module")
def mv_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    root = tmp_path_factory.mktemp("musicvideo")
    library = root / "library"
    library.mkdir()
    write_track(library / "loop.wav", LIBRARY_TRACK_S, None)
    (library / "library.json").write_text(json.dumps({"tracks": [
        {"id": LIBRARY_TRACK_ID, "file": "loop.wav", "title": "Loop", "tags": ["drums"], "license": "CC0-1.0"},
    ]}))
    stack = LocalStack(root)
    thread = _StackThread(stack)
    thread.start()
    thread.ready.wait(timeout=240)
    if thread.error is not None:
        raise thread.error
    assert stack.gateway_target, "the stack did not start"
    with grpc.insecure_channel(stack.gateway_target) as channel:
        stack.channel = channel
        try:
            yield stack
        finally:
            stack.channel = None
            thread.stop()
