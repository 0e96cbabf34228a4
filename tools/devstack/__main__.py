"""`python -m tools.devstack up|down|status|demo` (what `make up`, `make down`, `make status` and
`make demo` run)."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from tools.devstack import stack
from tools.devstack.demo import run_demo


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.devstack", description=(stack.__doc__ or "").splitlines()[0])
    parser.add_argument("action", choices=["up", "down", "status", "demo"])
    args = parser.parse_args(argv)
    config = stack.StackConfig.from_env()
    if args.action == "up":
        return stack.up(config)
    if args.action == "down":
        stopped = stack.stop(config)
        print(f"stopped: {', '.join(stopped) if stopped else 'nothing was running'}")
        return 0
    if args.action == "status":
        for name, status in asyncio.run(stack.health_table(config)).items():
            print(f"  {name:<11} {config.target(name):<17} {status}")
        return 0
    return run_demo(config)


if __name__ == "__main__":
    raise SystemExit(main())
