"""Webhook SSRF checks and signatures (no network: IP literals only)."""

from __future__ import annotations

import ipaddress

import pytest

from gateway.webhooks import (
    CallbackRefused,
    _pinned,
    address_allowed,
    resolve_callback,
    signature,
    split_callback_url,
    verify_signature,
)


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1",
     "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "224.0.0.1", "255.255.255.255", "192.0.2.1"],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not address_allowed(ipaddress.ip_address(address), allow_private=False)


def test_public_addresses_pass_and_private_only_when_allowed() -> None:
    assert address_allowed(ipaddress.ip_address("93.184.216.34"), allow_private=False)
    assert address_allowed(ipaddress.ip_address("2606:4700::1111"), allow_private=False)
    assert address_allowed(ipaddress.ip_address("127.0.0.1"), allow_private=True)
    assert not address_allowed(ipaddress.ip_address("224.0.0.1"), allow_private=True), "never multicast"


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "file:///etc/passwd", "gopher://x", "http://", "https://user:pw@host/x",
            "http://host:99999/x", "javascript:alert(1)"],
)
def test_only_plain_http_urls(url: str) -> None:
    with pytest.raises(CallbackRefused):
        split_callback_url(url)


def test_resolution_checks_every_address() -> None:
    assert resolve_callback("http://127.0.0.1:8080/h", allow_private=True) == [ipaddress.ip_address("127.0.0.1")]
    with pytest.raises(CallbackRefused, match="non-public"):
        resolve_callback("http://127.0.0.1:8080/h", allow_private=False)
    with pytest.raises(CallbackRefused, match="non-public"):
        resolve_callback("https://[::1]/h", allow_private=False)
    with pytest.raises(CallbackRefused, match="does not resolve"):
        resolve_callback("http://no-such-host.invalid/h", allow_private=True)


def test_connection_is_pinned_to_the_checked_address() -> None:
    url, host = _pinned("https://hooks.example.com:8443/a?b=c", ipaddress.ip_address("93.184.216.34"))
    assert url == "https://93.184.216.34:8443/a?b=c" and host == "hooks.example.com:8443"
    url, host = _pinned("http://hooks.example.com/a", ipaddress.ip_address("2606:4700::1111"))
    assert url == "http://[2606:4700::1111]/a" and host == "hooks.example.com"


def test_signature_covers_timestamp_and_body() -> None:
    sig = signature(b"k", "1700000000", b'{"id":"1"}')
    assert sig.startswith("sha256=") and len(sig) == 7 + 64
    assert verify_signature(b"k", "1700000000", b'{"id":"1"}', sig)
    assert not verify_signature(b"k", "1700000001", b'{"id":"1"}', sig)
    assert not verify_signature(b"k", "1700000000", b'{"id":"2"}', sig)
    assert not verify_signature(b"other", "1700000000", b'{"id":"1"}', sig)
