"""Motion and upscale weights beyond a catalog entry's pipeline: where they are, and what `fetch-models` fetches.

A motion entry's pipeline folder is located and downloaded by ImageGen's `WeightLocator` / `fetch`
(same model dir, same Hugging Face cache, same offline rules). ImageGen's catalog has no field for
the rest, so this module handles it: AnimateDiff's motion adapter and camera LoRAs, and the LDM
upscaler's pipeline. Each is a local folder, `<model dir>/<hub id>`, or a Hugging Face cache snapshot;
for a builtin (tiny) entry, a folder inside the built pipeline. `plan_fetch` lists the downloads
without touching the network; `run_fetch` performs them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from services.imagegen.weights import WeightLocator, WeightStatus, is_local_source, model_complete, pipeline_complete
from services.motion.catalog import MotionModelEntry
from services.motion.tiny import LORA_WEIGHT_NAME, build_tiny_motion

log = logging.getLogger(__name__)

ADAPTER_WEIGHTS = "diffusion_pytorch_model"
Role = Literal["pipeline", "build", "motion_adapter", "camera_lora", "upscaler"]


@dataclass(frozen=True)
class PipelineSource:
    """A pipeline that is no catalog entry (the LDM upscaler), in the shape `WeightLocator` and `fetch` read."""

    name: str
    source: str
    variant: str | None = None
    vae: None = None
    ip_adapter: None = None
    builtin: None = None
    needs_weights: bool = True


@dataclass(frozen=True)
class Download:
    """One item `fetch-models` fetches (or builds), and where it goes."""

    model: str  # the catalog entry, or "upscale"
    role: Role
    source: str
    folder: Path
    # Files fetched; empty for a pipeline: the components its model_index.json lists (ImageGen's rule).
    allow_patterns: tuple[str, ...]
    present: bool

    def to_json(self) -> dict[str, object]:
        body = asdict(self)
        body["folder"] = str(self.folder)
        body["allow_patterns"] = list(self.allow_patterns)
        return body


def can_download(locator: WeightLocator) -> bool:
    """Downloads are enabled and the hub is not offline (HF_HUB_OFFLINE)."""
    return locator.allow_download and not locator.offline


def _has_weights(folder: Path) -> bool:
    return folder.is_dir() and any(p.suffix == ".safetensors" for p in folder.iterdir())


def component_folder(ref: str, locator: WeightLocator, probe: str, *, base: Path | None = None) -> Path | None:
    """The folder holding the component `ref` (motion adapter: probe config.json; LoRA: its weights file),
    or None when it is not on this node. `base`: the built tiny pipeline a builtin entry's refs live in."""
    complete = model_complete if probe == "config.json" else _has_weights
    if base is not None:
        folder = base / ref
        return folder if complete(folder) else None
    if is_local_source(ref):
        folder = Path(ref).expanduser()
        return folder if complete(folder) else None
    folder = locator.hub_folder(ref)
    if complete(folder):
        return folder
    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache(ref, probe, cache_dir=locator.hf_cache_dir)
    if isinstance(cached, str) and complete(Path(cached).parent):
        return Path(cached).parent
    return None


def adapter_folder(entry: MotionModelEntry, locator: WeightLocator, base: Path | None) -> Path | None:
    """AnimateDiff's motion adapter folder, or None when it is not on this node."""
    assert entry.motion_adapter is not None
    return component_folder(entry.motion_adapter, locator, "config.json", base=base)


def lora_folders(entry: MotionModelEntry, locator: WeightLocator, base: Path | None) -> dict[str, Path]:
    """The catalog's camera LoRAs present on this node: LoRA source -> folder holding its weights."""
    found: dict[str, Path] = {}
    for lora in sorted(set(entry.camera_loras.values())):
        folder = component_folder(lora, locator, LORA_WEIGHT_NAME, base=base)
        if folder is not None:
            found[lora] = folder
    return found


def lora_weight_name(folder: Path) -> str:
    """The LoRA file in `folder` (diffusers cannot guess it offline): the guoyww name, else the only one."""
    if (folder / LORA_WEIGHT_NAME).is_file():
        return LORA_WEIGHT_NAME
    files = sorted(p.name for p in folder.iterdir() if p.suffix == ".safetensors")
    if len(files) != 1:
        raise FileNotFoundError(f"{folder}: expected one LoRA .safetensors file, found {files or 'none'}")
    return files[0]


def adapter_patterns(variant: str | None) -> tuple[str, ...]:
    weights = f"{ADAPTER_WEIGHTS}.{variant}.safetensors" if variant else f"{ADAPTER_WEIGHTS}.safetensors"
    return "config.json", weights


def resolve_pipeline(source: str, locator: WeightLocator) -> str:
    """A pipeline source (hub id or folder) as the folder to load: `<model dir>/<id>` or the HF cache
    snapshot when present there, else the source itself (diffusers then reports what is missing)."""
    location = locator.locate(PipelineSource("pipeline", source))  # type: ignore[arg-type]
    if location.status is WeightStatus.PRESENT and location.path is not None:
        return str(location.path)
    return source


def _aux_download(model: str, role: Role, ref: str, locator: WeightLocator, probe: str,
                  patterns: tuple[str, ...]) -> Download:
    present = component_folder(ref, locator, probe) is not None
    folder = Path(ref).expanduser() if is_local_source(ref) else locator.hub_folder(ref)
    return Download(model, role, ref, folder, patterns, present)


def plan_fetch(
    entries: Sequence[MotionModelEntry], locator: WeightLocator, *, upscaler_source: str | None = None
) -> list[Download]:
    """Everything `entries` (and the LDM upscaler, when given) need on this node; no network."""
    plan: list[Download] = []
    for entry in entries:
        if not entry.needs_weights:
            continue
        assert entry.source is not None
        if entry.builtin:
            folder = locator.tiny_folder(entry.builtin)
            plan.append(Download(entry.name, "build", entry.source, folder, (), pipeline_complete(folder)))
            continue  # a tiny pipeline carries its adapter and LoRAs
        location = locator.locate(entry)  # type: ignore[arg-type]
        folder = location.path or (Path(entry.source).expanduser() if is_local_source(entry.source)
                                   else locator.hub_folder(entry.source))
        plan.append(Download(entry.name, "pipeline", entry.source, folder, (),
                             location.status is WeightStatus.PRESENT))
        if entry.motion_adapter:
            plan.append(_aux_download(entry.name, "motion_adapter", entry.motion_adapter, locator, "config.json",
                                      adapter_patterns(entry.variant)))
        for lora in sorted(set(entry.camera_loras.values())):
            plan.append(_aux_download(entry.name, "camera_lora", lora, locator, LORA_WEIGHT_NAME,
                                      (LORA_WEIGHT_NAME,)))
    if upscaler_source:
        location = locator.locate(PipelineSource("upscale", upscaler_source))  # type: ignore[arg-type]
        folder = location.path or (Path(upscaler_source).expanduser() if is_local_source(upscaler_source)
                                   else locator.hub_folder(upscaler_source))
        plan.append(Download("upscale", "upscaler", upscaler_source, folder, (),
                             location.status is WeightStatus.PRESENT))
    return plan


def run_fetch(plan: Sequence[Download], entries: Sequence[MotionModelEntry], locator: WeightLocator) -> list[Path]:
    """Perform `plan` (skipping what is present); returns the folders. Raises RuntimeError offline."""
    from services.imagegen.weights import fetch

    by_name = {e.name: e for e in entries}
    done: list[Path] = []
    for item in plan:
        if item.role == "build":
            entry = by_name[item.model]
            assert entry.builtin is not None
            done.append(build_tiny_motion(item.folder, entry.builtin))
            continue
        if item.present:
            done.append(item.folder)
            continue
        if is_local_source(item.source):
            raise FileNotFoundError(f"{item.model}: {item.role} {item.source} is a local folder that is not complete")
        if not can_download(locator):
            raise RuntimeError(f"cannot fetch {item.model} {item.role} {item.source}: {locator._download_refusal()}")
        if item.role == "pipeline":
            done += fetch(by_name[item.model], locator, ip_adapter=False)  # type: ignore[arg-type]
        elif item.role == "upscaler":
            done += fetch(PipelineSource(item.model, item.source), locator, ip_adapter=False)  # type: ignore[arg-type]
        else:
            done.append(_snapshot(item))
    return done


def _snapshot(item: Download) -> Path:
    from huggingface_hub import snapshot_download

    log.info("downloading", extra={"model": item.source, "dest": str(item.folder), "role": item.role})
    snapshot_download(item.source, local_dir=item.folder, allow_patterns=list(item.allow_patterns))
    if item.role == "motion_adapter" and not model_complete(item.folder):
        # The repo has no weights of the catalog's variant: take the full-precision file.
        snapshot_download(item.source, local_dir=item.folder, allow_patterns=list(adapter_patterns(None)))
    if not _has_weights(item.folder):
        raise FileNotFoundError(f"{item.source}: no weights matching {list(item.allow_patterns)} in the repo")
    return item.folder
