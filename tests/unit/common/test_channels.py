from __future__ import annotations

import json

import pytest

from services.common.channels import channel_options, downstream_timeout, service_config
from services.common.errors import DeadlineExceeded
from services.common.server import SERVER_KEEPALIVE_OPTIONS


def test_service_config_retries_only_unavailable() -> None:
    config = json.loads(service_config())
    policy = config["methodConfig"][0]["retryPolicy"]
    assert policy["retryableStatusCodes"] == ["UNAVAILABLE"]
    assert policy["maxAttempts"] >= 2
    assert config["loadBalancingConfig"] == [{"round_robin": {}}]


def test_client_keepalive_agrees_with_server() -> None:
    client = dict(channel_options())
    server = dict(SERVER_KEEPALIVE_OPTIONS)
    # The server must accept pings at the rate the client sends them, or it sends GOAWAY.
    assert client["grpc.keepalive_time_ms"] >= server["grpc.http2.min_ping_interval_without_data_ms"]
    assert server["grpc.keepalive_permit_without_calls"] == 1


class FakeContext:
    def __init__(self, remaining: float | None) -> None:
        self.remaining = remaining

    def time_remaining(self) -> float | None:
        return self.remaining


def test_downstream_timeout_passes_the_remaining_deadline_on() -> None:
    assert downstream_timeout(None, 30.0) == 30.0
    assert downstream_timeout(FakeContext(None), 30.0) == 30.0
    assert downstream_timeout(FakeContext(10.0), 30.0, reserve=0.5) == pytest.approx(9.5)
    assert downstream_timeout(FakeContext(100.0), 30.0) == 30.0
    with pytest.raises(DeadlineExceeded):
        downstream_timeout(FakeContext(0.2), 30.0, reserve=0.5)


def test_reconnect_backoff_is_capped_so_a_restarted_service_is_used_again_soon() -> None:
    options = dict(channel_options())
    policy = json.loads(service_config())["methodConfig"][0]["retryPolicy"]
    # The retry policy's longest backoffs add up to more than one reconnect interval.
    initial, ceiling = (float(policy[k].rstrip("s")) for k in ("initialBackoff", "maxBackoff"))
    waits = [min(initial * policy["backoffMultiplier"] ** i, ceiling) for i in range(policy["maxAttempts"] - 1)]
    assert options["grpc.max_reconnect_backoff_ms"] / 1000 < sum(waits)
