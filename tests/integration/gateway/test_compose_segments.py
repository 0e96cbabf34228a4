"""The gateway's segment fan-out over real compositor replicas on loopback: segments spread over
every replica, a segment a replica loses is rendered again alone on another, the join is exact."""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import cv2
import grpc
import numpy as np
import pytest

from gateway.downstream import RetryPolicy, WorkerPool
from gateway.stages.compose_segments import SegmentConfig, SegmentedCompose, SegmentsUnsupported
from services.common import ffmpeg, pb
from services.common.artifacts import FileArtifactStore
from services.common.server import Service
from services.compositor.core import Compositor
from services.compositor.servicer import CompositorServicer
from services.compositor.settings import CompositorSettings
from services.compositor.verify import probe_argv
from tests.integration.gateway.conftest import gateway_settings, running_gateway
from tests.support import serve_in_process, test_settings

cpb = pb.compositor_pb2
common = pb.common_pb2
video = pb.video_pb2


class Replica(CompositorServicer):
    """A real compositor that records the segments it rendered and can lose its first one."""

    def __init__(self, compositor: Compositor, lose_first: bool = False) -> None:
        super().__init__(compositor, 1)
        self.lose_first = lose_first
        self.rendered: list[tuple[int, int]] = []

    async def ComposeSegment(self, request, context):
        if self.lose_first:
            self.lose_first = False
            await context.abort(grpc.StatusCode.UNAVAILABLE, "replica going away")
        async for message in super().ComposeSegment(request, context):
            if message.HasField("result"):
                self.rendered.append((request.frames.start, request.frames.end))
            yield message


class OldCompositor(pb.compositor_grpc.CompositorServiceServicer):
    """A compositor image from before segments: every segment RPC is UNIMPLEMENTED."""


def compositor_pool(target: str) -> WorkerPool:
    return WorkerPool(target, 10.0, pb.compositor_grpc.CompositorServiceStub)


def service(servicer: pb.compositor_grpc.CompositorServiceServicer) -> Service:
    return Service(
        name="compositor", service_names=[pb.COMPOSITOR_SERVICE],
        register=lambda server: pb.compositor_grpc.add_CompositorServiceServicer_to_server(servicer, server),
    )


@pytest.fixture
async def replicas(tmp_path: Path) -> AsyncIterator[tuple[list[Replica], list[str], FileArtifactStore]]:
    store = FileArtifactStore(tmp_path / "store")
    settings = test_settings(
        CompositorSettings, artifact_store=(tmp_path / "store").as_uri(), work_dir=str(tmp_path / "work")
    )
    servers = [Replica(Compositor(settings, store), lose_first=(i == 1)) for i in range(2)]
    async with contextlib.AsyncExitStack() as stack:
        ports = [(await stack.enter_async_context(serve_in_process(service(s), settings))).port for s in servers]
        yield servers, [f"127.0.0.1:{p}" for p in ports], store


def film(store: FileArtifactStore, tmp_path: Path) -> cpb.ComposeVideoRequest:
    scenes = []
    for i in range(4):
        img = np.full((90, 160, 3), 40 + 50 * i, np.uint8)
        cv2.circle(img, (30 + 30 * i, 45), 15, (230, 200, 90), -1)
        _, png = cv2.imencode(".png", img)
        uri = store.put_bytes(f"jobs/s/keyframes/{i}.png", png.tobytes()).uri
        scenes.append(cpb.TimelineScene(
            keyframe_uri=uri, duration_s=1.5, motion=common.CameraMotion(move="dolly-in"),
            transition=common.TRANSITION_KIND_CUT if i % 2 else common.TRANSITION_KIND_CROSSFADE, transition_s=0.5,
        ))
    return cpb.ComposeVideoRequest(
        scenes=scenes, fps=24, width=160, height=96, output_prefix="jobs/s/video",
        encoder=cpb.EncoderOptions(codec="libx264", preset="ultrafast"),
    )


async def test_segments_fan_out_and_a_lost_one_is_rendered_again_alone(replicas, tmp_path: Path):
    servers, addresses, store = replicas
    pool = compositor_pool("ipv4:" + ",".join(addresses))
    compose = SegmentedCompose(pool, SegmentConfig(per_replica=2, min_segment_s=0.5,
                                                   retry=RetryPolicy(attempts=3, backoff_s=0.01)))
    video = film(store, tmp_path)
    try:
        plan = await compose.plan(video, timeout=60)
        assert len(plan.segments) == 4 and plan.frame_count == 144
        seen: list[tuple[int, int]] = []

        async def progress(done: int, total: int) -> None:
            seen.append((done, total))

        segments = await compose.render(video, plan, progress, timeout=120)
        rendered = Counter(r for s in servers for r in s.rendered)
        # Every segment rendered exactly once to completion (the lost one again, alone), on both replicas.
        assert sorted(rendered) == [(f.start, f.end) for f in plan.segments] and set(rendered.values()) == {1}
        assert all(s.rendered for s in servers)
        assert seen[-1] == (144, 144)

        wav = tmp_path / "tone.wav"
        ffmpeg.run([ffmpeg.ffmpeg_path(), "-v", "error", "-f", "lavfi", "-i", "sine=f=440:d=6", str(wav)])
        finished = cpb.ComposeVideoRequest()
        finished.CopyFrom(video)
        finished.soundtrack_uri = store.put_file("jobs/s/audio/soundtrack.wav", wav).uri
        result = await compose.join(finished, segments, timeout=60)
        info = json.loads(ffmpeg.run(probe_argv(store.local_path(result.video.uri))))
        kinds = {s["codec_type"]: s for s in info["streams"]}
        assert kinds["video"]["nb_read_packets"] == "144" and kinds["audio"]["codec_name"] == "aac"
        assert result.frame_count == 144 and result.poster.uri
    finally:
        await pool.close()


async def test_a_compositor_without_segments_is_reported():
    async with serve_in_process(service(OldCompositor()), test_settings()) as runtime:
        pool = compositor_pool(f"ipv4:127.0.0.1:{runtime.port}")
        try:
            with pytest.raises(SegmentsUnsupported):
                await SegmentedCompose(pool, SegmentConfig()).plan(cpb.ComposeVideoRequest(), timeout=10)
        finally:
            await pool.close()


async def test_a_gateway_with_segments_on_falls_back_to_one_pass_on_an_old_compositor(tmp_path: Path, doubles):
    """The doubles' compositor has no segment RPCs: the film is still made, by ComposeVideo, with a warning."""
    settings = gateway_settings(tmp_path, doubles, compose_segments_per_replica=1)
    async with running_gateway(settings) as gateway:
        request = video.CreateVideoRequest(prompt="a lighthouse keeper finds a map",
                                           spec=video.VideoSpec(duration_s=10, scene_count=2, fps=24, seed=3))
        events = [r.event async for r in gateway.stub.GenerateVideo(video.GenerateVideoRequest(request=request))]
    job = events[-1].job
    assert job.state == video.JOB_STATE_SUCCEEDED
    assert ("compose", "compose_segments_unsupported") in {(w.stage, w.code) for w in job.warnings}
    assert len(doubles.compositor.requests) == 1 and doubles.compositor.requests[0].soundtrack_uri
