"""BT.709 limited-range YUV 4:2:0 (I420): the picture format the compositor renders in and pipes.

Frames go to ffmpeg as `yuv420p`, already in the colour space the MP4 is tagged with, so the
encoder does no conversion and the pipe carries 1.5 bytes a pixel instead of 3. Keyframes are
converted once (plates); camera warps, crossfades and fades then run on the three planes, which
is exact for everything the renderer does: the RGB -> YCbCr matrix is affine, and warps and
blends with weights summing to one commute with it (chroma subsampling is a 2x2 mean).

OpenCV's own `COLOR_BGR2YUV_I420` uses the BT.601 matrix; tagging its output BT.709 would shift
colours (saturated reds by about 10 code values), so the BT.709 matrix is applied here, once per
keyframe. Layout: a (height * 3 / 2, width) uint8 array: the Y plane, then U, then V, each chroma
plane (height / 2, width / 2). Chroma samples sit at the centre of their 2x2 luma block.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

KR, KB = 0.2126, 0.0722
KG = 1.0 - KR - KB
BLACK = (16, 128, 128)  # Y, U, V of black in limited range

# BGR (0..255) -> Y'CbCr limited range: rows Y, Cb, Cr; columns B, G, R, offset.
BGR_TO_YUV = np.array(
    [
        [KB * 219 / 255, KG * 219 / 255, KR * 219 / 255, 16.0],
        [0.5 * 224 / 255, -KG / (2 * (1 - KB)) * 224 / 255, -KR / (2 * (1 - KB)) * 224 / 255, 128.0],
        [-KB / (2 * (1 - KR)) * 224 / 255, -KG / (2 * (1 - KR)) * 224 / 255, 0.5 * 224 / 255, 128.0],
    ],
    dtype=np.float64,
)
_FORWARD = BGR_TO_YUV[:, :3]
_INVERSE = np.linalg.inv(_FORWARD)
# Y'CbCr -> BGR: BGR = INVERSE @ (yuv - offset).
YUV_TO_BGR = np.hstack([_INVERSE, -(_INVERSE @ BGR_TO_YUV[:, 3])[:, None]])


@dataclass(frozen=True)
class Picture:
    """Three plane views (Y full size, U and V half size), possibly inside a larger frame buffer."""

    y: np.ndarray
    u: np.ndarray
    v: np.ndarray
    buffer: np.ndarray | None = None  # the one contiguous I420 buffer holding all three, if any

    @property
    def planes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.y, self.u, self.v

    @property
    def width(self) -> int:
        return int(self.y.shape[1])

    @property
    def height(self) -> int:
        return int(self.y.shape[0])

    @classmethod
    def of(cls, buffer: np.ndarray) -> Picture:
        """Views of an I420 buffer of shape (h * 3 / 2, w)."""
        h, w = frame_size(buffer)
        y = buffer[:h]
        chroma = buffer[h:].reshape(2, h // 2, w // 2)
        return cls(y, chroma[0], chroma[1], buffer)

    @classmethod
    def blank(cls, width: int, height: int) -> Picture:
        return cls.of(black_frame(width, height))

    def rows(self, top: int, height: int) -> Picture:
        """The picture area of a letterboxed frame: rows [top, top + height), both even."""
        if top % 2 or height % 2:
            raise ValueError(f"picture rows {top}+{height} must be even for 4:2:0 chroma")
        c0, c1 = top // 2, (top + height) // 2
        whole = self.buffer if top == 0 and height == self.height else None
        return Picture(self.y[top : top + height], self.u[c0:c1], self.v[c0:c1], whole)

    def copy_from(self, other: Picture) -> None:
        for dst, src in zip(self.planes, other.planes, strict=True):
            np.copyto(dst, src)


def frame_size(buffer: np.ndarray) -> tuple[int, int]:
    """(height, width) of the picture an I420 buffer holds."""
    rows, width = buffer.shape[:2]
    return rows * 2 // 3, width


def black_frame(width: int, height: int) -> np.ndarray:
    if width % 2 or height % 2:
        raise ValueError(f"{width}x{height}: I420 needs even sizes")
    buffer = np.empty((height * 3 // 2, width), np.uint8)
    buffer[:height] = BLACK[0]
    buffer[height:] = BLACK[1]
    return buffer


def bgr_to_yuv444(bgr: np.ndarray) -> np.ndarray:
    """Float32 Y'CbCr (limited range, not rounded) at full resolution."""
    return cv2.transform(bgr.astype(np.float32), BGR_TO_YUV.astype(np.float32))


def planes_from_bgr(bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Y at the image's size, U and V at half size (2x2 means, rounded up for odd sizes): any
    image, not only even ones (keyframe plates)."""
    yuv = bgr_to_yuv444(bgr)
    h, w = yuv.shape[:2]
    chroma = cv2.resize(yuv[..., 1:], ((w + 1) // 2, (h + 1) // 2), interpolation=cv2.INTER_AREA)
    y = np.clip(np.rint(yuv[..., 0]), 0, 255).astype(np.uint8)
    u, v = (np.clip(np.rint(chroma[..., k]), 0, 255).astype(np.uint8) for k in (0, 1))
    return y, u, v


def bgr_to_i420(bgr: np.ndarray) -> np.ndarray:
    """An even-sized BGR picture as one I420 buffer."""
    h, w = bgr.shape[:2]
    buffer = black_frame(w, h)
    Picture.of(buffer).copy_from(Picture(*planes_from_bgr(bgr)))
    return buffer


def i420_to_bgr(buffer: np.ndarray) -> np.ndarray:
    """BGR uint8 of an I420 buffer (poster, contact sheet, tests): chroma upsampled bilinearly."""
    picture = Picture.of(buffer)
    h, w = picture.height, picture.width
    u = cv2.resize(picture.u, (w, h), interpolation=cv2.INTER_LINEAR)
    v = cv2.resize(picture.v, (w, h), interpolation=cv2.INTER_LINEAR)
    yuv = np.dstack([picture.y, u, v]).astype(np.float32)
    return cv2.transform(yuv, YUV_TO_BGR.astype(np.float32)).clip(0, 255).round().astype(np.uint8)


def chroma_affine(m: np.ndarray, luma_size: tuple[int, int], chroma_size: tuple[int, int],
                  plate_luma: tuple[int, int], plate_chroma: tuple[int, int]) -> np.ndarray:
    """The inverse affine of a luma warp (picture -> plate pixels) for the chroma planes.

    A chroma pixel c of a plane s times smaller sits at luma position (c + 0.5) * s - 0.5; the
    scales come from the actual plane sizes, so odd-sized plates map exactly too.
    Sizes are (width, height).
    """
    out = np.empty((2, 3), np.float64)
    for axis in (0, 1):
        s_out = luma_size[axis] / chroma_size[axis]  # picture luma px per picture chroma px
        s_plate = plate_chroma[axis] / plate_luma[axis]  # plate chroma px per plate luma px
        a, t = m[axis, axis], m[axis, 2]
        # plate_c = ((a * ((c + 0.5) * s_out - 0.5) + t) + 0.5) * s_plate - 0.5
        out[axis, 1 - axis] = 0.0
        out[axis, axis] = a * s_out * s_plate
        out[axis, 2] = (a * (0.5 * s_out - 0.5) + t + 0.5) * s_plate - 0.5
    return out
