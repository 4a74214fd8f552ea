"""Sentence splitting with character spans, for the extractive answerer and the citation check.

A sentence ends after ``。！？!?；;…`` (a run of them, e.g. ``……`` or ``？！``), after a
``.`` that is followed by whitespace (so ``4329.7`` is not split), or at a line break. Closing
quotes and brackets that follow the terminator (``”’」』）)】``) belong to the sentence, so
``“……谢谢。”接过`` splits after ``”``. Leading/trailing whitespace is not part of a span.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_TERMINATOR = re.compile(
    r"(?:[。！？!?；;…]+|\.(?=\s)|\.$)[”’」』）)】\"']*|\n+"
)


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

    Empty or whitespace-only pieces are skipped, so ``split_sentences("")`` is ``[]``.
    """
    out: list[Sentence] = []
    pos = 0
    bounds = [m.end() for m in _TERMINATOR.finditer(text)]
    if not bounds or bounds[-1] != len(text):
        bounds.append(len(text))
    for end in bounds:
        piece = text[pos:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            trail = len(piece) - len(piece.rstrip())
            s, e = pos + lead, end - trail
            out.append(Sentence(text[s:e], s, e))
        pos = end
    return out


def split_answer_sentences(text: str) -> list[str]:
    """Split an answer (LLM output) into sentences, keeping citation markers that follow the
    terminator with their sentence: ``"A。[1]B[2]。"`` -> ``["A。[1]", "B[2]。"]``.
    Concatenating the result (with whitespace) gives the text back.
    """
    pieces: list[str] = []
    for s in split_sentences(text):
        pieces.append(s.text)
    merged: list[str] = []
    for p in pieces:
        m = re.match(r"^((?:\[\d+\])+)\s*(.*)$", p, re.S)
        if m and merged:
            merged[-1] += m.group(1)
            if m.group(2).strip():
                merged.append(m.group(2))
        else:
            merged.append(p)
    return merged
