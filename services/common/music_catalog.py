"""The music library's catalog: `library.json` (or `library.yaml`) and the tracks it lists.

Shared by the audio service (which selects and plays the tracks) and the gateway (which resolves a
music-video `library_track_id`), so it lives with the runtime and needs no numpy.

    {"tracks": [{"id": "rain", "file": "rain.mp3", "title": "Rain on Glass", "description": "slow sad piano ...",
                 "tags": ["sad", "piano"], "artist": "...", "license": "CC-BY-4.0", "url": "..."}]}

`id` is optional: a track without one is known by its file's path inside the library without the
extension (`rain` for `rain.mp3`, `ambient/rain` for `ambient/rain.ogg`).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

log = logging.getLogger(__name__)

METADATA_NAMES = ("library.json", "library.yaml", "library.yml")


class LibraryError(Exception):
    """The library is missing, unreadable or has nothing that matches."""


@dataclass(frozen=True)
class LibraryTrack:
    path: Path
    title: str
    description: str
    tags: tuple[str, ...]
    artist: str = ""
    license: str = ""
    url: str = ""
    id: str = ""

    def text(self) -> str:
        tags = ", ".join(self.tags)
        return ". ".join(p for p in (self.title, self.description, f"Tags: {tags}" if tags else "") if p)

    def attribution(self) -> str:
        parts = [f'"{self.title}"' if self.title else self.path.name]
        if self.artist:
            parts.append(f"by {self.artist}")
        if self.license:
            parts.append(f"({self.license})")
        if self.url:
            parts.append(self.url)
        return " ".join(parts)


def metadata_file(directory: Path) -> Path:
    for name in METADATA_NAMES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    raise LibraryError(f"no {' / '.join(METADATA_NAMES)} in the music library")


def default_track_id(file: str) -> str:
    """`ambient/rain.ogg` -> `ambient/rain`."""
    path = PurePosixPath(file.replace("\\", "/"))
    return str(path.with_suffix("")) if path.suffix else str(path)


def load_tracks(directory: str | os.PathLike[str]) -> list[LibraryTrack]:
    """The library's tracks whose files exist inside it (others are logged and skipped)."""
    root = Path(directory).resolve()
    if not root.is_dir():
        raise LibraryError("the music library directory does not exist")
    meta = metadata_file(root)
    try:
        raw: Any = json.loads(meta.read_text()) if meta.suffix == ".json" else yaml.safe_load(meta.read_text())
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise LibraryError(f"unreadable library metadata {meta.name}: {exc}") from exc
    entries = raw.get("tracks", []) if isinstance(raw, dict) else raw
    tracks: list[LibraryTrack] = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not entry.get("file"):
            continue
        path = (root / str(entry["file"])).resolve()
        if root not in path.parents or not path.is_file():
            log.warning("library track skipped", extra={"file": str(entry["file"])[:200]})
            continue
        tags = entry.get("tags") or []
        tracks.append(
            LibraryTrack(
                path=path, title=str(entry.get("title", "")), description=str(entry.get("description", "")),
                tags=tuple(str(t) for t in (tags if isinstance(tags, list) else [tags])),
                artist=str(entry.get("artist", "")), license=str(entry.get("license", "")),
                url=str(entry.get("url", "")), id=str(entry.get("id") or default_track_id(str(entry["file"]))),
            )
        )
    if not tracks:
        raise LibraryError("the music library lists no playable tracks")
    return tracks
