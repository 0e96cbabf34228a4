"""`cinesynth storyboard "PROMPT"`: ask the Storyboard service directly for a storyboard.

    cinesynth storyboard "a lighthouse keeper's last night before the storm" --scenes 7 --duration 90 --json

Talks gRPC to CINESYNTH_STORYBOARD_TARGET (default 127.0.0.1:50052). `--from-json FILE` sends a
storyboard of your own to be validated and normalised instead of generating one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

from google.protobuf import json_format

from client.commands.common import metadata, service_target
from services.common import pb
from services.common.channels import create_channel

HELP = "write a storyboard with the Storyboard service (prints JSON with --json)"

_BACKENDS = {
    "planner": pb.common_pb2.STORYBOARD_BACKEND_PLANNER,
    "transformers": pb.common_pb2.STORYBOARD_BACKEND_TRANSFORMERS,
    "openai": pb.common_pb2.STORYBOARD_BACKEND_OPENAI,
}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("prompt", nargs="?", default="", help="what the film is about (1..4000 characters)")
    parser.add_argument("--scenes", type=int, default=None, help="number of scenes, 1..60 (default 5)")
    parser.add_argument("--duration", type=float, default=None, help="total length in seconds (default 60)")
    parser.add_argument("--backend", choices=sorted(_BACKENDS), default=None,
                        help="who writes it (default: the service's configured backend, normally planner)")
    parser.add_argument("--model", default="", help="model id or local path for the transformers/openai backends")
    parser.add_argument("--seed", type=int, default=None, help="same seed, same storyboard (planner)")
    parser.add_argument("--style", default="", help="visual style, e.g. noir, anime, watercolor")
    parser.add_argument("--from-json", type=Path, default=None, metavar="FILE",
                        help="validate and normalise this storyboard (JSON, proto field names) instead")
    parser.add_argument("--target", default=None,
                        help="Storyboard service address (CINESYNTH_STORYBOARD_TARGET, default 127.0.0.1:50052)")


def build_request(args: argparse.Namespace) -> pb.storyboard_pb2.CreateStoryboardRequest:
    request = pb.storyboard_pb2.CreateStoryboardRequest(
        prompt=args.prompt,
        scene_count=args.scenes or 0,
        duration_s=args.duration or 0.0,
        style=args.style,
        model=args.model,
    )
    if args.seed is not None:
        request.seed = args.seed
    if args.backend:
        request.backend = _BACKENDS[args.backend]
    if args.from_json is not None:
        data = json.loads(args.from_json.read_text(encoding="utf-8"))
        json_format.ParseDict(data.get("storyboard", data), request.storyboard, ignore_unknown_fields=True)
    return request


def explicit_zero_errors(args: argparse.Namespace) -> list[str]:
    """0 means "the default" on the wire, so an explicit `--scenes 0` / `--duration 0` is refused here."""
    errors = []
    if args.scenes is not None and args.scenes == 0:
        errors.append("scene_count: must be at least 1, got 0")
    if args.duration is not None and args.duration == 0:
        errors.append("duration_s: must be greater than 0, got 0")
    return errors


async def _call(target: str, request: Any, args: argparse.Namespace) -> pb.storyboard_pb2.CreateStoryboardResponse:
    async with create_channel(target) as channel:
        stub = pb.storyboard_grpc.StoryboardServiceStub(channel)
        return await stub.CreateStoryboard(request, timeout=args.timeout or 600, metadata=metadata(args))


def storyboard_dict(storyboard: pb.common_pb2.Storyboard) -> dict[str, Any]:
    """snake_case proto names, zero values included (scene 0, a cut's 0 s) so every field shows."""
    return json_format.MessageToDict(
        storyboard, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


def run(args: argparse.Namespace) -> int:
    problems = explicit_zero_errors(args)
    if problems:
        print("error: INVALID_ARGUMENT: " + "; ".join(problems), file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    try:
        request = build_request(args)
    except (OSError, ValueError, json_format.ParseError) as error:
        print(f"error: cannot read {args.from_json}: {error}", file=sys.stderr)
        return 2
    response = asyncio.run(_call(args.target or service_target("storyboard"), request, args))
    storyboard = response.storyboard
    if args.json:
        print(json.dumps({"storyboard": storyboard_dict(storyboard)}, indent=2, ensure_ascii=False))
    else:
        print(render(storyboard))
    return 0


def render(storyboard: pb.common_pb2.Storyboard) -> str:
    """A readable shot list."""
    p = storyboard.provenance
    backend = pb.common_pb2.StoryboardBackend.Name(p.backend).removeprefix("STORYBOARD_BACKEND_").lower()
    outcome = pb.common_pb2.ParseOutcome.Name(p.parse_outcome).removeprefix("PARSE_OUTCOME_").lower()
    lines = [
        f"{storyboard.title} — {storyboard.total_duration_s:g} s, {len(storyboard.scenes)} scenes",
        textwrap.fill(storyboard.logline, 100),
        f"backend {backend} ({p.model}), parse {outcome}",
    ]
    lines += [f"warning [{w.code}]: {w.message}" for w in p.warnings]
    lines.append("characters:")
    lines += [f"  {c.name}: {c.description}" for c in storyboard.characters]
    m = storyboard.music
    lines.append(f"music: {m.mood}, {m.genre}, {m.tempo_bpm:g} BPM (query: {m.query})")
    for scene in storyboard.scenes:
        pose = scene.shot.camera_pose
        transition = pb.common_pb2.TransitionKind.Name(scene.transition).removeprefix("TRANSITION_KIND_").lower()
        lines += [
            "",
            f"{scene.index + 1}. {scene.title}  [{scene.start_s:.2f}-{scene.start_s + scene.duration_s:.2f} s, "
            f"{scene.beat}, {scene.shot_type}, {pose.move}, {scene.mood}, -> {transition} {scene.transition_s:g} s]",
            textwrap.indent(textwrap.fill(scene.description, 96), "   "),
            textwrap.indent(textwrap.fill(f"narration: {scene.narration}", 96), "   "),
        ]
        if scene.lyrics:
            lines.append(f"   lyrics: {scene.lyrics}")
    return "\n".join(lines)
