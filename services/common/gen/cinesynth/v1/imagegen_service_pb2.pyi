from services.common.gen.cinesynth.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class KeyframeSpec(_message.Message):
    __slots__ = ("id", "prompt", "negative_prompt", "width", "height", "steps", "guidance", "seed", "tier", "reference_image_uri", "reference_strength", "scene")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    NEGATIVE_PROMPT_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    GUIDANCE_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_IMAGE_URI_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_STRENGTH_FIELD_NUMBER: _ClassVar[int]
    SCENE_FIELD_NUMBER: _ClassVar[int]
    id: str
    prompt: str
    negative_prompt: str
    width: int
    height: int
    steps: int
    guidance: float
    seed: int
    tier: _common_pb2.Tier
    reference_image_uri: str
    reference_strength: float
    scene: _common_pb2.Scene
    def __init__(self, id: _Optional[str] = ..., prompt: _Optional[str] = ..., negative_prompt: _Optional[str] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., steps: _Optional[int] = ..., guidance: _Optional[float] = ..., seed: _Optional[int] = ..., tier: _Optional[_Union[_common_pb2.Tier, str]] = ..., reference_image_uri: _Optional[str] = ..., reference_strength: _Optional[float] = ..., scene: _Optional[_Union[_common_pb2.Scene, _Mapping]] = ...) -> None: ...

class GenerateKeyframesRequest(_message.Message):
    __slots__ = ("keyframes", "allow_degrade", "output_prefix", "job_id")
    KEYFRAMES_FIELD_NUMBER: _ClassVar[int]
    ALLOW_DEGRADE_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_PREFIX_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    keyframes: _containers.RepeatedCompositeFieldContainer[KeyframeSpec]
    allow_degrade: bool
    output_prefix: str
    job_id: str
    def __init__(self, keyframes: _Optional[_Iterable[_Union[KeyframeSpec, _Mapping]]] = ..., allow_degrade: _Optional[bool] = ..., output_prefix: _Optional[str] = ..., job_id: _Optional[str] = ...) -> None: ...

class Keyframe(_message.Message):
    __slots__ = ("id", "image", "model", "tier", "seed", "width", "height", "seconds", "cached", "warnings")
    ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    CACHED_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    id: str
    image: _common_pb2.Artifact
    model: str
    tier: _common_pb2.Tier
    seed: int
    width: int
    height: int
    seconds: float
    cached: bool
    warnings: _containers.RepeatedCompositeFieldContainer[_common_pb2.Warning]
    def __init__(self, id: _Optional[str] = ..., image: _Optional[_Union[_common_pb2.Artifact, _Mapping]] = ..., model: _Optional[str] = ..., tier: _Optional[_Union[_common_pb2.Tier, str]] = ..., seed: _Optional[int] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., seconds: _Optional[float] = ..., cached: _Optional[bool] = ..., warnings: _Optional[_Iterable[_Union[_common_pb2.Warning, _Mapping]]] = ...) -> None: ...

class GenerateKeyframesResponse(_message.Message):
    __slots__ = ("keyframe",)
    KEYFRAME_FIELD_NUMBER: _ClassVar[int]
    keyframe: Keyframe
    def __init__(self, keyframe: _Optional[_Union[Keyframe, _Mapping]] = ...) -> None: ...

class GetNodeInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetNodeInfoResponse(_message.Message):
    __slots__ = ("device_kind", "device_name", "vram_total_bytes", "vram_free_bytes", "tier", "model", "loaded", "warm", "max_concurrency", "queue_capacity", "inflight", "queue_depth", "available_tiers", "selection_reasons")
    DEVICE_KIND_FIELD_NUMBER: _ClassVar[int]
    DEVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    VRAM_TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    VRAM_FREE_BYTES_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    LOADED_FIELD_NUMBER: _ClassVar[int]
    WARM_FIELD_NUMBER: _ClassVar[int]
    MAX_CONCURRENCY_FIELD_NUMBER: _ClassVar[int]
    QUEUE_CAPACITY_FIELD_NUMBER: _ClassVar[int]
    INFLIGHT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_DEPTH_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_TIERS_FIELD_NUMBER: _ClassVar[int]
    SELECTION_REASONS_FIELD_NUMBER: _ClassVar[int]
    device_kind: str
    device_name: str
    vram_total_bytes: int
    vram_free_bytes: int
    tier: _common_pb2.Tier
    model: str
    loaded: bool
    warm: bool
    max_concurrency: int
    queue_capacity: int
    inflight: int
    queue_depth: int
    available_tiers: _containers.RepeatedScalarFieldContainer[_common_pb2.Tier]
    selection_reasons: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, device_kind: _Optional[str] = ..., device_name: _Optional[str] = ..., vram_total_bytes: _Optional[int] = ..., vram_free_bytes: _Optional[int] = ..., tier: _Optional[_Union[_common_pb2.Tier, str]] = ..., model: _Optional[str] = ..., loaded: _Optional[bool] = ..., warm: _Optional[bool] = ..., max_concurrency: _Optional[int] = ..., queue_capacity: _Optional[int] = ..., inflight: _Optional[int] = ..., queue_depth: _Optional[int] = ..., available_tiers: _Optional[_Iterable[_Union[_common_pb2.Tier, str]]] = ..., selection_reasons: _Optional[_Iterable[str]] = ...) -> None: ...
