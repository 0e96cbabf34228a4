"""Path traversal and SSRF through the internal services' URIs, and their message size caps — each service
served in-process on the shared runtime (real servicers, real cores, a file:// store in a temp dir).

A service behind the gateway must not trust it either: a URI outside the artifact store, a prefix that
climbs out of it, or (audio) a music URL that is not a YouTube video is INVALID_ARGUMENT naming the field,
before any work and without touching anything outside the store.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc import aio

from services.audio.main import build_service as build_audio
from services.audio.settings import AudioSettings
from services.common import pb
from services.common.artifacts import FileArtifactStore
from services.common.settings import ServiceSettings
from services.compositor.main import build_service as build_compositor
from services.compositor.settings import CompositorSettings
from services.imagegen.device import SimulatedDevice
from services.imagegen.main import build_service as build_imagegen
from services.imagegen.settings import ImageGenSettings
from tests.integration.badinput.conftest import MAX_MESSAGE_MB
from tests.support import serve_in_process, test_settings

common = pb.common_pb2
OVER_CAP = "x" * (MAX_MESSAGE_MB * 1024 * 1024 + 1024)
# (A leading "/" is stripped by some services: the prefix stays inside the store, so it is not listed.)
BAD_PREFIXES = ["../escape", "jobs/../../escape", "jobs//x", ".", "jobs/x/..", "C:\\x", "jobs/\x00/x"]
# Looks like YouTube to a careless check; reaches somewhere else.
NOT_YOUTUBE = [
    "http://169.254.169.254/latest/meta-data/",
    "http://127.0.0.1:50051/",
    "https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
    "https://www.youtube.com@169.254.169.254/watch?v=dQw4w9WgXcQ",
    "https://evil.example/watch?v=dQw4w9WgXcQ&next=https://youtube.com",
    "https://youtu.be.evil.example/dQw4w9WgXcQ",
    "https://googlevideo.com/videoplayback?id=1",
    "gopher://127.0.0.1:6379/_INFO",
    "ftp://youtube.com/watch?v=dQw4w9WgXcQ",
]


def outside_uris(store: FileArtifactStore) -> list[str]:
    root = store.root.as_uri()
    return [
        "file:///etc/passwd", f"{root}/../secret.png", f"{root}/jobs/../../secret.png", f"{root}-sibling/x.png",
        "s3://other-bucket/x.png", "../../etc/passwd", "/etc/passwd", "http://169.254.169.254/latest/meta-data/",
    ]


@contextlib.asynccontextmanager
async def served(build: Callable[[Any], Any], settings: ServiceSettings) -> AsyncIterator[aio.Channel]:
    async with serve_in_process(build(settings), settings) as runtime:
        async with aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
            yield channel


def _settings(cls: type[ServiceSettings], tmp_path: Path, **overrides: object) -> Any:
    return test_settings(cls, artifact_store=(tmp_path / "store").as_uri(), max_message_mb=MAX_MESSAGE_MB, **overrides)


async def rpc_error(call: Callable[[], Any]) -> aio.AioRpcError:
    """The error a unary or server-streaming call ends with (the call must fail)."""
    try:
        result = call()
        if isinstance(result, aio.UnaryStreamCall):
            async for _ in result:
                pass
        else:
            await result
    except aio.AioRpcError as error:
        return error
    raise AssertionError("the call succeeded")


async def expect_invalid(call: Callable[[], Any], field: str) -> None:
    """The call fails with INVALID_ARGUMENT, and its field violations name `field`."""
    error = await rpc_error(call)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, (field, error.details())
    assert field in error.details(), (field, error.details())


async def expect_too_big(call: Callable[[], Any]) -> None:
    error = await rpc_error(call)
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, error.details()


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def _untouched(tmp_path: Path) -> None:
    """Nothing was written beside the store (where every traversal above points)."""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.png", "store"]
    assert (tmp_path / "secret.png").read_bytes() == b"secret"


@pytest.fixture
def store(tmp_path: Path) -> FileArtifactStore:
    (tmp_path / "secret.png").write_bytes(b"secret")
    return FileArtifactStore(tmp_path / "store")


async def test_imagegen_refuses_uris_and_prefixes_outside_the_store(tmp_path: Path, store: FileArtifactStore) -> None:
    settings = _settings(ImageGenSettings, tmp_path, model_dir=tmp_path / "store" / "models", imagegen_model="draft")
    build = lambda s: build_imagegen(s, device=SimulatedDevice.with_vram(0), store=store)  # noqa: E731
    async with served(build, settings) as channel:
        stub = pb.imagegen_grpc.ImageGenServiceStub(channel)

        def generate(**spec: object) -> Any:
            prefix = spec.pop("output_prefix", "jobs/j1/keyframes")
            values: dict[str, object] = {"id": "scene-00", "prompt": "a castle", "tier": common.TIER_DRAFT, **spec}
            request = pb.imagegen_pb2.GenerateKeyframesRequest(
                keyframes=[pb.imagegen_pb2.KeyframeSpec(**values)], output_prefix=prefix
            )
            return stub.GenerateKeyframes(request, timeout=30)

        for uri in outside_uris(store):
            await expect_invalid(lambda u=uri: generate(reference_image_uri=u), "keyframes[0].reference_image_uri")
        for prefix in BAD_PREFIXES:
            await expect_invalid(lambda p=prefix: generate(output_prefix=p), "output_prefix")
        for kf_id in ["../scene", "a/b", ".hidden", "x" * 200]:
            await expect_invalid(lambda k=kf_id: generate(id=k), "keyframes[0].id")
        await expect_too_big(lambda: generate(prompt=OVER_CAP))
    _untouched(tmp_path)


async def test_compositor_refuses_inputs_and_prefixes_outside_the_store(
    tmp_path: Path, store: FileArtifactStore
) -> None:
    async with served(build_compositor, _settings(CompositorSettings, tmp_path)) as channel:
        stub = pb.compositor_grpc.CompositorServiceStub(channel)

        def compose(keyframe_uri: str = "", **fields: object) -> Any:
            request = pb.compositor_pb2.ComposeVideoRequest(
                scenes=[pb.compositor_pb2.TimelineScene(keyframe_uri=keyframe_uri or store.uri_for("k.png"),
                                                        duration_s=2)],
                fps=12, width=64, height=64, output_prefix=str(fields.pop("output_prefix", "jobs/j1/video")),
                **fields,
            )
            return stub.ComposeVideo(request, timeout=30)

        store.put_bytes("k.png", _png())
        for uri in outside_uris(store):
            await expect_invalid(lambda u=uri: compose(keyframe_uri=u), "scenes[0].keyframe_uri")
            await expect_invalid(lambda u=uri: compose(soundtrack_uri=u), "soundtrack_uri")
            await expect_invalid(lambda u=uri: compose(captions_srt_uri=u), "captions_srt_uri")
        for prefix in BAD_PREFIXES:
            await expect_invalid(lambda p=prefix: compose(output_prefix=p), "output_prefix")
        await expect_too_big(lambda: compose(job_id=OVER_CAP))
    _untouched(tmp_path)


async def test_audio_fetches_music_only_from_youtube_or_the_store(tmp_path: Path, store: FileArtifactStore) -> None:
    async with served(build_audio, _settings(AudioSettings, tmp_path, preload=False)) as channel:
        stub = pb.audio_grpc.AudioServiceStub(channel)

        def soundtrack(**fields: object) -> Any:
            request = pb.audio_pb2.CreateSoundtrackRequest(
                scenes=[pb.audio_pb2.SoundtrackScene(index=0, narration="Hello.", duration_s=5)],
                total_duration_s=5, voice=common.VoiceOptions(voice="none"),
                music_source=common.MUSIC_SOURCE_NONE,
                output_prefix=str(fields.pop("output_prefix", "jobs/j1/audio")), **fields,
            )
            return stub.CreateSoundtrack(request, timeout=30)

        for uri in [*NOT_YOUTUBE, *outside_uris(store)]:
            await expect_invalid(lambda u=uri: soundtrack(music_uri=u), "music_uri")
        for prefix in BAD_PREFIXES:
            await expect_invalid(lambda p=prefix: soundtrack(output_prefix=p), "output_prefix")
        for uri in outside_uris(store):
            request = pb.audio_pb2.AnalyzeMusicRequest(track_uri=uri)
            await expect_invalid(lambda r=request: stub.AnalyzeMusic(r, timeout=30), "track_uri")
        await expect_too_big(lambda: soundtrack(lyrics=OVER_CAP))
    _untouched(tmp_path)


async def test_audio_with_nan_samples_is_invalid_argument_naming_the_field(
    tmp_path: Path, store: FileArtifactStore
) -> None:
    """A float WAV can hold NaN and infinity; ffmpeg passes them through. The client's file is bad."""
    import numpy as np
    import soundfile as sf

    y = np.random.default_rng(0).uniform(-0.5, 0.5, (22050 * 3, 1)).astype(np.float32)
    y[1000:1100] = np.nan
    y[5000] = np.inf
    wav = tmp_path / "nan.wav"
    sf.write(wav, y, 22050, subtype="FLOAT")
    track = store.put_bytes("uploads/u1/nan.wav", wav.read_bytes())
    wav.unlink()
    async with served(build_audio, _settings(AudioSettings, tmp_path, preload=False)) as channel:
        stub = pb.audio_grpc.AudioServiceStub(channel)
        await expect_invalid(
            lambda: stub.AnalyzeMusic(pb.audio_pb2.AnalyzeMusicRequest(track_uri=track.uri), timeout=120), "track_uri"
        )
        for is_soundtrack in (True, False):  # the song of a music video, or music under the narration
            request = pb.audio_pb2.CreateSoundtrackRequest(
                scenes=[pb.audio_pb2.SoundtrackScene(index=0, narration="Hello.", duration_s=3)],
                total_duration_s=3, voice=common.VoiceOptions(voice="none"), music_uri=track.uri,
                music_is_soundtrack=is_soundtrack, output_prefix="jobs/j1/audio",
            )
            await expect_invalid(lambda r=request: stub.CreateSoundtrack(r, timeout=120), "music_uri")
    _untouched(tmp_path)
