"""The keyframes stage: one keyframe per scene from the image worker pool of the job's tier, fanned
out `keyframe_concurrency` at a time, each checkpointed on the job the moment it arrives (a resumed
job never renders a finished keyframe twice). A tier's pool that cannot serve moves the job down a
tier when degrading is allowed; busy workers are waited for (gateway/downstream.py)."""

from __future__ import annotations

import math

from gateway.downstream import Downstream, generate_keyframe
from gateway.model import TIERS, Job, KeyframeRecord, Stage
from gateway.stages import base
from gateway.stages.base import JobContext, StageFailed
from gateway.stages.config import PipelineConfig
from gateway.stages.retry import keyframe_wait_warning
from services.common import pb
from services.common.enums import enum_value, short_name
from services.common.errors import (
    CinesynthError,
    FailedPrecondition,
    ResourceExhausted,
    Unavailable,
    Unimplemented,
)
from services.common.metrics import FALLBACKS

# A tier's pool that answers these cannot serve the job now: degrade when allowed.
DEGRADE_ON = (ResourceExhausted, Unavailable, FailedPrecondition, Unimplemented)


def keyframe_id(index: int) -> str:
    return f"scene-{index:02d}"


def keyframe_size(width: int, height: int, pixels: int) -> tuple[int, int]:
    """A size of about `pixels` with the output's aspect, both sides multiples of 8 (0 = the output size)."""
    if pixels <= 0:
        return width, height
    ratio = width / height
    w = max(64, round(math.sqrt(pixels * ratio) / 8) * 8)
    h = max(64, round(math.sqrt(pixels / ratio) / 8) * 8)
    return w, h


class TierRouter:
    """The tier keyframes of one job are requested at: the requested one, lower ones when allowed."""

    def __init__(self, requested: str, allow_degrade: bool, served: tuple[str, ...] = TIERS) -> None:
        index = TIERS.index(requested)
        lower = [t for t in reversed(TIERS[:index]) if t in served]
        # A tier no pool serves is skipped when a lower one may take over (CreateVideo refused the rest).
        start = [requested] if requested in served or not (allow_degrade and lower) else []
        self.candidates = [*start, *lower] if allow_degrade else [requested]
        self._index = 0

    @property
    def current(self) -> str:
        return self.candidates[self._index]

    def can_degrade(self, tier: str) -> bool:
        """Whether a lower tier may take over from `tier` (otherwise its keyframes wait for workers)."""
        return tier in self.candidates and self.candidates.index(tier) + 1 < len(self.candidates)

    def degrade(self, failed: str) -> tuple[str | None, bool]:
        """(the tier to try now or None, whether this call moved the job down)."""
        position = self.candidates.index(failed)
        if position < self._index:  # another keyframe already moved down
            return self.current, False
        if self._index + 1 >= len(self.candidates):
            return None, False
        self._index += 1
        return self.current, True


def request(
    job: Job, index: int, scene: pb.common_pb2.Scene, tier: str, pixels: int
) -> pb.imagegen_pb2.GenerateKeyframesRequest:
    width, height = keyframe_size(job.spec.width, job.spec.height, pixels)
    return pb.imagegen_pb2.GenerateKeyframesRequest(
        keyframes=[
            pb.imagegen_pb2.KeyframeSpec(
                id=keyframe_id(index),
                prompt=scene.visual_prompt or scene.description or job.prompt,
                negative_prompt=scene.negative_prompt,
                width=width,
                height=height,
                seed=job.spec.seed,
                tier=enum_value(pb.common_pb2.Tier, "TIER_", tier),
                scene=scene,
            )
        ],
        allow_degrade=job.spec.allow_degrade,
        output_prefix=f"jobs/{job.id}/keyframes",
        job_id=job.id,
    )


def tier_rendered(keyframe: pb.imagegen_pb2.Keyframe, requested: str) -> str:
    """The tier the worker says it rendered at (the requested one when it does not say)."""
    return short_name(pb.common_pb2.Tier, "TIER_", keyframe.tier) or requested


def record(job: Job, index: int, used: str, keyframe: pb.imagegen_pb2.Keyframe) -> None:
    """The keyframe, rendered at tier `used`, checkpointed on the job."""
    key = keyframe_id(index)
    name = f"keyframes/{key}{base.suffix(keyframe.image, '.png')}"
    job.keyframes[key] = KeyframeRecord(
        id=key,
        scene_index=index,
        artifact=base.artifact_record(keyframe.image, name, "keyframe"),
        model=keyframe.model,
        tier=used,
        seed=keyframe.seed,
        width=keyframe.width,
        height=keyframe.height,
        cached=keyframe.cached,
    )
    job.put_artifact(job.keyframes[key].artifact)
    job.keyframes_done = len(job.keyframes)
    tiers = [k.tier for k in job.keyframes.values() if k.tier in TIERS]
    job.tier_used = min(tiers, key=TIERS.index) if tiers else ""
    job.model_used = ", ".join(sorted({k.model for k in job.keyframes.values() if k.model}))
    job.message = f"keyframe {job.keyframes_done}/{job.keyframes_total} rendered ({key}, {used})"


class KeyframesStage:
    def __init__(self, downstream: Downstream, config: PipelineConfig) -> None:
        self.downstream = downstream
        self.config = config

    @staticmethod
    def pending(job: Job, storyboard: pb.common_pb2.Storyboard) -> list[tuple[int, pb.common_pb2.Scene]]:
        """The scenes whose keyframe is not checkpointed yet."""
        return [(i, scene) for i, scene in enumerate(storyboard.scenes) if keyframe_id(i) not in job.keyframes]

    async def run(self, ctx: JobContext, pending: list[tuple[int, pb.common_pb2.Scene]]) -> None:
        job = ctx.job
        ctx.stage_started(Stage.KEYFRAMES, f"rendering {len(pending)} keyframes")
        await ctx.commit()
        router = TierRouter(job.spec.tier, job.spec.allow_degrade, self.config.served_tiers)
        if router.current != job.spec.tier:
            message = f"no pool serves tier {job.spec.tier}; rendering at {router.current} (degrading is allowed)"
            ctx.warn("tier_degraded", message, Stage.KEYFRAMES.value)

        async def one(index: int, scene: pb.common_pb2.Scene) -> None:
            tier, keyframe = await self._render(ctx, router, index, scene)
            used = tier_rendered(keyframe, tier)
            if used in TIERS and TIERS.index(used) < TIERS.index(tier):
                ctx.warn("tier_degraded", f"a worker rendered tier {used} instead of {tier}", Stage.KEYFRAMES.value)
            base.forward_warnings(ctx, keyframe.warnings, Stage.KEYFRAMES)
            record(job, index, used, keyframe)
            await ctx.commit()

        await base.fan_out(pending, self.config.keyframe_concurrency, one)
        ctx.stage_finished(Stage.KEYFRAMES, f"{job.keyframes_done}/{job.keyframes_total} keyframes rendered")
        await ctx.commit()

    async def _render(
        self, ctx: JobContext, router: TierRouter, index: int, scene: pb.common_pb2.Scene
    ) -> tuple[str, pb.imagegen_pb2.Keyframe]:
        job = ctx.job
        tier = router.current
        while True:
            message = request(job, index, scene, tier, self.config.keyframe_pixels.get(tier, 0))
            pool = self.downstream.imagegen_pool(self.config.imagegen_target(tier))
            try:
                keyframe = await generate_keyframe(
                    pool, message, timeout=ctx.budget(math.inf), call_timeout_s=self.config.keyframe_timeout_s,
                    policy=self.config.retry, patient=not router.can_degrade(tier), tier=tier,
                    on_wait=lambda notice, t=tier: keyframe_wait_warning(ctx, t, notice),
                )
                base.check_result(Stage.KEYFRAMES, "image worker", keyframe, ("image", "seconds"))
                return tier, keyframe
            except DEGRADE_ON as exc:
                lower, moved = router.degrade(tier)
                if lower is None:
                    raise StageFailed(Stage.KEYFRAMES, exc) from None
                if moved:
                    FALLBACKS.labels("keyframes", "tier_degraded").inc()
                    ctx.warn(
                        "tier_degraded",
                        f"tier {tier} could not render ({exc.code.name}: {exc.message}); degraded to {lower}",
                        Stage.KEYFRAMES.value,
                    )
                tier = lower
            except CinesynthError as exc:
                raise StageFailed(Stage.KEYFRAMES, exc) from None
