"""Typed records of the retrieval stage."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any

from corpus.types import Passage


class SearchMode(str, Enum):
    """Which retrievers a search uses (a ``str`` enum: ``SearchMode.BM25 == "bm25"``, so the
    plain strings keep working wherever a mode is accepted).

    * ``HYBRID`` — dense and BM25 fused (``retrieval.fusion``).
    * ``DENSE`` — embedding cosine only.
    * ``BM25`` — lexical BM25 only.
    """

    HYBRID = "hybrid"
    DENSE = "dense"
    BM25 = "bm25"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, mode: "SearchMode | str") -> "SearchMode":
        """``mode`` as a SearchMode.

        Raises:
            ValueError: naming the valid modes, for anything else (wrong type included).
        """
        try:
            return cls(mode)
        except ValueError:
            raise ValueError(f"unknown search mode {mode!r}; valid modes: "
                             f"{', '.join(m.value for m in cls)}") from None


@dataclass(frozen=True)
class SearchHit:
    """One ranked passage returned by a search.

    Attributes:
        passage: the retrieved passage.
        score: the score the final ranking used (cosine for dense, BM25 for lexical,
            reciprocal-rank-fusion score for hybrid); higher is better.
        rank: 1-based rank in the returned list.
        dense_score: cosine similarity of query and passage vectors (in [-1, 1]) when the
            dense retriever saw the passage, else None.
        bm25_score: BM25 score when the lexical retriever ranked the passage, else None.
    """

    passage: Passage
    score: float
    rank: int
    dense_score: float | None = None
    bm25_score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["passage"] = self.passage.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "SearchHit":
        d = dict(d)
        d["passage"] = Passage.from_dict(d["passage"])
        return cls(**d)
