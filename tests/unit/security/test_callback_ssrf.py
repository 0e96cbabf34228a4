"""SSRF through callback URLs beyond the gateway's own tests: loopback in disguise, DNS rebinding between
CreateVideo and the delivery, and redirects into the cluster."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator

import pytest

from gateway import webhooks
from gateway.webhooks import CallbackRefused, WebhookConfig, WebhookSender, resolve_callback

# Every one of these is the loopback or a private/link-local address, spelt so a naive check misses it.
DISGUISED_INSIDE = [
    "http://2130706433/hook",  # 127.0.0.1 as one decimal number
    "http://0x7f000001/hook",  # ... as hex
    "http://017700000001/hook",  # ... as octal
    "http://127.1/hook",  # short form
    "http://0/hook",  # 0.0.0.0
    "http://[::ffff:127.0.0.1]/hook",  # IPv4-mapped IPv6
    "http://[::ffff:a9fe:a9fe]/latest/meta-data",  # 169.254.169.254, mapped and in hex
    "http://[0:0:0:0:0:0:0:1]/hook",
    "http://localhost./hook",
    "http://LOCALHOST/hook",
    "https://169.254.169.254:443/latest/meta-data/iam",
]


@pytest.mark.parametrize("url", DISGUISED_INSIDE)
def test_loopback_and_private_addresses_in_disguise_are_refused(url: str) -> None:
    with pytest.raises(CallbackRefused):
        resolve_callback(url, allow_private=False)


async def test_a_name_that_rebinds_to_the_inside_after_creation_is_refused_at_delivery(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # At CreateVideo time hooks.example.com was public; at delivery time it resolves to the loopback.
    monkeypatch.setattr(
        webhooks.socket, "getaddrinfo",
        lambda host, port, **kw: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))],
    )
    sender = WebhookSender(WebhookConfig(secret=b"s", attempts=3, backoff_s=0.01))
    try:
        result = await sender.deliver("http://hooks.example.com/hook", b"{}", "job.succeeded")
    finally:
        await sender.close()
    assert not result.delivered and result.attempts == 1 and result.error.startswith("refused")


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str]
    redirect_to: str | None

    def do_POST(self) -> None:
        self.hits.append(self.path)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.redirect_to:
            self.send_response(307)
            self.send_header("Location", self.redirect_to)
        else:
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def _serve(redirect_to: str | None, hits: list[str]) -> http.server.ThreadingHTTPServer:
    handler = type("Handler", (_Recorder,), {"hits": hits, "redirect_to": redirect_to})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def inside_and_redirector() -> Iterator[tuple[list[str], list[str], str]]:
    inside_hits: list[str] = []
    redirect_hits: list[str] = []
    inside = _serve(None, inside_hits)
    redirector = _serve(f"http://127.0.0.1:{inside.server_port}/admin", redirect_hits)
    try:
        yield inside_hits, redirect_hits, f"http://127.0.0.1:{redirector.server_port}/hook"
    finally:
        inside.shutdown()
        redirector.shutdown()


async def test_redirects_are_not_followed(inside_and_redirector: tuple[list[str], list[str], str]) -> None:
    inside_hits, redirect_hits, url = inside_and_redirector
    # allow_private only so that a loopback receiver can stand in for the outside one.
    sender = WebhookSender(WebhookConfig(secret=b"s", allow_private=True, attempts=2, backoff_s=0.01))
    try:
        result = await sender.deliver(url, b"{}", "job.succeeded")
    finally:
        await sender.close()
    assert not result.delivered and result.error == "HTTP 307"
    assert redirect_hits == ["/hook"] and inside_hits == [], "the redirect target must never be contacted"
