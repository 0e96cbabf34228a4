#!/usr/bin/env python3
"""End-to-end benchmark: draft films through the real local stack, per stage, per replica count.

    .venv/bin/python bench/e2e.py [--lengths 60 300] [--replicas 1 2 4]

For each compositor replica count a fresh stack (gateway, storyboard, imagegen, audio, N
compositors) starts on a block of free loopback ports (never the default 50051.. / 9091..: other
users share the loopback) in a temporary run dir; each film length is rendered once through the
CLI (`cinesynth generate`, offline defaults: planner, draft tier, Piper, procedural score, about
12 s a scene). Printed per film: stage seconds (compose runs beside the soundtrack when segments
are on, so stages overlap), client wall, wall / film length, and CPU-seconds per film (user +
system of every stack process and the ffmpegs they ran, from /proc: what a cluster pays),
split into compositors and audio.

Replicas on one machine share its cores, so wall time cannot show what N replicas buy on N
machines. The projection does: the compose stage on N replicas, each with this machine's cores,
takes about compose_wall(1) x max_i CPU(replica i, N) / CPU(all compositors, 1).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.devstack import stack  # noqa: E402
from tools.devstack.demo import DEMO_PROMPT, OFFLINE_DEFAULTS, _cli  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
SCENE_S = 12.0


def process_cpu_s(pid: int) -> float:
    """utime + stime + cutime + cstime of a process (its waited-for children included)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(v) for v in fields[11:15]) / TICKS


def stack_cpu(config: stack.StackConfig) -> dict[str, float]:
    out = {}
    for name in config.instances:
        pid = stack.read_pid(config.pid_file(name))
        out[name] = process_cpu_s(pid) if pid else 0.0
    return out


@dataclass
class Film:
    replicas: int
    length_s: float
    wall_s: float
    stages: dict[str, float]
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def cpu_total(self) -> float:
        return sum(self.cpu.values())

    def cpu_of(self, service: str) -> float:
        return sum(v for k, v in self.cpu.items() if stack.service_of(k) == service)

    @property
    def compositor_max(self) -> float:
        return max((v for k, v in self.cpu.items() if stack.service_of(k) == "compositor"), default=0.0)


def render(config: stack.StackConfig, length_s: float, out: Path) -> Film:
    scenes = max(1, round(length_s / SCENE_S))
    argv = [
        _cli(), "generate", DEMO_PROMPT, "--gateway", config.target("gateway"), *OFFLINE_DEFAULTS,
        "--duration", f"{length_s:g}", "--scenes", str(scenes), "--out", str(out / f"film-{length_s:g}.mp4"),
        "--json",
    ]
    before = stack_cpu(config)
    t0 = time.monotonic()
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    wall = time.monotonic() - t0
    after = stack_cpu(config)
    if done.returncode != 0:
        raise SystemExit(f"generate failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    final = json.loads(done.stdout.strip().splitlines()[-1])
    stages = {
        t["stage"].removeprefix("JOB_STAGE_").lower(): float(t.get("seconds", 0.0))
        for t in final["job"].get("timings", [])
    }
    cpu = {name: after[name] - before.get(name, 0.0) for name in after}
    return Film(config.compositor_replicas, length_s, wall, stages, cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lengths", type=float, nargs="+", default=[60.0, 300.0], help="film lengths in seconds")
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2, 4], help="compositor replica counts")
    parser.add_argument("--keep", action="store_true", help="keep the run dir (films, logs)")
    parser.add_argument("--segments-per-replica", type=int, default=1,
                        help="the gateway's compose_segments_per_replica (0 = one ComposeVideo after the soundtrack)")
    args = parser.parse_args()
    os.environ["CINESYNTH_COMPOSE_SEGMENTS_PER_REPLICA"] = str(args.segments_per_replica)
    root = Path(tempfile.mkdtemp(prefix="cinesynth-bench-e2e-"))
    films: list[Film] = []
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}; run dir {root}", flush=True)
    try:
        for replicas in args.replicas:
            config = stack.config_on_free_ports(root / f"r{replicas}", compositor_replicas=replicas)
            try:
                if stack.up(config) != 0:
                    return 1
                for length in args.lengths:
                    film = render(config, length, config.run_dir)
                    films.append(film)
                    print(f"  {replicas} compositor(s), {length:g} s film: wall {film.wall_s:.2f} s, "
                          f"CPU {film.cpu_total:.1f} s, load {os.getloadavg()[0]:.2f}", flush=True)
            finally:
                stack.stop(config)
    finally:
        if not args.keep:
            subprocess.run(["rm", "-rf", str(root)], check=False)

    names = ["storyboard", "keyframes", "soundtrack", "compose"]
    print("\n| compositors | film s | wall s | wall / film | " + " | ".join(f"{n} s" for n in names)
          + " | CPU-s film | CPU-s compositors | CPU-s audio |")
    print("|---" * (7 + len(names)) + "|")
    for f in films:
        stages = " | ".join(f"{f.stages.get(n, 0.0):.2f}" for n in names)
        print(f"| {f.replicas} | {f.length_s:g} | {f.wall_s:.2f} | {f.wall_s / f.length_s:.2f} | {stages} "
              f"| {f.cpu_total:.1f} | {f.cpu_of('compositor'):.1f} | {f.cpu_of('audio'):.1f} |")
    print("\nCompose on N replicas, each with this machine's cores (projected from CPU-seconds):")
    for length in args.lengths:
        base = next((f for f in films if f.length_s == length and f.replicas == 1), None)
        if base is None:
            continue
        for f in films:
            if f.length_s != length or f.replicas == 1 or not f.compositor_max:
                continue
            speedup = base.cpu_of("compositor") / f.compositor_max
            projected = base.stages.get("compose", 0.0) / speedup
            print(f"  {length:g} s film, {f.replicas} replicas: busiest replica {f.compositor_max:.1f} CPU-s of "
                  f"{f.cpu_of('compositor'):.1f}; compose {projected:.1f} s projected vs "
                  f"{base.stages.get('compose', 0.0):.1f} s on 1 ({speedup:.2f}x)")
    for f in films:
        print(f"RESULT compositors={f.replicas} film_s={f.length_s:g} wall_s={f.wall_s:.2f} "
              f"realtime_factor={f.wall_s / f.length_s:.2f} cpu_s={f.cpu_total:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
