"""`cinesynth-compositor render`: compose local files into an MP4 with the core, no gRPC.

    python -m services.compositor.cli render k0.png k1.png k2.png --duration 4 \\
        --transition flow_morph --move dolly-in --soundtrack mix.wav --out build/render

Inputs are linked into a file artifact store under --out; outputs land in <out>/store/render/.
Prints a JSON summary. `--raw-out FILE` writes the raw yuv420p frames instead of encoding them and
prints the encode command that would have consumed them (the benchmark's encode floor).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from services.common import ffmpeg
from services.common.artifacts import FileArtifactStore
from services.common.errors import CinesynthError
from services.compositor.core import Compositor
from services.compositor.encode import choose_encoder, encode_argv
from services.compositor.settings import CompositorSettings
from services.compositor.spec import CameraMotion, ComposeRequest, EncoderSpec, GradeSpec, SceneSpec, Transition

HELP = "compose local keyframes into an MP4 with the compositor core (no server)"
PREFIX = "render"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("keyframes", nargs="+", type=Path, help="one image per scene, in order")
    parser.add_argument("--duration", type=float, nargs="+", default=[4.0],
                        help="seconds per scene: one value for all, or one per scene")
    parser.add_argument("--transition", default="", choices=["", *Transition],
                        help="transition between scenes ('' = the service default)")
    parser.add_argument("--transition-s", type=float, default=0.0, help="transition length (0 = default)")
    parser.add_argument("--move", nargs="+", default=["static"],
                        help="named camera move: one for all scenes or one per scene (cycled)")
    parser.add_argument("--intensity", type=float, default=0.0, help="motion intensity 0..1 (0 = 1)")
    parser.add_argument("--grade", choices=["paper", "none"], default="paper")
    parser.add_argument("--fps", type=int, default=0)
    parser.add_argument("--width", type=int, default=0)
    parser.add_argument("--height", type=int, default=0)
    parser.add_argument("--aspect", default="", help="widescreen, cinemascope_letterbox, cinemascope, vertical")
    parser.add_argument("--soundtrack", type=Path)
    parser.add_argument("--srt", type=Path)
    parser.add_argument("--vtt", type=Path)
    parser.add_argument("--codec", default="", help="auto, libx264, h264_nvenc (default: settings)")
    parser.add_argument("--preset", default="", help="x264 preset (default: settings, medium)")
    parser.add_argument("--crf", type=int, default=None, help="x264 CRF (default: settings, 23)")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--raw-out", type=Path, help="write raw yuv420p frames here instead of encoding")


def _cycle(values: Sequence[object], count: int) -> list[object]:
    return [values[i % len(values)] for i in range(count)]


def build_request(args: argparse.Namespace, store: FileArtifactStore, inputs: Path) -> ComposeRequest:
    """Link the local files into the store (no copies) and describe the job."""

    def stage(path: Path, name: str) -> str:
        link = inputs / name
        link.unlink(missing_ok=True)
        try:
            os.symlink(path.resolve(), link)
        except OSError:
            shutil.copyfile(path, link)
        return store.uri_for(f"inputs/{name}")

    count = len(args.keyframes)
    if len(args.duration) not in (1, count):
        raise SystemExit(f"--duration takes one value or one per scene ({count})")
    durations, moves = _cycle(args.duration, count), _cycle(args.move, count)
    scenes = tuple(
        SceneSpec(
            keyframe_uri=stage(path, f"keyframe-{i:03d}{path.suffix.lower()}"),
            duration_s=float(durations[i]),  # type: ignore[arg-type]
            motion=CameraMotion(move=str(moves[i])),
            transition=args.transition,
            transition_s=args.transition_s,
            motion_intensity=args.intensity,
        )
        for i, path in enumerate(args.keyframes)
    )
    return ComposeRequest(
        scenes=scenes,
        fps=args.fps,
        width=args.width,
        height=args.height,
        aspect=args.aspect,
        grade=GradeSpec() if args.grade == "paper" else GradeSpec(enabled=False),
        encoder=EncoderSpec(codec=args.codec, preset=args.preset, crf=args.crf),
        soundtrack_uri=stage(args.soundtrack, f"soundtrack{args.soundtrack.suffix}") if args.soundtrack else "",
        captions_srt_uri=stage(args.srt, "captions.srt") if args.srt else "",
        captions_vtt_uri=stage(args.vtt, "captions.vtt") if args.vtt else "",
        output_prefix=PREFIX,
    )


def run(args: argparse.Namespace) -> int:
    settings = CompositorSettings()
    out: Path = args.out.resolve()
    inputs = out / "store" / "inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    store = FileArtifactStore(out / "store")
    compositor = Compositor(settings, store)
    try:
        request = build_request(args, store, inputs)
        plan = compositor.prepare(request)
        if args.raw_out:
            frames = compositor.render_raw(plan, args.raw_out)
            encoder, _ = choose_encoder(plan.encoder, ffmpeg.ffmpeg_path(), settings.encoder_threads)
            job = compositor.encode_job(
                plan, encoder, output=str(out / "floor.mp4"), video_input=str(args.raw_out.resolve()),
                soundtrack=str(args.soundtrack.resolve()) if args.soundtrack else None,
            )
            print(json.dumps({"frames": frames, "encode_argv": encode_argv(job)}))
            return 0
        outcome = compositor.compose(request)
    except CinesynthError as exc:
        print(f"compose failed ({exc.code.name}): {exc.message}", file=sys.stderr)
        return 1
    summary = asdict(outcome)
    summary["video_path"] = str(store.local_path(outcome.video.stored.uri))
    print(json.dumps(summary, default=str))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cinesynth-compositor", description=HELP)
    sub = parser.add_subparsers(dest="command", required=True)
    configure(sub.add_parser("render", help=HELP))
    args = parser.parse_args(argv)
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
