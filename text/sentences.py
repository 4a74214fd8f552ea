"""The sentence splitter: one for the corpus text, answers and the evaluation.

A sentence ends after ``。！？!?；;…`` (a run of them, e.g. ``……`` or ``？！``), after a
``.`` followed by whitespace, a marker or the end (so ``4329.7`` is not split), or at a line break.
Closing quotes and brackets that follow the terminator (``”’」』）)】``) belong to the
sentence, so ``“……谢谢。”接过`` splits after ``”``. Citation markers ``[n]`` right after a
terminator belong to the sentence before them (``A。[1]B`` -> ``A。[1]``, ``B``).
Leading/trailing whitespace is not part of a span.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from text.markers import CANON

#: marks that end a clause (a value on either side belongs to another statement; an
#: organisation right after one is its clause's subject): ``answering.span_trim``,
#: ``answering.binding``
CLAUSE_MARKS = frozenset("，,；;。！？!?：:")
#: full stops: what ends a sentence in the grammatical sense (``；`` joins its clauses)
FULL_STOPS = "。！？!?"

_TERMINATOR = re.compile(r"(?:[。！？!?；;…]+|\.(?=\s|\[\d)|\.$)[”’」』）)】\"']*|\n+")
_LEADING_MARKERS = re.compile(r"^(?:\[\d+\])+")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a text.

    Attributes:
        text: the sentence, exactly ``source[start:end]`` (no surrounding whitespace).
        start, end: character span in the source text (end exclusive), in characters.
    """

    text: str
    start: int
    end: int


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences with spans; ``text[s.start:s.end] == s.text`` always.

    Markers ``[n]`` that follow a terminator stay with the sentence before them. Empty or
    whitespace-only pieces are skipped, so ``split_sentences("")`` is ``[]``.
    """
    out: list[Sentence] = []
    pos = 0
    bounds = [m.end() for m in _TERMINATOR.finditer(text)]
    if not bounds or bounds[-1] != len(text):
        bounds.append(len(text))
    pieces: list[tuple[int, int]] = []
    for end in bounds:
        if end > pos:
            pieces.append((pos, end))
        pos = end
    merged: list[list[int]] = []
    for s, e in pieces:
        piece = text[s:e]
        lead_ws = len(piece) - len(piece.lstrip())
        m = _LEADING_MARKERS.match(piece[lead_ws:])
        if m and merged:  # "[1]" after "。" belongs to the sentence before
            merged[-1][1] = s + lead_ws + m.end()
            s = s + lead_ws + m.end()
        if text[s:e].strip():
            merged.append([s, e])
    for s, e in merged:
        piece = text[s:e]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        a, b = s + lead, e - trail
        if a < b:
            out.append(Sentence(text[a:b], a, b))
    return out


def sentence_at(text: str, start: int, end: int) -> Sentence | None:
    """The sentence of ``text`` holding the span ``[start, end)`` (character offsets), or the
    sentences it spans as one; None when no sentence does (``split_sentences``)."""
    sents = [s for s in split_sentences(text) if s.start < end and s.end > start]
    if not sents:
        return None
    lo, hi = sents[0].start, sents[-1].end
    return Sentence(text[lo:hi], lo, hi)


def split_answer_sentences(text: str) -> list[str]:
    """The sentences of an answer as strings, markers kept with their sentence:
    ``"A。[1]B[2]。"`` -> ``["A。[1]", "B[2]。"]``. Pieces made only of markers are dropped
    (they were merged into the sentence before)."""
    return [s.text for s in split_sentences(text) if CANON.sub("", s.text).strip()]
