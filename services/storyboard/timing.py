"""The film's timeline: scene durations that sum exactly to the total, and music-driven cuts.

Durations are allotted in whole milliseconds (largest remainder), the last scene takes whatever is
left of the float total, and that last value is nudged by an ulp or two so that the plain
left-to-right sum of the durations equals the total bit for bit.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from prometheus_client import Counter

from services.storyboard.domain import MusicAnalysis

log = logging.getLogger(__name__)

NO_BEAT_TRACKS = Counter(
    "cinesynth_storyboard_music_no_beat_total",
    "Music-video storyboards whose track had no detectable beat (cut at even times instead).",
)


def split_duration(total_s: float, weights: Sequence[float]) -> list[float]:
    """Durations proportional to `weights`, each at least 1 ms, summing exactly to `total_s`."""
    count = len(weights)
    if count == 0:
        return []
    total_ms = round(total_s * 1000)
    if total_ms < count:
        raise ValueError(f"{total_s} s cannot hold {count} scenes of at least 1 ms")
    weight_sum = sum(max(w, 1e-9) for w in weights)
    spare = total_ms - count  # every scene gets 1 ms first
    ideal = [spare * max(w, 1e-9) / weight_sum for w in weights]
    allotted = [math.floor(x) for x in ideal]
    by_remainder = sorted(range(count), key=lambda i: (-(ideal[i] - allotted[i]), i))
    for i in by_remainder[: spare - sum(allotted)]:
        allotted[i] += 1
    return exact_durations([(a + 1) / 1000 for a in allotted[:-1]], total_s)


def durations_from_boundaries(boundaries_s: Sequence[float], total_s: float) -> list[float]:
    """Scene durations from interior cut times (sorted, strictly inside (0, total))."""
    edges = [0.0, *boundaries_s]
    return exact_durations([round(b - a, 3) for a, b in itertools.pairwise(edges)], total_s)


def exact_durations(first: list[float], total_s: float) -> list[float]:
    """`first` plus a last duration chosen so that `sum(result) == total_s` exactly.

    When no last value can make the left-to-right sum land on the total (a rounding tie), an
    earlier duration is moved by one ulp (about 1e-13 s) and the search repeats.
    """
    first = list(first)
    last = total_s
    for attempt in range(16):
        partial = 0.0
        for value in first:
            partial += value
        last = total_s - partial  # exact when partial >= total / 2 (Sterbenz), so partial + last == total
        for _ in range(64):
            candidate = partial + last
            if candidate == total_s:
                return [*first, last]
            last = math.nextafter(last, math.inf if candidate < total_s else -math.inf)
        if not first:
            break
        i = len(first) - 1 - attempt % len(first)
        first[i] = math.nextafter(first[i], math.inf)
    return [*first, last]


def start_times(durations: Sequence[float]) -> list[float]:
    starts: list[float] = []
    clock = 0.0
    for duration in durations:
        starts.append(clock)
        clock += duration
    return starts


@dataclass(frozen=True)
class MusicCuts:
    boundaries_s: list[float]  # interior cut times
    section_of_scene: list[int]  # which music section each scene plays in
    scene_count_raised: bool
    grid: str = "downbeat"  # what the cuts sit on: "downbeat", "beat" (faster cutting) or "time" (no beat)


# Fewer beats than this in the whole track and the track is taken to have no beat to cut on.
MIN_BEATS_FOR_GRID = 4
# A section change moves to a downbeat at most this many (local) beats away; a hair over one so that a
# change found exactly one beat off, with millisecond rounding, still moves.
SECTION_SNAP_BEATS = 1.05


def music_cuts(analysis: MusicAnalysis, scene_count: int | None, max_scenes: int) -> MusicCuts:
    """Cuts on downbeats with one at every section change (moved onto the nearest downbeat when one
    is within a beat: see `_sections_on_downbeats`).

    `scene_count` None picks about one scene per 8 s. When fewer scenes are asked for than there
    are sections, the count is raised so that every section change is still a cut. When more
    scenes are asked for than a span has downbeats (faster cutting), that span cuts on beats; a
    track with no beat at all gets evenly spaced, time-based cuts (`grid == "time"`).
    """
    duration = analysis.duration_s
    sections = sorted({round(t, 3) for t in analysis.section_boundaries_s if 0.0 < t < duration})
    required = len(sections) + 1
    wanted = scene_count if scene_count else max(required, round(duration / 8.0))
    count = max(1, min(max_scenes, max(wanted, required)))
    raised = bool(scene_count) and count > scene_count
    if required > count:  # more sections than the scene cap: keep the strongest (earliest) ones
        sections = sections[: count - 1]
        required = count
    beats = sorted({round(t, 3) for t in analysis.beat_times_s if 0.0 < t < duration})
    downbeats = sorted({round(t, 3) for t in analysis.downbeat_times_s if 0.0 < t < duration}) or beats
    has_grid = len(beats) + len(downbeats) >= MIN_BEATS_FOR_GRID
    if has_grid:
        sections = _sections_on_downbeats(sections, beats, downbeats)
    edges = [0.0, *sections, duration]
    spans = [(edges[i], edges[i + 1]) for i in range(len(edges) - 1)]
    extra = _allot([b - a for a, b in spans], count - len(spans))
    min_gap = min(0.5, duration / (4 * count))
    boundaries: list[float] = []
    section_of_scene: list[int] = []
    used = "downbeat" if has_grid else "time"
    for index, ((start, end), cuts) in enumerate(zip(spans, extra, strict=True)):
        grid = downbeats if has_grid else []
        if has_grid and cuts > len(_inside(downbeats, start, end, min_gap)):
            grid, used = beats, "beat"
        inner = _cuts_in_span(start, end, cuts, grid, min_gap=min_gap)
        section_of_scene += [index] * (len(inner) + 1)
        boundaries += inner
        if index < len(spans) - 1:
            boundaries.append(end)
    return MusicCuts(boundaries, section_of_scene, raised, used)


def no_beat_notice(analysis: MusicAnalysis, cuts: MusicCuts) -> tuple[str, str] | None:
    """(code, message) for the job's warnings when a track had no beat to cut on, else None."""
    if cuts.grid != "time":
        return None
    NO_BEAT_TRACKS.inc()
    log.warning("music track has no detectable beat: time-based cuts", extra={"duration_s": analysis.duration_s})
    return (
        "storyboard_music_no_beat",
        f"no beat was detected in the {analysis.duration_s:.1f} s track (silence, or no steady pulse): "
        "scenes are cut at even times instead of on the music",
    )


def _sections_on_downbeats(sections: list[float], beats: list[float], downbeats: list[float]) -> list[float]:
    """Each section change moved to the nearest downbeat when one is within a beat of it.

    Sections are found on beats, and a new section almost always starts on a bar: a change found a
    beat early or late would otherwise be a cut off the bar grid. A change with no downbeat that
    close (a bar of another length, a pick-up) stays where it was found.
    """
    moved: list[float] = []
    for change in sections:
        i = bisect.bisect_left(beats, change)
        near = beats[max(0, i - 2): i + 2]
        beat = (near[-1] - near[0]) / (len(near) - 1) if len(near) > 1 else 0.0
        j = bisect.bisect_left(downbeats, change)
        nearest = min(downbeats[max(0, j - 1): j + 1], key=lambda d: abs(d - change), default=change)
        moved.append(nearest if abs(nearest - change) <= beat * SECTION_SNAP_BEATS else change)
    return sorted(set(moved))


def _inside(grid: list[float], start: float, end: float, min_gap: float) -> list[float]:
    lo = bisect.bisect_right(grid, start + min_gap)
    hi = bisect.bisect_left(grid, end - min_gap)
    return grid[lo:hi]


def _allot(lengths: list[float], extra: int) -> list[int]:
    """Extra cuts per span, proportional to span length (largest remainder)."""
    total = sum(lengths) or 1.0
    ideal = [extra * length / total for length in lengths]
    allotted = [math.floor(x) for x in ideal]
    for i in sorted(range(len(lengths)), key=lambda i: -(ideal[i] - allotted[i]))[: extra - sum(allotted)]:
        allotted[i] += 1
    return allotted


def _cuts_in_span(start: float, end: float, cuts: int, grid: list[float], min_gap: float) -> list[float]:
    """`cuts` times inside (start, end): the grid point nearest each even subdivision, else the subdivision."""
    chosen: list[float] = []
    candidates = _inside(grid, start, end, min_gap)
    for k in range(1, cuts + 1):
        target = start + (end - start) * k / (cuts + 1)
        floor = chosen[-1] if chosen else start
        usable = [t for t in candidates if t > floor + min_gap / 2]
        if usable and cuts - k < len(usable):
            # Leave enough grid points for the cuts still to place.
            pick = min(usable[: len(usable) - (cuts - k)], key=lambda t: abs(t - target))
        else:
            pick = round(max(target, floor + (end - floor) / (cuts - k + 2)), 3)
        chosen.append(pick)
    return chosen


def mean_energy(analysis: MusicAnalysis, start_s: float, end_s: float) -> float | None:
    """Mean of the energy curve over [start, end), or None when the analysis has no curve."""
    if not analysis.energy or analysis.energy_hop_s <= 0:
        return None
    hop = analysis.energy_hop_s
    first = max(0, min(len(analysis.energy) - 1, int(start_s / hop)))
    last = max(first + 1, min(len(analysis.energy), math.ceil(end_s / hop)))
    window = analysis.energy[first:last]
    return sum(window) / len(window)


_LRC_STAMP = re.compile(r"^\s*\[(\d+):(\d+(?:\.\d+)?)\]\s*(.*)$")


# Untimed lyrics are sung where the track is at least this loud (share of its loudest 0.5 s): quiet
# intros and outros are usually instrumental.
SUNG_ENERGY = 0.35


def sung_span(analysis: MusicAnalysis | None, total_s: float) -> tuple[float, float]:
    """(start, end) of the part of the track where untimed lyrics are spread: from the first to the
    last moment the energy reaches SUNG_ENERGY; the whole film when there is no energy curve."""
    if analysis is None or not analysis.energy or analysis.energy_hop_s <= 0:
        return 0.0, total_s
    loud = [i for i, e in enumerate(analysis.energy) if e >= SUNG_ENERGY]
    if not loud:
        return 0.0, total_s
    start, end = loud[0] * analysis.energy_hop_s, min(total_s, (loud[-1] + 1) * analysis.energy_hop_s)
    return (start, end) if end - start >= 0.25 * total_s else (0.0, total_s)


def distribute_lyrics(
    lyrics: str, starts: Sequence[float], durations: Sequence[float], analysis: MusicAnalysis | None = None
) -> list[str]:
    """Lyric lines per scene. LRC time stamps ([mm:ss.xx]) place lines exactly. Plain lines are
    spread evenly, in order, over the sung part of the track (`sung_span`: quiet intro and outro
    left instrumental), each going to the scene playing at its time."""
    lines = [line.strip() for line in lyrics.splitlines() if line.strip()]
    per_scene: list[list[str]] = [[] for _ in starts]
    if not lines or not starts:
        return ["" for _ in starts]
    timed = [_LRC_STAMP.match(line) for line in lines]
    if all(timed):
        for match in timed:
            assert match is not None
            at = int(match.group(1)) * 60 + float(match.group(2))
            index = max(0, bisect.bisect_right(list(starts), at) - 1)
            if match.group(3):
                per_scene[index].append(match.group(3))
    else:
        total = sum(durations) or 1.0
        first, last = sung_span(analysis, total)
        for i, line in enumerate(lines):
            at = first + (last - first) * (i + 0.5) / len(lines)
            index = max(0, min(len(starts) - 1, bisect.bisect_right(list(starts), at) - 1))
            per_scene[index].append(_LRC_STAMP.sub(r"\3", line))
    return [" / ".join(scene_lines) for scene_lines in per_scene]
