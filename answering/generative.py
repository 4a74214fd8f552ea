"""Generative answerer (opt-in): an LLM writes the answer from the numbered passages.

The prompt is ``prompts/answer.txt`` filled with the passages numbered ``[1]..[k]`` (title,
paragraph number, text), the question, its language and the refusal text. The raw output goes
through ``citations.CitationChecker`` in the pipeline (markers normalised, citations to
passages not given removed, uncited sentences bound or listed as unsupported, every citation checked).

An output with no valid citation marker that says it cannot answer (``资料中没有找到``,
``无法回答``, ``不知道``, "do not contain", "don't know", "cannot answer" ...) is a refusal.
"""
from __future__ import annotations

import re
from typing import Iterator, Sequence

from answering.prompts import fill, load_prompt, refusal_text
from answering.terms import language
from text.markers import CANON, normalise_markers
from retrieval.types import SearchHit

MAX_PASSAGE_CHARS = 1200  # per passage in the prompt (characters)
_REFUSAL = re.compile(
    r"资料中没有|没有找到|未找到|无法回答|无法根据|不知道|没有提及|未提及|"
    r"do(?:es)? not contain|don't know|do not know|cannot answer|can't answer|no information|not mentioned",
    re.IGNORECASE)


def build_prompt(question: str, hits: Sequence[SearchHit]) -> str:
    """The answer prompt for ``question`` over ``hits`` (numbered 1..len(hits))."""
    lang = language(question)
    blocks = []
    for i, h in enumerate(hits, start=1):
        p = h.passage
        blocks.append(f"[{i}] 《{p.title}》（第{p.paragraph_no}段）\n{p.text.strip()[:MAX_PASSAGE_CHARS]}")
    return fill(load_prompt("answer"), language="Chinese" if lang == "zh" else "English",
                refusal=refusal_text(lang), passages="\n\n".join(blocks), question=question)


def is_refusal(text: str, n_passages: int) -> bool:
    """True when ``text`` cites none of the ``n_passages`` and says it cannot answer."""
    t = normalise_markers(text)
    valid = [int(n) for n in CANON.findall(t) if 1 <= int(n) <= n_passages]
    return not valid and bool(_REFUSAL.search(t))


class GenerativeAnswerer:
    """Writes answers with an LLM backend (``answering.llm``).

    Args:
        llm: a backend object with ``complete``/``stream`` (``llm.load_llm``).
        max_new_tokens: generation bound in tokens (default 512).
    """

    def __init__(self, llm, max_new_tokens: int = 512) -> None:
        if llm is None or not hasattr(llm, "complete"):
            raise ValueError("GenerativeAnswerer needs an LLM backend with complete()/stream()")
        self.llm = llm
        self.max_new_tokens = max_new_tokens

    def answer(self, question: str, hits: Sequence[SearchHit]) -> str:
        """Raw LLM answer text (markers not yet normalised)."""
        return self.llm.complete(build_prompt(question, hits), max_new_tokens=self.max_new_tokens)

    def stream(self, question: str, hits: Sequence[SearchHit]) -> Iterator[str]:
        """Raw LLM answer text pieces (joined they give the whole answer)."""
        yield from self.llm.stream(build_prompt(question, hits), max_new_tokens=self.max_new_tokens)
