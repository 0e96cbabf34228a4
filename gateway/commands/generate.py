"""`cinesynth generate PROMPT`: make a movie, show its progress per stage, download the MP4."""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from pathlib import Path

from google.protobuf import json_format

from gateway.commands import common
from services.common import pb

HELP = "make a movie from a prompt (or a storyboard file), follow it, download the MP4"

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
    parser.add_argument("--music", choices=MUSIC, help="background music source (default auto)")
    parser.add_argument("--transition", choices=TRANSITIONS, help="transition between scenes")
    parser.add_argument("--storyboard-backend", choices=BACKENDS, help="who writes the storyboard")
    parser.add_argument("--no-captions", action="store_true", help="no caption track")
    parser.add_argument("--label", action="append", metavar="KEY=VALUE", help="correlation label (repeatable)")
    parser.add_argument("--callback-url", default="", help="webhook for the finished job")
    parser.add_argument("--request-id", default=None, help="idempotency key (default: a new UUID)")
    parser.add_argument("--out", type=Path, help="where to write the MP4 (default ./cinesynth-<job>.mp4)")
    parser.add_argument("--storyboard-out", type=Path, help="also save the storyboard JSON here")
    parser.add_argument("--no-wait", action="store_true", help="create the job, print it and return")


def build_request(args: argparse.Namespace) -> video.CreateVideoRequest:
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
    if args.music:
        spec.music_source = cpb.MusicSource.Value(f"MUSIC_SOURCE_{args.music.upper()}")
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
    if args.storyboard_file:
        data = json.loads(args.storyboard_file.read_text())
        json_format.ParseDict(data.get("storyboard", data), request.storyboard, ignore_unknown_fields=True)
    elif args.prompt:
        request.prompt = args.prompt
    else:
        raise SystemExit("cinesynth generate: give a PROMPT or --storyboard-file")
    return request


def run(args: argparse.Namespace) -> int:
    request = build_request(args)
    with common.video_stub(args) as stub:
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
