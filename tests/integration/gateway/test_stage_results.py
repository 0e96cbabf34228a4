"""A stage result the job store cannot hold (NaN/infinity) fails the job naming the stage; a job that
keeps losing its runner fails after `max_job_runs`. Real gRPC doubles, real SQLite store."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY

from gateway.manager import JobRunner
from gateway.stages import base as stage_base
from services.common import pb
from tests.integration.gateway.conftest import Gateway, gateway_settings, running_gateway, until
from tests.integration.gateway.doubles import Doubles

video = pb.video_pb2
common = pb.common_pb2


def _storyboard_scene(response: Any, value: float) -> None:
    response.storyboard.scenes[1].duration_s = value


def _keyframe_seconds(response: Any, value: float) -> None:
    response.keyframe.seconds = value


def _soundtrack_duration(response: Any, value: float) -> None:
    response.duration_s = value



def _compose_duration(response: Any, value: float) -> None:
    if response.HasField("result"):
        response.result.duration_s = value


# (stage, which double, how its response is spoiled, the field the error must name)
CASES: list[tuple[str, str, Callable[[Any, float], None], str]] = [
    ("storyboard", "storyboard", _storyboard_scene, "storyboard.scenes[1].duration_s"),
    ("keyframes", "imagegen", _keyframe_seconds, "seconds"),
    ("soundtrack", "audio", _soundtrack_duration, "duration_s"),
    ("compose", "compositor", _compose_duration, "duration_s"),
]


def _double(doubles: Doubles, which: str) -> Any:
    return doubles.imagegen[0] if which == "imagegen" else getattr(doubles, which)


@pytest.mark.parametrize("value", [math.nan, -math.inf], ids=["nan", "-inf"])
@pytest.mark.parametrize(("stage", "which", "spoil", "path"), CASES, ids=[c[0] for c in CASES])
async def test_non_finite_stage_result_fails_the_job_naming_the_stage(
    gateway: Gateway, doubles: Doubles, stage: str, which: str, spoil: Callable[[Any, float], None],
    path: str, value: float,
) -> None:
    _double(doubles, which).mutate = lambda response: spoil(response, value)
    runs_before = REGISTRY.get_sample_value("cinesynth_jobs_total", {"state": "running"}) or 0.0
    job = await gateway.create()
    done = await gateway.wait(job.name)

    assert done.state == video.JOB_STATE_FAILED
    assert done.error.code == 13  # INTERNAL
    message = done.error.message
    assert message.startswith(f"{stage}: "), message
    assert path in message and "not a finite number" in message, message
    # One run, not a loop: the failure was stored at the first attempt.
    stored = await gateway.parts.store.get(job.id)
    assert stored is not None and stored.runs == 1 and stored.state.value == "failed"
    runs_after = REGISTRY.get_sample_value("cinesynth_jobs_total", {"state": "running"}) or 0.0
    assert runs_after - runs_before == 1
    assert not gateway.parts.manager.runners


async def test_a_non_finite_number_that_reaches_the_job_still_fails_it_with_the_field(
    gateway: Gateway, doubles: Doubles, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second line of defence: were a result not checked, the store refuses the checkpoint
    (UnstorableJob) and the runner fails the job, naming stage and field, saving a storable copy."""
    monkeypatch.setattr(stage_base, "check_result", lambda *args: None)
    doubles.audio.mutate = lambda response: _soundtrack_duration(response, math.nan)
    job = await gateway.create()
    done = await gateway.wait(job.name)
    assert done.state == video.JOB_STATE_FAILED and done.error.code == 13
    assert done.error.message.startswith("soundtrack: the stage result cannot be stored: soundtrack.duration_s")
    stored = await gateway.parts.store.get(job.id)
    assert stored is not None and stored.runs == 1 and stored.state.value == "failed"


async def test_a_job_that_loses_its_runner_every_time_fails_after_the_run_limit(
    tmp_path: Path, doubles: Doubles, caplog: pytest.LogCaptureFixture
) -> None:
    """Each run ends as a dead replica would (nothing more written); the same replica id claims the job
    again at once. With max_job_runs=3 the fourth claim fails it and says why."""
    doubles.compositor.gate = asyncio.Event()  # composing never finishes by itself
    settings = gateway_settings(tmp_path, doubles, max_job_runs=3)
    async with running_gateway(settings) as gateway:
        manager, store = gateway.parts.manager, gateway.parts.store
        job = await gateway.create()
        for run in range(1, 4):
            await until(lambda r=run: _runs_stored(store, job.id, r), timeout=20)
            await until(lambda r=run: len(doubles.compositor.requests) >= r, timeout=20)
            await manager.stop(release=False)  # a crash: leases kept, nothing saved
            await manager.start()
        done = await gateway.wait(job.name)
    assert done.state == video.JOB_STATE_FAILED and done.error.code == 13
    assert "started 3 times and never finished (limit 3)" in done.error.message, done.error.message
    assert len(doubles.compositor.requests) == 3


async def _runs_stored(store: Any, job_id: str, runs: int) -> bool:
    job = await store.get(job_id)
    return job is not None and job.runs >= runs


async def test_graceful_stops_do_not_count_against_the_run_limit(tmp_path: Path, doubles: Doubles) -> None:
    doubles.compositor.gate = asyncio.Event()
    settings = gateway_settings(tmp_path, doubles, max_job_runs=2)
    async with running_gateway(settings) as gateway:
        manager, store = gateway.parts.manager, gateway.parts.store
        job = await gateway.create()
        for attempt in range(1, 4):
            await until(lambda a=attempt: len(doubles.compositor.requests) >= a, timeout=20)
            await manager.stop(release=True)  # SIGTERM: interrupted, not failed
            stored = await store.get(job.id)
            assert stored is not None and stored.state.value == "running" and stored.runs == 0
            await manager.start()
        doubles.compositor.gate.set()
        done = await gateway.wait(job.name)
    assert done.state == video.JOB_STATE_SUCCEEDED, done.error.message


async def test_a_silent_soundtrack_true_peak_of_minus_infinity_is_not_a_defect(
    gateway: Gateway, doubles: Doubles
) -> None:
    """-inf dBTP is the true peak of silence: a value the gateway neither stores nor judges by."""

    def silent(response: Any) -> None:
        response.true_peak_dbtp = -math.inf
        response.integrated_lufs = -math.inf

    doubles.audio.mutate = silent
    done = await gateway.wait((await gateway.create()).name)
    assert done.state == video.JOB_STATE_SUCCEEDED, done.error.message


async def test_a_crashing_runner_is_logged_and_the_run_limit_names_the_crash(
    tmp_path: Path, doubles: Doubles, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    original = JobRunner._run

    async def crashing(self: JobRunner) -> None:
        if self.job.runs < 2:
            self.job.runs += 1
            await self.commit()
            raise RuntimeError("a defect outside the pipeline")
        await original(self)

    monkeypatch.setattr(JobRunner, "_run", crashing)
    async with running_gateway(gateway_settings(tmp_path, doubles, max_job_runs=2)) as gateway:
        done = await gateway.wait((await gateway.create()).name)
    assert done.state == video.JOB_STATE_FAILED and done.error.code == 13
    assert "started 2 times and never finished (limit 2); last: internal error (correlation id" in done.error.message
    assert "a defect outside the pipeline" not in done.error.message
    crashes = [r for r in caplog.records if r.getMessage() == "job runner crashed"]
    assert len(crashes) == 2 and all(r.exc_info for r in crashes)
    assert not any("never retrieved" in r.getMessage() for r in caplog.records)
