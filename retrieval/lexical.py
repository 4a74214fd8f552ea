"""Lexical retriever: BM25 (bm25s) over our Chinese tokens.

Scoring is bm25s's ``method="lucene"`` with k1=1.5, b=0.75 (Lucene's BM25: idf =
ln(1 + (N - df + 0.5) / (df + 0.5)), term weight = idf * tf / (tf + k1 * (1 - b + b * dl /
avgdl)); Kamphuis et al., ECIR 2020, "Which BM25 Do You Mean?").  A query's tokens are
de-duplicated before scoring (each distinct query term counts once), and tokens unknown
to the index are ignored; a query with no known token returns no results.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Sequence

import bm25s
import numpy as np

from retrieval.tokenize import DEFAULT_SCHEME, check_scheme, tokenize

K1 = 1.5
B = 0.75
METHOD = "lucene"
_META = "lexical.json"

# bm25s logs (at INFO) and shows progress bars by default; keep library output quiet.
logging.getLogger("bm25s").setLevel(logging.WARNING)


class LexicalIndex:
    """BM25 over passages tokenised with ``retrieval.tokenize.tokenize(text, scheme)``.

    Build with ``LexicalIndex.build(texts, scheme)``; persist with ``save(dir)`` /
    ``LexicalIndex.load(dir)`` (bm25s's own files plus ``lexical.json``).  Searching only
    reads numpy arrays, so concurrent ``search`` calls are safe.
    """

    def __init__(self, bm25: bm25s.BM25 | None, scheme: str, n_docs: int) -> None:
        self.bm25 = bm25
        self.scheme = check_scheme(scheme)
        self.n_docs = n_docs

    @classmethod
    def build(cls, texts: Sequence[str], scheme: str = DEFAULT_SCHEME) -> "LexicalIndex":
        """Index ``texts`` (one per passage, in passage order).

        Raises:
            ValueError: on an unknown scheme.
        """
        check_scheme(scheme)
        if len(texts) == 0:
            return cls(None, scheme, 0)
        corpus_tokens = [tokenize(t, scheme) for t in texts]
        bm25 = bm25s.BM25(k1=K1, b=B, method=METHOD)
        bm25.index(corpus_tokens, show_progress=False)
        return cls(bm25, scheme, len(texts))

    @classmethod
    def build_from_ids(cls, ids: Sequence[Sequence[int]], vocab: dict[str, int],
                       scheme: str = DEFAULT_SCHEME) -> "LexicalIndex":
        """Index passages already tokenised into ids of ``vocab`` (``tokenize_ids``): the
        index manager keeps every passage's token ids, so adding or removing a document
        never re-runs the tokeniser over the whole corpus.

        The score matrix is the one ``bm25s.BM25(method="lucene").index`` builds (one
        float32 entry per (passage, term): ``idf * tf / (tf + k1 (1 - b + b dl / avgdl))``,
        idf = ln(1 + (N - df + 0.5) / (df + 0.5)), stored column-wise by term), computed
        with whole-array numpy operations instead of bm25s's per-document Python loops
        (equal to bm25s's to float32 rounding, tested; 100k passages: seconds instead of
        half a minute).

        Raises:
            ValueError: on an unknown scheme.
        """
        check_scheme(scheme)
        n_docs = len(ids)
        if n_docs == 0:
            return cls(None, scheme, 0)
        lengths = np.fromiter((len(x) for x in ids), dtype=np.int64, count=n_docs)
        flat = np.concatenate([np.asarray(x, dtype=np.int64) for x in ids]) if lengths.sum() else \
            np.zeros(0, dtype=np.int64)
        n_vocab = len(vocab)
        doc = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        pairs, tf = np.unique(flat * n_docs + doc, return_counts=True)  # sorted by term, then passage
        term, rows = np.divmod(pairs, n_docs)
        df = np.bincount(term, minlength=n_vocab)
        idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        avgdl = float(lengths.mean()) or 1.0
        norm = K1 * ((1.0 - B) + B * lengths[rows] / avgdl)
        data = (idf[term] * tf / (norm + tf)).astype(np.float32)
        bm25 = bm25s.BM25(k1=K1, b=B, method=METHOD)
        bm25.scores = {"data": data, "indices": rows.astype(np.int32),
                       "indptr": np.concatenate([[0], np.cumsum(df)]).astype(np.int64),
                       "num_docs": n_docs}
        bm25.vocab_dict = dict(vocab)
        if "" not in bm25.vocab_dict:  # as bm25s.index(..., create_empty_token=True) does
            bm25.vocab_dict[""] = max(bm25.vocab_dict.values(), default=-1) + 1
        bm25.unique_token_ids_set = set(bm25.vocab_dict.values())
        bm25.nonoccurrence_array = None
        return cls(bm25, scheme, n_docs)

    def scores(self, query: str) -> np.ndarray | None:
        """BM25 score of every passage for ``query``: ``(n_docs,)`` float32, or None when
        no query token is in the index vocabulary."""
        if self.bm25 is None:
            return None
        vocab = self.bm25.vocab_dict
        ids = list(dict.fromkeys(vocab[t] for t in tokenize(query, self.scheme) if t and t in vocab))
        if not ids:
            return None
        return np.asarray(self.bm25.get_scores_from_ids(ids), dtype=np.float32)

    def search(self, query: str, top_k: int) -> list[tuple[int, float]]:
        """Top ``top_k`` passages as ``(passage index, BM25 score)``, best first.

        Only passages that share at least one token with the query (score > 0) are
        returned, so the list may be shorter than ``top_k`` or empty.  Ties keep passage order.

        Raises:
            ValueError: when ``top_k`` < 1.
        """
        if top_k < 1:
            raise ValueError(f"top_k must be >= 1, got {top_k}")
        s = self.scores(query)
        if s is None:
            return []
        return top_scores(s, top_k)

    def save(self, directory: Path) -> None:
        """Write the index files into ``directory`` (created if missing)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        if self.bm25 is not None:
            self.bm25.save(str(directory), show_progress=False)
        meta = {"scheme": self.scheme, "n_docs": self.n_docs, "k1": K1, "b": B, "method": METHOD}
        (directory / _META).write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "LexicalIndex":
        """Load an index written by ``save``.

        Raises:
            FileNotFoundError / ValueError (from json or bm25s) on missing or corrupt files;
            callers (``retrieval.store``) turn these into ``IndexCorruptError``.
        """
        directory = Path(directory)
        meta = json.loads((directory / _META).read_text(encoding="utf-8"))
        n_docs = int(meta["n_docs"])
        bm25 = None
        if n_docs:
            bm25 = bm25s.BM25.load(str(directory), show_progress=False, verbosity=0)
            if int(bm25.scores["num_docs"]) != n_docs:
                raise ValueError(f"BM25 index holds {bm25.scores['num_docs']} documents, "
                                 f"{_META} says {n_docs}")
        return cls(bm25, meta["scheme"], n_docs)


def tokenize_ids(texts: Sequence[str], scheme: str, vocab: dict[str, int]) -> list[np.ndarray]:
    """Token ids of each text (``tokenize(text, scheme)``), growing ``vocab`` in place with
    new tokens; one ``(n_tokens,)`` uint32 array per text."""
    out = []
    for t in texts:
        toks = tokenize(t, scheme)
        out.append(np.fromiter((vocab.setdefault(w, len(vocab)) for w in toks), dtype=np.uint32,
                               count=len(toks)))
    return out


def top_scores(scores: np.ndarray, top_k: int) -> list[tuple[int, float]]:
    """Indices and values of the ``top_k`` largest positive entries of ``scores``, best first
    (ties: lower index first)."""
    pos = np.flatnonzero(scores > 0)
    if pos.size == 0:
        return []
    if pos.size > top_k:  # partial selection first: O(n) instead of sorting every match
        # keep every entry tied with the top_k-th value so the tie-break stays exact
        kth = np.partition(scores[pos], pos.size - top_k)[pos.size - top_k]
        pos = pos[scores[pos] >= kth]
    vals = scores[pos]
    order = np.lexsort((pos, -vals))[:top_k]
    return [(int(pos[i]), float(vals[i])) for i in order]
