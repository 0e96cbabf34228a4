"""Shared helpers of the deploy tests: the validator module (deploy/validate.py), rendered objects,
label selectors, pod specs and the PromQL metric names a query uses."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parents[2]
VALIDATE_PY = REPO_ROOT / "deploy" / "validate.py"


def load_validate() -> ModuleType:
    """deploy/validate.py as a module (deploy/ is not a package: it is a tool directory)."""
    name = "cinesynth_deploy_validate"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, VALIDATE_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


# --- rendered objects ----------------------------------------------------------------------------

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")


def of_kind(docs: list[dict], kind: str) -> list[dict]:
    return [d for d in docs if d["kind"] == kind]


def named(docs: list[dict], kind: str, name: str) -> dict:
    matches = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind} {name}, found {len(matches)}"
    return matches[0]


def configmap(docs: list[dict], name: str) -> dict:
    """A generated ConfigMap by its name before kustomize's hash suffix."""
    pattern = re.compile(rf"^{re.escape(name)}(-[a-z0-9]{{10}})?$")
    matches = [d for d in of_kind(docs, "ConfigMap") if pattern.match(d["metadata"]["name"])]
    assert len(matches) == 1, f"expected one ConfigMap {name}, found {[m['metadata']['name'] for m in matches]}"
    return matches[0]


def workloads(docs: list[dict]) -> list[dict]:
    return [d for d in docs if d["kind"] in WORKLOAD_KINDS]


def pod_template(workload: dict) -> dict:
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]


def pod_spec(workload: dict) -> dict:
    return pod_template(workload)["spec"]


def pod_labels(workload: dict) -> dict[str, str]:
    return pod_template(workload)["metadata"].get("labels", {})


def all_containers(workload: dict) -> Iterator[dict]:
    spec = pod_spec(workload)
    yield from spec.get("initContainers", [])
    yield from spec["containers"]


def main_container(workload: dict) -> dict:
    return pod_spec(workload)["containers"][0]


def env_of(container: dict) -> dict[str, dict]:
    """name -> env entry (the last one wins, as in Kubernetes)."""
    return {e["name"]: e for e in container.get("env", [])}


def env_value(container: dict, name: str, docs: list[dict] | None = None) -> str | None:
    """The value of an env var: explicit `value`, else from an envFrom ConfigMap among `docs`."""
    entry = env_of(container).get(name)
    if entry is not None:
        return entry.get("value")
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef")
        if ref and docs is not None:
            data = next(
                (d.get("data", {}) for d in of_kind(docs, "ConfigMap") if d["metadata"]["name"] == ref["name"]), {}
            )
            if name in data:
                return data[name]
    return None


def volumes_by_name(workload: dict) -> dict[str, dict]:
    return {v["name"]: v for v in pod_spec(workload).get("volumes", [])}


# --- label selectors -----------------------------------------------------------------------------


def selector_matches(selector: dict | None, labels: dict[str, str]) -> bool:
    """A Kubernetes LabelSelector (matchLabels + matchExpressions); an empty one matches all."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


# --- PromQL --------------------------------------------------------------------------------------

# Metric names of our own and of the exporters we rely on; recording-rule names contain ':'.
_METRIC_NAME = re.compile(r"(?<![\w:])((?:cinesynth|grpc_server|kube)_[a-zA-Z0-9_]+|up)(?![\w:(])")
_LABEL_MATCHERS = re.compile(r"\{([^{}]*)\}")
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum")


def metric_names(expr: str) -> set[str]:
    """The metric names an expression selects (label matchers and string literals ignored)."""
    # Drop label matcher blocks and string literals first: label values may look like names.
    without_matchers = _LABEL_MATCHERS.sub(" ", _STRINGS.sub('""', expr))
    names = set(_METRIC_NAME.findall(without_matchers))
    # `by (...)`/`without (...)` lists hold label names, not metrics.
    for grouping in re.findall(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)", without_matchers):
        names -= {n.strip() for n in grouping.split(",")}
    return names


def family_name(sample_name: str) -> str:
    """A histogram's family name from one of its series names."""
    for suffix in HISTOGRAM_SUFFIXES:
        if sample_name.endswith(suffix):
            return sample_name[: -len(suffix)]
    return sample_name


def label_names_in_matchers(expr: str) -> set[str]:
    """Label names used in `{...}` matchers of an expression."""
    names: set[str] = set()
    for block in _LABEL_MATCHERS.findall(_STRINGS.sub('""', expr)):
        for matcher in block.split(","):
            match = re.match(r"\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)", matcher)
            if match:
                names.add(match.group(1))
    return names


def exposition_names(text: str) -> set[str]:
    """Every metric name in a Prometheus text exposition: HELP/TYPE lines (present even for a
    labelled metric with no series yet) and sample lines; histograms add their series names."""
    names: set[str] = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            names.add(name)
            if kind.strip() in ("histogram", "summary"):
                names.update(name + s for s in HISTOGRAM_SUFFIXES)
        elif line.startswith("# HELP "):
            names.add(line.split(" ", 3)[2])
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{\s]", line, maxsplit=1)[0])
    return names


# --- autoscaler queries --------------------------------------------------------------------------


def adapter_rules(docs: list[dict]) -> list[dict]:
    """prometheus-adapter rules from the ConfigMap the hpa component ships (empty when absent)."""
    import yaml

    rules: list[dict] = []
    for doc in of_kind(docs, "ConfigMap"):
        if doc["metadata"]["name"] == "cinesynth-adapter-rules":
            rules.extend(yaml.safe_load(doc["data"]["config.yaml"])["rules"])
    return rules


def external_adapter_rules(docs: list[dict]) -> list[dict]:
    """prometheus-adapter external-metric rules (external.metrics.k8s.io) from the same ConfigMap."""
    import yaml

    rules: list[dict] = []
    for doc in of_kind(docs, "ConfigMap"):
        if doc["metadata"]["name"] == "cinesynth-adapter-rules":
            rules.extend(yaml.safe_load(doc["data"]["config.yaml"]).get("externalRules", []))
    return rules


def adapter_query(template: str) -> str:
    """An adapter metricsQuery with its Go-template placeholders filled as the adapter would."""
    return template.replace("<<.LabelMatchers>>", 'namespace="cinesynth",pod=~"imagegen-standard-.*"').replace(
        "<<.GroupBy>>", "namespace, pod"
    )


def autoscaler_queries(docs: list[dict]) -> dict[str, str]:
    """Where -> PromQL, for every query an autoscaler in `docs` runs."""
    queries: dict[str, str] = {}
    for scaled in of_kind(docs, "ScaledObject"):
        for trigger in scaled["spec"]["triggers"]:
            if trigger["type"] == "prometheus":
                queries[f"ScaledObject {scaled['metadata']['name']}"] = trigger["metadata"]["query"]
    for i, rule in enumerate(adapter_rules(docs)):
        queries[f"adapter rule {i} seriesQuery"] = rule["seriesQuery"]
        queries[f"adapter rule {i} metricsQuery"] = adapter_query(rule["metricsQuery"])
    for i, rule in enumerate(external_adapter_rules(docs)):
        queries[f"adapter external rule {i} seriesQuery"] = rule["seriesQuery"]
        queries[f"adapter external rule {i} metricsQuery"] = adapter_query(rule["metricsQuery"]).replace(
            ',pod=~"imagegen-standard-.*"', ',tier="standard"'
        )
    return queries
