"""API keys: hashed storage, Bearer metadata, tenants, configuration errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.auth import Authenticator, hash_key, parse_key_lines
from gateway.main import COMMANDS
from services.common.errors import Unauthenticated


def auth_for(**keys: str) -> Authenticator:
    return Authenticator(parse_key_lines([f"{t}:{hash_key(k)}" for t, k in keys.items()], "test"))


def test_bearer_keys_map_to_tenants() -> None:
    auth = auth_for(acme="k-acme", globex="k-globex")
    assert auth.authenticate([("authorization", "Bearer k-acme")]) == "acme"
    assert auth.authenticate([("authorization", "bearer  k-globex ")]) == "globex"
    assert auth.tenants == {"acme", "globex"}


@pytest.mark.parametrize(
    "metadata",
    [None, [], [("authorization", "Bearer nope")], [("authorization", "Basic k-acme")], [("authorization", "k-acme")],
     [("authorization", "Bearer ")], [("authorization", "Bearer k-acme"), ("authorization", "Bearer k-acme")],
     [("x-api-key", "k-acme")]],
)
def test_missing_or_wrong_keys_are_unauthenticated(metadata: list[tuple[str, str]] | None) -> None:
    with pytest.raises(Unauthenticated) as raised:
        auth_for(acme="k-acme").authenticate(metadata)
    assert "k-acme" not in raised.value.message, "the key is never echoed"


def test_unauthenticated_mode_is_explicit() -> None:
    local = Authenticator.from_settings(auth_mode="none", api_keys="", api_keys_file=None, anonymous_tenant="local")
    assert local.authenticate(None) == "local"
    with pytest.raises(ValueError, match="no API keys"):
        Authenticator.from_settings(auth_mode="api_key", api_keys="", api_keys_file=None, anonymous_tenant="local")


def test_keys_from_env_and_file(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text(f"# ops team\n\nops:sha256:{hash_key('k-ops')}  # rotated 2026-01\n")
    auth = Authenticator.from_settings(
        auth_mode="api_key", api_keys=f"acme:{hash_key('k-acme')}, ", api_keys_file=str(keys), anonymous_tenant="x"
    )
    assert auth.authenticate([("authorization", "Bearer k-ops")]) == "ops"
    assert auth.authenticate([("authorization", "Bearer k-acme")]) == "acme"
    for bad in ("acme:abc", "acme", f"bad tenant:{hash_key('x')}", f":{hash_key('x')}"):
        with pytest.raises(ValueError, match="TENANT:SHA256HEX") as raised:
            parse_key_lines([bad], "api_keys")
        assert bad not in str(raised.value), "a malformed line is not echoed (it may hold a raw key)"


def test_hash_key_command(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse
    import io

    command = COMMANDS["hash-key"]
    monkeypatch.setattr("sys.stdin", io.StringIO("k-acme\n"))
    assert command.run(argparse.Namespace(tenant="acme", generate=False)) == 0
    line = capsys.readouterr().out.strip()
    assert line == f"acme:{hash_key('k-acme')}"
    assert auth_for(acme="k-acme").authenticate([("authorization", "Bearer k-acme")]) == "acme"
    assert command.run(argparse.Namespace(tenant="acme", generate=True)) == 0
    captured = capsys.readouterr()
    generated = captured.err.rsplit(": ", 1)[1].strip()
    tenant, digest = captured.out.strip().split(":")
    assert tenant == "acme" and digest == hash_key(generated) and len(generated) >= 40
