"""The motion core: select and load an image-to-video model, render shot clips, store them. No gRPC.

Each clip: the keyframe is read from the store and fitted to the model's size, the storyboard's camera
and intensity become the model's controls, the shot is rendered in one or more chained calls, encoded
to an MP4 and stored content-addressed (same model + keyframe + controls + size + frames + seed = same
key: a resumed job never renders a finished clip twice). Out of memory: free the cache, retry once with
memory savers, then RESOURCE_EXHAUSTED (the gateway degrades the shot to Ken Burns when allowed).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import logging
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from services.common import ffmpeg
from services.common.artifacts import ArtifactStore
from services.common.errors import Collector, FailedPrecondition, NotFound, ResourceExhausted
from services.common.metrics import FALLBACKS
from services.common.notices import Notice as BaseNotice
from services.compositor.spec import CameraMotion
from services.imagegen.device import Device, GenerationAttempt
from services.imagegen.selection import SelectionPlan, model_id
from services.imagegen.weights import WeightLocator
from services.motion import metrics
from services.motion.catalog import MotionCatalog, MotionModelEntry, MotionTier, load_motion_catalog
from services.motion.clips import SegmentPlan, clip_encode_argv, fit_image, model_size, plan_segments, render_shot
from services.motion.controls import controls_for
from services.motion.models import MotionModel, SegmentCall, load_motion_model
from services.motion.selection import select_motion_model
from services.motion.settings import MotionSettings

log = logging.getLogger(__name__)

STAGE = "motion"
CACHE_PREFIX = "cache/motion"
# Bump when a change makes old cached clips wrong for the same parameters.
CACHE_VERSION = 1
MAX_DURATION_S = 120.0
MAX_SIDE = 2048


@dataclass(frozen=True)
class Notice(BaseNotice):
    stage: str = STAGE


@dataclass(frozen=True)
class ClipRequest:
    id: str
    keyframe_uri: str
    duration_s: float
    prompt: str = ""
    negative_prompt: str = ""
    width: int = 0
    height: int = 0
    camera: CameraMotion = field(default_factory=CameraMotion)
    motion_intensity: float = 0.0
    seed: int = 0
    tier: MotionTier | None = None
    steps: int = 0


@dataclass(frozen=True)
class GenerateClipsRequest:
    clips: Sequence[ClipRequest]
    output_prefix: str
    allow_degrade: bool = False
    job_id: str = ""


@dataclass(frozen=True)
class ClipResult:
    id: str
    uri: str
    name: str
    size_bytes: int
    sha256: str
    frame_count: int
    fps: float
    width: int
    height: int
    model: str
    tier: MotionTier
    seed: int
    segments: int
    seconds: float
    cached: bool
    # The model performed the storyboard's camera move (the compositor must not add it again).
    camera_in_clip: bool
    warnings: tuple[Notice, ...] = ()


@dataclass(frozen=True)
class MotionNodeInfo:
    device_kind: str
    device_name: str
    vram_total_bytes: int
    vram_free_bytes: int
    tier: MotionTier
    model: str
    loaded: bool
    inflight: int
    queue_depth: int
    selection_reasons: tuple[str, ...]


class MotionCore:
    def __init__(
        self, settings: MotionSettings, *, store: ArtifactStore, device: Device, catalog: MotionCatalog | None = None
    ) -> None:
        self.settings = settings
        self.store = store
        self.device = device
        self.catalog = catalog or load_motion_catalog(settings.motion_catalog)
        self.locator = WeightLocator(
            settings.model_dir, tiny_model_path=settings.tiny_model_path, allow_download=settings.allow_download
        )
        self.plan: SelectionPlan | None = None
        self.model: MotionModel | None = None
        self.entry: MotionModelEntry = self.catalog.ken_burns
        self.reasons: list[str] = []
        self._slots = asyncio.Semaphore(settings.motion_max_concurrency)
        self._inflight = 0
        self._waiting = 0

    # -- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        await asyncio.to_thread(self._load)

    def _load(self) -> None:
        max_tier = MotionTier(self.settings.motion_max_tier) if self.settings.motion_max_tier else None
        plan = select_motion_model(
            self.catalog, self.device.info(), self.locator, reserve_gb=self.settings.vram_reserve_gb,
            pinned=self.settings.motion_model, max_tier=max_tier,
        )
        self.plan, self.reasons = plan, list(plan.reasons)
        for candidate in (plan.selected, *plan.fallbacks):
            entry = candidate.entry
            if entry.tier is MotionTier.KEN_BURNS:  # type: ignore[comparison-overlap]
                self.entry = entry  # type: ignore[assignment]
                break
            try:
                self.model, notes = load_motion_model(
                    entry, candidate.location, self.device, self.locator, self.settings.motion_dtype  # type: ignore[arg-type]
                )
            except Exception as exc:  # any load failure moves on to the next candidate
                FALLBACKS.labels(STAGE, "motion_model_load_failed").inc()
                self.reasons.append(f"{entry.name}: loading failed ({type(exc).__name__}: {exc}); trying the next")
                log.warning("motion model load failed", extra={"model": entry.name, "error": str(exc)})
                continue
            self.entry = entry  # type: ignore[assignment]
            self.reasons += notes
            break
        metrics.MODEL_INFO.labels(model_id(self.entry), self.entry.tier.value, self.device.kind).set(1)  # type: ignore[arg-type]

    async def stop(self) -> None:
        if self.model is not None:
            self.model.close()

    def node_info(self) -> MotionNodeInfo:
        info = self.device.info()
        return MotionNodeInfo(
            info.kind, info.name, info.total_bytes, info.free_bytes, self.entry.tier,
            model_id(self.entry), self.model is not None, self._inflight, self._waiting,  # type: ignore[arg-type]
            tuple(self.reasons),
        )

    # -- requests -------------------------------------------------------------------------------
    def validate(self, request: GenerateClipsRequest) -> None:
        bad = Collector()
        bad.check(bool(request.clips), "clips", "at least one clip is required")
        bad.check(
            len(request.clips) <= self.settings.motion_max_clips, "clips",
            f"at most {self.settings.motion_max_clips} clips per request, got {len(request.clips)}",
        )
        bad.check(bool(request.output_prefix.strip()), "output_prefix", "required")
        seen: set[str] = set()
        for i, clip in enumerate(request.clips):
            where = f"clips[{i}]"
            bad.check(bool(clip.id.strip()), f"{where}.id", "required")
            bad.check(clip.id not in seen, f"{where}.id", f"duplicate id {clip.id!r}")
            seen.add(clip.id)
            bad.check(bool(clip.keyframe_uri), f"{where}.keyframe_uri", "required")
            bad.check(
                0 < clip.duration_s <= MAX_DURATION_S, f"{where}.duration_s",
                f"must be in (0, {MAX_DURATION_S:g}] seconds, got {clip.duration_s!r}",
            )
            for side, value in (("width", clip.width), ("height", clip.height)):
                bad.check(
                    value == 0 or (64 <= value <= MAX_SIDE and value % 2 == 0), f"{where}.{side}",
                    f"must be 0 (the model's default) or even in 64..{MAX_SIDE}, got {value}",
                )
            bad.check(
                0.0 <= clip.motion_intensity <= 1.0, f"{where}.motion_intensity",
                f"must be in 0..1, got {clip.motion_intensity!r}",
            )
            bad.check(0 <= clip.steps <= 200, f"{where}.steps", f"must be in 0..200, got {clip.steps}")
            bad.check(
                clip.tier is not MotionTier.KEN_BURNS, f"{where}.tier",
                "ken_burns is the compositor's camera move, not a clip: leave the scene without a clip",
            )
        bad.raise_if_any()

    async def generate(self, request: GenerateClipsRequest) -> AsyncIterator[ClipResult]:
        self.validate(request)
        if self.model is None:
            raise FailedPrecondition(
                "this motion worker has no image-to-video model loaded (Ken Burns only): "
                + (self.reasons[-1] if self.reasons else "not started")
            )
        for i, clip in enumerate(request.clips):
            notices: list[Notice] = []
            if clip.tier is not None and clip.tier > self.entry.tier:
                if not request.allow_degrade:
                    raise FailedPrecondition(
                        f"clips[{i}].tier {clip.tier.value} is above this worker's {self.entry.tier.value} "
                        f"({self.entry.name}) and allow_degrade is false"
                    )
                FALLBACKS.labels(STAGE, "motion_tier_degraded").inc()
                notices.append(Notice(
                    "motion_tier_degraded",
                    f"motion tier {clip.tier.value} requested; this worker serves {self.entry.tier.value} "
                    f"({self.entry.name})",
                ))
            self._waiting += 1
            metrics.QUEUE_DEPTH.inc()
            try:
                await self._slots.acquire()
            finally:
                self._waiting -= 1
                metrics.QUEUE_DEPTH.dec()
            self._inflight += 1
            metrics.INFLIGHT.inc()
            try:
                result = await asyncio.to_thread(self._render_clip, clip, request.output_prefix, notices)
            finally:
                self._inflight -= 1
                metrics.INFLIGHT.dec()
                self._slots.release()
            yield result

    # -- one clip (worker thread) -------------------------------------------------------------
    def _render_clip(self, clip: ClipRequest, prefix: str, notices: list[Notice]) -> ClipResult:
        model, entry = self.model, self.entry
        assert model is not None
        started = time.perf_counter()
        try:
            raw = self.store.get_bytes(clip.keyframe_uri)
        except NotFound:
            raise NotFound(f"keyframe_uri {clip.keyframe_uri} is not in the artifact store") from None
        keyframe = Image.open(io.BytesIO(raw))
        keyframe.load()
        d = entry.defaults
        width, height = model_size(
            clip.width, clip.height, keyframe.width, keyframe.height, d.width, d.height, model.size_step
        )
        controls = controls_for(entry, clip.camera, clip.motion_intensity, clip.prompt, clip.negative_prompt,
                                model.available_loras)
        plan = plan_segments(clip.duration_s, d.fps, d.num_frames, self.settings.motion_max_segments)
        if plan.capped:
            FALLBACKS.labels(STAGE, "clip_stretched").inc()
            notices.append(Notice(
                "clip_stretched",
                f"shot {clip.id}: {clip.duration_s:g} s needs {plan.frames_wanted} frames; {plan.segments} calls "
                f"(CINESYNTH_MOTION_MAX_SEGMENTS) make {plan.frames}, so the clip plays slower",
            ))
        steps = clip.steps or d.steps
        key = self._cache_key(entry, hashlib.sha256(raw).hexdigest(), controls, width, height, plan, steps, clip.seed)
        cache_uri = self.store.uri_for(f"{CACHE_PREFIX}/{key}.mp4")
        name = f"{clip.id}.mp4"
        cached = self.settings.motion_cache and self.store.exists(cache_uri)
        if cached:
            stored = self.store.describe(cache_uri)
            if stored.uri != self.store.uri_for(f"{prefix}/{name}"):
                stored = self.store.put_bytes(f"{prefix}/{name}", self.store.get_bytes(cache_uri), "video/mp4")
        else:
            first = SegmentCall(
                image=fit_image(keyframe, width, height), width=width, height=height, num_frames=d.num_frames,
                steps=steps, seed=clip.seed, controls=controls, decode_chunk_size=d.decode_chunk_size,
            )
            frames = self._with_oom_retry(model, first, plan, notices)
            stored = self._store_clip(frames, d.fps, prefix, name, cache_uri)
        seconds = time.perf_counter() - started
        metrics.CLIP_SECONDS.labels(entry.name).observe(seconds)
        metrics.CLIPS_TOTAL.labels(entry.tier.value, str(bool(cached)).lower()).inc()
        return ClipResult(
            id=clip.id, uri=stored.uri, name=name, size_bytes=stored.size_bytes, sha256=stored.sha256,
            frame_count=plan.frames, fps=d.fps, width=width, height=height, model=model_id(entry),  # type: ignore[arg-type]
            tier=entry.tier, seed=clip.seed, segments=plan.segments, seconds=seconds, cached=bool(cached),
            camera_in_clip=controls.camera_in_clip, warnings=tuple(notices),
        )

    def _with_oom_retry(
        self, model: MotionModel, first: SegmentCall, plan: SegmentPlan, notices: list[Notice]
    ) -> object:
        def call(segment: SegmentCall) -> object:
            self.device.before_generation(GenerationAttempt(
                model=self.entry.name, tier=self.entry.tier.value, batch_size=segment.num_frames,
                width=segment.width, height=segment.height, memory_savers=bool(model.memory_savers), purpose="clip",
            ))
            metrics.SEGMENTS_TOTAL.labels(self.entry.name).inc()
            return model.render(segment)

        for attempt in (1, 2):
            try:
                return render_shot(call, first, plan)  # type: ignore[arg-type]
            except Exception as exc:
                if not self.device.is_oom(exc):
                    raise
                metrics.OOM_TOTAL.labels(self.entry.name).inc()
                self.device.empty_cache()
                if attempt == 2:
                    FALLBACKS.labels(STAGE, "motion_oom").inc()
                    raise ResourceExhausted(
                        f"out of device memory rendering a {first.width}x{first.height}x{first.num_frames} clip "
                        f"with {self.entry.name}, memory savers included"
                    ) from None
                added = model.enable_memory_savers()
                FALLBACKS.labels(STAGE, "motion_memory_savers").inc()
                notices.append(Notice(
                    "motion_memory_savers", f"out of device memory; retried with {', '.join(added) or 'savers'}"
                ))
        raise AssertionError("unreachable")

    def _store_clip(self, frames: object, fps: float, prefix: str, name: str, cache_uri: str) -> object:
        import numpy as np

        array = np.ascontiguousarray(frames)
        n, h, w = array.shape[:3]
        with tempfile.TemporaryDirectory(prefix="motion-") as work:
            out = Path(work) / name
            ffmpeg.run(clip_encode_argv(ffmpeg.ffmpeg_path(), w, h, fps, str(out)), input_bytes=array.tobytes(),
                       timeout=max(60.0, n * 2.0))
            stored = self.store.put_file(f"{prefix}/{name}", out, "video/mp4")
            if self.settings.motion_cache:
                self.store.put_file(self.store.key_for(cache_uri), out, "video/mp4")
        return stored

    @staticmethod
    def _cache_key(entry: MotionModelEntry, keyframe_sha: str, controls: object, width: int, height: int,
                   plan: SegmentPlan, steps: int, seed: int) -> str:
        body = json.dumps({
            "v": CACHE_VERSION, "model": entry.name, "source": entry.source, "keyframe": keyframe_sha,
            "controls": repr(controls), "size": [width, height], "frames": plan.frames, "segments": plan.segments,
            "steps": steps, "seed": seed,
        }, sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()
