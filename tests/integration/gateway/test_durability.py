"""Jobs survive their gateway: a restart resumes them, a surviving replica adopts a dead one's jobs,
and finished keyframes are never rendered again (the doubles count the renders)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from gateway.store.postgres import PostgresJobStore
from gateway.store.sqlite import SqliteJobStore
from services.common import pb
from tests.integration.gateway.conftest import Gateway, gateway_settings, running_gateway, until
from tests.integration.gateway.doubles import Doubles
from tests.unit.gateway.pg import postgres_reachable

video = pb.video_pb2

BLOCKED = {"scene-02", "scene-03", "scene-04"}


async def _start_half_rendered_job(gateway: Gateway, doubles: Doubles) -> video.Job:
    """A 5-scene job with its soundtrack and scenes 0, 1 checkpointed, scenes 2..4 blocked on the worker."""
    worker = doubles.imagegen[0]
    worker.gate, worker.gate_ids = asyncio.Event(), set(BLOCKED)
    job = await gateway.create(spec=video.VideoSpec(duration_s=20, scene_count=5))

    async def half_done() -> bool:  # as persisted: what a successor will find
        stored = await gateway.parts.store.get(job.id)
        return stored is not None and len(stored.keyframes) == 2 and stored.soundtrack is not None and (
            worker.inflight == 3
        )

    await until(half_done)
    return job


async def test_restarted_gateway_resumes_without_rendering_finished_keyframes(
    tmp_path: Path, doubles: Doubles
) -> None:
    worker = doubles.imagegen[0]
    settings = gateway_settings(tmp_path, doubles, keyframe_concurrency=5)
    resumed_before = REGISTRY.get_sample_value("cinesynth_jobs_resumed_total") or 0.0
    async with running_gateway(settings) as first:
        job = await _start_half_rendered_job(first, doubles)
    # The graceful stop interrupted the renders on the worker, and did not fail the job.
    async def renders_cancelled() -> bool:
        return sum(worker.cancelled.values()) == 3

    await until(renders_cancelled)
    assert not any(worker.completed[k] for k in BLOCKED)
    store = SqliteJobStore(tmp_path / "jobs.db")
    await store.open()
    stored = await store.get(job.id)
    assert stored is not None and stored.state.value == "running" and len(stored.keyframes) == 2
    assert await store.lease_of(job.id) == (None, None), "the lease was given back on stop"
    await store.close()

    worker.gate.set()
    async with running_gateway(settings) as second:
        final = await second.wait(job.name)
    assert final.state == video.JOB_STATE_SUCCEEDED, final.error.message
    completed = doubles.keyframes_completed()
    assert completed == {f"scene-0{i}": 1 for i in range(5)}, "every keyframe rendered exactly once"
    assert worker.started["scene-00"] == worker.started["scene-01"] == 1, "finished ones never restarted"
    assert len(doubles.storyboard.requests) == 1 and len(doubles.audio.requests) == 1, "stages not redone"
    assert len(doubles.compositor.requests) == 1
    assert (REGISTRY.get_sample_value("cinesynth_jobs_resumed_total") or 0.0) == resumed_before + 1
    # The client sees that the job was interrupted and where it was picked up.
    resumed = [w for w in final.warnings if w.code == "job_resumed"]
    assert len(resumed) == 1 and resumed[0].stage == "keyframes", [(w.code, w.stage) for w in final.warnings]
    assert resumed[0].message.startswith("resumed at stage keyframes from its checkpoints"), resumed[0].message


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.db'}"
        return
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    schema = f"gw_test_{uuid.uuid4().hex[:12]}"
    yield f"postgresql://postgres@127.0.0.1:5432/test?schema={schema}"
    PostgresJobStore("postgresql://postgres@127.0.0.1:5432/test", schema=schema).drop_schema()


async def test_surviving_replica_adopts_the_jobs_of_a_dead_one(
    tmp_path: Path, doubles: Doubles, shared_store_url: str
) -> None:
    worker = doubles.imagegen[0]
    common = {"job_store": shared_store_url, "keyframe_concurrency": 5, "lease_s": 1.0}
    async with running_gateway(gateway_settings(tmp_path, doubles, replica_id="replica-a", **common)) as a:
        job = await _start_half_rendered_job(a, doubles)
        # Replica A dies: its manager stops without giving the lease back (as a killed process would).
        await a.parts.manager.stop(release=False)
        worker.gate.set()
        async with running_gateway(gateway_settings(tmp_path, doubles, replica_id="replica-b", **common)) as b:
            # B refuses nothing: the job is visible at once, and B adopts it once A's lease expires.
            final = await b.wait(job.name)
            store = b.parts.store

            async def released() -> bool:
                return (await store.lease_of(job.id))[0] is None  # type: ignore[attr-defined]

            await until(released)  # B gives the lease back once the job is done
            stored = await store.get(job.id)
    assert stored is not None and stored.runs == 2, "one run on A, the adopted one on B"
    assert final.state == video.JOB_STATE_SUCCEEDED, final.error.message
    assert doubles.keyframes_completed() == {f"scene-0{i}": 1 for i in range(5)}
    assert worker.started["scene-00"] == 1 and worker.started["scene-01"] == 1


async def test_draining_gateway_ends_watch_streams_at_once(tmp_path: Path, doubles: Doubles) -> None:
    import time

    import grpc

    worker = doubles.imagegen[0]
    worker.gate, worker.gate_ids = asyncio.Event(), set(BLOCKED)
    settings = gateway_settings(tmp_path, doubles, keyframe_concurrency=5, grace_period_s=20.0, watch_poll_s=30.0)
    async with running_gateway(settings) as gateway:
        job = await _start_half_rendered_job(gateway, doubles)
        stream = gateway.stub.WatchJob(video.WatchJobRequest(name=job.name), timeout=60)
        first = await stream.read()
        assert first.event.state == video.JOB_STATE_RUNNING
        started = time.monotonic()
        drained = asyncio.create_task(gateway.runtime.drain(grace_s=20.0))
        with pytest.raises(grpc.RpcError) as ended:
            while True:
                await stream.read()
        assert ended.value.code() == grpc.StatusCode.UNAVAILABLE
        await drained
        # The open stream did not hold the drain for its 20 s grace period.
        assert time.monotonic() - started < 10
    worker.gate.set()
