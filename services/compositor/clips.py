"""Shot clips as scene layers: a clip is shown wherever a still would be.

A clip's frames are decoded once, each graded once (the same grade as a keyframe, once per source
frame, never per output frame) and fitted to the picture once, like a keyframe plate. The clip is
spread over the scene's visible span of V frames (its transitions included), first frame on first
frame and last on last: output frame k of the span (camera progress u = (k + 0.5) / V) shows source
position s = k * (n - 1) / (V - 1) of n source frames. A clip with exactly as many frames as the span
maps frame to frame; any other rate (SVD's 7 fps under a 24 fps film, or a clip capped short of its
shot) is resampled by blending the two neighbouring source frames with weight frac(s). s grows by the
same step on every output frame, so no source frame is ever held over two output frames: a
frame-centred mapping (s = u * n - 0.5, clamped) would hold the first and the last source frame for
about V / 2n output frames each, a visible freeze at both ends of a clip stretched three times or more.
The scene's camera move, when it has one, is applied over the clip exactly as over a still (for
models without camera input).
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from services.common.errors import InvalidArgument
from services.compositor.grade import apply_grade
from services.compositor.motion import Move
from services.compositor.render import WARP_FLAGS, FlowField, PixelGrid, PlanarFlow, PlanarGrid, fit_plate
from services.compositor.spec import GradeSpec
from services.compositor.yuv import Picture, planes_from_bgr


def decode_clip(path: Path, field: str) -> list[np.ndarray]:
    """Every frame of the clip file as BGR uint8 (INVALID_ARGUMENT naming `field` when none decode)."""
    capture = cv2.VideoCapture(str(path))
    frames: list[np.ndarray] = []
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            frames.append(frame)
    finally:
        capture.release()
    if not frames:
        raise InvalidArgument.field(field, "not a decodable video clip")
    return frames


class ClipLayer:
    """A scene whose picture moves by itself; the `SceneLayer` interface (render, render_displaced)."""

    still = None  # never a still: every output frame is rendered
    still_i420 = None

    def __init__(
        self, frames: list[np.ndarray], grade: GradeSpec, picture_w: int, picture_h: int, move: Move,
        span_frames: int,
    ) -> None:
        if not frames:
            raise ValueError("frames must hold at least one clip frame")
        if span_frames < 1:
            raise ValueError(f"span_frames must be >= 1 (the scene's visible frames), got {span_frames!r}")
        self.span_frames = span_frames
        self.plates: list[np.ndarray] = []
        path = None
        for frame in frames:
            plate, path = fit_plate(apply_grade(frame, grade), picture_w, picture_h, move)
            self.plates.append(plate)
        assert path is not None
        self.path = path
        self.size = (path.out_w, path.out_h)
        self._mix = np.empty_like(self.plates[0])
        self._bgr = np.empty((path.out_h, path.out_w, 3), np.uint8)

    @property
    def frame_count(self) -> int:
        return len(self.plates)

    def source_position(self, u: float) -> float:
        """Source frame position s at progress u (see the module docstring), within [0, n - 1]."""
        n, span = len(self.plates), self.span_frames
        if span == 1:
            return (n - 1) / 2
        k = u * span - 0.5  # the output frame's index within the span, as `SceneSpan.progress` numbers it
        return min(max(k * (n - 1) / (span - 1), 0.0), n - 1.0)

    def plate_at(self, u: float) -> np.ndarray:
        """The source picture at progress u: one source frame, or a blend of two neighbours."""
        s = self.source_position(u)
        nearest = round(s)
        if abs(s - nearest) < 1e-6:  # on a source frame (u carries float error): that frame, unblended
            return self.plates[nearest]
        i = math.floor(s)
        w = s - i
        cv2.addWeighted(self.plates[i], 1.0 - w, self.plates[i + 1], w, 0.0, dst=self._mix)
        return self._mix

    def render(self, u: float, out: np.ndarray) -> np.ndarray:
        plate = self.plate_at(u)
        if self.path.is_identity():
            m = self.path.inverse_affine(0.0)
            x, y = round(m[0, 2]), round(m[1, 2])
            out[...] = plate[y : y + self.path.out_h, x : x + self.path.out_w]
            return out
        cv2.warpAffine(
            plate, self.path.inverse_affine(u), self.size, dst=out, flags=WARP_FLAGS,
            borderMode=cv2.BORDER_REPLICATE,
        )
        return out

    def render_displaced(
        self, u: float, flow: FlowField, weight: float, grid: PixelGrid, out: np.ndarray
    ) -> np.ndarray:
        """As `SceneLayer.render_displaced`: camera and flow composed so the plate is resampled once."""
        m = self.path.inverse_affine(u)
        sx, tx, sy, ty = float(m[0, 0]), float(m[0, 2]), float(m[1, 1]), float(m[1, 2])
        map_x = cv2.addWeighted(flow.dx, -sx * weight, grid.x, sx, tx)
        map_y = cv2.addWeighted(flow.dy, -sy * weight, grid.y, sy, ty)
        cv2.remap(self.plate_at(u), map_x, map_y, cv2.INTER_LINEAR, dst=out, borderMode=cv2.BORDER_REPLICATE)
        return out

    # -- I420: a clip frame changes every output frame, so it is resampled in BGR (blend of two
    # source frames, camera, flow: one resampling) and converted once, into the output planes.
    def render_i420(self, u: float, out: Picture) -> Picture:
        return _into_planes(self.render(u, self._bgr), out)

    def render_displaced_i420(
        self, u: float, flow: PlanarFlow, weight: float, grid: PlanarGrid, out: Picture
    ) -> Picture:
        return _into_planes(self.render_displaced(u, flow.luma, weight, grid.luma, self._bgr), out)


def _into_planes(bgr: np.ndarray, out: Picture) -> Picture:
    out.copy_from(Picture(*planes_from_bgr(bgr)))
    return out
