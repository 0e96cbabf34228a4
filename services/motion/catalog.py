"""The motion catalog: which image-to-video model renders each motion tier, what it needs, its defaults.

The packaged `catalog.yaml` is the default; `CINESYNTH_MOTION_CATALOG` points at another file. Entries
have the fields ImageGen's weight locator and fetcher read (`source`, `variant`, `needs_weights`,
`builtin`), so motion weights are found, downloaded and cached by the very same code as keyframe weights.
"""

from __future__ import annotations

import enum
from functools import total_ordering
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from services.imagegen.catalog import BUILTIN_PREFIX, CatalogError

# Families with a tiny random pipeline (services/motion/tiny.py) behind a `builtin:tiny-<family>` source.
BUILTIN_KINDS = ("svd", "ltx", "wan", "animatediff")
# Frames of one call must be k * (the VAE's temporal compression) + 1: 8 for LTX-Video, 4 for Wan.
FRAME_STEPS = {"ltx": 8, "wan": 4}


@total_ordering
class MotionTier(enum.Enum):
    """Ordered: Ken Burns (a camera move over the still) < standard (SVD) < ultra (LTX / Wan / AnimateDiff)."""

    KEN_BURNS = "ken_burns"
    STANDARD = "standard"
    ULTRA = "ultra"

    @property
    def rank(self) -> int:
        return _ORDER.index(self)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, MotionTier):
            return NotImplemented
        return self.rank < other.rank


_ORDER = (MotionTier.KEN_BURNS, MotionTier.STANDARD, MotionTier.ULTRA)
MOTION_TIERS_BEST_FIRST = tuple(reversed(_ORDER))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MotionDefaults(_Strict):
    # 0 = the keyframe's size (Ken Burns only).
    width: int = Field(ge=0)
    height: int = Field(ge=0)
    # Frames of one model call; a longer shot joins several calls at matched frames.
    num_frames: int = Field(ge=1, le=257)
    # The clip's frame rate (what the model was trained to make; also SVD's fps conditioning).
    fps: float = Field(gt=0, le=60)
    steps: int = Field(ge=1, le=200)
    guidance: float = Field(3.0, ge=0)
    # SVD: frames decoded by the temporal VAE at once (memory vs speed).
    decode_chunk_size: int = Field(8, ge=1)


class MotionModelEntry(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    tier: MotionTier
    family: Literal["svd", "ltx", "wan", "animatediff", "ken_burns"]
    source: str | None = None
    variant: str | None = None
    dtype: Literal["float16", "bfloat16", "float32"] = "float16"
    # AnimateDiff: the motion adapter loaded beside the SD 1.5 base in `source` (hub id or folder; for a
    # builtin source a folder inside the built tiny pipeline).
    motion_adapter: str | None = None
    min_vram_gb: float = Field(ge=0)
    # On CUDA, load with model CPU offload (each component on the GPU only while it runs): the
    # `min_vram_gb` figure of models whose weights alone exceed it (LTX-Video's and Wan's T5 encoders).
    cpu_offload: bool = False
    cpu_capable: bool = False
    auto_select: bool = True
    # How the storyboard's camera reaches the shot: "compositor" (the model has no camera input: the
    # compositor applies the Ken Burns move over the clip), "prompt" (a camera phrase in the prompt),
    # "lora" (AnimateDiff camera-motion LoRAs by move name; other moves fall back to the compositor).
    camera_control: Literal["compositor", "prompt", "lora"] = "compositor"
    # Move name -> LoRA (hub id or folder; for a builtin source a folder inside the built tiny pipeline).
    camera_loras: dict[str, str] = Field(default_factory=dict)
    defaults: MotionDefaults

    # ImageGen's WeightLocator / fetch read these; a motion entry never has a separate VAE or adapter.
    vae: None = None
    ip_adapter: None = None

    @property
    def needs_weights(self) -> bool:
        return self.tier is not MotionTier.KEN_BURNS

    @property
    def builtin(self) -> str | None:
        if self.source and self.source.startswith(BUILTIN_PREFIX):
            return self.source[len(BUILTIN_PREFIX) :].removeprefix("tiny-")
        return None

    @model_validator(mode="after")
    def _consistent(self) -> MotionModelEntry:
        if self.needs_weights and not self.source:
            raise ValueError(f"motion model {self.name!r}: tier {self.tier.value} needs a `source`")
        if (self.tier is MotionTier.KEN_BURNS) != (self.family == "ken_burns"):
            raise ValueError(f"motion model {self.name!r}: the ken_burns tier is the ken_burns family")
        if self.source and self.source.startswith(BUILTIN_PREFIX) and self.builtin not in BUILTIN_KINDS:
            raise ValueError(f"motion model {self.name!r}: unknown builtin source {self.source!r}")
        if self.family == "animatediff" and not self.motion_adapter:
            raise ValueError(f"motion model {self.name!r}: animatediff needs a `motion_adapter`")
        if self.needs_weights and (self.defaults.width % 2 or self.defaults.height % 2 or not self.defaults.width):
            raise ValueError(f"motion model {self.name!r}: defaults.width/height must be even and > 0")
        if self.needs_weights and self.defaults.num_frames < 2:
            raise ValueError(f"motion model {self.name!r}: defaults.num_frames must be >= 2 (a clip moves)")
        step = FRAME_STEPS.get(self.family)
        if step and self.defaults.num_frames % step != 1:
            raise ValueError(f"motion model {self.name!r}: {self.family} makes k*{step}+1 frames per call, "
                             f"defaults.num_frames is {self.defaults.num_frames}")
        if self.camera_loras and self.camera_control != "lora":
            raise ValueError(f"motion model {self.name!r}: camera_loras need camera_control: lora")
        return self


class MotionCatalog(_Strict):
    version: Literal[1] = 1
    models: tuple[MotionModelEntry, ...]

    @model_validator(mode="after")
    def _unique(self) -> MotionCatalog:
        names = [m.name for m in self.models]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate motion model names: {duplicates}")
        if not any(m.tier is MotionTier.KEN_BURNS for m in self.models):
            raise ValueError("the motion catalog needs a ken_burns entry (the always-available tier)")
        return self

    def get(self, name: str) -> MotionModelEntry:
        for entry in self.models:
            if entry.name == name:
                return entry
        raise KeyError(f"no motion model {name!r} in the catalog (have {[m.name for m in self.models]})")

    def for_tier(self, tier: MotionTier) -> list[MotionModelEntry]:
        return [m for m in self.models if m.tier is tier and m.auto_select]

    @property
    def ken_burns(self) -> MotionModelEntry:
        return next(m for m in self.models if m.tier is MotionTier.KEN_BURNS)


def load_motion_catalog(path: str | Path | None = None) -> MotionCatalog:
    """The catalog at `path`, or the packaged default."""
    try:
        if path is None:
            text = resources.files("services.motion").joinpath("catalog.yaml").read_text(encoding="utf-8")
            where = "packaged motion catalog.yaml"
        else:
            text = Path(path).read_text(encoding="utf-8")
            where = str(path)
    except OSError as exc:
        raise CatalogError(f"cannot read motion catalog {path}: {exc.strerror or exc}") from exc
    try:
        return MotionCatalog.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as exc:
        raise CatalogError(f"invalid motion catalog ({where}): {exc}") from exc
