"""Poster and contact sheet, taken from frames as they stream past (no second decode)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from services.compositor.timeline import Timeline
from services.compositor.yuv import i420_to_bgr

JPEG_QUALITY = 90
SHEET_BACKGROUND = (24, 24, 24)
MARGIN = 8
LABEL_HEIGHT = 22


def timecode(seconds: float) -> str:
    minutes, secs = divmod(seconds, 60)
    return f"{int(minutes):02d}:{secs:05.2f}"


@dataclass
class StillCollector:
    """Copies the poster frame and a thumbnail per sampled scene while frames are written.

    Poster: the middle frame of the scene that holds the film's midpoint (a scene at rest is more
    representative than the first frame, which is often a fade). Tiles: each scene's middle frame.
    """

    timeline: Timeline
    thumbnail_width: int
    max_tiles: int
    poster: np.ndarray | None = None
    tiles: dict[int, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        scenes = self.timeline.scenes
        middle = self.timeline.frame_count // 2
        poster_scene = next((s for s in scenes if s.start <= middle < s.end), scenes[-1])
        self.poster_frame = poster_scene.middle
        count, most = len(scenes), self.max_tiles
        if count <= most:
            picked: Sequence[int] = range(count)
        elif most == 1:
            picked = [0]
        else:  # sample evenly, first and last included
            picked = sorted({round(i * (count - 1) / (most - 1)) for i in range(most)})
        self.tile_frames = {scenes[i].middle: i for i in picked}

    def offer(self, index: int, frame: np.ndarray) -> None:
        """Called with each written I420 frame (0-based index); converts only the frames it needs."""
        scene = self.tile_frames.get(index)
        if index != self.poster_frame and scene is None:
            return
        frame = i420_to_bgr(frame)
        if index == self.poster_frame:
            self.poster = frame
        if scene is not None:
            h, w = frame.shape[:2]
            tw = min(self.thumbnail_width, w)
            th = max(1, round(h * tw / w))
            self.tiles[scene] = cv2.resize(frame, (tw, th), interpolation=cv2.INTER_AREA)

    def contact_sheet(self, columns: int) -> np.ndarray:
        scenes = sorted(self.tiles)
        return contact_sheet(
            [self.tiles[i] for i in scenes],
            [f"{i + 1}  {timecode(self.timeline.scenes[i].start / self.timeline.fps)}" for i in scenes],
            columns,
        )


def contact_sheet(tiles: Sequence[np.ndarray], labels: Sequence[str], columns: int) -> np.ndarray:
    """Tiles in a grid, each with its label underneath, on a dark background."""
    th, tw = tiles[0].shape[:2]
    cols = max(1, min(columns, len(tiles)))
    rows = math.ceil(len(tiles) / cols)
    cell_h = th + LABEL_HEIGHT
    sheet = np.empty((MARGIN + rows * (cell_h + MARGIN), MARGIN + cols * (tw + MARGIN), 3), np.uint8)
    sheet[...] = SHEET_BACKGROUND
    for n, (tile, label) in enumerate(zip(tiles, labels, strict=True)):
        r, c = divmod(n, cols)
        y, x = MARGIN + r * (cell_h + MARGIN), MARGIN + c * (tw + MARGIN)
        sheet[y : y + tile.shape[0], x : x + tile.shape[1]] = tile
        cv2.putText(
            sheet, label, (x + 2, y + th + LABEL_HEIGHT - 7), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
            (230, 230, 230), 1, cv2.LINE_AA,
        )
    return sheet


def encode_jpeg(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return data.tobytes()
