"""Where a film splits for segment-parallel compose (pure functions, no I/O).

Every segment is its own encode and so starts with an IDR frame (a closed GOP): a boundary may
fall on any frame, and the join is a plain stream copy. A boundary on a cut costs nothing (the
picture changes there anyway, so the encoder spends an intra frame regardless); anywhere else it
costs one intra frame. So boundaries go where equal shares of the film would put them, moved to
the nearest cut when one lies within a quarter of a share.
"""

from __future__ import annotations

import itertools

from services.common.errors import InvalidArgument
from services.compositor.timeline import Timeline

MAX_SEGMENTS = 256


def cut_frames(timeline: Timeline) -> list[int]:
    """Frames where one scene ends and the next begins with no transition in between."""
    return [timeline.scenes[i].end for i, span in enumerate(timeline.transitions) if span is None]


def plan_segments(timeline: Timeline, max_segments: int, min_frames: int) -> list[tuple[int, int]]:
    """Consecutive (start, end) ranges tiling [0, frame_count): at most `max_segments`, none
    shorter than `min_frames` (unless the film itself is)."""
    if not 1 <= max_segments <= MAX_SEGMENTS:
        raise InvalidArgument.field("max_segments", f"{max_segments} is outside 1..{MAX_SEGMENTS}")
    if min_frames < 1:
        raise InvalidArgument.field("min_segment_frames", f"{min_frames} must be at least 1")
    total = timeline.frame_count
    count = max(1, min(max_segments, total // min_frames))
    share = total / count
    cuts = cut_frames(timeline)
    bounds = [0]
    for k in range(1, count):
        ideal = round(k * share)
        near = [c for c in cuts if abs(c - ideal) <= share / 4]
        chosen = min(near, key=lambda c: (abs(c - ideal), c)) if near else ideal
        if chosen - bounds[-1] >= min_frames and total - chosen >= min_frames:
            bounds.append(chosen)
    bounds.append(total)
    return list(itertools.pairwise(bounds))


def check_range(timeline: Timeline, start: int, end: int) -> None:
    if not 0 <= start < end <= timeline.frame_count:
        raise InvalidArgument.field(
            "frames", f"[{start}, {end}) is not a non-empty range within the film's {timeline.frame_count} frames"
        )


def check_tiling(timeline: Timeline, ranges: list[tuple[int, int]]) -> None:
    """The join's segments must cover the film exactly once, in order."""
    expected = 0
    for i, (start, end) in enumerate(ranges):
        if start != expected or end <= start:
            raise InvalidArgument.field(
                f"segments[{i}].frames", f"[{start}, {end}) does not continue at frame {expected}"
            )
        expected = end
    if expected != timeline.frame_count:
        raise InvalidArgument.field(
            "segments", f"the segments end at frame {expected}, the film has {timeline.frame_count} frames"
        )
