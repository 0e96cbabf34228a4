from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Tier(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TIER_UNSPECIFIED: _ClassVar[Tier]
    TIER_DRAFT: _ClassVar[Tier]
    TIER_TURBO: _ClassVar[Tier]
    TIER_STANDARD: _ClassVar[Tier]
    TIER_ULTRA: _ClassVar[Tier]

class TransitionKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRANSITION_KIND_UNSPECIFIED: _ClassVar[TransitionKind]
    TRANSITION_KIND_CUT: _ClassVar[TransitionKind]
    TRANSITION_KIND_CROSSFADE: _ClassVar[TransitionKind]
    TRANSITION_KIND_FLOW_MORPH: _ClassVar[TransitionKind]
    TRANSITION_KIND_DIP_TO_BLACK: _ClassVar[TransitionKind]

class AspectPreset(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASPECT_PRESET_UNSPECIFIED: _ClassVar[AspectPreset]
    ASPECT_PRESET_WIDESCREEN: _ClassVar[AspectPreset]
    ASPECT_PRESET_CINEMASCOPE_LETTERBOX: _ClassVar[AspectPreset]
    ASPECT_PRESET_CINEMASCOPE: _ClassVar[AspectPreset]
    ASPECT_PRESET_VERTICAL: _ClassVar[AspectPreset]
    ASPECT_PRESET_CINEMA: _ClassVar[AspectPreset]

class ArtifactKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ARTIFACT_KIND_UNSPECIFIED: _ClassVar[ArtifactKind]
    ARTIFACT_KIND_VIDEO: _ClassVar[ArtifactKind]
    ARTIFACT_KIND_CAPTIONS_SRT: _ClassVar[ArtifactKind]
    ARTIFACT_KIND_CAPTIONS_VTT: _ClassVar[ArtifactKind]
    ARTIFACT_KIND_STORYBOARD: _ClassVar[ArtifactKind]
    ARTIFACT_KIND_KEYFRAME: _ClassVar[ArtifactKind]
    ARTIFACT_KIND_POSTER: _ClassVar[ArtifactKind]
    ARTIFACT_KIND_SOUNDTRACK: _ClassVar[ArtifactKind]
    ARTIFACT_KIND_CONTACT_SHEET: _ClassVar[ArtifactKind]
    ARTIFACT_KIND_MUSIC: _ClassVar[ArtifactKind]
    ARTIFACT_KIND_CLIP: _ClassVar[ArtifactKind]
    ARTIFACT_KIND_UPSCALED_KEYFRAME: _ClassVar[ArtifactKind]

class MotionTier(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MOTION_TIER_UNSPECIFIED: _ClassVar[MotionTier]
    MOTION_TIER_KEN_BURNS: _ClassVar[MotionTier]
    MOTION_TIER_STANDARD: _ClassVar[MotionTier]
    MOTION_TIER_ULTRA: _ClassVar[MotionTier]

class SceneSoundMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCENE_SOUND_MODE_UNSPECIFIED: _ClassVar[SceneSoundMode]
    SCENE_SOUND_MODE_OFF: _ClassVar[SceneSoundMode]
    SCENE_SOUND_MODE_AMBIENCE: _ClassVar[SceneSoundMode]
    SCENE_SOUND_MODE_FULL: _ClassVar[SceneSoundMode]

class ParseOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PARSE_OUTCOME_UNSPECIFIED: _ClassVar[ParseOutcome]
    PARSE_OUTCOME_OK: _ClassVar[ParseOutcome]
    PARSE_OUTCOME_REPAIRED: _ClassVar[ParseOutcome]
    PARSE_OUTCOME_FALLBACK: _ClassVar[ParseOutcome]

class StoryboardBackend(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STORYBOARD_BACKEND_UNSPECIFIED: _ClassVar[StoryboardBackend]
    STORYBOARD_BACKEND_PLANNER: _ClassVar[StoryboardBackend]
    STORYBOARD_BACKEND_TRANSFORMERS: _ClassVar[StoryboardBackend]
    STORYBOARD_BACKEND_OPENAI: _ClassVar[StoryboardBackend]

class MvType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MV_TYPE_UNSPECIFIED: _ClassVar[MvType]
    MV_TYPE_LIVE_PERFORMANCE: _ClassVar[MvType]
    MV_TYPE_LYRIC_VIDEO: _ClassVar[MvType]
    MV_TYPE_ANIMATION: _ClassVar[MvType]
    MV_TYPE_STORY_NARRATIVE: _ClassVar[MvType]
    MV_TYPE_ARTISTIC_ABSTRACT: _ClassVar[MvType]
    MV_TYPE_DANCE_PERFORMANCE: _ClassVar[MvType]
    MV_TYPE_BEHIND_THE_SCENES: _ClassVar[MvType]
    MV_TYPE_NATURE_SCENIC: _ClassVar[MvType]
    MV_TYPE_PICTURE_MONTAGE: _ClassVar[MvType]
    MV_TYPE_CINEMATIC_DRAMA: _ClassVar[MvType]

class MusicSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MUSIC_SOURCE_UNSPECIFIED: _ClassVar[MusicSource]
    MUSIC_SOURCE_AUTO: _ClassVar[MusicSource]
    MUSIC_SOURCE_YOUTUBE: _ClassVar[MusicSource]
    MUSIC_SOURCE_LIBRARY: _ClassVar[MusicSource]
    MUSIC_SOURCE_PROCEDURAL: _ClassVar[MusicSource]
    MUSIC_SOURCE_NONE: _ClassVar[MusicSource]
    MUSIC_SOURCE_PROVIDED: _ClassVar[MusicSource]
TIER_UNSPECIFIED: Tier
TIER_DRAFT: Tier
TIER_TURBO: Tier
TIER_STANDARD: Tier
TIER_ULTRA: Tier
TRANSITION_KIND_UNSPECIFIED: TransitionKind
TRANSITION_KIND_CUT: TransitionKind
TRANSITION_KIND_CROSSFADE: TransitionKind
TRANSITION_KIND_FLOW_MORPH: TransitionKind
TRANSITION_KIND_DIP_TO_BLACK: TransitionKind
ASPECT_PRESET_UNSPECIFIED: AspectPreset
ASPECT_PRESET_WIDESCREEN: AspectPreset
ASPECT_PRESET_CINEMASCOPE_LETTERBOX: AspectPreset
ASPECT_PRESET_CINEMASCOPE: AspectPreset
ASPECT_PRESET_VERTICAL: AspectPreset
ASPECT_PRESET_CINEMA: AspectPreset
ARTIFACT_KIND_UNSPECIFIED: ArtifactKind
ARTIFACT_KIND_VIDEO: ArtifactKind
ARTIFACT_KIND_CAPTIONS_SRT: ArtifactKind
ARTIFACT_KIND_CAPTIONS_VTT: ArtifactKind
ARTIFACT_KIND_STORYBOARD: ArtifactKind
ARTIFACT_KIND_KEYFRAME: ArtifactKind
ARTIFACT_KIND_POSTER: ArtifactKind
ARTIFACT_KIND_SOUNDTRACK: ArtifactKind
ARTIFACT_KIND_CONTACT_SHEET: ArtifactKind
ARTIFACT_KIND_MUSIC: ArtifactKind
ARTIFACT_KIND_CLIP: ArtifactKind
ARTIFACT_KIND_UPSCALED_KEYFRAME: ArtifactKind
MOTION_TIER_UNSPECIFIED: MotionTier
MOTION_TIER_KEN_BURNS: MotionTier
MOTION_TIER_STANDARD: MotionTier
MOTION_TIER_ULTRA: MotionTier
SCENE_SOUND_MODE_UNSPECIFIED: SceneSoundMode
SCENE_SOUND_MODE_OFF: SceneSoundMode
SCENE_SOUND_MODE_AMBIENCE: SceneSoundMode
SCENE_SOUND_MODE_FULL: SceneSoundMode
PARSE_OUTCOME_UNSPECIFIED: ParseOutcome
PARSE_OUTCOME_OK: ParseOutcome
PARSE_OUTCOME_REPAIRED: ParseOutcome
PARSE_OUTCOME_FALLBACK: ParseOutcome
STORYBOARD_BACKEND_UNSPECIFIED: StoryboardBackend
STORYBOARD_BACKEND_PLANNER: StoryboardBackend
STORYBOARD_BACKEND_TRANSFORMERS: StoryboardBackend
STORYBOARD_BACKEND_OPENAI: StoryboardBackend
MV_TYPE_UNSPECIFIED: MvType
MV_TYPE_LIVE_PERFORMANCE: MvType
MV_TYPE_LYRIC_VIDEO: MvType
MV_TYPE_ANIMATION: MvType
MV_TYPE_STORY_NARRATIVE: MvType
MV_TYPE_ARTISTIC_ABSTRACT: MvType
MV_TYPE_DANCE_PERFORMANCE: MvType
MV_TYPE_BEHIND_THE_SCENES: MvType
MV_TYPE_NATURE_SCENIC: MvType
MV_TYPE_PICTURE_MONTAGE: MvType
MV_TYPE_CINEMATIC_DRAMA: MvType
MUSIC_SOURCE_UNSPECIFIED: MusicSource
MUSIC_SOURCE_AUTO: MusicSource
MUSIC_SOURCE_YOUTUBE: MusicSource
MUSIC_SOURCE_LIBRARY: MusicSource
MUSIC_SOURCE_PROCEDURAL: MusicSource
MUSIC_SOURCE_NONE: MusicSource
MUSIC_SOURCE_PROVIDED: MusicSource

class Artifact(_message.Message):
    __slots__ = ("name", "uri", "mime_type", "size_bytes", "sha256", "kind")
    NAME_FIELD_NUMBER: _ClassVar[int]
    URI_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    name: str
    uri: str
    mime_type: str
    size_bytes: int
    sha256: str
    kind: ArtifactKind
    def __init__(self, name: _Optional[str] = ..., uri: _Optional[str] = ..., mime_type: _Optional[str] = ..., size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ..., kind: _Optional[_Union[ArtifactKind, str]] = ...) -> None: ...

class Warning(_message.Message):
    __slots__ = ("code", "message", "stage")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    code: str
    message: str
    stage: str
    def __init__(self, code: _Optional[str] = ..., message: _Optional[str] = ..., stage: _Optional[str] = ...) -> None: ...

class CameraMotion(_message.Message):
    __slots__ = ("pan", "tilt", "zoom", "move")
    PAN_FIELD_NUMBER: _ClassVar[int]
    TILT_FIELD_NUMBER: _ClassVar[int]
    ZOOM_FIELD_NUMBER: _ClassVar[int]
    MOVE_FIELD_NUMBER: _ClassVar[int]
    pan: float
    tilt: float
    zoom: float
    move: str
    def __init__(self, pan: _Optional[float] = ..., tilt: _Optional[float] = ..., zoom: _Optional[float] = ..., move: _Optional[str] = ...) -> None: ...

class ShotDomains(_message.Message):
    __slots__ = ("character", "background", "relation", "camera_pose", "lighting")
    CHARACTER_FIELD_NUMBER: _ClassVar[int]
    BACKGROUND_FIELD_NUMBER: _ClassVar[int]
    RELATION_FIELD_NUMBER: _ClassVar[int]
    CAMERA_POSE_FIELD_NUMBER: _ClassVar[int]
    LIGHTING_FIELD_NUMBER: _ClassVar[int]
    character: str
    background: str
    relation: str
    camera_pose: CameraMotion
    lighting: str
    def __init__(self, character: _Optional[str] = ..., background: _Optional[str] = ..., relation: _Optional[str] = ..., camera_pose: _Optional[_Union[CameraMotion, _Mapping]] = ..., lighting: _Optional[str] = ...) -> None: ...

class Scene(_message.Message):
    __slots__ = ("index", "title", "description", "visual_prompt", "negative_prompt", "narration", "duration_s", "shot", "mood", "transition", "transition_s", "shot_type", "start_s", "beat", "motion_intensity", "lyrics", "sound")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    VISUAL_PROMPT_FIELD_NUMBER: _ClassVar[int]
    NEGATIVE_PROMPT_FIELD_NUMBER: _ClassVar[int]
    NARRATION_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    SHOT_FIELD_NUMBER: _ClassVar[int]
    MOOD_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_S_FIELD_NUMBER: _ClassVar[int]
    SHOT_TYPE_FIELD_NUMBER: _ClassVar[int]
    START_S_FIELD_NUMBER: _ClassVar[int]
    BEAT_FIELD_NUMBER: _ClassVar[int]
    MOTION_INTENSITY_FIELD_NUMBER: _ClassVar[int]
    LYRICS_FIELD_NUMBER: _ClassVar[int]
    SOUND_FIELD_NUMBER: _ClassVar[int]
    index: int
    title: str
    description: str
    visual_prompt: str
    negative_prompt: str
    narration: str
    duration_s: float
    shot: ShotDomains
    mood: str
    transition: TransitionKind
    transition_s: float
    shot_type: str
    start_s: float
    beat: str
    motion_intensity: float
    lyrics: str
    sound: SceneSound
    def __init__(self, index: _Optional[int] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., visual_prompt: _Optional[str] = ..., negative_prompt: _Optional[str] = ..., narration: _Optional[str] = ..., duration_s: _Optional[float] = ..., shot: _Optional[_Union[ShotDomains, _Mapping]] = ..., mood: _Optional[str] = ..., transition: _Optional[_Union[TransitionKind, str]] = ..., transition_s: _Optional[float] = ..., shot_type: _Optional[str] = ..., start_s: _Optional[float] = ..., beat: _Optional[str] = ..., motion_intensity: _Optional[float] = ..., lyrics: _Optional[str] = ..., sound: _Optional[_Union[SceneSound, _Mapping]] = ...) -> None: ...

class SceneSoundEffect(_message.Message):
    __slots__ = ("description", "at_s")
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    AT_S_FIELD_NUMBER: _ClassVar[int]
    description: str
    at_s: float
    def __init__(self, description: _Optional[str] = ..., at_s: _Optional[float] = ...) -> None: ...

class SceneSound(_message.Message):
    __slots__ = ("ambience", "effects")
    AMBIENCE_FIELD_NUMBER: _ClassVar[int]
    EFFECTS_FIELD_NUMBER: _ClassVar[int]
    ambience: str
    effects: _containers.RepeatedCompositeFieldContainer[SceneSoundEffect]
    def __init__(self, ambience: _Optional[str] = ..., effects: _Optional[_Iterable[_Union[SceneSoundEffect, _Mapping]]] = ...) -> None: ...

class SoundCredit(_message.Message):
    __slots__ = ("layer", "sound_id", "title", "license", "attribution", "url", "scene_indexes", "query", "similarity")
    LAYER_FIELD_NUMBER: _ClassVar[int]
    SOUND_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    LICENSE_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    SCENE_INDEXES_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    SIMILARITY_FIELD_NUMBER: _ClassVar[int]
    layer: str
    sound_id: str
    title: str
    license: str
    attribution: str
    url: str
    scene_indexes: _containers.RepeatedScalarFieldContainer[int]
    query: str
    similarity: float
    def __init__(self, layer: _Optional[str] = ..., sound_id: _Optional[str] = ..., title: _Optional[str] = ..., license: _Optional[str] = ..., attribution: _Optional[str] = ..., url: _Optional[str] = ..., scene_indexes: _Optional[_Iterable[int]] = ..., query: _Optional[str] = ..., similarity: _Optional[float] = ...) -> None: ...

class SoundLayerLevel(_message.Message):
    __slots__ = ("layer", "rms_dbfs", "active_rms_dbfs", "peak_dbfs")
    LAYER_FIELD_NUMBER: _ClassVar[int]
    RMS_DBFS_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_RMS_DBFS_FIELD_NUMBER: _ClassVar[int]
    PEAK_DBFS_FIELD_NUMBER: _ClassVar[int]
    layer: str
    rms_dbfs: float
    active_rms_dbfs: float
    peak_dbfs: float
    def __init__(self, layer: _Optional[str] = ..., rms_dbfs: _Optional[float] = ..., active_rms_dbfs: _Optional[float] = ..., peak_dbfs: _Optional[float] = ...) -> None: ...

class Character(_message.Message):
    __slots__ = ("name", "description")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class MusicBrief(_message.Message):
    __slots__ = ("mood", "genre", "tempo_bpm", "query")
    MOOD_FIELD_NUMBER: _ClassVar[int]
    GENRE_FIELD_NUMBER: _ClassVar[int]
    TEMPO_BPM_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    mood: str
    genre: str
    tempo_bpm: float
    query: str
    def __init__(self, mood: _Optional[str] = ..., genre: _Optional[str] = ..., tempo_bpm: _Optional[float] = ..., query: _Optional[str] = ...) -> None: ...

class StoryboardProvenance(_message.Message):
    __slots__ = ("backend", "model", "parse_outcome", "warnings")
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PARSE_OUTCOME_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    backend: StoryboardBackend
    model: str
    parse_outcome: ParseOutcome
    warnings: _containers.RepeatedCompositeFieldContainer[Warning]
    def __init__(self, backend: _Optional[_Union[StoryboardBackend, str]] = ..., model: _Optional[str] = ..., parse_outcome: _Optional[_Union[ParseOutcome, str]] = ..., warnings: _Optional[_Iterable[_Union[Warning, _Mapping]]] = ...) -> None: ...

class MvSegment(_message.Message):
    __slots__ = ("start_s", "end_s", "description")
    START_S_FIELD_NUMBER: _ClassVar[int]
    END_S_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    start_s: float
    end_s: float
    description: str
    def __init__(self, start_s: _Optional[float] = ..., end_s: _Optional[float] = ..., description: _Optional[str] = ...) -> None: ...

class MvDescription(_message.Message):
    __slots__ = ("overview", "breakdown")
    OVERVIEW_FIELD_NUMBER: _ClassVar[int]
    BREAKDOWN_FIELD_NUMBER: _ClassVar[int]
    overview: str
    breakdown: _containers.RepeatedCompositeFieldContainer[MvSegment]
    def __init__(self, overview: _Optional[str] = ..., breakdown: _Optional[_Iterable[_Union[MvSegment, _Mapping]]] = ...) -> None: ...

class Storyboard(_message.Message):
    __slots__ = ("title", "logline", "style", "characters", "music", "scenes", "total_duration_s", "seed", "prompt", "mv_description", "provenance")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    LOGLINE_FIELD_NUMBER: _ClassVar[int]
    STYLE_FIELD_NUMBER: _ClassVar[int]
    CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    MUSIC_FIELD_NUMBER: _ClassVar[int]
    SCENES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_DURATION_S_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    MV_DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PROVENANCE_FIELD_NUMBER: _ClassVar[int]
    title: str
    logline: str
    style: str
    characters: _containers.RepeatedCompositeFieldContainer[Character]
    music: MusicBrief
    scenes: _containers.RepeatedCompositeFieldContainer[Scene]
    total_duration_s: float
    seed: int
    prompt: str
    mv_description: MvDescription
    provenance: StoryboardProvenance
    def __init__(self, title: _Optional[str] = ..., logline: _Optional[str] = ..., style: _Optional[str] = ..., characters: _Optional[_Iterable[_Union[Character, _Mapping]]] = ..., music: _Optional[_Union[MusicBrief, _Mapping]] = ..., scenes: _Optional[_Iterable[_Union[Scene, _Mapping]]] = ..., total_duration_s: _Optional[float] = ..., seed: _Optional[int] = ..., prompt: _Optional[str] = ..., mv_description: _Optional[_Union[MvDescription, _Mapping]] = ..., provenance: _Optional[_Union[StoryboardProvenance, _Mapping]] = ...) -> None: ...

class MusicAnalysis(_message.Message):
    __slots__ = ("duration_s", "tempo_bpm", "beat_times_s", "downbeat_times_s", "section_boundaries_s", "energy", "energy_hop_s", "key")
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    TEMPO_BPM_FIELD_NUMBER: _ClassVar[int]
    BEAT_TIMES_S_FIELD_NUMBER: _ClassVar[int]
    DOWNBEAT_TIMES_S_FIELD_NUMBER: _ClassVar[int]
    SECTION_BOUNDARIES_S_FIELD_NUMBER: _ClassVar[int]
    ENERGY_FIELD_NUMBER: _ClassVar[int]
    ENERGY_HOP_S_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    duration_s: float
    tempo_bpm: float
    beat_times_s: _containers.RepeatedScalarFieldContainer[float]
    downbeat_times_s: _containers.RepeatedScalarFieldContainer[float]
    section_boundaries_s: _containers.RepeatedScalarFieldContainer[float]
    energy: _containers.RepeatedScalarFieldContainer[float]
    energy_hop_s: float
    key: str
    def __init__(self, duration_s: _Optional[float] = ..., tempo_bpm: _Optional[float] = ..., beat_times_s: _Optional[_Iterable[float]] = ..., downbeat_times_s: _Optional[_Iterable[float]] = ..., section_boundaries_s: _Optional[_Iterable[float]] = ..., energy: _Optional[_Iterable[float]] = ..., energy_hop_s: _Optional[float] = ..., key: _Optional[str] = ...) -> None: ...

class MusicContext(_message.Message):
    __slots__ = ("analysis", "genre_tags", "mv_type", "lyrics")
    ANALYSIS_FIELD_NUMBER: _ClassVar[int]
    GENRE_TAGS_FIELD_NUMBER: _ClassVar[int]
    MV_TYPE_FIELD_NUMBER: _ClassVar[int]
    LYRICS_FIELD_NUMBER: _ClassVar[int]
    analysis: MusicAnalysis
    genre_tags: _containers.RepeatedScalarFieldContainer[str]
    mv_type: MvType
    lyrics: str
    def __init__(self, analysis: _Optional[_Union[MusicAnalysis, _Mapping]] = ..., genre_tags: _Optional[_Iterable[str]] = ..., mv_type: _Optional[_Union[MvType, str]] = ..., lyrics: _Optional[str] = ...) -> None: ...

class VoiceOptions(_message.Message):
    __slots__ = ("voice", "language", "speaking_rate")
    VOICE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    SPEAKING_RATE_FIELD_NUMBER: _ClassVar[int]
    voice: str
    language: str
    speaking_rate: float
    def __init__(self, voice: _Optional[str] = ..., language: _Optional[str] = ..., speaking_rate: _Optional[float] = ...) -> None: ...

class CaptionCue(_message.Message):
    __slots__ = ("start_s", "end_s", "text", "scene_index")
    START_S_FIELD_NUMBER: _ClassVar[int]
    END_S_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SCENE_INDEX_FIELD_NUMBER: _ClassVar[int]
    start_s: float
    end_s: float
    text: str
    scene_index: int
    def __init__(self, start_s: _Optional[float] = ..., end_s: _Optional[float] = ..., text: _Optional[str] = ..., scene_index: _Optional[int] = ...) -> None: ...
