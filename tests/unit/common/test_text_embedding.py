"""The MiniLM encoder pads its inputs to a few shapes (a process that meets new shapes keeps growing)
and still gives the embeddings the model gives unpadded."""

from __future__ import annotations

import random

import numpy as np
import pytest

from services.common.text_embedding import Embedder, padded_batch

WORDS = ("the keeper climbs the lighthouse stairs while a storm breaks over the rocks and gulls "
         "circle a night train crossing a desert of salt under a red moon").split()


@pytest.mark.parametrize(("count", "padded"), [(0, 0), (1, 1), (3, 4), (9, 16), (32, 32), (33, 64), (70, 96)])
def test_batches_are_padded_to_powers_of_two_then_to_multiples_of_the_encode_batch(count: int, padded: int) -> None:
    assert padded_batch(count) == padded


def _texts(rng: random.Random) -> list[str]:
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 40))) for _ in range(rng.randint(1, 12))]


def test_varied_texts_reach_the_model_in_few_shapes_with_unchanged_embeddings() -> None:
    embedder = Embedder()
    model = embedder.model()
    shapes: set[tuple[int, ...]] = set()
    hook = model[0].register_forward_pre_hook(lambda _module, args: shapes.add(tuple(args[0]["input_ids"].shape)))
    rng = random.Random(14)
    batches = [_texts(rng) for _ in range(8)]
    try:
        padded = [embedder.encode(texts) for texts in batches]
    finally:
        hook.remove()
    for texts, vectors in zip(batches, padded, strict=True):
        plain = model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        assert vectors.shape == (len(texts), 384) and vectors.dtype == np.float32
        np.testing.assert_allclose(vectors, plain, atol=1e-5)
    # Batches of 1..12 texts of 1..40 words: 1, 2, 4, 8 or 16 rows of 32 or 64 tokens, whatever the texts.
    assert {rows for rows, _ in shapes} <= {1, 2, 4, 8, 16} and {length for _, length in shapes} <= {32, 64}, shapes
