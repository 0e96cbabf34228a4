"""gRPC face of the upscale core: proto <-> core types, nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator

from grpc import aio

from services.common import pb
from services.common.logs import job_id_var
from services.common.notices import warning_messages
from services.motion.upscale import LANCZOS, LDM, REALESRGAN, UpscaleCore, UpscaleItem, UpscaleRequest, UpscaleResult

common = pb.common_pb2
upscale = pb.upscale_pb2

_METHOD_FROM_PROTO = {
    upscale.UPSCALE_METHOD_UNSPECIFIED: "",
    upscale.UPSCALE_METHOD_LANCZOS: LANCZOS,
    upscale.UPSCALE_METHOD_REALESRGAN: REALESRGAN,
    upscale.UPSCALE_METHOD_LDM_SUPER_RESOLUTION: LDM,
}
_METHOD_TO_PROTO = {name: value for value, name in _METHOD_FROM_PROTO.items() if name}


def upscale_request(message: upscale.UpscaleMediaRequest) -> UpscaleRequest:
    return UpscaleRequest(
        items=[UpscaleItem(i.id, i.source_uri) for i in message.items],
        width=message.width, height=message.height, output_prefix=message.output_prefix,
        method=_METHOD_FROM_PROTO.get(message.method, f"UpscaleMethod({message.method})"),
        allow_degrade=message.allow_degrade, job_id=message.job_id,
    )


def media_message(result: UpscaleResult) -> upscale.UpscaledMedia:
    video = result.mime_type.startswith("video/")
    kind = common.ARTIFACT_KIND_CLIP if video else common.ARTIFACT_KIND_UPSCALED_KEYFRAME
    return upscale.UpscaledMedia(
        id=result.id,
        output=common.Artifact(name=result.name, uri=result.uri, mime_type=result.mime_type,
                               size_bytes=result.size_bytes, sha256=result.sha256, kind=kind),
        method=_METHOD_TO_PROTO[result.method], model=result.model, width=result.width, height=result.height,
        frame_count=result.frame_count, seconds=result.seconds, warnings=warning_messages(result.warnings),
    )


class UpscaleServicer(pb.upscale_grpc.UpscaleServiceServicer):
    def __init__(self, core: UpscaleCore) -> None:
        self.core = core

    async def UpscaleMedia(
        self, request: upscale.UpscaleMediaRequest, context: aio.ServicerContext
    ) -> AsyncIterator[upscale.UpscaleMediaResponse]:
        job_id_var.set(request.job_id or None)
        async for result in self.core.upscale(upscale_request(request)):
            yield upscale.UpscaleMediaResponse(media=media_message(result))
