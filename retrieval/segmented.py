"""Search over a segmented index: BM25 with corpus-wide statistics, and dense search,
over several immutable segments minus their tombstones (deleted rows).

A segmented index (``retrieval.segments``; Lucene and Milvus work the same way) holds its
passages in segments, each with its own FAISS index and its own bag-of-words
(``Postings``).  A search sees the *live* rows: the rows of every segment in segment
order, less the tombstoned ones, numbered 0..n-1 (the row of ``Corpus.passages``).

BM25 (``SegmentedLexical``).  bm25s precomputes one score per (term, passage) with the
idf and average length of *its* corpus, so bm25s indexes of several segments cannot be
summed (a 3-passage segment would have absurd idfs) and one bm25s index over the whole
corpus must be rebuilt at every change.  Instead each segment keeps its term frequencies
and passage lengths, and a query is scored with the statistics of the whole live corpus:
N = live passages, df(t) = live passages holding t, avgdl = mean live passage length, and
Lucene's BM25 exactly as ``retrieval.lexical`` (bm25s ``method="lucene"``, k1=1.5,
b=0.75)::

    score(q, d) = sum over distinct query terms t in d of
                  ln(1 + (N - df + 0.5) / (df + 0.5)) * tf / (tf + k1 (1 - b + b dl / avgdl))

No approximation: the scores equal those of one bm25s index built over the live passages
(to float32 rounding; tested against bm25s, as bm25s tests its scorers against
rank_bm25).  Cost per query: the postings of the query's terms in every segment (numpy,
the same entries bm25s sums from its score matrix), plus one ``(n,)`` accumulation.

Dense (``SegmentedDense``): each segment's FAISS index is searched for the top k (its
tombstoned rows excluded by a FAISS ``IDSelectorNot``), and the lists are merged by score
(ties: lower row first).  For flat (exact) segments the result equals one flat index over
the live rows; for an HNSW segment it is that segment's approximate top k, so the merged
list is at least as complete as one HNSW search over the union would be for that
segment's rows (``retrieval.dense``: efSearch=128, recall@10 > 0.95).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np

from retrieval.dense import DenseIndex
from retrieval.lexical import B, K1, tokenize_ids, top_scores
from retrieval.tokenize import check_scheme, tokenize


class Postings:
    """The bag of words of one segment's passages: for each term, the passages holding it
    and how often (compressed sparse columns by term, as bm25s stores its scores).

    Attributes:
        words: the segment's terms; ``vocab[word]`` is the term id (index into ``words``).
        indptr: ``(n_terms + 1,)`` int64; term t's entries are ``indptr[t]:indptr[t+1]``.
        docs: ``(nnz,)`` int32, local passage row of each entry (ascending within a term).
        tfs: ``(nnz,)`` uint16, the term's count in that passage.
        lengths: ``(n_docs,)`` int32, tokens per passage (BM25's dl).
    """

    def __init__(self, words: list[str], indptr: np.ndarray, docs: np.ndarray, tfs: np.ndarray,
                 lengths: np.ndarray) -> None:
        if indptr.shape != (len(words) + 1,) or docs.shape != tfs.shape or int(indptr[-1]) != docs.size:
            raise ValueError(f"inconsistent postings: {len(words)} terms, indptr {indptr.shape}, "
                             f"{docs.size} entries, {tfs.size} counts")
        if docs.size and int(docs.max()) >= lengths.size:
            raise ValueError(f"postings name passage {int(docs.max())}, the segment has {lengths.size}")
        self.words = words
        self.vocab = {w: i for i, w in enumerate(words)}
        self.indptr, self.docs, self.tfs, self.lengths = indptr, docs, tfs, lengths

    @property
    def n_docs(self) -> int:
        return int(self.lengths.size)

    @classmethod
    def from_ids(cls, ids: Sequence[np.ndarray], words: list[str]) -> "Postings":
        """From each passage's token ids (``lexical.tokenize_ids``) and the id → word list."""
        n_docs = len(ids)
        lengths = np.fromiter((len(x) for x in ids), dtype=np.int64, count=n_docs)
        if n_docs == 0 or not lengths.sum():
            return cls(words, np.zeros(len(words) + 1, np.int64), np.zeros(0, np.int32),
                       np.zeros(0, np.uint16), lengths.astype(np.int32))
        flat = np.concatenate([np.asarray(x, dtype=np.int64) for x in ids])
        doc = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        pairs, tf = np.unique(flat * n_docs + doc, return_counts=True)  # by term, then passage
        term, rows = np.divmod(pairs, n_docs)
        indptr = np.concatenate([[0], np.cumsum(np.bincount(term, minlength=len(words)))]).astype(np.int64)
        return cls(words, indptr, rows.astype(np.int32), np.minimum(tf, 65535).astype(np.uint16),
                   lengths.astype(np.int32))

    @classmethod
    def from_texts(cls, texts: Sequence[str], scheme: str) -> "Postings":
        """Tokenise ``texts`` (``retrieval.tokenize.tokenize(text, scheme)``) into postings."""
        vocab: dict[str, int] = {}
        ids = tokenize_ids(texts, check_scheme(scheme), vocab)
        words = [""] * len(vocab)
        for w, i in vocab.items():
            words[i] = w
        return cls.from_ids(ids, words)

    @classmethod
    def merge(cls, parts: Sequence[tuple["Postings", np.ndarray]]) -> "Postings":
        """One segment's postings from the kept rows of several: ``parts`` is a list of
        ``(postings, kept local rows ascending)``; the merged rows are the kept rows of each
        part in order.  Nothing is re-tokenised."""
        words: dict[str, int] = {}
        terms, docs, tfs, lengths = [], [], [], []
        offset = 0
        for post, keep in parts:
            keep = np.asarray(keep, dtype=np.int64)
            new_row = np.full(post.n_docs, -1, dtype=np.int64)
            new_row[keep] = offset + np.arange(keep.size)
            tmap = np.fromiter((words.setdefault(w, len(words)) for w in post.words), dtype=np.int64,
                               count=len(post.words))
            t = np.repeat(tmap, np.diff(post.indptr))
            d = new_row[post.docs]
            ok = d >= 0
            terms.append(t[ok]), docs.append(d[ok]), tfs.append(post.tfs[ok])
            lengths.append(post.lengths[keep])
            offset += keep.size
        word_list = [""] * len(words)
        for w, i in words.items():
            word_list[i] = w
        t, d = np.concatenate(terms), np.concatenate(docs)
        order = np.lexsort((d, t))
        indptr = np.concatenate([[0], np.cumsum(np.bincount(t, minlength=len(word_list)))]).astype(np.int64)
        return cls(word_list, indptr, d[order].astype(np.int32), np.concatenate(tfs)[order],
                   np.concatenate(lengths).astype(np.int32))

    def save(self, path: Path) -> None:
        """Write as one ``.npz`` (numpy arrays; the words as UTF-8 JSON bytes)."""
        with open(path, "wb") as f:
            np.savez(f, indptr=self.indptr, docs=self.docs, tfs=self.tfs, lengths=self.lengths,
                     words=np.frombuffer(json.dumps(self.words, ensure_ascii=False).encode(), dtype=np.uint8))

    @classmethod
    def load(cls, path: Path) -> "Postings":
        """Read a file written by ``save``.

        Raises:
            OSError, ValueError, KeyError: missing, unreadable or inconsistent file.
        """
        with np.load(path, allow_pickle=False) as z:
            words = json.loads(z["words"].tobytes().decode())
            return cls(words, z["indptr"], z["docs"], z["tfs"], z["lengths"])


class _Live:
    """Live-row numbering of a list of segments with tombstones."""

    def __init__(self, sizes: Sequence[int], dead: Sequence[np.ndarray]) -> None:
        self.global_rows: list[np.ndarray] = []  # per segment: local row -> live row, -1 if dead
        self.dead = [np.asarray(d, dtype=np.int64) for d in dead]
        seg_of, local_of = [], []
        offset = 0
        for s, (n, d) in enumerate(zip(sizes, self.dead)):
            alive = np.ones(n, dtype=bool)
            alive[d] = False
            g = np.full(n, -1, dtype=np.int64)
            local = np.flatnonzero(alive)
            g[local] = offset + np.arange(local.size)
            offset += local.size
            self.global_rows.append(g)
            seg_of.append(np.full(local.size, s, dtype=np.int64))
            local_of.append(local)
        self.n = offset
        self.seg_of = np.concatenate(seg_of) if seg_of else np.zeros(0, np.int64)
        self.local_of = np.concatenate(local_of) if local_of else np.zeros(0, np.int64)


class SegmentedLexical:
    """BM25 over the live rows of several segments, with corpus-wide statistics (module
    docstring).  The interface of ``retrieval.lexical.LexicalIndex`` (``scores``,
    ``search``, ``n_docs``, ``scheme``).

    Args:
        postings: one ``Postings`` per segment.
        dead: per segment, its tombstoned local rows.
        scheme: the tokenisation scheme the postings were built with.
    Raises:
        ValueError: unknown scheme, or as many ``dead`` lists as segments not given.
    """

    def __init__(self, postings: Sequence[Postings], dead: Sequence[np.ndarray], scheme: str) -> None:
        if len(postings) != len(dead):
            raise ValueError(f"{len(postings)} segments, {len(dead)} tombstone lists")
        self.scheme = check_scheme(scheme)
        self.postings = list(postings)
        self._live = _Live([p.n_docs for p in postings], dead)
        self.n_docs = self._live.n
        self._lengths = np.concatenate([p.lengths[g >= 0] for p, g in zip(self.postings, self._live.global_rows)]
                                       ).astype(np.float64) if postings else np.zeros(0)
        self.avgdl = float(self._lengths.mean()) if self.n_docs and self._lengths.sum() else 1.0

    def scores(self, query: str) -> np.ndarray | None:
        """BM25 score of every live row for ``query``: ``(n_docs,)`` float32, or None when
        no query token occurs in a live passage."""
        if self.n_docs == 0:
            return None
        rows_all, w_all = [], []
        for tok in dict.fromkeys(t for t in tokenize(query, self.scheme) if t):
            rows, tfs = [], []
            for post, g, dead in zip(self.postings, self._live.global_rows, self._live.dead):
                tid = post.vocab.get(tok)
                if tid is None:
                    continue
                a, b = post.indptr[tid], post.indptr[tid + 1]
                r, tf = g[post.docs[a:b]], post.tfs[a:b]
                if dead.size:
                    keep = r >= 0
                    r, tf = r[keep], tf[keep]
                rows.append(r), tfs.append(tf)
            if not rows:
                continue
            r, tf = np.concatenate(rows), np.concatenate(tfs).astype(np.float64)
            df = r.size
            if df == 0:
                continue
            idf = np.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5))
            norm = K1 * ((1.0 - B) + B * self._lengths[r] / self.avgdl)
            rows_all.append(r), w_all.append(idf * tf / (norm + tf))
        if not rows_all:
            return None
        return np.bincount(np.concatenate(rows_all), weights=np.concatenate(w_all),
                           minlength=self.n_docs).astype(np.float32)

    def search(self, query: str, top_k: int) -> list[tuple[int, float]]:
        """Top ``top_k`` live rows as ``(row, BM25 score)``, best first (score > 0 only).

        Raises:
            ValueError: when ``top_k`` < 1.
        """
        if top_k < 1:
            raise ValueError(f"top_k must be >= 1, got {top_k}")
        s = self.scores(query)
        return [] if s is None else top_scores(s, top_k)


class SegmentedDense:
    """Dense search over the live rows of several segments' FAISS indexes (module
    docstring).  The interface of ``retrieval.dense.DenseIndex`` that searching uses
    (``search``, ``ntotal``, ``dim``, ``kind``).

    Args:
        indexes: one ``DenseIndex`` per segment (all of dimension ``dim``).
        dead: per segment, its tombstoned local rows.
        dim: vector size (needed when there is no segment).
    Raises:
        ValueError: dimensions differ, or list lengths differ.
    """

    def __init__(self, indexes: Sequence[DenseIndex], dead: Sequence[np.ndarray], dim: int) -> None:
        if len(indexes) != len(dead):
            raise ValueError(f"{len(indexes)} segments, {len(dead)} tombstone lists")
        if any(ix.dim != dim for ix in indexes):
            raise ValueError(f"segment dimensions {[ix.dim for ix in indexes]} differ from {dim}")
        self.indexes = list(indexes)
        self._dim = dim
        self._live = _Live([ix.ntotal for ix in indexes], dead)

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def ntotal(self) -> int:
        """Live rows."""
        return self._live.n

    @property
    def kind(self) -> str:
        """``"hnsw-ip"`` when a segment is HNSW, else ``"flat-ip"``."""
        return "hnsw-ip" if any(ix.kind == "hnsw-ip" for ix in self.indexes) else "flat-ip"

    def search(self, query_vector: np.ndarray, top_k: int,
               positions: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top ``top_k`` live rows as ``(row, cosine)``, best first (ties: lower row).

        Args:
            positions: search only these live rows (a filter); None: all.
        Raises:
            ValueError: ``top_k`` < 1 or a wrong query dimension.
        """
        if top_k < 1:
            raise ValueError(f"top_k must be >= 1, got {top_k}")
        q = np.asarray(query_vector, dtype=np.float32).reshape(-1)
        if q.shape[0] != self._dim:
            raise ValueError(f"query vector has dimension {q.shape[0]}, index has {self._dim}")
        if positions is not None:
            pos = np.asarray(positions, dtype=np.int64)
            seg_of, local_of = self._live.seg_of[pos], self._live.local_of[pos]
        hits: list[tuple[int, float]] = []
        for s, (ix, g, dead) in enumerate(zip(self.indexes, self._live.global_rows, self._live.dead)):
            if positions is not None:
                local = local_of[seg_of == s]
                if local.size == 0:
                    continue
                found = ix.search(q, top_k, positions=local)
            else:
                found = ix.search(q, top_k, excluded=dead if dead.size else None)
            hits.extend((int(g[i]), sc) for i, sc in found if g[i] >= 0)
        hits.sort(key=lambda h: (-h[1], h[0]))
        return hits[:top_k]


class RowVectors:
    """The vectors of the live rows of several segments, read in place: an array-like of
    shape ``(n, dim)`` float32 (row i = live row i) that never concatenates the segments'
    arrays unless asked for all of them (``np.asarray``), so a publication does not copy
    the corpus's vectors.

    Indexing: ``v[i]`` (one row), ``v[rows]`` (a list/array of rows), ``v[a:b]`` (a
    slice) give numpy arrays; ``np.asarray(v)`` gives the whole ``(n, dim)`` matrix.

    Args:
        parts: each segment's ``(rows, dim)`` vectors (all rows, tombstoned ones included).
        dead: per segment, its tombstoned local rows.
        dim: vector size.
    """

    def __init__(self, parts: Sequence[np.ndarray], dead: Sequence[np.ndarray], dim: int) -> None:
        self._parts = list(parts)
        self._live = _Live([p.shape[0] for p in parts], dead)
        self.dim = dim

    @property
    def shape(self) -> tuple[int, int]:
        return (self._live.n, self.dim)

    @property
    def ndim(self) -> int:
        return 2

    dtype = np.dtype(np.float32)

    def __len__(self) -> int:
        return self._live.n

    def take(self, rows: np.ndarray) -> np.ndarray:
        """``(len(rows), dim)`` float32: the given live rows, in order.

        Raises:
            IndexError: a row outside ``0..n-1``.
        """
        rows = np.asarray(rows, dtype=np.int64).reshape(-1)
        if rows.size and (rows.min() < -self._live.n or rows.max() >= self._live.n):
            raise IndexError(f"row out of range for {self._live.n} rows")
        rows = np.where(rows < 0, rows + self._live.n, rows)
        out = np.empty((rows.size, self.dim), dtype=np.float32)
        seg, local = self._live.seg_of[rows], self._live.local_of[rows]
        for s in np.unique(seg):
            m = seg == s
            out[m] = self._parts[s][local[m]]
        return out

    def __getitem__(self, key):
        if isinstance(key, (int, np.integer)):
            return self.take(np.array([key]))[0]
        if isinstance(key, slice):
            return self.take(np.arange(self._live.n)[key])
        return self.take(np.asarray(key))

    def __array__(self, dtype=None, copy=None):
        whole = self.take(np.arange(self._live.n))
        return whole if dtype is None else whole.astype(dtype)

    def copy(self) -> np.ndarray:
        """The whole matrix, as a new numpy array."""
        return np.asarray(self)

    def __iter__(self):
        return iter(np.asarray(self))
