"""Core types of the Audio service: plain dataclasses, no gRPC."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path

from services.common.artifacts import StoredObject
from services.common.notices import Notice

STAGE = "soundtrack"
VOICES = ("piper", "gtts", "none")


class MusicSourceKind(enum.StrEnum):
    AUTO = "auto"
    YOUTUBE = "youtube"
    LIBRARY = "library"
    PROCEDURAL = "procedural"
    NONE = "none"
    # The track the request gave in music_uri (MUSIC_SOURCE_PROVIDED).
    PROVIDED = "provided"


class SceneSoundMode(enum.StrEnum):
    OFF = "off"
    AMBIENCE = "ambience"
    FULL = "full"


@dataclass(frozen=True)
class EffectCue:
    description: str
    at_s: float


@dataclass(frozen=True)
class SceneSoundSpec:
    """What a scene sounds like: an ambience bed and timed effects (free text, retrieved by meaning)."""

    ambience: str = ""
    effects: tuple[EffectCue, ...] = ()


@dataclass(frozen=True)
class SceneSpec:
    index: int
    narration: str
    duration_s: float
    sound: SceneSoundSpec = SceneSoundSpec()


@dataclass(frozen=True)
class VoiceSpec:
    # "" = the service default.
    voice: str = ""
    language: str = ""
    # 0 = 1.0.
    speaking_rate: float = 0.0


@dataclass(frozen=True)
class MusicBriefSpec:
    mood: str = ""
    genre: str = ""
    tempo_bpm: float = 0.0
    query: str = ""

    def text(self) -> str:
        """The brief as one sentence, for search and retrieval."""
        parts = [p for p in (self.mood, self.genre) if p]
        head = " ".join(parts) + " music" if parts else "cinematic background music"
        return f"{head}. {self.query}".strip() if self.query else head


@dataclass(frozen=True)
class SoundtrackSpec:
    scenes: tuple[SceneSpec, ...]
    brief: MusicBriefSpec = MusicBriefSpec()
    total_duration_s: float = 0.0
    voice: VoiceSpec = VoiceSpec()
    music_source: MusicSourceKind = MusicSourceKind.AUTO
    music_uri: str = ""
    output_prefix: str = ""
    job_id: str = ""
    seed: int = 0
    lyrics: str = ""
    music_is_soundtrack: bool = False
    # None = the service default (AudioSettings.scene_sound).
    scene_sound: SceneSoundMode | None = None

    @property
    def scenes_duration_s(self) -> float:
        return sum(s.duration_s for s in self.scenes)

    @property
    def duration_s(self) -> float:
        return self.total_duration_s if self.total_duration_s > 0 else self.scenes_duration_s


@dataclass(frozen=True)
class Note(Notice):
    """A fallback or degradation taken: becomes a Warning on the response."""

    stage: str = STAGE


@dataclass(frozen=True)
class SceneCue:
    scene_index: int
    start_s: float
    end_s: float
    speech_start_s: float
    speech_end_s: float
    tempo_factor: float = 1.0


@dataclass(frozen=True)
class CaptionCue:
    start_s: float
    end_s: float
    text: str
    scene_index: int


@dataclass(frozen=True)
class MusicTrack:
    """A music file chosen for the bed, with where it came from."""

    path: Path
    source: MusicSourceKind
    title: str = ""
    attribution: str = ""


@dataclass(frozen=True)
class SoundCredit:
    """One sound heard in the soundtrack, with its licence and attribution."""

    layer: str  # "music" | "ambience" | "effect"
    sound_id: str
    title: str
    license: str
    attribution: str
    url: str = ""
    scene_indexes: tuple[int, ...] = ()
    query: str = ""
    similarity: float = 0.0


@dataclass(frozen=True)
class LayerLevel:
    """A layer's level in the final mix (at the normalisation gain, before the limiter), dBFS."""

    layer: str
    rms_dbfs: float
    active_rms_dbfs: float
    peak_dbfs: float


@dataclass
class RenderedSoundtrack:
    """Local files of a finished soundtrack (before upload)."""

    wav: Path
    aac: Path
    srt: Path
    vtt: Path
    cues: list[SceneCue]
    captions: list[CaptionCue]
    voice_used: str
    music_source_used: MusicSourceKind
    music_title: str
    music_attribution: str
    duration_s: float
    num_samples: int
    integrated_lufs: float
    true_peak_dbtp: float
    notes: list[Note]
    # Voice and (ducked) music at the final gain, before the limiter: voice + music ~= the mix.
    stems: dict[str, Path] = field(default_factory=dict)
    sound_credits: list[SoundCredit] = field(default_factory=list)
    layer_levels: list[LayerLevel] = field(default_factory=list)
    scene_sound_used: SceneSoundMode = SceneSoundMode.OFF


@dataclass
class SoundtrackResult:
    rendered: RenderedSoundtrack
    wav: StoredObject
    aac: StoredObject
    srt: StoredObject
    vtt: StoredObject


@dataclass(frozen=True)
class MusicAnalysisResult:
    duration_s: float
    tempo_bpm: float
    beat_times_s: tuple[float, ...]
    downbeat_times_s: tuple[float, ...]
    section_boundaries_s: tuple[float, ...]
    energy: tuple[float, ...]
    energy_hop_s: float
    key: str
