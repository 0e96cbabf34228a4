"""The content-hash caches: bounded by bytes, least recently used out, copies handed out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from prometheus_client import REGISTRY

from services.audio.cache import BoundedCache, content_key, file_digest
from services.audio.metrics import Notes
from services.audio.model import MusicBriefSpec, SceneSpec, SoundtrackSpec
from services.audio.music.selection import MusicSelector
from services.audio.settings import AudioSettings
from services.common.artifacts import FileArtifactStore


def lookups(cache: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("cinesynth_audio_cache_lookups_total", {"cache": cache, "outcome": outcome}) or 0.0


def test_lru_within_the_byte_budget_and_copies_out():
    cache: BoundedCache[np.ndarray] = BoundedCache("test", max_bytes=3000)
    calls: list[str] = []

    def make(name: str) -> np.ndarray:
        calls.append(name)
        return np.zeros(1000, np.uint8)

    a = cache.get_or_compute("a", lambda: make("a"))
    a[:] = 7  # the caller's copy: the cached value is unaffected
    assert cache.get_or_compute("a", lambda: make("a")).max() == 0
    cache.get_or_compute("b", lambda: make("b"))
    cache.get_or_compute("c", lambda: make("c"))
    cache.get_or_compute("a", lambda: make("a"))  # a is now the most recent
    cache.get_or_compute("d", lambda: make("d"))  # evicts b, the least recently used
    assert len(cache) == 3 and cache.bytes_used == 3000
    cache.get_or_compute("b", lambda: make("b"))
    assert calls == ["a", "b", "c", "d", "b"]
    off: BoundedCache[np.ndarray] = BoundedCache("test", max_bytes=0)
    off.get_or_compute("x", lambda: make("x"))
    off.get_or_compute("x", lambda: make("x"))
    assert calls[-2:] == ["x", "x"] and len(off) == 0


def test_keys_follow_content(tmp_path: Path):
    brief = MusicBriefSpec(mood="calm")
    assert content_key("s", brief, 1) == content_key("s", MusicBriefSpec(mood="calm"), 1)
    assert content_key("s", brief, 1) != content_key("s", MusicBriefSpec(mood="tense"), 1)
    one, two = tmp_path / "1.bin", tmp_path / "2.bin"
    one.write_bytes(b"abc" * 1000)
    two.write_bytes(b"abc" * 1000)
    assert file_digest(str(one)) == file_digest(str(two))


def test_the_same_brief_renders_its_score_once(tmp_path: Path):
    settings = AudioSettings(artifact_store=f"file://{tmp_path}", metrics_port=None, preload=False, online=False)
    selector = MusicSelector(settings, FileArtifactStore(tmp_path))
    spec = SoundtrackSpec(scenes=(SceneSpec(0, "", 4.0),), brief=MusicBriefSpec(mood="tense"), total_duration_s=4.0,
                          seed=3)
    hits = lookups("procedural_score", "hit")
    first = selector.select(spec, 4.0, tmp_path, Notes())
    second = selector.select(spec, 4.0, tmp_path, Notes())
    assert first is not None and second is not None and first.samples is not None and second.samples is not None
    assert np.array_equal(first.samples, second.samples) and first.samples is not second.samples
    assert lookups("procedural_score", "hit") == hits + 1
    other = selector.select(SoundtrackSpec(scenes=spec.scenes, brief=spec.brief, total_duration_s=4.0, seed=4),
                            4.0, tmp_path, Notes())
    assert other is not None and not np.array_equal(other.samples, first.samples)


def test_the_caches_share_one_budget(tmp_path: Path):
    settings = AudioSettings(artifact_store=f"file://{tmp_path}", metrics_port=None, cache_mb=64)
    assert settings.score_cache_bytes + settings.analysis_cache_bytes == 64_000_000
    assert settings.score_cache_bytes > settings.analysis_cache_bytes > 0
    off = AudioSettings(artifact_store=f"file://{tmp_path}", metrics_port=None, cache_mb=0)
    assert off.score_cache_bytes == off.analysis_cache_bytes == 0
