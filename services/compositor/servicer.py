"""gRPC face of the compositor: proto <-> core types, progress streaming, cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator

from grpc import aio

from services.common import cancellation, pb
from services.common.messages import artifact_message
from services.common.notices import warning_messages
from services.compositor.compositor import Compositor
from services.compositor.spec import (
    CameraMotion,
    ComposeOutcome,
    ComposeRequest,
    EncoderSpec,
    GradeSpec,
    OutputArtifact,
    SceneSpec,
    Transition,
)

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


class CompositorServicer(pb.compositor_grpc.CompositorServiceServicer):
    def __init__(self, compositor: Compositor, max_parallel_jobs: int) -> None:
        self.compositor = compositor
        self._slots = asyncio.Semaphore(max_parallel_jobs)

    async def ComposeVideo(
        self, request: compositor_pb2.ComposeVideoRequest, context: aio.ServicerContext
    ) -> AsyncIterator[compositor_pb2.ComposeVideoResponse]:
        # Checked before queueing for a slot: a bad request fails at once.
        plan = await asyncio.to_thread(self.compositor.prepare, request_from_proto(request))
        loop = asyncio.get_running_loop()
        updates: asyncio.Queue[tuple[int, int]] = asyncio.Queue()
        cancel = threading.Event()

        def on_progress(done: int, total: int) -> None:  # called on the render thread
            loop.call_soon_threadsafe(updates.put_nowait, (done, total))

        def progress(done: int, total: int) -> compositor_pb2.ComposeVideoResponse:
            return compositor_pb2.ComposeVideoResponse(
                progress=compositor_pb2.ComposeProgress(frames_done=done, frames_total=total)
            )

        async with self._slots:
            yield progress(0, plan.timeline.frame_count)
            job = asyncio.ensure_future(
                cancellation.to_thread(self.compositor.render, plan, progress=on_progress, cancel=cancel)
            )
            try:
                while not job.done():
                    next_update = asyncio.ensure_future(updates.get())
                    await asyncio.wait({job, next_update}, return_when=asyncio.FIRST_COMPLETED)
                    if next_update.done():
                        yield progress(*next_update.result())
                    else:
                        next_update.cancel()
                while not updates.empty():
                    yield progress(*updates.get_nowait())
                outcome = job.result()
            finally:
                if not job.done():  # the client went away or the server is stopping
                    cancel.set()
                    job.cancel()  # cancels the thread's token: ffmpeg is killed, the work dir removed
                    with contextlib.suppress(BaseException):
                        await job
        yield compositor_pb2.ComposeVideoResponse(result=result_to_proto(outcome))
