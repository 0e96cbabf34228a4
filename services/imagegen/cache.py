"""Keyframe PNGs in the artifact store: the job's outputs and the render cache beside them.

A cached keyframe is keyed by everything that decides its pixels (planning.KeyframePlanner.cache_key),
so a repeated render of the same parameters is a copy, not a GPU call. PNGs are deterministic for
the same pixels and metadata (no timestamps), so their sha256 is too.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Sequence

from PIL import Image, PngImagePlugin

from services.common.artifacts import ArtifactStore
from services.imagegen import metrics
from services.imagegen.domain import KeyframeResult, Notice
from services.imagegen.planning import PlannedKeyframe
from services.imagegen.render import Rendered
from services.imagegen.selection import model_id

CACHE_PREFIX = "cache/imagegen"


def encode_png(image: Image.Image, metadata: dict[str, object]) -> bytes:
    """PNG bytes, deterministic for the same pixels and metadata (no timestamps)."""
    info = PngImagePlugin.PngInfo()
    info.add_text("cinesynth", json.dumps(metadata, sort_keys=True, ensure_ascii=False))
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", pnginfo=info, compress_level=3)
    return buffer.getvalue()


class KeyframeStorage:
    """Stores rendered keyframes under the request's prefix (and the cache when enabled)."""

    def __init__(self, store: ArtifactStore, *, cache_enabled: bool) -> None:
        self.store = store
        self.cache_enabled = cache_enabled

    def _cache_uri(self, key: str) -> str:
        return self.store.uri_for(f"{CACHE_PREFIX}/{key}.png")

    def cached(self, planned: Sequence[PlannedKeyframe]) -> set[str]:
        """The cache keys of `planned` already in the cache."""
        if not self.cache_enabled:
            return set()
        return {k.cache_key for k in planned if self.store.exists(self._cache_uri(k.cache_key))}

    def store_rendered(self, rendered: Rendered, prefix: str) -> KeyframeResult:
        keyframe = rendered.planned
        metadata = {
            "model": rendered.model,
            "tier": keyframe.tier.value,
            "seed": keyframe.spec.seed,
            "steps": keyframe.steps,
            "guidance": keyframe.guidance,
            "prompt": keyframe.spec.prompt,
        }
        png = encode_png(rendered.image, metadata)
        if self.cache_enabled:
            self.store.put_bytes(f"{CACHE_PREFIX}/{keyframe.cache_key}.png", png, "image/png")
        stored = self.store.put_bytes(f"{prefix}/{keyframe.spec.id}.png", png, "image/png")
        return _result(
            keyframe, prefix, stored.uri, stored.size_bytes, stored.sha256, rendered.model, rendered.seconds,
            cached=False, warnings=rendered.warnings,
        )

    def serve_cached(self, keyframe: PlannedKeyframe, prefix: str) -> KeyframeResult:
        started = time.perf_counter()
        png = self.store.get_bytes(self._cache_uri(keyframe.cache_key))
        stored = self.store.put_bytes(f"{prefix}/{keyframe.spec.id}.png", png, "image/png")
        return _result(
            keyframe, prefix, stored.uri, stored.size_bytes, stored.sha256, model_id(keyframe.entry),
            time.perf_counter() - started, cached=True, warnings=keyframe.warnings,
        )


def _result(
    keyframe: PlannedKeyframe,
    prefix: str,
    uri: str,
    size: int,
    sha: str,
    model: str,
    seconds: float,
    *,
    cached: bool,
    warnings: Sequence[Notice],
) -> KeyframeResult:
    metrics.KEYFRAMES_TOTAL.labels(tier=keyframe.tier.value, cached=str(cached).lower()).inc()
    return KeyframeResult(
        id=keyframe.spec.id,
        name=f"{prefix.rsplit('/', 1)[-1]}/{keyframe.spec.id}.png",
        uri=uri,
        size_bytes=size,
        sha256=sha,
        mime_type="image/png",
        model=model,
        tier=keyframe.tier,
        seed=keyframe.spec.seed,
        width=keyframe.width,
        height=keyframe.height,
        seconds=seconds,
        cached=cached,
        warnings=tuple(warnings),
    )
