from services.common.gen.cinesynth.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UpscaleMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UPSCALE_METHOD_UNSPECIFIED: _ClassVar[UpscaleMethod]
    UPSCALE_METHOD_LANCZOS: _ClassVar[UpscaleMethod]
    UPSCALE_METHOD_REALESRGAN: _ClassVar[UpscaleMethod]
    UPSCALE_METHOD_LDM_SUPER_RESOLUTION: _ClassVar[UpscaleMethod]
UPSCALE_METHOD_UNSPECIFIED: UpscaleMethod
UPSCALE_METHOD_LANCZOS: UpscaleMethod
UPSCALE_METHOD_REALESRGAN: UpscaleMethod
UPSCALE_METHOD_LDM_SUPER_RESOLUTION: UpscaleMethod

class UpscaleItem(_message.Message):
    __slots__ = ("id", "source_uri")
    ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_URI_FIELD_NUMBER: _ClassVar[int]
    id: str
    source_uri: str
    def __init__(self, id: _Optional[str] = ..., source_uri: _Optional[str] = ...) -> None: ...

class UpscaleMediaRequest(_message.Message):
    __slots__ = ("items", "width", "height", "method", "allow_degrade", "output_prefix", "job_id")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    ALLOW_DEGRADE_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_PREFIX_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[UpscaleItem]
    width: int
    height: int
    method: UpscaleMethod
    allow_degrade: bool
    output_prefix: str
    job_id: str
    def __init__(self, items: _Optional[_Iterable[_Union[UpscaleItem, _Mapping]]] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., method: _Optional[_Union[UpscaleMethod, str]] = ..., allow_degrade: _Optional[bool] = ..., output_prefix: _Optional[str] = ..., job_id: _Optional[str] = ...) -> None: ...

class UpscaledMedia(_message.Message):
    __slots__ = ("id", "output", "method", "model", "width", "height", "frame_count", "seconds", "warnings")
    ID_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    id: str
    output: _common_pb2.Artifact
    method: UpscaleMethod
    model: str
    width: int
    height: int
    frame_count: int
    seconds: float
    warnings: _containers.RepeatedCompositeFieldContainer[_common_pb2.Warning]
    def __init__(self, id: _Optional[str] = ..., output: _Optional[_Union[_common_pb2.Artifact, _Mapping]] = ..., method: _Optional[_Union[UpscaleMethod, str]] = ..., model: _Optional[str] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., frame_count: _Optional[int] = ..., seconds: _Optional[float] = ..., warnings: _Optional[_Iterable[_Union[_common_pb2.Warning, _Mapping]]] = ...) -> None: ...

class UpscaleMediaResponse(_message.Message):
    __slots__ = ("media",)
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    media: UpscaledMedia
    def __init__(self, media: _Optional[_Union[UpscaledMedia, _Mapping]] = ...) -> None: ...
