"""`cinesynth download JOB`: fetch a job's MP4, or any artifact (captions, storyboard, keyframes, poster)."""

from __future__ import annotations

import argparse
from pathlib import Path

from client.commands import common
from services.common import pb

HELP = "download a job's video or other artifacts"

cpb = pb.common_pb2
KINDS = {
    "video": cpb.ARTIFACT_KIND_VIDEO,
    "srt": cpb.ARTIFACT_KIND_CAPTIONS_SRT,
    "vtt": cpb.ARTIFACT_KIND_CAPTIONS_VTT,
    "storyboard": cpb.ARTIFACT_KIND_STORYBOARD,
    "poster": cpb.ARTIFACT_KIND_POSTER,
    "soundtrack": cpb.ARTIFACT_KIND_SOUNDTRACK,
    "keyframe": cpb.ARTIFACT_KIND_KEYFRAME,
    "music": cpb.ARTIFACT_KIND_MUSIC,
    "contact-sheet": cpb.ARTIFACT_KIND_CONTACT_SHEET,
}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("job", help="jobs/ID or ID")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--artifact", default="", help="artifact name as listed by `status`, e.g. captions.vtt")
    which.add_argument("--kind", choices=sorted(KINDS), help="the first artifact of this kind (default video)")
    which.add_argument("--all", action="store_true", help="every artifact, into --out as a directory")
    parser.add_argument("--out", type=Path, help="file (or directory with --all); default: the artifact's name")


def run(args: argparse.Namespace) -> int:
    name = common.job_name(args.job)
    with common.video_stub(args) as stub:
        if args.all:
            job = stub.GetJob(pb.video_pb2.GetJobRequest(name=name), **common.call_options(args)).job
            root = args.out or Path(job.id)
            fetched = [common.download(stub, args, name, root / a.name, artifact=a.name) for a in job.artifacts]
            paths = [str(root / a.name) for a in fetched]
        else:
            kind = 0 if args.artifact else KINDS[args.kind or "video"]
            if args.out is None:
                job = stub.GetJob(pb.video_pb2.GetJobRequest(name=name), **common.call_options(args)).job
                chosen = next(
                    (a for a in job.artifacts if (a.name == args.artifact if args.artifact else a.kind == kind)), None
                )
                out = Path(Path(chosen.name).name if chosen else (args.artifact or "artifact"))
            else:
                out = args.out
            artifact = common.download(stub, args, name, out, artifact=args.artifact, kind=kind)
            fetched, paths = [artifact], [str(out)]
    if args.json:
        common.print_json({"files": [{"path": p, **common.to_dict(a)} for p, a in zip(paths, fetched, strict=True)]})
    else:
        for path, artifact in zip(paths, fetched, strict=True):
            print(f"{path}  ({artifact.size_bytes} bytes, sha256 {artifact.sha256[:12]}...)")
    return 0
