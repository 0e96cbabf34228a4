"""A clip spread over its scene's span: first on first, last on last, and it moves on every output frame."""

from __future__ import annotations

import numpy as np
import pytest

from services.compositor.clips import ClipLayer
from services.compositor.motion import STATIC
from services.compositor.spec import GradeSpec
from services.compositor.timeline import SceneSpan

W, H = 32, 16
STEP = 30  # grey levels between consecutive source frames (fewer when that would pass 255)


def _step(source_frames: int) -> int:
    return min(STEP, 240 // max(1, source_frames - 1))


def _layer(source_frames: int, span_frames: int) -> ClipLayer:
    """Flat grey source frames 10, 10 + step, ... shown 1:1 (static camera, picture = frame size)."""
    frames = [np.full((H, W, 3), 10 + _step(source_frames) * k, np.uint8) for k in range(source_frames)]
    return ClipLayer(frames, GradeSpec(enabled=False), W, H, STATIC, span_frames)


def _shot(layer: ClipLayer, span_frames: int) -> list[np.ndarray]:
    """Every output frame of the span, at the progress the timeline gives it."""
    span = SceneSpan(index=0, start=0, end=span_frames, visible_start=0, visible_end=span_frames, move=STATIC)
    out = np.empty((H, W, 3), np.uint8)
    return [layer.render(span.progress(k), out).copy() for k in range(span_frames)]


@pytest.mark.parametrize("source_frames", range(2, 9))
def test_a_stretched_or_squeezed_clip_moves_on_every_output_frame(source_frames: int) -> None:
    # Up to 5x slower than 1:1 (7 frames over a 30-frame shot is 4.3x) and down to half the frames.
    for span_frames in range(max(2, source_frames // 2), 5 * source_frames + 1):
        means = np.array([f.mean() for f in _shot(_layer(source_frames, span_frames), span_frames)])
        assert np.all(np.diff(means) > 0), (source_frames, span_frames, means)  # no source frame held twice
        # The same step on every frame, the whole clip from its first frame to its last (uint8 rounding aside).
        even = 10 + STEP * np.linspace(0, source_frames - 1, span_frames)
        assert np.abs(means - even).max() <= 0.5 + 1e-9, (source_frames, span_frames, means)
        assert means[0] == 10 and means[-1] == 10 + STEP * (source_frames - 1), (source_frames, span_frames)


@pytest.mark.parametrize("frames", [1, 2, 7, 30])
def test_a_clip_with_as_many_frames_as_its_span_maps_frame_to_frame(frames: int) -> None:
    layer = _layer(frames, frames)
    for k, shown in enumerate(_shot(layer, frames)):
        assert np.array_equal(shown, layer.plates[k]), k  # the source frame itself, unblended


def test_a_one_frame_span_shows_the_middle_of_the_clip() -> None:
    (shown,) = _shot(_layer(5, 1), 1)
    assert shown.mean() == 10 + STEP * 2


def test_span_frames_must_be_positive() -> None:
    with pytest.raises(ValueError, match="span_frames"):
        _layer(3, 0)
