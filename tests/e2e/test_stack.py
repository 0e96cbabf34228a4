"""`make up`'s launcher: five real processes, health, reflection, metrics, and a clean stop."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

from tests.e2e.stack_support import running_stack
from tools.devstack import stack

EXPECTED = {
    "gateway": "cinesynth.v1.VideoService",
    "storyboard": "cinesynth.v1.StoryboardService",
    "imagegen": "cinesynth.v1.ImageGenService",
    "audio": "cinesynth.v1.AudioService",
    "compositor": "cinesynth.v1.CompositorService",
}


def test_stack_up_serves_everything_and_down_leaves_nothing(tmp_path: Path) -> None:
    with running_stack(tmp_path / "run") as config:
        pids = {name: stack.read_pid(config.pid_file(name)) for name in stack.SERVICE_ORDER}
        assert all(pids.values()), pids
        for name, service in EXPECTED.items():
            with grpc.insecure_channel(config.target(name)) as channel:
                listed = set(ProtoReflectionDescriptorDatabase(channel).get_services())
            assert {service, "grpc.health.v1.Health"} <= listed, (name, listed)
            url = f"http://{config.host}:{config.metrics_port(name)}/metrics"
            body = urllib.request.urlopen(url, timeout=5).read().decode()
            assert "grpc_server_handled_total{" in body, name
            assert "grpc_server_handling_seconds_bucket{" in body, name
    for name, pid in pids.items():
        assert pid is not None and not stack.alive(pid), f"{name} still running"
        assert not config.pid_file(name).exists()
