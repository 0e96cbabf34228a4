"""Music-video requests: gateway validation and the `cinesynth generate --music` flags."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from client import cli
from client.commands import generate
from gateway.model import MusicSpec
from gateway.validation import CreateVideoInput, Limits, SpecInput, ValidatedRequest, validate_create
from services.common import pb
from services.common.errors import Collector

video = pb.video_pb2
common = pb.common_pb2
UPLOAD_ID = "0123456789abcdef0123456789abcdef"


def check(request: CreateVideoInput) -> tuple[ValidatedRequest | None, list[str]]:
    errors = Collector()
    valid = validate_create(request, Limits(), errors)
    return valid, [v.field for v in errors.violations]


def music(spec: SpecInput | None = None, **fields: object) -> CreateVideoInput:
    return CreateVideoInput(source_kind="music", music=MusicSpec(**fields), spec=spec or SpecInput())  # type: ignore[arg-type]


def test_a_music_video_takes_its_length_and_soundtrack_from_the_track() -> None:
    valid, errors = check(music(upload_id=UPLOAD_ID, genre_tags=["synthwave"], mv_type="lyric_video"))
    assert not errors and valid is not None
    spec = valid.spec
    assert (spec.duration_s, spec.scene_count) == (0.0, 0), "both come from the track once analysed"
    assert spec.music_source == "provided" and spec.voice.voice == "none", "no narration by default"
    assert spec.captions, "lyrics are captions"
    valid, _ = check(music(SpecInput(voice="piper", scene_count=6), library_track_id="rain", narration=True))
    assert valid is not None and valid.spec.voice.voice == "piper" and valid.spec.scene_count == 6
    valid, _ = check(music(SpecInput(voice="piper"), library_track_id="rain"))
    assert valid is not None and valid.spec.voice.voice == "none", "a voice alone does not ask for narration"


def test_bad_music_requests_name_their_fields() -> None:
    assert check(music())[1] == ["music.upload_id"]
    assert check(music(upload_id="../../etc"))[1] == ["music.upload_id"]
    assert check(music(library_track_id="x" * 201))[1] == ["music.library_track_id"]
    _, errors = check(music(upload_id=UPLOAD_ID, genre_tags=["ok", " ", "y" * 101], mv_type="unknown(42)",
                            lyrics="la " * 7000))
    assert errors == ["music.genre_tags[1]", "music.genre_tags[2]", "music.mv_type", "music.lyrics"]
    assert check(music(upload_id=UPLOAD_ID, genre_tags=["t"] * 17))[1] == ["music.genre_tags"]
    _, errors = check(music(SpecInput(duration_s=30, music_source="procedural"), upload_id=UPLOAD_ID))
    assert errors == ["spec.duration_s", "spec.music_source"]
    assert not check(music(SpecInput(music_source="provided"), upload_id=UPLOAD_ID))[1]
    # Outside music-video mode "provided" is not a choice.
    prompt = CreateVideoInput(source_kind="prompt", prompt="a film", spec=SpecInput(music_source="provided"))
    assert check(prompt)[1] == ["spec.music_source"]


def parse(*argv: str) -> argparse.Namespace:
    parser, _ = cli.build_parser()
    return parser.parse_args(["generate", *argv])


def test_music_flag_is_a_source_name_or_a_file(tmp_path: Path) -> None:
    track = tmp_path / "song.mp3"
    track.write_bytes(b"ID3")
    assert generate.sources(parse("a film", "--music", "procedural")) == ("procedural", None)
    assert generate.sources(parse("a film", "--music-source", "none")) == ("none", None)
    assert generate.sources(parse("--music", str(track))) == ("", track)
    old = generate.build_request(parse("a film", "--music", "library"))
    assert old.prompt == "a film" and old.spec.music_source == common.MUSIC_SOURCE_LIBRARY
    for argv, message in [
        (("a film", "--music", str(track)), "drop the PROMPT"),
        (("--music", str(track), "--library-track", "rain"), "not both"),
        (("--music", str(track), "--music-source", "auto"), "drop --music-source"),
        (("a film", "--music", "none", "--music-source", "auto"), "disagree"),
        (("a film", "--genre", "pop"), "need --music"),
        (("--music", str(tmp_path / "missing.wav")), "no such file"),
        (("--music", str(track), "--lyrics", str(tmp_path / "missing.txt")), "no such file"),
    ]:
        with pytest.raises(SystemExit, match=message):
            generate.sources(parse(*argv))
    with pytest.raises(SystemExit):  # argparse: exit 2 with the list of types
        parse("--music", str(track), "--mv-type", "polka")


def test_music_video_request_carries_the_upload_and_the_options(tmp_path: Path) -> None:
    track, lyrics = tmp_path / "song.wav", tmp_path / "song.lrc"
    track.write_bytes(b"RIFF")
    lyrics.write_text("[00:01.00] hello\n", encoding="utf-8")
    args = parse("--music", str(track), "--mv-type", "Dance-Performance", "--genre", "house", "--genre", "disco",
                 "--lyrics", str(lyrics), "--narration", "--size", "320x180", "--fps", "12")
    request = generate.build_request(args, UPLOAD_ID)
    assert request.WhichOneof("source") == "music"
    m = request.music
    assert m.upload_id == UPLOAD_ID and list(m.genre_tags) == ["house", "disco"]
    assert m.mv_type == common.MV_TYPE_DANCE_PERFORMANCE and m.lyrics == "[00:01.00] hello\n" and m.narration
    assert (request.spec.width, request.spec.height, request.spec.fps) == (320, 180, 12)
    assert request.spec.music_source == common.MUSIC_SOURCE_UNSPECIFIED
    library = generate.build_request(parse("--library-track", "rain", "--mv-type", "nature_scenic"))
    assert library.music.library_track_id == "rain" and library.music.mv_type == common.MV_TYPE_NATURE_SCENIC


def test_upload_streams_the_metadata_then_the_file_in_chunks(tmp_path: Path) -> None:
    track = tmp_path / "take 1.flac"
    data = bytes(range(256)) * 41  # 10496 bytes
    track.write_bytes(data)
    messages = list(generate.upload_messages(track, chunk_size=4096))
    first, rest = messages[0], messages[1:]
    assert first.WhichOneof("part") == "metadata"
    assert (first.metadata.filename, first.metadata.size_bytes) == ("take 1.flac", len(data))
    assert [m.WhichOneof("part") for m in rest] == ["chunk"] * 3
    assert [len(m.chunk) for m in rest] == [4096, 4096, 2304]
    assert b"".join(m.chunk for m in rest) == data
