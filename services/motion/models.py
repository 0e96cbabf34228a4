"""Loading and running image-to-video pipelines through diffusers (SVD, LTX-Video, Wan, AnimateDiff).

Weights are found and fetched by ImageGen's `WeightLocator` / `fetch` (same model dir, same cache,
same offline rules); tiny SVD is built on demand like the tiny keyframe pipelines. One call renders
`num_frames` frames conditioned on one image; `clips.render_shot` chains calls for long shots.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from services.imagegen.device import Device
from services.imagegen.pipelines import _has_variant, resolve_dtype
from services.imagegen.weights import WeightLocation, WeightLocator, WeightStatus, fetch
from services.motion.catalog import MotionModelEntry
from services.motion.controls import MotionControls
from services.motion.tiny import build_tiny_svd

log = logging.getLogger(__name__)

PIPELINE_CLASSES = {
    "svd": "StableVideoDiffusionPipeline",
    "ltx": "LTXImageToVideoPipeline",
    "wan": "WanImageToVideoPipeline",
    "animatediff": "AnimateDiffVideoToVideoPipeline",
}
# AnimateDiff has no image input: the keyframe repeated as a still video is re-noised this far.
ANIMATEDIFF_STRENGTH = 0.65


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


class MotionModel:
    """A loaded image-to-video pipeline on a device. Calls are serialised (one GPU, one call)."""

    def __init__(self, entry: MotionModelEntry, pipe: Any, device: Device, dtype_name: str) -> None:
        self.entry = entry
        self.pipe = pipe
        self.device = device
        self.dtype_name = dtype_name
        self.memory_savers: list[str] = []
        self._lock = threading.Lock()
        self._lora: str | None = None

    @property
    def size_multiple(self) -> int:
        """Width and height must be multiples of this (the VAE's downscale factor)."""
        return int(getattr(self.pipe, "vae_scale_factor", None) or getattr(self.pipe, "vae_scale_factor_spatial", 8))

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

        generator = torch.Generator(device="cpu").manual_seed(call.seed)
        family = self.entry.family
        chunk = 1 if "decode_one_frame" in self.memory_savers else call.decode_chunk_size
        c = call.controls
        common: dict[str, Any] = {
            "height": call.height, "width": call.width, "num_inference_steps": call.steps,
            "generator": generator, "output_type": "np",
        }
        with self._lock:
            if family == "svd":
                out = self.pipe(
                    call.image, num_frames=call.num_frames, fps=max(1, round(c.fps)),
                    motion_bucket_id=c.motion_bucket_id, noise_aug_strength=c.noise_aug_strength,
                    decode_chunk_size=chunk, **common,
                )
            elif family == "ltx":
                out = self.pipe(
                    image=call.image, prompt=c.prompt, negative_prompt=c.negative_prompt or None,
                    num_frames=call.num_frames, frame_rate=max(1, round(c.fps)),
                    guidance_scale=self.entry.defaults.guidance, **common,
                )
            elif family == "wan":
                out = self.pipe(
                    image=call.image, prompt=c.prompt, negative_prompt=c.negative_prompt or None,
                    num_frames=call.num_frames, guidance_scale=self.entry.defaults.guidance, **common,
                )
            elif family == "animatediff":
                self._set_lora(c.camera_lora)
                out = self.pipe(
                    video=[call.image] * call.num_frames, prompt=c.prompt, negative_prompt=c.negative_prompt or None,
                    strength=ANIMATEDIFF_STRENGTH, guidance_scale=self.entry.defaults.guidance, **common,
                )
            else:  # pragma: no cover - the catalog admits no other family with weights
                raise ValueError(f"no pipeline for motion family {family!r}")
        frames = np.asarray(out.frames[0])
        if frames.dtype != np.uint8:
            frames = np.clip(np.rint(frames * 255.0), 0, 255).astype(np.uint8)
        return frames

    def _set_lora(self, lora: str | None) -> None:
        """AnimateDiff: the named move's camera LoRA on, any other off (loaded once, then switched)."""
        if lora == self._lora:
            return
        if lora is None:
            self.pipe.disable_lora()
        else:
            name = lora.rsplit("/", 1)[-1].replace(".", "_")
            if name not in self.pipe.get_list_adapters().get("unet", []):
                self.pipe.load_lora_weights(lora, adapter_name=name, local_files_only=True)
            self.pipe.set_adapters([name])
            self.pipe.enable_lora()
        self._lora = lora

    def close(self) -> None:
        self.pipe = None


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
        folder = build_tiny_svd(locator.tiny_folder(entry.builtin))
    elif location.status is WeightStatus.DOWNLOADABLE or folder is None:
        folder = fetch(entry, locator, ip_adapter=False)[0]  # type: ignore[arg-type]
        notes.append(f"{entry.name}: weights downloaded into {folder}")
    dtype = resolve_dtype(dtype_option, entry, device)  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {"dtype": dtype, "local_files_only": True}
    if _has_variant(folder, entry.variant):
        kwargs["variant"] = entry.variant
    pipeline_cls = getattr(diffusers, PIPELINE_CLASSES[entry.family])
    if entry.family == "animatediff":
        assert entry.motion_adapter is not None
        adapter_folder = locator.hub_folder(entry.motion_adapter)
        kwargs["motion_adapter"] = diffusers.MotionAdapter.from_pretrained(
            adapter_folder if adapter_folder.is_dir() else entry.motion_adapter, dtype=dtype, local_files_only=True
        )
    pipe = pipeline_cls.from_pretrained(folder, **kwargs)
    pipe.set_progress_bar_config(disable=True)
    pipe.to(device.torch_device)
    dtype_name = str(dtype).removeprefix("torch.")
    log.info(
        "motion model loaded",
        extra={"model": entry.name, "tier": entry.tier.value, "dtype": dtype_name, "device": device.torch_device,
               "seconds": round(time.perf_counter() - started, 2)},
    )
    return MotionModel(entry, pipe, device, dtype_name), notes
