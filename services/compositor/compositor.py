"""The compositor core: timeline -> frames -> one ffmpeg pipe -> verified MP4 + stills in the store.

Knows nothing of gRPC. `prepare` checks a request completely (fields, then that every input
exists) before any work starts; `render` does the work in the calling thread (rendering in a
helper thread that overlaps the encoder) and reports progress in frames.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import cv2

from services.common import ffmpeg
from services.common.artifacts import ArtifactStore, FileArtifactStore
from services.common.errors import Cancelled, CinesynthError, Collector, Internal, InvalidArgument, NotFound
from services.compositor import metrics
from services.compositor.clips import ClipLayer, decode_clip
from services.compositor.encode import (
    NVENC,
    X264,
    EncodeJob,
    VideoEncoder,
    choose_encoder,
    convert_captions_argv,
    encode_argv,
)
from services.compositor.grade import apply_grade
from services.compositor.pipe import FFmpegPipe, pump
from services.compositor.render import FrameRenderer, SceneLayer, fit_plate
from services.compositor.settings import CompositorSettings
from services.compositor.spec import ComposeOutcome, ComposeRequest, Notice, OutputArtifact
from services.compositor.stills import StillCollector, encode_jpeg
from services.compositor.timeline import CompositionPlan, plan_composition
from services.compositor.verify import Expected, verify_output

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]


class EncodeFailed(Internal):
    """ffmpeg failed; the message carries its reason (stderr), with no host paths in it."""

    def __init__(self, message: str, stderr: str) -> None:
        super().__init__(message)
        self.stderr = stderr


class ProgressThrottle:
    """Calls back with (frames_done, frames_total) every `every` frames or `interval_s` seconds,
    whichever comes first, and once more at the end."""

    def __init__(
        self, total: int, callback: ProgressCallback | None, every: int, interval_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total, self.callback, self.every, self.interval_s, self.clock = total, callback, every, interval_s, clock
        self.last_done = 0
        self.last_time = clock()

    def update(self, done: int) -> None:
        if self.callback is None or done == self.last_done:
            return
        now = self.clock()
        if done - self.last_done >= self.every or now - self.last_time >= self.interval_s or done == self.total:
            self.last_done, self.last_time = done, now
            self.callback(done, self.total)


@dataclass(frozen=True)
class StagedInputs:
    """Inputs as files in the job's work dir (links into a file store, downloads from S3)."""

    keyframes: tuple[Path, ...]
    soundtrack: Path | None
    srt: Path | None
    vtt: Path | None


class Compositor:
    def __init__(self, settings: CompositorSettings, store: ArtifactStore) -> None:
        self.settings = settings
        self.store = store
        if settings.opencv_threads:
            cv2.setNumThreads(settings.opencv_threads)  # process-wide: this process composes

    # -- checks ---------------------------------------------------------------------------------
    def prepare(self, request: ComposeRequest) -> CompositionPlan:
        """Validate fields, then that every input URI names an object in the store."""
        plan = plan_composition(request, self.settings)
        bad = Collector()
        for i, scene in enumerate(request.scenes):
            self._check_input(scene.keyframe_uri, f"scenes[{i}].keyframe_uri", bad)
            if scene.clip_uri:
                self._check_input(scene.clip_uri, f"scenes[{i}].clip_uri", bad)
        for uri, field in (
            (request.soundtrack_uri, "soundtrack_uri"),
            (request.captions_srt_uri, "captions_srt_uri"),
            (request.captions_vtt_uri, "captions_vtt_uri"),
        ):
            if uri:
                self._check_input(uri, field, bad)
        bad.raise_if_any()
        return plan

    def _check_input(self, uri: str, field: str, bad: Collector) -> None:
        try:
            self.store.key_for(uri, field)
            self.store.stat(uri)
        except InvalidArgument as exc:
            bad.extend(exc.violations)
        except NotFound:
            bad.add(field, "no such object in the artifact store")

    # -- work -----------------------------------------------------------------------------------
    def compose(
        self, request: ComposeRequest, *, progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> ComposeOutcome:
        return self.render(self.prepare(request), progress=progress, cancel=cancel)

    def render(
        self, plan: CompositionPlan, *, progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> ComposeOutcome:
        started = time.perf_counter()
        encoder_name = "unknown"
        outcome = "failed"
        work = self._work_dir()
        try:
            notices = [metrics.record_notice(n) for n in plan.notices]
            inputs = self._stage(plan, work)
            encoder, encoder_notices = choose_encoder(
                plan.encoder, ffmpeg.ffmpeg_path(), self.settings.encoder_threads
            )
            encoder_name = encoder.codec
            notices += [metrics.record_notice(n) for n in encoder_notices]
            timeline, geometry = plan.timeline, plan.geometry
            captions = inputs.srt or inputs.vtt
            job = self.encode_job(
                plan, encoder, output="video.mp4",
                soundtrack=inputs.soundtrack.name if inputs.soundtrack else None,
                subtitles=captions.name if captions else None,
            )
            stills = StillCollector(timeline, self.settings.thumbnail_width, self.settings.contact_sheet_max_tiles)
            throttle = ProgressThrottle(
                timeline.frame_count, progress, self.settings.progress_every_frames,
                self.settings.progress_max_interval_s,
            )

            def on_frame(count: int, frame: object) -> None:
                stills.offer(count - 1, frame)  # type: ignore[arg-type]
                throttle.update(count)

            try:
                written = self._encode(plan, job, inputs, work, on_frame, cancel)
            except EncodeFailed as exc:
                if encoder.codec != NVENC:
                    raise
                # A GPU that passed the test encode can still fail a real one (sessions, memory).
                notices.append(metrics.record_notice(Notice(
                    "nvenc_failed", f"h264_nvenc failed ({exc.message[-200:]}); encoded again with libx264"
                )))
                encoder = VideoEncoder(X264, encoder.preset, encoder.crf, encoder.threads)
                encoder_name = encoder.codec
                job = replace(job, encoder=encoder)
                throttle.last_done = 0  # progress starts over with the new encode
                written = self._encode(plan, job, inputs, work, on_frame, cancel)
            metrics.FRAMES_ENCODED.labels(encoder=encoder.codec).inc(written)
            verify_output(
                work / job.output,
                Expected(geometry.width, geometry.height, timeline.fps, timeline.frame_count,
                         audio=job.soundtrack is not None, subtitles=job.subtitles is not None),
            )
            artifacts = self._publish(plan, work, job, stills, inputs, notices)
            seconds = time.perf_counter() - started
            metrics.COMPOSE_SECONDS.observe(seconds)
            metrics.RENDER_FPS.observe(timeline.frame_count / max(seconds, 1e-6))
            outcome = "ok"
            return ComposeOutcome(
                *artifacts,
                frame_count=timeline.frame_count,
                duration_s=timeline.duration_s,
                fps=timeline.fps,
                width=geometry.width,
                height=geometry.height,
                encoder=encoder.codec,
                warnings=tuple(notices),
                seconds=seconds,
            )
        except Cancelled:
            outcome = "cancelled"
            raise
        except InvalidArgument:
            outcome = "invalid"
            raise
        finally:
            metrics.JOBS.labels(encoder=encoder_name, outcome=outcome).inc()
            shutil.rmtree(work, ignore_errors=True)

    def _encode(
        self, plan: CompositionPlan, job: EncodeJob, inputs: StagedInputs, work: Path,
        on_frame: Callable[[int, object], None], cancel: threading.Event | None,
    ) -> int:
        """Render every frame into one ffmpeg; returns the frame count. EncodeFailed on ffmpeg errors."""
        renderer = self.renderer(plan, inputs.keyframes)
        try:
            # ffmpeg runs in the work dir on relative names: its messages carry no host paths.
            with FFmpegPipe(encode_argv(job), cwd=work) as pipe:
                written = pump(
                    renderer.frames(), pipe.write, depth=self.settings.frame_queue, on_frame=on_frame,
                    cancel=cancel,
                )
                pipe.finish(timeout=self.settings.ffmpeg_timeout_s)
        except ffmpeg.FFmpegError as exc:
            raise EncodeFailed(f"encoding failed: {exc.message}", exc.stderr) from exc
        return written

    def render_raw(self, plan: CompositionPlan, dest: str | os.PathLike[str]) -> int:
        """Write the plan's frames as raw bgr24 to a file instead of encoding them (the benchmark's
        encode floor feeds this file to the very same ffmpeg command). Returns the frame count."""
        work = self._work_dir()
        try:
            inputs = self._stage(plan, work)
            with open(dest, "wb") as out:
                return pump(self.renderer(plan, inputs.keyframes).frames(), out.write, depth=self.settings.frame_queue)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def encode_job(
        self, plan: CompositionPlan, encoder: VideoEncoder, *, output: str, soundtrack: str | None = None,
        subtitles: str | None = None, video_input: str = "pipe:0",
    ) -> EncodeJob:
        """The encode of a plan (the benchmark's encode floor reuses it with a raw file as input)."""
        return EncodeJob(
            ffmpeg=_absolute(ffmpeg.ffmpeg_path()),
            width=plan.geometry.width,
            height=plan.geometry.height,
            fps=plan.timeline.fps,
            frame_count=plan.timeline.frame_count,
            encoder=encoder,
            output=output,
            video_input=video_input,
            soundtrack=soundtrack,
            subtitles=subtitles,
            audio_bitrate=self.settings.audio_bitrate,
            subtitle_language=self.settings.subtitle_language,
        )

    def renderer(self, plan: CompositionPlan, keyframes: tuple[Path, ...]) -> FrameRenderer:
        """The frame source of a plan; keyframes are read and graded once, when their scene starts."""
        geometry = plan.geometry

        def layer(index: int) -> SceneLayer | ClipLayer:
            clip = keyframes[index].with_name(f"clip-{index:03d}.mp4")
            if plan.request.scenes[index].clip_uri and clip.exists():
                frames = decode_clip(clip, f"scenes[{index}].clip_uri")
                move = plan.timeline.scenes[index].move
                return ClipLayer(frames, plan.grade, geometry.width, geometry.picture_height, move)
            image = cv2.imread(str(keyframes[index]), cv2.IMREAD_COLOR)
            if image is None:
                raise InvalidArgument.field(f"scenes[{index}].keyframe_uri", "not a decodable image")
            graded = apply_grade(image, plan.grade)
            plate, path = fit_plate(graded, geometry.width, geometry.picture_height, plan.timeline.scenes[index].move)
            return SceneLayer(plate, path)

        return FrameRenderer(
            plan.timeline, layer, geometry, flow_max_side=self.settings.flow_max_side,
            ring=self.settings.frame_queue + 2,
        )

    def _work_dir(self) -> Path:
        root = self.settings.work_dir
        if root:
            Path(root).mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="compose-", dir=root))

    def _stage(self, plan: CompositionPlan, work: Path) -> StagedInputs:
        request = plan.request
        keyframes = []
        bad = Collector()
        for i, scene in enumerate(request.scenes):
            path = self._stage_one(scene.keyframe_uri, work / f"keyframe-{i:03d}{_suffix(scene.keyframe_uri)}")
            if not cv2.haveImageReader(str(path)):
                bad.add(f"scenes[{i}].keyframe_uri", "not an image format OpenCV can read")
            keyframes.append(path)
            if scene.clip_uri:  # staged beside the keyframe; `renderer` finds it by name
                self._stage_one(scene.clip_uri, work / f"clip-{i:03d}.mp4")
        bad.raise_if_any()

        def optional(uri: str, name: str) -> Path | None:
            return self._stage_one(uri, work / name) if uri else None

        return StagedInputs(
            tuple(keyframes),
            optional(request.soundtrack_uri, f"soundtrack{_suffix(request.soundtrack_uri)}"),
            optional(request.captions_srt_uri, "captions.srt"),
            optional(request.captions_vtt_uri, "captions.vtt"),
        )

    def _stage_one(self, uri: str, dest: Path) -> Path:
        if isinstance(self.store, FileArtifactStore):
            try:
                os.symlink(self.store.local_path(uri), dest)
                return dest
            except OSError:
                pass  # no symlinks here: copy instead
        return self.store.download(uri, dest)

    def _publish(
        self, plan: CompositionPlan, work: Path, job: EncodeJob, stills: StillCollector, inputs: StagedInputs,
        notices: list[Notice],
    ) -> tuple[OutputArtifact, OutputArtifact, OutputArtifact, OutputArtifact | None, OutputArtifact | None]:
        prefix = plan.output_prefix

        def put_file(name: str, kind: str, path: Path) -> OutputArtifact:
            return OutputArtifact(name, kind, self.store.put_file(f"{prefix}/{name}", path))

        def put_jpeg(name: str, kind: str, image: object) -> OutputArtifact:
            data = encode_jpeg(image)  # type: ignore[arg-type]
            return OutputArtifact(name, kind, self.store.put_bytes(f"{prefix}/{name}", data, "image/jpeg"))

        if stills.poster is None or not stills.tiles:
            raise Internal("poster or contact-sheet frames were not captured")
        video = put_file("video.mp4", "video", work / job.output)
        poster = put_jpeg("poster.jpg", "poster", stills.poster)
        sheet_image = stills.contact_sheet(self.settings.contact_sheet_columns)
        sheet = put_jpeg("contact-sheet.jpg", "contact_sheet", sheet_image)
        srt_path, vtt_path = inputs.srt, inputs.vtt
        # Sidecars next to the MP4 in both formats; the missing one is converted from the other.
        with contextlib.suppress(CinesynthError):
            if srt_path and not vtt_path:
                vtt_path = self._convert(srt_path, work / "converted.vtt", notices)
            elif vtt_path and not srt_path:
                srt_path = self._convert(vtt_path, work / "converted.srt", notices)
        srt = put_file("video.srt", "captions_srt", srt_path) if srt_path else None
        vtt = put_file("video.vtt", "captions_vtt", vtt_path) if vtt_path else None
        return video, poster, sheet, srt, vtt

    def _convert(self, source: Path, target: Path, notices: list[Notice]) -> Path:
        try:
            ffmpeg.run(convert_captions_argv(ffmpeg.ffmpeg_path(), str(source), str(target)), timeout=60)
        except ffmpeg.FFmpegError as exc:
            reason = exc.stderr.strip().splitlines()[-1:] or ["no reason given"]
            notices.append(metrics.record_notice(Notice(
                "captions_conversion_failed",
                f"could not convert {source.suffix} captions to {target.suffix}: "
                + reason[0].replace(f"{source.parent}/", "")[-300:],
            )))
            raise
        return target


def _absolute(program: str) -> str:
    """ffmpeg runs in the work dir: a relative CINESYNTH_FFMPEG must not be looked up there."""
    return os.path.abspath(shutil.which(program) or program)


def _suffix(uri: str) -> str:
    suffix = Path(uri.split("?", 1)[0]).suffix.lower()
    return suffix if suffix.isascii() and len(suffix) <= 6 and suffix[1:].isalnum() else ""
