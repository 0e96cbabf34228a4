"""The configuration the manifests and the compose file give each service is configuration the
service reads: every CINESYNTH_* variable names a field of that service's settings class (they
ignore unknown variables, so a misspelt name would pass silently), and the values validate."""

from __future__ import annotations

import base64
import importlib
import os

import pytest
import yaml

from gateway.auth import parse_key_lines
from services.common.settings import ENV_PREFIX, ServiceSettings
from tests.deploy.conftest import OVERLAYS, validate
from tests.deploy.tooling import all_containers, configmap, main_container, named, of_kind, pod_labels, workloads

SETTINGS = {
    "gateway": "gateway.settings:GatewaySettings",
    "storyboard": "services.storyboard.settings:StoryboardSettings",
    "imagegen": "services.imagegen.settings:ImageGenSettings",
    "audio": "services.audio.settings:AudioSettings",
    "compositor": "services.compositor.settings:CompositorSettings",
    "motion": "services.motion.settings:MotionSettings",
}
# Stand-ins for values that come from Secrets the operator creates.
SECRET_VALUES = {
    ("cinesynth-postgres", "url"): "postgresql://cinesynth@postgres.example:5432/cinesynth",
    ("cinesynth-webhook", "secret"): "webhook-hmac-key",
    ("cinesynth-hf", "token"): "hf_token",
}


def settings_class(app: str) -> type[ServiceSettings]:
    module, _, name = SETTINGS[app].partition(":")
    return getattr(importlib.import_module(module), name)


def container_env(container: dict, labels: dict[str, str], docs: list[dict]) -> dict[str, str]:
    """The environment Kubernetes would give the container (Secret values replaced by stand-ins)."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(named(docs, "ConfigMap", source["configMapRef"]["name"])["data"])
    for entry in container.get("env", []):
        if "value" in entry:
            env[entry["name"]] = entry["value"]
            continue
        ref = entry["valueFrom"]
        if "fieldRef" in ref:
            key = ref["fieldRef"]["fieldPath"].removeprefix("metadata.labels['").removesuffix("']")
            env[entry["name"]] = labels[key]
        elif "secretKeyRef" in ref:
            secret = ref["secretKeyRef"]
            env[entry["name"]] = SECRET_VALUES[(secret["name"], secret["key"])]
    return env


def check_settings(app: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, where: str) -> ServiceSettings:
    cls = settings_class(app)
    ours = {k: v for k, v in env.items() if k.startswith(ENV_PREFIX)}
    unknown = {k for k in ours if k[len(ENV_PREFIX) :].lower() not in cls.model_fields}
    assert not unknown, f"{where}: {cls.__name__} has no field for {sorted(unknown)}"
    with monkeypatch.context() as patch:
        for key in [k for k in os.environ if k.startswith(ENV_PREFIX)]:
            patch.delenv(key)
        for key, value in ours.items():
            patch.setenv(key, value)
        return cls()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_env_is_valid_configuration_of_its_service(all_rendered, overlay, monkeypatch):
    docs = all_rendered[overlay]
    for workload in workloads(docs):
        app = pod_labels(workload)["app.kubernetes.io/name"]
        for container in all_containers(workload):
            where = f"{overlay} {workload['metadata']['name']}/{container['name']}"
            settings = check_settings(app, container_env(container, pod_labels(workload), docs), monkeypatch, where)
            if container is main_container(workload):
                assert settings.host == "0.0.0.0" and settings.metrics_host == "0.0.0.0"
                assert settings.max_connection_age_s and settings.max_connection_age_s > 0


def test_gateway_settings_receive_per_tier_targets_and_the_job_store(all_rendered, monkeypatch):
    docs = all_rendered["gpu-prod"]
    gateway = named(docs, "Deployment", "gateway")
    env = container_env(main_container(gateway), pod_labels(gateway), docs)
    settings = check_settings("gateway", env, monkeypatch, "gpu-prod gateway")
    assert set(settings.imagegen_targets) == {"draft", "turbo", "standard", "ultra"}
    assert settings.job_store.startswith("postgresql://")
    assert settings.auth_mode == "api_key" and settings.api_keys_file


def test_image_worker_settings_bound_each_pool_to_its_tier(all_rendered, monkeypatch):
    docs = all_rendered["gpu-prod"]
    for workload in of_kind(docs, "Deployment"):
        if pod_labels(workload)["app.kubernetes.io/name"] != "imagegen":
            continue
        env = container_env(main_container(workload), pod_labels(workload), docs)
        settings = check_settings("imagegen", env, monkeypatch, workload["metadata"]["name"])
        assert settings.imagegen_max_tier == pod_labels(workload)["cinesynth.io/pool"]
        assert str(settings.model_dir) == "/models"


def test_compose_environment_is_valid_configuration(monkeypatch):
    compose = yaml.safe_load((validate.DEPLOY_DIR / "compose.yaml").read_text())
    gpu = yaml.safe_load((validate.DEPLOY_DIR / "compose.gpu.yaml").read_text())
    for name, service in compose["services"].items():
        env = {k: str(v) for k, v in service["environment"].items()}
        check_settings(name, env, monkeypatch, f"compose {name}")
    for name, service in gpu["services"].items():
        env = {
            k: str(v).replace("${CINESYNTH_IMAGEGEN_MAX_TIER:-standard}", "standard")
            for k, v in service["environment"].items()
        }
        check_settings("imagegen", env, monkeypatch, f"compose.gpu {name}")


def test_shipped_development_api_keys_parse_as_the_gateway_reads_them(all_rendered):
    secret_name = configmap(all_rendered["cpu-dev"], "gateway-config")["data"]["CINESYNTH_API_KEYS_FILE"].rsplit(
        "/", 1
    )[1]
    (secret,) = of_kind(all_rendered["cpu-dev"], "Secret")
    dev_keys = base64.b64decode(secret["data"][secret_name]).decode()
    assert [e.tenant for e in parse_key_lines(dev_keys.splitlines(), "cpu-dev")] == ["dev"]
    example = (validate.DEPLOY_DIR / "secrets" / "api-keys.example.txt").read_text()
    assert [e.tenant for e in parse_key_lines(example.splitlines(), "compose")] == ["local"]
