"""The review page's view of the gateway: plain calls on the public VideoService (what any client can do)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import grpc
from google.protobuf import json_format
from grpc import aio

from services.common import pb

video = pb.video_pb2
common = pb.common_pb2
TERMINAL = {video.JOB_STATE_SUCCEEDED, video.JOB_STATE_FAILED, video.JOB_STATE_CANCELLED}


@dataclass(frozen=True)
class SceneEdit:
    index: int
    narration: str
    visual_prompt: str


class GatewayClient:
    def __init__(self, target: str, api_key: str = "", timeout_s: float = 30.0) -> None:
        self.target = target
        self.metadata = (("authorization", f"Bearer {api_key}"),) if api_key else ()
        self.timeout_s = timeout_s
        self._channel: aio.Channel | None = None
        self._stub: pb.video_grpc.VideoServiceStub | None = None

    @property
    def stub(self) -> pb.video_grpc.VideoServiceStub:
        # Made on first use, inside the server's event loop (an aio channel belongs to one loop).
        if self._stub is None:
            self._channel = aio.insecure_channel(self.target)
            self._stub = pb.video_grpc.VideoServiceStub(self._channel)
        return self._stub

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()
            self._channel = self._stub = None

    async def list_jobs(self, page_size: int = 50) -> list[video.Job]:
        response = await self.stub.ListJobs(
            video.ListJobsRequest(page_size=page_size), metadata=self.metadata, timeout=self.timeout_s
        )
        return list(response.jobs)

    async def get_job(self, name: str) -> video.Job:
        request = video.GetJobRequest(name=name)
        response = await self.stub.GetJob(request, metadata=self.metadata, timeout=self.timeout_s)
        return response.job

    async def create_from_prompt(self, prompt: str, spec: video.VideoSpec, request_id: str) -> video.Job:
        request = video.CreateVideoRequest(request_id=request_id, prompt=prompt, spec=spec, labels={"via": "review"})
        response = await self.stub.CreateVideo(request, metadata=self.metadata, timeout=self.timeout_s)
        return response.job

    async def rerender(self, job: video.Job, edit: SceneEdit, request_id: str) -> video.Job:
        """A new job from `job`'s storyboard with one scene's text edited, rendered with the same spec
        (and seed): the scenes left alone have the same keyframe requests, so the image workers'
        content-addressed cache serves them and only the edited scene is rendered again."""
        storyboard = common.Storyboard()
        storyboard.CopyFrom(job.storyboard)
        if not 0 <= edit.index < len(storyboard.scenes):
            raise ValueError(f"scene {edit.index} is not in the storyboard ({len(storyboard.scenes)} scenes)")
        scene = storyboard.scenes[edit.index]
        scene.narration, scene.visual_prompt = edit.narration.strip(), edit.visual_prompt.strip()
        spec = video.VideoSpec()
        spec.CopyFrom(job.spec)
        spec.scene_count = 0  # from the storyboard
        labels = {**dict(job.labels), "review_of": job.id, "edited_scene": str(edit.index)}
        request = video.CreateVideoRequest(request_id=request_id, storyboard=storyboard, spec=spec, labels=labels)
        response = await self.stub.CreateVideo(request, metadata=self.metadata, timeout=self.timeout_s)
        return response.job

    async def watch(self, name: str, after_sequence: int = 0) -> AsyncIterator[video.JobEvent]:
        call = self.stub.WatchJob(
            video.WatchJobRequest(name=name, after_sequence=after_sequence), metadata=self.metadata
        )
        try:
            async for response in call:
                yield response.event
        finally:
            call.cancel()

    async def download(self, name: str, artifact: str) -> tuple[common.Artifact | None, AsyncIterator[bytes]]:
        """The artifact header (None when absent), then its bytes."""
        call = self.stub.DownloadArtifact(
            video.DownloadArtifactRequest(name=name, artifact=artifact), metadata=self.metadata
        )
        first = await call.read()
        if first is aio.EOF:
            return None, _empty()

        async def rest() -> AsyncIterator[bytes]:
            yield first.data
            async for chunk in call:
                yield chunk.data

        return first.artifact, rest()


async def _empty() -> AsyncIterator[bytes]:
    return
    yield b""  # pragma: no cover


def job_json(job: video.Job) -> dict:
    return json_format.MessageToDict(job, preserving_proto_field_name=True)


def is_not_found(error: grpc.RpcError) -> bool:
    return isinstance(error, grpc.aio.AioRpcError) and error.code() in (
        grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT
    )
