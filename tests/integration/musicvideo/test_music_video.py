"""Acceptance: a synthetic 32 s, 120 BPM track with a section change at 16 s -> a 32 s beat-cut music video.

Through the `cinesynth` CLI (upload in chunks, create, follow, download) on the real services; the MP4
is checked with ffprobe and its decoded audio against the track.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from services.common import ffmpeg, pb
from tests.integration.musicvideo.conftest import SAMPLE_RATE, LocalStack, write_track

video = pb.video_pb2
common = pb.common_pb2

FPS = 12
BPM = 120.0
TRACK_S = 32.0
SECTION_CHANGE_S = 16.0
ENVELOPE_HOP_S = 0.01
LYRICS = "[00:02.00] lights on the water\n[00:10.00] we keep on moving\n[00:18.00] all night long\n"


def decode_mono(path: Path) -> np.ndarray:
    """The file's audio as mono float32 at SAMPLE_RATE (ffmpeg decodes it)."""
    raw = subprocess.run(
        [ffmpeg.ffmpeg_path(), "-v", "error", "-i", str(path), "-map", "0:a:0", "-ac", "1",
         "-ar", str(SAMPLE_RATE), "-f", "f32le", "-"],
        check=True, capture_output=True, timeout=60,
    ).stdout  # raw bytes: ffmpeg.run decodes stdout as text
    return np.frombuffer(raw, dtype=np.float32)


def envelope(y: np.ndarray) -> np.ndarray:
    """RMS in 10 ms frames."""
    hop = round(ENVELOPE_HOP_S * SAMPLE_RATE)
    frames = y[: y.size // hop * hop].reshape(-1, hop)
    return np.sqrt((frames.astype(np.float64) ** 2).mean(axis=1))


def best_alignment(a: np.ndarray, b: np.ndarray, max_lag: int = 20) -> tuple[float, int]:
    """(Pearson correlation, lag in frames) of the best alignment of two envelopes within +-max_lag."""
    n = min(a.size, b.size) - 2 * max_lag
    best = (-1.0, 0)
    for lag in range(-max_lag, max_lag + 1):
        x = a[max_lag : max_lag + n]
        y = b[max_lag + lag : max_lag + lag + n]
        r = float(np.corrcoef(x, y)[0, 1])
        best = max(best, (r, lag))
    return best


def test_track_to_beat_synced_music_video(mv_stack: LocalStack, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    track = write_track(tmp_path / "night drive.wav", TRACK_S, SECTION_CHANGE_S)
    lyrics = tmp_path / "lyrics.lrc"
    lyrics.write_text(LYRICS)
    out, board = tmp_path / "mv.mp4", tmp_path / "mv-storyboard.json"

    code = mv_stack.cli(
        "generate", "--music", str(track), "--mv-type", "dance-performance", "--genre", "techno",
        "--genre", "house", "--lyrics", str(lyrics), "--size", "320x180", "--fps", str(FPS), "--seed", "3",
        "--out", str(out), "--storyboard-out", str(board),
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "uploaded night drive.wav" in captured.err and "[analyze_music" in captured.err

    # A 32 s MP4 at the asked size and rate, with the track as its audio and the lyrics as captions.
    probe = ffmpeg.probe(out, count_frames=True)
    streams = {s["codec_type"]: s for s in probe["streams"]}
    picture, sound = streams["video"], streams["audio"]
    assert (picture["width"], picture["height"], picture["r_frame_rate"]) == (320, 180, f"{FPS}/1")
    assert int(picture["nb_read_frames"]) == TRACK_S * FPS
    assert abs(float(probe["format"]["duration"]) - TRACK_S) <= 1 / FPS
    assert abs(float(sound["duration"]) - TRACK_S) <= 0.05
    assert "subtitle" in streams, "the lyrics are a caption track"

    original, mixed = envelope(decode_mono(track)), envelope(decode_mono(out))
    correlation, lag = best_alignment(original, mixed)
    assert correlation >= 0.9 and abs(lag) <= 2, (correlation, lag)
    # The section change survives: the second half is louder in both, by about as much.
    half = original.size // 2
    rise = [20 * np.log10(np.sqrt(np.mean(e[half:] ** 2)) / np.sqrt(np.mean(e[:half] ** 2))) for e in (original, mixed)]
    assert abs(rise[0] - rise[1]) <= 1.5, rise

    # Every cut of the saved storyboard lies on a beat (within one frame); one of them at 16 s.
    storyboard = json.loads(board.read_text())
    scenes = storyboard["scenes"]
    assert abs(storyboard["total_duration_s"] - TRACK_S) <= 0.05
    assert abs(sum(s["duration_s"] for s in scenes) - storyboard["total_duration_s"]) < 1e-6
    cuts = [s["start_s"] for s in scenes[1:]]
    assert len(cuts) >= 2
    beat_s = 60.0 / BPM
    for cut in cuts:
        assert abs(cut - round(cut / beat_s) * beat_s) <= 1 / FPS, f"cut at {cut} s is off the beat"
    assert min(abs(cut - SECTION_CHANGE_S) for cut in cuts) <= 1 / FPS, cuts
    # The MV description: an overview and a breakdown every 2 s over the whole track.
    description = storyboard["mv_description"]
    assert description["overview"].strip()
    breakdown = description["breakdown"]
    assert len(breakdown) == TRACK_S / 2
    assert [round(b["start_s"], 3) for b in breakdown] == [2.0 * i for i in range(16)]
    assert all(b["description"].strip() for b in breakdown)
    assert any("all night long" in s.get("lyrics", "") for s in scenes)
    # Motion follows the energy curve: the louder second section moves more.
    assert all(0 < s["motion_intensity"] <= 1 for s in scenes)
    first = [s["motion_intensity"] for s in scenes if s["start_s"] < SECTION_CHANGE_S - 1 / FPS]
    second = [s["motion_intensity"] for s in scenes if s["start_s"] >= SECTION_CHANGE_S - 1 / FPS]
    assert min(second) > max(first), (first, second)

    # The job: analysed first, no narration, the upload kept as its music artifact.
    job = mv_stack.stub.ListJobs(video.ListJobsRequest(page_size=1), metadata=mv_stack.auth()).jobs[0]
    assert job.source_kind == "music" and job.state == video.JOB_STATE_SUCCEEDED
    assert job.prompt == storyboard["prompt"] and "dance" in job.prompt, "written from the MV type and tags"
    assert abs(job.spec.duration_s - TRACK_S) <= 0.05 and job.spec.scene_count == len(scenes)
    assert job.spec.voice.voice == "none" and job.spec.music_source == common.MUSIC_SOURCE_PROVIDED
    stages = [t.stage for t in job.timings]
    assert stages[0] == video.JOB_STAGE_ANALYZE_MUSIC and video.JOB_STAGE_COMPOSE in stages
    artifacts = {a.name: a for a in job.artifacts}
    assert artifacts["music.wav"].kind == common.ARTIFACT_KIND_MUSIC
    assert artifacts["music.wav"].sha256 == hashlib.sha256(track.read_bytes()).hexdigest()
    assert {"video.mp4", "storyboard.json", "captions.srt"} <= set(artifacts)
