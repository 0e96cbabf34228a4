"""Where a message or a document holds numbers that JSON (and so the job store) cannot carry.

A stage result with a NaN or an infinity cannot be checkpointed (the store writes strict JSON), and
a client storyboard with one cannot be rendered: both are found here, by field path, so the job
fails (or the request is refused) naming the field instead of looping on a save that can never work.
"""

from __future__ import annotations

import math
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

_FLOATS = (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def non_finite_fields(message: Message, prefix: str = "") -> list[str]:
    """Paths (`scenes[2].duration_s`) of every float/double field of `message` that is NaN or infinite."""
    found: list[str] = []
    for field, value in message.ListFields():
        path = _join(prefix, field.name)
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            value_field = field.message_type.fields_by_name["value"]
            for key, item in value.items():
                where = f"{path}[{key!r}]"
                if value_field.type in _FLOATS and not math.isfinite(item):
                    found.append(where)
                elif value_field.message_type is not None:
                    found += non_finite_fields(item, where)
            continue
        repeated = field.is_repeated
        items = list(enumerate(value)) if repeated else [(None, value)]
        for index, item in items:
            where = path if index is None else f"{path}[{index}]"
            if field.type in _FLOATS:
                if not math.isfinite(item):
                    found.append(where)
            elif field.type in (FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_GROUP):
                found += non_finite_fields(item, where)
    return found


def non_finite_paths(value: Any, prefix: str = "") -> list[str]:
    """The same for a JSON-like document (dicts, lists, floats)."""
    if isinstance(value, float):
        return [] if math.isfinite(value) else [prefix or "<value>"]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in non_finite_paths(item, _join(prefix, str(key)))]
    if isinstance(value, list | tuple):
        return [p for i, item in enumerate(value) for p in non_finite_paths(item, f"{prefix}[{i}]")]
    return []


def without_non_finite(value: Any) -> Any:
    """A copy of a JSON-like document with every NaN/infinity replaced by 0.0 (storable, and still a
    number where a proto double expects one)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else 0.0
    if isinstance(value, dict):
        return {key: without_non_finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [without_non_finite(item) for item in value]
    return value


def describe(paths: list[str], limit: int = 5) -> str:
    shown = ", ".join(paths[:limit])
    return shown + (f" and {len(paths) - limit} more" if len(paths) > limit else "")
