"""The VideoService end to end over gRPC against real-gRPC doubles of the internal services."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path

import grpc
import pytest
from prometheus_client import REGISTRY

from services.common import pb
from tests.integration.gateway.conftest import Gateway, gateway_settings, running_gateway, until
from tests.integration.gateway.doubles import MP4_BYTES, Doubles, FakeImageGen, running_doubles

video = pb.video_pb2
common = pb.common_pb2


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def download(gateway: Gateway, name: str, metadata=None, **kwargs: object) -> tuple[common.Artifact, bytes]:
    chunks: list[bytes] = []
    artifact = None
    expected_offset = 0
    request = video.DownloadArtifactRequest(name=name, **kwargs)
    async for response in gateway.stub.DownloadArtifact(request, metadata=metadata):
        if response.HasField("artifact"):
            artifact = response.artifact
        assert response.offset == expected_offset
        expected_offset += len(response.data)
        chunks.append(response.data)
    assert artifact is not None
    return artifact, b"".join(chunks)


async def test_generate_video_runs_every_stage_and_streams_progress(gateway: Gateway, doubles: Doubles) -> None:
    succeeded_before = metric("cinesynth_jobs_total", state="succeeded")
    # The soundtrack only answers once a keyframe has started: the two stages must overlap.
    doubles.audio.wait_for = doubles.imagegen[0].any_started
    doubles.imagegen[0].delay_s = 0.1
    request = video.CreateVideoRequest(
        request_id="5a0e5c2e-0000-4000-8000-000000000001",
        prompt="a lighthouse keeper finds a map",
        spec=video.VideoSpec(duration_s=20, scene_count=5, fps=24, seed=7),
        labels={"campaign": "spring"},
    )
    events = [r.event async for r in gateway.stub.GenerateVideo(video.GenerateVideoRequest(request=request))]

    first, last = events[0], events[-1]
    assert first.HasField("job") and last.HasField("job")
    assert last.state == video.JOB_STATE_SUCCEEDED and last.progress == 1.0
    assert [e.sequence for e in events] == sorted(set(e.sequence for e in events)), "sequence increases"
    progress = [e.progress for e in events]
    assert progress == sorted(progress), "progress never goes back"
    stages = {e.stage for e in events}
    assert {
        video.JOB_STAGE_STORYBOARD, video.JOB_STAGE_KEYFRAMES, video.JOB_STAGE_COMPOSE, video.JOB_STAGE_DONE
    } <= stages
    assert any(0 < e.keyframes_done < e.keyframes_total for e in events), "keyframe progress is reported"
    assert any(0 < e.frames_done < e.frames_total for e in events), "frames encoded are reported"
    assert doubles.audio.overlapped, "soundtrack ran while keyframes rendered"
    assert doubles.imagegen[0].max_inflight >= 2, "keyframes fanned out concurrently"

    job = last.job
    assert job.keyframes_done == job.keyframes_total == 5
    assert job.tier_used == common.TIER_DRAFT and job.model_used == "fake-model"
    assert job.spec.width == 256 and job.spec.height == 144 and job.spec.seed == 7
    assert {t.stage for t in job.timings} >= {
        video.JOB_STAGE_STORYBOARD, video.JOB_STAGE_KEYFRAMES, video.JOB_STAGE_SOUNDTRACK, video.JOB_STAGE_COMPOSE
    }
    assert all(t.seconds >= 0 and t.HasField("end_time") for t in job.timings)
    warnings = {(w.stage, w.code) for w in job.warnings}
    assert {("storyboard", "storyboard_parse_fallback"), ("soundtrack", "music_fallback")} <= warnings
    assert all(w.code for e in events for w in e.warnings)
    names = {a.name: a for a in job.artifacts}
    assert {"video.mp4", "storyboard.json", "captions.srt", "captions.vtt", "poster.jpg"} <= set(names)
    assert sum(1 for a in job.artifacts if a.kind == common.ARTIFACT_KIND_KEYFRAME) == 5
    assert len(job.storyboard.scenes) == 5 and job.storyboard.prompt == request.prompt

    # Every downstream call got a deadline and the job's parameters.
    compose = doubles.compositor.requests[0]
    assert compose.fps == 24 and (compose.width, compose.height) == (256, 144)
    assert compose.captions_srt_uri and compose.soundtrack_uri.endswith("soundtrack.m4a")
    assert compose.encoder.preset == "veryfast", "a draft film is encoded with the draft tier's preset"
    assert doubles.storyboard.requests[0].seed == 7

    artifact, data = await download(gateway, job.name, artifact="video.mp4", chunk_size=4096)
    assert data == MP4_BYTES and artifact.sha256 == hashlib.sha256(data).hexdigest()
    _, storyboard_json = await download(gateway, job.id, kind=common.ARTIFACT_KIND_STORYBOARD)
    assert len(json.loads(storyboard_json)["scenes"]) == 5
    _, srt = await download(gateway, job.name, kind=common.ARTIFACT_KIND_CAPTIONS_SRT)
    assert b"Narration for scene 0" in srt

    assert metric("cinesynth_jobs_total", state="succeeded") == succeeded_before + 1
    assert metric("cinesynth_stage_seconds_count", stage="keyframes") >= 1
    assert metric("cinesynth_job_warnings_total", stage="soundtrack", code="music_fallback") >= 1


async def test_watch_after_the_fact_gives_the_current_state_first(gateway: Gateway) -> None:
    job = await gateway.create()
    done = await gateway.wait(job.name)
    events = [r.event async for r in gateway.stub.WatchJob(video.WatchJobRequest(name=job.name))]
    assert len(events) == 1 and events[0].job.state == video.JOB_STATE_SUCCEEDED
    assert events[0].job.id == done.id and events[0].sequence > 1


async def test_same_request_id_twice_is_one_job(gateway: Gateway, doubles: Doubles) -> None:
    first = await gateway.create(request_id="idem-1")
    second = await gateway.create(request_id="idem-1")
    assert first.id == second.id
    await gateway.wait(first.name)
    third = await gateway.create(request_id="idem-1")
    assert third.id == first.id and third.state == video.JOB_STATE_SUCCEEDED
    assert len(doubles.storyboard.requests) == 1
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await gateway.create(prompt="a different film", request_id="idem-1")
    assert raised.value.code() == grpc.StatusCode.ALREADY_EXISTS


async def test_cancel_during_keyframes_stops_the_workers(gateway: Gateway, doubles: Doubles) -> None:
    worker = doubles.imagegen[0]
    worker.gate = asyncio.Event()  # every render blocks
    job = await gateway.create()
    await until(lambda: worker.inflight == 3)
    response = await gateway.stub.CancelJob(video.CancelJobRequest(name=job.name))
    assert response.job.state == video.JOB_STATE_CANCELLED
    await until(lambda: sum(worker.cancelled.values()) == 3)
    assert worker.inflight == 0 and not worker.completed, "the in-flight renders were cancelled on the worker"
    assert not doubles.compositor.requests
    final = (await gateway.stub.GetJob(video.GetJobRequest(name=job.name))).job
    assert final.state == video.JOB_STATE_CANCELLED and final.stage == video.JOB_STAGE_KEYFRAMES
    # Cancelling a finished job is a no-op that returns it.
    again = await gateway.stub.CancelJob(video.CancelJobRequest(name=job.name))
    assert again.job.state == video.JOB_STATE_CANCELLED


async def test_failed_stage_fails_the_job_with_its_status(gateway: Gateway, doubles: Doubles) -> None:
    doubles.imagegen[0].mode = "invalid"
    job = await gateway.wait((await gateway.create()).name)
    assert job.state == video.JOB_STATE_FAILED
    assert job.error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert job.error.message.startswith("keyframes:")
    assert job.stage == video.JOB_STAGE_KEYFRAMES


async def test_busy_or_dead_worker_is_retried_on_another(tmp_path: Path, artifact_store) -> None:
    busy = FakeImageGen(artifact_store, name="busy", mode="exhausted")
    down = FakeImageGen(artifact_store, name="down", mode="unavailable")
    healthy = FakeImageGen(artifact_store, name="healthy")
    async with running_doubles(artifact_store, workers=[busy, down, healthy]) as doubles:
        async with running_gateway(gateway_settings(tmp_path, doubles)) as gateway:
            job = await gateway.wait((await gateway.create(spec=video.VideoSpec(duration_s=30, scene_count=6))).name)
    assert job.state == video.JOB_STATE_SUCCEEDED, job.error.message
    assert sum(healthy.completed.values()) == 6 and set(healthy.completed.values()) == {1}
    assert busy.calls > 0 and down.calls > 0, "round robin reached every worker"


async def test_tier_pools_and_degrade(tmp_path: Path, artifact_store) -> None:
    ultra = FakeImageGen(artifact_store, name="ultra", mode="precondition", tier=common.TIER_ULTRA)
    standard = FakeImageGen(artifact_store, name="standard", tier=common.TIER_STANDARD, model="sd15")
    default = FakeImageGen(artifact_store, name="default")
    pools = {"ultra": [ultra], "standard": [standard]}
    async with running_doubles(artifact_store, workers=[default], pools=pools) as doubles:
        async with running_gateway(gateway_settings(tmp_path, doubles)) as gateway:
            strict = await gateway.wait(
                (await gateway.create(spec=video.VideoSpec(duration_s=10, scene_count=2, tier=common.TIER_ULTRA))).name
            )
            degraded = await gateway.wait(
                (
                    await gateway.create(
                        spec=video.VideoSpec(duration_s=10, scene_count=2, tier=common.TIER_ULTRA, allow_degrade=True)
                    )
                ).name
            )
    assert strict.state == video.JOB_STATE_FAILED
    assert strict.error.code == grpc.StatusCode.FAILED_PRECONDITION.value[0]
    assert degraded.state == video.JOB_STATE_SUCCEEDED, degraded.error.message
    assert degraded.tier_used == common.TIER_STANDARD and degraded.model_used == "sd15"
    assert any(w.code == "tier_degraded" for w in degraded.warnings)
    assert sum(standard.completed.values()) == 2 and not default.calls
    assert standard.requested_tiers[common.TIER_STANDARD] == 2


async def test_metrics_count_inflight_and_states(gateway: Gateway, doubles: Doubles) -> None:
    doubles.compositor.gate = asyncio.Event()
    job = await gateway.create()
    await until(lambda: bool(doubles.compositor.requests))
    assert metric("cinesynth_jobs_inflight") >= 1
    doubles.compositor.gate.set()
    await gateway.wait(job.name)
