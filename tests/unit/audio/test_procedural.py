"""The procedural score: deterministic per seed, different per mood, and music by listen-proxies."""

from __future__ import annotations

import numpy as np
import pytest

from services.audio.model import MusicBriefSpec
from services.audio.music import procedural
from services.audio.music.procedural import MODES, PITCH_NAMES, pick_style, plan_score, render_score, voice_lead

SR = 48000
SECONDS = 20.0


@pytest.fixture(scope="module")
def scores() -> dict[str, tuple[np.ndarray, procedural.ScorePlan]]:
    return {
        mood: render_score(MusicBriefSpec(mood=mood), 11, SECONDS, SR)
        for mood in ("calm and peaceful", "tense chase")
    }


def test_mood_picks_the_style() -> None:
    assert pick_style(MusicBriefSpec(mood="melancholic", genre="piano")).name == "melancholic"
    assert pick_style(MusicBriefSpec(mood="", query="heroic battle trailer")).name == "epic"
    assert pick_style(MusicBriefSpec()).name == "cinematic"
    assert plan_score(MusicBriefSpec(mood="calm", tempo_bpm=100), 1).tempo_bpm == 100


def test_deterministic_per_seed_and_different_across_seeds() -> None:
    brief = MusicBriefSpec(mood="mysterious")
    a, _ = render_score(brief, 5, 6.0, SR)
    b, _ = render_score(brief, 5, 6.0, SR)
    c, _ = render_score(brief, 6, 6.0, SR)
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)


def test_voice_leading_moves_little() -> None:
    previous = voice_lead([2, 6, 9], None)  # D major
    following = voice_lead([7, 11, 2], previous)  # G major
    assert sum(min(abs(a - b) for b in previous) for a in following) <= 4
    assert all(52 <= n <= 74 for n in previous + following)


def _chroma_share_in_key(y: np.ndarray, plan: procedural.ScorePlan) -> float:
    import librosa

    chroma = librosa.feature.chroma_stft(y=y, sr=22050, n_fft=4096).mean(axis=1)
    scale = {(plan.tonic_pc + step) % 12 for step in MODES[plan.mode]}
    return float(chroma[sorted(scale)].sum() / chroma.sum())


def test_scores_sound_like_music_and_differ_by_mood(scores: dict[str, tuple[np.ndarray, procedural.ScorePlan]]) -> None:
    import librosa

    tempos = {}
    for mood, (x, plan) in scores.items():
        assert x.shape == (round(SECONDS * SR), 2) and x.dtype == np.float32
        assert 0.5 < np.abs(x).max() <= 0.71  # headroom, no clipping
        assert not np.allclose(x[:, 0], x[:, 1])  # stereo, not dual mono
        y = librosa.resample(x.mean(axis=1), orig_sr=SR, target_sr=22050)
        # Spectral content across the range: bass, body and air, none of it dominant noise.
        power = np.abs(np.fft.rfft(y)) ** 2
        freqs = np.fft.rfftfreq(y.size, 1 / 22050)
        share = {band: power[(freqs >= lo) & (freqs < hi)].sum() / power.sum()
                 for band, (lo, hi) in {"bass": (30, 250), "mid": (250, 2000), "high": (2000, 10000)}.items()}
        assert share["bass"] > 0.05 and share["mid"] > 0.2 and share["high"] > 0.001, share
        assert float(librosa.feature.spectral_flatness(y=y).mean()) < 0.05  # tonal, not noise
        # Harmony: the energy sits on the notes of the planned key.
        assert _chroma_share_in_key(y, plan) > 0.7, plan.key_name
        # Rhythm: librosa finds the planned tempo (or its double/half, the usual octave ambiguity).
        onset = librosa.onset.onset_strength(y=y, sr=22050)
        detected = float(np.atleast_1d(librosa.beat.beat_track(onset_envelope=onset, sr=22050)[0])[0])
        ratio = detected / plan.tempo_bpm
        assert min(abs(ratio - r) / r for r in (0.5, 1.0, 2.0)) < 0.04, (detected, plan.tempo_bpm)
        tempos[mood] = plan.tempo_bpm
        assert plan.title.startswith("Procedural score: ") and PITCH_NAMES[plan.tonic_pc] in plan.title
    calm, tense = scores["calm and peaceful"][1], scores["tense chase"][1]
    assert (calm.mode, tense.mode) == ("major", "minor")
    assert tempos["tense chase"] > tempos["calm and peaceful"]
    a, b = (scores[m][0] for m in scores)
    assert np.corrcoef(a[: SR * 5, 0], b[: SR * 5, 0])[0, 1] < 0.2
