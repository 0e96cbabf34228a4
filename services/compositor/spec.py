"""What a compose job asks for and what it returns: plain typed values, no gRPC.

The servicer converts proto messages to these; the CLI builds them from flags. Defaults that
depend on configuration (fps, transition length, encoder) stay "unset" here (0, "") and are
resolved once by `timeline.plan_composition` against the service settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from services.common.artifacts import StoredObject
from services.common.notices import Notice as BaseNotice

STAGE = "compose"


class Transition(StrEnum):
    """How one scene hands over to the next."""

    CUT = "cut"
    CROSSFADE = "crossfade"  # the paper's linear alpha blend
    FLOW_MORPH = "flow_morph"  # both keyframes warped along optical flow, then blended
    DIP_TO_BLACK = "dip_to_black"


class Aspect(StrEnum):
    """Output frame shape."""

    WIDESCREEN = "widescreen"  # 16:9
    CINEMASCOPE_LETTERBOX = "cinemascope_letterbox"  # a 2.39:1 picture inside a 16:9 frame
    CINEMASCOPE = "cinemascope"  # native 2.39:1 frame
    VERTICAL = "vertical"  # 9:16
    CINEMA = "cinema"  # native 2.39:1 at 3072x1280 (the upscaled cinema profile)


@dataclass(frozen=True)
class CameraMotion:
    """Ken Burns move within one scene; explicit ratios win over the named move.

    pan: horizontal camera travel over the scene as a fraction of the frame width (+ = right).
    tilt: vertical travel as a fraction of the frame height (+ = up).
    zoom: end scale over start scale (0 = unset = 1.0; 1.2 pushes in 20 %).
    """

    pan: float = 0.0
    tilt: float = 0.0
    zoom: float = 0.0
    move: str = ""


@dataclass(frozen=True)
class SceneSpec:
    keyframe_uri: str
    duration_s: float
    motion: CameraMotion = field(default_factory=CameraMotion)
    # Transition into the next scene (ignored on the last one); "" = the service default.
    transition: str = ""
    # Transition length in seconds; 0 = the service default; clamped to the scenes.
    transition_s: float = 0.0
    # Scales the camera motion, 0..1; 0 = 1.0.
    motion_intensity: float = 0.0
    # A shot clip shown instead of the still (services/compositor/clips.py); "" = the still.
    clip_uri: str = ""


@dataclass(frozen=True)
class GradeSpec:
    """The paper's cinematic grade, applied once per keyframe (never per frame)."""

    enabled: bool = True
    brightness: float = 1.1
    blue: float = 1.05
    sharpen: bool = True


@dataclass(frozen=True)
class EncoderSpec:
    # "" = the service default; "auto" (NVENC when it works, else libx264), "libx264", "h264_nvenc".
    codec: str = ""
    # x264 preset name; "" = the service default (medium).
    preset: str = ""
    # x264 CRF (NVENC: constant quality); None = the service default (23).
    crf: int | None = None


@dataclass(frozen=True)
class ComposeRequest:
    scenes: tuple[SceneSpec, ...]
    fps: int = 0
    width: int = 0
    height: int = 0
    aspect: str = ""
    grade: GradeSpec = field(default_factory=GradeSpec)
    encoder: EncoderSpec = field(default_factory=EncoderSpec)
    soundtrack_uri: str = ""
    captions_srt_uri: str = ""
    captions_vtt_uri: str = ""
    output_prefix: str = ""
    job_id: str = ""


@dataclass(frozen=True)
class Notice(BaseNotice):
    """A fallback or adjustment that was taken; every one reaches the caller as a Warning."""

    stage: str = STAGE


@dataclass(frozen=True)
class OutputArtifact:
    name: str  # stable name within the job, e.g. "video.mp4"
    kind: str  # "video", "poster", "contact_sheet", "captions_srt", "captions_vtt"
    stored: StoredObject


@dataclass(frozen=True)
class ComposeOutcome:
    video: OutputArtifact
    poster: OutputArtifact
    contact_sheet: OutputArtifact
    srt: OutputArtifact | None
    vtt: OutputArtifact | None
    frame_count: int
    duration_s: float
    fps: int
    width: int
    height: int
    encoder: str
    warnings: tuple[Notice, ...]
    seconds: float


@dataclass(frozen=True)
class SegmentStill:
    """A still the join needs, taken while a segment's frames streamed past (PNG: no second loss)."""

    frame: int
    kind: str  # "poster" or "tile"
    scene: int
    stored: StoredObject


@dataclass(frozen=True)
class SegmentOutcome:
    video: OutputArtifact
    start: int
    end: int
    stills: tuple[SegmentStill, ...]
    encoder: str
    warnings: tuple[Notice, ...]
    seconds: float
