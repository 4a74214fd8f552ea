"""The index lifecycle: open or build, add documents, remove documents, publish, recover.

``IndexManager`` owns a persisted index (layout: ``retrieval.store``) and the seeds folder
it is built from, and serves searches from the live ``Retriever``::

    manager = IndexManager.open(index_dir, seeds_dir, encoder)   # recover, load, sync
    manager.search("问题", top_k=5, mode="hybrid")                 # the live Retriever
    manager.add_files([Path("new.pdf")], progress=callback)       # -> [AddResult]
    manager.documents()                                           # -> [DocumentInfo]
    manager.remove("new.pdf"); manager.reindex("old.txt")

It can stand wherever a Retriever is used (``answering.pipeline.Assistant``): ``search``,
``search_many``, ``encoder``, ``corpus``, ``article``, ``manifest`` delegate to the current
Retriever, which is replaced by one reference assignment after each publication, so a
search running during an upload finishes on the old corpus and the next one sees the new.

Incremental and crash-safe (a segmented index, ``retrieval.segments``; as Lucene's and
Milvus's):

* The published index is a small *head* (``current/``: manifest, segment list with
  tombstones, documents table) over immutable *segments* (``segments/<id>/``: passages,
  articles, vectors, FAISS, BM25 postings).  Adding documents parses and embeds only their
  passages (vectors are cached by the sha256 of the embedded text,
  ``retrieval.build.embed_passages``) and writes them as one new segment (its own flat
  FAISS index and postings), then a new head: no other segment is read or written.
* Removing a document (or replacing it: re-index, changed file) writes its rows as
  *tombstones* into a new head; searches skip them.  Nothing is re-embedded or rebuilt.
* BM25 is scored with corpus-wide statistics (N, df, average length of the live rows)
  over every segment's term frequencies (``retrieval.segmented``: equal to one bm25s index
  of the live corpus, tested); dense search merges every segment's FAISS top k.
* Compaction (``retrieval.segments.plan_compaction``) runs after a publication when the
  small segments pass 10 % of the corpus, a segment's tombstones pass 10 % of it, or
  there are more than 10 segments; it merges segments from their stored vectors and
  postings (never re-embedding), so its cost is amortised over the changes that led to it.
  ``compact(force=True)`` merges everything into one segment (a full rebuild from stored
  vectors).
* Measured (BENCHMARKS.md, "Ingestion"): at 100,000 passages, adding a 2,020-character
  article (10 passages) takes 1.93 s, of which 1.67 s parse and embed and 0.26 s the rest
  (was 11.9 s: bm25s re-indexed the corpus and every file was rewritten); removing it
  0.20 s (was 144 s: HNSW rebuilt); at 20,000 passages: 1.41 s (1.36 s parse and embed),
  0.05 s.  What grows with the corpus is in-memory bookkeeping only (~2.5 µs a passage: the
  new Retriever's references and lookup tables).  Compaction:
  merging the small segments into the large one 19.9 s, a full rebuild from stored vectors
  444 s (HNSW build), each paid once per 10 % of the corpus changed.
* An index of the single-directory layout (``build_index``, or earlier versions of this
  manager) is rebuilt as a segmented one on ``open``, its vectors reused.
* Every batch of vectors computed is appended to ``index_dir/.embeddings/<model>/`` as it
  is computed; a build or upload killed while embedding resumes from there; the journal
  is emptied after a successful publication (the live index holds those vectors then).
* Publication writes the new segments (each into a temp directory renamed into place),
  then the new head into a temp directory swapped in with ``retrieval.atomic.replace_dir``:
  the head swap is the commit point, so a reader sees the old or the new corpus, never
  half, and a crash (even ``kill -9``) at any point leaves the previous head and its
  segments intact.  ``open`` undoes a swap interrupted by a crash and deletes temp
  directories and segments no head lists (``store.recover_locked``).
* All writers (threads of this process and other processes) are serialised by the
  index's ``flock`` (``store.build_lock``); a writer first reloads the published index
  when another process changed it, so two concurrent uploads both land.
* Uploads are copied into ``seeds_dir/.incoming/`` (hidden: never loaded as corpus),
  parsed there, and moved into ``seeds_dir`` just before publication; a file killed in
  between is picked up by the next ``open``, which syncs the index with the folder (new
  or changed files are added, deleted files removed; unchanged ones are not touched).
* The documents table (``documents.json`` in the index: name, format, articles,
  passages, characters, date added, status, error, sha256) lists every corpus file,
  including those that failed to load (status ``error`` with the reason).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from corpus.loaders import SUPPORTED_SUFFIXES, corpus_files
from corpus.pipeline import PARSER_VERSION, ParsedFile, corpus_fingerprint, file_sha256, fingerprint_of, parse_file
from corpus.types import Article, Corpus, Passage
from retrieval import store
from retrieval.build import Components, dense_text, embed_passages, index_text, make_manifest
from retrieval import segments
from retrieval.backend import FaissBackend
from retrieval.dense import DenseIndex, check_vectors
from retrieval.encoder import Encoder
from retrieval.lexical import LexicalIndex
from retrieval.manifest import IndexManifest, stale_reasons
from retrieval.searcher import Retriever
from retrieval.segmented import Postings
from retrieval.segments import LiveView, Segment, SegmentRef, live_view
from retrieval.tokenize import DEFAULT_SCHEME, check_scheme

log = logging.getLogger(__name__)

DOCUMENTS = "documents.json"
JOURNAL_DIR = ".embeddings"
INCOMING_DIR = ".incoming"

#: ``progress(fraction 0..1, message)``: what the UI shows while a document is added.
Progress = Callable[[float, str], None]


class DocumentStatus(str, Enum):
    """State of a corpus file in the documents table."""

    INDEXED = "indexed"
    ERROR = "error"


@dataclass(frozen=True)
class DocumentInfo:
    """One row of the documents table.

    Attributes:
        name: the file's path relative to the seeds folder (POSIX); the document's key.
        format: ``corpus.loaders.file_format`` (``pdf``, ``docx``, ``text``, ``html`` ...).
        articles, passages: counts in the index (0 on error).
        characters: characters of article text.
        added_at: when it entered the index, UTC ISO 8601 (``2026-12-01T23:50:00+00:00``).
        status: ``DocumentStatus`` value (``indexed`` or ``error``).
        error: why it could not be loaded (None when indexed).
        sha256: of the file's bytes when it was indexed.
    """

    name: str
    format: str
    articles: int
    passages: int
    characters: int
    added_at: str
    status: str
    error: str | None = None
    sha256: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "DocumentInfo":
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})


@dataclass(frozen=True)
class AddResult:
    """Outcome of adding (or re-indexing) one file.

    Attributes:
        name: the document's name in the seeds folder (the uploaded file's name).
        ok: True when it is now in the live index.
        articles, passages: what it yielded.
        embedded: passages whose vectors were computed now (the rest came from the cache).
        seconds: wall time of its parse + embed (publication is shared by a batch).
        error: why it was refused (``ok`` False): the file is then not in the seeds folder
            (an upload) or stays listed with status ``error`` (a re-index).
        replaced: an earlier document of the same name was replaced.
    """

    name: str
    ok: bool
    articles: int = 0
    passages: int = 0
    embedded: int = 0
    seconds: float = 0.0
    error: str | None = None
    replaced: bool = False


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _default_encoder() -> Encoder:
    """``retrieval.embedder.load_encoder(None)`` (multilingual-e5-small, or ``$CNQA_ENCODER``)."""
    from retrieval.embedder import load_encoder

    return load_encoder(None)


# --------------------------------------------------------------------------- journal


class EmbeddingJournal:
    """Vectors computed by builds that have not been published yet, persisted batch by
    batch under ``index_dir/.embeddings/<sha256(model_id)[:16]>/`` (one ``.npz`` per batch,
    written to a temp name and renamed: a kill leaves whole batches only)."""

    def __init__(self, index_dir: Path, model_id: str, dim: int) -> None:
        key = hashlib.sha256(model_id.encode()).hexdigest()[:16]
        self.dir = Path(index_dir) / JOURNAL_DIR / key
        self.dim = dim

    def load(self) -> dict[str, np.ndarray]:
        """``{text hash: (dim,) vector}`` of every readable batch (damaged ones are skipped)."""
        out: dict[str, np.ndarray] = {}
        if not self.dir.is_dir():
            return out
        for p in sorted(self.dir.glob("part-*.npz")):
            try:
                with np.load(p, allow_pickle=False) as z:
                    hashes, vecs = [str(h) for h in z["hashes"]], z["vectors"]
                if vecs.shape == (len(hashes), self.dim):
                    out.update(zip(hashes, check_vectors(vecs, self.dim)))
            except (OSError, ValueError, KeyError):
                log.warning("embedding journal %s unreadable; ignored", p)
        return out

    def append(self, hashes: list[str], vectors: np.ndarray) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        name = f"part-{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"
        tmp = self.dir / f".{name}.npz"
        with open(tmp, "wb") as f:
            np.savez(f, hashes=np.asarray(hashes), vectors=np.asarray(vectors, dtype=np.float32))
        os.replace(tmp, self.dir / f"{name}.npz")

    def clear(self) -> None:
        shutil.rmtree(self.dir.parent, ignore_errors=True)


# --------------------------------------------------------------------------- state


@dataclass
class _State:
    """One published (or about to be published) index: its segments with their
    tombstones, the documents table, and the live view searched."""

    refs: list[SegmentRef]
    documents: dict[str, DocumentInfo]
    view: LiveView
    manifest: IndexManifest | None = None

    @property
    def passage_count(self) -> int:
        return len(self.view.passages)


def _state(refs: list[SegmentRef], documents: dict[str, DocumentInfo], dim: int, scheme: str,
           manifest: IndexManifest | None = None) -> _State:
    return _State(refs, documents, live_view(refs, dim, scheme), manifest)


def _read_state(index_dir: Path, cur: Path, manifest: IndexManifest, scheme: str,
                known: dict[str, Segment] | None = None, check_parser: bool = True) -> _State:
    """Load a published segmented index (head ``cur`` and the segments it lists; segments
    in ``known`` are reused, not read again).

    Raises:
        IndexCorruptError: a file is missing, altered or inconsistent.
        IndexMissingError: another layout (``build_index``'s, or an earlier manager's).
        IndexStaleError: another parser version (``check_parser``), model or scheme.
    """
    if not segments.is_segmented(cur) or not (cur / DOCUMENTS).is_file():
        raise store.IndexMissingError(f"{cur} is not a segmented index (built by `build_index` "
                                      "or an earlier version)")
    store.verify_files(cur, manifest)
    try:
        docs = json.loads((cur / DOCUMENTS).read_text(encoding="utf-8"))
        documents = {d["name"]: DocumentInfo.from_dict(d) for d in docs["documents"]}
        parser = docs.get("parser_version")
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise store.IndexCorruptError(cur / DOCUMENTS, f"not a documents table ({e})") from None
    if check_parser and parser != PARSER_VERSION:
        raise store.IndexStaleError(f"parsed by {parser!r}, the parser is now {PARSER_VERSION!r}")
    if manifest.bm25_scheme != scheme:
        raise store.IndexStaleError(f"BM25 scheme {manifest.bm25_scheme!r}, wanted {scheme!r}")
    refs = segments.read_head_segments(index_dir, cur, manifest.model_id, known)
    state = _state(refs, documents, manifest.dim, scheme, manifest)
    if len(state.view.passages) != manifest.passage_count or len(state.view.articles) != manifest.article_count:
        raise store.IndexCorruptError(cur / segments.SEGMENTS_FILE, "live counts differ from the manifest")
    return state


def _empty_state(dim: int, scheme: str) -> _State:
    return _state([], {}, dim, scheme)


def _corpus(state: _State, fingerprint: str) -> Corpus:
    return Corpus(articles=state.view.articles, passages=state.view.passages, fingerprint=fingerprint)


def _components(state: _State, embedded: int, reused: int) -> Components:
    v = state.view
    return Components(v.vectors, v.hashes, v.dense, v.lexical, embedded, reused)


def _retriever(state: _State, corpus: Corpus, encoder: Encoder, comps: Components,
               manifest: IndexManifest | None, index_dir: Path | None, fusion=None) -> Retriever:
    """The Retriever of ``state`` (its FaissBackend over the segments, with the row
    metadata each segment computed once)."""
    v = state.view
    backend = FaissBackend(v.dense, v.lexical, v.vectors, v.meta)
    return Retriever(corpus, encoder, comps, manifest, index_dir, fusion, backend=backend)


# --------------------------------------------------------------------------- manager


class IndexManager:
    """The live index of a seeds folder: searches, and adds/removes documents while
    searches go on (module docstring).  Thread-safe.

    Build it with ``IndexManager.open(index_dir, seeds_dir, encoder)``.

    Attributes:
        index_dir, seeds_dir: the index root and the corpus folder.
        bm25_scheme: ``retrieval.tokenize`` scheme of the BM25 index.
    """

    def __init__(self, index_dir: Path, seeds_dir: Path, encoder: Encoder,
                 bm25_scheme: str = DEFAULT_SCHEME, max_chars: int = 300) -> None:
        self.index_dir = Path(index_dir)
        self.seeds_dir = Path(seeds_dir)
        self._encoder = encoder
        self.bm25_scheme = check_scheme(bm25_scheme)
        self.max_chars = max_chars
        self._write_lock = threading.RLock()
        self._state: _State | None = None
        self._retriever: Retriever | None = None

    # -- opening ---------------------------------------------------------------------
    @classmethod
    def open(cls, index_dir: Path, seeds_dir: Path, encoder: Encoder | None = None,
             sync: bool = True, progress: Progress | None = None,
             bm25_scheme: str = DEFAULT_SCHEME) -> "IndexManager":
        """Recover, load and (``sync``) bring the index in line with ``seeds_dir``.

        A missing, corrupt or stale index (other model, dimension, format or parser) is
        rebuilt from the folder, reusing every vector already computed (live index and
        journal).  With ``sync`` the files of the folder are compared with the documents
        table by sha256: new and changed files are added, deleted ones removed.

        Args:
            index_dir: the index root (``<repo>/index``); created if missing.
            seeds_dir: the corpus folder; created if missing.
            encoder: passage and query encoder; None → ``load_encoder(None)`` (e5).
            sync: compare with the folder (False: serve the published index as is, or
                build it when there is none).
            progress: ``progress(fraction, message)`` while building.
        Raises:
            ValueError: a misbehaving encoder.
        """
        seeds_dir, index_dir = Path(seeds_dir), Path(index_dir)
        seeds_dir.mkdir(parents=True, exist_ok=True)
        m = cls(index_dir, seeds_dir, encoder or _default_encoder(), bm25_scheme)
        with m._writing():
            state = m._state
            if state is None:
                print(f"retrieval: building index in {index_dir} (no usable index)", file=sys.stderr)
                state = m._empty()
                m._apply(state, m._scan_changes(state, force=True), progress, publish_always=True)
            elif sync:
                changes = m._scan_changes(state)
                if changes[0] or changes[1]:
                    m._apply(state, changes, progress)
            for r in m._state.refs:  # the embeddings cache of the next add, built now
                r.segment.row_of_hash
        return m

    @contextlib.contextmanager
    def _writing(self):
        """Serialise writers (threads, then processes), recover, and reload the published
        index when it is not the one in memory."""
        with self._write_lock, store.build_lock(self.index_dir):
            removed = store.recover_locked(self.index_dir)
            if removed:
                log.info("removed leftovers of an interrupted build: %s", ", ".join(p.name for p in removed))
            shutil.rmtree(self.seeds_dir / INCOMING_DIR, ignore_errors=True)
            self._reload_if_changed()
            yield

    def _reload_if_changed(self) -> None:
        cur = store.current_dir(self.index_dir)
        try:
            manifest = store.read_manifest(cur)
        except store.RetrievalIndexError:
            self._state = None
            return
        if self._state is not None and self._state.manifest == manifest:
            return
        if stale_reasons(manifest, self._encoder.model_id, self._encoder.dim):
            self._state = None
            return
        known = {r.segment.id: r.segment for r in self._state.refs} if self._state else None
        try:
            state = _read_state(self.index_dir, cur, manifest, self.bm25_scheme, known)
        except store.RetrievalIndexError as e:
            log.warning("index at %s not usable (%s); it will be rebuilt", cur, e)
            self._state = None
            return
        self._swap(state)

    def _swap(self, state: _State) -> None:
        """Make ``state`` the live one (a new Retriever; one reference assignment)."""
        manifest = state.manifest
        comps = _components(state, manifest.embedded if manifest else 0, manifest.reused if manifest else 0)
        corpus = _corpus(state, manifest.corpus_fingerprint if manifest else "")
        retriever = _retriever(state, corpus, self._encoder, comps, manifest, self.index_dir)
        self._state, self._retriever = state, retriever

    # -- the Retriever interface -----------------------------------------------------
    @property
    def retriever(self) -> Retriever:
        """The live Retriever (replaced after each publication)."""
        r = self._retriever
        if r is None:
            raise store.IndexMissingError(f"no index loaded from {self.index_dir}")
        return r

    @property
    def encoder(self) -> Encoder:
        return self._encoder

    @property
    def corpus(self) -> Corpus:
        """The live corpus (articles, passages)."""
        return self.retriever.corpus

    @property
    def manifest(self) -> IndexManifest:
        return self.retriever.manifest

    def article(self, article_id: str) -> Article:
        """``corpus.article`` of the live corpus (KeyError when absent)."""
        return self.retriever.corpus.article(article_id)

    @property
    def articles(self) -> tuple[Article, ...]:
        return self.retriever.corpus.articles

    def search(self, query: str, top_k: int = 5, mode: str = "hybrid"):
        """``Retriever.search`` on the live index (same arguments, result and errors)."""
        return self.retriever.search(query, top_k=top_k, mode=mode)

    def embed_query(self, query: str, fold: bool = True):
        """``Retriever.embed_query`` of the live index (cached query vector)."""
        return self.retriever.embed_query(query, fold=fold)

    def search_many(self, queries: Sequence[str], top_k: int = 5, mode: str = "hybrid"):
        retriever = self.retriever  # one corpus for the whole batch
        return [retriever.search(q, top_k=top_k, mode=mode) for q in queries]

    # -- documents ----------------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        """The documents table, sorted by name."""
        state = self._state
        return sorted(state.documents.values(), key=lambda d: d.name) if state else []

    def add_files(self, paths: Iterable[Path | str], progress: Progress | None = None) -> list[AddResult]:
        """Copy files into the seeds folder, parse, embed and publish them.

        A file that fails (unsupported type, unreadable, gibberish, no text layer, an
        article id clash with another document) is not added: its AddResult says why,
        and the other files and the live index are untouched by it.  A file whose name is
        already in the corpus replaces that document.

        Args:
            paths: the files (uploads); their base name becomes the document name.
            progress: ``progress(fraction 0..1, message)``.
        Returns:
            One AddResult per path, in order.
        """
        paths = [Path(p) for p in paths]
        report = progress or (lambda f, m: None)
        with self._writing():
            state = self._require_state()
            incoming = self.seeds_dir / INCOMING_DIR
            incoming.mkdir(parents=True, exist_ok=True)
            try:
                results: list[AddResult | None] = [None] * len(paths)
                staged: list[tuple[int, Path, ParsedFile]] = []
                for k, src in enumerate(paths):
                    name = src.name
                    report(0.1 * k / max(1, len(paths)), f"解析 Parsing {name}")
                    why = self._refuse_name(name)
                    if why is None and not src.is_file():
                        why = "file not found"
                    if why is not None:
                        results[k] = AddResult(name, False, error=why)
                        continue
                    dst = incoming / name
                    shutil.copyfile(src, dst)
                    parsed = parse_file(dst, incoming, self.max_chars)
                    if parsed.error is None:
                        parsed = self._check_clash(parsed, state, [p for _, _, p in staged])
                    if parsed.error is not None:
                        dst.unlink(missing_ok=True)
                        results[k] = AddResult(name, False, error=parsed.error)
                        continue
                    staged.append((k, dst, parsed))
                if staged:
                    parsed_files = [p for _, _, p in staged]
                    new_state, stats = self._embed_and_merge(state, parsed_files, [], report)
                    for k, dst, parsed in staged:
                        os.replace(dst, self.seeds_dir / parsed.source)
                    report(0.92, "发布 Publishing")
                    self._publish(new_state, stats)
                    for k, dst, parsed in staged:
                        st = stats["per_file"][parsed.source]
                        results[k] = AddResult(parsed.source, True, len(parsed.articles), len(parsed.passages),
                                               st["embedded"], round(st["seconds"], 3),
                                               replaced=parsed.source in state.documents)
            finally:
                shutil.rmtree(incoming, ignore_errors=True)
            report(1.0, "完成 Done")
        return [r for r in results if r is not None]

    def remove(self, name: str) -> DocumentInfo:
        """Delete a document: its file from the seeds folder, and its rows from the index
        as tombstones in a new head (no segment is rewritten, nothing re-embedded); publish.
        Compaction may follow (``retrieval.segments``).

        Returns:
            The removed document's table row.
        Raises:
            KeyError: no document of that name.
        """
        with self._writing():
            state = self._require_state()
            info = state.documents.get(name)
            if info is None:
                raise KeyError(f"no document {name!r} in the corpus ({len(state.documents)} documents)")
            path = self.seeds_dir / name
            new_state, stats = self._embed_and_merge(state, [], [name], lambda f, m: None)
            if path.is_file():
                path.unlink()
            self._publish(new_state, stats)
        return info

    def reindex(self, name: str, progress: Progress | None = None) -> AddResult:
        """Parse the document's file again and replace its rows (unchanged passages keep
        their vectors: only changed text is embedded).

        Raises:
            KeyError: no document of that name.
        """
        report = progress or (lambda f, m: None)
        with self._writing():
            state = self._require_state()
            if name not in state.documents:
                raise KeyError(f"no document {name!r} in the corpus ({len(state.documents)} documents)")
            path = self.seeds_dir / name
            if not path.is_file():
                new_state, stats = self._embed_and_merge(state, [], [name], report)
                self._publish(new_state, stats)
                return AddResult(name, False, error="file no longer in the seeds folder; removed")
            t0 = time.perf_counter()
            parsed = parse_file(path, self.seeds_dir, self.max_chars)
            if parsed.error is None:
                parsed = self._check_clash(parsed, state, [])
            new_state, stats = self._embed_and_merge(state, [parsed], [name], report)
            report(0.92, "发布 Publishing")
            self._publish(new_state, stats)
            report(1.0, "完成 Done")
            if parsed.error is not None:
                return AddResult(name, False, error=parsed.error)
            st = stats["per_file"][name]
            return AddResult(name, True, len(parsed.articles), len(parsed.passages), st["embedded"],
                             round(time.perf_counter() - t0, 3), replaced=True)

    def rebuild(self, progress: Progress | None = None) -> None:
        """Re-parse every file of the seeds folder and publish (vectors of the live index
        and of the journal reused: only new text is embedded)."""
        with self._writing():
            state = self._state or self._empty()
            self._apply(state, self._scan_changes(state, force=True), progress, publish_always=True)

    def compact(self, force: bool = False) -> list[str]:
        """Run the compaction the policy asks for (``retrieval.segments.plan_compaction``;
        it also runs after every publication), or with ``force`` merge every segment into
        one without tombstones: a full rebuild of FAISS and BM25 from the stored vectors
        and postings (nothing re-embedded).  Returns the rules applied (``purge``,
        ``into-largest``, ``tiered``, ``full``)."""
        with self._writing():
            self._require_state()
            return self._compact_locked(force)

    @property
    def segment_sizes(self) -> list[tuple[int, int]]:
        """``(rows, tombstoned rows)`` of each segment of the live index, in order."""
        state = self._state
        return [(len(r.segment.passages), int(r.deleted_passages.size)) for r in state.refs] if state else []

    # -- internals -------------------------------------------------------------------
    def _require_state(self) -> _State:
        if self._state is None:  # index deleted or damaged meanwhile: rebuild it
            state = self._empty()
            self._apply(state, self._scan_changes(state, force=True), None, publish_always=True)
        return self._state

    def _empty(self) -> _State:
        return _empty_state(self._encoder.dim, self.bm25_scheme)

    def _refuse_name(self, name: str) -> str | None:
        if not name or name.startswith(".") or "/" in name or "\\" in name:
            return f"invalid file name {name!r}"
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            return (f"unsupported file type {Path(name).suffix or '(none)'}; supported: "
                    + " ".join(SUPPORTED_SUFFIXES))
        return None

    def _check_clash(self, parsed: ParsedFile, state: _State, others: list[ParsedFile]) -> ParsedFile:
        """An error when the file's article ids are taken by another document (``a.txt``
        and ``a.md`` both give ``a#1``)."""
        mine = {a.id for a in parsed.articles}
        for a in state.view.articles:
            if a.source != parsed.source and a.id in mine:
                return replace(parsed, articles=(), passages=(), characters=0,
                               error=f"its articles would have the ids of {a.source}'s "
                                     f"({a.id}); rename the file")
        for o in others:
            if o.source != parsed.source and mine & {a.id for a in o.articles}:
                return replace(parsed, articles=(), passages=(), characters=0,
                               error=f"its articles would have the ids of {o.source}'s; rename the file")
        return parsed

    def _scan_changes(self, state: _State, force: bool = False) -> tuple[list[ParsedFile], list[str]]:
        """Files of the seeds folder that are new or changed (parsed), and documents whose
        file is gone."""
        files = corpus_files(self.seeds_dir)[0]
        present = {p.relative_to(self.seeds_dir).as_posix(): p for p in files}
        gone = [n for n in state.documents if n not in present]
        parsed: list[ParsedFile] = []
        for name, path in present.items():
            info = state.documents.get(name)
            if not force and info is not None and info.sha256 == file_sha256(path):
                continue
            p = parse_file(path, self.seeds_dir, self.max_chars)
            if p.error is None:
                p = self._check_clash(p, state, parsed)
            parsed.append(p)
        return parsed, gone

    def _apply(self, state: _State, changes: tuple[list[ParsedFile], list[str]],
               progress: Progress | None, publish_always: bool = False) -> None:
        parsed, gone = changes
        removed = gone + [p.source for p in parsed if p.source in state.documents]
        for p in parsed:
            if p.error:
                log.warning("%s: skipped: %s", p.source, p.error)
        new_state, stats = self._embed_and_merge(state, parsed, removed, progress or (lambda f, m: None))
        if publish_always or parsed or gone:
            self._publish(new_state, stats)

    @staticmethod
    def _vector_cache(state: _State, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        """``{text hash: vector}`` for those of ``hashes`` whose text the index holds
        (``Segment.row_of_hash``, a table each segment builds once)."""
        out = {}
        for h in hashes:
            for r in state.refs:
                i = r.segment.row_of_hash.get(h)
                if i is not None:
                    out[h] = r.segment.vectors[i]
                    break
        return out

    def _embed_and_merge(self, state: _State, parsed: list[ParsedFile], removed: list[str],
                         report: Progress) -> tuple[_State, dict]:
        """A new state: ``state`` with the documents named in ``removed`` (and those
        re-added) tombstoned, plus one new segment holding the parsed files' passages
        (embedded, cache first).  ``state`` is untouched; nothing is written."""
        t0 = time.perf_counter()
        drop = (set(removed) | {p.source for p in parsed}) & set(state.documents)
        refs: list[SegmentRef] = []
        for r in state.refs:
            rows = [r.segment.rows_of(name) for name in drop]
            if any(p.size or a.size for p, a in rows):
                r = r.with_deleted(np.concatenate([p for p, _ in rows]), np.concatenate([a for _, a in rows]))
            if r.live_passages == 0 and r.deleted_articles.size == len(r.segment.articles):
                continue  # every row deleted: the segment leaves the head
            refs.append(r)
        ok = [p for p in parsed if p.error is None]
        new_passages = [x for p in ok for x in p.passages]
        new_articles = [a for p in ok for a in p.articles]
        texts = [dense_text(p) for p in new_passages]
        text_hashes = [store.text_hash(t) for t in texts]
        # cache: vectors of the live index, then the journal of interrupted builds, then
        # (first build over an index of the earlier single-directory layout) its vectors
        cache = self._vector_cache(state, text_hashes)
        journal = EmbeddingJournal(self.index_dir, self._encoder.model_id, self._encoder.dim)
        cache.update(journal.load())
        if not state.refs and texts:
            cache.update(store.load_embedding_cache(self.index_dir, self._encoder.model_id, self._encoder.dim))
        todo = len(set(text_hashes) - set(cache))
        report(0.1, f"嵌入 Embedding {todo} passages" if todo else "嵌入 Embedding (cached)")

        def on_batch(hashes: list[str], vecs: np.ndarray, done: int, total: int) -> None:
            journal.append(hashes, vecs)
            report(0.1 + 0.8 * done / max(1, total), f"嵌入 Embedding {done}/{total} passages")

        per_file: dict[str, dict] = {}
        vecs, hashes, embedded = embed_passages(texts, self._encoder, cache, on_batch=on_batch)
        # per-file embedded counts (distinct new texts attributed to the first file using them)
        seen = set(cache)
        offset = 0
        for p in ok:
            hs = hashes[offset:offset + len(p.passages)]
            offset += len(p.passages)
            fresh = {h for h in hs if h not in seen}
            seen |= fresh
            per_file[p.source] = {"embedded": len(fresh), "seconds": time.perf_counter() - t0}
        if new_passages or new_articles:
            postings = Postings.from_texts([index_text(p) for p in new_passages], self.bm25_scheme)
            seg = Segment(segments.new_segment_id(), tuple(new_articles), tuple(new_passages), vecs, hashes,
                          DenseIndex.build(vecs, self._encoder.dim), postings)
            empty = np.zeros(0, np.int64)
            refs.append(SegmentRef(seg, empty, empty))
        documents = {n: d for n, d in state.documents.items() if n not in drop}
        now = _now()
        for p in parsed:
            old = state.documents.get(p.source)
            documents[p.source] = DocumentInfo(
                name=p.source, format=p.format, articles=len(p.articles), passages=len(p.passages),
                characters=p.characters, added_at=old.added_at if old and p.error is None and
                old.sha256 == p.sha256 else now,
                status=(DocumentStatus.ERROR if p.error else DocumentStatus.INDEXED).value,
                error=p.error, sha256=p.sha256)
        new_state = _state(refs, documents, self._encoder.dim, self.bm25_scheme)
        stats = {"embedded": embedded, "reused": len(new_passages) - embedded, "per_file": per_file,
                 "seconds": time.perf_counter() - t0, "journal": journal}
        return new_state, stats

    def _publish(self, state: _State, stats: dict, compact: bool = True) -> None:
        """Write the new segments of ``state``, then its head (the atomic swap: the commit
        point), then serve it; then run the compaction the policy asks for
        (``retrieval.segments.plan_compaction``)."""
        t0 = time.perf_counter()
        # the fingerprint of the files indexed (= corpus_fingerprint of the folder), from
        # the sha256 the documents table holds: no corpus file is read again
        fingerprint = fingerprint_of({d.name: d.sha256 for d in state.documents.values()})
        corpus = _corpus(state, fingerprint)
        comps = _components(state, stats["embedded"], stats["reused"])
        for r in state.refs:
            if not r.segment.sha256:
                segments.write_segment(self.index_dir, r.segment, self._encoder.model_id, self.bm25_scheme)
        tmp = store.new_temp_dir(self.index_dir)
        try:
            segments.write_head_segments(tmp, state.refs)
            table = {"parser_version": PARSER_VERSION,
                     "documents": [d.to_dict() for d in sorted(state.documents.values(), key=lambda d: d.name)]}
            (tmp / DOCUMENTS).write_text(json.dumps(table, ensure_ascii=False, indent=1), encoding="utf-8")
            manifest = make_manifest(corpus, self._encoder, comps, self.bm25_scheme,
                                     stats["seconds"] + time.perf_counter() - t0, store.file_hashes(tmp))
            store.write_manifest(tmp, manifest)
            store.publish(tmp, self.index_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if stats.get("journal") is not None:
            stats["journal"].clear()
        state.manifest = manifest
        self._state = state
        self._retriever = _retriever(state, corpus, self._encoder, comps, manifest, self.index_dir)
        segments.collect_garbage(self.index_dir)  # segments the new head no longer lists
        if compact:
            self._compact_locked(force=False)

    def _compact_locked(self, force: bool) -> list[str]:
        """Run compaction steps until the policy is satisfied (or once, for ``force``);
        each step is published on its own.  Returns the rules applied."""
        done = []
        for _ in range(2 * segments.MAX_SEGMENTS):
            state = self._state
            plan = segments.plan_compaction(state.refs, force=force and not done)
            if plan is None:
                break
            t0 = time.perf_counter()
            refs = segments.apply_plan(state.refs, plan, self._encoder.dim)
            new_state = _state(refs, state.documents, self._encoder.dim, self.bm25_scheme)
            self._publish(new_state, {"embedded": 0, "reused": new_state.passage_count,
                                      "seconds": time.perf_counter() - t0}, compact=False)
            log.info("compaction (%s) of %d segments: %.2f s", plan.rule, len(plan.positions),
                     time.perf_counter() - t0)
            done.append(plan.rule)
        return done


# --------------------------------------------------------------------------- plain loading


def open_retriever(index_dir: Path, seeds_dir: Path | None = None, encoder: Encoder | None = None,
                   rebuild: bool = True, show_progress: bool = False, fusion=None,
                   store_kind: str = "faiss", milvus_uri: str | None = None) -> Retriever:
    """Load the index under ``index_dir`` (its ``current/`` directory) as a Retriever.

    With ``seeds_dir`` and ``rebuild=True``, a missing, stale (other model, other corpus
    fingerprint, other format) or corrupt index is rebuilt from ``seeds_dir`` first (a note
    goes to stderr); one unreadable corpus file is skipped and reported, not fatal.

    Args:
        index_dir: the index root (``<repo>/index``).
        seeds_dir: the corpus directory the index must match (None: not checked).
        encoder: query (and rebuild) encoder; None → ``load_encoder(None)`` (e5).
        rebuild: allow rebuilding.
        show_progress: progress bar while (re)building.
        fusion: the hybrid fusion rule (``retrieval.fusion.FusionConfig``; None: its default).
        store_kind: ``"faiss"`` (embedded, default) or ``"milvus"``: search a Milvus
            collection, synced from this index's vectors (``retrieval.milvus``).
        milvus_uri: Milvus URI (None: the milvus-lite file ``<index_dir>/milvus.db``).
    Raises:
        IndexMissingError: no index and no rebuild possible.
        IndexStaleError: the index does not match model/corpus and no rebuild possible.
        IndexCorruptError: a file is damaged (names it) and no rebuild possible.
    """
    from retrieval.build import build_index

    index_dir = Path(index_dir)
    can_rebuild = rebuild and seeds_dir is not None
    store.recover_interrupted_swap(index_dir)
    cur = store.current_dir(index_dir)
    fingerprint = corpus_fingerprint(Path(seeds_dir)) if seeds_dir is not None else None
    if encoder is None:
        encoder = _default_encoder()

    def rebuild_now(reason: str) -> IndexManifest:
        print(f"retrieval: building index in {index_dir} ({reason})", file=sys.stderr)
        build_index(Path(seeds_dir), index_dir, encoder, show_progress=show_progress)
        return store.read_manifest(cur)

    try:
        manifest = store.read_manifest(cur)
    except (store.IndexMissingError, store.IndexCorruptError) as e:
        if not can_rebuild:
            raise
        manifest = rebuild_now("no index yet" if isinstance(e, store.IndexMissingError) else str(e))
    reasons = stale_reasons(manifest, encoder.model_id, encoder.dim, fingerprint)
    if reasons:
        if not can_rebuild:
            raise store.IndexStaleError(
                f"index at {cur} does not match: {'; '.join(reasons)}. Rebuild it with "
                "`python -m retrieval build` (or open it with seeds_dir and rebuild=True)")
        manifest = rebuild_now("; ".join(reasons))
    from retrieval.searcher import STORES

    if store_kind not in STORES:
        raise ValueError(f"unknown store {store_kind!r}; valid: {', '.join(STORES)}")
    try:
        retriever = load_retriever(cur, manifest, encoder, index_dir, fusion)
    except store.IndexCorruptError as e:
        if not can_rebuild:
            raise
        retriever = load_retriever(cur, rebuild_now(str(e)), encoder, index_dir, fusion)
    if store_kind == "milvus":
        from retrieval.milvus import MilvusConfig, default_uri

        retriever.attach_milvus(MilvusConfig(milvus_uri or default_uri(index_dir)))
    return retriever


def _read_published_state(index_dir: Path, manifest: IndexManifest) -> _State:
    """The segmented index published under ``index_dir`` (its head described by
    ``manifest``), for a reader that holds no lock.

    Raises:
        IndexCorruptError: a file is missing, altered or inconsistent.
    """
    cur = store.current_dir(index_dir)
    for attempt in range(3):
        try:
            return _read_state(index_dir, cur, manifest, manifest.bm25_scheme, check_parser=False)
        except store.IndexCorruptError:
            # a writer may have published a new head (and collected the segments of this
            # one) between our reading its manifest and its segments: read the new one
            try:
                latest = store.read_manifest(cur)
            except store.RetrievalIndexError:
                latest = None
            if attempt == 2 or latest is None or latest == manifest:
                raise
            manifest = latest
    raise AssertionError("unreachable")


def read_published(index_dir: Path) -> tuple[IndexManifest, tuple[Article, ...], tuple[Passage, ...], np.ndarray]:
    """``(manifest, articles, passages, vectors (n, dim) float32)`` of the index published
    under ``index_dir``, in either layout (segmented, or ``build_index``'s single
    directory); row i of ``vectors`` embeds ``passages[i]``.  For copying an index
    elsewhere (``retrieval.milvus.migrate_index``); no encoder needed.

    Raises:
        IndexMissingError: no index.  IndexCorruptError: a damaged one (names the file).
    """
    index_dir = Path(index_dir)
    cur = store.current_dir(index_dir)
    manifest = store.read_manifest(cur)
    if segments.is_segmented(cur):
        state = _read_published_state(index_dir, manifest)
        v = state.view
        return state.manifest, v.articles, v.passages, np.asarray(v.vectors)
    store.verify_files(cur, manifest)
    vectors, _ = store.read_embeddings(cur)
    return manifest, store.read_articles(cur), store.read_passages(cur), vectors


def load_retriever(cur: Path, manifest: IndexManifest, encoder: Encoder, index_dir: Path | None = None,
                   fusion=None) -> Retriever:
    """A Retriever over the published index in ``cur`` (files checked against ``manifest``):
    a segmented index of ``IndexManager`` or the single directory of ``build_index``.

    Raises:
        IndexCorruptError: a file is missing, altered or inconsistent (names it).
        IndexStaleError: a segmented index parsed by another parser version.
    """
    cur = Path(cur)
    if segments.is_segmented(cur):
        state = _read_published_state(Path(index_dir) if index_dir is not None else cur.parent, manifest)
        manifest = state.manifest
        comps = _components(state, 0, state.passage_count)
        corpus = _corpus(state, manifest.corpus_fingerprint)
        return _retriever(state, corpus, encoder, comps, manifest, index_dir, fusion)
    store.verify_files(cur, manifest)
    articles = store.read_articles(cur)
    passages = store.read_passages(cur)
    if len(passages) != manifest.passage_count or len(articles) != manifest.article_count:
        raise store.IndexCorruptError(cur / store.PASSAGES,
                                      f"holds {len(passages)} passages / {len(articles)} articles, "
                                      f"manifest says {manifest.passage_count} / {manifest.article_count}")
    vectors, meta = store.read_embeddings(cur)
    faiss_path = cur / store.FAISS_FILE
    try:
        dense = DenseIndex.load(faiss_path)
    except (RuntimeError, OSError) as e:
        raise store.IndexCorruptError(faiss_path, f"FAISS cannot read it ({str(e).strip().splitlines()[-1]})") from None
    bm25_dir = cur / store.BM25_DIR
    try:
        lexical = LexicalIndex.load(bm25_dir)
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise store.IndexCorruptError(bm25_dir, f"BM25 index unreadable ({e})") from None
    comps = Components(vectors, list(meta["hashes"]), dense, lexical, 0, len(passages))
    corpus = Corpus(articles=articles, passages=passages, fingerprint=manifest.corpus_fingerprint)
    try:
        return Retriever(corpus, encoder, comps, manifest, index_dir, fusion)
    except ValueError as e:
        raise store.IndexCorruptError(cur, str(e)) from None
