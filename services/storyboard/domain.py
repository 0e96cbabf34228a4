"""Typed storyboard values of the core. They mirror `cinesynth.v1.Storyboard` but know nothing of gRPC."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

STAGE = "storyboard"


class Backend(StrEnum):
    PLANNER = "planner"
    TRANSFORMERS = "transformers"
    OPENAI = "openai"


class ParseOutcome(StrEnum):
    OK = "ok"
    REPAIRED = "repaired"
    FALLBACK = "fallback"


class Transition(StrEnum):
    CUT = "cut"
    CROSSFADE = "crossfade"
    FLOW_MORPH = "flow_morph"
    DIP_TO_BLACK = "dip_to_black"


class MvType(StrEnum):
    UNSPECIFIED = ""
    LIVE_PERFORMANCE = "live_performance"
    LYRIC_VIDEO = "lyric_video"
    ANIMATION = "animation"
    STORY_NARRATIVE = "story_narrative"
    ARTISTIC_ABSTRACT = "artistic_abstract"
    DANCE_PERFORMANCE = "dance_performance"
    BEHIND_THE_SCENES = "behind_the_scenes"
    NATURE_SCENIC = "nature_scenic"
    PICTURE_MONTAGE = "picture_montage"
    CINEMATIC_DRAMA = "cinematic_drama"


BEATS: tuple[str, ...] = ("setup", "rising action", "climax", "falling action", "resolution")


@dataclass
class CameraPose:
    """Ken Burns motion over the scene: pan/tilt as fractions of the frame, zoom as end/start scale."""

    pan: float = 0.0
    tilt: float = 0.0
    zoom: float = 1.0
    move: str = ""


@dataclass
class ShotDomains:
    """The five shot domains of VideoGen-of-Thought."""

    character: str = ""
    background: str = ""
    relation: str = ""
    camera_pose: CameraPose = field(default_factory=CameraPose)
    lighting: str = ""


@dataclass
class Scene:
    index: int = 0
    title: str = ""
    description: str = ""
    visual_prompt: str = ""
    negative_prompt: str = ""
    narration: str = ""
    duration_s: float = 0.0
    shot: ShotDomains = field(default_factory=ShotDomains)
    mood: str = ""
    transition: Transition = Transition.CROSSFADE
    transition_s: float = 0.0
    shot_type: str = ""
    start_s: float = 0.0
    beat: str = ""
    motion_intensity: float = 0.0
    lyrics: str = ""


@dataclass
class Character:
    name: str
    description: str


@dataclass
class MusicBrief:
    mood: str = ""
    genre: str = ""
    tempo_bpm: float = 0.0
    query: str = ""


@dataclass
class Notice:
    """A fallback or repair that was taken; becomes a `cinesynth.v1.Warning`."""

    code: str
    message: str
    stage: str = STAGE


@dataclass
class Provenance:
    backend: Backend | None = Backend.PLANNER  # None: supplied by the client
    model: str = ""
    parse_outcome: ParseOutcome = ParseOutcome.OK
    warnings: list[Notice] = field(default_factory=list)


@dataclass
class MvSegment:
    start_s: float
    end_s: float
    description: str


@dataclass
class MvDescription:
    overview: str
    breakdown: list[MvSegment] = field(default_factory=list)


@dataclass
class Storyboard:
    title: str = ""
    logline: str = ""
    style: str = ""
    characters: list[Character] = field(default_factory=list)
    music: MusicBrief = field(default_factory=MusicBrief)
    scenes: list[Scene] = field(default_factory=list)
    total_duration_s: float = 0.0
    seed: int = 0
    prompt: str = ""
    mv_description: MvDescription | None = None
    provenance: Provenance = field(default_factory=Provenance)


@dataclass
class MusicAnalysis:
    duration_s: float = 0.0
    tempo_bpm: float = 0.0
    beat_times_s: list[float] = field(default_factory=list)
    downbeat_times_s: list[float] = field(default_factory=list)
    section_boundaries_s: list[float] = field(default_factory=list)
    energy: list[float] = field(default_factory=list)
    energy_hop_s: float = 0.0
    key: str = ""


@dataclass
class MusicContext:
    analysis: MusicAnalysis = field(default_factory=MusicAnalysis)
    genre_tags: list[str] = field(default_factory=list)
    mv_type: MvType = MvType.UNSPECIFIED
    lyrics: str = ""


@dataclass
class StoryboardRequest:
    """What a caller asks for. Zero values mean "the configured default", as in the contract."""

    prompt: str = ""
    scene_count: int = 0
    duration_s: float = 0.0
    style: str = ""
    seed: int | None = None
    backend: Backend | None = None
    model: str = ""
    music: MusicContext | None = None
    storyboard: Storyboard | None = None


@dataclass(frozen=True)
class Brief:
    """A validated request with its defaults resolved: what every backend writes from."""

    prompt: str
    scene_count: int
    duration_s: float
    style: str
    seed: int
    backend: Backend
    model: str
    music: MusicContext | None = None
