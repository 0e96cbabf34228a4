"""Autoscaling of the GPU workers (image workers per tier, motion and upscale workers): one
autoscaler per GPU pool (KEDA in gpu-prod, an HPA through prometheus-adapter in gpu-prod-hpa),
scaling on the pool's own backlog metrics, with bounds and a scale-down window that respects how
long a GPU worker takes to start."""

from __future__ import annotations

import re

import pytest

from tests.deploy.conftest import GPU_OVERLAYS
from tests.deploy.tooling import (
    adapter_rules,
    autoscaler_queries,
    external_adapter_rules,
    label_names_in_matchers,
    main_container,
    metric_names,
    named,
    of_kind,
    pod_labels,
)

GPU_TIERS = ("turbo", "standard", "ultra")
POOL_LABEL = "cinesynth.io/pool"
BACKLOG_METRICS = {"cinesynth_imagegen_queue_depth", "cinesynth_imagegen_inflight"}
# The motion workers' pools (Deployment motion-<pool>) and the backlog gauges each scales on.
MOTION_BACKLOG_METRICS = {
    "motion": {"cinesynth_motion_queue_depth", "cinesynth_motion_inflight"},
    "upscale": {"cinesynth_upscale_queue_depth", "cinesynth_upscale_inflight"},
}
GPU_DEPLOYMENTS = {f"imagegen-{tier}" for tier in GPU_TIERS} | {f"motion-{pool}" for pool in MOTION_BACKLOG_METRICS}
# Exported by the gateway: keyframes refused as busy by every worker of a tier, waiting for capacity.
WAITING_METRIC = "cinesynth_keyframes_waiting"


def startup_budget_s(workload: dict) -> int:
    probe = main_container(workload)["startupProbe"]
    return probe["periodSeconds"] * probe["failureThreshold"]


def autoscalers(docs: list[dict]) -> dict[str, list[dict]]:
    """Deployment name -> the ScaledObjects and HPAs that target it."""
    targets: dict[str, list[dict]] = {}
    for doc in of_kind(docs, "ScaledObject") + of_kind(docs, "HorizontalPodAutoscaler"):
        ref = doc["spec"]["scaleTargetRef"]
        assert ref.get("kind", "Deployment") == "Deployment" and ref.get("apiVersion", "apps/v1") == "apps/v1"
        targets.setdefault(ref["name"], []).append(doc)
    return targets


@pytest.mark.parametrize("overlay", GPU_OVERLAYS)
def test_each_gpu_pool_has_exactly_one_autoscaler_that_owns_its_replicas(all_rendered, overlay):
    docs = all_rendered[overlay]
    expected_kind = "ScaledObject" if overlay == "gpu-prod" else "HorizontalPodAutoscaler"
    targets = autoscalers(docs)
    assert set(targets) == GPU_DEPLOYMENTS
    for name, scalers in targets.items():
        assert [s["kind"] for s in scalers] == [expected_kind], f"{name}: {[s['kind'] for s in scalers]}"
        assert "replicas" not in named(docs, "Deployment", name)["spec"], "kubectl apply would reset the autoscaler"
    assert bool(adapter_rules(docs)) == (overlay == "gpu-prod-hpa")


@pytest.mark.parametrize("overlay", GPU_OVERLAYS)
def test_bounds_and_scale_down_window_respect_gpu_start_up(all_rendered, overlay):
    docs = all_rendered[overlay]
    for name, (scaler,) in autoscalers(docs).items():
        spec = scaler["spec"]
        if scaler["kind"] == "ScaledObject":
            low, high = spec["minReplicaCount"], spec["maxReplicaCount"]
            behavior = spec["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]
            # Scale to zero is impossible: the backlog is measured on the workers themselves.
            assert "idleReplicaCount" not in spec
        else:
            low, high, behavior = spec["minReplicas"], spec["maxReplicas"], spec["behavior"]
        assert 1 <= low < high, name
        window = behavior["scaleDown"]["stabilizationWindowSeconds"]
        assert window >= startup_budget_s(named(docs, "Deployment", name)), name
        assert behavior["scaleUp"]["stabilizationWindowSeconds"] == 0
        assert all(p["type"] == "Pods" and p["value"] == 1 for p in behavior["scaleDown"]["policies"])


def test_keda_scales_each_pool_on_its_own_backlog_per_replica(all_rendered):
    docs = all_rendered["gpu-prod"]
    relabelled = pod_monitor_target_labels(docs)
    for scaled in of_kind(docs, "ScaledObject"):
        target = named(docs, "Deployment", scaled["spec"]["scaleTargetRef"]["name"])
        (trigger,) = scaled["spec"]["triggers"]
        assert trigger["type"] == "prometheus" and trigger["metricType"] == "AverageValue"
        metadata = trigger["metadata"]
        assert re.fullmatch(r"http://[a-z0-9.-]+\.svc\.cluster\.local:9090", metadata["serverAddress"])
        assert float(metadata["threshold"]) > 0
        query = metadata["query"]
        pool = pod_labels(target)[POOL_LABEL]
        assert relabelled["pool"] == POOL_LABEL
        if pool in MOTION_BACKLOG_METRICS:
            # A motion pool's own backlog; the selectors name the pool and namespace.
            assert metric_names(query) == MOTION_BACKLOG_METRICS[pool]
            assert label_names_in_matchers(query) == {"namespace", "pool"}
        else:
            # The workers' backlog plus the demand waiting in the gateways for this tier.
            assert metric_names(query) == BACKLOG_METRICS | {WAITING_METRIC}
            # The selectors name this pool and namespace, through labels Prometheus really attaches.
            assert label_names_in_matchers(query) == {"namespace", "pool", "tier"}
            assert set(re.findall(r'tier="([^"]+)"', query)) == {pool}
        assert set(re.findall(r'pool="([^"]+)"', query)) == {pool}
        assert set(re.findall(r'namespace="([^"]+)"', query)) == {target["metadata"]["namespace"]}
        # Empty series (a pool's gauge not yet scraped) count as 0 rather than breaking the sum.
        assert query.count("or vector(0)") == len(metric_names(query))


def test_hpa_uses_the_adapter_metric_built_from_the_backlog_gauges(all_rendered):
    docs = all_rendered["gpu-prod-hpa"]
    rules = {r["name"]["as"]: r for r in adapter_rules(docs)}
    gauges = {"cinesynth_imagegen_backlog": BACKLOG_METRICS} | {
        f"cinesynth_{pool}_backlog": metrics for pool, metrics in MOTION_BACKLOG_METRICS.items()
    }
    assert set(rules) == set(gauges)
    for name, rule in rules.items():
        assert rule["resources"]["overrides"] == {"namespace": {"resource": "namespace"}, "pod": {"resource": "pod"}}
        assert metric_names(rule["seriesQuery"]) <= gauges[name]
        assert (
            metric_names(rule["metricsQuery"].replace("<<.LabelMatchers>>", "").replace("<<.GroupBy>>", "pod"))
            == gauges[name]
        )
        assert "<<.LabelMatchers>>" in rule["metricsQuery"] and "<<.GroupBy>>" in rule["metricsQuery"]
    assert named(docs, "ConfigMap", "cinesynth-adapter-rules")["metadata"]["namespace"] == "monitoring"
    (external,) = external_adapter_rules(docs)
    assert metric_names(external["seriesQuery"]) == {WAITING_METRIC} == {external["name"]["as"]}
    for hpa in of_kind(docs, "HorizontalPodAutoscaler"):
        tier = hpa["metadata"]["labels"][POOL_LABEL]
        if tier in MOTION_BACKLOG_METRICS:
            (pods,) = hpa["spec"]["metrics"]
            assert pods["type"] == "Pods" and pods["pods"]["metric"]["name"] == f"cinesynth_{tier}_backlog"
            assert pods["pods"]["target"]["type"] == "AverageValue"
            continue
        pods, waiting = hpa["spec"]["metrics"]
        assert pods["type"] == "Pods"
        assert pods["pods"]["metric"]["name"] == "cinesynth_imagegen_backlog"
        assert pods["pods"]["target"]["type"] == "AverageValue"
        # The demand waiting in the gateways for this pool's tier.
        assert waiting["type"] == "External"
        assert waiting["external"]["metric"]["name"] == WAITING_METRIC
        assert waiting["external"]["metric"]["selector"]["matchLabels"] == {"tier": tier}
        assert waiting["external"]["target"]["type"] == "AverageValue"


def test_autoscaler_queries_are_collected_from_both_variants(all_rendered):
    keda = autoscaler_queries(all_rendered["gpu-prod"])
    hpa = autoscaler_queries(all_rendered["gpu-prod-hpa"])
    # KEDA: one query per GPU pool; HPA: series + metrics query of each backlog rule and of the waiting rule.
    assert len(keda) == len(GPU_DEPLOYMENTS) and len(hpa) == 2 * (1 + len(MOTION_BACKLOG_METRICS)) + 2
    assert not autoscaler_queries(all_rendered["cpu-dev"])


def pod_monitor_target_labels(docs: list[dict]) -> dict[str, str]:
    """target label -> the pod label it is copied from, by the PodMonitor's relabelling."""
    (monitor,) = of_kind(docs, "PodMonitor")
    prefix = "__meta_kubernetes_pod_label_"
    labels: dict[str, str] = {}
    for endpoint in monitor["spec"]["podMetricsEndpoints"]:
        for relabel in endpoint.get("relabelings", []):
            (source,) = relabel["sourceLabels"]
            if relabel.get("action", "replace") == "replace" and source.startswith(prefix):
                sanitized = source[len(prefix) :]
                pod_label = {"cinesynth_io_pool": POOL_LABEL, "app_kubernetes_io_name": "app.kubernetes.io/name"}[
                    sanitized
                ]
                labels[relabel["targetLabel"]] = pod_label
    return labels


def test_pod_monitor_scrapes_every_pod_and_adds_pool_and_service(all_rendered):
    docs = all_rendered["gpu-prod"]
    (monitor,) = of_kind(docs, "PodMonitor")
    assert pod_monitor_target_labels(docs) == {"pool": POOL_LABEL, "service": "app.kubernetes.io/name"}
    selector = monitor["spec"]["selector"]["matchLabels"]
    for deployment in of_kind(docs, "Deployment"):
        labels = pod_labels(deployment)
        assert all(labels.get(k) == v for k, v in selector.items()), deployment["metadata"]["name"]
        assert any(
            p["name"] == monitor["spec"]["podMetricsEndpoints"][0]["port"] for p in main_container(deployment)["ports"]
        )
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": ["cinesynth"]}
