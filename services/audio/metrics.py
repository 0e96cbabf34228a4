"""Domain metrics of the Audio service and the one way a fallback is recorded.

Labels are bounded sets (stage names, voice names, source names, warning codes): never job ids
or prompts.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator

from prometheus_client import Counter, Histogram

from services.audio.model import STAGE, Note
from services.common.metrics import FALLBACKS

log = logging.getLogger("services.audio")

STAGE_SECONDS = Histogram(
    "cinesynth_audio_stage_seconds",
    "Seconds spent per audio stage (narration, music, mix, loudness, encode, publish, analyze).",
    ["stage"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600),
)
VOICE_USED = Counter("cinesynth_audio_voice_total", "Soundtracks by the voice that narrated them.", ["voice"])
MUSIC_SOURCE_USED = Counter(
    "cinesynth_audio_music_source_total", "Soundtracks by the music source actually used.", ["source"]
)
MUSIC_FALLTHROUGH = Counter(
    "cinesynth_audio_music_fallthrough_total",
    "Music sources that failed or found nothing, so the next one was tried.",
    ["source"],
)
SCENE_SOUNDS_USED = Counter(
    "cinesynth_audio_scene_sounds_total",
    "Scene sounds placed in soundtracks, by layer (ambience, effect) and library (builtin, library).",
    ["layer", "library"],
)
SFX_FALLTHROUGH = Counter(
    "cinesynth_audio_sfx_fallthrough_total",
    "Scene-sound fall-throughs: the sound library unusable, no sound matching, a sound not decodable.",
    ["reason"],
)
NARRATION_FIT = Counter(
    "cinesynth_audio_narration_fit_total",
    "Scenes by how their narration was fitted: padded, stretched (<= max), cut (over the max).",
    ["outcome"],
)

CACHE_LOOKUPS = Counter(
    "cinesynth_audio_cache_lookups_total",
    "Lookups of the content-hash caches (procedural score, music analysis) by outcome (hit, miss).",
    ["cache", "outcome"],
)


@contextlib.contextmanager
def stage_timer(stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        STAGE_SECONDS.labels(stage=stage).observe(time.perf_counter() - start)


class Notes:
    """Collects the warnings of one request. Every fallback is logged, counted and returned."""

    def __init__(self) -> None:
        self.items: list[Note] = []

    def fallback(self, code: str, message: str) -> None:
        """A fallback taken: warning + `cinesynth_fallbacks_total{stage="soundtrack", kind=code}`."""
        FALLBACKS.labels(stage=STAGE, kind=code).inc()
        self.warn(code, message)

    def warn(self, code: str, message: str) -> None:
        log.warning(message, extra={"warning_code": code})
        self.items.append(Note(code, message))
