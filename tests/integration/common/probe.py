"""A test double servicer on the real runtime, steered by the prompt it receives.

Used by the runtime tests (in-process) and by `slow_server.py` (a real process for SIGTERM tests).
"""

from __future__ import annotations

import asyncio
from collections import Counter

import grpc

from services.common import errors, pb
from services.common.server import Service


class ProbeStoryboard(pb.storyboard_grpc.StoryboardServiceServicer):
    """prompt "ok" | "slow:S" | "invalid" | "boom" | "unavailable:N" (fail N times, then ok)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    async def CreateStoryboard(self, request, context):
        prompt = request.prompt
        self.calls[prompt] += 1
        if prompt.startswith("slow:"):
            await asyncio.sleep(float(prompt.split(":")[1]))
        elif prompt == "invalid":
            raise errors.InvalidArgument(
                [errors.FieldViolation("prompt", "must not be 'invalid'"),
                 errors.FieldViolation("scene_count", "must be 1..60, got 0")]
            )
        elif prompt == "boom":
            raise RuntimeError("secret internal path /srv/model.bin exploded")
        elif prompt.startswith("unavailable:"):
            if self.calls[prompt] <= int(prompt.split(":")[1]):
                raise errors.Unavailable("worker warming up")
        elif prompt == "aborted-directly":
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "direct abort")
        return pb.storyboard_pb2.CreateStoryboardResponse(
            storyboard=pb.common_pb2.Storyboard(title=f"for {prompt}")
        )


class ProbeImageGen(pb.imagegen_grpc.ImageGenServiceServicer):
    """Streams one Keyframe per spec; a spec id "fail" raises NotFound mid-stream."""

    async def GenerateKeyframes(self, request, context):
        for spec in request.keyframes:
            if spec.id == "fail":
                raise errors.NotFound("reference image not found")
            yield pb.imagegen_pb2.GenerateKeyframesResponse(keyframe=pb.imagegen_pb2.Keyframe(id=spec.id))


def probe_service(start_gate: asyncio.Event | None = None) -> tuple[Service, ProbeStoryboard]:
    storyboard = ProbeStoryboard()
    imagegen = ProbeImageGen()

    def register(server: grpc.aio.Server) -> None:
        pb.storyboard_grpc.add_StoryboardServiceServicer_to_server(storyboard, server)
        pb.imagegen_grpc.add_ImageGenServiceServicer_to_server(imagegen, server)

    async def start() -> None:
        if start_gate is not None:
            await start_gate.wait()

    service = Service(
        name="probe",
        service_names=[pb.STORYBOARD_SERVICE, pb.IMAGEGEN_SERVICE],
        register=register,
        start=start,
    )
    return service, storyboard
