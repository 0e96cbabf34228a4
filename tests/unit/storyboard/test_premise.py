"""Storyboards grounded in the prompt's own words and language: premise reading, scene grounding and
the planner's output on prompts of every form in several languages (none of them from the eval set)."""

from __future__ import annotations

import pytest

from services.storyboard.core import StoryboardWriter
from services.storyboard.domain import StoryboardRequest
from services.storyboard.finishing import CLIP_TOKEN_BUDGET
from services.storyboard.grounding import ground_scene
from services.storyboard.language import detect_language, detect_prompt_language
from services.storyboard.premise import Form, read_premise
from services.storyboard.settings import StoryboardSettings
from services.storyboard.text import clip_to_tokens, clip_token_estimate

WRITER = StoryboardWriter(StoryboardSettings())


@pytest.mark.parametrize(("prompt", "language", "form", "lead"), [
    ("How to re-string an acoustic guitar at home", "en", Form.HOWTO, "an acoustic guitar"),
    ("The history of the bicycle from 1817 to the carbon racer", "en", Form.HISTORY, "the bicycle"),
    ("A haiku about a heron standing in a rice field", "en", Form.POEM, "a heron"),
    ("Ein Gedicht über den Wind in den Weinbergen", "de", Form.POEM, "den Wind"),
    ("Cómo hacer tortilla de patatas paso a paso", "es", Form.HOWTO, "tortilla de patatas"),
    ("Clip musical : une chorale chante dans une gare", "fr", Form.MUSIC, "une chorale"),
    ("Il viaggio di una lettera da Roma a Tokyo", "it", Form.JOURNEY, "una lettera da Roma"),
    ("Um velho carpinteiro constrói um barco na praia", "pt", Form.NARRATIVE, "Um velho carpinteiro"),
])
def test_the_premise_is_read_in_the_prompts_language(prompt, language, form, lead):
    premise = read_premise(prompt)
    assert (premise.language, premise.form) == (language, form)
    assert premise.lead.text == lead


def test_a_product_is_the_noun_phrase_with_its_brand_never_an_adjective():
    premise = read_premise("Unveiling the Kestrel 4 solar-powered camper van: two beds, a rooftop kitchen")
    assert premise.form == Form.PRODUCT and premise.product == "the Kestrel 4 solar-powered camper van"
    assert premise.features == ("two beds", "a rooftop kitchen")
    unbranded = read_premise("A launch film for a solar-powered electric scooter")
    assert unbranded.product.endswith("electric scooter")


def test_a_second_clause_keeps_the_prompts_subject():
    premise = read_premise("Ein Fischer verliert sein Boot und baut ein neues aus Treibholz")
    assert premise.clauses == ("Ein Fischer verliert sein Boot", "ein Fischer baut ein neues aus Treibholz")


def test_eras_run_in_order_from_the_first_scene_to_the_last():
    premise = read_premise("The history of the telephone from 1876 to the smartphone of 2007")
    subjects = [ground_scene(premise, beat, i, 5, 0).subject for i, beat in enumerate(range(5))]
    assert subjects[0].startswith("1876") and subjects[-1].startswith("2007")


def test_clip_token_estimate_counts_words_numbers_and_punctuation():
    assert clip_token_estimate("a red fox") == 3
    assert clip_token_estimate("photorealistic, 1903") == 3 + 1 + 2
    long = "word " * 100
    assert clip_token_estimate(clip_to_tokens(long, 20)) <= 20


PROMPTS = {
    "en": "A lighthouse keeper's daughter rows out to rescue a stranded seal",
    "de": "Ein junger Schmied in Nürnberg schmiedet ein Schwert für seinen Bruder",
    "es": "Una pescadora de Vigo repara su barca antes de la tormenta",
    "fr": "Une vieille horlogère de Genève répare une montre pour son petit-fils",
    "it": "Un giovane fornaio di Bologna prepara il pane per la festa del paese",
    "pt": "Uma cozinheira do Porto prepara uma sopa para os pescadores",
}


@pytest.mark.parametrize("language", sorted(PROMPTS))
def test_every_scene_is_grounded_in_the_prompts_words_and_language(language):
    prompt = PROMPTS[language]
    storyboard = WRITER.create(StoryboardRequest(prompt=prompt, scene_count=5, duration_s=40, seed=7))
    premise = read_premise(prompt)
    assert detect_language(" ".join(s.narration for s in storyboard.scenes)) == language
    for scene in storyboard.scenes:
        # Subject first, in the prompt's own words; shot, look and style after; within CLIP's 77 tokens.
        assert scene.visual_prompt.split(", ")[0] in {premise.core, f"{premise.core[0].lower()}{premise.core[1:]}"}
        assert scene.visual_prompt.endswith(storyboard.style)
        assert clip_token_estimate(scene.visual_prompt) <= CLIP_TOKEN_BUDGET
        assert any(word in scene.narration for word in premise.lead.words), scene.narration
    assert storyboard.logline.rstrip(".") == premise.core


def test_how_to_scenes_say_their_step_and_a_product_film_names_the_product():
    howto = WRITER.create(StoryboardRequest(prompt="How to build a birdhouse from pallet wood", scene_count=5))
    assert [s.narration.split(":")[0] for s in howto.scenes[:4]] == [
        "Step one", "Step two", "Step three", "Step four"]
    assert all("birdhouse" in s.visual_prompt for s in howto.scenes)
    ad = WRITER.create(StoryboardRequest(prompt="Werbespot für die Kaffeemühle Mahlwerk, leise und präzise"))
    assert all("Mahlwerk" in s.narration for s in ad.scenes)
    assert detect_language(" ".join(s.narration for s in ad.scenes)) == "de"


def test_a_language_without_a_phrasebook_keeps_to_the_prompts_own_words():
    prompt = "Een oude visser repareert zijn netten in de haven van Volendam"
    assert detect_prompt_language(prompt) == ""
    storyboard = WRITER.create(StoryboardRequest(prompt=prompt, scene_count=5, seed=3))
    prompt_words = set(prompt.casefold().split())
    for scene in storyboard.scenes:
        said = {w.strip(".,:;!?") for w in scene.narration.casefold().split()}
        assert said <= prompt_words, said - prompt_words  # no English frame around Dutch words
