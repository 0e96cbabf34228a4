"""Fixtures of the deploy tests: each overlay rendered once per session with `kubectl kustomize`."""

from __future__ import annotations

import pytest

from tests.deploy.tooling import load_validate

validate = load_validate()

OVERLAYS = ("cpu-dev", "gpu-prod", "gpu-prod-hpa")
GPU_OVERLAYS = ("gpu-prod", "gpu-prod-hpa")


def require(tool: str) -> str:
    """The tool's path, or skip the test with the reason."""
    path = validate.find_tool(tool, validate.REPO_ROOT / ".venv" / "bin")
    if path is None:
        pytest.skip(f"{tool} is not installed (see `make setup` / tools/system_deps.sh)")
    return path


@pytest.fixture(scope="session")
def render():
    """render(overlay) -> the rendered objects (a fresh list of fresh dicts on every call)."""
    require("kubectl")
    return validate.render


@pytest.fixture(scope="session")
def all_rendered(render) -> dict[str, list[dict]]:
    return {overlay: render(overlay) for overlay in OVERLAYS}
