"""Scene sound through the gateway: the request's switch, each scene's sound to the audio service,
and the credits and layer levels the audio service returns onto the job."""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format

from services.common import pb
from services.common.enums import enum_value, short_names

common = pb.common_pb2
audio = pb.audio_pb2
PREFIX = "SCENE_SOUND_MODE_"
SCENE_SOUND_MODES = short_names(common.SceneSoundMode, PREFIX)


def mode_value(short: str) -> int:
    """"full" -> SCENE_SOUND_MODE_FULL; "" -> unspecified (the audio service's default)."""
    return enum_value(common.SceneSoundMode, PREFIX, short)


def add_to_request(request: audio.CreateSoundtrackRequest, storyboard: common.Storyboard, mode: str) -> None:
    """The switch and each scene's sound (the soundtrack's scenes are the storyboard's, in order)."""
    request.scene_sound = mode_value(mode)
    for target, scene in zip(request.scenes, storyboard.scenes, strict=False):
        if scene.HasField("sound"):
            target.sound.CopyFrom(scene.sound)


def _as_dicts(messages: Any) -> list[dict[str, Any]]:
    return [json_format.MessageToDict(m, preserving_proto_field_name=True) for m in messages]


def record_fields(response: audio.CreateSoundtrackResponse) -> dict[str, list[dict[str, Any]]]:
    """What the soundtrack checkpoint keeps: credits and levels as proto JSON."""
    return {"sound_credits": _as_dicts(response.sound_credits), "sound_levels": _as_dicts(response.layer_levels)}


def add_to_job(job: Any, record: Any) -> None:
    """Copy a soundtrack checkpoint's credits and levels onto a `cinesynth.v1.Job`."""
    if record is None:
        return
    for credit in getattr(record, "sound_credits", None) or []:
        json_format.ParseDict(credit, job.sound_credits.add(), ignore_unknown_fields=True)
    for level in getattr(record, "sound_levels", None) or []:
        json_format.ParseDict(level, job.sound_levels.add(), ignore_unknown_fields=True)
