"""The Audio service through a real gRPC server on a loopback port (shared runtime, interceptors)."""

from __future__ import annotations

from pathlib import Path

import grpc
import numpy as np
import pytest
import soundfile as sf
from prometheus_client import REGISTRY

from services.audio.audio_io import write_wav
from services.audio.main import build_service
from services.audio.settings import AudioSettings
from services.common import pb
from services.common.artifacts import FileArtifactStore, sha256_file
from services.common.errors import field_violations
from tests.support import serve_in_process, test_settings
from tests.unit.audio.signals import drum_track

common = pb.common_pb2
audio = pb.audio_pb2


def stage_count(stage: str) -> float:
    return REGISTRY.get_sample_value("cinesynth_audio_stage_seconds_count", {"stage": stage}) or 0.0


async def test_create_soundtrack_and_analyze_music_over_grpc(tmp_path: Path) -> None:
    settings = test_settings(AudioSettings, artifact_store=f"file://{tmp_path / 'store'}", preload=True)
    store = FileArtifactStore(tmp_path / "store")
    mixes_before = stage_count("mix")
    async with serve_in_process(build_service(settings), settings) as runtime:  # type: ignore[arg-type]
        async with grpc.aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
            stub = pb.audio_grpc.AudioServiceStub(channel)
            response = await stub.CreateSoundtrack(
                audio.CreateSoundtrackRequest(
                    scenes=[
                        audio.SoundtrackScene(index=0, narration="The harbour wakes. Gulls circle.", duration_s=4.0),
                        audio.SoundtrackScene(index=1, narration="A ship comes home.", duration_s=3.5),
                    ],
                    music_brief=common.MusicBrief(mood="hopeful", genre="ambient"),
                    total_duration_s=8.0,
                    voice=common.VoiceOptions(voice="piper", language="en-US"),
                    music_source=common.MUSIC_SOURCE_PROCEDURAL,
                    output_prefix="jobs/job-1/audio",
                    job_id="job-1",
                    seed=5,
                ),
                timeout=120,
            )
            assert response.voice_used == "piper"
            assert response.music_source_used == common.MUSIC_SOURCE_PROCEDURAL
            assert response.music_title.startswith("Procedural score: joyful")
            assert response.duration_s == 8.0 and abs(response.integrated_lufs + 14) <= 1.0
            assert response.true_peak_dbtp <= -1.0
            assert [c.scene_index for c in response.cues] == [0, 1]
            assert response.cues[1].start_s == 4.0 and response.cues[1].end_s == 7.5
            assert len(response.captions) == 3 and list(response.warnings) == []
            for artifact, kind, name in (
                (response.wav, common.ARTIFACT_KIND_SOUNDTRACK, "soundtrack.wav"),
                (response.aac, common.ARTIFACT_KIND_SOUNDTRACK, "soundtrack.m4a"),
                (response.srt, common.ARTIFACT_KIND_CAPTIONS_SRT, "captions.srt"),
                (response.vtt, common.ARTIFACT_KIND_CAPTIONS_VTT, "captions.vtt"),
            ):
                path = store.local_path(artifact.uri)
                assert artifact.kind == kind and artifact.name == name
                assert store.key_for(artifact.uri) == f"jobs/job-1/audio/{name}"
                assert artifact.sha256 == sha256_file(path) and artifact.size_bytes == path.stat().st_size
            info = sf.info(str(store.local_path(response.wav.uri)))
            assert (info.frames, info.samplerate, info.channels) == (8 * 48000, 48000, 2)

            # AnalyzeMusic on a stored track.
            track = write_wav(tmp_path / "drums.wav", drum_track(seconds=16, sr=22050, section_change_s=8.0), 22050)
            stored = store.put_file("uploads/drums.wav", track)
            analysis = (await stub.AnalyzeMusic(audio.AnalyzeMusicRequest(track_uri=stored.uri), timeout=120)).analysis
            assert abs(analysis.tempo_bpm - 120) <= 2 and analysis.energy_hop_s == 0.5
            beats = np.array(analysis.beat_times_s)
            assert np.abs(beats - np.round(beats * 2) / 2).max() <= 0.03

            # Bad input: INVALID_ARGUMENT with a BadRequest naming every field.
            with pytest.raises(grpc.aio.AioRpcError) as bad:
                await stub.CreateSoundtrack(
                    audio.CreateSoundtrackRequest(
                        scenes=[audio.SoundtrackScene(index=0, narration="x", duration_s=-1)],
                        voice=common.VoiceOptions(voice="robot"),
                        music_uri="https://soundcloud.com/some/track",
                    ),
                    timeout=30,
                )
            assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            fields = {v.field for v in field_violations(bad.value)}
            assert fields == {"scenes[0].duration_s", "voice.voice", "music_uri"}
            with pytest.raises(grpc.aio.AioRpcError) as missing:
                await stub.AnalyzeMusic(audio.AnalyzeMusicRequest(track_uri="s3://elsewhere/x.wav"), timeout=30)
            assert missing.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert [v.field for v in field_violations(missing.value)] == ["track_uri"]
    assert stage_count("mix") == mixes_before + 1
