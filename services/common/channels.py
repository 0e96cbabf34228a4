"""Client channels with one declared policy: retries on UNAVAILABLE only, keepalive, big messages.

Retries and load balancing live in the service config, not in hand-written loops.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from grpc import aio

from services.common.errors import DeadlineExceeded

DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024

RETRY_POLICY = {
    "maxAttempts": 5,
    "initialBackoff": "0.1s",
    "maxBackoff": "2s",
    "backoffMultiplier": 2,
    "retryableStatusCodes": ["UNAVAILABLE"],
}


def service_config(*, retries: bool = True, round_robin: bool = True) -> str:
    method_config: dict[str, object] = {"name": [{}]}
    if retries:
        method_config["retryPolicy"] = RETRY_POLICY
    config: dict[str, object] = {"methodConfig": [method_config]}
    if round_robin:
        config["loadBalancingConfig"] = [{"round_robin": {}}]
    return json.dumps(config)


def channel_options(
    *, retries: bool = True, round_robin: bool = True, max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
) -> list[tuple[str, object]]:
    return [
        ("grpc.service_config", service_config(retries=retries, round_robin=round_robin)),
        ("grpc.enable_retries", 1 if retries else 0),
        # Must not ping more often than the server permits (server.py SERVER_KEEPALIVE_OPTIONS).
        ("grpc.keepalive_time_ms", 30_000),
        ("grpc.keepalive_timeout_ms", 10_000),
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.max_pings_without_data", 0),
        ("grpc.max_send_message_length", max_message_bytes),
        ("grpc.max_receive_message_length", max_message_bytes),
        # Drop the DNS cache quickly so scaled-up pods behind a headless Service are seen.
        ("grpc.dns_min_time_between_resolutions_ms", 5_000),
        # A restarted service is reachable again within a second. gRPC's default backoff grows to
        # 120 s, and while it waits every call fails at once, faster than the retry policy can outlast.
        ("grpc.initial_reconnect_backoff_ms", 250),
        ("grpc.max_reconnect_backoff_ms", 1_000),
    ]


def create_channel(
    target: str,
    *,
    retries: bool = True,
    round_robin: bool = True,
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    extra_options: Sequence[tuple[str, object]] = (),
) -> aio.Channel:
    """An insecure grpc.aio channel to `target` (host:port, dns:///name:port, ipv4:a:p,b:p)."""
    options = channel_options(retries=retries, round_robin=round_robin, max_message_bytes=max_message_bytes)
    return aio.insecure_channel(target, options=[*options, *extra_options])


def downstream_timeout(context: aio.ServicerContext | None, default: float, reserve: float = 0.5) -> float:
    """Timeout for a downstream call: the caller's remaining deadline minus a reserve, or `default`.

    Raises DeadlineExceeded when too little time is left to make the call at all.
    """
    remaining = context.time_remaining() if context is not None else None
    if remaining is None:
        return default
    budget = min(default, remaining - reserve) if default else remaining - reserve
    if budget <= 0:
        raise DeadlineExceeded("deadline exceeded before the downstream call")
    return budget
