"""Durations that sum exactly, and music-video storyboards cut on downbeats and section changes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.storyboard.core import StoryboardWriter
from services.storyboard.domain import MusicAnalysis, MusicContext, MvType, StoryboardRequest
from services.storyboard.settings import StoryboardSettings
from services.storyboard.timing import distribute_lyrics, music_cuts, split_duration
from tests.unit.storyboard.checks import assert_complete, assert_timeline

WRITER = StoryboardWriter(StoryboardSettings())


@settings(max_examples=200, deadline=None)
@given(
    total=st.floats(min_value=1.0, max_value=3600.0),
    weights=st.lists(st.floats(min_value=0.1, max_value=10.0), min_size=1, max_size=60),
)
def test_split_duration_sums_exactly_and_keeps_milliseconds(total, weights):
    durations = split_duration(total, weights)
    assert len(durations) == len(weights)
    assert sum(durations) == total
    assert all(d > 0 for d in durations)
    for d in durations[:-1]:  # whole milliseconds (an ulp off at most, to make the sum exact)
        assert abs(round(d, 3) - d) < 1e-9


def synthetic_track(duration=32.0, bpm=120.0, sections=(16.0,)) -> MusicAnalysis:
    beat = 60.0 / bpm
    beats = [round(i * beat, 3) for i in range(int(duration / beat))]
    hop = 0.5
    # Quiet first half, loud second half.
    energy = [0.2 if i * hop < sections[0] else 0.9 for i in range(int(duration / hop))]
    return MusicAnalysis(
        duration_s=duration, tempo_bpm=bpm, beat_times_s=beats, downbeat_times_s=beats[::4],
        section_boundaries_s=list(sections), energy=energy, energy_hop_s=hop, key="A minor",
    )


def test_music_cuts_land_on_downbeats_with_one_at_each_section_change():
    track = synthetic_track(sections=(16.0,))
    cuts = music_cuts(track, 6, 60)
    assert 16.0 in cuts.boundaries_s
    assert len(cuts.boundaries_s) == 5
    assert all(b in track.downbeat_times_s for b in cuts.boundaries_s)
    assert cuts.boundaries_s == sorted(cuts.boundaries_s)


def test_too_few_scenes_for_the_sections_are_raised():
    track = synthetic_track(duration=40.0, sections=(8.0, 16.0, 24.0, 32.0))
    cuts = music_cuts(track, 2, 60)
    assert cuts.scene_count_raised
    assert [b for b in cuts.boundaries_s] == [8.0, 16.0, 24.0, 32.0]


def test_music_video_storyboard_follows_the_track():
    track = synthetic_track()
    lyrics = "first line of the verse\nsecond line of the verse\nthe chorus rises\nthe chorus falls"
    storyboard = WRITER.create(StoryboardRequest(
        prompt="", scene_count=0, duration_s=60.0, seed=4,
        music=MusicContext(track, ["synthwave", "retro"], MvType.DANCE_PERFORMANCE, lyrics),
    ))
    assert_timeline(storyboard, 32.0)  # the track's length, not the requested 60 s
    assert_complete(storyboard, music_video=True)
    starts = [s.start_s for s in storyboard.scenes[1:]]
    assert 16.0 in starts
    assert all(any(abs(t - b) < 1 / 24 for b in track.beat_times_s) for t in starts)  # within one frame
    # Motion follows the energy curve: the loud half moves more.
    quiet = [s.motion_intensity for s in storyboard.scenes if s.start_s < 16.0]
    loud = [s.motion_intensity for s in storyboard.scenes if s.start_s >= 16.0]
    assert max(quiet) < min(loud)
    # Lyrics distributed in order, none lost.
    sung = " / ".join(s.lyrics for s in storyboard.scenes if s.lyrics)
    assert sung.split(" / ") == lyrics.splitlines()
    # An overview and a breakdown every 2 s covering the track.
    mv = storyboard.mv_description
    assert mv is not None and "dance performance" in mv.overview and "120 BPM" in mv.overview
    assert [seg.start_s for seg in mv.breakdown] == [float(t) for t in range(0, 32, 2)]
    assert mv.breakdown[-1].end_s == 32.0
    assert storyboard.music.tempo_bpm == 120.0 and "synthwave" in storyboard.music.genre
    codes = [w.code for w in storyboard.provenance.warnings]
    assert "storyboard_duration_from_track" in codes


def test_timed_lyrics_are_placed_by_their_time_stamps():
    lines = distribute_lyrics("[00:01.00]one\n[00:12.50]two\n[00:20.00]three", [0.0, 10.0, 20.0], [10.0, 10.0, 12.0])
    assert lines == ["one", "two", "three"]


@pytest.mark.parametrize("mv_type", list(MvType))
def test_every_mv_type_writes_a_complete_storyboard(mv_type):
    storyboard = WRITER.create(StoryboardRequest(
        prompt="neon rain", scene_count=4, music=MusicContext(synthetic_track(), ["pop"], mv_type, ""),
    ))
    assert_complete(storyboard, music_video=True)
    assert len(storyboard.scenes) == 4
