"""The last pass every generated storyboard takes, whoever wrote it.

Visual prompts are enriched with the character bible (so a character looks the same in every scene)
and cinematic keywords; narration is fitted to the scene at the configured speaking rate; times,
indices and transition lengths are made consistent with the durations.
"""

from __future__ import annotations

import re

from services.storyboard import text
from services.storyboard.domain import Character, Scene, Storyboard, Transition
from services.storyboard.planner import Plan, PlannerConfig
from services.storyboard.timing import start_times

CLIP_TOKEN_BUDGET = 75  # CLIP's 77 positions less the start and end tokens


def cast_in(scene: Scene, characters: list[Character]) -> list[Character]:
    """The bible entries a scene mentions by name (any word of the name); the lead when none is."""
    haystack = " ".join((scene.description, scene.visual_prompt, scene.shot.character, scene.title)).lower()
    present = [c for c in characters if _mentions(haystack, c.name)]
    return present or characters[:1]


def _mentions(haystack: str, name: str) -> bool:
    words = [w for w in re.findall(r"[^\W_]+", name.lower()) if w not in ("the", "a", "an") and len(w) > 2]
    return any(re.search(rf"\b{re.escape(w)}\b", haystack) for w in words)


def enrich_visual_prompt(base: str, cast: list[Character], lighting: str, palette: str, lens: str,
                         keywords: list[str], style: str = "", budget: int = CLIP_TOKEN_BUDGET) -> str:
    """`base` (the scene's own subject, first) + each present character's fixed look + light, palette,
    lens and cinematic keywords, with `style` last, all within `budget` CLIP tokens: a text-to-image
    encoder reads 77 tokens and the subject must not be what falls off the end."""
    base = base.strip().rstrip(".")
    style = style.strip()
    if style and style.lower() in base.lower():
        style = ""
    reserve = text.clip_token_estimate(style) + 1 if style else 0
    head = text.clip_to_tokens(base, budget - reserve)
    looks = [part for character in cast for part in character.description.split(", ")]
    optional = [*looks, lighting, f"{palette} palette" if palette else "", lens, *keywords]
    kept = [head]
    used = text.clip_token_estimate(head)
    for part in optional:
        part = part.strip()
        joined = ", ".join(kept).lower()
        if not part or part.lower() in joined or (style and part.lower() == style.lower()):
            continue
        cost = text.clip_token_estimate(part) + 1
        if used + cost + reserve <= budget:
            kept.append(part)
            used += cost
    if style:
        kept.append(style)
    return ", ".join(kept)


def fit_narration(narration: str, duration_s: float, pool: list[str], config: PlannerConfig) -> str:
    """Narration of about `words_per_second` x duration words: long text is cut at sentence
    boundaries, short text is topped up from the planner's lines for the scene."""
    target = text.narration_target(duration_s, config.words_per_second, config.max_narration_words)
    count = text.word_count(narration)
    if count > target * 1.3:
        return text.trim_to_words(narration, target)
    if count < target * 0.6:
        said = set(text.sentences(narration))
        extra = text.fit_words([line for line in pool if line not in said], target - count)
        return f"{narration} {extra}".strip() if narration else extra
    return narration


def clamp_transitions(scenes: list[Scene]) -> None:
    """A transition may take at most half of either scene it joins; a cut takes none."""
    for i, scene in enumerate(scenes):
        if scene.transition == Transition.CUT:
            scene.transition_s = 0.0
            continue
        nxt = scenes[i + 1].duration_s if i + 1 < len(scenes) else scene.duration_s
        limit = 0.5 * min(scene.duration_s, nxt)
        scene.transition_s = round(max(0.0, min(scene.transition_s, limit)), 3)


def retime(scenes: list[Scene]) -> None:
    for index, (scene, start) in enumerate(zip(scenes, start_times([s.duration_s for s in scenes]), strict=True)):
        scene.index = index
        scene.start_s = start


def finish(storyboard: Storyboard, plan: Plan, config: PlannerConfig, *, planner_written: set[int]) -> None:
    """Finish a generated storyboard in place. `planner_written`: scenes whose visual prompt is the
    planner's base (theirs name their cast exactly); others are matched to the bible by name."""
    retime(storyboard.scenes)
    clamp_transitions(storyboard.scenes)
    for i, scene in enumerate(storyboard.scenes):
        context = plan.contexts[i]
        planned = {p.name for p in context.cast} if i in planner_written else set()
        # The planner's scenes name their cast exactly; a model's are matched to the bible by name.
        cast = [c for c in storyboard.characters if c.name in planned] or cast_in(scene, storyboard.characters)
        lighting = scene.shot.lighting.split(";")[0]
        scene.visual_prompt = enrich_visual_prompt(
            scene.visual_prompt or scene.description, cast, lighting, context.palette, context.lens, plan.keywords,
            storyboard.style,
        )
        scene.narration = fit_narration(scene.narration, scene.duration_s, context.narration_pool, config)
