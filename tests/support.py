"""Helpers for tests that run real gRPC servers on loopback port 0."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import socket
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from pathlib import Path

from grpc_health.v1 import health_pb2

from services.common.portfile import BoundPorts, wait_port_file
from services.common.server import Service, ServiceRuntime, check_health
from services.common.settings import ServiceSettings


def test_settings(cls: type[ServiceSettings] = ServiceSettings, **overrides: object) -> ServiceSettings:
    """Settings for an in-process test server: port 0, no metrics endpoint unless asked, short grace."""
    values: dict[str, object] = {"host": "127.0.0.1", "port": 0, "metrics_port": None, "grace_period_s": 5.0}
    values.update(overrides)
    return cls(**values)


@contextlib.asynccontextmanager
async def serve_in_process(service: Service, settings: ServiceSettings | None = None) -> AsyncIterator[ServiceRuntime]:
    """Start `service` on the shared runtime (health, reflection, interceptors) and drain it after."""
    runtime = ServiceRuntime(settings or test_settings(), service)
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.drain(grace_s=1.0)


async def until(condition: Callable[[], bool | Awaitable[bool]], timeout: float = 30.0) -> None:
    """Wait for a condition on state other tasks, threads or servers change (polled: they signal nothing).

    The bound only turns a hang into a failure: it is far above what a loaded machine needs.
    """
    async with asyncio.timeout(timeout):
        while True:
            result = condition()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return
            await asyncio.sleep(0.02)


# CPU seconds per second an idle test process (event loop, gRPC pollers) may use: far below one
# worker thread (1.0) or one ffmpeg.
IDLE_CPU_S = 0.15


def process_tree_cpu_s() -> float:
    """CPU seconds used so far by this process (all its threads) and its live children (ffmpeg...)."""
    import psutil

    me = psutil.Process()
    times = me.cpu_times()
    total = times.user + times.system + times.children_user + times.children_system  # reaped children too
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess, psutil.ZombieProcess):
            child_times = child.cpu_times()
            total += child_times.user + child_times.system
    return total


async def cpu_after_cancel(settle_s: float = 2.0, window_s: float = 1.0) -> float:
    """CPU seconds the process tree used in `window_s`, starting `settle_s` after a cancellation.

    The waits are the measurement's own window (the acceptance is "no CPU within 2 s of cancelling"),
    not synchronisation: nothing is expected to happen at their end.
    """
    await asyncio.sleep(settle_s)
    before = process_tree_cpu_s()
    await asyncio.sleep(window_s)
    return process_tree_cpu_s() - before


def port_zero_env(env: Mapping[str, str], port_file: Path, *, metrics: bool = True) -> dict[str, str]:
    """`env` for a server process that binds port 0 (and metrics port 0) and reports them in `port_file`."""
    out = {**env, "CINESYNTH_PORT": "0", "CINESYNTH_PORT_FILE": str(port_file)}
    if metrics:
        out["CINESYNTH_METRICS_PORT"] = "0"
    port_file.unlink(missing_ok=True)
    return out


def reported_ports(process: subprocess.Popen[bytes], port_file: Path, timeout_s: float = 180.0) -> BoundPorts:
    """The ports `process` bound, once it wrote them (fails at once if it exits first)."""
    return wait_port_file(port_file, pid=process.pid, alive=lambda: process.poll() is None, timeout_s=timeout_s)


async def until_serving(target: str, process: subprocess.Popen[bytes], timeout_s: float = 180.0) -> None:
    """Wait for SERVING on `target`; the bound is generous (a loaded machine), a dead process ends it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while await check_health(target, timeout=2.0) != health_pb2.HealthCheckResponse.SERVING:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode} before SERVING")
        if loop.time() > deadline:
            raise AssertionError(f"{target} not SERVING after {timeout_s:.0f} s")
        await asyncio.sleep(0.1)


@contextlib.contextmanager
def refusing_port() -> Iterator[int]:
    """A loopback port that refuses connections for as long as the block runs.

    The socket stays bound but never listens (Linux answers a connect with RST), so unlike a port
    probed free and closed, no other process can start listening on it during the test.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


test_settings.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test
