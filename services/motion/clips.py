"""Shots from model calls: sizes, segment planning, chaining at matched frames, and the clip file.

A model call makes F frames from one conditioning image. A shot of T frames takes
S = 1 + ceil(max(0, T - F) / (F - 1)) calls: call k+1 is conditioned on the last frame of call k and
its first frame (which reproduces that conditioning frame) is dropped, so the joins are matched
frames and the shot plays continuously. Seeds advance per call (seed + k) so segments differ.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from services.motion.models import SegmentCall

# H.264 at CRF 12 keeps clips visually lossless; the compositor grades and resamples them once.
CLIP_CRF = 12
CLIP_PRESET = "veryfast"


@dataclass(frozen=True)
class SegmentPlan:
    frames_wanted: int  # T: frames the shot needs at the clip's fps
    frames_per_call: int  # F
    segments: int  # S
    frames: int  # frames the joined clip has (== T unless capped by max_segments)

    @property
    def capped(self) -> bool:
        return self.frames < self.frames_wanted


def plan_segments(duration_s: float, fps: float, frames_per_call: int, max_segments: int) -> SegmentPlan:
    """How many calls a shot of `duration_s` at `fps` needs (see the module docstring)."""
    if duration_s <= 0 or fps <= 0:
        raise ValueError(f"duration_s and fps must be > 0, got {duration_s!r} and {fps!r}")
    if frames_per_call < 2:
        raise ValueError(f"frames_per_call must be >= 2, got {frames_per_call!r}")
    wanted = max(2, math.ceil(duration_s * fps - 1e-9))
    segments = 1 + math.ceil(max(0, wanted - frames_per_call) / (frames_per_call - 1))
    if segments > max_segments:
        segments = max_segments
    made = frames_per_call + (segments - 1) * (frames_per_call - 1)
    return SegmentPlan(wanted, frames_per_call, segments, min(made, wanted))


def model_size(width: int, height: int, source_w: int, source_h: int, default_w: int, default_h: int,
               multiple: int) -> tuple[int, int]:
    """The clip size: the requested one, else the model's default pixel count at the keyframe's aspect;
    both sides rounded to `multiple` (what the VAE and the denoiser's levels divide by)."""
    if not width or not height:
        pixels = default_w * default_h
        ratio = source_w / source_h
        width = width or round(math.sqrt(pixels * ratio))
        height = height or round(math.sqrt(pixels / ratio))
    step = max(2, multiple)
    return max(step, round(width / step) * step), max(step, round(height / step) * step)


def fit_image(image: Image.Image, width: int, height: int) -> Image.Image:
    """Centre-crop to the aspect of width x height, then Lanczos-resize: no stretching, no bars."""
    image = image.convert("RGB")
    w, h = image.size
    target = width / height
    if w / h > target:
        crop_w = round(h * target)
        left = (w - crop_w) // 2
        image = image.crop((left, 0, left + crop_w, h))
    elif w / h < target:
        crop_h = round(w / target)
        top = (h - crop_h) // 2
        image = image.crop((0, top, w, top + crop_h))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def render_shot(
    render: Callable[[SegmentCall], np.ndarray], first: SegmentCall, plan: SegmentPlan,
    on_segment: Callable[[int], None] | None = None,
) -> np.ndarray:
    """All segments of a shot joined at matched frames: (plan.frames, H, W, 3) uint8 RGB."""
    parts: list[np.ndarray] = []
    call = first
    for k in range(plan.segments):
        frames = render(call)
        if frames.shape[0] < 2:
            raise ValueError(f"the motion model returned {frames.shape[0]} frame(s) for one call")
        parts.append(frames if k == 0 else frames[1:])
        if on_segment is not None:
            on_segment(k)
        call = SegmentCall(
            image=Image.fromarray(frames[-1]), width=call.width, height=call.height, num_frames=call.num_frames,
            steps=call.steps, seed=first.seed + k + 1, controls=call.controls,
            decode_chunk_size=call.decode_chunk_size,
        )
    return np.concatenate(parts)[: plan.frames]


def clip_encode_argv(ffmpeg: str, width: int, height: int, fps: float, output: str) -> list[str]:
    """Raw RGB frames on stdin -> a frame-accurate H.264 MP4 (constant frame rate, every frame kept)."""
    return [
        ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-framerate", f"{fps:g}", "-i", "pipe:0",
        "-an", "-c:v", "libx264", "-preset", CLIP_PRESET, "-crf", str(CLIP_CRF), "-pix_fmt", "yuv420p",
        "-fps_mode", "passthrough", "-movflags", "+faststart", output,
    ]
