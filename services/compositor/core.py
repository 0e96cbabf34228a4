"""The compositor core: timeline -> frames -> one ffmpeg pipe -> verified MP4 + stills in the store.

Knows nothing of gRPC. `prepare` checks a request completely (fields, then that every input
exists) before any work starts; `render` does the work in the calling thread (rendering in a
helper thread that overlaps the encoder) and reports progress in frames.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from services.common import ffmpeg
from services.common.artifacts import ArtifactStore, FileArtifactStore, StoredObject
from services.common.errors import Cancelled, CinesynthError, Collector, Internal, InvalidArgument, NotFound
from services.compositor import metrics
from services.compositor.clips import ClipLayer, decode_clip
from services.compositor.encode import (
    NVENC,
    X264,
    EncodeJob,
    VideoEncoder,
    audio_copyable,
    choose_encoder,
    convert_captions_argv,
    encode_argv,
    join_argv,
)
from services.compositor.grade import apply_grade
from services.compositor.pipe import FFmpegPipe, pump
from services.compositor.render import FrameRenderer, SceneLayer, fit_plate
from services.compositor.segments import check_range, check_tiling
from services.compositor.settings import CompositorSettings
from services.compositor.spec import (
    ComposeOutcome,
    ComposeRequest,
    Notice,
    OutputArtifact,
    SegmentOutcome,
    SegmentStill,
)
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


@dataclass
class _Run:
    work: Path
    encoder: str = "unknown"


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
        with self._accounted("") as run:
            work = run.work
            notices = [metrics.record_notice(n) for n in plan.notices]
            inputs = self._stage(plan, work)
            encoder, encoder_notices = choose_encoder(
                plan.encoder, ffmpeg.ffmpeg_path(), self.settings.encoder_threads
            )
            run.encoder = encoder.codec
            notices += [metrics.record_notice(n) for n in encoder_notices]
            timeline, geometry = plan.timeline, plan.geometry
            captions = inputs.srt or inputs.vtt
            job = self.encode_job(
                plan, encoder, output="video.mp4",
                soundtrack=inputs.soundtrack.name if inputs.soundtrack else None,
                subtitles=captions.name if captions else None, copy_audio=self._copy_audio(plan, inputs.soundtrack),
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
                run.encoder = encoder.codec
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

    def _encode(
        self, plan: CompositionPlan, job: EncodeJob, inputs: StagedInputs, work: Path,
        on_frame: Callable[[int, object], None], cancel: threading.Event | None, frames: tuple[int, int] | None = None,
    ) -> int:
        """Render the frames (all, or the range `frames`) into one ffmpeg; returns the frame count.
        EncodeFailed on ffmpeg errors."""
        renderer = self.renderer(plan, inputs.keyframes)
        start, end = frames or (0, plan.timeline.frame_count)
        try:
            # ffmpeg runs in the work dir on relative names: its messages carry no host paths.
            with FFmpegPipe(encode_argv(job), cwd=work) as pipe:
                written = pump(
                    renderer.frames(start, end), pipe.write, depth=self.settings.frame_queue, on_frame=on_frame,
                    cancel=cancel,
                )
                pipe.finish(timeout=self.settings.ffmpeg_timeout_s)
        except ffmpeg.FFmpegError as exc:
            raise EncodeFailed(f"encoding failed: {exc.message}", exc.stderr) from exc
        return written

    # -- segment-parallel compose ---------------------------------------------------------------
    def render_segment(
        self, plan: CompositionPlan, start: int, end: int, *, progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> SegmentOutcome:
        """Frames [start, end) as a video-only MP4 in the store, and the stills the join needs that
        fall in the range. The soundtrack and captions of the plan are not read (the join muxes them)."""
        check_range(plan.timeline, start, end)
        started = time.perf_counter()
        with self._accounted("segment_") as run:
            work = run.work
            notices = [metrics.record_notice(n) for n in plan.notices]
            inputs = self._stage(plan, work, keyframes_only=True)
            # A segment's encoder must be the same on every replica: "auto" resolves to what the
            # join can concatenate only if all agree, so segments are always software x264 unless
            # the request names NVENC explicitly.
            codec = plan.encoder if plan.encoder.codec != "auto" else replace(plan.encoder, codec=X264)
            encoder, encoder_notices = choose_encoder(codec, ffmpeg.ffmpeg_path(), self.settings.encoder_threads)
            run.encoder = encoder.codec
            notices += [metrics.record_notice(n) for n in encoder_notices]
            job = replace(self.encode_job(plan, encoder, output="segment.mp4"), frame_count=end - start)
            stills = StillCollector(plan.timeline, self.settings.thumbnail_width, self.settings.contact_sheet_max_tiles)
            throttle = ProgressThrottle(
                end - start, progress, self.settings.progress_every_frames, self.settings.progress_max_interval_s
            )

            def on_frame(count: int, frame: object) -> None:
                stills.offer(start + count - 1, frame)  # type: ignore[arg-type]
                throttle.update(count)

            written = self._encode(plan, job, inputs, work, on_frame, cancel, frames=(start, end))
            metrics.FRAMES_ENCODED.labels(encoder=encoder.codec).inc(written)
            g = plan.geometry
            verify_output(work / job.output, Expected(g.width, g.height, plan.fps, end - start, False, False))
            key = f"{plan.output_prefix}/segments/{start:08d}-{end:08d}"
            video = OutputArtifact("segment.mp4", "video", self.store.put_file(f"{key}.mp4", work / job.output))
            kept: list[SegmentStill] = []
            if stills.poster is not None:
                poster = self._put_png(f"{key}-poster.png", stills.poster)
                kept.append(SegmentStill(stills.poster_frame, "poster", -1, poster))
            for frame, scene in stills.tile_frames.items():
                if scene in stills.tiles:
                    tile = self._put_png(f"{key}-tile-{scene:04d}.png", stills.tiles[scene])
                    kept.append(SegmentStill(frame, "tile", scene, tile))
            return SegmentOutcome(
                video, start, end, tuple(kept), encoder.codec, tuple(notices), time.perf_counter() - started
            )

    def join_segments(self, plan: CompositionPlan, segments: Sequence[SegmentOutcome]) -> ComposeOutcome:
        """The film from its segments: video stream-copied in order, soundtrack and captions muxed
        once, verified like a single-pass compose (frame count exact), stills assembled."""
        started = time.perf_counter()
        check_tiling(plan.timeline, [(s.start, s.end) for s in segments])
        encoders = {s.encoder for s in segments}
        if len(encoders) != 1:
            raise InvalidArgument.field("segments", f"segments were encoded with different encoders {sorted(encoders)}")
        with self._accounted("join_") as run:
            run.encoder = "copy"
            work = run.work
            notices = [metrics.record_notice(n) for n in plan.notices]
            inputs = self._stage(plan, work, keyframes_only=False, with_keyframes=False)
            names = []
            for i, segment in enumerate(segments):
                names.append(self._stage_one(segment.video.stored.uri, work / f"segment-{i:04d}.mp4").name)
            (work / "segments.ffconcat").write_text(
                "ffconcat version 1.0\n" + "".join(f"file '{name}'\n" for name in names)
            )
            codec = encoders.pop()
            captions = inputs.srt or inputs.vtt
            job = self.encode_job(
                plan, VideoEncoder(codec, plan.encoder.preset, plan.encoder.crf), output="video.mp4",
                soundtrack=inputs.soundtrack.name if inputs.soundtrack else None,
                subtitles=captions.name if captions else None, copy_audio=self._copy_audio(plan, inputs.soundtrack),
            )
            try:
                ffmpeg.run(join_argv(job, "segments.ffconcat"), timeout=self.settings.ffmpeg_timeout_s, cwd=work)
            except ffmpeg.FFmpegError as exc:
                raise EncodeFailed(f"joining the segments failed: {exc.message}", exc.stderr) from exc
            g, timeline = plan.geometry, plan.timeline
            verify_output(
                work / job.output,
                Expected(g.width, g.height, timeline.fps, timeline.frame_count,
                         audio=job.soundtrack is not None, subtitles=job.subtitles is not None),
            )
            stills = StillCollector(timeline, self.settings.thumbnail_width, self.settings.contact_sheet_max_tiles)
            for segment in segments:
                for still in segment.stills:
                    image = self._get_png(still.stored.uri, work / "still.png")
                    if still.kind == "poster":
                        stills.poster = image
                    elif still.kind == "tile":
                        stills.tiles[still.scene] = image
            for segment in segments:
                notices += [n for n in segment.warnings if n not in notices]
            artifacts = self._publish(plan, work, job, stills, inputs, notices)
            seconds = time.perf_counter() - started
            return ComposeOutcome(
                *artifacts, frame_count=timeline.frame_count, duration_s=timeline.duration_s, fps=timeline.fps,
                width=g.width, height=g.height, encoder=codec, warnings=tuple(notices), seconds=seconds,
            )

    def _put_png(self, key: str, image: object) -> StoredObject:
        ok, data = cv2.imencode(".png", image)  # type: ignore[call-overload]
        if not ok:
            raise Internal("PNG encoding of a still failed")
        return self.store.put_bytes(key, data.tobytes(), "image/png")

    def _get_png(self, uri: str, dest: Path) -> np.ndarray:
        path = self._stage_one(uri, dest)
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        path.unlink(missing_ok=True)
        if image is None:
            raise Internal("a segment's still could not be read back")
        return image

    def render_raw(self, plan: CompositionPlan, dest: str | os.PathLike[str]) -> int:
        """Write the plan's frames as raw yuv420p to a file instead of encoding them (the benchmark's
        encode floor feeds this file to the very same ffmpeg command). Returns the frame count."""
        work = self._work_dir()
        try:
            inputs = self._stage(plan, work)
            with open(dest, "wb") as out:
                return pump(self.renderer(plan, inputs.keyframes).frames(), out.write, depth=self.settings.frame_queue)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _copy_audio(self, plan: CompositionPlan, soundtrack: Path | None) -> bool:
        """AAC of the film's length (the audio service's m4a) is muxed as it is: re-encoding it
        would cost seconds of CPU and a generation of quality."""
        if soundtrack is None:
            return False
        try:
            info = json.loads(ffmpeg.run(ffmpeg.probe_argv(soundtrack), timeout=60))
        except (CinesynthError, ValueError):
            return False  # the encode reads it anyway and reports what is wrong with it
        return audio_copyable(info, plan.timeline.duration_s, plan.fps)

    def encode_job(
        self, plan: CompositionPlan, encoder: VideoEncoder, *, output: str, soundtrack: str | None = None,
        subtitles: str | None = None, video_input: str = "pipe:0", copy_audio: bool = False,
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
            copy_audio=copy_audio and soundtrack is not None,
        )

    def renderer(self, plan: CompositionPlan, keyframes: tuple[Path, ...]) -> FrameRenderer:
        """The frame source of a plan; keyframes are read and graded once, when their scene starts."""
        geometry = plan.geometry

        def layer(index: int) -> SceneLayer | ClipLayer:
            clip = keyframes[index].with_name(f"clip-{index:03d}.mp4")
            if plan.request.scenes[index].clip_uri and clip.exists():
                frames = decode_clip(clip, f"scenes[{index}].clip_uri")
                span = plan.timeline.scenes[index]
                return ClipLayer(frames, plan.grade, geometry.width, geometry.picture_height, span.move,
                                 span.visible_end - span.visible_start)
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

    @contextlib.contextmanager
    def _accounted(self, kind: str) -> Iterator[_Run]:
        """A work dir for one job, removed afterwards, and the job counted by encoder and outcome
        (`kind` prefixes the outcome: "", "segment_", "join_")."""
        run = _Run(self._work_dir())
        outcome = "failed"
        try:
            yield run
            outcome = "ok"
        except Cancelled:
            outcome = "cancelled"
            raise
        except InvalidArgument:
            outcome = "invalid"
            raise
        finally:
            metrics.JOBS.labels(encoder=run.encoder, outcome=f"{kind}{outcome}").inc()
            shutil.rmtree(run.work, ignore_errors=True)

    def _work_dir(self) -> Path:
        root = self.settings.work_dir
        if root:
            Path(root).mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="compose-", dir=root))

    def _stage(
        self, plan: CompositionPlan, work: Path, *, keyframes_only: bool = False, with_keyframes: bool = True
    ) -> StagedInputs:
        request = plan.request
        keyframes = []
        bad = Collector()
        for i, scene in enumerate(request.scenes if with_keyframes else ()):
            path = self._stage_one(scene.keyframe_uri, work / f"keyframe-{i:03d}{_suffix(scene.keyframe_uri)}")
            if not cv2.haveImageReader(str(path)):
                bad.add(f"scenes[{i}].keyframe_uri", "not an image format OpenCV can read")
            keyframes.append(path)
            if scene.clip_uri:  # staged beside the keyframe; `renderer` finds it by name
                self._stage_one(scene.clip_uri, work / f"clip-{i:03d}.mp4")
        bad.raise_if_any()

        def optional(uri: str, name: str) -> Path | None:
            return self._stage_one(uri, work / name) if uri and not keyframes_only else None

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
