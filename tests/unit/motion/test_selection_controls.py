"""Motion catalog, VRAM-aware selection, camera -> model controls, and segment planning (pure)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from services.compositor.spec import CameraMotion
from services.imagegen.catalog import CatalogError
from services.imagegen.device import SimulatedDevice
from services.imagegen.selection import SelectionError
from services.imagegen.weights import WeightLocator
from services.motion.catalog import MotionTier, load_motion_catalog
from services.motion.clips import fit_image, model_size, plan_segments, render_shot
from services.motion.controls import controls_for, move_magnitude
from services.motion.models import SegmentCall
from services.motion.selection import select_motion_model

CATALOG = load_motion_catalog()


@pytest.mark.parametrize(
    ("vram_gb", "selected", "fallbacks"),
    [
        (0, "ken-burns", []),
        (4, "ken-burns", []),
        (7, "svd", ["ken-burns"]),
        (9.5, "svd-xt", ["svd", "ken-burns"]),
        (12, "svd-xt", ["svd", "ken-burns"]),  # 11 GiB usable: LTX-Video needs 12 with offload
        (16, "ltx-video", ["svd-xt", "svd", "ken-burns"]),
        (24, "ltx-video", ["svd-xt", "svd", "ken-burns"]),  # Wan2.1-I2V-14B needs 35 with offload
        (80, "wan-i2v", ["ltx-video", "svd-xt", "svd", "ken-burns"]),
    ],
)
def test_selection_follows_usable_vram(vram_gb: float, selected: str, fallbacks: list[str]) -> None:
    locator = WeightLocator(Path("/nonexistent"), assume_present=True)
    plan = select_motion_model(CATALOG, SimulatedDevice.with_vram(vram_gb).info(), locator, reserve_gb=1.0)
    assert plan.entry.name == selected
    assert [c.entry.name for c in plan.fallbacks] == fallbacks
    assert plan.reasons[0].startswith("device")


def test_missing_weights_offline_fall_to_ken_burns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    plan = select_motion_model(
        CATALOG, SimulatedDevice.with_vram(80).info(), WeightLocator(tmp_path, hf_cache_dir=tmp_path), reserve_gb=1.0
    )
    assert plan.entry.tier is MotionTier.KEN_BURNS
    assert any("weights not present" in r for r in plan.reasons)


def test_max_tier_and_pinning() -> None:
    locator = WeightLocator(Path("/nonexistent"), assume_present=True)
    device = SimulatedDevice.with_vram(80).info()
    plan = select_motion_model(CATALOG, device, locator, reserve_gb=1.0, max_tier=MotionTier.STANDARD)
    assert plan.entry.name == "svd-xt"
    pinned = select_motion_model(CATALOG, device, locator, reserve_gb=1.0, pinned="animatediff")
    assert pinned.entry.name == "animatediff" and [c.entry.name for c in pinned.fallbacks] == ["ken-burns"]
    with pytest.raises(SelectionError, match="no motion model 'nope'"):
        select_motion_model(CATALOG, device, locator, reserve_gb=1.0, pinned="nope")


def test_catalog_is_strict(tmp_path: Path) -> None:
    bad = tmp_path / "c.yaml"
    bad.write_text("version: 1\nmodels:\n  - {name: x, tier: standard, family: svd, min_vram_gb: 1, "
                   "defaults: {width: 64, height: 64, num_frames: 4, fps: 7, steps: 1}}\n")
    with pytest.raises(CatalogError, match="needs a `source`"):
        load_motion_catalog(bad)


def test_svd_motion_bucket_follows_intensity_and_camera() -> None:
    svd = CATALOG.get("svd-xt")
    still = CameraMotion(move="static")
    dolly = CameraMotion(move="dolly-in")
    low = controls_for(svd, still, 0.2, "", "")
    high = controls_for(svd, still, 0.9, "", "")
    moving = controls_for(svd, dolly, 0.9, "", "")
    assert 1 <= low.motion_bucket_id < high.motion_bucket_id < moving.motion_bucket_id <= 255
    assert low.noise_aug_strength < moving.noise_aug_strength
    assert moving.fps == 7 and not moving.camera_in_clip  # SVD leaves the camera to the compositor
    default = controls_for(svd, still, 0.0, "", "")
    assert default.motion_bucket_id == controls_for(svd, still, 0.5, "", "").motion_bucket_id
    assert move_magnitude(still) == 0.0 and move_magnitude(CameraMotion(pan=0.5)) == 1.0




@pytest.mark.parametrize(
    ("duration", "fps", "per_call", "cap", "segments", "frames"),
    [(1.0, 7, 25, 8, 1, 7), (3.57, 7, 25, 8, 1, 25), (10.0, 7, 25, 8, 3, 70), (2.0, 7, 4, 8, 5, 14),
     (60.0, 7, 14, 4, 4, 53)],
)
def test_plan_segments(duration: float, fps: float, per_call: int, cap: int, segments: int, frames: int) -> None:
    plan = plan_segments(duration, fps, per_call, cap)
    assert (plan.segments, plan.frames) == (segments, frames)
    assert plan.capped == (frames < plan.frames_wanted)


def test_segments_join_at_matched_frames() -> None:
    """Each call after the first is conditioned on the previous call's last frame, whose repeat is dropped."""
    seen: list[tuple[int, np.ndarray]] = []

    def render(call: SegmentCall) -> np.ndarray:
        first = np.asarray(call.image)
        seen.append((call.seed, first))
        steps = [np.clip(first.astype(int) + 10 * k, 0, 255).astype(np.uint8) for k in range(call.num_frames)]
        return np.stack(steps)

    start = Image.fromarray(np.full((8, 8, 3), 20, np.uint8))
    first = SegmentCall(start, 8, 8, 4, 1, 5, controls_for(CATALOG.get("svd"), CameraMotion(), 0.5, "", ""), 4)
    plan = plan_segments(2.0, 5, 4, 8)  # 10 frames: 4 + 3 + 3
    shot = render_shot(render, first, plan)
    assert shot.shape == (10, 8, 8, 3) and plan.segments == 3
    assert [s for s, _ in seen] == [5, 6, 7]
    assert np.array_equal(seen[1][1], shot[3]) and np.array_equal(seen[2][1], shot[6])
    assert all(int(shot[k + 1, 0, 0, 0]) - int(shot[k, 0, 0, 0]) == 10 for k in range(9))  # no repeated frame


def test_sizes_keep_the_keyframe_aspect() -> None:
    assert model_size(0, 0, 1280, 720, 1024, 576, 64) == (1024, 576)
    w, h = model_size(0, 0, 720, 1280, 1024, 576, 64)
    assert h > w and w % 64 == 0 and h % 64 == 0
    image = fit_image(Image.new("RGB", (300, 100)), 64, 64)
    assert image.size == (64, 64)
