"""The assistant: question (+ history) -> condensed query -> search -> gate -> answer -> check.

``Assistant.ask`` returns one ``Answer``; ``Assistant.stream`` yields growing partial Answers,
the last one final and equal to ``ask``'s (except timings).

Decisions (documented here for the app and evaluation):

* Empty / blank question: no exception; a graceful Answer asking the user to type a question
  (``请输入一个问题。``: a blank has no language, the corpus and UI are Chinese),
  ``refused=True``, no citations, no search.
* Long questions: the query sent to retrieval and scoring is cut to its first
  ``MAX_QUERY_CHARS`` (512) characters (e5 reads at most 512 tokens anyway); ``Answer.question``
  keeps the whole text; ``Answer.query`` is the query actually searched.
* ``llm`` given (a spec ``openai:<model>`` / ``transformers:<path>`` or a backend object) means
  the generative answerer, even when ``answerer`` is left at its default; ``answerer=
  "generative"`` without an ``llm`` is a ValueError. With an LLM, follow-ups are still condensed
  by the rules unless ``llm_condense=True``.
* Refusal (evidence gate says no): the refusal text of ``prompts/refusal.txt`` in the
  question's language, ``refused=True``, no citations, the retrieved passages kept for display,
  and the generative answerer is not called. A generative answer that itself declines
  (``generative.is_refusal``) is a refusal too.
* Thread-safe: the Assistant holds no per-request state; the sentence-vector cache and the
  transformers backend lock themselves.

Timings (ms): ``condense``, ``retrieve``, ``gate`` (sentence scoring + gate), ``answer``,
``check``, ``total``.
"""
from __future__ import annotations

import re
import time
from typing import Iterator, Sequence

from answering.citations import CitationChecker, normalise_markers, renumber
from answering.condense import condense, condense_with_llm
from answering.extractive import ExtractiveAnswerer
from answering.gate import EvidenceGate
from answering.generative import GenerativeAnswerer, is_refusal
from answering.prompts import refusal_text
from answering.scoring import SentenceScorer
from answering.terms import language
from answering.types import Answer
from retrieval.normalize import fold_script

MAX_QUERY_CHARS = 512
STREAM_CHUNK_CHARS = 6  # extractive streaming: characters per partial answer
ANSWERERS = ("extractive", "generative")


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000.0, 2)


class Assistant:
    """Cited question answering over a Retriever.

    Args:
        retriever: object with ``.search(query, top_k, mode) -> list[SearchHit]`` and ``.encoder``
            (``retrieval.searcher.Retriever``).
        answerer: "extractive" (default) or "generative".
        llm: LLM spec (``openai:<model>``, ``transformers:<path>``) or backend object; implies
            the generative answerer.
        llm_base_url: base URL for ``openai:`` specs (else env OPENAI_BASE_URL, else Ollama's).
        gate: an EvidenceGate (default thresholds of ``answering.gate``).
        checker_kwargs: ``support_min`` / ``bind_min`` for the CitationChecker.
        llm_condense: condense follow-ups with the LLM (default False: rules).
        max_new_tokens: generation bound for the LLM (tokens).
    Raises:
        ValueError: unknown answerer, generative without llm, retriever without search/encoder.
    """

    def __init__(self, retriever, answerer: str = "extractive", llm=None,
                 llm_base_url: str | None = None, gate: EvidenceGate | None = None,
                 checker_kwargs: dict | None = None, llm_condense: bool = False,
                 max_new_tokens: int = 512) -> None:
        if not hasattr(retriever, "search") or getattr(retriever, "encoder", None) is None:
            raise ValueError("retriever must have .search(query, top_k, mode) and an .encoder")
        if answerer not in ANSWERERS:
            raise ValueError(f"answerer must be one of {ANSWERERS}, got {answerer!r}")
        if llm is not None:
            answerer = "generative"
        if answerer == "generative" and llm is None:
            raise ValueError("answerer='generative' needs llm= (e.g. 'openai:qwen2.5:0.5b')")
        self.retriever = retriever
        self.scorer = SentenceScorer(retriever.encoder)
        self.gate = gate or EvidenceGate()
        self.checker = CitationChecker(self.scorer, **(checker_kwargs or {}))
        self.extractive = ExtractiveAnswerer()
        self.llm = None
        self.generative = None
        if llm is not None:
            if isinstance(llm, str):
                from answering.llm import load_llm

                llm = load_llm(llm, base_url=llm_base_url)
            self.llm = llm
            self.generative = GenerativeAnswerer(llm, max_new_tokens=max_new_tokens)
        self.answerer = answerer
        self.llm_condense = llm_condense

    # -- stages -------------------------------------------------------------------------
    def _prepare(self, question: str, history: Sequence[tuple[str, str]], top_k: int, mode: str):
        """Condense, search, score, gate. Returns (query, folded query, hits, scored, decision,
        timings); the folded query (Traditional -> Simplified) is what scoring, the gate and
        the extractive answerer read."""
        timings: dict[str, float] = {}
        t = time.perf_counter()
        if self.llm is not None and self.llm_condense:
            query = condense_with_llm(self.llm, question, history)
        else:
            query = condense(question, history)
        query = query[:MAX_QUERY_CHARS].strip() or question.strip()[:MAX_QUERY_CHARS]
        timings["condense"] = _ms(t)
        t = time.perf_counter()
        hits = list(self.retriever.search(query, top_k=top_k, mode=mode))
        timings["retrieve"] = _ms(t)
        t = time.perf_counter()
        folded = fold_script(query)  # Traditional questions are scored against Simplified text
        scored = self.scorer.score_hits(folded, hits)
        decision = self.gate.decide(folded, hits, scored)
        if decision.answerable:
            scored = self.gate.focus(folded, scored)
        timings["gate"] = _ms(t)
        return query, folded, hits, scored, decision, timings

    def _empty(self, question: str, t0: float) -> Answer:
        return Answer(question=question, query="", text=refusal_text("zh", "empty"),
                      refused=True, timings={"total": _ms(t0)})

    def _refusal(self, question, query, hits, timings, t0) -> Answer:
        timings["total"] = _ms(t0)
        return Answer(question=question, query=query, text=refusal_text(language(question)),
                      citations=(), passages=tuple(hits), refused=True, timings=timings)

    def _finish(self, question, query, hits, raw, timings, t0, t_answer) -> Answer:
        timings["answer"] = _ms(t_answer)
        if self.answerer == "generative" and is_refusal(raw, len(hits)):
            return self._refusal(question, query, hits, timings, t0)
        t = time.perf_counter()
        checked = self.checker.check(raw, hits, lang=language(question))
        timings["check"] = _ms(t)
        timings["total"] = _ms(t0)
        if not checked.text.strip():
            return self._refusal(question, query, hits, timings, t0)
        return Answer(question=question, query=query, text=checked.text,
                      citations=checked.citations, passages=tuple(hits), refused=False,
                      unsupported=checked.unsupported, timings=timings)

    @staticmethod
    def _validate(question, top_k: int) -> None:
        if not isinstance(question, str):
            raise ValueError(f"question must be a str, got {type(question).__name__}")
        if not isinstance(top_k, int) or top_k < 1:
            raise ValueError(f"top_k must be a positive int, got {top_k!r}")

    # -- public API ---------------------------------------------------------------------
    def ask(self, question: str, history: Sequence[tuple[str, str]] = (), top_k: int = 5,
            mode: str = "hybrid") -> Answer:
        """Answer ``question`` (see module docstring). ``history`` = [(user, assistant), ...]
        oldest first; ``top_k`` passages retrieved with ``mode`` ("hybrid", "dense", "bm25").
        Raises ValueError for a non-str question, top_k < 1 or an unknown mode (from the retriever)."""
        self._validate(question, top_k)
        t0 = time.perf_counter()
        if not question.strip():
            return self._empty(question, t0)
        query, folded, hits, scored, decision, timings = self._prepare(question, history, top_k, mode)
        if not decision.answerable:
            return self._refusal(question, query, hits, timings, t0)
        t = time.perf_counter()
        if self.answerer == "generative":
            raw = self.generative.answer(question if question.strip() == query else query, hits)
        else:
            raw = self.extractive.answer(folded, hits, scored).text
        return self._finish(question, query, hits, raw, timings, t0, t)

    def stream(self, question: str, history: Sequence[tuple[str, str]] = (), top_k: int = 5,
               mode: str = "hybrid") -> Iterator[Answer]:
        """Yield growing partial Answers (text grows; markers are never cut in half), then the
        final Answer (same as ``ask`` but for timings). Partial answers carry no citations."""
        self._validate(question, top_k)
        t0 = time.perf_counter()
        if not question.strip():
            yield self._empty(question, t0)
            return
        query, folded, hits, scored, decision, timings = self._prepare(question, history, top_k, mode)
        if not decision.answerable:
            yield self._refusal(question, query, hits, timings, t0)
            return
        t = time.perf_counter()
        if self.answerer == "generative":
            raw = ""
            q = question if question.strip() == query else query
            for piece in self.generative.stream(q, hits):
                raw += piece
                shown, _ = renumber(normalise_markers(_cut_open_marker(raw)), len(hits))
                yield Answer(question=question, query=query, text=shown, passages=tuple(hits))
        else:
            raw = self.extractive.answer(folded, hits, scored).text
            final = self._finish(question, query, hits, raw, timings, t0, t)
            for cut in _cut_points(final.text):
                yield Answer(question=question, query=query, text=final.text[:cut],
                             passages=tuple(hits))
            yield final
            return
        yield self._finish(question, query, hits, raw, timings, t0, t)


def _cut_open_marker(text: str) -> str:
    """Drop a trailing, possibly unfinished marker (``…[1``, ``…【``) from streamed text."""
    return re.sub(r"[\[【［〔][^\]】］〕]{0,12}$", "", text)


def _cut_points(text: str) -> list[int]:
    """Prefix lengths for streaming ``text`` every STREAM_CHUNK_CHARS characters, never inside
    a ``[n]`` marker; the full length is not included (the final answer carries it)."""
    inside = set()
    for m in re.finditer(r"\[\d+\]", text):
        inside.update(range(m.start() + 1, m.end()))
    return [i for i in range(STREAM_CHUNK_CHARS, len(text), STREAM_CHUNK_CHARS) if i not in inside]
