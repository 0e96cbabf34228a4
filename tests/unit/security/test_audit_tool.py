"""tools/audit.py (`make lint`'s pip-audit): real pip-audit against a local OSV double — a finding fails the
lint, a clean report passes, and an unreachable service is reported as NOT AUDITED, never as a pass."""

from __future__ import annotations

import http.server
import importlib.util
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import refusing_port

ROOT = Path(__file__).resolve().parents[3]
TOOL = ROOT / "tools" / "audit.py"
VULNERABLE = "pyyaml"  # installed everywhere the project is


def _load_tool():
    spec = importlib.util.spec_from_file_location("cinesynth_audit_tool", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


class _Osv(http.server.BaseHTTPRequestHandler):
    """OSV's /v1/query: one advisory for VULNERABLE when `vulnerable` is set, nothing for the rest."""

    vulnerable = False
    queries: list[str]

    def do_POST(self) -> None:
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        name = query["package"]["name"]
        self.queries.append(name)
        body: dict[str, object] = {}
        if self.vulnerable and name == VULNERABLE:
            body = {"vulns": [{
                "id": "GHSA-test-0001", "aliases": ["CVE-2099-0001"], "summary": "a test advisory",
                "affected": [{"package": {"name": VULNERABLE, "ecosystem": "PyPI"},
                              "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "99.0"}]}]}],
            }]}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def osv() -> Iterator[type[_Osv]]:
    handler = type("Osv", (_Osv,), {"queries": [], "vulnerable": False})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    handler.url = f"http://127.0.0.1:{server.server_port}/v1/query"  # type: ignore[attr-defined]
    try:
        yield handler
    finally:
        server.shutdown()


def _audit(osv_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    with refusing_port() as pypi:
        env = {
            **os.environ,
            "CINESYNTH_AUDIT_OSV_URL": osv_url,
            "CINESYNTH_AUDIT_PYPI_URL": f"http://127.0.0.1:{pypi}/pypi",
        }
        env.pop("CINESYNTH_AUDIT_STRICT", None)
        return subprocess.run(
            [sys.executable, str(TOOL), *args], capture_output=True, text=True, env=env, timeout=300, check=False
        )


def test_a_known_vulnerability_fails_the_lint(osv: type[_Osv]) -> None:
    osv.vulnerable = True
    done = _audit(osv.url)  # type: ignore[attr-defined]
    assert done.returncode == 1, done.stdout + done.stderr
    assert "GHSA-test-0001" in done.stdout and "fixed in 99.0" in done.stdout and VULNERABLE in done.stdout
    assert VULNERABLE in osv.queries and len(osv.queries) > 20  # the whole environment was audited


def test_a_clean_audit_passes_and_says_how_much_it_checked(osv: type[_Osv]) -> None:
    done = _audit(osv.url)  # type: ignore[attr-defined]
    assert done.returncode == 0, done.stdout + done.stderr
    assert "packages audited, no known vulnerabilities" in done.stdout


def test_no_reachable_service_is_reported_never_passed_silently() -> None:
    with refusing_port() as port:
        unreachable = f"http://127.0.0.1:{port}/v1/query"
        done = _audit(unreachable)
        strict = _audit(unreachable, "--strict")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "NOT AUDITED" in done.stdout and "this is not a pass" in done.stdout
    assert "osv:" in done.stdout and "pypi:" in done.stdout
    assert "no known vulnerabilities" not in done.stdout
    assert strict.returncode == 2 and "NOT AUDITED" in strict.stdout


def test_a_report_whose_every_package_was_skipped_audited_nothing() -> None:
    tool = _load_tool()
    skipped = {"dependencies": [
        {"name": "requests", "skip_reason": "Dependency not found on PyPI and could not be audited: requests (2.3)"},
        {"name": "idna", "skip_reason": "Dependency not found on PyPI and could not be audited: idna (3.0)"},
    ]}
    outcome = tool.parse_report("pypi", skipped)
    assert not outcome.usable and "every dependency was skipped" in outcome.error
    partly = tool.parse_report("pypi", {"dependencies": [*skipped["dependencies"], {
        "name": "pyyaml", "version": "6.0", "vulns": [{"id": "PYSEC-1", "fix_versions": ["6.1"], "aliases": []}],
    }]})
    assert partly.usable and [f.vuln_id for f in partly.findings] == ["PYSEC-1"] and len(partly.skipped) == 2
