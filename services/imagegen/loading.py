"""The models a worker serves: select for the device, load, warm up, fall back, close.

Selection walks the catalog (services/imagegen/selection.py); a candidate that fails to load or
warm up is logged, counted and skipped for the next one, down to the draft renderer, which always
works. Lower-tier fallback models named in the settings are loaded beside the served one so a
request can degrade to them.
"""

from __future__ import annotations

import logging
import time

from services.common.metrics import FALLBACKS
from services.imagegen import metrics
from services.imagegen.catalog import Catalog, ModelEntry, Tier
from services.imagegen.device import Device
from services.imagegen.diffusion import DiffusionModel, LoadOptions, RenderCall, load_diffusion_model
from services.imagegen.domain import STAGE
from services.imagegen.draft import SceneCard, render_card
from services.imagegen.selection import SelectionPlan, model_id, select_model
from services.imagegen.settings import ImageGenSettings
from services.imagegen.weights import WeightLocation, WeightLocator

log = logging.getLogger(__name__)


class ModelSet:
    """The loaded diffusion models by tier, the served entry and why it was chosen."""

    def __init__(self, settings: ImageGenSettings, catalog: Catalog, device: Device, locator: WeightLocator) -> None:
        self.settings = settings
        self.catalog = catalog
        self.device = device
        self.locator = locator
        self.plan: SelectionPlan | None = None
        self.models: dict[Tier, DiffusionModel] = {}
        self.entries: dict[Tier, ModelEntry] = {Tier.DRAFT: catalog.draft}
        self.served: ModelEntry = catalog.draft
        self.reasons: list[str] = []
        self.loaded = False
        self.warm = False

    @property
    def available_tiers(self) -> tuple[Tier, ...]:
        return tuple(sorted({Tier.DRAFT, *self.models}, reverse=True))

    def lower_tier(self, tier: Tier) -> Tier:
        lower = [t for t in self.available_tiers if t < tier]
        return max(lower) if lower else Tier.DRAFT

    def close(self) -> None:
        for model in self.models.values():
            model.close()
        self.models.clear()
        self.device.empty_cache()

    def load(self) -> None:
        """Measure the device, select and load a model, warm it up (blocking)."""
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
