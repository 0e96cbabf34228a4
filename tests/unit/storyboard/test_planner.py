"""The offline planner: properties over any prompt, the arc, the shot grammar, and unlike prompts."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.common.errors import InvalidArgument
from services.storyboard.core import StoryboardWriter
from services.storyboard.domain import BEATS, StoryboardRequest
from services.storyboard.planner import arc_beats
from services.storyboard.settings import StoryboardSettings
from tests.unit.storyboard.checks import assert_complete, assert_timeline, content_words, jaccard

WRITER = StoryboardWriter(StoryboardSettings())

UNLIKE_PROMPTS = {
    "a lighthouse keeper's last night before the storm": ("keeper", "lighthouse", "storm"),
    "a poem about autumn leaves falling on an empty city park": ("leaves", "park"),
    "the launch of a sleek electric bicycle for city commuters": ("bicycle", "commuter"),
    "an abstract feeling of loneliness in a crowd": ("loneliness",),
    "a motorcycle chase through the neon streets of Tokyo at midnight": ("motorcycle", "tokyo"),
    "a recipe for grandmother's lemon cake": ("lemon", "cake", "grandmother"),
    "a nature documentary about humpback whales migrating across the Pacific": ("whale", "pacific"),
    "a robot learning to paint on a space station": ("robot", "station"),
    "a child's birthday party in a backyard on a summer afternoon": ("child", "birthday", "backyard"),
    "an ancient samurai duel in a bamboo forest at dawn": ("samurai", "bamboo", "dawn"),
}

prompts = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(categories=["P", "S", "Zs"]), min_size=1, max_size=50),
    st.text(min_size=3990, max_size=4010),
    st.sampled_from(["", "   ", "\n\t", "🌊🌪️🏮", "東京の夜の雨", "!!!???", "a", "x" * 4000, "x" * 4001]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    prompt=prompts,
    scene_count=st.integers(min_value=0, max_value=60),
    duration=st.one_of(st.just(0.0), st.floats(min_value=1.0, max_value=3600.0)),
    seed=st.integers(min_value=0, max_value=2**63 - 1),
)
def test_any_prompt_gives_a_valid_storyboard_or_invalid_argument(prompt, scene_count, duration, seed):
    request = StoryboardRequest(prompt=prompt, scene_count=scene_count, duration_s=duration, seed=seed)
    try:
        storyboard = WRITER.create(request)
    except InvalidArgument as error:
        fields = {v.field for v in error.violations}
        assert fields == {"prompt"}
        assert not prompt.strip() or len(prompt) > 4000
        return
    assert prompt.strip() and len(prompt) <= 4000
    total = duration or 60.0
    assert len(storyboard.scenes) == (scene_count or 5)
    assert_timeline(storyboard, total)
    assert_complete(storyboard)
    # Same seed, same storyboard.
    assert WRITER.create(request) == storyboard


@pytest.mark.parametrize(("count", "expected"), [
    (1, ["climax"]),
    (3, ["setup", "climax", "resolution"]),
    (5, list(BEATS)),
])
def test_arc_is_stretched_or_compressed_to_the_scene_count(count, expected):
    assert [BEATS[b] for b in arc_beats(count)] == expected


def test_long_arcs_keep_every_beat_in_order():
    for count in range(5, 61):
        beats = arc_beats(count)
        assert len(beats) == count and beats == sorted(beats) and set(beats) == set(range(5))


def test_shot_grammar_opens_wide_closes_wide_and_climaxes_close():
    storyboard = WRITER.create(StoryboardRequest(prompt="a heist in a rain-soaked city", scene_count=8, seed=3))
    assert storyboard.scenes[0].shot_type == "establishing wide shot"
    assert storyboard.scenes[-1].shot_type == "closing wide shot"
    climax = [s for s in storyboard.scenes if s.beat == "climax"]
    assert climax and all(any(w in s.shot_type for w in ("close", "low-angle", "zoom")) for s in climax)
    # Intensity follows the arc: the climax moves most.
    assert max(s.motion_intensity for s in climax) == max(s.motion_intensity for s in storyboard.scenes)


def test_different_seeds_vary_the_staging_but_keep_the_subject():
    a = WRITER.create(StoryboardRequest(prompt="a lighthouse keeper's last night before the storm", seed=1))
    b = WRITER.create(StoryboardRequest(prompt="a lighthouse keeper's last night before the storm", seed=2))
    assert a != b
    for storyboard in (a, b):
        assert all("lighthouse keeper" in s.visual_prompt for s in storyboard.scenes)


def test_the_character_bible_is_in_every_visual_prompt_it_belongs_to():
    storyboard = WRITER.create(StoryboardRequest(prompt="a samurai duel in a bamboo forest", scene_count=9, seed=5))
    hero = storyboard.characters[0]
    for scene in storyboard.scenes:
        # Every part of the hero's fixed look, after the scene's own subject (which may already say a part).
        assert all(part in scene.visual_prompt for part in hero.description.split(", "))
        assert scene.visual_prompt.startswith("a samurai duel in a bamboo forest")
        assert hero.name in scene.shot.character


def test_narration_is_sized_to_the_scene():
    storyboard = WRITER.create(StoryboardRequest(prompt="a recipe for lemon cake", scene_count=6, duration_s=120))
    for scene in storyboard.scenes:
        target = 2.5 * scene.duration_s
        assert 0.6 * target <= len(scene.narration.split()) <= 1.3 * target


def test_unlike_prompts_give_unlike_storyboards():
    boards = {p: WRITER.create(StoryboardRequest(prompt=p, scene_count=5, duration_s=60)) for p in UNLIKE_PROMPTS}
    vocab = {}
    for prompt, subjects in UNLIKE_PROMPTS.items():
        scenes = boards[prompt].scenes
        visuals = " ".join(s.visual_prompt for s in scenes).lower()
        for subject in subjects:  # each names its own subjects
            assert subject in visuals, (prompt, subject)
        prompt_words = content_words(prompt)
        for scene in scenes:
            # Subject first: the visual prompt opens with the prompt's own words, then shot, look and style.
            opening = content_words(scene.visual_prompt.split(", ")[0])
            assert opening and opening <= prompt_words, (prompt, scene.visual_prompt)
        # What happens is told in the prompt's words, not a template's shared vocabulary.
        vocab[prompt] = content_words(" ".join(s.description for s in scenes))
    scores = [jaccard(vocab[a], vocab[b]) for a, b in itertools.combinations(UNLIKE_PROMPTS, 2)]
    assert max(scores) < 0.25, max(scores)
    assert sum(scores) / len(scores) < 0.15
    # Different staging too: no two share a scene description.
    descriptions = [s.description for b in boards.values() for s in b.scenes]
    assert len(set(descriptions)) == len(descriptions)
    genres = {b.style for b in boards.values()}
    assert len(genres) >= 8


def test_scene_counts_up_to_sixty_in_one_second_keep_exact_times():
    storyboard = WRITER.create(StoryboardRequest(prompt="a single moment", scene_count=60, duration_s=1.0))
    assert len(storyboard.scenes) == 60
    assert_timeline(storyboard, 1.0)
    assert all(0.001 <= s.duration_s < 0.03 for s in storyboard.scenes)
