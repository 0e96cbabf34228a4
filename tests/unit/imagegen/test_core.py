"""The core without weights: validation, tier resolution, admission, caching, draft rendering."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from PIL import Image

from services.common.artifacts import FileArtifactStore
from services.common.errors import FailedPrecondition, InvalidArgument, ResourceExhausted, Unavailable
from services.imagegen import metrics
from services.imagegen.admission import Admission
from services.imagegen.cache import CACHE_PREFIX, encode_png
from services.imagegen.catalog import Tier
from services.imagegen.core import ImageGenCore
from services.imagegen.device import SimulatedDevice
from services.imagegen.domain import GenerateRequest, KeyframeResult, KeyframeSpec
from services.imagegen.draft import CameraMove, SceneCard
from services.imagegen.planning import render_size
from services.imagegen.settings import ImageGenSettings


@pytest.mark.parametrize(
    ("size", "multiple", "max_pixels", "expected"),
    [
        ((768, 512), 8, 768 * 512, (768, 512)),
        ((1280, 720), 8, 768 * 512, (832, 472)),  # same aspect, under the budget, multiples of 8
        ((1000, 500), 8, 10**7, (1000, 496)),
        ((64, 64), 8, 10**7, (64, 64)),
        ((3840, 2160), 8, 1024 * 1024, (1360, 768)),
    ],
)
def test_render_size(size: tuple[int, int], multiple: int, max_pixels: int, expected: tuple[int, int]) -> None:
    width, height = render_size(*size, multiple, max_pixels)
    assert (width, height) == expected
    assert width % multiple == 0 and height % multiple == 0 and width * height <= max_pixels


def test_png_encoding_is_deterministic_and_carries_metadata() -> None:
    image = Image.new("RGB", (32, 16), (10, 200, 30))
    png = encode_png(image, {"seed": 7, "model": "m"})
    assert png == encode_png(image, {"model": "m", "seed": 7})
    decoded = Image.open(io.BytesIO(png))
    assert decoded.size == (32, 16) and '"seed": 7' in decoded.info["cinesynth"]


async def test_admission_queues_then_refuses() -> None:
    admission = Admission(max_concurrency=1, capacity=1)
    first = admission.admit()
    second = admission.admit()
    assert (admission.inflight, admission.waiting) == (0, 2)
    with pytest.raises(ResourceExhausted, match="busy"):
        admission.admit()
    async with first:
        assert (admission.inflight, admission.waiting) == (1, 1)
        assert metrics.INFLIGHT._value.get() == 1 and metrics.QUEUE_DEPTH._value.get() == 1
        waiter = asyncio.create_task(second.__aenter__())
        await asyncio.sleep(0.01)
        assert not waiter.done(), "the second waits for the device"
    await waiter
    assert (admission.inflight, admission.waiting) == (1, 0)
    await second.__aexit__(None, None, None)
    second.close()  # idempotent
    assert (admission.inflight, admission.waiting) == (0, 0)
    admission.admit().close()  # leaving the queue without running frees the place
    assert admission.waiting == 0


@pytest.fixture
def store(tmp_path: Path) -> FileArtifactStore:
    return FileArtifactStore(tmp_path / "store")


@pytest.fixture
async def draft_core(store: FileArtifactStore, tmp_path: Path) -> ImageGenCore:
    """A CPU node without weights: it serves the draft tier."""
    settings = ImageGenSettings(model_dir=tmp_path / "models", artifact_store=f"file://{tmp_path}/store")
    core = ImageGenCore(settings, store=store, device=SimulatedDevice.with_vram(0))
    await core.start()
    return core


async def collect(core: ImageGenCore, request: GenerateRequest) -> list[KeyframeResult]:
    return [result async for result in core.generate(request)]


async def test_a_node_without_weights_serves_draft_cards(draft_core: ImageGenCore, store: FileArtifactStore) -> None:
    info = draft_core.node_info()
    assert (info.tier, info.model, info.loaded, info.warm) == (Tier.DRAFT, "animatic", True, True)
    assert info.available_tiers == (Tier.DRAFT,) and info.device_kind == "cpu"
    scene = SceneCard(index=0, title="Opening", description="Dawn over the city", camera=CameraMove(zoom=1.1))
    request = GenerateRequest(
        keyframes=[
            KeyframeSpec(id="scene-00", prompt="dawn", scene=scene, width=640, height=360),
            KeyframeSpec(id="scene-01", prompt="a cat on a roof"),
        ],
        output_prefix="jobs/j1/keyframes",
    )
    first = await collect(draft_core, request)
    assert [r.id for r in first] == ["scene-00", "scene-01"]
    assert [(r.width, r.height) for r in first] == [(640, 360), (1280, 720)]  # 0 = the tier's default
    for result in first:
        assert result.tier is Tier.DRAFT and not result.cached and result.name == f"keyframes/{result.id}.png"
        data = store.get_bytes(result.uri)
        assert Image.open(io.BytesIO(data)).size == (result.width, result.height)
        assert result.uri == store.uri_for(f"jobs/j1/keyframes/{result.id}.png")
    again = await collect(draft_core, GenerateRequest(keyframes=request.keyframes, output_prefix="jobs/j2/keyframes"))
    assert all(r.cached for r in again)
    assert [r.sha256 for r in again] == [r.sha256 for r in first]
    assert len(list((store.root / CACHE_PREFIX).iterdir())) == 2


async def test_tier_the_worker_does_not_hold(draft_core: ImageGenCore) -> None:
    spec = KeyframeSpec(id="k", prompt="a castle", tier=Tier.ULTRA, width=128, height=128)
    with pytest.raises(FailedPrecondition, match="not served by this worker"):
        await collect(draft_core, GenerateRequest(keyframes=[spec], output_prefix="p"))
    [result] = await collect(draft_core, GenerateRequest(keyframes=[spec], output_prefix="p", allow_degrade=True))
    assert result.tier is Tier.DRAFT
    assert [w.code for w in result.warnings] == ["tier_degraded"] and result.warnings[0].stage == "keyframes"


async def test_every_bad_field_is_reported(draft_core: ImageGenCore) -> None:
    request = GenerateRequest(
        keyframes=[
            KeyframeSpec(id="a b", prompt="x", width=63),
            KeyframeSpec(id="dup", prompt="", height=4000, steps=-1),
            KeyframeSpec(
                id="dup",
                prompt="y",
                guidance=float("nan"),
                reference_strength=2,
                reference_image_uri="file:///etc/passwd",
            ),
        ],
        output_prefix="../escape",
    )
    with pytest.raises(InvalidArgument) as caught:
        await collect(draft_core, request)
    fields = {v.field for v in caught.value.violations}
    assert fields == {
        "output_prefix",
        "keyframes[0].id",
        "keyframes[0].width",
        "keyframes[1].prompt",
        "keyframes[1].height",
        "keyframes[1].steps",
        "keyframes[2].id",
        "keyframes[2].guidance",
        "keyframes[2].reference_strength",
        "keyframes[2].reference_image_uri",
    }
    with pytest.raises(InvalidArgument, match="at least one keyframe"):
        await collect(draft_core, GenerateRequest(keyframes=[], output_prefix="p"))


async def test_missing_reference_image_is_an_invalid_argument(
    draft_core: ImageGenCore, store: FileArtifactStore
) -> None:
    spec = KeyframeSpec(prompt="x", reference_image_uri=store.uri_for("refs/missing.png"))
    with pytest.raises(InvalidArgument, match=r"reference_image_uri: not found"):
        await collect(draft_core, GenerateRequest(keyframes=[spec], output_prefix="p"))


async def test_requests_before_start_are_unavailable(store: FileArtifactStore, tmp_path: Path) -> None:
    core = ImageGenCore(ImageGenSettings(model_dir=tmp_path), store=store, device=SimulatedDevice.with_vram(0))
    with pytest.raises(Unavailable, match="still loading"):
        await collect(core, GenerateRequest(keyframes=[KeyframeSpec(prompt="x")], output_prefix="p"))
    assert not core.node_info().loaded
