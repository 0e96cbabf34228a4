"""`cinesynth`: the command-line client.

Each subcommand is a module in `client/commands/` exposing `HELP`, `configure(parser)` and
`run(args) -> int`; this file only dispatches. Client modules import no torch.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

import client.commands as commands_pkg
from client.commands import common


def discover() -> dict[str, object]:
    found: dict[str, object] = {}
    for info in sorted(pkgutil.iter_modules(commands_pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name == "common":
            continue
        module = importlib.import_module(f"{commands_pkg.__name__}.{info.name}")
        found[getattr(module, "NAME", info.name)] = module
    return found


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, object]]:
    parser = argparse.ArgumentParser(prog="cinesynth", description="Text or music in, a cinematic movie out.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    modules = discover()
    for name, module in modules.items():
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)  # type: ignore[attr-defined]
        common.add_client_flags(p)
        module.configure(p)  # type: ignore[attr-defined]
    return parser, modules


def main(argv: Sequence[str] | None = None) -> int:
    parser, modules = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    return common.run_command(modules[args.command].run, args)  # type: ignore[attr-defined]


if __name__ == "__main__":
    raise SystemExit(main())
