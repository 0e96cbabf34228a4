"""ImageGen core: keyframes from prompts on the model this node selected. Knows nothing of gRPC.

    core = ImageGenCore(settings, store=open_store(...), device=TorchDevice())
    await core.start()                          # measure, select, load, warm up
    async for keyframe in core.generate(GenerateRequest(...)):
        ...                                     # each keyframe as soon as it is stored

Per request: inputs are checked up front (all bad fields at once), each keyframe gets a tier (the
requested one, or with allow_degrade the best this worker has), its cache key is looked up, the
rest is admitted to the device queue (RESOURCE_EXHAUSTED when full) and rendered in batches of
keyframes sharing size, steps and guidance. An out-of-memory error frees the cache, retries one by
one with memory savers, then degrades the tier when allowed; every such step is a metric and a
warning on the keyframe.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import io
import json
import logging
import math
import re
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from types import TracebackType

from PIL import Image, PngImagePlugin, UnidentifiedImageError

from services.common import cancellation
from services.common.artifacts import ArtifactStore, validate_key
from services.common.errors import (
    Collector,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
    Unavailable,
)
from services.common.metrics import FALLBACKS
from services.common.notices import Notice as BaseNotice
from services.imagegen import metrics
from services.imagegen.catalog import Catalog, ModelEntry, Tier, load_catalog
from services.imagegen.device import Device
from services.imagegen.draft import RENDERER_VERSION, SceneCard, render_card
from services.imagegen.pipelines import DiffusionModel, LoadOptions, RenderCall, load_diffusion_model
from services.imagegen.selection import SelectionPlan, model_id, select_model
from services.imagegen.settings import ImageGenSettings
from services.imagegen.weights import WeightLocation, WeightLocator

log = logging.getLogger(__name__)

STAGE = "keyframes"
CACHE_PREFIX = "cache/imagegen"
# Bump when a change makes old cached keyframes wrong for the same parameters.
CACHE_VERSION = 1
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")
MAX_PROMPT_CHARS = 4000
MAX_WIDTH, MAX_HEIGHT, MIN_SIDE = 3840, 2160, 64
MAX_STEPS = 150
MAX_GUIDANCE = 30.0


# --- core types -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyframeSpec:
    """One keyframe to render. Zero / None / empty = the tier's default."""

    id: str = ""
    prompt: str = ""
    negative_prompt: str = ""
    width: int = 0
    height: int = 0
    steps: int = 0
    guidance: float | None = None
    seed: int = 0
    tier: Tier | None = None
    reference_image_uri: str = ""
    reference_strength: float = 0.0
    scene: SceneCard | None = None


@dataclass(frozen=True)
class GenerateRequest:
    keyframes: Sequence[KeyframeSpec]
    output_prefix: str
    allow_degrade: bool = False
    job_id: str = ""


@dataclass(frozen=True)
class Notice(BaseNotice):
    """A fallback taken (returned to the caller as a Warning)."""

    stage: str = STAGE


@dataclass(frozen=True)
class KeyframeResult:
    id: str
    name: str
    uri: str
    size_bytes: int
    sha256: str
    mime_type: str
    model: str
    tier: Tier
    seed: int
    width: int
    height: int
    seconds: float
    cached: bool
    warnings: tuple[Notice, ...] = ()


@dataclass(frozen=True)
class NodeInfo:
    device_kind: str
    device_name: str
    vram_total_bytes: int
    vram_free_bytes: int
    tier: Tier
    model: str
    loaded: bool
    warm: bool
    max_concurrency: int
    queue_capacity: int
    inflight: int
    queue_depth: int
    available_tiers: tuple[Tier, ...]
    selection_reasons: tuple[str, ...]


# --- admission --------------------------------------------------------------------------------


class Admission:
    """At most `max_concurrency` generations on the device and `capacity` waiting; beyond: refuse."""

    def __init__(self, max_concurrency: int, capacity: int) -> None:
        self.max_concurrency = max_concurrency
        self.capacity = capacity
        self.inflight = 0
        self.waiting = 0
        self._semaphore: asyncio.Semaphore | None = None

    def _publish(self) -> None:
        metrics.INFLIGHT.set(self.inflight)
        metrics.QUEUE_DEPTH.set(self.waiting)

    def admit(self) -> Ticket:
        if self.inflight + self.waiting >= self.max_concurrency + self.capacity:
            metrics.REJECTED_TOTAL.inc()
            raise ResourceExhausted(
                f"image worker busy: {self.inflight} generating, {self.waiting} queued "
                f"(capacity {self.capacity}); retry on another replica"
            )
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.max_concurrency)
        self.waiting += 1
        self._publish()
        return Ticket(self, self._semaphore)


class Ticket:
    """An admitted request: queued until `async with ticket` gets the device, released after."""

    def __init__(self, admission: Admission, semaphore: asyncio.Semaphore) -> None:
        self._admission = admission
        self._semaphore = semaphore
        self._state = "queued"

    async def __aenter__(self) -> Ticket:
        try:
            await self._semaphore.acquire()
        except BaseException:
            self.close()
            raise
        self._admission.waiting -= 1
        self._admission.inflight += 1
        self._state = "running"
        self._admission._publish()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Leave the queue or give the device back (idempotent)."""
        if self._state == "queued":
            self._admission.waiting -= 1
        elif self._state == "running":
            self._admission.inflight -= 1
            self._semaphore.release()
        else:
            return
        self._state = "closed"
        self._admission._publish()


# --- planning ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reference:
    image: Image.Image
    sha256: str


@dataclass
class _Job:
    """A keyframe with everything resolved: tier, sizes, steps, cache key."""

    index: int
    spec: KeyframeSpec
    tier: Tier
    entry: ModelEntry
    width: int
    height: int
    render_width: int
    render_height: int
    steps: int
    guidance: float
    reference: _Reference | None
    reference_strength: float
    warnings: list[Notice] = field(default_factory=list)
    cache_key: str = ""


@dataclass
class _Rendered:
    job: _Job
    image: Image.Image
    model: str
    seconds: float
    warnings: list[Notice]


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def render_size(width: int, height: int, multiple: int, max_pixels: int) -> tuple[int, int]:
    """The size a model renders (multiple of its VAE factor, at most `max_pixels`) for an output size.

    The output is resized to the exact requested size afterwards; the aspect ratio is kept.
    """
    scale = min(1.0, math.sqrt(max_pixels / (width * height)))
    rw = max(multiple, round(width * scale / multiple) * multiple)
    rh = max(multiple, round(height * scale / multiple) * multiple)
    while rw * rh > max_pixels and (rw > multiple or rh > multiple):
        if rw >= rh:
            rw -= multiple
        else:
            rh -= multiple
    return rw, rh


def encode_png(image: Image.Image, metadata: dict[str, object]) -> bytes:
    """PNG bytes, deterministic for the same pixels and metadata (no timestamps)."""
    info = PngImagePlugin.PngInfo()
    info.add_text("cinesynth", json.dumps(metadata, sort_keys=True, ensure_ascii=False))
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", pnginfo=info, compress_level=3)
    return buffer.getvalue()


class ImageGenCore:
    """The ImageGen service without gRPC: selection, loading, admission, rendering, caching."""

    def __init__(
        self,
        settings: ImageGenSettings,
        *,
        store: ArtifactStore,
        device: Device,
        catalog: Catalog | None = None,
        locator: WeightLocator | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.device = device
        self.catalog = catalog or load_catalog(settings.imagegen_catalog)
        self.locator = locator or WeightLocator(
            settings.model_dir, tiny_model_path=settings.tiny_model_path, allow_download=settings.allow_download
        )
        self.admission = Admission(settings.imagegen_max_concurrency, settings.imagegen_queue_capacity)
        self.plan: SelectionPlan | None = None
        self.models: dict[Tier, DiffusionModel] = {}
        self.entries: dict[Tier, ModelEntry] = {Tier.DRAFT: self.catalog.draft}
        self.served: ModelEntry = self.catalog.draft
        self.reasons: list[str] = []
        self.loaded = False
        self.warm = False

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Measure the device, select and load a model, warm it up. Health is SERVING after this."""
        await asyncio.to_thread(self._start)

    async def stop(self) -> None:
        for model in self.models.values():
            model.close()
        self.models.clear()
        await asyncio.to_thread(self.device.empty_cache)

    def _start(self) -> None:
        info = self.device.info()
        max_tier = Tier(self.settings.imagegen_max_tier) if self.settings.imagegen_max_tier else None
        plan = select_model(
            self.catalog,
            info,
            self.locator,
            reserve_gb=self.settings.vram_reserve_gb,
            pinned=self.settings.imagegen_model,
            max_tier=max_tier,
        )
        self.plan = plan
        self.reasons = list(plan.reasons)
        for candidate in (plan.selected, *plan.fallbacks):
            entry = candidate.entry
            if entry.tier is Tier.DRAFT:
                self.served = entry
                break
            try:
                self._load(entry, candidate.location)
            except Exception as exc:
                if self.settings.imagegen_model:
                    raise
                log.exception("model failed to load", extra={"model": entry.name})
                FALLBACKS.labels(stage=STAGE, kind="model_load_failed").inc()
                self.device.empty_cache()
                self.reasons.append(
                    f"{entry.name}: failed to load or warm up ({type(exc).__name__}); trying the next candidate"
                )
                continue
            self.served = entry
            break
        self._load_fallback_models()
        if self.served.tier is Tier.DRAFT:
            # Loads the fonts so the first request is as fast as the next.
            render_card(SceneCard(title="warm-up"), 64, 64)
        self.reasons.append(f"serving {self.served.name} ({self.served.tier.value}) on {info.kind}")
        self.loaded = True
        self.warm = self.settings.imagegen_warmup or self.served.tier is Tier.DRAFT
        for tier in self.available_tiers:
            # Zero series from the start, so increase()/rate() alerts see the first OOM.
            metrics.OOM_TOTAL.labels(tier=tier.value)
        metrics.MODEL_INFO.clear()
        metrics.MODEL_INFO.labels(model=model_id(self.served), tier=self.served.tier.value, device=info.kind).set(1)
        # Read live on every scrape: free memory moves with the work.
        metrics.VRAM_BYTES.labels(kind="total").set_function(lambda: self.device.info().total_bytes)
        metrics.VRAM_BYTES.labels(kind="free").set_function(lambda: self.device.info().free_bytes)
        log.info(
            "model selected",
            extra={"model": model_id(self.served), "tier": self.served.tier.value, "device": info.kind},
        )

    def _load(self, entry: ModelEntry, location: WeightLocation) -> None:
        options = LoadOptions(
            dtype=self.settings.imagegen_dtype,
            compile=self.settings.imagegen_compile,
            compile_mode=self.settings.imagegen_compile_mode,
            channels_last=self.settings.imagegen_channels_last,
        )
        model = load_diffusion_model(entry, location, self.device, self.locator, options)
        if self.settings.imagegen_warmup:
            self._warm_up(model)
        self.models[entry.tier] = model
        self.entries[entry.tier] = entry
        self.reasons.extend(model.notes)

    def _warm_up(self, model: DiffusionModel) -> None:
        defaults = model.entry.defaults
        call = RenderCall(
            prompts=["warm-up"],
            negative_prompts=[""],
            seeds=[0],
            width=defaults.width,
            height=defaults.height,
            steps=min(2, defaults.steps),
            guidance=defaults.guidance,
            purpose="warmup",
        )
        started = time.perf_counter()
        try:
            model.render(call)
        except Exception as exc:
            if not self.device.is_oom(exc):
                raise
            metrics.OOM_TOTAL.labels(tier=model.entry.tier.value).inc()
            self.device.empty_cache()
            savers = model.enable_memory_savers()
            self.reasons.append(f"{model.entry.name}: out of memory at warm-up; memory savers on ({', '.join(savers)})")
            model.render(call)
        log.info("warmed up", extra={"model": model.entry.name, "seconds": round(time.perf_counter() - started, 2)})

    def _load_fallback_models(self) -> None:
        for name in self.settings.imagegen_fallback_models:
            try:
                entry = self.catalog.get(name)
            except KeyError as exc:
                raise ValueError(f"CINESYNTH_IMAGEGEN_FALLBACK_MODELS: {exc.args[0]}") from None
            if entry.tier >= self.served.tier or entry.tier is Tier.DRAFT or entry.tier in self.models:
                self.reasons.append(f"{name}: not loaded as a fallback (not below {self.served.tier.value})")
                continue
            location = self.locator.locate(entry)
            if not location.status.usable:
                self.reasons.append(f"{name}: fallback not loaded, weights not present: {location.detail}")
                continue
            try:
                self._load(entry, location)
            except Exception as exc:
                log.exception("fallback model failed to load", extra={"model": name})
                self.device.empty_cache()
                self.reasons.append(f"{name}: fallback failed to load ({type(exc).__name__})")
                continue
            self.reasons.append(f"{name}: loaded as a lower tier to degrade to")

    # --- node info ----------------------------------------------------------------------------

    @property
    def available_tiers(self) -> tuple[Tier, ...]:
        return tuple(sorted({Tier.DRAFT, *self.models}, reverse=True))

    def node_info(self) -> NodeInfo:
        info = self.device.info()
        return NodeInfo(
            device_kind=info.kind,
            device_name=info.name,
            vram_total_bytes=info.total_bytes,
            vram_free_bytes=info.free_bytes,
            tier=self.served.tier,
            model=model_id(self.served),
            loaded=self.loaded,
            warm=self.warm,
            max_concurrency=self.admission.max_concurrency,
            queue_capacity=self.admission.capacity,
            inflight=self.admission.inflight,
            queue_depth=self.admission.waiting,
            available_tiers=self.available_tiers if self.loaded else (),
            selection_reasons=tuple(self.reasons),
        )

    # --- request planning ---------------------------------------------------------------------

    def _validate(self, request: GenerateRequest) -> list[KeyframeSpec]:
        errors = Collector()
        count = len(request.keyframes)
        errors.check(count > 0, "keyframes", "at least one keyframe is required")
        limit = self.settings.imagegen_max_keyframes
        errors.check(count <= limit, "keyframes", f"{count} keyframes; at most {limit} per request")
        try:
            validate_key(request.output_prefix, "output_prefix")
        except InvalidArgument as exc:
            errors.extend(exc.violations)
        specs: list[KeyframeSpec] = []
        seen: set[str] = set()
        for i, spec in enumerate(request.keyframes):
            at = f"keyframes[{i}]"
            kf_id = spec.id or f"keyframe-{i:02d}"
            if not _ID.match(kf_id):
                errors.add(f"{at}.id", f"{kf_id[:40]!r}: use 1-101 of A-Z a-z 0-9 . _ - (a file name)")
            elif kf_id in seen:
                errors.add(f"{at}.id", f"duplicate id {kf_id!r}")
            seen.add(kf_id)
            if not spec.prompt.strip() and spec.scene is None:
                errors.add(f"{at}.prompt", "empty: give a prompt or a scene")
            errors.check(
                len(spec.prompt) <= MAX_PROMPT_CHARS, f"{at}.prompt", f"longer than {MAX_PROMPT_CHARS} characters"
            )
            errors.check(
                len(spec.negative_prompt) <= MAX_PROMPT_CHARS,
                f"{at}.negative_prompt",
                f"longer than {MAX_PROMPT_CHARS} characters",
            )
            for name, value, top in (("width", spec.width, MAX_WIDTH), ("height", spec.height, MAX_HEIGHT)):
                if value and (value % 2 or not MIN_SIDE <= value <= top):
                    errors.add(f"{at}.{name}", f"{value}: must be 0 (default) or even, {MIN_SIDE}..{top}")
            errors.check(0 <= spec.steps <= MAX_STEPS, f"{at}.steps", f"{spec.steps}: must be 0..{MAX_STEPS}")
            if spec.guidance is not None and not (math.isfinite(spec.guidance) and 0 <= spec.guidance <= MAX_GUIDANCE):
                errors.add(f"{at}.guidance", f"{spec.guidance}: must be 0..{MAX_GUIDANCE:g}")
            strength = spec.reference_strength
            if not (math.isfinite(strength) and 0 <= strength <= 1):
                errors.add(f"{at}.reference_strength", f"{strength}: must be 0..1")
            if spec.reference_image_uri:
                try:
                    self.store.key_for(spec.reference_image_uri, f"{at}.reference_image_uri")
                except InvalidArgument as exc:
                    errors.extend(exc.violations)
            specs.append(dataclasses.replace(spec, id=kf_id))
        errors.raise_if_any()
        return specs

    def _resolve_tier(self, requested: Tier | None, allow_degrade: bool) -> tuple[Tier, list[Notice]]:
        served = self.served.tier
        loaded = set(self.available_tiers)
        if requested is None or requested in loaded:
            return requested or served, []
        if requested > served:
            if not allow_degrade:
                raise FailedPrecondition(
                    f"tier {requested.value} is not served by this worker (it serves {served.value}); "
                    "route to a worker of that tier or set allow_degrade"
                )
            metrics.DEGRADED_TOTAL.labels(from_tier=requested.value, to_tier=served.value, reason="not_loaded").inc()
            FALLBACKS.labels(stage=STAGE, kind="tier_degraded").inc()
            return served, [
                Notice(
                    "tier_degraded",
                    f"tier {requested.value} is not available on this worker; rendered at {served.value}",
                )
            ]
        # A lower tier this worker does not hold (e.g. turbo on a standard worker): the next one up.
        substitute = min(t for t in loaded if t > requested)
        FALLBACKS.labels(stage=STAGE, kind="tier_substituted").inc()
        return substitute, [
            Notice(
                "tier_substituted",
                f"tier {requested.value} is not loaded on this worker; rendered at {substitute.value}",
            )
        ]

    def _plan_job(
        self, index: int, spec: KeyframeSpec, tier: Tier, warnings: list[Notice], reference: _Reference | None
    ) -> _Job:
        entry = self.entries[tier]
        defaults, limits = entry.defaults, entry.limits
        width, height = spec.width, spec.height
        if not width and not height:
            width, height = defaults.width, defaults.height
        elif not width:
            width = min(MAX_WIDTH, max(MIN_SIDE, _even(height * defaults.width / defaults.height)))
        elif not height:
            height = min(MAX_HEIGHT, max(MIN_SIDE, _even(width * defaults.height / defaults.width)))
        steps = spec.steps or defaults.steps
        if not limits.min_steps <= steps <= limits.max_steps:
            clamped = min(max(steps, limits.min_steps), limits.max_steps)
            warnings = [
                *warnings,
                Notice(
                    "steps_clamped",
                    f"{spec.id}: {steps} steps outside {entry.name}'s "
                    f"{limits.min_steps}..{limits.max_steps}; used {clamped}",
                ),
            ]
            FALLBACKS.labels(stage=STAGE, kind="steps_clamped").inc()
            steps = clamped
        guidance = defaults.guidance if spec.guidance is None else spec.guidance
        model = self.models.get(tier)
        if model is None:
            render_w, render_h = width, height
            strength = 0.0
        else:
            render_w, render_h = render_size(width, height, model.size_multiple, limits.max_pixels)
            default_strength = (
                entry.ip_adapter.scale if model.has_ip_adapter and entry.ip_adapter else entry.reference_strength
            )
            strength = spec.reference_strength or default_strength
        job = _Job(
            index=index,
            spec=spec,
            tier=tier,
            entry=entry,
            width=width,
            height=height,
            render_width=render_w,
            render_height=render_h,
            steps=steps,
            guidance=guidance,
            reference=reference if model is not None else None,
            reference_strength=strength,
            warnings=list(warnings),
        )
        job.cache_key = self._cache_key(job)
        return job

    def _card(self, job: _Job) -> SceneCard:
        spec = job.spec
        if spec.scene is None:
            return SceneCard(index=job.index, prompt=spec.prompt)
        return dataclasses.replace(spec.scene, prompt=spec.prompt)

    def _cache_key(self, job: _Job) -> str:
        payload: dict[str, object] = {"v": CACHE_VERSION, "tier": job.tier.value, "size": [job.width, job.height]}
        if job.tier is Tier.DRAFT:
            payload.update(renderer=RENDERER_VERSION, card=dataclasses.asdict(self._card(job)))
        else:
            model = self.models[job.tier]
            entry = job.entry
            payload.update(
                model=model_id(entry),
                entry=entry.name,
                dtype=model.dtype_name,
                scheduler=entry.scheduler.model_dump(by_alias=True) if entry.scheduler else None,
                prompt=job.spec.prompt,
                negative_prompt=job.spec.negative_prompt,
                render=[job.render_width, job.render_height],
                steps=job.steps,
                guidance=job.guidance,
                seed=job.spec.seed,
                reference=job.reference.sha256 if job.reference else None,
                reference_mode=model.reference_mode if job.reference else None,
                reference_strength=job.reference_strength if job.reference else None,
            )
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def _load_references(self, specs: Sequence[KeyframeSpec]) -> dict[str, _Reference]:
        references: dict[str, _Reference] = {}
        errors = Collector()
        for i, spec in enumerate(specs):
            uri = spec.reference_image_uri
            if not uri or uri in references:
                continue
            at = f"keyframes[{i}].reference_image_uri"
            try:
                data = self.store.get_bytes(uri)
                image = Image.open(io.BytesIO(data))
                image.load()
            except NotFound:
                errors.add(at, "not found in the artifact store")
                continue
            except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
                errors.add(at, "not a readable image")
                continue
            references[uri] = _Reference(image.convert("RGB"), hashlib.sha256(data).hexdigest())
        errors.raise_if_any()
        return references

    def _cache_uri(self, key: str) -> str:
        return self.store.uri_for(f"{CACHE_PREFIX}/{key}.png")

    def _cached(self, jobs: Sequence[_Job]) -> set[str]:
        if not self.settings.imagegen_cache:
            return set()
        return {job.cache_key for job in jobs if self.store.exists(self._cache_uri(job.cache_key))}

    # --- generation ---------------------------------------------------------------------------

    async def generate(self, request: GenerateRequest) -> AsyncIterator[KeyframeResult]:
        """Render (or fetch from the cache) every keyframe; yields each as soon as it is stored."""
        if not self.loaded:
            raise Unavailable("the image worker is still loading its model; retry shortly")
        specs = self._validate(request)
        references = await asyncio.to_thread(self._load_references, specs)
        jobs: list[_Job] = []
        for i, spec in enumerate(specs):
            tier, notices = self._resolve_tier(spec.tier, request.allow_degrade)
            jobs.append(self._plan_job(i, spec, tier, notices, references.get(spec.reference_image_uri)))
        cached = await asyncio.to_thread(self._cached, jobs)
        hits = [j for j in jobs if j.cache_key in cached]
        drafts = [j for j in jobs if j.cache_key not in cached and j.tier is Tier.DRAFT]
        diffusion = [j for j in jobs if j.cache_key not in cached and j.tier is not Tier.DRAFT]
        # With a simulated render time, draft cards stand in for GPU work: they queue for the device.
        simulated = self.settings.imagegen_simulated_seconds
        device_drafts, drafts = (drafts, []) if simulated > 0 else ([], drafts)
        # Admission before anything is streamed: a refused request has no partial output.
        ticket = self.admission.admit() if diffusion or device_drafts else None
        try:
            for job in hits:
                yield await asyncio.to_thread(self._serve_cached, job, request.output_prefix)
            for job in drafts:
                rendered = await cancellation.to_thread(self._render_group, [job], request.allow_degrade)
                for item in rendered:
                    yield await asyncio.to_thread(self._store, item, request.output_prefix)
            if ticket is not None:
                async with ticket:
                    for job in device_drafts:
                        yield await self._simulated_render(job, simulated, request.output_prefix)
                    for group in self._groups(diffusion):
                        rendered = await cancellation.to_thread(self._render_group, group, request.allow_degrade)
                        for item in rendered:
                            yield await asyncio.to_thread(self._store, item, request.output_prefix)
        finally:
            if ticket is not None:
                ticket.close()

    def _groups(self, jobs: Sequence[_Job]) -> Iterator[list[_Job]]:
        """Batches of keyframes one pipeline call can render together (same tier, size, steps, ...)."""
        by_key: dict[tuple[object, ...], list[_Job]] = {}
        for job in jobs:
            if job.reference is not None:
                key: tuple[object, ...] = ("reference", job.index)
            else:
                # Negative prompt presence is in the key: SDXL encodes "no negative" as zeros.
                key = (
                    job.tier,
                    job.render_width,
                    job.render_height,
                    job.steps,
                    job.guidance,
                    bool(job.spec.negative_prompt),
                )
            by_key.setdefault(key, []).append(job)
        size = self.settings.imagegen_max_batch_size
        for group in by_key.values():
            for start in range(0, len(group), size):
                yield group[start : start + size]

    def _lower_tier(self, tier: Tier) -> Tier:
        lower = [t for t in self.available_tiers if t < tier]
        return max(lower) if lower else Tier.DRAFT

    def _render_group(self, jobs: list[_Job], allow_degrade: bool) -> list[_Rendered]:
        """Render one batch, recovering from OOM: savers and one-by-one, then a lower tier if allowed."""
        tier = jobs[0].tier
        if tier is Tier.DRAFT:
            return [self._render_draft(job) for job in jobs]
        model = self.models[tier]
        try:
            return self._run(model, jobs, [])
        except Exception as exc:
            if not self.device.is_oom(exc):
                raise
            notice = self._after_oom(model, jobs)
        out: list[_Rendered] = []
        for job in jobs:
            try:
                out.extend(self._run(model, [job], [notice]))
            except Exception as exc:
                if not self.device.is_oom(exc):
                    raise
                self._count_oom(model)
                out.extend(self._degrade(job, allow_degrade, notice))
        return out

    def _count_oom(self, model: DiffusionModel) -> None:
        metrics.OOM_TOTAL.labels(tier=model.entry.tier.value).inc()
        self.device.empty_cache()

    def _after_oom(self, model: DiffusionModel, jobs: Sequence[_Job]) -> Notice:
        self._count_oom(model)
        savers = model.enable_memory_savers()
        FALLBACKS.labels(stage=STAGE, kind="oom_memory_savers").inc()
        message = (
            f"out of GPU memory rendering {len(jobs)} keyframe(s) at {model.entry.tier.value}; "
            f"retried one at a time with memory savers ({', '.join(savers)})"
        )
        log.warning(message, extra={"model": model.entry.name})
        return Notice("oom_memory_savers", message)

    def _degrade(self, job: _Job, allow_degrade: bool, notice: Notice) -> list[_Rendered]:
        lower = self._lower_tier(job.tier)
        if not allow_degrade:
            raise ResourceExhausted(
                f"out of GPU memory rendering {job.spec.id} at tier {job.tier.value} even with memory savers; "
                "set allow_degrade to accept a lower tier"
            )
        metrics.DEGRADED_TOTAL.labels(from_tier=job.tier.value, to_tier=lower.value, reason="oom").inc()
        FALLBACKS.labels(stage=STAGE, kind="tier_degraded").inc()
        message = f"out of GPU memory at {job.tier.value} even with memory savers; rendered at {lower.value}"
        log.warning(message, extra={"keyframe": job.spec.id})
        degraded = self._plan_job(
            job.index, job.spec, lower, [*job.warnings, notice, Notice("tier_degraded", message)], job.reference
        )
        return self._render_group([degraded], allow_degrade)

    def _run(self, model: DiffusionModel, jobs: Sequence[_Job], notices: list[Notice]) -> list[_Rendered]:
        first = jobs[0]
        reference = first.reference if len(jobs) == 1 else None
        call = RenderCall(
            prompts=[j.spec.prompt for j in jobs],
            negative_prompts=[j.spec.negative_prompt for j in jobs],
            seeds=[j.spec.seed for j in jobs],
            width=first.render_width,
            height=first.render_height,
            steps=first.steps,
            guidance=first.guidance,
            reference=reference.image if reference else None,
            reference_strength=first.reference_strength,
        )
        started = time.perf_counter()
        images = model.render(call)
        per_image = (time.perf_counter() - started) / len(jobs)
        out = []
        for job, image in zip(jobs, images, strict=True):
            if image.size != (job.width, job.height):
                image = image.resize((job.width, job.height), Image.Resampling.LANCZOS)
            metrics.KEYFRAME_SECONDS.labels(tier=job.tier.value).observe(per_image)
            out.append(_Rendered(job, image, model_id(job.entry), per_image, [*job.warnings, *notices]))
        return out

    async def _simulated_render(self, job: _Job, seconds: float, prefix: str) -> KeyframeResult:
        """A draft card that holds the device for `seconds` first (imagegen_simulated_seconds).

        The wait is a cancellable sleep: a cancelled or killed request leaves nothing behind, like
        an interrupted GPU render.
        """
        await asyncio.sleep(seconds)
        rendered = await asyncio.to_thread(self._render_draft, job, seconds)
        return await asyncio.to_thread(self._store, rendered, prefix)

    def _render_draft(self, job: _Job, held_s: float = 0.0) -> _Rendered:
        started = time.perf_counter()
        image = render_card(self._card(job), job.width, job.height)
        seconds = time.perf_counter() - started + held_s
        metrics.KEYFRAME_SECONDS.labels(tier=Tier.DRAFT.value).observe(seconds)
        return _Rendered(job, image, model_id(job.entry), seconds, list(job.warnings))

    # --- storing ------------------------------------------------------------------------------

    def _result(
        self,
        job: _Job,
        prefix: str,
        obj_uri: str,
        size: int,
        sha: str,
        model: str,
        seconds: float,
        cached: bool,
        warnings: Sequence[Notice],
    ) -> KeyframeResult:
        metrics.KEYFRAMES_TOTAL.labels(tier=job.tier.value, cached=str(cached).lower()).inc()
        return KeyframeResult(
            id=job.spec.id,
            name=f"{prefix.rsplit('/', 1)[-1]}/{job.spec.id}.png",
            uri=obj_uri,
            size_bytes=size,
            sha256=sha,
            mime_type="image/png",
            model=model,
            tier=job.tier,
            seed=job.spec.seed,
            width=job.width,
            height=job.height,
            seconds=seconds,
            cached=cached,
            warnings=tuple(warnings),
        )

    def _store(self, rendered: _Rendered, prefix: str) -> KeyframeResult:
        job = rendered.job
        metadata = {
            "model": rendered.model,
            "tier": job.tier.value,
            "seed": job.spec.seed,
            "steps": job.steps,
            "guidance": job.guidance,
            "prompt": job.spec.prompt,
        }
        png = encode_png(rendered.image, metadata)
        if self.settings.imagegen_cache:
            self.store.put_bytes(f"{CACHE_PREFIX}/{job.cache_key}.png", png, "image/png")
        stored = self.store.put_bytes(f"{prefix}/{job.spec.id}.png", png, "image/png")
        return self._result(
            job,
            prefix,
            stored.uri,
            stored.size_bytes,
            stored.sha256,
            rendered.model,
            rendered.seconds,
            False,
            rendered.warnings,
        )

    def _serve_cached(self, job: _Job, prefix: str) -> KeyframeResult:
        started = time.perf_counter()
        png = self.store.get_bytes(self._cache_uri(job.cache_key))
        stored = self.store.put_bytes(f"{prefix}/{job.spec.id}.png", png, "image/png")
        return self._result(
            job,
            prefix,
            stored.uri,
            stored.size_bytes,
            stored.sha256,
            model_id(job.entry),
            time.perf_counter() - started,
            True,
            job.warnings,
        )
