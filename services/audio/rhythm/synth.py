"""A synthetic evaluation set for beat, downbeat and tempo tracking: audio with known beats and bars.

Every track is rendered from a `TrackSpec` with numpy: a beat grid (steady, or a tempo ramp whose
instantaneous tempo moves linearly from `bpm` to `bpm_end`), bars of `meter` beats (an optional
pick-up beat before the first bar), and a groove drawn from drum patterns on a 12-step-per-beat grid
(straight, swung, syncopated, half-time, four-on-the-floor, waltz, no drums at all), with a bass line
and chords that change at bar starts, small timing/velocity humanisation, a quiet intro and a
drum break where asked. The reference annotation is the grid the audio was rendered from.

The set is generated, not tuned: `evaluation_set()` spreads tempi over 60–200 BPM with a fixed seed
and crosses them with the grooves, so nothing in it is chosen per track.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SR = 22050
STEPS = 12  # grid steps per beat: 12 holds both straight sixteenths (3) and swung triplets (4)


@dataclass(frozen=True)
class TrackSpec:
    name: str
    bpm: float
    groove: str
    meter: int = 4
    seconds: float = 24.0
    bpm_end: float | None = None  # tempo ramp: instantaneous tempo moves linearly to this
    pickup_beats: int = 0  # beats before the first downbeat
    quiet_intro_bars: int = 0  # bars of pads and hats only, at a low level
    break_bar: int | None = None  # two bars without drums, starting at this bar
    beatless: str = ""  # "silence", "noise" or "drone": a track with no beat at all
    seed: int = 0


@dataclass
class SynthTrack:
    spec: TrackSpec
    audio: np.ndarray
    sr: int
    beats: np.ndarray
    downbeats: np.ndarray
    tempo_bpm: float  # median tempo of the reference grid (0 for silence)
    sections: list[float] = field(default_factory=list)


# Drum patterns per bar: step indices (on the 12-per-beat grid) of each instrument, for a meter.
# "swing" places the off-beat eighth at 2/3 of the beat (step 8) instead of 1/2 (step 6).
def _pattern(groove: str, meter: int) -> dict[str, list[int]]:
    b = STEPS
    eighths = [k * b + o for k in range(meter) for o in (0, 6)]
    swung = [k * b + o for k in range(meter) for o in (0, 8)]
    every = [k * b for k in range(meter)]
    if meter == 3:
        if groove == "waltz_nokick":
            return {"kick": [], "snare": [], "hat": eighths, "rim": [b, 2 * b]}
        return {"kick": [0], "snare": [b, 2 * b], "hat": eighths}
    if groove == "rock":
        return {"kick": [0, 2 * b, 2 * b + 6], "snare": [b, 3 * b], "hat": eighths}
    if groove == "swing":
        return {"kick": [0, 2 * b], "snare": [b, 3 * b], "hat": swung}
    if groove == "four_floor":
        return {"kick": every, "snare": [b, 3 * b], "hat": [k * b + 6 for k in range(meter)]}
    if groove == "syncopated":
        return {"kick": [0, b + 6, 2 * b + 6, 3 * b + 9], "snare": [b, 3 * b], "hat": eighths}
    if groove == "halftime":
        return {"kick": [0, 3 * b + 6], "snare": [2 * b], "hat": eighths}
    if groove == "no_kick":
        return {"kick": [], "snare": [b, 3 * b], "hat": eighths}
    if groove == "shaker":  # no kick, no snare: hats, bass and chords carry it
        sixteenths = [k * b + o for k in range(meter) for o in (0, 3, 6, 9)]
        return {"kick": [], "snare": [], "hat": sixteenths}
    if groove == "breakbeat":
        return {"kick": [0, 2 * b + 6, 2 * b + 9], "snare": [b, 3 * b, 3 * b + 9], "hat": eighths}
    if groove == "sparse":  # ballad: a kick per bar, the rest is harmony
        return {"kick": [0], "snare": [2 * b], "hat": every}
    raise ValueError(f"unknown groove {groove!r}")


def beat_grid(spec: TrackSpec) -> np.ndarray:
    """Beat times: steady, or a ramp whose instantaneous tempo moves linearly from bpm to bpm_end."""
    end_bpm = spec.bpm_end or spec.bpm
    times = [0.35 + 0.05 * (spec.seed % 5)]
    while times[-1] < spec.seconds:
        frac = min(1.0, times[-1] / spec.seconds)
        times.append(times[-1] + 60.0 / (spec.bpm + (end_bpm - spec.bpm) * frac))
    return np.array(times[:-1])


def _env(t: np.ndarray, decay: float) -> np.ndarray:
    return np.exp(-t / decay)


def _kick(sr: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.35 * sr)) / sr
    f0 = rng.uniform(45, 60)
    phase = 2 * np.pi * np.cumsum(f0 + 110 * _env(t, 0.025)) / sr
    click = rng.standard_normal(t.size) * _env(t, 0.002) * 0.3
    return np.sin(phase) * _env(t, rng.uniform(0.09, 0.16)) + click


def _snare(sr: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.25 * sr)) / sr
    noise = np.diff(rng.standard_normal(t.size + 1))
    body = np.sin(2 * np.pi * rng.uniform(170, 220) * t) * _env(t, 0.04)
    return 0.5 * noise * _env(t, rng.uniform(0.05, 0.09)) + 0.6 * body


def _hat(sr: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.08 * sr)) / sr
    noise = np.diff(np.diff(rng.standard_normal(t.size + 2)))
    return noise * _env(t, rng.uniform(0.008, 0.02)) * 0.5


def _rim(sr: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.06 * sr)) / sr
    return np.sin(2 * np.pi * rng.uniform(700, 900) * t) * _env(t, 0.01)


def _tone(freq: float, seconds: float, sr: int, harmonics: int, decay: float) -> np.ndarray:
    t = np.arange(max(1, int(seconds * sr))) / sr
    wave = sum(np.sin(2 * np.pi * freq * h * t) / h for h in range(1, harmonics + 1))
    attack = np.minimum(1.0, t / 0.008)
    return wave * attack * _env(t, decay)


def _add(y: np.ndarray, at_s: float, sound: np.ndarray, gain: float, sr: int) -> None:
    at = round(at_s * sr)
    if at >= y.size or at + sound.size <= 0:
        return
    end = min(y.size, at + sound.size)
    y[max(0, at):end] += gain * sound[max(0, -at): end - at]


# Chord progressions as semitone offsets of each chord's root from the key's tonic, minor/major triads.
PROGRESSIONS = (
    [(0, "min"), (8, "maj"), (3, "maj"), (10, "maj")],
    [(0, "maj"), (7, "maj"), (9, "min"), (5, "maj")],
    [(0, "min"), (5, "min"), (7, "maj"), (0, "min")],
    [(0, "maj"), (5, "maj"), (0, "maj"), (7, "maj")],
)


def _beatless(kind: str, n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Silence, a slowly swelling noise wash, or a sustained drone chord: audio with no pulse."""
    t = np.arange(n) / sr
    if kind == "silence":
        return np.zeros(n, dtype=np.float32)
    swell = 0.6 + 0.4 * np.sin(2 * np.pi * t / rng.uniform(7, 11))
    if kind == "noise":
        wash = np.cumsum(rng.standard_normal(n))  # brown noise, high-passed by a leaky difference
        wash = wash - np.convolve(wash, np.ones(64) / 64, mode="same")
        y = wash * swell
    elif kind == "drone":
        y = sum(np.sin(2 * np.pi * f * t + 0.3 * np.sin(2 * np.pi * 0.2 * t)) for f in (110.0, 164.8, 220.0, 277.2))
        y = y * swell + rng.normal(0, 0.01, n)
    else:
        raise ValueError(f"unknown beatless kind {kind!r}")
    return (0.5 * y / np.max(np.abs(y))).astype(np.float32)


def render(spec: TrackSpec, sr: int = SR) -> SynthTrack:
    n = int(spec.seconds * sr)
    rng = np.random.default_rng(spec.seed)
    if spec.beatless:
        return SynthTrack(spec, _beatless(spec.beatless, n, sr, rng), sr, np.zeros(0), np.zeros(0), 0.0)
    y = np.zeros(n, dtype=np.float64)
    grid = beat_grid(spec)
    pattern = _pattern(spec.groove, spec.meter)
    kit = {"kick": _kick(sr, rng), "snare": _snare(sr, rng), "hat": _hat(sr, rng), "rim": _rim(sr, rng)}
    gains = {"kick": 0.9, "snare": 0.45, "hat": 0.12, "rim": 0.2}
    tonic = 110.0 * 2 ** (rng.integers(0, 12) / 12)
    progression = PROGRESSIONS[int(rng.integers(0, len(PROGRESSIONS)))]
    bar_starts = list(range(spec.pickup_beats, len(grid), spec.meter))
    intro_end = spec.quiet_intro_bars
    for bar, first in enumerate(bar_starts):
        quiet = bar < intro_end
        in_break = spec.break_bar is not None and spec.break_bar <= bar < spec.break_bar + 2
        level = 0.3 if quiet else 1.0
        # Instruments on the 12-step grid, interpolated between this bar's beat times.
        for instrument, steps in pattern.items():
            # A quiet intro keeps its hats; a break is two bars without drums (hats included), so that a
            # hats-only groove has a break too.
            if (quiet and instrument != "hat") or in_break:
                continue
            for step in steps:
                beat, sub = divmod(step, STEPS)
                k = first + beat
                if k >= len(grid):
                    continue
                # The last beat of the grid has no successor: its sub-steps take the previous beat's length,
                # so the groove plays through to the end of the track like the annotation says.
                length = grid[k + 1] - grid[k] if k + 1 < len(grid) else grid[k] - grid[k - 1]
                at = grid[k] + length * sub / STEPS + rng.normal(0, 0.003)
                accent = 1.0 if sub == 0 else 0.7
                _add(y, at, kit[instrument], gains[instrument] * accent * level * rng.uniform(0.85, 1.0), sr)
        # Harmony: the chord changes on the downbeat; the bass plays the root on beats 1 and (3).
        root, quality = progression[bar % len(progression)]
        third = 3 if quality == "min" else 4
        bar_end = grid[min(first + spec.meter, len(grid) - 1)] if first + spec.meter < len(grid) else spec.seconds
        length = max(0.05, bar_end - grid[first])
        for interval in (0, third, 7):
            freq = tonic * 2 * 2 ** ((root + interval) / 12)
            _add(y, grid[first], _tone(freq, length, sr, 3, length * 1.5), 0.07 * level, sr)
        if not quiet:
            bass_beats = (0, 2) if spec.meter == 4 else (0,)
            for beat in bass_beats:
                k = first + beat
                if k < len(grid):
                    hold = (grid[min(k + 1, len(grid) - 1)] - grid[k]) * 1.6 or 0.3
                    _add(y, grid[k], _tone(tonic / 2 * 2 ** (root / 12), hold, sr, 4, 0.25), 0.35, sr)
    # The pick-up beats get a fill on the snare so they are audible.
    for k in range(spec.pickup_beats):
        _add(y, grid[k], kit["snare"], 0.3, sr)
    y += rng.normal(0, 1e-4, y.size)  # a noise floor: real recordings are never digital silence
    y = (0.9 * y / np.max(np.abs(y))).astype(np.float32)
    beats = grid[(grid >= 0) & (grid < spec.seconds)]
    downbeats = np.array([grid[k] for k in bar_starts if grid[k] < spec.seconds])
    sections = []
    if spec.break_bar is not None:
        sections = [float(grid[bar_starts[b]]) for b in (spec.break_bar, spec.break_bar + 2) if b < len(bar_starts)]
    elif intro_end and intro_end < len(bar_starts):
        sections = [float(grid[bar_starts[intro_end]])]
    return SynthTrack(spec, y, sr, beats, downbeats, float(60.0 / np.median(np.diff(beats))), sections)


def evaluation_set(count: int = 35, seed: int = 16) -> list[TrackSpec]:
    """A fixed, broad set: `count` tempi spread log-uniformly over 60–200 BPM, crossed with grooves,
    meters, ramps, pick-ups, quiet intros and breaks; plus three tracks with no beat (silence, noise, drone)."""
    rng = np.random.default_rng(seed)
    grooves_4 = ["rock", "swing", "four_floor", "syncopated", "halftime", "no_kick", "shaker", "breakbeat", "sparse"]
    grooves_3 = ["waltz", "waltz_nokick"]
    specs: list[TrackSpec] = []
    tempi = np.exp(np.linspace(np.log(60), np.log(200), count))
    rng.shuffle(tempi)
    for i, bpm in enumerate(tempi):
        meter = 3 if i % 6 == 5 else 4
        groove = grooves_3[(i // 6) % 2] if meter == 3 else grooves_4[i % len(grooves_4)]
        ramp = i % 7 == 3
        bpm_end = float(np.clip(bpm * rng.choice([0.85, 1.15]), 60, 200)) if ramp else None
        specs.append(TrackSpec(
            name=f"{i:02d}-{groove}-{meter}{'-ramp' if ramp else ''}-{bpm:.0f}",
            bpm=round(float(bpm), 1),
            groove=groove,
            meter=meter,
            seconds=float(rng.choice([20.0, 24.0, 30.0])),
            bpm_end=round(bpm_end, 1) if bpm_end else None,
            pickup_beats=1 if i % 5 == 2 else 0,
            quiet_intro_bars=2 if i % 4 == 1 else 0,
            break_bar=4 if i % 8 == 6 else None,
            seed=int(rng.integers(0, 2**31)),
        ))
    for j, kind in enumerate(("silence", "noise", "drone")):
        specs.append(TrackSpec(name=f"{len(specs):02d}-{kind}", bpm=0.0, groove="", seconds=30.0 if j == 0 else 20.0,
                               beatless=kind, seed=j))
    return specs
