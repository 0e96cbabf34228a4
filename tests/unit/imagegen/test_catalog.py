from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from services.imagegen.catalog import CatalogError, Tier, load_catalog


def test_packaged_catalog_follows_the_paper_and_the_issue() -> None:
    catalog = load_catalog()
    turbo, standard, ultra = catalog.get("turbo"), catalog.get("standard"), catalog.get("ultra")
    assert turbo.source == "stabilityai/sd-turbo"
    assert (turbo.defaults.width, turbo.defaults.height, turbo.defaults.guidance) == (512, 512, 0.0)
    assert (turbo.limits.min_steps, turbo.limits.max_steps) == (1, 4)
    assert turbo.scheduler is not None and turbo.scheduler.options["timestep_spacing"] == "trailing"
    assert standard.source == "stable-diffusion-v1-5/stable-diffusion-v1-5"
    assert (standard.defaults.width, standard.defaults.height, standard.defaults.steps) == (768, 512, 25)
    assert standard.defaults.guidance == 7.5
    assert standard.scheduler is not None and standard.scheduler.class_name == "DPMSolverMultistepScheduler"
    assert standard.scheduler.options["algorithm_type"] == "dpmsolver++"
    assert ultra.source == "stabilityai/stable-diffusion-xl-base-1.0"
    assert (ultra.defaults.width, ultra.defaults.height, ultra.defaults.steps) == (1024, 1024, 30)
    assert 7.0 <= ultra.defaults.guidance <= 8.5 and ultra.min_vram_gb >= 12
    tiny = catalog.get("tiny")
    assert tiny.builtin == "sd15" and not tiny.auto_select and tiny.cpu_capable
    assert catalog.draft.tier is Tier.DRAFT and not catalog.draft.needs_weights
    # Best tiers need the most memory.
    assert ultra.min_vram_gb > standard.min_vram_gb > turbo.min_vram_gb > 0


def test_tiers_are_ordered() -> None:
    assert Tier.DRAFT < Tier.TURBO < Tier.STANDARD < Tier.ULTRA
    assert max(Tier) is Tier.ULTRA


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["models"][0].update(colour="red"), "colour"),
        (lambda d: d["models"].append(dict(d["models"][0])), "duplicate model names"),
        (lambda d: d.update(models=[m for m in d["models"] if m["tier"] != "draft"]), "draft entry"),
        (lambda d: d["models"][0].pop("source"), "needs a `source`"),
        (lambda d: d["models"][0]["scheduler"].update({"class": "os.system"}), "scheduler"),
        (lambda d: d["models"][0]["defaults"].update(steps=500), "defaults.steps"),
    ],
)
def test_invalid_catalogs_fail_loudly(tmp_path: Path, mutate, message: str) -> None:
    from importlib import resources

    data = yaml.safe_load(resources.files("services.imagegen").joinpath("catalog.yaml").read_text())
    mutate(data)
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(CatalogError, match=message):
        load_catalog(path)


def test_missing_catalog_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read model catalog"):
        load_catalog(tmp_path / "nope.yaml")
