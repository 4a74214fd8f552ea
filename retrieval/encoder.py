"""The text-encoder interface of the dense retriever, and a deterministic offline encoder.

Any object with the ``Encoder`` shape can embed passages and queries: the real
multilingual-e5-small model (``retrieval.embedder.E5Encoder``) or the ``HashingEncoder``
below (fast, offline, deterministic; used by tests and synthetic benchmarks the way
sentence-transformers' own tests use a fake encoder).
"""
from __future__ import annotations

import hashlib
from typing import Protocol, Sequence, runtime_checkable

import numpy as np


@runtime_checkable
class Encoder(Protocol):
    """Embeds texts into L2-normalised float32 vectors.

    ``model_id`` names the model (it goes into the index manifest: a different id forces
    a rebuild); ``dim`` is the vector size.
    """

    model_id: str
    dim: int

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32,
                        show_progress: bool = False) -> np.ndarray:
        """Return ``(len(texts), dim)`` float32, L2-normalised."""
        ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Return ``(len(texts), dim)`` float32, L2-normalised."""
        ...


class HashingEncoder:
    """Deterministic bag-of-character-n-grams encoder (feature hashing), no model needed.

    Each text becomes counts of its character unigrams and bigrams hashed (blake2b) into
    ``dim`` buckets with a hashed sign, then L2-normalised: texts that share characters
    get a higher cosine, so rankings are real, only cruder than a neural model.
    Method: the hashing trick (Weinberger et al., 2009, "Feature Hashing for Large Scale
    Multitask Learning").

    Args:
        dim: vector size (default 256).
    Raises:
        ValueError: when ``dim`` < 8.
    """

    def __init__(self, dim: int = 256) -> None:
        if dim < 8:
            raise ValueError(f"dim must be >= 8, got {dim}")
        self.dim = dim
        self.model_id = f"hashing-char-ngram-{dim}"

    def _one(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        chars = [c for c in text.lower() if not c.isspace()]
        grams = chars + [a + b for a, b in zip(chars, chars[1:])]
        for g in grams:
            h = int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=8).digest(), "little")
            v[h % self.dim] += 1.0 if (h >> 63) & 1 else -1.0
        n = float(np.linalg.norm(v))
        if n == 0.0:
            v[0] = 1.0
            return v
        return v / n

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32,
                        show_progress: bool = False) -> np.ndarray:
        """Return ``(len(texts), dim)`` float32, L2-normalised (an all-blank text maps to e0)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._one(t) for t in texts])

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Same as ``encode_passages``: the hashing encoder is symmetric."""
        return self.encode_passages(texts)
