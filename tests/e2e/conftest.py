"""One local stack on free ports shared by the client tests (examples, review page): starting it is most
of their time."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.stack_support import running_stack
from tools.devstack import stack


@pytest.fixture(scope="session")
def stack_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[stack.StackConfig]:
    stack_env = {"CINESYNTH_X264_PRESET": "veryfast", "HF_HUB_OFFLINE": "1"}
    with running_stack(tmp_path_factory.mktemp("stack") / "run", stack_env) as config:
        yield config
