"""Webhooks: the terminal job as JSON, HMAC-SHA256 signed, retried with backoff, SSRF-guarded.

Request: `POST callback_url` with the job (proto JSON, snake_case field names) and the headers

    Content-Type: application/json
    X-Cinesynth-Event: job.succeeded | job.failed | job.cancelled
    X-Cinesynth-Delivery: <uuid, the same on every retry of one delivery>
    X-Cinesynth-Timestamp: <unix seconds of this attempt>
    X-Cinesynth-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>

A receiver recomputes the HMAC over `timestamp.body`, compares in constant time, and rejects stale
timestamps (replays). Any 2xx is success; 408, 429, 5xx and network errors are retried with
doubling delays; other 4xx are final.

SSRF: only http(s); the host is resolved and EVERY address must be public unicast (no loopback,
private, link-local, CGNAT, multicast, reserved...) unless `webhook_allow_private`. The connection
goes to the address that was checked (the Host header and TLS SNI keep the name), so a DNS answer
that changes between check and connect (rebinding) cannot redirect it. Redirects are not followed.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import logging
import random
import socket
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from gateway.metrics import WEBHOOK_DELIVERIES

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Cinesynth-Signature"
TIMESTAMP_HEADER = "X-Cinesynth-Timestamp"
EVENT_HEADER = "X-Cinesynth-Event"
DELIVERY_HEADER = "X-Cinesynth-Delivery"
_RETRYABLE_STATUS = {408, 425, 429}


class CallbackRefused(ValueError):
    """The URL may not be called (a reason safe to show to the client)."""


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def address_allowed(address: IPAddress, allow_private: bool) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_multicast or address.is_unspecified:
        return False
    return allow_private or address.is_global


def split_callback_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an acceptable URL, else CallbackRefused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise CallbackRefused("not a valid URL") from exc
    if parts.scheme not in ("http", "https"):
        raise CallbackRefused("must be an http:// or https:// URL")
    if not parts.hostname:
        raise CallbackRefused("has no host")
    if parts.username or parts.password:
        raise CallbackRefused("must not carry credentials")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def resolve_callback(url: str, allow_private: bool) -> list[IPAddress]:
    """Every address the URL's host resolves to, all checked; CallbackRefused otherwise. Blocking (DNS)."""
    _, host, port = split_callback_url(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise CallbackRefused(f"host {host!r} does not resolve") from exc
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    refused = [a for a in addresses if not address_allowed(a, allow_private)]
    if refused or not addresses:
        raise CallbackRefused(
            f"host {host!r} resolves to a loopback, private, link-local or otherwise non-public address"
        )
    return addresses


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify_signature(secret: bytes, timestamp: str, body: bytes, header: str) -> bool:
    """For receivers (and tests): constant-time check of X-Cinesynth-Signature."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)


@dataclass(frozen=True)
class WebhookConfig:
    secret: bytes
    allow_private: bool = False
    attempts: int = 6
    backoff_s: float = 1.0
    max_backoff_s: float = 60.0
    timeout_s: float = 10.0


@dataclass(frozen=True)
class DeliveryResult:
    delivered: bool
    attempts: int
    error: str = ""


def _pinned(url: str, address: IPAddress) -> tuple[str, str]:
    """The URL with its host replaced by the checked address, and the Host header value."""
    parts = urlsplit(url)
    host = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{host}:{parts.port}" if parts.port else host
    host_header = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=netloc)), host_header


class WebhookSender:
    def __init__(self, config: WebhookConfig, client: httpx.AsyncClient | None = None) -> None:
        self.config = config
        self._client = client

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(follow_redirects=False, timeout=self.config.timeout_s)
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _attempt(self, url: str, body: bytes, event: str, delivery_id: str) -> tuple[bool, bool, str]:
        """(delivered, retryable, error) of one POST."""
        try:
            addresses = await asyncio.to_thread(resolve_callback, url, self.config.allow_private)
        except CallbackRefused as exc:
            return False, False, f"refused: {exc}"
        target, host_header = _pinned(url, addresses[0])
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "cinesynth-webhook/1",
            "Host": host_header,
            EVENT_HEADER: event,
            DELIVERY_HEADER: delivery_id,
            TIMESTAMP_HEADER: timestamp,
        }
        if self.config.secret:
            headers[SIGNATURE_HEADER] = signature(self.config.secret, timestamp, body)
        extensions = {"sni_hostname": urlsplit(url).hostname} if url.startswith("https:") else {}
        try:
            response = await self._http().post(target, content=body, headers=headers, extensions=extensions)
        except httpx.HTTPError as exc:
            return False, True, f"{type(exc).__name__}"
        if 200 <= response.status_code < 300:
            return True, False, ""
        retryable = response.status_code >= 500 or response.status_code in _RETRYABLE_STATUS
        return False, retryable, f"HTTP {response.status_code}"

    async def deliver(self, url: str, body: bytes, event: str) -> DeliveryResult:
        delivery_id = str(uuid.uuid4())
        delay = self.config.backoff_s
        error = ""
        for attempt in range(1, self.config.attempts + 1):
            delivered, retryable, error = await self._attempt(url, body, event, delivery_id)
            if delivered:
                WEBHOOK_DELIVERIES.labels("delivered").inc()
                return DeliveryResult(True, attempt)
            if not retryable or attempt == self.config.attempts:
                WEBHOOK_DELIVERIES.labels("refused" if error.startswith("refused") else "failed").inc()
                return DeliveryResult(False, attempt, error)
            WEBHOOK_DELIVERIES.labels("retried").inc()
            log.info("webhook attempt failed, retrying", extra={"attempt": attempt, "error": error})
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))
            delay = min(delay * 2, self.config.max_backoff_s)
        return DeliveryResult(False, self.config.attempts, error)
