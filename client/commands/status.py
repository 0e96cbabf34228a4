"""`cinesynth status JOB`: a job's state, stages, warnings and artifacts."""

from __future__ import annotations

import argparse

from client.commands import common
from services.common import pb

HELP = "show a job"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("job", help="jobs/ID or ID")


def run(args: argparse.Namespace) -> int:
    with common.video_stub(args) as stub:
        job = stub.GetJob(pb.video_pb2.GetJobRequest(name=common.job_name(args.job)), **common.call_options(args)).job
    if args.json:
        common.print_json(job)
    else:
        print(common.job_summary(job))
    return 0
