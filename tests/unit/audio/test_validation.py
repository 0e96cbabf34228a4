"""Bad requests are refused up front with INVALID_ARGUMENT naming each field."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from services.audio.model import MusicBriefSpec, SceneSpec, SoundtrackSpec, VoiceSpec
from services.audio.settings import AudioSettings
from services.audio.validation import validate_soundtrack
from services.common.artifacts import FileArtifactStore
from services.common.errors import InvalidArgument


def fields(spec: SoundtrackSpec, settings: AudioSettings) -> dict[str, str]:
    store = FileArtifactStore(settings.artifact_store.removeprefix("file://"))
    with pytest.raises(InvalidArgument) as caught:
        validate_soundtrack(spec, settings, store)
    return {v.field: v.description for v in caught.value.violations}


OK_SCENE = SceneSpec(0, "Fine.", 4.0)


@pytest.mark.parametrize(
    ("spec", "field", "words"),
    [
        (SoundtrackSpec(scenes=(OK_SCENE,), voice=VoiceSpec(voice="alexa")), "voice.voice", "unknown voice"),
        (SoundtrackSpec(scenes=(OK_SCENE, SceneSpec(1, "x", -2.0))), "scenes[1].duration_s", "positive"),
        (SoundtrackSpec(scenes=(SceneSpec(0, "word " * 400, 5.0),)), "scenes[0].narration", "over the limit"),
        (SoundtrackSpec(scenes=(OK_SCENE,), music_uri="https://vimeo.com/12345"), "music_uri", "YouTube"),
        (SoundtrackSpec(scenes=(OK_SCENE,), music_uri="https://www.youtube.com/results?q=x"), "music_uri", "YouTube"),
        (SoundtrackSpec(scenes=(OK_SCENE,), music_uri="file:///etc/passwd"), "music_uri", "outside"),
        (SoundtrackSpec(scenes=(), total_duration_s=0), "total_duration_s", "required"),
        (SoundtrackSpec(scenes=(OK_SCENE,), total_duration_s=5000), "total_duration_s", "over the limit"),
        (SoundtrackSpec(scenes=(OK_SCENE,), total_duration_s=2.0), "total_duration_s", "shorter than the scenes"),
        (SoundtrackSpec(scenes=(OK_SCENE,), voice=VoiceSpec(speaking_rate=3.0)), "voice.speaking_rate", "0.5..2.0"),
        (SoundtrackSpec(scenes=(OK_SCENE,), voice=VoiceSpec(voice="piper", language="fr")), "voice.language", "gtts"),
        (SoundtrackSpec(scenes=(OK_SCENE,), voice=VoiceSpec(language="not a tag")), "voice.language", "BCP-47"),
        (SoundtrackSpec(scenes=(OK_SCENE,), brief=MusicBriefSpec(tempo_bpm=900)), "music_brief.tempo_bpm", "40"),
        (SoundtrackSpec(scenes=(OK_SCENE,), output_prefix="../escape"), "output_prefix", "invalid"),
        (SoundtrackSpec(scenes=(OK_SCENE, SceneSpec(0, "again", 1.0))), "scenes[1].index", "duplicate"),
        (SoundtrackSpec(scenes=(OK_SCENE,), music_is_soundtrack=True), "music_uri", "required"),
    ],
)
def test_bad_input_names_the_field(
    spec: SoundtrackSpec, field: str, words: str, audio_settings: Callable[..., AudioSettings]
) -> None:
    violations = fields(spec, audio_settings())
    assert field in violations, violations
    assert words in violations[field]


def test_every_bad_field_is_reported_at_once(audio_settings: Callable[..., AudioSettings]) -> None:
    spec = SoundtrackSpec(
        scenes=(SceneSpec(0, "x", float("nan")), SceneSpec(1, "y" * 2000, 1.0)),
        voice=VoiceSpec(voice="robot"), music_uri="http://example.com/song.mp3",
    )
    assert {"scenes[0].duration_s", "scenes[1].narration", "voice.voice", "music_uri"} <= set(
        fields(spec, audio_settings())
    )


def test_store_uri_must_exist(audio_settings: Callable[..., AudioSettings]) -> None:
    settings = audio_settings()
    store = FileArtifactStore(settings.artifact_store.removeprefix("file://"))
    missing = store.uri_for("uploads/song.mp3")
    assert "not found" in fields(SoundtrackSpec(scenes=(OK_SCENE,), music_uri=missing), settings)["music_uri"]
    stored = store.put_bytes("uploads/song.mp3", b"ID3")
    validate_soundtrack(SoundtrackSpec(scenes=(OK_SCENE,), music_uri=stored.uri), settings, store)
    validate_soundtrack(
        SoundtrackSpec(scenes=(OK_SCENE,), music_uri="https://youtu.be/dQw4w9WgXcQ", voice=VoiceSpec("gtts", "de")),
        settings, store,
    )
