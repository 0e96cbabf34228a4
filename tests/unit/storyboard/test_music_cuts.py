"""Music-video cuts: on downbeats, on beats when cutting faster, at even times when there is no beat."""

from __future__ import annotations

import pytest

from services.storyboard.core import StoryboardWriter
from services.storyboard.domain import MusicAnalysis, MusicContext, MvType, StoryboardRequest
from services.storyboard.settings import StoryboardSettings
from services.storyboard.timing import NO_BEAT_TRACKS, distribute_lyrics, music_cuts, sung_span
from tests.unit.storyboard.test_timing_and_music import synthetic_track

WRITER = StoryboardWriter(StoryboardSettings())


@pytest.mark.parametrize("fps", [24, 25, 30])
def test_cuts_land_within_a_frame_of_a_downbeat_at_any_frame_rate(fps):
    track = synthetic_track(duration=40.0, bpm=97.0, sections=(19.794,))
    track.downbeat_times_s = track.beat_times_s[::4]
    cuts = music_cuts(track, None, 60)
    assert cuts.grid == "downbeat" and 19.794 in cuts.boundaries_s
    for cut in cuts.boundaries_s:
        frame = round(cut * fps) / fps  # where the compositor puts the scene boundary
        assert min(abs(frame - d) for d in track.downbeat_times_s) <= 1 / fps


def test_faster_cutting_than_the_downbeats_allow_cuts_on_beats():
    track = synthetic_track(duration=16.0, bpm=120.0, sections=(8.0,))  # 8 downbeats, 32 beats
    cuts = music_cuts(track, 20, 60)
    assert cuts.grid == "beat" and len(cuts.boundaries_s) == 19
    assert all(b in track.beat_times_s for b in cuts.boundaries_s)
    assert cuts.boundaries_s == sorted(set(cuts.boundaries_s))


def test_a_track_with_no_beat_gets_even_cuts_and_a_warning():
    silent = MusicAnalysis(duration_s=30.0, energy=[0.0] * 60, energy_hop_s=0.5)
    cuts = music_cuts(silent, 5, 60)
    assert cuts.grid == "time"
    assert cuts.boundaries_s == pytest.approx([6.0, 12.0, 18.0, 24.0], abs=1e-3)
    before = NO_BEAT_TRACKS._value.get()
    storyboard = WRITER.create(StoryboardRequest(
        prompt="", scene_count=5, music=MusicContext(silent, ["ambient"], MvType.NATURE_SCENIC, ""),
    ))
    assert NO_BEAT_TRACKS._value.get() == before + 1
    assert len(storyboard.scenes) == 5 and sum(s.duration_s for s in storyboard.scenes) == 30.0
    warning = next(w for w in storyboard.provenance.warnings if w.code == "storyboard_music_no_beat")
    assert "no beat was detected" in warning.message


def test_untimed_lyrics_are_spread_over_the_sung_part_in_order():
    # 40 s: a quiet 10 s intro and a quiet 6 s outro around the loud part.
    energy = [0.1] * 20 + [0.8] * 48 + [0.1] * 12
    track = MusicAnalysis(duration_s=40.0, energy=energy, energy_hop_s=0.5)
    assert sung_span(track, 40.0) == (10.0, 34.0)
    starts, durations = [0.0, 10.0, 20.0, 30.0], [10.0, 10.0, 10.0, 10.0]
    lines = ["one", "two", "three", "four", "five", "six"]
    placed = distribute_lyrics("\n".join(lines), starts, durations, track)
    assert placed[0] == ""  # the intro stays instrumental
    assert " / ".join(p for p in placed if p).split(" / ") == lines
    assert sung_span(None, 40.0) == (0.0, 40.0)
    assert distribute_lyrics("\n".join(lines), starts, durations)[0] != ""  # no curve: the whole film
