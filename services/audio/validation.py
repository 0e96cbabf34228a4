"""Request checks, all up front, every violation named by its field (INVALID_ARGUMENT)."""

from __future__ import annotations

import math
import re
from urllib.parse import urlparse

from services.audio.model import VOICES, SceneSpec, SoundtrackSpec
from services.audio.music.youtube import youtube_video_id
from services.audio.settings import AudioSettings
from services.audio.voices import gtts_language, is_language_tag, primary_language
from services.common.artifacts import ArtifactStore, validate_key
from services.common.errors import CinesynthError, Collector, InvalidArgument, NotFound

_JOB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
MIN_RATE, MAX_RATE = 0.5, 2.0
MIN_TEMPO, MAX_TEMPO = 40.0, 240.0


def _finite(value: float) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def validate_soundtrack(
    spec: SoundtrackSpec, settings: AudioSettings, store: ArtifactStore, *, piper_language: str = "en"
) -> None:
    c = Collector()
    if len(spec.scenes) > settings.max_scenes:
        c.add("scenes", f"at most {settings.max_scenes} scenes, got {len(spec.scenes)}")
    seen: set[int] = set()
    for i, scene in enumerate(spec.scenes):
        if not _finite(scene.duration_s) or scene.duration_s <= 0:
            c.add(f"scenes[{i}].duration_s", f"must be a positive number of seconds, got {scene.duration_s}")
        if len(scene.narration) > settings.max_narration_chars:
            c.add(
                f"scenes[{i}].narration",
                f"{len(scene.narration)} characters, over the limit of {settings.max_narration_chars}",
            )
        _check_scene_sound(scene, f"scenes[{i}].sound", c)
        if scene.index < 0:
            c.add(f"scenes[{i}].index", f"must be >= 0, got {scene.index}")
        elif scene.index in seen:
            c.add(f"scenes[{i}].index", f"duplicate scene index {scene.index}")
        seen.add(scene.index)

    total = spec.total_duration_s
    if not _finite(total) or total < 0:
        c.add("total_duration_s", f"must be >= 0 seconds, got {total}")
    elif all(_finite(s.duration_s) and s.duration_s > 0 for s in spec.scenes):
        effective = spec.duration_s
        if effective <= 0:
            c.add("total_duration_s", "required when there are no scenes")
        elif effective > settings.max_total_duration_s:
            c.add("total_duration_s", f"{effective:.2f} s is over the limit of {settings.max_total_duration_s:g} s")
        elif total > 0 and total + 1e-6 < spec.scenes_duration_s:
            c.add("total_duration_s", f"{total:g} s is shorter than the scenes ({spec.scenes_duration_s:g} s)")

    voice = spec.voice.voice.lower()
    if voice and voice not in VOICES:
        c.add("voice.voice", f"unknown voice {spec.voice.voice[:40]!r}; use one of {', '.join(VOICES)}")
    rate = spec.voice.speaking_rate
    if not _finite(rate) or (rate != 0 and not MIN_RATE <= rate <= MAX_RATE):
        c.add("voice.speaking_rate", f"must be 0 (default) or within {MIN_RATE}..{MAX_RATE}, got {rate}")
    language = spec.voice.language
    if language and not is_language_tag(language):
        c.add("voice.language", f"not a BCP-47 language tag: {language[:40]!r}")
    elif language:
        chosen = voice or settings.default_voice
        if chosen == "piper" and primary_language(language) != primary_language(piper_language):
            c.add("voice.language", f"the offline Piper voice speaks {piper_language}; use voice 'gtts' for {language}")
        if chosen == "gtts" and gtts_language(language) is None:
            c.add("voice.language", f"gTTS does not speak {language!r}")

    tempo = spec.brief.tempo_bpm
    if not _finite(tempo) or (tempo != 0 and not MIN_TEMPO <= tempo <= MAX_TEMPO):
        c.add("music_brief.tempo_bpm", f"must be 0 or within {MIN_TEMPO:g}..{MAX_TEMPO:g}, got {tempo}")
    if len(spec.lyrics) > settings.max_lyrics_chars:
        c.add("lyrics", f"{len(spec.lyrics)} characters, over the limit of {settings.max_lyrics_chars}")
    if spec.music_uri:
        problem = music_uri_problem(spec.music_uri, store)
        if problem:
            c.add("music_uri", problem)
    elif spec.music_is_soundtrack:
        c.add("music_uri", "required when music_is_soundtrack is set")
    if spec.output_prefix:
        try:
            validate_key(spec.output_prefix, "output_prefix")
        except InvalidArgument as exc:
            c.extend(exc.violations)
    if spec.job_id and not _JOB_ID.match(spec.job_id):
        c.add("job_id", "letters, digits, '.', '_' and '-' only (at most 128)")
    c.raise_if_any()


MAX_SOUND_TEXT_CHARS = 300
MAX_EFFECTS_PER_SCENE = 16


def _check_scene_sound(scene: SceneSpec, where: str, c: Collector) -> None:
    sound = scene.sound
    if len(sound.ambience) > MAX_SOUND_TEXT_CHARS:
        c.add(f"{where}.ambience", f"{len(sound.ambience)} characters, over the limit of {MAX_SOUND_TEXT_CHARS}")
    if len(sound.effects) > MAX_EFFECTS_PER_SCENE:
        c.add(f"{where}.effects", f"at most {MAX_EFFECTS_PER_SCENE} effects per scene, got {len(sound.effects)}")
    for k, effect in enumerate(sound.effects[:MAX_EFFECTS_PER_SCENE]):
        if len(effect.description) > MAX_SOUND_TEXT_CHARS:
            c.add(f"{where}.effects[{k}].description",
                  f"{len(effect.description)} characters, over the limit of {MAX_SOUND_TEXT_CHARS}")
        if not _finite(effect.at_s) or effect.at_s < 0 or (
            _finite(scene.duration_s) and scene.duration_s > 0 and effect.at_s > scene.duration_s
        ):
            c.add(f"{where}.effects[{k}].at_s",
                  f"must be within the scene (0..{scene.duration_s:g} s), got {effect.at_s}")


def music_uri_problem(uri: str, store: ArtifactStore) -> str | None:
    """Why `uri` cannot be the music: only YouTube videos and objects of this artifact store."""
    scheme = urlparse(uri).scheme
    if scheme in ("http", "https"):
        return None if youtube_video_id(uri) else "only YouTube video URLs (or artifact-store URIs) are accepted"
    return store_uri_problem(uri, store)


def store_uri_problem(uri: str, store: ArtifactStore) -> str | None:
    try:
        store.key_for(uri)
        store.stat(uri)
    except InvalidArgument as exc:
        return exc.violations[0].description if exc.violations else "not a URI of the artifact store"
    except NotFound:
        return "not found in the artifact store"
    except CinesynthError as exc:
        return f"could not be checked: {exc.message}"
    return None


def validate_track_uri(uri: str, store: ArtifactStore, energy_hop_s: float) -> None:
    c = Collector()
    if not uri:
        c.add("track_uri", "required")
    else:
        problem = store_uri_problem(uri, store)
        if problem:
            c.add("track_uri", problem)
    if not _finite(energy_hop_s) or energy_hop_s < 0 or energy_hop_s > 10:
        c.add("energy_hop_s", f"must be 0 (default) or up to 10 s, got {energy_hop_s}")
    elif 0 < energy_hop_s < 0.01:
        c.add("energy_hop_s", "must be at least 0.01 s")
    c.raise_if_any()
