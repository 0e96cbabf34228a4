"""Node-level model selection: the best tier this device can hold and whose weights it can get.

Pure: it reads a `DeviceInfo` and asks a `WeightLocator`; it loads nothing. `cinesynth-imagegen plan`
prints its result; the service loads what it picked (and, if that load fails, the next candidate).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.imagegen.catalog import TIERS_BEST_FIRST, Catalog, ModelEntry, Tier
from services.imagegen.device import DeviceInfo
from services.imagegen.weights import WeightLocation, WeightLocator


class SelectionError(RuntimeError):
    """A pinned model cannot be used (a configuration error at start-up)."""


@dataclass(frozen=True)
class Candidate:
    entry: ModelEntry
    location: WeightLocation


@dataclass(frozen=True)
class SelectionPlan:
    """The chosen model, the viable runners-up (in order), and why."""

    selected: Candidate
    fallbacks: tuple[Candidate, ...]
    reasons: tuple[str, ...]
    device: DeviceInfo
    usable_gb: float
    reserve_gb: float

    @property
    def entry(self) -> ModelEntry:
        return self.selected.entry

    def to_json(self) -> dict[str, object]:
        entry = self.entry
        return {
            "tier": entry.tier.value,
            "model": model_id(entry),
            "entry": entry.name,
            "weights": self.selected.location.status.value,
            "device": {
                "kind": self.device.kind,
                "name": self.device.name,
                "total_gb": round(self.device.total_bytes / 1024**3, 2),
                "usable_gb": round(self.usable_gb, 2),
                "reserve_gb": self.reserve_gb,
            },
            "fallbacks": [c.entry.name for c in self.fallbacks],
            "reasons": list(self.reasons),
        }


def model_id(entry: ModelEntry) -> str:
    """How a model is named in responses and metrics: its hub id, else the catalog name."""
    from services.imagegen.weights import is_local_source

    if entry.tier is Tier.DRAFT:
        return "animatic"
    if entry.source and not entry.builtin and not is_local_source(entry.source):
        return entry.source
    return entry.name


@dataclass
class _Walk:
    reasons: list[str] = field(default_factory=list)
    viable: list[Candidate] = field(default_factory=list)


def _fit_reason(entry: ModelEntry, device: DeviceInfo, usable_gb: float) -> str | None:
    """Why `entry` cannot run on `device` (None when it can)."""
    if not device.accelerated:
        if not entry.cpu_capable:
            return "not CPU-capable and this node has no GPU"
        return None
    if entry.min_vram_gb > usable_gb:
        return f"needs {entry.min_vram_gb:g} GiB, {usable_gb:.1f} GiB usable"
    return None


def select_model(
    catalog: Catalog,
    device: DeviceInfo,
    locator: WeightLocator,
    *,
    reserve_gb: float,
    pinned: str | None = None,
    max_tier: Tier | None = None,
) -> SelectionPlan:
    """The highest tier whose memory need fits and whose weights are present or obtainable."""
    usable = device.usable_gb(reserve_gb)
    if device.accelerated:
        head = (
            f"device {device.kind} {device.name}: {device.available_bytes / 1024**3:.1f} GiB free, "
            f"{reserve_gb:g} GiB kept in reserve, {usable:.1f} GiB usable"
        )
    else:
        head = f"device cpu {device.name}: no GPU, only CPU-capable models are considered"
    walk = _Walk(reasons=[head])
    draft = Candidate(catalog.draft, locator.locate(catalog.draft))

    if pinned:
        try:
            entry = catalog.get(pinned)
        except KeyError as exc:
            raise SelectionError(str(exc)) from None
        location = locator.locate(entry)
        if not location.status.usable:
            raise SelectionError(f"pinned model {entry.name!r} is unavailable: {location.detail}")
        walk.reasons.append(f"{entry.name} ({entry.tier.value}): pinned by CINESYNTH_IMAGEGEN_MODEL; {location.detail}")
        misfit = _fit_reason(entry, device, usable)
        if misfit:
            walk.reasons.append(f"{entry.name}: warning: {misfit}; running it anyway as pinned")
        fallbacks = () if entry.tier is Tier.DRAFT else (draft,)
        return SelectionPlan(Candidate(entry, location), fallbacks, tuple(walk.reasons), device, usable, reserve_gb)

    for tier in TIERS_BEST_FIRST:
        if tier is Tier.DRAFT:
            continue
        for entry in catalog.for_tier(tier):
            label = (
                f"{tier.value} ({model_id(entry)})"
                if entry.name == tier.value
                else (f"{entry.name} ({tier.value}, {model_id(entry)})")
            )
            if max_tier is not None and tier > max_tier:
                walk.reasons.append(f"{label}: skipped, above the maximum tier {max_tier.value}")
                continue
            misfit = _fit_reason(entry, device, usable)
            if misfit:
                walk.reasons.append(f"{label}: skipped, {misfit}")
                continue
            location = locator.locate(entry)
            if not location.status.usable:
                walk.reasons.append(f"{label}: skipped, weights not present: {location.detail}")
                continue
            if walk.viable:
                walk.reasons.append(f"{label}: fits; kept as a fallback if loading the selection fails")
            else:
                walk.reasons.append(f"{label}: selected; fits and weights {location.status.value} ({location.detail})")
            walk.viable.append(Candidate(entry, location))
    if not walk.viable:
        walk.reasons.append("draft (animatic cards): selected; no diffusion model fits or has weights")
        return SelectionPlan(draft, (), tuple(walk.reasons), device, usable, reserve_gb)
    walk.reasons.append("draft (animatic cards): always available as the last fallback")
    selected, *rest = walk.viable
    return SelectionPlan(selected, (*rest, draft), tuple(walk.reasons), device, usable, reserve_gb)
