"""Prompt analysis: subjects, setting, time of day, mood and genre from the prompt's own words."""

from __future__ import annotations

import pytest

from services.storyboard.analysis import SubjectKind, analyse


@pytest.mark.parametrize(("prompt", "subject", "kind", "setting", "time", "genre", "mood"), [
    ("a lighthouse keeper's last night before the storm", "lighthouse keeper", SubjectKind.PERSON,
     "the lighthouse", "night", "drama", "tense"),
    ("a nature documentary about humpback whales migrating across the Pacific", "humpback whales",
     SubjectKind.ANIMAL, "the Pacific", "", "documentary", "serene"),
    ("the launch of a sleek electric bicycle for city commuters", "sleek electric bicycle", SubjectKind.OBJECT,
     "the city", "", "commercial", "triumphant"),
    ("a motorcycle chase through the neon streets of Tokyo at midnight", "motorcycle", SubjectKind.OBJECT,
     "the neon streets of Tokyo", "midnight", "action", "tense"),
    ("an ancient samurai duel in a bamboo forest at dawn", "samurai", SubjectKind.PERSON,
     "the bamboo forest", "dawn", "historical", "epic"),
    ("a recipe for grandmother's lemon cake", "grandmother", SubjectKind.PERSON, "", "", "culinary", "serene"),
])
def test_prompt_analysis(prompt, subject, kind, setting, time, genre, mood):
    analysis = analyse(prompt)
    assert analysis.subjects[0].phrase == subject and analysis.subjects[0].kind == kind
    assert analysis.setting_phrase == setting
    assert analysis.time_key == time
    assert analysis.genre == genre
    assert analysis.mood == mood


def test_actions_and_seasons():
    analysis = analyse("a poem about autumn leaves falling on an empty city park")
    assert analysis.season == "autumn" and analysis.action == "falling on an empty city park"
    assert [s.phrase for s in analysis.subjects] == ["autumn leaves"]
    assert analysis.subjects[0].singular == "autumn leaf"


@pytest.mark.parametrize("prompt", ["", "!!!???", "東京の夜の雨", "🌊" * 50, "the the the", "a" * 4000])
def test_anything_analyses_without_error(prompt):
    analysis = analyse(prompt)
    assert analysis.genre and analysis.mood
