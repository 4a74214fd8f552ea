"""The corpus stage end to end: seeds directory -> Articles and Passages.

``load_corpus`` = :func:`corpus.loaders.read_documents` -> :func:`corpus.segment.segment_document`
-> :func:`corpus.chunk.chunk_article`; a file that cannot be loaded is skipped and listed in
``Corpus.errors``.  ``parse_file`` does the same for one file (the index manager adds and
re-indexes documents file by file).  ``corpus_fingerprint`` identifies the input cheaply
(no parsing) so that an index can tell whether it is stale.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from corpus.chunk import chunk_article
from corpus.loaders import SUPPORTED_SUFFIXES, corpus_files, file_format, load_file, read_documents
from corpus.segment import segment_document
from corpus.types import Article, Corpus, Passage

__all__ = ["PARSER_VERSION", "Corpus", "ParsedFile", "corpus_fingerprint", "file_sha256", "fingerprint_of",
           "load_corpus", "parse_file"]

#: Bump when loading/cleaning/segmenting/chunking changes its output, so fingerprints
#: (and thus indexes built from them) change too.
PARSER_VERSION = "corpus-4"


def file_sha256(path: Path) -> str:
    """sha256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def corpus_fingerprint(seeds_dir: Path) -> str:
    """SHA-256 hex digest over ``PARSER_VERSION`` and, for every supported corpus file in
    sorted order, its relative path and the sha256 of its bytes (``fingerprint_of``).
    Unsupported and hidden files are ignored (they are not loaded either).  ``max_chars``
    is not part of it.

    Raises:
        FileNotFoundError: ``seeds_dir`` is missing or not a directory.
    """
    seeds_dir = Path(seeds_dir)
    if not seeds_dir.is_dir():
        raise FileNotFoundError(f"seeds directory not found: {seeds_dir}")
    return fingerprint_of({p.relative_to(seeds_dir).as_posix(): file_sha256(p) for p in corpus_files(seeds_dir)[0]})


def fingerprint_of(file_hashes: dict[str, str]) -> str:
    """``corpus_fingerprint`` from ``{relative POSIX path: sha256 of the file}`` (what the
    index manager's documents table records, so that it need not read the files again)."""
    h = hashlib.sha256()
    h.update(PARSER_VERSION.encode())
    for rel in sorted(file_hashes):
        h.update(b"\0" + rel.encode() + b"\0" + file_hashes[rel].encode())
    return h.hexdigest()


def _chunk_all(articles: list[Article], max_chars: int) -> list[Passage]:
    passages: list[Passage] = []
    for a in articles:
        passages.extend(chunk_article(a, max_chars=max_chars))
    return passages


@dataclass(frozen=True)
class ParsedFile:
    """One corpus file parsed on its own (what the documents table shows).

    Attributes:
        source: path relative to the seeds directory (POSIX), the document's name.
        format: :func:`corpus.loaders.file_format` (``"pdf"``, ``"text"``, ...).
        articles, passages: what it yields (empty on error).
        characters: characters of article text (``sum(len(a.text))``).
        sha256: of the file's bytes.
        error: why it could not be loaded (None when it loaded).
    """

    source: str
    format: str
    articles: tuple[Article, ...]
    passages: tuple[Passage, ...]
    characters: int
    sha256: str
    error: str | None = None


def parse_file(path: Path, seeds_dir: Path, max_chars: int = 300) -> ParsedFile:
    """Load, clean, segment and chunk one file of ``seeds_dir``; never raises for a bad
    file (unreadable, undecodable, gibberish, no text layer, unsupported type, no article
    text): ``error`` says why instead.

    Raises:
        FileNotFoundError: ``path`` does not exist.
    """
    path, seeds_dir = Path(path), Path(seeds_dir)
    rel = path.relative_to(seeds_dir).as_posix()
    digest = file_sha256(path)
    fmt = file_format(path)
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return ParsedFile(rel, fmt, (), (), 0, digest,
                          f"unsupported file type {path.suffix or '(none)'}; supported: "
                          + " ".join(SUPPORTED_SUFFIXES))
    try:
        docs = load_file(path, seeds_dir)
    except (ValueError, OSError) as e:
        reason = str(e)
        reason = reason[len(rel) + 2:] if reason.startswith(rel + ": ") else reason
        return ParsedFile(rel, fmt, (), (), 0, digest, reason)
    articles: list[Article] = []
    for d in docs:
        articles.extend(segment_document(d))
    if not articles:
        return ParsedFile(rel, fmt, (), (), 0, digest, "no article text found (empty file?)")
    passages = _chunk_all(articles, max_chars)
    return ParsedFile(rel, fmt, tuple(articles), tuple(passages),
                      sum(len(a.text) for a in articles), digest)


def load_corpus(seeds_dir: Path, max_chars: int = 300) -> Corpus:
    """Load, clean, segment and chunk every corpus file of ``seeds_dir``.

    A file that cannot be loaded is skipped and listed in ``Corpus.errors`` (a warning is
    logged): one bad file never stops the rest.

    Args:
        seeds_dir: folder of corpus files (see :mod:`corpus.loaders`).
        max_chars: passage length limit in characters (see :mod:`corpus.chunk`).
    Returns:
        The Corpus (deterministic: the same files give the same ids and texts).
    Raises:
        FileNotFoundError: ``seeds_dir`` missing.
        ValueError: the folder yields no article at all (message lists the files and the
            errors).
    """
    seeds_dir = Path(seeds_dir)
    fingerprint = corpus_fingerprint(seeds_dir)
    docs, errors = read_documents(seeds_dir)
    articles: list[Article] = []
    for d in docs:
        articles.extend(segment_document(d))
    if not articles:
        sup, unsup = corpus_files(seeds_dir)
        found = ", ".join(p.name for p in sup + unsup) or "no files"
        why = "; ".join(str(e) for e in errors)
        raise ValueError(
            f"no articles in {seeds_dir} (found: {found}{'; ' + why if why else ''}); "
            f"supported: {' '.join(SUPPORTED_SUFFIXES)}"
        )
    ids = [a.id for a in articles]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"duplicate article ids in {seeds_dir}: {dup[:5]}")
    return Corpus(articles=tuple(articles), passages=tuple(_chunk_all(articles, max_chars)),
                  fingerprint=fingerprint, errors=tuple(errors))


