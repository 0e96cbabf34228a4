"""Node-level motion model selection: the best motion tier this device can hold and get weights for.

The same rules as keyframe selection (services/imagegen/selection.py), reusing its pieces: one
`DeviceInfo` measurement, its fit test (min VRAM after the working reserve; CPU nodes only take
`cpu_capable` entries), its `WeightLocator`, and its `SelectionPlan` result type.
"""

from __future__ import annotations

from services.imagegen.device import DeviceInfo
from services.imagegen.selection import Candidate, SelectionError, SelectionPlan, _fit_reason, model_id
from services.imagegen.weights import WeightLocator
from services.motion.catalog import MOTION_TIERS_BEST_FIRST, MotionCatalog, MotionTier


def select_motion_model(
    catalog: MotionCatalog,
    device: DeviceInfo,
    locator: WeightLocator,
    *,
    reserve_gb: float,
    pinned: str | None = None,
    max_tier: MotionTier | None = None,
) -> SelectionPlan:
    """The highest motion tier whose memory need fits and whose weights are present or obtainable;
    Ken Burns (no weights) when none is."""
    usable = device.usable_gb(reserve_gb)
    if device.accelerated:
        head = (
            f"device {device.kind} {device.name}: {device.available_bytes / 1024**3:.1f} GiB free, "
            f"{reserve_gb:g} GiB kept in reserve, {usable:.1f} GiB usable"
        )
    else:
        head = f"device cpu {device.name}: no GPU, only CPU-capable motion models are considered"
    reasons = [head]
    ken_burns = Candidate(catalog.ken_burns, locator.locate(catalog.ken_burns))  # type: ignore[arg-type]
    if pinned:
        try:
            entry = catalog.get(pinned)
        except KeyError as exc:
            raise SelectionError(str(exc)) from None
        location = locator.locate(entry)  # type: ignore[arg-type]
        if not location.status.usable:
            raise SelectionError(f"pinned motion model {entry.name!r} is unavailable: {location.detail}")
        reasons.append(f"{entry.name} ({entry.tier.value}): pinned by CINESYNTH_MOTION_MODEL; {location.detail}")
        misfit = _fit_reason(entry, device, usable)  # type: ignore[arg-type]
        if misfit:
            reasons.append(f"{entry.name}: warning: {misfit}; running it anyway as pinned")
        fallbacks = () if entry.tier is MotionTier.KEN_BURNS else (ken_burns,)
        return SelectionPlan(Candidate(entry, location), fallbacks, tuple(reasons), device, usable, reserve_gb)  # type: ignore[arg-type]
    viable: list[Candidate] = []
    for tier in MOTION_TIERS_BEST_FIRST:
        if tier is MotionTier.KEN_BURNS:
            continue
        for entry in catalog.for_tier(tier):
            label = f"{entry.name} ({tier.value}, {model_id(entry)})"  # type: ignore[arg-type]
            if max_tier is not None and tier > max_tier:
                reasons.append(f"{label}: skipped, above the maximum motion tier {max_tier.value}")
                continue
            misfit = _fit_reason(entry, device, usable)  # type: ignore[arg-type]
            if misfit:
                reasons.append(f"{label}: skipped, {misfit}")
                continue
            location = locator.locate(entry)  # type: ignore[arg-type]
            if not location.status.usable:
                reasons.append(f"{label}: skipped, weights not present: {location.detail}")
                continue
            verdict = "fits; kept as a fallback" if viable else f"selected; fits and weights {location.status.value}"
            reasons.append(f"{label}: {verdict} ({location.detail})")
            viable.append(Candidate(entry, location))  # type: ignore[arg-type]
    if not viable:
        reasons.append("ken-burns (camera move over the still): selected; no motion model fits or has weights")
        return SelectionPlan(ken_burns, (), tuple(reasons), device, usable, reserve_gb)
    reasons.append("ken-burns: always available as the last fallback")
    selected, *rest = viable
    return SelectionPlan(selected, (*rest, ken_burns), tuple(reasons), device, usable, reserve_gb)
