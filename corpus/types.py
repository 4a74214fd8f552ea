"""Typed records that flow through the corpus stage.

Data flow (DESIGN.md): ``seeds/* --load--> Document --clean--> text --segment--> Article
--chunk--> Passage``.  Every later stage (retrieval, answering, evaluation, app) consumes
these records; they carry no behaviour beyond (de)serialisation.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Document:
    """One raw document as loaded from ``seeds/``, before cleaning.

    Attributes:
        source: path of the file it came from, relative to the seeds directory (POSIX).
        doc_id: stable id: the file stem, plus ``:<record id>`` for JSONL/SQuAD records.
        text: the raw text (decoded, otherwise untouched).
        title: the record's title when the format gives one (JSONL ``title``, SQuAD
            ``title``); ``None`` for plain pages, whose titles come from segmentation.
        kind: ``"page"`` (a newspaper page holding several articles: .txt/.md) or
            ``"article"`` (one article per record: JSONL, SQuAD).
        date, url: optional metadata carried through to the Article.
    """

    source: str
    doc_id: str
    text: str
    title: str | None = None
    kind: str = "page"
    date: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Article:
    """One article after cleaning and segmentation.

    Attributes:
        id: stable id, ``<doc_id>#<n>`` with n the 1-based article number in its document
            (re-parsing an unchanged file gives the same ids).
        title: the article's headline (a ``——`` subtitle joined as ``主标题——副标题``);
            when the page holds no headline for it, a title derived from its first
            sentence, and ``title_derived`` is True.
        paragraphs: cleaned paragraphs in reading order (sub-headings are paragraphs of
            their own); never empty strings.
        byline: author line without the ``□`` marker (``本报通讯员 韩艳锋 张升``), or None.
        source: the Document.source it came from.
    """

    id: str
    title: str
    paragraphs: tuple[str, ...]
    byline: str | None = None
    source: str = ""
    title_derived: bool = False
    date: str | None = None
    url: str | None = None

    @property
    def text(self) -> str:
        """The article body: paragraphs joined by ``"\\n"``. Passage spans index into it."""
        return "\n".join(self.paragraphs)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["paragraphs"] = list(self.paragraphs)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Article":
        d = dict(d)
        d["paragraphs"] = tuple(d["paragraphs"])
        return cls(**d)


@dataclass(frozen=True)
class Passage:
    """A retrievable chunk of one article.

    Invariants: ``article.text[start:end] == text``; the passages of one article, in order,
    tile ``article.text`` exactly (``"".join(p.text for p in ps) == article.text``), so no
    text is dropped.  A passage never starts with closing punctuation (``。，”`` ...).

    Attributes:
        id: stable id ``<article_id>:<n>`` (n 1-based within the article).
        article_id, title: of the article it belongs to.
        paragraph_no: 1-based number of the paragraph the passage starts in.
        start, end: character span in ``Article.text`` (end exclusive), in characters.
        text: the passage text (may end with the ``"\\n"`` paragraph separator).
        title_derived: the article's title was derived from its text (no headline on the
            page): it names only the article's first subject.
    """

    id: str
    article_id: str
    title: str
    paragraph_no: int
    start: int
    end: int
    text: str
    byline: str | None = None
    source: str = ""
    title_derived: bool = False

    @property
    def display_text(self) -> str:
        """The passage text without surrounding whitespace, for display and embedding."""
        return self.text.strip()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Passage":
        return cls(**d)


@dataclass(frozen=True)
class FileError:
    """A corpus file that could not be loaded: it is skipped and reported, never fatal.

    Attributes:
        source: the file's path relative to the seeds directory (POSIX).
        reason: why, in words (``cannot decode as UTF-8, GB18030, Big5 or UTF-16``,
            ``no text layer (scanned images?); OCR is not supported``...).
    """

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass(frozen=True)
class Corpus:
    """Articles and passages of a seeds directory.

    Attributes:
        articles: in load order (files sorted, articles in reading order).
        passages: all passages, grouped by article in the same order.
        fingerprint: ``corpus.pipeline.corpus_fingerprint`` of the seeds directory.
        errors: the files that could not be loaded (skipped), in file order.
    """

    articles: tuple[Article, ...]
    passages: tuple[Passage, ...]
    fingerprint: str
    errors: tuple[FileError, ...] = ()
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
