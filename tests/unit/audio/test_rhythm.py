"""Beat, downbeat and tempo tracking on generated music with known beats (services.audio.rhythm)."""

from __future__ import annotations

import numpy as np
import pytest

from services.audio.analysis import analyze_samples, regrid_ends
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


@pytest.mark.parametrize(
    "spec",
    [
        # Snare on 3 and a kick on the last off-beat: loud off-beats, but the hats are accented on the beat.
        synth.TrackSpec("halftime", bpm=82.0, groove="halftime", seconds=16.0, seed=7),
        # Kicks on the off-beats of a slow groove: not twice as fast.
        synth.TrackSpec("slow-syncopated", bpm=62.0, groove="syncopated", seconds=16.0, seed=8),
        # Hats and bass only, fast: the hats on every beat are as accented as each other, so not half as fast.
        synth.TrackSpec("fast-shaker", bpm=190.0, groove="shaker", seconds=12.0, seed=9),
    ],
)
def test_the_metrical_level_follows_the_accents_not_the_loudest_hits(spec):
    track = synth.render(spec)
    bpm = tracker.choose_level(tracker.envelopes(track.audio, track.sr))
    assert bpm == pytest.approx(track.tempo_bpm, rel=0.04)


def test_a_tempo_a_third_off_is_brought_back_to_the_beat_that_explains_the_bars():
    # An even stream of sixteenths: three of them (4/3 of the tempo) make a periodicity too.
    track = synth.render(synth.TrackSpec("shaker", bpm=88.6, groove="shaker", seconds=16.0, seed=11))
    envs = tracker.envelopes(track.audio, track.sr)

    def octaves_from_the_tempo(bpm: float) -> float:  # the level is chosen among octaves afterwards
        return float(np.log2(bpm / track.tempo_bpm))

    for wrong in (4 / 3, 2 / 3):
        octaves = octaves_from_the_tempo(tracker.metrical_family(envs, track.tempo_bpm * wrong))
        assert octaves == pytest.approx(round(octaves), abs=0.01), wrong
    assert tracker.metrical_family(envs, track.tempo_bpm) == track.tempo_bpm


def test_level_evidence_weighs_loudness_accent_and_subdivision():
    evidence = tracker.LevelEvidence
    assert evidence(loudness=0.9, accent=0.05, subdivision=None).says_faster(), "a kick on every added pulse"
    assert not evidence(loudness=0.5, accent=0.5, subdivision=None).says_faster(), "off-beat kicks, accented beats"
    assert evidence(loudness=0.05, accent=1.0, subdivision=None).says_faster(), "hats alone, equally accented"
    assert evidence(loudness=0.05, accent=0.55, subdivision=2.0).says_faster(), "above their own off-beats"
    assert not evidence(loudness=0.05, accent=0.5, subdivision=1.0).says_faster(), "an even stream of subdivisions"
    assert evidence(loudness=0.4, accent=None, subdivision=None).says_faster(), "no high band: loudness decides"
    assert not evidence(loudness=0.1, accent=None, subdivision=None).says_faster()


def test_end_beats_that_slide_off_the_grid_are_dropped_a_wobble_is_regridded_and_a_ramp_is_kept():
    beats = np.arange(24) + 0.55
    slid = beats.copy()
    slid[20:] = [20.33, 21.2, 22.07, 23.07]  # backtracked from an off-beat kick near the end
    assert np.array_equal(regrid_ends(slid), beats[:20])
    late = beats.copy()
    late[:2] = [0.2, 1.3]
    assert np.array_equal(regrid_ends(late), beats[2:])
    wobble = beats.copy()
    wobble[21] = 21.3
    assert np.allclose(regrid_ends(wobble), beats)
    ramp = np.cumsum(60 / np.linspace(100, 130, 40))
    assert np.array_equal(regrid_ends(ramp), ramp)
    assert np.array_equal(regrid_ends(slid[:12]), slid[:12]), "too few beats to tell"


def _high_band_energy(track: synth.SynthTrack, at_s: float, seconds: float = 0.03) -> float:
    start = round(at_s * track.sr)
    window = track.audio[start: start + round(seconds * track.sr)].astype(np.float64)
    spectrum = np.abs(np.fft.rfft(window)) ** 2
    freqs = np.fft.rfftfreq(window.size, 1 / track.sr)
    return float(spectrum[freqs > 4000].sum())


def test_the_groove_plays_to_the_last_beat_and_a_break_has_no_drums():
    track = synth.render(synth.TrackSpec("t", bpm=120.0, groove="shaker", seconds=12.3, break_bar=2, seed=4))
    bar = 4 * 60 / 120
    in_groove = _high_band_energy(track, track.beats[2])
    assert _high_band_energy(track, track.beats[-1]) > 0.3 * in_groove, "the last annotated beat is played"
    assert _high_band_energy(track, track.beats[0] + 2 * bar + 0.25) < 1e-3 * in_groove, "no hats in the break"
    assert track.sections == pytest.approx([track.downbeats[2], track.downbeats[4]])


def test_the_evaluation_labels_each_track_and_scores_section_cuts():
    specs = synth.evaluation_set()
    labels = [evaluate.categories(s) for s in specs]
    assert ("no beat",) in labels and all(len(lab) >= 3 for lab, s in zip(labels, specs, strict=True) if not s.beatless)
    assert {"ramp", "quiet intro", "pick-up", "drum break", "3/4", "60-90 BPM", "140-200 BPM"} <= {
        c for lab in labels for c in lab}
    other = synth.evaluation_set(seed=17)
    assert [s.bpm for s in other] != [s.bpm for s in specs], "another seed draws another set"
    track = synth.render(synth.TrackSpec("t", bpm=97.0, groove="swing", seconds=24.0, break_bar=4, seed=1))
    assert evaluate.score_track(track, perfect(track)).sections_cut == [True, True]
    no_sections = perfect(track)
    no_sections = MusicAnalysisResult(no_sections.duration_s, no_sections.tempo_bpm, no_sections.beat_times_s,
                                      no_sections.downbeat_times_s, (), no_sections.energy, 1.0, "")
    assert False in evaluate.score_track(track, no_sections).sections_cut
