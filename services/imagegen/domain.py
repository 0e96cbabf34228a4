"""What the ImageGen core takes and returns: keyframe specs, results, node info, notices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.common.notices import Notice as BaseNotice
from services.imagegen.catalog import Tier
from services.imagegen.draft import SceneCard

STAGE = "keyframes"


@dataclass(frozen=True)
class KeyframeSpec:
    """One keyframe to render. Zero / None / empty = the tier's default."""

    id: str = ""
    prompt: str = ""
    negative_prompt: str = ""
    width: int = 0
    height: int = 0
    steps: int = 0
    guidance: float | None = None
    seed: int = 0
    tier: Tier | None = None
    reference_image_uri: str = ""
    reference_strength: float = 0.0
    scene: SceneCard | None = None


@dataclass(frozen=True)
class GenerateRequest:
    keyframes: Sequence[KeyframeSpec]
    output_prefix: str
    allow_degrade: bool = False
    job_id: str = ""


@dataclass(frozen=True)
class Notice(BaseNotice):
    """A fallback taken (returned to the caller as a Warning)."""

    stage: str = STAGE


@dataclass(frozen=True)
class KeyframeResult:
    id: str
    name: str
    uri: str
    size_bytes: int
    sha256: str
    mime_type: str
    model: str
    tier: Tier
    seed: int
    width: int
    height: int
    seconds: float
    cached: bool
    warnings: tuple[Notice, ...] = ()


@dataclass(frozen=True)
class NodeInfo:
    device_kind: str
    device_name: str
    vram_total_bytes: int
    vram_free_bytes: int
    tier: Tier
    model: str
    loaded: bool
    warm: bool
    max_concurrency: int
    queue_capacity: int
    inflight: int
    queue_depth: int
    available_tiers: tuple[Tier, ...]
    selection_reasons: tuple[str, ...]
