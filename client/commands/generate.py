"""`cinesynth generate PROMPT`: make a movie, show its progress per stage, download the MP4.

`cinesynth generate --music FILE [--mv-type TYPE] [--genre TAG ...] [--lyrics FILE]` makes a music
video instead: the file is uploaded (UploadMusic, streamed in chunks) and becomes the soundtrack.
`--music` also still takes the background-music source of a prompt film (auto, youtube, library,
procedural, none; also spelt `--music-source`); any other value is a file (`--music ./auto` for a
file called auto).
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

from google.protobuf import json_format

from client.commands import common
from services.common import pb

HELP = "make a movie from a prompt (a storyboard file, or a music track), follow it, download the MP4"

video = pb.video_pb2
cpb = pb.common_pb2

ASPECTS = {
    "16:9": cpb.ASPECT_PRESET_WIDESCREEN,
    "widescreen": cpb.ASPECT_PRESET_WIDESCREEN,
    "2.39:1": cpb.ASPECT_PRESET_CINEMASCOPE,
    "cinemascope": cpb.ASPECT_PRESET_CINEMASCOPE,
    "2.39:1-letterbox": cpb.ASPECT_PRESET_CINEMASCOPE_LETTERBOX,
    "letterbox": cpb.ASPECT_PRESET_CINEMASCOPE_LETTERBOX,
    "9:16": cpb.ASPECT_PRESET_VERTICAL,
    "vertical": cpb.ASPECT_PRESET_VERTICAL,
}
TIERS = ("draft", "turbo", "standard", "ultra")
MUSIC = ("auto", "youtube", "library", "procedural", "none")
TRANSITIONS = ("cut", "crossfade", "flow_morph", "dip_to_black")
BACKENDS = ("planner", "transformers", "openai")
MV_TYPES = tuple(
    name[len("MV_TYPE_") :].lower() for name in cpb.MvType.keys() if name != "MV_TYPE_UNSPECIFIED"
)
UPLOAD_CHUNK = 1024 * 1024
UPLOAD_TIMEOUT_S = 600.0  # the gateway confirms the upload by analysing it


def _mv_type(text: str) -> str:
    name = text.strip().lower().replace("-", "_").replace(" ", "_").replace("/", "_")
    if name not in MV_TYPES:
        raise argparse.ArgumentTypeError(f"unknown music-video type {text!r}; use one of {', '.join(MV_TYPES)}")
    return name


def _size(text: str) -> tuple[int, int]:
    width, sep, height = text.lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit():
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, got {text!r}")
    return int(width), int(height)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("prompt", nargs="?", help="what the film is about (or --storyboard-file)")
    parser.add_argument("--storyboard-file", type=Path, help="use this storyboard JSON instead of writing one")
    parser.add_argument("--duration", type=float, default=0, help="seconds, 5..600 (default 60)")
    parser.add_argument("--scenes", type=int, default=0, help="scene count, 1..60 (default 5)")
    parser.add_argument("--fps", type=int, default=0, help="12..60 (default 24)")
    parser.add_argument("--size", type=_size, help="WIDTHxHEIGHT, even (default from --aspect)")
    parser.add_argument("--aspect", choices=sorted(ASPECTS), help="frame shape (default 16:9)")
    parser.add_argument("--tier", choices=TIERS, help="quality tier (default draft)")
    parser.add_argument("--allow-degrade", action="store_true", help="a lower tier may render when needed")
    parser.add_argument("--seed", type=int, default=None, help="same seed, same film")
    parser.add_argument("--style", default="", help="visual style, e.g. 'film noir'")
    parser.add_argument("--voice", default="", help="narration voice: piper, gtts or none")
    parser.add_argument("--language", default="", help="narration language (BCP-47, default en)")
    parser.add_argument(
        "--music", metavar="FILE", help="make a music video of this audio file (WAV, MP3, FLAC, Ogg, M4A, AAC); "
        f"for a prompt film one of {', '.join(MUSIC)} still picks the background music (as --music-source)",
    )
    parser.add_argument("--music-source", choices=MUSIC, help="background music of a prompt film (default auto)")
    parser.add_argument("--library-track", metavar="ID", help="make a music video of a track of the server's library")
    parser.add_argument("--mv-type", type=_mv_type, metavar="TYPE", help=f"music-video type: {', '.join(MV_TYPES)}")
    parser.add_argument("--genre", action="append", metavar="TAG", help="genre tag of the track (repeatable)")
    parser.add_argument("--lyrics", type=Path, metavar="FILE", help="lyrics text (plain or LRC), shown as captions")
    parser.add_argument("--narration", action="store_true", help="narrate over the track (music video)")
    parser.add_argument("--transition", choices=TRANSITIONS, help="transition between scenes")
    parser.add_argument("--storyboard-backend", choices=BACKENDS, help="who writes the storyboard")
    parser.add_argument("--no-captions", action="store_true", help="no caption track")
    parser.add_argument("--label", action="append", metavar="KEY=VALUE", help="correlation label (repeatable)")
    parser.add_argument("--callback-url", default="", help="webhook for the finished job")
    parser.add_argument("--request-id", default=None, help="idempotency key (default: a new UUID)")
    parser.add_argument("--out", type=Path, help="where to write the MP4 (default ./cinesynth-<job>.mp4)")
    parser.add_argument("--storyboard-out", type=Path, help="also save the storyboard JSON here")
    parser.add_argument("--no-wait", action="store_true", help="create the job, print it and return")


def sources(args: argparse.Namespace) -> tuple[str, Path | None]:
    """(background-music source, music-video file), the source flags checked against each other.

    `--music` is either, by its value: a source name keeps its old meaning, anything else is a file.
    """
    if args.music and args.music in MUSIC:
        if args.music_source and args.music_source != args.music:
            raise SystemExit("cinesynth generate: --music and --music-source disagree")
        music_source, music_file = args.music, None
    else:
        music_source, music_file = args.music_source or "", Path(args.music) if args.music else None
    music_video = bool(music_file or args.library_track)
    if music_video and (args.prompt or args.storyboard_file):
        raise SystemExit("cinesynth generate: a music video is made from the track alone; drop the PROMPT")
    if music_file and args.library_track:
        raise SystemExit("cinesynth generate: give --music FILE or --library-track ID, not both")
    if music_video and music_source:
        raise SystemExit("cinesynth generate: a music video's soundtrack is its track; drop --music-source")
    if not music_video and (args.mv_type or args.genre or args.lyrics or args.narration):
        raise SystemExit("cinesynth generate: --mv-type, --genre, --lyrics and --narration need --music FILE")
    if music_file and not music_file.is_file():
        raise SystemExit(f"cinesynth generate: --music {music_file}: no such file")
    if args.lyrics and not args.lyrics.is_file():
        raise SystemExit(f"cinesynth generate: --lyrics {args.lyrics}: no such file")
    return music_source, music_file


def music_input(args: argparse.Namespace, upload_id: str = "") -> video.MusicInput:
    music = video.MusicInput(genre_tags=args.genre or [], narration=args.narration)
    if upload_id:
        music.upload_id = upload_id
    elif args.library_track:
        music.library_track_id = args.library_track
    if args.mv_type:
        music.mv_type = cpb.MvType.Value(f"MV_TYPE_{args.mv_type.upper()}")
    if args.lyrics:
        try:
            music.lyrics = args.lyrics.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SystemExit(f"cinesynth generate: --lyrics {args.lyrics}: {exc}") from None
    return music


def upload_messages(path: Path, chunk_size: int = UPLOAD_CHUNK) -> Iterator[video.UploadMusicRequest]:
    """The metadata, then the file in chunks (read as they are sent, never whole)."""
    yield video.UploadMusicRequest(
        metadata=video.UploadMusicMetadata(
            filename=path.name, mime_type=mimetypes.guess_type(path.name)[0] or "", size_bytes=path.stat().st_size
        )
    )
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk_size), b""):
            yield video.UploadMusicRequest(chunk=block)


def upload_music(
    stub: pb.video_grpc.VideoServiceStub, args: argparse.Namespace, path: Path
) -> video.UploadMusicResponse:
    options = common.call_options(args)
    options["timeout"] = args.timeout if args.timeout is not None else UPLOAD_TIMEOUT_S
    uploaded = stub.UploadMusic(upload_messages(path), **options)
    if not args.json:
        print(
            f"uploaded {path.name}: {uploaded.size_bytes} bytes, {uploaded.duration_s:.1f} s "
            f"(upload {uploaded.upload_id})",
            file=sys.stderr,
        )
    return uploaded


def build_request(args: argparse.Namespace, upload_id: str = "") -> video.CreateVideoRequest:
    music_source, music_file = sources(args)
    music_video = bool(music_file or args.library_track)
    spec = video.VideoSpec(
        duration_s=args.duration,
        scene_count=args.scenes,
        fps=args.fps,
        allow_degrade=args.allow_degrade,
        style=args.style,
        voice=cpb.VoiceOptions(voice=args.voice, language=args.language),
    )
    if args.size:
        spec.width, spec.height = args.size
    if args.aspect:
        spec.aspect = ASPECTS[args.aspect]
    if args.tier:
        spec.tier = cpb.Tier.Value(f"TIER_{args.tier.upper()}")
    if args.seed is not None:
        spec.seed = args.seed
    if music_source:
        spec.music_source = cpb.MusicSource.Value(f"MUSIC_SOURCE_{music_source.upper()}")
    if args.transition:
        spec.transition = cpb.TransitionKind.Value(f"TRANSITION_KIND_{args.transition.upper()}")
    if args.storyboard_backend:
        spec.storyboard_backend = cpb.StoryboardBackend.Value(f"STORYBOARD_BACKEND_{args.storyboard_backend.upper()}")
    if args.no_captions:
        spec.captions = False
    request = video.CreateVideoRequest(
        request_id=args.request_id or str(uuid.uuid4()),
        spec=spec,
        labels=common.parse_labels(args.label),
        callback_url=args.callback_url,
    )
    if music_video:
        request.music.SetInParent()
        request.music.MergeFrom(music_input(args, upload_id))
    elif args.storyboard_file:
        data = json.loads(args.storyboard_file.read_text())
        json_format.ParseDict(data.get("storyboard", data), request.storyboard, ignore_unknown_fields=True)
    elif args.prompt:
        request.prompt = args.prompt
    else:
        raise SystemExit("cinesynth generate: give a PROMPT, --storyboard-file or --music FILE")
    return request


def run(args: argparse.Namespace) -> int:
    _, music_file = sources(args)  # every flag checked before anything is uploaded
    with common.video_stub(args) as stub:
        upload_id = upload_music(stub, args, music_file).upload_id if music_file else ""
        request = build_request(args, upload_id)
        if args.no_wait:
            job = stub.CreateVideo(request, **common.call_options(args)).job
            if args.json:
                common.print_json(job)
            else:
                print(f"{job.name}  {common.state_name(job.state)}  (request id {job.request_id})")
            return 0
        name = ""

        def remember(event: video.JobEvent) -> None:
            nonlocal name
            name = event.job_name
            if not args.json:
                print(f"job {event.job_name}", file=sys.stderr)

        with common.ProgressView(args.json) as view:
            try:
                events = stub.GenerateVideo(
                    video.GenerateVideoRequest(request=request), **common.call_options(args, streaming=True)
                )
                job = common.follow(events, view, on_first=remember)
            except Exception:
                if not name:
                    raise
                job = None
            if job is None:  # the stream broke after the job was made: reconnect to it
                job = common.watch_until_done(stub, args, name, view)
        if job.state != video.JOB_STATE_SUCCEEDED:
            if not args.json:
                print(common.job_summary(job), file=sys.stderr)
            return common.exit_code(job)
        out = args.out or Path(f"cinesynth-{job.id[:8]}.mp4")
        artifact = common.download(stub, args, job.name, out, kind=cpb.ARTIFACT_KIND_VIDEO)
        if args.storyboard_out:
            common.download(stub, args, job.name, args.storyboard_out, kind=cpb.ARTIFACT_KIND_STORYBOARD)
        if args.json:
            common.print_json({"job": common.to_dict(job), "video_path": str(out)}, compact=True)
        else:
            print(common.job_summary(job), file=sys.stderr)
            if args.storyboard_out:
                print(f"storyboard: {args.storyboard_out}", file=sys.stderr)
            print(f"{out}  ({artifact.size_bytes} bytes)")
        return 0
