"""The `cinesynth-imagegen` subcommands other than plan: build-tiny and fetch-models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.common.artifacts import FileArtifactStore
from services.imagegen.catalog import load_catalog
from services.imagegen.core import ImageGenCore
from services.imagegen.device import SimulatedDevice
from services.imagegen.main import main
from services.imagegen.settings import ImageGenSettings
from services.imagegen.weights import TINY_SUBDIR, download_patterns, pipeline_complete


def test_build_tiny_command_is_idempotent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "tiny"
    assert main(["build-tiny", str(target), "--kind", "sdxl"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {"kind": "sdxl", "path": str(target)} and pipeline_complete(target)
    stamp = (target / "model_index.json").stat().st_mtime_ns
    assert main(["build-tiny", str(target), "--kind", "sdxl"]) == 0
    assert (target / "model_index.json").stat().st_mtime_ns == stamp, "an existing build is reused"


async def test_pinned_tiny_is_built_on_demand_into_the_model_dir(tmp_path: Path) -> None:
    settings = ImageGenSettings(imagegen_model="tiny", model_dir=tmp_path / "models")
    core = ImageGenCore(settings, store=FileArtifactStore(tmp_path / "store"), device=SimulatedDevice.with_vram(0))
    await core.start()
    assert pipeline_complete(tmp_path / "models" / TINY_SUBDIR / "sd15")
    info = core.node_info()
    assert info.model == "tiny" and any("built into" in reason for reason in info.selection_reasons)
    await core.stop()


def test_fetch_models_refuses_offline(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    monkeypatch.setenv("CINESYNTH_MODEL_DIR", str(tmp_path))
    assert main(["fetch-models", "--models", "turbo"]) == 1
    assert "HF_HUB_OFFLINE=1 forbids downloading" in capsys.readouterr().err
    assert main(["fetch-models", "--models", "nope"]) == 2


def test_fetch_models_of_a_draft_node_fetches_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch):
    monkeypatch.setenv("CINESYNTH_MODEL_DIR", str(tmp_path))
    monkeypatch.setenv("CINESYNTH_IMAGEGEN_MAX_TIER", "draft")
    assert main(["fetch-models", "--vram-gb", "24"]) == 0
    assert json.loads(capsys.readouterr().out)["fetched"] == []


def test_download_patterns_take_only_the_listed_components_and_the_variant() -> None:
    from fnmatch import fnmatch

    index = {
        "_class_name": "StableDiffusionXLPipeline",
        "unet": ["diffusers", "UNet2DConditionModel"],
        "vae": ["diffusers", "AutoencoderKL"],
        "tokenizer": ["transformers", "CLIPTokenizer"],
        "image_encoder": [None, None],
        "safety_checker": ["stable_diffusion", "StableDiffusionSafetyChecker"],
    }
    patterns = download_patterns(load_catalog().get("ultra"), index)

    def wanted(path: str) -> bool:
        return any(fnmatch(path, p) for p in patterns)

    assert wanted("model_index.json") and wanted("unet/config.json") and wanted("tokenizer/merges.txt")
    assert wanted("unet/diffusion_pytorch_model.fp16.safetensors")
    assert wanted("unet/diffusion_pytorch_model.fp16-00001-of-00002.safetensors")
    assert not wanted("unet/diffusion_pytorch_model.safetensors"), "fp32 weights of an fp16 entry"
    assert not wanted("vae_1_0/diffusion_pytorch_model.fp16.safetensors"), "not in model_index"
    assert not wanted("safety_checker/model.fp16.safetensors")
    assert not wanted("image_encoder/model.fp16.safetensors")
