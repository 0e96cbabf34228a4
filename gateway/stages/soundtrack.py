"""The soundtrack stage (beside the keyframes): narration, music, scene sound and captions from the
audio service, for the storyboard's scenes in order. A music video's track is its soundtrack."""

from __future__ import annotations

from gateway import scene_sound
from gateway.downstream import Downstream
from gateway.model import Job, SoundtrackRecord, Stage
from gateway.stages import base
from gateway.stages.base import JobContext, StageFailed
from gateway.stages.config import PipelineConfig
from services.common import pb
from services.common.enums import enum_value, short_name
from services.common.errors import Internal


def _music_video(job: Job) -> bool:
    return job.source_kind == "music" and job.music is not None


def request(job: Job, storyboard: pb.common_pb2.Storyboard) -> pb.audio_pb2.CreateSoundtrackRequest:
    spec = job.spec
    music_video = _music_video(job)
    # A music video is not narrated (nor captioned with the narration) unless it asks to be.
    narrated = not music_video or (job.music is not None and job.music.narration)
    message = pb.audio_pb2.CreateSoundtrackRequest(
        scenes=[
            pb.audio_pb2.SoundtrackScene(
                index=i, narration=scene.narration if narrated else "", duration_s=scene.duration_s
            )
            for i, scene in enumerate(storyboard.scenes)
        ],
        music_brief=storyboard.music,
        total_duration_s=storyboard.total_duration_s or spec.duration_s,
        voice=pb.common_pb2.VoiceOptions(
            voice=spec.voice.voice, language=spec.voice.language, speaking_rate=spec.voice.speaking_rate
        ),
        music_source=enum_value(pb.common_pb2.MusicSource, "MUSIC_SOURCE_", spec.music_source),
        output_prefix=f"jobs/{job.id}/audio",
        job_id=job.id,
        seed=spec.seed,
    )
    scene_sound.add_to_request(message, storyboard, spec.scene_sound)
    if music_video:
        assert job.music is not None
        # The track is the soundtrack (loudness-normalised, never ducked); lyrics become the captions.
        message.music_uri = job.music.track_uri
        message.music_is_soundtrack = True
        message.ClearField("music_source")  # the track named by music_uri is the music
        message.lyrics = job.music.lyrics
    return message


def record(job: Job, response: pb.audio_pb2.CreateSoundtrackResponse) -> None:
    """The soundtrack (AAC, else WAV), its captions (when the job wants them) and what was used, onto the job."""
    spec = job.spec
    music_video = _music_video(job)
    audio = response.aac if response.aac.uri else response.wav
    job.put_artifact(base.artifact_record(audio, f"soundtrack{base.suffix(audio, '.m4a')}", "soundtrack"))
    # A music video without lyrics or narration has no captions: no empty caption track.
    captions = spec.captions and not (music_video and not response.captions)
    if captions:
        if response.srt.uri:
            job.put_artifact(base.artifact_record(response.srt, "captions.srt", "captions_srt"))
        if response.vtt.uri:
            job.put_artifact(base.artifact_record(response.vtt, "captions.vtt", "captions_vtt"))
    job.soundtrack = SoundtrackRecord(
        audio_uri=audio.uri,
        srt_uri="" if music_video and not captions else response.srt.uri,
        vtt_uri="" if music_video and not captions else response.vtt.uri,
        duration_s=response.duration_s,
        voice_used=response.voice_used,
        music_source_used=short_name(pb.common_pb2.MusicSource, "MUSIC_SOURCE_", response.music_source_used),
        music_title=response.music_title,
        **scene_sound.record_fields(response),
    )


class SoundtrackStage:
    def __init__(self, downstream: Downstream, config: PipelineConfig) -> None:
        self.downstream = downstream
        self.config = config

    async def run(self, ctx: JobContext, storyboard: pb.common_pb2.Storyboard) -> None:
        job = ctx.job
        ctx.stage_started(Stage.SOUNDTRACK, "making the soundtrack")
        await ctx.commit()
        message = request(job, storyboard)
        stub = self.downstream.audio
        assert stub is not None
        response = await base.call(Stage.SOUNDTRACK, lambda: base.until_back(
            ctx, self.downstream, self.config.stage_retry, Stage.SOUNDTRACK, "audio",
            lambda: stub.CreateSoundtrack(message, timeout=ctx.budget(self.config.soundtrack_timeout_s)),
        ))
        base.check_result(Stage.SOUNDTRACK, "audio service", response, ("duration_s", "aac", "wav", "srt", "vtt"))
        if not (response.aac.uri or response.wav.uri):
            raise StageFailed(Stage.SOUNDTRACK, Internal("the audio service returned no soundtrack"))
        base.forward_warnings(ctx, response.warnings, Stage.SOUNDTRACK)
        record(job, response)
        soundtrack = job.soundtrack
        assert soundtrack is not None
        ctx.stage_finished(
            Stage.SOUNDTRACK,
            f"soundtrack ready ({response.voice_used or 'no'} voice, {soundtrack.music_source_used or 'no'} music)",
        )
        await ctx.commit()
