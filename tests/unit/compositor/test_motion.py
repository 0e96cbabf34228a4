"""Camera motion checked geometrically on known patterns."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from services.common import camera
from services.compositor.motion import CameraPath, Move, resolve_move
from services.compositor.render import SceneLayer, fit_plate
from services.compositor.spec import CameraMotion
from services.storyboard import lexicon

W, H = 320, 180


def textured_plate(w: int, h: int, seed: int = 0) -> np.ndarray:
    """Smooth random texture: phase correlation locks onto it precisely."""
    rng = np.random.default_rng(seed)
    noise = rng.random((h // 8, w // 8)).astype(np.float32)
    tex = cv2.resize(noise, (w, h), interpolation=cv2.INTER_CUBIC)
    tex = cv2.GaussianBlur(tex, (0, 0), 2.0)
    tex = (tex - tex.min()) / (tex.max() - tex.min()) * 255
    return np.repeat(tex[..., None], 3, axis=2).astype(np.uint8)


def render(layer: SceneLayer, u: float) -> np.ndarray:
    return layer.render(u, np.empty((layer.path.out_h, layer.path.out_w, 3), np.uint8)).copy()


def shift_between(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(dx, dy) such that b(x) ~ a(x - d): how far the content moved from a to b."""
    ga = cv2.cvtColor(a, cv2.COLOR_BGR2GRAY).astype(np.float64)
    gb = cv2.cvtColor(b, cv2.COLOR_BGR2GRAY).astype(np.float64)
    window = cv2.createHanningWindow((ga.shape[1], ga.shape[0]), cv2.CV_64F)
    (dx, dy), _ = cv2.phaseCorrelate(ga, gb, window)
    return dx, dy


def test_pan_moves_content_by_the_expected_pixels():
    move = Move(pan=0.25)
    layer = SceneLayer(*fit_plate(textured_plate(640, 360), W, H, move))
    a, b = render(layer, 0.2), render(layer, 0.6)
    dx, dy = shift_between(a, b)
    # The camera travels 0.25 frame widths over the scene, so content slides left by
    # (0.6 - 0.2) * 0.25 * 320 = 32 px.
    assert dx == pytest.approx(-32.0, abs=0.25)
    assert dy == pytest.approx(0.0, abs=0.25)


def test_sub_pixel_pan_is_smooth_not_stepped():
    """Steps of a fraction of a pixel per frame: each frame moves by the same sub-pixel amount."""
    move = Move(pan=0.05)  # 16 px over the scene
    layer = SceneLayer(*fit_plate(textured_plate(640, 360), W, H, move))
    frames = 64
    shots = [render(layer, k / frames) for k in range(0, 9)]
    steps = [shift_between(shots[i], shots[i + 1])[0] for i in range(len(shots) - 1)]
    assert all(s == pytest.approx(-16 / frames, abs=0.06) for s in steps), steps


def test_positive_tilt_moves_the_camera_up():
    layer = SceneLayer(*fit_plate(textured_plate(640, 360), W, H, Move(tilt=0.2)))
    _, dy = shift_between(render(layer, 0.0), render(layer, 1.0))
    # Camera up -> content slides down by 0.2 * 180 = 36 px.
    assert dy == pytest.approx(36.0, abs=0.3)


def test_zoom_keeps_the_centre_and_scales_by_the_ratio():
    plate = np.zeros((360, 640, 3), np.uint8)
    for x in (259, 380):  # two dots symmetric about the plate centre x = 319.5
        cv2.rectangle(plate, (x - 3, 177), (x + 3, 182), (255, 255, 255), -1)
    move = Move(zoom=1.5)
    layer = SceneLayer(*fit_plate(plate, W, H, move))

    def dots(img: np.ndarray) -> list[float]:
        g = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float64)
        xs = np.arange(g.shape[1])
        left, right = g[:, : g.shape[1] // 2], g[:, g.shape[1] // 2 :]
        return [
            float((left.sum(0) * xs[: g.shape[1] // 2]).sum() / left.sum()),
            float((right.sum(0) * xs[g.shape[1] // 2 :]).sum() / right.sum()),
        ]

    start, end = dots(render(layer, 0.0)), dots(render(layer, 1.0))
    centre = (W - 1) / 2
    assert (start[0] + start[1]) / 2 == pytest.approx(centre, abs=0.2)
    assert (end[0] + end[1]) / 2 == pytest.approx(centre, abs=0.2)
    assert (end[1] - end[0]) / (start[1] - start[0]) == pytest.approx(1.5, rel=0.01)


@pytest.mark.parametrize(
    "move",
    [Move(pan=1.0), Move(tilt=-1.0), Move(zoom=0.25), Move(zoom=4.0), Move(pan=-0.7, tilt=0.5, zoom=0.6)],
)
@pytest.mark.parametrize("plate_size", [(640, 360), (300, 400), (1000, 200)])
def test_window_never_leaves_the_plate(move, plate_size):
    path = CameraPath.fit(*plate_size, W, H, move)
    for u in np.linspace(0, 1, 21):
        m = path.inverse_affine(u)
        for x, y in ((-0.5, -0.5), (W - 0.5, -0.5), (-0.5, H - 0.5), (W - 0.5, H - 0.5)):
            px, py = m[0, 0] * x + m[0, 2], m[1, 1] * y + m[1, 2]
            assert -0.5 - 1e-6 <= px <= plate_size[0] - 0.5 + 1e-6
            assert -0.5 - 1e-6 <= py <= plate_size[1] - 0.5 + 1e-6


def test_static_cover_of_a_same_size_plate_is_the_identity():
    plate = textured_plate(W, H)
    layer = SceneLayer(*fit_plate(plate, W, H, Move()))
    assert layer.path.is_identity()
    assert np.array_equal(layer.still, plate)


def test_named_moves_explicit_ratios_and_intensity():
    dolly, pan = camera.MOVES["dolly-in"], camera.MOVES["pan-left"]
    assert resolve_move(CameraMotion(move="Dolly In"), 0) == (Move(0, 0, dolly.zoom), True)
    assert resolve_move(CameraMotion(move="pan_left"), 0.5) == (Move(pan.pan * 0.5, 0, 1.0), True)
    assert resolve_move(CameraMotion(pan=0.1, move="dolly-in"), 0)[0] == Move(0.1, 0, 1.0)
    zoomed, _ = resolve_move(CameraMotion(zoom=1.21), 0.5)
    assert zoomed.zoom == pytest.approx(1.1)
    assert resolve_move(CameraMotion(move="barrel-roll"), 0) == (Move(), False)


@pytest.mark.parametrize("name", sorted(set(lexicon.CAMERA_MOVES) - {"static"}))
def test_every_move_the_storyboard_can_emit_renders_a_moving_camera(name):
    # The storyboard plans by name; the compositor must move the window for every such name.
    move, known = resolve_move(CameraMotion(move=name), 0.5)
    assert known and not move.is_static
    path = CameraPath.fit(W * 2, H * 2, W, H, move)
    start, end = path.inverse_affine(0.0), path.inverse_affine(1.0)
    assert not np.allclose(start, end, atol=1e-3)


def test_storyboard_and_compositor_read_one_table():
    assert lexicon.CAMERA_MOVES == {name: move.ratios for name, move in camera.MOVES.items()}
