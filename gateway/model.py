"""The gateway's domain types: a job, its normalised spec, its checkpoints. No gRPC here.

A `Job` is what the job store persists (as a JSON document plus a few indexed columns) and what
the servicer turns into the public `cinesynth.v1.Job`. The storyboard is kept as the proto's JSON
form (snake_case) because the gateway only passes it between services; everything the gateway
itself decides on is typed.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL_STATES


TERMINAL_STATES = frozenset({JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED})
ACTIVE_STATES = frozenset({JobState.QUEUED, JobState.RUNNING})


class Stage(StrEnum):
    QUEUED = "queued"
    ANALYZE_MUSIC = "analyze_music"
    STORYBOARD = "storyboard"
    KEYFRAMES = "keyframes"
    SOUNDTRACK = "soundtrack"
    MOTION = "motion"
    UPSCALE = "upscale"
    COMPOSE = "compose"
    DONE = "done"


# Lowest first: degrading walks this list downwards from the requested tier.
TIERS: tuple[str, ...] = ("draft", "turbo", "standard", "ultra")
ASPECTS: tuple[str, ...] = ("widescreen", "cinemascope_letterbox", "cinemascope", "vertical", "cinema")
# "" = Ken Burns (no motion stage); a model tier asks the motion pool for clips.
MOTION_TIERS: tuple[str, ...] = ("ken_burns", "standard", "ultra")
MUSIC_SOURCES: tuple[str, ...] = ("auto", "youtube", "library", "procedural", "none")
STORYBOARD_BACKENDS: tuple[str, ...] = ("planner", "transformers", "openai")
TRANSITIONS: tuple[str, ...] = ("cut", "crossfade", "flow_morph", "dip_to_black")
# The ten music-video categories (MvType without the MV_TYPE_ prefix).
MV_TYPES: tuple[str, ...] = (
    "live_performance", "lyric_video", "animation", "story_narrative", "artistic_abstract",
    "dance_performance", "behind_the_scenes", "nature_scenic", "picture_montage", "cinematic_drama",
)


def new_job_id() -> str:
    return uuid.uuid4().hex


def now() -> float:
    return time.time()


@dataclass
class VoiceSpec:
    voice: str = ""
    language: str = "en"
    speaking_rate: float = 1.0


@dataclass
class VideoSpec:
    """A request's spec with every default filled in (what the job will actually render)."""

    duration_s: float = 60.0
    scene_count: int = 5
    fps: int = 24
    width: int = 1280
    height: int = 720
    aspect: str = "widescreen"
    tier: str = "draft"
    allow_degrade: bool = False
    seed: int = 0
    style: str = ""
    voice: VoiceSpec = field(default_factory=VoiceSpec)
    music_source: str = "auto"
    captions: bool = True
    storyboard_backend: str = ""  # "" = the storyboard service's configured default
    transition: str = ""  # "" = the storyboard's choice
    motion_tier: str = ""  # "" / "ken_burns" = camera moves over stills (gateway/stages/motion.py)
    scene_sound: str = ""  # off | ambience | full; "" = the audio service's default


@dataclass
class MusicSpec:
    """Music-video source (the track is the soundtrack)."""

    upload_id: str = ""
    library_track_id: str = ""
    genre_tags: list[str] = field(default_factory=list)
    mv_type: str = ""
    lyrics: str = ""
    narration: bool = False
    # Filled when the job is created: the track in the artifact store (an upload or a library copy).
    track_uri: str = ""
    track_name: str = ""
    track_size_bytes: int = 0
    track_sha256: str = ""
    # The upload's analysis (made when it was confirmed as audio); "" = analyse in ANALYZE_MUSIC.
    analysis_uri: str = ""


@dataclass
class ArtifactRecord:
    name: str
    uri: str
    mime_type: str
    size_bytes: int
    sha256: str
    kind: str  # "video", "captions_srt", "captions_vtt", "storyboard", "keyframe", "poster", ...


@dataclass
class WarningRecord:
    code: str
    message: str
    stage: str


@dataclass
class StageTiming:
    stage: str
    start_time: float
    end_time: float | None = None

    @property
    def seconds(self) -> float:
        return (self.end_time - self.start_time) if self.end_time is not None else 0.0


@dataclass
class ErrorInfo:
    """A terminal failure: a gRPC status code name and a message safe to show to the client."""

    code: str
    message: str


@dataclass
class KeyframeRecord:
    """Checkpoint of one finished keyframe: never rendered again once recorded."""

    id: str
    scene_index: int
    artifact: ArtifactRecord
    model: str
    tier: str
    seed: int
    width: int
    height: int
    cached: bool = False


@dataclass
class SoundtrackRecord:
    """Checkpoint of the soundtrack stage."""

    audio_uri: str
    srt_uri: str = ""
    vtt_uri: str = ""
    duration_s: float = 0.0
    voice_used: str = ""
    music_source_used: str = ""
    music_title: str = ""
    # Every sound used (music, ambiences, effects) and each layer's level, as proto JSON.
    sound_credits: list[dict[str, Any]] = field(default_factory=list)
    sound_levels: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class WebhookStatus:
    state: str = "none"  # none | pending | delivered | failed
    attempts: int = 0
    last_error: str = ""


@dataclass
class Job:
    id: str
    tenant: str
    request_id: str
    request_hash: str
    spec: VideoSpec
    source_kind: str  # prompt | storyboard | music
    prompt: str = ""
    source_storyboard: dict[str, Any] | None = None
    music: MusicSpec | None = None
    labels: dict[str, str] = field(default_factory=dict)
    callback_url: str = ""
    state: JobState = JobState.QUEUED
    stage: Stage = Stage.QUEUED
    progress: float = 0.0
    stage_progress: float = 0.0
    message: str = "queued"
    # Checkpoints, in pipeline order.
    music_analysis: dict[str, Any] | None = None  # MusicAnalysis as proto JSON (music-video mode)
    storyboard: dict[str, Any] | None = None
    keyframes: dict[str, KeyframeRecord] = field(default_factory=dict)
    soundtrack: SoundtrackRecord | None = None
    # Motion and upscale checkpoints by keyframe id (plain dicts, see gateway/stages/motion.py).
    clips: dict[str, dict[str, Any]] = field(default_factory=dict)
    upscaled: dict[str, dict[str, Any]] = field(default_factory=dict)
    motion_tier_used: str = ""
    motion_model_used: str = ""
    upscaler_used: str = ""
    composed: bool = False
    artifacts: list[ArtifactRecord] = field(default_factory=list)
    warnings: list[WarningRecord] = field(default_factory=list)
    timings: list[StageTiming] = field(default_factory=list)
    error: ErrorInfo | None = None
    tier_used: str = ""
    model_used: str = ""
    keyframes_done: int = 0
    keyframes_total: int = 0
    frames_done: int = 0
    frames_total: int = 0
    create_time: float = field(default_factory=now)
    update_time: float = field(default_factory=now)
    start_time: float | None = None
    end_time: float | None = None
    # Incremented on every change (optimistic concurrency); WatchJob numbers its events in `events`.
    version: int = 1
    # Seconds to the end, estimated (gateway/progress.py); 0 when terminal.
    eta_s: float = 0.0
    # The WatchJob event journal (gateway/events.py): the last JOURNAL_LIMIT visible changes.
    events: list[dict[str, Any]] = field(default_factory=list)
    runs: int = 0
    # Why the last run ended without finishing the job (a crash), for the run-limit failure.
    last_interruption: str = ""
    webhook: WebhookStatus = field(default_factory=WebhookStatus)
    # Column-backed, not part of the document: set by CancelJob from any replica.
    cancel_requested: bool = False

    @property
    def name(self) -> str:
        return f"jobs/{self.id}"

    @property
    def terminal(self) -> bool:
        return self.state.terminal

    @property
    def needs_work(self) -> bool:
        """A runner still has something to do: run the pipeline, or deliver the webhook."""
        return not self.terminal or self.webhook.state == "pending"

    def artifact(self, name: str) -> ArtifactRecord | None:
        return next((a for a in self.artifacts if a.name == name), None)

    def put_artifact(self, artifact: ArtifactRecord) -> None:
        """Add or replace (by name): a resumed stage overwrites what it wrote before."""
        self.artifacts = [a for a in self.artifacts if a.name != artifact.name] + [artifact]

    def artifacts_in_order(self) -> list[ArtifactRecord]:
        """The artifacts with keyframes in scene order (they finish in any order), in the keyframes' slots."""
        scene = {k.artifact.name: k.scene_index for k in self.keyframes.values()}
        out = list(self.artifacts)
        slots = [i for i, a in enumerate(out) if a.kind == "keyframe"]
        ordered = sorted((out[i] for i in slots), key=lambda a: (scene.get(a.name, len(scene)), a.name))
        for slot, artifact in zip(slots, ordered, strict=True):
            out[slot] = artifact
        return out

    def add_warning(self, warning: WarningRecord) -> bool:
        if any(w == warning for w in self.warnings):
            return False
        self.warnings.append(warning)
        return True

    def timing(self, stage: str) -> StageTiming | None:
        return next((t for t in self.timings if t.stage == stage), None)

    def copy(self) -> Job:
        return from_document(to_document(self), cancel_requested=self.cancel_requested)


# --- JSON document <-> Job ----------------------------------------------------------------------

_DOC_EXCLUDE = {"cancel_requested"}


def to_document(job: Job) -> dict[str, Any]:
    doc = dataclasses.asdict(job)
    for key in _DOC_EXCLUDE:
        doc.pop(key, None)
    doc["state"] = job.state.value
    doc["stage"] = job.stage.value
    return doc


def _build(cls: type, data: dict[str, Any] | None) -> Any:
    if data is None:
        return None
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


def from_document(doc: dict[str, Any], *, cancel_requested: bool = False) -> Job:
    """The inverse of `to_document`; unknown keys (a newer gateway's) are ignored."""
    data = dict(doc)
    spec = dict(data.get("spec") or {})
    spec["voice"] = _build(VoiceSpec, spec.get("voice") or {})
    data["spec"] = _build(VideoSpec, spec)
    data["music"] = _build(MusicSpec, data.get("music"))
    data["state"] = JobState(data["state"])
    data["stage"] = Stage(data["stage"])
    data["artifacts"] = [_build(ArtifactRecord, a) for a in data.get("artifacts") or []]
    data["warnings"] = [_build(WarningRecord, w) for w in data.get("warnings") or []]
    data["timings"] = [_build(StageTiming, t) for t in data.get("timings") or []]
    data["error"] = _build(ErrorInfo, data.get("error"))
    data["keyframes"] = {
        key: _build(KeyframeRecord, {**value, "artifact": _build(ArtifactRecord, value["artifact"])})
        for key, value in (data.get("keyframes") or {}).items()
    }
    data["soundtrack"] = _build(SoundtrackRecord, data.get("soundtrack"))
    data["webhook"] = _build(WebhookStatus, data.get("webhook") or {})
    job = _build(Job, data)
    job.cancel_requested = cancel_requested
    return job
