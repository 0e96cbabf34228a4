#!/usr/bin/env python3
"""Compositor benchmark: the paper-style reference against our compositor, side by side.

    .venv/bin/python bench/compositor/run.py [--repeats 3] [--shared ../shared/bench]

Renders the 60 s, 768x512, 24 fps, five-keyframe job (inputs from the shared make_inputs.py) with
the same inputs and x264 settings (libx264, preset medium, CRF 23) and the same ffmpeg binary:

  (a) reference   the shared baseline_paper.py (PIL blending into 1,440 in-memory frames + MoviePy),
                  in its own virtualenv (build/bench-venv: moviepy==2.2.1 pillow numpy)
  (b) ours        our compositor configured like the reference: the paper's grade, no camera motion,
                  linear crossfades of 12 s (= the reference's 48 s of blending), run as a subprocess
                  through the core's CLI (no gRPC)
  (c) floor       ffmpeg alone running (b)'s very encode command on (b)'s frames pre-rendered to a
                  raw file
  (d) default     our default look: a camera move per scene and optical-flow morphs (1 s)
  (e) ours 300 s  (b) five times longer, to show memory stays flat

Rounds run the commands alternately; the table quotes medians. Wall and CPU (user + system) come
from wait4() on each command (its whole process tree); peak RSS is ru_maxrss, the largest single
process of the tree (what /usr/bin/time -v reports), and "tree RSS" is the sampled sum over all
live processes of the tree (Python + ffmpeg together). The last line is
RESULT speedup=<a wall / b wall> memory=<b peak RSS / a peak RSS> floor=<b wall / c wall>.
The soundtrack of (b)-(e) is the reference's voice + 0.3 x music, pre-mixed once (untimed); the
reference mixes it itself inside its timed run.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PAGE = os.sysconf("SC_PAGE_SIZE")
REFERENCE_PACKAGES = ("moviepy==2.2.1", "pillow", "numpy")
KEYFRAMES = 5
FPS = 24
WIDTH, HEIGHT = 768, 512
DEFAULT_MOVES = ("dolly-in", "pan-right", "crane-up", "dolly-out", "pan-left")


# -- measuring -------------------------------------------------------------------------------------
def _tree(pid: int) -> list[int]:
    """pid and all its descendants (via /proc/<pid>/task/*/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return out


def _tree_rss(pid: int) -> int:
    total = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


@dataclass
class Run:
    name: str
    wall_s: float
    cpu_s: float
    max_rss: int  # bytes, largest single process (ru_maxrss)
    tree_rss: int  # bytes, sampled sum over the process tree
    output: Path | None = None
    frames: int | None = None
    stdout: str = ""


def measure(name: str, argv: list[str], env: dict[str, str], output: Path | None = None) -> Run:
    """Run a command to completion; wall, CPU and memory of its whole process tree."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=err, cwd=ROOT)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.05):
                peak[0] = max(peak[0], _tree_rss(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed ({proc.returncode}): {shlex.join(argv)}\n{stderr[-3000:]}")
    return Run(name, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, peak[0], output, None, stdout)


def count_frames(path: Path) -> int:
    from services.common import ffmpeg
    from services.compositor.verify import probe_argv

    info = json.loads(ffmpeg.run(probe_argv(path)))
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    return int(video["nb_read_packets"])


# -- set-up (untimed) ----------------------------------------------------------------------------
def ensure_reference_venv(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if python.exists() and subprocess.run([python, "-c", "import moviepy, PIL, numpy"], check=False).returncode == 0:
        return python
    print(f"creating {venv} with {' '.join(REFERENCE_PACKAGES)} ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([python, "-m", "pip", "install", "-q", *REFERENCE_PACKAGES], check=True)
    return python


def ensure_inputs(shared: Path, inputs: Path, python: Path) -> None:
    names = [f"keyframe_{i:02d}.png" for i in range(KEYFRAMES)] + ["voiceover.wav", "music.wav"]
    if all((inputs / n).exists() for n in names):
        return
    inputs.mkdir(parents=True, exist_ok=True)
    subprocess.run([python, str(shared / "make_inputs.py"), str(inputs)], check=True)


def premix(inputs: Path, dest: Path) -> Path:
    """voice x 1.0 + music x 0.3, as the reference mixes them (16-bit stereo 44.1 kHz)."""
    if dest.exists():
        return dest

    def read(path: Path) -> tuple[np.ndarray, wave._wave_params]:
        with wave.open(str(path)) as w:
            return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32), w.getparams()

    voice, params = read(inputs / "voiceover.wav")
    music, _ = read(inputs / "music.wav")
    n = min(len(voice), len(music))
    mixed = np.clip(voice[:n] + 0.3 * music[:n], -32768, 32767).astype("<i2")
    with wave.open(str(dest), "wb") as w:
        w.setparams(params)
        w.writeframes(mixed.tobytes())
    return dest


def find_shared() -> Path:
    """../shared/bench beside the checkout, or beside the checkout a clone was made from."""
    candidates = [ROOT.parent / "shared" / "bench"]
    origin = subprocess.run(["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
                            capture_output=True, text=True, check=False).stdout.strip()
    if origin and "://" not in origin and Path(origin).is_dir():
        candidates.append(Path(origin).resolve().parent / "shared" / "bench")
    return next((c for c in candidates if (c / "baseline_paper.py").exists()), candidates[0])


def resolve_ffmpeg(choice: str, reference_python: Path) -> str:
    if choice == "imageio":
        return subprocess.run(
            [reference_python, "-c", "import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
    if choice == "system":
        return "/usr/bin/ffmpeg"
    return choice


# -- the runs ------------------------------------------------------------------------------------
@dataclass
class Bench:
    args: argparse.Namespace
    ffmpeg: str
    reference_python: Path
    inputs: Path
    soundtrack: Path
    work: Path
    env: dict[str, str] = field(default_factory=dict)

    def keyframes(self) -> list[str]:
        return [str(self.inputs / f"keyframe_{i:02d}.png") for i in range(KEYFRAMES)]

    def ours_argv(self, out: Path, scene_s: float, *, default_look: bool = False, raw: Path | None = None) -> list[str]:
        argv = [
            sys.executable, "-m", "services.compositor.cli", "render", *self.keyframes(),
            "--duration", f"{scene_s:g}", "--fps", str(FPS), "--width", str(WIDTH), "--height", str(HEIGHT),
            "--grade", "paper", "--soundtrack", str(self.soundtrack),
            "--codec", "libx264", "--preset", "medium", "--crf", "23", "--out", str(out),
        ]
        if default_look:
            argv += ["--transition", "flow_morph", "--move", *DEFAULT_MOVES]
        else:  # like the reference: linear blends over whole scenes, no camera motion
            argv += ["--transition", "crossfade", "--transition-s", f"{scene_s:g}", "--move", "static"]
        if raw is not None:
            argv += ["--raw-out", str(raw)]
        return argv

    def reference(self, n: int) -> Run:
        out = self.work / f"a-reference-{n}.mp4"
        argv = [str(self.reference_python), str(self.args.shared / "baseline_paper.py"), str(self.inputs), str(out)]
        return measure("(a) reference", argv, {**self.env, "FFMPEG_BINARY": self.ffmpeg}, out)

    def ours(self, name: str, key: str, scene_s: float, default_look: bool = False) -> Run:
        out = self.work / key
        run = measure(name, self.ours_argv(out, scene_s, default_look=default_look), self.env)
        run.output = Path(json.loads(run.stdout)["video_path"])
        return run

    def floor(self, argv: list[str]) -> Run:
        return measure("(c) encode floor", argv, self.env, Path(argv[-1]))

    def round(self, n: int, floor_argv: list[str]) -> Iterator[tuple[str, Run]]:
        """(a), (b), (c), (d) once each, in that order."""
        yield "a", self.reference(n)
        yield "b", self.ours("(b) ours, like the reference", f"b-{n}", 12.0)
        yield "c", self.floor(floor_argv)
        yield "d", self.ours("(d) ours, default look", f"d-{n}", 12.0, default_look=True)


def fmt_mb(n: float) -> str:
    return f"{n / 1e6:,.0f} MB"


def summarise(runs: list[Run]) -> dict[str, float]:
    return {
        "wall": statistics.median(r.wall_s for r in runs),
        "wall_min": min(r.wall_s for r in runs),
        "wall_max": max(r.wall_s for r in runs),
        "cpu": statistics.median(r.cpu_s for r in runs),
        "rss": statistics.median(r.max_rss for r in runs),
        "tree": statistics.median(r.tree_rss for r in runs),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_shared = Path(os.environ.get("CINESYNTH_SHARED_BENCH") or find_shared())
    parser.add_argument("--shared", type=Path, default=default_shared,
                        help="folder with baseline_paper.py and make_inputs.py (default ../shared/bench)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench", help="inputs and outputs")
    parser.add_argument("--venv", type=Path, default=ROOT / "build" / "bench-venv", help="the reference's virtualenv")
    parser.add_argument("--ffmpeg", default="imageio",
                        help="'imageio' (MoviePy's default binary, from the reference venv), 'system' or a path")
    parser.add_argument("--repeats", type=int, default=3, help="rounds of (a) (b) (c) (d), alternating")
    parser.add_argument("--long-s", type=float, default=300.0, help="duration of the memory-flatness run (0 = skip)")
    parser.add_argument("--no-ssim", action="store_true", help="skip the transition smoothness measurement")
    args = parser.parse_args()
    args.shared = args.shared.resolve()
    if not (args.shared / "baseline_paper.py").exists():
        raise SystemExit(f"no baseline_paper.py in {args.shared} (use --shared or CINESYNTH_SHARED_BENCH)")

    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    reference_python = ensure_reference_venv(args.venv.resolve())
    inputs = work / "inputs"
    ensure_inputs(args.shared, inputs, reference_python)
    soundtrack = premix(inputs, work / "soundtrack-mix.wav")
    ffmpeg_bin = resolve_ffmpeg(args.ffmpeg, reference_python)
    version = subprocess.run([ffmpeg_bin, "-version"], capture_output=True, text=True, check=True).stdout
    version = version.splitlines()[0]
    env = {**os.environ, "CINESYNTH_FFMPEG": ffmpeg_bin, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    env.pop("CINESYNTH_WORK_DIR", None)
    bench = Bench(args, ffmpeg_bin, reference_python, inputs, soundtrack, work, env)
    print(f"ffmpeg for every run: {ffmpeg_bin}\n  {version}")
    print(f"reference: {args.shared / 'baseline_paper.py'} (python {reference_python})")
    print(f"inputs: {inputs}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}", flush=True)

    # The floor's input: (b)'s own frames, rendered once to a raw file (untimed), and (b)'s encode argv.
    raw = work / "b-frames.yuv420p"
    prep = subprocess.run(bench.ours_argv(work / "c-prep", 12.0, raw=raw), env=env, capture_output=True,
                          text=True, check=True, cwd=ROOT)
    floor_argv = json.loads(prep.stdout)["encode_argv"]

    results: dict[str, list[Run]] = {k: [] for k in ("a", "b", "c", "d")}
    try:
        for n in range(args.repeats):
            for key, r in bench.round(n, floor_argv):
                results[key].append(r)
                print(f"  round {n + 1}: {r.name:32s} wall {r.wall_s:6.2f} s  CPU {r.cpu_s:6.2f} s  "
                      f"peak RSS {fmt_mb(r.max_rss)}  tree RSS {fmt_mb(r.tree_rss)}  "
                      f"load {os.getloadavg()[0]:.2f}", flush=True)
    finally:
        raw.unlink(missing_ok=True)
    long_run = None
    if args.long_s:
        long_run = bench.ours(f"(e) ours, like the reference, {args.long_s:g} s", "e-long", args.long_s / KEYFRAMES)
        print(f"  {long_run.name}: wall {long_run.wall_s:.2f} s  peak RSS {fmt_mb(long_run.max_rss)}", flush=True)

    for runs in results.values():
        for r in runs[-1:]:
            r.frames = count_frames(r.output) if r.output else None
    if long_run:
        long_run.frames = count_frames(long_run.output)

    print()
    print(f"| run ({args.repeats} rounds, medians) | wall s (min-max) | CPU s | peak RSS (ru_maxrss) "
          "| tree RSS (sampled) | frames |")
    print("|---|---|---|---|---|---|")
    stats = {}
    for key, runs in results.items():
        s = stats[key] = summarise(runs)
        print(f"| {runs[0].name} | {s['wall']:.2f} ({s['wall_min']:.2f}-{s['wall_max']:.2f}) | {s['cpu']:.2f} "
              f"| {fmt_mb(s['rss'])} | {fmt_mb(s['tree'])} | {runs[-1].frames} |")
    if long_run:
        print(f"| {long_run.name} (1 run) | {long_run.wall_s:.2f} | {long_run.cpu_s:.2f} | {fmt_mb(long_run.max_rss)} "
              f"| {fmt_mb(long_run.tree_rss)} | {long_run.frames} |")

    if not args.no_ssim:
        from smoothness import transition_smoothness

        from services.compositor.spec import Transition

        print("\nTransition smoothness: SSIM of consecutive frames across the 4 transitions of 1 s, "
              f"{WIDTH}x{HEIGHT}, camera still (higher = smoother)")
        print("| transition | mean SSIM | min SSIM | mean SSIM, 1/4 size | min SSIM, 1/4 size | frame pairs |")
        print("|---|---|---|---|---|---|")
        for kind in (Transition.CROSSFADE, Transition.FLOW_MORPH):
            s = transition_smoothness([Path(p) for p in bench.keyframes()], kind, width=WIDTH, height=HEIGHT)
            print(f"| {s.kind} | {s.mean_ssim:.4f} | {s.min_ssim:.4f} | {s.mean_ssim_quarter:.4f} "
                  f"| {s.min_ssim_quarter:.4f} | {s.pairs} |")

    # Other users' load moves wall times by 2x here: ratios within a round (same minute) are steadier.
    pairs = list(zip(results["a"], results["b"], results["c"], strict=True))
    per_round_speedup = [ra.wall_s / rb.wall_s for ra, rb, _ in pairs]
    per_round_floor = [rb.wall_s / rc.wall_s for _, rb, rc in pairs]
    print("\nper round: speedup " + " ".join(f"{x:.2f}" for x in per_round_speedup)
          + f" (median {statistics.median(per_round_speedup):.2f}); floor "
          + " ".join(f"{x:.2f}" for x in per_round_floor) + f" (median {statistics.median(per_round_floor):.2f})")
    a, b, c = stats["a"], stats["b"], stats["c"]
    print(f"CPU time ratio a/b {a['cpu'] / b['cpu']:.2f}, b/c {b['cpu'] / c['cpu']:.2f} "
          "(what the wall ratios tend to when the machine is saturated)")
    print(f"\nffmpeg: {ffmpeg_bin} ({version})")
    speedup, memory, floor = a["wall"] / b["wall"], b["rss"] / a["rss"], b["wall"] / c["wall"]
    print(f"RESULT speedup={speedup:.2f} memory={memory:.3f} floor={floor:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
