"""Helpers for tests that run real gRPC servers on loopback port 0."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from services.common.server import Service, ServiceRuntime
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


test_settings.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test
