"""API keys: compared in constant time against every stored hash (no early exit, no `==` on secrets)."""

from __future__ import annotations

import hmac

import pytest

from gateway import auth, webhooks
from gateway.auth import Authenticator, hash_key, parse_key_lines

KEYS = {"acme": "key-of-acme-0123456789", "globex": "key-of-globex-0123456789", "initech": "key-of-initech-01234"}


@pytest.fixture
def authenticator() -> Authenticator:
    lines = [f"{tenant}:{hash_key(key)}" for tenant, key in KEYS.items()]
    return Authenticator(parse_key_lines(lines, "test"))


@pytest.fixture
def comparisons(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, bytes]]:
    """Every hmac.compare_digest call the gateway makes (the real function still decides)."""
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def recording(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", recording)
    return calls


@pytest.mark.parametrize(
    "presented", ["key-of-acme-0123456789", "key-of-initech-01234", "wrong", "key-of-acme-012345678"]
)
def test_every_stored_key_is_compared_in_constant_time(
    authenticator: Authenticator, comparisons: list[tuple[bytes, bytes]], presented: str
) -> None:
    tenant = authenticator.tenant_for_key(presented)
    expected = next((t for t, k in KEYS.items() if k == presented), None)
    assert tenant == expected
    # All entries are compared whatever matches (a match on the first does not stop the loop) and what
    # is compared are fixed-length digests, never the raw key.
    assert len(comparisons) == len(KEYS)
    assert all(len(a) == len(b) == 32 for a, b in comparisons)
    assert all(presented.encode() not in (a, b) for a, b in comparisons)


def test_webhook_signatures_are_verified_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []
    real = hmac.compare_digest
    monkeypatch.setattr(webhooks.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    good = webhooks.signature(b"secret", "1700000000", b"{}")
    assert webhooks.verify_signature(b"secret", "1700000000", b"{}", good)
    assert not webhooks.verify_signature(b"secret", "1700000000", b"{}", good[:-1] + "0")
    assert len(calls) == 2


def test_key_files_with_a_bad_line_do_not_echo_it() -> None:
    secretish = "acme:not-a-hash-but-maybe-a-real-key"
    with pytest.raises(ValueError) as raised:
        parse_key_lines([secretish], "api_keys_file")
    assert "not-a-hash" not in str(raised.value)
