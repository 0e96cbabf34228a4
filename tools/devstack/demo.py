"""`make demo`: start the local stack, render a movie from a default prompt with the offline defaults
(planner storyboard, draft tier, Piper voice, procedural score, SQLite, file:// store), print where
the MP4 is, and stop the stack again (unless it was already running).

`make bench-e2e` (bench/e2e.py) renders the same film on a stack on free ports, timed per stage.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from tools.devstack import stack

DEMO_PROMPT = "a lighthouse keeper's last night before the storm"
OFFLINE_DEFAULTS = ("--tier", "draft", "--voice", "piper", "--music", "procedural", "--storyboard-backend", "planner")


def _cli() -> str:
    script = Path(sys.executable).with_name("cinesynth")
    return str(script) if script.exists() else "cinesynth"


def _ensure_up(config: stack.StackConfig) -> bool:
    """Start the stack unless every service already answers; returns whether we started it."""
    health = asyncio.run(stack.health_table(config))
    if all(status == "SERVING" for status in health.values()):
        print("using the running local stack")
        return False
    if stack.up(config) != 0:
        raise SystemExit(1)
    return True


def generate_argv(config: stack.StackConfig, out: Path, storyboard_out: Path, extra: Sequence[str] = ()) -> list[str]:
    return [
        _cli(), "generate", DEMO_PROMPT,
        "--gateway", config.target("gateway"),
        *OFFLINE_DEFAULTS,
        "--duration", "60", "--scenes", "5",
        "--out", str(out), "--storyboard-out", str(storyboard_out),
        *extra,
    ]


def run_demo(config: stack.StackConfig) -> int:
    out_dir = (config.run_dir / "demo").resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    movie, storyboard = out_dir / "cinesynth-demo.mp4", out_dir / "storyboard.json"
    started = _ensure_up(config)
    try:
        print(f'rendering "{DEMO_PROMPT}" (60 s, 5 scenes, offline defaults)')
        code = subprocess.call(generate_argv(config, movie, storyboard))
    finally:
        if started:
            stack.stop(config)
    if code != 0:
        print(f"demo failed (exit {code}); service logs are in {config.run_dir / 'logs'}", file=sys.stderr)
        return code
    print(f"\nyour movie: {movie}\nits storyboard: {storyboard}")
    return 0
