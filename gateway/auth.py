"""Tenants and API keys.

Keys are never stored: the gateway keeps `sha256(key)` per tenant, read from `api_keys`
(`TENANT:SHA256HEX,...`) and/or `api_keys_file` (one `TENANT:SHA256HEX` per line, `#` comments).
A call presents `authorization: Bearer KEY`; its hash is compared with every stored hash in
constant time (hmac.compare_digest, no early exit), so timing tells nothing about which key nearly
matched. Keys never appear in logs or errors. `cinesynth-gateway hash-key TENANT` prints a line.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from services.common.errors import Unauthenticated

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class KeyEntry:
    tenant: str
    digest: bytes  # raw sha256


def parse_key_lines(lines: Iterable[str], source: str) -> list[KeyEntry]:
    """`TENANT:SHA256HEX` entries; a malformed one is a configuration error (reported without the line)."""
    entries: list[KeyEntry] = []
    for number, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        tenant, sep, digest = line.partition(":")
        tenant, digest = tenant.strip(), digest.strip().lower()
        if digest.startswith("sha256:"):
            digest = digest[len("sha256:") :]
        if not sep or not _TENANT.match(tenant) or not _HEX64.match(digest):
            raise ValueError(f"{source} entry {number}: expected TENANT:SHA256HEX (64 hex digits of sha256(key))")
        entries.append(KeyEntry(tenant, bytes.fromhex(digest)))
    return entries


class Authenticator:
    """Maps call metadata to a tenant, or raises UNAUTHENTICATED."""

    def __init__(self, entries: Sequence[KeyEntry] = (), *, anonymous_tenant: str | None = None) -> None:
        self._entries = list(entries)
        self.anonymous_tenant = anonymous_tenant
        if anonymous_tenant is None and not self._entries:
            raise ValueError(
                "auth_mode=api_key but no API keys are configured (set CINESYNTH_API_KEYS or "
                "CINESYNTH_API_KEYS_FILE, or CINESYNTH_AUTH_MODE=none for local use)"
            )

    @classmethod
    def from_settings(
        cls, *, auth_mode: str, api_keys: str, api_keys_file: str | None, anonymous_tenant: str
    ) -> Authenticator:
        if auth_mode == "none":
            return cls(anonymous_tenant=anonymous_tenant)
        entries = parse_key_lines(api_keys.split(","), "api_keys")
        if api_keys_file:
            entries += parse_key_lines(Path(api_keys_file).read_text().splitlines(), "api_keys_file")
        return cls(entries)

    @property
    def tenants(self) -> set[str]:
        return {entry.tenant for entry in self._entries}

    def tenant_for_key(self, key: str) -> str | None:
        digest = hashlib.sha256(key.encode()).digest()
        found: str | None = None
        for entry in self._entries:  # all of them, whatever matches: constant time per entry
            if hmac.compare_digest(digest, entry.digest) and found is None:
                found = entry.tenant
        return found

    def authenticate(self, metadata: Iterable[tuple[str, str | bytes]] | None) -> str:
        """The caller's tenant from its `authorization: Bearer KEY` metadata."""
        if self.anonymous_tenant is not None:
            return self.anonymous_tenant
        values = [v for k, v in (metadata or ()) if k.lower() == "authorization"]
        if len(values) != 1:
            raise Unauthenticated("missing API key: send `authorization: Bearer <key>` metadata")
        value = values[0].decode(errors="replace") if isinstance(values[0], bytes) else values[0]
        scheme, _, key = value.strip().partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise Unauthenticated("malformed authorization metadata: expected `Bearer <key>`")
        tenant = self.tenant_for_key(key.strip())
        if tenant is None:
            raise Unauthenticated("invalid API key")
        return tenant
