"""`cinesynth-motion fetch-models`: what it plans to fetch for a node (no network), and that running the
plan against a hub (faked here: the repos' real file layouts, served from memory) fills the model dir
so the worker then finds everything it loads."""

from __future__ import annotations

import json
import socket
import sys
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest

from services.imagegen.weights import WeightLocator, WeightStatus
from services.motion.catalog import load_motion_catalog
from services.motion.main import main
from services.motion.tiny import LORA_WEIGHT_NAME
from services.motion.weights import adapter_folder, lora_folders

CATALOG = load_motion_catalog()
LDM = "CompVis/ldm-super-resolution-4x-openimages"
LORAS = sorted(set(CATALOG.get("animatediff").camera_loras.values()))


def plan(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, Any]]:
    assert main(["fetch-models", *argv, "--dry-run"]) == 0
    return json.loads(capsys.readouterr().out)["plan"]


@pytest.fixture
def model_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CINESYNTH_MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # an empty Hugging Face cache
    return tmp_path / "models"


@pytest.mark.parametrize(
    ("vram_gb", "pipelines"),
    [(0, []), (8, ["stabilityai/stable-video-diffusion-img2vid"]), (16, ["Lightricks/LTX-Video"]),
     (48, ["Wan-AI/Wan2.1-I2V-14B-480P-Diffusers"])],
)
def test_the_plan_is_the_model_this_node_will_select(
    model_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, vram_gb: float,
    pipelines: list[str],
) -> None:
    monkeypatch.setenv("CINESYNTH_MOTION_ROLES", '["motion"]')
    items = plan(capsys, "--vram-gb", str(vram_gb))
    assert [i["source"] for i in items] == pipelines
    for item in items:
        assert item["role"] == "pipeline" and not item["present"]
        assert item["folder"] == str(model_dir / item["source"]) and item["allow_patterns"] == []


def test_an_upscale_pool_fetches_the_ldm_upscaler_on_a_gpu_only(
    model_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CINESYNTH_MOTION_ROLES", '["upscale"]')
    [item] = plan(capsys, "--vram-gb", "24")
    assert (item["role"], item["source"], item["folder"]) == ("upscaler", LDM, str(model_dir / LDM))
    assert plan(capsys, "--vram-gb", "0") == []  # auto on a CPU: Real-ESRGAN, its models are in the wheel
    monkeypatch.setenv("CINESYNTH_UPSCALE_METHOD", "ldm")
    assert [i["source"] for i in plan(capsys, "--vram-gb", "0")] == [LDM]


def test_animatediff_brings_its_motion_adapter_and_camera_loras(
    model_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CINESYNTH_MOTION_ROLES", '["motion"]')
    items = plan(capsys, "--models", "animatediff")
    assert [(i["role"], i["source"]) for i in items] == [
        ("pipeline", "stable-diffusion-v1-5/stable-diffusion-v1-5"),
        ("motion_adapter", "guoyww/animatediff-motion-adapter-v1-5-2"),
        *(("camera_lora", lora) for lora in LORAS),
    ]
    adapter = items[1]
    assert adapter["allow_patterns"] == ["config.json", "diffusion_pytorch_model.fp16.safetensors"]
    assert {tuple(i["allow_patterns"]) for i in items[2:]} == {(LORA_WEIGHT_NAME,)}
    assert all(i["folder"] == str(model_dir / i["source"]) for i in items)


def test_tiny_entries_are_built_not_downloaded(model_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    items = plan(capsys, "--models", "tiny-ltx", "tiny-animatediff")
    tiny = model_dir / "cinesynth-tiny"
    assert [(i["role"], i["folder"]) for i in items] == [
        ("build", str(tiny / "ltx")), ("build", str(tiny / "animatediff")),
    ]


def test_bad_arguments_and_offline_refusal(model_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fetch-models", "--models", "nope"]) == 2
    assert "no motion model 'nope'" in capsys.readouterr().err
    # The suite runs with HF_HUB_OFFLINE=1: the plan is printed, the download refused.
    assert main(["fetch-models", "--models", "ltx-video"]) == 1
    assert "HF_HUB_OFFLINE=1 forbids downloading" in capsys.readouterr().err


# --- the plan run against a fake hub ---------------------------------------------------------------

# File layouts of the real repos (only names matter): what the patterns must keep and what they must skip.
FAKE_REPOS: dict[str, dict[str, Any]] = {
    "stable-diffusion-v1-5/stable-diffusion-v1-5": {
        "model_index.json": {
            "_class_name": "StableDiffusionPipeline", "unet": ["diffusers", "UNet2DConditionModel"],
            "vae": ["diffusers", "AutoencoderKL"], "text_encoder": ["transformers", "CLIPTextModel"],
            "tokenizer": ["transformers", "CLIPTokenizer"], "scheduler": ["diffusers", "PNDMScheduler"],
            "safety_checker": ["stable_diffusion", "StableDiffusionSafetyChecker"],
            "feature_extractor": ["transformers", "CLIPImageProcessor"],
        },
        "files": [
            "v1-5-pruned.ckpt", "v1-5-pruned-emaonly.safetensors", "unet/config.json",
            "unet/diffusion_pytorch_model.safetensors", "unet/diffusion_pytorch_model.fp16.safetensors",
            "vae/config.json", "vae/diffusion_pytorch_model.fp16.safetensors",
            "vae/diffusion_pytorch_model.safetensors",
            "text_encoder/config.json", "text_encoder/model.fp16.safetensors", "text_encoder/model.safetensors",
            "tokenizer/vocab.json", "tokenizer/merges.txt", "tokenizer/tokenizer_config.json",
            "scheduler/scheduler_config.json", "safety_checker/model.fp16.safetensors",
            "feature_extractor/preprocessor_config.json",
        ],
    },
    "guoyww/animatediff-motion-adapter-v1-5-2": {
        "files": ["config.json", "diffusion_pytorch_model.fp16.safetensors", "diffusion_pytorch_model.safetensors"],
    },
    **{lora: {"files": ["README.md", LORA_WEIGHT_NAME]} for lora in LORAS},
}


@pytest.fixture
def fake_hub(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """huggingface_hub's downloads served from FAKE_REPOS; any real network use fails the test."""
    import huggingface_hub

    fetched: list[tuple[str, str]] = []

    def write(repo: str, name: str, local_dir: str) -> str:
        path = Path(local_dir) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        body = FAKE_REPOS[repo].get(name)
        path.write_text(json.dumps(body) if body else "{}")
        fetched.append((repo, name))
        return str(path)

    def hf_hub_download(repo_id: str, filename: str, *, local_dir: str, **_: object) -> str:
        return write(repo_id, filename, local_dir)

    def snapshot_download(repo_id: str, *, local_dir: str, allow_patterns: list[str],
                          ignore_patterns: list[str] | None = None, **_: object) -> str:
        for name in FAKE_REPOS[repo_id]["files"]:
            ignored = any(fnmatch(name, p) for p in ignore_patterns or [])
            if any(fnmatch(name, p) for p in allow_patterns) and not ignored:
                write(repo_id, name, local_dir)
        return local_dir

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network use in a fake-hub test")

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", hf_hub_download)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    hub_constants = sys.modules.get("huggingface_hub.constants")
    if hub_constants is not None:
        monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", False)
    return fetched


def test_fetching_fills_the_model_dir_the_worker_loads_from(
    model_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    fake_hub: list[tuple[str, str]],
) -> None:
    monkeypatch.setenv("CINESYNTH_MOTION_ROLES", '["motion"]')
    assert main(["fetch-models", "--models", "animatediff"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["fetched"]) == 2 + len(LORAS)
    names = {name for _repo, name in fake_hub}
    # The fp16 variant of the listed components only: no original checkpoints, no safety checker,
    # no full-precision duplicates, no READMEs.
    assert {"unet/diffusion_pytorch_model.fp16.safetensors", "text_encoder/model.fp16.safetensors",
            "tokenizer/merges.txt", "diffusion_pytorch_model.fp16.safetensors", LORA_WEIGHT_NAME} <= names
    assert not names & {"v1-5-pruned.ckpt", "v1-5-pruned-emaonly.safetensors", "safety_checker/model.fp16.safetensors",
                        "unet/diffusion_pytorch_model.safetensors", "README.md"}
    # What the worker's loader then finds, offline.
    entry = CATALOG.get("animatediff")
    locator = WeightLocator(model_dir, allow_download=False)
    assert locator.locate(entry).status is WeightStatus.PRESENT
    assert adapter_folder(entry, locator, None) == model_dir / entry.motion_adapter
    assert sorted(lora_folders(entry, locator, None)) == LORAS
    # Everything present: a second run downloads nothing.
    fake_hub.clear()
    assert main(["fetch-models", "--models", "animatediff"]) == 0
    assert fake_hub == [] and all(i["present"] for i in json.loads(capsys.readouterr().out)["plan"])
