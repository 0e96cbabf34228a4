"""The one command-line bootstrap of every server: flags + env -> settings -> logging -> serve.

    def main(argv=None):
        return serve_cli(argv, prog="cinesynth-audio", settings_cls=AudioSettings, build=build_service)

Extra subcommands (`cinesynth-imagegen plan ...`) are passed as `commands`; without a
subcommand, or with `serve`, the server runs until SIGTERM/SIGINT, then drains.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from pydantic import ValidationError

from services.common.logs import configure_logging
from services.common.server import Service, ServiceRuntime
from services.common.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)
log = logging.getLogger(__name__)

# CLI flag -> settings field; flags override the environment.
_SERVER_FLAGS: tuple[tuple[str, str, type, str], ...] = (
    ("--host", "host", str, "address to bind (CINESYNTH_HOST)"),
    ("--port", "port", int, "gRPC port, 0 = any free port (CINESYNTH_PORT)"),
    ("--metrics-port", "metrics_port", int, "Prometheus port (CINESYNTH_METRICS_PORT)"),
    ("--log-level", "log_level", str, "DEBUG, INFO, ... (CINESYNTH_LOG_LEVEL)"),
    ("--log-format", "log_format", str, "json or text (CINESYNTH_LOG_FORMAT)"),
    ("--artifact-store", "artifact_store", str, "file://DIR or s3://BUCKET/PREFIX (CINESYNTH_ARTIFACT_STORE)"),
    ("--grace-period", "grace_period_s", float, "seconds in-flight calls may run on SIGTERM"),
)


@dataclass(frozen=True)
class Command:
    """A subcommand: `configure` adds its arguments, `run` gets the parsed args and returns an exit code."""

    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def add_server_flags(parser: argparse.ArgumentParser) -> None:
    for flag, dest, kind, text in _SERVER_FLAGS:
        parser.add_argument(flag, dest=dest, type=kind, default=None, help=text)
    parser.add_argument(
        "--no-reflection", dest="reflection", action="store_false", default=None, help="disable reflection"
    )


def settings_from_args(settings_cls: type[S], args: argparse.Namespace) -> S:
    fields = set(settings_cls.model_fields)
    overrides = {k: v for k, v in vars(args).items() if k in fields and v is not None}
    return settings_cls(**overrides)


async def serve(settings: ServiceSettings, build: Callable[[S], Service]) -> None:
    """Serve until SIGTERM/SIGINT, then drain: NOT_SERVING, finish in-flight calls, stop."""
    service = build(settings)  # type: ignore[arg-type]
    runtime = ServiceRuntime(settings, service)
    loop = asyncio.get_running_loop()
    drain_task: list[asyncio.Task[None]] = []

    def on_signal(signame: str) -> None:
        if not drain_task:
            log.info("signal received", extra={"signal": signame})
            drain_task.append(loop.create_task(runtime.drain()))

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig.name)
    await runtime.start()
    await runtime.wait()


def serve_cli(
    argv: Sequence[str] | None,
    *,
    prog: str,
    settings_cls: type[S],
    build: Callable[[S], Service],
    commands: Mapping[str, Command] | None = None,
    description: str = "",
) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=description)
    sub = parser.add_subparsers(dest="command")
    serve_parser = sub.add_parser("serve", help="run the gRPC server (the default)")
    add_server_flags(serve_parser)
    for name, command in (commands or {}).items():
        command.configure(sub.add_parser(name, help=command.help))
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["serve", *argv]
    args = parser.parse_args(argv)
    if args.command != "serve":
        return (commands or {})[args.command].run(args)
    try:
        settings = settings_from_args(settings_cls, args)
    except ValidationError as exc:
        print(f"{prog}: invalid configuration:\n{exc}", file=sys.stderr)
        return 2
    configure_logging(settings.service_name, settings.log_level, settings.log_format)
    try:
        asyncio.run(serve(settings, build))
    except KeyboardInterrupt:  # a second Ctrl-C
        return 130
    return 0
