"""Grade, transitions and the frame stream, on tiny synthetic pictures."""

from __future__ import annotations

import threading
import time

import cv2
import numpy as np
import pytest

from services.common.errors import Cancelled
from services.compositor.grade import apply_grade
from services.compositor.motion import Move
from services.compositor.pipe import pump
from services.compositor.render import FrameRenderer, SceneLayer, fit_plate
from services.compositor.spec import GradeSpec, Transition
from services.compositor.timeline import Geometry, build_timeline
from services.compositor.yuv import i420_to_bgr
from tests.unit.compositor.test_motion import shift_between, textured_plate

W, H = 160, 96


def flat(value: tuple[int, int, int], w: int = W, h: int = H) -> np.ndarray:
    img = np.empty((h, w, 3), np.uint8)
    img[...] = value
    return img


def still_layers(*images: np.ndarray) -> list[SceneLayer]:
    return [SceneLayer(*fit_plate(img, W, H, Move())) for img in images]


def frames_of(kind: Transition, images: list[np.ndarray], seconds: float = 1.0, fps: int = 24,
              geometry: Geometry | None = None) -> list[np.ndarray]:
    timeline = build_timeline([seconds] * len(images), [kind] * len(images), [seconds] * len(images), fps)
    renderer = FrameRenderer(timeline, still_layers(*images), geometry or Geometry(W, H, 0, H))
    return [i420_to_bgr(f) for f in renderer.frames()]


def test_grade_matches_the_paper_on_flat_colour():
    out = apply_grade(flat((100, 100, 100)), GradeSpec())
    # brightness 1.1 then blue (BGR channel 0) 1.05 (PIL: 115.5 -> 115); sharpening keeps flat areas.
    assert out[H // 2, W // 2].tolist() == [115, 110, 110]
    assert np.array_equal(apply_grade(flat((100, 100, 100)), GradeSpec(enabled=False)), flat((100, 100, 100)))


def test_grade_sharpens_edges_and_saturates():
    img = flat((60, 60, 60))
    img[:, W // 2 :] = 200
    sharp = apply_grade(img, GradeSpec(brightness=1.0, blue=1.0))
    soft = apply_grade(img, GradeSpec(brightness=1.0, blue=1.0, sharpen=False))
    edge = W // 2
    assert sharp[10, edge - 1, 1] < soft[10, edge - 1, 1] and sharp[10, edge, 1] > soft[10, edge, 1]
    assert apply_grade(flat((250, 250, 250)), GradeSpec())[0, 0].tolist() == [255, 255, 255]


def test_crossfade_is_linear_and_centred_on_the_cut():
    black, white = flat((0, 0, 0)), flat((240, 240, 240))
    frames = frames_of(Transition.CROSSFADE, [black, white])
    assert len(frames) == 48
    levels = [int(f[0, 0, 0]) for f in frames]
    # 24-frame fade centred on frame 24: frames 12..35, alpha = (j + 0.5) / 24.
    assert levels[:12] == [0] * 12 and levels[36:] == [240] * 12
    expected = [round(240 * (j + 0.5) / 24) for j in range(24)]
    assert levels[12:36] == pytest.approx(expected, abs=1)


def test_dip_to_black_reaches_black_at_the_cut():
    a, b = flat((200, 100, 50)), flat((50, 100, 200))
    frames = frames_of(Transition.DIP_TO_BLACK, [a, b])
    means = [float(f.mean()) for f in frames]
    assert min(means) == means[23] or min(means) == means[24]
    assert min(means) < 10
    # Through I420 and back: within a code value or two of the pictures.
    assert np.abs(frames[11].astype(int) - a).max() <= 2 and np.abs(frames[36].astype(int) - b).max() <= 2


def test_cut_switches_on_the_boundary_frame():
    a, b = flat((10, 10, 10)), flat((90, 90, 90))
    frames = frames_of(Transition.CUT, [a, b])
    assert [int(f[0, 0, 0]) for f in frames] == [10] * 24 + [90] * 24


def test_still_scenes_reuse_one_buffer():
    timeline = build_timeline([1, 1], [Transition.CUT] * 2, [0] * 2, 24)
    renderer = FrameRenderer(timeline, still_layers(flat((1, 2, 3)), flat((4, 5, 6))), Geometry(W, H, 0, H))
    ids = {id(f) for f in renderer.frames()}
    assert len(ids) == 2


def test_flow_morph_moves_content_halfway_where_a_crossfade_ghosts():
    """B is A shifted right by 12 px: the morph's middle frame is A shifted by ~6 px."""
    a = textured_plate(W, H, seed=3)
    b = np.roll(a, 12, axis=1)
    timeline = build_timeline([1, 1], [Transition.FLOW_MORPH] * 2, [1, 1], 24)
    renderer = FrameRenderer(timeline, still_layers(a, b), Geometry(W, H, 0, H), flow_max_side=160)
    frames = [i420_to_bgr(f) for f in renderer.frames()]
    mid = frames[24]  # alpha = 12.5 / 24
    dx, _ = shift_between(a[:, 24:-24], mid[:, 24:-24])
    assert dx == pytest.approx(12 * 12.5 / 24, abs=1.0)
    truth = np.roll(a, 6, axis=1)[:, 24:-24].astype(np.float64)
    crossfade = frames_of(Transition.CROSSFADE, [a, b])[24][:, 24:-24].astype(np.float64)
    assert np.abs(mid[:, 24:-24] - truth).mean() < 0.5 * np.abs(crossfade - truth).mean()


def test_letterbox_bars_stay_black_under_motion_and_blends():
    geometry = Geometry(W, H, 12, 72)
    img = flat((200, 200, 200), 320, 200)
    layers = [SceneLayer(*fit_plate(img, W, 72, Move(zoom=1.2))), SceneLayer(*fit_plate(img, W, 72, Move()))]
    timeline = build_timeline([1, 1], [Transition.CROSSFADE] * 2, [1, 1], 24, [Move(zoom=1.2), Move()])
    for i420 in FrameRenderer(timeline, layers, geometry).frames():
        frame = i420_to_bgr(i420)
        assert not frame[:12].any() and not frame[84:].any()
        assert frame[12:84].min() > 150


def test_pump_keeps_order_and_ring_buffers_safe_under_a_slow_writer():
    timeline = build_timeline([0.5] * 4, [Transition.CROSSFADE] * 4, [0.5] * 4, 24)
    images = [flat((v, v, v)) for v in (0, 80, 160, 240)]
    expected = [f[0, 0, 0] for f in frames_of(Transition.CROSSFADE, images, seconds=0.5)]
    renderer = FrameRenderer(timeline, still_layers(*images), Geometry(W, H, 0, H), ring=4)
    seen: list[int] = []

    def slow_write(frame: np.ndarray) -> None:
        time.sleep(0.001)
        seen.append(int(i420_to_bgr(frame)[0, 0, 0]))

    assert pump(renderer.frames(), slow_write, depth=2) == timeline.frame_count
    assert seen == [int(v) for v in expected]


def test_pump_reraises_renderer_errors_and_honours_cancel():
    def broken():
        yield np.zeros(3)
        raise ValueError("keyframe 2 unreadable")

    with pytest.raises(ValueError, match="unreadable"):
        pump(broken(), lambda f: None)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        pump(iter([np.zeros(3)] * 10), lambda f: None, cancel=cancel)


def test_large_keyframes_are_shrunk_once_to_the_shown_size():
    big = cv2.resize(textured_plate(320, 180), (3200, 1800))
    plate, path = fit_plate(big, W, H, Move(zoom=1.25))
    # Height-bound cover (96 / 1800 > 160 / 3200), pushed in 25 % at the end of the move.
    assert plate.shape[0] == pytest.approx(H * 1.25, abs=1)
    assert path.max_scale == pytest.approx(1.0, abs=0.01)
