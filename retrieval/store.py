"""On-disk layout of the index, atomic publication, and checked loading.

Layout (``index_dir`` is ``<repo>/index`` by default; its committed ``README.md`` is
never touched)::

    index_dir/
      README.md            committed, left alone
      current/             the live index (replaced as a whole by each build); for an
                           index of ``retrieval.index.IndexManager``, only a small head
                           (manifest, segments.json, documents.json) over the immutable
                           segments in ``segments/`` (layout: ``retrieval.segments``);
                           ``build_index`` writes the single directory below
        manifest.json      IndexManifest, written last; sha256 of every other file
        articles.jsonl     one Article.to_dict() per line
        passages.jsonl     one Passage.to_dict() per line (row i = vector i = BM25 doc i)
        dense.faiss        FAISS index
        embeddings.npy     (n, dim) float32, L2-normalised passage vectors
        embeddings.json    {model_id, dim, hashes: sha256 of each embedded text}
        bm25/              bm25s files + lexical.json
      .build.lock          flock held by the one writer (build, add, remove)
      .current.tmp-*/      a build in progress (removed on success or failure)
      .embeddings/         vectors of builds in progress, by model (resume after a crash)
      segments/            the segments of a segmented index (``retrieval.segments``)

Atomicity (``retrieval.atomic``): a build writes a complete index into
``index_dir/.current.tmp-<random>/`` then publishes it with two ``os.rename`` calls
(``current`` → ``.current.old-<random>``, tmp → ``current``) and deletes the old one.  A
crash before publication leaves ``current`` untouched; between the two renames
(microseconds) ``current`` is briefly absent and ``recover_interrupted_swap`` puts the old
one back on the next open, and deletes temp directories that a crashed build left.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from corpus.types import Article, Passage
from retrieval import atomic
from retrieval.manifest import IndexManifest

CURRENT = "current"
BUILD_LOCK = ".build.lock"
MANIFEST = "manifest.json"
ARTICLES = "articles.jsonl"
PASSAGES = "passages.jsonl"
FAISS_FILE = "dense.faiss"
EMBEDDINGS = "embeddings.npy"
EMBEDDINGS_META = "embeddings.json"
BM25_DIR = "bm25"


class RetrievalIndexError(Exception):
    """Base class of the index errors below."""


class IndexMissingError(RetrievalIndexError, FileNotFoundError):
    """No index at the given directory (and it could not be built)."""


class IndexCorruptError(RetrievalIndexError, ValueError):
    """A file of the index is missing, unreadable or does not match the manifest.

    Attributes:
        path: the offending file.
    """

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        super().__init__(f"corrupt index file {self.path}: {reason}. "
                         "Rebuild it with `python -m retrieval build`.")


class IndexStaleError(RetrievalIndexError, ValueError):
    """The index does not match the encoder or corpus, and no rebuild was possible."""


def current_dir(index_dir: Path) -> Path:
    """The directory holding the live index inside ``index_dir``."""
    return Path(index_dir) / CURRENT


def sha256_file(path: Path) -> str:
    """sha256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def text_hash(text: str) -> str:
    """sha256 hex of a text (UTF-8): the key of the embeddings cache."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_jsonl(path: Path, records: Iterator[dict[str, Any]] | list[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False))
            f.write("\n")


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    out = []
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise IndexCorruptError(path, f"line {line_no} is not JSON ({e.msg})") from None
    return out


def list_files(directory: Path) -> list[str]:
    """Relative POSIX paths of all files under ``directory`` except the manifest, sorted."""
    directory = Path(directory)
    manifest = directory / MANIFEST
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*")
                  if p.is_file() and p != manifest)


def file_hashes(directory: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of every file under ``directory`` but ``manifest.json``."""
    directory = Path(directory)
    return {rel: sha256_file(directory / rel) for rel in list_files(directory)}


def write_manifest(directory: Path, manifest: IndexManifest) -> None:
    (Path(directory) / MANIFEST).write_text(
        json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")


def read_manifest(directory: Path) -> IndexManifest:
    """Read ``directory/manifest.json``.

    Raises:
        IndexMissingError: the directory or its manifest does not exist.
        IndexCorruptError: the manifest is not valid JSON or lacks fields.
    """
    path = Path(directory) / MANIFEST
    if not Path(directory).is_dir():
        raise IndexMissingError(f"no index at {directory}: build it with `python -m retrieval build`")
    if not path.is_file():
        raise IndexMissingError(f"no index at {directory} ({MANIFEST} missing): "
                                "build it with `python -m retrieval build`")
    try:
        return IndexManifest.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError, TypeError) as e:
        raise IndexCorruptError(path, f"not a valid manifest ({e})") from None


def verify_files(directory: Path, manifest: IndexManifest) -> None:
    """Check every file listed in the manifest exists with the recorded sha256.

    Raises:
        IndexCorruptError: naming the first missing or altered file.
    """
    directory = Path(directory)
    for rel, digest in sorted(manifest.files.items()):
        path = directory / rel
        if not path.is_file():
            raise IndexCorruptError(path, "file missing")
        if sha256_file(path) != digest:
            raise IndexCorruptError(path, "contents differ from the manifest's checksum")


def read_articles(directory: Path) -> tuple[Article, ...]:
    path = Path(directory) / ARTICLES
    try:
        return tuple(Article.from_dict(d) for d in _read_jsonl(path))
    except (TypeError, KeyError) as e:
        raise IndexCorruptError(path, f"bad article record ({e})") from None


def read_passages(directory: Path) -> tuple[Passage, ...]:
    path = Path(directory) / PASSAGES
    try:
        return tuple(Passage.from_dict(d) for d in _read_jsonl(path))
    except (TypeError, KeyError) as e:
        raise IndexCorruptError(path, f"bad passage record ({e})") from None


def write_embeddings(directory: Path, vectors: np.ndarray, hashes: list[str], model_id: str) -> None:
    """Write the passage vectors and the hashes of the texts they embed (the cache)."""
    directory = Path(directory)
    np.save(directory / EMBEDDINGS, np.ascontiguousarray(vectors, dtype=np.float32), allow_pickle=False)
    meta = {"model_id": model_id, "dim": int(vectors.shape[1]) if vectors.ndim == 2 else 0,
            "hashes": hashes}
    (directory / EMBEDDINGS_META).write_text(json.dumps(meta), encoding="utf-8")


def read_embeddings(directory: Path) -> tuple[np.ndarray, dict[str, Any]]:
    """Read ``(vectors, meta)``.

    Raises:
        IndexCorruptError: unreadable or inconsistent files.
    """
    directory = Path(directory)
    path = directory / EMBEDDINGS
    try:
        vectors = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise IndexCorruptError(path, f"not a readable .npy array ({e})") from None
    meta_path = directory / EMBEDDINGS_META
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        hashes = meta["hashes"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise IndexCorruptError(meta_path, f"not valid embeddings metadata ({e})") from None
    if vectors.ndim != 2 or vectors.dtype != np.float32 or len(hashes) != vectors.shape[0]:
        raise IndexCorruptError(path, f"shape {vectors.shape} / dtype {vectors.dtype} do not fit "
                                      f"{len(hashes)} hashes")
    return vectors, meta


def load_embedding_cache(index_dir: Path, model_id: str, dim: int) -> dict[str, np.ndarray]:
    """``{text hash: vector}`` from the live index when it was built with the same model,
    else empty.  Never raises: a damaged cache only means re-embedding."""
    try:
        vectors, meta = read_embeddings(current_dir(index_dir))
    except (IndexCorruptError, OSError):
        return {}
    if meta.get("model_id") != model_id or vectors.shape[1] != dim:
        return {}
    return {h: vectors[i] for i, h in enumerate(meta["hashes"])}


def new_temp_dir(index_dir: Path) -> Path:
    """Create and return an empty build directory ``index_dir/.current.tmp-<random>``."""
    return atomic.new_temp_dir(current_dir(index_dir))


def build_lock(index_dir: Path):
    """Context manager: an exclusive ``flock`` on ``index_dir/.build.lock`` (one writer at a
    time, across threads and processes; released by the kernel if the holder dies)."""
    return atomic.file_lock(Path(index_dir) / BUILD_LOCK)


def publish(tmp: Path, index_dir: Path) -> None:
    """Make the finished build in ``tmp`` the live index (``retrieval.atomic.replace_dir``)."""
    atomic.replace_dir(tmp, current_dir(index_dir))


def recover_interrupted_swap(index_dir: Path) -> list[Path]:
    """Undo a publication interrupted between its two renames (``current`` missing, a
    complete old copy beside it) and delete leftover temp/old directories (of builds that
    crashed).  Only done when no writer holds the build lock (a live writer's temp
    directory is never touched); returns the paths removed.
    """
    index_dir = Path(index_dir)
    if not index_dir.is_dir():
        return []
    with atomic.try_file_lock(index_dir / BUILD_LOCK) as got:
        return recover_locked(index_dir) if got else []


def recover_locked(index_dir: Path) -> list[Path]:
    """``recover_interrupted_swap`` for a caller that holds ``build_lock`` already; also
    deletes the segments the live head does not list (``segments.collect_garbage``)."""
    index_dir = Path(index_dir)
    if not index_dir.is_dir():
        return []
    for legacy in sorted(index_dir.glob(".old-*")) + sorted(index_dir.glob(".tmp-*")):
        # directories named by earlier versions: .old-<x> / .tmp-<x>
        legacy.rename(index_dir / f".{CURRENT}.{legacy.name[1:4]}-{legacy.name[5:]}")
    removed = atomic.recover_dir(current_dir(index_dir), lambda p: (p / MANIFEST).is_file())
    from retrieval.segments import collect_garbage  # segments build on this module

    return removed + collect_garbage(index_dir)
