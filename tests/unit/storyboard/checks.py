"""Assertions shared by the storyboard tests: a storyboard is complete and its timeline exact."""

from __future__ import annotations

import re
from typing import Any

from services.storyboard.domain import Storyboard

_STOP = frozenset(
    "a an the and or of in on at to for with from by as its it is are his her their they them this that "
    "into over under beside all one two".split()
)


def assert_complete(storyboard: Storyboard, *, music_video: bool = False) -> None:
    """Every field a later stage reads is filled (lyrics and the MV description only in MV mode)."""
    for name in ("title", "logline", "style", "prompt"):
        assert getattr(storyboard, name).strip(), name
    assert storyboard.characters, "character bible"
    for character in storyboard.characters:
        assert character.name.strip() and character.description.strip()
    music = storyboard.music
    assert music.mood and music.genre and music.query and music.tempo_bpm > 0
    assert storyboard.provenance.model
    if music_video:
        assert storyboard.mv_description is not None and storyboard.mv_description.overview
        assert storyboard.mv_description.breakdown
    for i, scene in enumerate(storyboard.scenes):
        assert scene.index == i
        for name in ("title", "description", "visual_prompt", "negative_prompt", "narration", "mood",
                     "shot_type", "beat"):
            assert getattr(scene, name).strip(), f"scenes[{i}].{name}"
        for name in ("character", "background", "relation", "lighting"):
            assert getattr(scene.shot, name).strip(), f"scenes[{i}].shot.{name}"
        pose = scene.shot.camera_pose
        assert pose.move and pose.zoom > 0 and -1 <= pose.pan <= 1 and -1 <= pose.tilt <= 1
        assert scene.duration_s > 0
        assert 0 < scene.motion_intensity <= 1
        assert 0 <= scene.transition_s <= scene.duration_s


def assert_timeline(storyboard: Storyboard, total_s: float) -> None:
    durations = [s.duration_s for s in storyboard.scenes]
    assert sum(durations) == total_s
    assert storyboard.total_duration_s == total_s
    clock = 0.0
    for scene in storyboard.scenes:
        assert scene.start_s == clock
        clock += scene.duration_s


def content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2 and w not in _STOP}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def assert_complete_json(storyboard: dict[str, Any]) -> None:
    """The CLI's --json output: the same completeness, on proto field names."""
    for name in ("title", "logline", "style", "prompt"):
        assert storyboard[name].strip(), name
    assert storyboard["characters"] and all(c["name"] and c["description"] for c in storyboard["characters"])
    assert all(storyboard["music"][k] for k in ("mood", "genre", "tempo_bpm", "query"))
    for i, scene in enumerate(storyboard["scenes"]):
        assert scene["index"] == i
        for name in ("title", "description", "visual_prompt", "negative_prompt", "narration", "mood",
                     "shot_type", "beat", "transition"):
            assert str(scene[name]).strip(), f"scenes[{i}].{name}"
        assert scene["transition"] != "TRANSITION_KIND_UNSPECIFIED"
        for name in ("character", "background", "relation", "lighting"):
            assert scene["shot"][name].strip(), f"scenes[{i}].shot.{name}"
        pose = scene["shot"]["camera_pose"]
        assert pose["move"] and pose["zoom"] > 0 and "pan" in pose and "tilt" in pose
        assert scene["duration_s"] > 0 and scene["motion_intensity"] > 0
        assert "start_s" in scene and "transition_s" in scene
