"""`imagegen_simulated_seconds`: draft cards that hold the device like a GPU render (load/fault tests)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from services.common.artifacts import FileArtifactStore
from services.common.errors import ResourceExhausted
from services.imagegen.core import ImageGenCore
from services.imagegen.device import SimulatedDevice
from services.imagegen.domain import GenerateRequest, KeyframeSpec
from services.imagegen.settings import ImageGenSettings
from tests.support import until

SIMULATED_S = 0.3


@pytest.fixture
async def gpu_standin(tmp_path: Path) -> ImageGenCore:
    """A draft worker whose every card takes SIMULATED_S on a one-slot device with one queue place."""
    settings = ImageGenSettings(
        model_dir=tmp_path / "models",
        imagegen_simulated_seconds=SIMULATED_S,
        imagegen_max_concurrency=1,
        imagegen_queue_capacity=1,
        imagegen_cache=False,
    )
    core = ImageGenCore(settings, store=FileArtifactStore(tmp_path / "store"), device=SimulatedDevice.with_vram(0))
    await core.start()
    return core


def _request(job: str, count: int = 1) -> GenerateRequest:
    specs = [KeyframeSpec(id=f"scene-{i:02d}", prompt=f"{job} shot {i}", width=64, height=64) for i in range(count)]
    return GenerateRequest(keyframes=specs, output_prefix=f"jobs/{job}/keyframes")


async def _collect(core: ImageGenCore, request: GenerateRequest) -> list[float]:
    return [result.seconds async for result in core.generate(request)]


async def test_each_card_holds_the_device_for_the_configured_time(gpu_standin: ImageGenCore) -> None:
    started = time.monotonic()
    seconds = await _collect(gpu_standin, _request("a", count=2))
    elapsed = time.monotonic() - started
    assert len(seconds) == 2 and all(s >= SIMULATED_S for s in seconds)
    assert elapsed >= 2 * SIMULATED_S


async def test_requests_queue_for_the_device_and_overflow_is_refused(gpu_standin: ImageGenCore) -> None:
    started = time.monotonic()
    first = asyncio.create_task(_collect(gpu_standin, _request("a")))
    second = asyncio.create_task(_collect(gpu_standin, _request("b")))
    await until(lambda: (gpu_standin.admission.inflight, gpu_standin.admission.waiting) == (1, 1))
    with pytest.raises(ResourceExhausted, match="busy"):
        await _collect(gpu_standin, _request("c"))
    await asyncio.gather(first, second)
    # One device slot: the two renders ran one after the other.
    assert time.monotonic() - started >= 2 * SIMULATED_S
    assert (gpu_standin.admission.inflight, gpu_standin.admission.waiting) == (0, 0)


async def test_a_cancelled_render_frees_the_device_and_stores_nothing(gpu_standin: ImageGenCore) -> None:
    task = asyncio.create_task(_collect(gpu_standin, _request("gone")))
    await until(lambda: gpu_standin.admission.inflight == 1)  # rendering, not merely scheduled
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (gpu_standin.admission.inflight, gpu_standin.admission.waiting) == (0, 0)
    store = gpu_standin.store
    assert isinstance(store, FileArtifactStore)
    assert not (store.root / "jobs" / "gone").exists()
