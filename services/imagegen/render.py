"""Rendering planned keyframes: batches, the diffusion call, OOM recovery, draft cards.

Keyframes that share tier, size, steps and guidance render in one pipeline call. An out-of-memory
error frees the device cache and retries one by one with memory savers; a keyframe that still does
not fit degrades to a lower tier when the request allows it. Every step is a metric and a notice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from PIL import Image

from services.common.errors import ResourceExhausted
from services.common.metrics import FALLBACKS
from services.imagegen import metrics
from services.imagegen.catalog import Tier
from services.imagegen.device import Device
from services.imagegen.diffusion import DiffusionModel, RenderCall
from services.imagegen.domain import STAGE, Notice
from services.imagegen.draft import render_card
from services.imagegen.loading import ModelSet
from services.imagegen.planning import KeyframePlanner, PlannedKeyframe
from services.imagegen.selection import model_id

log = logging.getLogger(__name__)


@dataclass
class Rendered:
    planned: PlannedKeyframe
    image: Image.Image
    model: str
    seconds: float
    warnings: list[Notice]


def batches(planned: Sequence[PlannedKeyframe], max_batch_size: int) -> Iterator[list[PlannedKeyframe]]:
    """Groups one pipeline call can render together (same tier, size, steps, ...), at most `max_batch_size`."""
    by_key: dict[tuple[object, ...], list[PlannedKeyframe]] = {}
    for keyframe in planned:
        if keyframe.reference is not None:
            key: tuple[object, ...] = ("reference", keyframe.index)
        else:
            # Negative prompt presence is in the key: SDXL encodes "no negative" as zeros.
            key = (
                keyframe.tier,
                keyframe.render_width,
                keyframe.render_height,
                keyframe.steps,
                keyframe.guidance,
                bool(keyframe.spec.negative_prompt),
            )
        by_key.setdefault(key, []).append(keyframe)
    for group in by_key.values():
        for start in range(0, len(group), max_batch_size):
            yield group[start : start + max_batch_size]


class Renderer:
    """Pixels for planned keyframes on the loaded models (blocking; run it off the event loop)."""

    def __init__(self, models: ModelSet, planner: KeyframePlanner, device: Device) -> None:
        self.models = models
        self.planner = planner
        self.device = device

    def render_group(self, group: list[PlannedKeyframe], allow_degrade: bool) -> list[Rendered]:
        """Render one batch, recovering from OOM: savers and one-by-one, then a lower tier if allowed."""
        tier = group[0].tier
        if tier is Tier.DRAFT:
            return [self.render_draft(keyframe) for keyframe in group]
        model = self.models.models[tier]
        try:
            return self._run(model, group, [])
        except Exception as exc:
            if not self.device.is_oom(exc):
                raise
            notice = self._after_oom(model, group)
        out: list[Rendered] = []
        for keyframe in group:
            try:
                out.extend(self._run(model, [keyframe], [notice]))
            except Exception as exc:
                if not self.device.is_oom(exc):
                    raise
                self._count_oom(model)
                out.extend(self._degrade(keyframe, allow_degrade, notice))
        return out

    def render_draft(self, keyframe: PlannedKeyframe, held_s: float = 0.0) -> Rendered:
        started = time.perf_counter()
        image = render_card(keyframe.card(), keyframe.width, keyframe.height)
        seconds = time.perf_counter() - started + held_s
        metrics.KEYFRAME_SECONDS.labels(tier=Tier.DRAFT.value).observe(seconds)
        return Rendered(keyframe, image, model_id(keyframe.entry), seconds, list(keyframe.warnings))

    async def render_simulated(self, keyframe: PlannedKeyframe, seconds: float) -> Rendered:
        """A draft card that holds the device for `seconds` first (imagegen_simulated_seconds).

        The wait is a cancellable sleep: a cancelled or killed request leaves nothing behind, like
        an interrupted GPU render.
        """
        await asyncio.sleep(seconds)
        return await asyncio.to_thread(self.render_draft, keyframe, seconds)

    def _count_oom(self, model: DiffusionModel) -> None:
        metrics.OOM_TOTAL.labels(tier=model.entry.tier.value).inc()
        self.device.empty_cache()

    def _after_oom(self, model: DiffusionModel, group: Sequence[PlannedKeyframe]) -> Notice:
        self._count_oom(model)
        savers = model.enable_memory_savers()
        FALLBACKS.labels(stage=STAGE, kind="oom_memory_savers").inc()
        message = (
            f"out of GPU memory rendering {len(group)} keyframe(s) at {model.entry.tier.value}; "
            f"retried one at a time with memory savers ({', '.join(savers)})"
        )
        log.warning(message, extra={"model": model.entry.name})
        return Notice("oom_memory_savers", message)

    def _degrade(self, keyframe: PlannedKeyframe, allow_degrade: bool, notice: Notice) -> list[Rendered]:
        lower = self.models.lower_tier(keyframe.tier)
        if not allow_degrade:
            raise ResourceExhausted(
                f"out of GPU memory rendering {keyframe.spec.id} at tier {keyframe.tier.value} even with memory "
                "savers; set allow_degrade to accept a lower tier"
            )
        metrics.DEGRADED_TOTAL.labels(from_tier=keyframe.tier.value, to_tier=lower.value, reason="oom").inc()
        FALLBACKS.labels(stage=STAGE, kind="tier_degraded").inc()
        message = f"out of GPU memory at {keyframe.tier.value} even with memory savers; rendered at {lower.value}"
        log.warning(message, extra={"keyframe": keyframe.spec.id})
        degraded = self.planner.plan(
            keyframe.index,
            keyframe.spec,
            lower,
            [*keyframe.warnings, notice, Notice("tier_degraded", message)],
            keyframe.reference,
        )
        return self.render_group([degraded], allow_degrade)

    def _run(self, model: DiffusionModel, group: Sequence[PlannedKeyframe], notices: list[Notice]) -> list[Rendered]:
        first = group[0]
        reference = first.reference if len(group) == 1 else None
        call = RenderCall(
            prompts=[k.spec.prompt for k in group],
            negative_prompts=[k.spec.negative_prompt for k in group],
            seeds=[k.spec.seed for k in group],
            width=first.render_width,
            height=first.render_height,
            steps=first.steps,
            guidance=first.guidance,
            reference=reference.image if reference else None,
            reference_strength=first.reference_strength,
        )
        started = time.perf_counter()
        images = model.render(call)
        per_image = (time.perf_counter() - started) / len(group)
        out = []
        for keyframe, image in zip(group, images, strict=True):
            if image.size != (keyframe.width, keyframe.height):
                image = image.resize((keyframe.width, keyframe.height), Image.Resampling.LANCZOS)
            metrics.KEYFRAME_SECONDS.labels(tier=keyframe.tier.value).observe(per_image)
            out.append(Rendered(keyframe, image, model_id(keyframe.entry), per_image, [*keyframe.warnings, *notices]))
        return out
