"""`make demo`: the local stack renders a movie from a default prompt with the offline defaults."""

from __future__ import annotations

import sys

from services.common.stack import StackConfig


def run_demo(config: StackConfig) -> int:
    print(
        "make demo renders through the gateway's VideoService, which is not built yet "
        "(issue 7); `make up` starts the stack.",
        file=sys.stderr,
    )
    return 2
