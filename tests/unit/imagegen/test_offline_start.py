"""A worker with no weights decides from local files alone: no hub lookup, no DNS, even when
HF_HUB_OFFLINE is not set (a cluster node whose weights volume is empty must not wait on the network)."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from services.common.artifacts import FileArtifactStore
from services.imagegen.core import ImageGenCore
from services.imagegen.device import SimulatedDevice
from services.imagegen.main import main
from services.imagegen.settings import ImageGenSettings


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records (and refuses) every name lookup and connection the process attempts."""
    attempts: list[str] = []

    def refuse(what: str):
        def call(*args: object, **kwargs: object) -> None:
            attempts.append(f"{what}{args[:2]}")
            raise OSError(f"network use in an offline start-up: {what}")

        return call

    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")  # not forced offline: the worker must decide so itself
    # huggingface_hub reads HF_HUB_OFFLINE once, at import: an earlier test in this process may have
    # imported it under the suite's HF_HUB_OFFLINE=1 (a real worker is a fresh process).
    hub_constants = sys.modules.get("huggingface_hub.constants")
    if hub_constants is not None:
        monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", False)
    return attempts


async def test_a_big_gpu_with_no_weights_serves_draft_without_touching_the_network(
    tmp_path: Path, no_network: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # an empty Hugging Face cache
    settings = ImageGenSettings(model_dir=tmp_path / "models", imagegen_warmup=False)
    core = ImageGenCore(settings, store=FileArtifactStore(tmp_path / "store"), device=SimulatedDevice.with_vram(80))
    await core.start()
    try:
        info = core.node_info()
        assert info.selection_reasons[-1].startswith("serving draft"), info.selection_reasons
        assert any("downloads are disabled" in reason for reason in info.selection_reasons), info.selection_reasons
    finally:
        await core.stop()
    assert no_network == []


def test_fetch_models_is_the_explicit_online_step(
    tmp_path: Path, no_network: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Off by default at start-up, downloads stay what `fetch-models` does: it plans as an online node
    and goes to the hub (refused here, so it fails — after trying)."""
    monkeypatch.setenv("CINESYNTH_MODEL_DIR", str(tmp_path))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    assert main(["fetch-models", "--vram-gb", "24", "--no-ip-adapter"]) != 0
    assert no_network, "fetch-models did not try to download"
