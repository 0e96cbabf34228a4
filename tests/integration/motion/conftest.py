from __future__ import annotations

from pathlib import Path

import pytest

from services.motion.tiny import build_tiny_ldm_sr, build_tiny_svd


@pytest.fixture(scope="session")
def tiny_svd(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_svd(tmp_path_factory.mktemp("tiny-svd"))


@pytest.fixture(scope="session")
def tiny_ldm_sr(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_ldm_sr(tmp_path_factory.mktemp("tiny-ldm-sr"))
