"""Loading and running image-to-video pipelines through diffusers (SVD, LTX-Video, Wan, AnimateDiff).

Weights are found and fetched by ImageGen's `WeightLocator` / `fetch` (same model dir, same cache,
same offline rules), AnimateDiff's motion adapter and camera LoRAs by services/motion/weights.py;
tiny pipelines are built on demand like the tiny keyframe pipelines. One call renders `num_frames`
frames conditioned on one image; `clips.render_shot` chains calls for long shots.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from services.imagegen.device import Device
from services.imagegen.diffusion import _has_variant, resolve_dtype
from services.imagegen.weights import WeightLocation, WeightLocator, WeightStatus
from services.motion.catalog import MotionModelEntry
from services.motion.controls import MotionControls
from services.motion.tiny import build_tiny_motion
from services.motion.weights import (
    adapter_folder,
    can_download,
    lora_folders,
    lora_weight_name,
    plan_fetch,
    run_fetch,
)

log = logging.getLogger(__name__)

PIPELINE_CLASSES = {
    "svd": "StableVideoDiffusionPipeline",
    "ltx": "LTXImageToVideoPipeline",
    "wan": "WanImageToVideoPipeline",
    # AnimateDiff has no image input: the keyframe, repeated as a still video, is re-noised
    # (controls.strength) and denoised with the motion modules, so the clip starts from the keyframe.
    "animatediff": "AnimateDiffVideoToVideoPipeline",
}


@dataclass(frozen=True)
class SegmentCall:
    """One model call: `num_frames` frames from `image`."""

    image: Image.Image
    width: int
    height: int
    num_frames: int
    steps: int
    seed: int
    controls: MotionControls
    decode_chunk_size: int


def pipeline_kwargs(family: str, call: SegmentCall, decode_chunk_size: int) -> dict[str, Any]:
    """The pipeline call's arguments for `family` (all but the generator): each model's own names for
    the frames, frame rate, guidance, prompt and motion controls."""
    c = call.controls
    common: dict[str, Any] = {
        "height": call.height, "width": call.width, "num_inference_steps": call.steps, "output_type": "np",
    }
    prompted = {"prompt": c.prompt, "negative_prompt": c.negative_prompt or None, "guidance_scale": c.guidance}
    if family == "svd":
        return {
            "image": call.image, "num_frames": call.num_frames, "fps": max(1, round(c.fps)),
            "motion_bucket_id": c.motion_bucket_id, "noise_aug_strength": c.noise_aug_strength,
            "decode_chunk_size": decode_chunk_size, **common,
        }
    if family == "ltx":
        return {"image": call.image, "num_frames": call.num_frames, "frame_rate": max(1, round(c.fps)),
                **prompted, **common}
    if family == "wan":
        return {"image": call.image, "num_frames": call.num_frames, **prompted, **common}
    if family == "animatediff":
        # Video-to-video runs strength x steps denoising steps: at least one must run.
        steps = max(call.steps, math.ceil(1.0 / c.strength))
        return {
            "video": [call.image] * call.num_frames, "strength": c.strength, "decode_chunk_size": decode_chunk_size,
            **prompted, **common, "num_inference_steps": steps,
        }
    raise ValueError(f"no pipeline for motion family {family!r}")


class MotionModel:
    """A loaded image-to-video pipeline on a device. Calls are serialised (one GPU, one call)."""

    def __init__(
        self, entry: MotionModelEntry, pipe: Any, device: Device, dtype_name: str,
        camera_loras: dict[str, Path] | None = None, memory_savers: list[str] | None = None,
    ) -> None:
        self.entry = entry
        self.pipe = pipe
        self.device = device
        self.dtype_name = dtype_name
        # LoRA source (as the catalog names it) -> local folder, for the LoRAs present on this node.
        self.camera_loras = dict(camera_loras or {})
        self.memory_savers: list[str] = list(memory_savers or [])
        self._lock = threading.Lock()
        self._lora: tuple[str, float] | None = None

    @property
    def available_loras(self) -> frozenset[str]:
        return frozenset(self.camera_loras)

    @property
    def size_step(self) -> int:
        """Clip width and height must be multiples of this: a UNet's VAE downscale times its levels;
        32 for the transformers (LTX-Video insists on it; it divides Wan's VAE x patch size too)."""
        unet = getattr(self.pipe, "unet", None)
        if unet is not None and hasattr(unet.config, "block_out_channels"):
            # SVD's pipeline also insists on multiples of 8, whatever its VAE.
            vae_factor = int(getattr(self.pipe, "vae_scale_factor", 8))
            return max(8, vae_factor * 2 ** (len(unet.config.block_out_channels) - 1))
        return 32

    def enable_memory_savers(self) -> list[str]:
        """After an OOM: offload idle components to the CPU, decode one frame at a time, slice the VAE."""
        added: list[str] = []
        if self.device.torch_device.startswith("cuda") and "model_cpu_offload" not in self.memory_savers:
            self.pipe.enable_model_cpu_offload(device=self.device.torch_device)
            added.append("model_cpu_offload")
        if "decode_one_frame" not in self.memory_savers:
            added.append("decode_one_frame")
        vae = getattr(self.pipe, "vae", None)
        if vae is not None and hasattr(vae, "enable_slicing") and "vae_slicing" not in self.memory_savers:
            vae.enable_slicing()
            added.append("vae_slicing")
        self.memory_savers += added
        return added

    def render(self, call: SegmentCall) -> np.ndarray:
        """(num_frames, height, width, 3) uint8 RGB frames; the first follows `call.image`."""
        import torch

        chunk = 1 if "decode_one_frame" in self.memory_savers else call.decode_chunk_size
        kwargs = pipeline_kwargs(self.entry.family, call, chunk)
        with self._lock:
            if self.entry.camera_control == "lora":
                self._set_lora(call.controls.camera_lora, call.controls.lora_scale)
            out = self.pipe(generator=torch.Generator(device="cpu").manual_seed(call.seed), **kwargs)
        frames = np.asarray(out.frames[0])
        if frames.dtype != np.uint8:
            frames = np.clip(np.rint(frames * 255.0), 0, 255).astype(np.uint8)
        return frames

    def _set_lora(self, lora: str | None, scale: float) -> None:
        """AnimateDiff: the move's camera LoRA on at `scale`, any other off (each loaded once, then switched)."""
        wanted = (lora, scale) if lora else None
        if wanted == self._lora:
            return
        if lora is None:
            self.pipe.disable_lora()
        else:
            folder = self.camera_loras.get(lora)
            if folder is None:
                raise ValueError(f"camera LoRA {lora!r} is not on this node (have {sorted(self.camera_loras)})")
            name = lora.rstrip("/").rsplit("/", 1)[-1].replace(".", "_")
            if name not in self.pipe.get_list_adapters().get("unet", []):
                self.pipe.load_lora_weights(
                    str(folder), weight_name=lora_weight_name(folder), adapter_name=name, local_files_only=True
                )
            self.pipe.set_adapters([name], adapter_weights=[scale])
            self.pipe.enable_lora()
        self._lora = wanted

    def close(self) -> None:
        self.pipe = None


def place_on_device(pipe: Any, entry: MotionModelEntry, device: Device) -> list[str]:
    """Move `pipe` to the device, or (CUDA, a `cpu_offload` entry) offload idle components to the CPU;
    returns the memory savers so enabled."""
    if entry.cpu_offload and device.torch_device.startswith("cuda"):
        pipe.enable_model_cpu_offload(device=device.torch_device)
        return ["model_cpu_offload"]
    pipe.to(device.torch_device)
    return []


def load_motion_model(
    entry: MotionModelEntry, location: WeightLocation, device: Device, locator: WeightLocator, dtype_option: str
) -> tuple[MotionModel, list[str]]:
    """Load `entry` from where `location` says (building or downloading it first); returns notes too."""
    import diffusers
    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    diffusers_logging.disable_progress_bar()
    transformers_logging.disable_progress_bar()
    started = time.perf_counter()
    notes: list[str] = []
    folder = location.path
    if entry.builtin:
        folder = build_tiny_motion(locator.tiny_folder(entry.builtin), entry.builtin)
    else:
        # What is missing (pipeline, motion adapter, camera LoRAs) is downloaded first where allowed.
        missing = [item for item in plan_fetch([entry], locator) if not item.present]
        if missing and (location.status is WeightStatus.DOWNLOADABLE or can_download(locator)):
            fetched = run_fetch(missing, [entry], locator)
            notes.append(f"{entry.name}: weights downloaded into {', '.join(map(str, fetched))}")
            folder = locator.locate(entry).path  # type: ignore[arg-type]
        if folder is None:
            raise FileNotFoundError(f"{entry.name}: {location.detail}")
    dtype = resolve_dtype(dtype_option, entry, device)  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {"dtype": dtype, "local_files_only": True}
    if _has_variant(folder, entry.variant):
        kwargs["variant"] = entry.variant
    pipeline_cls = getattr(diffusers, PIPELINE_CLASSES[entry.family])
    base = folder if entry.builtin else None
    camera_loras: dict[str, Path] = {}
    if entry.family == "animatediff":
        adapter = adapter_folder(entry, locator, base)
        if adapter is None:
            raise FileNotFoundError(f"motion adapter {entry.motion_adapter} is not on this node (run fetch-models)")
        variant = entry.variant if entry.variant and any(f".{entry.variant}." in p.name for p in adapter.iterdir()) \
            else None
        kwargs["motion_adapter"] = diffusers.MotionAdapter.from_pretrained(
            adapter, dtype=dtype, local_files_only=True, **({"variant": variant} if variant else {})
        )
        camera_loras = lora_folders(entry, locator, base)
        missing = sorted(set(entry.camera_loras.values()) - set(camera_loras))
        if missing:
            notes.append(f"{entry.name}: camera LoRAs not on this node, those moves go to the compositor: {missing}")
    pipe = pipeline_cls.from_pretrained(folder, **kwargs)
    pipe.set_progress_bar_config(disable=True)
    savers = place_on_device(pipe, entry, device)
    dtype_name = str(dtype).removeprefix("torch.")
    log.info(
        "motion model loaded",
        extra={"model": entry.name, "tier": entry.tier.value, "dtype": dtype_name, "device": device.torch_device,
               "pipeline": pipeline_cls.__name__, "memory_savers": savers,
               "seconds": round(time.perf_counter() - started, 2)},
    )
    return MotionModel(entry, pipe, device, dtype_name, camera_loras, savers), notes
