"""The orchestration of one job: storyboard -> (keyframes fanned out || soundtrack) -> compose.

Every stage checks the job's checkpoints first and skips what is already done, so a job resumed
on another replica, or after a restart, picks up at its last finished stage and never renders a
finished keyframe twice: each keyframe is checkpointed (URI + sha256) the moment it arrives.

Downstream calls carry deadlines (the stage's timeout, capped by what is left of the run) and are
cancelled with the job: cancelling the job's task cancels the in-flight gRPC calls, which the
workers see as a cancelled RPC.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Protocol, TypeVar

from google.protobuf import json_format
from grpc import aio

from gateway import scene_sound
from gateway.downstream import Downstream, RetryPolicy, generate_keyframe
from gateway.model import TIERS, ArtifactRecord, Job, KeyframeRecord, SoundtrackRecord, Stage
from gateway.stages.compose_segments import SegmentConfig, SegmentedCompose, SegmentsUnsupported
from gateway.stages.motion import MotionStage, MotionStageConfig, timeline_inputs, wants_upscale
from gateway.stages.results import unstorable_result
from gateway.stages.retry import StageRetry, call_until_back, keyframe_wait_warning
from gateway.stages.storyboard_overrides import apply_spec_overrides
from gateway.validation import MAX_DURATION_S, MIN_DURATION_S
from services.common import pb
from services.common.artifacts import ArtifactStore, guess_mime
from services.common.enums import enum_value, short_name
from services.common.errors import (
    CinesynthError,
    FailedPrecondition,
    Internal,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
    Unavailable,
    Unimplemented,
    from_rpc_error,
)
from services.common.metrics import FALLBACKS

T = TypeVar("T")

# A tier's pool that answers these cannot serve the job now: degrade when allowed.
# Share of the storyboard's camera move applied to draft (animatic card) keyframes.
DRAFT_MOTION_SCALE = 0.2
DEGRADE_ON = (ResourceExhausted, Unavailable, FailedPrecondition, Unimplemented)


class JobContext(Protocol):
    """What the pipeline needs from whoever runs the job (the JobRunner)."""

    job: Job

    def budget(self, stage_timeout_s: float) -> float:
        """Timeout for a downstream call: the stage's, capped by what is left of the run."""

    def stage_started(self, stage: Stage, message: str) -> None: ...

    def stage_finished(self, stage: Stage, message: str) -> None: ...

    def warn(self, code: str, message: str, stage: str) -> None: ...

    async def commit(self, *, persist: bool = True) -> None:
        """Publish the job's changes to watchers; persist now, or (False) soon (progress only)."""


class StageFailed(Exception):
    """A stage's domain error, with the stage it happened in."""

    def __init__(self, stage: Stage, error: CinesynthError) -> None:
        super().__init__(f"{stage.value}: {error.message}")
        self.stage = stage
        self.error = error


@dataclass(frozen=True)
class PipelineConfig:
    storyboard_timeout_s: float = 300.0
    analyze_timeout_s: float = 300.0
    keyframe_timeout_s: float = 600.0
    soundtrack_timeout_s: float = 600.0
    compose_timeout_s: float = 1800.0
    compose_attempts: int = 2
    compose_retry_wait_s: float = 120.0
    keyframe_concurrency: int = 4
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    stage_retry: StageRetry = field(default_factory=StageRetry)
    keyframe_pixels: dict[str, int] = field(default_factory=dict)
    imagegen_targets: dict[str, str] = field(default_factory=dict)
    imagegen_default_target: str = "127.0.0.1:50053"
    compose_presets: dict[str, str] = field(default_factory=dict)  # x264 preset per tier used
    segments: SegmentConfig = field(default_factory=SegmentConfig)
    motion: MotionStageConfig = field(default_factory=MotionStageConfig)
    served_tiers: tuple[str, ...] = TIERS  # tiers some pool is configured for

    def imagegen_target(self, tier: str) -> str:
        return self.imagegen_targets.get(tier) or self.imagegen_default_target


def keyframe_id(index: int) -> str:
    return f"scene-{index:02d}"


def keyframe_size(width: int, height: int, pixels: int) -> tuple[int, int]:
    """A size of about `pixels` with the output's aspect, both sides multiples of 8 (0 = the output size)."""
    if pixels <= 0:
        return width, height
    ratio = width / height
    w = max(64, round(math.sqrt(pixels * ratio) / 8) * 8)
    h = max(64, round(math.sqrt(pixels / ratio) / 8) * 8)
    return w, h


def artifact_record(artifact: pb.common_pb2.Artifact, name: str, kind: str) -> ArtifactRecord:
    return ArtifactRecord(
        name=name,
        uri=artifact.uri,
        mime_type=artifact.mime_type or "application/octet-stream",
        size_bytes=artifact.size_bytes,
        sha256=artifact.sha256,
        kind=kind,
    )


def _suffix(artifact: pb.common_pb2.Artifact, default: str) -> str:
    return PurePosixPath(artifact.name or artifact.uri).suffix or default


def _first_error(error: BaseException) -> BaseException:
    """The first real failure inside (nested) exception groups from a TaskGroup."""
    if isinstance(error, BaseExceptionGroup):
        leaves = [_first_error(e) for e in error.exceptions]
        real = [e for e in leaves if not isinstance(e, asyncio.CancelledError)]
        return (real or leaves)[0]
    return error


class TierRouter:
    """The tier keyframes of one job are requested at: the requested one, lower ones when allowed."""

    def __init__(self, requested: str, allow_degrade: bool, served: tuple[str, ...] = TIERS) -> None:
        index = TIERS.index(requested)
        lower = [t for t in reversed(TIERS[:index]) if t in served]
        # A tier no pool serves is skipped when a lower one may take over (CreateVideo refused the rest).
        start = [requested] if requested in served or not (allow_degrade and lower) else []
        self.candidates = [*start, *lower] if allow_degrade else [requested]
        self._index = 0

    @property
    def current(self) -> str:
        return self.candidates[self._index]

    def can_degrade(self, tier: str) -> bool:
        """Whether a lower tier may take over from `tier` (otherwise its keyframes wait for workers)."""
        return tier in self.candidates and self.candidates.index(tier) + 1 < len(self.candidates)

    def degrade(self, failed: str) -> tuple[str | None, bool]:
        """(the tier to try now or None, whether this call moved the job down)."""
        position = self.candidates.index(failed)
        if position < self._index:  # another keyframe already moved down
            return self.current, False
        if self._index + 1 >= len(self.candidates):
            return None, False
        self._index += 1
        return self.current, True


class Pipeline:
    def __init__(self, downstream: Downstream, artifacts: ArtifactStore, config: PipelineConfig) -> None:
        self.downstream = downstream
        self.artifacts = artifacts
        self.config = config
        self.motion_stage = MotionStage(downstream, config.motion)
        self._segmented: SegmentedCompose | None = None

    @property
    def segmented(self) -> SegmentedCompose:
        # Made on first compose, so a pipeline that never composes (music analysis, tests) needs no compositor pool.
        if self._segmented is None:
            self._segmented = SegmentedCompose(self.downstream.compositor_pool(), self.config.segments)
        return self._segmented

    async def run(self, ctx: JobContext) -> None:
        job = ctx.job
        if job.source_kind == "music":
            await self._analyze_music(ctx)
        if job.storyboard is None:
            await self._storyboard(ctx)
        storyboard = self._storyboard_proto(job)
        pending_keyframes = [
            (i, scene) for i, scene in enumerate(storyboard.scenes) if keyframe_id(i) not in job.keyframes
        ]
        segments: asyncio.Task[list[pb.compositor_pb2.SegmentResult] | None] | None = None
        try:
            async with asyncio.TaskGroup() as group:
                keyframes = group.create_task(self._keyframes(ctx, pending_keyframes)) if pending_keyframes else None
                if job.soundtrack is None:
                    group.create_task(self._soundtrack(ctx, storyboard))
                # Video segments beside the soundtrack, unless shots still get clips or upscaled stills first.
                stills_final = not (job.spec.motion_tier or wants_upscale(job))
                if not job.composed and self.config.segments.enabled and stills_final:
                    segments = group.create_task(self._render_segments(ctx, storyboard, keyframes))
        except BaseExceptionGroup as failures:
            raise _first_error(failures) from None
        if not job.composed:
            await self.motion_stage.clips(ctx, storyboard)
            await self.motion_stage.upscale(ctx, storyboard)
            await self._compose(ctx, storyboard, segments.result() if segments else None)
        await self._verify_artifacts(ctx)

    # --- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _storyboard_proto(job: Job) -> pb.common_pb2.Storyboard:
        return json_format.ParseDict(job.storyboard or {}, pb.common_pb2.Storyboard(), ignore_unknown_fields=True)

    @staticmethod
    async def _call(stage: Stage, call: Callable[[], Coroutine[Any, Any, T]]) -> T:
        try:
            return await call()
        except aio.AioRpcError as exc:
            raise StageFailed(stage, from_rpc_error(exc)) from None
        except CinesynthError as exc:
            raise StageFailed(stage, exc) from None

    def _until_back(
        self, ctx: JobContext, stage: Stage, service: str, call: Callable[[], Coroutine[Any, Any, T]]
    ) -> Coroutine[Any, Any, T]:
        """`call` again while the service is unreachable, within the stage's retry budget."""
        return call_until_back(
            ctx, stage, f"{service} service", call,
            wait_ready=lambda timeout: self.downstream.wait_ready(service, timeout), retry=self.config.stage_retry,
        )

    @staticmethod
    def _check_result(stage: Stage, service: str, message: Any, fields: tuple[str, ...] | None = None) -> None:
        error = unstorable_result(service, message, fields)
        if error is not None:
            raise StageFailed(stage, error)

    def _forward_warnings(self, ctx: JobContext, warnings: Any, stage: Stage) -> None:
        for warning in warnings:
            ctx.warn(warning.code, warning.message, warning.stage or stage.value)

    async def _verify_artifacts(self, ctx: JobContext) -> None:
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

        bad = await self._call(Stage.COMPOSE, lambda: asyncio.to_thread(problems))
        if bad:
            ctx.job.artifacts = [a for a in ctx.job.artifacts if a.name not in bad]
            summary = "; ".join(f"{name} {why}" for name, why in bad.items())
            raise StageFailed(Stage.COMPOSE, Internal(f"the artifact store does not hold what was reported: {summary}"))

    # --- stages --------------------------------------------------------------------------------

    async def _analyze_music(self, ctx: JobContext) -> None:
        """Music-video mode: tempo, beats, sections and energy of the track, checkpointed on the job.

        An upload was analysed when it was confirmed as audio: that analysis is reused (same bytes,
        same result); a library track is analysed here.
        """
        job = ctx.job
        music = job.music
        if job.music_analysis is not None:
            return
        if music is None or not music.track_uri:
            raise StageFailed(Stage.ANALYZE_MUSIC, Internal("the job has no music track"))
        ctx.stage_started(Stage.ANALYZE_MUSIC, "analysing the track")
        await ctx.commit()
        analysis = await self._stored_analysis(music.analysis_uri) if music.analysis_uri else None
        if analysis is None:
            stub = self.downstream.audio
            assert stub is not None
            request = pb.audio_pb2.AnalyzeMusicRequest(track_uri=music.track_uri)
            response = await self._call(Stage.ANALYZE_MUSIC, lambda: self._until_back(
                ctx, Stage.ANALYZE_MUSIC, "audio",
                lambda: stub.AnalyzeMusic(request, timeout=ctx.budget(self.config.analyze_timeout_s)),
            ))
            self._check_result(Stage.ANALYZE_MUSIC, "audio service", response, ("analysis",))
            analysis = response.analysis
        if not MIN_DURATION_S <= analysis.duration_s <= MAX_DURATION_S:
            raise StageFailed(Stage.ANALYZE_MUSIC, InvalidArgument.field(
                "music", f"the track is {analysis.duration_s:.1f} s long; a music video is "
                f"{MIN_DURATION_S:g}..{MAX_DURATION_S:g} s",
            ))
        job.music_analysis = json_format.MessageToDict(analysis, preserving_proto_field_name=True)
        job.spec.duration_s = analysis.duration_s  # the track's length is the video's
        name = f"music{PurePosixPath(music.track_name).suffix or '.audio'}"
        job.put_artifact(ArtifactRecord(
            name, music.track_uri, guess_mime(music.track_name), music.track_size_bytes, music.track_sha256, "music"
        ))
        ctx.stage_finished(
            Stage.ANALYZE_MUSIC,
            f"track analysed: {analysis.duration_s:.1f} s, {analysis.tempo_bpm:.0f} BPM, "
            f"{len(analysis.section_boundaries_s) + 1} sections",
        )
        await ctx.commit()

    async def _stored_analysis(self, uri: str) -> pb.common_pb2.MusicAnalysis | None:
        try:
            raw = await asyncio.to_thread(self.artifacts.get_bytes, uri)
            return json_format.Parse(raw, pb.common_pb2.MusicAnalysis(), ignore_unknown_fields=True)
        except (CinesynthError, OSError, json_format.ParseError):
            return None  # gone or unreadable: analyse the track again

    async def _storyboard(self, ctx: JobContext) -> None:
        job, spec = ctx.job, ctx.job.spec
        ctx.stage_started(Stage.STORYBOARD, "writing the storyboard")
        await ctx.commit()
        request = pb.storyboard_pb2.CreateStoryboardRequest(
            prompt=job.prompt,
            scene_count=spec.scene_count,
            duration_s=spec.duration_s,
            style=spec.style,
            seed=spec.seed,
            backend=enum_value(pb.common_pb2.StoryboardBackend, "STORYBOARD_BACKEND_", spec.storyboard_backend),
        )
        if job.source_storyboard is not None:
            json_format.ParseDict(job.source_storyboard, request.storyboard, ignore_unknown_fields=True)
        if job.music is not None and job.music_analysis is not None:
            # Music-video mode: cuts on downbeats and section changes, an MV description, lyrics per scene.
            # Without a prompt the storyboard writes the video from the MV type and the genre tags.
            context = request.music_context
            json_format.ParseDict(job.music_analysis, context.analysis, ignore_unknown_fields=True)
            context.genre_tags.extend(job.music.genre_tags)
            context.mv_type = enum_value(pb.common_pb2.MvType, "MV_TYPE_", job.music.mv_type)
            context.lyrics = job.music.lyrics
        stub = self.downstream.storyboard
        assert stub is not None
        response = await self._call(Stage.STORYBOARD, lambda: self._until_back(
            ctx, Stage.STORYBOARD, "storyboard",
            lambda: stub.CreateStoryboard(request, timeout=ctx.budget(self.config.storyboard_timeout_s)),
        ))
        self._check_result(Stage.STORYBOARD, "storyboard service", response, ("storyboard",))
        storyboard = response.storyboard
        if not storyboard.scenes:
            raise StageFailed(Stage.STORYBOARD, Internal("the storyboard service returned no scenes"))
        self._forward_warnings(ctx, storyboard.provenance.warnings, Stage.STORYBOARD)
        apply_spec_overrides(storyboard, spec)  # the document says what the film does
        # Zero values stay in the document (scene index 0, a cut's 0 s transition): it is read by people
        # and by `cinesynth soundtrack`, not only by protobuf.
        document = json_format.MessageToDict(
            storyboard, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
        )
        body = json.dumps(document, indent=2, ensure_ascii=False).encode()
        stored = await self._call(
            Stage.STORYBOARD,
            lambda: asyncio.to_thread(
                self.artifacts.put_bytes, f"jobs/{job.id}/storyboard.json", body, "application/json"
            ),
        )
        job.storyboard = document
        job.keyframes_total = len(storyboard.scenes)
        if job.source_kind == "music":  # the music chose the cuts; the storyboard wrote the theme
            job.spec.scene_count = len(storyboard.scenes)
            job.prompt = job.prompt or storyboard.prompt
        job.put_artifact(
            ArtifactRecord(
                "storyboard.json", stored.uri, stored.mime_type, stored.size_bytes, stored.sha256, "storyboard"
            )
        )
        ctx.stage_finished(Stage.STORYBOARD, f"storyboard ready: {len(storyboard.scenes)} scenes")
        await ctx.commit()

    async def _keyframes(self, ctx: JobContext, pending: list[tuple[int, pb.common_pb2.Scene]]) -> None:
        job = ctx.job
        ctx.stage_started(Stage.KEYFRAMES, f"rendering {len(pending)} keyframes")
        await ctx.commit()
        router = TierRouter(job.spec.tier, job.spec.allow_degrade, self.config.served_tiers)
        if router.current != job.spec.tier:
            message = f"no pool serves tier {job.spec.tier}; rendering at {router.current} (degrading is allowed)"
            ctx.warn("tier_degraded", message, Stage.KEYFRAMES.value)
        slots = asyncio.Semaphore(self.config.keyframe_concurrency)

        async def one(index: int, scene: pb.common_pb2.Scene) -> None:
            async with slots:
                tier, keyframe = await self._render(ctx, router, index, scene)
            self._record_keyframe(ctx, index, tier, keyframe)
            await ctx.commit()

        try:
            async with asyncio.TaskGroup() as group:
                for index, scene in pending:
                    group.create_task(one(index, scene))
        except BaseExceptionGroup as failures:
            raise _first_error(failures) from None
        ctx.stage_finished(Stage.KEYFRAMES, f"{job.keyframes_done}/{job.keyframes_total} keyframes rendered")
        await ctx.commit()

    async def _render(
        self, ctx: JobContext, router: TierRouter, index: int, scene: pb.common_pb2.Scene
    ) -> tuple[str, pb.imagegen_pb2.Keyframe]:
        job = ctx.job
        tier = router.current
        while True:
            width, height = keyframe_size(job.spec.width, job.spec.height, self.config.keyframe_pixels.get(tier, 0))
            request = pb.imagegen_pb2.GenerateKeyframesRequest(
                keyframes=[
                    pb.imagegen_pb2.KeyframeSpec(
                        id=keyframe_id(index),
                        prompt=scene.visual_prompt or scene.description or job.prompt,
                        negative_prompt=scene.negative_prompt,
                        width=width,
                        height=height,
                        seed=job.spec.seed,
                        tier=enum_value(pb.common_pb2.Tier, "TIER_", tier),
                        scene=scene,
                    )
                ],
                allow_degrade=job.spec.allow_degrade,
                output_prefix=f"jobs/{job.id}/keyframes",
                job_id=job.id,
            )
            pool = self.downstream.imagegen_pool(self.config.imagegen_target(tier))
            try:
                keyframe = await generate_keyframe(
                    pool, request, timeout=ctx.budget(math.inf), call_timeout_s=self.config.keyframe_timeout_s,
                    policy=self.config.retry, patient=not router.can_degrade(tier), tier=tier,
                    on_wait=lambda notice, t=tier: keyframe_wait_warning(ctx, t, notice),
                )
                self._check_result(Stage.KEYFRAMES, "image worker", keyframe, ("image", "seconds"))
                return tier, keyframe
            except DEGRADE_ON as exc:
                lower, moved = router.degrade(tier)
                if lower is None:
                    raise StageFailed(Stage.KEYFRAMES, exc) from None
                if moved:
                    FALLBACKS.labels("keyframes", "tier_degraded").inc()
                    ctx.warn(
                        "tier_degraded",
                        f"tier {tier} could not render ({exc.code.name}: {exc.message}); degraded to {lower}",
                        Stage.KEYFRAMES.value,
                    )
                tier = lower
            except CinesynthError as exc:
                raise StageFailed(Stage.KEYFRAMES, exc) from None

    def _record_keyframe(self, ctx: JobContext, index: int, tier: str, keyframe: pb.imagegen_pb2.Keyframe) -> None:
        job = ctx.job
        key = keyframe_id(index)
        used = short_name(pb.common_pb2.Tier, "TIER_", keyframe.tier) or tier
        if used in TIERS and TIERS.index(used) < TIERS.index(tier):
            ctx.warn("tier_degraded", f"a worker rendered tier {used} instead of {tier}", Stage.KEYFRAMES.value)
        self._forward_warnings(ctx, keyframe.warnings, Stage.KEYFRAMES)
        name = f"keyframes/{key}{_suffix(keyframe.image, '.png')}"
        job.keyframes[key] = KeyframeRecord(
            id=key,
            scene_index=index,
            artifact=artifact_record(keyframe.image, name, "keyframe"),
            model=keyframe.model,
            tier=used,
            seed=keyframe.seed,
            width=keyframe.width,
            height=keyframe.height,
            cached=keyframe.cached,
        )
        job.put_artifact(job.keyframes[key].artifact)
        job.keyframes_done = len(job.keyframes)
        tiers = [k.tier for k in job.keyframes.values() if k.tier in TIERS]
        job.tier_used = min(tiers, key=TIERS.index) if tiers else ""
        job.model_used = ", ".join(sorted({k.model for k in job.keyframes.values() if k.model}))
        job.message = f"keyframe {job.keyframes_done}/{job.keyframes_total} rendered ({key}, {used})"

    async def _compose_with_retry(
        self, ctx: JobContext, request: pb.compositor_pb2.ComposeVideoRequest
    ) -> pb.compositor_pb2.ComposeResult:
        """ComposeVideo; a compositor lost mid-encode (UNAVAILABLE) is called again once it is back,
        `compose_attempts` calls in all. Any other failure is final at once."""
        attempts = self.config.compose_attempts
        attempt = 1
        while True:
            try:
                return await self._compose_once(ctx, request)
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
        self, ctx: JobContext, request: pb.compositor_pb2.ComposeVideoRequest
    ) -> pb.compositor_pb2.ComposeResult:
        job = ctx.job
        stub = self.downstream.compositor
        assert stub is not None
        call = stub.ComposeVideo(request, timeout=ctx.budget(self.config.compose_timeout_s))

        async def consume() -> pb.compositor_pb2.ComposeResult | None:
            result = None
            async for response in call:
                if response.HasField("progress"):
                    job.frames_done = response.progress.frames_done
                    job.frames_total = response.progress.frames_total
                    job.message = f"composing: frame {job.frames_done}/{job.frames_total}"
                    await ctx.commit(persist=False)
                elif response.HasField("result"):
                    result = response.result
            return result

        try:
            result = await self._call(Stage.COMPOSE, consume)
        finally:
            call.cancel()
        if result is None or not result.video.uri:
            raise StageFailed(Stage.COMPOSE, Internal("the compositor finished without a video"))
        return result

    async def _soundtrack(self, ctx: JobContext, storyboard: pb.common_pb2.Storyboard) -> None:
        job, spec = ctx.job, ctx.job.spec
        ctx.stage_started(Stage.SOUNDTRACK, "making the soundtrack")
        await ctx.commit()
        music_video = job.source_kind == "music" and job.music is not None
        # A music video is not narrated (nor captioned with the narration) unless it asks to be.
        narrated = not music_video or (job.music is not None and job.music.narration)
        request = pb.audio_pb2.CreateSoundtrackRequest(
            scenes=[
                pb.audio_pb2.SoundtrackScene(
                    index=i, narration=scene.narration if narrated else "", duration_s=scene.duration_s
                )
                for i, scene in enumerate(storyboard.scenes)
            ],
            music_brief=storyboard.music,
            total_duration_s=storyboard.total_duration_s or spec.duration_s,
            voice=pb.common_pb2.VoiceOptions(
                voice=spec.voice.voice, language=spec.voice.language, speaking_rate=spec.voice.speaking_rate
            ),
            music_source=enum_value(pb.common_pb2.MusicSource, "MUSIC_SOURCE_", spec.music_source),
            output_prefix=f"jobs/{job.id}/audio",
            job_id=job.id,
            seed=spec.seed,
        )
        scene_sound.add_to_request(request, storyboard, spec.scene_sound)
        if music_video:
            assert job.music is not None
            # The track is the soundtrack (loudness-normalised, never ducked); lyrics become the captions.
            request.music_uri = job.music.track_uri
            request.music_is_soundtrack = True
            request.ClearField("music_source")  # the track named by music_uri is the music
            request.lyrics = job.music.lyrics
        stub = self.downstream.audio
        assert stub is not None
        response = await self._call(Stage.SOUNDTRACK, lambda: self._until_back(
            ctx, Stage.SOUNDTRACK, "audio",
            lambda: stub.CreateSoundtrack(request, timeout=ctx.budget(self.config.soundtrack_timeout_s)),
        ))
        self._check_result(Stage.SOUNDTRACK, "audio service", response, ("duration_s", "aac", "wav", "srt", "vtt"))
        audio = response.aac if response.aac.uri else response.wav
        if not audio.uri:
            raise StageFailed(Stage.SOUNDTRACK, Internal("the audio service returned no soundtrack"))
        self._forward_warnings(ctx, response.warnings, Stage.SOUNDTRACK)
        job.put_artifact(artifact_record(audio, f"soundtrack{_suffix(audio, '.m4a')}", "soundtrack"))
        # A music video without lyrics or narration has no captions: no empty caption track.
        captions = spec.captions and not (music_video and not response.captions)
        if captions:
            if response.srt.uri:
                job.put_artifact(artifact_record(response.srt, "captions.srt", "captions_srt"))
            if response.vtt.uri:
                job.put_artifact(artifact_record(response.vtt, "captions.vtt", "captions_vtt"))
        music = short_name(pb.common_pb2.MusicSource, "MUSIC_SOURCE_", response.music_source_used)
        job.soundtrack = SoundtrackRecord(
            audio_uri=audio.uri,
            srt_uri="" if music_video and not captions else response.srt.uri,
            vtt_uri="" if music_video and not captions else response.vtt.uri,
            duration_s=response.duration_s,
            voice_used=response.voice_used,
            music_source_used=music,
            music_title=response.music_title,
            **scene_sound.record_fields(response),
        )
        ctx.stage_finished(
            Stage.SOUNDTRACK, f"soundtrack ready ({response.voice_used or 'no'} voice, {music or 'no'} music)"
        )
        await ctx.commit()

    async def _render_segments(
        self, ctx: JobContext, storyboard: pb.common_pb2.Storyboard, keyframes: asyncio.Task[None] | None
    ) -> list[pb.compositor_pb2.SegmentResult] | None:
        """The film's video in segments across the compositor replicas (gateway/stages/
        compose_segments.py), once the keyframes exist; None when the compositor cannot."""
        if keyframes is not None:
            await keyframes
        job = ctx.job
        video = self._compose_request(job, storyboard, None)
        budget = ctx.budget(self.config.compose_timeout_s)
        try:
            plan = await self._call(Stage.COMPOSE, lambda: self.segmented.plan(video, budget))
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
        return await self._call(Stage.COMPOSE, lambda: self.segmented.render(video, plan, progress, budget))

    async def _compose(
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
        request = self._compose_request(job, storyboard, soundtrack)
        if segments is None:
            result = await self._compose_with_retry(ctx, request)
        else:
            budget = ctx.budget(self.config.compose_timeout_s)
            result = await self._call(Stage.COMPOSE, lambda: self.segmented.join(request, segments, budget))
        self._finish_compose(ctx, result)
        await ctx.commit()

    def _compose_request(
        self, job: Job, storyboard: pb.common_pb2.Storyboard, soundtrack: SoundtrackRecord | None
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
            encoder=pb.compositor_pb2.EncoderOptions(preset=self.config.compose_presets.get(job.tier_used, "")),
        )

    def _finish_compose(self, ctx: JobContext, result: pb.compositor_pb2.ComposeResult) -> None:
        job, spec = ctx.job, ctx.job.spec
        self._check_result(Stage.COMPOSE, "compositor", result, ("duration_s", "video", "poster", "srt", "vtt"))
        self._forward_warnings(ctx, result.warnings, Stage.COMPOSE)
        job.put_artifact(artifact_record(result.video, "video.mp4", "video"))
        if result.poster.uri:
            job.put_artifact(artifact_record(result.poster, f"poster{_suffix(result.poster, '.jpg')}", "poster"))
        if result.contact_sheet.uri:
            sheet = f"contact_sheet{_suffix(result.contact_sheet, '.jpg')}"
            job.put_artifact(artifact_record(result.contact_sheet, sheet, "contact_sheet"))
        if spec.captions and result.srt.uri:
            job.put_artifact(artifact_record(result.srt, "captions.srt", "captions_srt"))
        if spec.captions and result.vtt.uri:
            job.put_artifact(artifact_record(result.vtt, "captions.vtt", "captions_vtt"))
        job.frames_done = job.frames_total = result.frame_count or job.frames_total
        job.composed = True
        ctx.stage_finished(
            Stage.COMPOSE, f"film composed: {result.frame_count} frames, {result.duration_s:.1f} s ({result.encoder})"
        )
