"""The store interface of the search path, and the embedded FAISS + bm25s implementation.

A *backend* holds one corpus's passage vectors and lexical index and answers the two
searches ``Retriever.search`` fuses.  Rows are identified by the passage's index in the
corpus (``row``: passage i = vector i = BM25 document i).  Two implementations:

* ``FaissBackend`` (here, the default): ``retrieval.dense.DenseIndex`` (FAISS) and
  ``retrieval.lexical.LexicalIndex`` (bm25s) in the app's process; no server.
* ``retrieval.milvus.MilvusBackend``: a Milvus collection (milvus-lite file, standalone or
  cluster by URI) with the vectors and Milvus's own BM25 full-text search.

Filters (``SearchFilters``) restrict a search to a set of articles or source documents
and/or an inclusive date range; both backends apply them *before* taking the top n (a
filtered search returns the best n passages that pass, not the passing part of the
unfiltered best n).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Sequence, runtime_checkable

import numpy as np

from retrieval.dense import DenseIndex, check_vectors
from retrieval.lexical import LexicalIndex, top_scores


@dataclass(frozen=True)
class SearchFilters:
    """Which passages a search may return (all given conditions must hold).

    Attributes:
        article_ids: only passages of these articles (``Article.id``).
        sources: only passages from these source documents (``Passage.source``, the
            path relative to the seeds directory, e.g. ``000_a77ed823f95b9e33.txt``).
        date_from, date_to: inclusive bounds on the article's date, ISO 8601
            ``YYYY-MM-DD`` (a longer ISO timestamp is compared on its first 10
            characters).  A passage whose article has no date fails any date bound.
    Raises:
        ValueError: (at construction) on a malformed date, ``date_from > date_to``, or an
            empty id/source list (which could match nothing: pass None for "any").
    """

    article_ids: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = None
    date_from: str | None = None
    date_to: str | None = None

    def __post_init__(self) -> None:
        for name in ("article_ids", "sources"):
            v = getattr(self, name)
            if v is None:
                continue
            if isinstance(v, str):
                v = (v,)
            v = tuple(str(x) for x in v)
            if not v:
                raise ValueError(f"{name}: an empty list matches nothing; pass None for any")
            object.__setattr__(self, name, v)
        for name in ("date_from", "date_to"):
            v = getattr(self, name)
            if v is None:
                continue
            object.__setattr__(self, name, _iso_date(v, name))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"date_from {self.date_from} is after date_to {self.date_to}")

    @property
    def empty(self) -> bool:
        """True when no condition is set (the filter lets everything through)."""
        return self.article_ids is None and self.sources is None and not self.date_from and not self.date_to

    def accepts(self, article_id: str, source: str, date: str | None) -> bool:
        """Whether a passage with this metadata passes."""
        if self.article_ids is not None and article_id not in self.article_ids:
            return False
        if self.sources is not None and source not in self.sources:
            return False
        if self.date_from or self.date_to:
            d = (date or "")[:10]
            if not d or (self.date_from and d < self.date_from) or (self.date_to and d > self.date_to):
                return False
        return True


def _iso_date(value: Any, name: str) -> str:
    from datetime import date

    text = str(value).strip()[:10]
    try:
        date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not an ISO date (YYYY-MM-DD)") from None
    return text


def article_date(article: Any) -> str:
    """The article's date as ``YYYY-MM-DD`` (``""`` when it has none or it is not ISO)."""
    d = (getattr(article, "date", None) or "").strip()[:10]
    try:
        from datetime import date

        date.fromisoformat(d)
    except ValueError:
        return ""
    return d


@dataclass(frozen=True)
class RowMeta:
    """The filterable metadata of one row (passage), as both backends store it."""

    passage_id: str
    article_id: str
    title: str
    paragraph_no: int
    source: str
    date: str  # "" when the article has none


def row_metadata(passages: Sequence[Any], articles: Sequence[Any]) -> list[RowMeta]:
    """``RowMeta`` of every passage (dates come from the passage's article)."""
    dates = {a.id: article_date(a) for a in articles}
    return [RowMeta(p.id, p.article_id, p.title, int(p.paragraph_no), p.source or "", dates.get(p.article_id, ""))
            for p in passages]


@runtime_checkable
class SearchBackend(Protocol):
    """A store that answers the dense and the lexical search over one corpus's rows.

    Scores: ``dense_*`` give the cosine (inner product of L2-normalised vectors);
    ``lexical_*`` give a BM25 score > 0 (rows sharing no term with the query are left
    out).  Lists are best first, equal scores by ascending row id; ``n`` >= 1.
    """

    name: str

    @property
    def count(self) -> int:
        """Rows held."""

    def dense_search(self, query_vector: np.ndarray, n: int,
                     filters: SearchFilters | None = None) -> list[tuple[int, float]]:
        """Top ``n`` rows by cosine to ``query_vector`` (``(dim,)`` float32, L2-normalised)."""

    def lexical_search(self, query_text: str, n: int,
                       filters: SearchFilters | None = None) -> list[tuple[int, float]]:
        """Top ``n`` rows by BM25 for ``query_text`` (raw query; the backend tokenises)."""

    def dense_scores(self, query_vector: np.ndarray, rows: Sequence[int]) -> dict[int, float]:
        """Cosine of the given rows (every row asked for)."""

    def lexical_scores(self, query_text: str, rows: Sequence[int]) -> dict[int, float]:
        """BM25 score of those of the given rows that share a term with the query."""

    def add(self, rows: Sequence[int], meta: Sequence[RowMeta], texts: Sequence[str],
            vectors: np.ndarray) -> None:
        """Insert (or replace) rows: metadata, lexical text (``build.index_text``) and
        ``(len(rows), dim)`` vectors."""

    def remove(self, rows: Sequence[int]) -> None:
        """Delete rows (unknown rows are ignored)."""


class FaissBackend:
    """The embedded backend: FAISS vectors + bm25s BM25 in this process.

    Row ids are stable keys (``positions`` maps them to FAISS/BM25 positions; built from a
    corpus they are 0..n-1 = passage indexes).  Filters: a boolean mask over positions from
    the rows' metadata; the dense search hands FAISS the passing positions
    (``IDSelectorBatch``: exact for the flat index, approximate like the unfiltered search
    for HNSW), the lexical search zeroes the scores of masked rows.  ``add``/``remove``
    rebuild both structures from the kept vectors and texts (O(rows); this backend serves
    one machine's corpus).

    Args:
        dense: FAISS index over ``vectors`` (position i = vector i).
        lexical: BM25 index over the rows' lexical texts, same positions.
        vectors: ``(rows, dim)`` float32, L2-normalised.
        meta: one ``RowMeta`` per position.
        texts: the lexical text of each position (needed only by ``add``/``remove``; None:
            those raise ``RuntimeError``).
        row_ids: the row id of each position (default 0..rows-1).
    Raises:
        ValueError: when the sizes disagree or a row id repeats.
    """

    name = "faiss"

    def __init__(self, dense: DenseIndex, lexical: LexicalIndex, vectors: np.ndarray, meta: Sequence[RowMeta],
                 texts: Sequence[str] | None = None, row_ids: Sequence[int] | None = None) -> None:
        n = vectors.shape[0]
        if dense.ntotal != n or lexical.n_docs != n or len(meta) != n or (texts is not None and len(texts) != n):
            raise ValueError(f"backend sizes disagree: {n} vectors, {dense.ntotal} FAISS entries, "
                             f"{lexical.n_docs} BM25 docs, {len(meta)} metadata rows")
        self.dense = dense
        self.lexical = lexical
        self.vectors = vectors
        self.meta = list(meta)
        self.texts = list(texts) if texts is not None else None
        self.row_ids = np.arange(n, dtype=np.int64) if row_ids is None else np.asarray(row_ids, dtype=np.int64)
        if self.row_ids.shape != (n,):
            raise ValueError(f"{self.row_ids.size} row ids for {n} rows")
        self._identity = bool(np.array_equal(self.row_ids, np.arange(n)))
        self.positions = dict(zip(self.row_ids.tolist(), range(n)))
        if len(self.positions) != n:
            raise ValueError("row ids repeat")

    @property
    def count(self) -> int:
        return int(self.vectors.shape[0])

    def mask(self, filters: SearchFilters | None) -> np.ndarray | None:
        """``(rows,)`` bool over positions: the rows passing ``filters`` (None: no filter)."""
        if filters is None or filters.empty:
            return None
        return np.fromiter((filters.accepts(m.article_id, m.source, m.date or None) for m in self.meta),
                           dtype=bool, count=len(self.meta))

    def _rows(self, hits: list[tuple[int, float]]) -> list[tuple[int, float]]:
        if not self._identity:
            hits = [(int(self.row_ids[i]), s) for i, s in hits]
        return sorted(hits, key=lambda h: (-h[1], h[0]))

    def dense_search(self, query_vector: np.ndarray, n: int,
                     filters: SearchFilters | None = None) -> list[tuple[int, float]]:
        mask = self.mask(filters)
        if mask is None:
            return self._rows(self.dense.search(query_vector, n))
        pos = np.flatnonzero(mask)
        if pos.size == 0:
            return []
        return self._rows(self.dense.search(query_vector, n, positions=pos))

    def lexical_search(self, query_text: str, n: int,
                       filters: SearchFilters | None = None) -> list[tuple[int, float]]:
        scores = self.lexical.scores(query_text)
        if scores is None:
            return []
        mask = self.mask(filters)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        return self._rows(top_scores(scores, n))

    def dense_scores(self, query_vector: np.ndarray, rows: Sequence[int]) -> dict[int, float]:
        q = np.asarray(query_vector, dtype=np.float32).reshape(-1)
        rows = [int(r) for r in rows if int(r) in self.positions]
        if not rows:
            return {}
        sims = self.vectors[[self.positions[r] for r in rows]] @ q
        return {r: float(s) for r, s in zip(rows, sims)}

    def lexical_scores(self, query_text: str, rows: Sequence[int]) -> dict[int, float]:
        scores = self.lexical.scores(query_text)
        if scores is None:
            return {}
        out = {}
        for r in rows:
            i = self.positions.get(int(r))
            if i is not None and scores[i] > 0:
                out[int(r)] = float(scores[i])
        return out

    def _rebuild(self, vectors: np.ndarray, meta: list[RowMeta], texts: list[str], row_ids: list[int]) -> None:
        self.__init__(DenseIndex.build(vectors, self.dense.dim), LexicalIndex.build(texts, self.lexical.scheme),
                      vectors, meta, texts, row_ids)

    def add(self, rows: Sequence[int], meta: Sequence[RowMeta], texts: Sequence[str],
            vectors: np.ndarray) -> None:
        """Insert rows, or replace those whose id is already held.

        Raises:
            RuntimeError: built without texts.  ValueError: sizes disagree or bad vectors.
        """
        if self.texts is None:
            raise RuntimeError("this FaissBackend was built without the row texts; it cannot add rows")
        v = check_vectors(vectors, self.dense.dim)
        if not len(rows) == len(meta) == len(texts) == v.shape[0]:
            raise ValueError(f"add: {len(rows)} rows, {len(meta)} metadata, {len(texts)} texts, {v.shape[0]} vectors")
        vecs = list(self.vectors)
        m, t, ids = list(self.meta), list(self.texts), [int(r) for r in self.row_ids]
        pos = dict(self.positions)
        for r, mm, tt, vv in zip(rows, meta, texts, v):
            r = int(r)
            if r in pos:
                i = pos[r]
                vecs[i], m[i], t[i] = vv, mm, tt
            else:
                pos[r] = len(ids)
                vecs.append(vv)
                m.append(mm)
                t.append(tt)
                ids.append(r)
        arr = np.stack(vecs).astype(np.float32) if vecs else np.zeros((0, self.dense.dim), np.float32)
        self._rebuild(arr, m, t, ids)

    def remove(self, rows: Sequence[int]) -> None:
        """Delete rows by id (unknown ids are ignored; the other rows keep their ids).

        Raises:
            RuntimeError: built without texts.
        """
        if self.texts is None:
            raise RuntimeError("this FaissBackend was built without the row texts; it cannot remove rows")
        drop = {int(r) for r in rows}
        keep = [i for i, r in enumerate(self.row_ids) if int(r) not in drop]
        self._rebuild(self.vectors[keep], [self.meta[i] for i in keep], [self.texts[i] for i in keep],
                      [int(self.row_ids[i]) for i in keep])
