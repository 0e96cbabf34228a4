"""CreateVideo validation: defaults, presets, bounds, all violations at once."""

from __future__ import annotations

import math

import pytest

from gateway.model import MusicSpec
from gateway.validation import CreateVideoInput, Limits, SpecInput, preset_size, validate_create
from services.common.errors import Collector

LIMITS = Limits(max_prompt_chars=100, default_long_edge=768, default_fps=24)


def check(request: CreateVideoInput, limits: Limits = LIMITS):
    errors = Collector()
    valid = validate_create(request, limits, errors)
    return valid, {v.field: v.description for v in errors.violations}


def prompt(**spec: object) -> CreateVideoInput:
    return CreateVideoInput(source_kind="prompt", prompt="a quiet harbour at dawn", spec=SpecInput(**spec))


def test_defaults_fill_the_spec() -> None:
    valid, errors = check(prompt())
    assert not errors and valid is not None
    spec = valid.spec
    assert (spec.duration_s, spec.scene_count, spec.fps, spec.tier, spec.aspect) == (60, 5, 24, "draft", "widescreen")
    assert (spec.width, spec.height) == (768, 432), "the configured long edge: fast on a CPU"
    assert spec.captions and spec.music_source == "auto" and spec.voice.language == "en"
    assert spec.voice.speaking_rate == 1.0 and 0 <= spec.seed < 2**31


@pytest.mark.parametrize(
    ("aspect", "size"),
    [("widescreen", (1280, 720)), ("cinemascope_letterbox", (1280, 720)), ("cinemascope", (1280, 536)),
     ("vertical", (720, 1280))],
)
def test_aspect_presets(aspect: str, size: tuple[int, int]) -> None:
    assert preset_size(aspect, 1280) == size
    valid, _ = check(prompt(aspect=aspect), Limits(default_long_edge=1280))
    assert valid is not None and (valid.spec.width, valid.spec.height) == size


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"duration_s": 4.9}, "spec.duration_s"),
        ({"duration_s": 600.1}, "spec.duration_s"),
        ({"duration_s": math.nan}, "spec.duration_s"),
        ({"duration_s": -math.inf}, "spec.duration_s"),
        ({"scene_count": 61}, "spec.scene_count"),
        ({"scene_count": -1}, "spec.scene_count"),
        ({"duration_s": 10, "scene_count": 11}, "spec.scene_count"),
        ({"fps": 61}, "spec.fps"),
        ({"fps": 11}, "spec.fps"),
        ({"width": 1281, "height": 720}, "spec.width"),
        ({"width": 3842, "height": 2160}, "spec.width"),
        ({"width": 3840, "height": 2162}, "spec.height"),
        ({"width": 32, "height": 32}, "spec.width"),
        ({"width": -2}, "spec.width"),
        ({"tier": "mega"}, "spec.tier"),
        ({"tier": "unknown(9)"}, "spec.tier"),
        ({"aspect": "square"}, "spec.aspect"),
        ({"voice": "hal9000"}, "spec.voice.voice"),
        ({"language": "english please"}, "spec.voice.language"),
        ({"speaking_rate": 3.0}, "spec.voice.speaking_rate"),
        ({"speaking_rate": math.nan}, "spec.voice.speaking_rate"),
        ({"music_source": "radio"}, "spec.music_source"),
        ({"storyboard_backend": "oracle"}, "spec.storyboard_backend"),
        ({"transition": "wipe"}, "spec.transition"),
        ({"style": "s" * 501}, "spec.style"),
    ],
)
def test_each_bad_field_is_named(spec: dict[str, object], field: str) -> None:
    valid, errors = check(prompt(**spec))
    assert valid is None and field in errors, errors


def test_every_violation_is_reported_at_once() -> None:
    request = CreateVideoInput(
        request_id="bad id", source_kind="prompt", prompt="p" * 101,
        spec=SpecInput(duration_s=1000, fps=100, tier="x"), labels={"": "v", "ok": "x" * 300},
        callback_url="h" * 3000,
    )
    _, errors = check(request)
    assert {"request_id", "prompt", "spec.duration_s", "spec.fps", "spec.tier", "callback_url"} <= set(errors)
    assert sum(1 for f in errors if f.startswith("labels[")) == 2


def test_sources() -> None:
    assert "prompt" in check(CreateVideoInput())[1]
    assert "prompt" in check(CreateVideoInput(source_kind="prompt", prompt="  \n "))[1]
    board = {"scenes": [{"duration_s": 4.0}, {"duration_s": 6.0}], "total_duration_s": 10.0}
    valid, errors = check(CreateVideoInput(source_kind="storyboard", storyboard=board))
    assert not errors and valid is not None
    assert valid.spec.scene_count == 2 and valid.spec.duration_s == 10.0, "taken from the storyboard"
    _, errors = check(CreateVideoInput(source_kind="storyboard", storyboard=board, spec=SpecInput(scene_count=3)))
    assert "spec.scene_count" in errors
    nan_board = {"scenes": [{"duration_s": math.nan}]}
    nan_errors = check(CreateVideoInput(source_kind="storyboard", storyboard=nan_board))[1]
    assert "storyboard.scenes[0].duration_s" in nan_errors
    assert "music.upload_id" in check(CreateVideoInput(source_kind="music", music=MusicSpec()))[1]
    valid, errors = check(CreateVideoInput(source_kind="music", music=MusicSpec(library_track_id="t")))
    assert not errors


def test_boundaries_and_one_edge_follow_the_aspect() -> None:
    valid, errors = check(prompt(duration_s=5, scene_count=5, fps=12, width=3840, height=2160))
    assert not errors and valid is not None
    valid, _ = check(prompt(width=1000))
    assert valid is not None and (valid.spec.width, valid.spec.height) == (1000, 562)
    valid, _ = check(prompt(height=1280, aspect="vertical"))
    assert valid is not None and (valid.spec.width, valid.spec.height) == (720, 1280)
    valid, _ = check(prompt(seed=-5, captions=False, voice="none"))
    assert valid is not None and valid.spec.seed == -5 and not valid.spec.captions


def fingerprint(request: CreateVideoInput) -> str:
    valid, errors = check(request)
    assert valid is not None, errors
    return valid.request_hash


def test_fingerprint_ignores_the_request_id_only() -> None:
    a = prompt(duration_s=10)
    b = prompt(duration_s=10)
    b.request_id = "other"
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a) != fingerprint(prompt(duration_s=11))


def test_fingerprint_is_of_the_normalised_request_aip_155() -> None:
    """Defaults written out or left unset are one request; the server-drawn seed is not part of it."""
    implicit = fingerprint(prompt())
    explicit = prompt(duration_s=60, scene_count=5, fps=24, tier="draft", aspect="widescreen", width=768,
                      height=432, captions=True, music_source="auto", language="en", speaking_rate=1.0)
    explicit.prompt = "  a quiet harbour at dawn \n"
    assert fingerprint(explicit) == implicit
    assert fingerprint(prompt(seed=7)) == fingerprint(prompt(seed=7)) != implicit
    assert fingerprint(prompt(fps=25)) != implicit
    assert fingerprint(prompt(tier="turbo")) != implicit
    assert fingerprint(prompt(captions=False)) != implicit


def test_text_fields_refuse_nul_and_invisible_only() -> None:
    assert "NUL" in check(prompt(style="noir\x00"))[1]["spec.style"]
    assert "visible" in check(prompt(style="\u200b"))[1]["spec.style"]
    music = MusicSpec(library_track_id="t", genre_tags=["\u2060"], lyrics="la\x00la")
    errors = check(CreateVideoInput(source_kind="music", music=music))[1]
    assert set(errors) == {"music.genre_tags[0]", "music.lyrics"}
    board = {"scenes": [{"duration_s": 6.0, "narration": "hello\x07"}]}
    assert "storyboard.scenes[0].narration" in check(CreateVideoInput(source_kind="storyboard", storyboard=board))[1]
    # Line breaks and tabs are text; a scene of one frame at the job's rate renders.
    board = {"scenes": [{"duration_s": 1 / 24, "narration": "one\ntwo\tthree"}, {"duration_s": 6.0}]}
    assert not check(CreateVideoInput(source_kind="storyboard", storyboard=board, spec=SpecInput(fps=24)))[1]


