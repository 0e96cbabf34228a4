"""The production loader on tiny random SD 1.5 / SDXL pipelines: load, render, references, savers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from services.imagegen.catalog import ModelEntry
from services.imagegen.device import SimulatedDevice
from services.imagegen.diffusion import DiffusionModel, LoadOptions, RenderCall, load_diffusion_model
from services.imagegen.tiny import tiny_vocab_and_merges
from services.imagegen.weights import WeightLocator
from tests.fixtures.tiny_models import tiny_catalog


def entry_for(path: Path, family: str, *, ip_adapter: bool = True) -> ModelEntry:
    catalog = tiny_catalog(
        sd15=path if family == "sd15" else None, sdxl=path if family == "sdxl" else None, ip_adapter=ip_adapter
    )
    name = "standard" if family == "sd15" else "ultra"
    raw = next(m for m in catalog["models"] if m["name"] == name)  # type: ignore[index]
    return ModelEntry.model_validate(raw)


def load(path: Path, family: str, *, ip_adapter: bool = True, device: SimulatedDevice | None = None) -> DiffusionModel:
    entry = entry_for(path, family, ip_adapter=ip_adapter)
    locator = WeightLocator(path.parent)
    return load_diffusion_model(
        entry, locator.locate(entry), device or SimulatedDevice.with_vram(0), locator, LoadOptions()
    )


def call(seeds: list[int], **overrides: object) -> RenderCall:
    values: dict[str, object] = {
        "prompts": [f"a cinematic shot {s}" for s in seeds],
        "negative_prompts": ["blurry"] * len(seeds),
        "seeds": seeds,
        "width": 64,
        "height": 48,
        "steps": 2,
        "guidance": 5.0,
    }
    values.update(overrides)
    return RenderCall(**values)  # type: ignore[arg-type]


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.int16)


def test_tiny_components_match_the_real_layout(tiny_sd15: Path, tiny_sdxl: Path) -> None:
    import json

    index = json.loads((tiny_sd15 / "model_index.json").read_text())
    assert index["_class_name"] == "StableDiffusionPipeline" and index["tokenizer"] == ["transformers", "CLIPTokenizer"]
    assert json.loads((tiny_sdxl / "model_index.json").read_text())["_class_name"] == "StableDiffusionXLPipeline"
    text = json.loads((tiny_sd15 / "text_encoder" / "config.json").read_text())
    unet = json.loads((tiny_sd15 / "unet" / "config.json").read_text())
    assert text["hidden_size"] == unet["cross_attention_dim"]
    vocab, merges = tiny_vocab_and_merges()
    assert len(vocab) == 512 + len(merges) + 2 and merges


def test_sd15_loads_and_renders_per_seed(tiny_sd15: Path) -> None:
    model = load(tiny_sd15, "sd15")
    assert type(model.pipe).__name__ == "StableDiffusionPipeline"
    assert model.has_ip_adapter and model.size_multiple == 8 and model.dtype_name == "float32"
    assert type(model.pipe.scheduler).__name__ == "DPMSolverMultistepScheduler"
    assert model.pipe.tokenizer.model_max_length == 77
    batch = model.render(call([1, 2]))
    assert [im.size for im in batch] == [(64, 48), (64, 48)]
    again = model.render(call([1, 2]))
    assert all(np.array_equal(pixels(a), pixels(b)) for a, b in zip(batch, again, strict=True))
    assert not np.array_equal(pixels(batch[0]), pixels(batch[1])), "different seeds, different images"
    # Per-keyframe generators: a keyframe's noise does not depend on its batch neighbours.
    alone = model.render(call([2], prompts=["a cinematic shot 2"]))[0]
    assert np.abs(pixels(alone) - pixels(batch[1])).max() <= 2


def test_sdxl_loads_and_renders(tiny_sdxl: Path) -> None:
    model = load(tiny_sdxl, "sdxl")
    assert type(model.pipe).__name__ == "StableDiffusionXLPipeline" and model.has_ip_adapter
    [image] = model.render(call([3], width=72, height=56, negative_prompts=[""]))
    assert image.size == (72, 56) and pixels(image).std() > 0


def test_reference_image_uses_the_ip_adapter(tiny_sd15: Path) -> None:
    model = load(tiny_sd15, "sd15")
    reference = Image.new("RGB", (80, 80), (220, 30, 30))
    plain = model.render(call([5]))[0]
    guided = model.render(call([5], reference=reference, reference_strength=1.0))[0]
    assert not np.array_equal(pixels(plain), pixels(guided))
    assert model._img2img is None, "IP-Adapter path, no img2img view"
    # Scale 0 again for keyframes without a reference: identical to before.
    assert np.array_equal(pixels(model.render(call([5]))[0]), pixels(plain))


def test_reference_image_falls_back_to_img2img(tiny_sd15: Path) -> None:
    model = load(tiny_sd15, "sd15", ip_adapter=False)
    assert not model.has_ip_adapter and model.reference_mode == "img2img"
    reference = Image.new("RGB", (80, 80), (30, 30, 220))
    plain = model.render(call([5]))[0]
    guided = model.render(call([5], reference=reference, reference_strength=0.7))[0]
    assert guided.size == (64, 48) and not np.array_equal(pixels(plain), pixels(guided))
    assert type(model._img2img).__name__ == "StableDiffusionImg2ImgPipeline"
    assert model._img2img.unet is model.pipe.unet, "one copy of the weights"


def test_memory_savers_keep_rendering(tiny_sd15: Path) -> None:
    device = SimulatedDevice.with_vram(8)
    model = load(tiny_sd15, "sd15", ip_adapter=False, device=device)
    before = model.render(call([9]))[0]
    assert model.enable_memory_savers() == ["vae_slicing", "vae_tiling", "attention_slicing"]
    assert model.enable_memory_savers() is model.memory_savers  # idempotent
    after = model.render(call([9]))[0]
    assert np.abs(pixels(before) - pixels(after)).max() <= 2
    assert [a.memory_savers for a in device.attempts] == [False, True]


def test_injected_oom_surfaces_as_the_cuda_error(tiny_sd15: Path) -> None:
    import torch

    device = SimulatedDevice.with_vram(8, oom_rule=lambda attempt: attempt.batch_size > 1)
    model = load(tiny_sd15, "sd15", device=device)
    with pytest.raises(torch.cuda.OutOfMemoryError) as caught:
        model.render(call([1, 2]))
    assert device.is_oom(caught.value)
    assert len(model.render(call([1]))) == 1


async def test_start_up_falls_back_when_the_selected_model_does_not_load(tmp_path: Path, tiny_sd15: Path) -> None:
    import yaml

    from services.common.artifacts import FileArtifactStore
    from services.imagegen.catalog import Tier
    from services.imagegen.core import ImageGenCore
    from services.imagegen.settings import ImageGenSettings

    broken = tmp_path / "broken-sdxl"  # looks complete, but the weights are garbage
    (broken / "unet").mkdir(parents=True)
    (broken / "model_index.json").write_text('{"_class_name": "StableDiffusionXLPipeline"}')
    (broken / "unet" / "diffusion_pytorch_model.safetensors").write_bytes(b"not safetensors")
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(yaml.safe_dump(tiny_catalog(sd15=tiny_sd15, sdxl=broken)))
    settings = ImageGenSettings(imagegen_catalog=catalog, model_dir=tmp_path / "models")
    core = ImageGenCore(settings, store=FileArtifactStore(tmp_path / "store"), device=SimulatedDevice.with_vram(24))
    await core.start()
    info = core.node_info()
    assert info.tier is Tier.STANDARD and info.loaded and info.warm
    assert any(r.startswith("ultra: failed to load") for r in info.selection_reasons)
    await core.stop()
