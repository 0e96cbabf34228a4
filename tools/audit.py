#!/usr/bin/env python3
"""`make lint`'s dependency audit: pip-audit over the project's environment, honest about what it checked.

    .venv/bin/python tools/audit.py [--strict] [--service osv|pypi ...] [-- extra pip-audit arguments]

pip-audit needs a vulnerability service. OSV (api.osv.dev, or a mirror: CINESYNTH_AUDIT_OSV_URL) is
tried first; PyPI's JSON API second — but only when PyPI answers the version-specific endpoint
(`/pypi/NAME/VERSION/json`, probed once with pip's own entry), because where it answers 404 pip-audit
skips every package and then reports "No known vulnerabilities found": a silent pass.

Exit status: 0 = audited, nothing known; 1 = known vulnerabilities (listed); 0 with a loud NOT AUDITED
report when no service could be reached (2 with --strict or CINESYNTH_AUDIT_STRICT=1, for machines
that must audit).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

EXIT_CLEAN, EXIT_VULNERABLE, EXIT_NOT_AUDITED = 0, 1, 2
PYPI_JSON = os.environ.get("CINESYNTH_AUDIT_PYPI_URL", "https://pypi.org/pypi")
NOT_ON_PYPI = "Dependency not found on PyPI"


@dataclass
class Finding:
    name: str
    version: str
    vuln_id: str
    fix_versions: list[str]
    aliases: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """What one pip-audit run established."""

    service: str
    audited: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    error: str = ""  # set when the run established nothing

    @property
    def usable(self) -> bool:
        return not self.error and bool(self.audited)


def parse_report(service: str, report: dict) -> Outcome:
    """pip-audit's JSON (`-f json`) -> what was audited, skipped and found."""
    outcome = Outcome(service)
    for dependency in report.get("dependencies", []):
        name = dependency.get("name", "?")
        if "skip_reason" in dependency:
            outcome.skipped[name] = dependency["skip_reason"]
            continue
        outcome.audited.append(name)
        for vuln in dependency.get("vulns", []):
            outcome.findings.append(Finding(
                name, dependency.get("version", "?"), vuln.get("id", "?"),
                list(vuln.get("fix_versions", [])), list(vuln.get("aliases", [])),
            ))
    if not outcome.audited and outcome.skipped:
        reasons = {reason.split(":")[0] for reason in outcome.skipped.values()}
        outcome.error = f"every dependency was skipped ({'; '.join(sorted(reasons))})"
    return outcome


def last_error_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in reversed(lines):
        if "Error" in line or "error" in line:
            return line[:300]
    return (lines[-1] if lines else "no output")[:300]


def run_pip_audit(service: str, extra: Sequence[str], timeout_s: float) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="audit-") as tmp:
        out = Path(tmp) / "report.json"
        argv = [
            sys.executable, "-m", "pip_audit", "--progress-spinner", "off", "--timeout", "15",
            "-s", service, "-f", "json", "-o", str(out), *extra,
        ]
        if service == "osv" and os.environ.get("CINESYNTH_AUDIT_OSV_URL"):
            argv += ["--osv-url", os.environ["CINESYNTH_AUDIT_OSV_URL"]]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            return Outcome(service, error=f"pip-audit did not finish in {timeout_s:.0f} s")
        try:
            report = json.loads(out.read_text())
        except (OSError, ValueError):
            return Outcome(service, error=f"pip-audit failed (exit {done.returncode}): {last_error_line(done.stderr)}")
    return parse_report(service, report)


def pypi_version_json_works(timeout_s: float = 10.0) -> tuple[bool, str]:
    """One request: does PyPI serve /pypi/NAME/VERSION/json here? (pip-audit's PyPI service needs it.)"""
    url = f"{PYPI_JSON}/pip/{metadata.version('pip')}/json"
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return response.status == 200, f"{url} answered {response.status}"
    except urllib.error.HTTPError as exc:
        return False, f"{url} answered {exc.code} (version-specific JSON is not served here)"
    except (urllib.error.URLError, OSError) as exc:
        return False, f"{url} unreachable ({getattr(exc, 'reason', exc)})"


def audit(services: Sequence[str], extra: Sequence[str], timeout_s: float) -> tuple[Outcome | None, list[str]]:
    """The first service that audits something, and why each one before it could not."""
    failures: list[str] = []
    for service in services:
        if service == "pypi":
            works, why = pypi_version_json_works()
            if not works:
                failures.append(f"pypi: {why}")
                continue
        outcome = run_pip_audit(service, extra, timeout_s)
        if outcome.usable:
            return outcome, failures
        failures.append(f"{service}: {outcome.error}")
    return None, failures


def report(outcome: Outcome | None, failures: Sequence[str], strict: bool) -> int:
    if outcome is None:
        print("pip-audit: NOT AUDITED - no vulnerability service could be used from this machine:")
        for failure in failures:
            print(f"  {failure}")
        print("Nothing was checked: this is not a pass. Run it where api.osv.dev is reachable, or point "
              "CINESYNTH_AUDIT_OSV_URL at an OSV mirror.")
        return EXIT_NOT_AUDITED if strict else EXIT_CLEAN
    for failure in failures:
        print(f"pip-audit: {failure} (fell back)")
    skipped = sorted(outcome.skipped)
    note = f"; {len(skipped)} not audited: {', '.join(skipped[:10])}{' ...' if len(skipped) > 10 else ''}" \
        if skipped else ""
    if outcome.findings:
        print(f"pip-audit ({outcome.service}): {len(outcome.findings)} known vulnerabilities in "
              f"{len({f.name for f in outcome.findings})} of {len(outcome.audited)} packages{note}")
        for finding in outcome.findings:
            fix = f"fixed in {', '.join(finding.fix_versions)}" if finding.fix_versions else "no fix yet"
            also = f" ({', '.join(finding.aliases[:3])})" if finding.aliases else ""
            print(f"  {finding.name} {finding.version}: {finding.vuln_id}{also}, {fix}")
        return EXIT_VULNERABLE
    print(f"pip-audit ({outcome.service}): {len(outcome.audited)} packages audited, no known vulnerabilities{note}")
    return EXIT_CLEAN


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strict", action="store_true", default=os.environ.get("CINESYNTH_AUDIT_STRICT") == "1",
                        help="exit 2 when nothing could be audited (default: report it and exit 0)")
    parser.add_argument("--service", action="append", choices=["osv", "pypi"], help="services, in order")
    parser.add_argument("--timeout", type=float, default=600, help="seconds one pip-audit run may take")
    parser.add_argument("extra", nargs="*", help="pip-audit arguments (after --); default: -l --skip-editable")
    args = parser.parse_args(argv)
    outcome, failures = audit(args.service or ["osv", "pypi"], args.extra or ["-l", "--skip-editable"], args.timeout)
    return report(outcome, failures, args.strict)


if __name__ == "__main__":
    raise SystemExit(main())
