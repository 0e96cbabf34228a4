"""ffmpeg argv builders (pure), the loudness meter against ffmpeg's, the mixer's building blocks."""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import numpy as np
import pytest

from services.audio import audio_io, mix
from services.common import ffmpeg

SR = 48000


def test_atempo_chain_keeps_each_stage_in_range_and_multiplies_to_the_factor() -> None:
    for factor in (0.3, 0.5, 1.0, 1.1, 1.25, 2.0, 3.7):
        stages = [float(part.split("=")[1]) for part in audio_io.atempo_chain(factor).split(",")]
        assert all(0.5 <= s <= 2.0 for s in stages)
        assert math.isclose(math.prod(stages), factor, rel_tol=1e-5)
    with pytest.raises(ValueError):
        audio_io.atempo_chain(0)


def test_argv_builders_are_plain_lists() -> None:
    argv = audio_io.atempo_argv("in.wav", "out.wav", 1.2, sample_rate=SR)
    assert argv[0] == ffmpeg.ffmpeg_path()
    assert argv[argv.index("-af") + 1] == "atempo=1.200000"
    assert argv[-1] == "out.wav" and "-y" in argv
    decode = audio_io.decode_argv("song.mp3", "x.wav", sample_rate=SR, channels=2, max_seconds=61)
    assert decode[decode.index("-ar") + 1] == "48000" and decode[decode.index("-t") + 1] == "61.000"
    aac = audio_io.aac_argv("a.wav", "a.m4a", bitrate_kbps=192)
    assert aac[aac.index("-c:a") + 1] == "aac" and "+faststart" in aac
    scan = audio_io.ebur128_argv("a.wav", "/tmp/meta.txt")
    graph = scan[scan.index("-af") + 1]
    assert graph == "ebur128=peak=true:metadata=1,ametadata=mode=print:file=/tmp/meta.txt"
    assert scan[-3:] == ["-f", "null", "-"]


def test_ebur128_metadata_parser_reads_the_last_frame() -> None:
    printed = (
        "frame:0 pts:0 pts_time:0\nlavfi.r128.I=-70.000\nlavfi.r128.true_peak=0.001\n"
        "frame:1 pts:4800 pts_time:0.1\nlavfi.r128.I=-14.020\nlavfi.r128.LRA=3.500\nlavfi.r128.true_peak=0.891\n"
    )
    loud = audio_io.parse_ebur128_metadata(printed)
    assert loud.integrated_lufs == -14.02 and loud.loudness_range_lu == 3.5
    assert math.isclose(loud.true_peak_dbtp, 20 * math.log10(0.891))


def ffmpeg_summary(path: Path) -> tuple[float, float]:
    """Integrated loudness and true peak from ebur128's printed summary (an independent reading)."""
    done = subprocess.run(
        [ffmpeg.ffmpeg_path(), "-nostdin", "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true",
         "-f", "null", "-"], capture_output=True, text=True, check=True,
    )
    summary = done.stderr[done.stderr.rindex("Summary:") :]
    integrated = float(summary.split("I:")[1].split("LUFS")[0])
    peak = float(summary.split("Peak:")[1].split("dBFS")[0])
    return integrated, peak


def test_numpy_meter_agrees_with_ffmpeg_ebur128(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    t = np.arange(6 * SR) / SR
    x = np.stack([0.2 * np.sin(2 * np.pi * 440 * t), 0.05 * rng.standard_normal(t.size)], axis=1).astype(np.float32)
    x[2 * SR : 3 * SR] = 0  # a silent stretch exercises the gates
    path = audio_io.write_wav(tmp_path / "x.wav", x, SR)
    integrated, _ = ffmpeg_summary(path)
    assert abs(mix.integrated_loudness(x, SR) - integrated) < 0.15
    assert abs(audio_io.measure_loudness(path, tmp_path).integrated_lufs - integrated) < 0.06


def test_fit_to_length_loops_and_trims_exactly() -> None:
    t = np.arange(SR * 2) / SR
    tone = np.stack([np.sin(2 * np.pi * 220 * t)] * 2, axis=1).astype(np.float32)
    looped = mix.fit_to_length(tone, 5 * SR + 7, SR)
    assert looped.shape == (5 * SR + 7, 2)
    # Seams are crossfaded: no dropout anywhere past the first second.
    block_rms = np.sqrt(np.mean(looped[SR : 5 * SR].reshape(-1, SR // 10, 2) ** 2, axis=(1, 2)))
    assert block_rms.min() > 0.3
    assert mix.fit_to_length(tone, SR, SR).shape == (SR, 2)
    faded = mix.apply_fades(looped, SR, 1.0, 2.0)
    assert abs(faded[0]).max() < 1e-6 and abs(faded[-1]).max() < 1e-3


def test_duck_gain_dips_under_the_voice_and_recovers() -> None:
    n = 6 * SR
    voice = np.zeros(n, dtype=np.float32)
    t = np.arange(2 * SR) / SR
    voice[2 * SR : 4 * SR] = 0.1 * np.sin(2 * np.pi * 180 * t) * (1 + 0.5 * np.sin(2 * np.pi * 4 * t))
    gain_db = 20 * np.log10(mix.duck_gain(voice, SR, mix.DuckParams(max_duck_db=8.0)))
    assert gain_db[: int(1.5 * SR)].min() > -0.1  # untouched before
    assert np.median(gain_db[int(2.5 * SR) : int(3.8 * SR)]) < -7.0  # ducked while speaking
    assert gain_db[int(1.98 * SR)] < -1.0  # look-ahead: dips before the first word
    assert gain_db[-SR // 2 :].max() > -0.5  # released after


def test_limiter_holds_true_peaks_under_the_ceiling() -> None:
    rng = np.random.default_rng(2)
    x = (0.1 * rng.standard_normal((2 * SR, 2))).astype(np.float32)
    x[SR // 2] = 1.4  # an over
    limited = mix.limit(x, SR, -1.0)
    assert 20 * np.log10(mix.true_peak_envelope(limited).max()) <= -0.99
    # Only the neighbourhood of the over is touched: look-ahead before, hold and release after.
    assert np.array_equal(limited[: int(0.49 * SR)], x[: int(0.49 * SR)])
    assert np.array_equal(limited[int(1.5 * SR) :], x[int(1.5 * SR) :])
    assert abs(limited[SR // 2, 0]) < 0.9


def test_normalize_loudness_reaches_the_target_with_the_peak_ceiling(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    t = np.arange(8 * SR) / SR
    x = np.stack([0.02 * np.sin(2 * np.pi * 330 * t) + 0.01 * rng.standard_normal(t.size)] * 2, axis=1)
    x[SR * 3 : SR * 3 + 100] = 0.5  # transients that must not exceed the ceiling once amplified
    out, measured, gain = mix.normalize_loudness(
        x.astype(np.float32), SR, target_lufs=-14.0, true_peak_dbtp=-1.0, workdir=tmp_path
    )
    assert out.shape == x.shape and gain > 1
    integrated, peak = ffmpeg_summary(audio_io.write_wav(tmp_path / "out.wav", out, SR))
    assert abs(integrated + 14.0) <= 0.3 and peak <= -1.0
    assert abs(measured.integrated_lufs - integrated) < 0.1
