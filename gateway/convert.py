"""proto <-> gateway core types. The only place that knows both."""

from __future__ import annotations

import json

import grpc
from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp
from google.rpc import status_pb2

from gateway import scene_sound
from gateway.enums import enum_value, short_name
from gateway.model import ArtifactRecord, Job, JobState, MusicSpec, Stage, WarningRecord
from gateway.service import JobUpdate
from gateway.validation import CreateVideoInput, SpecInput
from services.common import pb
from services.common.errors import InvalidArgument

common = pb.common_pb2
video = pb.video_pb2

_CODES = {code.name: code.value[0] for code in grpc.StatusCode}


def timestamp(seconds: float | None) -> Timestamp | None:
    if seconds is None:
        return None
    ts = Timestamp()
    ts.FromNanoseconds(int(seconds * 1e9))
    return ts


# --- requests ------------------------------------------------------------------------------------


def create_input(request: video.CreateVideoRequest) -> CreateVideoInput:
    spec = request.spec
    source = request.WhichOneof("source") or ""
    music = None
    if source == "music":
        m = request.music
        music = MusicSpec(
            upload_id=m.upload_id,
            library_track_id=m.library_track_id,
            genre_tags=list(m.genre_tags),
            mv_type=short_name(common.MvType, "MV_TYPE_", m.mv_type),
            lyrics=m.lyrics,
            narration=m.narration,
        )
    storyboard = None
    if source == "storyboard":
        storyboard = json_format.MessageToDict(request.storyboard, preserving_proto_field_name=True)
    return CreateVideoInput(
        request_id=request.request_id.strip(),
        source_kind=source,
        prompt=request.prompt,
        storyboard=storyboard,
        music=music,
        spec=SpecInput(
            duration_s=spec.duration_s,
            scene_count=spec.scene_count,
            fps=spec.fps,
            width=spec.width,
            height=spec.height,
            aspect=short_name(common.AspectPreset, "ASPECT_PRESET_", spec.aspect),
            tier=short_name(common.Tier, "TIER_", spec.tier),
            allow_degrade=spec.allow_degrade,
            seed=spec.seed if spec.HasField("seed") else None,
            style=spec.style,
            voice=spec.voice.voice.strip().lower(),
            language=spec.voice.language.strip(),
            speaking_rate=spec.voice.speaking_rate,
            music_source=short_name(common.MusicSource, "MUSIC_SOURCE_", spec.music_source),
            captions=spec.captions if spec.HasField("captions") else None,
            storyboard_backend=short_name(common.StoryboardBackend, "STORYBOARD_BACKEND_", spec.storyboard_backend),
            transition=short_name(common.TransitionKind, "TRANSITION_KIND_", spec.transition),
            scene_sound=short_name(common.SceneSoundMode, scene_sound.PREFIX, spec.scene_sound),
        ),
        labels=dict(request.labels),
        callback_url=request.callback_url.strip(),
    )


def job_state(value: int) -> JobState | None:
    name = short_name(video.JobState, "JOB_STATE_", value)
    if not name:
        return None
    try:
        return JobState(name)
    except ValueError:
        raise InvalidArgument.field("state", f"unknown job state {value}") from None


def artifact_kind(value: int) -> str:
    return short_name(common.ArtifactKind, "ARTIFACT_KIND_", value)


# --- responses -----------------------------------------------------------------------------------


def artifact_to_proto(artifact: ArtifactRecord) -> common.Artifact:
    return common.Artifact(
        name=artifact.name,
        uri=artifact.uri,
        mime_type=artifact.mime_type,
        size_bytes=artifact.size_bytes,
        sha256=artifact.sha256,
        kind=enum_value(common.ArtifactKind, "ARTIFACT_KIND_", artifact.kind),
    )


def warning_to_proto(warning: WarningRecord) -> common.Warning:
    return common.Warning(code=warning.code, message=warning.message, stage=warning.stage)


def _stage(stage: Stage | str) -> int:
    return enum_value(video.JobStage, "JOB_STAGE_", Stage(stage).value)


def job_to_proto(job: Job) -> video.Job:
    spec = job.spec
    out = video.Job(
        name=job.name,
        id=job.id,
        request_id=job.request_id,
        state=enum_value(video.JobState, "JOB_STATE_", job.state.value),
        stage=_stage(job.stage),
        progress=job.progress,
        stage_progress=job.stage_progress,
        message=job.message,
        artifacts=[artifact_to_proto(a) for a in job.artifacts],
        warnings=[warning_to_proto(w) for w in job.warnings],
        labels=job.labels,
        spec=video.VideoSpec(
            duration_s=spec.duration_s,
            scene_count=spec.scene_count,
            fps=spec.fps,
            width=spec.width,
            height=spec.height,
            aspect=enum_value(common.AspectPreset, "ASPECT_PRESET_", spec.aspect),
            tier=enum_value(common.Tier, "TIER_", spec.tier),
            allow_degrade=spec.allow_degrade,
            seed=spec.seed,
            style=spec.style,
            voice=common.VoiceOptions(
                voice=spec.voice.voice, language=spec.voice.language, speaking_rate=spec.voice.speaking_rate
            ),
            music_source=enum_value(common.MusicSource, "MUSIC_SOURCE_", spec.music_source),
            captions=spec.captions,
            storyboard_backend=enum_value(common.StoryboardBackend, "STORYBOARD_BACKEND_", spec.storyboard_backend),
            transition=enum_value(common.TransitionKind, "TRANSITION_KIND_", spec.transition),
            scene_sound=scene_sound.mode_value(spec.scene_sound),
        ),
        tier_used=enum_value(common.Tier, "TIER_", job.tier_used),
        model_used=job.model_used,
        keyframes_done=job.keyframes_done,
        keyframes_total=job.keyframes_total,
        frames_done=job.frames_done,
        frames_total=job.frames_total,
        source_kind=job.source_kind,
        prompt=job.prompt,
    )
    for timing in job.timings:
        out.timings.append(
            video.StageTiming(
                stage=_stage(timing.stage),
                start_time=timestamp(timing.start_time),
                end_time=timestamp(timing.end_time),
                seconds=timing.seconds,
            )
        )
    if job.storyboard is not None:
        json_format.ParseDict(job.storyboard, out.storyboard, ignore_unknown_fields=True)
    scene_sound.add_to_job(out, job.soundtrack)
    if job.error is not None:
        out.error.CopyFrom(status_pb2.Status(code=_CODES.get(job.error.code, 2), message=job.error.message))
    out.create_time.CopyFrom(timestamp(job.create_time))
    out.update_time.CopyFrom(timestamp(job.update_time))
    if job.end_time is not None:
        out.end_time.CopyFrom(timestamp(job.end_time))
    return out


def event_to_proto(update: JobUpdate) -> video.JobEvent:
    job = update.job
    event = video.JobEvent(
        job_name=job.name,
        sequence=job.version,
        state=enum_value(video.JobState, "JOB_STATE_", job.state.value),
        stage=_stage(job.stage),
        progress=job.progress,
        stage_progress=job.stage_progress,
        message=job.message,
        warnings=[warning_to_proto(w) for w in update.new_warnings],
        keyframes_done=job.keyframes_done,
        keyframes_total=job.keyframes_total,
        frames_done=job.frames_done,
        frames_total=job.frames_total,
        time=timestamp(job.update_time),
    )
    if update.first or job.terminal:
        event.job.CopyFrom(job_to_proto(job))
    return event


def job_json(job: Job) -> bytes:
    """The webhook body: the public Job as JSON with the proto's snake_case names."""
    data = json_format.MessageToDict(job_to_proto(job), preserving_proto_field_name=True)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
