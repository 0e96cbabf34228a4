"""From a request to planned keyframes: inputs checked, tier resolved, sizes, steps and cache key.

All bad fields of a request are reported at once (INVALID_ARGUMENT naming each field). A planned
keyframe carries everything a render needs, so rendering, batching and caching read one object.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from PIL import Image, UnidentifiedImageError

from services.common.artifacts import ArtifactStore, validate_key
from services.common.errors import Collector, FailedPrecondition, InvalidArgument, NotFound
from services.common.metrics import FALLBACKS
from services.imagegen import metrics
from services.imagegen.catalog import ModelEntry, Tier
from services.imagegen.domain import STAGE, GenerateRequest, KeyframeSpec, Notice
from services.imagegen.draft import RENDERER_VERSION, SceneCard
from services.imagegen.loading import ModelSet
from services.imagegen.selection import model_id

# Bump when a change makes old cached keyframes wrong for the same parameters.
CACHE_VERSION = 1
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")
MAX_PROMPT_CHARS = 4000
MAX_WIDTH, MAX_HEIGHT, MIN_SIDE = 3840, 2160, 64
MAX_STEPS = 150
MAX_GUIDANCE = 30.0


@dataclass(frozen=True)
class Reference:
    image: Image.Image
    sha256: str


@dataclass
class PlannedKeyframe:
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
    reference: Reference | None
    reference_strength: float
    warnings: list[Notice] = field(default_factory=list)
    cache_key: str = ""

    def card(self) -> SceneCard:
        """The draft card for this keyframe (its scene, or just its prompt)."""
        if self.spec.scene is None:
            return SceneCard(index=self.index, prompt=self.spec.prompt)
        return dataclasses.replace(self.spec.scene, prompt=self.spec.prompt)


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


def validate_request(request: GenerateRequest, store: ArtifactStore, max_keyframes: int) -> list[KeyframeSpec]:
    """The request's keyframes with ids filled in; every bad field at once as INVALID_ARGUMENT."""
    errors = Collector()
    count = len(request.keyframes)
    errors.check(count > 0, "keyframes", "at least one keyframe is required")
    errors.check(count <= max_keyframes, "keyframes", f"{count} keyframes; at most {max_keyframes} per request")
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
        errors.check(len(spec.prompt) <= MAX_PROMPT_CHARS, f"{at}.prompt", f"longer than {MAX_PROMPT_CHARS} characters")
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
                store.key_for(spec.reference_image_uri, f"{at}.reference_image_uri")
            except InvalidArgument as exc:
                errors.extend(exc.violations)
        specs.append(dataclasses.replace(spec, id=kf_id))
    errors.raise_if_any()
    return specs


def load_references(store: ArtifactStore, specs: Sequence[KeyframeSpec]) -> dict[str, Reference]:
    """The reference images by URI (each read once); unreadable ones as INVALID_ARGUMENT."""
    references: dict[str, Reference] = {}
    errors = Collector()
    for i, spec in enumerate(specs):
        uri = spec.reference_image_uri
        if not uri or uri in references:
            continue
        at = f"keyframes[{i}].reference_image_uri"
        try:
            data = store.get_bytes(uri)
            image = Image.open(io.BytesIO(data))
            image.load()
        except NotFound:
            errors.add(at, "not found in the artifact store")
            continue
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
            errors.add(at, "not a readable image")
            continue
        references[uri] = Reference(image.convert("RGB"), hashlib.sha256(data).hexdigest())
    errors.raise_if_any()
    return references


class KeyframePlanner:
    """Tier, size, steps and cache key of each keyframe, on the models this worker holds."""

    def __init__(self, models: ModelSet) -> None:
        self.models = models

    def resolve_tier(self, requested: Tier | None, allow_degrade: bool) -> tuple[Tier, list[Notice]]:
        served = self.models.served.tier
        loaded = set(self.models.available_tiers)
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

    def plan(
        self, index: int, spec: KeyframeSpec, tier: Tier, warnings: list[Notice], reference: Reference | None
    ) -> PlannedKeyframe:
        entry = self.models.entries[tier]
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
        model = self.models.models.get(tier)
        if model is None:
            render_w, render_h = width, height
            strength = 0.0
        else:
            render_w, render_h = render_size(width, height, model.size_multiple, limits.max_pixels)
            default_strength = (
                entry.ip_adapter.scale if model.has_ip_adapter and entry.ip_adapter else entry.reference_strength
            )
            strength = spec.reference_strength or default_strength
        planned = PlannedKeyframe(
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
        planned.cache_key = self.cache_key(planned)
        return planned

    def cache_key(self, planned: PlannedKeyframe) -> str:
        """A hash of everything that decides the pixels (model, dtype, prompt, size, seed, ...)."""
        payload: dict[str, object] = {
            "v": CACHE_VERSION,
            "tier": planned.tier.value,
            "size": [planned.width, planned.height],
        }
        if planned.tier is Tier.DRAFT:
            payload.update(renderer=RENDERER_VERSION, card=dataclasses.asdict(planned.card()))
        else:
            model = self.models.models[planned.tier]
            entry = planned.entry
            payload.update(
                model=model_id(entry),
                entry=entry.name,
                dtype=model.dtype_name,
                scheduler=entry.scheduler.model_dump(by_alias=True) if entry.scheduler else None,
                prompt=planned.spec.prompt,
                negative_prompt=planned.spec.negative_prompt,
                render=[planned.render_width, planned.render_height],
                steps=planned.steps,
                guidance=planned.guidance,
                seed=planned.spec.seed,
                reference=planned.reference.sha256 if planned.reference else None,
                reference_mode=model.reference_mode if planned.reference else None,
                reference_strength=planned.reference_strength if planned.reference else None,
            )
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()
