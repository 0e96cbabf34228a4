"""Proto enum values <-> the short lowercase names the gateway core uses ("TIER_DRAFT" <-> "draft")."""

from __future__ import annotations

from typing import Any


def short_name(enum: Any, prefix: str, value: int) -> str:
    """TIER_DRAFT -> "draft"; 0 -> ""; a value this build does not know -> "unknown(N)"."""
    if value == 0:
        return ""
    try:
        return str(enum.Name(value))[len(prefix) :].lower()
    except ValueError:
        return f"unknown({value})"


def enum_value(enum: Any, prefix: str, short: str) -> int:
    """"draft" -> TIER_DRAFT; "" or a name the enum lacks -> 0 (unspecified)."""
    if not short:
        return 0
    try:
        return int(enum.Value(f"{prefix}{short.upper()}"))
    except ValueError:
        return 0
