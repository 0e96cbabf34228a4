"""AnalyzeMusic on synthetic tracks with a known grid and a known section change."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from services.audio import audio_io
from services.audio.analysis import analyze_samples, energy_curve, estimate_key
from services.audio.core import AudioEngine
from services.audio.settings import AudioSettings
from services.common.errors import InvalidArgument
from tests.unit.audio.signals import drum_track

SR = 22050


@pytest.fixture(scope="module")
def drums_120() -> np.ndarray:
    return drum_track(bpm=120, seconds=32, sr=SR, section_change_s=16.0)


def test_120_bpm_drum_track(drums_120: np.ndarray) -> None:
    result = analyze_samples(drums_120, SR, energy_hop_s=0.5)
    assert abs(result.tempo_bpm - 120) <= 2
    beats = np.array(result.beat_times_s)
    grid = np.arange(0, 32, 0.5)
    # Every beat is within 30 ms of the 0.5 s grid, and (nearly) every grid point has its beat.
    assert np.abs(beats - np.round(beats * 2) / 2).max() <= 0.03
    found = sum(np.abs(beats - g).min() <= 0.03 for g in grid)
    assert found >= len(grid) - 2
    # Downbeats every 4 beats, in phase with the section change; one boundary at 16 s.
    downbeats = np.array(result.downbeat_times_s)
    assert np.allclose(np.diff(downbeats), 2.0, atol=0.03)
    assert np.abs(downbeats - 16.0).min() <= 0.03
    assert len(result.section_boundaries_s) == 1 and abs(result.section_boundaries_s[0] - 16.0) <= 0.25
    assert result.duration_s == pytest.approx(32.0)
    assert len(result.energy) == 64 and max(result.energy) == 1.0 and min(result.energy) >= 0
    # The second half is louder, and the curve says so.
    assert np.mean(result.energy[32:]) > np.mean(result.energy[:32])


def test_steady_track_has_no_sections_and_other_tempi_work() -> None:
    y = drum_track(bpm=100, seconds=24, sr=SR, section_change_s=None, seed=3)
    result = analyze_samples(y, SR, energy_hop_s=1.0)
    assert abs(result.tempo_bpm - 100) <= 2
    assert result.section_boundaries_s == ()
    beats = np.array(result.beat_times_s)
    assert np.abs(beats - np.round(beats / 0.6) * 0.6).max() <= 0.03
    assert len(result.energy) == 24


def test_key_and_edge_cases() -> None:
    t = np.arange(4 * SR) / SR
    a_minor = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 261.63, 329.63, 110.0))
    assert estimate_key(a_minor.astype(np.float32), SR) in ("A minor", "C major")
    silent = analyze_samples(np.zeros(2 * SR, dtype=np.float32), SR, energy_hop_s=0.5)
    assert silent.tempo_bpm == 0 and silent.beat_times_s == () and silent.key == ""
    assert energy_curve(np.ones(10, dtype=np.float32), 10, 0.3) == (1.0, 1.0, 1.0, 1.0)


def test_engine_analyzes_a_stored_track_and_checks_the_uri(
    audio_settings: Callable[..., AudioSettings], tmp_path: Path, drums_120: np.ndarray
) -> None:
    engine = AudioEngine(audio_settings())
    track = audio_io.write_wav(tmp_path / "drums.wav", drums_120[: SR * 12], SR)
    stored = engine.store.put_file("uploads/drums.wav", track)
    result = engine.analyze_music(stored.uri, 0.25)
    assert abs(result.tempo_bpm - 120) <= 2 and result.energy_hop_s == 0.25 and len(result.energy) == 48
    with pytest.raises(InvalidArgument) as missing:
        engine.analyze_music(engine.store.uri_for("uploads/nope.wav"))
    assert missing.value.violations[0].field == "track_uri"
    with pytest.raises(InvalidArgument) as outside:
        engine.analyze_music("file:///etc/passwd", -1)
    assert {v.field for v in outside.value.violations} == {"track_uri", "energy_hop_s"}
    text = engine.store.put_bytes("uploads/notes.wav", b"not audio at all")
    with pytest.raises(InvalidArgument, match="decode"):
        engine.analyze_music(text.uri)
