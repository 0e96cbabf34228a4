"""The one proto-enum map: every domain enum round-trips through its proto enum by name."""

from __future__ import annotations

import enum

import pytest

from services.audio.servicer import MUSIC_SOURCES, SCENE_SOUND_MODES
from services.common import pb
from services.common.enums import ProtoEnumMap, enum_value, short_name
from services.imagegen.servicer import TIERS
from services.storyboard.servicer import BACKENDS, MV_TYPES, OUTCOMES, TRANSITIONS

common = pb.common_pb2


@pytest.mark.parametrize(
    "mapping", [TIERS, BACKENDS, OUTCOMES, TRANSITIONS, MV_TYPES, MUSIC_SOURCES, SCENE_SOUND_MODES],
    ids=lambda m: m.prefix,
)
def test_every_domain_member_round_trips_and_names_match(mapping: ProtoEnumMap) -> None:
    for member in mapping.members:
        number = mapping.to_proto(member)
        assert short_name(mapping.proto_enum, mapping.prefix, number) == member.value
        assert mapping.to_domain(number) is member or (number == 0 and mapping.unspecified is not None)
        assert mapping.known(number)


def test_unspecified_and_unknown_values() -> None:
    assert TRANSITIONS.to_domain(0) is TRANSITIONS.unspecified
    assert TIERS.to_domain(0) is None  # no tier given: the worker's own
    assert TIERS.to_domain(999) is None and not TIERS.known(999)
    assert short_name(common.Tier, "TIER_", 999) == "unknown(999)"
    assert enum_value(common.Tier, "TIER_", "no-such-tier") == 0


def test_a_domain_value_the_proto_lacks_fails_when_the_map_is_built() -> None:
    class Extra(enum.StrEnum):
        DRAFT = "draft"
        HOLOGRAM = "hologram"

    with pytest.raises(ValueError, match=r"Extra\.HOLOGRAM: the proto has no TIER_HOLOGRAM"):
        ProtoEnumMap(common.Tier, "TIER_", Extra)
