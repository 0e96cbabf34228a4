#!/usr/bin/env python3
"""`make soak`: N jobs, one after another, through a local stack on free ports; the resident memory
(RSS) of every service after a warm-up job and after the N jobs, to show memory is flat.

    .venv/bin/python bench/soak/run.py [--jobs 100] [--run-dir run/soak] [--voice piper]

Each job is small (draft keyframes, 3 scenes, 12 s, 320x180) but runs every stage for real: planner
storyboard, keyframe cards, Piper narration, procedural score, mix, x264 encode. Prints one line per
service and, last:

    RESULT jobs=<n> failed=<n> rss_growth_mb=<largest growth of any service>

Exit status 0 only when every job SUCCEEDED.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from pathlib import Path

import grpc
import psutil

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from services.common import pb  # noqa: E402
from tools.devstack import stack  # noqa: E402

video = pb.video_pb2
common = pb.common_pb2
TERMINAL = {video.JOB_STATE_SUCCEEDED, video.JOB_STATE_FAILED, video.JOB_STATE_CANCELLED}
PROMPTS = (
    "a lighthouse keeper finds a map in a bottle",
    "a night train crosses a desert of salt",
    "two rivals race paper boats down a flooded street",
    "an astronaut tends a garden on a dying station",
)
ENV = {
    "HF_HUB_OFFLINE": "1",
    "CINESYNTH_IMAGEGEN_MODEL": "draft",
    "CINESYNTH_ENCODER": "libx264",
    "CINESYNTH_X264_PRESET": "ultrafast",
    "CINESYNTH_LOG_FORMAT": "json",
}


def request(i: int, voice: str) -> video.CreateVideoRequest:
    spec = video.VideoSpec(
        duration_s=12, scene_count=3, fps=12, width=320, height=180, tier=common.TIER_DRAFT,
        voice=common.VoiceOptions(voice=voice), music_source=common.MUSIC_SOURCE_PROCEDURAL,
        storyboard_backend=common.STORYBOARD_BACKEND_PLANNER,
    )
    return video.CreateVideoRequest(request_id=str(uuid.uuid4()), prompt=PROMPTS[i % len(PROMPTS)], spec=spec)


def rss_mb(config: stack.StackConfig) -> dict[str, float]:
    """RSS of each service process (children such as ffmpeg are transient and not counted)."""
    out = {}
    for name in config.instances:
        pid = stack.read_pid(config.pid_file(name))
        out[name] = psutil.Process(pid).memory_info().rss / 2**20 if pid else float("nan")
    return out


def run_job(stub: pb.video_grpc.VideoServiceStub, i: int, voice: str, timeout_s: float) -> video.Job:
    job = stub.CreateVideo(request(i, voice), timeout=60).job
    deadline = time.monotonic() + timeout_s
    while job.state not in TERMINAL:
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {job.name} not finished after {timeout_s:.0f} s")
        time.sleep(0.2)
        job = stub.GetJob(video.GetJobRequest(name=job.name), timeout=30).job
    return job


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--run-dir", type=Path, default=Path("run/soak"))
    parser.add_argument("--voice", default="piper", help="piper (exercises the neural voice) or none")
    parser.add_argument("--job-timeout", type=float, default=600.0)
    args = parser.parse_args(argv)

    config = stack.config_on_free_ports(args.run_dir, start_timeout_s=600)
    stack.start(config, env={**os.environ, **ENV})
    failed = 0
    try:
        asyncio.run(stack.wait_serving(config))
        with grpc.insecure_channel(config.target("gateway")) as channel:
            stub = pb.video_grpc.VideoServiceStub(channel)
            warm = run_job(stub, 0, args.voice, args.job_timeout)  # loads and caches what a warm service has
            if warm.state != video.JOB_STATE_SUCCEEDED:
                print(f"warm-up job failed: {warm.error.message}", file=sys.stderr)
                return 1
            before = rss_mb(config)
            started = time.monotonic()
            for i in range(1, args.jobs + 1):
                job = run_job(stub, i, args.voice, args.job_timeout)
                if job.state != video.JOB_STATE_SUCCEEDED:
                    failed += 1
                    print(f"job {i} {video.JobState.Name(job.state)}: {job.error.message}", file=sys.stderr)
                if i % 10 == 0 or i == args.jobs:
                    now = rss_mb(config)
                    print(f"after {i} jobs ({time.monotonic() - started:.0f} s): "
                          + ", ".join(f"{n} {now[n]:.0f}" for n in config.instances) + " MB", flush=True)
            after = rss_mb(config)
    finally:
        stack.stop(config)
    print(f"{'service':<12}{'RSS before':>12}{'RSS after':>12}{'growth':>10}")
    for name in config.instances:
        print(f"{name:<12}{before[name]:>10.0f}MB{after[name]:>10.0f}MB{after[name] - before[name]:>+8.0f}MB")
    growth = max(after[n] - before[n] for n in config.instances)
    print(f"RESULT jobs={args.jobs} failed={failed} rss_growth_mb={growth:.0f}")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
