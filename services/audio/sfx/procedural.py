"""The built-in sound library: ambiences and effects synthesised in numpy, deterministic per seed.

Offline by default, no files: every sound is a small physical-ish model (filtered noise shaped by
envelopes, impulse trains, FM chirps, inharmonic partials). An ambience renders as a seamless-enough
loop of `AMBIENCE_LOOP_S` that the mixer loops with crossfades; an effect renders as a one-shot.
All output is float32 stereo at the requested rate, peak-normalised to `PEAK` so the mixer levels
them by measurement, not by trust.

Descriptions, tags and licence live in `BUILTIN_SOUNDS` (CC0: generated here, no third-party audio).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

AMBIENCE_LOOP_S = 8.0
PEAK = 0.5
LICENSE = "CC0-1.0"
ATTRIBUTION = "Procedural sound synthesised by cinesynth (CC0)"


@dataclass(frozen=True)
class BuiltinSound:
    id: str
    kind: str  # "ambience" | "effect"
    title: str
    description: str
    tags: tuple[str, ...]
    render: Callable[[np.random.Generator, int], np.ndarray]  # (rng, sample_rate) -> (n, 2)


# --- building blocks ------------------------------------------------------------------------------

def _sos(kind: str, freq: float | tuple[float, float], sr: int, order: int = 2) -> np.ndarray:
    from scipy.signal import butter

    nyq = sr / 2
    if isinstance(freq, tuple):
        wn: float | list[float] = [max(1.0, freq[0]) / nyq, min(freq[1], nyq * 0.95) / nyq]
    else:
        wn = min(freq, nyq * 0.95) / nyq
    return butter(order, wn, btype=kind, output="sos")


def _filter(x: np.ndarray, kind: str, freq: float | tuple[float, float], sr: int, order: int = 2) -> np.ndarray:
    from scipy.signal import sosfilt

    return sosfilt(_sos(kind, freq, sr, order), x, axis=0)


def _noise(rng: np.random.Generator, n: int, channels: int = 2) -> np.ndarray:
    return rng.standard_normal((n, channels))


def _brown(rng: np.random.Generator, n: int, channels: int = 2) -> np.ndarray:
    x = np.cumsum(rng.standard_normal((n, channels)), axis=0)
    x -= np.linspace(x[0], x[-1], n)  # ends meet: no step at the loop seam
    return x / (np.abs(x).max() + 1e-9)


def _smooth_random(rng: np.random.Generator, n: int, points: int, lo: float, hi: float) -> np.ndarray:
    """A slow random control curve (cosine-interpolated, periodic so loops stay seamless)."""
    values = rng.uniform(lo, hi, points)
    values = np.append(values, values[0])
    t = np.linspace(0, points, n, endpoint=False)
    i = np.floor(t).astype(int)
    frac = (1 - np.cos(np.pi * (t - i))) / 2
    return values[i] * (1 - frac) + values[i + 1] * frac


def _decay(n: int, sr: int, tau_s: float, attack_s: float = 0.002) -> np.ndarray:
    t = np.arange(n) / sr
    a = np.minimum(1.0, t / max(attack_s, 1e-4))
    return a * np.exp(-t / tau_s)


def _add(out: np.ndarray, grain: np.ndarray, start: int, pan: float = 0.0) -> None:
    """Mix a mono grain into stereo `out` at `start`, wrapping round the end (loops stay seamless)."""
    n = out.shape[0]
    gains = np.array([np.sqrt(0.5 * (1 - pan)), np.sqrt(0.5 * (1 + pan))])
    idx = (start + np.arange(grain.shape[0])) % n
    np.add.at(out, idx, grain[:, None] * gains[None, :])


def _tone(freq: np.ndarray | float, n: int, sr: int) -> np.ndarray:
    f = np.broadcast_to(np.asarray(freq, dtype=np.float64), (n,))
    return np.sin(2 * np.pi * np.cumsum(f) / sr)


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = np.stack([x, x], axis=1)
    x = x - x.mean(axis=0)
    peak = np.abs(x).max()
    return (x * (PEAK / peak) if peak > 0 else x).astype(np.float32)


def _loop_n(sr: int) -> int:
    return round(AMBIENCE_LOOP_S * sr)


# --- ambiences ------------------------------------------------------------------------------------

def rain(rng: np.random.Generator, sr: int, *, heavy: float = 1.0, on_glass: bool = False) -> np.ndarray:
    n = _loop_n(sr)
    hiss = _filter(_noise(rng, n), "bandpass", (800, 9000), sr) * 0.35 * heavy
    hiss *= _smooth_random(rng, n, 8, 0.8, 1.1)[:, None]
    drops = np.zeros((n, 2))
    for _ in range(int(400 * heavy)):
        m = int(sr * rng.uniform(0.004, 0.02))
        f = rng.uniform(2500, 7000) if not on_glass else rng.uniform(1500, 4500)
        grain = _tone(f * np.linspace(1.2, 0.8, m), m, sr) * _decay(m, sr, m / sr / 4)
        _add(drops, grain * rng.uniform(0.2, 1.0), int(rng.integers(n)), rng.uniform(-0.9, 0.9))
    return _normalise(hiss + drops * (0.6 if on_glass else 0.35))


def storm(rng: np.random.Generator, sr: int) -> np.ndarray:
    base = rain(rng, sr, heavy=1.8)
    n = base.shape[0]
    gust = wind(rng, sr) * 0.7
    rumble = _filter(_brown(rng, n), "lowpass", 120, sr) * _smooth_random(rng, n, 4, 0.2, 1.0)[:, None]
    return _normalise(base + gust + rumble * 0.6)


def wind(rng: np.random.Generator, sr: int, *, howl: bool = False) -> np.ndarray:
    n = _loop_n(sr)
    noise = _noise(rng, n)
    out = np.zeros((n, 2))
    # Sweeping band: a bank of bands whose levels follow slow random curves = a moving resonance.
    for lo, hi in ((80, 250), (250, 600), (600, 1400)):
        band = _filter(noise, "bandpass", (lo, hi), sr)
        out += band * _smooth_random(rng, n, 5, 0.1, 1.0)[:, None]
    if howl:
        f = _smooth_random(rng, n, 4, 380, 720)
        out += (_tone(f, n, sr) * _smooth_random(rng, n, 4, 0.0, 0.4))[:, None]
    return _normalise(out)


def sea(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = _loop_n(sr)
    wash = _filter(_noise(rng, n), "bandpass", (150, 4000), sr)
    t = np.arange(n) / sr
    # Two swells per loop; each wave rises slowly and breaks (fast rise of the high band).
    phase = (t / (AMBIENCE_LOOP_S / 2)) % 1.0
    swell = np.where(phase < 0.7, (phase / 0.7) ** 2, np.exp(-(phase - 0.7) * 8))
    low = _filter(_brown(rng, n), "lowpass", 300, sr)
    return _normalise(wash * (0.15 + swell)[:, None] + low * 0.6)


def stream(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = _loop_n(sr)
    out = _filter(_noise(rng, n), "bandpass", (400, 6000), sr) * 0.3
    for _ in range(900):
        m = int(sr * rng.uniform(0.005, 0.02))
        f0 = rng.uniform(400, 1800)
        grain = _tone(f0 * np.linspace(1.0, 1.6, m), m, sr) * _decay(m, sr, m / sr / 3)
        _add(out, grain * rng.uniform(0.1, 0.5), int(rng.integers(n)), rng.uniform(-0.7, 0.7))
    return _normalise(out)


def fire(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = _loop_n(sr)
    roar = _filter(_brown(rng, n), "lowpass", 400, sr) * _smooth_random(rng, n, 6, 0.5, 1.0)[:, None]
    out = roar * 0.5
    for _ in range(260):
        m = int(sr * rng.uniform(0.001, 0.006))
        grain = rng.standard_normal(m) * _decay(m, sr, m / sr / 3, 0.0002)
        _add(out, _filter(grain, "highpass", 1500, sr) * rng.uniform(0.3, 1.5), int(rng.integers(n)),
             rng.uniform(-0.6, 0.6))
    return _normalise(out)


def birds(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = _loop_n(sr)
    out = _filter(_noise(rng, n), "bandpass", (200, 1200), sr) * 0.04
    for _ in range(int(AMBIENCE_LOOP_S * 2.5)):
        notes = int(rng.integers(2, 6))
        start = int(rng.integers(n))
        f0 = rng.uniform(2500, 5500)
        pan = rng.uniform(-0.8, 0.8)
        for k in range(notes):
            m = int(sr * rng.uniform(0.05, 0.12))
            sweep = f0 * (1 + rng.uniform(-0.3, 0.3) * np.linspace(0, 1, m))
            vib = 1 + 0.03 * np.sin(2 * np.pi * 40 * np.arange(m) / sr)
            env = np.sin(np.pi * np.linspace(0, 1, m)) ** 2
            _add(out, _tone(sweep * vib, m, sr) * env * rng.uniform(0.3, 1.0), start + k * int(m * 1.3), pan)
    return _normalise(out)


def night_insects(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = _loop_n(sr)
    t = np.arange(n) / sr
    out = np.zeros((n, 2))
    for _ in range(5):
        f = rng.uniform(3800, 5200)
        rate = rng.uniform(2.0, 4.0)
        pulse = (np.sin(2 * np.pi * rate * t + rng.uniform(0, 6.28)) > 0.3).astype(float)
        pulse *= 0.5 + 0.5 * np.sin(2 * np.pi * 30 * t) ** 2  # the chirp's tremolo
        _add(out, np.sin(2 * np.pi * f * t) * pulse * rng.uniform(0.2, 0.6), 0, rng.uniform(-0.8, 0.8))
    return _normalise(out + _filter(_noise(rng, n), "lowpass", 300, sr) * 0.05)


def crowd(rng: np.random.Generator, sr: int, *, clinks: bool = False) -> np.ndarray:
    n = _loop_n(sr)
    t = np.arange(n) / sr
    out = np.zeros((n, 2))
    for _ in range(14):  # voices: formant-filtered noise with syllable-rate envelopes
        lo = rng.uniform(250, 600)
        voice = _filter(rng.standard_normal(n), "bandpass", (lo, lo * rng.uniform(3, 5)), sr)
        rate = rng.uniform(3, 6)
        syll = np.maximum(0, np.sin(2 * np.pi * rate * t + rng.uniform(0, 6.28))) ** 2
        talk = _smooth_random(rng, n, 4, 0.0, 1.0)
        _add(out, voice * syll * talk, 0, rng.uniform(-0.9, 0.9))
    if clinks:
        for _ in range(14):
            m = int(sr * 0.25)
            f = rng.uniform(2500, 4500)
            grain = (_tone(f, m, sr) + 0.5 * _tone(f * 2.76, m, sr)) * _decay(m, sr, 0.05)
            _add(out, grain * 0.6, int(rng.integers(n)), rng.uniform(-0.8, 0.8))
    return _normalise(out)


def traffic(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = _loop_n(sr)
    out = _filter(_brown(rng, n), "lowpass", 200, sr) * 0.6
    noise = _filter(_noise(rng, n), "bandpass", (100, 2500), sr)
    for _ in range(5):  # cars passing: a swell and a pan sweep
        centre = rng.uniform(0, n)
        width = sr * rng.uniform(0.8, 2.0)
        idx = np.arange(n)
        d = np.minimum(np.abs(idx - centre), n - np.abs(idx - centre))  # periodic distance
        swell = 1 / (1 + (d / width * 3) ** 2)
        direction = rng.choice([-1.0, 1.0])
        pan = np.clip(direction * (idx - centre) / width, -1, 1)
        left, right = np.sqrt(0.5 * (1 - pan)), np.sqrt(0.5 * (1 + pan))
        out[:, 0] += noise[:, 0] * swell * left
        out[:, 1] += noise[:, 1] * swell * right
    return _normalise(out)


def engine_hum(rng: np.random.Generator, sr: int, *, base_hz: float = 45.0) -> np.ndarray:
    n = _loop_n(sr)
    f = base_hz * (1 + 0.01 * _smooth_random(rng, n, 4, -1, 1))
    out = sum(_tone(f * k, n, sr) / k for k in range(1, 8))
    out = np.asarray(out)[:, None] + _filter(_noise(rng, n), "lowpass", 500, sr) * 0.15
    return _normalise(out)


def spaceship(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = _loop_n(sr)
    drone = engine_hum(rng, sr, base_hz=55.0).astype(np.float64)
    t = np.arange(n) / sr
    shimmer = np.sin(2 * np.pi * 880 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * t / AMBIENCE_LOOP_S)) * 0.05
    air = _filter(_noise(rng, n), "bandpass", (2000, 6000), sr) * 0.05
    return _normalise(drone + shimmer[:, None] + air)


def clock(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = _loop_n(sr)
    out = _filter(_noise(rng, n), "lowpass", 200, sr) * 0.01
    for k in range(int(AMBIENCE_LOOP_S)):
        m = int(sr * 0.03)
        f = 3200 if k % 2 == 0 else 2600  # tick, tock
        grain = _filter(rng.standard_normal(m), "bandpass", (f * 0.8, f * 1.2), sr) * _decay(m, sr, 0.004)
        _add(out, grain, k * sr, 0.0)
    return _normalise(out)


def room_tone(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = _loop_n(sr)
    hum = (_tone(50.0, n, sr) * 0.05)[:, None]
    return _normalise(_filter(_brown(rng, n), "lowpass", 600, sr) + hum)


def train(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = _loop_n(sr)
    out = _filter(_brown(rng, n), "lowpass", 250, sr) * 0.7
    for k in range(int(AMBIENCE_LOOP_S / 0.5)):  # clack-clack of rail joints
        for offset in (0.0, 0.12):
            m = int(sr * 0.05)
            grain = _filter(rng.standard_normal(m), "bandpass", (200, 1500), sr) * _decay(m, sr, 0.012)
            _add(out, grain * 1.5, int((k * 0.5 + offset) * sr), 0.0)
    return _normalise(out)


def forest(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = _loop_n(sr)
    leaves = _filter(_noise(rng, n), "bandpass", (1500, 7000), sr) * _smooth_random(rng, n, 6, 0.1, 0.6)[:, None]
    return _normalise(birds(rng, sr).astype(np.float64) * 0.7 + wind(rng, sr) * 0.3 + leaves * 0.3)


# --- effects ------------------------------------------------------------------------------------

def thunder(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = int(sr * 4.5)
    crack = _filter(rng.standard_normal(int(sr * 0.3)), "highpass", 800, sr) * _decay(int(sr * 0.3), sr, 0.05)
    body = _filter(_brown(rng, n, 1)[:, 0], "lowpass", 180, sr)
    env = _decay(n, sr, 1.2, 0.08) * (0.6 + 0.4 * _smooth_random(rng, n, 10, 0, 1))
    out = body * env
    out[: crack.shape[0]] += crack * 0.3
    return _normalise(out)


def explosion(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = int(sr * 3.0)
    blast = _filter(rng.standard_normal(n), "lowpass", 900, sr) * _decay(n, sr, 0.5, 0.003)
    sub = _tone(40 * np.exp(-np.arange(n) / sr), n, sr) * _decay(n, sr, 0.6)
    return _normalise(blast + sub * 0.8)


def gunshot(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = int(sr * 1.2)
    snap = _filter(rng.standard_normal(n), "bandpass", (300, 6000), sr) * _decay(n, sr, 0.04, 0.0005)
    tail = _filter(rng.standard_normal(n), "lowpass", 1200, sr) * _decay(n, sr, 0.35, 0.01) * 0.15
    return _normalise(snap + tail)


def footsteps(rng: np.random.Generator, sr: int) -> np.ndarray:
    steps = 6
    interval = rng.uniform(0.48, 0.58)
    n = int(sr * (steps * interval + 0.4))
    out = np.zeros((n, 2))
    for k in range(steps):
        m = int(sr * 0.12)
        heel = _filter(rng.standard_normal(m), "bandpass", (120, 1800), sr) * _decay(m, sr, 0.02)
        scuff = _filter(rng.standard_normal(m), "bandpass", (1500, 5000), sr) * _decay(m, sr, 0.03) * 0.2
        _add(out, (heel + scuff) * rng.uniform(0.7, 1.0), int(k * interval * sr), 0.15 * (-1) ** k)
    return _normalise(out)


def door_creak(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = int(sr * 1.6)
    t = np.arange(n) / sr
    f = 180 + 140 * np.sin(np.pi * t / 1.6) + 20 * _smooth_random(rng, n, 12, -1, 1)
    creak = sum(_tone(f * k, n, sr) / k for k in (1, 2, 3, 5))
    creak = np.asarray(creak) * (0.5 + 0.5 * (np.sin(2 * np.pi * 22 * t) > 0)) * np.sin(np.pi * t / 1.6)
    return _normalise(creak * 0.4)


def door_slam(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = int(sr * 1.0)
    thud = _filter(rng.standard_normal(n), "lowpass", 500, sr) * _decay(n, sr, 0.08, 0.001)
    rattle = _filter(rng.standard_normal(n), "bandpass", (1500, 4000), sr) * _decay(n, sr, 0.05) * 0.2
    return _normalise(thud + rattle)


def door_open_close(rng: np.random.Generator, sr: int) -> np.ndarray:
    creak = door_creak(rng, sr)[:, 0].astype(np.float64)
    shut = door_slam(rng, sr)[:, 0].astype(np.float64) * 0.6
    return _normalise(np.concatenate([creak, np.zeros(int(sr * 0.2)), shut]))


def knock(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = int(sr * 1.4)
    out = np.zeros((n, 2))
    for k in range(3):
        m = int(sr * 0.1)
        grain = _filter(rng.standard_normal(m), "bandpass", (150, 900), sr) * _decay(m, sr, 0.015)
        _add(out, grain, int(k * 0.28 * sr), 0.0)
    return _normalise(out)


def glass_shatter(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = int(sr * 1.8)
    burst = _filter(rng.standard_normal(n), "highpass", 2500, sr) * _decay(n, sr, 0.12, 0.0005)
    out = np.stack([burst, burst], axis=1)
    for _ in range(40):
        m = int(sr * 0.2)
        f = rng.uniform(3000, 9000)
        grain = (_tone(f, m, sr) + _tone(f * 1.9, m, sr) * 0.4) * _decay(m, sr, 0.04)
        _add(out, grain * rng.uniform(0.1, 0.4), int(rng.uniform(0, 0.9) * sr), rng.uniform(-0.8, 0.8))
    return _normalise(out)


def bell(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = int(sr * 5.0)
    f0 = rng.uniform(300, 420)
    partials = ((0.5, 1.0, 2.5), (1.0, 0.8, 2.0), (1.183, 0.5, 1.6), (1.506, 0.4, 1.2), (2.0, 0.35, 1.0),
                (2.514, 0.25, 0.7), (2.662, 0.2, 0.6), (3.011, 0.15, 0.5))
    out = sum(_tone(f0 * r, n, sr) * a * _decay(n, sr, tau, 0.001) for r, a, tau in partials)
    return _normalise(np.asarray(out))


def car_horn(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = int(sr * 0.9)
    t = np.arange(n) / sr
    tone = np.sign(np.sin(2 * np.pi * 420 * t)) + np.sign(np.sin(2 * np.pi * 500 * t))
    env = np.minimum(1, t / 0.02) * np.minimum(1, (0.9 - t) / 0.05)
    return _normalise(_filter(tone * env, "lowpass", 3000, sr))


def foghorn(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = int(sr * 3.0)
    t = np.arange(n) / sr
    tone = sum(_tone(110 * k, n, sr) / k**0.8 for k in range(1, 9))
    env = np.minimum(1, t / 0.3) * np.minimum(1, (3.0 - t) / 0.6)
    return _normalise(np.asarray(tone) * env)


def dog_bark(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = int(sr * 1.2)
    out = np.zeros((n, 2))
    for k in range(2):
        m = int(sr * 0.18)
        t = np.arange(m) / sr
        f = 500 * np.exp(-t * 4)
        voiced = sum(_tone(f * h, m, sr) / h for h in range(1, 10))
        grain = _filter(np.asarray(voiced) + rng.standard_normal(m) * 0.3, "bandpass", (400, 2500), sr)
        _add(out, grain * np.clip(np.sin(np.pi * t / t[-1]), 0, 1) ** 0.5, int(k * 0.45 * sr), 0.1)
    return _normalise(out)


def phone_ring(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = int(sr * 3.0)
    t = np.arange(n) / sr
    tone = _tone(1000, n, sr) + _tone(1250, n, sr)
    gate = ((t % 3.0) < 2.0) * (np.sin(2 * np.pi * 20 * t) > 0)
    return _normalise(tone * gate)


def splash(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = int(sr * 1.5)
    body = _filter(rng.standard_normal(n), "bandpass", (200, 5000), sr) * _decay(n, sr, 0.25, 0.005)
    out = np.stack([body, body], axis=1)
    for _ in range(60):
        m = int(sr * 0.02)
        grain = _tone(rng.uniform(600, 2000) * np.linspace(1, 1.7, m), m, sr) * _decay(m, sr, 0.006)
        _add(out, grain * 0.3, int(rng.uniform(0.05, 1.0) * sr), rng.uniform(-0.8, 0.8))
    return _normalise(out)


def whoosh(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = int(sr * 1.2)
    noise = rng.standard_normal(n)
    t = np.linspace(0, 1, n)
    env = np.sin(np.pi * t) ** 2
    low = _filter(noise, "bandpass", (200, 1000), sr)
    high = _filter(noise, "bandpass", (1000, 6000), sr)
    x = low * env * (1 - t) + high * env * t
    pan = np.linspace(-0.9, 0.9, n)
    return _normalise(np.stack([x * np.sqrt(0.5 * (1 - pan)), x * np.sqrt(0.5 * (1 + pan))], axis=1))


def heartbeat(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = int(sr * 3.2)
    out = np.zeros((n, 2))
    for beat in range(4):
        for offset, level in ((0.0, 1.0), (0.25, 0.7)):
            m = int(sr * 0.15)
            t = np.arange(m) / sr
            grain = _tone(55 * np.exp(-t * 6), m, sr) * _decay(m, sr, 0.04, 0.005) * level
            _add(out, grain, int((beat * 0.8 + offset) * sr), 0.0)
    return _normalise(out)


def typing(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = int(sr * 3.0)
    out = np.zeros((n, 2))
    t = 0.0
    while t < 2.8:
        m = int(sr * 0.03)
        grain = _filter(rng.standard_normal(m), "bandpass", (1500, 6000), sr) * _decay(m, sr, 0.004)
        _add(out, grain * rng.uniform(0.5, 1.0), int(t * sr), rng.uniform(-0.3, 0.3))
        t += rng.uniform(0.08, 0.25)
    return _normalise(out)


def wolf_howl(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = int(sr * 3.5)
    t = np.arange(n) / sr
    f = 420 + 180 * np.sin(np.pi * np.minimum(t / 2.5, 1)) + 6 * np.sin(2 * np.pi * 5 * t)
    tone = _tone(f, n, sr) + 0.3 * _tone(2 * f, n, sr)
    env = np.minimum(1, t / 0.4) * np.minimum(1, np.maximum(0, (3.5 - t) / 1.0))
    return _normalise(tone * env)


def horse_gallop(rng: np.random.Generator, sr: int) -> np.ndarray:
    n = int(sr * 3.0)
    out = np.zeros((n, 2))
    for stride in range(7):
        for offset in (0.0, 0.07, 0.14):
            m = int(sr * 0.06)
            grain = _filter(rng.standard_normal(m), "bandpass", (100, 900), sr) * _decay(m, sr, 0.012)
            _add(out, grain, int((stride * 0.4 + offset) * sr), 0.0)
    return _normalise(out)


def _entry(id_: str, kind: str, title: str, description: str, tags: str,
           render: Callable[[np.random.Generator, int], np.ndarray]) -> BuiltinSound:
    return BuiltinSound(id_, kind, title, description, tuple(t.strip() for t in tags.split(",")), render)


A, E = "ambience", "effect"
BUILTIN_SOUNDS: tuple[BuiltinSound, ...] = (
    _entry("rain", A, "Steady rain", "Steady rain falling outdoors on streets, roofs and leaves; a wet rainy day.",
           "rain, rainfall, drizzle, wet, pluie, lluvia, Regen", rain),
    _entry("rain-on-glass", A, "Rain on a window",
           "Raindrops pattering on a window pane, heard from inside a room.",
           "rain, window, glass, indoors, pluie, ventana, Fenster",
           lambda r, sr: rain(r, sr, heavy=0.8, on_glass=True)),
    _entry("storm", A, "Thunderstorm", "A heavy storm: pouring rain, gusting wind and rumbling thunder.",
           "storm, thunderstorm, tempest, downpour, orage, tormenta, Gewitter", storm),
    _entry("wind", A, "Wind", "Wind blowing across an open landscape, gusts rising and falling.",
           "wind, breeze, gusts, vent, viento, Wind", wind),
    _entry("howling-wind", A, "Howling wind", "A cold howling wind over mountains, snow or a blizzard.",
           "blizzard, snow, mountain, arctic, howling, tempête de neige, ventisca",
           lambda r, sr: wind(r, sr, howl=True)),
    _entry("sea", A, "Sea waves", "Ocean waves rolling onto a beach and breaking on the shore.",
           "sea, ocean, waves, beach, shore, surf, mer, mar, Meer", sea),
    _entry("stream", A, "Babbling brook", "A small stream or river flowing and bubbling over stones.",
           "river, stream, brook, creek, water flowing, rivière, río, Fluss", stream),
    _entry("fire", A, "Crackling fire", "A fire crackling and roaring: a campfire or a fireplace burning wood.",
           "fire, campfire, fireplace, flames, burning, feu, fuego, Feuer", fire),
    _entry("birds", A, "Birdsong", "Birds singing and chirping in the morning, a garden or park at dawn.",
           "birds, birdsong, chirping, morning, dawn, oiseaux, pájaros, Vögel", birds),
    _entry("forest", A, "Forest", "A forest in daytime: birds, rustling leaves and a light breeze in the trees.",
           "forest, woods, trees, jungle, nature, forêt, bosque, Wald", forest),
    _entry("night-insects", A, "Night crickets",
           "Crickets and insects chirping on a warm summer night in the countryside.",
           "night, crickets, insects, summer night, grillons, grillos, Grillen", night_insects),
    _entry("crowd", A, "Crowd murmur", "The murmur of a crowd of people talking: a busy hall, market or station.",
           "crowd, people talking, chatter, murmur, market, foule, multitud, Menschenmenge", crowd),
    _entry("cafe", A, "Café chatter", "A busy café or restaurant: people chatting, cups and glasses clinking.",
           "cafe, restaurant, bar, pub, diners, café, restaurante, Kneipe", lambda r, sr: crowd(r, sr, clinks=True)),
    _entry("city-traffic", A, "City traffic", "City street traffic: cars passing, the rumble of a busy road downtown.",
           "city, traffic, cars, street, urban, downtown, ville, ciudad, Stadt", traffic),
    _entry("engine-hum", A, "Engine hum",
           "The steady hum of an engine or machinery: a ship's engine room, a car, a factory.",
           "engine, motor, machine, factory, hum, moteur, motor, Maschine", engine_hum),
    _entry("spaceship", A, "Spaceship interior",
           "The low electronic drone inside a spaceship or a sci-fi control room.",
           "spaceship, space station, sci-fi, futuristic, drone, vaisseau spatial, nave espacial", spaceship),
    _entry("clock", A, "Ticking clock", "A clock ticking in a quiet room, tick tock.",
           "clock, ticking, tick tock, time, horloge, reloj, Uhr", clock),
    _entry("room-tone", A, "Quiet room", "The near silence of a quiet indoor room: faint air and electrical hum.",
           "room, indoors, quiet, interior, office, library, silence, pièce, habitación", room_tone),
    _entry("train", A, "Train ride", "Riding a train: wheels clacking over rail joints and the rumble of the carriage.",
           "train, railway, tracks, carriage, subway, train, tren, Zug", train),
    _entry("thunder", E, "Thunder clap", "A clap of thunder, a distant rumbling thunderbolt in a storm.",
           "thunder, lightning, thunderclap, rumble, tonnerre, trueno, Donner", thunder),
    _entry("explosion", E, "Explosion", "A loud explosion or blast, a bomb going off.",
           "explosion, blast, bomb, boom, explosion, explosión, Explosion", explosion),
    _entry("gunshot", E, "Gunshot", "A single gunshot, a pistol or rifle firing.",
           "gunshot, gun, shot, pistol, rifle, coup de feu, disparo, Schuss", gunshot),
    _entry("footsteps", E, "Footsteps", "Footsteps walking across a floor, someone approaching.",
           "footsteps, walking, steps, pas, pasos, Schritte", footsteps),
    _entry("door-creak", E, "Door creak", "A creaking door slowly opening on old hinges.",
           "door, creak, hinges, opening, porte, puerta, Tür", door_creak),
    _entry("door-slam", E, "Door slam", "A door slamming shut with a bang.",
           "door, slam, bang, shut, porte claquée, portazo, Tür knallt", door_slam),
    _entry("door-open-close", E, "Door opens and closes", "Someone opens a door, walks through and closes it.",
           "door, open, close, enter, leave, porte, puerta, Tür", door_open_close),
    _entry("knock", E, "Knock on the door", "Three knocks on a wooden door.",
           "knock, knocking, door, frapper, golpe, Klopfen", knock),
    _entry("glass-shatter", E, "Glass shattering", "A window or glass breaking and shattering into pieces.",
           "glass, shatter, break, smash, verre brisé, cristal roto, Glas", glass_shatter),
    _entry("bell", E, "Bell toll", "A large bell tolling once: a church bell or a temple bell.",
           "bell, church bell, toll, chime, cloche, campana, Glocke", bell),
    _entry("car-horn", E, "Car horn", "A car horn honking in traffic.",
           "car horn, honk, klaxon, beep, klaxon, bocina, Hupe", car_horn),
    _entry("foghorn", E, "Foghorn", "A ship's foghorn sounding over the harbour or a lighthouse horn in fog.",
           "foghorn, ship horn, harbour, lighthouse, boat, corne de brume, sirena de niebla", foghorn),
    _entry("dog-bark", E, "Dog barking", "A dog barking twice.",
           "dog, bark, barking, aboiement, ladrido, Hund bellt", dog_bark),
    _entry("phone-ring", E, "Telephone ringing", "An old telephone ringing.",
           "phone, telephone, ring, call, téléphone, teléfono, Telefon", phone_ring),
    _entry("splash", E, "Splash", "Something splashing into water, a dive into a lake.",
           "splash, water, dive, jump, plouf, chapuzón, Platschen", splash),
    _entry("whoosh", E, "Whoosh", "A fast whoosh of something flying past, a swipe or a rushing movement.",
           "whoosh, swoosh, fly by, fast, rush, swing, passage rapide", whoosh),
    _entry("heartbeat", E, "Heartbeat", "A slow heartbeat thumping, tension and fear.",
           "heartbeat, heart, pulse, tension, battement de cœur, latido, Herzschlag", heartbeat),
    _entry("typing", E, "Typing", "Typing on a keyboard or typewriter.",
           "typing, keyboard, typewriter, computer, clavier, teclado, Tastatur", typing),
    _entry("wolf-howl", E, "Wolf howl", "A lone wolf howling at night.",
           "wolf, howl, night, wild animal, loup, lobo, Wolf", wolf_howl),
    _entry("horse-gallop", E, "Horse galloping", "Hooves of a horse galloping past.",
           "horse, gallop, hooves, riding, cheval, caballo, Pferd", horse_gallop),
)


def render(sound: BuiltinSound, seed: int, sample_rate: int) -> np.ndarray:
    """The sound's samples, identical for the same (sound, seed, rate)."""
    digest = hashlib.sha256(f"{sound.id}:{seed}".encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
    return sound.render(rng, sample_rate)
