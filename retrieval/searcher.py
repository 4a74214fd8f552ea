"""The Retriever: dense, BM25 and hybrid search over one corpus.

Hybrid search (the default) takes the top ``N = max(50, 4 top_k)`` passages of each retriever,
fuses the two rankings by reciprocal rank fusion (``retrieval.fusion``, k=60, weights
``fusion_weights``), removes near-duplicate passages and returns the top ``top_k``.  Dense-only
and BM25-only searches also take N candidates and drop near-duplicates, so every mode
returns ``top_k`` distinct passages when the corpus has them.

Queries: leading/trailing whitespace is stripped; a blank query is a ``ValueError``.  The
dense side embeds at most ``MAX_DENSE_QUERY_CHARS`` (1,024) characters of the query — e5
reads at most 512 tokens anyway — and BM25 tokenises at most ``MAX_LEXICAL_QUERY_CHARS``
(20,000), so a 10,000-character query works (its tail beyond 1,024 characters only
counts for BM25).
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Sequence

import numpy as np

from corpus.types import Corpus
from retrieval.build import Components, build_components, make_manifest
from retrieval.dense import DenseIndex
from retrieval.encoder import Encoder
from retrieval.fusion import RRF_K, reciprocal_rank_fusion, remove_near_duplicates

FUSION_WEIGHTS: tuple[float, float] = (1.0, 1.5)  # (dense, BM25); see Retriever docstring
from retrieval.lexical import LexicalIndex, top_k as top_scores
from retrieval.manifest import IndexManifest
from retrieval.normalize import fold_script
from retrieval.tokenize import DEFAULT_SCHEME
from retrieval.types import SearchHit

log = logging.getLogger(__name__)

MODES: tuple[str, ...] = ("hybrid", "dense", "bm25")
CANDIDATES_MIN = 50
CANDIDATES_PER_K = 4
MAX_DENSE_QUERY_CHARS = 1024
MAX_LEXICAL_QUERY_CHARS = 20_000
QUERY_CACHE_SIZE = 512


class Retriever:
    """Searches one corpus by dense vectors, BM25, or both fused.

    Construct it from loaded components (``retrieval.index`` loads a persisted index:
    ``open_retriever``, ``IndexManager``) or with ``Retriever.from_corpus(corpus, encoder)``
    (in memory).  Searches may run concurrently from several threads.

    Attributes:
        corpus: the ``corpus.types.Corpus`` searched (passage i = vector i = BM25 doc i).
        encoder: the ``Encoder`` used for queries.
        manifest: the ``IndexManifest`` (for ``from_corpus``: built in memory, no files).
        index_dir: the index root it was opened from, or None.
        rrf_k: reciprocal-rank-fusion constant (60, Cormack et al. 2009).
        fusion_weights: ``(dense weight, BM25 weight)`` for hybrid fusion, default
            ``FUSION_WEIGHTS`` = (1.0, 1.5): measured with ``python -m evaluation run`` (issue
            #5), BM25 weighted 1.5 raised passage Hit@1 from 0.835 to 0.879 on the seed test
            set and from 0.843 to 0.875 on CMRC 2018 trial, article recall unchanged; (1, 2)
            and (1, 3) lost seed article Hit@1 (0.978 -> 0.967); RRF k in {10, 30, 60} changed
            results by <= 0.003.
    """

    def __init__(self, corpus: Corpus, encoder: Encoder, components: Components, manifest: IndexManifest,
                 index_dir: Path | None = None) -> None:
        n = len(corpus.passages)
        if components.vectors.shape[0] != n or components.dense.ntotal != n or components.lexical.n_docs != n:
            raise ValueError(f"index sizes disagree: {n} passages, {components.vectors.shape[0]} vectors, "
                             f"{components.dense.ntotal} FAISS entries, {components.lexical.n_docs} BM25 docs")
        if components.dense.dim != encoder.dim:
            raise ValueError(f"index vectors are {components.dense.dim}-d, encoder gives {encoder.dim}-d")
        self.corpus = corpus
        self.encoder = encoder
        self.manifest = manifest
        self.index_dir = index_dir
        self.rrf_k = RRF_K
        self.fusion_weights: tuple[float, float] = FUSION_WEIGHTS
        self._c = components
        self._lock = threading.Lock()
        self._qcache: OrderedDict[str, np.ndarray] = OrderedDict()

    # -- construction --------------------------------------------------------------
    @classmethod
    def from_corpus(cls, corpus: Corpus, encoder: Encoder, bm25_scheme: str = DEFAULT_SCHEME,
                    show_progress: bool = False) -> "Retriever":
        """Embed and index ``corpus`` in memory (nothing persisted; for tests, evaluation).

        Raises:
            ValueError: unknown scheme or a misbehaving encoder.
        """
        comps = build_components(corpus.passages, encoder, bm25_scheme, show_progress=show_progress)
        return cls(corpus, encoder, comps, make_manifest(corpus, encoder, comps, bm25_scheme, 0.0))

    @classmethod
    def open(cls, index_dir: Path, seeds_dir: Path | None = None, encoder: Encoder | None = None,
             rebuild: bool = True, show_progress: bool = False) -> "Retriever":
        """Compatibility alias of ``retrieval.index.open_retriever`` (the index lifecycle
        lives in ``retrieval.index``; same arguments, errors and result)."""
        from retrieval.index import open_retriever  # index.py imports this module

        return open_retriever(index_dir, seeds_dir, encoder, rebuild=rebuild, show_progress=show_progress)

    # -- search ------------------------------------------------------------------
    def _embed_query(self, query: str) -> np.ndarray:
        text = fold_script(query[:MAX_DENSE_QUERY_CHARS])
        with self._lock:
            v = self._qcache.get(text)
            if v is not None:
                self._qcache.move_to_end(text)
                return v
            v = np.asarray(self.encoder.encode_queries([text]), dtype=np.float32).reshape(-1)
            self._qcache[text] = v
            if len(self._qcache) > QUERY_CACHE_SIZE:
                self._qcache.popitem(last=False)
            return v

    def search(self, query: str, top_k: int = 5, mode: str = "hybrid") -> list[SearchHit]:
        """Return up to ``top_k`` distinct passages for ``query``, best first (rank 1..top_k).

        Args:
            query: the question (any script/width; Traditional is folded to Simplified).
            top_k: number of passages wanted (>= 1).
            mode: ``"hybrid"`` (RRF of dense and BM25), ``"dense"`` or ``"bm25"``.
        Returns:
            SearchHits; ``score`` is the cosine (dense), BM25 score (bm25) or RRF score
            (hybrid).  In hybrid mode every hit carries ``dense_score`` (its cosine) and
            ``bm25_score`` (None when it shares no token with the query).  BM25 mode
            returns only passages sharing a token with the query (maybe none).
        Raises:
            ValueError: blank query ("empty query"), top_k < 1, unknown mode.
        """
        if not isinstance(query, str):
            raise ValueError(f"query must be a str, got {type(query).__name__}")
        query = query.strip()
        if not query:
            raise ValueError("empty query")
        if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
            raise ValueError(f"top_k must be an integer >= 1, got {top_k!r}")
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}; valid modes: {', '.join(MODES)}")
        top_k = int(top_k)
        if not self.corpus.passages:
            return []
        n = max(CANDIDATES_MIN, CANDIDATES_PER_K * top_k)
        qv = self._embed_query(query) if mode in ("dense", "hybrid") else None
        lex = self._c.lexical.scores(query[:MAX_LEXICAL_QUERY_CHARS]) if mode in ("bm25", "hybrid") else None

        # (passage index, score, dense score, bm25 score)
        ranked: list[tuple[int, float, float | None, float | None]]
        if mode == "dense":
            ranked = [(i, s, s, None) for i, s in self._c.dense.search(qv, n)]
        elif mode == "bm25":
            ranked = [(i, s, None, s) for i, s in (top_scores(lex, n) if lex is not None else [])]
        else:
            dense_ids = [i for i, _ in self._c.dense.search(qv, n)]
            bm25_ids = [i for i, _ in top_scores(lex, n)] if lex is not None else []
            fused = reciprocal_rank_fusion([dense_ids, bm25_ids], k=self.rrf_k, weights=self.fusion_weights)
            ranked = []
            for i, s in fused:
                b = float(lex[i]) if lex is not None and lex[i] > 0 else None
                ranked.append((i, s, float(self._c.vectors[i] @ qv), b))

        passages = self.corpus.passages
        kept = remove_near_duplicates(ranked, lambda r: passages[r[0]].display_text, limit=top_k)
        return [SearchHit(passage=passages[i], score=float(s), rank=r, dense_score=d, bm25_score=b)
                for r, (i, s, d, b) in enumerate(kept, start=1)]

    def search_many(self, queries: Sequence[str], top_k: int = 5, mode: str = "hybrid") -> list[list[SearchHit]]:
        """``[self.search(q, top_k, mode) for q in queries]`` (same errors)."""
        return [self.search(q, top_k, mode) for q in queries]
