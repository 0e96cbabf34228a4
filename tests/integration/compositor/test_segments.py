"""Segment-parallel compose: a film rendered in segments and joined by stream copy is the same film,
frame for frame, as a single-pass render (lossless x264 makes that checkable by checksums)."""

from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from services.common import ffmpeg
from services.common.artifacts import FileArtifactStore
from services.common.errors import InvalidArgument
from services.compositor.core import Compositor
from services.compositor.segments import cut_frames, plan_segments
from services.compositor.settings import CompositorSettings
from services.compositor.spec import CameraMotion, ComposeRequest, EncoderSpec, SceneSpec
from services.compositor.timeline import plan_composition
from services.compositor.verify import probe_argv

W, H, FPS = 96, 64, 24
SRT = b"1\n00:00:00,200 --> 00:00:01,000\nOne.\n\n2\n00:00:02,000 --> 00:00:03,000\nTwo.\n"


def keyframe(i: int) -> np.ndarray:
    rng = np.random.default_rng(i)
    small = rng.integers(0, 255, (6, 9, 3), np.uint8)
    img = cv2.resize(small, (180, 120), interpolation=cv2.INTER_CUBIC)
    cv2.circle(img, (30 + 40 * i, 60), 18, (240, 230, 200), -1)
    return img


@pytest.fixture
def studio(tmp_path: Path) -> tuple[Compositor, ComposeRequest, FileArtifactStore]:
    store = FileArtifactStore(tmp_path / "store")
    uris = []
    for i in range(4):
        _, png = cv2.imencode(".png", keyframe(i))
        uris.append(store.put_bytes(f"in/k{i}.png", png.tobytes()).uri)
    wav = tmp_path / "tone.wav"
    subprocess.run([ffmpeg.ffmpeg_path(), "-v", "error", "-f", "lavfi", "-i", "sine=f=330:d=4", "-ac", "2", str(wav)],
                   check=True)
    soundtrack = store.put_file("in/soundtrack.wav", wav).uri
    srt = store.put_bytes("in/captions.srt", SRT, "application/x-subrip").uri
    moves = ("dolly-in", "pan-right", "static", "crane-up")
    transitions = ("crossfade", "cut", "flow_morph", "cut")
    request = ComposeRequest(
        scenes=tuple(
            SceneSpec(u, 1.0, CameraMotion(move=m), transition=t, transition_s=0.5)
            for u, m, t in zip(uris, moves, transitions, strict=True)
        ),
        fps=FPS, width=W, height=H, encoder=EncoderSpec(codec="libx264", preset="ultrafast", crf=0),
        soundtrack_uri=soundtrack, captions_srt_uri=srt, output_prefix="film",
    )
    return Compositor(CompositorSettings(work_dir=str(tmp_path / "work")), store), request, store


def frame_digests(path: Path) -> list[str]:
    raw = subprocess.run(
        [ffmpeg.ffmpeg_path(), "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"],
        check=True, capture_output=True,
    ).stdout
    size = W * H * 3 // 2
    return [hashlib.md5(raw[i : i + size]).hexdigest() for i in range(0, len(raw), size)]


def test_joined_segments_equal_a_single_pass_frame_for_frame(studio):
    compositor, request, store = studio
    plan = compositor.prepare(request)
    single = compositor.render(plan)
    # Splits inside a crossfade (frame 24 of 12..36), inside the flow morph (frame 72) and on a cut (48).
    ranges = [(0, 24), (24, 48), (48, 72), (72, 96)]
    assert 48 in cut_frames(plan.timeline)
    segments = [compositor.render_segment(plan, a, b) for a, b in ranges]
    assert [s.end - s.start for s in segments] == [24] * 4
    joined = compositor.join_segments(plan, list(reversed(segments))[::-1])
    single_path = store.local_path(single.video.stored.uri)
    joined_path = store.local_path(joined.video.stored.uri)
    ours, theirs = frame_digests(joined_path), frame_digests(single_path)
    assert len(ours) == len(theirs) == 96 == joined.frame_count
    assert ours == theirs, [i for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b]

    info = json.loads(ffmpeg.run(probe_argv(joined_path)))
    kinds = {s["codec_type"]: s for s in info["streams"]}
    assert kinds["video"]["nb_read_packets"] == "96" and kinds["video"]["color_space"] == "bt709"
    assert kinds["audio"]["codec_name"] == "aac" and kinds["subtitle"]["codec_name"] == "mov_text"
    assert abs(float(kinds["video"]["duration"]) - 4.0) < 1 / FPS
    # Timestamps run on without a gap or a repeat at the joins.
    pts = subprocess.run(
        [ffmpeg.ffprobe_path(), "-v", "error", "-select_streams", "v", "-show_entries", "packet=pts_time",
         "-of", "csv=p=0", str(joined_path)], check=True, capture_output=True, text=True,
    ).stdout.split()
    times = sorted(float(t) for t in pts)
    assert np.allclose(np.diff(times), 1 / FPS, atol=1e-3)
    # The poster and contact sheet came from the segments' frames.
    assert joined.poster.stored.size_bytes > 0 and joined.contact_sheet.stored.size_bytes > 0
    poster = cv2.imdecode(np.frombuffer(store.get_bytes(joined.poster.stored.uri), np.uint8), cv2.IMREAD_COLOR)
    assert poster.shape == (H, W, 3)
    assert joined.srt is not None and joined.vtt is not None


def test_join_refuses_segments_that_do_not_tile_the_film(studio):
    compositor, request, _ = studio
    plan = compositor.prepare(request)
    a, b = compositor.render_segment(plan, 0, 40), compositor.render_segment(plan, 50, 96)
    with pytest.raises(InvalidArgument) as caught:
        compositor.join_segments(plan, [a, b])
    assert caught.value.violations[0].field == "segments[1].frames"
    with pytest.raises(InvalidArgument):
        compositor.render_segment(plan, 90, 120)


def test_plans_split_at_cuts_when_near_and_evenly_otherwise():
    settings = CompositorSettings()
    scenes = tuple(SceneSpec("file:///k.png", d, transition=t) for d, t in
                   ((14.0, "cut"), (16.0, "cut"), (10.0, "crossfade"), (20.0, "cut")))
    timeline = plan_composition(ComposeRequest(scenes, fps=24), settings).timeline
    assert timeline.frame_count == 1440
    assert plan_segments(timeline, 1, 48) == [(0, 1440)]
    assert cut_frames(timeline) == [336, 720]
    assert plan_segments(timeline, 2, 48) == [(0, 720), (720, 1440)]  # the cut at 30 s is exactly halfway
    quarters = plan_segments(timeline, 4, 48)
    # 360 moves to the cut at 336; 1080 has only a crossfade near it (960), so it stays.
    assert [a for a, _ in quarters] == [0, 336, 720, 1080]
    assert plan_segments(timeline, 256, 48)[-1][1] == 1440 and len(plan_segments(timeline, 256, 48)) == 30
    with pytest.raises(InvalidArgument):
        plan_segments(timeline, 0, 48)


def packet_hashes(path: Path) -> list[str]:
    out = subprocess.run(
        [ffmpeg.ffmpeg_path(), "-v", "error", "-i", str(path), "-map", "0:a:0", "-c", "copy", "-f", "framemd5", "-"],
        check=True, capture_output=True, text=True,
    ).stdout
    return [line.rsplit(",", 1)[-1].strip() for line in out.splitlines() if line and not line.startswith("#")]


def test_an_aac_soundtrack_of_the_films_length_is_muxed_as_it_is(studio, tmp_path: Path):
    compositor, request, store = studio
    m4a = tmp_path / "soundtrack.m4a"
    subprocess.run([ffmpeg.ffmpeg_path(), "-v", "error", "-f", "lavfi", "-i", "sine=f=220:d=4:sample_rate=48000",
                    "-ac", "2", "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", str(m4a)], check=True)
    uri = store.put_file("in/soundtrack.m4a", m4a).uri
    plan = compositor.prepare(replace(request, soundtrack_uri=uri, captions_srt_uri=""))
    segments = [compositor.render_segment(plan, 0, 48), compositor.render_segment(plan, 48, 96)]
    for outcome in (compositor.join_segments(plan, segments), compositor.render(plan)):
        assert packet_hashes(store.local_path(outcome.video.stored.uri)) == packet_hashes(m4a)
    # A track that is not the film's length is encoded (trimmed or padded) instead.
    short = tmp_path / "short.m4a"
    subprocess.run([ffmpeg.ffmpeg_path(), "-v", "error", "-f", "lavfi", "-i", "sine=f=220:d=3", "-c:a", "aac",
                    str(short)], check=True)
    plan = compositor.prepare(replace(request, soundtrack_uri=store.put_file("in/short.m4a", short).uri))
    outcome = compositor.render(plan)
    assert packet_hashes(store.local_path(outcome.video.stored.uri)) != packet_hashes(short)
