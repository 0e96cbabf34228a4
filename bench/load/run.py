#!/usr/bin/env python3
"""`make load`: N concurrent jobs through the gateway of a local stack with four image workers whose
keyframes take a configured time (a simulated GPU), and proof that nothing was lost or done twice.

    .venv/bin/python bench/load/run.py [--jobs 20] [--replicas 4] [--keyframe-seconds 0.5] ...

Starts the five services (plus the extra image workers) as processes on free loopback ports
(tools.devstack; logs in --run-dir), sends every CreateVideo twice at once with the same
request_id (idempotency under concurrency; RESOURCE_EXHAUSTED is retried like a client should),
follows the jobs with ListJobs, then reports jobs per minute, p50/p95 per stage (from the jobs'
own stage timings), keyframes rendered per image worker (scraped from their /metrics) and, as its
last line:

    RESULT jobs=<n> jobs_per_min=<x> p95_s=<y> lost=<n> duplicated=<n>

lost = requests whose job did not SUCCEED (or is missing); duplicated = keyframes rendered more than
once across the workers (their cache is off, so each keyframe asked for is rendered and counted) plus
request_ids that ended up with more than one job. Exit status 0 only when both are 0.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import math
import os
import sys
import time
import urllib.request
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import grpc
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from services.common import pb  # noqa: E402
from tools.devstack import stack  # noqa: E402

video = pb.video_pb2
common = pb.common_pb2
TERMINAL = {video.JOB_STATE_SUCCEEDED, video.JOB_STATE_FAILED, video.JOB_STATE_CANCELLED}
STAGES = (
    ("storyboard", video.JOB_STAGE_STORYBOARD),
    ("keyframes", video.JOB_STAGE_KEYFRAMES),
    ("soundtrack", video.JOB_STAGE_SOUNDTRACK),
    ("compose", video.JOB_STAGE_COMPOSE),
)
PROMPTS = (
    "a lighthouse keeper finds a map in a bottle",
    "a night train crosses a desert of salt",
    "two rivals race paper boats down a flooded street",
    "an astronaut tends a garden on a dying station",
    "a clockmaker repairs time in a sleeping village",
)


@dataclass(frozen=True)
class LoadConfig:
    jobs: int
    replicas: int
    keyframe_seconds: float
    scenes: int
    duration_s: float
    width: int
    height: int
    fps: int
    max_running_jobs: int
    timeout_s: float
    run_dir: Path


def parse_args(argv: Sequence[str] | None) -> LoadConfig:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20, help="concurrent jobs (default 20)")
    parser.add_argument("--replicas", type=int, default=4, help="image workers (default 4)")
    parser.add_argument("--keyframe-seconds", type=float, default=0.5, help="simulated GPU time per keyframe")
    parser.add_argument("--scenes", type=int, default=3, help="scenes (keyframes) per job (default 3)")
    parser.add_argument("--duration", type=float, default=10, help="seconds per film (default 10)")
    parser.add_argument("--size", default="320x180", help="WIDTHxHEIGHT (default 320x180)")
    parser.add_argument("--fps", type=int, default=12, help="frame rate (default 12)")
    parser.add_argument("--max-running-jobs", type=int, default=4, help="jobs the gateway runs at once (default 4)")
    parser.add_argument("--timeout", type=float, default=900, help="give up after this many seconds")
    parser.add_argument("--run-dir", type=Path, default=Path("run/load"), help="pids, logs, artifacts, jobs.db")
    args = parser.parse_args(argv)
    width, _, height = args.size.lower().partition("x")
    return LoadConfig(
        jobs=args.jobs, replicas=args.replicas, keyframe_seconds=args.keyframe_seconds, scenes=args.scenes,
        duration_s=args.duration, width=int(width), height=int(height), fps=args.fps,
        max_running_jobs=args.max_running_jobs, timeout_s=args.timeout, run_dir=args.run_dir,
    )


# --- the stack ---------------------------------------------------------------------------------


def stack_env(config: LoadConfig) -> dict[str, str]:
    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "CINESYNTH_LOG_FORMAT": "json",
        "CINESYNTH_GRACE_PERIOD_S": "5",
        # Image workers: draft cards that hold the (simulated) device; no cache, so every render counts.
        "CINESYNTH_IMAGEGEN_MODEL": "draft",
        "CINESYNTH_ALLOW_DOWNLOAD": "false",
        "CINESYNTH_IMAGEGEN_SIMULATED_SECONDS": str(config.keyframe_seconds),
        "CINESYNTH_IMAGEGEN_CACHE": "false",
        # Gateway: every job of the run may be active at once; this many run at a time.
        "CINESYNTH_TENANT_MAX_ACTIVE_JOBS": str(max(10, config.jobs)),
        "CINESYNTH_MAX_RUNNING_JOBS": str(config.max_running_jobs),
        "CINESYNTH_CLAIM_INTERVAL_S": "0.2",
        # Audio and compositor: no voice to load, the fastest x264 preset.
        "CINESYNTH_PRELOAD": "false",
        "CINESYNTH_ENCODER": "libx264",
        "CINESYNTH_X264_PRESET": "ultrafast",
    }


def keyframes_per_worker(config: stack.StackConfig) -> dict[str, int]:
    out = {}
    for name in config.instances:
        if stack.service_of(name) != "imagegen":
            continue
        body = urllib.request.urlopen(f"http://{config.host}:{config.metrics_port(name)}/metrics", timeout=10)
        total = 0.0
        for family in text_string_to_metric_families(body.read().decode()):
            total += sum(s.value for s in family.samples if s.name == "cinesynth_imagegen_keyframes_total")
        out[name] = int(total)
    return out


# --- the client --------------------------------------------------------------------------------


def make_request(config: LoadConfig, index: int, run_id: str) -> video.CreateVideoRequest:
    # A distinct prompt per job: no two jobs share a keyframe.
    prompt = f"{PROMPTS[index % len(PROMPTS)]}, take {index + 1}"
    return video.CreateVideoRequest(
        request_id=f"{run_id}-{index:04d}",
        prompt=prompt,
        labels={"load_run": run_id},
        spec=video.VideoSpec(
            duration_s=config.duration_s, scene_count=config.scenes, fps=config.fps, width=config.width,
            height=config.height, tier=common.TIER_DRAFT, seed=index,
            voice=common.VoiceOptions(voice="none"), music_source=common.MUSIC_SOURCE_PROCEDURAL,
            storyboard_backend=common.STORYBOARD_BACKEND_PLANNER, transition=common.TRANSITION_KIND_CROSSFADE,
        ),
    )


def create(stub: pb.video_grpc.VideoServiceStub, request: video.CreateVideoRequest, deadline: float) -> str:
    """CreateVideo until accepted; a busy tenant (RESOURCE_EXHAUSTED) is retried with the same request_id."""
    delay = 0.2
    while True:
        try:
            return stub.CreateVideo(request, timeout=30).job.id
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.RESOURCE_EXHAUSTED or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 2.0)


def list_run(stub: pb.video_grpc.VideoServiceStub, run_id: str) -> list[video.Job]:
    jobs: list[video.Job] = []
    token = ""
    while True:
        page = stub.ListJobs(
            video.ListJobsRequest(page_size=100, page_token=token, labels={"load_run": run_id}), timeout=30
        )
        jobs.extend(page.jobs)
        token = page.next_page_token
        if not token:
            return jobs


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def seconds_between(start: object, end: object) -> float:
    return end.ToDatetime().timestamp() - start.ToDatetime().timestamp()  # type: ignore[attr-defined]


# --- the run -----------------------------------------------------------------------------------


def run(config: LoadConfig) -> int:
    stack_config = stack.config_on_free_ports(config.run_dir, config.replicas, start_timeout_s=300)
    print(
        f"load: {config.jobs} jobs ({config.scenes} scenes, {config.duration_s:g} s, {config.width}x{config.height} "
        f"@ {config.fps} fps, draft tier, no voice, procedural music), {config.replicas} image workers at "
        f"{config.keyframe_seconds:g} s per keyframe, the gateway runs {config.max_running_jobs} jobs at once",
        flush=True,
    )
    started = time.monotonic()
    stack.start(stack_config, env=stack_env(config))
    try:
        asyncio.run(stack.wait_serving(stack_config))
        print(f"stack up in {time.monotonic() - started:.1f} s (logs in {config.run_dir / 'logs'})", flush=True)
        return drive(config, stack_config)
    finally:
        stack.stop(stack_config)


def drive(config: LoadConfig, stack_config: stack.StackConfig) -> int:
    run_id = uuid.uuid4().hex[:12]
    requests = [make_request(config, i, run_id) for i in range(config.jobs)]
    channel = grpc.insecure_channel(stack_config.target("gateway"))
    stub = pb.video_grpc.VideoServiceStub(channel)
    t0 = time.monotonic()
    deadline = t0 + config.timeout_s
    # Every request twice at once (a client retrying over a flaky network): one job per request_id.
    ids_by_request: dict[str, set[str]] = defaultdict(set)
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(64, 2 * config.jobs)) as pool:
        futures = {pool.submit(create, stub, r, deadline): r.request_id for r in requests + requests}
        for future in concurrent.futures.as_completed(futures):
            ids_by_request[futures[future]].add(future.result())
    print(f"submitted {config.jobs} jobs ({2 * config.jobs} CreateVideo calls) in {time.monotonic() - t0:.2f} s",
          flush=True)

    last_report = 0.0
    while True:
        jobs = list_run(stub, run_id)
        states = Counter(video.JobState.Name(j.state).removeprefix("JOB_STATE_").lower() for j in jobs)
        done = sum(j.state in TERMINAL for j in jobs)
        now = time.monotonic()
        if now - last_report >= 5 or done >= len(requests):
            print(f"  t={now - t0:6.1f} s  " + "  ".join(f"{k} {v}" for k, v in sorted(states.items())), flush=True)
            last_report = now
        if done >= len(requests) or now > deadline:
            break
        time.sleep(0.5)
    wall = time.monotonic() - t0
    channel.close()
    return report(config, stack_config, requests, ids_by_request, jobs, wall)


def report(
    config: LoadConfig,
    stack_config: stack.StackConfig,
    requests: list[video.CreateVideoRequest],
    ids_by_request: dict[str, set[str]],
    jobs: list[video.Job],
    wall: float,
) -> int:
    by_request: dict[str, list[video.Job]] = defaultdict(list)
    for job in jobs:
        by_request[job.request_id].append(job)
    succeeded = [j for j in jobs if j.state == video.JOB_STATE_SUCCEEDED]
    lost = sum(
        1 for r in requests
        if not any(j.state == video.JOB_STATE_SUCCEEDED and j.keyframes_done == j.keyframes_total
                   for j in by_request.get(r.request_id, []))
    )
    duplicate_jobs = sum(
        1 for r in requests if len(ids_by_request[r.request_id] | {j.id for j in by_request[r.request_id]}) > 1
    )
    rendered = keyframes_per_worker(stack_config)
    expected_keyframes = sum(j.keyframes_total for j in jobs)
    duplicate_keyframes = max(0, sum(rendered.values()) - expected_keyframes)

    print(f"\n{'stage':<12}{'p50_s':>9}{'p95_s':>9}{'max_s':>9}")
    rows: dict[str, list[float]] = {"queued": [], "total": []}
    for job in succeeded:
        first_start = min((t.start_time.ToDatetime().timestamp() for t in job.timings), default=math.nan)
        rows["queued"].append(first_start - job.create_time.ToDatetime().timestamp())
        rows["total"].append(seconds_between(job.create_time, job.end_time))
        for name, stage in STAGES:
            rows.setdefault(name, []).extend(t.seconds for t in job.timings if t.stage == stage)
    for name in ("queued", *(n for n, _ in STAGES), "total"):
        values = rows.get(name, [])
        print(f"{name:<12}{percentile(values, 50):>9.2f}{percentile(values, 95):>9.2f}"
              f"{max(values, default=math.nan):>9.2f}")
    print("keyframes per replica: " + "  ".join(f"{k}={v}" for k, v in rendered.items())
          + f"  (rendered {sum(rendered.values())}, asked for {expected_keyframes})")
    if duplicate_jobs:
        print(f"request_ids with more than one job: {duplicate_jobs}")
    failed = [j for j in jobs if j.state != video.JOB_STATE_SUCCEEDED]
    for job in failed[:5]:
        print(f"not succeeded: {job.name} {video.JobState.Name(job.state)} {job.error.message}")
    jobs_per_min = len(succeeded) / wall * 60 if wall > 0 else 0.0
    p95 = percentile(rows["total"], 95)
    print(f"wall {wall:.1f} s for {len(succeeded)}/{len(requests)} films")
    print(
        f"RESULT jobs={len(requests)} jobs_per_min={jobs_per_min:.1f} p95_s={p95:.1f} "
        f"lost={lost} duplicated={duplicate_keyframes + duplicate_jobs}"
    )
    return 0 if lost == 0 and duplicate_keyframes + duplicate_jobs == 0 else 1


def main(argv: Sequence[str] | None = None) -> int:
    return run(parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
