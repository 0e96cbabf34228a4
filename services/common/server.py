"""The one gRPC server bootstrap every cinesynth service runs on.

    server, port = create_server("127.0.0.1:0")             # tests
    runtime = ServiceRuntime(settings, service); await runtime.start()   # services
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import grpc
from grpc import aio
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from services.common.interceptors import ErrorMappingInterceptor, MetricsInterceptor
from services.common.metrics import MetricsEndpoint, start_metrics_endpoint
from services.common.portfile import write_port_file
from services.common.reflection import enable_reflection
from services.common.settings import ServiceSettings

log = logging.getLogger(__name__)

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING

# Clients ping every 30 s (see channels.py); the server must permit at least that often.
SERVER_KEEPALIVE_OPTIONS: tuple[tuple[str, int], ...] = (
    ("grpc.keepalive_time_ms", 60_000),
    ("grpc.keepalive_timeout_ms", 20_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
    ("grpc.http2.max_ping_strikes", 0),
)


def server_options(
    max_message_bytes: int = 64 * 1024 * 1024,
    max_connection_age_s: float | None = None,
    grace_period_s: float = 30.0,
) -> list[tuple[str, int]]:
    options = [
        *SERVER_KEEPALIVE_OPTIONS,
        ("grpc.max_send_message_length", max_message_bytes),
        ("grpc.max_receive_message_length", max_message_bytes),
        ("grpc.so_reuseport", 0),
    ]
    if max_connection_age_s:
        options += [
            ("grpc.max_connection_age_ms", int(max_connection_age_s * 1000)),
            # An aged connection must still let a long call (a keyframe, an encode) finish.
            ("grpc.max_connection_age_grace_ms", int(max(grace_period_s, 30.0) * 1000)),
        ]
    return options


def create_server(
    address: str,
    *,
    interceptors: Sequence[aio.ServerInterceptor] | None = None,
    options: Sequence[tuple[str, int]] | None = None,
    maximum_concurrent_rpcs: int | None = None,
) -> tuple[aio.Server, int]:
    """A grpc.aio server with our interceptors, bound to `address` (port 0 picks a free port)."""
    if interceptors is None:
        interceptors = [MetricsInterceptor(), ErrorMappingInterceptor()]
    server = aio.server(
        interceptors=list(interceptors),
        options=list(options if options is not None else server_options()),
        maximum_concurrent_rpcs=maximum_concurrent_rpcs,
    )
    port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"could not bind gRPC server to {address}")
    return server, port


@dataclass
class Service:
    """What a service plugs into the runtime.

    `register` adds servicers; `start` loads and warms (health stays NOT_SERVING until it returns);
    `on_drain` runs as draining begins (end long-lived streams so clients reconnect elsewhere);
    `stop` releases resources after in-flight calls have finished.
    """

    name: str
    service_names: Sequence[str]
    register: Callable[[aio.Server], None]
    start: Callable[[], Awaitable[None]] | None = None
    stop: Callable[[], Awaitable[None]] | None = None
    on_drain: Callable[[], Awaitable[None]] | None = None
    extra: dict[str, object] = field(default_factory=dict)


class ServiceRuntime:
    """Runs one Service: server, health, reflection, metrics endpoint, graceful drain."""

    def __init__(self, settings: ServiceSettings, service: Service) -> None:
        self.settings = settings
        self.service = service
        self.health = health.aio.HealthServicer()
        self.server: aio.Server | None = None
        self.port: int = 0
        self.metrics: MetricsEndpoint | None = None
        self._draining = asyncio.Event()
        self._stopped = asyncio.Event()

    @property
    def metrics_port(self) -> int | None:
        return self.metrics.port if self.metrics else None

    async def start(self) -> int:
        s = self.settings
        self.server, self.port = create_server(
            s.address,
            options=server_options(s.max_message_bytes, s.max_connection_age_s, s.grace_period_s),
            maximum_concurrent_rpcs=s.max_concurrent_rpcs,
        )
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        self.service.register(self.server)
        await self._set_all(NOT_SERVING)
        if s.reflection:
            enable_reflection((*self.service.service_names, health.SERVICE_NAME), self.server)
        if s.metrics_port is not None:
            self.metrics = start_metrics_endpoint(s.metrics_host, s.metrics_port)
        await self.server.start()
        if s.port_file:
            write_port_file(s.port_file, self.port, self.metrics_port)
        log.info(
            "listening",
            extra={"grpc_port": self.port, "metrics_port": self.metrics_port, "service_name": self.service.name},
        )
        if self.service.start is not None:
            await self.service.start()
        if not self._draining.is_set():
            await self._set_all(SERVING)
            log.info("serving")
        return self.port

    async def _set_all(self, status: int) -> None:
        for name in ("", *self.service.service_names):
            await self.health.set(name, status)

    async def drain(self, grace_s: float | None = None) -> None:
        """NOT_SERVING, refuse new calls, let in-flight ones finish within the grace period, stop."""
        if self._draining.is_set():
            await self._stopped.wait()
            return
        self._draining.set()
        grace = self.settings.grace_period_s if grace_s is None else grace_s
        log.info("draining", extra={"grace_s": grace})
        await self._set_all(NOT_SERVING)
        if self.service.on_drain is not None:
            await self.service.on_drain()
        if self.settings.drain_delay_s:
            await asyncio.sleep(self.settings.drain_delay_s)
        try:
            if self.server is not None:
                await self.server.stop(grace)
            if self.service.stop is not None:
                await self.service.stop()
        finally:
            if self.metrics is not None:
                self.metrics.close()
            self._stopped.set()
            log.info("stopped")

    async def wait(self) -> None:
        await self._stopped.wait()


async def check_health(target: str, service: str = "", timeout: float = 2.0) -> int:
    """One health Check; returns the status enum value (UNKNOWN when unreachable)."""
    async with aio.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            response = await stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout)
        except grpc.RpcError:
            return health_pb2.HealthCheckResponse.UNKNOWN
        return response.status
