"""CompositorService end to end over gRPC on loopback, with real ffmpeg and ffprobe."""

from __future__ import annotations

import contextlib
import json
import wave
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import grpc
import numpy as np
import psutil
import pytest
from grpc import aio

from services.common import ffmpeg, pb
from services.common.artifacts import FileArtifactStore
from services.common.errors import field_violations
from services.compositor.main import build_service
from services.compositor.settings import CompositorSettings
from services.compositor.verify import probe_argv, top_level_boxes
from tests.support import IDLE_CPU_S, cpu_after_cancel, serve_in_process, test_settings, until

common = pb.common_pb2
cpb = pb.compositor_pb2

SRT = b"1\n00:00:00,500 --> 00:00:02,000\nThe valley wakes.\n\n2\n00:00:04,000 --> 00:00:06,500\nNight falls.\n"
MOVES = ("dolly-in", "pan-right", "crane-up", "dolly-out", "static")
TRANSITIONS = (
    common.TRANSITION_KIND_CROSSFADE,
    common.TRANSITION_KIND_FLOW_MORPH,
    common.TRANSITION_KIND_DIP_TO_BLACK,
    common.TRANSITION_KIND_CUT,
    common.TRANSITION_KIND_UNSPECIFIED,
)


@dataclass
class Env:
    stub: Any
    store: FileArtifactStore
    work: Path
    keyframes: list[str]
    soundtrack: str
    srt: str


def keyframe(i: int) -> np.ndarray:
    """A 480x270 scene: sky gradient, a disc, a horizon; different per index."""
    h, w = 270, 480
    y = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    top, bottom = np.array([200, 80 + 30 * i, 40], np.float32), np.array([40, 120, 220 - 30 * i], np.float32)
    img = (top * (1 - y) + bottom * y).repeat(w, axis=1).astype(np.uint8)
    cv2.circle(img, (80 + 70 * i, 90), 30, (230, 240, 255), -1)
    cv2.rectangle(img, (0, 200 - 5 * i), (w, h), (30, 90 + 20 * i, 40), -1)
    return img


def write_wav(path: Path, seconds: float, rate: int = 22050) -> None:
    t = np.arange(int(seconds * rate)) / rate
    tone = (0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(tone.tobytes())


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    settings = test_settings(
        CompositorSettings, artifact_store=f"file://{tmp_path / 'store'}", work_dir=str(tmp_path / "work"),
        progress_max_interval_s=60.0,
    )
    store = FileArtifactStore(tmp_path / "store")
    keyframes = []
    for i in range(5):
        _, data = cv2.imencode(".png", keyframe(i))
        keyframes.append(store.put_bytes(f"jobs/t/keyframes/scene-{i:02d}.png", data.tobytes()).uri)
    write_wav(tmp_path / "mix.wav", 7.0)  # shorter than the film: padded with silence
    soundtrack = store.put_file("jobs/t/soundtrack.wav", tmp_path / "mix.wav").uri
    srt = store.put_bytes("jobs/t/captions.srt", SRT).uri
    async with serve_in_process(build_service(settings), settings) as runtime:  # type: ignore[arg-type]
        async with aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
            yield Env(pb.compositor_grpc.CompositorServiceStub(channel), store, tmp_path / "work", keyframes,
                      soundtrack, srt)


def five_scenes(env: Env, seconds: float = 2.0) -> list[cpb.TimelineScene]:
    return [
        cpb.TimelineScene(
            keyframe_uri=uri, duration_s=seconds, motion=common.CameraMotion(move=MOVES[i]),
            transition=TRANSITIONS[i], transition_s=0.5,
        )
        for i, uri in enumerate(env.keyframes)
    ]


async def compose(env: Env, request: cpb.ComposeVideoRequest) -> tuple[list[cpb.ComposeProgress], cpb.ComposeResult]:
    progress, result = [], None
    async for message in env.stub.ComposeVideo(request, timeout=120):
        if message.HasField("progress"):
            assert result is None, "progress after the result"
            progress.append(message.progress)
        else:
            result = message.result
    assert result is not None
    return progress, result


def probe(env: Env, uri: str) -> dict[str, Any]:
    return json.loads(ffmpeg.run(probe_argv(env.store.local_path(uri))))


def streams(info: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [s for s in info["streams"] if s["codec_type"] == kind]


def frame_at(env: Env, uri: str, index: int, dest: Path) -> np.ndarray:
    ffmpeg.run([ffmpeg.ffmpeg_path(), "-v", "error", "-y", "-i", str(env.store.local_path(uri)),
                "-vf", f"select=eq(n\\,{index})", "-frames:v", "1", str(dest)])
    return cv2.imread(str(dest), cv2.IMREAD_COLOR)


async def test_five_scene_film_with_soundtrack_and_captions(env: Env):
    request = cpb.ComposeVideoRequest(
        scenes=five_scenes(env), fps=24, width=320, height=180, soundtrack_uri=env.soundtrack,
        captions_srt_uri=env.srt, output_prefix="jobs/t/video", job_id="t",
    )
    progress, result = await compose(env, request)

    assert progress[0].frames_done == 0 and progress[-1].frames_done == 240
    assert all(p.frames_total == 240 for p in progress)
    done = [p.frames_done for p in progress]
    assert done == sorted(done) and 3 <= len(done) <= 240 // 24 + 2  # throttled: every 24 frames
    assert (result.frame_count, result.fps, result.width, result.height) == (240, 24, 320, 180)
    assert result.duration_s == pytest.approx(10.0)
    assert result.encoder in ("libx264", "h264_nvenc") and not result.warnings

    info = probe(env, result.video.uri)
    (video,), (audio,), (subs,) = streams(info, "video"), streams(info, "audio"), streams(info, "subtitle")
    assert (video["codec_name"], video["pix_fmt"], video["width"], video["height"]) == ("h264", "yuv420p", 320, 180)
    assert (video["color_space"], video["color_primaries"], video["color_transfer"]) == ("bt709",) * 3
    assert video["avg_frame_rate"] == "24/1" and int(video["nb_read_packets"]) == 240
    assert float(video["duration"]) == pytest.approx(10.0, abs=1 / 24)
    assert audio["codec_name"] == "aac" and float(audio["duration"]) == pytest.approx(10.0, abs=0.1)
    assert subs["codec_name"] == "mov_text" and subs["tags"]["language"] == "eng"
    boxes = top_level_boxes(env.store.local_path(result.video.uri))
    assert boxes.index("moov") < boxes.index("mdat")  # +faststart

    assert result.video.name == "video.mp4" and result.video.kind == common.ARTIFACT_KIND_VIDEO
    assert result.video.uri.endswith("jobs/t/video/video.mp4") and len(result.video.sha256) == 64
    assert env.store.get_bytes(result.srt.uri) == SRT and result.srt.uri.endswith("jobs/t/video/video.srt")
    assert env.store.get_bytes(result.vtt.uri).startswith(b"WEBVTT")  # converted from the SRT
    poster = cv2.imdecode(np.frombuffer(env.store.get_bytes(result.poster.uri), np.uint8), cv2.IMREAD_COLOR)
    sheet = cv2.imdecode(np.frombuffer(env.store.get_bytes(result.contact_sheet.uri), np.uint8), cv2.IMREAD_COLOR)
    assert poster.shape == (180, 320, 3) and result.poster.mime_type == "image/jpeg"
    assert sheet.shape[1] > 5 * 320 and result.contact_sheet.kind == common.ARTIFACT_KIND_CONTACT_SHEET
    assert list(env.work.iterdir()) == []  # temporary files removed


@pytest.mark.parametrize(
    ("aspect", "width", "height", "size", "bars"),
    [
        (common.ASPECT_PRESET_CINEMASCOPE_LETTERBOX, 320, 0, (320, 180), 23),
        (common.ASPECT_PRESET_VERTICAL, 0, 320, (180, 320), 0),
        (common.ASPECT_PRESET_CINEMASCOPE, 320, 0, (320, 134), 0),
    ],
)
async def test_aspect_presets(env: Env, tmp_path: Path, aspect, width, height, size, bars):
    scenes = five_scenes(env, seconds=0.5)[:2]
    request = cpb.ComposeVideoRequest(scenes=scenes, width=width, height=height, aspect=aspect,
                                      encoder=cpb.EncoderOptions(preset="ultrafast"))
    _, result = await compose(env, request)
    assert (result.width, result.height) == size and result.frame_count == 24
    (video,) = streams(probe(env, result.video.uri), "video")
    assert (video["width"], video["height"]) == size
    frame = frame_at(env, result.video.uri, 3, tmp_path / "f.png").astype(int)
    if bars:
        assert frame[: bars - 2].max() < 24 and frame[-(bars - 2) :].max() < 24  # black bars (codec noise)
        assert frame[bars + 4 : -bars - 4].mean() > 60  # the picture
    else:
        assert frame[:4].mean() > 30 and frame[-4:].mean() > 30  # picture to the edges


async def test_bad_timelines_are_invalid_argument_naming_the_field(env: Env):
    missing = env.store.uri_for("jobs/t/keyframes/nope.png")
    request = cpb.ComposeVideoRequest(
        scenes=[
            cpb.TimelineScene(keyframe_uri="", duration_s=1),
            cpb.TimelineScene(keyframe_uri=env.keyframes[1], duration_s=0),
            cpb.TimelineScene(keyframe_uri=env.keyframes[2], duration_s=-2),
            cpb.TimelineScene(keyframe_uri=env.keyframes[3], duration_s=1, transition=99),
        ],
        width=100000, height=100000, fps=1000,
    )
    with pytest.raises(grpc.RpcError) as caught:
        await compose(env, request)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = {v.field for v in field_violations(caught.value)}
    assert fields >= {"scenes[0].keyframe_uri", "scenes[1].duration_s", "scenes[2].duration_s",
                      "scenes[3].transition", "width", "height", "fps"}

    absent = cpb.ComposeVideoRequest(scenes=[cpb.TimelineScene(keyframe_uri=missing, duration_s=1)])
    with pytest.raises(grpc.RpcError) as caught:
        await compose(env, absent)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations(caught.value)] == ["scenes[0].keyframe_uri"]


async def test_ffmpeg_failure_is_a_clear_error_and_leaves_no_files(env: Env, tmp_path: Path):
    broken = env.store.put_bytes("jobs/t/broken.wav", b"this is not audio at all" * 100).uri
    request = cpb.ComposeVideoRequest(
        scenes=five_scenes(env, seconds=1.0)[:2], width=320, height=180, soundtrack_uri=broken,
    )
    with pytest.raises(grpc.RpcError) as caught:
        await compose(env, request)
    assert caught.value.code() == grpc.StatusCode.INTERNAL
    details = caught.value.details()
    assert details.startswith("encoding failed: ffmpeg exited with")
    assert "soundtrack.wav" in details and "Invalid data" in details  # ffmpeg's own reason
    assert str(tmp_path) not in details  # no host paths reach the client
    assert list(env.work.iterdir()) == []


async def test_cancelling_the_call_stops_ffmpeg_and_cleans_up(env: Env):
    request = cpb.ComposeVideoRequest(scenes=five_scenes(env, seconds=30.0), width=320, height=180,
                                      encoder=cpb.EncoderOptions(preset="veryslow"))
    call = env.stub.ComposeVideo(request, timeout=120)
    async for message in call:
        if message.progress.frames_done > 0:
            break
    call.cancel()
    # Within 2 s of the cancel nothing runs for the job: no render thread, no ffmpeg (their CPU is counted).
    assert await cpu_after_cancel() < IDLE_CPU_S
    assert not [p for p in psutil.Process().children(recursive=True) if "ffmpeg" in p.name()]
    await until(lambda: env.work.exists() and not list(env.work.iterdir()))
    assert list(env.work.iterdir()) == []
    with contextlib.suppress(FileNotFoundError):
        assert not list((env.store.root / "compose").rglob("*.mp4"))
