"""Shared core types -> shared proto messages (what every servicer returns the same way)."""

from __future__ import annotations

from services.common.artifacts import StoredObject
from services.common.gen.cinesynth.v1 import common_pb2


def artifact_message(stored: StoredObject, kind: int, name: str | None = None) -> common_pb2.Artifact:
    """An Artifact for a stored object; `name` defaults to the key's last segment."""
    return common_pb2.Artifact(
        name=name if name is not None else stored.key.rsplit("/", 1)[-1],
        uri=stored.uri,
        mime_type=stored.mime_type,
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
        kind=kind,
    )
