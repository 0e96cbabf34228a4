"""The one table of named camera moves, shared by the storyboard (which plans them) and the
compositor (which renders them), so that a move means the same numbers on both sides.

Each move is (pan, tilt, zoom) at full strength over a scene: pan and tilt as fractions of the frame
width/height travelled by the window centre (positive: right / up), zoom as end scale over start
scale (> 1 moves in). The compositor scales a move by the scene's motion_intensity. Moves that a
single linear window cannot do exactly (an orbit, a handheld sway, a tracking shot) are rendered as
their closest window path: a sideways arc with a push, a slight drift with a push, a lateral glide.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CameraMove:
    pan: float
    tilt: float
    zoom: float

    @property
    def ratios(self) -> tuple[float, float, float]:
        return self.pan, self.tilt, self.zoom

    @property
    def is_static(self) -> bool:
        return self.pan == 0.0 and self.tilt == 0.0 and self.zoom == 1.0


# Crane and truck add a slight push so they read as moves, not scrolls.
MOVES: dict[str, CameraMove] = {
    "static": CameraMove(0.0, 0.0, 1.0),
    "dolly-in": CameraMove(0.0, 0.0, 1.18),
    "dolly-out": CameraMove(0.0, 0.0, 1 / 1.18),
    "push-in": CameraMove(0.0, 0.0, 1.32),
    "pull-out": CameraMove(0.0, 0.0, 1 / 1.32),
    "pan-left": CameraMove(-0.25, 0.0, 1.0),
    "pan-right": CameraMove(0.25, 0.0, 1.0),
    "tilt-up": CameraMove(0.0, 0.2, 1.0),
    "tilt-down": CameraMove(0.0, -0.2, 1.0),
    "crane-up": CameraMove(0.0, 0.3, 1.05),
    "crane-down": CameraMove(0.0, -0.3, 1.05),
    "truck-left": CameraMove(-0.3, 0.0, 1.05),
    "truck-right": CameraMove(0.3, 0.0, 1.05),
    "orbit": CameraMove(0.22, 0.05, 1.08),
    "handheld": CameraMove(0.05, 0.04, 1.06),
    "tracking": CameraMove(0.2, 0.0, 1.06),
    "ken-burns": CameraMove(0.08, 0.04, 1.12),
}
ALIASES: dict[str, str] = {"none": "static", "zoom-in": "push-in", "zoom-out": "pull-out"}


def normalise_move(name: str) -> str:
    """'Dolly In', 'dolly_in' and 'dolly-in' are one move."""
    return "-".join(name.strip().lower().replace("_", " ").replace("-", " ").split())


def lookup(name: str) -> CameraMove | None:
    key = normalise_move(name)
    return MOVES.get(ALIASES.get(key, key))
