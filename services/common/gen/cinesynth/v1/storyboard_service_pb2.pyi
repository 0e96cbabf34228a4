from services.common.gen.cinesynth.v1 import common_pb2 as _common_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateStoryboardRequest(_message.Message):
    __slots__ = ("prompt", "scene_count", "duration_s", "style", "seed", "backend", "model", "music_context", "storyboard")
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    SCENE_COUNT_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    STYLE_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MUSIC_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    STORYBOARD_FIELD_NUMBER: _ClassVar[int]
    prompt: str
    scene_count: int
    duration_s: float
    style: str
    seed: int
    backend: _common_pb2.StoryboardBackend
    model: str
    music_context: _common_pb2.MusicContext
    storyboard: _common_pb2.Storyboard
    def __init__(self, prompt: _Optional[str] = ..., scene_count: _Optional[int] = ..., duration_s: _Optional[float] = ..., style: _Optional[str] = ..., seed: _Optional[int] = ..., backend: _Optional[_Union[_common_pb2.StoryboardBackend, str]] = ..., model: _Optional[str] = ..., music_context: _Optional[_Union[_common_pb2.MusicContext, _Mapping]] = ..., storyboard: _Optional[_Union[_common_pb2.Storyboard, _Mapping]] = ...) -> None: ...

class CreateStoryboardResponse(_message.Message):
    __slots__ = ("storyboard",)
    STORYBOARD_FIELD_NUMBER: _ClassVar[int]
    storyboard: _common_pb2.Storyboard
    def __init__(self, storyboard: _Optional[_Union[_common_pb2.Storyboard, _Mapping]] = ...) -> None: ...
