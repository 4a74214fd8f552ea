"""Extractive answerer (the default; no LLM): quotes the best sentences of the retrieved passages.

Method: every sentence of the retrieved passages is scored against the query by
``scoring.SentenceScorer.score_hits`` (embedding cosine + key-term overlap + a bonus for a
number when the question asks for one). The best sentence is taken, plus further sentences
scoring within ``MARGIN`` of it, up to ``MAX_SENTENCES`` (``MAX_LIST_SENTENCES`` for list
questions: 列举/哪些/有哪些/which ... are). They are ordered by passage rank, then position in
the passage, and joined; each carries the marker ``[i]`` of the hit it comes from (i = 1-based
position in ``hits``; the citation checker renumbers by first use and builds the quotes).
Sentences are copied verbatim; only their closing punctuation is adjusted so the answer reads
as sentences: a clause ending in ``；``/``，`` (quoted alone) ends in ``。``, and ``。`` (or ``.``) is
added to a sentence without terminal punctuation. Chinese quotes are joined without spaces,
also for an English question.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from answering.scoring import ScoredSentence
from answering.terms import is_list_question, language, normalise
from retrieval.types import SearchHit

MAX_SENTENCES = 3
MAX_LIST_SENTENCES = 5
MARGIN = 0.06
_CLAUSE_END = ("；", ";", "，", ",", "、", "：", ":")
_TERMINAL = tuple("。！？!?；;…”’」』）)】\"'.")


@dataclass(frozen=True)
class Draft:
    """An answer draft: text with ``[i]`` markers naming ``hits[i-1]``; the chosen sentences."""

    text: str
    chosen: tuple[ScoredSentence, ...]


class ExtractiveAnswerer:
    """Builds an answer from already-scored sentences.

    Args:
        max_sentences: cap for ordinary questions (default ``MAX_SENTENCES`` = 3).
        max_list_sentences: cap for list questions (default ``MAX_LIST_SENTENCES`` = 5).
        margin: sentences scoring >= best - margin are kept (default ``MARGIN``).
    Raises:
        ValueError: for caps < 1 or a negative margin.
    """

    def __init__(self, max_sentences: int = MAX_SENTENCES,
                 max_list_sentences: int = MAX_LIST_SENTENCES, margin: float = MARGIN) -> None:
        if max_sentences < 1 or max_list_sentences < 1 or margin < 0:
            raise ValueError("max_sentences/max_list_sentences must be >= 1 and margin >= 0")
        self.max_sentences = max_sentences
        self.max_list_sentences = max_list_sentences
        self.margin = margin

    def answer(self, query, hits: Sequence[SearchHit],
               scored: Sequence[ScoredSentence]) -> Draft:
        """Pick and join sentences. ``query`` is the ``answering.query.Query`` (or the
        question string); ``scored`` must be best first (as ``score_hits`` returns).
        Returns an empty Draft when there is nothing to quote."""
        if not scored:
            return Draft("", ())
        is_list = query.is_list if hasattr(query, "is_list") else is_list_question(query)
        cap = self.max_list_sentences if is_list else self.max_sentences
        best = scored[0].score
        chosen: list[ScoredSentence] = []
        seen: set[str] = set()
        for s in scored:
            if len(chosen) >= cap or s.score < best - self.margin:
                break
            key = normalise(s.sentence.text)
            if key in seen or any(key in k or k in key for k in seen):
                continue
            seen.add(key)
            chosen.append(s)
        chosen.sort(key=lambda s: (s.hit.rank, s.sentence.start))
        index = {id(h): i for i, h in enumerate(hits, start=1)}
        quotes: list[tuple[int, str]] = []
        for s in chosen:
            i = index.get(id(s.hit))
            if i is None:
                raise ValueError("scored sentence does not belong to the given hits")
            quotes.append((i, s.sentence.text))
        return Draft(join_quotes(quotes), tuple(chosen))


def join_quotes(quotes: Sequence[tuple[int, str]]) -> str:
    """Answer text from ``(hit number, sentence text)`` quotes, in the given order: each
    sentence verbatim with its marker ``[i]``, only its closing punctuation adjusted (see
    the module docstring); Chinese quotes are joined without spaces, others with one."""
    parts: list[str] = []
    joiners: list[str] = []
    for i, t in quotes:
        cjk = language(t) == "zh"  # quotes from a Chinese corpus stay Chinese prose
        if t.endswith(_CLAUSE_END):  # a clause quoted alone ends the answer's sentence
            t = t[:-1] + ("。" if cjk else ".")
        end = "" if t.endswith(_TERMINAL) else ("。" if cjk else ".")
        parts.append(f"{t}[{i}]{end}")
        joiners.append("" if cjk else " ")
    return "".join(p if j == 0 else joiners[j] + p for j, p in enumerate(parts))
