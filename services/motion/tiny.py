"""Tiny random image-to-video and super-resolution pipelines, built offline with the real diffusers classes.

Each folder has the exact on-disk layout of the real weights the catalog names (model_index.json and
one folder per component), so production code (services/motion/models.py) loads it as it loads them:

- SVD (`stabilityai/stable-video-diffusion-img2vid-xt`): diffusers' own fast-test configs
  (tests/pipelines/stable_video_diffusion), except the CLIP vision tower's input: the pipeline always
  resizes the conditioning frame to 224 px before encoding it (as for the real ViT-H/14), so the tiny
  tower takes 224 px in 14 px patches.
- LTX-Video (`Lightricks/LTX-Video`) and Wan2.1-I2V (`Wan-AI/Wan2.1-I2V-14B-480P-Diffusers`): the
  transformer / VAE / image-encoder configs of diffusers' tests (tests/pipelines/ltx,
  tests/pipelines/wan). Those tests fetch `hf-internal-testing/tiny-random-t5`; here the T5 (UMT5
  for Wan, as in the real repo) encoder is built from a config and its tokenizer is a Unigram model
  trained on a few shot descriptions, stored as each real repo stores its own: LTX-Video's as a
  SentencePiece `spiece.model` + tokenizer_config.json only (transformers converts it on load, which
  needs `sentencepiece`), Wan's as a `tokenizers` tokenizer.json.
- AnimateDiff: the tiny SD 1.5 of services/imagegen/tiny.py (its CLIP tokenizer is built offline too)
  as the base, a MotionAdapter of matching widths in `motion_adapter/`, and one random camera-motion
  LoRA per move in `camera_loras/<move>/` (saved by diffusers' `save_lora_weights` under the file name
  the guoyww LoRA repos use).
- LDM 4x super-resolution: diffusers' fast-test configs (tests/pipelines/latent_diffusion), 2x here.

Frames are noise-like: the weights are random; only shapes, wiring, determinism and motion matter.
"""

from __future__ import annotations

import functools
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

TINY_MARKER = "cinesynth_tiny.json"
# Shot-description words the tiny T5 tokenizer's Unigram vocabulary is trained on.
_T5_CORPUS = (
    "a cinematic wide shot of a lone astronaut walking through a neon city at night, rain",
    "a harbour at dawn, the storm breaks over the sea, close-up portrait of the hero",
    "static camera, locked-off shot, camera slowly dollies in, camera pulls out, pans left, pans right",
    "camera tilts up, tilts down, subtle motion, natural motion, dynamic motion, golden hour",
)
_T5_VOCAB_SIZE = 96
_T5_HIDDEN = 32  # == the transformers' caption/text dim
# The camera moves the tiny AnimateDiff gets a LoRA for (the real catalog's set).
TINY_CAMERA_MOVES = ("pan-left", "pan-right", "tilt-up", "tilt-down", "dolly-in", "dolly-out")
LORA_WEIGHT_NAME = "diffusion_pytorch_model.safetensors"


def _built(folder: Path, kind: str) -> bool:
    """True when `folder` already holds the tiny `kind` pipeline; refuses to overwrite another kind."""
    marker = folder / TINY_MARKER
    if not marker.is_file():
        return False
    found = json.loads(marker.read_text(encoding="utf-8")).get("kind")
    if found != kind:
        raise ValueError(f"{folder} holds a tiny {found!r} pipeline, not {kind!r}: use another folder")
    return True


def _once(kind: str) -> Callable[[Callable[[Path], Path]], Callable[[Path], Path]]:
    """A builder of the tiny `kind` that does nothing when its folder already holds one."""

    def wrap(build: Callable[[Path], Path]) -> Callable[[Path], Path]:
        @functools.wraps(build)
        def build_once(folder: Path) -> Path:
            folder = Path(folder)
            return folder if _built(folder, kind) else build(folder)

        return build_once

    return wrap


def _mark(folder: Path, kind: str) -> Path:
    (folder / TINY_MARKER).write_text(json.dumps({"kind": kind, "random": True}), encoding="utf-8")
    return folder


def _save(pipe: Any, folder: Path, kind: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    pipe.save_pretrained(folder)
    return _mark(folder, kind)


def tiny_t5_tokenizer() -> Any:
    """A T5 tokenizer (Unigram, `<pad>`=0 `</s>`=1 `<unk>`=2) trained offline with `tokenizers`."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import T5Tokenizer

    unigram = Tokenizer(models.Unigram())
    unigram.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    trainer = trainers.UnigramTrainer(
        vocab_size=_T5_VOCAB_SIZE, special_tokens=["<pad>", "</s>", "<unk>"], unk_token="<unk>"
    )
    unigram.train_from_iterator(_T5_CORPUS, trainer)
    vocab = [(piece, float(score)) for piece, score in json.loads(unigram.to_str())["model"]["vocab"]]
    return T5Tokenizer(vocab=vocab, extra_ids=0)


def _spm_model() -> bytes:
    """A SentencePiece Unigram model (`<pad>`=0 `</s>`=1 `<unk>`=2, no BOS) trained on the shot words."""
    import io

    import sentencepiece

    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(_T5_CORPUS), model_writer=model, vocab_size=_T5_VOCAB_SIZE, model_type="unigram",
        pad_id=0, eos_id=1, unk_id=2, bos_id=-1, hard_vocab_limit=False, num_threads=1, minloglevel=2,
    )
    return model.getvalue()


def _write_spm_tokenizer(folder: Path, model: bytes) -> None:
    """The T5 tokenizer folder as LTX-Video ships it: spiece.model + tokenizer_config.json, no tokenizer.json."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "spiece.model").write_bytes(model)
    config = {"tokenizer_class": "T5Tokenizer", "model_max_length": 128, "extra_ids": 0,
              "pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>"}
    (folder / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")


def _t5_config(config_cls: Any, tokenizer: Any) -> Any:
    return config_cls(
        vocab_size=len(tokenizer), d_model=_T5_HIDDEN, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
        relative_attention_num_buckets=8, pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id, decoder_start_token_id=tokenizer.pad_token_id,
    )


@_once("svd")
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
    return _save(pipe, folder, "svd")


@_once("ltx")
def build_tiny_ltx(folder: Path) -> Path:
    """The tiny LTX-Video image-to-video pipeline (4x spatial/temporal VAE; sizes in multiples of 32)."""
    import torch
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
        LTXImageToVideoPipeline,
        LTXVideoTransformer3DModel,
    )
    from transformers import T5Config, T5EncoderModel, T5Tokenizer

    torch.manual_seed(0)
    transformer = LTXVideoTransformer3DModel(
        in_channels=8, out_channels=8, patch_size=1, patch_size_t=1, num_attention_heads=4, attention_head_dim=8,
        cross_attention_dim=32, num_layers=1, caption_channels=_T5_HIDDEN,
    )
    torch.manual_seed(0)
    vae = AutoencoderKLLTXVideo(
        in_channels=3, out_channels=3, latent_channels=8, block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8), layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1), spatio_temporal_scaling=(True, True, False, False),
        decoder_spatio_temporal_scaling=(True, True, False, False),
        decoder_inject_noise=(False, False, False, False, False), upsample_residual=(False, False, False, False),
        upsample_factor=(1, 1, 1, 1), timestep_conditioning=False, patch_size=1, patch_size_t=1,
        encoder_causal=True, decoder_causal=False,
    )
    spm = _spm_model()
    with tempfile.TemporaryDirectory() as work:
        _write_spm_tokenizer(Path(work), spm)
        tokenizer = T5Tokenizer.from_pretrained(work)
    torch.manual_seed(0)
    text_encoder = T5EncoderModel(_t5_config(T5Config, tokenizer)).eval()
    pipe = LTXImageToVideoPipeline(
        transformer=transformer, vae=vae, scheduler=FlowMatchEulerDiscreteScheduler(),
        text_encoder=text_encoder, tokenizer=tokenizer,
    )
    _save(pipe, folder, "ltx")
    shutil.rmtree(folder / "tokenizer")
    _write_spm_tokenizer(folder / "tokenizer", spm)
    return folder


@_once("wan")
def build_tiny_wan(folder: Path) -> Path:
    """The tiny Wan2.1 image-to-video pipeline (UMT5 text encoder and CLIP vision tower, as the real one)."""
    import torch
    from diffusers import (
        AutoencoderKLWan,
        FlowMatchEulerDiscreteScheduler,
        WanImageToVideoPipeline,
        WanTransformer3DModel,
    )
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel, UMT5Config, UMT5EncoderModel

    torch.manual_seed(0)
    vae = AutoencoderKLWan(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                           temperal_downsample=[False, True, True])
    tokenizer = tiny_t5_tokenizer()
    torch.manual_seed(0)
    text_encoder = UMT5EncoderModel(_t5_config(UMT5Config, tokenizer)).eval()
    torch.manual_seed(0)
    transformer = WanTransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=36, out_channels=16,
        text_dim=_T5_HIDDEN, freq_dim=256, ffn_dim=32, num_layers=2, cross_attn_norm=True,
        qk_norm="rms_norm_across_heads", rope_max_seq_len=32, image_dim=4,
    )
    torch.manual_seed(0)
    image_encoder = CLIPVisionModel(CLIPVisionConfig(
        hidden_size=4, projection_dim=4, num_hidden_layers=2, num_attention_heads=2, image_size=32,
        intermediate_size=16, patch_size=1,
    ))
    pipe = WanImageToVideoPipeline(
        transformer=transformer, vae=vae, scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0),
        text_encoder=text_encoder, tokenizer=tokenizer, image_encoder=image_encoder,
        image_processor=CLIPImageProcessor(crop_size=32, size=32), transformer_2=None,
    )
    return _save(pipe, folder, "wan")


@_once("animatediff")
def build_tiny_animatediff(folder: Path) -> Path:
    """The tiny SD 1.5 base + `motion_adapter/` + `camera_loras/<move>/` (one random LoRA per move)."""
    import torch
    from diffusers import AnimateDiffVideoToVideoPipeline, MotionAdapter, UNet2DConditionModel, UNetMotionModel
    from diffusers.utils import convert_state_dict_to_diffusers
    from peft import LoraConfig, get_peft_model_state_dict

    from services.imagegen.tiny import build_tiny_sd15

    build_tiny_sd15(folder)
    unet = UNet2DConditionModel.from_pretrained(folder / "unet")
    torch.manual_seed(0)
    adapter = MotionAdapter(
        block_out_channels=unet.config.block_out_channels, motion_layers_per_block=unet.config.layers_per_block,
        motion_norm_num_groups=unet.config.norm_num_groups, motion_num_attention_heads=2, motion_max_seq_length=32,
    )
    adapter.save_pretrained(folder / "motion_adapter")
    motion_unet = UNetMotionModel.from_unet2d(unet, adapter)
    # Camera LoRAs act on the motion modules' attention projections only, as guoyww's do.
    targets = sorted(
        name for name, _module in motion_unet.named_modules()
        if ".motion_modules." in name and name.endswith((".to_q", ".to_k", ".to_v", ".to_out.0"))
    )
    for index, move in enumerate(TINY_CAMERA_MOVES):
        torch.manual_seed(index + 1)
        # init_lora_weights=False: random A and B (peft's default B = 0 would make a LoRA with no effect).
        motion_unet.add_adapter(LoraConfig(r=4, lora_alpha=4, target_modules=targets, init_lora_weights=False),
                                adapter_name=move)
        layers = convert_state_dict_to_diffusers(get_peft_model_state_dict(motion_unet, adapter_name=move))
        AnimateDiffVideoToVideoPipeline.save_lora_weights(
            folder / "camera_loras" / move, unet_lora_layers=layers, weight_name=LORA_WEIGHT_NAME
        )
        motion_unet.delete_adapters(move)
    return _mark(folder, "animatediff")


@_once("ldm-sr")
def build_tiny_ldm_sr(folder: Path) -> Path:
    """A tiny random LDM super-resolution pipeline (2x) from diffusers' own fast-test configs."""
    import torch
    from diffusers import DDIMScheduler, LDMSuperResolutionPipeline, UNet2DModel, VQModel

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
    return _save(pipe, folder, "ldm-sr")


TINY_BUILDERS: dict[str, Callable[[Path], Path]] = {
    "svd": build_tiny_svd, "ltx": build_tiny_ltx, "wan": build_tiny_wan, "animatediff": build_tiny_animatediff,
}


def build_tiny_motion(folder: Path, kind: str) -> Path:
    """The tiny motion pipeline of `kind` (a catalog family) at `folder`, built unless already there."""
    try:
        builder = TINY_BUILDERS[kind]
    except KeyError:
        raise ValueError(f"unknown tiny motion pipeline kind {kind!r} (one of {sorted(TINY_BUILDERS)})") from None
    return builder(Path(folder))
