"""Real Piper synthesis, gTTS against a local double, and both with the network unreachable."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import numpy as np
import pytest
from prometheus_client import REGISTRY

from services.audio.metrics import Notes
from services.audio.model import SceneSpec, SoundtrackSpec, VoiceSpec
from services.audio.narration import NarrationBuilder, cut, plan_fit, stretch, synthesize_scene
from services.audio.settings import AudioSettings
from services.audio.voices import GttsNarrator, PiperNarrator, VoiceBox, VoiceUnavailable
from tests.unit.audio.conftest import FakeHTTP, gtts_reply

SR = 48000
GTTS_PATH = "/_/TranslateWebserverUi/data/batchexecute"


def fallbacks(kind: str) -> float:
    return REGISTRY.get_sample_value("cinesynth_fallbacks_total", {"stage": "soundtrack", "kind": kind}) or 0.0


def voice_box(settings: AudioSettings) -> VoiceBox:
    return VoiceBox(
        PiperNarrator(), GttsNarrator(timeout_s=settings.gtts_timeout_s, endpoint=settings.gtts_endpoint)
    )


def test_piper_speaks_short_sentences(piper_voice: Any) -> None:
    narrator = PiperNarrator()
    speech = synthesize_scene(
        narrator, ["The city sleeps.", "A courier runs across the rooftops."], language="en", rate=1.0,
        sample_rate=SR, pause_s=0.25,
    )
    assert [s.text for s in speech.sentences] == ["The city sleeps.", "A courier runs across the rooftops."]
    first, second = speech.sentences
    assert 0.5 < (first.end - first.start) / SR < 2.5 and 1.2 < (second.end - second.start) / SR < 4.0
    assert second.start - first.end == round(0.25 * SR)
    voiced = speech.samples[first.start : first.end]
    assert np.sqrt(np.mean(voiced**2)) > 0.05  # speech, not silence
    spectrum = np.abs(np.fft.rfft(voiced)) ** 2
    freqs = np.fft.rfftfreq(voiced.size, 1 / SR)
    assert spectrum[(freqs > 80) & (freqs < 4000)].sum() / spectrum.sum() > 0.8  # the voice band
    # A faster speaking rate is shorter (Piper's length_scale).
    fast = synthesize_scene(narrator, ["The city sleeps."], language="en", rate=1.6, sample_rate=SR, pause_s=0)
    assert fast.length < 0.85 * (first.end - first.start)


def test_fit_plan_pads_stretches_within_the_limit_and_cuts_beyond() -> None:
    fits = plan_fit(4.0, 10.0, lead_in_s=0.35, tail_s=0.25, max_stretch=1.25)
    assert (fits.outcome, fits.tempo_factor, fits.keep_s, fits.lead_in_s) == ("fits", 1.0, None, 0.35)
    stretched = plan_fit(11.0, 10.0, lead_in_s=0.35, tail_s=0.25, max_stretch=1.25)
    assert stretched.outcome == "stretched" and 1.0 < stretched.tempo_factor <= 1.25
    assert 11.0 / stretched.tempo_factor + stretched.lead_in_s <= 10.0
    cut_plan = plan_fit(20.0, 10.0, lead_in_s=0.35, tail_s=0.25, max_stretch=1.25)
    assert cut_plan.outcome == "cut" and cut_plan.tempo_factor == 1.25
    assert cut_plan.lead_in_s + cut_plan.keep_s <= 10.0


def test_stretch_and_cut_keep_sentence_spans_consistent(piper_voice: Any, tmp_path: Path) -> None:
    speech = synthesize_scene(
        PiperNarrator(), ["Rain begins to fall.", "Her footsteps echo between the towers."], language="en",
        rate=1.0, sample_rate=SR, pause_s=0.2,
    )
    faster = stretch(speech, 1.25, sample_rate=SR, workdir=tmp_path)
    assert abs(faster.length - speech.length / 1.25) < 0.02 * SR
    assert faster.sentences[1].end == faster.length or abs(faster.sentences[1].end - faster.length) < 10
    # Cutting inside the second sentence keeps the first whole when that keeps enough of it ...
    keep = faster.sentences[1].start + (faster.sentences[1].end - faster.sentences[1].start) // 3
    trimmed = cut(faster, keep, sample_rate=SR)
    assert len(trimmed.sentences) == 1 or trimmed.length <= keep
    assert trimmed.length <= keep
    # ... and mid-sentence with a fade otherwise.
    early = cut(faster, faster.sentences[0].end // 2, sample_rate=SR)
    assert early.length == faster.sentences[0].end // 2 and abs(early.samples[-1]) < 1e-3


def _spec(voice: str, narration: str = "Hello there. The night is young.", seconds: float = 6.0) -> SoundtrackSpec:
    return SoundtrackSpec(scenes=(SceneSpec(0, narration, seconds),), voice=VoiceSpec(voice=voice))


def test_gtts_against_a_local_double(
    fake_http: FakeHTTP, speech_like_mp3: bytes, audio_settings: Callable[..., AudioSettings], tmp_path: Path
) -> None:
    fake_http.routes[GTTS_PATH] = (200, {"Content-Type": "application/json"}, gtts_reply(speech_like_mp3))
    settings = audio_settings(gtts_endpoint=fake_http.base + GTTS_PATH, gtts_timeout_s=2.0)
    notes = Notes()
    narration = NarrationBuilder(settings, voice_box(settings)).build(_spec("gtts"), 6 * SR, notes, tmp_path)
    assert narration.voice_used == "gtts" and notes.items == []
    assert len(fake_http.requests) == 2  # one request per sentence
    method, _, body = fake_http.requests[0]
    assert method == "POST" and '"Hello there.","en"' in unquote_plus(body.decode()).replace("\\", "")
    assert [c.text for c in narration.captions] == ["Hello there.", "The night is young."]
    # The double's 1.2 s tone (silence trimmed) is what got placed on the track.
    first = narration.captions[0]
    assert 0.9 < first.end_s - first.start_s < 2.0
    assert np.abs(narration.track).max() > 0.1


def test_gtts_stalled_network_falls_back_to_piper_within_the_timeout(
    blackhole: int, piper_voice: Any, audio_settings: Callable[..., AudioSettings], tmp_path: Path
) -> None:
    settings = audio_settings(gtts_endpoint=f"http://127.0.0.1:{blackhole}{GTTS_PATH}", gtts_timeout_s=0.8)
    box = voice_box(settings)
    start = time.monotonic()
    with pytest.raises(VoiceUnavailable):
        box.gtts.speak("Hello there.", language="en", rate=1.0)
    assert time.monotonic() - start < 0.8 + 10.0  # the black hole never answers: bounded by the timeout
    before = fallbacks("tts_fallback")
    notes = Notes()
    narration = NarrationBuilder(settings, box).build(_spec("gtts"), 6 * SR, notes, tmp_path)
    assert narration.voice_used == "piper"
    assert [n.code for n in notes.items] == ["gtts_error", "tts_fallback"]
    assert fallbacks("tts_fallback") == before + 1
    assert len(narration.captions) == 2 and np.abs(narration.track).max() > 0.1


def test_gtts_with_no_internet_falls_back_fast(
    offline: None, piper_voice: Any, audio_settings: Callable[..., AudioSettings], tmp_path: Path
) -> None:
    """The real Google endpoint through a proxy that refuses: gTTS fails at once, Piper speaks."""
    settings = audio_settings(gtts_timeout_s=3.0)
    notes = Notes()
    start = time.monotonic()
    narration = NarrationBuilder(settings, voice_box(settings)).build(_spec("gtts", "Hello."), 3 * SR, notes, tmp_path)
    assert time.monotonic() - start < 3.0 + 10.0  # the timeout plus Piper speaking, with room for a busy machine
    assert narration.voice_used == "piper" and "tts_fallback" in [n.code for n in notes.items]


def test_narration_too_long_is_sped_up_then_cut_with_a_warning(
    piper_voice: Any, audio_settings: Callable[..., AudioSettings], tmp_path: Path
) -> None:
    settings = audio_settings()
    long_text = (
        "The storm rolls over the harbour and every lantern in the fishing village flickers. "
        "Old sailors gather in the tavern to tell the story of the lighthouse keeper."
    )
    spec = SoundtrackSpec(scenes=(SceneSpec(0, "Short.", 3.0), SceneSpec(1, long_text, 3.0)))
    notes = Notes()
    narration = NarrationBuilder(settings, voice_box(settings)).build(spec, 6 * SR, notes, tmp_path)
    assert [n.code for n in notes.items] == ["narration_too_long"]
    assert "scene 1" in notes.items[0].message
    second = narration.cues[1]
    assert second.tempo_factor == pytest.approx(1.25)
    assert second.start_s <= second.speech_start_s < second.speech_end_s <= second.end_s == 6.0
    for cue in narration.captions:
        scene = narration.cues[cue.scene_index]
        assert scene.start_s <= cue.start_s < cue.end_s <= scene.end_s
    # Nothing spoken past the end of the track.
    assert narration.track.shape == (6 * SR,)
