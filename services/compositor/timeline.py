"""Validation and the frame-exact timeline of a compose job (pure functions, no I/O).

Timeline rules
--------------
* The film has exactly round(sum(durations) * fps) frames. Scene i owns frames
  [round(start_i * fps), round(end_i * fps)) where start/end are the exact cumulative times, so
  rounding never accumulates: scenes whose durations are not whole frames share the remainder and
  the total is exact.
* A transition between scenes i and i+1 of L frames is centred on their boundary B: it covers
  [B - L//2, B + L - L//2), eating the tail of scene i and the head of scene i+1 symmetrically, so
  transitions never change the total length. L = round(transition_s * fps), clamped to the frame
  counts of both scenes (so a scene's two half-transitions never overlap); a cut has L = 0.
* Frame j of a transition (0 <= j < L) blends with weight alpha = (j + 0.5) / L for the incoming
  scene: symmetric about the boundary, never a pure copy of either side.
* A scene is visible from the start of its incoming transition to the end of its outgoing one;
  its camera move runs across exactly that span (progress u = (k - first + 0.5) / visible frames),
  so motion never freezes during a transition.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from services.common.artifacts import validate_key
from services.common.errors import Collector, InvalidArgument
from services.compositor.motion import MAX_ZOOM, MIN_ZOOM, Move, resolve_move
from services.compositor.settings import X264_PRESETS, CompositorSettings
from services.compositor.spec import Aspect, ComposeRequest, GradeSpec, Notice, Transition

CINEMASCOPE_RATIO = 2.39
# Preset frame sizes when a request gives neither width nor height.
PRESET_SIZES: dict[Aspect, tuple[int, int]] = {
    Aspect.WIDESCREEN: (1280, 720),
    Aspect.CINEMASCOPE_LETTERBOX: (1280, 720),
    Aspect.CINEMASCOPE: (1280, 536),
    Aspect.VERTICAL: (720, 1280),
    Aspect.CINEMA: (3072, 1280),
}
FRAME_RATIOS: dict[Aspect, float] = {
    Aspect.WIDESCREEN: 16 / 9,
    Aspect.CINEMASCOPE_LETTERBOX: 16 / 9,
    Aspect.CINEMASCOPE: CINEMASCOPE_RATIO,
    Aspect.VERTICAL: 9 / 16,
    Aspect.CINEMA: 3072 / 1280,
}
MIN_DIMENSION = 16
ENCODER_CODECS = ("auto", "libx264", "h264_nvenc")
MAX_TRANSITION_S = 600.0


def _even(value: float) -> int:
    return max(2, 2 * round(value / 2))


def _frames(seconds: float, fps: int) -> int:
    """Round half up (not to even) with a guard against binary fractions such as 0.1 * 24."""
    return math.floor(seconds * fps + 0.5 + 1e-9)


@dataclass(frozen=True)
class Geometry:
    """Output frame and the picture area inside it (letterbox bars above and below)."""

    width: int
    height: int
    picture_top: int
    picture_height: int

    @property
    def letterboxed(self) -> bool:
        return self.picture_height != self.height


def resolve_geometry(width: int, height: int, aspect: Aspect) -> Geometry:
    """Frame size from the request (a 0 side follows the aspect) and the letterbox picture area."""
    if not width and not height:
        width, height = PRESET_SIZES[aspect]
    elif not height:
        height = _even(width / FRAME_RATIOS[aspect])
    elif not width:
        width = _even(height * FRAME_RATIOS[aspect])
    picture_h = height
    if aspect is Aspect.CINEMASCOPE_LETTERBOX:
        picture_h = min(height, _even(width / CINEMASCOPE_RATIO))
    # An even top keeps the bars on whole 4:2:0 chroma rows (the picture is even already).
    return Geometry(width, height, (height - picture_h) // 4 * 2, picture_h)


@dataclass(frozen=True)
class TransitionSpan:
    """Frames [start, start + length) blend scene `index` into scene `index + 1`."""

    index: int
    kind: Transition
    start: int
    length: int

    @property
    def end(self) -> int:
        return self.start + self.length

    def alpha(self, frame: int) -> float:
        """Weight of the incoming scene at `frame`."""
        return (frame - self.start + 0.5) / self.length


@dataclass(frozen=True)
class SceneSpan:
    index: int
    start: int  # frames the scene owns on the timeline: [start, end)
    end: int
    visible_start: int  # including the halves of its transitions
    visible_end: int
    move: Move

    def progress(self, frame: int) -> float:
        """Camera progress u in (0, 1) at `frame`."""
        return (frame - self.visible_start + 0.5) / (self.visible_end - self.visible_start)

    @property
    def middle(self) -> int:
        return (self.start + self.end - 1) // 2


@dataclass(frozen=True)
class Segment:
    """A run of frames that are either one scene alone (`transition` None) or one transition."""

    start: int
    end: int
    scene: int
    transition: TransitionSpan | None = None


@dataclass(frozen=True)
class Timeline:
    fps: int
    frame_count: int
    scenes: tuple[SceneSpan, ...]
    transitions: tuple[TransitionSpan | None, ...]  # between scene i and i + 1

    @property
    def duration_s(self) -> float:
        return self.frame_count / self.fps

    def segments(self) -> list[Segment]:
        """Holds and transitions in order; they tile [0, frame_count) exactly."""
        out: list[Segment] = []
        for scene in self.scenes:
            incoming = self.transitions[scene.index - 1] if scene.index > 0 else None
            outgoing = self.transitions[scene.index] if scene.index < len(self.transitions) else None
            hold_start = incoming.end if incoming else scene.start
            hold_end = outgoing.start if outgoing else scene.end
            if hold_end > hold_start:
                out.append(Segment(hold_start, hold_end, scene.index))
            if outgoing:
                out.append(Segment(outgoing.start, outgoing.end, scene.index, outgoing))
        return out


def build_timeline(
    durations_s: Sequence[float],
    transitions: Sequence[Transition],
    transition_s: Sequence[float],
    fps: int,
    moves: Sequence[Move] | None = None,
) -> Timeline:
    """The frame-exact timeline (see the module docstring). `transitions[i]` leads out of scene i."""
    n = len(durations_s)
    starts = [0.0]
    for i in range(n):
        starts.append(math.fsum(durations_s[: i + 1]))
    bounds = [_frames(t, fps) for t in starts]
    own = [bounds[i + 1] - bounds[i] for i in range(n)]
    spans: list[TransitionSpan | None] = []
    for i in range(n - 1):
        kind = transitions[i]
        length = 0 if kind is Transition.CUT else min(_frames(transition_s[i], fps), own[i], own[i + 1])
        if length <= 0:
            spans.append(None)
            continue
        boundary = bounds[i + 1]
        spans.append(TransitionSpan(i, kind, boundary - length // 2, length))
    scenes = []
    for i in range(n):
        incoming = spans[i - 1] if i > 0 else None
        outgoing = spans[i] if i < n - 1 else None
        scenes.append(
            SceneSpan(
                index=i,
                start=bounds[i],
                end=bounds[i + 1],
                visible_start=incoming.start if incoming else bounds[i],
                visible_end=outgoing.end if outgoing else bounds[i + 1],
                move=moves[i] if moves else Move(),
            )
        )
    return Timeline(fps, bounds[-1], tuple(scenes), tuple(spans))


@dataclass(frozen=True)
class EncoderChoice:
    """What the request asks of the encoder, defaults filled in (the codec may still be "auto")."""

    codec: str
    preset: str
    crf: int


@dataclass(frozen=True)
class CompositionPlan:
    request: ComposeRequest
    geometry: Geometry
    timeline: Timeline
    grade: GradeSpec
    encoder: EncoderChoice
    output_prefix: str
    notices: tuple[Notice, ...]

    @property
    def fps(self) -> int:
        return self.timeline.fps


def _finite(value: float) -> bool:
    return math.isfinite(value)


def _parse_enum(enum: type[StrEnum], value: str, default: str) -> StrEnum | None:
    try:
        return enum(value or default)
    except ValueError:
        return None


def plan_composition(request: ComposeRequest, settings: CompositorSettings) -> CompositionPlan:
    """Check every field up front (all violations at once) and resolve defaults into a plan."""
    bad = Collector()
    notices: list[Notice] = []

    fps = request.fps or settings.default_fps
    if not settings.min_fps <= fps <= settings.max_fps:
        bad.add("fps", f"{request.fps} is outside {settings.min_fps}..{settings.max_fps} (0 = {settings.default_fps})")
        fps = settings.default_fps  # keeps the per-scene checks below meaningful

    aspect = _parse_enum(Aspect, request.aspect, Aspect.WIDESCREEN)
    if aspect is None:
        bad.add("aspect", f"unknown aspect {request.aspect!r}; expected one of {', '.join(Aspect)}")
        aspect = Aspect.WIDESCREEN
    for name, value in (("width", request.width), ("height", request.height)):
        if value == 0:
            continue
        if not MIN_DIMENSION <= value <= settings.max_dimension:
            bad.add(name, f"{value} is outside {MIN_DIMENSION}..{settings.max_dimension} pixels (0 = preset)")
        elif value % 2:
            bad.add(name, f"{value} must be even (H.264 yuv420p)")

    scenes = request.scenes
    if not scenes:
        bad.add("scenes", "at least one scene is required")
    elif len(scenes) > settings.max_scenes:
        bad.add("scenes", f"{len(scenes)} scenes; at most {settings.max_scenes}")
    kinds: list[Transition] = []
    lengths: list[float] = []
    moves: list[Move] = []
    for i, scene in enumerate(scenes):
        where = f"scenes[{i}]"
        bad.check(bool(scene.keyframe_uri.strip()), f"{where}.keyframe_uri", "a keyframe URI is required")
        d = scene.duration_s
        if not (_finite(d) and d > 0):
            bad.add(f"{where}.duration_s", f"{d} must be a positive number of seconds")
        elif d * fps < 1 - 1e-9:
            bad.add(f"{where}.duration_s", f"{d} s is shorter than one frame at {fps} fps")
        kind = _parse_enum(Transition, scene.transition, settings.default_transition)
        if kind is None:
            bad.add(
                f"{where}.transition",
                f"unknown transition {scene.transition!r}; expected one of {', '.join(Transition)}",
            )
            kind = Transition.CUT
        t = scene.transition_s
        if not (_finite(t) and 0 <= t <= MAX_TRANSITION_S):
            bad.add(f"{where}.transition_s", f"{t} must be 0..{MAX_TRANSITION_S:g} seconds (0 = default)")
            t = 0.0
        kinds.append(kind)
        lengths.append(t or settings.default_transition_s)
        m = scene.motion
        for axis, value in (("pan", m.pan), ("tilt", m.tilt)):
            if not (_finite(value) and -1 <= value <= 1):
                bad.add(f"{where}.motion.{axis}", f"{value} must be within -1..1 (a fraction of the frame)")
        if not (_finite(m.zoom) and (m.zoom == 0 or MIN_ZOOM <= m.zoom <= MAX_ZOOM)):
            bad.add(f"{where}.motion.zoom", f"{m.zoom} must be {MIN_ZOOM}..{MAX_ZOOM} (0 = none)")
        if not (_finite(scene.motion_intensity) and 0 <= scene.motion_intensity <= 1):
            bad.add(f"{where}.motion_intensity", f"{scene.motion_intensity} must be within 0..1 (0 = 1)")
        if bad.violations:
            moves.append(Move())
            continue
        move, known = resolve_move(m, scene.motion_intensity)
        if not known:
            notices.append(
                Notice("unknown_camera_move", f"scene {i}: unknown camera move {m.move!r}; kept the camera still")
            )
        moves.append(move)
    total = math.fsum(s.duration_s for s in scenes if _finite(s.duration_s) and s.duration_s > 0)
    if total > settings.max_duration_s:
        bad.add("scenes", f"total duration {total:g} s exceeds {settings.max_duration_s:g} s")

    grade = request.grade
    for name, value in (("grade.brightness", grade.brightness), ("grade.blue", grade.blue)):
        if not (_finite(value) and 0 < value <= 4):
            bad.add(name, f"{value} must be within (0, 4]")

    enc = request.encoder
    codec = enc.codec or settings.encoder
    bad.check(codec in ENCODER_CODECS, "encoder.codec", f"{enc.codec!r} is not one of {', '.join(ENCODER_CODECS)}")
    preset = enc.preset or settings.x264_preset
    bad.check(preset in X264_PRESETS, "encoder.preset", f"{enc.preset!r} is not an x264 preset")
    crf = settings.crf if enc.crf is None else enc.crf
    bad.check(0 <= crf <= 51, "encoder.crf", f"{enc.crf} must be within 0..51")

    prefix = request.output_prefix.strip("/")
    if not prefix:
        prefix = f"jobs/{request.job_id}/video" if request.job_id else f"compose/{uuid.uuid4().hex}"
    try:
        validate_key(prefix, "output_prefix" if request.output_prefix else "job_id")
    except InvalidArgument as exc:
        bad.extend(exc.violations)

    bad.raise_if_any()
    geometry = resolve_geometry(request.width, request.height, aspect)
    for name, value in (("width", geometry.width), ("height", geometry.height)):
        bad.check(
            MIN_DIMENSION <= value <= settings.max_dimension,
            name,
            f"{value} (from the {aspect} aspect) is outside {MIN_DIMENSION}..{settings.max_dimension}",
        )
    bad.raise_if_any()
    timeline = build_timeline([s.duration_s for s in scenes], kinds, lengths, fps, moves)
    return CompositionPlan(
        request=request,
        geometry=geometry,
        timeline=timeline,
        grade=grade,
        encoder=EncoderChoice(codec, preset, crf),
        output_prefix=prefix,
        notices=tuple(notices),
    )
