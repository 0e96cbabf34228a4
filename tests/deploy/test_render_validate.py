"""Acceptance: the overlays render with kubectl's kustomize, and every object validates: built-in
kinds against the Kubernetes schemas (kubernetes-validate, strict), custom resources against the
schemas in deploy/schemas. Nothing is skipped."""

from __future__ import annotations

import copy

import pytest

from tests.deploy.conftest import OVERLAYS, validate
from tests.deploy.tooling import named, of_kind

CUSTOM_KINDS = {"ScaledObject", "PodMonitor", "ServiceMonitor", "PrometheusRule"}


@pytest.fixture(autouse=True)
def _schema_tools():
    pytest.importorskip("kubernetes_validate", reason="kubernetes-validate is not installed (dev extra)")
    pytest.importorskip("jsonschema", reason="jsonschema is not installed (comes with kubernetes-validate)")


def test_every_overlay_directory_is_tested():
    assert sorted(OVERLAYS) == validate.overlays()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders_to_unique_objects_in_our_namespaces(all_rendered, overlay):
    docs = all_rendered[overlay]
    assert len(docs) > 30
    ids = [(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]) for d in docs]
    assert len(ids) == len(set(ids)), "duplicate objects"
    namespaces = {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"}
    assert namespaces <= {"cinesynth", "monitoring"}, namespaces
    assert (
        named(docs, "Namespace", "cinesynth")["metadata"]["labels"]["pod-security.kubernetes.io/enforce"]
        == "restricted"
    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_validates_against_its_schema(all_rendered, overlay):
    docs = all_rendered[overlay]
    report = validate.validate_objects(docs)
    assert report.errors == []
    # Every object was checked by one validator or the other: no kind is silently skipped.
    assert len(report.notes) == len(docs)
    custom = [n for n in report.notes if n.startswith("crd:")]
    assert len(custom) == len([d for d in docs if d["kind"] in CUSTOM_KINDS])


def test_builtin_validation_is_strict_and_typed(all_rendered):
    deployment = copy.deepcopy(of_kind(all_rendered["gpu-prod"], "Deployment")[0])
    deployment["spec"]["template"]["spec"]["terminationGracePeriodSecond"] = 30  # typo
    assert any("terminationGracePeriodSecond" in e for e in validate.validate_builtin(deployment))
    deployment = copy.deepcopy(of_kind(all_rendered["gpu-prod"], "Deployment")[0])
    deployment["spec"]["replicas"] = "two"
    assert validate.validate_builtin(deployment)


def test_custom_resource_schemas_reject_mistakes(all_rendered):
    docs = all_rendered["gpu-prod"]
    scaled = copy.deepcopy(of_kind(docs, "ScaledObject")[0])
    scaled["spec"]["minReplicas"] = 1  # an HPA field name, not KEDA's
    del scaled["spec"]["triggers"][0]["metadata"]["query"]
    errors = validate.validate_custom_resource(scaled)
    assert any("minReplicas" in e for e in errors) and any("query" in e for e in errors)

    rule = copy.deepcopy(named(docs, "PrometheusRule", "cinesynth"))
    rule["spec"]["groups"][1]["rules"][0]["for"] = "10 minutes"
    rule["spec"]["groups"][1]["rules"][1]["record"] = "both:alert:and_record"
    errors = validate.validate_custom_resource(rule)
    assert len(errors) == 2

    monitor = copy.deepcopy(named(docs, "PodMonitor", "cinesynth"))
    monitor["spec"]["podMetricsEndpoints"][0]["relabelings"][0]["action"] = "rename"
    assert validate.validate_custom_resource(monitor)


def test_custom_resources_without_schema_are_reported_not_skipped():
    unknown = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    report = validate.validate_objects([unknown])
    assert report.errors == ["Widget w: no schema (neither built-in nor in deploy/schemas)"]
