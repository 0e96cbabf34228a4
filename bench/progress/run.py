"""How honest are WatchJob's progress and ETA? A film on the local stack (free ports), watched to the end.

Prints, per event: wall time, stage, progress (new: cost-weighted per tier) and the old fixed weights
(storyboard 0.10, keyframes 0.45, soundtrack 0.10, compose 0.35; soundtrack counted done when compose
starts), and the ETA against the time that really remained. Summary: the largest progress jump over any
second, progress when the keyframes are done, the mean absolute ETA error, and whether the sequence had holes.

    python bench/progress/run.py [--duration 60 --scenes 5 --fps 24 --size 768x432 --tier draft --jobs 2]

Run it twice (--jobs 2) to see the measured stage costs take over from the priors on the second job.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path

from grpc import aio

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from services.common import pb  # noqa: E402
from tools.devstack import stack  # noqa: E402

video, common = pb.video_pb2, pb.common_pb2
STAGE = {v.number: v.name.removeprefix("JOB_STAGE_").lower() for v in video.JobStage.DESCRIPTOR.values}
TERMINAL = {video.JOB_STATE_SUCCEEDED, video.JOB_STATE_FAILED, video.JOB_STATE_CANCELLED}


def old_progress(e: video.JobEvent, storyboard_done: bool, compose_started: bool) -> float:
    keyframes = e.keyframes_done / e.keyframes_total if e.keyframes_total else 0.0
    frames = e.frames_done / e.frames_total if e.frames_total else 0.0
    if e.state == video.JOB_STATE_SUCCEEDED:
        return 1.0
    return 0.10 * storyboard_done + 0.45 * keyframes + 0.10 * compose_started + 0.35 * frames


def largest_jump(series: list[tuple[float, float]], window: float = 1.0) -> float:
    best = 0.0
    for i, (t0, p0) in enumerate(series):
        for t1, p1 in series[i:]:
            if t1 - t0 > window:
                break
            best = max(best, p1 - p0)
    return best


async def one_job(stub, args, width: int, height: int) -> None:
    spec = video.VideoSpec(duration_s=args.duration, scene_count=args.scenes, fps=args.fps, width=width,
                           height=height, tier=common.Tier.Value(f"TIER_{args.tier.upper()}"))
    job = (await stub.CreateVideo(video.CreateVideoRequest(
        request_id=str(uuid.uuid4()), prompt="a lighthouse keeper's last night before the storm", spec=spec))).job
    rows, start = [], time.monotonic()
    async for response in stub.WatchJob(video.WatchJobRequest(name=job.name)):
        e = response.event
        rows.append((time.monotonic() - start, e))
        if e.state in TERMINAL:
            break
    end = rows[-1][0]
    new_series, old_series, eta_errors, kf_done = [], [], [], None
    storyboard_done = compose_started = False
    print(f"{'t_s':>6} {'stage':<11} {'new':>5} {'old':>5} {'eta_s':>6} {'left_s':>6}  seq")
    for t, e in rows:
        storyboard_done = storyboard_done or e.stage in (video.JOB_STAGE_KEYFRAMES, video.JOB_STAGE_SOUNDTRACK,
                                                          video.JOB_STAGE_COMPOSE, video.JOB_STAGE_DONE)
        compose_started = compose_started or e.stage in (video.JOB_STAGE_COMPOSE, video.JOB_STAGE_DONE)
        old = old_progress(e, storyboard_done, compose_started)
        new_series.append((t, e.progress))
        old_series.append((t, old))
        if e.state not in TERMINAL and e.state == video.JOB_STATE_RUNNING:
            eta_errors.append(abs(e.eta_s - (end - t)))
        if kf_done is None and e.keyframes_total and e.keyframes_done == e.keyframes_total:
            kf_done = (e.progress, old, t)
        print(f"{t:6.2f} {STAGE[e.stage]:<11} {e.progress:5.2f} {old:5.2f} {e.eta_s:6.1f} {end - t:6.1f}  {e.sequence}")
    sequences = [e.sequence for _, e in rows]
    holes = sequences != list(range(sequences[0], sequences[0] + len(sequences)))
    print(f"RESULT job={job.id} wall_s={end:.1f} events={len(rows)} holes={holes} "
          f"max_jump_1s new={largest_jump(new_series):.2f} old={largest_jump(old_series):.2f} "
          f"at_keyframes_done new={kf_done[0]:.2f} old={kf_done[1]:.2f} (t={kf_done[2]:.1f}s) "
          f"eta_mae_s={sum(eta_errors) / max(len(eta_errors), 1):.1f}")


async def run(args) -> None:
    width, height = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        config = stack.config_on_free_ports(Path(tmp) / "run", start_timeout_s=240)
        stack.start(config)
        try:
            await stack.wait_serving(config)
            async with aio.insecure_channel(config.target("gateway")) as channel:
                stub = pb.video_grpc.VideoServiceStub(channel)
                for _ in range(args.jobs):
                    await one_job(stub, args, width, height)
        finally:
            stack.stop(config)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--scenes", type=int, default=5)
    parser.add_argument("--fps", type=int, default=24)
    parser.add_argument("--size", default="768x432")
    parser.add_argument("--tier", default="draft")
    parser.add_argument("--jobs", type=int, default=2)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
