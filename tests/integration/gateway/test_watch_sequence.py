"""WatchJob over gRPC: contiguous per-job sequence numbers, the same for every watcher, resumable with
after_sequence; an ETA on every event; keyframes listed and downloaded in scene order."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from gateway.stages.keyframes import keyframe_id
from services.common import pb
from tests.integration.gateway.conftest import Gateway, until
from tests.integration.gateway.doubles import Doubles

video = pb.video_pb2
common = pb.common_pb2


async def watch(gateway: Gateway, name: str, after: int = 0) -> list[video.JobEvent]:
    request = video.WatchJobRequest(name=name, after_sequence=after)
    return [r.event async for r in gateway.stub.WatchJob(request, timeout=30)]


async def test_two_watchers_see_one_contiguous_sequence_and_a_resume_sees_the_rest(
    gateway: Gateway, doubles: Doubles
) -> None:
    worker = doubles.imagegen[0]
    worker.gate, worker.gate_ids = asyncio.Event(), {keyframe_id(0)}  # scene 0 finishes last
    job = await gateway.create(spec=video.VideoSpec(duration_s=10, scene_count=3))
    assert job.event_sequence == 1
    first = asyncio.create_task(watch(gateway, job.name))
    second = asyncio.create_task(watch(gateway, job.name))
    await until(lambda: worker.completed[keyframe_id(1)] and worker.completed[keyframe_id(2)])
    worker.gate.set()
    a, b = await first, await second
    sequences = [e.sequence for e in a]
    assert sequences == list(range(sequences[0], sequences[0] + len(sequences))), "no holes"
    assert sequences == [e.sequence for e in b]
    assert a[-1].state == video.JOB_STATE_SUCCEEDED and a[-1].job.event_sequence == sequences[-1]
    assert all(e.eta_s >= 0 for e in a) and a[-1].eta_s == 0 and a[-1].progress == 1.0
    progress = [e.progress for e in a]
    assert progress == sorted(progress)

    whole = await watch(gateway, job.name, after=0)
    assert len(whole) == 1 and whole[0].HasField("job")  # terminal: the current state only
    replay = await watch(gateway, job.name, after=1)
    assert [e.sequence for e in replay] == list(range(2, sequences[-1] + 1))
    assert replay[0].HasField("job") and replay[0].missed_events == 0
    assert replay[0].state in (video.JOB_STATE_QUEUED, video.JOB_STATE_RUNNING)
    assert await watch(gateway, job.name, after=sequences[-1]) == []

    done = (await gateway.stub.GetJob(video.GetJobRequest(name=job.name))).job
    keyframes = [a.name for a in done.artifacts if a.kind == common.ARTIFACT_KIND_KEYFRAME]
    assert keyframes == sorted(keyframes) and len(keyframes) == 3 and keyframe_id(0) in keyframes[0]
    request = video.DownloadArtifactRequest(name=job.name, kind=common.ARTIFACT_KIND_KEYFRAME)
    chunks = [r async for r in gateway.stub.DownloadArtifact(request)]
    assert chunks[0].artifact.name == keyframes[0]


async def test_a_negative_after_sequence_is_invalid(gateway: Gateway) -> None:
    job = await gateway.create()
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await watch(gateway, job.name, after=-1)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "after_sequence" in raised.value.details()
