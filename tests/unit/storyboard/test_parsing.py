"""Parsing model output as models really write it, and repairing it from the planner."""

from __future__ import annotations

import json

import pytest

from services.storyboard.core import StoryboardWriter
from services.storyboard.domain import Backend, Brief, ParseOutcome, Transition
from services.storyboard.parsing import close_truncated_json, move_from_text, parse
from services.storyboard.planner import Planner
from services.storyboard.repair import reconcile
from services.storyboard.settings import StoryboardSettings

SCENE = {
    "title": "The Lamp Is Lit",
    "description": "Mara climbs the spiral stairs and lights the great lamp as the sky turns violet.",
    "visual_prompt": "lighthouse interior, woman in oilskin coat lighting a brass lamp, violet dusk through glass",
    "narration": "Every night for thirty years, Mara has climbed these stairs.",
    "duration_s": 12,
    "character": "Mara, sixties, grey braid, navy oilskin coat",
    "background": "lamp room at the top of a lighthouse, dusk",
    "relation": "Mara small beside the huge lens",
    "camera": {"move": "crane-up", "pan": 0.0, "tilt": 0.3, "zoom": 0.9},
    "lighting": "warm lamp glow against cold blue dusk, HDR",
    "mood": "wistful",
    "shot_type": "wide shot",
    "transition": "crossfade",
}
FULL = {
    "title": "The Last Watch",
    "logline": "A keeper's final night is tested by the worst storm in decades.",
    "characters": [
        {"name": "Mara", "description": "a keeper in her sixties with a grey braid and a navy oilskin coat"},
    ],
    "music": {"mood": "tense", "genre": "orchestral", "tempo_bpm": 96, "query": "tense orchestral storm"},
    "scenes": [dict(SCENE, title=f"Scene title {i}") for i in range(3)],
}

SCENE_BLOCKS = """Sure! Here is your storyboard.

**Scene 1: The Lamp Is Lit**
Description: Mara climbs the spiral stairs and lights the great lamp.
Visual prompt: lighthouse interior, brass lamp, violet dusk
Narration: Every night for thirty years, she has climbed these stairs.
Camera: slow crane up
Lighting: warm lamp glow against blue dusk
Mood: wistful
Transition: dissolve

**Scene 2: The Storm Arrives**
Description: Rain lashes the glass as waves explode on the rocks below.
Narration: The storm came early.
Camera: handheld push in
Transition: hard cut

Scene 3 - Dawn
The storm is gone; Mara watches the sunrise over a calm sea from the gallery.
"""

MARKDOWN_HEADINGS = """### Scene 1 — Arrival
- **Description:** A courier waits under a neon sign in the rain.
- **Camera:** static, locked off
- **Mood:** tense

### Scene 2 — Pursuit
- **Description:** Motorbikes roar through the alleys; the courier weaves between stalls.
- **Camera:** tracking shot alongside the bike

### Scene 3 — Escape
- **Description:** The courier disappears into the crowd at the station.
"""

NUMBERED = """1. A child wakes up on her birthday and runs to the window.
2. Friends arrive in the backyard with balloons and presents.
3. The cake comes out, candles blazing, and she makes a wish.
"""


def plan_for(scenes: int = 3, prompt: str = "a lighthouse keeper's last night before the storm"):
    brief = Brief(prompt, scenes, 36.0, "", 7, Backend.OPENAI, "")
    return brief, Planner().plan(brief)


def test_bare_json_parses_every_field():
    parsed = parse(json.dumps(FULL))
    assert parsed.format == "json" and len(parsed.scenes) == 3 and not parsed.truncated
    scene = parsed.scenes[0]
    assert scene.camera_move == "crane-up" and scene.camera == (0.0, 0.3, 0.9)
    assert scene.transition == Transition.CROSSFADE and scene.duration_s == 12
    assert parsed.characters[0].name == "Mara" and parsed.music["tempo_bpm"] == 96


def test_fenced_json_inside_prose_and_a_bare_scene_list():
    text = "Here you go:\n```json\n" + json.dumps(FULL, indent=2) + "\n```\nEnjoy!"
    assert len(parse(text).scenes) == 3
    assert len(parse(json.dumps([SCENE, SCENE])).scenes) == 2


def test_truncated_json_keeps_the_complete_scenes():
    text = json.dumps(FULL)
    cut = text[: text.index('"narration"', text.index("Scene title 2"))]  # stops inside the third scene
    parsed = parse(cut)
    assert parsed.format == "json" and parsed.truncated
    assert len(parsed.scenes) == 3
    assert parsed.scenes[2].description and not parsed.scenes[2].narration


@pytest.mark.parametrize("fragment", ['{"a": [1, 2', '{"a": "unfinished', '{"a": {"b": 1}, "c', '[{"x": 1}, {"y": '])
def test_close_truncated_json_recovers_a_prefix(fragment):
    assert close_truncated_json(fragment) is not None


def test_scene_blocks_with_key_lines_headings_and_free_text():
    parsed = parse(SCENE_BLOCKS)
    assert parsed.format == "scenes"
    first, second, third = parsed.scenes
    assert first.title == "The Lamp Is Lit" and first.camera_move == "crane-up"
    assert first.transition == Transition.CROSSFADE and first.mood == "wistful"
    assert second.transition == Transition.CUT and second.camera_move == "push-in"
    assert third.title == "Dawn" and "sunrise" in third.description


def test_markdown_headings_and_bullets():
    parsed = parse(MARKDOWN_HEADINGS)
    assert [s.number for s in parsed.scenes] == [1, 2, 3]
    assert parsed.scenes[0].camera_move == "static" and parsed.scenes[1].camera_move == "tracking"
    assert "crowd" in parsed.scenes[2].description


def test_numbered_lists_are_the_last_resort():
    parsed = parse(NUMBERED)
    assert parsed.format == "numbered" and len(parsed.usable_scenes) == 3


@pytest.mark.parametrize("junk", ["", "!!!! ???? ....", "{}", "[1, 2, 3]", "lorem " * 3, '{"scenes": "none"}'])
def test_output_without_scenes_parses_to_nothing_usable(junk):
    assert parse(junk).usable_scenes == []


def test_free_text_camera_moves_are_named():
    assert move_from_text("slow push toward her face") == "push-in"
    assert move_from_text("Dolly out") == "dolly-out"
    assert move_from_text("a lovely shot") == ""


def test_complete_output_is_ok_and_keeps_the_models_words():
    brief, plan = plan_for(3)
    result = reconcile(parse(json.dumps(FULL)), plan, brief, 0.5)
    assert result.outcome == ParseOutcome.OK and result.planner_written == set()
    assert result.storyboard.title == "The Last Watch"
    assert result.storyboard.scenes[0].narration.startswith("Every night")
    # The model's pacing (12/12/12), scaled to the total.
    assert [s.duration_s for s in result.storyboard.scenes] == [12.0, 12.0, 12.0]


def test_missing_fields_are_repaired_from_the_planner():
    brief, plan = plan_for(3)
    result = reconcile(parse(SCENE_BLOCKS), plan, brief, 0.5)
    assert result.outcome == ParseOutcome.REPAIRED and result.repaired_fields > 0
    third = result.storyboard.scenes[2]
    assert "sunrise" in third.description  # the model's
    assert third.shot.lighting == plan.storyboard.scenes[2].shot.lighting  # the planner's
    assert result.storyboard.characters == plan.storyboard.characters


def test_too_few_scenes_fall_back_to_the_planner():
    brief, plan = plan_for(8)
    result = reconcile(parse(NUMBERED), plan, brief, 0.5)
    assert result.outcome == ParseOutcome.FALLBACK
    assert result.storyboard == plan.storyboard


def test_fewer_scenes_than_asked_are_completed_by_the_planner():
    brief, plan = plan_for(4)
    result = reconcile(parse(SCENE_BLOCKS), plan, brief, 0.5)
    assert result.outcome == ParseOutcome.REPAIRED and result.planner_written == {3}
    assert len(result.storyboard.scenes) == 4


def test_outcome_is_counted_and_reported(monkeypatch):
    from services.storyboard.backends import LanguageModelBackend
    from services.storyboard.metrics import PARSE_TOTAL

    class Canned(LanguageModelBackend):
        kind = Backend.OPENAI

        def complete(self, prompt, *, model, seed, timeout_s):
            return SCENE_BLOCKS

    writer = StoryboardWriter(StoryboardSettings(), backends={Backend.OPENAI: Canned("canned", 0.5)})
    before = PARSE_TOTAL.labels("openai", "repaired")._value.get()
    from services.storyboard.domain import StoryboardRequest

    storyboard = writer.create(StoryboardRequest(prompt="a lighthouse at night", scene_count=3, backend=Backend.OPENAI))
    assert PARSE_TOTAL.labels("openai", "repaired")._value.get() == before + 1
    assert storyboard.provenance.parse_outcome == ParseOutcome.REPAIRED
    assert storyboard.provenance.model == "canned"
    assert [w.code for w in storyboard.provenance.warnings] == ["storyboard_parse_repaired"]
