"""Test-wide settings: never reach a model hub, keep caches inside the test's temp space."""

from __future__ import annotations

import os

# A stray download must fail loudly, not hang or pass by fetching weights.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
