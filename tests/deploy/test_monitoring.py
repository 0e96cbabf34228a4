"""Monitoring: the PrometheusRule passes `promtool check rules` and its `promtool test rules` unit
tests; every PromQL expression we ship (alerts, autoscalers, dashboard) parses and names only
metrics that cinesynth or the exporters we require actually export; the dashboard is deployable."""

from __future__ import annotations

import json
import subprocess

import pytest
import yaml

from tests.deploy.conftest import require, validate
from tests.deploy.tooling import autoscaler_queries, configmap, metric_names, named, of_kind

DASHBOARD = validate.MONITORING_DIR / "dashboards" / "cinesynth.json"

# What each exporter publishes (families; histograms as their base name). The imagegen, gateway
# and common names are the services' contract; test_autoscaler_metrics.py scrapes a real image
# worker to prove the ones the autoscaler needs.
EXPORTED = {
    "every service": {
        "grpc_server_started_total",
        "grpc_server_handled_total",
        "grpc_server_handling_seconds",
        "cinesynth_fallbacks_total",
    },
    "gateway": {
        "cinesynth_jobs_total",
        "cinesynth_jobs_inflight",
        "cinesynth_stage_seconds",
        "cinesynth_stage_waits_total",
        "cinesynth_keyframes_waiting",
        "cinesynth_retention_deletions_total",
    },
    "imagegen": {
        "cinesynth_imagegen_inflight",
        "cinesynth_imagegen_queue_depth",
        "cinesynth_imagegen_model_info",
        "cinesynth_imagegen_keyframe_seconds",
        "cinesynth_imagegen_oom_total",
        "cinesynth_imagegen_degraded_total",
        "cinesynth_imagegen_vram_bytes",
    },
    "motion": {
        "cinesynth_motion_inflight",
        "cinesynth_motion_queue_depth",
        "cinesynth_upscale_inflight",
        "cinesynth_upscale_queue_depth",
    },
    "prometheus": {"up"},
    "kube-state-metrics": {"kube_deployment_status_replicas_available", "kube_deployment_spec_replicas"},
}
KNOWN = set().union(*EXPORTED.values())


def test_the_gateway_exports_what_the_contract_lists():
    from prometheus_client.metrics import MetricWrapperBase

    from gateway import metrics

    exported = set()
    for collector in vars(metrics).values():
        if isinstance(collector, MetricWrapperBase):
            name = collector._name  # the family name: a Counter's "_total" is added by the exposition
            exported.add(name + "_total" if collector._type == "counter" else name)
    assert EXPORTED["gateway"] <= exported, EXPORTED["gateway"] - exported
REQUIRED_ALERTS = {
    "CinesynthHighErrorRatio",
    "CinesynthJobLatencyP95High",
    "CinesynthImageBacklogHigh",
    "CinesynthImagegenOutOfMemory",
    "CinesynthImagegenDegrading",
    "CinesynthNoReadyImageWorker",
}


def base_names(expr: str) -> set[str]:
    names = set()
    for name in metric_names(expr):
        for suffix in ("_bucket", "_count", "_sum"):
            if name.endswith(suffix) and name[: -len(suffix)] in KNOWN:
                name = name[: -len(suffix)]
        names.add(name)
    return names


def rules() -> dict:
    return validate.monitoring_rules()


def alert_rules() -> list[dict]:
    return [r for g in rules()["groups"] for r in g["rules"] if "alert" in r]


def dashboard_exprs() -> dict[str, str]:
    board = json.loads(DASHBOARD.read_text())
    return {f"panel {p['id']} {t['refId']}": t["expr"] for p in board["panels"] for t in p.get("targets", [])}


def grafana_to_promql(expr: str) -> str:
    """Fill Grafana's variables with values Prometheus accepts (for a syntax check)."""
    return expr.replace("$__rate_interval", "5m").replace("$namespace", "cinesynth").replace("$pool", ".+")


def promtool_check_exprs(tmp_path, exprs: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`promtool check rules` on recording rules made of `exprs`: a real PromQL parse of each."""
    promtool = require("promtool")
    records = [{"record": f"check:expr_{i}:value", "expr": e} for i, e in enumerate(exprs.values())]
    path = tmp_path / "exprs.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "exprs", "rules": records}]}))
    return subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=60, check=False
    )


def test_promtool_check_and_unit_tests_pass():
    require("promtool")
    report = validate.check_rules()
    assert report.errors == []
    assert any("SUCCESS" in n for n in report.notes)


def test_promtool_unit_tests_fail_on_a_broken_alert(tmp_path):
    """The unit tests bite: with the backlog threshold raised, the firing expectation fails."""
    promtool = require("promtool")
    broken = rules()
    for rule in broken["groups"][1]["rules"]:
        if rule["alert"] == "CinesynthImageBacklogHigh":
            rule["expr"] = rule["expr"].replace("> 4", "> 40")
    validate.write_rules_workdir(tmp_path, broken)
    result = subprocess.run(
        [promtool, "test", "rules", validate.RULES_TEST_FILE.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0 and "CinesynthImageBacklogHigh" in result.stdout + result.stderr


def test_the_deployed_rules_are_the_tested_rules(all_rendered):
    for overlay in ("gpu-prod", "gpu-prod-hpa"):
        deployed = validate.prometheus_rule_specs(all_rendered[overlay])
        assert deployed == {"cinesynth": rules()}


def test_required_alerts_exist_and_each_has_a_firing_unit_test():
    names = {r["alert"] for r in alert_rules()}
    assert names >= REQUIRED_ALERTS
    tests = yaml.safe_load(validate.RULES_TEST_FILE.read_text())["tests"]
    fired = {c["alertname"] for t in tests for c in t.get("alert_rule_test", []) if c["exp_alerts"]}
    assert fired == names, "every alert has a unit test in which it fires"
    for rule in alert_rules():
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]


def test_every_shipped_expression_parses_and_names_exported_metrics(tmp_path, all_rendered):
    exprs = {f"rule {r.get('alert') or r.get('record')}": r["expr"] for g in rules()["groups"] for r in g["rules"]}
    exprs.update({f"dashboard {k}": grafana_to_promql(e) for k, e in dashboard_exprs().items()})
    for overlay in ("gpu-prod", "gpu-prod-hpa"):
        exprs.update({f"{overlay} {k}": e for k, e in autoscaler_queries(all_rendered[overlay]).items()})
    result = promtool_check_exprs(tmp_path, exprs)
    assert result.returncode == 0, result.stdout + result.stderr
    for where, expr in exprs.items():
        unknown = base_names(expr) - KNOWN
        assert not unknown, f"{where} uses {unknown}"


def test_dashboard_covers_jobs_stages_queues_replicas_vram_and_fallbacks():
    board = json.loads(DASHBOARD.read_text())
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids)) and board["uid"] == "cinesynth-overview"
    used = set().union(*(base_names(grafana_to_promql(e)) for e in dashboard_exprs().values()))
    for needed in (
        "cinesynth_jobs_total",
        "cinesynth_jobs_inflight",
        "cinesynth_stage_seconds",
        "cinesynth_imagegen_queue_depth",
        "kube_deployment_status_replicas_available",
        "cinesynth_imagegen_vram_bytes",
        "cinesynth_fallbacks_total",
    ):
        assert needed in used, needed
    variables = {v["name"] for v in board["templating"]["list"]}
    assert variables == {"datasource", "namespace", "pool"}
    for panel in board["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}


def test_dashboard_ships_as_a_configmap_for_the_grafana_sidecar(all_rendered):
    docs = all_rendered["gpu-prod"]
    cm = named(docs, "ConfigMap", "cinesynth-dashboard")
    assert cm["metadata"]["namespace"] == "monitoring"
    assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert json.loads(cm["data"]["cinesynth.json"]) == json.loads(DASHBOARD.read_text())


@pytest.mark.parametrize("overlay", ("gpu-prod", "gpu-prod-hpa"))
def test_monitoring_objects_are_selected_by_the_prometheus_operator(all_rendered, overlay):
    docs = all_rendered[overlay]
    for doc in of_kind(docs, "PodMonitor") + of_kind(docs, "PrometheusRule"):
        assert doc["metadata"]["labels"]["release"] == "kube-prometheus-stack"
        assert doc["metadata"]["namespace"] == "cinesynth"
    assert configmap(docs, "cinesynth-common")  # monitoring does not disturb the app's config
