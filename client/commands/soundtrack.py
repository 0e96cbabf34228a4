"""`cinesynth soundtrack STORYBOARD.json --out DIR`: narration, music, mix and captions for a storyboard.

Reads the storyboard that `cinesynth storyboard --json` prints, calls the AudioService directly
(CINESYNTH_AUDIO_TARGET), and copies the soundtrack WAV, the SRT and the VTT into DIR.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from google.protobuf import json_format

from client.commands.common import metadata, print_json, service_target, to_dict
from services.common import pb
from services.common.channels import create_channel
from services.common.enums import enum_value, short_names

HELP = "render a storyboard's soundtrack (narration, music, captions) into a directory"
DEFAULT_TIMEOUT_S = 600.0
MUSIC_SOURCES = {
    "auto": pb.common_pb2.MUSIC_SOURCE_AUTO,
    "youtube": pb.common_pb2.MUSIC_SOURCE_YOUTUBE,
    "library": pb.common_pb2.MUSIC_SOURCE_LIBRARY,
    "procedural": pb.common_pb2.MUSIC_SOURCE_PROCEDURAL,
    "none": pb.common_pb2.MUSIC_SOURCE_NONE,
}
OUTPUT_NAMES = {"wav": "soundtrack.wav", "srt": "captions.srt", "vtt": "captions.vtt", "aac": "soundtrack.m4a"}

SCENE_SOUND_MODE, SCENE_SOUND_PREFIX = pb.common_pb2.SceneSoundMode, "SCENE_SOUND_MODE_"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("storyboard", type=Path, help="storyboard JSON (as printed by `cinesynth storyboard --json`)")
    parser.add_argument("--out", type=Path, required=True, help="directory for soundtrack.wav, captions.srt/.vtt")
    parser.add_argument("--voice", default="", help="piper (offline, default), gtts (online) or none")
    parser.add_argument("--language", default="", help="BCP-47 language of the narration (default en)")
    parser.add_argument("--rate", type=float, default=0.0, help="speaking rate 0.5..2.0 (default 1.0)")
    parser.add_argument("--music", choices=sorted(MUSIC_SOURCES), default="auto", help="music source")
    parser.add_argument("--music-uri", default="", help="a YouTube URL or artifact-store URI to use as the music")
    parser.add_argument(
        "--music-is-soundtrack", action="store_true",
        help="use --music-uri as the soundtrack itself: no ducking or attenuation (default for MV storyboards)",
    )
    parser.add_argument("--lyrics", type=Path, default=None, help="lyrics file: its lines become the captions")
    parser.add_argument("--prefix", default="", help="artifact-store key prefix (default audio/<random>)")
    parser.add_argument("--aac", action="store_true", help="also copy the AAC rendition (soundtrack.m4a)")
    parser.add_argument("--scene-sound", choices=short_names(SCENE_SOUND_MODE, SCENE_SOUND_PREFIX), default="",
                        help="scene ambience and effects: off, ambience or full (default: the service's)")


def load_storyboard(path: Path) -> pb.common_pb2.Storyboard:
    """A Storyboard from JSON: the message itself, or a response wrapping it under "storyboard"."""
    data: Any = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "scenes" not in data and isinstance(data.get("storyboard"), dict):
        data = data["storyboard"]
    return json_format.ParseDict(data, pb.common_pb2.Storyboard(), ignore_unknown_fields=True)


def build_request(
    storyboard: pb.common_pb2.Storyboard, args: argparse.Namespace
) -> pb.audio_pb2.CreateSoundtrackRequest:
    if args.lyrics:
        lyrics = args.lyrics.read_text(encoding="utf-8")
    else:
        lyrics = "\n".join(s.lyrics for s in storyboard.scenes if s.lyrics)
    # Music-video storyboards are cut to their track: the track is the soundtrack, not a bed.
    as_soundtrack = bool(args.music_uri) and (args.music_is_soundtrack or storyboard.HasField("mv_description"))
    return pb.audio_pb2.CreateSoundtrackRequest(
        scenes=[
            pb.audio_pb2.SoundtrackScene(index=s.index, narration=s.narration, duration_s=s.duration_s, sound=s.sound)
            for s in storyboard.scenes
        ],
        music_brief=storyboard.music,
        total_duration_s=storyboard.total_duration_s,
        voice=pb.common_pb2.VoiceOptions(voice=args.voice, language=args.language, speaking_rate=args.rate),
        music_source=MUSIC_SOURCES[args.music],
        music_uri=args.music_uri,
        output_prefix=args.prefix,
        seed=storyboard.seed,
        lyrics=lyrics,
        music_is_soundtrack=as_soundtrack,
        scene_sound=enum_value(SCENE_SOUND_MODE, SCENE_SOUND_PREFIX, args.scene_sound),
    )


async def _call(request: pb.audio_pb2.CreateSoundtrackRequest, args: argparse.Namespace) -> Any:
    async with create_channel(service_target("audio")) as channel:
        stub = pb.audio_grpc.AudioServiceStub(channel)
        return await stub.CreateSoundtrack(
            request, timeout=args.timeout or DEFAULT_TIMEOUT_S, metadata=metadata(args) or None
        )


def fetch(uri: str, dest: Path) -> Path:
    """Copy an artifact: file:// URIs directly, other stores through CINESYNTH_ARTIFACT_STORE."""
    parsed = urlparse(uri)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if parsed.scheme == "file" and parsed.netloc in ("", "localhost"):
        shutil.copyfile(unquote(parsed.path), dest)
        return dest
    from services.common.artifacts import open_store

    store_url = os.environ.get("CINESYNTH_ARTIFACT_STORE")
    if not store_url:
        raise SystemExit(f"cannot read {parsed.scheme}:// artifacts: set CINESYNTH_ARTIFACT_STORE")
    store = open_store(
        store_url,
        endpoint_url=os.environ.get("CINESYNTH_S3_ENDPOINT_URL"),
        region=os.environ.get("CINESYNTH_S3_REGION"),
    )
    return store.download(uri, dest)


def run(args: argparse.Namespace) -> int:
    try:
        storyboard = load_storyboard(args.storyboard)
    except (OSError, ValueError, json_format.ParseError) as exc:
        print(f"error: cannot read storyboard {args.storyboard}: {exc}", file=sys.stderr)
        return 2
    request = build_request(storyboard, args)
    response = asyncio.run(_call(request, args))
    wanted = {"wav": response.wav, "srt": response.srt, "vtt": response.vtt}
    if args.aac:
        wanted["aac"] = response.aac
    written = {kind: str(fetch(a.uri, args.out / OUTPUT_NAMES[kind])) for kind, a in wanted.items()}
    if args.json:
        print_json({**to_dict(response), "files": written})
        return 0
    print(f"soundtrack  {written['wav']}")
    print(f"captions    {written['srt']}, {written['vtt']} ({len(response.captions)} cues)")
    music = pb.common_pb2.MusicSource.Name(response.music_source_used).removeprefix("MUSIC_SOURCE_").lower()
    print(
        f"duration    {response.duration_s:.2f} s   loudness {response.integrated_lufs:.1f} LUFS   "
        f"true peak {response.true_peak_dbtp:.1f} dBTP"
    )
    print(f"voice       {response.voice_used}   music {music}: {response.music_title or '-'}")
    for warning in response.warnings:
        print(f"warning     [{warning.code}] {warning.message}")
    return 0
