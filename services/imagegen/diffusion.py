"""Loading and running a diffusers pipeline for one catalog entry (the production loader).

The same code loads the real SD 1.5 / SD-Turbo / SDXL weights and the tiny random pipelines the
tests build. Speed: the catalog dtype (fp16/bf16) on accelerators, SDPA attention, channels_last,
optional torch.compile. Safety valves for OOM: VAE slicing/tiling, attention slicing, model CPU
offload (`enable_memory_savers`). One call at a time per model (a lock): diffusers schedulers keep
per-call state.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from services.common import cancellation
from services.imagegen.catalog import ModelEntry
from services.imagegen.device import Device, GenerationAttempt
from services.imagegen.weights import WeightLocation, WeightLocator, WeightStatus, fetch

log = logging.getLogger(__name__)

# IP-Adapter pipelines need an image on every call; a neutral one at scale 0 adds nothing.
_NEUTRAL_IP_IMAGE_SIZE = 224


@dataclass(frozen=True)
class LoadOptions:
    dtype: str = "auto"
    compile: bool = False
    compile_mode: str = "max-autotune-no-cudagraphs"
    channels_last: bool = True


@dataclass(frozen=True)
class RenderCall:
    """One pipeline call: a batch sharing size, steps and guidance; one seed (generator) per image."""

    prompts: list[str]
    negative_prompts: list[str]
    seeds: list[int]
    width: int
    height: int
    steps: int
    guidance: float
    # Character reference: IP-Adapter image, or the img2img init image.
    reference: Image.Image | None = None
    # How strongly the reference shapes the result (IP-Adapter scale; img2img keeps 1 - denoise).
    reference_strength: float = 0.0
    purpose: str = "keyframe"

    def __post_init__(self) -> None:
        if not len(self.prompts) == len(self.negative_prompts) == len(self.seeds):
            raise ValueError("prompts, negative_prompts and seeds must have one entry per image")
        if self.reference is not None and len(self.prompts) != 1:
            raise ValueError("a reference image is rendered one keyframe per call")


def resolve_dtype(option: str, entry: ModelEntry, device: Device) -> Any:
    import torch

    name = option if option != "auto" else (entry.dtype if device.torch_device != "cpu" else "float32")
    return {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}[name]


def _has_variant(folder: Path, variant: str | None) -> bool:
    if not variant:
        return False
    for sub in ("unet", "transformer"):
        path = folder / sub
        if path.is_dir() and any(f".{variant}." in p.name for p in path.iterdir()):
            return True
    return False


class DiffusionModel:
    """A loaded text-to-image pipeline (+ its img2img view and IP-Adapter) on a device."""

    def __init__(
        self,
        entry: ModelEntry,
        pipe: Any,
        device: Device,
        *,
        dtype_name: str,
        ip_adapter: bool,
        notes: list[str],
    ) -> None:
        self.entry = entry
        self.pipe = pipe
        self.device = device
        self.dtype_name = dtype_name
        self.has_ip_adapter = ip_adapter
        self.notes = notes
        self.memory_savers: list[str] = []
        self._img2img: Any = None
        self._lock = threading.Lock()

    @property
    def size_multiple(self) -> int:
        """Width and height must be multiples of this (the VAE's downscale factor)."""
        return int(getattr(self.pipe, "vae_scale_factor", 8))

    @property
    def reference_mode(self) -> str:
        return "ip_adapter" if self.has_ip_adapter else "img2img"

    def _img2img_view(self) -> Any:
        """The img2img pipeline over the same components (no second copy of the weights)."""
        if self._img2img is None:
            from diffusers import AutoPipelineForImage2Image

            self._img2img = AutoPipelineForImage2Image.from_pipe(self.pipe)
            self._img2img.set_progress_bar_config(disable=True)
        return self._img2img

    def enable_memory_savers(self) -> list[str]:
        """Trade speed for memory after an OOM; idempotent. Returns what is now enabled."""
        with self._lock:
            if self.memory_savers:
                return self.memory_savers
            enabled = []
            vae = self.pipe.vae
            vae.enable_slicing()
            vae.enable_tiling()
            enabled += ["vae_slicing", "vae_tiling"]
            # Sliced attention would replace the IP-Adapter's attention processors (and their weights).
            if not self.has_ip_adapter:
                self.pipe.enable_attention_slicing("auto")
                enabled.append("attention_slicing")
            if self.device.torch_device.startswith("cuda"):
                self.pipe.enable_model_cpu_offload(device=self.device.torch_device)
                enabled.append("model_cpu_offload")
            self.memory_savers = enabled
            log.warning("memory savers enabled", extra={"model": self.entry.name, "savers": ",".join(enabled)})
            return enabled

    def render(self, call: RenderCall) -> list[Image.Image]:
        """Run one pipeline call; raises the device's OOM error when it does not fit."""
        import torch

        generators = [torch.Generator("cpu").manual_seed(seed) for seed in call.seeds]
        negative = call.negative_prompts if any(call.negative_prompts) else None
        kwargs: dict[str, Any] = {
            "prompt": list(call.prompts),
            "negative_prompt": negative,
            "num_inference_steps": call.steps,
            "guidance_scale": call.guidance,
            "generator": generators,
            "output_type": "pil",
        }
        pipe = self.pipe
        use_img2img = call.reference is not None and not self.has_ip_adapter
        if use_img2img:
            assert call.reference is not None
            pipe = self._img2img_view()
            denoise = min(1.0, max(0.05, 1.0 - call.reference_strength))
            kwargs["image"] = call.reference.convert("RGB").resize((call.width, call.height), Image.Resampling.LANCZOS)
            kwargs["strength"] = denoise
            # img2img runs steps * strength of them; keep at least one.
            kwargs["num_inference_steps"] = max(call.steps, math.ceil(1 / denoise))
        else:
            kwargs["width"] = call.width
            kwargs["height"] = call.height
        with self._lock:
            if self.has_ip_adapter:
                if call.reference is not None:
                    pipe.set_ip_adapter_scale(call.reference_strength)
                    kwargs["ip_adapter_image"] = call.reference.convert("RGB")
                else:
                    pipe.set_ip_adapter_scale(0.0)
                    kwargs["ip_adapter_image"] = Image.new(
                        "RGB", (_NEUTRAL_IP_IMAGE_SIZE, _NEUTRAL_IP_IMAGE_SIZE), (127, 127, 127)
                    )
            self.device.before_generation(
                GenerationAttempt(
                    model=self.entry.name,
                    tier=self.entry.tier.value,
                    batch_size=len(call.prompts),
                    width=call.width,
                    height=call.height,
                    memory_savers=bool(self.memory_savers),
                    purpose=call.purpose,
                )
            )
            # A cancelled request stops between denoising steps; its whole batch is abandoned.
            kwargs["callback_on_step_end"] = cancellation.diffusers_step_callback()
            with torch.inference_mode():
                images = pipe(**kwargs).images
        cancellation.check()
        return list(images)

    def close(self) -> None:
        self.pipe = None
        self._img2img = None


def load_diffusion_model(
    entry: ModelEntry,
    location: WeightLocation,
    device: Device,
    locator: WeightLocator,
    options: LoadOptions,
) -> DiffusionModel:
    """Load `entry` from where `location` says (building or downloading it first when needed)."""
    import diffusers
    import torch
    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    # Progress bars are for notebooks; this process logs JSON.
    diffusers_logging.disable_progress_bar()
    transformers_logging.disable_progress_bar()
    started = time.perf_counter()
    notes: list[str] = []
    folder = location.path
    if location.status in (WeightStatus.BUILDABLE, WeightStatus.DOWNLOADABLE) or folder is None:
        folder = fetch(entry, locator)[0]
        notes.append(f"{entry.name}: weights {'built' if entry.builtin else 'downloaded'} into {folder}")
    dtype = resolve_dtype(options.dtype, entry, device)
    dtype_name = str(dtype).removeprefix("torch.")
    index = json.loads((folder / "model_index.json").read_text(encoding="utf-8"))
    kwargs: dict[str, Any] = {"dtype": dtype, "local_files_only": True}
    if _has_variant(folder, entry.variant):
        kwargs["variant"] = entry.variant
    if "safety_checker" in index:
        # Keyframes are moderated upstream (prompt policy at the gateway); the checker costs 1 GB.
        kwargs.update(safety_checker=None, requires_safety_checker=False)
    vae_source = location.vae_path or (locator.hub_folder(entry.vae) if entry.vae else None)
    if vae_source is not None:
        kwargs["vae"] = diffusers.AutoencoderKL.from_pretrained(vae_source, dtype=dtype, local_files_only=True)
    pipe = diffusers.DiffusionPipeline.from_pretrained(folder, **kwargs)
    if entry.scheduler is not None:
        scheduler_cls = getattr(diffusers, entry.scheduler.class_name, None)
        if scheduler_cls is None:
            raise ValueError(f"{entry.name}: diffusers has no scheduler {entry.scheduler.class_name}")
        pipe.scheduler = scheduler_cls.from_config(pipe.scheduler.config, **entry.scheduler.options)
    pipe.set_progress_bar_config(disable=True)
    pipe.to(device.torch_device)
    denoiser = pipe.unet
    if hasattr(torch.nn.functional, "scaled_dot_product_attention"):
        from diffusers.models.attention_processor import AttnProcessor2_0

        denoiser.set_attn_processor(AttnProcessor2_0())
    ip_adapter = False
    if entry.ip_adapter is not None:
        root, detail = locator.locate_ip_adapter(entry.ip_adapter, folder)
        if root is None:
            notes.append(f"{entry.name}: {detail}; character references use img2img")
        else:
            pipe.load_ip_adapter(
                str(root),
                subfolder=entry.ip_adapter.subfolder,
                weight_name=entry.ip_adapter.weight_name,
                local_files_only=True,
            )
            ip_adapter = True
            notes.append(f"{entry.name}: {detail}")
    accelerated = device.torch_device != "cpu"
    if accelerated and options.channels_last:
        denoiser.to(memory_format=torch.channels_last)
        pipe.vae.to(memory_format=torch.channels_last)
    if accelerated and options.compile:
        pipe.unet = torch.compile(denoiser, mode=options.compile_mode, fullgraph=False)
        notes.append(f"{entry.name}: UNet compiled (mode {options.compile_mode})")
    log.info(
        "model loaded",
        extra={
            "model": entry.name,
            "tier": entry.tier.value,
            "dtype": dtype_name,
            "device": device.torch_device,
            "seconds": round(time.perf_counter() - started, 2),
        },
    )
    return DiffusionModel(entry, pipe, device, dtype_name=dtype_name, ip_adapter=ip_adapter, notes=notes)
