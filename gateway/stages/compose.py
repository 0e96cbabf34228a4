"""The compose stage: the film from the keyframes (or clips), the soundtrack and the captions.

Two ways: in segments across the compositor replicas beside the soundtrack, then joined with it
(gateway/stages/compose_segments.py); or in one pass, called again once when the compositor is lost
mid-encode. Before the job succeeds every reported artifact is checked in the store.
"""

from __future__ import annotations

import asyncio

from gateway.downstream import Downstream
from gateway.model import Job, SoundtrackRecord, Stage
from gateway.stages import base
from gateway.stages.base import JobContext, StageFailed
from gateway.stages.compose_segments import SegmentedCompose, SegmentsUnsupported
from gateway.stages.config import PipelineConfig
from gateway.stages.motion import timeline_inputs
from services.common import pb
from services.common.artifacts import ArtifactStore
from services.common.enums import enum_value
from services.common.errors import Internal, InvalidArgument, NotFound, Unavailable
from services.common.metrics import FALLBACKS

# Share of the storyboard's camera move applied to draft (animatic card) keyframes.
DRAFT_MOTION_SCALE = 0.2


def request(
    job: Job, storyboard: pb.common_pb2.Storyboard, soundtrack: SoundtrackRecord | None, preset: str
) -> pb.compositor_pb2.ComposeVideoRequest:
    """The film for the compositor; without a soundtrack (video segments) no audio or captions."""
    spec = job.spec
    transition = enum_value(pb.common_pb2.TransitionKind, "TRANSITION_KIND_", spec.transition)
    # A draft card draws the camera move itself and carries text that must stay in frame:
    # the real move is only hinted at.
    motion_scale = DRAFT_MOTION_SCALE if job.tier_used == "draft" else 1.0
    return pb.compositor_pb2.ComposeVideoRequest(
        scenes=[
            pb.compositor_pb2.TimelineScene(
                keyframe_uri=(staged := timeline_inputs(job, i))["keyframe_uri"],
                clip_uri=staged["clip_uri"],
                duration_s=scene.duration_s,
                motion=scene.shot.camera_pose if staged["camera"] else None,
                transition=transition or scene.transition,
                transition_s=scene.transition_s,
                motion_intensity=(scene.motion_intensity or 1.0) * motion_scale,
            )
            for i, scene in enumerate(storyboard.scenes)
        ],
        fps=spec.fps,
        width=spec.width,
        height=spec.height,
        aspect=enum_value(pb.common_pb2.AspectPreset, "ASPECT_PRESET_", spec.aspect),
        soundtrack_uri=soundtrack.audio_uri if soundtrack else "",
        captions_srt_uri=soundtrack.srt_uri if soundtrack and spec.captions else "",
        captions_vtt_uri=soundtrack.vtt_uri if soundtrack and spec.captions else "",
        output_prefix=f"jobs/{job.id}/video",
        job_id=job.id,
        encoder=pb.compositor_pb2.EncoderOptions(preset=preset),
    )


def record(job: Job, result: pb.compositor_pb2.ComposeResult) -> None:
    """The film, its poster, contact sheet and captions onto the job; the job is composed."""
    spec = job.spec
    job.put_artifact(base.artifact_record(result.video, "video.mp4", "video"))
    if result.poster.uri:
        job.put_artifact(base.artifact_record(result.poster, f"poster{base.suffix(result.poster, '.jpg')}", "poster"))
    if result.contact_sheet.uri:
        sheet = f"contact_sheet{base.suffix(result.contact_sheet, '.jpg')}"
        job.put_artifact(base.artifact_record(result.contact_sheet, sheet, "contact_sheet"))
    if spec.captions and result.srt.uri:
        job.put_artifact(base.artifact_record(result.srt, "captions.srt", "captions_srt"))
    if spec.captions and result.vtt.uri:
        job.put_artifact(base.artifact_record(result.vtt, "captions.vtt", "captions_vtt"))
    job.frames_done = job.frames_total = result.frame_count or job.frames_total
    job.composed = True


class ComposeStage:
    def __init__(self, downstream: Downstream, artifacts: ArtifactStore, config: PipelineConfig) -> None:
        self.downstream = downstream
        self.artifacts = artifacts
        self.config = config
        self._segmented: SegmentedCompose | None = None

    @property
    def segmented(self) -> SegmentedCompose:
        # Made on first use, so a pipeline that never composes (music analysis, tests) needs no compositor pool.
        if self._segmented is None:
            self._segmented = SegmentedCompose(self.downstream.compositor_pool(), self.config.segments)
        return self._segmented

    def _request(
        self, job: Job, storyboard: pb.common_pb2.Storyboard, soundtrack: SoundtrackRecord | None
    ) -> pb.compositor_pb2.ComposeVideoRequest:
        return request(job, storyboard, soundtrack, self.config.compose_presets.get(job.tier_used, ""))

    async def render_segments(
        self, ctx: JobContext, storyboard: pb.common_pb2.Storyboard, keyframes: asyncio.Task[None] | None
    ) -> list[pb.compositor_pb2.SegmentResult] | None:
        """The film's video in segments across the compositor replicas, once the keyframes exist;
        None when the compositor cannot."""
        if keyframes is not None:
            await keyframes
        job = ctx.job
        video = self._request(job, storyboard, None)
        budget = ctx.budget(self.config.compose_timeout_s)
        try:
            plan = await base.call(Stage.COMPOSE, lambda: self.segmented.plan(video, budget))
        except SegmentsUnsupported as exc:
            FALLBACKS.labels("compose", "compose_segments_unsupported").inc()
            ctx.warn("compose_segments_unsupported",
                     f"the compositor cannot compose in segments ({exc}); composing in one pass", Stage.COMPOSE.value)
            return None
        ctx.stage_started(Stage.COMPOSE, f"composing the film in {len(plan.segments)} segment(s)")
        job.frames_done, job.frames_total = 0, plan.frame_count

        async def progress(done: int, total: int) -> None:
            job.frames_done, job.frames_total = done, total
            job.message = f"composing: frame {done}/{total}"
            await ctx.commit(persist=False)

        await ctx.commit()
        return await base.call(Stage.COMPOSE, lambda: self.segmented.render(video, plan, progress, budget))

    async def run(
        self, ctx: JobContext, storyboard: pb.common_pb2.Storyboard,
        segments: list[pb.compositor_pb2.SegmentResult] | None = None,
    ) -> None:
        job = ctx.job
        soundtrack = job.soundtrack
        assert soundtrack is not None
        if segments is None:
            ctx.stage_started(Stage.COMPOSE, "composing the film")
            job.frames_done = 0
        else:
            job.message = "joining the segments with the soundtrack"
        await ctx.commit()
        message = self._request(job, storyboard, soundtrack)
        if segments is None:
            result = await self._compose_with_retry(ctx, message)
        else:
            budget = ctx.budget(self.config.compose_timeout_s)
            result = await base.call(Stage.COMPOSE, lambda: self.segmented.join(message, segments, budget))
        base.check_result(Stage.COMPOSE, "compositor", result, ("duration_s", "video", "poster", "srt", "vtt"))
        base.forward_warnings(ctx, result.warnings, Stage.COMPOSE)
        record(job, result)
        ctx.stage_finished(
            Stage.COMPOSE, f"film composed: {result.frame_count} frames, {result.duration_s:.1f} s ({result.encoder})"
        )
        await ctx.commit()

    async def _compose_with_retry(
        self, ctx: JobContext, message: pb.compositor_pb2.ComposeVideoRequest
    ) -> pb.compositor_pb2.ComposeResult:
        """ComposeVideo; a compositor lost mid-encode (UNAVAILABLE) is called again once it is back,
        `compose_attempts` calls in all. Any other failure is final at once."""
        attempts = self.config.compose_attempts
        attempt = 1
        while True:
            try:
                return await self._compose_once(ctx, message)
            except StageFailed as failed:
                if not isinstance(failed.error, Unavailable):
                    raise
                reason = failed.error.message
                if attempt >= attempts:
                    tries = f"{attempts} attempts" if attempts > 1 else "1 attempt"
                    raise StageFailed(
                        Stage.COMPOSE, Unavailable(f"the compositor failed ({reason}); gave up after {tries}")
                    ) from None
            attempt += 1
            FALLBACKS.labels("compose", "compose_retried").inc()
            ctx.warn(
                "compose_retried",
                f"the compositor was lost while composing ({reason}); "
                f"composing again (attempt {attempt} of {attempts})",
                Stage.COMPOSE.value,
            )
            ctx.job.frames_done = 0
            ctx.job.message = "the compositor was lost: waiting for it to come back"
            await ctx.commit()
            wait_s = min(self.config.compose_retry_wait_s, ctx.budget(self.config.compose_retry_wait_s))
            if not await self.downstream.wait_ready("compositor", wait_s):
                raise StageFailed(
                    Stage.COMPOSE,
                    Unavailable(f"the compositor failed ({reason}) and was not back within {wait_s:g} s"),
                )

    async def _compose_once(
        self, ctx: JobContext, message: pb.compositor_pb2.ComposeVideoRequest
    ) -> pb.compositor_pb2.ComposeResult:
        job = ctx.job
        stub = self.downstream.compositor
        assert stub is not None
        stream = stub.ComposeVideo(message, timeout=ctx.budget(self.config.compose_timeout_s))

        async def consume() -> pb.compositor_pb2.ComposeResult | None:
            result = None
            async for response in stream:
                if response.HasField("progress"):
                    job.frames_done = response.progress.frames_done
                    job.frames_total = response.progress.frames_total
                    job.message = f"composing: frame {job.frames_done}/{job.frames_total}"
                    await ctx.commit(persist=False)
                elif response.HasField("result"):
                    result = response.result
            return result

        try:
            result = await base.call(Stage.COMPOSE, consume)
        finally:
            stream.cancel()
        if result is None or not result.video.uri:
            raise StageFailed(Stage.COMPOSE, Internal("the compositor finished without a video"))
        return result

    async def verify_artifacts(self, ctx: JobContext) -> None:
        """A job never reports an artifact that is not there: before it succeeds, every artifact the
        services reported is looked up in the store (one stat each) and must have the reported size.
        Any that fails is taken off the job, which then fails with what was wrong."""

        def problems() -> dict[str, str]:
            found: dict[str, str] = {}
            for artifact in ctx.job.artifacts:
                try:
                    size = self.artifacts.stat(artifact.uri)
                except NotFound:
                    found[artifact.name] = "is missing"
                except InvalidArgument:
                    found[artifact.name] = "is not in the artifact store"
                else:
                    if artifact.size_bytes and size != artifact.size_bytes:
                        found[artifact.name] = f"has {size} bytes, {artifact.size_bytes} were reported"
            return found

        bad = await base.call(Stage.COMPOSE, lambda: asyncio.to_thread(problems))
        if bad:
            ctx.job.artifacts = [a for a in ctx.job.artifacts if a.name not in bad]
            summary = "; ".join(f"{name} {why}" for name, why in bad.items())
            raise StageFailed(Stage.COMPOSE, Internal(f"the artifact store does not hold what was reported: {summary}"))
