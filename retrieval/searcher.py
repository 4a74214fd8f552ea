"""The Retriever: dense, BM25 and hybrid search over one corpus.

Hybrid search (the default) takes the top ``N = max(candidates, 4 top_k)`` passages of each
retriever, fuses the two lists by the Retriever's ``FusionConfig`` (``retrieval.fusion``),
removes near-duplicate passages and returns the top ``top_k``.  Dense-only
and BM25-only searches also take N candidates and drop near-duplicates, so every mode
returns ``top_k`` distinct passages when the corpus has them.

Queries: leading/trailing whitespace is stripped; a blank query is a ``ValueError``.  The
dense side embeds at most ``MAX_DENSE_QUERY_CHARS`` (1,024) characters of the query — e5
reads at most 512 tokens anyway — and BM25 tokenises at most ``MAX_LEXICAL_QUERY_CHARS``
(20,000), so a 10,000-character query works (its tail beyond 1,024 characters only
counts for BM25).
"""
from __future__ import annotations

import dataclasses
import logging
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Sequence

from corpus.types import Corpus

import numpy as np

from retrieval.backend import FaissBackend, SearchBackend, SearchFilters, row_metadata
from retrieval.build import Components, build_components, make_manifest
from retrieval.encoder import Encoder
from retrieval.fusion import CANDIDATES_MIN, FusionConfig, fuse, remove_near_duplicates
from retrieval.manifest import IndexManifest
from retrieval.normalize import fold_script
from retrieval.tokenize import DEFAULT_SCHEME
from retrieval.types import SearchHit, SearchMode

log = logging.getLogger(__name__)

MODES: tuple[str, ...] = tuple(m.value for m in SearchMode)
CANDIDATES_PER_K = 4
STORES: tuple[str, ...] = ("faiss", "milvus")
MAX_DENSE_QUERY_CHARS = 1024
MAX_LEXICAL_QUERY_CHARS = 20_000
QUERY_CACHE_SIZE = 512


class Retriever:
    """Searches one corpus by dense vectors, BM25, or both fused.

    Build it with ``Retriever.open(index_dir, ...)`` (persisted index) or
    ``Retriever.from_corpus(corpus, encoder)`` (in memory).  Searches may run
    concurrently from several threads.

    Attributes:
        corpus: the ``corpus.pipeline.Corpus`` searched (passage i = vector i = BM25 doc i).
        encoder: the ``Encoder`` used for queries.
        manifest: the ``IndexManifest`` (for ``from_corpus``: built in memory, no files).
        index_dir: the index root it was opened from, or None.
        fusion: the ``FusionConfig`` of hybrid search (its docstring records the
            measurements behind the default).
        backend: the ``retrieval.backend.SearchBackend`` searched (default: a
            ``FaissBackend`` over ``components``; ``retrieval.milvus.MilvusBackend`` for
            Milvus, see ``open(store_kind="milvus")``).
    """

    def __init__(self, corpus: Corpus, encoder: Encoder, components: Components, manifest: IndexManifest,
                 index_dir: Path | None = None, fusion: FusionConfig | None = None,
                 backend: SearchBackend | None = None) -> None:
        n = len(corpus.passages)
        if components.vectors.shape[0] != n or components.dense.ntotal != n or components.lexical.n_docs != n:
            raise ValueError(f"index sizes disagree: {n} passages, {components.vectors.shape[0]} vectors, "
                             f"{components.dense.ntotal} FAISS entries, {components.lexical.n_docs} BM25 docs")
        if components.dense.dim != encoder.dim:
            raise ValueError(f"index vectors are {components.dense.dim}-d, encoder gives {encoder.dim}-d")
        self.corpus = corpus
        self.encoder = encoder
        self.index_dir = index_dir
        if backend is None:
            backend = FaissBackend(components.dense, components.lexical, components.vectors,
                                   row_metadata(corpus.passages, corpus.articles))
        elif backend.count != n:
            raise ValueError(f"the {backend.name} backend holds {backend.count} rows, the corpus {n} passages")
        self.backend: SearchBackend = backend
        if fusion is not None and not isinstance(fusion, FusionConfig):
            raise ValueError(f"fusion must be a FusionConfig, got {type(fusion).__name__}")
        self.fusion: FusionConfig = fusion if fusion is not None else FusionConfig()
        self.manifest = (dataclasses.replace(manifest, fusion=self.fusion.to_dict())
                         if manifest is not None else None)
        self._c = components
        self._lock = threading.Lock()
        self._qcache: OrderedDict[str, np.ndarray] = OrderedDict()

    def use_backend(self, backend: SearchBackend) -> None:
        """Search ``backend`` from now on (e.g. a synced ``MilvusBackend``).

        Raises:
            ValueError: it holds another number of rows than the corpus has passages.
        """
        if backend.count != len(self.corpus.passages):
            raise ValueError(f"the {backend.name} backend holds {backend.count} rows, "
                             f"the corpus {len(self.corpus.passages)} passages")
        self.backend = backend

    def attach_milvus(self, config: Any, force: bool = False) -> Any:
        """Sync this corpus into the Milvus collection of ``config``
        (``retrieval.milvus.MilvusConfig``) from the vectors in memory (no re-embedding)
        and search it from now on.  Returns the ``MilvusBackend``.

        Raises:
            retrieval.milvus.MilvusUnavailableError: Milvus cannot be reached.
        """
        from retrieval.milvus import MilvusBackend, corpus_info

        backend = MilvusBackend(config, self.encoder.dim, self.manifest.bm25_scheme)
        backend.sync(self.corpus.passages, self.corpus.articles, self._c.vectors, corpus_info(self.manifest),
                     force=force)
        self.use_backend(backend)
        return backend

    # -- construction --------------------------------------------------------------
    @classmethod
    def from_corpus(cls, corpus: Corpus, encoder: Encoder, bm25_scheme: str = DEFAULT_SCHEME,
                    show_progress: bool = False, fusion: FusionConfig | None = None) -> "Retriever":
        """Embed and index ``corpus`` in memory (nothing persisted; for tests, evaluation).

        Raises:
            ValueError: unknown scheme or a misbehaving encoder.
        """
        comps = build_components(corpus.passages, encoder, bm25_scheme, show_progress=show_progress)
        return cls(corpus, encoder, comps, make_manifest(corpus, encoder, comps, bm25_scheme, 0.0),
                   fusion=fusion)

    @classmethod
    def open(cls, index_dir: Path, seeds_dir: Path | None = None, encoder: Encoder | None = None,
             rebuild: bool = True, show_progress: bool = False,
             fusion: FusionConfig | None = None, store_kind: str = "faiss",
             milvus_uri: str | None = None) -> "Retriever":
        """``retrieval.index.open_retriever`` (the index lifecycle lives there: recover,
        check staleness, rebuild, load); same arguments and errors."""
        from retrieval.index import open_retriever

        return open_retriever(index_dir, seeds_dir, encoder, rebuild=rebuild, show_progress=show_progress,
                              fusion=fusion, store_kind=store_kind, milvus_uri=milvus_uri)

    # -- search ------------------------------------------------------------------
    def embed_query(self, query: str, fold: bool = True) -> np.ndarray:
        """``(dim,)`` float32 L2-normalised e5 query vector of the first
        ``MAX_DENSE_QUERY_CHARS`` characters of ``query``, folded to Simplified first unless
        ``fold=False`` (as the dense leg embeds it). Cached by the text encoded (LRU of
        ``QUERY_CACHE_SIZE``): the answerer's sentence scorer asks for the same vector right
        after the search and gets it without a second forward pass."""
        text = query[:MAX_DENSE_QUERY_CHARS]
        if fold:
            text = fold_script(text)
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

    def _check(self, query: Any, top_k: Any) -> tuple[str, int]:
        if not isinstance(query, str):
            raise ValueError(f"query must be a str, got {type(query).__name__}")
        query = query.strip()
        if not query:
            raise ValueError("empty query")
        if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
            raise ValueError(f"top_k must be an integer >= 1, got {top_k!r}")
        return query, int(top_k)

    def candidates(self, query: str, n: int, mode: SearchMode | str = SearchMode.HYBRID,
                   filters: SearchFilters | None = None
                   ) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        """Each leg's top ``n`` before fusion: ``(dense, lexical)``, lists of
        ``(passage index, score)`` best first (cosine; BM25 > 0), restricted to
        ``filters``.  A leg the mode does not use gives ``[]``.  (What ``search`` fuses;
        ``benchmarks/fusion_study.py`` dumps it.)

        Raises:
            ValueError: as ``search``.
        """
        query, n = self._check(query, n)
        mode = SearchMode.parse(mode)
        if not self.corpus.passages:
            return [], []
        dense: list[tuple[int, float]] = []
        lexical: list[tuple[int, float]] = []
        if mode is not SearchMode.BM25:
            dense = self.backend.dense_search(self.embed_query(query), n, filters)
        if mode is not SearchMode.DENSE:
            lexical = self.backend.lexical_search(query[:MAX_LEXICAL_QUERY_CHARS], n, filters)
        return dense, lexical

    def search(self, query: str, top_k: int = 5, mode: SearchMode | str = SearchMode.HYBRID,
               filters: SearchFilters | None = None) -> list[SearchHit]:
        """Return up to ``top_k`` distinct passages for ``query``, best first (rank 1..top_k).

        Args:
            query: the question (any script/width; Traditional is folded to Simplified).
            top_k: number of passages wanted (>= 1).
            mode: a ``SearchMode`` or its value: ``"hybrid"`` (dense and BM25 fused by
                ``self.fusion``), ``"dense"`` or ``"bm25"``.
            filters: restrict the search to some articles / source documents / a date
                range (``retrieval.backend.SearchFilters``); None: the whole corpus.
        Returns:
            SearchHits; ``score`` is the cosine (dense), BM25 score (bm25) or fused score
            (hybrid).  In hybrid mode every hit carries ``dense_score`` (its cosine) and
            ``bm25_score`` (None when it shares no token with the query).  BM25 mode
            returns only passages sharing a token with the query (maybe none); a filter no
            passage passes gives [].
        Raises:
            ValueError: blank query ("empty query"), top_k < 1, unknown mode, filters not
                a SearchFilters.
        """
        query, top_k = self._check(query, top_k)
        mode = SearchMode.parse(mode)
        if filters is not None and not isinstance(filters, SearchFilters):
            raise ValueError(f"filters must be a SearchFilters, got {type(filters).__name__}")
        if not self.corpus.passages:
            return []
        n = max(self.fusion.candidates, CANDIDATES_PER_K * top_k)
        dense, lexical = self.candidates(query, n, mode, filters)
        if mode is SearchMode.DENSE:
            ranked = dense
        elif mode is SearchMode.BM25:
            ranked = lexical
        else:
            ranked = fuse(dense, lexical, self.fusion)
        passages = self.corpus.passages
        kept = remove_near_duplicates(ranked, lambda r: passages[r[0]].display_text, limit=top_k)
        cos = dict(dense)
        bm25 = dict(lexical)
        if mode is SearchMode.HYBRID:  # both scores for every hit (the gate reads the cosine)
            rows = [i for i, _ in kept]
            if any(i not in cos for i in rows):
                cos.update(self.backend.dense_scores(self.embed_query(query), [i for i in rows if i not in cos]))
            if lexical and any(i not in bm25 for i in rows):
                bm25.update(self.backend.lexical_scores(query[:MAX_LEXICAL_QUERY_CHARS],
                                                        [i for i in rows if i not in bm25]))
        return [SearchHit(passage=passages[i], score=float(s), rank=r, dense_score=cos.get(i),
                          bm25_score=bm25.get(i))
                for r, (i, s) in enumerate(kept, start=1)]

    def search_many(self, queries: Sequence[str], top_k: int = 5, mode: SearchMode | str = SearchMode.HYBRID,
                    filters: SearchFilters | None = None) -> list[list[SearchHit]]:
        """``[self.search(q, top_k, mode, filters) for q in queries]`` (same errors)."""
        return [self.search(q, top_k, mode, filters) for q in queries]
