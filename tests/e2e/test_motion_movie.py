"""A short film with the motion and upscale stages on the real local stack (six processes, tiny models):
clips from the keyframes (tiny SVD through the production loader), upscaled once to the cinema profile,
composed frame-exactly; consecutive frames inside a shot differ."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from pathlib import Path

import cv2
import numpy as np
import pytest
from grpc import aio

from services.common import ffmpeg, pb
from tests.e2e.stack_support import running_stack

common, video = pb.common_pb2, pb.video_pb2
FPS, DURATION, SCENES = 12, 5.0, 2
# The cinema profile (2.4:1, upscale stage on) at a quarter of its 3072x1280 width, so the test stays short.
WIDTH, HEIGHT = 768, 320


async def _generate(target: str, movie: Path) -> video.Job:
    request = video.CreateVideoRequest(
        request_id=str(uuid.uuid4()),
        prompt="a lighthouse keeper climbs the stairs as the storm rolls in",
        spec=video.VideoSpec(
            duration_s=DURATION, scene_count=SCENES, fps=FPS, width=WIDTH, aspect=common.ASPECT_PRESET_CINEMA,
            tier=common.TIER_DRAFT, motion_tier=common.MOTION_TIER_STANDARD, seed=5,
            voice=common.VoiceOptions(voice="none"), music_source=common.MUSIC_SOURCE_NONE,
            transition=common.TRANSITION_KIND_CUT,
        ),
    )
    async with aio.insecure_channel(target) as channel:
        stub = pb.video_grpc.VideoServiceStub(channel)
        last = None
        async for response in stub.GenerateVideo(video.GenerateVideoRequest(request=request), timeout=600):
            last = response.event
        assert last is not None
        job = (await stub.GetJob(video.GetJobRequest(name=last.job_name))).job
        download = video.DownloadArtifactRequest(name=job.name, kind=common.ARTIFACT_KIND_VIDEO)
        with movie.open("wb") as out:
            async for chunk in stub.DownloadArtifact(download, timeout=120):
                out.write(chunk.data)
        return job


@pytest.mark.e2e
def test_clips_upscaled_to_cinema_and_composed(tmp_path: Path) -> None:
    env = {
        "HF_HUB_OFFLINE": "1", "CINESYNTH_X264_PRESET": "ultrafast", "CINESYNTH_MOTION_MODEL": "tiny-svd",
        "CINESYNTH_MODEL_DIR": str(tmp_path / "models"), "CINESYNTH_UPSCALE_METHOD": "lanczos",
        # Two model calls per shot (7 frames at 7 fps): the shot plays its clip slower, with a warning.
        "CINESYNTH_MOTION_MAX_SEGMENTS": "2",
    }
    with running_stack(tmp_path / "run", env, motion=True) as config:
        path = tmp_path / "movie.mp4"
        job = asyncio.run(_generate(config.target("gateway"), path))
    assert job.state == video.JOB_STATE_SUCCEEDED, job.error.message
    assert (job.motion_tier_used, job.motion_model_used) == (common.MOTION_TIER_STANDARD, "tiny-svd")
    assert job.clips_done == SCENES and job.upscaler_used == "lanczos+unsharp"
    assert "clip_stretched" in {w.code for w in job.warnings}
    stages = {t.stage for t in job.timings}
    assert {video.JOB_STAGE_MOTION, video.JOB_STAGE_UPSCALE} <= stages
    kinds = [a.kind for a in job.artifacts]
    assert kinds.count(common.ARTIFACT_KIND_CLIP) == 2 * SCENES  # the clips and their upscaled copies
    probe = ffmpeg.probe(path, count_frames=True)
    stream = next(s for s in probe["streams"] if s["codec_type"] == "video")
    assert (stream["width"], stream["height"]) == (WIDTH, HEIGHT)
    assert int(stream["nb_read_frames"]) == int(DURATION * FPS)
    capture = cv2.VideoCapture(str(path))
    frames = []
    for _ in range(int(DURATION * FPS / SCENES)):  # the first shot
        ok, frame = capture.read()
        assert ok
        frames.append(frame.astype(int))
    capture.release()
    diffs = [np.abs(b - a).mean() for a, b in itertools.pairwise(frames)]
    assert min(diffs) > 0.05, diffs  # the shot moves on every frame (a clip, not a held still)
