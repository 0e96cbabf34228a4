"""`cinesynth watch JOB`: follow a job until it finishes (reconnects when the gateway restarts)."""

from __future__ import annotations

import argparse

from client.commands import common

HELP = "follow a job's progress until it finishes"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("job", help="jobs/ID or ID")


def run(args: argparse.Namespace) -> int:
    with common.video_stub(args) as stub, common.ProgressView(args.json) as view:
        job = common.watch_until_done(stub, args, common.job_name(args.job), view)
    if not args.json:
        print(common.job_summary(job))
    return common.exit_code(job)
