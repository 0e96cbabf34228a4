"""The real `cinesynth-gateway` process: killed with SIGKILL mid-job, started again, the job finishes
and no finished keyframe is rendered twice; SIGTERM then drains it cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from grpc import aio
from grpc_health.v1 import health_pb2

from gateway.store.sqlite import SqliteJobStore
from services.common import pb
from services.common.server import check_health
from tests.integration.gateway.conftest import until
from tests.integration.gateway.doubles import Doubles
from tests.support import port_zero_env, reported_ports

video = pb.video_pb2
ROOT = Path(__file__).resolve().parents[3]


def start_gateway(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "gateway.main"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT,
        )


async def serving(target: str, process: subprocess.Popen[bytes], log: Path) -> None:
    async def up() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"gateway exited: {await asyncio.to_thread(log.read_text)}")
        return await check_health(target, timeout=0.5) == health_pb2.HealthCheckResponse.SERVING

    await until(up, timeout=60)


async def test_sigkill_then_restart_resumes_the_job(tmp_path: Path, doubles: Doubles) -> None:
    worker = doubles.imagegen[0]
    worker.gate, worker.gate_ids = asyncio.Event(), {"scene-02", "scene-03"}
    db = tmp_path / "jobs.db"
    port_file = tmp_path / "gateway.ports.json"
    env = {
        **port_zero_env(os.environ, port_file),
        "CINESYNTH_STORYBOARD_TARGET": doubles.targets["storyboard"],
        "CINESYNTH_AUDIO_TARGET": doubles.targets["audio"],
        "CINESYNTH_COMPOSITOR_TARGET": doubles.targets["compositor"],
        "CINESYNTH_IMAGEGEN_TARGET": doubles.targets["imagegen"],
        "CINESYNTH_JOB_STORE": f"sqlite:///{db}",
        "CINESYNTH_ARTIFACT_STORE": (tmp_path / "artifacts").as_uri(),
        "CINESYNTH_AUTH_MODE": "none",
        "CINESYNTH_REPLICA_ID": "gateway-0",
        "CINESYNTH_CLAIM_INTERVAL_S": "0.1",
        "CINESYNTH_GRACE_PERIOD_S": "2",
    }
    log = tmp_path / "gateway.log"
    first = start_gateway(env, log)
    try:
        target = f"127.0.0.1:{(await asyncio.to_thread(reported_ports, first, port_file)).grpc_port}"
        await serving(target, first, log)
        async with aio.insecure_channel(target) as channel:
            stub = pb.video_grpc.VideoServiceStub(channel)
            job = (await stub.CreateVideo(video.CreateVideoRequest(
                prompt="a kite over the dunes", spec=video.VideoSpec(duration_s=16, scene_count=4),
            ))).job
        store = SqliteJobStore(db)
        await store.open()

        async def half_done() -> bool:
            stored = await store.get(job.id)
            return stored is not None and len(stored.keyframes) == 2 and stored.soundtrack is not None and (
                worker.inflight == 2
            )

        await until(half_done, timeout=30)
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=10) == -signal.SIGKILL
        stored = await store.get(job.id)
        assert stored is not None and stored.state.value == "running"
        assert (await store.lease_of(job.id))[0] == "gateway-0", "a killed process gives nothing back"
        await store.close()
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()

    worker.gate.set()
    second = start_gateway(env, log)
    try:
        ports = await asyncio.to_thread(reported_ports, second, port_file)
        target, metrics_port = f"127.0.0.1:{ports.grpc_port}", ports.metrics_port
        await serving(target, second, log)
        async with aio.insecure_channel(target) as channel:
            stub = pb.video_grpc.VideoServiceStub(channel)
            events = [r.event async for r in stub.WatchJob(video.WatchJobRequest(name=job.name), timeout=60)]
        final = events[-1].job
        assert final.state == video.JOB_STATE_SUCCEEDED, final.error.message
        # Same replica id: the restarted process took its own lease back at once and resumed.
        assert doubles.keyframes_completed() == {f"scene-0{i}": 1 for i in range(4)}
        assert worker.started["scene-00"] == worker.started["scene-01"] == 1
        assert len(doubles.storyboard.requests) == 1 and len(doubles.audio.requests) == 1
        metrics = await asyncio.to_thread(
            lambda: urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).read().decode()
        )
        assert "cinesynth_jobs_resumed_total 1.0" in metrics
        assert 'cinesynth_jobs_total{state="succeeded"} 1.0' in metrics
        assert 'cinesynth_stage_seconds_count{stage="compose"} 1.0' in metrics
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0, log.read_text()[-2000:]
    finally:
        if second.poll() is None:
            second.kill()
            second.wait()
