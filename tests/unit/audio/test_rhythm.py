"""Beat, downbeat and tempo tracking on generated music with known beats (services.audio.rhythm)."""

from __future__ import annotations

import numpy as np
import pytest

from services.audio.analysis import analyze_samples
from services.audio.model import MusicAnalysisResult
from services.audio.rhythm import evaluate, synth, tracker


def test_the_evaluation_set_is_broad_and_its_references_are_consistent():
    specs = synth.evaluation_set()
    with_beat = [s for s in specs if not s.beatless]
    assert len(with_beat) >= 30 and {s.beatless for s in specs} == {"", "silence", "noise", "drone"}
    tempi = [s.bpm for s in with_beat]
    assert min(tempi) == pytest.approx(60, abs=0.1) and max(tempi) == pytest.approx(200, abs=0.1)
    assert {s.meter for s in with_beat} == {3, 4} and any(s.bpm_end for s in with_beat)
    assert {"swing", "syncopated", "halftime", "four_floor", "no_kick"} <= {s.groove for s in with_beat}
    ramp = synth.TrackSpec("ramp", bpm=100.0, bpm_end=130.0, groove="rock", seconds=20.0, pickup_beats=1)
    grid = synth.beat_grid(ramp)
    first, last = 60 / np.diff(grid)[0], 60 / np.diff(grid)[-1]
    assert first == pytest.approx(100, rel=0.02) and last == pytest.approx(130, rel=0.03)
    track = synth.render(synth.TrackSpec("t", bpm=120.0, groove="rock", seconds=8.0, pickup_beats=1, seed=3))
    assert track.audio.shape == (8 * synth.SR,) and np.abs(track.audio).max() == pytest.approx(0.9)
    assert np.isin(track.downbeats, track.beats).all() and track.downbeats[0] == track.beats[1]
    assert np.allclose(np.diff(track.downbeats), 2.0)


def perfect(track: synth.SynthTrack) -> MusicAnalysisResult:
    return MusicAnalysisResult(track.audio.size / track.sr, track.tempo_bpm, tuple(track.beats),
                               tuple(track.downbeats), tuple(track.sections), (0.5,) * 20, 1.0, "")


def test_scoring_a_perfect_analysis_gives_full_marks_and_cuts_within_a_frame():
    track = synth.render(synth.TrackSpec("t", bpm=97.0, groove="swing", seconds=24.0, break_bar=4, seed=1))
    score = evaluate.score_track(track, perfect(track))
    assert score.beat_f == 1.0 and score.downbeat_f == 1.0 and score.cmlt == 1.0 and score.tempo_ok
    assert score.cut_offsets_frames and max(score.cut_offsets_frames) <= 0.5  # frame rounding only
    half = perfect(track)
    half = MusicAnalysisResult(half.duration_s, half.tempo_bpm / 2, half.beat_times_s[::2], half.downbeat_times_s,
                               (), half.energy, 1.0, "")
    halved = evaluate.score_track(track, half)
    assert not halved.tempo_ok and halved.beat_f < 0.7 and halved.amlt == 1.0
    summary = evaluate.summarise([score, halved])
    assert summary["tempo_acc"] == 0.5 and summary["cut_within_1_frame"] == 1.0


@pytest.mark.parametrize(
    ("spec", "meter"),
    [
        (synth.TrackSpec("waltz", bpm=132.0, groove="waltz", meter=3, seconds=14.0, seed=5), 3),
        (synth.TrackSpec("fast-four", bpm=174.0, groove="four_floor", seconds=14.0, pickup_beats=1, seed=6), 4),
    ],
)
def test_tempo_meter_and_downbeats_are_found(spec, meter):
    track = synth.render(spec)
    result = analyze_samples(track.audio, track.sr, energy_hop_s=0.5)
    score = evaluate.score_track(track, result)
    assert score.tempo_ok, (result.tempo_bpm, track.tempo_bpm)
    assert score.beat_f >= 0.95 and score.downbeat_f >= 0.9
    assert np.allclose(np.diff(result.downbeat_times_s), meter * 60 / spec.bpm, rtol=0.05)


def test_a_track_without_a_pulse_has_no_beats():
    noise = synth.render(synth.TrackSpec("noise", bpm=0.0, groove="", seconds=10.0, beatless="noise"))
    envs = tracker.envelopes(noise.audio, noise.sr)
    assert tracker.pulse_clarity(envs.full, envs.frame_rate) < tracker.MIN_PULSE_CLARITY
    result = analyze_samples(noise.audio, noise.sr, energy_hop_s=0.5)
    assert result.beat_times_s == () and result.downbeat_times_s == () and result.tempo_bpm == 0
    assert len(result.energy) == 20  # the rest of the analysis still happens


def test_an_unknown_tracker_is_refused():
    with pytest.raises(ValueError, match="tracker must be one of"):
        analyze_samples(np.zeros(22050, dtype=np.float32), 22050, energy_hop_s=0.5, tracker="nope")


def test_the_opt_in_madmom_backend_tracks_beats_and_bars_when_installed():
    pytest.importorskip("madmom", exc_type=ImportError)  # `make setup-madmom`; PackageNotFoundError is one
    track = synth.render(synth.TrackSpec("m", bpm=120.0, groove="rock", seconds=8.0, seed=2))
    result = analyze_samples(track.audio, track.sr, energy_hop_s=0.5, tracker="madmom")
    assert abs(result.tempo_bpm - 120.0) <= 4.8
    assert np.allclose(np.diff(result.downbeat_times_s), 2.0, atol=0.05)
