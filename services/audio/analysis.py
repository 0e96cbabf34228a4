"""AnalyzeMusic: tempo, beats, downbeats, sections, energy and key of a track (librosa + numpy).

- Beats: librosa's dynamic-programming tracker on its onset envelope, then each beat is snapped to
  the sharp onset nearest it (a 1 ms step detector on the waveform: energy just after vs. just before)
  because the tracker's frames are ~12 ms coarse and its envelope lags percussive attacks; end beats
  that slide off the grid (the tracker backtracks from an off-beat onset near an end) are dropped, and
  the grid is extended at both ends where onsets continue it (the tracker drops weak edge beats). Tempo comes
  from a least-squares fit of the steady beats, not from the tracker's tempogram guess.
- Sections: beat-synchronous chroma + MFCC + loudness + onset density, a cosine self-similarity
  matrix and Foote's checkerboard novelty over two bars each side; peaks that stand out become
  boundaries (on beats).
- Downbeats: meter (3 or 4) and phase from `rhythm.tracker.meter_and_phase` for the default backend,
  the madmom DBN's bars for `madmom`; `librosa-plain` assumes 4/4 and takes the beat phase that best
  explains section starts, harmonic changes and low-frequency (kick/bass) onsets.
- Energy: RMS every `energy_hop_s`, normalised to 0..1. Key: mean chroma correlated with the
  Krumhansl-Kessler major/minor profiles ("" when the track has no clear tonal centre).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from services.audio import audio_io
from services.audio.model import MusicAnalysisResult
from services.audio.rhythm import tracker as tracker_mod
from services.common.errors import InvalidArgument

SR = 22050
HOP = 256
PITCH_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
KK_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
KK_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
# Onset step detector: window each side of the candidate instant, search radius around a beat.
STEP_WINDOW_S = 0.012
STEP_GRID_S = 0.001
SNAP_RADIUS_S = 0.05
SNAP_MIN_DB = 3.0
# Sections (in beats): the novelty kernel spans two bars of 4 each side; a section lasts at least two
# bars; the first change may come 1.5 bars in (a pick-up, or first beats too quiet to track, shorten
# the count), and so may the last before the end.
SECTION_KERNEL_BEATS = 8
MIN_SECTION_BEATS = 8
SECTION_EDGE_BEATS = 6
# The outer beats held to the grid of the inner ones, and how far (share of a period) one may be off it.
EDGE_BEATS = 8
EDGE_GRID_TOLERANCE = 0.15
MIN_KEY_CORRELATION = 0.5


def analyze_file(
    path: str | Path, workdir: str | Path, *, energy_hop_s: float, max_duration_s: float, field: str = "track_uri",
    tracker: str = "librosa",
) -> MusicAnalysisResult:
    try:
        y = audio_io.decode(path, workdir, sample_rate=SR, channels=1, max_seconds=max_duration_s + 1.0)[:, 0]
    except audio_io.NonFiniteSamples as exc:
        raise InvalidArgument.field(field, audio_io.NON_FINITE_MESSAGE) from exc
    except Exception as exc:
        raise InvalidArgument.field(field, "not an audio file ffmpeg can decode") from exc
    duration = y.size / SR
    if duration > max_duration_s:
        raise InvalidArgument.field(field, f"track is longer than {max_duration_s:g} s")
    if duration < 1.0:
        raise InvalidArgument.field(field, "track is shorter than 1 s")
    return analyze_samples(y, SR, energy_hop_s=energy_hop_s, tracker=tracker)


TRACKERS = ("librosa", "librosa-plain", "madmom")


def analyze_samples(
    y: np.ndarray, sr: int, *, energy_hop_s: float, tracker: str = "librosa"
) -> MusicAnalysisResult:
    """Analyse mono samples. `tracker` picks the beat backend (see services/audio/rhythm/README.md)."""
    if tracker not in TRACKERS:
        raise ValueError(f"tracker must be one of {TRACKERS}, got {tracker!r}")
    y = np.asarray(y, dtype=np.float32)
    duration = y.size / sr
    energy = energy_curve(y, sr, energy_hop_s)
    if float(np.max(np.abs(y), initial=0.0)) < 1e-5:
        return MusicAnalysisResult(duration, 0.0, (), (), (), energy, energy_hop_s, "")

    step_times, step_db = onset_steps(y, sr)
    if tracker == "librosa-plain":
        beats, envs = plain_beats(y, sr), None
    elif tracker == "madmom":
        from services.audio.rhythm import madmom_backend

        beats, downbeat_mask = madmom_backend.track(y, sr)
    else:
        envs = tracker_mod.envelopes(y, sr)
        beats, _, _ = tracker_mod.track_beats(envs)
    if tracker != "madmom":
        beats = regrid_ends(snap_to_onsets(beats, step_times, step_db))
        if beats.size >= 3:
            beats = extend_grid(beats, step_times, step_db, duration)
    period = beat_period(beats)
    tempo = 60.0 / period if period else 0.0

    features, feature_beats = beat_features(y, sr, beats)
    boundary_idx = section_boundaries(features, beats) if feature_beats else []
    if tracker == "madmom":
        downbeats = beats[downbeat_mask[: beats.size]] if beats.size else beats
    elif tracker == "librosa-plain" or envs is None:
        downbeats = beats[downbeat_phase(y, sr, beats, features, boundary_idx)::4] if beats.size else beats
    else:
        meter, phase = tracker_mod.meter_and_phase(y, sr, envs, beats, boundary_idx)
        downbeats = beats[phase::meter] if beats.size else beats
    return MusicAnalysisResult(
        duration_s=duration,
        tempo_bpm=round(tempo, 2),
        beat_times_s=tuple(round(float(t), 4) for t in beats),
        downbeat_times_s=tuple(round(float(t), 4) for t in downbeats),
        section_boundaries_s=tuple(round(float(beats[i]), 4) for i in boundary_idx),
        energy=energy,
        energy_hop_s=energy_hop_s,
        key=estimate_key(y, sr),
    )


def plain_beats(y: np.ndarray, sr: int) -> np.ndarray:
    """librosa's tracker as it comes (its tempogram tempo, one tempo for the track): the baseline."""
    import librosa

    onset_env = librosa.onset.onset_strength(y=y, sr=sr, hop_length=HOP)
    _, frames = librosa.beat.beat_track(onset_envelope=onset_env, sr=sr, hop_length=HOP, units="frames")
    return librosa.frames_to_time(frames, sr=sr, hop_length=HOP)


def energy_curve(y: np.ndarray, sr: int, hop_s: float) -> tuple[float, ...]:
    """RMS of consecutive `hop_s` windows, normalised so the loudest is 1."""
    if y.size == 0:
        return (0.0,)
    # Window k covers [k * hop_s, (k + 1) * hop_s) exactly (no drift from rounding the hop); the last
    # one may be partial and is averaged over the samples it has.
    count = max(1, math.ceil(y.size / (hop_s * sr) - 1e-9))
    starts = np.minimum(np.round(np.arange(count) * hop_s * sr).astype(np.int64), y.size - 1)
    lengths = np.diff(np.append(starts, y.size)).clip(min=1)
    rms = np.sqrt(np.add.reduceat(y.astype(np.float64) ** 2, starts) / lengths)
    peak = float(rms.max())
    return tuple(round(float(v), 4) for v in (rms / peak if peak > 0 else rms))


def onset_steps(y: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """Times on a 1 ms grid and, at each, how much louder (dB) the next 12 ms are than the last 12 ms."""
    window = max(1, round(STEP_WINDOW_S * sr))
    grid = max(1, round(STEP_GRID_S * sr))
    # Silence around the signal, so an attack at 0 s (or at the very end) is seen too.
    padded = np.concatenate([np.zeros(window), y.astype(np.float64), np.zeros(window)])
    power = np.concatenate([[0.0], np.cumsum(padded**2)])
    centres = np.arange(window, padded.size - window, grid)
    after = power[centres + window] - power[centres]
    before = power[centres] - power[centres - window]
    floor = 1e-7 * window
    step = 10 * np.log10((after + floor) / (before + floor))
    return (centres - window) / sr, step


def snap_to_onsets(beats: np.ndarray, times: np.ndarray, step_db: np.ndarray) -> np.ndarray:
    """Move each beat to the sharpest onset within SNAP_RADIUS_S, when there is a clear one."""
    if beats.size == 0 or times.size == 0:
        return beats
    snapped = beats.astype(np.float64, copy=True)
    for i, beat in enumerate(beats):
        lo, hi = np.searchsorted(times, [beat - SNAP_RADIUS_S, beat + SNAP_RADIUS_S])
        if hi > lo:
            j = lo + int(np.argmax(step_db[lo:hi]))
            if step_db[j] >= SNAP_MIN_DB:
                snapped[i] = times[j]
    return np.unique(np.round(snapped, 4))


def beat_period(beats: np.ndarray) -> float | None:
    """Seconds per beat from a least-squares line through the steady beats (IOIs near the median)."""
    if beats.size < 3:
        return None
    ioi = np.diff(beats)
    median = float(np.median(ioi))
    if median <= 0:
        return None
    steady = np.abs(ioi - median) <= 0.1 * median
    if steady.sum() < 2:
        return median
    # Beat numbers count skipped beats too, so a missed beat does not bend the line.
    numbers = np.concatenate([[0], np.cumsum(np.maximum(1, np.round(ioi / median)))])
    slope, _ = np.polyfit(numbers, beats, 1)
    return float(slope) if slope > 0 else median


def regrid_ends(beats: np.ndarray) -> np.ndarray:
    """The last (and first) EDGE_BEATS beats held to the grid of the beats inside them.

    A dynamic-programming tracker picks its last (and first) beat as the strongest onset near the
    end and backtracks from it; when that onset is an off-beat kick, the final beats slide off the
    grid, and a weak stretch can make one beat wobble. Walking outwards from the steady inner
    beats, a beat more than EDGE_GRID_TOLERANCE of a period off the grid is dropped, and a beat
    on the grid again after a gap has the gap's beats put back on the grid; `extend_grid` then
    continues the grid outwards wherever onsets are on it.
    """
    if beats.size < 2 * EDGE_BEATS:
        return beats

    def outward(sequence: np.ndarray) -> np.ndarray:
        inner, edge = list(sequence[:-EDGE_BEATS]), sequence[-EDGE_BEATS:]
        period = float(np.median(np.abs(np.diff(inner[-5:]))))
        direction = 1.0 if inner[-1] >= inner[-2] else -1.0
        for beat in edge:
            steps = round(direction * (beat - inner[-1]) / period)
            if steps < 1 or abs(direction * (beat - inner[-1]) - steps * period) > EDGE_GRID_TOLERANCE * period:
                continue  # off the grid: dropped
            gap = (beat - inner[-1]) / steps
            inner += [inner[-1] + k * gap for k in range(1, steps)] + [float(beat)]
        return np.asarray(inner)

    tail = outward(beats)
    return outward(tail[::-1])[::-1]


def extend_grid(beats: np.ndarray, times: np.ndarray, step_db: np.ndarray, duration: float) -> np.ndarray:
    """Add beats before the first and after the last while onsets keep falling on the grid (the
    period at each end is the local one, so a tempo ramp is extended at its own tempo)."""
    out = list(beats)
    ioi = np.diff(beats)
    head, tail = float(np.median(ioi[:4])), float(np.median(ioi[-4:]))

    def onset_near(t: float, tolerance: float) -> float | None:
        lo, hi = np.searchsorted(times, [t - tolerance, t + tolerance])
        if hi <= lo:
            return None
        j = lo + int(np.argmax(step_db[lo:hi]))
        return float(times[j]) if step_db[j] >= SNAP_MIN_DB else None

    tolerance = min(0.04, 0.15 * head)
    while out[0] - head > -tolerance:
        found = onset_near(out[0] - head, tolerance)
        if found is None:
            break
        out.insert(0, max(0.0, found))
    tolerance = min(0.04, 0.15 * tail)
    while out[-1] + tail < duration - 0.05:
        found = onset_near(out[-1] + tail, tolerance)
        if found is None:
            break
        out.append(found)
    return np.array(out)


def _steady(frames: np.ndarray) -> np.ndarray:
    return np.median(frames, axis=1)


def _density(frames: np.ndarray) -> np.ndarray:
    """Mean, compressed: an onset envelope's median between hits is ~0."""
    return np.log1p(np.mean(frames, axis=1))


def beat_features(y: np.ndarray, sr: int, beats: np.ndarray) -> tuple[np.ndarray, bool]:
    """Standardised beat-synchronous chroma, MFCC, loudness and onset density (one column per beat
    interval). Onset density is what a break or a drop changes most: the drums stop or start."""
    import librosa

    if beats.size < 4:
        return np.zeros((0, 0)), False
    hop = 512
    chroma = librosa.feature.chroma_stft(y=y, sr=sr, hop_length=hop, n_fft=4096)
    mfcc = librosa.feature.mfcc(y=y, sr=sr, hop_length=hop, n_mfcc=13)[1:]
    loud = librosa.amplitude_to_db(librosa.feature.rms(y=y, hop_length=hop), ref=1.0)
    onsets = librosa.onset.onset_strength(y=y, sr=sr, hop_length=hop)[None, :]
    frames = np.clip(librosa.time_to_frames(beats, sr=sr, hop_length=hop), 0, chroma.shape[1] - 1)
    ends = np.append(frames[1:], chroma.shape[1])
    groups = []
    # One column per beat, over the interval that starts at the beat.
    for feature, summary in ((chroma, _steady), (mfcc, _steady), (loud, _steady), (onsets, _density)):
        synced = np.stack([summary(feature[:, a : max(b, a + 1)]) for a, b in zip(frames, ends, strict=True)], axis=1)
        std = synced.std(axis=1, keepdims=True)
        z = (synced - synced.mean(axis=1, keepdims=True)) / np.where(std > 1e-6, std, 1.0)
        groups.append(z / math.sqrt(z.shape[0]))
    return np.vstack(groups), True


def foote_novelty(features: np.ndarray, half_width: int) -> np.ndarray:
    """Checkerboard-kernel novelty along the diagonal of the cosine self-similarity matrix."""
    norms = np.linalg.norm(features, axis=0)
    unit = features / np.where(norms > 1e-9, norms, 1.0)
    ssm = unit.T @ unit
    n = ssm.shape[0]
    w = half_width
    ramp = np.arange(-w, w) + 0.5
    taper = np.exp(-0.5 * (ramp / (0.5 * w)) ** 2)
    kernel = np.outer(taper, taper) * np.outer(np.sign(ramp), np.sign(ramp))
    kernel /= np.abs(kernel).sum()
    padded = np.pad(ssm, w, mode="edge")
    novelty = np.zeros(n)
    for i in range(n):
        novelty[i] = float(np.sum(kernel * padded[i : i + 2 * w, i : i + 2 * w]))
    return np.maximum(novelty, 0.0)


def section_boundaries(features: np.ndarray, beats: np.ndarray) -> list[int]:
    """Beat indices where a new section starts: novelty peaks that clearly stand out.

    Sizes are counted in beats, not seconds, so that a two-bar break or intro is a section at 200 BPM
    as at 60: the checkerboard kernel spans SECTION_KERNEL_BEATS each side of the change.
    """
    n = features.shape[1]
    if n < 8 or beats.size < 2:
        return []
    half_width = int(np.clip(SECTION_KERNEL_BEATS, 4, max(4, n // 4)))
    novelty = foote_novelty(features, half_width)
    floor = max(0.12, float(np.median(novelty) + 2.5 * np.std(novelty)))
    peaks: list[int] = []
    for i in np.argsort(-novelty):
        if novelty[i] < floor:
            break
        if i < SECTION_EDGE_BEATS or i > n - 1 - SECTION_EDGE_BEATS:
            continue
        if all(abs(int(i) - p) >= MIN_SECTION_BEATS for p in peaks):
            peaks.append(int(i))
    return sorted(peaks)


def downbeat_phase(y: np.ndarray, sr: int, beats: np.ndarray, features: np.ndarray, boundaries: list[int]) -> int:
    """Which beat (0..3) starts the bars: section starts, harmonic changes and low onsets vote."""
    import librosa

    if beats.size < 8:
        return 0
    low = librosa.onset.onset_strength(y=y, sr=sr, hop_length=HOP, fmax=180, n_mels=32)
    low_at = low[np.clip(librosa.time_to_frames(beats, sr=sr, hop_length=HOP), 0, low.size - 1)]
    low_at = low_at / (low_at.max() or 1.0)
    chroma_change = np.zeros(beats.size)
    if features.size:
        chroma = features[:12]
        diff = np.linalg.norm(np.diff(chroma, axis=1), axis=0)
        chroma_change[1 : 1 + diff.size] = diff / (diff.max() or 1.0)
    scores = np.zeros(4)
    for phase in range(4):
        idx = np.arange(phase, beats.size, 4)
        scores[phase] = low_at[idx].mean() - low_at.mean() + chroma_change[idx].mean() - chroma_change.mean()
        scores[phase] += 2.0 * sum(1 for b in boundaries if b % 4 == phase) / max(1, len(boundaries))
    best = int(np.argmax(scores))
    # A phase must win clearly; otherwise the first beat is taken as the downbeat.
    return best if scores[best] - scores[0] > 0.05 else 0


def estimate_key(y: np.ndarray, sr: int) -> str:
    import librosa

    chroma = librosa.feature.chroma_stft(y=y, sr=sr, n_fft=4096, hop_length=1024).mean(axis=1)
    if float(chroma.std()) < 1e-6:
        return ""
    best, best_r = "", -1.0
    for tonic in range(12):
        for profile, mode in ((KK_MAJOR, "major"), (KK_MINOR, "minor")):
            r = float(np.corrcoef(np.roll(profile, tonic), chroma)[0, 1])
            if r > best_r:
                best, best_r = f"{PITCH_NAMES[tonic]} {mode}", r
    return best if best_r >= MIN_KEY_CORRELATION else ""
