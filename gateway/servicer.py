"""The public VideoService over gRPC: authenticate, convert, call the core. Nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator

from grpc import aio

from gateway import convert
from gateway.auth import Authenticator
from gateway.music import UploadMetadata
from gateway.service import VideoGateway, parse_job_name
from services.common import pb
from services.common.errors import InvalidArgument

video = pb.video_pb2


class VideoServicer(pb.video_grpc.VideoServiceServicer):
    def __init__(
        self, gateway: VideoGateway, auth: Authenticator, links: convert.ArtifactLinks = convert.named_links
    ) -> None:
        self.gateway = gateway
        self.auth = auth
        self.links = links

    def _tenant(self, context: aio.ServicerContext) -> str:
        return self.auth.authenticate(context.invocation_metadata())

    async def CreateVideo(
        self, request: video.CreateVideoRequest, context: aio.ServicerContext
    ) -> video.CreateVideoResponse:
        tenant = self._tenant(context)
        job, _ = await self.gateway.create(tenant, convert.create_input(request))
        return video.CreateVideoResponse(job=convert.job_to_proto(job, self.links))

    async def GetJob(self, request: video.GetJobRequest, context: aio.ServicerContext) -> video.GetJobResponse:
        job = await self.gateway.get(self._tenant(context), request.name)
        return video.GetJobResponse(job=convert.job_to_proto(job, self.links))

    async def ListJobs(
        self, request: video.ListJobsRequest, context: aio.ServicerContext
    ) -> video.ListJobsResponse:
        tenant = self._tenant(context)
        jobs, token = await self.gateway.list(
            tenant,
            state=convert.job_state(request.state),
            labels=dict(request.labels),
            page_size=request.page_size,
            page_token=request.page_token,
        )
        return video.ListJobsResponse(jobs=[convert.job_to_proto(j, self.links) for j in jobs], next_page_token=token)

    async def CancelJob(
        self, request: video.CancelJobRequest, context: aio.ServicerContext
    ) -> video.CancelJobResponse:
        job = await self.gateway.cancel(self._tenant(context), request.name)
        return video.CancelJobResponse(job=convert.job_to_proto(job, self.links))

    async def WatchJob(
        self, request: video.WatchJobRequest, context: aio.ServicerContext
    ) -> AsyncIterator[video.WatchJobResponse]:
        tenant = self._tenant(context)
        async for update in self.gateway.watch(tenant, request.name, request.after_sequence):
            yield video.WatchJobResponse(event=convert.event_to_proto(update, self.links))

    async def GenerateVideo(
        self, request: video.GenerateVideoRequest, context: aio.ServicerContext
    ) -> AsyncIterator[video.GenerateVideoResponse]:
        tenant = self._tenant(context)
        job, _ = await self.gateway.create(tenant, convert.create_input(request.request))
        # The job is durable: a client that drops this stream reconnects with WatchJob.
        async for update in self.gateway.watch(tenant, job.name):
            yield video.GenerateVideoResponse(event=convert.event_to_proto(update, self.links))

    async def DownloadArtifact(
        self, request: video.DownloadArtifactRequest, context: aio.ServicerContext
    ) -> AsyncIterator[video.DownloadArtifactResponse]:
        tenant = self._tenant(context)
        artifact = await self.gateway.artifact(
            tenant, request.name, request.artifact, convert.artifact_kind(request.kind)
        )
        job_name = f"jobs/{parse_job_name(request.name)}"
        offset = 0
        first = True
        async for block in self.gateway.read_chunks(artifact, request.chunk_size):
            response = video.DownloadArtifactResponse(offset=offset, data=block)
            if first:
                response.artifact.CopyFrom(convert.artifact_to_proto(artifact, job_name, self.links))
                first = False
            offset += len(block)
            yield response
        if first:  # an empty file still announces itself
            described = convert.artifact_to_proto(artifact, job_name, self.links)
            yield video.DownloadArtifactResponse(artifact=described, offset=0)

    async def UploadMusic(
        self, request_iterator: AsyncIterator[video.UploadMusicRequest], context: aio.ServicerContext
    ) -> video.UploadMusicResponse:
        tenant = self._tenant(context)
        messages = aiter(request_iterator)
        first = await anext(messages, None)
        if first is None or first.WhichOneof("part") != "metadata":
            raise InvalidArgument.field("metadata", "the first message must be the metadata, then the file in chunks")
        metadata = UploadMetadata(
            filename=first.metadata.filename, mime_type=first.metadata.mime_type, size_bytes=first.metadata.size_bytes
        )

        async def chunks() -> AsyncIterator[bytes]:
            async for message in messages:
                if message.WhichOneof("part") == "metadata":
                    raise InvalidArgument.field("metadata", "only the first message carries the metadata")
                yield message.chunk

        record = await self.gateway.upload_music(tenant, metadata, chunks(), timeout_s=context.time_remaining())
        return video.UploadMusicResponse(
            upload_id=record.upload_id, size_bytes=record.size_bytes, sha256=record.sha256,
            duration_s=record.duration_s,
        )
