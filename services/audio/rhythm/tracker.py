"""The default beat tracker: librosa's dynamic programming, with the metrical level, a time-varying
tempo, the meter and the downbeats chosen from evidence in the signal.

1. Onset envelopes: full band (mel spectral flux) and three bands: low (< 150 Hz: kick, bass),
   body (150 Hz–1.5 kHz: snare body, chords, bass harmonics) and high (> 4 kHz: hats, noise); the
   loudness of onsets (flux of compressed power) and the high band's flux of linear power, which
   keeps accents (an on-beat hat 3 dB louder than the off-beat one has twice the flux).
2. Pulse clarity: the strongest normalised autocorrelation of the full envelope over 0.25–1.2 s
   lags. Below `MIN_PULSE_CLARITY` the track has no beat (silence, a noise wash, a drone) and no
   beats are returned rather than a grid invented from noise.
3. Metrical level. The family first: librosa's tempo estimate, or the tempo 3:4, 4:3, 3:2 or 2:3
   from it whose beat and bars (2 and 4 beats, or 3) best explain the periodicity of the accents
   (an even stream of sixteenths lets the tempogram take three of them as a beat). Then the octave:
   from the slowest octave within 50–210 BPM, the next faster level is taken while the pulses it
   would add (midway between this level's tracked beats) behave like beats (`LevelEvidence`):
   they are nearly as loud as the beats (a kick on each, a back-beat), or their high-band onsets
   are as accented as the beats' (hats that are off-beats are weaker than the on-beat ones), or
   they stand above the quarter points' hats as beats stand above their off-beats. The loudest
   hits alone mislead: a kick on the off-beat is loud but not a beat. Only a level below 60 BPM
   is always left for the faster one (such a slow tactus is rare).
4. Tempo over time: a tempogram restricted to ±25 % of the chosen level, followed by Viterbi with a
   cost on tempo changes, so a ramp gets a time-varying grid; librosa tracks beats on that curve.
5. Meter and downbeats: per beat, low-band onsets, harmonic change (chroma before vs. after) and
   the absence of back-beat (body/high band) hits; each meter (3 or 4) and phase is scored by how
   much its bar starts stand out, plus bar-length self-similarity of the per-beat pattern.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

HOP = 256
MIN_BPM, MAX_BPM = 50.0, 210.0
PREFERRED_BPM = (70.0, 180.0)
MIN_PULSE_CLARITY = 0.2
# A faster level is taken when the high-band onsets on the pulses it adds are at least this strong
# (median, linear power) relative to those on the kept pulses; below it they are the weaker off-beats.
ACCENT_RATIO = 0.75
# High-band onsets count as events at the pulses when their median is this many times the band's median.
HIGH_EVENT_OVER_BACKGROUND = 3.0
# Quarter points carry events when their median high-band onset is at least this share of the midpoints';
# the midpoints are then beats when they are this many times stronger than the quarter points.
QUARTERS_CARRY = 0.25
SUBDIVISION_RATIO = 1.4
# Added pulses this loud relative to the beats are beats whatever the high band says.
LOUD_RATIO_STRONG = 0.7
# Without high-band events: the faster level is taken when the pulses it adds carry at least this
# share of the kept pulses' loudness (compressed flux over all bands).
DOUBLE_RATIO = 0.28
SLOWEST_TACTUS_BPM = 60.0
# Tempi related to librosa's estimate that are tried as the beat family (the estimate itself first).
FAMILY_RATIOS = (1.0, 3 / 4, 4 / 3, 3 / 2, 2 / 3)
TEMPO_WINDOW_S = 8.0


@dataclass(frozen=True)
class BeatGrid:
    beats: np.ndarray
    downbeats: np.ndarray
    tempo_bpm: float
    meter: int
    pulse_clarity: float


@dataclass
class Envelopes:
    full: np.ndarray
    low: np.ndarray
    body: np.ndarray
    high: np.ndarray
    sr: int
    loud: np.ndarray
    high_power: np.ndarray  # flux of linear (uncompressed) power above 4 kHz: hats, snare noise, cymbals

    @property
    def frame_rate(self) -> float:
        return self.sr / HOP


def envelopes(y: np.ndarray, sr: int) -> Envelopes:
    import librosa

    mel = librosa.feature.melspectrogram(y=y, sr=sr, hop_length=HOP, n_fft=2048, n_mels=96, fmax=sr / 2)
    mel_db = librosa.power_to_db(mel, ref=np.max)
    freqs = librosa.mel_frequencies(n_mels=96, fmax=sr / 2)
    edges = [0, *(int(np.searchsorted(freqs, hz)) for hz in (150, 1500, 4000)), 96]
    multi = librosa.onset.onset_strength_multi(S=mel_db, sr=sr, hop_length=HOP, channels=edges)
    full = librosa.onset.onset_strength(S=mel_db, sr=sr, hop_length=HOP)
    # Loudness of each onset: flux of gently compressed power over all bands. A snare is about as loud
    # as a kick and a hat much quieter, which the dB flux (it equalises levels) does not show.
    loud = librosa.onset.onset_strength(S=np.log1p(100.0 * mel / (float(mel.max()) or 1.0)), sr=sr, hop_length=HOP)
    # Linear power keeps accents: an on-beat hat 3 dB louder than its off-beat one has twice the flux
    # here, where the dB flux above barely differs.
    high_power = librosa.onset.onset_strength_multi(S=mel, sr=sr, hop_length=HOP, channels=edges[3:],
                                                    aggregate=np.sum)[0]
    n = min(full.size, multi.shape[1], loud.size, high_power.size)

    def unit(x: np.ndarray) -> np.ndarray:
        peak = float(np.percentile(x[:n], 99)) if x.size else 0.0
        return x[:n] / peak if peak > 0 else x[:n]

    return Envelopes(unit(full), unit(multi[0]), unit(multi[1]), unit(multi[3]), sr, unit(loud), unit(high_power))


def pulse_clarity(env: np.ndarray, frame_rate: float) -> float:
    """Largest normalised autocorrelation of the envelope at beat-like lags (0.25–1.2 s)."""
    x = env - env.mean()
    denom = float(np.dot(x, x))
    if denom <= 1e-12 or x.size < 4 * frame_rate:
        return 0.0
    lo, hi = int(0.25 * frame_rate), min(x.size - 1, int(1.2 * frame_rate))
    spectrum = np.fft.rfft(x, 2 * x.size)
    ac = np.fft.irfft(spectrum * np.conj(spectrum))[: x.size] / denom
    return float(ac[lo:hi].max()) if hi > lo else 0.0


def _strength_at(env: np.ndarray, frames: np.ndarray, radius: int = 3) -> np.ndarray:
    out = np.zeros(frames.size)
    for i, f in enumerate(frames):
        out[i] = env[max(0, f - radius): f + radius + 1].max(initial=0.0)
    return out


def _track(env: np.ndarray, sr: int, bpm: float | np.ndarray) -> np.ndarray:
    import librosa

    _, frames = librosa.beat.beat_track(onset_envelope=env, sr=sr, hop_length=HOP, bpm=bpm, tightness=200,
                                        units="frames")
    return np.asarray(frames, dtype=int)


@dataclass(frozen=True)
class LevelEvidence:
    """What says whether the pulses midway between a level's beats are beats too."""

    loudness: float  # mean loudness on the midpoints over that on the beats (all bands)
    accent: float | None  # median high-band onset power on the midpoints over that on the beats
    subdivision: float | None  # the same on the midpoints over that on the quarter points, when these carry events

    def says_faster(self) -> bool:
        if self.loudness >= LOUD_RATIO_STRONG:
            return True  # the added pulses are as loud as beats (a kick on every one, a back-beat)
        if self.accent is None:
            return self.loudness >= DOUBLE_RATIO
        # The midpoints are accented like the beats, or stand above their own off-beats as beats do.
        return self.accent >= ACCENT_RATIO or (self.subdivision is not None and self.subdivision >= SUBDIVISION_RATIO)


def level_evidence(envs: Envelopes, frames: np.ndarray) -> LevelEvidence:
    """Evidence for the level twice as fast as the beats at `frames` (see the module docstring)."""
    midpoints = (frames[:-1] + frames[1:]) // 2
    gaps = frames[1:] - frames[:-1]
    quarters = np.concatenate([frames[:-1] + gaps // 4, frames[:-1] + (3 * gaps) // 4])
    loudness = _strength_at(envs.loud, midpoints).mean() / max(_strength_at(envs.loud, frames).mean(), 1e-9)
    on_beats = float(np.median(_strength_at(envs.high_power, frames)))
    on_midpoints = float(np.median(_strength_at(envs.high_power, midpoints)))
    on_quarters = float(np.median(_strength_at(envs.high_power, quarters)))
    background = float(np.median(envs.high_power))
    strongest = max(on_beats, on_midpoints)
    if strongest <= 0 or strongest <= HIGH_EVENT_OVER_BACKGROUND * background:
        return LevelEvidence(float(loudness), None, None)  # no hats, cymbals or snare noise to compare
    accent = on_midpoints / max(on_beats, 1e-9 * strongest)
    subdivision = on_midpoints / on_quarters if on_quarters >= QUARTERS_CARRY * on_midpoints > 0 else None
    return LevelEvidence(float(loudness), accent, subdivision)


def _autocorrelation(env: np.ndarray) -> np.ndarray:
    x = env - env.mean()
    spectrum = np.fft.rfft(x, 2 * x.size)
    ac = np.fft.irfft(spectrum * np.conj(spectrum))[: x.size]
    return ac / ac[0] if ac[0] > 0 else ac


def metrical_salience(ac: np.ndarray, frame_rate: float, bpm: float) -> float:
    """How well a beat at `bpm` and the bars built on it (2 and 4 beats, or 3) explain the accents'
    periodicity: the mean autocorrelation at those lags, the better of duple and triple."""

    def at(lag: float) -> float:
        i = int(lag)
        return float(ac[max(0, i - 1): i + 3].max()) if i + 2 < ac.size else 0.0

    lag = 60.0 * frame_rate / bpm
    return max(float(np.mean([at(k * lag) for k in (1, 2, 4)])), float(np.mean([at(k * lag) for k in (1, 3)])))


def metrical_family(envs: Envelopes, estimate: float) -> float:
    """`estimate`, or the 3:4, 4:3, 3:2 or 2:3 related tempo whose beat and bars explain the accents
    better: with an even stream of sixteenths the tempogram can lock onto three of them as a beat."""
    ac = _autocorrelation(envs.full + envs.loud + envs.high_power + envs.low)
    candidates = [estimate * ratio for ratio in FAMILY_RATIOS if 0.8 * MIN_BPM <= estimate * ratio <= 1.2 * MAX_BPM]
    # max() keeps the first of equals: ties go to librosa's own estimate.
    return max(candidates, key=lambda bpm: metrical_salience(ac, envs.frame_rate, bpm))


def choose_level(envs: Envelopes) -> float:
    """The tactus tempo (BPM): octaves of librosa's estimate, climbed while the faster level's added
    pulses behave like beats (see the module docstring)."""
    import librosa

    estimate = float(librosa.feature.tempo(onset_envelope=envs.full, sr=envs.sr, hop_length=HOP, start_bpm=120,
                                           max_tempo=MAX_BPM * 2)[0])
    if estimate <= 0:
        return 0.0
    base = metrical_family(envs, estimate)
    levels = sorted({base * 2.0**k for k in range(-3, 4) if MIN_BPM <= base * 2.0**k <= MAX_BPM})
    if not levels:
        return float(np.clip(base, MIN_BPM, MAX_BPM))
    chosen = levels[0]
    for faster in levels[1:]:
        frames = _track(envs.full + envs.loud, envs.sr, chosen)
        if frames.size < 8:
            break
        # A tactus this slow is rare: take the faster level whatever the evidence.
        too_slow = chosen < SLOWEST_TACTUS_BPM and faster <= PREFERRED_BPM[1]
        if not (too_slow or level_evidence(envs, frames).says_faster()):
            break
        chosen = faster
    return chosen


def tempo_curve(envs: Envelopes, bpm: float) -> np.ndarray:
    """Per-frame tempo near `bpm`: Viterbi through a local tempogram, penalising tempo jumps."""
    import librosa

    win = int(TEMPO_WINDOW_S * envs.frame_rate)
    gram = librosa.feature.tempogram(onset_envelope=envs.full, sr=envs.sr, hop_length=HOP, win_length=win)
    lags = np.arange(gram.shape[0])
    with np.errstate(divide="ignore"):
        tempi = 60.0 * envs.frame_rate / lags
    usable = np.flatnonzero((tempi >= bpm / 1.25) & (tempi <= bpm * 1.25))
    if usable.size < 2:
        return np.full(envs.full.size, bpm)
    obs = gram[usable]
    obs = obs / (obs.max(axis=0, keepdims=True) + 1e-9)
    log_t = np.log2(tempi[usable])
    # Transition cost grows with the tempo change between frames (in octaves).
    cost = 400.0 * np.abs(log_t[:, None] - log_t[None, :])
    score = obs[:, 0].copy()
    back = np.zeros(obs.shape, dtype=int)
    for t in range(1, obs.shape[1]):
        cand = score[None, :] - cost
        back[:, t] = np.argmax(cand, axis=1)
        score = cand[np.arange(usable.size), back[:, t]] + obs[:, t]
    path = np.zeros(obs.shape[1], dtype=int)
    path[-1] = int(np.argmax(score))
    for t in range(obs.shape[1] - 1, 0, -1):
        path[t - 1] = back[path[t], t]
    curve = tempi[usable][path]
    n = envs.full.size
    return np.pad(curve, (0, max(0, n - curve.size)), mode="edge")[:n]


def track_beats(envs: Envelopes) -> tuple[np.ndarray, float, float]:
    """Beat times (s), tempo (BPM) and pulse clarity; no beats when the track has no pulse."""
    clarity = pulse_clarity(envs.full, envs.frame_rate)
    if clarity < MIN_PULSE_CLARITY:
        return np.zeros(0), 0.0, clarity
    bpm = choose_level(envs)
    if bpm <= 0:
        return np.zeros(0), 0.0, clarity
    curve = tempo_curve(envs, bpm)
    frames = _track(envs.full + 0.5 * envs.low + 0.3 * envs.body, envs.sr, curve)
    return frames * HOP / envs.sr, bpm, clarity


def _chroma_change(y: np.ndarray, sr: int, beats: np.ndarray) -> np.ndarray:
    """Per beat: cosine distance between the chroma of the beat that starts there and the one before."""
    import librosa

    chroma = librosa.feature.chroma_stft(y=y, sr=sr, hop_length=HOP * 2, n_fft=4096)
    frames = np.clip((beats * sr / (HOP * 2)).astype(int), 0, chroma.shape[1] - 1)
    edges = np.append(frames, chroma.shape[1])
    synced = np.stack([chroma[:, a: max(b, a + 1)].mean(axis=1) for a, b in itertools.pairwise(edges)], axis=1)
    unit = synced / (np.linalg.norm(synced, axis=0, keepdims=True) + 1e-9)
    change = np.zeros(beats.size)
    change[1:] = 1.0 - np.sum(unit[:, 1:] * unit[:, :-1], axis=0)
    return change


def _z(x: np.ndarray) -> np.ndarray:
    std = float(x.std())
    return (x - x.mean()) / std if std > 1e-9 else np.zeros_like(x)


def meter_and_phase(
    y: np.ndarray, sr: int, envs: Envelopes, beats: np.ndarray, section_beats: list[int] | None = None
) -> tuple[int, int]:
    """(beats per bar, index of the first downbeat) from per-beat downbeat evidence."""
    if beats.size < 8:
        return 4, 0
    frames = np.clip(np.round(beats * sr / HOP).astype(int), 0, envs.full.size - 1)
    low = _strength_at(envs.low, frames)
    backbeat = _strength_at(0.5 * envs.body + 0.5 * envs.high, frames)
    harmony = _chroma_change(y, sr, beats)
    cue = 1.0 * _z(low) + 1.2 * _z(harmony) - 0.4 * _z(backbeat)
    if section_beats:
        sec = np.zeros(beats.size)
        sec[[b for b in section_beats if 0 <= b < beats.size]] = 1.0
        cue = cue + 1.5 * sec
    # Bar-length self-similarity: the per-beat pattern (bands + harmony) repeats every bar.
    pattern = np.stack([_z(low), _z(backbeat), _z(harmony), _z(_strength_at(envs.high, frames))])

    def repeat(lag: int) -> float:
        if beats.size <= 2 * lag:
            return 0.0
        a, b = pattern[:, :-lag], pattern[:, lag:]
        return float(np.mean(np.sum(a * b, axis=0) / (np.linalg.norm(a, axis=0) * np.linalg.norm(b, axis=0) + 1e-9)))

    best: tuple[float, int, int] = (-np.inf, 4, 0)
    for meter in (4, 3):
        contrasts = [cue[p::meter].mean() - cue.mean() for p in range(meter)]
        phase = int(np.argmax(contrasts))
        similarity = repeat(meter) - 0.5 * (repeat(meter - 1) + repeat(meter + 1))
        score = contrasts[phase] + 0.5 * similarity + (0.1 if meter == 4 else 0.0)  # 4/4 is the commoner meter
        if score > best[0]:
            best = (score, meter, phase)
    return best[1], best[2]
