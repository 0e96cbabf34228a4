"""Start the real local stack (five processes) on free ports for end-to-end tests."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from tools.devstack import stack


@contextlib.contextmanager
def running_stack(
    run_dir: Path, env: Mapping[str, str] | None = None, *, motion: bool = False
) -> Iterator[stack.StackConfig]:
    config = stack.config_on_free_ports(run_dir, start_timeout_s=240, motion=motion)
    merged = {**os.environ, **(env or {})}
    stack.start(config, env=merged)
    try:
        asyncio.run(stack.wait_serving(config))
        yield config
    finally:
        stack.stop(config)
