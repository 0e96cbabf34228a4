"""Where a catalog entry's weights are: a local folder, CINESYNTH_MODEL_DIR, the HF cache, or the hub.

Locating never touches the network. Fetching (`fetch`) downloads into CINESYNTH_MODEL_DIR with
`huggingface_hub.snapshot_download`, only the files a diffusers pipeline of that variant reads, and
refuses when HF_HUB_OFFLINE=1 (the k8s init container runs it online; workers then load offline).
"""

from __future__ import annotations

import enum
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from services.imagegen.catalog import IpAdapterSpec, ModelEntry

log = logging.getLogger(__name__)

TINY_SUBDIR = "cinesynth-tiny"
_WEIGHT_SUFFIXES = (".safetensors", ".bin")
# Components a pipeline may list that we never load: the NSFW checker is disabled (see pipelines.py).
_SKIPPED_COMPONENTS = ("safety_checker",)
# Never needed: original checkpoints, other frameworks, non-EMA training weights.
_IGNORE_PATTERNS = ["*.ckpt", "*.msgpack", "*.onnx", "*.onnx_data", "*.pb", "*.h5", "*non_ema*"]


def hub_offline() -> bool:
    """HF_HUB_OFFLINE as huggingface_hub reads it (any of 1/true/yes/on)."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def is_local_source(source: str) -> bool:
    """A filesystem path rather than a hub id ("owner/name")."""
    return source.startswith(("/", "./", "../", "~")) or Path(source).expanduser().is_dir() or source.count("/") != 1


class WeightStatus(enum.Enum):
    NOT_NEEDED = "not_needed"
    PRESENT = "present"
    DOWNLOADABLE = "downloadable"
    BUILDABLE = "buildable"
    MISSING = "missing"

    @property
    def usable(self) -> bool:
        return self is not WeightStatus.MISSING


@dataclass(frozen=True)
class WeightLocation:
    status: WeightStatus
    # The folder to load from (present), or to download/build into (downloadable/buildable).
    path: Path | None
    detail: str
    vae_path: Path | None = None


def pipeline_complete(folder: Path) -> bool:
    """A diffusers pipeline folder with its index and denoiser weights (not a half-finished download)."""
    if not (folder / "model_index.json").is_file():
        return False
    for denoiser in ("unet", "transformer"):
        sub = folder / denoiser
        if sub.is_dir() and any(p.suffix in _WEIGHT_SUFFIXES for p in sub.iterdir()):
            return True
    return False


def model_complete(folder: Path) -> bool:
    """A single diffusers model folder (e.g. a replacement VAE)."""
    return (folder / "config.json").is_file() and any(p.suffix in _WEIGHT_SUFFIXES for p in folder.iterdir())


def _hf_cache_snapshot(repo_id: str, probe_file: str, cache_dir: Path | None = None) -> Path | None:
    """The cached snapshot folder of `repo_id` that holds `probe_file`, without any network call."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - huggingface_hub ships with diffusers
        return None
    found = try_to_load_from_cache(repo_id, probe_file, cache_dir=cache_dir)
    if isinstance(found, str):
        return Path(found).parent
    return None


class WeightLocator:
    """Finds weights for catalog entries; the same rules for `plan`, start-up and `fetch-models`."""

    def __init__(
        self,
        model_dir: Path,
        *,
        tiny_model_path: Path | None = None,
        allow_download: bool = True,
        assume_present: bool = False,
        hf_cache_dir: Path | None = None,
    ) -> None:
        self.model_dir = Path(model_dir).expanduser()
        # None = huggingface_hub's own (HF_HUB_CACHE / HF_HOME).
        self.hf_cache_dir = hf_cache_dir
        self.tiny_model_path = Path(tiny_model_path).expanduser() if tiny_model_path else None
        self.allow_download = allow_download
        self.assume_present = assume_present

    @property
    def offline(self) -> bool:
        return hub_offline()

    def _download_refusal(self) -> str:
        if self.offline:
            return "HF_HUB_OFFLINE=1 forbids downloading"
        return "downloads are disabled (CINESYNTH_ALLOW_DOWNLOAD=false)"

    def hub_folder(self, repo_id: str) -> Path:
        return self.model_dir / repo_id

    def tiny_folder(self, kind: str) -> Path:
        if self.tiny_model_path is not None:
            return self.tiny_model_path
        return self.model_dir / TINY_SUBDIR / kind

    def _locate_repo(self, source: str, *, single_model: bool) -> tuple[WeightStatus, Path | None, str]:
        complete = model_complete if single_model else pipeline_complete
        if is_local_source(source):
            folder = Path(source).expanduser()
            if complete(folder):
                return WeightStatus.PRESENT, folder, f"local folder {folder}"
            return WeightStatus.MISSING, None, f"no complete model in local folder {folder}"
        folder = self.hub_folder(source)
        if complete(folder):
            return WeightStatus.PRESENT, folder, f"{folder}"
        cached = _hf_cache_snapshot(source, "config.json" if single_model else "model_index.json", self.hf_cache_dir)
        if cached is not None and complete(cached):
            return WeightStatus.PRESENT, cached, f"Hugging Face cache {cached}"
        if self.allow_download and not self.offline:
            return WeightStatus.DOWNLOADABLE, folder, f"downloadable from the hub into {folder}"
        return (
            WeightStatus.MISSING,
            None,
            f"not in {folder} nor the Hugging Face cache, and {self._download_refusal()}",
        )

    def locate(self, entry: ModelEntry) -> WeightLocation:
        if not entry.needs_weights:
            return WeightLocation(WeightStatus.NOT_NEEDED, None, "no weights needed")
        assert entry.source is not None
        if self.assume_present:
            return WeightLocation(WeightStatus.PRESENT, None, "weights assumed present (--assume-weights)")
        if entry.builtin:
            folder = self.tiny_folder(entry.builtin)
            if pipeline_complete(folder):
                return WeightLocation(WeightStatus.PRESENT, folder, f"tiny pipeline at {folder}")
            return WeightLocation(WeightStatus.BUILDABLE, folder, f"tiny pipeline, built on demand into {folder}")
        status, path, detail = self._locate_repo(entry.source, single_model=False)
        if status is WeightStatus.MISSING or entry.vae is None:
            return WeightLocation(status, path, detail)
        vae_status, vae_path, vae_detail = self._locate_repo(entry.vae, single_model=True)
        if vae_status is WeightStatus.MISSING:
            return WeightLocation(WeightStatus.MISSING, None, f"VAE {entry.vae}: {vae_detail}")
        if vae_status is WeightStatus.DOWNLOADABLE and status is WeightStatus.PRESENT:
            status = WeightStatus.DOWNLOADABLE
            detail = f"{detail}; VAE {vae_detail}"
        return WeightLocation(status, path, detail, vae_path)

    def locate_ip_adapter(self, spec: IpAdapterSpec, model_folder: Path) -> tuple[Path | None, str]:
        """Folder holding `<subfolder>/<weight_name>` and its image encoder, or None and why not."""
        if spec.source is None:
            root = model_folder
        elif is_local_source(spec.source):
            root = Path(spec.source).expanduser()
        else:
            root = self.hub_folder(spec.source)
            if not (root / spec.subfolder / spec.weight_name).is_file():
                cached = _hf_cache_snapshot(spec.source, f"{spec.subfolder}/{spec.weight_name}", self.hf_cache_dir)
                if cached is not None:
                    # `cached` is <snapshot>/<subfolder>; the adapter loader wants <snapshot>.
                    root = cached
                    for _part in Path(spec.subfolder).parts:
                        root = root.parent
        if (root / spec.subfolder / spec.weight_name).is_file():
            return root, f"IP-Adapter {spec.subfolder}/{spec.weight_name} in {root}"
        return None, f"IP-Adapter weights {spec.subfolder}/{spec.weight_name} not found under {root}"


def download_patterns(entry: ModelEntry, model_index: dict[str, object]) -> list[str]:
    """The files of a pipeline repo that a diffusers load of `entry` reads: the folders its
    model_index.json names (not e.g. SDXL's extra vae_1_0/ or ONNX exports), configs, tokenizer
    files, and the weights of the catalog's variant only."""
    components = [
        name
        for name, value in model_index.items()
        if not name.startswith("_")
        and isinstance(value, list)
        and value[0] is not None
        and name not in _SKIPPED_COMPONENTS
    ]
    patterns = ["model_index.json"]
    for name in sorted(components):
        patterns += [f"{name}/*.json", f"{name}/*.txt", f"{name}/*.model"]
        if entry.variant:
            patterns += [f"{name}/*.{entry.variant}.safetensors", f"{name}/*.{entry.variant}-*.safetensors"]
        else:
            patterns.append(f"{name}/*.safetensors")
    return patterns


def fetch(entry: ModelEntry, locator: WeightLocator, *, ip_adapter: bool = True) -> list[Path]:
    """Download `entry`'s weights (pipeline, VAE, IP-Adapter) into the model dir; returns the folders.

    Skips what is already complete. Raises RuntimeError when offline or downloads are disabled.
    """
    if not entry.needs_weights:
        return []
    if entry.builtin:
        from services.imagegen.tiny import build_tiny

        return [build_tiny(locator.tiny_folder(entry.builtin), entry.builtin)]
    if locator.offline or not locator.allow_download:
        raise RuntimeError(f"cannot fetch {entry.name}: {locator._download_refusal()}")
    from huggingface_hub import hf_hub_download, snapshot_download

    assert entry.source is not None
    fetched: list[Path] = []
    if is_local_source(entry.source):
        fetched.append(Path(entry.source).expanduser())
    else:
        folder = locator.hub_folder(entry.source)
        if not pipeline_complete(folder):
            log.info("downloading", extra={"model": entry.source, "dest": str(folder)})
            index_file = hf_hub_download(entry.source, "model_index.json", local_dir=folder)
            model_index = json.loads(Path(index_file).read_text(encoding="utf-8"))
            snapshot_download(
                entry.source,
                local_dir=folder,
                allow_patterns=download_patterns(entry, model_index),
                ignore_patterns=_IGNORE_PATTERNS,
            )
        fetched.append(folder)
    if entry.vae and not is_local_source(entry.vae):
        folder = locator.hub_folder(entry.vae)
        if not model_complete(folder):
            snapshot_download(
                entry.vae,
                local_dir=folder,
                allow_patterns=["config.json", "diffusion_pytorch_model.safetensors"],
            )
        fetched.append(folder)
    spec = entry.ip_adapter
    if ip_adapter and spec is not None and spec.source and not is_local_source(spec.source):
        folder = locator.hub_folder(spec.source)
        snapshot_download(
            spec.source,
            local_dir=folder,
            allow_patterns=[f"{spec.subfolder}/{spec.weight_name}", f"{spec.subfolder}/image_encoder/*"],
            ignore_patterns=["*.bin"] if spec.weight_name.endswith(".safetensors") else [],
        )
        fetched.append(folder)
    return fetched
