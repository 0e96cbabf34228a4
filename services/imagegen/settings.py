"""Settings of the ImageGen service (CINESYNTH_* environment variables, flags override)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from services.common.settings import OptionalPort, Port, ServiceSettings

TierName = Literal["draft", "turbo", "standard", "ultra"]


class ImageGenSettings(ServiceSettings):
    service_name: str = "imagegen"
    port: Port = 50053
    metrics_port: OptionalPort = 9093

    # --- model selection ---
    imagegen_catalog: Path | None = Field(
        None, description="Model catalog YAML (CINESYNTH_IMAGEGEN_CATALOG); unset = the packaged catalog.yaml."
    )
    model_dir: Path = Field(
        Path("run/models"),
        description="Where weights live and are downloaded to: <dir>/<hub id>/ (CINESYNTH_MODEL_DIR).",
    )
    tiny_model_path: Path | None = Field(
        None,
        description="Folder of the tiny random pipeline for the `tiny` entry (CINESYNTH_TINY_MODEL_PATH); "
        "unset = <model_dir>/cinesynth-tiny/sd15, built on demand.",
    )
    imagegen_model: str | None = Field(
        None, description="Pin a catalog entry by name (e.g. `tiny`) instead of selecting by VRAM."
    )
    imagegen_max_tier: TierName | None = Field(
        None, description="Never select above this tier (a node pool that serves one tier)."
    )
    imagegen_fallback_models: list[str] = Field(
        default_factory=list,
        description="Extra catalog entries loaded beside the selection as lower tiers to degrade to "
        '(JSON list, e.g. ["turbo"]); draft is always there.',
    )
    imagegen_device: str = Field("auto", description="auto, cpu, mps, cuda or cuda:N.")
    vram_reserve_gb: float = Field(
        1.0, ge=0, description="GiB of device memory kept free for activations, CUDA context and neighbours."
    )
    allow_download: bool = Field(
        False,
        description="Download missing weights at start-up (never with HF_HUB_OFFLINE=1). Off: a worker decides "
        "from local folders and the HF cache alone, at once; weights come from `fetch-models` (an init step).",
    )

    # --- speed ---
    imagegen_dtype: Literal["auto", "float16", "bfloat16", "float32"] = Field(
        "auto", description="Weights dtype; auto = the catalog's on accelerators, float32 on CPU."
    )
    imagegen_compile: bool = Field(False, description="torch.compile the UNet (slower start, faster steps).")
    imagegen_compile_mode: str = Field("max-autotune-no-cudagraphs", description="torch.compile mode.")
    imagegen_channels_last: bool = Field(True, description="channels_last memory format on accelerators.")
    imagegen_max_batch_size: int = Field(
        4, ge=1, le=64, description="Keyframes of one request sharing size and steps rendered in one call."
    )
    imagegen_cache: bool = Field(
        True, description="Content-addressed keyframe cache in the artifact store (cache/imagegen/<sha>.png)."
    )
    imagegen_warmup: bool = Field(True, description="Render one small keyframe before reporting SERVING.")

    # --- admission ---
    imagegen_max_concurrency: int = Field(
        1, ge=1, le=16, description="Generations running at once on the device (one per GPU is fastest)."
    )
    imagegen_queue_capacity: int = Field(
        8, ge=0, description="Requests that may wait for the device; beyond it RESOURCE_EXHAUSTED."
    )
    imagegen_max_keyframes: int = Field(64, ge=1, description="Keyframes per GenerateKeyframes request.")

    # --- testing ---
    imagegen_simulated_seconds: float = Field(
        0.0,
        ge=0,
        le=3600,
        description="Load and fault tests: each draft keyframe occupies the device (admission queue, "
        "max_concurrency) for this many seconds before its card is drawn, standing in for a GPU render. "
        "0 = off (cards are instant and bypass the device queue).",
    )
