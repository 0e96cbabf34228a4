"""The ports a server bound, written where the process that started it can read them.

A supervisor (the local stack, a test) starts a server on port 0 with CINESYNTH_PORT_FILE=PATH; the
server binds, then writes `{"pid": ..., "grpc_port": ..., "metrics_port": ...}` there atomically. No
port is ever probed free and handed over later, so no other process can take it in between.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BoundPorts:
    pid: int
    grpc_port: int
    metrics_port: int | None


def write_port_file(path: str | Path, grpc_port: int, metrics_port: int | None) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"pid": os.getpid(), "grpc_port": grpc_port, "metrics_port": metrics_port})
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(body)
    os.replace(partial, path)  # readers see the whole file or none


def read_port_file(path: str | Path) -> BoundPorts | None:
    try:
        data = json.loads(Path(path).read_text())
    except (FileNotFoundError, ValueError):
        return None
    return BoundPorts(int(data["pid"]), int(data["grpc_port"]), data.get("metrics_port"))


def wait_port_file(
    path: str | Path, *, pid: int | None = None, alive: Callable[[], bool] = lambda: True, timeout_s: float = 120.0
) -> BoundPorts:
    """The ports in `path` once the server (of `pid`, when given) wrote them; fails fast if it died.

    Polls: a server binds in well under a second, but on a loaded machine start-up (imports) takes
    however long it takes, so the bound is generous and a dead process ends the wait at once.
    """
    deadline = time.monotonic() + timeout_s
    delay = 0.01
    while True:
        ports = read_port_file(path)
        if ports is not None and (pid is None or ports.pid == pid):
            return ports
        if not alive():
            raise RuntimeError(f"the server exited before writing {path}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no ports in {path} after {timeout_s:.0f} s")
        time.sleep(delay)
        delay = min(delay * 2, 0.2)
