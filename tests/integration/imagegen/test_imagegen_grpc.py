"""ImageGenService end to end over gRPC on loopback, with tiny random pipelines on the CPU."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import threading
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml
from grpc import aio
from PIL import Image

from services.common import pb
from services.common.errors import field_violations
from services.common.server import NOT_SERVING, SERVING, ServiceRuntime, check_health
from services.imagegen.core import ImageGenCore
from services.imagegen.device import GenerationAttempt, SimulatedDevice
from services.imagegen.main import build_service
from services.imagegen.settings import ImageGenSettings
from tests.fixtures.tiny_models import tiny_catalog
from tests.support import serve_in_process, test_settings, until

common = pb.common_pb2
imagegen = pb.imagegen_pb2


def tiny_settings(tmp_path: Path, tiny_sd15: Path, **overrides: Any) -> ImageGenSettings:
    values: dict[str, Any] = {
        "imagegen_model": "tiny",
        "tiny_model_path": tiny_sd15,
        "model_dir": tmp_path / "models",
        "artifact_store": f"file://{tmp_path}/store",
    }
    values.update(overrides)
    return test_settings(ImageGenSettings, **values)  # type: ignore[return-value]


@contextlib.asynccontextmanager
async def imagegen_server(
    settings: ImageGenSettings, device: SimulatedDevice
) -> AsyncIterator[tuple[ServiceRuntime, Any, ImageGenCore]]:
    service = build_service(settings, device=device)
    async with serve_in_process(service, settings) as runtime:
        async with aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
            yield runtime, pb.imagegen_grpc.ImageGenServiceStub(channel), service.extra["core"]  # type: ignore[misc]


def keyframe(id_: str, seed: int, **fields: Any) -> Any:
    values: dict[str, Any] = {
        "id": id_,
        "prompt": f"a cinematic wide shot, take {seed}",
        "seed": seed,
        "width": 96,
        "height": 64,
        "steps": 2,
    }
    values.update(fields)
    return imagegen.KeyframeSpec(**values)


async def generate(stub: Any, *specs: Any, prefix: str = "jobs/j1/keyframes", allow_degrade: bool = False) -> list[Any]:
    request = imagegen.GenerateKeyframesRequest(
        keyframes=list(specs), output_prefix=prefix, allow_degrade=allow_degrade, job_id="j1"
    )
    return [response.keyframe async for response in stub.GenerateKeyframes(request, timeout=60)]


def read(settings: ImageGenSettings, uri: str) -> bytes:
    path = Path(uri.removeprefix("file://"))
    assert Path(settings.artifact_store.removeprefix("file://")).resolve() in path.parents
    return path.read_bytes()


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return response.read().decode()


def metric(text: str, line_start: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(line_start))


async def test_tiny_model_end_to_end(tmp_path: Path, tiny_sd15: Path) -> None:
    settings = tiny_settings(tmp_path, tiny_sd15, metrics_port=0)
    device = SimulatedDevice.with_vram(0)
    async with imagegen_server(settings, device) as (runtime, stub, _core):
        assert await check_health(f"127.0.0.1:{runtime.port}", pb.IMAGEGEN_SERVICE) == SERVING
        info = await stub.GetNodeInfo(imagegen.GetNodeInfoRequest(), timeout=10)
        assert (info.tier, info.model, info.device_kind) == (common.TIER_TURBO, "tiny", "cpu")
        assert info.loaded and info.warm and (info.max_concurrency, info.queue_capacity) == (1, 8)
        assert list(info.available_tiers) == [common.TIER_TURBO, common.TIER_DRAFT]
        assert any("pinned" in reason for reason in info.selection_reasons)

        scene = common.Scene(
            index=1,
            title="The Harbour",
            description="Gulls over the pier",
            mood="serene",
            shot=common.ShotDomains(lighting="golden hour", camera_pose=common.CameraMotion(zoom=1.2, move="dolly-in")),
        )
        specs = [
            keyframe("scene-00", 11),
            keyframe("scene-01", 12),
            keyframe("scene-02", 13, tier=common.TIER_DRAFT, scene=scene, width=320, height=180),
        ]
        first = await generate(stub, *specs)
        assert sorted(k.id for k in first) == ["scene-00", "scene-01", "scene-02"]
        for kf in first:
            data = read(settings, kf.image.uri)
            assert hashlib.sha256(data).hexdigest() == kf.image.sha256 and len(data) == kf.image.size_bytes
            image = Image.open(io.BytesIO(data))
            assert image.format == "PNG" and image.size == (kf.width, kf.height)
            assert kf.image.kind == common.ARTIFACT_KIND_KEYFRAME and kf.image.mime_type == "image/png"
            assert kf.image.uri.endswith(f"/jobs/j1/keyframes/{kf.id}.png") and not kf.cached
        by_id = {k.id: k for k in first}
        assert (by_id["scene-00"].width, by_id["scene-00"].height, by_id["scene-00"].seed) == (96, 64, 11)
        assert (by_id["scene-00"].model, by_id["scene-00"].tier) == ("tiny", common.TIER_TURBO)
        assert (by_id["scene-02"].model, by_id["scene-02"].tier) == ("animatic", common.TIER_DRAFT)
        keyframe_calls = [a for a in device.attempts if a.purpose == "keyframe"]
        assert [a.batch_size for a in keyframe_calls] == [2], "the two tiny keyframes share one pipeline call"

        again = await generate(stub, *specs, prefix="jobs/j2/keyframes")
        assert all(k.cached for k in again) and len(device.attempts) == len(keyframe_calls) + 1
        assert {k.id: k.image.sha256 for k in again} == {k.id: k.image.sha256 for k in first}

        text = await asyncio.to_thread(scrape, runtime.metrics_port)
        assert 'cinesynth_imagegen_model_info{device="cpu",model="tiny",tier="turbo"} 1.0' in text
        assert "cinesynth_imagegen_inflight 0.0" in text and "cinesynth_imagegen_queue_depth 0.0" in text
        assert metric(text, 'cinesynth_imagegen_keyframe_seconds_count{tier="turbo"}') >= 2


async def test_same_seed_gives_byte_identical_pngs(tmp_path: Path, tiny_sd15: Path) -> None:
    pngs = []
    for run in ("a", "b"):
        settings = tiny_settings(tmp_path / run, tiny_sd15, imagegen_cache=False)
        async with imagegen_server(settings, SimulatedDevice.with_vram(0)) as (_runtime, stub, _core):
            kfs = await generate(stub, keyframe("k0", 42), keyframe("k1", 43))
            pngs.append({k.id: read(settings, k.image.uri) for k in kfs})
    assert pngs[0] == pngs[1]
    assert pngs[0]["k0"] != pngs[0]["k1"]


async def test_reference_image_and_validation(tmp_path: Path, tiny_sd15: Path) -> None:
    settings = tiny_settings(tmp_path, tiny_sd15)
    async with imagegen_server(settings, SimulatedDevice.with_vram(0)) as (_runtime, stub, core):
        buffer = io.BytesIO()
        Image.new("RGB", (64, 64), (200, 40, 40)).save(buffer, format="PNG")
        reference = core.store.put_bytes("jobs/j1/refs/hero.png", buffer.getvalue())
        plain, guided = await generate(
            stub, keyframe("plain", 5), keyframe("guided", 5, reference_image_uri=reference.uri, reference_strength=0.9)
        )
        assert plain.image.sha256 != guided.image.sha256 and guided.width == 96

        with pytest.raises(grpc.RpcError) as caught:
            await generate(stub, keyframe("bad", 1, width=65), keyframe("bad", 1, reference_image_uri="s3://x/y.png"))
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        fields = {v.field for v in field_violations(caught.value)}
        assert fields == {"keyframes[0].width", "keyframes[1].id", "keyframes[1].reference_image_uri"}

        with pytest.raises(grpc.RpcError) as caught:
            await generate(stub, keyframe("up", 1, tier=common.TIER_ULTRA))
        assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        [degraded] = await generate(stub, keyframe("up", 1, tier=common.TIER_ULTRA), allow_degrade=True)
        assert degraded.tier == common.TIER_TURBO and [w.code for w in degraded.warnings] == ["tier_degraded"]


class WarmupGate(SimulatedDevice):
    """Blocks the start-up generation until released (a slow model load)."""

    def __init__(self) -> None:
        super().__init__(kind_="cpu")
        self.release = threading.Event()

    def before_generation(self, attempt: GenerationAttempt) -> None:
        super().before_generation(attempt)
        if attempt.purpose == "warmup":
            self.release.wait(timeout=30)


async def test_not_serving_until_loaded_and_warm(tmp_path: Path, tiny_sd15: Path) -> None:
    settings = tiny_settings(tmp_path, tiny_sd15)
    device = WarmupGate()
    runtime = ServiceRuntime(settings, build_service(settings, device=device))
    starting = asyncio.create_task(runtime.start())
    try:
        await until(lambda: any(a.purpose == "warmup" for a in device.attempts))
        target = f"127.0.0.1:{runtime.port}"
        assert await check_health(target, pb.IMAGEGEN_SERVICE) == NOT_SERVING
        async with aio.insecure_channel(target) as channel:
            stub = pb.imagegen_grpc.ImageGenServiceStub(channel)
            info = await stub.GetNodeInfo(imagegen.GetNodeInfoRequest(), timeout=5)
            assert not info.loaded and not info.warm
            with pytest.raises(grpc.RpcError) as caught:
                await generate(stub, keyframe("early", 1))
            assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
        device.release.set()
        await asyncio.wait_for(starting, 60)
        assert await check_health(target, pb.IMAGEGEN_SERVICE) == SERVING
    finally:
        device.release.set()
        await starting
        await runtime.drain(grace_s=1.0)


async def test_queue_full_is_resource_exhausted(tmp_path: Path, tiny_sd15: Path) -> None:
    settings = tiny_settings(tmp_path, tiny_sd15, imagegen_max_concurrency=1, imagegen_queue_capacity=1)
    gate = threading.Event()
    device = SimulatedDevice.with_vram(0, gate=gate)
    async with imagegen_server(settings, device) as (_runtime, stub, _core):
        running = asyncio.create_task(generate(stub, keyframe("first", 1)))
        await until(lambda: any(a.purpose == "keyframe" for a in device.attempts))
        queued = asyncio.create_task(generate(stub, keyframe("second", 2)))
        async def queued_one() -> bool:
            return (await stub.GetNodeInfo(imagegen.GetNodeInfoRequest(), timeout=30)).queue_depth == 1

        await until(queued_one)
        info = await stub.GetNodeInfo(imagegen.GetNodeInfoRequest(), timeout=30)
        assert (info.inflight, info.queue_depth) == (1, 1)
        with pytest.raises(grpc.RpcError) as caught:
            await generate(stub, keyframe("third", 3))
        assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        # Draft cards and cache hits never wait for the device.
        [card] = await generate(stub, keyframe("card", 4, tier=common.TIER_DRAFT))
        assert card.tier == common.TIER_DRAFT
        gate.set()
        assert [k.id for k in await running] == ["first"]
        assert [k.id for k in await queued] == ["second"]
        info = await stub.GetNodeInfo(imagegen.GetNodeInfoRequest(), timeout=5)
        assert (info.inflight, info.queue_depth) == (0, 0)


async def test_sdxl_ultra_oom_recovery_and_degrade(tmp_path: Path, tiny_sd15: Path, tiny_sdxl: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(yaml.safe_dump(tiny_catalog(sd15=tiny_sd15, sdxl=tiny_sdxl)))
    settings = test_settings(
        ImageGenSettings,
        imagegen_catalog=catalog,
        imagegen_fallback_models=["standard"],
        model_dir=tmp_path / "models",
        artifact_store=f"file://{tmp_path}/store",
        metrics_port=0,
    )
    # A 16 GiB GPU whose batches do not fit until the memory savers are on.
    device = SimulatedDevice.with_vram(
        16, oom_rule=lambda a: a.purpose == "keyframe" and a.batch_size > 1 and not a.memory_savers
    )
    async with imagegen_server(settings, device) as (runtime, stub, core):  # type: ignore[arg-type]
        info = await stub.GetNodeInfo(imagegen.GetNodeInfoRequest(), timeout=10)
        assert (info.tier, info.device_kind, info.vram_total_bytes) == (common.TIER_ULTRA, "cuda", 16 * 1024**3)
        assert list(info.available_tiers) == [common.TIER_ULTRA, common.TIER_STANDARD, common.TIER_DRAFT]
        models = core.model_set.models
        assert type(models[next(iter(models))].pipe).__name__ == "StableDiffusionXLPipeline"
        before = await asyncio.to_thread(scrape, runtime.metrics_port)

        recovered = await generate(stub, keyframe("a", 1), keyframe("b", 2))
        assert all(k.tier == common.TIER_ULTRA for k in recovered)
        assert all([w.code for w in k.warnings] == ["oom_memory_savers"] for k in recovered)
        assert device.cache_empties >= 1
        # IP-Adapter: no attention slicing.
        assert models[core.model_set.served.tier].memory_savers == ["vae_slicing", "vae_tiling"]

        device.oom_rule = lambda a: a.purpose == "keyframe" and a.tier == "ultra"
        degraded = await generate(stub, keyframe("c", 3), keyframe("d", 4), allow_degrade=True)
        assert all(k.tier == common.TIER_STANDARD for k in degraded)
        assert all([w.code for w in k.warnings] == ["oom_memory_savers", "tier_degraded"] for k in degraded)

        with pytest.raises(grpc.RpcError) as caught:
            await generate(stub, keyframe("e", 5))
        assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "allow_degrade" in (caught.value.details() or "")

        after = await asyncio.to_thread(scrape, runtime.metrics_port)
        oom = 'cinesynth_imagegen_oom_total{tier="ultra"}'
        # batch; batch + 2 singles; a single keyframe fails twice (after emptying the cache it is retried once)
        assert metric(after, oom) - metric(before, oom) == 1 + 3 + 2
        degraded_line = 'cinesynth_imagegen_degraded_total{from_tier="ultra",reason="oom",to_tier="standard"}'
        assert metric(after, degraded_line) - metric(before, degraded_line) == 2
        fallbacks = 'cinesynth_fallbacks_total{kind="tier_degraded",stage="keyframes"}'
        assert metric(after, fallbacks) - metric(before, fallbacks) == 2
