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
