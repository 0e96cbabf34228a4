"""The cast follows what the prompt says about its main character: gender from its own words or the
prompt's pronouns, age from a stated age or decade or an age word; neither said: neutral."""

from __future__ import annotations

import pytest

from services.storyboard.cast_traits import DECADES, CastTraits, age_phrase, cast_traits, without_stated_ages
from services.storyboard.domain import Backend, Brief
from services.storyboard.planner import Planner


@pytest.mark.parametrize(
    ("prompt", "subject", "traits"),
    [
        ("A ferry captain on her last crossing before the harbour closes forever", "ferry captain",
         CastTraits("female", None)),
        ("A retired clockmaker in his eighties repairs the tower clock", "retired clockmaker", CastTraits("male", 85)),
        ("An eight-year-old girl builds a kite for her father", "girl", CastTraits("female", 8)),
        ("A 12-year-old coder wins a hackathon", "coder", CastTraits("", 12)),
        ("A teenage skater practises alone in an empty car park", "teenage skater", CastTraits("", 16)),
        ("A fisherman and his daughter mend the nets", "fisherman", CastTraits("male", None)),
        # Both genders referred to: the pronouns say nothing about the character.
        ("A detective questions her brother about his alibi", "detective", CastTraits("", None)),
        # "old" of a thing is not the character's age.
        ("A courier crosses the old town at night", "courier", CastTraits("", None)),
    ],
)
def test_traits_come_from_what_the_prompt_says(prompt: str, subject: str, traits: CastTraits) -> None:
    assert cast_traits(prompt, subject) == traits


def test_age_phrases_and_stated_ages_name_no_thing() -> None:
    assert age_phrase(85, "male") == "in his eighties" and age_phrase(8, "female") == "about 8 years old"
    assert age_phrase(42, "") == "in their forties"
    assert "eight" not in without_stated_ages("An eight-year-old girl in her twenties").casefold().split()


def test_the_planner_casts_the_hero_the_prompt_describes() -> None:
    def hero(prompt: str) -> str:
        storyboard = Planner().plan(Brief(prompt, 3, 24.0, "", 5, Backend.PLANNER, "")).storyboard
        return storyboard.characters[0].description

    captain = hero("A ferry captain on her last crossing before the harbour closes forever")
    # The pronoun gives her gender; the prompt gives no age, so none is invented.
    assert "an adult woman" in captain and not any(decade in captain for decade in DECADES)
    assert "in his eighties" in hero("A retired clockmaker in his eighties repairs the town's tower clock")
    assert "about 8 years old" in hero("An eight-year-old girl builds a kite to send a message to her father")
