"""Tiny random Stable Video Diffusion and LDM super-resolution pipelines, built offline with the real diffusers classes.

The component configs are diffusers' own fast-test ones (tests/pipelines/stable_video_diffusion),
except the CLIP vision tower's input: the pipeline always resizes the conditioning frame to 224 px
before encoding it (as for the real ViT-H/14), so the tiny tower takes 224 px in 14 px patches. The
folder has the exact layout of `stabilityai/stable-video-diffusion-img2vid-xt` (model_index.json,
unet/, vae/, image_encoder/, scheduler/, feature_extractor/), so production code loads it as it loads
the real weights. Frames are noise-like: only shapes, wiring, determinism and motion matter.
"""

from __future__ import annotations

import json
from pathlib import Path

TINY_MARKER = "cinesynth_tiny.json"


def build_tiny_svd(folder: Path) -> Path:
    """Build (once) and save the tiny SVD pipeline into `folder`; ~8 MB, well under a second."""
    import torch
    from diffusers import (
        AutoencoderKLTemporalDecoder,
        EulerDiscreteScheduler,
        StableVideoDiffusionPipeline,
        UNetSpatioTemporalConditionModel,
    )
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    folder = Path(folder)
    if (folder / TINY_MARKER).is_file():
        return folder
    torch.manual_seed(0)
    unet = UNetSpatioTemporalConditionModel(
        block_out_channels=(32, 64),
        layers_per_block=1,
        sample_size=32,
        in_channels=8,
        out_channels=4,
        down_block_types=("CrossAttnDownBlockSpatioTemporal", "DownBlockSpatioTemporal"),
        up_block_types=("UpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal"),
        cross_attention_dim=32,
        num_attention_heads=8,
        projection_class_embeddings_input_dim=96,
        addition_time_embed_dim=32,
    )
    scheduler = EulerDiscreteScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        interpolation_type="linear",
        num_train_timesteps=1000,
        prediction_type="v_prediction",
        sigma_max=700.0,
        sigma_min=0.002,
        steps_offset=1,
        timestep_spacing="leading",
        timestep_type="continuous",
        trained_betas=None,
        use_karras_sigmas=True,
    )
    torch.manual_seed(0)
    vae = AutoencoderKLTemporalDecoder(
        block_out_channels=[32, 64],
        in_channels=3,
        out_channels=3,
        down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"],
        latent_channels=4,
    )
    torch.manual_seed(0)
    image_encoder = CLIPVisionModelWithProjection(
        CLIPVisionConfig(
            hidden_size=32,
            projection_dim=32,
            num_hidden_layers=5,
            num_attention_heads=4,
            image_size=224,
            intermediate_size=37,
            patch_size=14,
        )
    )
    feature_extractor = CLIPImageProcessor(crop_size=224, size=224)
    pipe = StableVideoDiffusionPipeline(
        unet=unet, image_encoder=image_encoder, scheduler=scheduler, vae=vae, feature_extractor=feature_extractor
    )
    folder.mkdir(parents=True, exist_ok=True)
    pipe.save_pretrained(folder)
    (folder / TINY_MARKER).write_text(json.dumps({"kind": "svd", "random": True}), encoding="utf-8")
    return folder


def build_tiny_ldm_sr(folder: Path) -> Path:
    """A tiny random LDM super-resolution pipeline (2x) from diffusers' own fast-test configs."""
    import torch
    from diffusers import DDIMScheduler, LDMSuperResolutionPipeline, UNet2DModel, VQModel

    folder = Path(folder)
    if (folder / TINY_MARKER).is_file():
        return folder
    torch.manual_seed(0)
    unet = UNet2DModel(
        block_out_channels=(32, 64),
        layers_per_block=2,
        sample_size=32,
        in_channels=6,
        out_channels=3,
        down_block_types=("DownBlock2D", "AttnDownBlock2D"),
        up_block_types=("AttnUpBlock2D", "UpBlock2D"),
    )
    torch.manual_seed(0)
    vqvae = VQModel(
        block_out_channels=[32, 64],
        in_channels=3,
        out_channels=3,
        down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"],
        up_block_types=["UpDecoderBlock2D", "UpDecoderBlock2D"],
        latent_channels=3,
    )
    pipe = LDMSuperResolutionPipeline(unet=unet, vqvae=vqvae, scheduler=DDIMScheduler())
    folder.mkdir(parents=True, exist_ok=True)
    pipe.save_pretrained(folder)
    (folder / TINY_MARKER).write_text(json.dumps({"kind": "ldm-sr", "random": True}), encoding="utf-8")
    return folder
