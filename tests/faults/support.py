"""The fault-injection harness: the real local stack (tools.devstack) on free ports, a client,
and the faults themselves — SIGKILL, SIGSTOP, restart — plus the counters the tests judge by.

Every job here is small (10 s, 3-4 scenes, 320x180, 12 fps, draft tier, no voice, no music unless a
test needs them) so a whole fault scenario takes seconds. Keyframes are draft cards that hold the
image worker's device for CINESYNTH_IMAGEGEN_SIMULATED_SECONDS (1 s unless a test says), long enough
to kill a worker in the middle of one. The keyframe cache is off, so every render is counted by
`cinesynth_imagegen_keyframes_total` on the workers' /metrics ports.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from prometheus_client.parser import text_string_to_metric_families

from gateway.model import Job
from gateway.store import open_job_store
from services.common import pb
from tools.devstack import stack

video = pb.video_pb2
common = pb.common_pb2

TERMINAL = (video.JOB_STATE_SUCCEEDED, video.JOB_STATE_FAILED, video.JOB_STATE_CANCELLED)

# Settings every fault stack runs with: quick claims and retries, short drains, fast encodes.
BASE_ENV = {
    "CINESYNTH_LOG_FORMAT": "json",
    "CINESYNTH_GRACE_PERIOD_S": "2",
    # The gateway: one stable lease owner, so a restarted gateway takes its jobs back at once.
    "CINESYNTH_REPLICA_ID": "faults-gateway",
    "CINESYNTH_CLAIM_INTERVAL_S": "0.1",
    "CINESYNTH_WATCH_POLL_S": "0.2",
    "CINESYNTH_PROGRESS_PERSIST_INTERVAL_S": "0.1",
    "CINESYNTH_RETRY_BACKOFF_S": "0.05",
    "CINESYNTH_RETRY_BACKOFF_MAX_S": "0.3",
    "CINESYNTH_JOB_TIMEOUT_S": "120",
    # Image workers: draft cards that take a while, every one counted; never a model download.
    "HF_HUB_OFFLINE": "1",
    "CINESYNTH_ALLOW_DOWNLOAD": "false",
    "CINESYNTH_IMAGEGEN_MODEL": "draft",
    "CINESYNTH_IMAGEGEN_CACHE": "false",
    "CINESYNTH_IMAGEGEN_SIMULATED_SECONDS": "1.0",
    # Audio: no voice preloaded (jobs here ask for none; gTTS falls back to Piper lazily).
    "CINESYNTH_PRELOAD": "false",
    # Compositor: the fastest x264 preset.
    "CINESYNTH_ENCODER": "libx264",
    "CINESYNTH_X264_PRESET": "ultrafast",
}


def small_request(
    prompt: str = "a lighthouse keeper finds a map in a bottle",
    *,
    scenes: int = 3,
    voice: str = "none",
    music: int = common.MUSIC_SOURCE_NONE,
    request_id: str | None = None,
    **spec: object,
) -> video.CreateVideoRequest:
    values: dict[str, object] = {
        "duration_s": 10,
        "scene_count": scenes,
        "fps": 12,
        "width": 320,
        "height": 180,
        "tier": common.TIER_DRAFT,
        "voice": common.VoiceOptions(voice=voice),
        "music_source": music,
        "storyboard_backend": common.STORYBOARD_BACKEND_PLANNER,
        "transition": common.TRANSITION_KIND_CUT,
    }
    values.update(spec)
    return video.CreateVideoRequest(
        request_id=request_id or str(uuid.uuid4()), prompt=prompt, spec=video.VideoSpec(**values)
    )


def scrape(host: str, port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a /metrics endpoint: (name, sorted labels) -> value."""
    body = urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=5).read().decode()
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def metric_sum(samples: Mapping[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    """Sum of the samples of `name` whose labels include `labels`."""
    want = set(labels.items())
    return sum(value for (n, got), value in samples.items() if n == name and want <= set(got))


@dataclass
class FaultStack:
    """A running local stack and the faults the tests inflict on it."""

    config: stack.StackConfig
    env: dict[str, str]
    channel: grpc.Channel = field(init=False)
    stub: pb.video_grpc.VideoServiceStub = field(init=False)

    def __post_init__(self) -> None:
        self.connect()

    def connect(self) -> None:
        self.channel = grpc.insecure_channel(self.config.target("gateway"))
        self.stub = pb.video_grpc.VideoServiceStub(self.channel)

    @property
    def imagegen_workers(self) -> list[str]:
        return [name for name in self.config.instances if stack.service_of(name) == "imagegen"]

    # --- faults ------------------------------------------------------------------------------

    def pid(self, name: str) -> int:
        pid = stack.read_pid(self.config.pid_file(name))
        assert pid is not None, f"{name} is not running"
        return pid

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group: a pod dies with its children (ffmpeg)."""
        os.killpg(self.pid(name), sig)
        if sig == signal.SIGKILL:
            deadline = time.monotonic() + 10
            while stack.read_pid(self.config.pid_file(name)) is not None:
                assert time.monotonic() < deadline, f"{name} survived SIGKILL"
                time.sleep(0.02)

    def restart(self, name: str, env: Mapping[str, str] | None = None) -> None:
        """Start a killed service again (with `env` on top of the stack's) and wait until it is SERVING."""
        stack.start(self.config, [name], env={**self.env, **(env or {})})
        asyncio.run(stack.wait_serving(self.config, [name]))
        if name == "gateway":
            self.channel.close()
            self.connect()

    # --- client ------------------------------------------------------------------------------

    def create(self, request: video.CreateVideoRequest) -> video.Job:
        return self.stub.CreateVideo(request, timeout=10).job

    def get(self, name: str) -> video.Job:
        return self.stub.GetJob(video.GetJobRequest(name=name), timeout=5).job

    def wait_for(self, name: str, condition: Callable[[video.Job], bool], timeout: float, what: str) -> video.Job:
        """Poll the job until `condition` holds (a fault is timed off the job's own progress)."""
        deadline = time.monotonic() + timeout
        job = self.get(name)
        while not condition(job):
            assert job.state not in TERMINAL or condition(job), (
                f"job ended {video.JobState.Name(job.state)} before {what}: {job.error.message}"
            )
            assert time.monotonic() < deadline, f"no {what} after {timeout:.0f} s (job: {job.message})"
            time.sleep(0.05)
            job = self.get(name)
        return job

    def wait_terminal(self, name: str, timeout: float) -> video.Job:
        return self.wait_for(name, lambda job: job.state in TERMINAL, timeout, "terminal state")

    def renders(self, names: list[str] | None = None) -> dict[str, float]:
        """Keyframes each image worker has rendered (cache off: every keyframe returned was rendered)."""
        out = {}
        for name in names or self.imagegen_workers:
            samples = scrape(self.config.host, self.config.metrics_port(name))
            out[name] = metric_sum(samples, "cinesynth_imagegen_keyframes_total")
        return out

    def worker_state(self, name: str) -> tuple[int, int]:
        """(keyframes rendering now, keyframes rendered so far) of one image worker, in one scrape."""
        samples = scrape(self.config.host, self.config.metrics_port(name))
        inflight = metric_sum(samples, "cinesynth_imagegen_inflight")
        return int(inflight), int(metric_sum(samples, "cinesynth_imagegen_keyframes_total"))

    def wait_workers_idle(self, timeout: float = 10.0) -> None:
        """Until no image worker renders anything (e.g. its streams cancelled by a dead gateway)."""
        deadline = time.monotonic() + timeout
        while any(self.worker_state(worker)[0] for worker in self.imagegen_workers):
            assert time.monotonic() < deadline, f"image workers still busy after {timeout:.0f} s"
            time.sleep(0.05)

    def calls(self, name: str, method: str) -> tuple[float, float]:
        """(started, handled) calls of gRPC `method` on instance `name`, in one scrape."""
        samples = scrape(self.config.host, self.config.metrics_port(name))
        return (
            metric_sum(samples, "grpc_server_started_total", grpc_method=method),
            metric_sum(samples, "grpc_server_handled_total", grpc_method=method),
        )

    def in_call(self, name: str, method: str) -> bool:
        """Whether instance `name` is inside a call of `method` now."""
        started, handled = self.calls(name, method)
        return started > handled

    @property
    def job_store_url(self) -> str:
        """The gateway's job store, as the stack configures it."""
        return stack.service_env(self.config, "gateway", self.env)["CINESYNTH_JOB_STORE"]

    def stored_job(self, job_id: str) -> Job:
        """The job as its store holds it (the checkpoints a restarted gateway resumes from)."""
        return asyncio.run(stored_job(self.job_store_url, job_id))

    def keyframe_files(self, job_id: str) -> dict[str, int]:
        """Keyframe id -> mtime (ns) of each keyframe file of the job in the artifact store."""
        folder = self.config.run_dir / "artifacts" / "jobs" / job_id / "keyframes"
        return {path.stem: path.stat().st_mtime_ns for path in folder.glob("*.png")} if folder.exists() else {}

    def serving(self) -> dict[str, str]:
        return asyncio.run(stack.health_table(self.config))

    def log_tail(self, name: str, lines: int = 40) -> str:
        return stack.tail(self.config.log_file(name), lines)

    def download(self, job_name: str, artifact: str) -> bytes:
        request = video.DownloadArtifactRequest(name=job_name, artifact=artifact)
        return b"".join(r.data for r in self.stub.DownloadArtifact(request, timeout=30))


async def stored_job(url: str, job_id: str) -> Job:
    """The job `job_id` read straight from the job store at `url`."""
    store = open_job_store(url)
    await store.open()
    try:
        job = await store.get(job_id)
    finally:
        await store.close()
    assert job is not None, f"job {job_id} is not in the store"
    return job


@contextlib.contextmanager
def tarpit() -> Iterator[str]:
    """`127.0.0.1:PORT` of a listener that never accepts: connections open, requests get no answer.

    The internet as a service sees it when a route is black-holed — calls hang until their own
    timeout, which is what the fallbacks' time bounds must survive (a refused connection is the easy case).
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    try:
        yield f"127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


@contextlib.contextmanager
def fault_stack(
    run_dir: Path, env: Mapping[str, str] | None = None, *, imagegen_replicas: int = 1
) -> Iterator[FaultStack]:
    """The five services (and extra image workers) as real processes on free loopback ports."""
    config = stack.config_on_free_ports(
        run_dir, imagegen_replicas, start_timeout_s=240, stop_timeout_s=20
    )
    merged = {**os.environ, **BASE_ENV, **(env or {})}
    stack.start(config, env=merged)
    running: FaultStack | None = None
    try:
        asyncio.run(stack.wait_serving(config))
        running = FaultStack(config, merged)
        yield running
    finally:
        if running is not None:
            running.channel.close()
        # Frozen processes (SIGSTOP) must run again to hear SIGTERM.
        for name in config.instances:
            pid = stack.read_pid(config.pid_file(name))
            if pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGCONT)
        stack.stop(config)
