from services.common.gen.cinesynth.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SoundtrackScene(_message.Message):
    __slots__ = ("index", "narration", "duration_s", "sound")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    NARRATION_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    SOUND_FIELD_NUMBER: _ClassVar[int]
    index: int
    narration: str
    duration_s: float
    sound: _common_pb2.SceneSound
    def __init__(self, index: _Optional[int] = ..., narration: _Optional[str] = ..., duration_s: _Optional[float] = ..., sound: _Optional[_Union[_common_pb2.SceneSound, _Mapping]] = ...) -> None: ...

class CreateSoundtrackRequest(_message.Message):
    __slots__ = ("scenes", "music_brief", "total_duration_s", "voice", "music_source", "music_uri", "output_prefix", "job_id", "seed", "lyrics", "music_is_soundtrack", "scene_sound")
    SCENES_FIELD_NUMBER: _ClassVar[int]
    MUSIC_BRIEF_FIELD_NUMBER: _ClassVar[int]
    TOTAL_DURATION_S_FIELD_NUMBER: _ClassVar[int]
    VOICE_FIELD_NUMBER: _ClassVar[int]
    MUSIC_SOURCE_FIELD_NUMBER: _ClassVar[int]
    MUSIC_URI_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_PREFIX_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    LYRICS_FIELD_NUMBER: _ClassVar[int]
    MUSIC_IS_SOUNDTRACK_FIELD_NUMBER: _ClassVar[int]
    SCENE_SOUND_FIELD_NUMBER: _ClassVar[int]
    scenes: _containers.RepeatedCompositeFieldContainer[SoundtrackScene]
    music_brief: _common_pb2.MusicBrief
    total_duration_s: float
    voice: _common_pb2.VoiceOptions
    music_source: _common_pb2.MusicSource
    music_uri: str
    output_prefix: str
    job_id: str
    seed: int
    lyrics: str
    music_is_soundtrack: bool
    scene_sound: _common_pb2.SceneSoundMode
    def __init__(self, scenes: _Optional[_Iterable[_Union[SoundtrackScene, _Mapping]]] = ..., music_brief: _Optional[_Union[_common_pb2.MusicBrief, _Mapping]] = ..., total_duration_s: _Optional[float] = ..., voice: _Optional[_Union[_common_pb2.VoiceOptions, _Mapping]] = ..., music_source: _Optional[_Union[_common_pb2.MusicSource, str]] = ..., music_uri: _Optional[str] = ..., output_prefix: _Optional[str] = ..., job_id: _Optional[str] = ..., seed: _Optional[int] = ..., lyrics: _Optional[str] = ..., music_is_soundtrack: _Optional[bool] = ..., scene_sound: _Optional[_Union[_common_pb2.SceneSoundMode, str]] = ...) -> None: ...

class SceneCue(_message.Message):
    __slots__ = ("scene_index", "start_s", "end_s", "speech_start_s", "speech_end_s", "tempo_factor")
    SCENE_INDEX_FIELD_NUMBER: _ClassVar[int]
    START_S_FIELD_NUMBER: _ClassVar[int]
    END_S_FIELD_NUMBER: _ClassVar[int]
    SPEECH_START_S_FIELD_NUMBER: _ClassVar[int]
    SPEECH_END_S_FIELD_NUMBER: _ClassVar[int]
    TEMPO_FACTOR_FIELD_NUMBER: _ClassVar[int]
    scene_index: int
    start_s: float
    end_s: float
    speech_start_s: float
    speech_end_s: float
    tempo_factor: float
    def __init__(self, scene_index: _Optional[int] = ..., start_s: _Optional[float] = ..., end_s: _Optional[float] = ..., speech_start_s: _Optional[float] = ..., speech_end_s: _Optional[float] = ..., tempo_factor: _Optional[float] = ...) -> None: ...

class CreateSoundtrackResponse(_message.Message):
    __slots__ = ("wav", "aac", "srt", "vtt", "cues", "captions", "voice_used", "music_source_used", "music_title", "duration_s", "integrated_lufs", "true_peak_dbtp", "warnings", "music_attribution", "sound_credits", "layer_levels", "scene_sound_used")
    WAV_FIELD_NUMBER: _ClassVar[int]
    AAC_FIELD_NUMBER: _ClassVar[int]
    SRT_FIELD_NUMBER: _ClassVar[int]
    VTT_FIELD_NUMBER: _ClassVar[int]
    CUES_FIELD_NUMBER: _ClassVar[int]
    CAPTIONS_FIELD_NUMBER: _ClassVar[int]
    VOICE_USED_FIELD_NUMBER: _ClassVar[int]
    MUSIC_SOURCE_USED_FIELD_NUMBER: _ClassVar[int]
    MUSIC_TITLE_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    INTEGRATED_LUFS_FIELD_NUMBER: _ClassVar[int]
    TRUE_PEAK_DBTP_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    MUSIC_ATTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    SOUND_CREDITS_FIELD_NUMBER: _ClassVar[int]
    LAYER_LEVELS_FIELD_NUMBER: _ClassVar[int]
    SCENE_SOUND_USED_FIELD_NUMBER: _ClassVar[int]
    wav: _common_pb2.Artifact
    aac: _common_pb2.Artifact
    srt: _common_pb2.Artifact
    vtt: _common_pb2.Artifact
    cues: _containers.RepeatedCompositeFieldContainer[SceneCue]
    captions: _containers.RepeatedCompositeFieldContainer[_common_pb2.CaptionCue]
    voice_used: str
    music_source_used: _common_pb2.MusicSource
    music_title: str
    duration_s: float
    integrated_lufs: float
    true_peak_dbtp: float
    warnings: _containers.RepeatedCompositeFieldContainer[_common_pb2.Warning]
    music_attribution: str
    sound_credits: _containers.RepeatedCompositeFieldContainer[_common_pb2.SoundCredit]
    layer_levels: _containers.RepeatedCompositeFieldContainer[_common_pb2.SoundLayerLevel]
    scene_sound_used: _common_pb2.SceneSoundMode
    def __init__(self, wav: _Optional[_Union[_common_pb2.Artifact, _Mapping]] = ..., aac: _Optional[_Union[_common_pb2.Artifact, _Mapping]] = ..., srt: _Optional[_Union[_common_pb2.Artifact, _Mapping]] = ..., vtt: _Optional[_Union[_common_pb2.Artifact, _Mapping]] = ..., cues: _Optional[_Iterable[_Union[SceneCue, _Mapping]]] = ..., captions: _Optional[_Iterable[_Union[_common_pb2.CaptionCue, _Mapping]]] = ..., voice_used: _Optional[str] = ..., music_source_used: _Optional[_Union[_common_pb2.MusicSource, str]] = ..., music_title: _Optional[str] = ..., duration_s: _Optional[float] = ..., integrated_lufs: _Optional[float] = ..., true_peak_dbtp: _Optional[float] = ..., warnings: _Optional[_Iterable[_Union[_common_pb2.Warning, _Mapping]]] = ..., music_attribution: _Optional[str] = ..., sound_credits: _Optional[_Iterable[_Union[_common_pb2.SoundCredit, _Mapping]]] = ..., layer_levels: _Optional[_Iterable[_Union[_common_pb2.SoundLayerLevel, _Mapping]]] = ..., scene_sound_used: _Optional[_Union[_common_pb2.SceneSoundMode, str]] = ...) -> None: ...

class AnalyzeMusicRequest(_message.Message):
    __slots__ = ("track_uri", "energy_hop_s")
    TRACK_URI_FIELD_NUMBER: _ClassVar[int]
    ENERGY_HOP_S_FIELD_NUMBER: _ClassVar[int]
    track_uri: str
    energy_hop_s: float
    def __init__(self, track_uri: _Optional[str] = ..., energy_hop_s: _Optional[float] = ...) -> None: ...

class AnalyzeMusicResponse(_message.Message):
    __slots__ = ("analysis",)
    ANALYSIS_FIELD_NUMBER: _ClassVar[int]
    analysis: _common_pb2.MusicAnalysis
    def __init__(self, analysis: _Optional[_Union[_common_pb2.MusicAnalysis, _Mapping]] = ...) -> None: ...
