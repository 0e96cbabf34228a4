"""Narration: synthesise each scene's sentences, fit them into the scene, lay them on the timeline.

Fitting: speech that is too long is sped up with ffmpeg's atempo up to `max_stretch` (1.25x);
beyond that it is sped up by the maximum and then cut — at the last sentence end that keeps most
of it, otherwise mid-sentence with a short fade — and a warning says how much was lost. Speech
that is short is padded with silence after a short lead-in. Narration never crosses its scene's
end, so neither do its captions (one cue per sentence).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from services.audio import audio_io, mix, text
from services.audio.metrics import NARRATION_FIT, Notes
from services.audio.model import CaptionCue, SceneCue, SoundtrackSpec
from services.audio.settings import AudioSettings
from services.audio.voices import Narrator, VoiceBox, VoiceUnavailable
from services.common import cancellation, ffmpeg

log = logging.getLogger(__name__)

# Gap between the end of one caption and the start of the next, and how long a caption lingers.
CAPTION_GAP_S = 0.04
CAPTION_LINGER_S = 0.35
CAPTION_MIN_S = 1.0
CUT_FADE_S = 0.12
# A cut at a sentence end is preferred when it keeps at least this share of the scene's window.
SENTENCE_CUT_MIN_SHARE = 0.6
# Speaking time assumed for captions when there is no voice (characters per second).
READING_CHARS_PER_S = 15.0


@dataclass(frozen=True)
class SentenceSpan:
    text: str
    start: int
    end: int


@dataclass
class SceneSpeech:
    samples: np.ndarray  # mono float32 at the soundtrack's sample rate
    sentences: list[SentenceSpan]

    @property
    def length(self) -> int:
        return int(self.samples.shape[0])


@dataclass(frozen=True)
class SceneSlot:
    """Where a scene sits on the timeline, in samples."""

    index: int
    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start


def scene_slots(spec: SoundtrackSpec, sample_rate: int) -> list[SceneSlot]:
    """Scenes laid end to end from 0, on sample boundaries (rounded cumulative times: no drift)."""
    slots: list[SceneSlot] = []
    elapsed = 0.0
    for scene in spec.scenes:
        start = round(elapsed * sample_rate)
        elapsed += scene.duration_s
        slots.append(SceneSlot(scene.index, start, round(elapsed * sample_rate)))
    return slots


@dataclass(frozen=True)
class FitPlan:
    lead_in_s: float
    # atempo factor to apply (1 = none); > 1 speeds up.
    tempo_factor: float
    # Seconds of (stretched) speech kept; None = all of it.
    keep_s: float | None
    outcome: str  # "fits", "stretched" or "cut"


def plan_fit(speech_s: float, scene_s: float, *, lead_in_s: float, tail_s: float, max_stretch: float) -> FitPlan:
    """How a scene's speech fits its scene: pad, speed up (<= max_stretch) or speed up and cut."""
    # Margins shrink on short scenes so the speech keeps most of the scene.
    lead_in = min(lead_in_s, 0.1 * scene_s)
    tail = min(tail_s, 0.1 * scene_s)
    window = scene_s - lead_in - tail
    if speech_s <= window:
        return FitPlan(lead_in, 1.0, None, "fits")
    if speech_s / window <= max_stretch:
        return FitPlan(lead_in, speech_s / window, None, "stretched")
    # Still too long: give up the margins before speeding up further.
    lead_in = min(lead_in, 0.02 * scene_s)
    window = scene_s - lead_in - min(tail, 0.02 * scene_s)
    if speech_s / window <= max_stretch:
        return FitPlan(lead_in, speech_s / window, None, "stretched")
    return FitPlan(lead_in, max_stretch, window, "cut")


def synthesize_scene(
    narrator: Narrator, sentences: Sequence[str], *, language: str, rate: float, sample_rate: int,
    pause_s: float, deadline: float | None = None,
) -> SceneSpeech:
    """Each sentence spoken separately, resampled to `sample_rate`, joined with short pauses."""
    pieces: list[np.ndarray] = []
    spans: list[SentenceSpan] = []
    pause = np.zeros(round(pause_s * sample_rate), dtype=np.float32)
    cursor = 0
    for sentence in sentences:
        cancellation.check()  # a cancelled call stops between sentences
        if deadline is not None and time.monotonic() > deadline:
            raise VoiceUnavailable(f"{narrator.name} ran out of its time budget")
        samples, rate_in = narrator.speak(sentence, language=language, rate=rate)
        samples = audio_io.resample(samples, rate_in, sample_rate)
        if samples.size == 0:
            continue
        if pieces:
            pieces.append(pause)
            cursor += pause.size
        pieces.append(samples)
        spans.append(SentenceSpan(sentence, cursor, cursor + samples.size))
        cursor += samples.size
    audio = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
    return SceneSpeech(audio.astype(np.float32), spans)


def stretch(speech: SceneSpeech, factor: float, *, sample_rate: int, workdir: Path) -> SceneSpeech:
    """Speed speech up (or slow it down) with ffmpeg atempo; sentence spans scale with it."""
    if abs(factor - 1.0) < 1e-4 or speech.length == 0:
        return speech
    src = audio_io.write_wav(workdir / "stretch-in.wav", speech.samples, sample_rate)
    dst = workdir / "stretch-out.wav"
    try:
        ffmpeg.run(audio_io.atempo_argv(src, dst, factor, sample_rate=sample_rate), timeout=120)
        out, _ = audio_io.read_audio(dst)
    finally:
        src.unlink(missing_ok=True)
        dst.unlink(missing_ok=True)
    samples = out[:, 0]
    scale = samples.size / speech.length
    spans = [
        SentenceSpan(s.text, min(samples.size, round(s.start * scale)), min(samples.size, round(s.end * scale)))
        for s in speech.sentences
    ]
    return SceneSpeech(samples, spans)


def cut(speech: SceneSpeech, keep: int, *, sample_rate: int) -> SceneSpeech:
    """Keep at most `keep` samples: end at a sentence boundary when one keeps enough, else fade out."""
    if speech.length <= keep:
        return speech
    whole = [s for s in speech.sentences if s.end <= keep]
    if whole and whole[-1].end >= SENTENCE_CUT_MIN_SHARE * keep:
        return SceneSpeech(speech.samples[: whole[-1].end].copy(), whole)
    samples = speech.samples[:keep].copy()
    fade = min(keep, round(CUT_FADE_S * sample_rate))
    if fade:
        samples[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    spans = [replace(s, end=min(s.end, keep)) for s in speech.sentences if s.start < keep]
    return SceneSpeech(samples, spans)


def caption_cues(
    spans: Sequence[tuple[float, float, str]], *, scene_index: int, scene_end_s: float
) -> list[CaptionCue]:
    """Captions for one scene from (start_s, end_s, text) of each sentence: a little linger and a
    minimum on-screen time where there is room, never past the next sentence or the scene's end."""
    cues: list[CaptionCue] = []
    for i, (start, end, words) in enumerate(spans):
        limit = spans[i + 1][0] - CAPTION_GAP_S if i + 1 < len(spans) else scene_end_s
        limit = min(limit, scene_end_s)
        shown_end = min(max(end + CAPTION_LINGER_S, start + CAPTION_MIN_S), limit)
        shown_end = max(shown_end, min(end, limit))
        start_ms, end_ms = _ms(start), _ms(shown_end)
        if cues and start_ms < cues[-1].end_s:
            start_ms = cues[-1].end_s
        if end_ms > start_ms:
            cues.append(CaptionCue(start_ms, end_ms, text.wrap_caption(words), scene_index))
    return cues


def estimated_spans(sentences: Sequence[str], *, start_s: float, end_s: float) -> list[tuple[float, float, str]]:
    """Sentence times with no voice: reading speed, or spread over the window when that is tight."""
    if not sentences or end_s <= start_s:
        return []
    weights = np.array([max(len(s), 1) for s in sentences], dtype=np.float64)
    natural = weights / READING_CHARS_PER_S
    scale = min(1.0, (end_s - start_s) / float(natural.sum()))
    spans = []
    cursor = start_s
    for sentence, seconds in zip(sentences, natural * scale, strict=True):
        spans.append((cursor, cursor + seconds, sentence))
        cursor += seconds
    return spans


def _ms(seconds: float) -> float:
    return math.floor(seconds * 1000 + 0.5) / 1000


@dataclass
class Narration:
    track: np.ndarray  # mono float32, the soundtrack's length
    cues: list[SceneCue]
    captions: list[CaptionCue]
    voice_used: str
    # Sample ranges where the voice speaks (for measurements; the mixer keys on the audio itself).
    speech_ranges: list[tuple[int, int]]


class NarrationBuilder:
    """Builds the voice track of a soundtrack, its scene cues and its captions."""

    def __init__(self, settings: AudioSettings, voices: VoiceBox) -> None:
        self.settings = settings
        self.voices = voices

    def build(self, spec: SoundtrackSpec, num_samples: int, notes: Notes, workdir: Path) -> Narration:
        s = self.settings
        sr = s.sample_rate
        slots = scene_slots(spec, sr)
        sentences = [text.split_sentences(scene.narration) for scene in spec.scenes]
        language = spec.voice.language or "en"
        rate = spec.voice.speaking_rate or 1.0
        voice_name = (spec.voice.voice or s.default_voice).lower()
        speeches: list[SceneSpeech] | None = None
        if not any(sentences):
            voice_name = "none"
        if voice_name == "gtts":
            speeches = self._try(self.voices.gtts, sentences, language, rate, notes, online=True)
            if speeches is None:
                voice_name = "piper" if self.voices.piper.supports(language) else "none"
                notes.fallback(
                    "tts_fallback",
                    f"gTTS was unavailable; the narration uses the offline {voice_name} voice instead"
                    if voice_name == "piper"
                    else f"gTTS was unavailable and no offline voice speaks {language!r}: captions only",
                )
        if voice_name == "piper":
            speeches = self._try(self.voices.piper, sentences, language, rate, notes, online=False)
            if speeches is None:
                voice_name = "none"
                notes.fallback("tts_unavailable", "the Piper voice failed; the soundtrack has captions only")
        if voice_name == "none" or speeches is None:
            return self._captions_only(spec, slots, sentences, num_samples, voice_name)

        narrator = self.voices.get(voice_name)
        track = np.zeros(num_samples, dtype=np.float32)
        cues: list[SceneCue] = []
        captions: list[CaptionCue] = []
        ranges: list[tuple[int, int]] = []
        for scene, slot, speech in zip(spec.scenes, slots, speeches, strict=True):
            # Voices without a native rate control get the speaking rate through atempo as well.
            rate_factor = 1.0 if narrator.native_rate else rate
            speech_s = speech.length / sr / rate_factor
            plan = plan_fit(
                speech_s, slot.length / sr, lead_in_s=s.narration_lead_in_s, tail_s=s.narration_tail_s,
                max_stretch=s.max_stretch,
            )
            if speech.length:
                NARRATION_FIT.labels(outcome=plan.outcome).inc()
            speech = stretch(speech, rate_factor * plan.tempo_factor, sample_rate=sr, workdir=workdir)
            if plan.keep_s is not None:
                before = speech.length
                speech = cut(speech, round(plan.keep_s * sr), sample_rate=sr)
                notes.warn(
                    "narration_too_long",
                    f"scene {scene.index}: narration needs {plan.tempo_factor * before / sr:.1f} s for a "
                    f"{slot.length / sr:.1f} s scene; sped up {plan.tempo_factor:g}x and cut "
                    f"{(before - speech.length) / sr:.1f} s — shorten it or lengthen the scene",
                )
            begin = slot.start + round(plan.lead_in_s * sr)
            end = min(begin + speech.length, slot.end, num_samples)
            track[begin:end] = speech.samples[: end - begin]
            spans = [
                ((begin + sent.start) / sr, (begin + min(sent.end, end - begin)) / sr, sent.text)
                for sent in speech.sentences
                if begin + sent.start < end
            ]
            ranges += [(begin + sent.start, min(begin + sent.end, end)) for sent in speech.sentences]
            speech_start, speech_end = (spans[0][0], spans[-1][1]) if spans else (slot.start / sr, slot.start / sr)
            cues.append(
                SceneCue(
                    scene.index, slot.start / sr, slot.end / sr, _ms(speech_start), _ms(speech_end),
                    rate_factor * plan.tempo_factor if speech.length else 1.0,
                )
            )
            captions += caption_cues(spans, scene_index=scene.index, scene_end_s=slot.end / sr)
        track = level_voice(track, ranges, sr)
        return Narration(track, cues, captions, narrator.name, ranges)

    def _try(
        self, narrator: Narrator, sentences: list[list[str]], language: str, rate: float, notes: Notes,
        *, online: bool,
    ) -> list[SceneSpeech] | None:
        s = self.settings
        deadline = time.monotonic() + s.gtts_budget_s if online else None
        try:
            return [
                synthesize_scene(
                    narrator, scene_sentences, language=language, rate=rate if narrator.native_rate else 1.0,
                    sample_rate=s.sample_rate, pause_s=s.sentence_pause_s, deadline=deadline,
                )
                for scene_sentences in sentences
            ]
        except Exception as exc:  # a failing voice degrades (fallback voice, or captions only)
            reason = str(exc)
            if not isinstance(exc, VoiceUnavailable):
                log.exception("voice failed", extra={"voice": narrator.name})
                reason = f"internal error ({type(exc).__name__})"
            notes.warn(f"{narrator.name}_error", f"{narrator.name}: {reason}")
            return None

    def _captions_only(
        self, spec: SoundtrackSpec, slots: list[SceneSlot], sentences: list[list[str]], num_samples: int,
        voice_name: str,
    ) -> Narration:
        sr = self.settings.sample_rate
        cues: list[SceneCue] = []
        captions: list[CaptionCue] = []
        for scene, slot, scene_sentences in zip(spec.scenes, slots, sentences, strict=True):
            plan = plan_fit(
                0.0, slot.length / sr, lead_in_s=self.settings.narration_lead_in_s,
                tail_s=self.settings.narration_tail_s, max_stretch=1.0,
            )
            start_s, end_s = slot.start / sr, slot.end / sr
            spans = estimated_spans(scene_sentences, start_s=start_s + plan.lead_in_s, end_s=end_s)
            cues.append(SceneCue(scene.index, start_s, end_s, _ms(start_s), _ms(start_s), 1.0))
            captions += caption_cues(spans, scene_index=scene.index, scene_end_s=end_s)
        return Narration(np.zeros(num_samples, dtype=np.float32), cues, captions, "none", [])


# Speech sits at about -20 dBFS RMS before the mix; the loudness stage sets the final level.
VOICE_RMS_DB = -20.0
VOICE_PEAK = 0.89


def level_voice(track: np.ndarray, ranges: Sequence[tuple[int, int]], sample_rate: int = 48000) -> np.ndarray:
    """Compress the voice gently (3:1 from 6 dB above its speaking level), then scale it so its
    spoken parts sit at VOICE_RMS_DB with peaks below VOICE_PEAK."""

    def spoken_db(x: np.ndarray) -> float:
        return audio_io.rms_db(np.concatenate([x[a:b] for a, b in ranges]) if ranges else x)

    level = spoken_db(track)
    if not math.isfinite(level):
        return track
    track = mix.compress(track, sample_rate, threshold_db=level + 6.0, ratio=3.0)
    level = spoken_db(track)
    gain = audio_io.db_to_gain(VOICE_RMS_DB - level)
    peak = float(np.max(np.abs(track))) * gain
    if peak > VOICE_PEAK:
        gain *= VOICE_PEAK / peak
    return (track * gain).astype(np.float32)
