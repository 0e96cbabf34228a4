"""Checking requests and client-supplied storyboards up front, every bad field named at once.

Field paths follow the proto (`prompt`, `scene_count`, `storyboard.scenes[2].duration_s`,
`music_context.analysis.energy[4]`) so that a client can point at what it sent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from services.common.errors import Collector
from services.storyboard.domain import (
    BEATS,
    Backend,
    Brief,
    CameraPose,
    MusicContext,
    Notice,
    Provenance,
    Storyboard,
    StoryboardRequest,
    Transition,
)
from services.storyboard.planner import arc_beats, derive_seed
from services.storyboard.timing import exact_durations

MAX_STYLE_CHARS = 200
MAX_MODEL_CHARS = 500
MAX_LYRICS_CHARS = 20_000
MAX_TEXT_CHARS = 4000
MAX_CHARACTERS = 20
DEFAULT_NEGATIVE = "blurry, low resolution, watermark, text, logo, deformed hands, extra limbs, jpeg artifacts"


@dataclass(frozen=True)
class Limits:
    max_prompt_chars: int = 4000
    default_scene_count: int = 5
    max_scene_count: int = 60
    default_duration_s: float = 60.0
    min_duration_s: float = 1.0
    max_duration_s: float = 3600.0
    words_per_second: float = 2.5


def validate_request(
    request: StoryboardRequest, limits: Limits, default_backend: Backend, *, allow_model_override: bool = True
) -> tuple[Brief, list[Notice]]:
    """The request with defaults resolved, or InvalidArgument naming every bad field."""
    errors = Collector()
    notices: list[Notice] = []
    music = request.music
    prompt = request.prompt
    if len(prompt) > limits.max_prompt_chars:
        errors.add("prompt", f"must be at most {limits.max_prompt_chars} characters, got {len(prompt)}")
    elif not prompt.strip() and music is None:
        errors.add("prompt", "must not be empty")
    count = request.scene_count
    if count != 0 and not 1 <= count <= limits.max_scene_count:
        errors.add(
            "scene_count",
            f"must be between 1 and {limits.max_scene_count} (0 = {limits.default_scene_count}), got {count}",
        )
    duration = request.duration_s
    if not math.isfinite(duration) or (
        duration != 0 and not limits.min_duration_s <= duration <= limits.max_duration_s
    ):
        errors.add(
            "duration_s",
            f"must be between {limits.min_duration_s:g} and {limits.max_duration_s:g} seconds "
            f"(0 = {limits.default_duration_s:g}), got {duration:g}",
        )
    if len(request.style) > MAX_STYLE_CHARS:
        errors.add("style", f"must be at most {MAX_STYLE_CHARS} characters, got {len(request.style)}")
    if len(request.model) > MAX_MODEL_CHARS:
        errors.add("model", f"must be at most {MAX_MODEL_CHARS} characters")
    elif request.model and not allow_model_override:
        errors.add("model", "this service does not accept a model per request")
    if music is not None:
        validate_music(music, limits, errors)
    errors.raise_if_any()

    total = duration or limits.default_duration_s
    if music is not None:
        track = music.analysis.duration_s
        if duration and abs(duration - track) > 0.05:
            notices.append(Notice(
                "storyboard_duration_from_track",
                f"duration {duration:g} s replaced by the track's {track:g} s in music-video mode",
            ))
        total = track
    scene_count = count or (0 if music is not None else limits.default_scene_count)
    scene_count = min(scene_count, max(1, math.floor(total * 1000)))  # at least 1 ms per scene
    seed = request.seed if request.seed is not None else derive_seed(f"{prompt}|{count}|{total}|{request.style}")
    brief = Brief(
        prompt=prompt.strip(),
        scene_count=scene_count,
        duration_s=total,
        style=request.style.strip(),
        seed=seed,
        backend=request.backend or default_backend,
        model=request.model.strip(),
        music=music,
    )
    return brief, notices


def validate_music(music: MusicContext, limits: Limits, errors: Collector, prefix: str = "music_context") -> None:
    analysis = music.analysis
    at = f"{prefix}.analysis"
    duration = analysis.duration_s
    if not math.isfinite(duration) or not limits.min_duration_s <= duration <= limits.max_duration_s:
        errors.add(f"{at}.duration_s",
                   f"must be between {limits.min_duration_s:g} and {limits.max_duration_s:g} seconds, got {duration:g}")
        return
    if not math.isfinite(analysis.tempo_bpm) or not 0 <= analysis.tempo_bpm <= 400:
        errors.add(f"{at}.tempo_bpm", f"must be between 0 and 400, got {analysis.tempo_bpm:g}")
    for name in ("beat_times_s", "downbeat_times_s", "section_boundaries_s"):
        times: Sequence[float] = getattr(analysis, name)
        for i, t in enumerate(times):
            if not math.isfinite(t) or not 0 <= t <= duration:
                errors.add(f"{at}.{name}[{i}]", f"must lie within the track (0..{duration:g} s), got {t:g}")
                break
            if i and t < times[i - 1]:
                errors.add(f"{at}.{name}[{i}]", "times must be in increasing order")
                break
    if analysis.energy:
        if not math.isfinite(analysis.energy_hop_s) or analysis.energy_hop_s <= 0:
            errors.add(f"{at}.energy_hop_s", "must be positive when an energy curve is given")
        for i, value in enumerate(analysis.energy):
            if not math.isfinite(value) or not 0 <= value <= 1:
                errors.add(f"{at}.energy[{i}]", f"must be between 0 and 1, got {value:g}")
                break
    if len(music.lyrics) > MAX_LYRICS_CHARS:
        errors.add(f"{prefix}.lyrics", f"must be at most {MAX_LYRICS_CHARS} characters")
    for i, tag in enumerate(music.genre_tags):
        if not tag.strip() or len(tag) > 100:
            errors.add(f"{prefix}.genre_tags[{i}]", "must be 1..100 characters")
            break


def normalise_storyboard(request: StoryboardRequest, limits: Limits) -> Storyboard:
    """Validate a client-supplied storyboard by the generation rules and fill what it may omit."""
    storyboard = request.storyboard
    assert storyboard is not None
    errors = Collector()
    at = "storyboard"
    scenes = storyboard.scenes
    if not 1 <= len(scenes) <= limits.max_scene_count:
        errors.add(f"{at}.scenes", f"must hold 1 to {limits.max_scene_count} scenes, got {len(scenes)}")
    for i, scene in enumerate(scenes):
        where = f"{at}.scenes[{i}]"
        if not math.isfinite(scene.duration_s) or scene.duration_s <= 0:
            errors.add(f"{where}.duration_s", f"must be a positive number of seconds, got {scene.duration_s:g}")
        if not scene.description.strip() and not scene.visual_prompt.strip():
            errors.add(f"{where}.description", "must not be empty (or give visual_prompt)")
        for name in ("title", "description", "visual_prompt", "negative_prompt", "narration", "mood",
                     "shot_type", "beat", "lyrics"):
            if len(getattr(scene, name)) > MAX_TEXT_CHARS:
                errors.add(f"{where}.{name}", f"must be at most {MAX_TEXT_CHARS} characters")
        for name in ("character", "background", "relation", "lighting"):
            if len(getattr(scene.shot, name)) > MAX_TEXT_CHARS:
                errors.add(f"{where}.shot.{name}", f"must be at most {MAX_TEXT_CHARS} characters")
        _check_camera(scene.shot.camera_pose, f"{where}.shot.camera_pose", errors)
        if not math.isfinite(scene.transition_s) or scene.transition_s < 0 or (
            scene.duration_s > 0 and scene.transition_s > scene.duration_s
        ):
            errors.add(f"{where}.transition_s",
                       f"must be between 0 and the scene's duration, got {scene.transition_s:g}")
        if not math.isfinite(scene.motion_intensity) or not 0 <= scene.motion_intensity <= 1:
            errors.add(f"{where}.motion_intensity", f"must be between 0 and 1, got {scene.motion_intensity:g}")
    durations = [s.duration_s for s in scenes]
    valid_durations = all(math.isfinite(d) and d > 0 for d in durations)
    total = math.fsum(durations) if valid_durations else 0.0
    if scenes and valid_durations and not limits.min_duration_s <= total <= limits.max_duration_s:
        errors.add(f"{at}.scenes", f"durations must sum to {limits.min_duration_s:g}..{limits.max_duration_s:g} "
                                   f"seconds, got {total:g}")
    declared = storyboard.total_duration_s
    if declared and valid_durations and (not math.isfinite(declared) or abs(declared - total) > 0.001):
        errors.add(f"{at}.total_duration_s",
                   f"must equal the sum of the scene durations ({total:g} s), got {declared:g}")
    names: set[str] = set()
    if len(storyboard.characters) > MAX_CHARACTERS:
        errors.add(f"{at}.characters", f"must hold at most {MAX_CHARACTERS} characters")
    for i, character in enumerate(storyboard.characters):
        name = character.name.strip()
        if not name or len(name) > 200:
            errors.add(f"{at}.characters[{i}].name", "must be 1..200 characters")
        elif name.lower() in names:
            errors.add(f"{at}.characters[{i}].name", f"duplicates an earlier character {name!r}")
        names.add(name.lower())
        if not character.description.strip() or len(character.description) > MAX_TEXT_CHARS:
            errors.add(f"{at}.characters[{i}].description", f"must be 1..{MAX_TEXT_CHARS} characters")
    tempo = storyboard.music.tempo_bpm
    if not math.isfinite(tempo) or not 0 <= tempo <= 400:
        errors.add(f"{at}.music.tempo_bpm", f"must be between 0 and 400, got {tempo:g}")
    prompt = storyboard.prompt or request.prompt
    if len(prompt) > limits.max_prompt_chars:
        field = f"{at}.prompt" if storyboard.prompt else "prompt"
        errors.add(field, f"must be at most {limits.max_prompt_chars} characters, got {len(prompt)}")
    if len(storyboard.style) > MAX_STYLE_CHARS:
        errors.add(f"{at}.style", f"must be at most {MAX_STYLE_CHARS} characters")
    errors.raise_if_any()
    return _normalised(storyboard, prompt, request, limits)


def _check_camera(pose: CameraPose, where: str, errors: Collector) -> None:
    for name in ("pan", "tilt"):
        value = getattr(pose, name)
        if not math.isfinite(value) or not -1 <= value <= 1:
            errors.add(f"{where}.{name}", f"must be between -1 and 1, got {value:g}")
    if not math.isfinite(pose.zoom) or pose.zoom < 0 or pose.zoom > 4:
        errors.add(f"{where}.zoom", f"must be between 0.25 and 4 (0 = 1.0), got {pose.zoom:g}")
    elif 0 < pose.zoom < 0.25:
        errors.add(f"{where}.zoom", f"must be between 0.25 and 4 (0 = 1.0), got {pose.zoom:g}")
    if len(pose.move) > 100:
        errors.add(f"{where}.move", "must be at most 100 characters")


def _normalised(storyboard: Storyboard, prompt: str, request: StoryboardRequest, limits: Limits) -> Storyboard:
    """Defaults for what a client may leave out; the client's words are kept as they are."""
    scenes = storyboard.scenes
    durations = exact_durations([s.duration_s for s in scenes[:-1]], math.fsum(s.duration_s for s in scenes))
    beats = arc_beats(len(scenes))
    clock = 0.0
    notices: list[Notice] = []
    for i, scene in enumerate(scenes):
        scene.index = i
        scene.duration_s = durations[i]
        scene.start_s = clock
        clock += scene.duration_s
        scene.title = scene.title.strip() or f"Scene {i + 1}"
        scene.description = scene.description.strip() or scene.visual_prompt.strip()
        scene.visual_prompt = scene.visual_prompt.strip() or _visual_from(scene.description, storyboard)
        scene.negative_prompt = scene.negative_prompt.strip() or DEFAULT_NEGATIVE
        scene.shot_type = scene.shot_type.strip() or "medium shot"
        scene.beat = scene.beat.strip() or BEATS[beats[i]]
        scene.mood = scene.mood.strip() or "neutral"
        pose = scene.shot.camera_pose
        pose.zoom = pose.zoom or 1.0
        pose.move = pose.move.strip() or "static"
        if scene.transition == Transition.CUT:
            scene.transition_s = 0.0
        elif not scene.transition_s and i + 1 < len(scenes):
            scene.transition_s = round(min(1.0, 0.25 * min(scene.duration_s, scenes[i + 1].duration_s)), 3)
        words = len(scene.narration.split())
        if words > 1.5 * limits.words_per_second * scene.duration_s + 2:
            notices.append(Notice(
                "storyboard_narration_long",
                f"scene {i + 1}: {words} words of narration for {scene.duration_s:g} s "
                f"(about {limits.words_per_second:g} words per second fit)",
            ))
    storyboard.total_duration_s = clock
    storyboard.prompt = prompt
    storyboard.title = storyboard.title.strip() or (scenes[0].title if len(scenes) == 1 else "Untitled")
    if request.seed is not None and not storyboard.seed:
        storyboard.seed = request.seed
    # The storyboard decides its own length; a request's spec that differs is reported, not enforced.
    if request.scene_count and request.scene_count != len(scenes):
        notices.append(Notice("storyboard_spec_ignored",
                              f"scene_count {request.scene_count} ignored: the supplied storyboard has {len(scenes)}"))
    if request.duration_s and abs(request.duration_s - clock) > 0.001:
        notices.append(Notice("storyboard_spec_ignored",
                              f"duration_s {request.duration_s:g} ignored: the supplied scenes last {clock:g} s"))
    storyboard.provenance = Provenance(backend=None, model="client-supplied", warnings=notices)
    return storyboard


def _visual_from(description: str, storyboard: Storyboard) -> str:
    looks = [c.description for c in storyboard.characters if c.name.lower() in description.lower()]
    parts = [description, *looks]
    if storyboard.style:
        parts.append(storyboard.style)
    return ", ".join(p.strip().rstrip(".") for p in parts if p.strip())
