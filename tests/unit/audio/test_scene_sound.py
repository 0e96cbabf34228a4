"""Scene sound: built-in procedural sounds, text retrieval (operator library over the built-in one),
ambience runs and timed effects laid out and ducked, the off/ambience/full switch, fall-through
warnings, and a whole soundtrack measured by ffmpeg (loudness, true peak) and per layer (RMS)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from services.audio import audio_io, mix
from services.audio.core import AudioEngine
from services.audio.metrics import Notes
from services.audio.model import (
    EffectCue,
    SceneSoundMode,
    SceneSoundSpec,
    SceneSpec,
    SoundtrackSpec,
)
from services.audio.servicer import response_from_result, spec_from_proto
from services.audio.settings import AudioSettings
from services.audio.sfx import procedural
from services.audio.sfx.evaluation import evaluate, load_cases, summary
from services.audio.sfx.library import SfxLibrary
from services.audio.sfx.scenes import SceneSoundRenderer, default_mode
from services.audio.validation import validate_soundtrack
from services.common import pb
from services.common.artifacts import FileArtifactStore
from services.common.errors import InvalidArgument
from tests.unit.audio.test_ffmpeg_and_mix import ffmpeg_summary

SR = 48000
M = SceneSoundMode
LIBRARY = SfxLibrary()  # one built-in index (and encoder) for the module


def block_db(x: np.ndarray, seconds: float = 0.1) -> np.ndarray:
    block = round(seconds * SR)
    n = x.shape[0] // block
    return 10 * np.log10(np.mean(x[: n * block].reshape(n, block, -1) ** 2, axis=(1, 2)) + 1e-20)


def scenes(*sounds: SceneSoundSpec, duration_s: float = 4.0, narration: str = "") -> tuple[SceneSpec, ...]:
    return tuple(SceneSpec(i, narration, duration_s, s) for i, s in enumerate(sounds))


def render(settings: AudioSettings, spec: SoundtrackSpec, mode: SceneSoundMode, tmp_path: Path,
           voice: np.ndarray | None = None, library: SfxLibrary | None = None):
    n = round(spec.duration_s * SR)
    notes = Notes()
    renderer = SceneSoundRenderer(settings, library or LIBRARY)
    layers = renderer.render(spec, mode, n, voice if voice is not None else np.zeros(n, np.float32), -20.0,
                             notes, tmp_path)
    return layers, notes


def test_builtin_sounds_are_deterministic_stereo_and_levelled() -> None:
    ids = [s.id for s in procedural.BUILTIN_SOUNDS]
    assert len(ids) == len(set(ids)) and len(ids) >= 30
    for required in ("rain", "wind", "sea", "thunder", "fire", "birds", "crowd", "city-traffic", "footsteps",
                     "door-slam", "engine-hum", "clock"):
        assert required in ids
    for sound in procedural.BUILTIN_SOUNDS[::4]:  # a sample of both kinds keeps the test quick
        x = procedural.render(sound, 5, SR)
        assert x.dtype == np.float32 and x.ndim == 2 and x.shape[1] == 2 and np.isfinite(x).all()
        assert abs(float(np.abs(x).max()) - procedural.PEAK) < 1e-3
        if sound.kind == "ambience":
            assert x.shape[0] == round(procedural.AMBIENCE_LOOP_S * SR)
    rain = procedural.BUILTIN_SOUNDS[ids.index("rain")]
    assert np.array_equal(procedural.render(rain, 5, SR), procedural.render(rain, 5, SR))
    assert not np.array_equal(procedural.render(rain, 5, SR), procedural.render(rain, 6, SR))


def test_retrieval_on_the_held_out_set_reports_accuracy() -> None:
    outcomes = evaluate(load_cases(), LIBRARY.builtin())
    table = summary(outcomes)
    assert table["all"]["n"] >= 40 and table["other languages"]["n"] >= 5
    # English descriptions: MiniLM is an English encoder (other languages are reported, not asserted).
    assert table["english"]["acc@1"] >= 0.75, table


def test_ambience_runs_and_timed_effects_are_laid_out(audio_settings: Callable[..., AudioSettings],
                                                      tmp_path: Path) -> None:
    settings = audio_settings()
    spec = SoundtrackSpec(scenes=scenes(
        SceneSoundSpec("steady rain", (EffectCue("distant thunder", 1.5),)),
        SceneSoundSpec("steady rain"),
        SceneSoundSpec("rain on glass", (EffectCue("a knock at the door", 2.0),)),
    ), seed=3)
    layers, notes = render(settings, spec, M.FULL, tmp_path)
    assert notes.items == []
    by_id = {(c.layer, c.sound_id): c for c in layers.credits}
    assert by_id[("ambience", "builtin/rain")].scene_indexes == (0, 1)
    assert by_id[("ambience", "builtin/rain-on-glass")].scene_indexes == (2,)
    assert by_id[("effect", "builtin/thunder")].scene_indexes == (0,)
    assert by_id[("effect", "builtin/knock")].scene_indexes == (2,)
    assert all(c.license == "CC0-1.0" and c.attribution and c.similarity > 0.25 for c in layers.credits)
    # Effects start where they were placed: 1.5 s and 8 + 2.0 s.
    fx = np.abs(layers.effects).max(axis=1)
    onsets = np.flatnonzero(fx > 0.01 * fx.max())
    assert abs(onsets[0] / SR - 1.5) < 0.02
    assert abs(onsets[onsets > 7 * SR][0] / SR - 10.0) < 0.02
    # One bed under scenes 0-1 (no dip at 4 s), a crossfade at 8 s (no gap: -3 dB at its middle for
    # two unrelated beds), fades at the film's ends.
    amb = block_db(layers.ambience)
    body = amb[10:110]
    assert body.min() > np.median(body) - 6.0, (body.min(), np.median(body))
    assert amb[0] < np.median(body) - 10 and amb[-1] < np.median(body) - 10
    # Level: the ambience sits at its setting relative to the reference level.
    assert abs(audio_io.rms_db(layers.ambience[SR : 7 * SR]) - (-20.0 + settings.ambience_level_db)) < 1.5


def test_the_switch_off_ambience_full(audio_settings: Callable[..., AudioSettings], tmp_path: Path) -> None:
    settings = audio_settings()
    spec = SoundtrackSpec(scenes=scenes(SceneSoundSpec("wind over open land", (EffectCue("a gunshot", 1.0),))))
    off, _ = render(settings, spec, M.OFF, tmp_path)
    assert not off.ambience.any() and not off.effects.any() and off.credits == []
    amb, _ = render(settings, spec, M.AMBIENCE, tmp_path)
    assert amb.ambience.any() and not amb.effects.any()
    assert [c.layer for c in amb.credits] == ["ambience"]
    full, _ = render(settings, spec, M.FULL, tmp_path)
    assert full.ambience.any() and full.effects.any()
    assert sorted(c.sound_id for c in full.credits) == ["builtin/gunshot", "builtin/wind"]
    # Defaults: the service setting, but nothing under a song in music-video mode unless asked.
    assert default_mode(spec, settings) == M.FULL
    assert default_mode(SoundtrackSpec(scenes=(), music_is_soundtrack=True), settings) == M.OFF
    assert default_mode(SoundtrackSpec(scenes=(), scene_sound=M.AMBIENCE), audio_settings(scene_sound="off")) \
        == M.AMBIENCE


def test_scene_sound_ducks_under_the_voice(audio_settings: Callable[..., AudioSettings], tmp_path: Path) -> None:
    spec = SoundtrackSpec(scenes=scenes(SceneSoundSpec("crowd murmur"), duration_s=8.0))
    n = 8 * SR
    t = np.arange(n) / SR
    voice = np.where(t < 4.0, 0.1 * np.sin(2 * np.pi * 180 * t), 0.0).astype(np.float32)  # -23 dBFS, speaking
    layers, _ = render(audio_settings(), spec, M.AMBIENCE, tmp_path, voice=voice)
    under, clear = audio_io.rms_db(layers.ambience[SR : 3 * SR]), audio_io.rms_db(layers.ambience[5 * SR : 7 * SR])
    assert clear - under > 4.0, (clear, under)


def test_nothing_matching_is_a_warning_not_a_failure(audio_settings: Callable[..., AudioSettings],
                                                     tmp_path: Path) -> None:
    spec = SoundtrackSpec(scenes=scenes(SceneSoundSpec("quarterly spreadsheet pivot table formulas")))
    layers, notes = render(audio_settings(sfx_min_similarity=0.6), spec, M.FULL, tmp_path)
    assert not layers.ambience.any() and layers.credits == []
    assert [n.code for n in notes.items] == ["scene_sound_no_match"]


def _operator_library(root: Path) -> Path:
    root.mkdir()
    rng = np.random.default_rng(0)
    audio_io.write_wav(root / "tin-roof.wav", (0.1 * rng.standard_normal((3 * SR, 2))).astype(np.float32), SR)
    (root / "sounds.json").write_text(json.dumps({"sounds": [
        {"id": "tin-roof", "file": "tin-roof.wav", "kind": "ambience", "title": "Rain on a tin roof",
         "description": "heavy rain drumming on a corrugated tin roof of a shack", "tags": ["rain", "roof"],
         "license": "CC-BY-4.0", "artist": "Field Recordist", "url": "https://example.org/tin-roof"},
        {"file": "missing.wav", "kind": "ambience", "title": "Gone"},
    ]}))
    return root


def test_operator_library_wins_when_it_matches_and_falls_through_when_not(
    audio_settings: Callable[..., AudioSettings], tmp_path: Path
) -> None:
    root = _operator_library(tmp_path / "sounds")
    settings = audio_settings(sfx_library_dir=str(root))
    spec = SoundtrackSpec(scenes=scenes(SceneSoundSpec("rain drumming on the roof of a hut",
                                                       (EffectCue("a wolf howls", 1.0),))))
    layers, notes = render(settings, spec, M.FULL, tmp_path, library=SfxLibrary(root, LIBRARY.embedder))
    by_layer = {c.layer: c for c in layers.credits}
    assert by_layer["ambience"].sound_id == "library/tin-roof"
    assert by_layer["ambience"].attribution == '"Rain on a tin roof" by Field Recordist (CC-BY-4.0) ' \
        "https://example.org/tin-roof" and by_layer["ambience"].license == "CC-BY-4.0"
    assert by_layer["effect"].sound_id == "builtin/wolf-howl"  # the operator library has no effects
    assert [n.code for n in notes.items] == ["sfx_library_no_match"]
    # A configured library that is not there: a warning, and the built-in sounds answer.
    missing = audio_settings(sfx_library_dir=str(tmp_path / "nowhere"))
    layers, notes = render(missing, spec, M.FULL, tmp_path, library=SfxLibrary(tmp_path / "nowhere", LIBRARY.embedder))
    assert [n.code for n in notes.items] == ["sfx_library_unavailable"]
    assert {c.layer for c in layers.credits} == {"ambience", "effect"}
    assert all(c.sound_id.startswith("builtin/") for c in layers.credits)


@pytest.mark.parametrize(("effect", "field"), [
    (EffectCue("thunder", 9.0), "scenes[0].sound.effects[0].at_s"),
    (EffectCue("thunder", float("inf")), "scenes[0].sound.effects[0].at_s"),
    (EffectCue("x" * 301, 1.0), "scenes[0].sound.effects[0].description"),
])
def test_bad_scene_sound_is_invalid_argument_naming_the_field(
    effect: EffectCue, field: str, audio_settings: Callable[..., AudioSettings], tmp_path: Path
) -> None:
    settings = audio_settings()
    spec = SoundtrackSpec(scenes=scenes(SceneSoundSpec("rain", (effect,))))
    with pytest.raises(InvalidArgument) as caught:
        validate_soundtrack(spec, settings, FileArtifactStore(str(tmp_path)))
    assert [v.field for v in caught.value.violations] == [field]
    request = pb.audio_pb2.CreateSoundtrackRequest(scene_sound=77)
    with pytest.raises(InvalidArgument) as caught:
        spec_from_proto(request)
    assert [v.field for v in caught.value.violations] == ["scene_sound"]


def test_a_soundtrack_with_scene_sound_is_measured_per_layer(
    piper_voice: Any, audio_settings: Callable[..., AudioSettings], tmp_path: Path
) -> None:
    engine = AudioEngine(audio_settings(), scene_sound=SceneSoundRenderer(audio_settings(), LIBRARY))
    request = pb.audio_pb2.CreateSoundtrackRequest(
        scenes=[
            pb.audio_pb2.SoundtrackScene(index=0, narration="The storm breaks over the harbour.", duration_s=5,
                                         sound=pb.common_pb2.SceneSound(
                                             ambience="thunderstorm, heavy rain and wind",
                                             effects=[pb.common_pb2.SceneSoundEffect(description="distant thunder",
                                                                                     at_s=3.2)])),
            pb.audio_pb2.SoundtrackScene(index=1, narration="Inside, the old clock keeps time.", duration_s=5,
                                         sound=pb.common_pb2.SceneSound(ambience="ticking clock")),
        ],
        music_brief=pb.common_pb2.MusicBrief(mood="tense"), seed=2,
        scene_sound=pb.common_pb2.SCENE_SOUND_MODE_FULL,
    )
    spec = spec_from_proto(request)
    assert spec.scene_sound == M.FULL and spec.scenes[0].sound.effects[0].at_s == 3.2
    rendered = engine.render(spec, tmp_path, keep_stems=True)
    integrated, true_peak = ffmpeg_summary(rendered.wav)
    assert abs(integrated - (-14.0)) <= 0.5 and true_peak <= -1.0
    levels = {level.layer: level for level in rendered.layer_levels}
    assert set(levels) == {"voice", "music", "ambience", "effects"}
    # Voice on top, then music, then ambience under the music; the thunder heard.
    assert levels["voice"].active_rms_dbfs > levels["music"].active_rms_dbfs > levels["ambience"].active_rms_dbfs
    assert levels["effects"].peak_dbfs > -40
    ambience, _ = audio_io.read_audio(rendered.stems["ambience"])
    assert abs(mix.layer_level(ambience, SR)[0] - levels["ambience"].rms_dbfs) < 0.01
    credits = {(c.layer, c.sound_id) for c in rendered.sound_credits}
    assert ("music", "procedural") in credits and ("effect", "builtin/thunder") in credits
    assert ("ambience", "builtin/storm") in credits and ("ambience", "builtin/clock") in credits
    assert rendered.scene_sound_used == M.FULL
    # Through the proto: credits and levels reach the response.
    result = type("R", (), {})()
    result.rendered = rendered
    for name in ("wav", "aac", "srt", "vtt"):
        setattr(result, name, FileArtifactStore(str(tmp_path / "store")).put_file(f"t/{name}", getattr(rendered, name)))
    response = response_from_result(result)
    assert {c.sound_id for c in response.sound_credits} >= {"builtin/thunder", "builtin/storm", "builtin/clock"}
    assert [level.layer for level in response.layer_levels] == ["voice", "music", "ambience", "effects"]
    assert response.scene_sound_used == pb.common_pb2.SCENE_SOUND_MODE_FULL
    print("layer levels", {k: (round(v.rms_dbfs, 1), round(v.active_rms_dbfs, 1)) for k, v in levels.items()},
          "loudness", integrated, true_peak)
