"""A whole soundtrack: narration + procedural score, ducked, normalised, captioned, published."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from services.audio import audio_io
from services.audio.core import AudioEngine
from services.audio.model import MusicBriefSpec, MusicSourceKind, SceneSpec, SoundtrackSpec
from services.audio.settings import AudioSettings
from services.common import ffmpeg
from tests.unit.audio.test_ffmpeg_and_mix import ffmpeg_summary

SR = 48000
FIVE_SCENES = (
    "The city sleeps under a violet sky. A lone courier runs across the rooftops.",
    "Below, the streets hum with engines. She checks the parcel, still sealed.",
    "Rain begins to fall. Her footsteps echo between the towers as the sirens rise.",
    "At the last bridge she stops. Someone is waiting.",
    "Dawn breaks. The parcel is delivered, and the city wakes.",
)


def ffprobe_duration(path: Path) -> float:
    out = subprocess.run(
        [ffmpeg.ffprobe_path() or "ffprobe", "-v", "error", "-print_format", "json", "-show_format", str(path)],
        capture_output=True, check=True, text=True,
    ).stdout
    return float(json.loads(out)["format"]["duration"])


def block_db(x: np.ndarray, block: int) -> np.ndarray:
    n = x.shape[0] // block
    power = np.mean(x[: n * block].reshape(n, block, -1) ** 2, axis=(1, 2))
    return 10 * np.log10(power + 1e-12)


def test_sixty_second_five_scene_soundtrack(
    piper_voice: Any, audio_settings: Callable[..., AudioSettings], tmp_path: Path
) -> None:
    engine = AudioEngine(audio_settings())
    spec = SoundtrackSpec(
        scenes=tuple(SceneSpec(i, text, 12.0) for i, text in enumerate(FIVE_SCENES)),
        brief=MusicBriefSpec(mood="tense", genre="electronic"), total_duration_s=60.0, seed=7,
    )
    rendered = engine.render(spec, tmp_path, keep_stems=True)

    # Exact length, 48 kHz stereo, broadcast loudness (measured by ffmpeg's own summary).
    info = sf.info(str(rendered.wav))
    assert (info.frames, info.samplerate, info.channels) == (60 * SR, SR, 2)
    assert rendered.num_samples == 60 * SR and rendered.duration_s == 60.0
    integrated, true_peak = ffmpeg_summary(rendered.wav)
    assert abs(integrated - (-14.0)) <= 1.0 and true_peak <= -1.0
    assert abs(rendered.integrated_lufs - integrated) < 0.1 and rendered.true_peak_dbtp <= -1.0
    assert abs(ffprobe_duration(rendered.aac) - 60.0) < 0.05

    assert rendered.voice_used == "piper" and rendered.music_source_used == MusicSourceKind.PROCEDURAL
    assert rendered.music_title.startswith("Procedural score: tense") and rendered.notes == []

    # Captions: at least one per scene, monotonic, each inside its scene.
    scenes = {c.scene_index: c for c in rendered.cues}
    assert sorted(scenes) == [0, 1, 2, 3, 4]
    assert {c.scene_index for c in rendered.captions} == {0, 1, 2, 3, 4}
    previous_end = 0.0
    for cue in rendered.captions:
        scene = scenes[cue.scene_index]
        assert scene.start_s <= cue.start_s < cue.end_s <= scene.end_s
        assert cue.start_s >= previous_end
        previous_end = cue.end_s
    srt = rendered.srt.read_text()
    vtt = rendered.vtt.read_text()
    assert srt.count(" --> ") == len(rendered.captions) == vtt.count(" --> ")
    assert vtt.startswith("WEBVTT")

    # The music is there, and measurably quieter under speech than between phrases.
    music, _ = audio_io.read_audio(rendered.stems["music"])
    assert audio_io.rms_db(music) > -40
    levels = block_db(music, SR // 10)  # 100 ms blocks
    times = (np.arange(levels.size) + 0.5) / 10
    speaking = np.zeros(levels.size, dtype=bool)
    near_speech = np.zeros(levels.size, dtype=bool)
    for cue in rendered.cues:
        speaking |= (times >= cue.speech_start_s + 0.2) & (times <= cue.speech_end_s - 0.2)
        near_speech |= (times >= cue.speech_start_s - 0.5) & (times <= cue.speech_end_s + 1.0)
    body = (times > 3.0) & (times < 55.0)  # away from the fades
    under_speech = np.median(levels[speaking & body])
    between = np.median(levels[~near_speech & body])
    assert between - under_speech >= 4.0, (between, under_speech)
    # The mix is its stems through the true-peak limiter, which shaves speech peaks only: between
    # phrases the music reaches the mix untouched (no pumping of the bed).
    voice, _ = audio_io.read_audio(rendered.stems["voice"])
    final, _ = audio_io.read_audio(rendered.wav)
    stems = voice + music
    change_db = block_db(final, SR // 10) - block_db(stems, SR // 10)
    assert np.abs(change_db[~near_speech & body]).max() < 0.2
    assert np.median(change_db[speaking & body]) > -6.0


def test_music_video_mode_track_is_the_soundtrack_and_lyrics_are_the_captions(
    audio_settings: Callable[..., AudioSettings], tmp_path: Path
) -> None:
    engine = AudioEngine(audio_settings())
    t = np.arange(10 * SR) / SR
    song = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.18, 329.63)) * (0.6 + 0.2 * np.sin(2 * np.pi * 0.5 * t))
    track = audio_io.write_wav(tmp_path / "song.wav", (0.2 * song).astype(np.float32), SR)
    stored = engine.store.put_file("uploads/song.wav", track)
    spec = SoundtrackSpec(
        scenes=(SceneSpec(0, "", 4.0), SceneSpec(1, "", 4.0)), total_duration_s=8.0, voice=_none_voice(),
        music_uri=stored.uri, music_is_soundtrack=True, lyrics="First line of the song\nSecond line\n[Chorus]\nThird",
        output_prefix="jobs/mv-1/audio",
    )
    result = engine.create_soundtrack(spec)
    rendered = result.rendered
    assert rendered.music_source_used == MusicSourceKind.PROVIDED and rendered.music_title == "song.wav"
    assert rendered.voice_used == "none" and [c.text for c in rendered.captions] == [
        "First line of the song", "Second line", "Third"]
    assert result.wav.key == "jobs/mv-1/audio/soundtrack.wav" and result.srt.key.endswith("captions.srt")
    out, sr = sf.read(engine.store.local_path(result.wav.uri), dtype="float32")  # type: ignore[attr-defined]
    assert out.shape == (8 * SR, 2) and sr == SR
    # Not attenuated, faded in or ducked: the original track, only loudness-normalised (and faded
    # out at the cut, since the track is longer than the film).
    original, _ = audio_io.read_audio(track)
    original = original[: 8 * SR, 0]
    body = slice(SR // 50, 4 * SR)
    gain = np.dot(out[body, 0], original[body]) / np.dot(original[body], original[body])
    residual = out[body, 0] - gain * original[body]
    assert audio_io.rms_db(residual) < audio_io.rms_db(out[body, 0]) - 40
    assert audio_io.rms_db(out[-SR // 10 :, 0]) < audio_io.rms_db(out[body, 0]) - 20
    assert abs(rendered.integrated_lufs + 14.0) <= 1.0


def _none_voice() -> Any:
    from services.audio.model import VoiceSpec

    return VoiceSpec(voice="none")


@pytest.mark.parametrize("source", [MusicSourceKind.NONE])
def test_no_music_no_voice_is_silence_without_amplifying_it(
    source: MusicSourceKind, audio_settings: Callable[..., AudioSettings], tmp_path: Path
) -> None:
    engine = AudioEngine(audio_settings())
    spec = SoundtrackSpec(scenes=(SceneSpec(0, "Only captions here.", 3.0),), voice=_none_voice(), music_source=source)
    rendered = engine.render(spec, tmp_path)
    data, _ = audio_io.read_audio(rendered.wav)
    assert data.shape == (3 * SR, 2) and np.abs(data).max() == 0
    assert [c.text for c in rendered.captions] == ["Only captions here."]
    assert rendered.notes == []  # silence was asked for: nothing fell through
