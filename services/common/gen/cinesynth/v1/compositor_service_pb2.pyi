from services.common.gen.cinesynth.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TimelineScene(_message.Message):
    __slots__ = ("keyframe_uri", "duration_s", "motion", "transition", "transition_s", "motion_intensity", "clip_uri")
    KEYFRAME_URI_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    MOTION_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_S_FIELD_NUMBER: _ClassVar[int]
    MOTION_INTENSITY_FIELD_NUMBER: _ClassVar[int]
    CLIP_URI_FIELD_NUMBER: _ClassVar[int]
    keyframe_uri: str
    duration_s: float
    motion: _common_pb2.CameraMotion
    transition: _common_pb2.TransitionKind
    transition_s: float
    motion_intensity: float
    clip_uri: str
    def __init__(self, keyframe_uri: _Optional[str] = ..., duration_s: _Optional[float] = ..., motion: _Optional[_Union[_common_pb2.CameraMotion, _Mapping]] = ..., transition: _Optional[_Union[_common_pb2.TransitionKind, str]] = ..., transition_s: _Optional[float] = ..., motion_intensity: _Optional[float] = ..., clip_uri: _Optional[str] = ...) -> None: ...

class Grade(_message.Message):
    __slots__ = ("disabled", "brightness", "blue", "sharpen")
    DISABLED_FIELD_NUMBER: _ClassVar[int]
    BRIGHTNESS_FIELD_NUMBER: _ClassVar[int]
    BLUE_FIELD_NUMBER: _ClassVar[int]
    SHARPEN_FIELD_NUMBER: _ClassVar[int]
    disabled: bool
    brightness: float
    blue: float
    sharpen: bool
    def __init__(self, disabled: _Optional[bool] = ..., brightness: _Optional[float] = ..., blue: _Optional[float] = ..., sharpen: _Optional[bool] = ...) -> None: ...

class EncoderOptions(_message.Message):
    __slots__ = ("codec", "preset", "crf")
    CODEC_FIELD_NUMBER: _ClassVar[int]
    PRESET_FIELD_NUMBER: _ClassVar[int]
    CRF_FIELD_NUMBER: _ClassVar[int]
    codec: str
    preset: str
    crf: int
    def __init__(self, codec: _Optional[str] = ..., preset: _Optional[str] = ..., crf: _Optional[int] = ...) -> None: ...

class ComposeVideoRequest(_message.Message):
    __slots__ = ("scenes", "fps", "width", "height", "aspect", "grade", "encoder", "soundtrack_uri", "captions_srt_uri", "captions_vtt_uri", "output_prefix", "job_id")
    SCENES_FIELD_NUMBER: _ClassVar[int]
    FPS_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    ASPECT_FIELD_NUMBER: _ClassVar[int]
    GRADE_FIELD_NUMBER: _ClassVar[int]
    ENCODER_FIELD_NUMBER: _ClassVar[int]
    SOUNDTRACK_URI_FIELD_NUMBER: _ClassVar[int]
    CAPTIONS_SRT_URI_FIELD_NUMBER: _ClassVar[int]
    CAPTIONS_VTT_URI_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_PREFIX_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    scenes: _containers.RepeatedCompositeFieldContainer[TimelineScene]
    fps: int
    width: int
    height: int
    aspect: _common_pb2.AspectPreset
    grade: Grade
    encoder: EncoderOptions
    soundtrack_uri: str
    captions_srt_uri: str
    captions_vtt_uri: str
    output_prefix: str
    job_id: str
    def __init__(self, scenes: _Optional[_Iterable[_Union[TimelineScene, _Mapping]]] = ..., fps: _Optional[int] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., aspect: _Optional[_Union[_common_pb2.AspectPreset, str]] = ..., grade: _Optional[_Union[Grade, _Mapping]] = ..., encoder: _Optional[_Union[EncoderOptions, _Mapping]] = ..., soundtrack_uri: _Optional[str] = ..., captions_srt_uri: _Optional[str] = ..., captions_vtt_uri: _Optional[str] = ..., output_prefix: _Optional[str] = ..., job_id: _Optional[str] = ...) -> None: ...

class ComposeProgress(_message.Message):
    __slots__ = ("frames_done", "frames_total")
    FRAMES_DONE_FIELD_NUMBER: _ClassVar[int]
    FRAMES_TOTAL_FIELD_NUMBER: _ClassVar[int]
    frames_done: int
    frames_total: int
    def __init__(self, frames_done: _Optional[int] = ..., frames_total: _Optional[int] = ...) -> None: ...

class ComposeResult(_message.Message):
    __slots__ = ("video", "poster", "contact_sheet", "frame_count", "duration_s", "fps", "width", "height", "encoder", "warnings", "seconds", "srt", "vtt")
    VIDEO_FIELD_NUMBER: _ClassVar[int]
    POSTER_FIELD_NUMBER: _ClassVar[int]
    CONTACT_SHEET_FIELD_NUMBER: _ClassVar[int]
    FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    FPS_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    ENCODER_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    SRT_FIELD_NUMBER: _ClassVar[int]
    VTT_FIELD_NUMBER: _ClassVar[int]
    video: _common_pb2.Artifact
    poster: _common_pb2.Artifact
    contact_sheet: _common_pb2.Artifact
    frame_count: int
    duration_s: float
    fps: int
    width: int
    height: int
    encoder: str
    warnings: _containers.RepeatedCompositeFieldContainer[_common_pb2.Warning]
    seconds: float
    srt: _common_pb2.Artifact
    vtt: _common_pb2.Artifact
    def __init__(self, video: _Optional[_Union[_common_pb2.Artifact, _Mapping]] = ..., poster: _Optional[_Union[_common_pb2.Artifact, _Mapping]] = ..., contact_sheet: _Optional[_Union[_common_pb2.Artifact, _Mapping]] = ..., frame_count: _Optional[int] = ..., duration_s: _Optional[float] = ..., fps: _Optional[int] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., encoder: _Optional[str] = ..., warnings: _Optional[_Iterable[_Union[_common_pb2.Warning, _Mapping]]] = ..., seconds: _Optional[float] = ..., srt: _Optional[_Union[_common_pb2.Artifact, _Mapping]] = ..., vtt: _Optional[_Union[_common_pb2.Artifact, _Mapping]] = ...) -> None: ...

class ComposeVideoResponse(_message.Message):
    __slots__ = ("progress", "result")
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    progress: ComposeProgress
    result: ComposeResult
    def __init__(self, progress: _Optional[_Union[ComposeProgress, _Mapping]] = ..., result: _Optional[_Union[ComposeResult, _Mapping]] = ...) -> None: ...

class FrameRange(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: int
    end: int
    def __init__(self, start: _Optional[int] = ..., end: _Optional[int] = ...) -> None: ...

class PlanSegmentsRequest(_message.Message):
    __slots__ = ("compose", "max_segments", "min_segment_frames")
    COMPOSE_FIELD_NUMBER: _ClassVar[int]
    MAX_SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    MIN_SEGMENT_FRAMES_FIELD_NUMBER: _ClassVar[int]
    compose: ComposeVideoRequest
    max_segments: int
    min_segment_frames: int
    def __init__(self, compose: _Optional[_Union[ComposeVideoRequest, _Mapping]] = ..., max_segments: _Optional[int] = ..., min_segment_frames: _Optional[int] = ...) -> None: ...

class PlanSegmentsResponse(_message.Message):
    __slots__ = ("frame_count", "segments")
    FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    frame_count: int
    segments: _containers.RepeatedCompositeFieldContainer[FrameRange]
    def __init__(self, frame_count: _Optional[int] = ..., segments: _Optional[_Iterable[_Union[FrameRange, _Mapping]]] = ...) -> None: ...

class ComposeSegmentRequest(_message.Message):
    __slots__ = ("compose", "frames")
    COMPOSE_FIELD_NUMBER: _ClassVar[int]
    FRAMES_FIELD_NUMBER: _ClassVar[int]
    compose: ComposeVideoRequest
    frames: FrameRange
    def __init__(self, compose: _Optional[_Union[ComposeVideoRequest, _Mapping]] = ..., frames: _Optional[_Union[FrameRange, _Mapping]] = ...) -> None: ...

class SegmentStill(_message.Message):
    __slots__ = ("frame", "kind", "scene", "image")
    FRAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SCENE_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    frame: int
    kind: str
    scene: int
    image: _common_pb2.Artifact
    def __init__(self, frame: _Optional[int] = ..., kind: _Optional[str] = ..., scene: _Optional[int] = ..., image: _Optional[_Union[_common_pb2.Artifact, _Mapping]] = ...) -> None: ...

class SegmentResult(_message.Message):
    __slots__ = ("video", "frames", "stills", "encoder", "warnings", "seconds")
    VIDEO_FIELD_NUMBER: _ClassVar[int]
    FRAMES_FIELD_NUMBER: _ClassVar[int]
    STILLS_FIELD_NUMBER: _ClassVar[int]
    ENCODER_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    video: _common_pb2.Artifact
    frames: FrameRange
    stills: _containers.RepeatedCompositeFieldContainer[SegmentStill]
    encoder: str
    warnings: _containers.RepeatedCompositeFieldContainer[_common_pb2.Warning]
    seconds: float
    def __init__(self, video: _Optional[_Union[_common_pb2.Artifact, _Mapping]] = ..., frames: _Optional[_Union[FrameRange, _Mapping]] = ..., stills: _Optional[_Iterable[_Union[SegmentStill, _Mapping]]] = ..., encoder: _Optional[str] = ..., warnings: _Optional[_Iterable[_Union[_common_pb2.Warning, _Mapping]]] = ..., seconds: _Optional[float] = ...) -> None: ...

class ComposeSegmentResponse(_message.Message):
    __slots__ = ("progress", "result")
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    progress: ComposeProgress
    result: SegmentResult
    def __init__(self, progress: _Optional[_Union[ComposeProgress, _Mapping]] = ..., result: _Optional[_Union[SegmentResult, _Mapping]] = ...) -> None: ...

class JoinSegmentsRequest(_message.Message):
    __slots__ = ("compose", "segments")
    COMPOSE_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    compose: ComposeVideoRequest
    segments: _containers.RepeatedCompositeFieldContainer[SegmentResult]
    def __init__(self, compose: _Optional[_Union[ComposeVideoRequest, _Mapping]] = ..., segments: _Optional[_Iterable[_Union[SegmentResult, _Mapping]]] = ...) -> None: ...

class JoinSegmentsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: ComposeResult
    def __init__(self, result: _Optional[_Union[ComposeResult, _Mapping]] = ...) -> None: ...
