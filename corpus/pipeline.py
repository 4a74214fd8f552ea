"""The corpus stage end to end: seeds directory -> Articles and Passages.

``load_corpus`` = :func:`corpus.loaders.load_documents` -> :func:`corpus.segment.segment_document`
-> :func:`corpus.chunk.chunk_article`.  ``corpus_fingerprint`` identifies the input
cheaply (no parsing) so that an index can tell whether it is stale.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from corpus.chunk import chunk_article
from corpus.loaders import corpus_files, load_documents
from corpus.segment import segment_document
from corpus.types import Article, Passage

#: Bump when loading/cleaning/segmenting/chunking changes its output, so fingerprints
#: (and thus indexes built from them) change too.
PARSER_VERSION = "corpus-2"


def corpus_fingerprint(seeds_dir: Path) -> str:
    """SHA-256 hex digest over ``PARSER_VERSION`` and, for every supported corpus file in
    sorted order, its relative path and its bytes.  Unsupported and hidden files are
    ignored (they are not loaded either).  ``max_chars`` is not part of it.

    Raises:
        FileNotFoundError: ``seeds_dir`` is missing or not a directory.
    """
    seeds_dir = Path(seeds_dir)
    if not seeds_dir.is_dir():
        raise FileNotFoundError(f"seeds directory not found: {seeds_dir}")
    h = hashlib.sha256()
    h.update(PARSER_VERSION.encode())
    for p in corpus_files(seeds_dir)[0]:
        data = p.read_bytes()
        h.update(b"\0" + p.relative_to(seeds_dir).as_posix().encode() + b"\0")
        h.update(str(len(data)).encode() + b"\0")
        h.update(data)
    return h.hexdigest()


@dataclass(frozen=True)
class Corpus:
    """Articles and passages of a seeds directory.

    Attributes:
        articles: in load order (files sorted, articles in reading order).
        passages: all passages, grouped by article in the same order.
        fingerprint: :func:`corpus_fingerprint` of the seeds directory.
    """

    articles: tuple[Article, ...]
    passages: tuple[Passage, ...]
    fingerprint: str
    _by_id: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _pass_by_id: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {a.id: a for a in self.articles})
        object.__setattr__(self, "_pass_by_id", {p.id: p for p in self.passages})

    def article(self, article_id: str) -> Article:
        """The article with this id.

        Raises:
            KeyError: no such article (message names the id and the corpus size).
        """
        try:
            return self._by_id[article_id]
        except KeyError:
            raise KeyError(
                f"no article {article_id!r} in this corpus ({len(self.articles)} articles)"
            ) from None

    def passage(self, passage_id: str) -> Passage:
        """The passage with this id.

        Raises:
            KeyError: no such passage.
        """
        try:
            return self._pass_by_id[passage_id]
        except KeyError:
            raise KeyError(
                f"no passage {passage_id!r} in this corpus ({len(self.passages)} passages)"
            ) from None


def load_corpus(seeds_dir: Path, max_chars: int = 300) -> Corpus:
    """Load, clean, segment and chunk every corpus file of ``seeds_dir``.

    Args:
        seeds_dir: folder of .txt/.md/.jsonl/.json files (see :mod:`corpus.loaders`).
        max_chars: passage length limit in characters (see :mod:`corpus.chunk`).
    Returns:
        The Corpus (deterministic: the same files give the same ids and texts).
    Raises:
        FileNotFoundError: ``seeds_dir`` missing.
        ValueError: a file cannot be loaded, or the folder yields no article at all.
    """
    seeds_dir = Path(seeds_dir)
    fingerprint = corpus_fingerprint(seeds_dir)
    docs = load_documents(seeds_dir)
    articles: list[Article] = []
    for d in docs:
        articles.extend(segment_document(d))
    if not articles:
        sup, unsup = corpus_files(seeds_dir)
        found = ", ".join(p.name for p in sup + unsup) or "no files"
        raise ValueError(
            f"no articles in {seeds_dir} (found: {found}); supported: .txt .md .jsonl .json"
        )
    ids = [a.id for a in articles]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"duplicate article ids in {seeds_dir}: {dup[:5]}")
    passages: list[Passage] = []
    for a in articles:
        passages.extend(chunk_article(a, max_chars=max_chars))
    return Corpus(articles=tuple(articles), passages=tuple(passages), fingerprint=fingerprint)
