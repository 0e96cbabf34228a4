"""Music-video cuts from a real analysis of generated music, placed on frames by the compositor's timeline."""

from __future__ import annotations

import numpy as np
import pytest

from services.audio.analysis import analyze_samples
from services.audio.rhythm import synth
from services.compositor.spec import Transition
from services.compositor.timeline import build_timeline
from services.storyboard.domain import MusicAnalysis
from services.storyboard.timing import durations_from_boundaries, music_cuts


def grid(duration: float, bpm: float, meter: int = 4, first: float = 0.5) -> MusicAnalysis:
    beats = [round(first + i * 60 / bpm, 3) for i in range(int((duration - first) * bpm / 60))]
    return MusicAnalysis(duration_s=duration, tempo_bpm=bpm, beat_times_s=beats, downbeat_times_s=beats[::meter],
                         energy=[0.5] * int(duration * 2), energy_hop_s=0.5)


def test_a_section_change_found_a_beat_off_the_bar_is_cut_on_the_downbeat():
    track = grid(32.0, 120.0)
    downbeat = track.downbeat_times_s[8]
    track.section_boundaries_s = [track.beat_times_s[33]]  # one beat after the downbeat at beat 32
    cuts = music_cuts(track, None, 60)
    assert downbeat in cuts.boundaries_s and track.beat_times_s[33] not in cuts.boundaries_s
    track.section_boundaries_s = [track.beat_times_s[31]]  # one beat before it
    assert downbeat in music_cuts(track, None, 60).boundaries_s


def test_a_section_change_with_no_downbeat_within_a_beat_stays_where_it_was_found():
    track = grid(32.0, 120.0)
    track.section_boundaries_s = [track.beat_times_s[34]]  # two beats from either downbeat
    cuts = music_cuts(track, None, 60)
    assert track.beat_times_s[34] in cuts.boundaries_s


def frames_of(analysis: MusicAnalysis, scene_count: int | None, fps: int) -> tuple[list[float], int]:
    """Interior cut times on the compositor's frames, and the film's frame count."""
    boundaries = music_cuts(analysis, scene_count, 64).boundaries_s
    durations = durations_from_boundaries(boundaries, analysis.duration_s)
    transitions = [Transition.CUT] * (len(durations) - 1)
    timeline = build_timeline(durations, transitions, [0.0] * len(transitions), fps)
    return [scene.start / fps for scene in timeline.scenes[1:]], timeline.frame_count


@pytest.mark.parametrize(
    "spec",
    [
        synth.TrackSpec("rock-break", bpm=131.0, groove="rock", seconds=24.0, break_bar=4, pickup_beats=1, seed=21),
        synth.TrackSpec("waltz-intro", bpm=104.0, groove="waltz", meter=3, seconds=24.0, quiet_intro_bars=2, seed=22),
        synth.TrackSpec("halftime-ramp", bpm=84.0, bpm_end=96.0, groove="halftime", seconds=24.0, seed=23),
    ],
)
def test_every_cut_of_a_music_video_is_within_a_frame_of_a_downbeat_and_the_frames_add_up(spec):
    track = synth.render(spec)
    result = analyze_samples(track.audio, track.sr, energy_hop_s=0.5)
    analysis = MusicAnalysis(
        duration_s=result.duration_s, tempo_bpm=result.tempo_bpm, beat_times_s=list(result.beat_times_s),
        downbeat_times_s=list(result.downbeat_times_s), section_boundaries_s=list(result.section_boundaries_s),
        energy=list(result.energy), energy_hop_s=result.energy_hop_s,
    )
    for fps in (24, 30):
        cuts, frame_count = frames_of(analysis, None, fps)
        assert frame_count == round(spec.seconds * fps), "the scenes' frames add up to the track"
        assert cuts, "a 24 s track has cuts"
        offsets = [float(np.min(np.abs(track.downbeats - t))) * fps for t in cuts]
        assert max(offsets) <= 1.0, offsets
        fast, _ = frames_of(analysis, 24, fps)  # faster cutting than the bars allow: on beats
        assert max(float(np.min(np.abs(track.beats - t))) * fps for t in fast) <= 1.0
