"""The gateway's audio sniffing on files real ffmpeg wrote, and the store names an upload gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.music import SNIFF_BYTES, sniff_audio, stored_name, tenant_part
from services.common import ffmpeg

# (container, file name, extra ffmpeg output options)
ENCODED = [
    ("wav", "tone.wav", []),
    ("mp3", "tone.mp3", ["-c:a", "libmp3lame", "-id3v2_version", "0", "-write_xing", "0"]),
    ("mp3", "tagged.mp3", ["-c:a", "libmp3lame", "-metadata", "title=Tone"]),
    ("flac", "tone.flac", []),
    ("ogg", "tone.ogg", ["-c:a", "libvorbis"]),
    ("ogg", "tone.opus", ["-c:a", "libopus"]),
    ("m4a", "tone.m4a", ["-c:a", "aac"]),
    ("aac", "tone.aac", ["-c:a", "aac", "-f", "adts"]),
]


@pytest.fixture(scope="module")
def encoded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("encoded")
    out: dict[str, Path] = {}
    for _, name, options in ENCODED:
        path = root / name
        ffmpeg.run(
            [ffmpeg.ffmpeg_path(), "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=0.5",
             *options, "-y", str(path)],
            timeout=60,
        )
        out[name] = path
    return out


@pytest.mark.parametrize(("container", "name"), [(c, n) for c, n, _ in ENCODED])
def test_every_supported_container_is_recognised_by_its_first_bytes(
    encoded: dict[str, Path], container: str, name: str
) -> None:
    head = encoded[name].read_bytes()[:SNIFF_BYTES]
    found = sniff_audio(head)
    assert found is not None and found.name == container


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"Verse 1: hel",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\r",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01",  # JPEG: 0xFF then a byte that is no audio sync
        b"%PDF-1.7\n%\xe2\xe3",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
        b"RIFF\x00\x00\x00\x00AVI ",  # RIFF, but a video
        b"\xff\xea\x00\x00" + bytes(8),  # MPEG sync with the reserved version bits
        b"\xff\xe0\x00\x00" + bytes(8),  # MPEG sync with the reserved layer
    ],
)
def test_other_files_are_not_audio(head: bytes) -> None:
    assert sniff_audio(head) is None


def test_stored_names_are_safe_and_carry_the_format_suffix() -> None:
    wav = sniff_audio(b"RIFF\x00\x00\x00\x00WAVE")
    mp3 = sniff_audio(b"ID3\x04\x00\x00\x00\x00\x00\x00\x00\x00")
    assert wav is not None and mp3 is not None
    assert stored_name("night drive.wav", wav) == "night_drive.wav"
    assert stored_name("../../etc/passwd", wav) == "passwd.wav"
    assert stored_name("C:\\music\\take 2.WAV", wav) == "take_2.WAV"
    assert stored_name("", mp3) == "track.mp3"
    assert stored_name("...", mp3) == "track.mp3"
    assert stored_name("song.txt", mp3) == "song.mp3", "the content decides the suffix"
    assert stored_name("mix", mp3) == "mix.mp3"
    assert len(stored_name("x" * 400 + ".wav", wav)) <= 104


def test_tenants_become_one_key_segment() -> None:
    assert tenant_part("alpha") == "alpha"
    odd = tenant_part("team/one")
    assert "/" not in odd and odd.startswith("t-") and odd == tenant_part("team/one") != tenant_part("team/two")
