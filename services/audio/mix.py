"""The mix: music bed fitted to the film, ducked under the voice, loudness-normalised.

All in numpy at the output rate so every length is exact to the sample; ffmpeg measures
(ebur128) and encodes. The ducker is a feed-forward sidechain compressor keyed by the voice:
level detector on the voice, soft-knee gain computer with a ceiling (`duck_db`), look-ahead and hold
so the music dips just before a phrase and does not pump between words, then attack/release
smoothing. Loudness: measure (EBU R128 integrated, ffmpeg), apply the gain that reaches the target,
hold true peaks under the ceiling with a look-ahead limiter on a 4x-oversampled peak estimate,
measure again and correct — the limiter takes a little loudness off.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from services.audio import audio_io
from services.audio.audio_io import Loudness

LOOP_CROSSFADE_S = 1.0
# Below this the mix is silence: it is left alone rather than amplified.
SILENCE_LUFS = -60.0


def fit_to_length(music: np.ndarray, n: int, sample_rate: int, crossfade_s: float = LOOP_CROSSFADE_S) -> np.ndarray:
    """Loop (with an equal-power crossfade at each seam) or trim `music` to exactly `n` samples."""
    if music.shape[0] == 0:
        return np.zeros((n, music.shape[1] if music.ndim == 2 else 2), dtype=np.float32)
    if music.shape[0] >= n:
        return music[:n].astype(np.float32, copy=True)
    xf = min(round(crossfade_s * sample_rate), music.shape[0] // 4)
    out = np.zeros((n, music.shape[1]), dtype=np.float32)
    fade_in = np.sin(np.linspace(0, np.pi / 2, xf, dtype=np.float32))[:, None] if xf else None
    fade_out = np.cos(np.linspace(0, np.pi / 2, xf, dtype=np.float32))[:, None] if xf else None
    cursor = 0
    first = True
    while cursor < n:
        piece = music.astype(np.float32, copy=True)
        if xf and not first:
            piece[:xf] *= fade_in
        if xf:
            piece[-xf:] *= fade_out
        end = min(n, cursor + piece.shape[0])
        out[cursor:end] += piece[: end - cursor]
        cursor = end - xf if end < n else end
        first = False
    return out


def apply_fades(x: np.ndarray, sample_rate: int, fade_in_s: float, fade_out_s: float) -> np.ndarray:
    """Raised-cosine fade-in and fade-out, each at most a third of the length."""
    y = x.astype(np.float32, copy=True)
    n = y.shape[0]
    for seconds, head in ((fade_in_s, True), (fade_out_s, False)):
        k = min(round(seconds * sample_rate), n // 3)
        if k <= 0:
            continue
        ramp = (0.5 - 0.5 * np.cos(np.linspace(0, np.pi, k, dtype=np.float32)))[:, None]
        if head:
            y[:k] *= ramp
        else:
            y[-k:] *= ramp[::-1]
    return y


@dataclass(frozen=True)
class DuckParams:
    max_duck_db: float = 8.0
    # Voice level (dBFS, 10 ms RMS) where ducking starts, and the knee over which it reaches the max.
    threshold_db: float = -42.0
    knee_db: float = 12.0
    attack_s: float = 0.05
    release_s: float = 0.45
    hold_s: float = 0.25
    lookahead_s: float = 0.08


CONTROL_HZ = 200  # gain-computer rate; interpolated to samples


def duck_gain(voice: np.ndarray, sample_rate: int, params: DuckParams) -> np.ndarray:
    """Per-sample linear gain for the music (1 = untouched) from the voice sidechain."""
    n = voice.shape[0]
    if n == 0 or params.max_duck_db <= 0:
        return np.ones(n, dtype=np.float32)
    mono = voice if voice.ndim == 1 else voice.mean(axis=1)
    hop = sample_rate // CONTROL_HZ
    blocks = math.ceil(n / hop)
    padded = np.zeros(blocks * hop, dtype=np.float32)
    padded[:n] = mono
    level = 10 * np.log10(np.mean(padded.reshape(blocks, hop) ** 2, axis=1) + 1e-12)
    # Soft knee: 0 below the threshold, rising smoothly to the full duck over `knee_db`.
    over = np.clip((level - params.threshold_db) / params.knee_db, 0.0, 1.0)
    target = params.max_duck_db * (3 * over**2 - 2 * over**3)
    # Look-ahead + hold: the duck starts before the phrase and outlasts short gaps between words.
    from scipy.ndimage import maximum_filter1d

    ahead = round(params.lookahead_s * CONTROL_HZ)
    hold = round(params.hold_s * CONTROL_HZ)
    size = ahead + hold + 1
    # maximum over [i - hold, i + ahead]
    origin = (size // 2) - ahead
    target = maximum_filter1d(target, size=size, origin=int(np.clip(origin, -(size // 2), (size - 1) // 2)))
    attack = math.exp(-1.0 / (params.attack_s * CONTROL_HZ))
    release = math.exp(-1.0 / (params.release_s * CONTROL_HZ))
    smooth = np.empty_like(target)
    state = 0.0
    for i, value in enumerate(target):  # ~200 iterations per second of audio
        coeff = attack if value > state else release
        state = coeff * state + (1 - coeff) * value
        smooth[i] = state
    control_t = (np.arange(blocks) + 0.5) * hop
    gain_db = np.interp(np.arange(n), control_t, smooth)
    return (10 ** (-gain_db / 20)).astype(np.float32)


def _polyphase_taps(oversample: int, taps_per_phase: int = 12) -> np.ndarray:
    from scipy.signal import firwin

    h = firwin(oversample * taps_per_phase, 0.9 / oversample, window=("kaiser", 8.0)) * oversample
    return h.reshape(taps_per_phase, oversample).T.astype(np.float32)


def compress(
    x: np.ndarray, sample_rate: int, *, threshold_db: float, ratio: float, knee_db: float = 6.0,
    attack_s: float = 0.005, release_s: float = 0.08, block_s: float = 0.002,
) -> np.ndarray:
    """Feed-forward compressor (RMS detector on short blocks, soft knee, attack/release smoothing):
    evens out a voice's syllable peaks so the loudness target does not lean on the limiter."""
    mono = x if x.ndim == 1 else x.mean(axis=1)
    n = mono.shape[0]
    hop = max(1, round(block_s * sample_rate))
    blocks = math.ceil(n / hop)
    padded = np.zeros(blocks * hop, dtype=np.float64)
    padded[:n] = mono
    level = 10 * np.log10(np.mean(padded.reshape(blocks, hop) ** 2, axis=1) + 1e-12)
    over = level - threshold_db
    # Soft knee: quadratic blend over `knee_db` around the threshold.
    slope = 1 - 1 / ratio
    in_knee = slope * (over + knee_db / 2) ** 2 / (2 * knee_db)
    reduction = np.where(over <= -knee_db / 2, 0.0, np.where(over >= knee_db / 2, over * slope, in_knee))
    attack = math.exp(-block_s / attack_s)
    release = math.exp(-block_s / release_s)
    smooth = np.empty_like(reduction)
    state = 0.0
    for i, value in enumerate(reduction):
        coeff = attack if value > state else release
        state = coeff * state + (1 - coeff) * value
        smooth[i] = state
    gain_db = np.interp(np.arange(n), (np.arange(blocks) + 0.5) * hop, smooth)
    gain = (10 ** (-gain_db / 20)).astype(np.float32)
    return (x * (gain if x.ndim == 1 else gain[:, None])).astype(np.float32)


def true_peak_envelope(x: np.ndarray, oversample: int = 4) -> np.ndarray:
    """Per-sample max |x| over channels and `oversample` interpolated points between samples (a
    BS.1770-style true-peak estimate), by polyphase interpolation."""
    phases = _polyphase_taps(oversample)
    channels = x[:, None] if x.ndim == 1 else x
    peaks = np.zeros(channels.shape[0], dtype=np.float32)
    for ch in range(channels.shape[1]):
        column = np.ascontiguousarray(channels[:, ch], dtype=np.float32)
        np.maximum(peaks, np.abs(column), out=peaks)
        for taps in phases:
            np.maximum(peaks, np.abs(np.convolve(column, taps, mode="same")), out=peaks)
    # Points between sample i and i+1 also bound sample i's neighbourhood.
    peaks[:-1] = np.maximum(peaks[:-1], peaks[1:])
    return peaks


def limiter_gain(peaks: np.ndarray, sample_rate: int, ceiling_db: float, lookahead_s: float = 0.003,
                 hold_s: float = 0.02, release_s: float = 0.08) -> np.ndarray:
    """Look-ahead limiter gain for a true-peak envelope: the gain reaches what a peak needs
    `lookahead_s` before it, holds `hold_s`, then recovers exponentially (`release_s`); no sample
    ends up above the ceiling."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    ceiling = audio_io.db_to_gain(ceiling_db)
    need = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-9)).astype(np.float32)
    if float(need.min(initial=1.0)) >= 1.0:
        return need
    n = need.shape[0]
    look = max(1, round(lookahead_s * sample_rate))
    hold = max(1, round(hold_s * sample_rate))
    # min over [i - hold, i + look]
    size = look + hold + 1
    origin = (size // 2) - look
    held = minimum_filter1d(need, size=size, origin=int(np.clip(origin, -(size // 2), (size - 1) // 2)))
    # Exponential release at a 1 kHz control rate: instant down, slow up.
    block = max(1, sample_rate // 1000)
    blocks = math.ceil(n / block)
    padded = np.ones(blocks * block, dtype=np.float32)
    padded[:n] = held
    control = padded.reshape(blocks, block).min(axis=1)
    recover = 1.0 - math.exp(-1.0 / (release_s * 1000))
    released = np.empty_like(control)
    state = 1.0
    for k, value in enumerate(control.tolist()):
        state = min(value, state + (1.0 - state) * recover)
        if state > 0.99999:  # within 0.0001 dB: fully recovered, pass samples through untouched
            state = min(value, 1.0)
        released[k] = state
    gain = np.minimum(held, np.repeat(released, block)[:n])
    # A centred average over `look` samples only mixes values that are each <= need[i].
    return uniform_filter1d(gain, size=look, mode="nearest") if look > 1 else gain


def limit(x: np.ndarray, sample_rate: int, ceiling_db: float) -> np.ndarray:
    """True-peak limit `x` to `ceiling_db`."""
    gain = limiter_gain(true_peak_envelope(x), sample_rate, ceiling_db)
    return (x * (gain[:, None] if x.ndim == 2 else gain)).astype(np.float32)


def _k_weighting(sample_rate: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The two BS.1770 K-weighting biquads (high shelf, high pass) for any sample rate."""
    k = math.tan(math.pi * 1681.974450955533 / sample_rate)
    q = 0.7071752369554196
    vh = 10 ** (3.999843853973347 / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = (
        np.array([(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0]),
        np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]),
    )
    k = math.tan(math.pi * 38.13547087602444 / sample_rate)
    q = 0.5003270373238773
    a0 = 1 + k / q + k * k
    highpass = (np.array([1.0, -2.0, 1.0]), np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]))
    return [shelf, highpass]


def integrated_loudness(x: np.ndarray, sample_rate: int) -> float:
    """BS.1770-4 gated integrated loudness in LUFS (what ebur128 reports), in numpy: used for the
    normalisation passes; the final figure is ffmpeg's."""
    from scipy.signal import lfilter

    channels = x[:, None] if x.ndim == 1 else x
    weighted = channels.astype(np.float64)
    for b, a in _k_weighting(sample_rate):
        weighted = lfilter(b, a, weighted, axis=0)
    block, step = round(0.4 * sample_rate), round(0.1 * sample_rate)
    if weighted.shape[0] < block:
        return -math.inf
    power = np.concatenate([np.zeros((1, weighted.shape[1])), np.cumsum(weighted**2, axis=0)])
    starts = np.arange(0, weighted.shape[0] - block + 1, step)
    z = ((power[starts + block] - power[starts]) / block).sum(axis=1)
    loud = -0.691 + 10 * np.log10(np.maximum(z, 1e-20))
    gated = z[loud > -70.0]
    if gated.size == 0:
        return -math.inf
    relative = -0.691 + 10 * math.log10(float(gated.mean())) - 10.0
    final = z[(loud > -70.0) & (loud > relative)]
    return -0.691 + 10 * math.log10(float(final.mean())) if final.size else -math.inf


Measure = Callable[[Path], Loudness]


def normalize_loudness(
    mix: np.ndarray, sample_rate: int, *, target_lufs: float, true_peak_dbtp: float, workdir: Path,
    measure: Measure | None = None, tolerance_lu: float = 0.1, max_passes: int = 4,
) -> tuple[np.ndarray, Loudness, float]:
    """Gain + true-peak limiting to the target loudness and ceiling.

    Passes use the numpy meter (the peak envelope is computed once: the limiter only needs it
    scaled by the gain); the result is then checked with ffmpeg's ebur128 and corrected once more
    if the two disagree. Returns the normalised mix, ffmpeg's measurement of it and the linear gain
    applied before limiting.
    """
    measure = measure or (lambda path: audio_io.measure_loudness(path, workdir))
    start_lufs = integrated_loudness(mix, sample_rate)
    if not start_lufs > SILENCE_LUFS:
        return mix, Loudness(-70.0, -math.inf, 0.0), 1.0
    peaks = true_peak_envelope(mix)
    # Internal ceiling a little under the limit: inter-sample estimates differ between meters.
    ceiling_db = true_peak_dbtp - 0.4
    gain_db = target_lufs - start_lufs

    def render(gain: float, ceiling: float) -> np.ndarray:
        g = audio_io.db_to_gain(gain)
        return (mix * (g * limiter_gain(peaks * g, sample_rate, ceiling))[:, None]).astype(np.float32)

    out = render(gain_db, ceiling_db)
    previous: tuple[float, float] | None = None
    for _ in range(max_passes):
        loudness = integrated_loudness(out, sample_rate)
        error = target_lufs - loudness
        if abs(error) <= tolerance_lu:
            break
        # Secant step: the limiter gives back less than 1 LU per dB of gain once it works.
        slope = 1.0
        if previous is not None and abs(gain_db - previous[0]) > 1e-6:
            slope = float(np.clip((loudness - previous[1]) / (gain_db - previous[0]), 0.2, 1.0))
        previous = (gain_db, loudness)
        gain_db += error / slope
        out = render(gain_db, ceiling_db)
    probe = workdir / "loudness-probe.wav"
    audio_io.write_wav(probe, out, sample_rate)
    measured = measure(probe)
    error = target_lufs - measured.integrated_lufs
    if abs(error) > 0.3 or measured.true_peak_dbtp > true_peak_dbtp:
        if measured.true_peak_dbtp > true_peak_dbtp:
            ceiling_db -= measured.true_peak_dbtp - true_peak_dbtp + 0.2
        gain_db += error
        out = render(gain_db, ceiling_db)
        audio_io.write_wav(probe, out, sample_rate)
        measured = measure(probe)
    probe.unlink(missing_ok=True)
    return out, measured, audio_io.db_to_gain(gain_db)


# --- scene sound layers (ambience beds and timed effects) -------------------------------------------

def place(
    out: np.ndarray, clip: np.ndarray, start: int, *, tail_fade_s: float = 0.02, sample_rate: int = 48000
) -> None:
    """Add `clip` into `out` from sample `start`; a clip cut by the end gets a short fade, not a click."""
    n = out.shape[0]
    if start >= n or clip.shape[0] == 0:
        return
    begin = max(0, start)
    piece = clip[begin - start : n - start].astype(np.float32, copy=True)
    if start + clip.shape[0] > n:
        piece = apply_fades(piece, sample_rate, 0.0, tail_fade_s)
    out[begin : begin + piece.shape[0]] += piece if piece.ndim == out.ndim else piece[:, None]


def bed_segment(loop: np.ndarray, n: int, sample_rate: int, *, fade_in_s: float, fade_out_s: float) -> np.ndarray:
    """An ambience loop fitted to `n` samples (crossfaded at each seam) with fades at both ends: the
    bed of one run of scenes; neighbouring runs overlap by the fade so a cut is a crossfade."""
    fitted = fit_to_length(loop, n, sample_rate)
    return apply_fades(fitted, sample_rate, fade_in_s, fade_out_s)


ACTIVE_WINDOW_S = 0.05
ACTIVE_FLOOR_DB = -70.0
# Reported instead of -inf for a silent layer (proto doubles carry it; JSON has no -inf).
SILENT_DB = -120.0


def layer_level(x: np.ndarray, sample_rate: int) -> tuple[float, float, float]:
    """(RMS, RMS over the windows where the layer sounds, peak) in dBFS; SILENT_DB for silence."""
    if x.size == 0:
        return SILENT_DB, SILENT_DB, SILENT_DB
    mono_power = np.mean(np.square(x, dtype=np.float64), axis=1) if x.ndim == 2 else np.square(x, dtype=np.float64)
    hop = max(1, round(ACTIVE_WINDOW_S * sample_rate))
    blocks = mono_power.shape[0] // hop
    windows = mono_power[: blocks * hop].reshape(blocks, hop).mean(axis=1) if blocks else mono_power[:1]
    active = windows[windows > 10 ** (ACTIVE_FLOOR_DB / 10)]

    def db(power: float) -> float:
        return max(SILENT_DB, 10 * math.log10(power)) if power > 0 else SILENT_DB

    peak = float(np.abs(x).max())
    return (db(float(mono_power.mean())), db(float(active.mean())) if active.size else SILENT_DB,
            max(SILENT_DB, 20 * math.log10(peak)) if peak > 0 else SILENT_DB)
