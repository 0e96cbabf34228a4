"""Temporal smoothness of transitions: mean SSIM of consecutive frames across each transition.

Renders only the transitions (no encode) with the compositor's own renderer, camera still, so the
numbers compare the blends themselves: the paper's linear crossfade against the optical-flow morph.
Higher is smoother (1.0 = consecutive frames identical); `min` is the largest single jump. SSIM is
taken at full size (where the keyframes' film grain dominates: any motion decorrelates grain) and on
frames shrunk 4x (the visible structure).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from skimage.metrics import structural_similarity

from services.compositor.grade import apply_grade
from services.compositor.motion import Move
from services.compositor.render import FrameRenderer, SceneLayer, fit_plate
from services.compositor.spec import GradeSpec, Transition
from services.compositor.timeline import Geometry, build_timeline


@dataclass(frozen=True)
class Smoothness:
    kind: str
    mean_ssim: float
    min_ssim: float
    mean_ssim_quarter: float
    min_ssim_quarter: float
    pairs: int


def transition_smoothness(
    keyframes: Sequence[Path], kind: Transition, *, width: int, height: int, fps: int = 24,
    scene_s: float = 12.0, transition_s: float = 1.0,
) -> Smoothness:
    n = len(keyframes)
    timeline = build_timeline([scene_s] * n, [kind] * n, [transition_s] * n, fps, [Move()] * n)
    geometry = Geometry(width, height, 0, height)

    def layer(i: int) -> SceneLayer:
        graded = apply_grade(cv2.imread(str(keyframes[i]), cv2.IMREAD_COLOR), GradeSpec())
        return SceneLayer(*fit_plate(graded, width, height, Move()))

    # Frames from one before each transition to one after it: every step into, through and out of it.
    wanted = set()
    for t in timeline.transitions:
        if t is not None:
            wanted.update(range(max(0, t.start - 1), min(timeline.frame_count, t.end + 1)))
    full: list[float] = []
    quarter: list[float] = []
    previous: tuple[int, np.ndarray, np.ndarray] | None = None
    for k, frame in enumerate(FrameRenderer(timeline, layer, geometry).frames()):
        if k not in wanted:
            continue
        # The renderer yields I420 buffers: their first `height` rows are the luma plane (a grey picture;
        # limited range, so SSIM is taken on it as it is, the same for every transition compared).
        gray = np.ascontiguousarray(frame[:height])
        small = cv2.resize(gray, (width // 4, height // 4), interpolation=cv2.INTER_AREA)
        if previous is not None and previous[0] == k - 1:
            full.append(float(structural_similarity(previous[1], gray, data_range=255)))
            quarter.append(float(structural_similarity(previous[2], small, data_range=255)))
        previous = (k, gray, small)
    return Smoothness(
        str(kind), statistics.fmean(full), min(full), statistics.fmean(quarter), min(quarter), len(full)
    )
