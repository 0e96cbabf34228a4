"""Proto enum values <-> names and domain enums, one way for every service and the gateway.

Proto enums carry a type prefix (TIER_DRAFT, TRANSITION_KIND_FLOW_MORPH); the domain enums carry the
short lowercase name as their value (Tier.DRAFT = "draft", Transition.FLOW_MORPH = "flow_morph"). The
mapping is by that name, so adding a value to both sides needs no table, and a domain value that the
proto lacks fails when the map is built, not on the first request that uses it.
"""

from __future__ import annotations

import enum
from typing import Any, Generic, TypeVar

E = TypeVar("E", bound=enum.Enum)


def short_name(proto_enum: Any, prefix: str, value: int) -> str:
    """TIER_DRAFT -> "draft"; 0 -> ""; a value this build does not know -> "unknown(N)"."""
    if value == 0:
        return ""
    try:
        return str(proto_enum.Name(value))[len(prefix) :].lower()
    except ValueError:
        return f"unknown({value})"


def enum_value(proto_enum: Any, prefix: str, short: str) -> int:
    """ "draft" -> TIER_DRAFT; "" or a name the enum lacks -> 0 (unspecified)."""
    if not short:
        return 0
    try:
        return int(proto_enum.Value(f"{prefix}{short.upper()}"))
    except ValueError:
        return 0


def short_names(proto_enum: Any, prefix: str) -> tuple[str, ...]:
    """Every specified value's short name, in proto order: ("off", "ambience", "full")."""
    return tuple(short_name(proto_enum, prefix, number) for number in proto_enum.values() if number != 0)


class ProtoEnumMap(Generic[E]):
    """A proto enum <-> a domain enum whose values are the proto names' lowercase suffixes.

    `unspecified` is what the proto's 0 means on the way in (None: no value given); a domain
    member whose value is "" stands for 0 both ways.
    """

    def __init__(self, proto_enum: Any, prefix: str, domain: type[E], *, unspecified: E | None = None) -> None:
        self.proto_enum = proto_enum
        self.prefix = prefix
        self.unspecified = unspecified
        self._to_proto: dict[E, int] = {}
        self._to_domain: dict[int, E] = {}
        for member in domain:
            number = enum_value(proto_enum, prefix, str(member.value))
            if number == 0 and member.value != "":
                missing = f"{prefix}{str(member.value).upper()}"
                raise ValueError(f"{domain.__name__}.{member.name}: the proto has no {missing}")
            self._to_proto[member] = number
            self._to_domain.setdefault(number, member)

    @property
    def members(self) -> tuple[E, ...]:
        return tuple(self._to_proto)

    def known(self, value: int) -> bool:
        """True for 0 and for every proto value the domain has."""
        return value == 0 or value in self._to_domain

    def to_domain(self, value: int) -> E | None:
        """The domain member; 0 -> `unspecified` (or the "" member); unknown -> None."""
        if value == 0 and self.unspecified is not None:
            return self.unspecified
        return self._to_domain.get(value)

    def to_proto(self, member: E) -> int:
        return self._to_proto[member]
