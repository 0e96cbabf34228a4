"""Scene sound: each scene's ambience and timed effects, retrieved by text and laid out on the film.

    renderer = SceneSoundRenderer(settings)
    layers = renderer.render(spec, mode, n, voice_track, reference_db, notes, workdir)
    premix = voice + music + layers.ambience + layers.effects

Ambience: one bed per run of consecutive scenes that retrieved the same sound (a storm that spans
three scenes does not restart at each cut), looped with crossfaded seams to the run's length; runs
overlap by `ambience_fade_s` with fades, so a cut to a new place is a crossfade. Effects: one-shots
at the scene's start + `at_s`. Levels are set by measurement relative to the narration level
(`reference_db`): ambience at `ambience_level_db` (under the music's -10 dB), effects at
`effects_level_db` over the effect's own active part; both ducked under the voice by a sidechain.
Every fall-through (operator library unusable, nothing matching, a file not decodable) is logged,
counted (`cinesynth_audio_sfx_fallthrough_total`) and returned as a warning.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from services.audio import audio_io, mix
from services.audio.metrics import SCENE_SOUNDS_USED, SFX_FALLTHROUGH, Notes
from services.audio.model import SceneSoundMode, SoundCredit, SoundtrackSpec
from services.audio.settings import AudioSettings
from services.audio.sfx.library import SfxLibrary, SfxLibraryError, SoundEntry, SoundIndex, SoundMatch, decode_entry
from services.common.errors import CinesynthError

log = logging.getLogger(__name__)

FILM_FADE_S = 1.0
# Below the voice level where the sidechain starts ducking (as the music's ducker).
DUCK_THRESHOLD_BELOW_VOICE_DB = 22.0
MAX_LISTED = 5


@dataclass
class SceneSoundLayers:
    ambience: np.ndarray
    effects: np.ndarray
    mode: SceneSoundMode
    credits: list[SoundCredit] = field(default_factory=list)


def default_mode(spec: SoundtrackSpec, settings: AudioSettings) -> SceneSoundMode:
    """The request's mode; unspecified = the configured default, except in music-video mode where
    the track *is* the soundtrack (nothing is laid under a song unless asked for)."""
    if spec.scene_sound is not None:
        return spec.scene_sound
    return SceneSoundMode.OFF if spec.music_is_soundtrack else SceneSoundMode(settings.scene_sound)


@dataclass
class _Credit:
    match: SoundMatch
    layer: str
    query: str
    scenes: list[int] = field(default_factory=list)


class SceneSoundRenderer:
    def __init__(self, settings: AudioSettings, library: SfxLibrary | None = None) -> None:
        self.settings = settings
        self.library = library or SfxLibrary(settings.sfx_library_dir)

    def render(
        self, spec: SoundtrackSpec, mode: SceneSoundMode, n: int, voice: np.ndarray, reference_db: float,
        notes: Notes, workdir: Path,
    ) -> SceneSoundLayers:
        sr = self.settings.sample_rate
        layers = SceneSoundLayers(np.zeros((n, 2), np.float32), np.zeros((n, 2), np.float32), mode)
        wants_effects = mode == SceneSoundMode.FULL
        asked = [s for s in spec.scenes if s.sound.ambience.strip() or (wants_effects and s.sound.effects)]
        if mode == SceneSoundMode.OFF or not asked:
            return layers
        finder = _Finder(self.library, self.settings.sfx_min_similarity, notes)
        starts, ends = _scene_bounds(spec, sr, n)
        credits: dict[tuple[str, str], _Credit] = {}

        def credit(match: SoundMatch, layer: str, query: str, scene: int) -> None:
            entry = credits.setdefault((layer, match.entry.id), _Credit(match, layer, query))
            if scene not in entry.scenes:
                entry.scenes.append(scene)

        # --- ambience: runs of scenes sharing a sound --------------------------------------------
        chosen: list[SoundMatch | None] = []
        for scene in spec.scenes:
            text = scene.sound.ambience.strip()
            chosen.append(finder.find(text, "ambience", scene.index) if text else None)
        xf = round(self.settings.ambience_fade_s * sr)
        loops: dict[str, np.ndarray | None] = {}
        i = 0
        while i < len(chosen):
            match = chosen[i]
            j = i
            while j + 1 < len(chosen) and match is not None and chosen[j + 1] is not None \
                    and chosen[j + 1].entry.id == match.entry.id:  # type: ignore[union-attr]
                j += 1
            if match is not None:
                begin = max(0, starts[i] - xf // 2)
                end = min(n, ends[j] + xf // 2)
                if match.entry.id not in loops:
                    loops[match.entry.id] = self._level(
                        self._decode(match.entry, spec.seed, workdir, (end - begin) / sr + 1.0, notes),
                        reference_db + self.settings.ambience_level_db, active=False,
                    )
                loop = loops[match.entry.id]
                if loop is not None and end > begin:
                    fade_in = FILM_FADE_S if begin == 0 else self.settings.ambience_fade_s
                    fade_out = FILM_FADE_S if end == n else self.settings.ambience_fade_s
                    segment = mix.bed_segment(loop, end - begin, sr, fade_in_s=fade_in, fade_out_s=fade_out)
                    mix.place(layers.ambience, segment, begin, sample_rate=sr)
                    for k in range(i, j + 1):
                        credit(match, "ambience", spec.scenes[k].sound.ambience.strip(), spec.scenes[k].index)
                    SCENE_SOUNDS_USED.labels(layer="ambience", library=match.entry.source).inc()
            i = j + 1

        # --- effects at their times ------------------------------------------------------------------
        if wants_effects:
            for k, scene in enumerate(spec.scenes):
                for e, cue in enumerate(scene.sound.effects):
                    text = cue.description.strip()
                    match = finder.find(text, "effect", scene.index) if text else None
                    if match is None:
                        continue
                    start = starts[k] + round(min(max(cue.at_s, 0.0), scene.duration_s) * sr)
                    clip = self._level(
                        self._decode(match.entry, spec.seed + 7919 * (k + 1) + e, workdir, 30.0, notes),
                        reference_db + self.settings.effects_level_db, active=True,
                    )
                    if clip is None:
                        continue
                    mix.place(layers.effects, clip, start, sample_rate=sr)
                    credit(match, "effect", text, scene.index)
                    SCENE_SOUNDS_USED.labels(layer="effect", library=match.entry.source).inc()

        finder.report()
        if voice.size and self.settings.scene_sound_duck_db > 0 and float(np.abs(voice).max()) > 0:
            params = mix.DuckParams(
                max_duck_db=self.settings.scene_sound_duck_db,
                threshold_db=reference_db - DUCK_THRESHOLD_BELOW_VOICE_DB,
            )
            gain = mix.duck_gain(voice, sr, params)[:, None]
            layers.ambience *= gain
            layers.effects *= gain
        layers.credits = [
            SoundCredit(
                layer=c.layer, sound_id=c.match.entry.id, title=c.match.entry.title, license=c.match.entry.license,
                attribution=c.match.entry.attribution, url=c.match.entry.url, scene_indexes=tuple(c.scenes),
                query=c.query, similarity=round(c.match.similarity, 4),
            )
            for c in credits.values()
        ]
        return layers

    def _decode(
        self, entry: SoundEntry, seed: int, workdir: Path, max_seconds: float, notes: Notes
    ) -> np.ndarray | None:
        try:
            samples = decode_entry(entry, seed, self.settings.sample_rate, workdir, max_seconds)
        except (CinesynthError, OSError) as exc:
            log.warning("sound not decodable", extra={"sound": entry.id, "error": str(exc)[:200]})
            SFX_FALLTHROUGH.labels(reason="undecodable").inc()
            notes.fallback("scene_sound_undecodable", f"the sound {entry.id!r} could not be decoded; it is left out")
            return None
        return samples if samples.shape[0] else None

    def _level(self, x: np.ndarray | None, target_db: float, *, active: bool) -> np.ndarray | None:
        if x is None:
            return None
        rms, active_rms, _ = mix.layer_level(x, self.settings.sample_rate)
        level = active_rms if active else rms
        if level <= mix.SILENT_DB:
            return None
        return (x * audio_io.db_to_gain(target_db - level)).astype(np.float32)


def _scene_bounds(spec: SoundtrackSpec, sr: int, n: int) -> tuple[list[int], list[int]]:
    starts, ends, t = [], [], 0.0
    for scene in spec.scenes:
        starts.append(min(n, round(t * sr)))
        t += scene.duration_s
        ends.append(min(n, round(t * sr)))
    return starts, ends


class _Finder:
    """Retrieval for one request: operator library first, built-in library next; results cached,
    fall-throughs collected into one warning each."""

    def __init__(self, library: SfxLibrary, min_similarity: float, notes: Notes) -> None:
        self.library = library
        self.min_similarity = min_similarity
        self.notes = notes
        self.cache: dict[tuple[str, str], SoundMatch | None] = {}
        self.operator: SoundIndex | None = None
        self.unmatched: list[str] = []
        self.operator_missed: list[str] = []
        try:
            self.operator = library.operator()
        except SfxLibraryError as exc:
            SFX_FALLTHROUGH.labels(reason="library_unavailable").inc()
            notes.fallback("sfx_library_unavailable", f"the sound library is not usable ({exc}); "
                           "the built-in procedural sounds are used")
        self.builtin = library.builtin()

    def find(self, text: str, kind: str, scene: int) -> SoundMatch | None:
        key = (text.casefold(), kind)
        if key not in self.cache:
            self.cache[key] = self._search(text, kind)
        return self.cache[key]

    def _search(self, text: str, kind: str) -> SoundMatch | None:
        best: SoundMatch | None = None
        if self.operator is not None:
            ranked = self.operator.rank(text, kind)
            if ranked and ranked[0].similarity >= self.min_similarity:
                return ranked[0]
            self.operator_missed.append(text)
            best = ranked[0] if ranked else None
        ranked = self.builtin.rank(text, kind)
        if ranked and ranked[0].similarity >= self.min_similarity:
            return ranked[0]
        top = max((m for m in (best, ranked[0] if ranked else None) if m is not None),
                  key=lambda m: m.similarity, default=None)
        log.info("no sound matches", extra={"kind": kind, "best": top.entry.id if top else "",
                                            "similarity": round(top.similarity, 3) if top else 0.0})
        self.unmatched.append(f"{kind} {text[:60]!r}")
        return None

    def report(self) -> None:
        if self.operator_missed:
            SFX_FALLTHROUGH.labels(reason="library_no_match").inc(len(self.operator_missed))
            self.notes.fallback(
                "sfx_library_no_match",
                f"the sound library had nothing for {len(self.operator_missed)} sound(s) "
                f"({', '.join(repr(t[:60]) for t in self.operator_missed[:MAX_LISTED])}); "
                "the built-in library was searched",
            )
        if self.unmatched:
            SFX_FALLTHROUGH.labels(reason="no_match").inc(len(self.unmatched))
            self.notes.fallback(
                "scene_sound_no_match",
                f"no sound matches {len(self.unmatched)} description(s) ({', '.join(self.unmatched[:MAX_LISTED])}); "
                "they are left silent",
            )
