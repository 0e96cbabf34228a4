"""gRPC face of the ImageGen core: proto <-> core types, nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator

from grpc import aio

from services.common import pb
from services.common.enums import ProtoEnumMap
from services.common.errors import Collector
from services.common.logs import job_id_var
from services.common.notices import warning_messages
from services.imagegen.catalog import Tier
from services.imagegen.core import ImageGenCore
from services.imagegen.domain import GenerateRequest, KeyframeResult, KeyframeSpec, NodeInfo
from services.imagegen.draft import CameraMove, SceneCard

common = pb.common_pb2
imagegen = pb.imagegen_pb2

TIERS = ProtoEnumMap(common.Tier, "TIER_", Tier)


def tier_from_proto(value: int) -> Tier | None:
    return TIERS.to_domain(value)


def tier_to_proto(tier: Tier) -> int:
    return TIERS.to_proto(tier)


def scene_card(scene: common.Scene) -> SceneCard:
    shot = scene.shot
    pose = shot.camera_pose
    return SceneCard(
        index=scene.index,
        title=scene.title,
        description=scene.description,
        narration=scene.narration,
        mood=scene.mood,
        lighting=shot.lighting,
        character=shot.character,
        background=shot.background,
        shot_type=scene.shot_type,
        beat=scene.beat,
        duration_s=scene.duration_s,
        camera=CameraMove(pan=pose.pan, tilt=pose.tilt, zoom=pose.zoom or 1.0, move=pose.move),
    )


def keyframe_spec(message: imagegen.KeyframeSpec) -> KeyframeSpec:
    has_scene = message.HasField("scene")
    scene = message.scene
    return KeyframeSpec(
        id=message.id,
        # A scene carries its own prompts; explicit ones win.
        prompt=message.prompt or (scene.visual_prompt if has_scene else ""),
        negative_prompt=message.negative_prompt or (scene.negative_prompt if has_scene else ""),
        width=message.width,
        height=message.height,
        steps=message.steps,
        guidance=message.guidance if message.HasField("guidance") else None,
        seed=message.seed,
        tier=tier_from_proto(message.tier),
        reference_image_uri=message.reference_image_uri,
        reference_strength=message.reference_strength,
        scene=scene_card(scene) if has_scene else None,
    )


def generate_request(message: imagegen.GenerateKeyframesRequest) -> GenerateRequest:
    errors = Collector()
    for i, spec in enumerate(message.keyframes):
        known = TIERS.known(spec.tier)
        errors.check(known, f"keyframes[{i}].tier", f"unknown tier value {spec.tier}")
    errors.raise_if_any()
    return GenerateRequest(
        keyframes=[keyframe_spec(k) for k in message.keyframes],
        output_prefix=message.output_prefix,
        allow_degrade=message.allow_degrade,
        job_id=message.job_id,
    )


def keyframe_message(result: KeyframeResult) -> imagegen.Keyframe:
    return imagegen.Keyframe(
        id=result.id,
        image=common.Artifact(
            name=result.name,
            uri=result.uri,
            mime_type=result.mime_type,
            size_bytes=result.size_bytes,
            sha256=result.sha256,
            kind=common.ARTIFACT_KIND_KEYFRAME,
        ),
        model=result.model,
        tier=tier_to_proto(result.tier),
        seed=result.seed,
        width=result.width,
        height=result.height,
        seconds=result.seconds,
        cached=result.cached,
        warnings=warning_messages(result.warnings),
    )


def node_info_message(info: NodeInfo) -> imagegen.GetNodeInfoResponse:
    return imagegen.GetNodeInfoResponse(
        device_kind=info.device_kind,
        device_name=info.device_name,
        vram_total_bytes=info.vram_total_bytes,
        vram_free_bytes=info.vram_free_bytes,
        tier=tier_to_proto(info.tier),
        model=info.model,
        loaded=info.loaded,
        warm=info.warm,
        max_concurrency=info.max_concurrency,
        queue_capacity=info.queue_capacity,
        inflight=info.inflight,
        queue_depth=info.queue_depth,
        available_tiers=[tier_to_proto(t) for t in info.available_tiers],
        selection_reasons=list(info.selection_reasons),
    )


class ImageGenServicer(pb.imagegen_grpc.ImageGenServiceServicer):
    def __init__(self, core: ImageGenCore) -> None:
        self.core = core

    async def GenerateKeyframes(
        self, request: imagegen.GenerateKeyframesRequest, context: aio.ServicerContext
    ) -> AsyncIterator[imagegen.GenerateKeyframesResponse]:
        # Each RPC runs in its own task (its own context): no reset needed.
        job_id_var.set(request.job_id or None)
        async for result in self.core.generate(generate_request(request)):
            yield imagegen.GenerateKeyframesResponse(keyframe=keyframe_message(result))

    async def GetNodeInfo(
        self, request: imagegen.GetNodeInfoRequest, context: aio.ServicerContext
    ) -> imagegen.GetNodeInfoResponse:
        return node_info_message(self.core.node_info())
