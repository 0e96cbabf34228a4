"""Up-front checks of a CreateVideo request: every bad field reported at once, nothing created.

`validate_create` turns the raw request (zero values = "server default", enum values already mapped
to their short names, unknown ones as "unknown(N)") into the normalised `VideoSpec` the job runs
with. It raises nothing itself: violations go into the caller's `Collector`, so the caller can add
the checks that need I/O (the callback URL's DNS) before raising them all together.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from gateway.finite import non_finite_paths
from gateway.model import (
    ASPECTS,
    MOTION_TIERS,
    MUSIC_SOURCES,
    MV_TYPES,
    STORYBOARD_BACKENDS,
    TIERS,
    TRANSITIONS,
    MusicSpec,
    VideoSpec,
    VoiceSpec,
)
from gateway.scene_sound import SCENE_SOUND_MODES
from gateway.text_checks import text_problem
from services.common.errors import Collector

MIN_DURATION_S, MAX_DURATION_S = 5.0, 600.0
MIN_SCENES, MAX_SCENES = 1, 60
MIN_FPS, MAX_FPS = 12, 60
MIN_EDGE, MAX_LONG_EDGE, MAX_SHORT_EDGE = 64, 3840, 2160
MIN_SCENE_S = 1.0
MAX_STYLE_CHARS = 500
MAX_LABELS = 32
MAX_LABEL_VALUE = 256
MAX_CALLBACK_URL = 2048
_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_LABEL_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,62}$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$")
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_TRACK_ID_CHARS = 200
MAX_GENRE_TAGS, MAX_GENRE_TAG_CHARS = 16, 100
MAX_LYRICS_CHARS = 20000

# Width over height of each preset's frame (the letterbox preset is a 16:9 frame).
ASPECT_RATIOS = {
    "widescreen": 16 / 9, "cinemascope_letterbox": 16 / 9, "cinemascope": 2.39, "vertical": 9 / 16,
    "cinema": 3072 / 1280,
}
# The cinema profile is a fixed size (MovieFactory's), not the default long edge.
CINEMA_SIZE = (3072, 1280)


@dataclass
class SpecInput:
    """VideoSpec as the client sent it: zero/empty = default."""

    duration_s: float = 0.0
    scene_count: int = 0
    fps: int = 0
    width: int = 0
    height: int = 0
    aspect: str = ""
    tier: str = ""
    allow_degrade: bool = False
    seed: int | None = None
    style: str = ""
    voice: str = ""
    language: str = ""
    speaking_rate: float = 0.0
    music_source: str = ""
    captions: bool | None = None
    storyboard_backend: str = ""
    transition: str = ""
    motion_tier: str = ""
    scene_sound: str = ""


@dataclass
class CreateVideoInput:
    request_id: str = ""
    source_kind: str = ""  # prompt | storyboard | music | "" (none given)
    prompt: str = ""
    storyboard: dict[str, Any] | None = None
    music: MusicSpec | None = None
    spec: SpecInput = field(default_factory=SpecInput)
    labels: dict[str, str] = field(default_factory=dict)
    callback_url: str = ""
    # Paths of NaN/infinite numbers in the client's storyboard (its JSON form shows them as strings).
    storyboard_non_finite: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Limits:
    max_prompt_chars: int = 4000
    default_long_edge: int = 1280
    default_fps: int = 24
    known_voices: tuple[str, ...] = ("piper", "gtts", "none")


@dataclass
class ValidatedRequest:
    request_id: str
    request_hash: str
    source_kind: str
    prompt: str
    storyboard: dict[str, Any] | None
    music: MusicSpec | None
    spec: VideoSpec
    labels: dict[str, str]
    callback_url: str


def even(value: float) -> int:
    return max(2, round(value / 2.0) * 2)


def preset_size(aspect: str, long_edge: int) -> tuple[int, int]:
    ratio = ASPECT_RATIOS[aspect]
    if ratio >= 1:
        return even(long_edge), even(long_edge / ratio)
    return even(long_edge * ratio), even(long_edge)


def request_fingerprint(valid: ValidatedRequest, requested_seed: int | None) -> str:
    """What makes two requests with one request_id "the same request" (AIP-155): the *normalised* request,
    so a default written out (fps 24, TIER_DRAFT) and one left unset are the same. Excluded: the id itself
    and the seed the server draws for an unseeded request (`requested_seed` is what the client sent)."""
    data = asdict(valid)
    data.pop("request_id", None)
    data.pop("request_hash", None)
    data["spec"]["seed"] = requested_seed
    if not data["spec"].get("scene_sound"):  # unset: the same hash as before the field existed
        data["spec"].pop("scene_sound", None)
    blob = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str, allow_nan=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def _finite(value: float) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _check_choice(errors: Collector, value: str, allowed: tuple[str, ...], path: str, what: str) -> None:
    if value and value not in allowed:
        errors.add(path, f"unknown {what} {value!r}; use one of {', '.join(allowed)}")


def _check_size(errors: Collector, spec: SpecInput, aspect: str, long_edge: int) -> tuple[int, int]:
    width, height = spec.width, spec.height
    if width < 0:
        errors.add("spec.width", f"must not be negative (got {width})")
    if height < 0:
        errors.add("spec.height", f"must not be negative (got {height})")
    if width < 0 or height < 0:
        return 0, 0
    ratio = ASPECT_RATIOS[aspect]
    if width == 0 and height == 0:
        return CINEMA_SIZE if aspect == "cinema" else preset_size(aspect, long_edge)
    if height == 0:
        height = even(width / ratio)
    elif width == 0:
        width = even(height * ratio)
    for path, value in (("spec.width", width), ("spec.height", height)):
        if value % 2:
            errors.add(path, f"must be even (got {value})")
        if value < MIN_EDGE:
            errors.add(path, f"must be at least {MIN_EDGE} (got {value})")
    long_path, short_path = ("spec.width", "spec.height") if width >= height else ("spec.height", "spec.width")
    if max(width, height) > MAX_LONG_EDGE:
        errors.add(long_path, f"{width}x{height} exceeds {MAX_LONG_EDGE}x{MAX_SHORT_EDGE} (either orientation)")
    elif min(width, height) > MAX_SHORT_EDGE:
        errors.add(short_path, f"{width}x{height} exceeds {MAX_LONG_EDGE}x{MAX_SHORT_EDGE} (either orientation)")
    return width, height


def _check_labels(errors: Collector, labels: dict[str, str]) -> None:
    if len(labels) > MAX_LABELS:
        errors.add("labels", f"at most {MAX_LABELS} labels (got {len(labels)})")
    for key, value in labels.items():
        if not _LABEL_KEY.match(key):
            errors.add(f"labels[{key[:40]!r}]", "key must be 1..63 characters of [A-Za-z0-9_.-/]")
        if len(value) > MAX_LABEL_VALUE:
            errors.add(f"labels[{key[:40]!r}]", f"value longer than {MAX_LABEL_VALUE} characters")


def _check_source(errors: Collector, request: CreateVideoInput, limits: Limits) -> str:
    """Returns the normalised prompt."""
    prompt = request.prompt.strip()
    problem = text_problem(request.prompt, required=request.source_kind == "prompt")
    if problem:
        errors.add("prompt", problem)
    elif request.source_kind == "prompt":
        if not prompt:
            errors.add("prompt", "must not be empty")
        elif len(prompt) > limits.max_prompt_chars:
            errors.add("prompt", f"must be at most {limits.max_prompt_chars} characters (got {len(prompt)})")
    elif request.source_kind == "storyboard":
        _check_storyboard(errors, request)
    elif request.source_kind == "music":
        _check_music(errors, request.music or MusicSpec())
    else:
        errors.add("prompt", "a prompt, a music track or a storyboard is required")
    return prompt


def _check_storyboard(errors: Collector, request: CreateVideoInput) -> None:
    """A client storyboard must be renderable: finite numbers, every scene at least one frame long
    at the job's frame rate, the scenes together within the bounds of a video."""
    storyboard = request.storyboard or {}
    scenes = storyboard.get("scenes") or []
    if not MIN_SCENES <= len(scenes) <= MAX_SCENES:
        errors.add("storyboard.scenes", f"must have {MIN_SCENES}..{MAX_SCENES} scenes (got {len(scenes)})")
    non_finite = set(request.storyboard_non_finite) | {
        f"storyboard.{path}" for path in non_finite_paths(storyboard)
    }
    for path in sorted(non_finite):
        errors.add(path, "must be a finite number (no NaN or infinity)")
    fps = request.spec.fps if MIN_FPS <= request.spec.fps <= MAX_FPS else 0
    shortest = 1.0 / (fps or MIN_FPS)
    durations: list[float] = []
    for i, scene in enumerate(scenes[:MAX_SCENES]):
        path = f"storyboard.scenes[{i}].duration_s"
        if path in non_finite:
            continue
        duration = scene.get("duration_s", 0.0)
        if not _finite(duration) or not shortest <= duration <= MAX_DURATION_S:
            errors.add(path, f"must be {shortest:.3g}..{MAX_DURATION_S:g} s: at least one frame at "
                       f"{fps or MIN_FPS} fps (got {duration!r})")
        else:
            durations.append(float(duration))
        for name in ("title", "description", "visual_prompt", "negative_prompt", "narration"):
            problem = text_problem(str(scene.get(name, "")), required=False)
            if problem:
                errors.add(f"storyboard.scenes[{i}].{name}", problem)
    if durations and len(durations) == len(scenes):
        total = math.fsum(durations)
        if not MIN_DURATION_S <= total <= MAX_DURATION_S:
            errors.add("storyboard.scenes", f"durations must sum to {MIN_DURATION_S:g}..{MAX_DURATION_S:g} s "
                       f"(got {total:g})")


def _check_music(errors: Collector, music: MusicSpec) -> None:
    if music.upload_id:
        if not UPLOAD_ID.match(music.upload_id):
            errors.add("music.upload_id", "not an upload id (the 32 hex digits UploadMusic returned)")
    elif music.library_track_id:
        if len(music.library_track_id) > MAX_TRACK_ID_CHARS:
            errors.add("music.library_track_id", f"must be at most {MAX_TRACK_ID_CHARS} characters")
    else:
        errors.add("music.upload_id", "a music source needs an upload_id or a library_track_id")
    if len(music.genre_tags) > MAX_GENRE_TAGS:
        errors.add("music.genre_tags", f"at most {MAX_GENRE_TAGS} tags (got {len(music.genre_tags)})")
    for i, tag in enumerate(music.genre_tags[:MAX_GENRE_TAGS]):
        if not tag.strip() or len(tag) > MAX_GENRE_TAG_CHARS:
            errors.add(f"music.genre_tags[{i}]", f"must be 1..{MAX_GENRE_TAG_CHARS} characters")
        elif problem := text_problem(tag, required=True):
            errors.add(f"music.genre_tags[{i}]", problem)
    if problem := text_problem(music.lyrics, required=False):
        errors.add("music.lyrics", problem)
    _check_choice(errors, music.mv_type, MV_TYPES, "music.mv_type", "music-video type")
    if len(music.lyrics) > MAX_LYRICS_CHARS:
        errors.add("music.lyrics", f"must be at most {MAX_LYRICS_CHARS} characters (got {len(music.lyrics)})")


def _check_music_spec(errors: Collector, spec: SpecInput) -> None:
    """Music-video mode: the track decides the length and is the soundtrack."""
    if spec.duration_s:
        errors.add("spec.duration_s", "a music video is as long as its track; leave it 0")
    if spec.music_source not in ("", "provided"):
        errors.add("spec.music_source", "a music video's soundtrack is its track; leave it unset")


def validate_create(request: CreateVideoInput, limits: Limits, errors: Collector) -> ValidatedRequest | None:
    """Normalise `request`; None when any violation was recorded in `errors`."""
    before = len(errors.violations)
    spec = request.spec
    if request.request_id and not _REQUEST_ID.match(request.request_id):
        errors.add("request_id", "must be 1..128 characters of [A-Za-z0-9._:-] (a UUID is recommended)")
    prompt = _check_source(errors, request, limits)

    duration = spec.duration_s
    if not _finite(duration):
        errors.add("spec.duration_s", "must be a finite number")
    elif duration != 0 and not MIN_DURATION_S <= duration <= MAX_DURATION_S:
        errors.add("spec.duration_s", f"must be {MIN_DURATION_S:g}..{MAX_DURATION_S:g} s (got {duration:g})")
    storyboard_scenes = len((request.storyboard or {}).get("scenes") or [])
    if request.source_kind == "storyboard" and spec.scene_count and spec.scene_count != storyboard_scenes:
        errors.add("spec.scene_count", f"the storyboard has {storyboard_scenes} scenes (got {spec.scene_count})")
    if spec.scene_count and not MIN_SCENES <= spec.scene_count <= MAX_SCENES:
        errors.add("spec.scene_count", f"must be {MIN_SCENES}..{MAX_SCENES} (got {spec.scene_count})")
    if spec.fps and not MIN_FPS <= spec.fps <= MAX_FPS:
        errors.add("spec.fps", f"must be {MIN_FPS}..{MAX_FPS} (got {spec.fps})")
    if not _finite(spec.speaking_rate):
        errors.add("spec.voice.speaking_rate", "must be a finite number")
    elif spec.speaking_rate and not 0.5 <= spec.speaking_rate <= 2.0:
        errors.add("spec.voice.speaking_rate", f"must be 0.5..2.0 (got {spec.speaking_rate:g})")
    if spec.voice and spec.voice not in limits.known_voices:
        errors.add("spec.voice.voice", f"unknown voice {spec.voice!r}; use one of {', '.join(limits.known_voices)}")
    if spec.language and not _LANGUAGE.match(spec.language):
        errors.add("spec.voice.language", f"not a BCP-47 language tag: {spec.language[:40]!r}")
    _check_choice(errors, spec.tier, TIERS, "spec.tier", "tier")
    _check_choice(errors, spec.aspect, ASPECTS, "spec.aspect", "aspect preset")
    music_video = request.source_kind == "music"
    if music_video:
        _check_music_spec(errors, spec)
    else:
        _check_choice(errors, spec.music_source, MUSIC_SOURCES, "spec.music_source", "music source")
    _check_choice(errors, spec.storyboard_backend, STORYBOARD_BACKENDS, "spec.storyboard_backend", "backend")
    _check_choice(errors, spec.transition, TRANSITIONS, "spec.transition", "transition")
    _check_choice(errors, spec.motion_tier, MOTION_TIERS, "spec.motion_tier", "motion tier")
    _check_choice(errors, spec.scene_sound, SCENE_SOUND_MODES, "spec.scene_sound", "scene sound mode")
    if len(spec.style) > MAX_STYLE_CHARS:
        errors.add("spec.style", f"must be at most {MAX_STYLE_CHARS} characters")
    elif problem := text_problem(spec.style, required=True):
        errors.add("spec.style", problem)
    _check_labels(errors, request.labels)
    if len(request.callback_url) > MAX_CALLBACK_URL:
        errors.add("callback_url", f"must be at most {MAX_CALLBACK_URL} characters")

    aspect = spec.aspect if spec.aspect in ASPECTS else "widescreen"
    if not spec.aspect and spec.width and spec.height and spec.height > spec.width:
        aspect = "vertical"
    width, height = _check_size(errors, spec, aspect, limits.default_long_edge)

    scene_count = storyboard_scenes if request.source_kind == "storyboard" else (spec.scene_count or 5)
    if music_video:
        # 0 = from the music (about one scene per 8 s, a cut at every section change).
        scene_count = spec.scene_count
    if not duration and request.source_kind == "storyboard":
        total = (request.storyboard or {}).get("total_duration_s") or 0
        duration = float(total) if _finite(total) and MIN_DURATION_S <= total <= MAX_DURATION_S else 0.0
    duration = duration or 60.0
    if (
        not music_video
        and _finite(duration)
        and MIN_DURATION_S <= duration <= MAX_DURATION_S
        and 0 < scene_count <= MAX_SCENES
        and duration / scene_count < MIN_SCENE_S
    ):
        errors.add("spec.scene_count", f"{scene_count} scenes do not fit in {duration:g} s (at least 1 s each)")

    if len(errors.violations) > before:
        return None
    voice = spec.voice
    if music_video and not (request.music and request.music.narration):
        voice = "none"  # a music video has no narration unless asked for
    normalised = VideoSpec(
        duration_s=0.0 if music_video else float(duration),  # music: the track's, once analysed
        scene_count=scene_count,
        fps=spec.fps or limits.default_fps,
        width=width,
        height=height,
        aspect=aspect,
        tier=spec.tier or "draft",
        allow_degrade=spec.allow_degrade,
        # An unseeded job still gets one seed, kept on the job, so a resumed run renders the same film.
        seed=spec.seed if spec.seed is not None else random.SystemRandom().randrange(2**31),
        style=spec.style.strip(),
        voice=VoiceSpec(voice, spec.language or "en", spec.speaking_rate or 1.0),
        music_source="provided" if music_video else (spec.music_source or "auto"),
        captions=True if spec.captions is None else spec.captions,
        storyboard_backend=spec.storyboard_backend,
        transition=spec.transition,
        motion_tier="" if spec.motion_tier == "ken_burns" else spec.motion_tier,
        scene_sound=spec.scene_sound,
    )
    valid = ValidatedRequest(
        request_id=request.request_id,
        request_hash="",
        source_kind=request.source_kind,
        prompt=prompt,
        storyboard=request.storyboard,
        music=request.music,
        spec=normalised,
        labels=dict(request.labels),
        callback_url=request.callback_url,
    )
    valid.request_hash = request_fingerprint(valid, spec.seed)
    return valid
