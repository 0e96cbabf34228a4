#!/usr/bin/env python
"""GPU benchmark of the two keyframe models: seconds per keyframe, eager vs torch.compile, peak VRAM.

Builds the real-size architectures of Stable Diffusion 1.5 (UNet 860M, VAE, CLIP ViT-L text
encoder) and SDXL base (UNet 2.6B, VAE, CLIP ViT-L + OpenCLIP bigG text encoders) from their
published configs, written inline below, with random weights: no downloads, and the timing does
not depend on the weight values. Runs the real diffusers pipelines with the settings the catalog
uses (fp16, SDPA attention, channels_last, DPM-Solver++ with Karras sigmas, CFG).

    python bench/imagegen_gpu.py                          # both models, eager and compiled
    python bench/imagegen_gpu.py --models sdxl --no-compile --runs 5
    python bench/imagegen_gpu.py --smoke                  # tiny shapes on the CPU: checks the script

Prints one JSON object per measurement and a table at the end.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# --- published configs (diffusers/transformers config.json of the hub repos) --------------------

SD15_UNET: dict[str, Any] = {
    "act_fn": "silu",
    "attention_head_dim": 8,
    "block_out_channels": [320, 640, 1280, 1280],
    "center_input_sample": False,
    "cross_attention_dim": 768,
    "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
    "downsample_padding": 1,
    "flip_sin_to_cos": True,
    "freq_shift": 0,
    "in_channels": 4,
    "layers_per_block": 2,
    "mid_block_scale_factor": 1,
    "norm_eps": 1e-05,
    "norm_num_groups": 32,
    "out_channels": 4,
    "sample_size": 64,
    "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
}
SD_VAE: dict[str, Any] = {
    "act_fn": "silu",
    "block_out_channels": [128, 256, 512, 512],
    "down_block_types": ["DownEncoderBlock2D"] * 4,
    "in_channels": 3,
    "latent_channels": 4,
    "layers_per_block": 2,
    "norm_num_groups": 32,
    "out_channels": 3,
    "sample_size": 512,
    "up_block_types": ["UpDecoderBlock2D"] * 4,
    "scaling_factor": 0.18215,
}
CLIP_VIT_L_TEXT: dict[str, Any] = {
    "vocab_size": 49408,
    "hidden_size": 768,
    "intermediate_size": 3072,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "max_position_embeddings": 77,
    "hidden_act": "quick_gelu",
    "projection_dim": 768,
    "layer_norm_eps": 1e-05,
}
SDXL_UNET: dict[str, Any] = {
    **SD15_UNET,
    "addition_embed_type": "text_time",
    "addition_time_embed_dim": 256,
    "attention_head_dim": [5, 10, 20],
    "block_out_channels": [320, 640, 1280],
    "cross_attention_dim": 2048,
    "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
    "projection_class_embeddings_input_dim": 2816,
    "sample_size": 128,
    "transformer_layers_per_block": [1, 2, 10],
    "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"],
    "use_linear_projection": True,
}
# madebyollin/sdxl-vae-fp16-fix: the SDXL VAE that stays finite in fp16 (no fp32 upcast at decode).
SDXL_VAE: dict[str, Any] = {**SD_VAE, "sample_size": 1024, "scaling_factor": 0.13025, "force_upcast": False}
OPENCLIP_BIGG_TEXT: dict[str, Any] = {
    "vocab_size": 49408,
    "hidden_size": 1280,
    "intermediate_size": 5120,
    "num_hidden_layers": 32,
    "num_attention_heads": 20,
    "max_position_embeddings": 77,
    "hidden_act": "gelu",
    "projection_dim": 1280,
    "layer_norm_eps": 1e-05,
}

# Tiny stand-ins with the same wiring, for --smoke on a CPU.
SMOKE_UNET = {"block_out_channels": [32, 64], "layers_per_block": 1, "attention_head_dim": 8, "norm_num_groups": 8}
SMOKE_VAE = {"block_out_channels": [8, 8, 16, 16], "layers_per_block": 1, "norm_num_groups": 8}
SMOKE_TEXT = {"hidden_size": 32, "intermediate_size": 37, "num_hidden_layers": 2, "num_attention_heads": 4}


@dataclass(frozen=True)
class Case:
    model: str  # "sd15" or "sdxl"
    width: int
    height: int
    steps: int
    guidance: float = 7.5


CASES = {"sd15": Case("sd15", 768, 512, 25), "sdxl": Case("sdxl", 1024, 1024, 30)}


def _smoke_configs(model: str) -> dict[str, dict[str, Any]]:
    if model == "sd15":
        unet = {
            **SD15_UNET,
            **SMOKE_UNET,
            "cross_attention_dim": 32,
            "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"],
            "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"],
        }
        return {"unet": unet, "vae": {**SD_VAE, **SMOKE_VAE}, "text": {**CLIP_VIT_L_TEXT, **SMOKE_TEXT}}
    unet = {
        **SDXL_UNET,
        **SMOKE_UNET,
        "attention_head_dim": [2, 4],
        "transformer_layers_per_block": [1, 1],
        "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D"],
        "up_block_types": ["CrossAttnUpBlock2D", "UpBlock2D"],
        "cross_attention_dim": 64,
        "addition_time_embed_dim": 8,
        "projection_class_embeddings_input_dim": 6 * 8 + 32,
    }
    text = {**CLIP_VIT_L_TEXT, **SMOKE_TEXT, "projection_dim": 32}
    return {"unet": unet, "vae": {**SDXL_VAE, **SMOKE_VAE}, "text": text, "text_2": dict(text)}


def _configs(model: str, smoke: bool) -> dict[str, dict[str, Any]]:
    if smoke:
        return _smoke_configs(model)
    if model == "sd15":
        return {"unet": SD15_UNET, "vae": SD_VAE, "text": CLIP_VIT_L_TEXT}
    return {"unet": SDXL_UNET, "vae": SDXL_VAE, "text": CLIP_VIT_L_TEXT, "text_2": OPENCLIP_BIGG_TEXT}


def build_pipeline(model: str, device: str, dtype: Any, *, smoke: bool) -> Any:
    """A diffusers pipeline of real architecture and random weights, allocated directly on `device`."""
    import torch
    from diffusers import (
        AutoencoderKL,
        DPMSolverMultistepScheduler,
        StableDiffusionPipeline,
        StableDiffusionXLPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    from services.imagegen.tiny import tiny_vocab_and_merges

    configs = _configs(model, smoke)
    torch.manual_seed(0)

    def tokenizer() -> Any:
        # Offline: a small byte-level BPE (ids < the real vocab); prompt length 77 like CLIP's.
        from transformers import CLIPTokenizer

        vocab, merges = tiny_vocab_and_merges()
        return CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=77)

    def text_config(values: dict[str, Any], tok: Any) -> Any:
        return CLIPTextConfig(
            **values, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id
        )

    scheduler = DPMSolverMultistepScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        steps_offset=1,
        algorithm_type="dpmsolver++",
        use_karras_sigmas=True,
    )
    # Parameters are created (and randomly initialised) on the GPU: seconds instead of minutes.
    with torch.device(device):
        unet = UNet2DConditionModel(**configs["unet"])
        vae = AutoencoderKL(**configs["vae"])
        tok = tokenizer()
        if model == "sd15":
            pipe = StableDiffusionPipeline(
                unet=unet,
                vae=vae,
                text_encoder=CLIPTextModel(text_config(configs["text"], tok)),
                tokenizer=tok,
                scheduler=scheduler,
                safety_checker=None,
                feature_extractor=None,
                requires_safety_checker=False,
            )
        else:
            tok_2 = tokenizer()
            pipe = StableDiffusionXLPipeline(
                unet=unet,
                vae=vae,
                text_encoder=CLIPTextModel(text_config(configs["text"], tok)),
                text_encoder_2=CLIPTextModelWithProjection(text_config(configs["text_2"], tok_2)),
                tokenizer=tok,
                tokenizer_2=tok_2,
                scheduler=scheduler,
            )
    pipe.to(device, dtype)
    if device.startswith("cuda"):
        pipe.unet.to(memory_format=torch.channels_last)
        pipe.vae.to(memory_format=torch.channels_last)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def params_millions(module: Any) -> float:
    return sum(p.numel() for p in module.parameters()) / 1e6


def time_keyframes(pipe: Any, case: Case, *, runs: int, batch: int, device: str, smoke: bool) -> dict[str, float]:
    import torch

    width, height = (case.width // 8, case.height // 8) if smoke else (case.width, case.height)
    steps = 2 if smoke else case.steps
    cuda = device.startswith("cuda")

    def once(seed: int) -> float:
        generators = [torch.Generator("cpu").manual_seed(seed + i) for i in range(batch)]
        if cuda:
            torch.cuda.synchronize()
        started = time.perf_counter()
        pipe(
            prompt=["a cinematic wide shot of a lighthouse in a storm, volumetric light"] * batch,
            negative_prompt=["blurry, low quality"] * batch,
            width=width,
            height=height,
            num_inference_steps=steps,
            guidance_scale=case.guidance,
            generator=generators,
            output_type="pil",
        )
        if cuda:
            torch.cuda.synchronize()
        return time.perf_counter() - started

    first = once(0)  # warm-up: cuDNN autotuning, or the torch.compile compilation
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    samples = [once(1 + i) for i in range(runs)]
    median = statistics.median(samples)
    return {
        "first_call_seconds": round(first, 3),
        "seconds_per_keyframe": round(median / batch, 3),
        "steps_per_second": round(steps * batch / median, 2),
        "peak_vram_gb": round(torch.cuda.max_memory_allocated() / 1024**3, 2) if cuda else 0.0,
        "width": width,
        "height": height,
        "steps": steps,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", choices=sorted(CASES), default=["sd15", "sdxl"])
    parser.add_argument("--runs", type=int, default=3, help="timed runs after the warm-up (median)")
    parser.add_argument("--batch", type=int, default=1, help="keyframes per pipeline call")
    parser.add_argument("--dtype", choices=["float16", "bfloat16"], default="float16")
    parser.add_argument("--no-compile", action="store_true", help="eager only")
    parser.add_argument("--compile-mode", default="max-autotune-no-cudagraphs")
    parser.add_argument("--smoke", action="store_true", help="tiny shapes on the CPU (checks the script)")
    args = parser.parse_args(argv)

    import torch

    device = "cpu" if args.smoke else "cuda"
    if device == "cuda" and not torch.cuda.is_available():
        print("no CUDA device: run this on a GPU machine (or use --smoke)", file=sys.stderr)
        return 2
    dtype = torch.float32 if args.smoke else getattr(torch, args.dtype)
    gpu = torch.cuda.get_device_name(0) if device == "cuda" else "cpu"
    rows = []
    for model in args.models:
        case = CASES[model]
        if device == "cuda":
            torch.cuda.empty_cache()
        started = time.perf_counter()
        pipe = build_pipeline(model, device, dtype, smoke=args.smoke)
        built = time.perf_counter() - started
        modes = ["eager"] if args.no_compile else ["eager", "compiled"]
        for mode in modes:
            compile_started = time.perf_counter()
            if mode == "compiled":
                pipe.unet = torch.compile(pipe.unet, mode=args.compile_mode, fullgraph=False)
            result = time_keyframes(pipe, case, runs=args.runs, batch=args.batch, device=device, smoke=args.smoke)
            row = {
                "model": model,
                "gpu": gpu,
                "dtype": str(dtype).removeprefix("torch."),
                "mode": mode if mode == "eager" else f"compiled ({args.compile_mode})",
                "batch": args.batch,
                "unet_params_m": round(params_millions(pipe.unet), 1),
                "build_seconds": round(built, 1),
                **result,
            }
            if mode == "compiled":
                row["compile_and_first_call_seconds"] = round(time.perf_counter() - compile_started, 1)
            print(json.dumps(row), flush=True)
            rows.append(row)
        del pipe
    print()
    print(f"{'model':6} {'size':>10} {'steps':>5} {'mode':44} {'s/keyframe':>10} {'it/s':>7} {'peak GiB':>8}")
    for row in rows:
        size = f"{row['width']}x{row['height']}"
        print(
            f"{row['model']:6} {size:>10} {row['steps']:>5} {row['mode']:44} "
            f"{row['seconds_per_keyframe']:>10} {row['steps_per_second']:>7} {row['peak_vram_gb']:>8}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
