"""`cinesynth list`: the caller's jobs, newest first, filtered by state and labels."""

from __future__ import annotations

import argparse
import datetime as dt

from client.commands import common
from services.common import pb

NAME = "list"
HELP = "list jobs (newest first)"

video = pb.video_pb2
STATES = ("queued", "running", "succeeded", "failed", "cancelled")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--state", choices=STATES, help="only jobs in this state")
    parser.add_argument("--label", action="append", metavar="KEY=VALUE", help="only jobs with this label")
    parser.add_argument("--page-size", type=int, default=20, help="jobs per page (1..100)")
    parser.add_argument("--page-token", default="", help="continue from a previous page")
    parser.add_argument("--all", action="store_true", help="follow every page")


def run(args: argparse.Namespace) -> int:
    request = video.ListJobsRequest(
        page_size=args.page_size, page_token=args.page_token, labels=common.parse_labels(args.label)
    )
    if args.state:
        request.state = video.JobState.Value(f"JOB_STATE_{args.state.upper()}")
    jobs: list[video.Job] = []
    token = ""
    with common.video_stub(args) as stub:
        while True:
            response = stub.ListJobs(request, **common.call_options(args))
            jobs.extend(response.jobs)
            token = response.next_page_token
            if not (args.all and token):
                break
            request.page_token = token
    if args.json:
        common.print_json({"jobs": [common.to_dict(j) for j in jobs], "next_page_token": token})
        return 0
    for job in jobs:
        created = dt.datetime.fromtimestamp(job.create_time.seconds, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        labels = ",".join(f"{k}={v}" for k, v in sorted(job.labels.items()))
        prompt = (job.prompt or job.storyboard.title)[:40]
        print(
            f"{job.id}  {common.state_name(job.state):<9}  {common.stage_name(job.stage):<10} "
            f"{job.progress * 100:5.1f}%  {created}  {prompt!r}  {labels}"
        )
    if token:
        print(f"more: --page-token {token}")
    return 0
