"""Typed records of the answering stage: citations and answers."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from retrieval.types import SearchHit


@dataclass(frozen=True)
class Citation:
    """Citation ``[number]`` of an answer.

    Attributes:
        number: 1-based, assigned in order of first use in ``Answer.text``.
        passage_id, article_id, title, paragraph_no: where the cited passage lives.
        quote: the exact substring of the passage text that supports the cited sentence.
        quote_start, quote_end: character span of ``quote`` in ``Passage.text``.
        support: support score of the best sentence it backs, in [0, 1].
        supported: True when the citation check passed (numbers and names of the sentence
            occur in the quote and the support score clears the threshold).
    """

    number: int
    passage_id: str
    article_id: str
    title: str
    paragraph_no: int
    quote: str
    quote_start: int
    quote_end: int
    support: float = 1.0
    supported: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Citation":
        return cls(**d)


@dataclass(frozen=True)
class Answer:
    """What the assistant returns for one question.

    Attributes:
        question: the user's question as typed.
        query: the standalone query actually searched (differs from ``question`` when a
            follow-up was condensed with the chat history).
        text: answer text holding ``[n]`` markers; for a refusal, the refusal message.
        citations: one per distinct marker number, ordered by number.
        passages: the retrieved passages the answer was built from (ranked).
        refused: True when the evidence gate (or the answerer) found no support.
        unsupported: answer sentences that failed the citation check (never shown as
            cited fact).
        timings: stage name -> milliseconds (``retrieve``, ``answer``, ``total`` ...).
    """

    question: str
    query: str
    text: str
    citations: tuple[Citation, ...] = ()
    passages: tuple[SearchHit, ...] = ()
    refused: bool = False
    unsupported: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "query": self.query,
            "text": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "passages": [h.to_dict() for h in self.passages],
            "refused": self.refused,
            "unsupported": list(self.unsupported),
            "timings": dict(self.timings),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Answer":
        return cls(
            question=d["question"],
            query=d["query"],
            text=d["text"],
            citations=tuple(Citation.from_dict(c) for c in d.get("citations", [])),
            passages=tuple(SearchHit.from_dict(h) for h in d.get("passages", [])),
            refused=d.get("refused", False),
            unsupported=tuple(d.get("unsupported", [])),
            timings=dict(d.get("timings", {})),
        )
