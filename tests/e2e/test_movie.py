"""A prompt becomes a movie on the real local stack (five processes on loopback), through the CLI:
narrated (Piper), scored (procedural), captioned; checked with ffprobe; storyboard and captions
downloadable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from services.common import ffmpeg
from tests.e2e.stack_support import running_stack

FPS, WIDTH, HEIGHT, DURATION = 12, 320, 180, 10.0


def cinesynth(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "client.cli", *args], capture_output=True, text=True, env=env, timeout=240, check=False
    )


@pytest.mark.e2e
def test_prompt_to_narrated_scored_captioned_mp4(tmp_path: Path) -> None:
    stack_env = {"CINESYNTH_X264_PRESET": "veryfast", "HF_HUB_OFFLINE": "1"}
    with running_stack(tmp_path / "run", stack_env) as config:
        env = {**os.environ, "CINESYNTH_GATEWAY": config.target("gateway")}
        movie, storyboard = tmp_path / "movie.mp4", tmp_path / "storyboard.json"
        done = cinesynth(
            "generate", "a beekeeper and her grandson follow a swarm across the hills",
            "--duration", str(DURATION), "--scenes", "3", "--fps", str(FPS), "--size", f"{WIDTH}x{HEIGHT}",
            "--tier", "draft", "--voice", "piper", "--music-source", "procedural",
            "--out", str(movie), "--storyboard-out", str(storyboard), "--json",
            env=env,
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        job = json.loads(done.stdout.strip().splitlines()[-1])["job"]
        assert job["state"] == "JOB_STATE_SUCCEEDED"

        probe = ffmpeg.probe(movie, count_frames=True)
        streams = {s["codec_type"]: s for s in probe["streams"]}
        video, audio = streams["video"], streams["audio"]
        assert (video["codec_name"], video["pix_fmt"]) == ("h264", "yuv420p")
        assert (video["width"], video["height"]) == (WIDTH, HEIGHT)
        assert video["r_frame_rate"] == f"{FPS}/1"
        assert int(video["nb_read_frames"]) == int(DURATION * FPS)
        assert abs(float(probe["format"]["duration"]) - DURATION) <= 1 / FPS
        assert audio["codec_name"] == "aac"
        assert streams["subtitle"]["codec_name"] == "mov_text"

        board = json.loads(storyboard.read_text())
        board = board.get("storyboard", board)
        assert len(board["scenes"]) == 3
        assert abs(sum(s["duration_s"] for s in board["scenes"]) - DURATION) < 1e-6
        assert all(s["narration"] for s in board["scenes"])

        warnings = {w.get("code") for w in job.get("warnings", [])}
        assert not warnings & {"tts_fallback", "music_fallback"}, warnings
        captions = tmp_path / "captions.srt"
        done = cinesynth("download", job["name"], "--kind", "srt", "--out", str(captions), env=env)
        assert done.returncode == 0, done.stderr
        assert "-->" in captions.read_text()
        downloaded = tmp_path / "downloaded.json"
        done = cinesynth("download", job["name"], "--kind", "storyboard", "--out", str(downloaded), env=env)
        assert done.returncode == 0, done.stderr
        assert json.loads(downloaded.read_text())["scenes"][0]["index"] == 0
