"""Synthetic test music: exact beat grids and a known section change, generated with numpy."""

from __future__ import annotations

import numpy as np


def _kick(sr: int) -> np.ndarray:
    t = np.arange(int(0.3 * sr)) / sr
    return (np.sin(2 * np.pi * np.cumsum(50 + 100 * np.exp(-t / 0.03)) / sr) * np.exp(-t / 0.12)).astype(np.float32)


def _noise_hit(sr: int, rng: np.random.Generator, decay: float, length: float = 0.15) -> np.ndarray:
    t = np.arange(int(length * sr)) / sr
    noise = rng.standard_normal(t.size)
    noise = np.diff(noise, prepend=0.0)  # brighter
    return (noise * np.exp(-t / decay)).astype(np.float32)


def _chord(freqs: list[float], seconds: float, sr: int) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    tone = sum(np.sin(2 * np.pi * f * t) + 0.3 * np.sin(4 * np.pi * f * t) for f in freqs)
    return (tone / len(freqs)).astype(np.float32)


def drum_track(
    *, bpm: float = 120.0, seconds: float = 32.0, sr: int = 22050, section_change_s: float | None = 16.0,
    seed: int = 0,
) -> np.ndarray:
    """Kick on every beat, hats on eighths, sustained chords; at `section_change_s` the harmony
    (A minor -> F major), the timbre (snare on 2 and 4, open hats) and the level change."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    y = np.zeros(n + sr, dtype=np.float32)
    beat = 60.0 / bpm
    kick = _kick(sr)
    change = section_change_s if section_change_s is not None else seconds + 1
    k = 0
    while k * beat < seconds:
        at = round(k * beat * sr)
        second_half = k * beat >= change
        y[at : at + kick.size] += 0.8 * kick
        hat = _noise_hit(sr, rng, 0.04 if second_half else 0.012)
        y[at : at + hat.size] += 0.08 * hat
        half = round((k + 0.5) * beat * sr)
        y[half : half + hat.size] += 0.05 * hat
        if second_half and k % 2 == 1:
            snare = _noise_hit(sr, rng, 0.06, 0.25)
            y[at : at + snare.size] += 0.3 * snare
        k += 1
    bar = 4 * beat
    b = 0
    while b * bar < seconds:
        start = b * bar
        freqs = [220.0, 261.63, 329.63] if start < change else [174.61, 220.0, 261.63, 349.23]
        level = 0.12 if start < change else 0.2
        pad = _chord(freqs, bar, sr)
        at = round(start * sr)
        pad = pad[: y.size - at]
        y[at : at + pad.size] += level * pad
        b += 1
    y = y[:n]
    return (0.9 * y / np.max(np.abs(y))).astype(np.float32)
