from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.tiny_models import shared_tiny_pipeline


@pytest.fixture(scope="session")
def tiny_sd15(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_tiny_pipeline(tmp_path_factory, "sd15")


@pytest.fixture(scope="session")
def tiny_sdxl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_tiny_pipeline(tmp_path_factory, "sdxl")
