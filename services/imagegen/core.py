"""ImageGen core: keyframes from prompts on the model this node selected. Knows nothing of gRPC.

    core = ImageGenCore(settings, store=open_store(...), device=TorchDevice())
    await core.start()                          # measure, select, load, warm up
    async for keyframe in core.generate(GenerateRequest(...)):
        ...                                     # each keyframe as soon as it is stored

Per request: inputs are checked up front (all bad fields at once), each keyframe gets a tier and a
cache key (planning), cache hits are copied, the rest is admitted to the device queue
(RESOURCE_EXHAUSTED when full; admission) and rendered in batches with OOM recovery (render), then
stored (cache). Loading and fallback models are in `loading`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from services.common import cancellation
from services.common.artifacts import ArtifactStore
from services.common.errors import Unavailable
from services.imagegen.admission import Admission
from services.imagegen.cache import KeyframeStorage
from services.imagegen.catalog import Catalog, Tier, load_catalog
from services.imagegen.device import Device
from services.imagegen.domain import GenerateRequest, KeyframeResult, NodeInfo
from services.imagegen.loading import ModelSet
from services.imagegen.planning import KeyframePlanner, PlannedKeyframe, load_references, validate_request
from services.imagegen.render import Renderer, batches
from services.imagegen.selection import model_id
from services.imagegen.settings import ImageGenSettings
from services.imagegen.weights import WeightLocator


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
        catalog = catalog or load_catalog(settings.imagegen_catalog)
        locator = locator or WeightLocator(
            settings.model_dir, tiny_model_path=settings.tiny_model_path, allow_download=settings.allow_download
        )
        self.model_set = ModelSet(settings, catalog, device, locator)
        self.admission = Admission(settings.imagegen_max_concurrency, settings.imagegen_queue_capacity)
        self.planner = KeyframePlanner(self.model_set)
        self.renderer = Renderer(self.model_set, self.planner, device)
        self.storage = KeyframeStorage(store, cache_enabled=settings.imagegen_cache)

    async def start(self) -> None:
        """Measure the device, select and load a model, warm it up. Health is SERVING after this."""
        await asyncio.to_thread(self.model_set.load)

    async def stop(self) -> None:
        await asyncio.to_thread(self.model_set.close)

    def node_info(self) -> NodeInfo:
        info = self.device.info()
        models = self.model_set
        return NodeInfo(
            device_kind=info.kind,
            device_name=info.name,
            vram_total_bytes=info.total_bytes,
            vram_free_bytes=info.free_bytes,
            tier=models.served.tier,
            model=model_id(models.served),
            loaded=models.loaded,
            warm=models.warm,
            max_concurrency=self.admission.max_concurrency,
            queue_capacity=self.admission.capacity,
            inflight=self.admission.inflight,
            queue_depth=self.admission.waiting,
            available_tiers=models.available_tiers if models.loaded else (),
            selection_reasons=tuple(models.reasons),
        )

    async def generate(self, request: GenerateRequest) -> AsyncIterator[KeyframeResult]:
        """Render (or fetch from the cache) every keyframe; yields each as soon as it is stored."""
        if not self.model_set.loaded:
            raise Unavailable("the image worker is still loading its model; retry shortly")
        specs = validate_request(request, self.store, self.settings.imagegen_max_keyframes)
        references = await asyncio.to_thread(load_references, self.store, specs)
        planned: list[PlannedKeyframe] = []
        for i, spec in enumerate(specs):
            tier, notices = self.planner.resolve_tier(spec.tier, request.allow_degrade)
            planned.append(self.planner.plan(i, spec, tier, notices, references.get(spec.reference_image_uri)))
        cached = await asyncio.to_thread(self.storage.cached, planned)
        hits = [k for k in planned if k.cache_key in cached]
        drafts = [k for k in planned if k.cache_key not in cached and k.tier is Tier.DRAFT]
        diffusion = [k for k in planned if k.cache_key not in cached and k.tier is not Tier.DRAFT]
        # With a simulated render time, draft cards stand in for GPU work: they queue for the device.
        simulated = self.settings.imagegen_simulated_seconds
        device_drafts, drafts = (drafts, []) if simulated > 0 else ([], drafts)
        prefix = request.output_prefix
        # Admission before anything is streamed: a refused request has no partial output.
        ticket = self.admission.admit() if diffusion or device_drafts else None
        try:
            for keyframe in hits:
                yield await asyncio.to_thread(self.storage.serve_cached, keyframe, prefix)
            for keyframe in drafts:
                rendered = await cancellation.to_thread(self.renderer.render_group, [keyframe], request.allow_degrade)
                for item in rendered:
                    yield await asyncio.to_thread(self.storage.store_rendered, item, prefix)
            if ticket is not None:
                async with ticket:
                    for keyframe in device_drafts:
                        item = await self.renderer.render_simulated(keyframe, simulated)
                        yield await asyncio.to_thread(self.storage.store_rendered, item, prefix)
                    for group in batches(diffusion, self.settings.imagegen_max_batch_size):
                        rendered = await cancellation.to_thread(
                            self.renderer.render_group, group, request.allow_degrade
                        )
                        for item in rendered:
                            yield await asyncio.to_thread(self.storage.store_rendered, item, prefix)
        finally:
            if ticket is not None:
                ticket.close()
