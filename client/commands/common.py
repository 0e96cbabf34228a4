"""Flags, channels, progress display and error reporting shared by the CLI subcommands."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import json_format
from google.protobuf.message import Message

from services.common import pb
from services.common.enums import short_name
from services.common.errors import field_violations

DEFAULT_TARGETS = {
    "gateway": "127.0.0.1:50051",
    "storyboard": "127.0.0.1:50052",
    "imagegen": "127.0.0.1:50053",
    "audio": "127.0.0.1:50054",
    "compositor": "127.0.0.1:50055",
}

video = pb.video_pb2
TERMINAL_STATES = {video.JOB_STATE_SUCCEEDED, video.JOB_STATE_FAILED, video.JOB_STATE_CANCELLED}
_CODE_NAMES = {code.value[0]: code.name for code in grpc.StatusCode}
# Exit codes: 0 done, 1 error or failed job, 3 cancelled job.
EXIT_FAILED, EXIT_CANCELLED = 1, 3


def add_client_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--gateway", default=os.environ.get("CINESYNTH_GATEWAY", DEFAULT_TARGETS["gateway"]),
        help="gateway address (CINESYNTH_GATEWAY)",
    )
    parser.add_argument(
        "--api-key", default=os.environ.get("CINESYNTH_API_KEY"), help="API key (CINESYNTH_API_KEY)"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable JSON output")
    parser.add_argument("--timeout", type=float, default=None, help="call deadline in seconds")


def service_target(name: str) -> str:
    """Address of an internal service for direct commands: CINESYNTH_<NAME>_TARGET or the local stack."""
    return os.environ.get(f"CINESYNTH_{name.upper()}_TARGET", DEFAULT_TARGETS[name])


def metadata(args: argparse.Namespace) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {args.api_key}")] if getattr(args, "api_key", None) else []


def to_dict(message: Message) -> dict[str, Any]:
    """snake_case field names, as in the proto."""
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def print_json(message: Message | dict[str, Any], *, compact: bool = False) -> None:
    data = to_dict(message) if isinstance(message, Message) else message
    if compact:
        print(json.dumps(data, ensure_ascii=False, separators=(",", ":")), flush=True)
    else:
        print(json.dumps(data, indent=2, ensure_ascii=False), flush=True)


def describe_rpc_error(error: grpc.RpcError) -> str:
    code = error.code().name if error.code() else "UNKNOWN"
    lines = [f"error: {code}: {error.details()}"]
    lines += [f"  {v.field}: {v.description}" for v in field_violations(error)]
    return "\n".join(lines)


def run_command(run: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a subcommand; a failed call exits non-zero with the server's message."""
    try:
        return run(args)
    except grpc.RpcError as error:
        print(describe_rpc_error(error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


# --- the gateway client --------------------------------------------------------------------------


@contextlib.contextmanager
def video_stub(args: argparse.Namespace) -> Iterator[pb.video_grpc.VideoServiceStub]:
    with grpc.insecure_channel(args.gateway) as channel:
        yield pb.video_grpc.VideoServiceStub(channel)


def call_options(args: argparse.Namespace, *, streaming: bool = False) -> dict[str, Any]:
    """metadata, and the deadline (streams that follow a job have none unless --timeout is given)."""
    options: dict[str, Any] = {"metadata": metadata(args)}
    if args.timeout is not None:
        options["timeout"] = args.timeout
    elif not streaming:
        options["timeout"] = 60.0
    return options


def job_name(text: str) -> str:
    return text if text.startswith("jobs/") else f"jobs/{text}"


def state_name(state: int) -> str:
    return short_name(video.JobState, "JOB_STATE_", state) or "unspecified"


def stage_name(stage: int) -> str:
    return short_name(video.JobStage, "JOB_STAGE_", stage) or "unspecified"


def parse_labels(pairs: Iterable[str] | None) -> dict[str, str]:
    labels: dict[str, str] = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"cinesynth: --label expects KEY=VALUE, got {pair!r}")
        labels[key] = value
    return labels


def exit_code(job: video.Job) -> int:
    if job.state == video.JOB_STATE_SUCCEEDED:
        return 0
    return EXIT_CANCELLED if job.state == video.JOB_STATE_CANCELLED else EXIT_FAILED


def job_summary(job: video.Job) -> str:
    lines = [
        f"{job.name}  {state_name(job.state)}  stage {stage_name(job.stage)}  {job.progress * 100:.0f}%",
    ]
    if job.message:
        lines.append(f"  {job.message}")
    if job.keyframes_total:
        lines.append(f"  keyframes {job.keyframes_done}/{job.keyframes_total}")
    if job.frames_total:
        lines.append(f"  frames {job.frames_done}/{job.frames_total}")
    if job.tier_used:
        tier = short_name(pb.common_pb2.Tier, "TIER_", job.tier_used) or "unspecified"
        lines.append(f"  tier {tier}  model {job.model_used}")
    for timing in job.timings:
        lines.append(f"  {stage_name(timing.stage):<12} {timing.seconds:7.2f} s")
    for warning in job.warnings:
        lines.append(f"  warning [{warning.stage}] {warning.code}: {warning.message}")
    if job.state == video.JOB_STATE_FAILED:
        lines.append(f"  error: {_CODE_NAMES.get(job.error.code, 'UNKNOWN')}: {job.error.message}")
    for artifact in job.artifacts:
        lines.append(f"  artifact {artifact.name:<28} {artifact.size_bytes:>10} B  {artifact.mime_type}")
    return "\n".join(lines)


# --- following a job -----------------------------------------------------------------------------


class ProgressView:
    """Shows JobEvents: a live bar per stage on a terminal, one line per change otherwise, NDJSON with --json."""

    def __init__(self, as_json: bool, stream: Any = None) -> None:
        self.as_json = as_json
        self.stream = stream or sys.stderr
        self._last_line = ""
        self._progress: Any = None
        self._tasks: dict[int, Any] = {}
        self._live = not as_json and getattr(self.stream, "isatty", lambda: False)()

    def __enter__(self) -> ProgressView:
        if self._live:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("{task.description:<12}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
                TextColumn("{task.fields[detail]}"), console=Console(file=self.stream),
            )
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def show(self, event: video.JobEvent) -> None:
        if self.as_json:
            print_json(event, compact=True)
            return
        for warning in event.warnings:
            self._print(f"warning [{warning.stage}] {warning.code}: {warning.message}")
        if self._progress is not None:
            self._show_live(event)
            return
        detail = event.message
        line = f"[{stage_name(event.stage):<10}] {event.progress * 100:5.1f}%  {detail}"
        if line != self._last_line:
            self._print(line)
            self._last_line = line

    def _show_live(self, event: video.JobEvent) -> None:
        stage = event.stage
        if stage not in self._tasks and stage not in (video.JOB_STAGE_DONE, video.JOB_STAGE_UNSPECIFIED):
            self._tasks[stage] = self._progress.add_task(stage_name(stage), total=1.0, detail="")
        for known, task in self._tasks.items():
            if known < stage or event.state == video.JOB_STATE_SUCCEEDED:
                self._progress.update(task, completed=1.0)
        if stage in self._tasks:
            self._progress.update(self._tasks[stage], completed=event.stage_progress, detail=event.message)

    def _print(self, text: str) -> None:
        if self._progress is not None:
            self._progress.console.print(text)
        else:
            print(text, file=self.stream, flush=True)


def follow(
    events: Iterable[Any], view: ProgressView, on_first: Callable[[video.JobEvent], None] | None = None
) -> video.Job | None:
    """Show every event of a WatchJob/GenerateVideo stream; the terminal job, or None if the stream ended early."""
    last: video.Job | None = None
    for response in events:
        event = response.event
        if on_first is not None and last is None:
            on_first(event)
        view.show(event)
        if event.HasField("job"):
            last = event.job
        if event.state in TERMINAL_STATES:
            return event.job if event.HasField("job") else last
    return None


def watch_until_done(
    stub: pb.video_grpc.VideoServiceStub, args: argparse.Namespace, name: str, view: ProgressView, retries: int = 5
) -> video.Job:
    """WatchJob, reconnecting when the gateway goes away (the first event is the current state)."""
    for attempt in range(retries + 1):
        try:
            job = follow(stub.WatchJob(video.WatchJobRequest(name=name), **call_options(args, streaming=True)), view)
            if job is not None:
                return job
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.UNAVAILABLE or attempt == retries:
                raise
        print("connection lost; reconnecting...", file=sys.stderr)
        time.sleep(min(2**attempt, 10))
    raise SystemExit("cinesynth: gave up reconnecting to the gateway")


def download(
    stub: pb.video_grpc.VideoServiceStub, args: argparse.Namespace, name: str, out: Path, *, artifact: str = "",
    kind: int = 0,
) -> pb.common_pb2.Artifact:
    """Stream one artifact into `out` (written beside, then renamed), checking its sha256."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.part")
    digest = hashlib.sha256()
    found: pb.common_pb2.Artifact | None = None
    request = video.DownloadArtifactRequest(name=name, artifact=artifact, kind=kind)
    try:
        with open(partial, "wb") as fh:
            for response in stub.DownloadArtifact(request, **call_options(args, streaming=True)):
                if response.HasField("artifact"):
                    found = response.artifact
                fh.write(response.data)
                digest.update(response.data)
        if found is None:
            raise SystemExit("cinesynth: the gateway sent no artifact")
        if found.sha256 and found.sha256 != digest.hexdigest():
            raise SystemExit(f"cinesynth: {found.name} arrived corrupted (sha256 mismatch)")
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return found
