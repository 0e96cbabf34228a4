"""Selection across VRAM sizes and missing weights, and the `plan` command's acceptance table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.imagegen.catalog import Tier, load_catalog
from services.imagegen.device import SimulatedDevice
from services.imagegen.main import main
from services.imagegen.selection import SelectionError, select_model
from services.imagegen.weights import WeightLocator, WeightStatus

HUB_IDS = {
    "turbo": "stabilityai/sd-turbo",
    "standard": "stable-diffusion-v1-5/stable-diffusion-v1-5",
    "ultra": "stabilityai/stable-diffusion-xl-base-1.0",
}


def fake_pipeline(folder: Path) -> Path:
    """The files the locator checks (an index and denoiser weights); nothing is loaded."""
    (folder / "unet").mkdir(parents=True)
    (folder / "model_index.json").write_text("{}")
    (folder / "unet" / "diffusion_pytorch_model.fp16.safetensors").write_bytes(b"")
    return folder


def fake_vae(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    (folder / "diffusion_pytorch_model.safetensors").write_bytes(b"")


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    return tmp_path / "models"


def present(model_dir: Path, *tiers: str) -> None:
    for tier in tiers:
        fake_pipeline(model_dir / HUB_IDS[tier])
        if tier == "ultra":
            fake_vae(model_dir / "madebyollin/sdxl-vae-fp16-fix")


@pytest.mark.parametrize(
    ("vram_gb", "weights", "expected"),
    [
        (80, ("turbo", "standard", "ultra"), "ultra"),
        (24, ("turbo", "standard", "ultra"), "ultra"),
        (16, ("turbo", "standard", "ultra"), "ultra"),
        (12, ("turbo", "standard", "ultra"), "standard"),  # 11 GiB usable after the 1 GiB reserve
        (8, ("turbo", "standard", "ultra"), "standard"),
        (6, ("turbo", "standard", "ultra"), "standard"),
        (4, ("turbo", "standard", "ultra"), "turbo"),
        (2, ("turbo", "standard", "ultra"), "draft"),
        (24, ("turbo", "standard"), "standard"),  # ultra skipped: no weights
        (24, ("turbo",), "turbo"),
        (24, (), "draft"),
        (8, ("ultra",), "draft"),  # the one with weights does not fit
        (0, ("turbo", "standard", "ultra"), "turbo"),  # CPU: only CPU-capable entries
        (0, ("standard", "ultra"), "draft"),
    ],
)
def test_selection_table(model_dir: Path, vram_gb: float, weights: tuple[str, ...], expected: str) -> None:
    present(model_dir, *weights)
    device = SimulatedDevice.with_vram(vram_gb).info()
    plan = select_model(load_catalog(), device, WeightLocator(model_dir), reserve_gb=1.0)
    assert plan.entry.name == expected, plan.reasons
    assert plan.fallbacks == () or plan.fallbacks[-1].entry.tier is Tier.DRAFT
    for tier in {"turbo", "standard", "ultra"} - set(weights):
        reason = next(r for r in plan.reasons if r.startswith(f"{tier} "))
        assert "skipped" in reason


def test_missing_weights_are_skipped_with_the_reason(model_dir: Path) -> None:
    present(model_dir, "standard")
    plan = select_model(load_catalog(), SimulatedDevice.with_vram(24).info(), WeightLocator(model_dir), reserve_gb=1)
    assert plan.entry.name == "standard"
    ultra = next(r for r in plan.reasons if r.startswith("ultra"))
    assert "weights not present" in ultra and "HF_HUB_OFFLINE=1 forbids downloading" in ultra
    assert str(model_dir / HUB_IDS["ultra"]) in ultra


def test_a_missing_replacement_vae_makes_the_tier_unavailable(model_dir: Path) -> None:
    fake_pipeline(model_dir / HUB_IDS["ultra"])
    location = WeightLocator(model_dir).locate(load_catalog().get("ultra"))
    assert location.status is WeightStatus.MISSING and "madebyollin/sdxl-vae-fp16-fix" in location.detail


def test_online_nodes_may_download(model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    catalog, device = load_catalog(), SimulatedDevice.with_vram(16).info()
    plan = select_model(catalog, device, WeightLocator(model_dir), reserve_gb=1)
    assert plan.entry.name == "ultra" and plan.selected.location.status is WeightStatus.DOWNLOADABLE
    no_downloads = WeightLocator(model_dir, allow_download=False)
    assert select_model(catalog, device, no_downloads, reserve_gb=1).entry.name == "draft"


def test_weights_in_the_hugging_face_cache_count(tmp_path: Path) -> None:
    cache = tmp_path / "hf-cache"
    repo = cache / "models--stabilityai--sd-turbo"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("abc123")
    fake_pipeline(repo / "snapshots" / "abc123")
    locator = WeightLocator(tmp_path / "empty", hf_cache_dir=cache)
    location = locator.locate(load_catalog().get("turbo"))
    assert location.status is WeightStatus.PRESENT and location.path == repo / "snapshots" / "abc123"


def test_local_path_sources_and_the_reserve(tmp_path: Path, tiny_sd15: Path) -> None:
    catalog = load_catalog()
    device = SimulatedDevice.with_vram(13).info()
    locator = WeightLocator(tmp_path, assume_present=True)
    assert select_model(catalog, device, locator, reserve_gb=1).entry.name == "ultra"
    assert select_model(catalog, device, locator, reserve_gb=2).entry.name == "standard"
    assert select_model(catalog, device, locator, reserve_gb=1, max_tier=Tier.TURBO).entry.name == "turbo"


def test_pinned_tiny_uses_the_configured_path(tmp_path: Path, tiny_sd15: Path) -> None:
    catalog, device = load_catalog(), SimulatedDevice.with_vram(0).info()
    plan = select_model(
        catalog, device, WeightLocator(tmp_path, tiny_model_path=tiny_sd15), reserve_gb=1, pinned="tiny"
    )
    assert plan.entry.name == "tiny" and plan.selected.location.path == tiny_sd15
    buildable = WeightLocator(tmp_path).locate(catalog.get("tiny"))
    assert buildable.status is WeightStatus.BUILDABLE and buildable.path == tmp_path / "cinesynth-tiny" / "sd15"
    with pytest.raises(SelectionError, match="no model 'nope'"):
        select_model(catalog, device, WeightLocator(tmp_path), reserve_gb=1, pinned="nope")
    with pytest.raises(SelectionError, match="unavailable"):
        select_model(catalog, device, WeightLocator(tmp_path), reserve_gb=1, pinned="standard")


def run_plan(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["plan", *args]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(("vram", "tier"), [("8", "standard"), ("16", "ultra"), ("4", "turbo"), ("1", "draft")])
def test_plan_command_acceptance(capsys: pytest.CaptureFixture[str], vram: str, tier: str) -> None:
    out = run_plan(capsys, "--vram-gb", vram, "--assume-weights")
    assert out["tier"] == tier
    assert isinstance(out["reasons"], list) and out["reasons"]


def test_plan_on_a_cpu_node_without_weights_is_draft(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CINESYNTH_MODEL_DIR", str(tmp_path))
    out = run_plan(capsys, "--vram-gb", "0")
    assert (out["tier"], out["model"]) == ("draft", "animatic")
    turbo = next(r for r in out["reasons"] if r.startswith("turbo"))  # type: ignore[union-attr]
    assert "weights not present" in turbo
    fake_pipeline(tmp_path / HUB_IDS["turbo"])
    assert run_plan(capsys, "--vram-gb", "0")["tier"] == "turbo"
    assert run_plan(capsys, "--vram-gb", "8")["tier"] == "turbo"


def test_plan_with_a_custom_catalog(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import yaml

    from tests.fixtures.tiny_models import tiny_catalog

    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(yaml.safe_dump(tiny_catalog(sd15=tmp_path / "sd15", sdxl=None)))
    fake_pipeline(tmp_path / "sd15")
    out = run_plan(capsys, "--vram-gb", "16", "--catalog", str(catalog))
    assert (out["tier"], out["entry"]) == ("standard", "standard")


def test_plan_reports_a_bad_catalog(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nmodels: []\n")
    assert main(["plan", "--vram-gb", "8", "--catalog", str(bad)]) == 2
    assert "draft entry" in capsys.readouterr().err
