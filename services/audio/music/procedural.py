"""Procedural score: offline, deterministic per (brief, seed), rendered with numpy.

The brief's mood picks a style — mode, tempo, chord progression, rhythm and timbres. The seed picks
the key among the style's keys, the voicings' colour, a two-bar melodic motif and the small
variations of velocity and timing that keep it from sounding mechanical. The arrangement has a
shape: an intro of pads and arpeggio, bass and soft percussion entering, a melody in the middle
sections, a thinner breakdown on long cues, and an outro that lands on the tonic chord.

Instruments: warm detuned wavetable pads (voice-led chords), a round bass, an FM-bell arpeggio with a
ping-pong echo, a soft sine/triangle lead with vibrato, kick/snare/hat synthesised from sines and
filtered noise; a convolution reverb (decaying noise impulse) on a send bus.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from services.audio.model import MusicBriefSpec
from services.common import cancellation

PITCH_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
MODES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
}


@dataclass(frozen=True)
class Style:
    name: str
    mode: str
    tempo_bpm: float
    # Chord roots as scale degrees (0 = tonic), one chord per bar, cycled.
    progression: tuple[int, ...]
    keys: tuple[str, ...]
    keywords: tuple[str, ...]
    sevenths: bool = False
    pad_cutoff_hz: float = 2600.0
    # Notes per beat of the arpeggio and its figure.
    arp_division: int = 2
    arp_figure: str = "updown"
    # Beats (within a 4/4 bar) where the bass plucks, the kick and the snare hit.
    bass_beats: tuple[float, ...] = (0.0, 2.0)
    kick_beats: tuple[float, ...] = (0.0, 1.0, 2.0, 3.0)
    snare_beats: tuple[float, ...] = ()
    hat_division: int = 2
    drums: float = 0.5  # overall percussion level 0..1
    reverb_s: float = 2.2
    wet: float = 0.28


STYLES: tuple[Style, ...] = (
    Style("calm", "major", 72, (0, 4, 5, 3), ("D", "F", "G", "C"),
          ("calm", "peaceful", "serene", "gentle", "relax", "tranquil", "soft", "quiet", "lullaby", "ambient",
           "meditative", "still", "dawn"),
          sevenths=True, pad_cutoff_hz=2200, arp_division=2, arp_figure="updown", drums=0.35,
          kick_beats=(0.0, 2.0), snare_beats=(), reverb_s=2.8, wet=0.34),
    Style("melancholic", "minor", 68, (0, 5, 2, 6), ("A", "D", "E", "B"),
          ("sad", "melancholy", "melancholic", "somber", "sombre", "grief", "lonely", "loss", "nostalgic",
           "rain", "tragic", "bittersweet", "wistful"),
          sevenths=True, pad_cutoff_hz=2000, arp_division=2, arp_figure="broken", drums=0.3,
          kick_beats=(0.0, 2.0), reverb_s=3.0, wet=0.36),
    Style("tense", "minor", 96, (0, 0, 5, 4), ("E", "C", "F"),
          ("tense", "suspense", "thriller", "danger", "chase", "anxious", "urgent", "ominous", "dread",
           "mystery thriller", "horror", "conflict"),
          pad_cutoff_hz=1800, arp_division=4, arp_figure="pulse", bass_beats=(0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5),
          kick_beats=(0.0, 1.0, 2.0, 3.0), snare_beats=(1.0, 3.0), hat_division=4, drums=0.55,
          reverb_s=2.0, wet=0.25),
    Style("epic", "minor", 104, (0, 5, 2, 6), ("D", "C", "E"),
          ("epic", "heroic", "battle", "adventure", "triumphant", "powerful", "grand", "war", "orchestral",
           "trailer", "victory", "quest", "climax", "action"),
          pad_cutoff_hz=3200, arp_division=4, arp_figure="up", bass_beats=(0.0, 1.5, 2.0, 3.0),
          kick_beats=(0.0, 1.0, 2.0, 3.0), snare_beats=(1.0, 3.0), hat_division=2, drums=0.85,
          reverb_s=2.6, wet=0.3),
    Style("joyful", "major", 116, (0, 3, 4, 3), ("C", "G", "F", "A"),
          ("happy", "joyful", "uplifting", "cheerful", "playful", "bright", "fun", "upbeat", "hopeful",
           "celebration", "sunny", "summer", "optimistic", "inspiring"),
          pad_cutoff_hz=3600, arp_division=2, arp_figure="up", bass_beats=(0.0, 1.0, 2.0, 3.0),
          kick_beats=(0.0, 1.0, 2.0, 3.0), snare_beats=(1.0, 3.0), hat_division=2, drums=0.75,
          reverb_s=1.8, wet=0.22),
    Style("mysterious", "dorian", 84, (0, 3, 0, 6), ("D", "E", "A"),
          ("mysterious", "mystery", "dreamy", "magical", "enchanted", "wonder", "curious", "night", "space",
           "cosmic", "ethereal", "fantasy", "whimsical"),
          sevenths=True, pad_cutoff_hz=2400, arp_division=4, arp_figure="broken", drums=0.4,
          kick_beats=(0.0, 2.5), snare_beats=(), hat_division=4, reverb_s=3.2, wet=0.4),
    Style("romantic", "major", 76, (0, 5, 3, 4), ("F", "D", "E", "G"),
          ("romantic", "love", "tender", "warm", "intimate", "heartfelt", "emotional", "sweet", "wedding"),
          sevenths=True, pad_cutoff_hz=2500, arp_division=2, arp_figure="broken", drums=0.3,
          kick_beats=(0.0, 2.0), reverb_s=2.6, wet=0.32),
    Style("dark", "phrygian", 80, (0, 1, 0, 6), ("C", "D", "F"),
          ("dark", "sinister", "evil", "menacing", "gloomy", "doom", "apocalyptic", "dystopian", "grim",
           "noir", "cold"),
          pad_cutoff_hz=1500, arp_division=2, arp_figure="pulse", bass_beats=(0.0, 0.75, 2.0, 2.75),
          kick_beats=(0.0, 2.0, 2.75), snare_beats=(3.0,), drums=0.5, reverb_s=3.0, wet=0.33),
    Style("cinematic", "minor", 90, (0, 5, 2, 6), ("A", "D", "G", "C"),
          ("cinematic", "film", "drama", "journey", "story"),
          pad_cutoff_hz=2600, arp_division=2, arp_figure="updown", bass_beats=(0.0, 2.0),
          kick_beats=(0.0, 1.0, 2.0, 3.0), snare_beats=(1.0, 3.0), drums=0.5),
)
DEFAULT_STYLE = STYLES[-1]
_WORD = re.compile(r"[a-z]+")


def pick_style(brief: MusicBriefSpec) -> Style:
    """The style whose keywords best match the brief's mood (counted twice), genre and query."""
    words = _WORD.findall(f"{brief.mood} {brief.mood} {brief.genre} {brief.query}".lower())
    best, best_score = DEFAULT_STYLE, 0
    for style in STYLES:
        score = sum(1 for w in words for k in style.keywords if w == k or (len(k) > 4 and w.startswith(k)))
        if score > best_score:
            best, best_score = style, score
    return best


@dataclass(frozen=True)
class ScorePlan:
    """What will be rendered (and what its title says)."""

    style: Style
    tonic_pc: int
    mode: str
    tempo_bpm: float
    seed: int
    chords: tuple[tuple[int, ...], ...] = field(default=())

    @property
    def key_name(self) -> str:
        return f"{PITCH_NAMES[self.tonic_pc]} {self.mode}"

    @property
    def title(self) -> str:
        return f"Procedural score: {self.style.name}, {self.key_name}, {self.tempo_bpm:.0f} BPM"


def _stable_seed(seed: int, brief: MusicBriefSpec) -> int:
    digest = hashlib.sha256(f"{seed}|{brief.mood}|{brief.genre}|{brief.query}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def plan_score(brief: MusicBriefSpec, seed: int) -> ScorePlan:
    style = pick_style(brief)
    rng = np.random.default_rng(_stable_seed(seed, brief))
    tonic = PITCH_NAMES.index(style.keys[int(rng.integers(len(style.keys)))])
    tempo = float(np.clip(brief.tempo_bpm, 50, 180)) if brief.tempo_bpm > 0 else style.tempo_bpm
    return ScorePlan(style, tonic, style.mode, tempo, seed)


# --- synthesis primitives -----------------------------------------------------------------------

TABLE_SIZE = 4096


def _table(harmonics: np.ndarray) -> np.ndarray:
    phase = np.arange(TABLE_SIZE) / TABLE_SIZE
    wave = np.zeros(TABLE_SIZE)
    for n, amp in enumerate(harmonics, start=1):
        wave += amp * np.sin(2 * np.pi * n * phase)
    return (wave / np.max(np.abs(wave))).astype(np.float32)


# Band-limited-ish tables: a warm saw (rolled-off harmonics) and a soft triangle.
WARM = _table(np.array([1 / n * (0.82 ** n) for n in range(1, 14)]))
SOFT = _table(np.array([(1 / n**2 if n % 2 else 0.0) for n in range(1, 10)]))


def midi_hz(note: float) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def _osc(
    table: np.ndarray, hz: float, n: int, sr: int, phase0: float = 0.0, vibrato: np.ndarray | None = None
) -> np.ndarray:
    if vibrato is None:
        phase = phase0 + hz * np.arange(n) / sr
    else:
        phase = phase0 + np.cumsum(hz * vibrato) / sr
    return table[((phase % 1.0) * TABLE_SIZE).astype(np.int64) % TABLE_SIZE]


def _adsr(n: int, sr: int, attack: float, decay: float, sustain: float, release: float, gate: int) -> np.ndarray:
    """Attack/decay to `sustain` while the gate is open (`gate` samples), then a release."""
    t = np.arange(n) / sr
    a = max(attack, 1e-4)
    env = np.where(t < a, t / a, sustain + (1 - sustain) * np.exp(-(t - a) / max(decay, 1e-4)))
    gate_s = gate / sr
    level_at_gate = float(env[min(gate, n - 1)]) if n else 0.0
    after = t >= gate_s
    env[after] = level_at_gate * np.exp(-(t[after] - gate_s) / max(release, 1e-4))
    return env.astype(np.float32)


def _add(bus: np.ndarray, start: int, signal: np.ndarray, pan: float = 0.0, gain: float = 1.0) -> None:
    """Mix a mono signal into a stereo bus at `start` with equal-power panning (-1 left .. 1 right)."""
    if start >= bus.shape[0] or gain == 0:
        return
    signal = signal[: bus.shape[0] - start]
    angle = (pan + 1) * np.pi / 4
    bus[start : start + signal.size, 0] += signal * (gain * math.cos(angle))
    bus[start : start + signal.size, 1] += signal * (gain * math.sin(angle))


def _lowpass(x: np.ndarray, cutoff: float, sr: int, order: int = 2) -> np.ndarray:
    from scipy.signal import butter, sosfilt

    sos = butter(order, min(cutoff, sr * 0.45), btype="low", fs=sr, output="sos")
    return sosfilt(sos, x, axis=0).astype(np.float32)


def _band(x: np.ndarray, low: float, high: float, sr: int) -> np.ndarray:
    from scipy.signal import butter, sosfilt

    sos = butter(2, [low, min(high, sr * 0.45)], btype="band", fs=sr, output="sos")
    return sosfilt(sos, x).astype(np.float32)


def _highpass(x: np.ndarray, cutoff: float, sr: int) -> np.ndarray:
    from scipy.signal import butter, sosfilt

    sos = butter(2, cutoff, btype="high", fs=sr, output="sos")
    return sosfilt(sos, x).astype(np.float32)


# --- harmony -------------------------------------------------------------------------------------


def chord_pitch_classes(plan: ScorePlan, degree: int) -> list[int]:
    scale = MODES[plan.mode]
    size = 4 if plan.style.sevenths else 3
    return [(plan.tonic_pc + scale[(degree + 2 * k) % 7]) % 12 for k in range(size)]


def voice_lead(pcs: list[int], previous: list[int] | None, low: int = 52, high: int = 74) -> list[int]:
    """The voicing of `pcs` inside [low, high] closest to the previous chord (smooth voice leading)."""
    candidates: list[list[int]] = []
    for inversion in range(len(pcs)):
        order = pcs[inversion:] + pcs[:inversion]
        for base in range(low, high):
            if base % 12 != order[0]:
                continue
            notes = [base]
            for pc in order[1:]:
                nxt = notes[-1] + ((pc - notes[-1]) % 12 or 12)
                notes.append(nxt)
            if notes[-1] <= high:
                candidates.append(notes)
    if not candidates:
        return [low + (pc - low) % 12 for pc in pcs]
    if previous is None:
        return min(candidates, key=lambda c: abs(sum(c) / len(c) - (low + high) / 2))
    return min(candidates, key=lambda c: sum(min(abs(a - b) for b in previous) for a in c))


# --- arrangement ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    first_bar: int
    bars: int
    pad: float
    arp: float
    bass: float
    drums: float
    melody: float


def arrange(total_bars: int) -> list[Section]:
    """Intro, build, main (with melody), breakdown on long cues, main again, outro."""
    if total_bars <= 4:
        return [Section(0, total_bars, 1.0, 0.8, 0.8, 0.5, 0.6)]
    intro = max(1, min(4, total_bars // 8))
    outro = max(1, min(2, total_bars // 10))
    body = total_bars - intro - outro
    sections = [Section(0, intro, 1.0, 0.6, 0.0, 0.0, 0.0)]
    bar = intro
    if body >= 24:
        quarter = body // 4
        plan = [(quarter, 0.9, 0.9, 0.8, 0.6, 0.0), (quarter, 0.9, 1.0, 1.0, 1.0, 1.0),
                (quarter, 1.0, 0.6, 0.4, 0.0, 0.8), (body - 3 * quarter, 0.9, 1.0, 1.0, 1.0, 1.0)]
    elif body >= 8:
        half = body // 2
        plan = [(half, 0.9, 0.9, 0.9, 0.7, 0.0), (body - half, 0.9, 1.0, 1.0, 1.0, 1.0)]
    else:
        plan = [(body, 0.9, 1.0, 1.0, 0.9, 0.8)]
    for bars, pad, arp, bass, drums, melody in plan:
        if bars > 0:
            sections.append(Section(bar, bars, pad, arp, bass, drums, melody))
            bar += bars
    sections.append(Section(bar, outro, 1.0, 0.4, 0.5, 0.0, 0.0))
    return sections


def _section_of(sections: list[Section], bar: int) -> Section:
    for section in sections:
        if section.first_bar <= bar < section.first_bar + section.bars:
            return section
    return sections[-1]


# --- the renderer --------------------------------------------------------------------------------


def render_score(
    brief: MusicBriefSpec, seed: int, duration_s: float, sample_rate: int = 48000
) -> tuple[np.ndarray, ScorePlan]:
    """A stereo float32 (samples, 2) score of exactly round(duration_s * sample_rate) samples."""
    plan = plan_score(brief, seed)
    renderer = _Renderer(plan, sample_rate, np.random.default_rng(_stable_seed(seed, brief) ^ 0x5EED))
    return renderer.render(duration_s), plan


def _motif(rng: np.random.Generator) -> list[tuple[float, int, float]]:
    rhythms = [
        [(0.0, 1.5), (1.5, 0.5), (2.0, 2.0), (4.0, 1.0), (5.0, 1.0), (6.0, 2.0)],
        [(0.0, 1.0), (1.0, 1.0), (2.0, 1.5), (3.5, 0.5), (4.0, 3.0), (7.0, 1.0)],
        [(0.0, 2.0), (2.0, 1.0), (3.0, 1.0), (4.0, 1.5), (5.5, 0.5), (6.0, 2.0)],
        [(0.5, 1.0), (1.5, 0.5), (2.0, 2.0), (4.5, 1.0), (5.5, 0.5), (6.0, 2.0)],
    ]
    rhythm = rhythms[int(rng.integers(len(rhythms)))]
    steps = [0]
    for _ in rhythm[1:]:
        steps.append(int(np.clip(steps[-1] + rng.choice([-2, -1, -1, 1, 1, 2, 3]), -3, 5)))
    return [(offset, step, length) for (offset, length), step in zip(rhythm, steps, strict=True)]


class _Renderer:
    """Renders one score. Notes repeat bar after bar, so rendered notes are cached per render."""

    HAT_VARIANTS = 6

    def __init__(self, plan: ScorePlan, sr: int, rng: np.random.Generator) -> None:
        self.plan = plan
        self.style = plan.style
        self.sr = sr
        self.rng = rng
        # Pads are low-passed at <= 3.6 kHz: render them at a third of the rate (no aliasing of the
        # table's 13 harmonics up to ~7.6 kHz at 16 kHz) and upsample the bus once.
        self.pad_factor = 3 if sr % 3 == 0 else 2
        self.pad_sr = sr // self.pad_factor
        self.cache: dict[tuple[object, ...], np.ndarray] = {}
        self.kick = _kick(sr)
        self.snares = [_snare(sr, rng) for _ in range(3)]
        self.hats = [_hat(sr, rng) for _ in range(self.HAT_VARIANTS)]

    def render(self, duration_s: float) -> np.ndarray:
        plan, style, sr, rng = self.plan, self.style, self.sr, self.rng
        n_total = round(duration_s * sr)
        beat_s = 60.0 / plan.tempo_bpm
        bar_s = 4 * beat_s
        total_bars = max(1, math.ceil(duration_s / bar_s))
        sections = arrange(total_bars)
        # One chord per bar; the last bar resolves to the tonic.
        degrees = [style.progression[b % len(style.progression)] for b in range(total_bars)]
        degrees[-1] = 0
        tail = 4.0  # seconds of room for releases and reverb, trimmed at the end
        dry = np.zeros((n_total + round(tail * sr), 2), dtype=np.float32)
        send = np.zeros_like(dry)
        pads = np.zeros((round((duration_s + tail) * self.pad_sr), 2), dtype=np.float32)
        voicing: list[int] | None = None
        motif = _motif(rng)  # a two-bar motif, replayed by the melody
        for bar in range(total_bars):
            cancellation.check()  # a cancelled call stops between bars
            section = _section_of(sections, bar)
            bar_start = round(bar * bar_s * sr)
            pcs = chord_pitch_classes(plan, degrees[bar])
            voicing = voice_lead(pcs, voicing)
            last = bar == total_bars - 1
            self.pad(pads, round(bar * bar_s * self.pad_sr), voicing, bar_s * (2.0 if last else 1.0), section.pad)
            if section.arp:
                self.arpeggio(send, bar_start, voicing, beat_s, section.arp * (0.5 if last else 1.0))
            if section.bass:
                self.bass(dry, bar_start, pcs[0], beat_s, section.bass, last)
            if section.drums and style.drums and not last:
                self.drums(dry, send, bar_start, beat_s, section.drums * style.drums)
            if section.melody and not last:
                self.melody(send, bar_start, bar, voicing, beat_s, motif, section.melody)
        from scipy.signal import resample_poly

        pads = _lowpass(pads, style.pad_cutoff_hz, self.pad_sr)
        pads = resample_poly(pads, self.pad_factor, 1, axis=0).astype(np.float32)[: dry.shape[0]]
        wet_bus = send
        wet_bus[: pads.shape[0]] += pads
        # The reverb's impulse is dark (< 5 kHz): convolve at the reduced rate, then upsample.
        reduced = resample_poly(wet_bus, 1, self.pad_factor, axis=0).astype(np.float32)
        tail_wet = _reverb(reduced, self.pad_sr, style.reverb_s, rng)
        wet = resample_poly(tail_wet, self.pad_factor, 1, axis=0).astype(np.float32)[: dry.shape[0]]
        mix = dry + wet_bus
        mix[: wet.shape[0]] += style.wet * wet
        mix = mix[:n_total]
        # Gentle glue: soft saturation, then peak at -3 dBFS (the mixer sets the final level).
        peak = float(np.max(np.abs(mix))) or 1.0
        mix = np.tanh(1.2 * mix / peak) / math.tanh(1.2)
        mix *= 0.708 / (float(np.max(np.abs(mix))) or 1.0)
        return mix.astype(np.float32)

    def _cached(self, key: tuple[object, ...], make: Callable[[], np.ndarray]) -> np.ndarray:
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = make()
        return found

    def pad(self, bus: np.ndarray, start: int, voicing: list[int], seconds: float, level: float) -> None:
        sr = self.pad_sr
        gate = round(seconds * sr)
        n = gate + round(1.6 * sr)
        env = self._cached(("pad-env", n, gate), lambda: _adsr(
            n, sr, attack=min(0.6, seconds * 0.3), decay=1.5, sustain=0.8, release=0.9, gate=gate))
        for i, note in enumerate(voicing):
            hz = midi_hz(note)
            for detune, pan in ((-0.07, -0.6), (0.07, 0.6)):
                tone = _osc(WARM, hz * 2 ** (detune / 12), n, sr, phase0=float(self.rng.random()))
                _add(bus, start, tone * env, pan=pan * (0.5 + 0.15 * i), gain=0.06 * level)

    def arpeggio(self, bus: np.ndarray, start: int, voicing: list[int], beat_s: float, level: float) -> None:
        style, sr, rng = self.style, self.sr, self.rng
        notes = sorted(voicing) + [v + 12 for v in sorted(voicing)]
        steps = 4 * style.arp_division
        if style.arp_figure == "up":
            order = [notes[i % len(notes)] for i in range(steps)]
        elif style.arp_figure == "updown":
            cycle = notes + notes[-2:0:-1]
            order = [cycle[i % len(cycle)] for i in range(steps)]
        elif style.arp_figure == "pulse":
            order = [notes[0] + 12 if i % 4 == 0 else notes[(i // 2) % 3 + 1] for i in range(steps)]
        else:  # broken: low-high-mid pattern
            pattern = [0, 2, 1, 3, 2, 4, 1, 3]
            order = [notes[pattern[i % len(pattern)] % len(notes)] for i in range(steps)]
        step_s = beat_s / style.arp_division
        seconds = min(1.0, step_s * 3)
        delay = round(0.75 * beat_s * sr)  # dotted-eighth echo
        for i, note in enumerate(order):
            accent = 1.0 if i % style.arp_division == 0 else 0.7
            velocity = accent * (0.85 + 0.3 * float(rng.random()))
            onset = max(0, start + round((i * step_s + 0.004 * float(rng.standard_normal())) * sr))
            tone = self._cached(("bell", note, seconds), lambda n=note: _bell(midi_hz(n + 12), seconds, sr))
            pan = -0.35 if i % 2 else 0.35
            _add(bus, onset, tone, pan=pan, gain=0.09 * level * velocity)
            _add(bus, onset + delay, tone, pan=-pan, gain=0.035 * level * velocity)

    def bass(self, bus: np.ndarray, start: int, root_pc: int, beat_s: float, level: float, last: bool) -> None:
        sr = self.sr
        note = 36 + (root_pc - 36) % 12  # C2..B2
        beats = (0.0,) if last else self.style.bass_beats
        for k, beat in enumerate(beats):
            nxt = beats[k + 1] if k + 1 < len(beats) else 4.0
            gate = round(4 * beat_s * sr) if last else round((nxt - beat) * beat_s * sr * 0.9)
            tone = self._cached(("bass", note, gate), lambda g=gate: _bass_note(midi_hz(note), g, sr))
            _add(bus, start + round(beat * beat_s * sr), tone, gain=0.16 * level)

    def drums(self, dry: np.ndarray, send: np.ndarray, start: int, beat_s: float, level: float) -> None:
        style, sr, rng = self.style, self.sr, self.rng
        for beat in style.kick_beats:
            _add(dry, start + round(beat * beat_s * sr), self.kick, gain=0.5 * level * (1.0 if beat == 0 else 0.85))
        for beat in style.snare_beats:
            hit = self.snares[int(rng.integers(len(self.snares)))]
            at = start + round(beat * beat_s * sr)
            _add(dry, at, hit, gain=0.16 * level)
            _add(send, at, hit, gain=0.08 * level)
        steps = 4 * style.hat_division
        for i in range(steps):
            accent = 1.0 if i % style.hat_division == 0 else 0.55
            at = start + round((i * beat_s / style.hat_division + 0.003 * float(rng.standard_normal())) * sr)
            hat = self.hats[int(rng.integers(len(self.hats)))]
            _add(dry, max(0, at), hat, pan=0.3, gain=0.05 * level * accent)

    def melody(self, bus: np.ndarray, start: int, bar: int, voicing: list[int], beat_s: float,
               motif: list[tuple[float, int, float]], level: float) -> None:
        plan, sr = self.plan, self.sr
        scale = MODES[plan.mode]
        # The motif spans two bars: this bar plays its first or second half.
        half = bar % 2
        anchor_degree = _nearest_degree(max(voicing) + 5, plan.tonic_pc, scale)  # above the pad
        for offset, step, length in motif:
            if not (4 * half <= offset < 4 * half + 4):
                continue
            degree = anchor_degree + step
            note = plan.tonic_pc + 12 * (degree // 7) + scale[degree % 7]
            on_beat = abs(offset - round(offset)) < 1e-6 and round(offset) % 2 == 0
            if on_beat:  # strong beats land on a chord tone
                note = min((v + 12 * k for v in voicing for k in (0, 1, 2)), key=lambda v, x=note: abs(v - x))
            seconds = length * beat_s
            tone = self._cached(("lead", note, seconds), lambda m=note, d=seconds: _lead_note(midi_hz(m), d, sr))
            velocity = 0.8 + 0.2 * float(self.rng.random())
            _add(bus, start + round((offset - 4 * half) * beat_s * sr), tone, pan=0.1, gain=0.11 * level * velocity)


def _bell(hz: float, seconds: float, sr: int) -> np.ndarray:
    t = np.arange(round(seconds * sr), dtype=np.float32) / sr
    index = 1.8 * np.exp(-t / 0.12)
    tone = np.sin(2 * np.pi * hz * t + index * np.sin(2 * np.pi * 2.0 * hz * t))
    env = np.minimum(t / 0.004, 1.0) * np.exp(-t / 0.35)
    return (tone * env).astype(np.float32)


def _bass_note(hz: float, gate: int, sr: int) -> np.ndarray:
    n = gate + round(0.25 * sr)
    t = np.arange(n, dtype=np.float32) / sr
    tone = np.sin(2 * np.pi * hz * t) + 0.35 * np.sin(4 * np.pi * hz * t) + 0.12 * np.sin(6 * np.pi * hz * t)
    env = _adsr(n, sr, attack=0.008, decay=0.35, sustain=0.55, release=0.12, gate=gate)
    return (tone * env).astype(np.float32)


def _lead_note(hz: float, seconds: float, sr: int) -> np.ndarray:
    n = round((seconds + 0.5) * sr)
    t = np.arange(n, dtype=np.float32) / sr
    vibrato = 1 + 0.004 * np.sin(2 * np.pi * 5.2 * t) * np.minimum(t / 0.4, 1)
    tone = 0.6 * _osc(SOFT, hz, n, sr, vibrato=vibrato) + 0.4 * np.sin(2 * np.pi * np.cumsum(hz * vibrato) / sr)
    env = _adsr(n, sr, attack=0.06, decay=0.6, sustain=0.7, release=0.25, gate=round(seconds * 0.95 * sr))
    return (tone * env).astype(np.float32)


def _kick(sr: int) -> np.ndarray:
    n = round(0.35 * sr)
    t = np.arange(n) / sr
    hz = 48 + 90 * np.exp(-t / 0.03)
    body = np.sin(2 * np.pi * np.cumsum(hz) / sr) * np.exp(-t / 0.16)
    click = np.exp(-t / 0.002) * 0.3
    return (body + click).astype(np.float32)


def _snare(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = round(0.25 * sr)
    t = np.arange(n) / sr
    noise = _band(rng.standard_normal(n).astype(np.float32), 900, 6000, sr) * np.exp(-t / 0.07)
    tone = 0.5 * np.sin(2 * np.pi * 185 * t) * np.exp(-t / 0.05)
    return (noise + tone).astype(np.float32)


def _hat(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = round(0.08 * sr)
    t = np.arange(n) / sr
    return (_highpass(rng.standard_normal(n).astype(np.float32), 7000, sr) * np.exp(-t / 0.018)).astype(np.float32)


def _nearest_degree(note: int, tonic_pc: int, scale: tuple[int, ...]) -> int:
    """The scale degree (counted from the tonic at MIDI octave 0) closest to `note`."""
    best, best_gap = 0, 1e9
    for degree in range(7 * 11):
        candidate = tonic_pc + 12 * (degree // 7) + scale[degree % 7]
        if abs(candidate - note) < best_gap:
            best, best_gap = degree, abs(candidate - note)
    return best


def _reverb(x: np.ndarray, sr: int, seconds: float, rng: np.random.Generator) -> np.ndarray:
    """Convolution with a decaying, darkening stereo noise impulse (RT60 = `seconds`), 20 ms pre-delay."""
    from scipy.signal import oaconvolve

    n = round(seconds * sr)
    t = np.arange(n) / sr
    decay = np.exp(-6.9 * t / seconds)
    out = np.zeros_like(x)
    pre = round(0.02 * sr)
    for ch in range(2):
        ir = _lowpass(rng.standard_normal(n).astype(np.float32), 5000, sr) * decay
        ir[:pre] = 0
        ir /= np.sqrt(np.sum(ir**2)) or 1.0
        out[:, ch] = oaconvolve(x[:, ch], ir.astype(np.float32))[: x.shape[0]]
    return out.astype(np.float32)
