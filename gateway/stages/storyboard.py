"""The storyboard stage: the prompt (or a music track's analysis, or a client's storyboard) to the
storyboard service, and its answer stored as `storyboard.json`, the document the film follows."""

from __future__ import annotations

import asyncio
import json

from google.protobuf import json_format

from gateway.downstream import Downstream
from gateway.model import ArtifactRecord, Job, Stage
from gateway.stages import base
from gateway.stages.base import JobContext, StageFailed
from gateway.stages.config import PipelineConfig
from gateway.stages.storyboard_overrides import apply_spec_overrides
from services.common import pb
from services.common.artifacts import ArtifactStore, StoredObject
from services.common.enums import enum_value
from services.common.errors import Internal


def request(job: Job) -> pb.storyboard_pb2.CreateStoryboardRequest:
    spec = job.spec
    message = pb.storyboard_pb2.CreateStoryboardRequest(
        prompt=job.prompt,
        scene_count=spec.scene_count,
        duration_s=spec.duration_s,
        style=spec.style,
        seed=spec.seed,
        backend=enum_value(pb.common_pb2.StoryboardBackend, "STORYBOARD_BACKEND_", spec.storyboard_backend),
    )
    if job.source_storyboard is not None:
        json_format.ParseDict(job.source_storyboard, message.storyboard, ignore_unknown_fields=True)
    if job.music is not None and job.music_analysis is not None:
        # Music-video mode: cuts on downbeats and section changes, an MV description, lyrics per scene.
        # Without a prompt the storyboard writes the video from the MV type and the genre tags.
        context = message.music_context
        json_format.ParseDict(job.music_analysis, context.analysis, ignore_unknown_fields=True)
        context.genre_tags.extend(job.music.genre_tags)
        context.mv_type = enum_value(pb.common_pb2.MvType, "MV_TYPE_", job.music.mv_type)
        context.lyrics = job.music.lyrics
    return message


def document(storyboard: pb.common_pb2.Storyboard, job: Job) -> dict:
    """The storyboard as the job's document, with the request's overrides written into the scenes."""
    apply_spec_overrides(storyboard, job.spec)  # the document says what the film does
    # Zero values stay in the document (scene index 0, a cut's 0 s transition): it is read by people
    # and by `cinesynth soundtrack`, not only by protobuf.
    return json_format.MessageToDict(
        storyboard, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


def record(job: Job, storyboard: dict, scene_count: int, stored: StoredObject) -> None:
    job.storyboard = storyboard
    job.keyframes_total = scene_count
    if job.source_kind == "music":  # the music chose the cuts; the storyboard wrote the theme
        job.spec.scene_count = scene_count
        job.prompt = job.prompt or storyboard.get("prompt", "")
    job.put_artifact(
        ArtifactRecord("storyboard.json", stored.uri, stored.mime_type, stored.size_bytes, stored.sha256, "storyboard")
    )


def storyboard_proto(job: Job) -> pb.common_pb2.Storyboard:
    """The job's storyboard document as the proto every later stage reads."""
    return json_format.ParseDict(job.storyboard or {}, pb.common_pb2.Storyboard(), ignore_unknown_fields=True)


class StoryboardStage:
    def __init__(self, downstream: Downstream, artifacts: ArtifactStore, config: PipelineConfig) -> None:
        self.downstream = downstream
        self.artifacts = artifacts
        self.config = config

    async def run(self, ctx: JobContext) -> None:
        job = ctx.job
        ctx.stage_started(Stage.STORYBOARD, "writing the storyboard")
        await ctx.commit()
        message = request(job)
        stub = self.downstream.storyboard
        assert stub is not None
        response = await base.call(Stage.STORYBOARD, lambda: base.until_back(
            ctx, self.downstream, self.config.stage_retry, Stage.STORYBOARD, "storyboard",
            lambda: stub.CreateStoryboard(message, timeout=ctx.budget(self.config.storyboard_timeout_s)),
        ))
        base.check_result(Stage.STORYBOARD, "storyboard service", response, ("storyboard",))
        storyboard = response.storyboard
        if not storyboard.scenes:
            raise StageFailed(Stage.STORYBOARD, Internal("the storyboard service returned no scenes"))
        base.forward_warnings(ctx, storyboard.provenance.warnings, Stage.STORYBOARD)
        body = document(storyboard, job)
        encoded = json.dumps(body, indent=2, ensure_ascii=False).encode()
        stored = await base.call(
            Stage.STORYBOARD,
            lambda: asyncio.to_thread(
                self.artifacts.put_bytes, f"jobs/{job.id}/storyboard.json", encoded, "application/json"
            ),
        )
        record(job, body, len(storyboard.scenes), stored)
        ctx.stage_finished(Stage.STORYBOARD, f"storyboard ready: {len(storyboard.scenes)} scenes")
        await ctx.commit()
