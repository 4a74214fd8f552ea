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
        support: support score of the best sentence it backs, in [0, 1]. Every citation of
            a final answer passed the check (``answering.citations``).
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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Citation":
        d = {k: v for k, v in d.items() if k != "supported"}  # records written before #9
        return cls(**d)


@dataclass(frozen=True)
class ShortAnswer:
    """The exact answer: a span of one cited passage (the span reader's, issue #10).

    Attributes:
        text: exactly ``passage.text[start:end]``.
        passage_id: the passage holding it.
        start, end: character offsets in ``Passage.text`` (end exclusive).
        score: the reader's span score (start + end logit).
        citation: the number ``n`` of the answer's citation whose quote holds the span.
    """

    text: str
    passage_id: str
    start: int
    end: int
    score: float
    citation: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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
        parsed: the parsed question (``answering.query.Query``), None for an empty message.
        decision: the evidence gate's decision with every rule's result
            (``answering.gate.GateDecision``), None when no search ran.
        notices: messages about how the question was read (what a long input left out).
        short_answer: the exact answer span (``ShortAnswer``), or None.
        shorts: every short answer (one per part of a multi-part question), best first.
    """

    question: str
    query: str
    text: str
    citations: tuple[Citation, ...] = ()
    passages: tuple[SearchHit, ...] = ()
    refused: bool = False
    unsupported: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    parsed: Any = None
    decision: Any = None
    notices: tuple[str, ...] = ()
    shorts: tuple[ShortAnswer, ...] = ()

    @property
    def search_query(self) -> str:
        """The standalone text that was searched (same as ``query``)."""
        return self.query

    @property
    def short_answer(self) -> ShortAnswer | None:
        return self.shorts[0] if self.shorts else None

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
            "parsed": self.parsed.to_dict() if self.parsed is not None else None,
            "decision": self.decision.to_dict() if self.decision is not None else None,
            "notices": list(self.notices),
            "short_answer": self.short_answer.to_dict() if self.short_answer else None,
            "shorts": [s.to_dict() for s in self.shorts],
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
            notices=tuple(d.get("notices", [])),
            shorts=tuple(ShortAnswer(**x) for x in d.get("shorts", [])),
        )
