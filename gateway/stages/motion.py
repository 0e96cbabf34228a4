"""The motion and upscale stages: keyframes -> shot clips (image-to-video pools) -> cinema-size media.

Between keyframes and compose. Each stage checkpoints per scene on the job (`job.clips`,
`job.upscaled`, keyed by keyframe id) the moment a result arrives, so a resumed job renders nothing
twice (the workers also cache by content). Every fallback is a metric and a job warning:

* motion: a scene whose clip cannot be made (a pool that is down, out of memory, Ken Burns only)
  keeps its still under the compositor's Ken Burns move when `allow_degrade`; else the job fails.
* upscale (the `cinema` profile only): media smaller than the picture are upscaled once each; when
  the upscale pool cannot serve, the compositor's own resize is used, with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grpc import aio

from gateway.downstream import Downstream
from gateway.model import ArtifactRecord, Job, Stage
from gateway.stages.base import JobContext, StageFailed, fan_out
from services.common import pb
from services.common.enums import enum_value, short_name
from services.common.errors import (
    CinesynthError,
    FailedPrecondition,
    ResourceExhausted,
    Unavailable,
    Unimplemented,
    from_rpc_error,
)
from services.common.metrics import FALLBACKS

common, motion_pb, upscale_pb = pb.common_pb2, pb.motion_pb2, pb.upscale_pb2

# A pool that answers these cannot make this shot now: the scene keeps Ken Burns when allowed.
DEGRADE_ON = (ResourceExhausted, Unavailable, FailedPrecondition, Unimplemented)
UPSCALE_ASPECTS = ("cinema",)


@dataclass(frozen=True)
class MotionStageConfig:
    motion_target: str = "127.0.0.1:50056"
    # Per motion tier pools (standard/ultra -> target); others use motion_target.
    motion_targets: dict[str, str] = field(default_factory=dict)
    upscale_target: str = "127.0.0.1:50056"
    clip_timeout_s: float = 1800.0
    upscale_timeout_s: float = 1800.0
    clip_concurrency: int = 2


def scene_id(index: int) -> str:
    return f"scene-{index:02d}"


def wants_upscale(job: Job) -> bool:
    return job.spec.aspect in UPSCALE_ASPECTS


def timeline_inputs(job: Job, index: int) -> dict[str, Any]:
    """What the compositor gets for a scene from these stages: its (upscaled) keyframe, its clip, and
    whether the storyboard's camera must still be applied (False when the model performed it)."""
    key = scene_id(index)
    keyframe = job.upscaled.get(key, {}).get("uri") or job.keyframes[key].artifact.uri
    clip = job.clips.get(key)
    if not clip:
        return {"keyframe_uri": keyframe, "clip_uri": "", "camera": True}
    clip_uri = job.upscaled.get(f"{key}.clip", {}).get("uri") or clip["uri"]
    return {"keyframe_uri": keyframe, "clip_uri": clip_uri, "camera": not clip.get("camera_in_clip", False)}


class MotionStage:
    def __init__(self, downstream: Downstream, config: MotionStageConfig) -> None:
        self.downstream = downstream
        self.config = config

    # -- motion ---------------------------------------------------------------------------------
    async def clips(self, ctx: JobContext, storyboard: common.Storyboard) -> None:
        job = ctx.job
        tier = job.spec.motion_tier
        if not tier:
            return
        pending = [(i, s) for i, s in enumerate(storyboard.scenes) if scene_id(i) not in job.clips]
        if not pending:
            return
        ctx.stage_started(Stage.MOTION, f"rendering {len(pending)} shot clips ({tier})")
        await ctx.commit()
        target = self.config.motion_targets.get(tier) or self.config.motion_target
        stub = pb.motion_grpc.MotionServiceStub(self.downstream.channel(target))

        async def one(index: int, scene: common.Scene) -> None:
            clip = await self._clip(ctx, stub, index, scene)
            if clip is not None:
                self._record_clip(ctx, index, clip)
            await ctx.commit()

        await fan_out(pending, self.config.clip_concurrency, one)
        made = sum(1 for i in range(len(storyboard.scenes)) if scene_id(i) in job.clips)
        if not made:
            job.motion_tier_used = "ken_burns"
        ctx.stage_finished(Stage.MOTION, f"{made}/{len(storyboard.scenes)} shots have clips")
        await ctx.commit()

    async def _clip(
        self, ctx: JobContext, stub: Any, index: int, scene: common.Scene
    ) -> motion_pb.Clip | None:
        job = ctx.job
        visible = scene.duration_s + (scene.transition_s or 0.0)  # its transitions show it longer
        request = motion_pb.GenerateClipsRequest(
            clips=[motion_pb.ClipSpec(
                id=scene_id(index), keyframe_uri=job.keyframes[scene_id(index)].artifact.uri,
                prompt=scene.visual_prompt or scene.description, negative_prompt=scene.negative_prompt,
                duration_s=visible, camera=scene.shot.camera_pose, motion_intensity=min(1.0, scene.motion_intensity),
                seed=job.spec.seed + index, tier=enum_value(common.MotionTier, "MOTION_TIER_", job.spec.motion_tier),
            )],
            allow_degrade=job.spec.allow_degrade, output_prefix=f"jobs/{job.id}/clips", job_id=job.id,
        )
        try:
            call = stub.GenerateClips(request, timeout=ctx.budget(self.config.clip_timeout_s))
            clip = None
            async for response in call:
                clip = response.clip
            if clip is None or not clip.video.uri:
                raise Unavailable("the motion worker finished without a clip")
            return clip
        except aio.AioRpcError as exc:
            error: CinesynthError = from_rpc_error(exc)
        except CinesynthError as exc:
            error = exc
        if not isinstance(error, DEGRADE_ON) or not job.spec.allow_degrade:

            raise StageFailed(Stage.MOTION, error)
        FALLBACKS.labels("motion", "motion_tier_degraded").inc()
        ctx.warn(
            "motion_tier_degraded",
            f"scene {index + 1}: motion tier {job.spec.motion_tier} could not render a clip "
            f"({error.code.name}: {error.message[:300]}); the shot keeps its Ken Burns move",
            Stage.MOTION.value,
        )
        return None

    def _record_clip(self, ctx: JobContext, index: int, clip: motion_pb.Clip) -> None:
        job = ctx.job
        key = scene_id(index)
        for warning in clip.warnings:
            ctx.warn(warning.code, warning.message, warning.stage or Stage.MOTION.value)
        job.clips[key] = {
            "uri": clip.video.uri, "sha256": clip.video.sha256, "size_bytes": clip.video.size_bytes,
            "frame_count": clip.frame_count, "fps": clip.fps, "width": clip.width, "height": clip.height,
            "model": clip.model, "tier": short_name(common.MotionTier, "MOTION_TIER_", clip.tier),
            "camera_in_clip": clip.camera_in_clip, "segments": clip.segments,
        }
        job.put_artifact(ArtifactRecord(
            f"clips/{key}.mp4", clip.video.uri, "video/mp4", clip.video.size_bytes, clip.video.sha256, "clip"
        ))
        tiers = {c["tier"] for c in job.clips.values()}
        job.motion_tier_used = "ultra" if tiers == {"ultra"} else ("standard" if tiers else "ken_burns")
        job.motion_model_used = ", ".join(sorted({c["model"] for c in job.clips.values() if c["model"]}))
        job.message = f"clip {len(job.clips)}/{job.keyframes_total} rendered ({key}, {clip.frame_count} frames)"

    # -- upscale --------------------------------------------------------------------------------
    async def upscale(self, ctx: JobContext, storyboard: common.Storyboard) -> None:
        job = ctx.job
        if not wants_upscale(job):
            return
        items = []
        for i in range(len(storyboard.scenes)):
            key = scene_id(i)
            if key not in job.upscaled:
                items.append(upscale_pb.UpscaleItem(id=key, source_uri=job.keyframes[key].artifact.uri))
            if key in job.clips and f"{key}.clip" not in job.upscaled:
                items.append(upscale_pb.UpscaleItem(id=f"{key}.clip", source_uri=job.clips[key]["uri"]))
        if not items:
            return
        size = f"{job.spec.width}x{job.spec.height}"
        ctx.stage_started(Stage.UPSCALE, f"upscaling {len(items)} keyframes/clips to {size}")
        await ctx.commit()
        stub = pb.upscale_grpc.UpscaleServiceStub(self.downstream.channel(self.config.upscale_target))
        request = upscale_pb.UpscaleMediaRequest(
            items=items, width=job.spec.width, height=job.spec.height, allow_degrade=True,
            output_prefix=f"jobs/{job.id}/upscaled", job_id=job.id,
        )
        try:
            async for response in stub.UpscaleMedia(request, timeout=ctx.budget(self.config.upscale_timeout_s)):
                self._record_upscaled(ctx, response.media)
                await ctx.commit()
        except aio.AioRpcError as exc:
            error = from_rpc_error(exc)
            if not isinstance(error, DEGRADE_ON):

                raise StageFailed(Stage.UPSCALE, error) from None
            FALLBACKS.labels("upscale", "upscale_unavailable").inc()
            job.upscaler_used = job.upscaler_used or "compositor-resize"
            ctx.warn(
                "upscale_degraded",
                f"the upscale pool could not serve ({error.code.name}: {error.message[:300]}); "
                "the compositor resizes the remaining keyframes/clips (bilinear)",
                Stage.UPSCALE.value,
            )
        ctx.stage_finished(Stage.UPSCALE, f"{len(job.upscaled)} keyframes/clips upscaled ({job.upscaler_used})")
        await ctx.commit()

    def _record_upscaled(self, ctx: JobContext, media: upscale_pb.UpscaledMedia) -> None:
        job = ctx.job
        for warning in media.warnings:
            ctx.warn(warning.code, warning.message, warning.stage or Stage.UPSCALE.value)
        job.upscaled[media.id] = {"uri": media.output.uri, "sha256": media.output.sha256, "model": media.model}
        video = media.output.mime_type.startswith("video/")
        name = f"upscaled/{media.id.removesuffix('.clip')}.{'mp4' if video else 'png'}"
        job.put_artifact(ArtifactRecord(
            name, media.output.uri, media.output.mime_type, media.output.size_bytes, media.output.sha256,
            "clip" if video else "upscaled_keyframe",
        ))
        job.upscaler_used = media.model
