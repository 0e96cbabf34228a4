"""Frames from graded keyframes: camera moves, transitions, letterbox, one frame at a time.

Frames are I420 (BT.709 limited-range yuv420p, see yuv.py), what the encoder takes: each plate is
converted once per keyframe, and every per-frame operation (warp, blend, fade) runs on the planes.
Memory stays bounded whatever the duration: the renderer holds one plate per scene, a small ring
of output buffers and two scratch pictures. A still scene is rendered once and the same buffer is
handed out for each of its frames; crossfades are one `cv2.addWeighted` on the uint8 planes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from services.compositor.motion import CameraPath, Move
from services.compositor.spec import Transition
from services.compositor.timeline import Geometry, Timeline, TransitionSpan
from services.compositor.yuv import BLACK, Picture, bgr_to_i420, chroma_affine, planes_from_bgr

WARP_FLAGS = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP


def fit_plate(graded: np.ndarray, picture_w: int, picture_h: int, move: Move) -> tuple[np.ndarray, CameraPath]:
    """Downscale a graded keyframe once to the largest size its move shows, and fit the camera.

    Shrinking with INTER_AREA up front keeps per-frame bilinear warps from aliasing when a big
    keyframe is shown small; keyframes smaller than the picture are left alone (warps upscale).
    """
    h, w = graded.shape[:2]
    path = CameraPath.fit(w, h, picture_w, picture_h, move)
    shrink = path.max_scale
    if shrink < 0.999:
        size = (max(1, round(w * shrink)), max(1, round(h * shrink)))
        graded = cv2.resize(graded, size, interpolation=cv2.INTER_AREA)
        path = CameraPath.fit(size[0], size[1], picture_w, picture_h, move)
    return graded, path


class SceneLayer:
    """One scene's plate and camera; renders its picture at any progress u.

    Moving pictures are resampled from a BGRA copy of the plate: OpenCV's bilinear warp and remap
    are about three times faster on 4-channel than on 3-channel images, and dropping the alpha
    channel afterwards costs almost nothing. The camera never rotates, so the maps are separable.
    """

    def __init__(self, plate: np.ndarray, path: CameraPath) -> None:
        self.plate = plate
        self.path = path
        self.size = (path.out_w, path.out_h)
        self.still: np.ndarray | None = None
        self._plate4: np.ndarray | None = None
        self._scratch4: np.ndarray | None = None
        self._planes: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.still_i420: Picture | None = None
        if path.is_static:
            self.still = self._still()
            if self.size[0] % 2 == 0 and self.size[1] % 2 == 0:
                self.still_i420 = Picture.of(bgr_to_i420(self.still))

    def _still(self) -> np.ndarray:
        m = self.path.inverse_affine(0.0)
        if self.path.is_identity():
            x, y = round(m[0, 2]), round(m[1, 2])
            return np.ascontiguousarray(self.plate[y : y + self.path.out_h, x : x + self.path.out_w])
        return cv2.warpAffine(self.plate, m, self.size, flags=WARP_FLAGS, borderMode=cv2.BORDER_REPLICATE)

    def _bgra(self) -> tuple[np.ndarray, np.ndarray]:
        if self._plate4 is None:
            self._plate4 = cv2.cvtColor(self.plate, cv2.COLOR_BGR2BGRA)
            self._scratch4 = np.empty((self.path.out_h, self.path.out_w, 4), np.uint8)
        assert self._scratch4 is not None
        return self._plate4, self._scratch4

    def render(self, u: float, out: np.ndarray) -> np.ndarray:
        """The picture at progress u: the shared still for a static scene, else warped into `out`."""
        if self.still is not None:
            return self.still
        plate, scratch = self._bgra()
        cv2.warpAffine(
            plate, self.path.inverse_affine(u), self.size, dst=scratch, flags=WARP_FLAGS,
            borderMode=cv2.BORDER_REPLICATE,
        )
        return cv2.cvtColor(scratch, cv2.COLOR_BGRA2BGR, dst=out)

    # -- I420 ---------------------------------------------------------------------------------------
    def _plate_planes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._planes is None:
            self._planes = planes_from_bgr(self.plate)
        return self._planes

    def _chroma_affine(self, m: np.ndarray, out: Picture) -> np.ndarray:
        y, u, _ = self._plate_planes()
        return chroma_affine(
            m, (out.width, out.height), (out.u.shape[1], out.u.shape[0]), (y.shape[1], y.shape[0]),
            (u.shape[1], u.shape[0]),
        )

    def render_i420(self, u: float, out: Picture) -> Picture:
        """The picture at progress u as planes: the shared still for a static scene, else each
        plane warped from the plate's planes into `out` (one resampling, as in `render`)."""
        if self.still_i420 is not None:
            return self.still_i420
        y, pu, pv = self._plate_planes()
        m = self.path.inverse_affine(u)
        mc = self._chroma_affine(m, out)
        cv2.warpAffine(y, m, (out.width, out.height), dst=out.y, flags=WARP_FLAGS, borderMode=cv2.BORDER_REPLICATE)
        csize = (out.u.shape[1], out.u.shape[0])
        for plate, dst in ((pu, out.u), (pv, out.v)):
            cv2.warpAffine(plate, mc, csize, dst=dst, flags=WARP_FLAGS, borderMode=cv2.BORDER_REPLICATE)
        return out

    def render_displaced_i420(
        self, u: float, flow: PlanarFlow, weight: float, grid: PlanarGrid, out: Picture
    ) -> Picture:
        """`render_displaced` on the planes: the luma map as there; the chroma map is the same
        composition on the chroma grid, with the flow sampled there (in luma pixels)."""
        y, pu, pv = self._plate_planes()
        m = self.path.inverse_affine(u)
        sx, tx, sy, ty = float(m[0, 0]), float(m[0, 2]), float(m[1, 1]), float(m[1, 2])
        map_x = cv2.addWeighted(flow.luma.dx, -sx * weight, grid.luma.x, sx, tx)
        map_y = cv2.addWeighted(flow.luma.dy, -sy * weight, grid.luma.y, sy, ty)
        cv2.remap(y, map_x, map_y, cv2.INTER_LINEAR, dst=out.y, borderMode=cv2.BORDER_REPLICATE)
        mc = self._chroma_affine(m, out)
        # The flow is in picture luma pixels: one of them is 1 / (luma px per chroma px) chroma pixels.
        kx = float(mc[0, 0]) * out.u.shape[1] / out.width
        ky = float(mc[1, 1]) * out.u.shape[0] / out.height
        cmap_x = cv2.addWeighted(flow.chroma.dx, -kx * weight, grid.chroma.x, float(mc[0, 0]), float(mc[0, 2]))
        cmap_y = cv2.addWeighted(flow.chroma.dy, -ky * weight, grid.chroma.y, float(mc[1, 1]), float(mc[1, 2]))
        for plate, dst in ((pu, out.u), (pv, out.v)):
            cv2.remap(plate, cmap_x, cmap_y, cv2.INTER_LINEAR, dst=dst, borderMode=cv2.BORDER_REPLICATE)
        return out

    def render_displaced(
        self, u: float, flow: FlowField, weight: float, grid: PixelGrid, out: np.ndarray
    ) -> np.ndarray:
        """The picture sampled at y - weight * flow(y), composed with the camera so the plate is
        resampled once: plate = s * (y - weight * flow) + t on each axis."""
        m = self.path.inverse_affine(u)
        sx, tx, sy, ty = float(m[0, 0]), float(m[0, 2]), float(m[1, 1]), float(m[1, 2])
        map_x = cv2.addWeighted(flow.dx, -sx * weight, grid.x, sx, tx)
        map_y = cv2.addWeighted(flow.dy, -sy * weight, grid.y, sy, ty)
        plate, scratch = self._bgra()
        cv2.remap(plate, map_x, map_y, cv2.INTER_LINEAR, dst=scratch, borderMode=cv2.BORDER_REPLICATE)
        return cv2.cvtColor(scratch, cv2.COLOR_BGRA2BGR, dst=out)


@dataclass(frozen=True)
class FlowField:
    """Per-pixel displacement (float32, picture size), x and y as separate contiguous planes."""

    dx: np.ndarray
    dy: np.ndarray


@dataclass(frozen=True)
class PixelGrid:
    """Pixel coordinates of the picture (float32), built once per renderer when a morph needs it."""

    x: np.ndarray
    y: np.ndarray

    @classmethod
    def of(cls, width: int, height: int) -> PixelGrid:
        x = np.broadcast_to(np.arange(width, dtype=np.float32)[None, :], (height, width))
        y = np.broadcast_to(np.arange(height, dtype=np.float32)[:, None], (height, width))
        return cls(np.ascontiguousarray(x), np.ascontiguousarray(y))


@dataclass(frozen=True)
class PlanarGrid:
    """Pixel grids of the luma and the chroma planes of the picture."""

    luma: PixelGrid
    chroma: PixelGrid

    @classmethod
    def of(cls, width: int, height: int) -> PlanarGrid:
        return cls(PixelGrid.of(width, height), PixelGrid.of(width // 2, height // 2))


@dataclass(frozen=True)
class PlanarFlow:
    """A flow field at luma size and sampled at the chroma pixels (values in luma pixels)."""

    luma: FlowField
    chroma: FlowField

    @classmethod
    def of(cls, flow: FlowField) -> PlanarFlow:
        h, w = flow.dx.shape
        size = (w // 2, h // 2)
        chroma = FlowField(*(cv2.resize(f, size, interpolation=cv2.INTER_AREA) for f in (flow.dx, flow.dy)))
        return cls(flow, chroma)


@dataclass(frozen=True)
class FlowPair:
    """Flow fields of one morph, computed once per transition."""

    forward: FlowField  # outgoing -> incoming
    backward: FlowField  # incoming -> outgoing


def morph_flows(a_bgr: np.ndarray, b_bgr: np.ndarray, max_side: int) -> FlowPair:
    """Flow both ways between two pictures for a morph, computed once per transition.

    DIS optical flow runs on copies at most `max_side` pixels wide (speed; a morph needs the large
    motions, not pixel detail). Each vector is then weighted by forward-backward consistency: where
    following a -> b and back does not return home, the match is a guess (typical between unrelated
    scenes), so the displacement fades out and that region is simply crossfaded instead of torn.
    """
    h, w = a_bgr.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    size = (max(8, round(w * scale)), max(8, round(h * scale)))
    ga = cv2.cvtColor(cv2.resize(a_bgr, size, interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY)
    gb = cv2.cvtColor(cv2.resize(b_bgr, size, interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY)
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    forward, backward = dis.calc(ga, gb, None), dis.calc(gb, ga, None)
    tolerance = max(1.0, 0.01 * max(size))

    def trusted(f: np.ndarray, g: np.ndarray) -> FlowField:
        fh, fw = f.shape[:2]
        end_x = np.arange(fw, dtype=np.float32)[None, :] + f[..., 0]
        end_y = np.arange(fh, dtype=np.float32)[:, None] + f[..., 1]
        back = cv2.remap(g, end_x, end_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        error = np.hypot(f[..., 0] + back[..., 0], f[..., 1] + back[..., 1])
        weight = cv2.GaussianBlur(np.exp(-((error / tolerance) ** 2)), (0, 0), 2.0)
        fx = cv2.GaussianBlur(np.ascontiguousarray(f[..., 0]) * weight, (0, 0), 1.0)
        fy = cv2.GaussianBlur(np.ascontiguousarray(f[..., 1]) * weight, (0, 0), 1.0)
        dx = cv2.resize(fx, (w, h), interpolation=cv2.INTER_LINEAR) * np.float32(w / size[0])
        dy = cv2.resize(fy, (w, h), interpolation=cv2.INTER_LINEAR) * np.float32(h / size[1])
        return FlowField(dx, dy)

    return FlowPair(trusted(forward, backward), trusted(backward, forward))


class FrameRenderer:
    """Yields the film's frames in order as I420 uint8 buffers, shape (height * 3 / 2, width).

    A yielded array may be yielded again (a still scene: a frame yielded twice in a row is
    unchanged) and ring buffers are reused after `ring` frames, so a consumer must be done with a
    frame before it has taken `ring - 1` more (see `pipe.pump`, which keeps that invariant with a
    bounded queue). `yuv.i420_to_bgr` turns a frame back into BGR.
    """

    def __init__(
        self,
        timeline: Timeline,
        layers: Callable[[int], SceneLayer] | Sequence[SceneLayer],
        geometry: Geometry,
        *,
        flow_max_side: int = 320,
        ring: int = 6,
    ) -> None:
        self.timeline = timeline
        # Layers are built on first use and dropped once their scene is over, so a film of many
        # scenes holds two plates at a time, not all of them.
        self._make_layer = layers if callable(layers) else layers.__getitem__
        self._layers: dict[int, SceneLayer] = {}
        self.geometry = geometry
        self.flow_max_side = flow_max_side
        g = geometry
        self._ring = [Picture.blank(g.width, g.height).buffer for _ in range(ring)]
        self._next = 0
        self._scratch = [np.empty((g.picture_height, g.width, 3), np.uint8) for _ in range(2)]
        self._scratch_i420 = [Picture.blank(g.width, g.picture_height) for _ in range(2)]
        self._stills: dict[int, np.ndarray] = {}
        self._pixel_grid: PlanarGrid | None = None

    def layer(self, index: int) -> SceneLayer:
        layer = self._layers.get(index)
        if layer is None:
            self._layers = {i: kept for i, kept in self._layers.items() if i >= index - 1}
            layer = self._layers[index] = self._make_layer(index)
        return layer

    def _picture(self, frame: np.ndarray) -> Picture:
        g = self.geometry
        return Picture.of(frame).rows(g.picture_top, g.picture_height)

    def _buffer(self) -> np.ndarray:
        buf = self._ring[self._next]
        assert buf is not None
        self._next = (self._next + 1) % len(self._ring)
        return buf

    def _still_frame(self, index: int) -> np.ndarray:
        """A still scene's whole frame (bars included), built once."""
        frame = self._stills.get(index)
        if frame is None:
            g = self.geometry
            picture = Picture.blank(g.width, g.height)
            still = self.layer(index).still_i420
            assert still is not None and picture.buffer is not None
            picture.rows(g.picture_top, g.picture_height).copy_from(still)
            frame = picture.buffer
            self._stills = {index: frame}  # one at a time: scenes never come back
        return frame

    def frames(self, start: int = 0, end: int | None = None) -> Iterator[np.ndarray]:
        """Frames [start, end) of the film (all of them by default); frames outside are not rendered."""
        stop = self.timeline.frame_count if end is None else end
        for segment in self.timeline.segments():
            lo, hi = max(segment.start, start), min(segment.end, stop)
            if lo >= hi:
                continue
            if segment.transition is None:
                yield from self._hold(segment.scene, lo, hi)
            else:
                yield from self._transition(segment.transition, lo, hi)

    def _hold(self, index: int, start: int, end: int) -> Iterator[np.ndarray]:
        layer, span = self.layer(index), self.timeline.scenes[index]
        if layer.still_i420 is not None:
            frame = self._still_frame(index)
            for _ in range(start, end):
                yield frame
            return
        for k in range(start, end):
            out = self._buffer()
            layer.render_i420(span.progress(k), self._picture(out))
            yield out

    def _transition(self, t: TransitionSpan, start: int, end: int) -> Iterator[np.ndarray]:
        a_layer, b_layer = self.layer(t.index), self.layer(t.index + 1)
        a_span, b_span = self.timeline.scenes[t.index], self.timeline.scenes[t.index + 1]
        sa, sb = self._scratch_i420
        flows = self._flows(t) if t.kind is Transition.FLOW_MORPH else None
        for k in range(start, end):
            alpha = t.alpha(k)
            ua, ub = a_span.progress(k), b_span.progress(k)
            out = self._buffer()
            pic = self._picture(out)
            if flows is not None:
                # Outgoing pixels travel alpha of the way along their flow, incoming ones come from
                # (1 - alpha) back along theirs; the two warped pictures are then crossfaded.
                grid = self._grid()
                a = a_layer.render_displaced_i420(ua, flows[0], alpha, grid, sa)
                b = b_layer.render_displaced_i420(ub, flows[1], 1.0 - alpha, grid, sb)
                blend(a, b, alpha, pic)
            elif t.kind is Transition.DIP_TO_BLACK:
                # First half fades the outgoing scene out, second half fades the incoming one in.
                if alpha < 0.5:
                    fade(a_layer.render_i420(ua, sa), 1.0 - 2.0 * alpha, pic)
                else:
                    fade(b_layer.render_i420(ub, sb), 2.0 * alpha - 1.0, pic)
            else:  # crossfade
                blend(a_layer.render_i420(ua, sa), b_layer.render_i420(ub, sb), alpha, pic)
            yield out

    def _grid(self) -> PlanarGrid:
        if self._pixel_grid is None:
            self._pixel_grid = PlanarGrid.of(self.geometry.width, self.geometry.picture_height)
        return self._pixel_grid

    def _flows(self, t: TransitionSpan) -> tuple[PlanarFlow, PlanarFlow]:
        """Flow between the two scenes as the camera frames them at the transition's midpoint."""
        mid = t.start + t.length // 2
        a = self.layer(t.index).render(self.timeline.scenes[t.index].progress(mid), self._scratch[0]).copy()
        b = self.layer(t.index + 1).render(self.timeline.scenes[t.index + 1].progress(mid), self._scratch[1])
        pair = morph_flows(a, b, self.flow_max_side)
        return PlanarFlow.of(pair.forward), PlanarFlow.of(pair.backward)


def blend(a: Picture, b: Picture, alpha: float, out: Picture) -> None:
    """out = (1 - alpha) a + alpha b, plane by plane (one call when all three are contiguous)."""
    if a.buffer is not None and b.buffer is not None and out.buffer is not None:
        cv2.addWeighted(a.buffer, 1.0 - alpha, b.buffer, alpha, 0.0, dst=out.buffer)
        return
    for pa, pb, po in zip(a.planes, b.planes, out.planes, strict=True):
        cv2.addWeighted(pa, 1.0 - alpha, pb, alpha, 0.0, dst=po)


def fade(picture: Picture, gain: float, out: Picture) -> None:
    """Scale towards black: each plane moves towards its black level (Y 16, U and V 128)."""
    for src, dst, black in zip(picture.planes, out.planes, BLACK, strict=True):
        cv2.convertScaleAbs(src, dst=dst, alpha=gain, beta=black * (1.0 - gain))
