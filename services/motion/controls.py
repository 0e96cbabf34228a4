"""The storyboard's camera and motion intensity, mapped to each motion model's controls.

SVD has no camera input: its motion comes from `motion_bucket_id` (how much moves, 1..255, 127 = the
model card's default), `noise_aug_strength` (noise added to the conditioning frame: more motion, less
fidelity to the keyframe) and the `fps` micro-conditioning. The camera move itself is then applied by
the compositor over the clip (`camera_in_clip` False). Prompt-driven models (LTX-Video, Wan) get a
camera phrase; AnimateDiff gets the camera-motion LoRA of the named move when the catalog lists one.

The move is resolved by the compositor's camera table (`resolve_move`), so a named move means the
same pan/tilt/zoom in a clip as in a Ken Burns shot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from services.common.camera import normalise_move
from services.compositor.motion import resolve_move
from services.compositor.spec import CameraMotion
from services.motion.catalog import MotionModelEntry

DEFAULT_INTENSITY = 0.5
SVD_BUCKET_RANGE = (1, 255)
# A move of this magnitude (|pan| + |tilt| + |ln zoom|, in frame fractions) counts as a full move.
FULL_MOVE = 0.3
SVD_NOISE_AUG = (0.0, 0.1)


@dataclass(frozen=True)
class MotionControls:
    """What one model call is driven with."""

    prompt: str
    negative_prompt: str
    fps: float
    motion_bucket_id: int = 127
    noise_aug_strength: float = 0.02
    # AnimateDiff camera LoRA (hub id or folder), None when the move has none.
    camera_lora: str | None = None
    # True when the model itself performs the storyboard's camera move (the compositor must not
    # apply it again); False when the compositor moves the camera over the clip.
    camera_in_clip: bool = False


def move_magnitude(camera: CameraMotion) -> float:
    """0 for a locked-off camera, 1 for a full move (pan/tilt in frame fractions, zoom in log scale)."""
    move, _known = resolve_move(camera, 1.0)
    size = abs(move.pan) + abs(move.tilt) + abs(math.log(move.zoom))
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


def controls_for(
    entry: MotionModelEntry, camera: CameraMotion, intensity: float, prompt: str, negative_prompt: str
) -> MotionControls:
    """The model's controls for a shot. `intensity` is 0..1 (0 = the default 0.5)."""
    level = intensity or DEFAULT_INTENSITY
    magnitude = move_magnitude(camera)
    fps = entry.defaults.fps
    if entry.family == "svd":
        # Motion amount follows the intensity; a camera move asks for more of it than a locked-off
        # shot (where subject motion alone should carry the clip).
        amount = level * (0.6 + 0.4 * magnitude)
        low, high = SVD_BUCKET_RANGE
        bucket = round(low + (high - low) * amount)
        noise = SVD_NOISE_AUG[0] + (SVD_NOISE_AUG[1] - SVD_NOISE_AUG[0]) * amount
        return MotionControls(prompt, negative_prompt, fps, bucket, round(noise, 4), None, False)
    phrase = camera_phrase(camera)
    pace = "subtle motion" if level < 0.34 else ("dynamic motion" if level > 0.67 else "natural motion")
    full_prompt = ", ".join(p for p in (prompt.strip(), phrase, pace) if p)
    if entry.camera_control == "lora":
        lora = entry.camera_loras.get(normalise_move(camera.move)) if camera.move.strip() else None
        return MotionControls(full_prompt, negative_prompt, fps, camera_lora=lora, camera_in_clip=lora is not None)
    return MotionControls(full_prompt, negative_prompt, fps, camera_in_clip=entry.camera_control == "prompt")
