"""Scene sound named from what a scene shows (MiniLM against the sound vocabulary), client sound kept."""

from __future__ import annotations

import pytest

from services.common import pb
from services.common.errors import InvalidArgument
from services.storyboard import scene_sound

common = pb.common_pb2


def scene(background: str, description: str, narration: str = "", duration_s: float = 8.0, index: int = 0):
    s = common.Scene(index=index, description=description, narration=narration, duration_s=duration_s)
    s.shot.background = background
    return s


# The development scenes the thresholds were set on (the held-out retrieval set is in
# tests/unit/audio/sfx_eval.jsonl and is not used here).
DEV = [
    (scene("A haunted mansion hallway", "The old door creaks open and slow steps approach."),
     "ticking clock", {"a door creaks open", "footsteps"}),
    (scene("A cramped newsroom at 2 a.m.", "A reporter hammers at her keyboard while the phone keeps ringing."),
     "quiet room tone", {"a telephone rings", "typing on a keyboard"}),
    (scene("Tokyo crossing at rush hour", "Crowds surge across the street under neon signs."), "city traffic", set()),
    (scene("A medieval castle courtyard", "Knights on horseback thunder through the gate."), None,
     {"horses galloping"}),
    (scene("A sunlit kitchen", "A grandmother kneads dough on a wooden table."), None, set()),
]


def test_development_scenes_get_the_sounds_they_show():
    scenes = [s for s, _, _ in DEV]
    sounds = scene_sound.SoundNamer().name(scenes, seed=3)
    for (s, ambience, effects), sound in zip(DEV, sounds, strict=True):
        if ambience:
            assert sound.ambience == ambience, (s.shot.background, sound.ambience)
        assert {e.description for e in sound.effects} == effects, (s.description, sound)
        lo, hi = scene_sound.EFFECT_WINDOW
        assert all(lo * s.duration_s <= e.at_s <= hi * s.duration_s for e in sound.effects)
    assert sounds[-1].ambience == "" or sounds[-1].ambience in {"quiet room tone", "ticking clock", "crackling fire"}


def test_effect_times_are_seeded_spread_and_inside_the_scene():
    times = scene_sound.effect_times(3, 10.0, seed=9, scene_index=2)
    assert times == scene_sound.effect_times(3, 10.0, seed=9, scene_index=2)
    assert times != scene_sound.effect_times(3, 10.0, seed=10, scene_index=2)
    assert times == sorted(times) and all(2.0 <= t <= 8.0 for t in times)
    assert scene_sound.effect_times(0, 10.0, 1, 0) == [] and scene_sound.effect_times(2, 0.0, 1, 0) == []


def test_client_sound_is_kept_and_the_rest_is_named():
    given = common.Storyboard(scenes=[
        common.Scene(description="a ship in a storm", duration_s=5,
                     sound=common.SceneSound(ambience="rain on glass",
                                             effects=[common.SceneSoundEffect(description="thunder", at_s=3.2)])),
        common.Scene(description="waves break on a rocky beach at dawn", duration_s=5),
    ])
    out = common.Storyboard()
    out.CopyFrom(given)
    out.seed = 4
    scene_sound.annotate(out, given)
    assert out.scenes[0].sound == given.scenes[0].sound
    assert out.scenes[1].sound.ambience == "sea waves on the shore"


@pytest.mark.parametrize(("sound", "field"), [
    (common.SceneSound(effects=[common.SceneSoundEffect(description="thunder", at_s=9.0)]),
     "storyboard.scenes[0].sound.effects[0].at_s"),
    (common.SceneSound(effects=[common.SceneSoundEffect(description="thunder", at_s=float("nan"))]),
     "storyboard.scenes[0].sound.effects[0].at_s"),
    (common.SceneSound(effects=[common.SceneSoundEffect(description=" ", at_s=1.0)]),
     "storyboard.scenes[0].sound.effects[0].description"),
    (common.SceneSound(ambience="x" * 301), "storyboard.scenes[0].sound.ambience"),
])
def test_bad_client_sound_is_invalid_argument_naming_the_field(sound, field):
    given = common.Storyboard(scenes=[common.Scene(description="a room", duration_s=5, sound=sound)])
    with pytest.raises(InvalidArgument) as caught:
        scene_sound.annotate(common.Storyboard(scenes=[common.Scene(duration_s=5)]), given)
    assert [v.field for v in caught.value.violations] == [field]
