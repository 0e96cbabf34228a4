"""Public API proto (VideoService) <-> gateway core types. Internal services' messages are built from
the job and written back into it by each stage's `request` / `record` pair (gateway/stages/)."""

from __future__ import annotations

import json
from collections.abc import Callable

import grpc
from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp
from google.rpc import status_pb2

from gateway import scene_sound
from gateway.events import last_sequence
from gateway.finite import non_finite_fields
from gateway.model import ArtifactRecord, Job, JobState, MusicSpec, Stage, WarningRecord
from gateway.service import JobUpdate
from gateway.validation import CreateVideoInput, SpecInput
from services.common import pb
from services.common.enums import enum_value, short_name
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
    non_finite: list[str] = []
    if source == "storyboard":
        storyboard = json_format.MessageToDict(request.storyboard, preserving_proto_field_name=True)
        non_finite = [f"storyboard.{path}" for path in non_finite_fields(request.storyboard)]
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
            motion_tier=short_name(common.MotionTier, "MOTION_TIER_", spec.motion_tier),
            scene_sound=short_name(common.SceneSoundMode, scene_sound.PREFIX, spec.scene_sound),
        ),
        labels=dict(request.labels),
        callback_url=request.callback_url.strip(),
        storyboard_non_finite=non_finite,
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


def public_artifact_uri(job_name: str, artifact_name: str) -> str:
    """What a client sees as an artifact's location: its name under the job (`jobs/{id}/artifacts/{name}`,
    fetched with DownloadArtifact), never the store's layout (a host path, a bucket)."""
    return f"{job_name}/artifacts/{artifact_name}"


# (job name, artifact) -> the URI shown to clients; a presigned S3 URL where the gateway is set up for it.
ArtifactLinks = Callable[[str, ArtifactRecord], str]


def named_links(job_name: str, artifact: ArtifactRecord) -> str:
    return public_artifact_uri(job_name, artifact.name)


def artifact_to_proto(artifact: ArtifactRecord, job_name: str, links: ArtifactLinks = named_links) -> common.Artifact:
    return common.Artifact(
        name=artifact.name,
        uri=links(job_name, artifact),
        mime_type=artifact.mime_type,
        size_bytes=artifact.size_bytes,
        sha256=artifact.sha256,
        kind=enum_value(common.ArtifactKind, "ARTIFACT_KIND_", artifact.kind),
    )


def warning_to_proto(warning: WarningRecord) -> common.Warning:
    return common.Warning(code=warning.code, message=warning.message, stage=warning.stage)


def _stage(stage: Stage | str) -> int:
    return enum_value(video.JobStage, "JOB_STAGE_", Stage(stage).value)


def job_to_proto(job: Job, links: ArtifactLinks = named_links) -> video.Job:
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
        eta_s=job.eta_s,
        event_sequence=last_sequence(job),
        artifacts=[artifact_to_proto(a, job.name, links) for a in job.artifacts_in_order()],
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
            motion_tier=enum_value(common.MotionTier, "MOTION_TIER_", spec.motion_tier),
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
        motion_tier_used=enum_value(common.MotionTier, "MOTION_TIER_", job.motion_tier_used),
        motion_model_used=job.motion_model_used,
        clips_done=len(job.clips),
        clips_total=job.keyframes_total if job.spec.motion_tier else 0,
        upscaler_used=job.upscaler_used,
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


def event_to_proto(update: JobUpdate, links: ArtifactLinks = named_links) -> video.JobEvent:
    job = update.job
    # The journal's event when there is one (every job made by this gateway has); else the job now.
    e = update.event
    source = e if e is not None else job
    state = e.state if e is not None else job.state.value
    event = video.JobEvent(
        job_name=job.name,
        sequence=e.sequence if e is not None else 0,
        state=enum_value(video.JobState, "JOB_STATE_", state),
        stage=_stage(Stage(e.stage) if e is not None else job.stage),
        progress=source.progress,
        stage_progress=source.stage_progress,
        eta_s=source.eta_s,
        message=source.message,
        warnings=[warning_to_proto(w) for w in update.new_warnings],
        keyframes_done=source.keyframes_done,
        keyframes_total=source.keyframes_total,
        frames_done=source.frames_done,
        frames_total=source.frames_total,
        time=timestamp(e.time if e is not None else job.update_time),
        missed_events=update.missed_events,
    )
    if update.first or JobState(state).terminal:
        event.job.CopyFrom(job_to_proto(job, links))
    return event


def job_json(job: Job, links: ArtifactLinks = named_links) -> bytes:
    """The webhook body: the public Job as JSON with the proto's snake_case names."""
    data = json_format.MessageToDict(job_to_proto(job, links), preserving_proto_field_name=True)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
