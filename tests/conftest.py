"""Test-wide settings: never reach a model hub, keep caches inside the test's temp space."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# A stray download must fail loudly, not hang or pass by fetching weights.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# Hypothesis: `make test` runs the "ci" profile — derandomised (the same examples every run, so a
# failure reproduces and a pass means the same thing on every machine), no example database, no
# per-example deadline (a loaded machine is slow, not wrong) and a bounded number of examples for
# tests that do not set their own. HYPOTHESIS_PROFILE=thorough explores randomly and much further.
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, max_examples=60, print_blob=True,
    suppress_health_check=_SLOW_OK,
)
settings.register_profile("thorough", deadline=None, max_examples=1000, suppress_health_check=_SLOW_OK)
settings.register_profile("dev", deadline=None, max_examples=30, suppress_health_check=_SLOW_OK)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# The tiny Stable Diffusion pipelines, built once per session for every test folder that asks
# (imagegen unit and integration tests). Imported lazily: most tests never load diffusers.
@pytest.fixture(scope="session")
def tiny_sd15(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.fixtures.tiny_models import shared_tiny_pipeline

    return shared_tiny_pipeline(tmp_path_factory, "sd15")


@pytest.fixture(scope="session")
def tiny_sdxl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.fixtures.tiny_models import shared_tiny_pipeline

    return shared_tiny_pipeline(tmp_path_factory, "sdxl")
