"""A bounded in-process cache keyed by content hash (procedural scores, music analyses).

Retried jobs, resumed jobs and the same brief asked twice render the same score and analyse the
same track again: both are pure functions of their inputs, so the result is kept, least recently
used first out, within a byte budget. Values are returned as copies where they are mutable arrays.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import numpy as np

from services.audio.metrics import CACHE_LOOKUPS

T = TypeVar("T")


def content_key(*parts: object) -> str:
    """sha256 of the parts' reprs (dataclasses and plain values have stable reprs)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def file_digest(path: str, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def _size(value: Any) -> int:
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, tuple):
        return sum(_size(v) for v in value)
    return 4096  # small records: a nominal size, so their count stays bounded too


def _copied(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple):
        return tuple(_copied(v) for v in value)
    return value


class BoundedCache(Generic[T]):
    """LRU within `max_bytes` (0 = caching off); thread-safe; `name` labels the hit/miss metric."""

    def __init__(self, name: str, max_bytes: int) -> None:
        self.name = name
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, tuple[T, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get_or_compute(self, key: str, compute: Callable[[], T]) -> T:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
        if hit is not None:
            CACHE_LOOKUPS.labels(cache=self.name, outcome="hit").inc()
            return _copied(hit[0])
        CACHE_LOOKUPS.labels(cache=self.name, outcome="miss").inc()
        value = compute()
        size = _size(value)
        if 0 < size <= self.max_bytes:
            with self._lock:
                if key not in self._items:
                    self._items[key] = (_copied(value), size)
                    self._bytes += size
                while self._bytes > self.max_bytes:
                    _, (_, dropped) = self._items.popitem(last=False)
                    self._bytes -= dropped
        return value

    def __len__(self) -> int:
        return len(self._items)

    @property
    def bytes_used(self) -> int:
        return self._bytes
