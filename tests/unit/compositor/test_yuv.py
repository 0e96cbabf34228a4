"""The I420 frame format: BT.709 limited range, the same pixels ffmpeg's own conversion makes, and
plane-wise rendering that matches rendering in BGR and converting afterwards."""

from __future__ import annotations

import numpy as np
import pytest

from services.common import ffmpeg
from services.compositor.motion import Move
from services.compositor.render import FlowField, PixelGrid, PlanarFlow, PlanarGrid, SceneLayer, fit_plate
from services.compositor.yuv import Picture, bgr_to_i420, black_frame, chroma_affine, i420_to_bgr
from tests.unit.compositor.test_motion import textured_plate

W, H = 64, 48
# BGR -> (Y, Cb, Cr) of BT.709 limited range (ITU-R BT.709 table values, rounded).
REFERENCE = {
    (0, 0, 255): (63, 102, 240),  # red
    (0, 255, 0): (173, 42, 26),  # green
    (255, 0, 0): (32, 240, 118),  # blue
    (255, 255, 255): (235, 128, 128),
    (0, 0, 0): (16, 128, 128),
}


def patches() -> np.ndarray:
    """Flat colour blocks of 16x16 (whole 2x2 chroma blocks: no chroma straddles two colours)."""
    img = np.zeros((H, W, 3), np.uint8)
    colours = [*REFERENCE, (40, 90, 200), (200, 180, 20), (128, 128, 128), (10, 240, 120)]
    for n, colour in enumerate(colours):
        r, c = divmod(n, W // 16)
        img[r * 16 : (r + 1) * 16, c * 16 : (c + 1) * 16] = colour
    return img


def test_bt709_limited_range_values():
    for bgr, yuv in REFERENCE.items():
        picture = Picture.of(bgr_to_i420(np.full((4, 4, 3), bgr, np.uint8)))
        assert (int(picture.y[0, 0]), int(picture.u[0, 0]), int(picture.v[0, 0])) == yuv, bgr
    black = Picture.of(black_frame(4, 2))
    assert black.y.tolist() == [[16] * 4] * 2 and black.u.tolist() == [[128, 128]]


def block_interiors() -> np.ndarray:
    mask = np.zeros((H, W), bool)
    for r in range(0, H, 16):
        for c in range(0, W, 16):
            mask[r + 2 : r + 14, c + 2 : c + 14] = True
    return mask


def test_round_trip_is_within_two_code_values():
    img = patches()
    back = i420_to_bgr(bgr_to_i420(img))
    assert np.abs(back.astype(int) - img)[block_interiors()].max() <= 2


def test_planes_equal_ffmpegs_own_bt709_conversion(tmp_path):
    """What swscale made of bgr24 frames before (scale=out_color_matrix=bt709:out_range=tv)."""
    img = patches()
    src, dst = tmp_path / "in.bgr", tmp_path / "out.yuv"
    img.tofile(src)
    ffmpeg.run([
        ffmpeg.ffmpeg_path(), "-v", "error", "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{W}x{H}", "-i", str(src),
        "-vf", "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p", "-f", "rawvideo", str(dst),
    ])
    theirs = np.fromfile(dst, np.uint8).reshape(H * 3 // 2, W).astype(int)
    ours = bgr_to_i420(img).astype(int)
    # Flat blocks: equal within rounding (chroma filters differ only across block edges).
    mask = block_interiors()
    assert np.abs(ours[:H] - theirs[:H])[mask].max() <= 1
    chroma_mask = mask[::2, ::2]
    for plane in (slice(H, H + H // 4), slice(H + H // 4, None)):
        diff = np.abs(ours[plane] - theirs[plane]).reshape(H // 2, W // 2)
        assert diff[chroma_mask].max() <= 1


@pytest.mark.parametrize("move", [Move(pan=0.2, tilt=0.1), Move(zoom=1.3), Move(pan=-0.1, zoom=0.8)])
def test_warping_planes_matches_warping_bgr_then_converting(move):
    layer = SceneLayer(*fit_plate(textured_plate(200, 130, seed=5) // 2 + np.uint8(60), 96, 64, move))
    for u in (0.0, 0.37, 1.0):
        planar = Picture.blank(96, 64)
        layer.render_i420(u, planar)
        bgr = layer.render(u, np.empty((64, 96, 3), np.uint8))
        expected = bgr_to_i420(bgr).astype(int)
        assert planar.buffer is not None
        diff = np.abs(planar.buffer.astype(int) - expected)
        assert diff.mean() < 0.6 and diff.max() <= 4, (u, diff.mean(), diff.max())


def test_displaced_planes_match_displaced_bgr():
    layer = SceneLayer(*fit_plate(textured_plate(160, 96, seed=2), 96, 64, Move(pan=0.1)))
    rng = np.random.default_rng(0)
    field = FlowField(*(np.ascontiguousarray(rng.normal(0, 3, (64, 96)).astype(np.float32)) for _ in range(2)))
    smooth = FlowField(*(np.full((64, 96), v, np.float32) for v in (4.0, -2.0)))
    for flow in (smooth, field):
        planar = layer.render_displaced_i420(0.5, PlanarFlow.of(flow), 0.6, PlanarGrid.of(96, 64),
                                             Picture.blank(96, 64))
        bgr = layer.render_displaced(0.5, flow, 0.6, PixelGrid.of(96, 64), np.empty((64, 96, 3), np.uint8))
        assert planar.buffer is not None
        diff = np.abs(planar.buffer.astype(int) - bgr_to_i420(bgr).astype(int))[4:-4]
        assert diff.mean() < (0.6 if flow is smooth else 2.5), diff.mean()


def test_chroma_affine_maps_block_centres():
    # Identity on an even plate of the same size is the identity on chroma too.
    ident = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    assert np.allclose(chroma_affine(ident, (96, 64), (48, 32), (96, 64), (48, 32)), ident)
    # A 2x zoom about the origin: chroma pixel c covers luma (2c + 0.5) -> plate luma c + 0.25.
    zoom = np.array([[0.5, 0, 0], [0, 0.5, 0]])
    mc = chroma_affine(zoom, (96, 64), (48, 32), (96, 64), (48, 32))
    luma_of_chroma_0 = 0.5 * 0.5  # picture luma 0.5 -> plate luma 0.25
    assert mc[0, 2] == pytest.approx((luma_of_chroma_0 + 0.5) / 2 - 0.5)
    assert mc[0, 0] == pytest.approx(0.5)
