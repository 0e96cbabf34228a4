"""The storyboard's camera and motion intensity, mapped to each motion model's controls.

- SVD has no camera input: its motion comes from `motion_bucket_id` (how much moves, 1..255, 127 = the
  model card's default), `noise_aug_strength` (noise added to the conditioning frame: more motion, less
  fidelity to the keyframe) and the `fps` micro-conditioning. The compositor applies the camera move
  over the clip (`camera_in_clip` False).
- Prompt-driven models (LTX-Video, Wan) get a camera phrase and a pace word; the model performs the
  move. Their `fps` is the catalog's (LTX's `frame_rate` conditioning; Wan is trained at 16 fps).
- AnimateDiff re-noises the keyframe repeated as a still video by `strength` (more motion, less
  keyframe) and performs a move with the camera-motion LoRA closest to it (see `pick_camera_lora`),
  weighted by the intensity; a move no LoRA covers is left to the compositor.

The move is resolved by the compositor's camera table (`resolve_move`), so a named move means the
same pan/tilt/zoom in a clip as in a Ken Burns shot.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from services.common.camera import ALIASES, lookup, normalise_move
from services.compositor.motion import resolve_move
from services.compositor.spec import CameraMotion
from services.motion.catalog import MotionModelEntry

DEFAULT_INTENSITY = 0.5
SVD_BUCKET_RANGE = (1, 255)
# A move of this magnitude (|pan| + |tilt| + |ln zoom|, in frame fractions) counts as a full move.
FULL_MOVE = 0.3
SVD_NOISE_AUG = (0.0, 0.1)
# AnimateDiff video-to-video strength over intensity 0..1 (0.65 at the default intensity): below ~0.5
# the still barely moves, above ~0.8 the keyframe's identity is lost.
ANIMATEDIFF_STRENGTH = (0.5, 0.8)
# Camera LoRA adapter weight over intensity 0..1 (1.0 = the LoRA as trained).
LORA_SCALE = (0.5, 1.0)
# A LoRA performs a move whose direction (pan, tilt, ln zoom) is within ~25 degrees of its own.
LORA_MIN_COSINE = 0.9


@dataclass(frozen=True)
class MotionControls:
    """What one model call is driven with."""

    prompt: str
    negative_prompt: str
    fps: float
    guidance: float = 3.0
    motion_bucket_id: int = 127
    noise_aug_strength: float = 0.02
    # AnimateDiff: how far the still video is re-noised (1 = ignore the keyframe).
    strength: float = 1.0
    # AnimateDiff camera LoRA (the catalog's hub id or folder), None when no LoRA covers the move.
    camera_lora: str | None = None
    lora_scale: float = 1.0
    # True when the model itself performs the storyboard's camera move (the compositor must not
    # apply it again); False when the compositor moves the camera over the clip.
    camera_in_clip: bool = False


def _lerp(bounds: tuple[float, float], t: float) -> float:
    return bounds[0] + (bounds[1] - bounds[0]) * t


def _direction(pan: float, tilt: float, zoom: float) -> tuple[float, float, float]:
    return pan, tilt, math.log(zoom)


def move_magnitude(camera: CameraMotion) -> float:
    """0 for a locked-off camera, 1 for a full move (pan/tilt in frame fractions, zoom in log scale)."""
    move, _known = resolve_move(camera, 1.0)
    size = sum(abs(v) for v in _direction(move.pan, move.tilt, move.zoom))
    return min(1.0, size / FULL_MOVE)


def camera_phrase(camera: CameraMotion) -> str:
    """A camera description for prompt-driven models: the named move, else one read off the ratios."""
    move, known = resolve_move(camera, 1.0)
    if move.is_static:
        return "static camera, locked-off shot"
    parts = []
    if move.zoom > 1.0:
        parts.append("camera slowly dollies in")
    elif move.zoom < 1.0:
        parts.append("camera slowly pulls out")
    if move.pan:
        parts.append(f"camera pans {'right' if move.pan > 0 else 'left'}")
    if move.tilt:
        parts.append(f"camera tilts {'up' if move.tilt > 0 else 'down'}")
    named = normalise_move(camera.move) if camera.move.strip() and known else ""
    return ", ".join(([named.replace("-", " ")] if named else []) + parts)


def pick_camera_lora(camera: CameraMotion, loras: Mapping[str, str]) -> str | None:
    """The LoRA (value of `loras`, keyed by move name) that performs the shot's move, or None.

    The named move's own LoRA when there is one; else the LoRA whose move (read off the camera table)
    points the same way as the shot's (cosine >= LORA_MIN_COSINE): a truck left is a pan-left LoRA's
    job, a crane up a tilt-up's, explicit ratios their dominant move's. A static shot takes none."""
    move, _known = resolve_move(camera, 1.0)
    if move.is_static:
        return None
    keys = {normalise_move(k): v for k, v in loras.items()}
    if camera.move.strip() and not (camera.pan or camera.tilt or (camera.zoom and camera.zoom != 1.0)):
        name = normalise_move(camera.move)
        for candidate in (name, ALIASES.get(name, name)):
            if candidate in keys:
                return keys[candidate]
    shot = _direction(move.pan, move.tilt, move.zoom)
    shot_norm = math.sqrt(sum(v * v for v in shot))
    best, best_cosine = None, LORA_MIN_COSINE
    for key, lora in sorted(keys.items()):
        preset = lookup(key)
        if preset is None or preset.is_static:
            continue
        own = _direction(*preset.ratios)
        cosine = sum(a * b for a, b in zip(shot, own, strict=True)) / (shot_norm * math.sqrt(sum(v * v for v in own)))
        if cosine >= best_cosine:
            best, best_cosine = lora, cosine
    return best


def controls_for(
    entry: MotionModelEntry, camera: CameraMotion, intensity: float, prompt: str, negative_prompt: str,
    available_loras: Collection[str] | None = None,
) -> MotionControls:
    """The model's controls for a shot. `intensity` is 0..1 (0 = the default 0.5). `available_loras`:
    the camera LoRAs the loaded model has (None = all the catalog lists, for planning)."""
    level = intensity or DEFAULT_INTENSITY
    fps, guidance = entry.defaults.fps, entry.defaults.guidance
    if entry.family == "svd":
        # Motion amount follows the intensity; a camera move asks for more of it than a locked-off
        # shot (where subject motion alone should carry the clip).
        amount = level * (0.6 + 0.4 * move_magnitude(camera))
        bucket = round(_lerp(SVD_BUCKET_RANGE, amount))
        noise = round(_lerp(SVD_NOISE_AUG, amount), 4)
        return MotionControls(prompt, negative_prompt, fps, guidance, motion_bucket_id=bucket,
                              noise_aug_strength=noise)
    pace = "subtle motion" if level < 0.34 else ("dynamic motion" if level > 0.67 else "natural motion")
    if entry.camera_control == "lora":
        loras = {move: lora for move, lora in entry.camera_loras.items()
                 if available_loras is None or lora in available_loras}
        lora = pick_camera_lora(camera, loras)
        # Without a LoRA the compositor moves the camera: a camera phrase would move it twice.
        phrase = camera_phrase(camera) if lora else ""
        return MotionControls(
            _join(prompt, phrase, pace), negative_prompt, fps, guidance,
            strength=round(_lerp(ANIMATEDIFF_STRENGTH, level), 4), camera_lora=lora,
            lora_scale=round(_lerp(LORA_SCALE, level), 4) if lora else 1.0, camera_in_clip=lora is not None,
        )
    in_clip = entry.camera_control == "prompt"
    return MotionControls(_join(prompt, camera_phrase(camera) if in_clip else "", pace), negative_prompt, fps,
                          guidance, camera_in_clip=in_clip)


def _join(*parts: str) -> str:
    return ", ".join(p.strip() for p in parts if p.strip())
