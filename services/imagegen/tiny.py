"""Tiny random Stable Diffusion pipelines, built offline with the real diffusers/transformers classes.

They have the exact layout of `stable-diffusion-v1-5` / `stable-diffusion-xl-base-1.0` on disk
(model_index.json, unet/, vae/, text_encoder*/, tokenizer*/, scheduler/, feature_extractor/) plus a
tiny IP-Adapter in `ip_adapter/`, so the production loader reads them exactly as it reads the real
weights. Uses: the test suite, CPU demos (`cinesynth-imagegen build-tiny DIR`), the catalog's `tiny`
entry. Images are noise-like: the weights are random; only shapes, wiring and determinism matter.

    from services.imagegen.tiny import build_tiny_sd15, build_tiny_sdxl
    path = build_tiny_sd15(tmp_path / "sd15")     # -> Path, ~1 MB, ~1 s
"""

from __future__ import annotations

import json
from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import Any

# Word list the tiny tokenizer's merges are learned from (shot-description vocabulary).
_CORPUS = (
    "a cinematic wide shot of a lone astronaut walking through a neon city at night, rain, "
    "volumetric light, dramatic shadows, film grain, golden hour, close-up portrait of the hero, "
    "establishing shot of the mountains, the storm breaks over the sea, warm tungsten practicals, "
    "soft key light, anamorphic lens flare, dolly in, crane up, the end"
)
_NUM_MERGES = 120
_BOS, _EOS = "<|startoftext|>", "<|endoftext|>"
# CLIP hidden size == UNet cross-attention dim (SD 1.5); SDXL concatenates its two encoders.
_TEXT_HIDDEN = 32
TINY_IP_ADAPTER_SUBFOLDER = "ip_adapter"
TINY_IP_ADAPTER_WEIGHTS = "ip-adapter_tiny.safetensors"
TINY_MARKER = "cinesynth_tiny.json"


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2/CLIP byte -> printable character table."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
    printable += list(range(ord("®"), ord("ÿ") + 1))
    chars = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
    return dict(zip(printable, (chr(c) for c in chars), strict=True))


def tiny_vocab_and_merges() -> tuple[dict[str, int], list[tuple[str, str]]]:
    """A CLIP-style byte-level BPE vocabulary with merges learned from a small corpus (deterministic)."""
    byte_chars = list(_bytes_to_unicode().values())
    vocab_tokens = byte_chars + [c + "</w>" for c in byte_chars]
    words = Counter(_CORPUS.replace(",", " ").split())
    # Each word as a list of symbols, the last carrying CLIP's end-of-word suffix.
    splits = {w: [*w[:-1], w[-1] + "</w>"] for w in words}
    merges: list[tuple[str, str]] = []
    for _ in range(_NUM_MERGES):
        pairs: Counter[tuple[str, str]] = Counter()
        for word, symbols in splits.items():
            for left, right in pairwise(symbols):
                pairs[(left, right)] += words[word]
        if not pairs:
            break
        (left, right), _count = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
        merges.append((left, right))
        vocab_tokens.append(left + right)
        for word, symbols in splits.items():
            merged: list[str] = []
            i = 0
            while i < len(symbols):
                if i + 1 < len(symbols) and symbols[i] == left and symbols[i + 1] == right:
                    merged.append(left + right)
                    i += 2
                else:
                    merged.append(symbols[i])
                    i += 1
            splits[word] = merged
    vocab_tokens += [_BOS, _EOS]
    return {token: index for index, token in enumerate(vocab_tokens)}, merges


def _tokenizer() -> Any:
    from transformers import CLIPTokenizer

    vocab, merges = tiny_vocab_and_merges()
    return CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=77)


def _text_config(tokenizer: Any, projection_dim: int = _TEXT_HIDDEN) -> Any:
    from transformers import CLIPTextConfig

    return CLIPTextConfig(
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        vocab_size=len(tokenizer),
        hidden_size=_TEXT_HIDDEN,
        intermediate_size=37,
        num_attention_heads=4,
        num_hidden_layers=2,
        max_position_embeddings=77,
        layer_norm_eps=1e-5,
        hidden_act="gelu",
        projection_dim=projection_dim,
    )


def _vae() -> Any:
    from diffusers import AutoencoderKL

    return AutoencoderKL(
        # Four blocks: 8x spatial compression like the real SD VAE, so sizes behave the same.
        block_out_channels=[8, 8, 16, 16],
        in_channels=3,
        out_channels=3,
        down_block_types=["DownEncoderBlock2D"] * 4,
        up_block_types=["UpDecoderBlock2D"] * 4,
        latent_channels=4,
        norm_num_groups=8,
        layers_per_block=1,
        sample_size=128,
    )


def _feature_extractor() -> Any:
    from transformers import CLIPImageProcessor

    return CLIPImageProcessor(crop_size=32, size=32)


def _image_encoder() -> Any:
    from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection

    config = CLIPVisionConfig(
        hidden_size=_TEXT_HIDDEN,
        projection_dim=_TEXT_HIDDEN,
        num_hidden_layers=2,
        num_attention_heads=4,
        image_size=32,
        patch_size=8,
        intermediate_size=37,
    )
    return CLIPVisionModelWithProjection(config)


def _sd_scheduler(cls_name: str) -> Any:
    import diffusers

    # The noise schedule of SD 1.5 / SDXL; the catalog may swap the sampler at load time.
    return getattr(diffusers, cls_name)(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        steps_offset=1,
        **({"clip_sample": False, "set_alpha_to_one": False} if cls_name == "DDIMScheduler" else {}),
    )


def _write_ip_adapter(unet: Any, root: Path, image_embed_dim: int) -> None:
    """A basic IP-Adapter (image projection + to_k_ip/to_v_ip per cross-attention) in the h94 layout."""
    import torch
    from safetensors.torch import save_file

    cross_dim = unet.config.cross_attention_dim
    blocks = list(reversed(unet.config.block_out_channels))
    tensors: dict[str, torch.Tensor] = {
        "image_proj.proj.weight": torch.randn(4 * cross_dim, image_embed_dim) * 0.02,
        "image_proj.proj.bias": torch.zeros(4 * cross_dim),
        "image_proj.norm.weight": torch.ones(cross_dim),
        "image_proj.norm.bias": torch.zeros(cross_dim),
    }
    key_id = 1
    for name in unet.attn_processors:
        if name.endswith("attn1.processor"):
            continue
        if name.startswith("mid_block"):
            hidden = unet.config.block_out_channels[-1]
        elif name.startswith("up_blocks"):
            hidden = blocks[int(name[len("up_blocks.")])]
        else:
            hidden = unet.config.block_out_channels[int(name[len("down_blocks.")])]
        for kind in ("to_k_ip", "to_v_ip"):
            tensors[f"ip_adapter.{key_id}.{kind}.weight"] = torch.randn(hidden, cross_dim) * 0.02
        key_id += 2
    folder = root / TINY_IP_ADAPTER_SUBFOLDER
    folder.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(folder / TINY_IP_ADAPTER_WEIGHTS))
    _image_encoder().save_pretrained(folder / "image_encoder")


def _finish(pipe: Any, path: Path, kind: str, seed: int) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    pipe.save_pretrained(path)
    _write_ip_adapter(pipe.unet, path, image_embed_dim=_TEXT_HIDDEN)
    (path / TINY_MARKER).write_text(json.dumps({"kind": kind, "seed": seed}) + "\n")
    return path


def build_tiny_sd15(path: str | Path, *, seed: int = 0) -> Path:
    """Save a tiny random SD 1.5-style pipeline (+ tiny IP-Adapter) to `path`; returns the path."""
    import torch
    from diffusers import StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextModel

    torch.manual_seed(seed)
    unet = UNet2DConditionModel(
        block_out_channels=(16, 32),
        layers_per_block=1,
        sample_size=32,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=_TEXT_HIDDEN,
        attention_head_dim=8,
        norm_num_groups=8,
    )
    tokenizer = _tokenizer()
    pipe = StableDiffusionPipeline(
        unet=unet,
        vae=_vae(),
        text_encoder=CLIPTextModel(_text_config(tokenizer)),
        tokenizer=tokenizer,
        scheduler=_sd_scheduler("DDIMScheduler"),
        safety_checker=None,
        feature_extractor=_feature_extractor(),
        image_encoder=None,
        requires_safety_checker=False,
    )
    return _finish(pipe, Path(path), "sd15", seed)


def build_tiny_sdxl(path: str | Path, *, seed: int = 0) -> Path:
    """Save a tiny random SDXL-style pipeline (two text encoders, text_time conditioning) to `path`."""
    import torch
    from diffusers import StableDiffusionXLPipeline, UNet2DConditionModel
    from transformers import CLIPTextModel, CLIPTextModelWithProjection

    torch.manual_seed(seed)
    addition_time_embed_dim = 8
    unet = UNet2DConditionModel(
        block_out_channels=(16, 32),
        layers_per_block=1,
        sample_size=32,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4),
        use_linear_projection=True,
        addition_embed_type="text_time",
        addition_time_embed_dim=addition_time_embed_dim,
        transformer_layers_per_block=(1, 2),
        # Six micro-conditioning numbers (sizes, crop, target) + the pooled projection of encoder 2.
        projection_class_embeddings_input_dim=6 * addition_time_embed_dim + _TEXT_HIDDEN,
        cross_attention_dim=2 * _TEXT_HIDDEN,
        norm_num_groups=8,
    )
    tokenizer = _tokenizer()
    config = _text_config(tokenizer)
    pipe = StableDiffusionXLPipeline(
        unet=unet,
        vae=_vae(),
        text_encoder=CLIPTextModel(config),
        text_encoder_2=CLIPTextModelWithProjection(config),
        tokenizer=tokenizer,
        tokenizer_2=_tokenizer(),
        scheduler=_sd_scheduler("EulerDiscreteScheduler"),
        image_encoder=None,
        feature_extractor=_feature_extractor(),
        force_zeros_for_empty_prompt=True,
    )
    return _finish(pipe, Path(path), "sdxl", seed)


TINY_BUILDERS = {"sd15": build_tiny_sd15, "sdxl": build_tiny_sdxl}


def build_tiny(path: str | Path, kind: str = "sd15", *, seed: int = 0) -> Path:
    """Build the tiny pipeline of `kind` ("sd15" or "sdxl") at `path` unless one is already there."""
    path = Path(path)
    marker = path / TINY_MARKER
    if marker.is_file() and json.loads(marker.read_text()).get("kind") == kind:
        return path
    try:
        builder = TINY_BUILDERS[kind]
    except KeyError:
        raise ValueError(f"unknown tiny pipeline kind {kind!r} (one of {sorted(TINY_BUILDERS)})") from None
    return builder(path, seed=seed)
