"""Flags, channels and error reporting shared by the CLI subcommands."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import Any

import grpc
from google.protobuf import json_format
from google.protobuf.message import Message

from services.common.errors import field_violations

DEFAULT_TARGETS = {
    "gateway": "127.0.0.1:50051",
    "storyboard": "127.0.0.1:50052",
    "imagegen": "127.0.0.1:50053",
    "audio": "127.0.0.1:50054",
    "compositor": "127.0.0.1:50055",
}


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


def print_json(message: Message | dict[str, Any]) -> None:
    data = to_dict(message) if isinstance(message, Message) else message
    print(json.dumps(data, indent=2, ensure_ascii=False))


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
