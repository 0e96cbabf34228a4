"""What the language-model backends are asked: a chat conversation asking for JSON, and for base
models without a chat template the paper's plain continuation ending in "Scene 1:"."""

from __future__ import annotations

from dataclasses import dataclass

from services.storyboard import lexicon
from services.storyboard.domain import Brief
from services.storyboard.planner import Plan

SYSTEM = (
    "You are a film director and storyboard artist. You turn a short idea into a shot list for an "
    "AI video pipeline. You answer with one JSON object and nothing else."
)

_SCHEMA = """{
  "title": "film title",
  "logline": "one-sentence premise",
  "characters": [{"name": "...", "description": "fixed visual look: age, face, hair, clothes"}],
  "music": {"mood": "...", "genre": "...", "tempo_bpm": 90, "query": "search query for the score"},
  "scenes": [
    {
      "title": "...",
      "description": "what happens, 1-2 sentences",
      "visual_prompt": "comma-separated image prompt for a text-to-image model",
      "narration": "voice-over for this scene",
      "duration_s": 12.0,
      "character": "who is in frame and how they look/act",
      "background": "where, when, weather",
      "relation": "where the characters are in the frame relative to each other and the setting",
      "camera": {"move": "<MOVES>", "pan": 0.0, "tilt": 0.0, "zoom": 1.1},
      "lighting": "HDR lighting description",
      "mood": "one or two words",
      "shot_type": "establishing wide | wide | medium | close-up | extreme close-up | ...",
      "transition": "cut | crossfade | morph | dip to black"
    }
  ]
}""".replace("<MOVES>", " | ".join(lexicon.CAMERA_MOVES))


@dataclass(frozen=True)
class LlmPrompt:
    messages: list[dict[str, str]]  # for chat templates and chat-completions endpoints
    completion: str  # for base models: ends with "Scene 1:"
    completion_prefix: str  # prepended to the continuation before parsing


def build_prompt(brief: Brief, plan: Plan) -> LlmPrompt:
    scenes = plan.storyboard.scenes
    timing = "\n".join(
        f"- scene {s.index + 1}: {s.duration_s:.1f} s, {s.beat}, "
        f"narration of about {max(2, round(2.5 * s.duration_s))} words"
        for s in scenes
    )
    idea = brief.prompt or plan.analysis.text
    extras = []
    if brief.style:
        extras.append(f"Visual style: {brief.style}.")
    if brief.music is not None:
        lyrics = brief.music.lyrics.strip()
        extras.append(
            "This is a music video: cuts land on the beat; describe performance and imagery, not dialogue."
            + (f" Lyrics:\n{lyrics[:2000]}" if lyrics else "")
        )
    user = (
        f"Idea: {idea}\n\nWrite a storyboard of exactly {len(scenes)} scenes lasting {brief.duration_s:g} seconds "
        f"in total, following a dramatic arc (setup, rising action, climax, falling action, resolution).\n"
        f"Scene timing:\n{timing}\n{' '.join(extras)}\n"
        "Keep each character's look identical in every scene. Answer with JSON in exactly this shape:\n"
        f"{_SCHEMA}"
    )
    completion = (
        f"A storyboard for a short film of {len(scenes)} scenes about {idea}.\n"
        "Each scene has a description, the camera, the lighting and a line of narration.\n\nScene 1:"
    )
    return LlmPrompt(
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}],
        completion=completion,
        completion_prefix="Scene 1:",
    )
