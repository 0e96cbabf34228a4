"""gRPC face of the Audio service: proto <-> core types, CPU work off the event loop."""

from __future__ import annotations

import asyncio

from grpc import aio

from services.audio.core import AudioEngine
from services.audio.model import (
    CaptionCue,
    EffectCue,
    LayerLevel,
    MusicAnalysisResult,
    MusicBriefSpec,
    MusicSourceKind,
    SceneCue,
    SceneSoundMode,
    SceneSoundSpec,
    SceneSpec,
    SoundCredit,
    SoundtrackResult,
    SoundtrackSpec,
    VoiceSpec,
)
from services.common import cancellation, pb
from services.common.artifacts import StoredObject
from services.common.enums import ProtoEnumMap
from services.common.errors import InvalidArgument
from services.common.logs import job_id_var
from services.common.messages import artifact_message
from services.common.notices import warning_messages

common = pb.common_pb2
audio = pb.audio_pb2

MUSIC_SOURCES = ProtoEnumMap(common.MusicSource, "MUSIC_SOURCE_", MusicSourceKind, unspecified=MusicSourceKind.AUTO)
SCENE_SOUND_MODES = ProtoEnumMap(common.SceneSoundMode, "SCENE_SOUND_MODE_", SceneSoundMode)


def scene_sound_from_proto(message: common.SceneSound) -> SceneSoundSpec:
    return SceneSoundSpec(message.ambience, tuple(EffectCue(e.description, e.at_s) for e in message.effects))


def sound_credit_to_proto(credit: SoundCredit) -> common.SoundCredit:
    return common.SoundCredit(
        layer=credit.layer, sound_id=credit.sound_id, title=credit.title, license=credit.license,
        attribution=credit.attribution, url=credit.url, scene_indexes=list(credit.scene_indexes),
        query=credit.query, similarity=credit.similarity,
    )


def layer_level_to_proto(level: LayerLevel) -> common.SoundLayerLevel:
    return common.SoundLayerLevel(
        layer=level.layer, rms_dbfs=level.rms_dbfs, active_rms_dbfs=level.active_rms_dbfs, peak_dbfs=level.peak_dbfs
    )


def spec_from_proto(request: audio.CreateSoundtrackRequest) -> SoundtrackSpec:
    if not MUSIC_SOURCES.known(request.music_source):
        raise InvalidArgument.field("music_source", f"unknown music source {request.music_source}")
    if not SCENE_SOUND_MODES.known(request.scene_sound):
        raise InvalidArgument.field("scene_sound", f"unknown scene sound mode {request.scene_sound}")
    brief = request.music_brief
    voice = request.voice
    return SoundtrackSpec(
        scenes=tuple(
            SceneSpec(s.index, s.narration, s.duration_s, scene_sound_from_proto(s.sound)) for s in request.scenes
        ),
        brief=MusicBriefSpec(brief.mood, brief.genre, brief.tempo_bpm, brief.query),
        total_duration_s=request.total_duration_s,
        voice=VoiceSpec(voice.voice.strip(), voice.language.strip(), voice.speaking_rate),
        music_source=MUSIC_SOURCES.to_domain(request.music_source),
        music_uri=request.music_uri.strip(),
        output_prefix=request.output_prefix.strip().strip("/"),
        job_id=request.job_id,
        seed=request.seed,
        lyrics=request.lyrics,
        music_is_soundtrack=request.music_is_soundtrack,
        scene_sound=SCENE_SOUND_MODES.to_domain(request.scene_sound),
    )


def artifact(obj: StoredObject, kind: int) -> common.Artifact:
    return artifact_message(obj, kind)


def scene_cue(cue: SceneCue) -> audio.SceneCue:
    return audio.SceneCue(
        scene_index=cue.scene_index, start_s=cue.start_s, end_s=cue.end_s, speech_start_s=cue.speech_start_s,
        speech_end_s=cue.speech_end_s, tempo_factor=cue.tempo_factor,
    )


def caption_cue(cue: CaptionCue) -> common.CaptionCue:
    return common.CaptionCue(start_s=cue.start_s, end_s=cue.end_s, text=cue.text, scene_index=cue.scene_index)


def response_from_result(result: SoundtrackResult) -> audio.CreateSoundtrackResponse:
    r = result.rendered
    return audio.CreateSoundtrackResponse(
        wav=artifact(result.wav, common.ARTIFACT_KIND_SOUNDTRACK),
        aac=artifact(result.aac, common.ARTIFACT_KIND_SOUNDTRACK),
        srt=artifact(result.srt, common.ARTIFACT_KIND_CAPTIONS_SRT),
        vtt=artifact(result.vtt, common.ARTIFACT_KIND_CAPTIONS_VTT),
        cues=[scene_cue(c) for c in r.cues],
        captions=[caption_cue(c) for c in r.captions],
        voice_used=r.voice_used,
        music_source_used=MUSIC_SOURCES.to_proto(r.music_source_used),
        music_title=r.music_title,
        music_attribution=r.music_attribution,
        duration_s=r.duration_s,
        integrated_lufs=r.integrated_lufs,
        true_peak_dbtp=r.true_peak_dbtp,
        warnings=warning_messages(r.notes),
        sound_credits=[sound_credit_to_proto(c) for c in r.sound_credits],
        layer_levels=[layer_level_to_proto(level) for level in r.layer_levels],
        scene_sound_used=SCENE_SOUND_MODES.to_proto(r.scene_sound_used),
    )


def analysis_to_proto(result: MusicAnalysisResult) -> common.MusicAnalysis:
    return common.MusicAnalysis(
        duration_s=result.duration_s, tempo_bpm=result.tempo_bpm, beat_times_s=result.beat_times_s,
        downbeat_times_s=result.downbeat_times_s, section_boundaries_s=result.section_boundaries_s,
        energy=result.energy, energy_hop_s=result.energy_hop_s, key=result.key,
    )


class AudioServicer(pb.audio_grpc.AudioServiceServicer):
    """CreateSoundtrack and AnalyzeMusic. Rendering is CPU-bound: it runs on worker threads, at most
    `max_parallel` at once; further calls wait their turn (their deadline still applies)."""

    def __init__(self, engine: AudioEngine, max_parallel: int) -> None:
        self.engine = engine
        self._slots = asyncio.Semaphore(max_parallel)

    async def CreateSoundtrack(
        self, request: audio.CreateSoundtrackRequest, context: aio.ServicerContext
    ) -> audio.CreateSoundtrackResponse:
        spec = spec_from_proto(request)
        token = job_id_var.set(request.job_id or None)
        try:
            async with self._slots:
                result = await cancellation.to_thread(self.engine.create_soundtrack, spec)
        finally:
            job_id_var.reset(token)
        return response_from_result(result)

    async def AnalyzeMusic(
        self, request: audio.AnalyzeMusicRequest, context: aio.ServicerContext
    ) -> audio.AnalyzeMusicResponse:
        async with self._slots:
            result = await cancellation.to_thread(self.engine.analyze_music, request.track_uri, request.energy_hop_s)
        return audio.AnalyzeMusicResponse(analysis=analysis_to_proto(result))
