"""Clients of the internal services: one channel each, and ImageGen worker pools per target.

ImageGen is different: a keyframe that a busy worker refuses (RESOURCE_EXHAUSTED) or a dead one
cannot take (UNAVAILABLE) must go to *another* worker. A plain round_robin channel would pick the
next subchannel, but with many keyframes in flight nothing guarantees that the retry lands
elsewhere. So a `WorkerPool` resolves its target to every address (a headless Service's A records,
or an `ipv4:a:p,b:p` list), keeps one channel per address (created with
`services.common.channels.create_channel`), hands addresses out round-robin and skips, per keyframe,
the ones that already refused it. It re-resolves periodically so new pods get work.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc
from grpc import aio

from gateway.metrics import KEYFRAME_RETRIES, KEYFRAMES_WAITING
from services.common import pb
from services.common.channels import create_channel
from services.common.errors import Internal, dependency_failed, from_rpc_error

log = logging.getLogger(__name__)

RETRY_ON_ANOTHER_WORKER = (grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.UNAVAILABLE)
_HOST_PORT = re.compile(r"^(?:\[(?P<v6>[^\]]+)\]|(?P<host>[^:/]+)):(?P<port>\d+)$")


def static_addresses(target: str) -> list[str] | None:
    """Channel targets of a fixed list (ipv4:/ipv6:/unix:), or None when the target needs DNS."""
    if target.startswith(("ipv4:", "ipv6:")):
        scheme, _, rest = target.partition(":")
        return [f"{scheme}:{part}" for part in rest.split(",") if part]
    if target.startswith(("unix:", "unix-abstract:", "vsock:")):
        return [target]
    return None


def dns_host_port(target: str) -> tuple[str, int] | None:
    """host and port of `host:port`, `dns:host:port` or `dns://[authority]/host:port`."""
    name = target
    if name.startswith("dns:"):
        name = name[len("dns:") :]
        if name.startswith("//"):
            name = name[2:].split("/", 1)[1] if "/" in name[2:] else ""
    match = _HOST_PORT.match(name)
    if not match:
        return None
    return (match.group("v6") or match.group("host"), int(match.group("port")))


def resolve_addresses(target: str) -> list[str]:
    """Every address of the target as channel targets (`ipv4:1.2.3.4:50053`); blocking (DNS)."""
    fixed = static_addresses(target)
    if fixed is not None:
        return fixed
    host_port = dns_host_port(target)
    if host_port is None:
        return [target]
    host, port = host_port
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    out: list[str] = []
    for family, *_, sockaddr in infos:
        address = f"ipv6:[{sockaddr[0]}]:{port}" if family == socket.AF_INET6 else f"ipv4:{sockaddr[0]}:{port}"
        if address not in out:
            out.append(address)
    return out or [target]


class WorkerPool:
    """The ImageGen workers behind one target, one channel per address."""

    def __init__(self, target: str, resolve_interval_s: float = 10.0, stub: Callable[[Any], Any] | None = None) -> None:
        self.target = target
        self.resolve_interval_s = resolve_interval_s
        # The service behind the addresses (image workers by default; compositor replicas too).
        self.stub = stub or pb.imagegen_grpc.ImageGenServiceStub
        self._channels: dict[str, aio.Channel] = {}
        self._order: list[str] = []
        self._cursor = itertools.count()
        self._resolved_at = 0.0
        self._lock = asyncio.Lock()

    async def refresh(self, force: bool = False) -> list[str]:
        async with self._lock:
            if not force and self._order and time.monotonic() - self._resolved_at < self.resolve_interval_s:
                return self._order
            try:
                addresses = await asyncio.to_thread(resolve_addresses, self.target)
            except OSError as exc:
                log.warning("cannot resolve imagegen target", extra={"target": self.target, "error": str(exc)})
                addresses = self._order or [self.target]
            for gone in set(self._channels) - set(addresses):
                # Calls still running on it keep their channel until they finish; close it afterwards.
                asyncio.get_running_loop().call_later(60, _close_later, self._channels.pop(gone))
            for address in addresses:
                if address not in self._channels:
                    # No transparent retries: a refused keyframe comes back to us to try another worker.
                    self._channels[address] = create_channel(address, retries=False, round_robin=False)
            self._order = list(addresses)
            self._resolved_at = time.monotonic()
            return self._order

    async def pick(self, exclude: set[str]) -> tuple[str, Any] | None:
        """The next address round-robin that is not excluded; None when all are."""
        order = await self.refresh()
        candidates = [a for a in order if a not in exclude]
        if not candidates:
            return None
        start = next(self._cursor)
        address = order[start % len(order)]
        if address in exclude:
            address = candidates[start % len(candidates)]
        return address, self.stub(self._channels[address])

    async def close(self) -> None:
        channels, self._channels = list(self._channels.values()), {}
        for channel in channels:
            await channel.close()


_closing: set[asyncio.Task[None]] = set()


def _close_later(channel: aio.Channel) -> None:
    task = asyncio.ensure_future(channel.close())
    _closing.add(task)
    task.add_done_callback(_closing.discard)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 8  # calls per keyframe and tier when a lower tier may take over (allow_degrade)
    backoff_s: float = 0.2
    max_backoff_s: float = 2.0
    # Without a lower tier to go to, a keyframe waits instead: for busy workers (RESOURCE_EXHAUSTED)
    # up to the job's deadline (0) or this many seconds; for unreachable ones (every worker
    # UNAVAILABLE: pods rescheduled, the pool scaled to zero) up to `unavailable_wait_s`.
    busy_wait_s: float = 0.0
    unavailable_wait_s: float = 120.0


@dataclass
class WaitNotice:
    """Told once per keyframe and kind when it starts waiting: "busy" or "unavailable"."""

    kind: str
    message: str


async def generate_keyframe(
    pool: WorkerPool,
    request: pb.imagegen_pb2.GenerateKeyframesRequest,
    *,
    timeout: float,
    policy: RetryPolicy,
    call_timeout_s: float | None = None,
    patient: bool = False,
    tier: str = "",
    on_wait: Callable[[WaitNotice], None] | None = None,
) -> pb.imagegen_pb2.Keyframe:
    """Render the one keyframe of `request` on some worker of `pool`, within `timeout` seconds (each
    call within `call_timeout_s` too).

    A worker answering RESOURCE_EXHAUSTED or UNAVAILABLE is skipped and the next one tried; when
    every worker has refused, wait (doubling, jittered) and go round again. Not `patient` (a lower
    tier can take over): `policy.attempts` calls in all. `patient`: busy workers are waited for up
    to the deadline (or `policy.busy_wait_s`), unreachable ones up to `policy.unavailable_wait_s`;
    while it waits the keyframe counts in `cinesynth_keyframes_waiting{tier}`. A round in which a
    worker answered that a dependency failed (its artifact store) and none was busy ends the call:
    the workers are up, waiting cannot help. Any other failure is final. Raises the matching domain error.
    """
    deadline = time.monotonic() + timeout
    excluded: set[str] = set()
    delay = policy.backoff_s
    last: grpc.aio.AioRpcError | None = None
    busy_round = False
    answered_round = False  # a worker said its dependency (the store) failed: waiting cannot help
    calls = 0
    waiting_since: dict[str, float] = {}
    while True:
        picked = await pool.pick(excluded)
        if picked is None:  # every worker refused this round: wait, then go round again
            assert last is not None
            kind = "busy" if busy_round else "unavailable"
            now = time.monotonic()
            since = waiting_since.setdefault(kind, now)
            limit = policy.busy_wait_s if kind == "busy" else policy.unavailable_wait_s
            pause = delay * random.uniform(0.5, 1.5)
            over = (limit > 0 and now - since >= limit) if patient else calls >= policy.attempts
            if over or now + pause >= deadline or (answered_round and not busy_round):
                raise from_rpc_error(last) from None
            if patient and since == now and on_wait is not None:
                on_wait(WaitNotice(kind, last.details() or last.code().name))
            waiting = KEYFRAMES_WAITING.labels(tier or "unknown")
            waiting.inc()
            try:
                await asyncio.sleep(pause)
            finally:
                waiting.dec()
            delay = min(delay * 2, policy.max_backoff_s)
            excluded.clear()
            busy_round = answered_round = False
            continue
        address, stub = picked
        calls += 1
        left = max(deadline - time.monotonic(), 0.001)
        call = stub.GenerateKeyframes(request, timeout=min(left, call_timeout_s or left))
        try:
            keyframe: pb.imagegen_pb2.Keyframe | None = None
            async for response in call:
                keyframe = response.keyframe
            if keyframe is None:
                raise Internal("an imagegen worker returned no keyframe")
            return keyframe
        except aio.AioRpcError as exc:
            if exc.code() not in RETRY_ON_ANOTHER_WORKER or (not patient and calls >= policy.attempts):
                raise from_rpc_error(exc) from None
            last = exc
            busy_round = busy_round or exc.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            answered_round = answered_round or (
                exc.code() == grpc.StatusCode.UNAVAILABLE and dependency_failed(exc)
            )
            KEYFRAME_RETRIES.labels(exc.code().name).inc()
            excluded.add(address)
            log.info(
                "keyframe refused, trying another worker",
                extra={"worker": address, "code": exc.code().name, "attempt": calls},
            )
        finally:
            call.cancel()  # no-op when finished; stops the worker when we were cancelled


class Downstream:
    """Stubs of the internal services; channels are made in `start` (they need the running loop)."""

    def __init__(
        self,
        *,
        storyboard_target: str,
        audio_target: str,
        compositor_target: str,
        resolve_interval_s: float = 10.0,
    ) -> None:
        self.targets = {"storyboard": storyboard_target, "audio": audio_target, "compositor": compositor_target}
        self.resolve_interval_s = resolve_interval_s
        self._channels: dict[str, aio.Channel] = {}
        self._pools: dict[str, WorkerPool] = {}
        self.storyboard: pb.storyboard_grpc.StoryboardServiceStub | None = None
        self.audio: pb.audio_grpc.AudioServiceStub | None = None
        self.compositor: pb.compositor_grpc.CompositorServiceStub | None = None

    async def start(self) -> None:
        for name, target in self.targets.items():
            if name not in self._channels:
                # No transparent retries: a stage retries an unreachable service itself
                # (gateway/stages/retry.py) and says so on the job; the channel's own retries would hide
                # a short outage from it.
                self._channels[name] = create_channel(target, retries=False)
        self.storyboard = pb.storyboard_grpc.StoryboardServiceStub(self._channels["storyboard"])
        self.audio = pb.audio_grpc.AudioServiceStub(self._channels["audio"])
        self.compositor = pb.compositor_grpc.CompositorServiceStub(self._channels["compositor"])

    async def wait_ready(self, name: str, timeout: float) -> bool:
        """Whether the channel to `name` (storyboard/audio/compositor) connects within `timeout` seconds."""
        channel = self._channels.get(name)
        if channel is None:
            return False
        try:
            async with asyncio.timeout(timeout):
                await channel.channel_ready()
        except TimeoutError:
            return False
        return True

    def channel(self, target: str) -> aio.Channel:
        """A channel to a stage's service by target (motion, upscale pools), made once, closed with the rest."""
        key = f"target:{target}"
        if key not in self._channels:
            self._channels[key] = create_channel(target)
        return self._channels[key]

    def imagegen_pool(self, target: str) -> WorkerPool:
        pool = self._pools.get(target)
        if pool is None:
            pool = self._pools[target] = WorkerPool(target, self.resolve_interval_s)
        return pool

    def compositor_pool(self) -> WorkerPool:
        """Every compositor replica, one channel each (segment-parallel compose fans out over them)."""
        key = "compositor-replicas"
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = WorkerPool(
                self.targets["compositor"], self.resolve_interval_s, pb.compositor_grpc.CompositorServiceStub
            )
        return pool

    async def close(self) -> None:
        for pool in self._pools.values():
            await pool.close()
        self._pools.clear()
        for channel in self._channels.values():
            await channel.close()
        self._channels.clear()
