"""Start the real local stack (five processes) on free ports for end-to-end tests."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Iterator, Mapping
from pathlib import Path

from services.common import stack


def free_block(count: int, start: int = 20000, stop: int = 60000) -> int:
    """First port of `count` consecutive free loopback ports (probes from a pid-dependent offset)."""
    base = start + (os.getpid() * 37) % (stop - start - count)
    for candidate in range(base, stop - count, count):
        sockets = []
        try:
            for port in range(candidate, candidate + count):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return candidate
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free port block")


@contextlib.contextmanager
def running_stack(run_dir: Path, env: Mapping[str, str] | None = None) -> Iterator[stack.StackConfig]:
    config = stack.StackConfig(
        grpc_base=free_block(5), metrics_base=free_block(5, start=30000), run_dir=run_dir, start_timeout_s=240
    )
    merged = {**os.environ, **(env or {})}
    stack.start(config, env=merged)
    try:
        asyncio.run(stack.wait_serving(config))
        yield config
    finally:
        stack.stop(config)
