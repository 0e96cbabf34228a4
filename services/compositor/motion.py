"""Camera motion within a scene (Ken Burns), as exact float affine maps.

The camera looks at a window of the keyframe ("plate"). At progress u in [0, 1] across the frames
where the scene is visible, the window has scale S(u) = cover * z0 * zoom**u (plate pixels to
picture pixels; geometric, so the zoom speed feels constant) and its centre travels linearly by
`pan` frame widths and `tilt` frame heights over the scene, centred on the plate centre:

    plate_xy = centre(u) + (picture_xy - picture_centre) / S(u)

`z0` is the smallest start scale that keeps the window inside the plate for the whole move, so no
border ever shows. The path is computed in floating point and applied with warpAffine, so motion is
sub-pixel smooth (no integer-pixel steps as with ffmpeg's zoompan).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from services.common import camera
from services.compositor.spec import CameraMotion

MIN_ZOOM, MAX_ZOOM = 0.25, 4.0


@dataclass(frozen=True)
class Move:
    """Effective pan/tilt/zoom of one scene, intensity already applied."""

    pan: float = 0.0
    tilt: float = 0.0
    zoom: float = 1.0

    @property
    def is_static(self) -> bool:
        return self.pan == 0.0 and self.tilt == 0.0 and self.zoom == 1.0


STATIC = Move()


def resolve_move(motion: CameraMotion, intensity: float) -> tuple[Move, bool]:
    """(effective move, whether the named move was known). Explicit ratios win over the name.

    `intensity` (0 = 1.0) scales pan and tilt linearly and the zoom in log space (zoom**intensity).
    Values are assumed validated (see timeline.plan_composition).
    """
    known = True
    if motion.pan or motion.tilt or (motion.zoom and motion.zoom != 1.0):
        pan, tilt, zoom = motion.pan, motion.tilt, motion.zoom or 1.0
    elif motion.move.strip():
        preset = camera.lookup(motion.move)  # the storyboard's table: a planned move renders as planned
        known = preset is not None
        pan, tilt, zoom = (preset or camera.MOVES["static"]).ratios
    else:
        pan, tilt, zoom = camera.MOVES["static"].ratios
    k = intensity or 1.0
    return Move(pan * k, tilt * k, zoom**k), known


@dataclass(frozen=True)
class CameraPath:
    """Maps picture pixels to plate pixels for a scene's move; see the module docstring."""

    plate_w: int
    plate_h: int
    out_w: int
    out_h: int
    move: Move
    cover: float  # plate -> picture scale that just covers the picture
    z0: float  # start scale on top of `cover`

    @classmethod
    def fit(cls, plate_w: int, plate_h: int, out_w: int, out_h: int, move: Move) -> CameraPath:
        cover = max(out_w / plate_w, out_h / plate_h)
        # Window half-size plus centre offset must stay inside the plate. Both terms are convex in u,
        # so checking the two ends of the move is exact.
        zoom = move.zoom
        need_x = max(1 + abs(move.pan), 1 / zoom + abs(move.pan))
        need_y = max(1 + abs(move.tilt), 1 / zoom + abs(move.tilt))
        z0 = max(out_w / (plate_w * cover) * need_x, out_h / (plate_h * cover) * need_y)
        return cls(plate_w, plate_h, out_w, out_h, move, cover, z0)

    def scale(self, u: float) -> float:
        """Plate pixels -> picture pixels at progress u."""
        return self.cover * self.z0 * self.move.zoom**u

    @property
    def max_scale(self) -> float:
        return max(self.scale(0.0), self.scale(1.0))

    def centre(self, u: float) -> tuple[float, float]:
        """Window centre in plate pixels (pixel centres at integers)."""
        base = self.cover * self.z0
        cx = (self.plate_w - 1) / 2 + (u - 0.5) * self.move.pan * self.out_w / base
        cy = (self.plate_h - 1) / 2 - (u - 0.5) * self.move.tilt * self.out_h / base
        return cx, cy

    def inverse_affine(self, u: float) -> np.ndarray:
        """2x3 matrix taking picture (x, y) to plate (x, y): use with cv2.WARP_INVERSE_MAP."""
        s = self.scale(u)
        cx, cy = self.centre(u)
        px, py = (self.out_w - 1) / 2, (self.out_h - 1) / 2
        return np.array([[1 / s, 0.0, cx - px / s], [0.0, 1 / s, cy - py / s]], dtype=np.float64)

    @property
    def is_static(self) -> bool:
        return self.move.is_static

    def is_identity(self) -> bool:
        """A static window that maps picture pixels 1:1 onto whole plate pixels (no resampling)."""
        if not self.is_static or not math.isclose(self.scale(0.0), 1.0, abs_tol=1e-9):
            return False
        m = self.inverse_affine(0.0)
        return all(abs(v - round(v)) < 1e-9 for v in (m[0, 2], m[1, 2]))
