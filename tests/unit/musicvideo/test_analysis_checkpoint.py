"""The ANALYZE_MUSIC stage: checkpointed on the job (a resumed job never analyses again), an upload's
analysis reused, a library track analysed, and what it hands the storyboard and the soundtrack."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest
from google.protobuf import json_format

from gateway.model import Job, MusicSpec, Stage, VideoSpec, from_document, to_document
from gateway.pipeline import Pipeline
from gateway.stages.base import StageFailed
from gateway.stages.config import PipelineConfig
from gateway.stages.retry import StageRetry
from services.common import pb
from services.common.artifacts import FileArtifactStore
from tests.unit.musicvideo.doubles import StandInAudio, StandInDownstream

common = pb.common_pb2


class RecordingContext:
    """The JobContext the pipeline reports to, recording stage starts and commits."""

    def __init__(self, job: Job, expected_warnings: frozenset[str] = frozenset()) -> None:
        self.job = job
        self.started: list[Stage] = []
        self.commits = 0
        self.expected_warnings = expected_warnings
        self.warnings: list[str] = []

    def budget(self, stage_timeout_s: float) -> float:
        return stage_timeout_s

    def stage_started(self, stage: Stage, message: str) -> None:
        self.started.append(stage)

    def stage_finished(self, stage: Stage, message: str) -> None:
        self.job.message = message

    def warn(self, code: str, message: str, stage: str) -> None:
        if code not in self.expected_warnings:
            raise AssertionError(f"unexpected warning {code}: {message}")
        self.warnings.append(code)

    async def commit(self, *, persist: bool = True) -> None:
        self.commits += 1


def music_job(store: FileArtifactStore, **music: object) -> Job:
    track = store.put_bytes("library/abc/loop.wav", b"RIFF....WAVE")
    values: dict[str, object] = {
        "library_track_id": "loop", "track_uri": track.uri, "track_name": "loop.wav",
        "track_size_bytes": track.size_bytes, "track_sha256": track.sha256, "genre_tags": ["house"],
        "mv_type": "dance_performance", "lyrics": "la la",
    }
    values.update(music)
    spec = VideoSpec(duration_s=0.0, scene_count=0, voice=VideoSpec().voice, music_source="provided")
    return Job(id="0" * 32, tenant="alpha", request_id="r", request_hash="h", spec=spec, source_kind="music",
               music=MusicSpec(**values))  # type: ignore[arg-type]


def pipeline(store: FileArtifactStore, audio: StandInAudio, config: PipelineConfig | None = None) -> Pipeline:
    return Pipeline(StandInDownstream(audio), store, config or PipelineConfig())  # type: ignore[arg-type]


async def test_a_library_track_is_analysed_once_and_the_checkpoint_survives_a_restart(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "store")
    audio = StandInAudio(duration_s=24.0)
    job = music_job(store)
    ctx = RecordingContext(job)
    await pipeline(store, audio).music_analysis.run(ctx)
    assert audio.calls == [job.music.track_uri] and ctx.started == [Stage.ANALYZE_MUSIC]
    assert job.music_analysis is not None and job.music_analysis["duration_s"] == 24.0
    assert job.spec.duration_s == 24.0, "the track's length is the video's"
    music = job.artifact("music.wav")
    assert music is not None and music.kind == "music" and music.mime_type == "audio/wav"
    assert music.sha256 == job.music.track_sha256

    # A restarted gateway reads the job back from the store: the analysis is not done again.
    resumed = from_document(to_document(job))
    assert resumed.music == job.music and resumed.music_analysis == job.music_analysis
    again = RecordingContext(resumed)
    await pipeline(store, audio).music_analysis.run(again)
    assert audio.calls == [job.music.track_uri] and again.started == [] and again.commits == 0


async def test_an_uploads_stored_analysis_is_reused(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "store")
    stored = common.MusicAnalysis(duration_s=32.0, tempo_bpm=120, beat_times_s=[0.0, 0.5], section_boundaries_s=[16])
    saved = store.put_bytes("uploads/alpha/u/analysis.json", json_format.MessageToJson(stored).encode())
    audio = StandInAudio(duration_s=99.0)
    job = music_job(store, upload_id="u" * 32, library_track_id="", analysis_uri=saved.uri)
    await pipeline(store, audio).music_analysis.run(RecordingContext(job))
    assert audio.calls == [] and job.music_analysis is not None
    assert job.music_analysis["section_boundaries_s"] == [16.0] and job.spec.duration_s == 32.0
    # Gone from the store: analysed again rather than failing the job.
    job = music_job(store, analysis_uri=store.uri_for("uploads/alpha/gone/analysis.json"))
    await pipeline(store, audio).music_analysis.run(RecordingContext(job))
    assert len(audio.calls) == 1 and job.spec.duration_s == 99.0


async def test_tracks_a_video_cannot_be_made_of_fail_the_stage(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "store")
    for audio, code in ((StandInAudio(duration_s=700.0), grpc.StatusCode.INVALID_ARGUMENT),
                        (StandInAudio(fail=grpc.StatusCode.INVALID_ARGUMENT), grpc.StatusCode.INVALID_ARGUMENT)):
        job = music_job(store)
        with pytest.raises(StageFailed) as failed:
            await pipeline(store, audio).music_analysis.run(RecordingContext(job))
        assert failed.value.stage == Stage.ANALYZE_MUSIC and failed.value.error.code == code
        assert job.music_analysis is None
        assert len(audio.calls) == 1, "a final answer is not asked again"


async def test_an_unreachable_audio_service_fails_the_stage_once_its_retry_budget_is_spent(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "store")
    audio = StandInAudio(fail=grpc.StatusCode.UNAVAILABLE)
    job = music_job(store)
    ctx = RecordingContext(job, expected_warnings=frozenset({"service_unavailable"}))
    config = PipelineConfig(stage_retry=StageRetry(budget_s=0.0))
    with pytest.raises(StageFailed) as failed:
        await pipeline(store, audio, config).music_analysis.run(ctx)
    assert failed.value.stage == Stage.ANALYZE_MUSIC and failed.value.error.code == grpc.StatusCode.UNAVAILABLE
    assert "gave up" in failed.value.error.message and ctx.warnings == ["service_unavailable"]
    assert job.music_analysis is None
