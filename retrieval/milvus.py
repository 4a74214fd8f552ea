"""Milvus backend: passage vectors and BM25 full-text search in a Milvus collection.

The same code talks to an embedded milvus-lite file (``MilvusClient("/path/x.db")``, the
default: ``<index_dir>/milvus.db``), a Milvus standalone or a cluster
(``http://host:19530``, token from ``$MILVUS_TOKEN``).  pymilvus 3.0.2 / milvus-lite 3.2.2.

Collection (one row per passage; ``pid`` = the passage's index in the corpus):

=============  ==========================  ==============================================
field          type                        holds
=============  ==========================  ==============================================
pid            INT64, primary key          row id
passage_id     VARCHAR                     ``Passage.id``
article_id     VARCHAR                     filterable
title          VARCHAR                     article title
paragraph_no   INT64                       filterable
source         VARCHAR                     source document (``Passage.source``), filterable
date           VARCHAR                     ``YYYY-MM-DD`` or ``""``, filterable (range)
vector         FLOAT_VECTOR(dim)           the e5 vector (``embeddings.npy`` row), metric IP
text           VARCHAR, analyzer           the lexical text (see ``LexicalAnalyzer``)
sparse         SPARSE_FLOAT_VECTOR         Milvus's BM25 function output over ``text``
=============  ==========================  ==============================================

Lexical text: Milvus's analyzers are ``standard`` and ``jieba`` (milvus-lite refuses any
other tokenizer name, e.g. ``whitespace``); neither folds Traditional to Simplified
(checked: ``臺北`` does not match ``台北``), and jieba gives words, not our words +
character bigrams.  Two choices (``LexicalAnalyzer``):

* ``OURS`` (default): the passage is tokenised by ``retrieval.tokenize.tokenize`` (NFKC,
  Traditional→Simplified, lower-case; jieba words + character bigrams), each token is
  written as an ASCII word ``t<blake2b-64 hex>`` and the ``standard`` tokenizer splits on
  the spaces: Milvus's BM25 then sees exactly our terms (query terms de-duplicated, as in
  ``retrieval.lexical``).
* ``JIEBA``: ``retrieval.normalize.normalize_text`` of the text (same folding on both
  sides), tokenised by Milvus's ``jieba`` analyzer.

BM25 parameters k1 = 1.5, b = 0.75 (ours) go in the index params (``bm25_k1``,
``bm25_b``); milvus-lite 3.2.2 ignores them (checked: same scores as with its defaults), a
Milvus server applies them.  milvus-lite returns BM25 scores negated as distances; scores
are reported here as the positive BM25.  Dense index: ``FLAT`` by default (exact: the
same ranking as FAISS's flat index), ``HNSW`` (M=32, efConstruction=200, ef=128: the
FAISS settings) for large collections on a server.

Insertion cost (measured 2026-12-02, 20,000 synthetic passages of 150-300 characters,
milvus-lite in-process, 2 shared cores: 31 s end to end): our lexical text 4.8 s; pymilvus
row packing ~5 s (its VARCHAR length check iterates each string character by character,
and our text is ~4,700 ASCII characters a passage); the engine's insert ~20 s (its BM25
function hashes every term byte by byte in Python, FNV-1a, ~260 terms a passage; record
validation; WAL); flush 0.3 s.  milvus-lite also seals a segment on its own whenever its
memtable reaches 128 MiB (~18,000 of these rows) and compacts and indexes segments in a
background thread, which in-process competes with the inserting thread for the GIL (the
next 20,000 rows took 46 s).  Hence ``add`` prepares batch i+1 while batch i is written
(overlapping only when the engine is another process, e.g. ``python -m milvus_lite
server`` or a Milvus server) and a bulk load flushes once at the end (``flush=False``).
"""
from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from retrieval.backend import RowMeta, SearchFilters, row_metadata
from retrieval.dense import HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH, HNSW_M, check_vectors
from retrieval.lexical import B, K1
from retrieval.normalize import normalize_text
from retrieval.tokenize import DEFAULT_SCHEME, check_scheme, tokenize

DEFAULT_COLLECTION = "passages"
DEFAULT_LITE_FILE = "milvus.db"
INSERT_BATCH = 2000
MAX_VARCHAR = 65_535  # Milvus's VARCHAR limit, bytes
_TOKEN_BYTES = 8


class LexicalAnalyzer(str, Enum):
    """How the lexical text is prepared for Milvus's BM25 (module docstring)."""

    OURS = "ours"
    JIEBA = "jieba"


@dataclass(frozen=True)
class MilvusConfig:
    """Where and how the Milvus collection lives.

    Attributes:
        uri: a milvus-lite file path (``*.db``) or a server URI (``http://host:19530``).
        collection: collection name.
        analyzer: ``LexicalAnalyzer`` of the lexical field.
        index_type: dense index, ``"FLAT"`` (exact) or ``"HNSW"``.
        token: server credentials (``user:password`` or an API key); None:
            ``$MILVUS_TOKEN`` if set.
    Raises:
        ValueError: empty uri/collection, unknown analyzer or index type.
    """

    uri: str
    collection: str = DEFAULT_COLLECTION
    analyzer: LexicalAnalyzer = LexicalAnalyzer.OURS
    index_type: str = "FLAT"
    token: str | None = None

    def __post_init__(self) -> None:
        if not str(self.uri).strip():
            raise ValueError("Milvus uri is empty")
        if not str(self.collection).strip():
            raise ValueError("Milvus collection name is empty")
        object.__setattr__(self, "uri", str(self.uri))
        object.__setattr__(self, "analyzer", LexicalAnalyzer(self.analyzer))
        if self.index_type not in ("FLAT", "HNSW"):
            raise ValueError(f"index_type must be FLAT or HNSW, got {self.index_type!r}")

    @property
    def is_lite(self) -> bool:
        """True for an embedded milvus-lite file."""
        return "://" not in self.uri


def default_uri(index_dir: Path) -> str:
    """The milvus-lite file used when no URI is given: ``<index_dir>/milvus.db``."""
    return str(Path(index_dir) / DEFAULT_LITE_FILE)


class MilvusUnavailableError(RuntimeError):
    """pymilvus / milvus-lite is missing or the server cannot be reached (names the URI)."""


def _client(config: MilvusConfig) -> Any:
    try:
        from pymilvus import MilvusClient
    except ImportError as e:  # pragma: no cover - pinned in requirements.txt
        raise MilvusUnavailableError(f"pymilvus is not installed ({e}); pip install pymilvus==3.0.2 "
                                     "milvus-lite==3.2.2") from None
    if config.is_lite:
        Path(config.uri).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
    token = config.token if config.token is not None else os.environ.get("MILVUS_TOKEN", "")
    try:
        return MilvusClient(config.uri, token=token) if token else MilvusClient(config.uri)
    except Exception as e:
        raise MilvusUnavailableError(f"cannot open Milvus at {config.uri}: {e}") from None


def _token_word(token: str, cache: dict[str, str]) -> str:
    w = cache.get(token)
    if w is None:
        w = "t" + hashlib.blake2b(token.encode("utf-8"), digest_size=_TOKEN_BYTES).hexdigest()
        cache[token] = w
    return w


def _str_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(json.dumps(str(v), ensure_ascii=False) for v in values) + "]"


def filter_expression(filters: SearchFilters | None, rows: Sequence[int] | None = None) -> str:
    """The Milvus boolean expression of ``filters`` (and of a row restriction); ``""``
    when nothing is restricted."""
    parts = []
    if rows is not None:
        parts.append(f"pid in [{', '.join(str(int(r)) for r in rows)}]")
    if filters is not None and not filters.empty:
        if filters.article_ids is not None:
            parts.append(f"article_id in {_str_list(filters.article_ids)}")
        if filters.sources is not None:
            parts.append(f"source in {_str_list(filters.sources)}")
        if filters.date_from or filters.date_to:
            parts.append('date != ""')
        if filters.date_from:
            parts.append(f"date >= {json.dumps(filters.date_from)}")
        if filters.date_to:
            parts.append(f"date <= {json.dumps(filters.date_to)}")
    return " and ".join(parts)


class MilvusBackend:
    """``retrieval.backend.SearchBackend`` over one Milvus collection.

    Args:
        config: ``MilvusConfig``.
        dim: vector dimension (384 for e5-small).
        scheme: ``retrieval.tokenize`` scheme for ``LexicalAnalyzer.OURS``.
    Raises:
        MilvusUnavailableError: the client cannot start/connect.
    """

    name = "milvus"

    def __init__(self, config: MilvusConfig, dim: int, scheme: str = DEFAULT_SCHEME) -> None:
        self.config = config
        self.dim = int(dim)
        self.scheme = check_scheme(scheme)
        self.client = _client(config)
        self._words: dict[str, str] = {}

    # -- collection ----------------------------------------------------------------
    def exists(self) -> bool:
        return bool(self.client.has_collection(self.config.collection))

    def description(self) -> dict[str, Any]:
        """The JSON this code wrote into the collection's description ({} if none)."""
        if not self.exists():
            return {}
        try:
            return json.loads(self.client.describe_collection(self.config.collection).get("description") or "{}")
        except (ValueError, TypeError):
            return {}

    def create(self, info: dict[str, Any] | None = None) -> None:
        """(Re)create the empty collection (an existing one is dropped)."""
        from pymilvus import DataType, Function, FunctionType

        c, name = self.client, self.config.collection
        if c.has_collection(name):
            c.drop_collection(name)
        schema = c.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("pid", DataType.INT64, is_primary=True)
        schema.add_field("passage_id", DataType.VARCHAR, max_length=1024)
        schema.add_field("article_id", DataType.VARCHAR, max_length=1024)
        schema.add_field("title", DataType.VARCHAR, max_length=4096)
        schema.add_field("paragraph_no", DataType.INT64)
        schema.add_field("source", DataType.VARCHAR, max_length=4096)
        schema.add_field("date", DataType.VARCHAR, max_length=32)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=self.dim)
        tokenizer = "standard" if self.config.analyzer is LexicalAnalyzer.OURS else "jieba"
        schema.add_field("text", DataType.VARCHAR, max_length=MAX_VARCHAR, enable_analyzer=True,
                         analyzer_params={"tokenizer": tokenizer})
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(Function(name="bm25", function_type=FunctionType.BM25,
                                     input_field_names=["text"], output_field_names=["sparse"]))
        ip = c.prepare_index_params()
        if self.config.index_type == "HNSW":
            ip.add_index(field_name="vector", index_type="HNSW", metric_type="IP",
                         params={"M": HNSW_M, "efConstruction": HNSW_EF_CONSTRUCTION})
        else:
            ip.add_index(field_name="vector", index_type="FLAT", metric_type="IP")
        ip.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                     params={"bm25_k1": K1, "bm25_b": B})
        desc = dict(info or {}, analyzer=self.config.analyzer.value, scheme=self.scheme)
        c.create_collection(name, schema=schema, index_params=ip, consistency_level="Strong",
                            description=json.dumps(desc, ensure_ascii=False))

    def drop(self) -> None:
        if self.exists():
            self.client.drop_collection(self.config.collection)

    def close(self) -> None:
        try:
            self.client.close()
        except Exception:  # closing is best effort
            pass

    @property
    def count(self) -> int:
        if not self.exists():
            return 0
        res = self.client.query(self.config.collection, filter="", output_fields=["count(*)"])
        return int(res[0]["count(*)"]) if res else 0

    # -- text ------------------------------------------------------------------------
    def lexical_text(self, text: str) -> str:
        """The ``text`` field stored for a passage's lexical text (module docstring)."""
        if self.config.analyzer is LexicalAnalyzer.JIEBA:
            out = normalize_text(text)
        else:
            out = " ".join(_token_word(t, self._words) for t in tokenize(text, self.scheme))
        raw = out.encode("utf-8")
        if len(raw) > MAX_VARCHAR:  # cut at a token boundary below Milvus's limit
            out = raw[:MAX_VARCHAR].decode("utf-8", "ignore").rsplit(" ", 1)[0]
        return out

    def query_text(self, query: str) -> str:
        """The query as the lexical field expects it (``""``: no searchable term)."""
        if self.config.analyzer is LexicalAnalyzer.JIEBA:
            return normalize_text(query).strip()
        toks = dict.fromkeys(t for t in tokenize(query, self.scheme) if t)
        return " ".join(_token_word(t, self._words) for t in toks)

    # -- search ----------------------------------------------------------------------
    def _search(self, data: Any, field: str, metric: str, n: int, expr: str) -> list[tuple[int, float]]:
        params: dict[str, Any] = {"metric_type": metric}
        if metric == "IP" and self.config.index_type == "HNSW":
            params["params"] = {"ef": max(HNSW_EF_SEARCH, n)}
        res = self.client.search(self.config.collection, data=[data], anns_field=field, limit=int(n),
                                 filter=expr, output_fields=["pid"], search_params=params)
        hits = res[0] if res else []
        out = [(int(h["id"] if "id" in h else h["pid"]), float(h["distance"])) for h in hits]
        if metric == "BM25":  # milvus-lite reports BM25 negated; a server, positive
            out = [(i, abs(s)) for i, s in out if s != 0]
        return sorted(out, key=lambda h: (-h[1], h[0]))

    def dense_search(self, query_vector: np.ndarray, n: int,
                     filters: SearchFilters | None = None) -> list[tuple[int, float]]:
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        q = np.asarray(query_vector, dtype=np.float32).reshape(-1)
        if q.shape[0] != self.dim:
            raise ValueError(f"query vector has dimension {q.shape[0]}, collection has {self.dim}")
        return self._search(q.tolist(), "vector", "IP", n, filter_expression(filters))

    def lexical_search(self, query_text: str, n: int,
                       filters: SearchFilters | None = None) -> list[tuple[int, float]]:
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        q = self.query_text(query_text)
        if not q:
            return []
        return self._search(q, "sparse", "BM25", n, filter_expression(filters))

    def dense_scores(self, query_vector: np.ndarray, rows: Sequence[int]) -> dict[int, float]:
        rows = list(dict.fromkeys(int(r) for r in rows))
        if not rows:
            return {}
        q = np.asarray(query_vector, dtype=np.float32).reshape(-1).tolist()
        return dict(self._search(q, "vector", "IP", len(rows), filter_expression(None, rows)))

    def lexical_scores(self, query_text: str, rows: Sequence[int]) -> dict[int, float]:
        rows = list(dict.fromkeys(int(r) for r in rows))
        q = self.query_text(query_text)
        if not rows or not q:
            return {}
        return dict(self._search(q, "sparse", "BM25", len(rows), filter_expression(None, rows)))

    # -- writes ----------------------------------------------------------------------
    def _rows(self, rows: Sequence[int], meta: Sequence[RowMeta], texts: Sequence[str],
              vectors: np.ndarray) -> list[dict[str, Any]]:
        """The insert payload of one batch (one dict per row, ``lexical_text`` applied)."""
        return [{"pid": int(r), "passage_id": m.passage_id, "article_id": m.article_id,
                 "title": m.title[:1000], "paragraph_no": int(m.paragraph_no), "source": m.source[:1000],
                 "date": m.date, "vector": vec.tolist(), "text": self.lexical_text(t)}
                for r, m, t, vec in zip(rows, meta, texts, vectors)]

    def add(self, rows: Sequence[int], meta: Sequence[RowMeta], texts: Sequence[str],
            vectors: np.ndarray, upsert: bool = True, flush: bool = True) -> None:
        """Insert rows (``upsert``: replacing rows with the same id) in batches of
        ``INSERT_BATCH``; the collection is created when missing.

        Batch i+1 (lexical text, payload) is prepared while batch i is being written:
        against a server in another process (standalone, cluster, ``milvus-lite
        server``) the two overlap.  ``flush`` (default) seals the rows afterwards, so
        searches use the segment indexes rather than the growing segment; a bulk load
        in several calls passes ``flush=False`` and calls ``flush()`` once at the end
        (each flush seals a segment, and the engine later compacts and re-indexes them).

        Raises:
            ValueError: sizes disagree or bad vectors.
            pymilvus.MilvusException: the engine refused a batch (earlier batches stay written).
        """
        v = check_vectors(vectors, self.dim)
        if not len(rows) == len(meta) == len(texts) == v.shape[0]:
            raise ValueError(f"add: {len(rows)} rows, {len(meta)} metadata, {len(texts)} texts, {v.shape[0]} vectors")
        if not self.exists():
            self.create()
        write = self.client.upsert if upsert else self.client.insert
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = None
            for s in range(0, len(rows), INSERT_BATCH):
                e = s + INSERT_BATCH
                batch = self._rows(rows[s:e], meta[s:e], texts[s:e], v[s:e])
                if pending is not None:
                    pending.result()  # raises the write's error, if any
                pending = pool.submit(write, self.config.collection, data=batch)
            if pending is not None:
                pending.result()
        if flush:
            self.flush()

    def flush(self) -> None:
        """Seal the rows written so far (searches then use the segment indexes)."""
        if self.exists():
            self.client.flush(self.config.collection)

    def remove(self, rows: Sequence[int]) -> None:
        rows = [int(r) for r in rows]
        if rows and self.exists():
            self.client.delete(self.config.collection, ids=rows)

    # -- whole corpus ----------------------------------------------------------------
    def sync(self, passages: Sequence[Any], articles: Sequence[Any], vectors: np.ndarray,
             info: dict[str, Any], force: bool = False) -> int:
        """Make the collection hold exactly this corpus (``vectors`` row i = passage i:
        the index's ``embeddings.npy``, nothing is re-embedded).

        The collection is reused when its description matches ``info`` (model, corpus
        fingerprint, passage count) and its row count matches; else it is recreated.

        Returns:
            rows written (0 when the collection was already in sync).
        Raises:
            ValueError: ``len(passages) != vectors.shape[0]``.
        """
        from retrieval.build import index_text

        if len(passages) != vectors.shape[0]:
            raise ValueError(f"{len(passages)} passages but {vectors.shape[0]} vectors")
        want = dict(info, analyzer=self.config.analyzer.value, scheme=self.scheme)
        if not force and self.exists() and self.description() == want and self.count == len(passages):
            return 0
        self.create(info)
        self.add(list(range(len(passages))), row_metadata(passages, articles), [index_text(p) for p in passages],
                 vectors, upsert=False)
        return len(passages)


def corpus_info(manifest: Any) -> dict[str, Any]:
    """What the collection description records of an index (``IndexManifest``)."""
    return {"model_id": manifest.model_id, "dim": int(manifest.dim),
            "corpus_fingerprint": manifest.corpus_fingerprint, "passage_count": int(manifest.passage_count)}


def migrate_index(index_dir: Path, config: MilvusConfig, force: bool = False) -> tuple[int, int]:
    """Copy the embedded index under ``index_dir`` into Milvus without re-embedding: the
    stored vectors, metadata and lexical text of its passages
    (``retrieval.index.read_published``: a segmented index or ``build_index``'s).

    Returns:
        ``(rows written, rows in the collection)``.
    Raises:
        retrieval.store.IndexMissingError / IndexCorruptError: no or a damaged index.
        MilvusUnavailableError: Milvus cannot be reached.
    """
    from retrieval.index import read_published

    manifest, articles, passages, vectors = read_published(Path(index_dir))
    backend = MilvusBackend(config, manifest.dim, manifest.bm25_scheme)
    try:
        written = backend.sync(passages, articles, vectors, corpus_info(manifest), force=force)
        return written, backend.count
    finally:
        backend.close()
