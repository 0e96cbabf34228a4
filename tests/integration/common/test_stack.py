"""The local stack's process management on real processes (probe servers stand in for the services):
ports bound by the processes themselves and read back, restarts on the same port, and a failed
start that leaves the healthy services running."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from services.common.server import SERVING, check_health
from tools.devstack import stack

ROOT = Path(__file__).resolve().parents[3]
PROBE = [sys.executable, "-m", "tests.integration.common.slow_server"]
# The gateway stand-in prints the targets it was given, then serves like the others.
GATEWAY = [
    sys.executable, "-c",
    "import os, runpy; print('targets', os.environ['CINESYNTH_AUDIO_TARGET'], os.environ['CINESYNTH_IMAGEGEN_TARGET'],"
    " flush=True); runpy.run_module('tests.integration.common.slow_server', run_name='__main__')",
]


@pytest.fixture
def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "CINESYNTH_LOG_FORMAT": "text", "CINESYNTH_GRACE_PERIOD_S": "1"}


def commands(monkeypatch: pytest.MonkeyPatch, overrides: dict[str, list[str]]) -> None:
    monkeypatch.setattr(stack, "command_for", lambda name: overrides.get(name, GATEWAY if name == "gateway" else PROBE))


def test_processes_bind_their_own_ports_and_a_restart_keeps_its_port(
    tmp_path: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    commands(monkeypatch, {})
    config = stack.config_on_free_ports(tmp_path / "run", start_timeout_s=180, stop_timeout_s=30)
    stack.start(config, env=env)
    try:
        asyncio.run(stack.wait_serving(config))
        ports = {name: config.grpc_port(name) for name in config.instances}
        assert len(set(ports.values())) == len(ports)
        assert all(config.metrics_port(name) not in ports.values() for name in config.instances)
        # The gateway was started after the services it calls had reported their ports.
        log = config.log_file("gateway").read_text()
        assert f"targets {config.target('audio')} {config.target('imagegen')}" in log

        audio = stack.read_pid(config.pid_file("audio"))
        assert audio is not None
        os.killpg(audio, signal.SIGKILL)
        assert os.waitpid(audio, 0)[0] == audio
        stack.start(config, ["audio"], env=env)
        asyncio.run(stack.wait_serving(config, ["audio"]))
        assert config.grpc_port("audio") == ports["audio"], "the gateway's target must stay valid"
        assert asyncio.run(check_health(config.target("audio"))) == SERVING
    finally:
        stack.stop(config)
    assert not any((config.run_dir / "ports").glob("*.json")), "a stopped stack starts afresh"


def test_up_keeps_the_healthy_services_when_one_fails_to_start(
    tmp_path: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    commands(monkeypatch, {"compositor": [sys.executable, "-c", "raise SystemExit('no encoder')"]})
    monkeypatch.setattr(os, "environ", env)
    config = stack.config_on_free_ports(tmp_path / "run", start_timeout_s=180, stop_timeout_s=30)
    try:
        assert stack.up(config) == 1
        err = capsys.readouterr().err
        assert "compositor" in err and "FAILED" in err and "no encoder" in err
        for name in ("storyboard", "imagegen", "audio"):
            assert stack.read_pid(config.pid_file(name)) is not None, f"{name} was stopped"
            assert asyncio.run(check_health(config.target(name))) == SERVING
        # The gateway needs the compositor's port: it is reported as not started, not left half-up.
        assert stack.read_pid(config.pid_file("gateway")) is None
        assert "gateway" in err
    finally:
        stack.stop(config)
