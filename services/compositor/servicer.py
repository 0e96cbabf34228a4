"""gRPC face of the compositor: proto <-> core types, progress streaming, cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import TypeVar

from grpc import aio

from services.common import cancellation, pb
from services.common.artifacts import ArtifactStore, StoredObject
from services.common.errors import Collector, InvalidArgument, NotFound
from services.common.messages import artifact_message
from services.common.notices import warning_messages
from services.compositor.core import Compositor
from services.compositor.segments import check_range, plan_segments
from services.compositor.spec import (
    STAGE,
    CameraMotion,
    ComposeOutcome,
    ComposeRequest,
    EncoderSpec,
    GradeSpec,
    Notice,
    OutputArtifact,
    SceneSpec,
    SegmentOutcome,
    SegmentStill,
    Transition,
)
from services.compositor.timeline import plan_composition

T = TypeVar("T")

common = pb.common_pb2
compositor_pb2 = pb.compositor_pb2

TRANSITIONS = {
    common.TRANSITION_KIND_UNSPECIFIED: "",
    common.TRANSITION_KIND_CUT: Transition.CUT.value,
    common.TRANSITION_KIND_CROSSFADE: Transition.CROSSFADE.value,
    common.TRANSITION_KIND_FLOW_MORPH: Transition.FLOW_MORPH.value,
    common.TRANSITION_KIND_DIP_TO_BLACK: Transition.DIP_TO_BLACK.value,
}
ASPECTS = {
    common.ASPECT_PRESET_UNSPECIFIED: "",
    common.ASPECT_PRESET_WIDESCREEN: "widescreen",
    common.ASPECT_PRESET_CINEMASCOPE_LETTERBOX: "cinemascope_letterbox",
    common.ASPECT_PRESET_CINEMASCOPE: "cinemascope",
    common.ASPECT_PRESET_VERTICAL: "vertical",
    common.ASPECT_PRESET_CINEMA: "cinema",
}
ARTIFACT_KINDS = {
    "video": common.ARTIFACT_KIND_VIDEO,
    "poster": common.ARTIFACT_KIND_POSTER,
    "contact_sheet": common.ARTIFACT_KIND_CONTACT_SHEET,
    "captions_srt": common.ARTIFACT_KIND_CAPTIONS_SRT,
    "captions_vtt": common.ARTIFACT_KIND_CAPTIONS_VTT,
}


def request_from_proto(msg: compositor_pb2.ComposeVideoRequest) -> ComposeRequest:
    """Unknown enum numbers become names the core rejects, naming the field."""
    scenes = tuple(
        SceneSpec(
            keyframe_uri=s.keyframe_uri,
            duration_s=s.duration_s,
            motion=CameraMotion(pan=s.motion.pan, tilt=s.motion.tilt, zoom=s.motion.zoom, move=s.motion.move),
            transition=TRANSITIONS.get(s.transition, f"TransitionKind({s.transition})"),
            transition_s=s.transition_s,
            motion_intensity=s.motion_intensity,
            clip_uri=s.clip_uri,
        )
        for s in msg.scenes
    )
    g = msg.grade
    paper = GradeSpec()
    grade = GradeSpec(
        enabled=not g.disabled,
        brightness=g.brightness if g.HasField("brightness") else paper.brightness,
        blue=g.blue if g.HasField("blue") else paper.blue,
        sharpen=g.sharpen if g.HasField("sharpen") else paper.sharpen,
    )
    e = msg.encoder
    return ComposeRequest(
        scenes=scenes,
        fps=msg.fps,
        width=msg.width,
        height=msg.height,
        aspect=ASPECTS.get(msg.aspect, f"AspectPreset({msg.aspect})"),
        grade=grade,
        encoder=EncoderSpec(codec=e.codec, preset=e.preset, crf=e.crf if e.HasField("crf") else None),
        soundtrack_uri=msg.soundtrack_uri,
        captions_srt_uri=msg.captions_srt_uri,
        captions_vtt_uri=msg.captions_vtt_uri,
        output_prefix=msg.output_prefix,
        job_id=msg.job_id,
    )


def artifact_to_proto(artifact: OutputArtifact | None) -> common.Artifact | None:
    if artifact is None:
        return None
    return artifact_message(artifact.stored, ARTIFACT_KINDS[artifact.kind], artifact.name)


def result_to_proto(outcome: ComposeOutcome) -> compositor_pb2.ComposeResult:
    return compositor_pb2.ComposeResult(
        video=artifact_to_proto(outcome.video),
        poster=artifact_to_proto(outcome.poster),
        contact_sheet=artifact_to_proto(outcome.contact_sheet),
        srt=artifact_to_proto(outcome.srt),
        vtt=artifact_to_proto(outcome.vtt),
        frame_count=outcome.frame_count,
        duration_s=outcome.duration_s,
        fps=outcome.fps,
        width=outcome.width,
        height=outcome.height,
        encoder=outcome.encoder,
        warnings=warning_messages(outcome.warnings),
        seconds=outcome.seconds,
    )


def segment_to_proto(outcome: SegmentOutcome) -> compositor_pb2.SegmentResult:
    return compositor_pb2.SegmentResult(
        video=artifact_to_proto(outcome.video),
        frames=compositor_pb2.FrameRange(start=outcome.start, end=outcome.end),
        stills=[
            compositor_pb2.SegmentStill(
                frame=s.frame, kind=s.kind, scene=s.scene,
                image=artifact_message(s.stored, common.ARTIFACT_KIND_UNSPECIFIED, s.stored.key.rsplit("/", 1)[-1]),
            )
            for s in outcome.stills
        ],
        encoder=outcome.encoder,
        warnings=warning_messages(outcome.warnings),
        seconds=outcome.seconds,
    )


def segment_from_proto(msg: compositor_pb2.SegmentResult, store: ArtifactStore, field: str) -> SegmentOutcome:
    """A segment named by a join request; its objects are checked to be in the store."""
    bad = Collector()

    def stored(artifact: common.Artifact, where: str) -> StoredObject | None:
        try:
            key = store.key_for(artifact.uri, where)
            store.stat(artifact.uri)
        except InvalidArgument as exc:
            bad.extend(exc.violations)
            return None
        except NotFound:
            bad.add(where, "no such object in the artifact store")
            return None
        return StoredObject(artifact.uri, key, artifact.size_bytes, artifact.sha256, artifact.mime_type)

    video = stored(msg.video, f"{field}.video.uri")
    stills = [(s, stored(s.image, f"{field}.stills[{i}].image.uri")) for i, s in enumerate(msg.stills)]
    bad.raise_if_any()
    assert video is not None
    return SegmentOutcome(
        video=OutputArtifact("segment.mp4", "video", video),
        start=msg.frames.start,
        end=msg.frames.end,
        stills=tuple(SegmentStill(s.frame, s.kind, s.scene, obj) for s, obj in stills if obj is not None),
        encoder=msg.encoder,
        warnings=tuple(Notice(w.code, w.message, w.stage or STAGE) for w in msg.warnings),
        seconds=msg.seconds,
    )


class CompositorServicer(pb.compositor_grpc.CompositorServiceServicer):
    def __init__(self, compositor: Compositor, max_parallel_jobs: int) -> None:
        self.compositor = compositor
        self._slots = asyncio.Semaphore(max_parallel_jobs)

    async def PlanSegments(
        self, request: compositor_pb2.PlanSegmentsRequest, context: aio.ServicerContext
    ) -> compositor_pb2.PlanSegmentsResponse:
        compose = request_from_proto(request.compose)
        # Inputs may not exist yet (the soundtrack is still being made): only the fields are checked.
        plan = await asyncio.to_thread(plan_composition, compose, self.compositor.settings)
        min_frames = request.min_segment_frames or 2 * plan.fps
        ranges = plan_segments(plan.timeline, request.max_segments or 1, min_frames)
        return compositor_pb2.PlanSegmentsResponse(
            frame_count=plan.timeline.frame_count,
            segments=[compositor_pb2.FrameRange(start=a, end=b) for a, b in ranges],
        )

    async def ComposeSegment(
        self, request: compositor_pb2.ComposeSegmentRequest, context: aio.ServicerContext
    ) -> AsyncIterator[compositor_pb2.ComposeSegmentResponse]:
        # The segment reads only keyframes: the soundtrack and captions need not exist yet.
        compose = replace(request_from_proto(request.compose), soundtrack_uri="", captions_srt_uri="",
                          captions_vtt_uri="")
        plan = await asyncio.to_thread(self.compositor.prepare, compose)
        start, end = request.frames.start, request.frames.end
        check_range(plan.timeline, start, end)

        def progress(done: int, total: int) -> compositor_pb2.ComposeSegmentResponse:
            return compositor_pb2.ComposeSegmentResponse(
                progress=compositor_pb2.ComposeProgress(frames_done=done, frames_total=total)
            )

        outcome: SegmentOutcome | None = None
        async for update in self._run(
            lambda on_progress, cancel: self.compositor.render_segment(
                plan, start, end, progress=on_progress, cancel=cancel
            ),
            end - start,
        ):
            if isinstance(update, tuple):
                yield progress(*update)
            else:
                outcome = update
        assert outcome is not None
        yield compositor_pb2.ComposeSegmentResponse(result=segment_to_proto(outcome))

    async def JoinSegments(
        self, request: compositor_pb2.JoinSegmentsRequest, context: aio.ServicerContext
    ) -> compositor_pb2.JoinSegmentsResponse:
        plan = await asyncio.to_thread(self.compositor.prepare, request_from_proto(request.compose))
        store = self.compositor.store
        segments = [segment_from_proto(s, store, f"segments[{i}]") for i, s in enumerate(request.segments)]
        outcome = await cancellation.to_thread(self.compositor.join_segments, plan, segments)
        return compositor_pb2.JoinSegmentsResponse(result=result_to_proto(outcome))

    async def _run(
        self, work: Callable[[Callable[[int, int], None], threading.Event], T], total: int
    ) -> AsyncIterator[tuple[int, int] | T]:
        """Run `work(on_progress, cancel)` on a thread within a job slot: yields (done, total)
        updates, then its result; a caller that goes away cancels it."""
        loop = asyncio.get_running_loop()
        updates: asyncio.Queue[tuple[int, int]] = asyncio.Queue()
        cancel = threading.Event()

        def on_progress(done: int, of: int) -> None:  # called on the render thread
            loop.call_soon_threadsafe(updates.put_nowait, (done, of))

        async with self._slots:
            yield (0, total)
            job = asyncio.ensure_future(cancellation.to_thread(work, on_progress, cancel))
            try:
                while not job.done():
                    next_update = asyncio.ensure_future(updates.get())
                    await asyncio.wait({job, next_update}, return_when=asyncio.FIRST_COMPLETED)
                    if next_update.done():
                        yield next_update.result()
                    else:
                        next_update.cancel()
                while not updates.empty():
                    yield updates.get_nowait()
                result = job.result()
            finally:
                if not job.done():  # the client went away or the server is stopping
                    cancel.set()
                    job.cancel()  # cancels the thread's token: ffmpeg is killed, the work dir removed
                    with contextlib.suppress(BaseException):
                        await job
        yield result

    async def ComposeVideo(
        self, request: compositor_pb2.ComposeVideoRequest, context: aio.ServicerContext
    ) -> AsyncIterator[compositor_pb2.ComposeVideoResponse]:
        # Checked before queueing for a slot: a bad request fails at once.
        plan = await asyncio.to_thread(self.compositor.prepare, request_from_proto(request))

        def progress(done: int, total: int) -> compositor_pb2.ComposeVideoResponse:
            return compositor_pb2.ComposeVideoResponse(
                progress=compositor_pb2.ComposeProgress(frames_done=done, frames_total=total)
            )

        outcome: ComposeOutcome | None = None
        async for update in self._run(
            lambda on_progress, cancel: self.compositor.render(plan, progress=on_progress, cancel=cancel),
            plan.timeline.frame_count,
        ):
            if isinstance(update, tuple):
                yield progress(*update)
            else:
                outcome = update
        assert outcome is not None
        yield compositor_pb2.ComposeVideoResponse(result=result_to_proto(outcome))

