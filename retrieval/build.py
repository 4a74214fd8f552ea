"""Build the search index from a Corpus: embed passages, FAISS + BM25, persist atomically.

``build_index(seeds_dir, index_dir, encoder)`` parses ``seeds_dir`` with
``corpus.pipeline.load_corpus`` and writes ``index_dir/current/`` (layout and atomicity:
``retrieval.store``).  Embeddings are cached by the sha256 of the embedded text: a rebuild
with the same model re-embeds only passages whose text changed.

What is indexed per passage (``INDEX_TEXT = "title+passage"``): the article title, a
newline, then ``Passage.display_text``; the dense side additionally folds Traditional to
Simplified (``retrieval.normalize.fold_script``), the lexical side normalises inside the
tokeniser.
"""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from tqdm.auto import tqdm

from corpus.pipeline import load_corpus
from corpus.types import Corpus, Passage
from retrieval import store
from retrieval.dense import DenseIndex, check_vectors
from retrieval.encoder import Encoder
from retrieval.fusion import FusionConfig
from retrieval.lexical import LexicalIndex
from retrieval.manifest import IndexManifest, library_versions
from retrieval.normalize import fold_script
from retrieval.tokenize import DEFAULT_SCHEME, check_scheme

INDEX_TEXT = "title+passage"
EMBED_BATCH = 32


def index_text(p: Passage) -> str:
    """The text indexed for a passage: ``"<title>\\n<display_text>"`` (just the text when
    the title is empty)."""
    body = p.display_text
    return f"{p.title}\n{body}" if p.title else body


def dense_text(p: Passage) -> str:
    """The text embedded for a passage: ``index_text`` folded to Simplified Chinese."""
    return fold_script(index_text(p))


@dataclass
class Components:
    """The in-memory search structures of one corpus.

    Attributes:
        vectors: ``(n_passages, dim)`` float32, L2-normalised; row i embeds passage i (a
            numpy array, or for a segmented index a ``retrieval.segmented.RowVectors``
            reading the segments' arrays in place).
        hashes: sha256 of each embedded text (``dense_text``), for the embeddings cache.
        dense: FAISS index over ``vectors``.
        lexical: BM25 index over ``index_text`` of each passage.
        embedded, reused: passages embedded now / taken from the cache.
    """

    vectors: np.ndarray
    hashes: list[str]
    dense: DenseIndex
    lexical: LexicalIndex
    embedded: int
    reused: int


def embed_passages(texts: Sequence[str], encoder: Encoder, cache: dict[str, np.ndarray] | None = None,
                   show_progress: bool = False, batch_size: int = EMBED_BATCH,
                   on_batch: Callable[[list[str], np.ndarray, int, int], None] | None = None
                   ) -> tuple[np.ndarray, list[str], int]:
    """Embed ``texts`` with ``encoder.encode_passages``, reusing cached vectors.

    Args:
        texts: the texts to embed (already prefixed/folded as wanted; the encoder adds
            its own ``passage: `` prefix).
        cache: ``{sha256(text): (dim,) vector}`` from an earlier build with the same model.
        show_progress: show a tqdm bar (unit: passages) over the texts to embed.
        on_batch: called after each batch with ``(hashes, vectors (b, dim), texts embedded
            so far, texts to embed in all)`` (the index manager persists each batch there,
            so that an interrupted build resumes, and reports progress).
    Returns:
        ``(vectors (n, dim) float32 L2-normalised, hashes, number embedded now)``; identical
        texts are embedded once.
    Raises:
        ValueError: when the encoder returns the wrong shape or non-normalised vectors.
    """
    cache = dict(cache or {})
    hashes = [store.text_hash(t) for t in texts]
    todo: dict[str, str] = {}
    for h, t in zip(hashes, texts):
        if h not in cache and h not in todo:
            todo[h] = t
    # length-sorted batches: padding is per batch, so similar lengths waste less compute
    # (what sentence-transformers does inside one encode call; measured 4-6% here, BENCHMARKS.md)
    items = sorted(todo.items(), key=lambda kv: len(kv[1]))
    with tqdm(total=len(items), desc="embedding passages", unit="passage",
              disable=not show_progress or not items) as bar:
        for i in range(0, len(items), batch_size):
            chunk = items[i:i + batch_size]
            vecs = check_vectors(encoder.encode_passages([t for _, t in chunk]), encoder.dim)
            if vecs.shape[0] != len(chunk):
                raise ValueError(f"encoder returned {vecs.shape[0]} vectors for {len(chunk)} texts")
            for (h, _), v in zip(chunk, vecs):
                cache[h] = v
            bar.update(len(chunk))
            if on_batch is not None:
                on_batch([h for h, _ in chunk], vecs, min(i + batch_size, len(items)), len(items))
    if texts:
        vectors = np.stack([np.asarray(cache[h], dtype=np.float32) for h in hashes])
    else:
        vectors = np.zeros((0, encoder.dim), dtype=np.float32)
    return check_vectors(vectors, encoder.dim), hashes, len(items)


def build_components(passages: Sequence[Passage], encoder: Encoder, bm25_scheme: str = DEFAULT_SCHEME,
                     cache: dict[str, np.ndarray] | None = None, show_progress: bool = False) -> Components:
    """Embed and index ``passages`` in memory (nothing is written)."""
    check_scheme(bm25_scheme)
    vectors, hashes, embedded = embed_passages([dense_text(p) for p in passages], encoder, cache,
                                               show_progress=show_progress)
    dense = DenseIndex.build(vectors, encoder.dim)
    lexical = LexicalIndex.build([index_text(p) for p in passages], bm25_scheme)
    return Components(vectors, hashes, dense, lexical, embedded, len(passages) - embedded)


def make_manifest(corpus: Corpus, encoder: Encoder, comps: Components, bm25_scheme: str,
                  build_seconds: float, files: dict[str, str] | None = None) -> IndexManifest:
    """The manifest describing ``comps`` built from ``corpus`` with ``encoder``."""
    return IndexManifest(
        model_id=encoder.model_id, dim=int(encoder.dim), corpus_fingerprint=corpus.fingerprint,
        passage_count=len(corpus.passages), article_count=len(corpus.articles),
        built_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        build_seconds=round(build_seconds, 3), bm25_scheme=bm25_scheme, dense_index=comps.dense.kind,
        index_text=INDEX_TEXT, embedded=comps.embedded, reused=comps.reused,
        versions=library_versions(), files=dict(files or {}), fusion=FusionConfig().to_dict())


def build_index_from_corpus(corpus: Corpus, index_dir: Path, encoder: Encoder, show_progress: bool = True,
                            bm25_scheme: str = DEFAULT_SCHEME) -> IndexManifest:
    """Build and atomically publish the index of ``corpus`` under ``index_dir/current/``.

    Args:
        corpus: a ``corpus.types.Corpus`` (articles, passages, fingerprint).
        index_dir: the index root (created if missing; other files in it are left alone).
        encoder: the passage encoder; vectors already in the live index for the same
            ``model_id`` and text are reused.
    Returns:
        the written manifest.
    Raises:
        ValueError: unknown scheme or a misbehaving encoder.  Any error leaves the live
        index as it was and removes the temporary directory.
    """
    check_scheme(bm25_scheme)
    index_dir = Path(index_dir)
    t0 = time.perf_counter()
    with store.build_lock(index_dir):
        store.recover_locked(index_dir)
        cache = store.load_embedding_cache(index_dir, encoder.model_id, encoder.dim)
        comps = build_components(corpus.passages, encoder, bm25_scheme, cache, show_progress)
        tmp = store.new_temp_dir(index_dir)
        try:
            store.write_jsonl(tmp / store.ARTICLES, (a.to_dict() for a in corpus.articles))
            store.write_jsonl(tmp / store.PASSAGES, (p.to_dict() for p in corpus.passages))
            store.write_embeddings(tmp, comps.vectors, comps.hashes, encoder.model_id)
            comps.dense.save(tmp / store.FAISS_FILE)
            comps.lexical.save(tmp / store.BM25_DIR)
            manifest = make_manifest(corpus, encoder, comps, bm25_scheme, time.perf_counter() - t0,
                                     store.file_hashes(tmp))
            store.write_manifest(tmp, manifest)
            store.publish(tmp, index_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return manifest


def build_index(seeds_dir: Path, index_dir: Path, encoder: Encoder, show_progress: bool = True,
                bm25_scheme: str = DEFAULT_SCHEME) -> IndexManifest:
    """Parse ``seeds_dir`` (``corpus.pipeline.load_corpus``) and build its index in
    ``index_dir`` (see ``build_index_from_corpus``).

    Raises:
        FileNotFoundError / ValueError: from the corpus loader (missing dir, undecodable file).
    """
    corpus = load_corpus(Path(seeds_dir))
    return build_index_from_corpus(corpus, index_dir, encoder, show_progress, bm25_scheme)
