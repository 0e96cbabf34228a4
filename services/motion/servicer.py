"""gRPC face of the motion core: proto <-> core types, nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator

from grpc import aio

from services.common import pb
from services.common.errors import Collector
from services.common.logs import job_id_var
from services.common.notices import warning_messages
from services.compositor.spec import CameraMotion
from services.motion.catalog import MotionTier
from services.motion.core import ClipRequest, ClipResult, GenerateClipsRequest, MotionCore, MotionNodeInfo

common = pb.common_pb2
motion = pb.motion_pb2

_TIER_FROM_PROTO = {
    common.MOTION_TIER_KEN_BURNS: MotionTier.KEN_BURNS,
    common.MOTION_TIER_STANDARD: MotionTier.STANDARD,
    common.MOTION_TIER_ULTRA: MotionTier.ULTRA,
}
_TIER_TO_PROTO = {tier: value for value, tier in _TIER_FROM_PROTO.items()}


def motion_tier_to_proto(tier: MotionTier) -> int:
    return _TIER_TO_PROTO[tier]


def clips_request(message: motion.GenerateClipsRequest) -> GenerateClipsRequest:
    bad = Collector()
    for i, spec in enumerate(message.clips):
        known = spec.tier == common.MOTION_TIER_UNSPECIFIED or spec.tier in _TIER_FROM_PROTO
        bad.check(known, f"clips[{i}].tier", f"unknown motion tier value {spec.tier}")
    bad.raise_if_any()
    return GenerateClipsRequest(
        clips=[
            ClipRequest(
                id=c.id, keyframe_uri=c.keyframe_uri, duration_s=c.duration_s, prompt=c.prompt,
                negative_prompt=c.negative_prompt, width=c.width, height=c.height,
                camera=CameraMotion(pan=c.camera.pan, tilt=c.camera.tilt, zoom=c.camera.zoom, move=c.camera.move),
                motion_intensity=c.motion_intensity, seed=c.seed, tier=_TIER_FROM_PROTO.get(c.tier), steps=c.steps,
            )
            for c in message.clips
        ],
        output_prefix=message.output_prefix,
        allow_degrade=message.allow_degrade,
        job_id=message.job_id,
    )


def clip_message(result: ClipResult) -> motion.Clip:
    return motion.Clip(
        id=result.id,
        video=common.Artifact(
            name=result.name, uri=result.uri, mime_type="video/mp4", size_bytes=result.size_bytes,
            sha256=result.sha256, kind=common.ARTIFACT_KIND_CLIP,
        ),
        frame_count=result.frame_count, fps=result.fps, width=result.width, height=result.height,
        model=result.model, tier=motion_tier_to_proto(result.tier), seed=result.seed, segments=result.segments,
        seconds=result.seconds, cached=result.cached, camera_in_clip=result.camera_in_clip,
        warnings=warning_messages(result.warnings),
    )


def node_info_message(info: MotionNodeInfo) -> motion.GetMotionNodeInfoResponse:
    return motion.GetMotionNodeInfoResponse(
        device_kind=info.device_kind, device_name=info.device_name, vram_total_bytes=info.vram_total_bytes,
        vram_free_bytes=info.vram_free_bytes, tier=motion_tier_to_proto(info.tier), model=info.model,
        loaded=info.loaded, inflight=info.inflight, queue_depth=info.queue_depth,
        selection_reasons=list(info.selection_reasons),
    )


class MotionServicer(pb.motion_grpc.MotionServiceServicer):
    def __init__(self, core: MotionCore) -> None:
        self.core = core

    async def GenerateClips(
        self, request: motion.GenerateClipsRequest, context: aio.ServicerContext
    ) -> AsyncIterator[motion.GenerateClipsResponse]:
        job_id_var.set(request.job_id or None)
        async for result in self.core.generate(clips_request(request)):
            yield motion.GenerateClipsResponse(clip=clip_message(result))

    async def GetMotionNodeInfo(
        self, request: motion.GetMotionNodeInfoRequest, context: aio.ServicerContext
    ) -> motion.GetMotionNodeInfoResponse:
        return node_info_message(self.core.node_info())
