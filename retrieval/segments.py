"""Immutable index segments on disk, the head that lists them, merging, and the
compaction policy (a log-structured index, as Lucene's and Milvus's).

Layout under ``index_dir`` (beside ``retrieval.store``'s ``current/``, which here is the
*head*)::

    index_dir/
      current/                 the head, published atomically (retrieval.atomic.replace_dir)
        manifest.json          IndexManifest; sha256 of the head's other files
        segments.json          [{id, sha256 of its segment.json, deleted_passages, deleted_articles}]
        documents.json         the documents table (retrieval.index)
      segments/<id>/           one immutable segment, written before any head names it
        segment.json           counts, model, scheme, sha256 of every other file (written last)
        articles.jsonl passages.jsonl embeddings.npy embeddings.json dense.faiss postings.npz
      segments/.tmp-<id>/      a segment being written (renamed to <id> when complete)

Commit point: the head swap.  A segment directory is complete before it is renamed into
place, and it is renamed before the head that references it is published; a crash at
any point leaves the previous head and all its segments intact.  ``collect_garbage``
(called by ``retrieval.store.recover_locked`` under the writers' lock) deletes the
segment directories no head references and the half-written ones.

Tombstones: a removed document's rows stay in their segment and are listed in the head
(``deleted_passages`` / ``deleted_articles``, local rows of that segment); searches skip
them (``retrieval.segmented``).  A segment whose rows are all deleted is dropped from the
head at once.

Compaction (``plan_compaction``, run by ``retrieval.index`` after each publication; each
merge builds from stored vectors and postings, nothing is re-embedded or re-tokenised):

1. *purge*: a segment whose tombstones exceed ``TOMBSTONE_FRACTION`` (10 %) of its rows
   is rewritten without them (its FAISS index rebuilt from the stored vectors: HNSW
   cannot delete).  Cost ∝ that segment, paid once per 10 % of it deleted.
2. *merge into the largest*: when the segments other than the largest hold more than
   ``SMALL_FRACTION`` (10 %) of the live passages, they are appended to the largest: its
   FAISS index gets their vectors added (FAISS adds incrementally to flat and HNSW), its
   tombstones are carried over, and the postings are merged.  Cost: FAISS ∝ the small
   segments; postings merge and file writes ∝ the corpus, paid once per 10 % growth.
3. *tiered merge*: when there are more than ``MAX_SEGMENTS`` (10) segments, the
   ``MERGE_FACTOR`` (8) smallest are merged into one (cost ∝ their size; sizes form
   tiers, as in a size-tiered LSM tree).

So the amortised cost per added passage is a constant, and a search visits at most
``MAX_SEGMENTS`` segments.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from corpus.types import Article, Passage
from retrieval import store
from retrieval.backend import RowMeta, row_metadata
from retrieval.dense import EXACT_MAX_VECTORS, DenseIndex
from retrieval.segmented import Postings, RowVectors, SegmentedDense, SegmentedLexical

SEGMENTS_DIR = "segments"
SEGMENTS_FILE = "segments.json"
SEGMENT_META = "segment.json"
POSTINGS = "postings.npz"

TOMBSTONE_FRACTION = 0.10
SMALL_FRACTION = 0.10
MAX_SEGMENTS = 10
MERGE_FACTOR = 8


def new_segment_id() -> str:
    """A fresh segment id, sortable by creation time: ``<ns since epoch>-<random>``."""
    return f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"


@dataclass
class Segment:
    """One immutable segment in memory (row i = passage i = vector i = postings doc i).

    Attributes:
        id: its directory name under ``segments/``.
        articles, passages: in order, every passage's article in this segment.
        vectors: ``(n, dim)`` float32 L2-normalised; hashes: sha256 of each embedded text.
        dense: FAISS over ``vectors``; postings: the passages' bag of words.
        sha256: of its ``segment.json`` once written ("" before).
    """

    id: str
    articles: tuple[Article, ...]
    passages: tuple[Passage, ...]
    vectors: np.ndarray
    hashes: list[str]
    dense: DenseIndex
    postings: Postings
    sha256: str = ""
    _by_source: dict | None = field(default=None, repr=False)
    _meta: list[RowMeta] | None = field(default=None, repr=False)
    _row_of_hash: dict[str, int] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        n = len(self.passages)
        if not (self.vectors.shape[0] == len(self.hashes) == self.dense.ntotal == self.postings.n_docs == n):
            raise ValueError(f"segment {self.id}: {n} passages, {self.vectors.shape[0]} vectors, "
                             f"{self.dense.ntotal} FAISS entries, {self.postings.n_docs} postings rows")

    @property
    def row_of_hash(self) -> dict[str, int]:
        """``{sha256 of an embedded text: its row}`` (built once; the embeddings cache)."""
        if self._row_of_hash is None:
            self._row_of_hash = {h: i for i, h in enumerate(self.hashes)}
        return self._row_of_hash

    def row_meta(self) -> list[RowMeta]:
        """The filterable metadata of every row (``retrieval.backend.row_metadata``; computed
        once: a document's articles are in the same segment as its passages)."""
        if self._meta is None:
            self._meta = row_metadata(self.passages, self.articles)
        return self._meta

    def rows_of(self, source: str) -> tuple[np.ndarray, np.ndarray]:
        """``(passage rows, article rows)`` of one source document in this segment."""
        if self._by_source is None:
            by: dict[str, tuple[list[int], list[int]]] = {}
            for i, p in enumerate(self.passages):
                by.setdefault(p.source, ([], []))[0].append(i)
            for i, a in enumerate(self.articles):
                by.setdefault(a.source, ([], []))[1].append(i)
            self._by_source = {k: (np.array(p, np.int64), np.array(a, np.int64)) for k, (p, a) in by.items()}
        empty = np.zeros(0, np.int64)
        return self._by_source.get(source, (empty, empty))


@dataclass(frozen=True)
class SegmentRef:
    """A segment as the head lists it: the segment and its tombstones (sorted local rows)."""

    segment: Segment
    deleted_passages: np.ndarray
    deleted_articles: np.ndarray

    @property
    def live_passages(self) -> int:
        return len(self.segment.passages) - int(self.deleted_passages.size)

    def with_deleted(self, passages: np.ndarray, articles: np.ndarray) -> "SegmentRef":
        return SegmentRef(self.segment, np.union1d(self.deleted_passages, passages).astype(np.int64),
                          np.union1d(self.deleted_articles, articles).astype(np.int64))


def _alive(n: int, dead: np.ndarray) -> np.ndarray:
    keep = np.ones(n, dtype=bool)
    keep[dead] = False
    return keep


@dataclass
class LiveView:
    """What a Retriever searches: the live rows of a list of segments, in segment order
    (``vectors``: a ``RowVectors`` over the segments' arrays)."""

    articles: tuple[Article, ...]
    passages: tuple[Passage, ...]
    vectors: RowVectors
    hashes: list[str]
    dense: SegmentedDense
    lexical: SegmentedLexical
    meta: list[RowMeta]


def live_view(refs: Sequence[SegmentRef], dim: int, scheme: str) -> LiveView:
    """The live rows of ``refs`` (tombstones left out) and their search structures.  Cost
    ∝ rows, in references only: the vectors are read in place (``RowVectors``), nothing
    is copied or re-indexed."""
    articles: list[Article] = []
    passages: list[Passage] = []
    hashes, meta = [], []
    for r in refs:
        s = r.segment
        if r.deleted_passages.size or r.deleted_articles.size:
            kp = _alive(len(s.passages), r.deleted_passages)
            ka = _alive(len(s.articles), r.deleted_articles)
            passages.extend(p for p, k in zip(s.passages, kp) if k)
            articles.extend(a for a, k in zip(s.articles, ka) if k)
            hashes.extend(h for h, k in zip(s.hashes, kp) if k)
            meta.extend(m for m, k in zip(s.row_meta(), kp) if k)
        else:
            passages.extend(s.passages)
            articles.extend(s.articles)
            hashes.extend(s.hashes)
            meta.extend(s.row_meta())
    dead = [r.deleted_passages for r in refs]
    vecs = RowVectors([r.segment.vectors for r in refs], dead, dim)
    return LiveView(tuple(articles), tuple(passages), vecs, hashes,
                    SegmentedDense([r.segment.dense for r in refs], dead, dim),
                    SegmentedLexical([r.segment.postings for r in refs], dead, scheme), meta)


# --------------------------------------------------------------------------- disk


def segments_root(index_dir: Path) -> Path:
    return Path(index_dir) / SEGMENTS_DIR


def write_segment(index_dir: Path, seg: Segment, model_id: str, scheme: str) -> str:
    """Write ``seg`` as ``segments/<id>/`` (temp directory, then one rename); returns the
    sha256 of its ``segment.json`` (also set on ``seg.sha256``)."""
    root = segments_root(index_dir)
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{seg.id}"
    tmp.mkdir()
    try:
        store.write_jsonl(tmp / store.ARTICLES, (a.to_dict() for a in seg.articles))
        store.write_jsonl(tmp / store.PASSAGES, (p.to_dict() for p in seg.passages))
        store.write_embeddings(tmp, seg.vectors, seg.hashes, model_id)
        seg.dense.save(tmp / store.FAISS_FILE)
        seg.postings.save(tmp / POSTINGS)
        meta = {"id": seg.id, "passages": len(seg.passages), "articles": len(seg.articles),
                "model_id": model_id, "bm25_scheme": scheme, "files": store.file_hashes(tmp)}
        data = json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8")
        (tmp / SEGMENT_META).write_bytes(data)
        os.replace(tmp, root / seg.id)  # os.replace: not the head's rename (tests patch that one)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    seg.sha256 = hashlib.sha256(data).hexdigest()
    return seg.sha256


def read_segment(index_dir: Path, seg_id: str, sha256: str, model_id: str) -> Segment:
    """Load ``segments/<seg_id>/`` and check it against ``sha256`` (of its
    ``segment.json``) and the checksums that file records.

    Raises:
        IndexCorruptError: a file is missing (also: deleted while being read),
            altered, unreadable or inconsistent.
        IndexStaleError: written with another model.
    """
    d = segments_root(index_dir) / seg_id
    try:
        return _read_segment(d, seg_id, sha256, model_id)
    except OSError as e:
        raise store.IndexCorruptError(d, f"unreadable ({e})") from None


def _read_segment(d: Path, seg_id: str, sha256: str, model_id: str) -> Segment:
    meta_path = d / SEGMENT_META
    try:
        data = meta_path.read_bytes()
    except OSError:
        raise store.IndexCorruptError(meta_path, "segment missing") from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise store.IndexCorruptError(meta_path, "contents differ from the head's checksum")
    try:
        meta = json.loads(data)
        meta["files"].items()
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise store.IndexCorruptError(meta_path, f"not a segment description ({e})") from None
    if meta.get("model_id") != model_id:
        raise store.IndexStaleError(f"segment {seg_id} embedded by {meta.get('model_id')!r}, not {model_id!r}")
    for rel, digest in sorted(meta["files"].items()):
        if not (d / rel).is_file():
            raise store.IndexCorruptError(d / rel, "file missing")
        if store.sha256_file(d / rel) != digest:
            raise store.IndexCorruptError(d / rel, "contents differ from the segment's checksum")
    vectors, emb = store.read_embeddings(d)
    try:
        dense = DenseIndex.load(d / store.FAISS_FILE)
    except (RuntimeError, OSError) as e:
        raise store.IndexCorruptError(d / store.FAISS_FILE, f"FAISS cannot read it ({e})") from None
    try:
        postings = Postings.load(d / POSTINGS)
    except (OSError, ValueError, KeyError) as e:
        raise store.IndexCorruptError(d / POSTINGS, f"postings unreadable ({e})") from None
    try:
        return Segment(seg_id, store.read_articles(d), store.read_passages(d), vectors, list(emb["hashes"]),
                       dense, postings, sha256)
    except ValueError as e:
        raise store.IndexCorruptError(d, str(e)) from None


def write_head_segments(directory: Path, refs: Sequence[SegmentRef]) -> None:
    """Write ``segments.json`` (the segment list and tombstones) into a head directory."""
    rows = [{"id": r.segment.id, "sha256": r.segment.sha256,
             "deleted_passages": r.deleted_passages.tolist(), "deleted_articles": r.deleted_articles.tolist()}
            for r in refs]
    (Path(directory) / SEGMENTS_FILE).write_text(json.dumps({"segments": rows}), encoding="utf-8")


def is_segmented(head: Path) -> bool:
    """Whether the head directory ``head`` is a segmented index (else the single-directory
    layout of ``retrieval.build.build_index`` or of earlier versions of the manager)."""
    return (Path(head) / SEGMENTS_FILE).is_file()


def read_head_segments(index_dir: Path, head: Path, model_id: str,
                       known: dict[str, Segment] | None = None) -> list[SegmentRef]:
    """The segments a head lists, loaded (or taken from ``known``, by id: segments are
    immutable, so an already loaded one is not read again).

    Raises:
        IndexCorruptError / IndexStaleError: see ``read_segment``; a malformed list.
    """
    path = Path(head) / SEGMENTS_FILE
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))["segments"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise store.IndexCorruptError(path, f"not a segment list ({e})") from None
    refs = []
    for row in rows:
        seg = (known or {}).get(row["id"])
        if seg is None or seg.sha256 != row["sha256"]:
            seg = read_segment(index_dir, row["id"], row["sha256"], model_id)
        dp = np.asarray(row["deleted_passages"], dtype=np.int64)
        da = np.asarray(row["deleted_articles"], dtype=np.int64)
        if (dp.size and (dp.min() < 0 or dp.max() >= len(seg.passages))) or \
                (da.size and (da.min() < 0 or da.max() >= len(seg.articles))):
            raise store.IndexCorruptError(path, f"tombstones outside segment {seg.id}")
        refs.append(SegmentRef(seg, dp, da))
    return refs


def collect_garbage(index_dir: Path) -> list[Path]:
    """Delete segment directories that the published head does not list (left by a crash,
    or merged away) and half-written ones.  Call under the writers' lock only.  With no
    segmented head (none yet, or another layout), every segment directory goes."""
    root = segments_root(index_dir)
    if not root.is_dir():
        return []
    head = store.current_dir(index_dir)
    keep: set[str] = set()
    if is_segmented(head):
        try:
            keep = {r["id"] for r in json.loads((head / SEGMENTS_FILE).read_text(encoding="utf-8"))["segments"]}
        except (OSError, ValueError, KeyError, TypeError):
            return []  # an unreadable head: delete nothing (a rebuild will replace it)
    removed = []
    for p in sorted(root.iterdir()):
        if p.name not in keep:
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink()
            removed.append(p)
    return removed


# --------------------------------------------------------------------------- merging


def merge(refs: Sequence[SegmentRef], dim: int, append_to_first: bool) -> SegmentRef:
    """One new segment from the live rows of ``refs`` (stored vectors and postings: nothing
    re-embedded or re-tokenised).

    Args:
        append_to_first: keep every row of ``refs[0]`` (its tombstones carried over) and
            add the others' live vectors to a copy of its FAISS index (incremental;
            ``DenseIndex.with_added``).  Otherwise tombstoned rows are dropped and FAISS is
            built from the kept vectors (``DenseIndex.build``: flat or HNSW by size).
    """
    base = refs[0].segment
    total = sum(len(r.segment.passages) if k == 0 else r.live_passages for k, r in enumerate(refs))
    if append_to_first and not (base.dense.kind == "hnsw-ip" or total <= EXACT_MAX_VECTORS):
        append_to_first = False  # a flat index grown past EXACT_MAX_VECTORS: rebuilt as HNSW
    keeps_p, keeps_a = [], []
    for k, r in enumerate(refs):
        s = r.segment
        if append_to_first and k == 0:
            keeps_p.append(np.arange(len(s.passages))), keeps_a.append(np.arange(len(s.articles)))
        else:
            keeps_p.append(np.flatnonzero(_alive(len(s.passages), r.deleted_passages)))
            keeps_a.append(np.flatnonzero(_alive(len(s.articles), r.deleted_articles)))
    passages = tuple(r.segment.passages[i] for r, kp in zip(refs, keeps_p) for i in kp)
    articles = tuple(r.segment.articles[i] for r, ka in zip(refs, keeps_a) for i in ka)
    vectors = np.concatenate([r.segment.vectors[kp] for r, kp in zip(refs, keeps_p)]).astype(np.float32)
    hashes = [r.segment.hashes[i] for r, kp in zip(refs, keeps_p) for i in kp]
    postings = Postings.merge([(r.segment.postings, kp) for r, kp in zip(refs, keeps_p)])
    if append_to_first:
        dense = base.dense.with_added(vectors[len(base.passages):])
        dead_p, dead_a = refs[0].deleted_passages, refs[0].deleted_articles
    else:
        dense = DenseIndex.build(vectors, dim)
        dead_p = dead_a = np.zeros(0, np.int64)
    seg = Segment(new_segment_id(), articles, passages, vectors, hashes, dense, postings)
    return SegmentRef(seg, dead_p, dead_a)


@dataclass(frozen=True)
class CompactionPlan:
    """One compaction step: merge the segments at ``positions`` (indexes into the head's
    list) into one placed at the first of them; ``rule`` is ``purge``, ``into-largest``
    or ``tiered`` (module docstring); ``append_to_first``: see ``merge``."""

    rule: str
    positions: tuple[int, ...]
    append_to_first: bool


def plan_compaction(refs: Sequence[SegmentRef], force: bool = False) -> CompactionPlan | None:
    """The compaction the policy of the module docstring asks for now, or None.

    Args:
        force: merge everything into one segment without tombstones (a full rebuild from
            stored vectors), whatever the thresholds.
    """
    if not refs:
        return None
    if force:
        if len(refs) == 1 and not refs[0].deleted_passages.size and not refs[0].deleted_articles.size:
            return None
        return CompactionPlan("full", tuple(range(len(refs))), False)
    for i, r in enumerate(refs):
        if r.deleted_passages.size > TOMBSTONE_FRACTION * len(r.segment.passages):
            return CompactionPlan("purge", (i,), False)
    live = [r.live_passages for r in refs]
    largest = int(np.argmax(live))
    total = sum(live)
    if len(refs) > 1 and total - live[largest] > SMALL_FRACTION * total:
        order = (largest,) + tuple(i for i in range(len(refs)) if i != largest)
        return CompactionPlan("into-largest", order, True)
    if len(refs) > MAX_SEGMENTS:
        smallest = sorted(range(len(refs)), key=lambda i: (live[i], i))[:MERGE_FACTOR]
        return CompactionPlan("tiered", tuple(sorted(smallest)), False)
    return None


def apply_plan(refs: Sequence[SegmentRef], plan: CompactionPlan, dim: int) -> list[SegmentRef]:
    """The head's new segment list after ``plan`` (the merged segment is not yet written)."""
    merged = merge([refs[i] for i in plan.positions], dim, plan.append_to_first)
    at = min(plan.positions)
    out = []
    for i, r in enumerate(refs):
        if i == at:
            out.append(merged)
        elif i not in plan.positions:
            out.append(r)
    return out
