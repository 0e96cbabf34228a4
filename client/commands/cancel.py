"""`cinesynth cancel JOB`: stop a job (its workers stop too)."""

from __future__ import annotations

import argparse

from client.commands import common
from services.common import pb

HELP = "cancel a job"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("job", help="jobs/ID or ID")


def run(args: argparse.Namespace) -> int:
    request = pb.video_pb2.CancelJobRequest(name=common.job_name(args.job))
    with common.video_stub(args) as stub:
        job = stub.CancelJob(request, **common.call_options(args)).job
    if args.json:
        common.print_json(job)
    else:
        print(f"{job.name}  {common.state_name(job.state)}")
    return 0
