"""The model catalog: which model renders each quality tier, what it needs, and its defaults.

The packaged `catalog.yaml` is the default; `CINESYNTH_IMAGEGEN_CATALOG` points at another file.
Parsing is strict (unknown keys are errors) so a typo in an operator's catalog fails at start-up.
"""

from __future__ import annotations

import enum
from functools import total_ordering
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

BUILTIN_PREFIX = "builtin:"


@total_ordering
class Tier(enum.Enum):
    """Quality tiers, ordered: a higher tier needs more memory and renders better keyframes."""

    DRAFT = "draft"
    TURBO = "turbo"
    STANDARD = "standard"
    ULTRA = "ultra"

    @property
    def rank(self) -> int:
        return _TIER_ORDER.index(self)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Tier):
            return NotImplemented
        return self.rank < other.rank


_TIER_ORDER = (Tier.DRAFT, Tier.TURBO, Tier.STANDARD, Tier.ULTRA)
TIERS_BEST_FIRST = tuple(reversed(_TIER_ORDER))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Defaults(_Strict):
    width: int = Field(gt=0)
    height: int = Field(gt=0)
    steps: int = Field(ge=1)
    guidance: float = Field(ge=0)


class Limits(_Strict):
    min_steps: int = Field(1, ge=1)
    max_steps: int = Field(100, ge=1)
    # Larger requests render at this many pixels (same aspect) and are resized up: SD models make
    # duplicated subjects far beyond their training resolution.
    max_pixels: int = Field(1024 * 1024, gt=0)


class SchedulerSpec(_Strict):
    class_name: str = Field(alias="class")
    options: dict[str, object] = Field(default_factory=dict)

    @field_validator("class_name")
    @classmethod
    def _is_scheduler(cls, value: str) -> str:
        if not value.isidentifier() or not value.endswith("Scheduler"):
            raise ValueError(f"{value!r} is not a diffusers scheduler class name")
        return value


class IpAdapterSpec(_Strict):
    # Hub id or local folder; unset = the model's own folder (the tiny pipelines carry one).
    source: str | None = None
    subfolder: str
    weight_name: str
    # IP-Adapter image-prompt scale when a request gives no reference_strength.
    scale: float = Field(0.6, ge=0, le=1)


class ModelEntry(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    tier: Tier
    family: Literal["sd15", "sd21", "sdxl", "animatic"]
    # Hub id ("owner/name"), local directory, or "builtin:tiny-sd15" / "builtin:tiny-sdxl".
    source: str | None = None
    variant: str | None = None
    dtype: Literal["float16", "bfloat16", "float32"] = "float16"
    # Optional replacement VAE (hub id or local directory).
    vae: str | None = None
    min_vram_gb: float = Field(ge=0)
    cpu_capable: bool = False
    # False: only used when pinned by name (CINESYNTH_IMAGEGEN_MODEL), never picked automatically.
    auto_select: bool = True
    defaults: Defaults
    limits: Limits = Limits()
    scheduler: SchedulerSpec | None = None
    ip_adapter: IpAdapterSpec | None = None
    # img2img strength from the reference image when there is no IP-Adapter and the request gives none.
    reference_strength: float = Field(0.35, gt=0, le=1)

    @property
    def needs_weights(self) -> bool:
        return self.tier is not Tier.DRAFT

    @property
    def builtin(self) -> str | None:
        """The tiny builder kind ("sd15"/"sdxl") for `builtin:tiny-*` sources."""
        if self.source and self.source.startswith(BUILTIN_PREFIX):
            return self.source[len(BUILTIN_PREFIX) :].removeprefix("tiny-")
        return None

    @model_validator(mode="after")
    def _consistent(self) -> ModelEntry:
        if self.needs_weights and not self.source:
            raise ValueError(f"model {self.name!r}: tier {self.tier.value} needs a `source`")
        if self.tier is Tier.DRAFT and self.family != "animatic":
            raise ValueError(f"model {self.name!r}: the draft tier is the animatic renderer")
        if self.source and self.source.startswith(BUILTIN_PREFIX) and self.builtin not in ("sd15", "sdxl"):
            raise ValueError(f"model {self.name!r}: unknown builtin source {self.source!r}")
        if self.limits.min_steps > self.limits.max_steps:
            raise ValueError(f"model {self.name!r}: limits.min_steps > limits.max_steps")
        if not self.limits.min_steps <= self.defaults.steps <= self.limits.max_steps:
            raise ValueError(f"model {self.name!r}: defaults.steps outside limits")
        return self


class Catalog(_Strict):
    version: Literal[1] = 1
    models: tuple[ModelEntry, ...]

    @model_validator(mode="after")
    def _unique(self) -> Catalog:
        names = [m.name for m in self.models]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate model names: {duplicates}")
        if not any(m.tier is Tier.DRAFT for m in self.models):
            raise ValueError("the catalog needs a draft entry (the always-available tier)")
        return self

    def get(self, name: str) -> ModelEntry:
        for entry in self.models:
            if entry.name == name:
                return entry
        raise KeyError(f"no model {name!r} in the catalog (have {[m.name for m in self.models]})")

    def for_tier(self, tier: Tier) -> list[ModelEntry]:
        """Automatically selectable entries of a tier, in catalog (preference) order."""
        return [m for m in self.models if m.tier is tier and m.auto_select]

    @property
    def draft(self) -> ModelEntry:
        return next(m for m in self.models if m.tier is Tier.DRAFT)


class CatalogError(ValueError):
    """The catalog file is missing or invalid (a start-up configuration error)."""


def load_catalog(path: str | Path | None = None) -> Catalog:
    """The catalog at `path`, or the packaged default."""
    try:
        if path is None:
            text = resources.files("services.imagegen").joinpath("catalog.yaml").read_text(encoding="utf-8")
            where = "packaged catalog.yaml"
        else:
            text = Path(path).read_text(encoding="utf-8")
            where = str(path)
    except OSError as exc:
        raise CatalogError(f"cannot read model catalog {path}: {exc.strerror or exc}") from exc
    try:
        data = yaml.safe_load(text)
        return Catalog.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        raise CatalogError(f"invalid model catalog ({where}): {exc}") from exc
