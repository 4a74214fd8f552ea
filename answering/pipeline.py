"""The assistant: message (+ history) -> Query -> search -> gate -> answer -> check.

``Assistant.ask`` returns one ``Answer``; ``Assistant.stream`` yields growing partial Answers,
the last one final and equal to ``ask``'s (except timings). Where a question becomes an
answer, in order (``Assistant._prepare`` then ``_answer``):

1. ``answering.query.parse_query``: the message is parsed once into a ``Query`` (content
   check, long-input location, follow-up condensing, terms, names, answer type). Every later
   stage reads the Query, never the raw string.
2. Nothing to ask (``Query.has_content`` is False: punctuation, emoji, keyboard mash, code):
   a short clarifying reply (``prompts/refusal.txt`` ``no_content``), no search, no citations.
   A blank message: ``请输入一个问题。``.
3. ``Retriever.search(Query.text)``. A ``subjectless`` follow-up (``answering.condense``) keeps
   the merged text only when the top passages hold at least ``SUBJECTLESS_MIN_COVERAGE`` of the
   question's own key terms; else the question alone is searched.
4. ``SentenceScorer.score_hits`` -> ``EvidenceGate.decide`` (named rules; the decision travels
   with the Answer). Refused: the refusal text in the question's language, no citations, the
   retrieved passages kept (shown as "closest passages, not an answer"); the LLM is not called.
5. The extractive answerer (or the LLM) writes the answer from the gate's focused sentences;
   ``CitationChecker`` binds and checks every citation.

* ``llm`` given (a spec ``openai:<model>`` / ``transformers:<path>`` or a backend object) means
  the generative answerer; ``answerer="generative"`` without an ``llm`` is a ValueError.
* Thread-safe: the Assistant holds no per-request state.

Timings (ms): ``parse``, ``retrieve``, ``gate`` (sentence scoring + gate), ``read`` (the span
reader, when configured), ``answer``, ``check``, ``total``.

With a span reader (``reader=``), step 4 also reads the windows around the best sentences
(``answering.reading``), the gate's ``reader`` rule holds its no-answer margin, and the answer
is the sentence holding the best span, cited, with the span as ``Answer.short_answer``.
"""
from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Iterator, Sequence

from answering.citations import CitationChecker
from answering.condense import condense, condense_with_llm
from answering.crosslingual import NAME_CANDIDATES, names_first, names_held, pinyin_names
from answering.extractive import ExtractiveAnswerer
from answering.gate import EvidenceGate
from answering.generative import GenerativeAnswerer, is_refusal
from answering.prompts import refusal_text
from answering.query import Query, parse_query
from answering.reading import SPAN_EVIDENCE, ReaderStage, span_answer_text
from answering.scoring import SentenceScorer, term_coverage
from answering.types import Answer, ShortAnswer
from text.markers import cut_open_marker, normalise_markers, renumber
from text.markers import CANON
from text.fold import match_key

log = logging.getLogger(__name__)

STREAM_CHUNK_CHARS = 6  # extractive streaming: characters per partial answer
ANSWERERS = ("extractive", "generative")
SUBJECTLESS_MIN_COVERAGE = 0.5
#: The decision's reason when the gate passed but the answer is refused after it.
REASON_NOTHING_CITED = "citation check: no sentence of the answer is supported by a passage"
REASON_MODEL_DECLINED = "the language model found no answer in the passages"


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000.0, 2)


class Assistant:
    """Cited question answering over a Retriever.

    Args:
        retriever: object with ``.search(query, top_k, mode) -> list[SearchHit]`` and
            ``.encoder`` (``retrieval.searcher.Retriever``, or an index manager that
            delegates to the live one).
        answerer: "extractive" (default) or "generative".
        llm: LLM spec (``openai:<model>``, ``transformers:<path>``) or backend object; implies
            the generative answerer.
        llm_base_url: base URL for ``openai:`` specs (else env OPENAI_BASE_URL, else Ollama's).
        gate: an EvidenceGate (default ``GateConfig()`` thresholds).
        checker_kwargs: ``support_min`` / ``bind_min`` for the CitationChecker.
        llm_condense: condense follow-ups with the LLM (default False: rules).
        max_new_tokens: generation bound for the LLM (tokens).
        reader: a ``ReaderStage`` (the trained span reader), ``"auto"`` (load the committed
            one, sharing the encoder's embeddings; none when unavailable) or None (default:
            sentence answers only). With a reader, the gate's ``reader`` rule holds its
            no-answer margin to ``GateConfig.reader_null_max`` (``gate.READER_NULL_MAX``).
    Raises:
        ValueError: unknown answerer, generative without llm, retriever without search/encoder.
    """

    def __init__(self, retriever, answerer: str = "extractive", llm=None,
                 llm_base_url: str | None = None, gate: EvidenceGate | None = None,
                 checker_kwargs: dict | None = None, llm_condense: bool = False,
                 max_new_tokens: int = 512, reader=None) -> None:
        if not hasattr(retriever, "search") or getattr(retriever, "encoder", None) is None:
            raise ValueError("retriever must have .search(query, top_k, mode) and an .encoder")
        if answerer not in ANSWERERS:
            raise ValueError(f"answerer must be one of {ANSWERERS}, got {answerer!r}")
        if llm is not None:
            answerer = "generative"
        if answerer == "generative" and llm is None:
            raise ValueError("answerer='generative' needs llm= (e.g. 'openai:qwen2.5:0.5b')")
        self.retriever = retriever
        embed = getattr(retriever, "embed_query", None)
        self.scorer = SentenceScorer(retriever.encoder, query_vector=(
            (lambda text: embed(text, fold=False)) if callable(embed) else None))
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
        self.reader = ReaderStage.load(retriever.encoder) if reader == "auto" else reader

    # -- stages -------------------------------------------------------------------------
    def parse(self, question: str, history: Sequence[tuple[str, str]] = ()) -> Query:
        """The parsed question (``answering.query.parse_query``; the LLM condenses
        follow-ups when ``llm_condense``)."""
        if self.llm is not None and self.llm_condense:
            return parse_query(question, history, lambda q, h: condense_with_llm(self.llm, q, h))
        return parse_query(question, history, condense)

    def _article_text(self, article_id: str) -> str | None:
        """The whole text of an article of the retriever's corpus, or None when unknown."""
        corpus = getattr(self.retriever, "corpus", None)
        try:
            return corpus.article(article_id).text if corpus is not None else None
        except (KeyError, AttributeError):
            return None

    def _search(self, query: Query, top_k: int, mode: str):
        names = pinyin_names(query.own) if query.language == "en" else []
        if names:  # cross-lingual cosines are flat: the passages naming the place come first
            wide = names_first(names, self.retriever.search(query.text, top_k=max(top_k, NAME_CANDIDATES), mode=mode))
            if wide and names_held(names, wide[0].passage):  # some hit names the place: it is first
                return query, wide[:top_k]
        # (an English question is never condensed "subjectless": that rule reads Chinese)
        hits = list(self.retriever.search(query.text, top_k=top_k, mode=mode))
        c = query.condensed
        if c.rule == "subjectless" and c.standalone:
            # the merge is borne out when a passage of the earlier topic (holding a carried
            # term) also holds the new question's own terms
            alone = query.with_text(c.standalone)
            carried = [match_key(t) for t in c.carried]
            best = 0.0
            for h in hits[:3]:
                text = h.passage.text + "\n" + h.passage.title
                if any(t in match_key(text) for t in carried):
                    best = max(best, term_coverage(alone.terms, text))
            if best < SUBJECTLESS_MIN_COVERAGE:
                return alone, list(self.retriever.search(alone.text, top_k=top_k, mode=mode))
        return query, hits

    def _prepare(self, question: str, history: Sequence[tuple[str, str]], top_k: int, mode: str):
        """Parse, search, score, gate. Returns (query, hits, scored, decision, timings)."""
        timings: dict[str, float] = {}
        t = time.perf_counter()
        query = self.parse(question, history)
        timings["parse"] = _ms(t)
        t = time.perf_counter()
        query, hits = self._search(query, top_k, mode)
        timings["retrieve"] = _ms(t)
        t = time.perf_counter()
        scored = self.scorer.score_hits(query, hits)
        timings["gate"] = _ms(t)
        result, spans = None, []
        if self.reader is not None and hits:
            t = time.perf_counter()
            try:
                result, spans = self.reader.read(query, hits, scored, self._article_text)
            except Exception as e:  # noqa: BLE001 - a reader failure costs the span, not the answer
                log.warning("span reader failed (%s: %s); answering with sentences", type(e).__name__, e)
                result, spans = None, []
            timings["read"] = _ms(t)
        t = time.perf_counter()
        decision = self.gate.decide(query, hits, scored, reader=result, spans=spans,
                                    article_text=self._article_text)
        if decision.answerable:
            scored = self.gate.focus(query, scored)
        timings["gate"] = round(timings["gate"] + _ms(t), 2)
        return query, hits, scored, decision, timings, spans

    def _no_search(self, question: str, t0: float) -> Answer | None:
        """The reply to a message with nothing to ask, or None when it has content."""
        if not question.strip():
            return Answer(question=question, query="", text=refusal_text("zh", "empty"),
                          refused=True, timings={"total": _ms(t0)})
        query = self.parse(question)
        if query.has_content:
            return None
        return Answer(question=question, query="", text=refusal_text(query.language, "no_content"),
                      refused=True, timings={"total": _ms(t0)}, parsed=query)

    def _refusal(self, question, query: Query, hits, decision, timings, t0) -> Answer:
        timings["total"] = _ms(t0)
        return Answer(question=question, query=query.text, text=refusal_text(query.language),
                      citations=(), passages=tuple(hits), refused=True, timings=timings,
                      parsed=query, decision=decision, notices=query.notices)

    def _draft(self, query: Query, hits, scored, spans) -> str:
        """The extractive draft: the sentences holding the reader's spans when the question
        wants a span, else the best-scored sentences."""
        draft = self.extractive.answer(query, hits, scored)
        if spans and self.reader is not None and self.reader.wants_span(query):
            index = {id(h): i for i, h in enumerate(hits, start=1)}
            best = sorted(draft.chosen, key=lambda s: -s.score)[:SPAN_EVIDENCE]
            evidence = [(index[id(s.hit)], s.sentence) for s in best if id(s.hit) in index]
            return span_answer_text(spans, evidence)
        return draft.text

    @staticmethod
    def _shorts(spans, hits, citations) -> tuple[ShortAnswer, ...]:
        """Each span whose passage is cited with a quote holding it, as a ShortAnswer."""
        out = []
        for sp in spans:
            pid = hits[sp.hit_number - 1].passage.id
            for c in citations:
                if c.passage_id == pid and c.quote_start <= sp.start and sp.end <= c.quote_end:
                    out.append(ShortAnswer(sp.text, pid, sp.start, sp.end, round(sp.score, 4), c.number))
                    break
        return tuple(out)

    def _finish(self, question, query: Query, hits, decision, raw, timings, t0, t_answer,
                spans=()) -> Answer:
        timings["answer"] = _ms(t_answer)
        if self.answerer == "generative" and is_refusal(raw, len(hits)):
            return self._refusal(question, query, hits,
                                 replace(decision, answerable=False, reason=REASON_MODEL_DECLINED),
                                 timings, t0)
        t = time.perf_counter()
        checked = self.checker.check(raw, hits, lang=query.language)
        timings["check"] = _ms(t)
        timings["total"] = _ms(t0)
        if not checked.text.strip() or not checked.citations:
            return self._refusal(question, query, hits,
                                 replace(decision, answerable=False, reason=REASON_NOTHING_CITED),
                                 timings, t0)
        return Answer(question=question, query=query.text, text=checked.text,
                      citations=checked.citations, passages=tuple(hits), refused=False,
                      unsupported=checked.unsupported, timings=timings, parsed=query,
                      decision=decision, notices=query.notices,
                      shorts=self._shorts(spans, hits, checked.citations))

    def _generative_question(self, query: Query) -> str:
        return query.own if not query.is_follow_up else query.text

    @staticmethod
    def _validate(question, top_k: int) -> None:
        if not isinstance(question, str):
            raise ValueError(f"question must be a str, got {type(question).__name__}")
        if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1:
            raise ValueError(f"top_k must be a positive int, got {top_k!r}")

    # -- public API ---------------------------------------------------------------------
    def ask(self, question: str, history: Sequence[tuple[str, str]] = (), top_k: int = 5,
            mode: str = "hybrid") -> Answer:
        """Answer ``question`` (module docstring). ``history`` = [(user, assistant), ...]
        oldest first; ``top_k`` passages retrieved with ``mode`` ("hybrid", "dense", "bm25").
        Raises ValueError for a non-str question, top_k < 1 or an unknown mode (from the
        retriever)."""
        self._validate(question, top_k)
        t0 = time.perf_counter()
        early = self._no_search(question, t0)
        if early is not None:
            return early
        query, hits, scored, decision, timings, spans = self._prepare(question, history, top_k, mode)
        if not decision.answerable:
            return self._refusal(question, query, hits, decision, timings, t0)
        t = time.perf_counter()
        if self.answerer == "generative":
            raw = self.generative.answer(self._generative_question(query), hits, hints=[sp.text for sp in spans])
        else:
            raw = self._draft(query, hits, scored, spans)
        return self._finish(question, query, hits, decision, raw, timings, t0, t, spans)

    def stream(self, question: str, history: Sequence[tuple[str, str]] = (), top_k: int = 5,
               mode: str = "hybrid") -> Iterator[Answer]:
        """Yield growing partial Answers (text grows; markers are never cut in half), then the
        final Answer (same as ``ask`` but for timings). Partial answers carry no citations."""
        self._validate(question, top_k)
        t0 = time.perf_counter()
        early = self._no_search(question, t0)
        if early is not None:
            yield early
            return
        query, hits, scored, decision, timings, spans = self._prepare(question, history, top_k, mode)
        if not decision.answerable:
            yield self._refusal(question, query, hits, decision, timings, t0)
            return
        t = time.perf_counter()
        partial = dict(question=question, query=query.text, passages=tuple(hits), parsed=query,
                       notices=query.notices)
        if self.answerer == "generative":
            raw = ""
            for piece in self.generative.stream(self._generative_question(query), hits,
                                                hints=[sp.text for sp in spans]):
                raw += piece
                shown, _ = renumber(normalise_markers(cut_open_marker(raw)), len(hits))
                yield Answer(text=shown, **partial)
        else:
            raw = self._draft(query, hits, scored, spans)
            final = self._finish(question, query, hits, decision, raw, timings, t0, t, spans)
            if not final.refused:
                for cut in _cut_points(final.text):
                    yield Answer(text=final.text[:cut], **partial)
            yield final
            return
        yield self._finish(question, query, hits, decision, raw, timings, t0, t, spans)


def _cut_points(text: str) -> list[int]:
    """Prefix lengths for streaming ``text`` every STREAM_CHUNK_CHARS characters, never inside
    a ``[n]`` marker; the full length is not included (the final answer carries it)."""
    inside = set()
    for m in CANON.finditer(text):
        inside.update(range(m.start() + 1, m.end()))
    return [i for i in range(STREAM_CHUNK_CHARS, len(text), STREAM_CHUNK_CHARS) if i not in inside]
