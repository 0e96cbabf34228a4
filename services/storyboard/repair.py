"""Turning a parsed model storyboard into a complete one: missing fields come from the planner.

The planner's storyboard for the same brief is the template: the model's scenes replace its scenes
field by field, anything the model left out stays as the planner wrote it (a repair), and when too
few scenes could be read at all the planner's storyboard is used as it is (a fallback).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

from services.storyboard import lexicon
from services.storyboard.domain import Brief, CameraPose, MusicBrief, ParseOutcome, Scene, Storyboard
from services.storyboard.parsing import AUTHORED_FIELDS, ParsedScene, ParsedStoryboard
from services.storyboard.planner import Plan
from services.storyboard.timing import split_duration


@dataclass
class Reconciled:
    storyboard: Storyboard
    outcome: ParseOutcome
    planner_written: set[int]  # scenes the planner wrote whole
    repaired_fields: int = 0
    notes: list[str] = field(default_factory=list)


def reconcile(parsed: ParsedStoryboard, plan: Plan, brief: Brief, min_parsed_fraction: float) -> Reconciled:
    storyboard = copy.deepcopy(plan.storyboard)
    count = len(storyboard.scenes)
    usable = parsed.usable_scenes
    needed = max(1, math.ceil(min_parsed_fraction * count))
    if len(usable) < needed:
        return Reconciled(
            storyboard, ParseOutcome.FALLBACK, set(range(count)),
            notes=[f"{len(usable)} of {count} scenes could be read ({parsed.format}), {needed} needed"],
        )
    notes: list[str] = []
    if parsed.truncated:
        notes.append("the output was truncated and closed")
    if len(usable) > count:
        notes.append(f"{len(usable) - count} extra scenes dropped")
        usable = usable[:count]
    repaired = 0
    planner_written: set[int] = set()
    for index, scene in enumerate(storyboard.scenes):
        if index >= len(usable):
            planner_written.add(index)
            continue
        repaired += merge_scene(scene, usable[index])
    if len(usable) < count:
        notes.append(f"{count - len(usable)} missing scenes written by the planner")
    repaired += _merge_storyboard(storyboard, parsed, keep_tempo=brief.music is not None)
    if brief.music is None and len(usable) == count and all(s.duration_s for s in usable):
        # The model's pacing, scaled to the requested total.
        durations = split_duration(brief.duration_s, [s.duration_s or 1.0 for s in usable])
        for scene, duration in zip(storyboard.scenes, durations, strict=True):
            scene.duration_s = duration
    if repaired:
        notes.append(f"{repaired} missing fields filled in by the planner")
    outcome = ParseOutcome.OK if not notes else ParseOutcome.REPAIRED
    return Reconciled(storyboard, outcome, planner_written, repaired, notes)


def merge_scene(scene: Scene, parsed: ParsedScene) -> int:
    """Overlay the model's fields on the planner's scene; returns how many fields were missing."""
    missing = sum(1 for name in AUTHORED_FIELDS if not parsed.present(name))
    if parsed.title:
        scene.title = parsed.title
    if parsed.shot_type:
        scene.shot_type = parsed.shot_type
    if parsed.description:
        scene.description = parsed.description
    elif parsed.visual_prompt:
        scene.description = parsed.visual_prompt
    # The visual prompt stays about what the model wrote even when it gave only a description.
    visual = parsed.visual_prompt or parsed.description or parsed.narration
    if visual:
        scene.visual_prompt = f"{scene.shot_type}, {visual}"
    if parsed.narration:
        scene.narration = parsed.narration
    if parsed.mood:
        scene.mood = parsed.mood
    for name in ("character", "background", "relation", "lighting"):
        value = getattr(parsed, name)
        if value:
            setattr(scene.shot, name, value)
    if parsed.camera is not None:
        pan, tilt, zoom = parsed.camera
        scene.shot.camera_pose = CameraPose(
            pan=max(-1.0, min(1.0, pan)), tilt=max(-1.0, min(1.0, tilt)),
            zoom=max(0.5, min(2.0, zoom)) if zoom > 0 else 1.0,
            move=parsed.camera_move or scene.shot.camera_pose.move,
        )
    elif parsed.camera_move:
        scene.shot.camera_pose = _pose_for(parsed.camera_move, scene.shot.camera_pose)
    if parsed.transition is not None:
        scene.transition = parsed.transition
        if not scene.transition_s:
            scene.transition_s = 0.0 if parsed.transition.value == "cut" else 0.75
    return missing


def _pose_for(move: str, planned: CameraPose) -> CameraPose:
    """A named move at full strength (motion_intensity scales it downstream), keeping the planner's
    small drift on an axis the move leaves still."""
    pan, tilt, zoom = lexicon.CAMERA_MOVES[move]
    return CameraPose(
        pan=round(pan or planned.pan, 4), tilt=round(tilt or planned.tilt, 4), zoom=round(zoom, 4), move=move,
    )


def _merge_storyboard(storyboard: Storyboard, parsed: ParsedStoryboard, *, keep_tempo: bool) -> int:
    """Storyboard-level fields; in music-video mode the track's tempo stays."""
    missing = 0
    if parsed.title:
        storyboard.title = parsed.title
    else:
        missing += 1
    if parsed.logline:
        storyboard.logline = parsed.logline
    else:
        missing += 1
    if parsed.characters:
        storyboard.characters = parsed.characters
    else:
        missing += 1
    music = parsed.music
    if music:
        planned = storyboard.music
        storyboard.music = MusicBrief(
            mood=music.get("mood") or planned.mood,
            genre=music.get("genre") or planned.genre,
            tempo_bpm=planned.tempo_bpm if keep_tempo else float(music.get("tempo_bpm") or planned.tempo_bpm),
            query=music.get("query") or planned.query,
        )
        missing += sum(1 for key in ("mood", "genre", "tempo_bpm", "query") if not music.get(key))
    else:
        missing += 1
    return missing
