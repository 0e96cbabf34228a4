"""Music-video mode's first stage: tempo, beats, sections and energy of the track, on the job.

An upload was analysed when it was confirmed as audio: that analysis is reused (same bytes, same
result); a library track is analysed here.
"""

from __future__ import annotations

import asyncio
from pathlib import PurePosixPath

from google.protobuf import json_format

from gateway.downstream import Downstream
from gateway.model import ArtifactRecord, Job, Stage
from gateway.stages import base
from gateway.stages.base import JobContext, StageFailed
from gateway.stages.config import PipelineConfig
from gateway.validation import MAX_DURATION_S, MIN_DURATION_S
from services.common import pb
from services.common.artifacts import ArtifactStore, guess_mime
from services.common.errors import CinesynthError, Internal, InvalidArgument


def request(job: Job) -> pb.audio_pb2.AnalyzeMusicRequest:
    assert job.music is not None
    return pb.audio_pb2.AnalyzeMusicRequest(track_uri=job.music.track_uri)


def record(job: Job, analysis: pb.common_pb2.MusicAnalysis) -> None:
    """The analysis, the video's length (the track's) and the track as the job's `music` artifact."""
    music = job.music
    assert music is not None
    if not MIN_DURATION_S <= analysis.duration_s <= MAX_DURATION_S:
        raise StageFailed(Stage.ANALYZE_MUSIC, InvalidArgument.field(
            "music", f"the track is {analysis.duration_s:.1f} s long; a music video is "
            f"{MIN_DURATION_S:g}..{MAX_DURATION_S:g} s",
        ))
    job.music_analysis = json_format.MessageToDict(analysis, preserving_proto_field_name=True)
    job.spec.duration_s = analysis.duration_s  # the track's length is the video's
    name = f"music{PurePosixPath(music.track_name).suffix or '.audio'}"
    job.put_artifact(ArtifactRecord(
        name, music.track_uri, guess_mime(music.track_name), music.track_size_bytes, music.track_sha256, "music"
    ))


class MusicAnalysisStage:
    def __init__(self, downstream: Downstream, artifacts: ArtifactStore, config: PipelineConfig) -> None:
        self.downstream = downstream
        self.artifacts = artifacts
        self.config = config

    async def run(self, ctx: JobContext) -> None:
        job = ctx.job
        music = job.music
        if job.music_analysis is not None:
            return
        if music is None or not music.track_uri:
            raise StageFailed(Stage.ANALYZE_MUSIC, Internal("the job has no music track"))
        ctx.stage_started(Stage.ANALYZE_MUSIC, "analysing the track")
        await ctx.commit()
        analysis = await self._stored_analysis(music.analysis_uri) if music.analysis_uri else None
        if analysis is None:
            stub = self.downstream.audio
            assert stub is not None
            message = request(job)
            response = await base.call(Stage.ANALYZE_MUSIC, lambda: base.until_back(
                ctx, self.downstream, self.config.stage_retry, Stage.ANALYZE_MUSIC, "audio",
                lambda: stub.AnalyzeMusic(message, timeout=ctx.budget(self.config.analyze_timeout_s)),
            ))
            base.check_result(Stage.ANALYZE_MUSIC, "audio service", response, ("analysis",))
            analysis = response.analysis
        record(job, analysis)
        ctx.stage_finished(
            Stage.ANALYZE_MUSIC,
            f"track analysed: {analysis.duration_s:.1f} s, {analysis.tempo_bpm:.0f} BPM, "
            f"{len(analysis.section_boundaries_s) + 1} sections",
        )
        await ctx.commit()

    async def _stored_analysis(self, uri: str) -> pb.common_pb2.MusicAnalysis | None:
        try:
            raw = await asyncio.to_thread(self.artifacts.get_bytes, uri)
            return json_format.Parse(raw, pb.common_pb2.MusicAnalysis(), ignore_unknown_fields=True)
        except (CinesynthError, OSError, json_format.ParseError):
            return None  # gone or unreadable: analyse the track again
