"""Sound-effect and ambience libraries, retrieved by text (as the music library is).

Two sources, searched with the same MiniLM sentence embeddings of each sound's title, description
and tags:

- an operator (or user) library: a directory with the sound files and `sounds.json` / `sounds.yaml`

      {"sounds": [{"id": "rain-tin-roof", "file": "rain/tin-roof.wav", "kind": "ambience",
                   "title": "Rain on a tin roof", "description": "...", "tags": ["rain", "roof"],
                   "license": "CC-BY-4.0", "artist": "...", "attribution": "...", "url": "..."}]}

  (`kind` is "ambience" — looped under a scene — or "effect" — a one-shot; `attribution`, when
  absent, is built from title, artist, licence and url);
- the built-in procedural library (`procedural.py`, CC0), always there.

An operator sound wins when it clears the similarity minimum; the built-in library answers
otherwise. Missing, unreadable or empty operator libraries fall through to the built-in one
with a warning (see `SceneSoundRenderer`).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from services.audio.sfx import procedural
from services.common.text_embedding import Embedder

log = logging.getLogger(__name__)

KINDS = ("ambience", "effect")
METADATA_NAMES = ("sounds.json", "sounds.yaml", "sounds.yml")
BUILTIN = "builtin"
OPERATOR = "library"


class SfxLibraryError(Exception):
    """The operator sound library is missing, unreadable or lists nothing playable."""


@dataclass(frozen=True)
class SoundEntry:
    id: str
    kind: str
    title: str
    description: str
    tags: tuple[str, ...]
    license: str
    attribution: str
    url: str = ""
    source: str = BUILTIN  # BUILTIN | OPERATOR
    path: Path | None = None
    builtin: procedural.BuiltinSound | None = None

    def text(self) -> str:
        tags = ", ".join(self.tags)
        return ". ".join(p for p in (self.title, self.description, f"Tags: {tags}" if tags else "") if p)


def builtin_entries() -> list[SoundEntry]:
    return [
        SoundEntry(
            id=f"{BUILTIN}/{s.id}", kind=s.kind, title=s.title, description=s.description, tags=s.tags,
            license=procedural.LICENSE, attribution=f"{s.title}: {procedural.ATTRIBUTION}", builtin=s,
        )
        for s in procedural.BUILTIN_SOUNDS
    ]


def _attribution(entry: dict[str, Any], title: str) -> str:
    if entry.get("attribution"):
        return str(entry["attribution"])
    parts = [f'"{title}"']
    if entry.get("artist"):
        parts.append(f"by {entry['artist']}")
    if entry.get("license"):
        parts.append(f"({entry['license']})")
    if entry.get("url"):
        parts.append(str(entry["url"]))
    return " ".join(parts)


def load_operator_entries(directory: str | os.PathLike[str]) -> list[SoundEntry]:
    """The sounds an operator library lists whose files exist inside it (others are logged, skipped)."""
    root = Path(directory).resolve()
    if not root.is_dir():
        raise SfxLibraryError("the sound library directory does not exist")
    meta = next((root / n for n in METADATA_NAMES if (root / n).is_file()), None)
    if meta is None:
        raise SfxLibraryError(f"no {' / '.join(METADATA_NAMES)} in the sound library")
    try:
        raw: Any = json.loads(meta.read_text()) if meta.suffix == ".json" else yaml.safe_load(meta.read_text())
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise SfxLibraryError(f"unreadable sound library metadata {meta.name}: {exc}") from exc
    items = raw.get("sounds", []) if isinstance(raw, dict) else raw
    entries: list[SoundEntry] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not item.get("file"):
            continue
        path = (root / str(item["file"])).resolve()
        kind = str(item.get("kind", "effect")).lower()
        if root not in path.parents or not path.is_file() or kind not in KINDS:
            log.warning("sound library entry skipped", extra={"file": str(item["file"])[:200]})
            continue
        title = str(item.get("title") or path.stem)
        tags = item.get("tags") or []
        entries.append(SoundEntry(
            id=f"{OPERATOR}/{item.get('id') or Path(str(item['file'])).with_suffix('').as_posix()}", kind=kind,
            title=title, description=str(item.get("description", "")),
            tags=tuple(str(t) for t in (tags if isinstance(tags, list) else [tags])),
            license=str(item.get("license", "")), attribution=_attribution(item, title),
            url=str(item.get("url", "")), source=OPERATOR, path=path,
        ))
    if not entries:
        raise SfxLibraryError("the sound library lists no playable sounds")
    return entries


@dataclass(frozen=True)
class SoundMatch:
    entry: SoundEntry
    similarity: float


class SoundIndex:
    """Embeddings of a fixed set of sounds; ranks them against a text."""

    def __init__(self, entries: list[SoundEntry], embedder: Embedder) -> None:
        self.entries = entries
        self.embedder = embedder
        self.vectors = embedder.encode([e.text() for e in entries]) if entries else np.zeros((0, 384), np.float32)

    def rank(self, query: str, kind: str) -> list[SoundMatch]:
        return self.rank_many([query], kind)[0]

    def rank_many(self, queries: list[str], kind: str) -> list[list[SoundMatch]]:
        """Sounds of `kind`, best first, for each query (the queries embedded in one batch)."""
        mask = np.array([e.kind == kind for e in self.entries], dtype=bool)
        if not mask.any() or not queries:
            return [[] for _ in queries]
        ranked = []
        for q in self.embedder.encode(queries):
            scores = np.where(mask, self.vectors @ q, -np.inf)
            order = [i for i in np.argsort(-scores, kind="stable") if mask[i]]
            ranked.append([SoundMatch(self.entries[i], float(scores[i])) for i in order])
        return ranked


class SfxLibrary:
    """The operator library (optional, re-read when its metadata changes) over the built-in one."""

    def __init__(self, directory: str | os.PathLike[str] | None = None, embedder: Embedder | None = None) -> None:
        self.directory = Path(directory) if directory else None
        self.embedder = embedder or Embedder()
        self._lock = threading.Lock()
        self._operator: tuple[float, SoundIndex] | None = None

    # The built-in sounds never change: their index is shared by every library of the process.
    _shared_lock = threading.Lock()
    _shared_builtin: SoundIndex | None = None

    def builtin(self) -> SoundIndex:
        with SfxLibrary._shared_lock:
            if SfxLibrary._shared_builtin is None:
                SfxLibrary._shared_builtin = SoundIndex(builtin_entries(), self.embedder)
            return SfxLibrary._shared_builtin

    def operator(self) -> SoundIndex | None:
        """The operator library's index; None when none is configured; SfxLibraryError when broken."""
        if self.directory is None:
            return None
        root = self.directory.resolve()
        meta = next((root / n for n in METADATA_NAMES if (root / n).is_file()), None)
        stamp = meta.stat().st_mtime if meta is not None else -1.0
        with self._lock:
            if self._operator is not None and self._operator[0] == stamp:
                return self._operator[1]
        index = SoundIndex(load_operator_entries(root), self.embedder)
        with self._lock:
            self._operator = (stamp, index)
        return index

    def warm(self) -> None:
        self.builtin()
        try:
            self.operator()
        except SfxLibraryError as exc:
            log.warning("sound library not usable", extra={"error": str(exc)[:200]})


def decode_entry(entry: SoundEntry, seed: int, sample_rate: int, workdir: Path, max_seconds: float) -> np.ndarray:
    """The sound's samples (n, 2) at `sample_rate`: synthesised (built-in) or decoded (operator file)."""
    if entry.builtin is not None:
        return procedural.render(entry.builtin, seed, sample_rate)
    from services.audio import audio_io

    assert entry.path is not None
    return audio_io.decode(entry.path, workdir, sample_rate=sample_rate, channels=2, max_seconds=max_seconds)
