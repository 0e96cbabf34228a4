import datetime

from services.common.gen.cinesynth.v1 import common_pb2 as _common_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.rpc import status_pb2 as _status_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class JobState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    JOB_STATE_UNSPECIFIED: _ClassVar[JobState]
    JOB_STATE_QUEUED: _ClassVar[JobState]
    JOB_STATE_RUNNING: _ClassVar[JobState]
    JOB_STATE_SUCCEEDED: _ClassVar[JobState]
    JOB_STATE_FAILED: _ClassVar[JobState]
    JOB_STATE_CANCELLED: _ClassVar[JobState]

class JobStage(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    JOB_STAGE_UNSPECIFIED: _ClassVar[JobStage]
    JOB_STAGE_QUEUED: _ClassVar[JobStage]
    JOB_STAGE_ANALYZE_MUSIC: _ClassVar[JobStage]
    JOB_STAGE_STORYBOARD: _ClassVar[JobStage]
    JOB_STAGE_KEYFRAMES: _ClassVar[JobStage]
    JOB_STAGE_SOUNDTRACK: _ClassVar[JobStage]
    JOB_STAGE_COMPOSE: _ClassVar[JobStage]
    JOB_STAGE_DONE: _ClassVar[JobStage]
    JOB_STAGE_MOTION: _ClassVar[JobStage]
    JOB_STAGE_UPSCALE: _ClassVar[JobStage]
JOB_STATE_UNSPECIFIED: JobState
JOB_STATE_QUEUED: JobState
JOB_STATE_RUNNING: JobState
JOB_STATE_SUCCEEDED: JobState
JOB_STATE_FAILED: JobState
JOB_STATE_CANCELLED: JobState
JOB_STAGE_UNSPECIFIED: JobStage
JOB_STAGE_QUEUED: JobStage
JOB_STAGE_ANALYZE_MUSIC: JobStage
JOB_STAGE_STORYBOARD: JobStage
JOB_STAGE_KEYFRAMES: JobStage
JOB_STAGE_SOUNDTRACK: JobStage
JOB_STAGE_COMPOSE: JobStage
JOB_STAGE_DONE: JobStage
JOB_STAGE_MOTION: JobStage
JOB_STAGE_UPSCALE: JobStage

class MusicInput(_message.Message):
    __slots__ = ("upload_id", "library_track_id", "genre_tags", "mv_type", "lyrics", "narration")
    UPLOAD_ID_FIELD_NUMBER: _ClassVar[int]
    LIBRARY_TRACK_ID_FIELD_NUMBER: _ClassVar[int]
    GENRE_TAGS_FIELD_NUMBER: _ClassVar[int]
    MV_TYPE_FIELD_NUMBER: _ClassVar[int]
    LYRICS_FIELD_NUMBER: _ClassVar[int]
    NARRATION_FIELD_NUMBER: _ClassVar[int]
    upload_id: str
    library_track_id: str
    genre_tags: _containers.RepeatedScalarFieldContainer[str]
    mv_type: _common_pb2.MvType
    lyrics: str
    narration: bool
    def __init__(self, upload_id: _Optional[str] = ..., library_track_id: _Optional[str] = ..., genre_tags: _Optional[_Iterable[str]] = ..., mv_type: _Optional[_Union[_common_pb2.MvType, str]] = ..., lyrics: _Optional[str] = ..., narration: _Optional[bool] = ...) -> None: ...

class VideoSpec(_message.Message):
    __slots__ = ("duration_s", "scene_count", "fps", "width", "height", "aspect", "tier", "allow_degrade", "seed", "style", "voice", "music_source", "captions", "storyboard_backend", "transition", "motion_tier", "scene_sound")
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    SCENE_COUNT_FIELD_NUMBER: _ClassVar[int]
    FPS_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    ASPECT_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    ALLOW_DEGRADE_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    STYLE_FIELD_NUMBER: _ClassVar[int]
    VOICE_FIELD_NUMBER: _ClassVar[int]
    MUSIC_SOURCE_FIELD_NUMBER: _ClassVar[int]
    CAPTIONS_FIELD_NUMBER: _ClassVar[int]
    STORYBOARD_BACKEND_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_FIELD_NUMBER: _ClassVar[int]
    MOTION_TIER_FIELD_NUMBER: _ClassVar[int]
    SCENE_SOUND_FIELD_NUMBER: _ClassVar[int]
    duration_s: float
    scene_count: int
    fps: int
    width: int
    height: int
    aspect: _common_pb2.AspectPreset
    tier: _common_pb2.Tier
    allow_degrade: bool
    seed: int
    style: str
    voice: _common_pb2.VoiceOptions
    music_source: _common_pb2.MusicSource
    captions: bool
    storyboard_backend: _common_pb2.StoryboardBackend
    transition: _common_pb2.TransitionKind
    motion_tier: _common_pb2.MotionTier
    scene_sound: _common_pb2.SceneSoundMode
    def __init__(self, duration_s: _Optional[float] = ..., scene_count: _Optional[int] = ..., fps: _Optional[int] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., aspect: _Optional[_Union[_common_pb2.AspectPreset, str]] = ..., tier: _Optional[_Union[_common_pb2.Tier, str]] = ..., allow_degrade: _Optional[bool] = ..., seed: _Optional[int] = ..., style: _Optional[str] = ..., voice: _Optional[_Union[_common_pb2.VoiceOptions, _Mapping]] = ..., music_source: _Optional[_Union[_common_pb2.MusicSource, str]] = ..., captions: _Optional[bool] = ..., storyboard_backend: _Optional[_Union[_common_pb2.StoryboardBackend, str]] = ..., transition: _Optional[_Union[_common_pb2.TransitionKind, str]] = ..., motion_tier: _Optional[_Union[_common_pb2.MotionTier, str]] = ..., scene_sound: _Optional[_Union[_common_pb2.SceneSoundMode, str]] = ...) -> None: ...

class CreateVideoRequest(_message.Message):
    __slots__ = ("request_id", "prompt", "music", "storyboard", "spec", "labels", "callback_url")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    MUSIC_FIELD_NUMBER: _ClassVar[int]
    STORYBOARD_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_URL_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    prompt: str
    music: MusicInput
    storyboard: _common_pb2.Storyboard
    spec: VideoSpec
    labels: _containers.ScalarMap[str, str]
    callback_url: str
    def __init__(self, request_id: _Optional[str] = ..., prompt: _Optional[str] = ..., music: _Optional[_Union[MusicInput, _Mapping]] = ..., storyboard: _Optional[_Union[_common_pb2.Storyboard, _Mapping]] = ..., spec: _Optional[_Union[VideoSpec, _Mapping]] = ..., labels: _Optional[_Mapping[str, str]] = ..., callback_url: _Optional[str] = ...) -> None: ...

class CreateVideoResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: Job
    def __init__(self, job: _Optional[_Union[Job, _Mapping]] = ...) -> None: ...

class StageTiming(_message.Message):
    __slots__ = ("stage", "start_time", "end_time", "seconds")
    STAGE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    stage: JobStage
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    seconds: float
    def __init__(self, stage: _Optional[_Union[JobStage, str]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., seconds: _Optional[float] = ...) -> None: ...

class Job(_message.Message):
    __slots__ = ("name", "id", "request_id", "state", "stage", "progress", "timings", "storyboard", "artifacts", "warnings", "error", "create_time", "update_time", "end_time", "labels", "spec", "tier_used", "model_used", "keyframes_done", "keyframes_total", "frames_done", "frames_total", "source_kind", "prompt", "stage_progress", "message", "motion_tier_used", "motion_model_used", "clips_done", "clips_total", "upscaler_used", "eta_s", "event_sequence", "sound_credits", "sound_levels")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    TIMINGS_FIELD_NUMBER: _ClassVar[int]
    STORYBOARD_FIELD_NUMBER: _ClassVar[int]
    ARTIFACTS_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    TIER_USED_FIELD_NUMBER: _ClassVar[int]
    MODEL_USED_FIELD_NUMBER: _ClassVar[int]
    KEYFRAMES_DONE_FIELD_NUMBER: _ClassVar[int]
    KEYFRAMES_TOTAL_FIELD_NUMBER: _ClassVar[int]
    FRAMES_DONE_FIELD_NUMBER: _ClassVar[int]
    FRAMES_TOTAL_FIELD_NUMBER: _ClassVar[int]
    SOURCE_KIND_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    STAGE_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    MOTION_TIER_USED_FIELD_NUMBER: _ClassVar[int]
    MOTION_MODEL_USED_FIELD_NUMBER: _ClassVar[int]
    CLIPS_DONE_FIELD_NUMBER: _ClassVar[int]
    CLIPS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    UPSCALER_USED_FIELD_NUMBER: _ClassVar[int]
    ETA_S_FIELD_NUMBER: _ClassVar[int]
    EVENT_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    SOUND_CREDITS_FIELD_NUMBER: _ClassVar[int]
    SOUND_LEVELS_FIELD_NUMBER: _ClassVar[int]
    name: str
    id: str
    request_id: str
    state: JobState
    stage: JobStage
    progress: float
    timings: _containers.RepeatedCompositeFieldContainer[StageTiming]
    storyboard: _common_pb2.Storyboard
    artifacts: _containers.RepeatedCompositeFieldContainer[_common_pb2.Artifact]
    warnings: _containers.RepeatedCompositeFieldContainer[_common_pb2.Warning]
    error: _status_pb2.Status
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    labels: _containers.ScalarMap[str, str]
    spec: VideoSpec
    tier_used: _common_pb2.Tier
    model_used: str
    keyframes_done: int
    keyframes_total: int
    frames_done: int
    frames_total: int
    source_kind: str
    prompt: str
    stage_progress: float
    message: str
    motion_tier_used: _common_pb2.MotionTier
    motion_model_used: str
    clips_done: int
    clips_total: int
    upscaler_used: str
    eta_s: float
    event_sequence: int
    sound_credits: _containers.RepeatedCompositeFieldContainer[_common_pb2.SoundCredit]
    sound_levels: _containers.RepeatedCompositeFieldContainer[_common_pb2.SoundLayerLevel]
    def __init__(self, name: _Optional[str] = ..., id: _Optional[str] = ..., request_id: _Optional[str] = ..., state: _Optional[_Union[JobState, str]] = ..., stage: _Optional[_Union[JobStage, str]] = ..., progress: _Optional[float] = ..., timings: _Optional[_Iterable[_Union[StageTiming, _Mapping]]] = ..., storyboard: _Optional[_Union[_common_pb2.Storyboard, _Mapping]] = ..., artifacts: _Optional[_Iterable[_Union[_common_pb2.Artifact, _Mapping]]] = ..., warnings: _Optional[_Iterable[_Union[_common_pb2.Warning, _Mapping]]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., labels: _Optional[_Mapping[str, str]] = ..., spec: _Optional[_Union[VideoSpec, _Mapping]] = ..., tier_used: _Optional[_Union[_common_pb2.Tier, str]] = ..., model_used: _Optional[str] = ..., keyframes_done: _Optional[int] = ..., keyframes_total: _Optional[int] = ..., frames_done: _Optional[int] = ..., frames_total: _Optional[int] = ..., source_kind: _Optional[str] = ..., prompt: _Optional[str] = ..., stage_progress: _Optional[float] = ..., message: _Optional[str] = ..., motion_tier_used: _Optional[_Union[_common_pb2.MotionTier, str]] = ..., motion_model_used: _Optional[str] = ..., clips_done: _Optional[int] = ..., clips_total: _Optional[int] = ..., upscaler_used: _Optional[str] = ..., eta_s: _Optional[float] = ..., event_sequence: _Optional[int] = ..., sound_credits: _Optional[_Iterable[_Union[_common_pb2.SoundCredit, _Mapping]]] = ..., sound_levels: _Optional[_Iterable[_Union[_common_pb2.SoundLayerLevel, _Mapping]]] = ...) -> None: ...

class JobEvent(_message.Message):
    __slots__ = ("job_name", "sequence", "state", "stage", "progress", "message", "warnings", "keyframes_done", "keyframes_total", "frames_done", "frames_total", "time", "job", "stage_progress", "eta_s", "missed_events")
    JOB_NAME_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    KEYFRAMES_DONE_FIELD_NUMBER: _ClassVar[int]
    KEYFRAMES_TOTAL_FIELD_NUMBER: _ClassVar[int]
    FRAMES_DONE_FIELD_NUMBER: _ClassVar[int]
    FRAMES_TOTAL_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    STAGE_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    ETA_S_FIELD_NUMBER: _ClassVar[int]
    MISSED_EVENTS_FIELD_NUMBER: _ClassVar[int]
    job_name: str
    sequence: int
    state: JobState
    stage: JobStage
    progress: float
    message: str
    warnings: _containers.RepeatedCompositeFieldContainer[_common_pb2.Warning]
    keyframes_done: int
    keyframes_total: int
    frames_done: int
    frames_total: int
    time: _timestamp_pb2.Timestamp
    job: Job
    stage_progress: float
    eta_s: float
    missed_events: int
    def __init__(self, job_name: _Optional[str] = ..., sequence: _Optional[int] = ..., state: _Optional[_Union[JobState, str]] = ..., stage: _Optional[_Union[JobStage, str]] = ..., progress: _Optional[float] = ..., message: _Optional[str] = ..., warnings: _Optional[_Iterable[_Union[_common_pb2.Warning, _Mapping]]] = ..., keyframes_done: _Optional[int] = ..., keyframes_total: _Optional[int] = ..., frames_done: _Optional[int] = ..., frames_total: _Optional[int] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., job: _Optional[_Union[Job, _Mapping]] = ..., stage_progress: _Optional[float] = ..., eta_s: _Optional[float] = ..., missed_events: _Optional[int] = ...) -> None: ...

class GetJobRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: Job
    def __init__(self, job: _Optional[_Union[Job, _Mapping]] = ...) -> None: ...

class ListJobsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "state", "labels")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    state: JobState
    labels: _containers.ScalarMap[str, str]
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., state: _Optional[_Union[JobState, str]] = ..., labels: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ListJobsResponse(_message.Message):
    __slots__ = ("jobs", "next_page_token")
    JOBS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    jobs: _containers.RepeatedCompositeFieldContainer[Job]
    next_page_token: str
    def __init__(self, jobs: _Optional[_Iterable[_Union[Job, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CancelJobRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class CancelJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: Job
    def __init__(self, job: _Optional[_Union[Job, _Mapping]] = ...) -> None: ...

class WatchJobRequest(_message.Message):
    __slots__ = ("name", "after_sequence")
    NAME_FIELD_NUMBER: _ClassVar[int]
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    name: str
    after_sequence: int
    def __init__(self, name: _Optional[str] = ..., after_sequence: _Optional[int] = ...) -> None: ...

class WatchJobResponse(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: JobEvent
    def __init__(self, event: _Optional[_Union[JobEvent, _Mapping]] = ...) -> None: ...

class GenerateVideoRequest(_message.Message):
    __slots__ = ("request",)
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    request: CreateVideoRequest
    def __init__(self, request: _Optional[_Union[CreateVideoRequest, _Mapping]] = ...) -> None: ...

class GenerateVideoResponse(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: JobEvent
    def __init__(self, event: _Optional[_Union[JobEvent, _Mapping]] = ...) -> None: ...

class DownloadArtifactRequest(_message.Message):
    __slots__ = ("name", "artifact", "kind", "chunk_size")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CHUNK_SIZE_FIELD_NUMBER: _ClassVar[int]
    name: str
    artifact: str
    kind: _common_pb2.ArtifactKind
    chunk_size: int
    def __init__(self, name: _Optional[str] = ..., artifact: _Optional[str] = ..., kind: _Optional[_Union[_common_pb2.ArtifactKind, str]] = ..., chunk_size: _Optional[int] = ...) -> None: ...

class DownloadArtifactResponse(_message.Message):
    __slots__ = ("artifact", "offset", "data")
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    artifact: _common_pb2.Artifact
    offset: int
    data: bytes
    def __init__(self, artifact: _Optional[_Union[_common_pb2.Artifact, _Mapping]] = ..., offset: _Optional[int] = ..., data: _Optional[bytes] = ...) -> None: ...

class UploadMusicMetadata(_message.Message):
    __slots__ = ("filename", "mime_type", "size_bytes")
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    filename: str
    mime_type: str
    size_bytes: int
    def __init__(self, filename: _Optional[str] = ..., mime_type: _Optional[str] = ..., size_bytes: _Optional[int] = ...) -> None: ...

class UploadMusicRequest(_message.Message):
    __slots__ = ("metadata", "chunk")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    metadata: UploadMusicMetadata
    chunk: bytes
    def __init__(self, metadata: _Optional[_Union[UploadMusicMetadata, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class UploadMusicResponse(_message.Message):
    __slots__ = ("upload_id", "size_bytes", "sha256", "duration_s")
    UPLOAD_ID_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    upload_id: str
    size_bytes: int
    sha256: str
    duration_s: float
    def __init__(self, upload_id: _Optional[str] = ..., size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ..., duration_s: _Optional[float] = ...) -> None: ...
