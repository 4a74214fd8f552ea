"""Dense retriever: FAISS inner product over L2-normalised vectors (= cosine similarity).

Index type chosen by size:

* up to ``EXACT_MAX_VECTORS`` (50,000) vectors: ``IndexFlatIP`` — exact search; at 1k
  passages a query takes ~0.05 ms (DESIGN.md), and 50k x 384 floats is ~77 MB.
* above: ``IndexHNSWFlat`` (inner-product metric) with M=32, efConstruction=200 and
  efSearch=128.  HNSW (Malkov & Yashunin, 2018) needs no training and adds vectors
  incrementally; efSearch=128 with M=32 is in the range FAISS's own benchmarks report at
  recall@10 > 0.95 for million-scale sets (faiss wiki, "Indexing 1M vectors"), and it is
  always at least the number of results asked for (``max(EF_SEARCH, top_k)``).
"""
from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

EXACT_MAX_VECTORS = 50_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 200
HNSW_EF_SEARCH = 128


def check_vectors(vectors: np.ndarray, dim: int | None = None) -> np.ndarray:
    """Validate a ``(n, dim)`` matrix of L2-normalised vectors; return it as C-contiguous
    float32.

    Raises:
        ValueError: wrong rank or dimension, non-finite values, or rows whose L2 norm is
            not 1 (± 1e-3).
    """
    v = np.ascontiguousarray(vectors, dtype=np.float32)
    if v.ndim != 2:
        raise ValueError(f"vectors must be 2-D (n, dim), got shape {v.shape}")
    if dim is not None and v.shape[1] != dim:
        raise ValueError(f"vectors have dimension {v.shape[1]}, expected {dim}")
    if v.size and not np.isfinite(v).all():
        raise ValueError("vectors contain NaN or infinite values")
    if v.shape[0]:
        norms = np.linalg.norm(v, axis=1)
        if np.abs(norms - 1.0).max() > 1e-3:
            raise ValueError("vectors must be L2-normalised (found a row with norm "
                             f"{norms[np.argmax(np.abs(norms - 1.0))]:.4f})")
    return v


class DenseIndex:
    """FAISS inner-product index over ``(n, dim)`` float32 L2-normalised vectors.

    ``search`` is safe to call from several threads (FAISS CPU search is read-only).
    """

    def __init__(self, index: faiss.Index) -> None:
        self.index = index
        self._tune()

    @property
    def dim(self) -> int:
        return int(self.index.d)

    @property
    def ntotal(self) -> int:
        return int(self.index.ntotal)

    @property
    def kind(self) -> str:
        """``"flat-ip"`` or ``"hnsw-ip"``."""
        return "hnsw-ip" if isinstance(self.index, faiss.IndexHNSW) else "flat-ip"

    def _tune(self) -> None:
        if isinstance(self.index, faiss.IndexHNSW):
            self.index.hnsw.efSearch = HNSW_EF_SEARCH

    @classmethod
    def build(cls, vectors: np.ndarray, dim: int | None = None) -> "DenseIndex":
        """Index ``vectors`` (``(n, dim)`` float32, L2-normalised; row i = passage i).

        Raises:
            ValueError: see ``check_vectors``; a 0-row input needs ``dim``.
        """
        v = check_vectors(vectors, dim)
        d = v.shape[1] if v.shape[0] or dim is None else dim
        if d < 1:
            raise ValueError("cannot build a dense index of dimension 0")
        if v.shape[0] <= EXACT_MAX_VECTORS:
            index = faiss.IndexFlatIP(d)
        else:
            index = faiss.IndexHNSWFlat(d, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        if v.shape[0]:
            index.add(v)
        return cls(index)

    def with_added(self, vectors: np.ndarray) -> "DenseIndex":
        """A copy of this index with ``vectors`` appended (rows ``ntotal ..``); this one is
        left untouched (it may be serving searches).  FAISS adds incrementally to both
        index types (HNSW links the new vectors into its graph), so the cost is that of the
        new vectors plus one copy.  (A flat index growing past ``EXACT_MAX_VECTORS`` should
        be rebuilt with ``build`` instead, to become HNSW: ``retrieval.index`` does so.)

        Raises:
            ValueError: see ``check_vectors``.
        """
        v = check_vectors(vectors, self.dim)
        clone = faiss.clone_index(self.index)
        if v.shape[0]:
            clone.add(v)
        return DenseIndex(clone)

    def search(self, query_vector: np.ndarray, top_k: int,
               positions: np.ndarray | None = None,
               excluded: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top ``top_k`` passages as ``(passage index, cosine)``, best first.

        Args:
            query_vector: ``(dim,)`` or ``(1, dim)`` float32, L2-normalised.
            positions: search only these passage indexes (a filter; FAISS
                ``IDSelectorBatch``); None: all.
            excluded: never return these indexes (a segment's tombstones; FAISS
                ``IDSelectorNot``); ignored when ``positions`` is given.
        Raises:
            ValueError: when ``top_k`` < 1 or the vector has the wrong dimension.
        """
        if top_k < 1:
            raise ValueError(f"top_k must be >= 1, got {top_k}")
        q = np.ascontiguousarray(np.asarray(query_vector, dtype=np.float32).reshape(1, -1))
        if q.shape[1] != self.dim:
            raise ValueError(f"query vector has dimension {q.shape[1]}, index has {self.dim}")
        if self.ntotal == 0:
            return []
        kk = min(top_k, self.ntotal)
        sel = None
        if positions is not None:
            pos = np.ascontiguousarray(positions, dtype=np.int64)
            if pos.size == 0:
                return []
            kk = min(kk, int(pos.size))
            sel = faiss.IDSelectorBatch(pos)
        elif excluded is not None and len(excluded):
            ex = np.ascontiguousarray(excluded, dtype=np.int64)
            inner = faiss.IDSelectorBatch(ex)
            sel = faiss.IDSelectorNot(inner)  # `inner` stays referenced until the search returns
        if isinstance(self.index, faiss.IndexHNSW):
            params = faiss.SearchParametersHNSW()
            params.efSearch = max(HNSW_EF_SEARCH, kk)
            if sel is not None:
                params.sel = sel
            scores, ids = self.index.search(q, kk, params=params)
        elif sel is not None:
            scores, ids = self.index.search(q, kk, params=faiss.SearchParameters(sel=sel))
        else:
            scores, ids = self.index.search(q, kk)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def save(self, path: Path) -> None:
        """Write the FAISS index to ``path``."""
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path) -> "DenseIndex":
        """Read a FAISS index written by ``save``.

        Raises:
            FileNotFoundError: when ``path`` does not exist.
            RuntimeError: FAISS's error for an unreadable/corrupt file (``retrieval.store``
                turns it into ``IndexCorruptError``).
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(str(path))
        return cls(faiss.read_index(str(path)))
