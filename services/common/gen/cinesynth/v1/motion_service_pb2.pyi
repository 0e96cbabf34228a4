from services.common.gen.cinesynth.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ClipSpec(_message.Message):
    __slots__ = ("id", "keyframe_uri", "prompt", "negative_prompt", "duration_s", "width", "height", "camera", "motion_intensity", "seed", "tier", "steps")
    ID_FIELD_NUMBER: _ClassVar[int]
    KEYFRAME_URI_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    NEGATIVE_PROMPT_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    CAMERA_FIELD_NUMBER: _ClassVar[int]
    MOTION_INTENSITY_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    id: str
    keyframe_uri: str
    prompt: str
    negative_prompt: str
    duration_s: float
    width: int
    height: int
    camera: _common_pb2.CameraMotion
    motion_intensity: float
    seed: int
    tier: _common_pb2.MotionTier
    steps: int
    def __init__(self, id: _Optional[str] = ..., keyframe_uri: _Optional[str] = ..., prompt: _Optional[str] = ..., negative_prompt: _Optional[str] = ..., duration_s: _Optional[float] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., camera: _Optional[_Union[_common_pb2.CameraMotion, _Mapping]] = ..., motion_intensity: _Optional[float] = ..., seed: _Optional[int] = ..., tier: _Optional[_Union[_common_pb2.MotionTier, str]] = ..., steps: _Optional[int] = ...) -> None: ...

class GenerateClipsRequest(_message.Message):
    __slots__ = ("clips", "allow_degrade", "output_prefix", "job_id")
    CLIPS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_DEGRADE_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_PREFIX_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    clips: _containers.RepeatedCompositeFieldContainer[ClipSpec]
    allow_degrade: bool
    output_prefix: str
    job_id: str
    def __init__(self, clips: _Optional[_Iterable[_Union[ClipSpec, _Mapping]]] = ..., allow_degrade: _Optional[bool] = ..., output_prefix: _Optional[str] = ..., job_id: _Optional[str] = ...) -> None: ...

class Clip(_message.Message):
    __slots__ = ("id", "video", "frame_count", "fps", "width", "height", "model", "tier", "seed", "segments", "seconds", "cached", "warnings", "camera_in_clip")
    ID_FIELD_NUMBER: _ClassVar[int]
    VIDEO_FIELD_NUMBER: _ClassVar[int]
    FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    FPS_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    CACHED_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    CAMERA_IN_CLIP_FIELD_NUMBER: _ClassVar[int]
    id: str
    video: _common_pb2.Artifact
    frame_count: int
    fps: float
    width: int
    height: int
    model: str
    tier: _common_pb2.MotionTier
    seed: int
    segments: int
    seconds: float
    cached: bool
    warnings: _containers.RepeatedCompositeFieldContainer[_common_pb2.Warning]
    camera_in_clip: bool
    def __init__(self, id: _Optional[str] = ..., video: _Optional[_Union[_common_pb2.Artifact, _Mapping]] = ..., frame_count: _Optional[int] = ..., fps: _Optional[float] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., model: _Optional[str] = ..., tier: _Optional[_Union[_common_pb2.MotionTier, str]] = ..., seed: _Optional[int] = ..., segments: _Optional[int] = ..., seconds: _Optional[float] = ..., cached: _Optional[bool] = ..., warnings: _Optional[_Iterable[_Union[_common_pb2.Warning, _Mapping]]] = ..., camera_in_clip: _Optional[bool] = ...) -> None: ...

class GenerateClipsResponse(_message.Message):
    __slots__ = ("clip",)
    CLIP_FIELD_NUMBER: _ClassVar[int]
    clip: Clip
    def __init__(self, clip: _Optional[_Union[Clip, _Mapping]] = ...) -> None: ...

class GetMotionNodeInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetMotionNodeInfoResponse(_message.Message):
    __slots__ = ("device_kind", "device_name", "vram_total_bytes", "vram_free_bytes", "tier", "model", "loaded", "inflight", "queue_depth", "selection_reasons")
    DEVICE_KIND_FIELD_NUMBER: _ClassVar[int]
    DEVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    VRAM_TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    VRAM_FREE_BYTES_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    LOADED_FIELD_NUMBER: _ClassVar[int]
    INFLIGHT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_DEPTH_FIELD_NUMBER: _ClassVar[int]
    SELECTION_REASONS_FIELD_NUMBER: _ClassVar[int]
    device_kind: str
    device_name: str
    vram_total_bytes: int
    vram_free_bytes: int
    tier: _common_pb2.MotionTier
    model: str
    loaded: bool
    inflight: int
    queue_depth: int
    selection_reasons: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, device_kind: _Optional[str] = ..., device_name: _Optional[str] = ..., vram_total_bytes: _Optional[int] = ..., vram_free_bytes: _Optional[int] = ..., tier: _Optional[_Union[_common_pb2.MotionTier, str]] = ..., model: _Optional[str] = ..., loaded: _Optional[bool] = ..., inflight: _Optional[int] = ..., queue_depth: _Optional[int] = ..., selection_reasons: _Optional[_Iterable[str]] = ...) -> None: ...
