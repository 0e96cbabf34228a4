"""Per catalog family: how the storyboard's camera and motion intensity become that model's controls
(frames, fps, guidance, prompt, strength, LoRA) and its pipeline's call arguments, and how it is placed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from services.common.camera import MOVES
from services.compositor.spec import CameraMotion
from services.imagegen.catalog import CatalogError
from services.imagegen.device import SimulatedDevice
from services.motion.catalog import FRAME_STEPS, load_motion_catalog
from services.motion.controls import (
    ANIMATEDIFF_STRENGTH,
    LORA_SCALE,
    controls_for,
    pick_camera_lora,
)
from services.motion.models import SegmentCall, pipeline_kwargs, place_on_device

CATALOG = load_motion_catalog()
ZOOM_IN, PAN_LEFT = "guoyww/animatediff-motion-lora-zoom-in", "guoyww/animatediff-motion-lora-pan-left"


def call_for(name: str, camera: CameraMotion, intensity: float = 0.5, steps: int = 0) -> SegmentCall:
    entry = CATALOG.get(name)
    d = entry.defaults
    controls = controls_for(entry, camera, intensity, "a harbour at dawn", "blurry")
    return SegmentCall(Image.new("RGB", (d.width, d.height)), d.width, d.height, d.num_frames, steps or d.steps, 3,
                       controls, d.decode_chunk_size)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("svd-xt", {"fps": 7, "motion_bucket_id": 77, "noise_aug_strength": 0.03, "decode_chunk_size": 4,
                    "num_frames": 25}),
        ("ltx-video", {"frame_rate": 24, "guidance_scale": 3.0, "num_frames": 97, "negative_prompt": "blurry"}),
        ("wan-i2v", {"guidance_scale": 5.0, "num_frames": 33, "negative_prompt": "blurry"}),
        ("animatediff", {"guidance_scale": 7.5, "strength": 0.65, "decode_chunk_size": 8}),
    ],
)
def test_call_arguments_use_each_pipelines_own_names(name: str, expected: dict[str, Any]) -> None:
    family = CATALOG.get(name).family
    call = call_for(name, CameraMotion(move="static"))
    kwargs = pipeline_kwargs(family, call, call.decode_chunk_size)
    assert {k: kwargs[k] for k in expected} == expected
    assert (kwargs["width"], kwargs["height"], kwargs["output_type"]) == (call.width, call.height, "np")
    if family == "animatediff":  # the keyframe as a still video of the call's length
        assert len(kwargs["video"]) == call.num_frames and "image" not in kwargs
    else:
        assert kwargs["image"] is call.image
    if family == "svd":  # no text input at all
        assert "prompt" not in kwargs and "guidance_scale" not in kwargs
    else:
        assert kwargs["prompt"].startswith("a harbour at dawn")


def test_animatediff_always_runs_a_denoising_step() -> None:
    """Video-to-video denoises strength x steps: one step at strength 0.5 would be zero steps."""
    call = call_for("animatediff", CameraMotion(), intensity=0.01, steps=1)
    assert call.controls.strength == pytest.approx(ANIMATEDIFF_STRENGTH[0], abs=0.01)
    assert pipeline_kwargs("animatediff", call, 8)["num_inference_steps"] == 2


def test_prompt_models_perform_the_move_in_the_clip() -> None:
    for name in ("ltx-video", "wan-i2v"):
        entry = CATALOG.get(name)
        pan = controls_for(entry, CameraMotion(move="pan-left"), 0.8, "a harbour at dawn", "")
        assert pan.prompt == "a harbour at dawn, pan left, camera pans left, dynamic motion" and pan.camera_in_clip
        still = controls_for(entry, CameraMotion(move="static"), 0.2, "", "")
        assert still.prompt == "static camera, locked-off shot, subtle motion"
        ratios = controls_for(entry, CameraMotion(pan=0.2, zoom=1.2), 0.5, "x", "")
        assert ratios.prompt == "x, camera slowly dollies in, camera pans right, natural motion"
        assert (pan.fps, pan.guidance) == (entry.defaults.fps, entry.defaults.guidance)


def test_animatediff_takes_the_lora_of_the_move_or_of_the_same_direction() -> None:
    ad = CATALOG.get("animatediff")
    named = controls_for(ad, CameraMotion(move="Dolly In"), 0.5, "x", "")
    assert named.camera_lora == ZOOM_IN and named.camera_in_clip and "dolly in" in named.prompt
    # No LoRA of its own: the move pointing the same way (truck ~ pan, crane ~ tilt, push ~ dolly).
    assert controls_for(ad, CameraMotion(move="truck-left"), 0.5, "x", "").camera_lora == PAN_LEFT
    assert controls_for(ad, CameraMotion(move="crane-up"), 0.5, "x", "").camera_lora.endswith("tilt-up")
    assert controls_for(ad, CameraMotion(move="zoom in"), 0.5, "x", "").camera_lora == ZOOM_IN  # alias of push-in
    assert controls_for(ad, CameraMotion(pan=-0.1), 0.5, "x", "").camera_lora == PAN_LEFT  # explicit ratios
    # A move no LoRA points along stays with the compositor, and the prompt does not move it twice.
    diagonal = controls_for(ad, CameraMotion(pan=0.2, tilt=0.2), 0.5, "x", "")
    assert diagonal.camera_lora is None and not diagonal.camera_in_clip and "pans" not in diagonal.prompt
    assert controls_for(ad, CameraMotion(move="handheld"), 0.5, "x", "").camera_lora is None
    assert controls_for(ad, CameraMotion(move="static"), 0.5, "x", "").camera_lora is None


def test_animatediff_uses_only_the_loras_this_node_has() -> None:
    ad = CATALOG.get("animatediff")
    assert controls_for(ad, CameraMotion(move="dolly-in"), 0.5, "x", "", frozenset()).camera_lora is None
    only_pan = controls_for(ad, CameraMotion(move="truck-left"), 0.5, "x", "", frozenset({PAN_LEFT}))
    assert only_pan.camera_lora == PAN_LEFT


def test_animatediff_intensity_drives_strength_and_lora_weight() -> None:
    ad = CATALOG.get("animatediff")
    low, mid, high = (controls_for(ad, CameraMotion(move="pan-left"), i, "x", "") for i in (0.1, 0.5, 1.0))
    assert low.strength < mid.strength < high.strength == ANIMATEDIFF_STRENGTH[1]
    assert low.lora_scale < mid.lora_scale < high.lora_scale == LORA_SCALE[1]
    assert "subtle motion" in low.prompt and "dynamic motion" in high.prompt
    default = controls_for(ad, CameraMotion(move="pan-left"), 0.0, "x", "")
    assert (default.strength, default.lora_scale) == (mid.strength, mid.lora_scale)


def test_every_named_move_gets_a_lora_or_the_compositor() -> None:
    """Over the whole camera table: a LoRA is only ever one whose move points the shot's way."""
    loras = CATALOG.get("animatediff").camera_loras
    for move in MOVES:
        lora = pick_camera_lora(CameraMotion(move=move), loras)
        if move in loras:
            assert lora == loras[move]
        if MOVES[move].is_static:
            assert lora is None
    assert pick_camera_lora(CameraMotion(move="orbit"), loras) == loras["pan-right"]


def test_catalog_frame_counts_fit_the_vae() -> None:
    for entry in CATALOG.models:
        step = FRAME_STEPS.get(entry.family)
        if step:
            assert entry.defaults.num_frames % step == 1


def test_catalog_rejects_frame_counts_the_vae_cannot_make(tmp_path: Path) -> None:
    bad = tmp_path / "c.yaml"
    bad.write_text(
        "version: 1\nmodels:\n"
        "  - {name: l, tier: ultra, family: ltx, source: a/b, min_vram_gb: 1, "
        "defaults: {width: 64, height: 64, num_frames: 24, fps: 24, steps: 1}}\n"
        "  - {name: kb, tier: ken_burns, family: ken_burns, min_vram_gb: 0, "
        "defaults: {width: 0, height: 0, num_frames: 1, fps: 24, steps: 1}}\n"
    )
    with pytest.raises(CatalogError, match=r"k\*8\+1 frames"):
        load_motion_catalog(bad)


@dataclass
class RecordingPipe:
    calls: list[tuple[str, Any]] = field(default_factory=list)

    def to(self, device: str) -> None:
        self.calls.append(("to", device))

    def enable_model_cpu_offload(self, device: str) -> None:
        self.calls.append(("offload", device))


@pytest.mark.parametrize(("name", "device", "expected", "savers"), [
    ("ltx-video", "cuda", ("offload", "cuda"), ["model_cpu_offload"]),
    ("wan-i2v", "cuda", ("offload", "cuda"), ["model_cpu_offload"]),
    ("svd-xt", "cuda", ("to", "cuda"), []),
    ("ltx-video", "cpu", ("to", "cpu"), []),
])
def test_entries_sized_for_offload_are_loaded_offloaded_on_cuda(
    name: str, device: str, expected: tuple[str, str], savers: list[str]
) -> None:
    class Device(SimulatedDevice):
        @property
        def torch_device(self) -> str:
            return device

    pipe = RecordingPipe()
    assert place_on_device(pipe, CATALOG.get(name), Device.with_vram(24)) == savers
    assert pipe.calls == [expected]
