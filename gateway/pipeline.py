"""The orchestration of one job: the stage graph, one module per stage in gateway/stages/.

    analyze_music (music videos) -> storyboard -> keyframes || soundtrack (|| video segments)
                                               -> motion -> upscale -> compose -> artifacts verified

Every stage checks the job's checkpoints first and skips what is already done, so a job resumed
on another replica, or after a restart, picks up at its last finished stage and never renders a
finished keyframe twice: each keyframe is checkpointed (URI + sha256) the moment it arrives.

Downstream calls carry deadlines (the stage's timeout, capped by what is left of the run) and are
cancelled with the job: cancelling the job's task cancels the in-flight gRPC calls, which the
workers see as a cancelled RPC.
"""

from __future__ import annotations

import asyncio

from gateway.downstream import Downstream
from gateway.stages.base import JobContext, first_error
from gateway.stages.compose import ComposeStage
from gateway.stages.config import PipelineConfig
from gateway.stages.keyframes import KeyframesStage
from gateway.stages.motion import MotionStage, wants_upscale
from gateway.stages.music_analysis import MusicAnalysisStage
from gateway.stages.soundtrack import SoundtrackStage
from gateway.stages.storyboard import StoryboardStage, storyboard_proto
from services.common import pb
from services.common.artifacts import ArtifactStore


class Pipeline:
    def __init__(self, downstream: Downstream, artifacts: ArtifactStore, config: PipelineConfig) -> None:
        self.downstream = downstream
        self.artifacts = artifacts
        self.config = config
        self.music_analysis = MusicAnalysisStage(downstream, artifacts, config)
        self.storyboard = StoryboardStage(downstream, artifacts, config)
        self.keyframes = KeyframesStage(downstream, config)
        self.soundtrack = SoundtrackStage(downstream, config)
        self.motion = MotionStage(downstream, config.motion)
        self.compose = ComposeStage(downstream, artifacts, config)

    async def run(self, ctx: JobContext) -> None:
        job = ctx.job
        if job.source_kind == "music":
            await self.music_analysis.run(ctx)
        if job.storyboard is None:
            await self.storyboard.run(ctx)
        storyboard = storyboard_proto(job)
        pending_keyframes = self.keyframes.pending(job, storyboard)
        segments: asyncio.Task[list[pb.compositor_pb2.SegmentResult] | None] | None = None
        try:
            async with asyncio.TaskGroup() as group:
                keyframes = group.create_task(self.keyframes.run(ctx, pending_keyframes)) if pending_keyframes else None
                if job.soundtrack is None:
                    group.create_task(self.soundtrack.run(ctx, storyboard))
                # Video segments beside the soundtrack, unless shots still get clips or upscaled stills first.
                stills_final = not (job.spec.motion_tier or wants_upscale(job))
                if not job.composed and self.config.segments.enabled and stills_final:
                    segments = group.create_task(self.compose.render_segments(ctx, storyboard, keyframes))
        except BaseExceptionGroup as failures:
            raise first_error(failures) from None
        if not job.composed:
            await self.motion.clips(ctx, storyboard)
            await self.motion.upscale(ctx, storyboard)
            await self.compose.run(ctx, storyboard, segments.result() if segments else None)
        await self.compose.verify_artifacts(ctx)

