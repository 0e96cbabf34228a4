"""The paper's cinematic grade: brightness 1.1x, blue 1.05x, then PIL's SHARPEN kernel.

Applied once per keyframe, before any motion or blending: every frame of a scene is a resampling
or blend of graded keyframes, so grading frames again would only repeat the same arithmetic.
"""

from __future__ import annotations

import cv2
import numpy as np

from services.compositor.spec import GradeSpec

# PIL.ImageFilter.SHARPEN: (-2 x8, 32 centre) / 16.
SHARPEN_KERNEL = np.array([[-2, -2, -2], [-2, 32, -2], [-2, -2, -2]], dtype=np.float32) / 16.0
BLUE = 0  # OpenCV images are BGR


def apply_grade(image_bgr: np.ndarray, grade: GradeSpec) -> np.ndarray:
    """A graded uint8 BGR copy of `image_bgr` (the input is not modified)."""
    if not grade.enabled:
        return image_bgr.copy()
    x = image_bgr.astype(np.float32)
    x *= grade.brightness
    x[..., BLUE] *= grade.blue
    np.clip(x, 0, 255, out=x)  # PIL clips between steps: keep the same order of saturation
    if grade.sharpen:
        x = cv2.filter2D(x, -1, SHARPEN_KERNEL, borderType=cv2.BORDER_REPLICATE)
        np.clip(x, 0, 255, out=x)
    return np.rint(x).astype(np.uint8)
