#!/usr/bin/env python3
"""Render and validate cinesynth's deployment with the real tools, offline.

    python deploy/validate.py                 # everything below, in order
    python deploy/validate.py render          # kubectl kustomize every overlay
    python deploy/validate.py schemas         # built-in kinds (kubernetes-validate) + CRD schemas
    python deploy/validate.py rules           # promtool check rules + promtool test rules
    python deploy/validate.py dockerfiles     # hadolint --failure-threshold error

Exit status 0 when every check passed, 1 when one failed, 2 when a tool is missing. The same
functions back the tests in tests/deploy (which add the policy checks on the rendered objects).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DEPLOY_DIR = Path(__file__).resolve().parent
REPO_ROOT = DEPLOY_DIR.parent
K8S_DIR = DEPLOY_DIR / "k8s"
OVERLAYS_DIR = K8S_DIR / "overlays"
SCHEMAS_DIR = DEPLOY_DIR / "schemas"
DOCKER_DIR = DEPLOY_DIR / "docker"
MONITORING_DIR = K8S_DIR / "monitoring"
RULES_TEST_FILE = MONITORING_DIR / "tests" / "cinesynth-rules.test.yaml"
# promtool's unit-test file names the rules file it loads.
RULES_FILE_NAME = "cinesynth-rules.yaml"

# The Kubernetes minor version we render for and validate against (kubectl on the CI machine).
KUBERNETES_VERSION = "1.32.0"


class ToolMissing(RuntimeError):
    """A command-line tool the check needs is not installed."""


@dataclass
class Report:
    """What one validation step found."""

    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- tools -------------------------------------------------------------------------------------


def find_tool(name: str, *extra_dirs: Path) -> str | None:
    """`name` on PATH, or next to this Python (the project's .venv/bin), or in `extra_dirs`."""
    for directory in (Path(sys.executable).parent, *extra_dirs):
        candidate = directory / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def require_tool(name: str) -> str:
    path = find_tool(name, REPO_ROOT / ".venv" / "bin")
    if path is None:
        raise ToolMissing(f"{name} is not installed")
    return path


def run_tool(argv: Sequence[str], cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


# --- kustomize -----------------------------------------------------------------------------------


def overlays() -> list[str]:
    return sorted(p.name for p in OVERLAYS_DIR.iterdir() if (p / "kustomization.yaml").is_file())


@functools.cache
def render_text(overlay: str) -> str:
    """`kubectl kustomize` of one overlay (cached per process: the tests render each once)."""
    kubectl = require_tool("kubectl")
    result = run_tool([kubectl, "kustomize", str(OVERLAYS_DIR / overlay)])
    if result.returncode != 0:
        raise RuntimeError(f"kubectl kustomize {overlay} failed:\n{result.stderr.strip()}")
    return result.stdout


def render(overlay: str) -> list[dict]:
    """The rendered objects of one overlay (fresh copies: callers may mutate them)."""
    return [doc for doc in yaml.safe_load_all(render_text(overlay)) if doc]


# --- schemas -------------------------------------------------------------------------------------


def schema_file(doc: dict) -> Path:
    """deploy/schemas/<kind>-<group prefix>-<version>.yaml, named like kubernetes-validate's files."""
    group_version = doc["apiVersion"]
    group, _, version = group_version.rpartition("/")
    prefix = group.split(".")[0] if group else "core"
    return SCHEMAS_DIR / f"{doc['kind'].lower()}-{prefix}-{version}.yaml"


@functools.cache
def _custom_schema_registry():  # -> referencing.Registry
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resources = []
    for path in sorted(SCHEMAS_DIR.glob("*.yaml")):
        contents = yaml.safe_load(path.read_text())
        resources.append((path.name, Resource.from_contents(contents, default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


def validate_custom_resource(doc: dict) -> list[str] | None:
    """Errors of a custom resource against its schema in deploy/schemas; None when there is none."""
    import jsonschema

    path = schema_file(doc)
    if not path.is_file():
        return None
    registry = _custom_schema_registry()
    schema = registry.contents(path.name)
    validator = jsonschema.Draft202012Validator(schema, registry=registry)
    return [
        f"{describe(doc)}: {'.'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
        for error in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    ]


def validate_builtin(doc: dict) -> list[str] | None:
    """Errors of a built-in object against the Kubernetes schemas (strict: unknown fields fail);
    None when kubernetes-validate has no schema for its kind (a custom resource)."""
    import kubernetes_validate
    from kubernetes_validate.utils import SchemaNotFoundError

    try:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    except SchemaNotFoundError:
        return None
    except kubernetes_validate.ValidationError as error:
        where = ".".join(str(p) for p in error.path) or "<root>"
        return [f"{describe(doc)}: {where}: {error.message}"]
    return []


def validate_objects(docs: Iterable[dict]) -> Report:
    """Every object against the Kubernetes schemas or its CRD schema; kinds with neither are errors."""
    report = Report()
    for doc in docs:
        errors = validate_builtin(doc)
        source = "kubernetes"
        if errors is None:
            errors = validate_custom_resource(doc)
            source = "crd"
        if errors is None:
            report.errors.append(f"{describe(doc)}: no schema (neither built-in nor in deploy/schemas)")
            continue
        report.errors.extend(errors)
        report.notes.append(f"{source}: {describe(doc)}")
    return report


def describe(doc: dict) -> str:
    meta = doc.get("metadata") or {}
    namespace = meta.get("namespace")
    name = f"{namespace}/{meta.get('name')}" if namespace else str(meta.get("name"))
    return f"{doc.get('kind')} {name}"


# --- Prometheus rules ----------------------------------------------------------------------------


def prometheus_rule_specs(docs: Iterable[dict]) -> dict[str, dict]:
    """name -> spec (a plain Prometheus rules file) of every PrometheusRule among `docs`."""
    return {d["metadata"]["name"]: d["spec"] for d in docs if d.get("kind") == "PrometheusRule"}


def monitoring_rules() -> dict:
    """The rule groups of deploy/k8s/monitoring/prometheusrule.yaml, as a Prometheus rules file."""
    doc = yaml.safe_load((MONITORING_DIR / "prometheusrule.yaml").read_text())
    return doc["spec"]


def write_rules_workdir(directory: Path, rules: dict | None = None) -> Path:
    """Write the rules file and a copy of its promtool unit tests into `directory`."""
    rules_path = directory / RULES_FILE_NAME
    rules_path.write_text(yaml.safe_dump(rules if rules is not None else monitoring_rules(), sort_keys=False))
    shutil.copy(RULES_TEST_FILE, directory / RULES_TEST_FILE.name)
    return rules_path


def check_rules() -> Report:
    """`promtool check rules` and `promtool test rules` on the monitoring rules."""
    promtool = require_tool("promtool")
    report = Report()
    with tempfile.TemporaryDirectory(prefix="cinesynth-rules-") as tmp:
        workdir = Path(tmp)
        rules_path = write_rules_workdir(workdir)
        for argv in ([promtool, "check", "rules", rules_path.name], [promtool, "test", "rules", RULES_TEST_FILE.name]):
            result = run_tool(argv, cwd=workdir)
            output = (result.stdout + result.stderr).strip()
            (report.notes if result.returncode == 0 else report.errors).append(f"{' '.join(argv[1:])}: {output}")
    return report


# --- Dockerfiles ---------------------------------------------------------------------------------


def dockerfiles() -> list[Path]:
    return sorted(DOCKER_DIR.glob("*.Dockerfile"))


def lint_dockerfiles(paths: Sequence[Path] | None = None, threshold: str = "error") -> Report:
    hadolint = require_tool("hadolint")
    report = Report()
    for path in paths or dockerfiles():
        result = run_tool([hadolint, "--no-color", "--failure-threshold", threshold, str(path)])
        output = (result.stdout + result.stderr).strip()
        if result.returncode != 0:
            report.errors.append(f"hadolint {path.name}:\n{output}")
        else:
            report.notes.append(f"hadolint {path.name}: ok" + (f" ({output})" if output else ""))
    return report


# --- command line --------------------------------------------------------------------------------


def _step_render() -> Report:
    report = Report()
    for overlay in overlays():
        docs = render(overlay)
        kinds: dict[str, int] = {}
        for doc in docs:
            kinds[doc["kind"]] = kinds.get(doc["kind"], 0) + 1
        report.notes.append(f"{overlay}: {len(docs)} objects {json.dumps(kinds, sort_keys=True)}")
    return report


def _step_schemas() -> Report:
    report = Report()
    for overlay in overlays():
        result = validate_objects(render(overlay))
        report.errors.extend(f"{overlay}: {e}" for e in result.errors)
        counts = {"kubernetes": 0, "crd": 0}
        for note in result.notes:
            counts[note.split(":", 1)[0]] += 1
        report.notes.append(
            f"{overlay}: {counts['kubernetes']} built-in objects valid for Kubernetes {KUBERNETES_VERSION} (strict), "
            f"{counts['crd']} custom resources valid against deploy/schemas"
        )
    return report


STEPS = {
    "render": _step_render,
    "schemas": _step_schemas,
    "rules": check_rules,
    "dockerfiles": lint_dockerfiles,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("steps", nargs="*", metavar="STEP", help=f"one of {', '.join(STEPS)} (default: all)")
    args = parser.parse_args(argv)
    unknown = [s for s in args.steps if s not in STEPS]
    if unknown:
        parser.error(f"unknown step(s) {', '.join(unknown)}; choose from {', '.join(STEPS)}")
    failed = False
    for name in args.steps or list(STEPS):
        try:
            report = STEPS[name]()
        except ToolMissing as exc:
            print(f"[{name}] MISSING TOOL: {exc}")
            return 2
        except RuntimeError as exc:
            print(f"[{name}] FAILED: {exc}")
            failed = True
            continue
        for note in report.notes:
            print(f"[{name}] {note}")
        for error in report.errors:
            print(f"[{name}] ERROR {error}")
        print(f"[{name}] {'ok' if report.ok else 'FAILED'}")
        failed |= not report.ok
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
