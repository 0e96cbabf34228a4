"""Policy tests on the rendered objects: what "gRPC on Kubernetes done right" and the security
baseline mean for cinesynth, checked on every overlay's output (not on the source files)."""

from __future__ import annotations

import json
import re

import pytest

from tests.deploy.conftest import GPU_OVERLAYS, OVERLAYS
from tests.deploy.tooling import (
    all_containers,
    configmap,
    env_of,
    env_value,
    main_container,
    named,
    of_kind,
    pod_labels,
    pod_spec,
    selector_matches,
    volumes_by_name,
    workloads,
)

GRPC_PORTS = {
    "gateway": 50051, "storyboard": 50052, "imagegen": 50053, "audio": 50054, "compositor": 50055, "motion": 50056,
}
BACKENDS = ("storyboard", "imagegen", "audio", "compositor", "motion")
POOL_LABEL = "cinesynth.io/pool"
GPU = "nvidia.com/gpu"


def app_name(workload: dict) -> str:
    return pod_labels(workload)["app.kubernetes.io/name"]


def startup_budget_s(container: dict) -> int:
    probe = container["startupProbe"]
    return probe.get("periodSeconds", 10) * probe.get("failureThreshold", 3)


def quantity_seconds(value: str | None) -> float:
    return float(value) if value is not None else 0.0


def pools(docs: list[dict], app: str = "imagegen") -> dict[str, dict]:
    """pool -> worker Deployment of `app` (image workers: the pool is their tier; motion: motion, upscale)."""
    return {
        pod_labels(d)[POOL_LABEL]: d
        for d in of_kind(docs, "Deployment")
        if POOL_LABEL in pod_labels(d) and app_name(d) == app
    }


# --- security baseline ---------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_runs_non_root_with_a_read_only_root_and_no_capabilities(all_rendered, overlay):
    checked = 0
    for workload in workloads(all_rendered[overlay]):
        spec = pod_spec(workload)
        name = workload["metadata"]["name"]
        pod_security = spec["securityContext"]
        assert pod_security["runAsNonRoot"] is True, name
        assert pod_security["runAsUser"] > 0 and pod_security["runAsGroup"] > 0, name
        assert pod_security["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert spec["automountServiceAccountToken"] is False, name
        assert not spec.get("hostNetwork") and not spec.get("hostPID") and not spec.get("hostIPC"), name
        for container in all_containers(workload):
            security = container["securityContext"]
            where = f"{name}/{container['name']}"
            assert security["runAsNonRoot"] is True, where
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["readOnlyRootFilesystem"] is True, where
            assert security["capabilities"] == {"drop": ["ALL"]}, where
            assert not security.get("privileged"), where
            checked += 1
    assert checked >= 6


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_scratch_space_is_an_emptydir_because_the_root_is_read_only(all_rendered, overlay):
    for workload in workloads(all_rendered[overlay]):
        volumes = volumes_by_name(workload)
        for container in all_containers(workload):
            mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
            assert "/tmp" in mounts, f"{workload['metadata']['name']}/{container['name']} has no /tmp"
            assert "emptyDir" in volumes[mounts["/tmp"]]
            assert volumes[mounts["/tmp"]]["emptyDir"].get("sizeLimit"), "bounded scratch space"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_requests_cpu_and_memory_and_limits_memory(all_rendered, overlay):
    for workload in workloads(all_rendered[overlay]):
        for container in all_containers(workload):
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), container["name"]
            assert "memory" in resources["limits"], container["name"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_images_are_pinned_never_latest(all_rendered, overlay):
    for workload in workloads(all_rendered[overlay]):
        for container in all_containers(workload):
            image = container["image"]
            name, _, tag = image.rpartition(":") if "@" not in image else (image, "", "digest")
            assert name and tag and tag != "latest", image
            assert "@sha256:" in image or re.search(r"\d", tag), f"{image}: tag without a version"
            assert container["imagePullPolicy"] == "IfNotPresent"


# --- gRPC: ports, probes, balancing, drain ---------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_probes_are_native_grpc_health_checks_on_the_service_port(all_rendered, overlay):
    for workload in workloads(all_rendered[overlay]):
        container = main_container(workload)
        port = GRPC_PORTS[app_name(workload)]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports["grpc"] == port and env_value(container, "CINESYNTH_PORT") == str(port)
        assert ports["metrics"] == int(env_value(container, "CINESYNTH_METRICS_PORT"))
        for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
            probe = container[kind]
            assert probe["grpc"] == {"port": port}, f"{workload['metadata']['name']} {kind}"
            assert not {"httpGet", "exec", "tcpSocket"} & set(probe)
        # Readiness reacts faster than liveness: a draining pod leaves DNS long before a restart.
        ready, live = container["readinessProbe"], container["livenessProbe"]
        assert ready["periodSeconds"] * ready["failureThreshold"] < live["periodSeconds"] * live["failureThreshold"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_image_workers_get_a_startup_probe_sized_for_model_loading(all_rendered, overlay):
    docs = all_rendered[overlay]
    for tier, workload in pools(docs).items():
        container = main_container(workload)
        weighted = tier != "draft"
        assert startup_budget_s(container) >= (600 if weighted else 60), tier
        if weighted:
            # The weights come from the volume, filled before start, so the budget covers load + warm-up.
            assert env_value(container, "HF_HUB_OFFLINE") == "1"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_termination_grace_outlasts_drain_and_the_slowest_keyframe(all_rendered, overlay):
    docs = all_rendered[overlay]
    for workload in workloads(docs):
        container = main_container(workload)
        name = workload["metadata"]["name"]
        grace = quantity_seconds(env_value(container, "CINESYNTH_GRACE_PERIOD_S", docs))
        drain = quantity_seconds(env_value(container, "CINESYNTH_DRAIN_DELAY_S", docs))
        assert grace > 0 and drain > 0, name
        assert pod_spec(workload)["terminationGracePeriodSeconds"] > drain + grace, name
    for tier, workload in pools(docs).items():
        slowest = float(workload["metadata"]["annotations"]["cinesynth.io/slowest-keyframe-seconds"])
        grace = quantity_seconds(env_value(main_container(workload), "CINESYNTH_GRACE_PERIOD_S", docs))
        assert grace >= slowest, tier
        assert pod_spec(workload)["terminationGracePeriodSeconds"] > slowest, tier


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_servers_bind_all_interfaces_and_close_old_connections(all_rendered, overlay):
    docs = all_rendered[overlay]
    common = configmap(docs, "cinesynth-common")["data"]
    assert common["CINESYNTH_HOST"] == "0.0.0.0" and common["CINESYNTH_METRICS_HOST"] == "0.0.0.0"
    assert float(common["CINESYNTH_MAX_CONNECTION_AGE_S"]) > 0
    common_name = configmap(docs, "cinesynth-common")["metadata"]["name"]
    for workload in workloads(docs):
        for container in all_containers(workload):
            refs = [s["configMapRef"]["name"] for s in container.get("envFrom", []) if "configMapRef" in s]
            assert common_name in refs, f"{workload['metadata']['name']}/{container['name']}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_backends_are_headless_and_the_gateway_targets_them_with_dns(all_rendered, overlay):
    docs = all_rendered[overlay]
    services = {s["metadata"]["name"]: s for s in of_kind(docs, "Service")}
    deployments = of_kind(docs, "Deployment")
    for service in services.values():
        # Every Service selects pods that exist, on a port they expose.
        selected = [
            d for d in deployments if selector_matches({"matchLabels": service["spec"]["selector"]}, pod_labels(d))
        ]
        assert selected, service["metadata"]["name"]
        if service["metadata"]["name"] != "gateway":
            assert service["spec"]["clusterIP"] == "None", f"{service['metadata']['name']} must be headless"
    gateway = configmap(docs, "gateway-config")["data"]

    def check_target(target: str, app: str) -> str:
        match = re.fullmatch(r"dns:///([a-z0-9-]+)\.cinesynth\.svc\.cluster\.local:(\d+)", target)
        assert match, f"{target}: not a dns:/// name of a Service in the namespace"
        service = services[match.group(1)]
        assert service["spec"]["clusterIP"] == "None"
        assert int(match.group(2)) in [p["port"] for p in service["spec"]["ports"]]
        assert service["spec"]["selector"]["app.kubernetes.io/name"] == app
        return match.group(1)

    for app in ("storyboard", "audio", "compositor"):
        check_target(gateway[f"CINESYNTH_{app.upper()}_TARGET"], app)
    tiers = json.loads(gateway["CINESYNTH_IMAGEGEN_TARGETS"])
    # One pool per tier, and every pool is reachable by its tier.
    assert set(tiers) == set(pools(docs))
    for tier, target in tiers.items():
        service = services[check_target(target, "imagegen")]
        assert service["spec"]["selector"][POOL_LABEL] == tier
    # Motion and upscale pools, where the overlay runs them, are each reachable by their role.
    for pool in pools(docs, "motion"):
        service = services[check_target(gateway[f"CINESYNTH_{pool.upper()}_TARGET"], "motion")]
        assert service["spec"]["selector"][POOL_LABEL] == pool


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_workload_has_a_pod_disruption_budget(all_rendered, overlay):
    docs = all_rendered[overlay]
    budgets = of_kind(docs, "PodDisruptionBudget")
    for workload in workloads(docs):
        matching = [b for b in budgets if selector_matches(b["spec"]["selector"], pod_labels(workload))]
        assert len(matching) == 1, workload["metadata"]["name"]
        assert matching[0]["spec"].get("maxUnavailable") == 1 or matching[0]["spec"].get("minAvailable")


# --- network policies ----------------------------------------------------------------------------


def policies_selecting(docs: list[dict], labels: dict[str, str], policy_type: str) -> list[dict]:
    return [
        p
        for p in of_kind(docs, "NetworkPolicy")
        if policy_type in p["spec"]["policyTypes"] and selector_matches(p["spec"]["podSelector"], labels)
    ]


def from_monitoring_metrics_only(rule: dict) -> bool:
    peers = rule.get("from", [])
    return (
        bool(peers)
        and all(set(peer) == {"namespaceSelector"} for peer in peers)
        and all(
            peer["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}
            for peer in peers
        )
        and [p["port"] for p in rule.get("ports", [])] == ["metrics"]
    )


def from_gateway_only(rule: dict) -> bool:
    peers = rule.get("from", [])
    return bool(peers) and all(
        set(peer) == {"podSelector"} and peer["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "gateway"}}
        for peer in peers
    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_is_denied_by_default(all_rendered, overlay):
    docs = all_rendered[overlay]
    deny = [
        p
        for p in of_kind(docs, "NetworkPolicy")
        if p["spec"]["podSelector"] == {}
        and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
    ]
    assert len(deny) == 1
    assert all(p["metadata"]["namespace"] == "cinesynth" for p in of_kind(docs, "NetworkPolicy"))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_gateway_takes_ingress_and_services_accept_only_the_gateway(all_rendered, overlay):
    docs = all_rendered[overlay]
    for workload in workloads(docs):
        labels, app = pod_labels(workload), app_name(workload)
        rules = [r for p in policies_selecting(docs, labels, "Ingress") for r in p["spec"].get("ingress", [])]
        grpc_rules = [r for r in rules if not from_monitoring_metrics_only(r)]
        assert any(from_monitoring_metrics_only(r) for r in rules), f"{app}: Prometheus cannot scrape"
        if app == "gateway":
            assert grpc_rules and all([p["port"] for p in r["ports"]] == [50051] for r in grpc_rules)
        else:
            assert grpc_rules, f"{app}: unreachable"
            for rule in grpc_rules:
                assert from_gateway_only(rule), f"{app} accepts {rule}"
                assert [p["port"] for p in rule["ports"]] == ["grpc"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_egress_allows_dns_and_the_gateway_reaches_every_backend(all_rendered, overlay):
    docs = all_rendered[overlay]
    for workload in workloads(docs):
        rules = [
            r for p in policies_selecting(docs, pod_labels(workload), "Egress") for r in p["spec"].get("egress", [])
        ]
        dns = [r for r in rules if {"protocol": "UDP", "port": 53} in r.get("ports", [])]
        assert dns and all(
            peer.get("podSelector") == {"matchLabels": {"k8s-app": "kube-dns"}} for r in dns for peer in r["to"]
        )
        if app_name(workload) == "gateway":
            backend_ports = {
                p["port"]
                for r in rules
                for p in r.get("ports", [])
                if any("podSelector" in t and "namespaceSelector" not in t for t in r.get("to", []))
            }
            assert {GRPC_PORTS[b] for b in BACKENDS} <= backend_ports
        # Egress to the outside is HTTPS only, never into private ranges or the metadata service.
        for rule in rules:
            for peer in rule.get("to", []):
                if "ipBlock" in peer and peer["ipBlock"]["cidr"] == "0.0.0.0/0":
                    assert "169.254.0.0/16" in peer["ipBlock"]["except"] and "10.0.0.0/8" in peer["ipBlock"]["except"]
                    assert [p["port"] for p in rule["ports"]] == [443]


# --- overlays ------------------------------------------------------------------------------------


def test_gpu_prod_runs_each_tier_on_its_own_gpu_node_pool(all_rendered):
    for overlay in GPU_OVERLAYS:
        docs = all_rendered[overlay]
        worker_pools = pools(docs)
        assert set(worker_pools) == {"draft", "turbo", "standard", "ultra"}
        for tier, workload in worker_pools.items():
            spec, container = pod_spec(workload), main_container(workload)
            resources = container["resources"]
            if tier == "draft":  # storyboard cards need no GPU
                assert GPU not in resources["limits"] and "nodeSelector" not in spec
                continue
            assert spec["nodeSelector"] == {"cinesynth.io/gpu-pool": tier}
            tolerations = spec["tolerations"]
            assert {"key": GPU, "operator": "Exists", "effect": "NoSchedule"} in tolerations
            assert {
                "key": "cinesynth.io/gpu-pool",
                "operator": "Equal",
                "value": tier,
                "effect": "NoSchedule",
            } in tolerations
            assert resources["limits"][GPU] == resources["requests"][GPU] == 1
            # The tier a worker loads is its pool label, through the downward API.
            tier_env = env_of(container)["CINESYNTH_IMAGEGEN_MAX_TIER"]["valueFrom"]["fieldRef"]["fieldPath"]
            assert tier_env == f"metadata.labels['{POOL_LABEL}']" and pod_labels(workload)[POOL_LABEL] == tier
            assert workload["spec"]["selector"]["matchLabels"][POOL_LABEL] == tier


def test_gpu_prod_runs_motion_and_upscale_workers_on_their_own_gpu_node_pools(all_rendered):
    for overlay in GPU_OVERLAYS:
        docs = all_rendered[overlay]
        claims = {c["metadata"]["name"]: c for c in of_kind(docs, "PersistentVolumeClaim")}
        worker_pools = pools(docs, "motion")
        assert set(worker_pools) == {"motion", "upscale"}
        for pool, workload in worker_pools.items():
            spec, container = pod_spec(workload), main_container(workload)
            assert spec["nodeSelector"] == {"cinesynth.io/gpu-pool": pool}
            assert {"key": "cinesynth.io/gpu-pool", "operator": "Equal", "value": pool, "effect": "NoSchedule"} in (
                spec["tolerations"]
            )
            resources = container["resources"]
            assert resources["limits"][GPU] == resources["requests"][GPU] == 1
            # Each pool serves one role, the one its name says.
            assert json.loads(env_value(container, "CINESYNTH_MOTION_ROLES")) == [pool]
            assert workload["spec"]["selector"]["matchLabels"][POOL_LABEL] == pool
            # Weights on the pool's own shared volume (the worker downloads its model there once).
            claim = claims[volumes_by_name(workload)["models"]["persistentVolumeClaim"]["claimName"]]
            assert claim["metadata"]["name"] == f"motion-weights-{pool}"
            assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
            assert env_value(container, "CINESYNTH_MODEL_DIR") == "/models"
            assert startup_budget_s(container) >= 600
    assert not pools(all_rendered["cpu-dev"], "motion")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_weighted_pools_start_from_a_volume_filled_by_fetch_models(all_rendered, overlay):
    docs = all_rendered[overlay]
    claims = {c["metadata"]["name"]: c for c in of_kind(docs, "PersistentVolumeClaim")}
    for tier, workload in pools(docs).items():
        volumes = volumes_by_name(workload)
        if tier == "draft":
            assert "emptyDir" in volumes["models"] and not pod_spec(workload).get("initContainers")
            continue
        claim = claims[volumes["models"]["persistentVolumeClaim"]["claimName"]]
        assert claim["metadata"]["name"] == f"imagegen-weights-{tier}"  # one volume per pool
        (init,) = pod_spec(workload)["initContainers"]
        assert init["args"] == ["fetch-models"]
        # The init step plans as the worker will: same image, same tier, same device.
        assert init["image"] == main_container(workload)["image"]
        assert (
            env_of(init)["CINESYNTH_IMAGEGEN_MAX_TIER"]
            == env_of(main_container(workload))["CINESYNTH_IMAGEGEN_MAX_TIER"]
        )
        assert init["resources"]["limits"].get(GPU) == main_container(workload)["resources"]["limits"].get(GPU)
        assert "HF_HUB_OFFLINE" not in env_of(init)
        init_mount = next(m for m in init["volumeMounts"] if m["name"] == "models")
        main_mount = next(m for m in main_container(workload)["volumeMounts"] if m["name"] == "models")
        assert not init_mount.get("readOnly") and main_mount["readOnly"] is True
        assert (
            init_mount["mountPath"]
            == main_mount["mountPath"]
            == env_value(main_container(workload), "CINESYNTH_MODEL_DIR")
        )
        multi_node = overlay in GPU_OVERLAYS
        assert claim["spec"]["accessModes"] == (["ReadWriteMany"] if multi_node else ["ReadWriteOnce"])


def test_gpu_prod_runs_two_gateways_on_postgres_with_s3_artifacts(all_rendered):
    for overlay in GPU_OVERLAYS:
        docs = all_rendered[overlay]
        gateway = named(docs, "Deployment", "gateway")
        assert gateway["spec"]["replicas"] == 2
        store = env_of(main_container(gateway))["CINESYNTH_JOB_STORE"]
        assert store["valueFrom"]["secretKeyRef"] == {"name": "cinesynth-postgres", "key": "url"}
        assert configmap(docs, "cinesynth-common")["data"]["CINESYNTH_ARTIFACT_STORE"].startswith("s3://")
        assert configmap(docs, "cinesynth-common")["data"]["CINESYNTH_REFLECTION"] == "false"
        # Credentials are created out of band; the manifests only reference them.
        assert of_kind(docs, "Secret") == []
        egress = named(docs, "NetworkPolicy", "gateway-egress-postgres")
        assert egress["spec"]["egress"][0]["ports"] == [{"protocol": "TCP", "port": 5432}]
        for workload in workloads(docs):
            assert {"secretRef": {"name": "cinesynth-s3", "optional": True}} in main_container(workload)["envFrom"]


def test_cpu_dev_is_one_replica_of_everything_on_cpu_with_sqlite(all_rendered):
    docs = all_rendered["cpu-dev"]
    assert set(pools(docs)) == {"draft", "turbo"}
    claims = {c["metadata"]["name"] for c in of_kind(docs, "PersistentVolumeClaim")}
    for workload in workloads(docs):
        assert workload["spec"]["replicas"] == 1
        container = main_container(workload)
        assert GPU not in container["resources"]["limits"] and "nodeSelector" not in pod_spec(workload)
        assert container["image"].endswith("-cpu") or "imagegen" not in container["image"]
        # file:///artifacts on one shared volume in every pod.
        volumes = volumes_by_name(workload)
        assert volumes["artifacts"]["persistentVolumeClaim"]["claimName"] in claims
        assert {"name": "artifacts", "mountPath": "/artifacts"} in container["volumeMounts"]
    assert configmap(docs, "cinesynth-common")["data"]["CINESYNTH_ARTIFACT_STORE"] == "file:///artifacts"
    gateway = named(docs, "Deployment", "gateway")
    store = env_of(main_container(gateway))["CINESYNTH_JOB_STORE"]
    assert store == {"name": "CINESYNTH_JOB_STORE", "value": "sqlite:////data/jobs.db"}
    data = next(m for m in main_container(gateway)["volumeMounts"] if m["mountPath"] == "/data")
    assert volumes_by_name(gateway)[data["name"]]["persistentVolumeClaim"]["claimName"] == "gateway-data"
    assert gateway["spec"]["strategy"] == {"type": "Recreate"}  # one SQLite writer at a time
    # No custom resources: applies to a bare kind/minikube cluster.
    assert {d["kind"] for d in docs} <= {
        "Namespace",
        "ConfigMap",
        "Secret",
        "ServiceAccount",
        "Deployment",
        "Service",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "PersistentVolumeClaim",
    }


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_gateway_reads_api_keys_from_a_secret_mount(all_rendered, overlay):
    docs = all_rendered[overlay]
    gateway = named(docs, "Deployment", "gateway")
    keys_file = configmap(docs, "gateway-config")["data"]["CINESYNTH_API_KEYS_FILE"]
    mount = next(m for m in main_container(gateway)["volumeMounts"] if keys_file.startswith(m["mountPath"] + "/"))
    assert mount["readOnly"] is True
    secret = volumes_by_name(gateway)[mount["name"]]["secret"]
    assert re.fullmatch(r"cinesynth-api-keys(-[a-z0-9]{10})?", secret["secretName"])
    assert not secret.get("optional"), "authentication must fail closed"
