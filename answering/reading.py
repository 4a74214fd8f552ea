"""The reader stage: exact answer spans from the retrieved passages (retriever -> reader, as
DrQA, BERTserini and DPR do), bound to checked citations.

``ReaderStage`` wraps the project's trained span reader (``reader.model.SpanReader``). For a
parsed question and the gate's scored sentences it reads the windows around the best
``FOCUS_SENTENCES`` sentences (``read_focused``; a multi-part question is read once per
part), and returns the spans with the reader's no-answer margin, which the gate's ``reader``
rule holds to ``GateConfig.reader_null_max`` (the reader's calibrated threshold).

``support_sentences`` turns the spans into the answer's quotes: the sentence of the passage
that holds each span (``text.sentences``), so the citation quote is that sentence and the
short answer is its exact characters (``Answer.shorts``).

Why/how/definition questions (``SENTENCE_QUESTIONS``) are not answered by a span: the answer
is the extractive answerer's sentences, with a span highlighted when one lies inside them.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Sequence

from answering.query import Query
from answering.scoring import ScoredSentence
from retrieval.types import SearchHit
from text.sentences import Sentence, split_sentences

log = logging.getLogger(__name__)

FOCUS_SENTENCES = 3
TOP_SPANS = 3
#: questions whose answer is a sentence, not a span (why, how, what is, describe)
SENTENCE_QUESTIONS = re.compile(r"为什么|为何|怎么|怎样|如何|什么是|何为|何谓|介绍|描述|说明|讲了什么|"
                                r"\bwhy\b|\bhow (?!many|much|long|far|old|tall|deep|high|wide)|\bwhat is\b|\bdescribe\b",
                                re.I)


@dataclass(frozen=True)
class SpanEvidence:
    """One reader span on a retrieved hit: the span, the hit (1-based ``hit_number`` in the
    hits the reader read), and the passage sentence holding it."""

    text: str
    hit_number: int
    start: int
    end: int
    score: float
    sentence: Sentence


class ReaderStage:
    """The span reader in the pipeline.

    Args:
        reader: a ``reader.model.SpanReader`` (or any object with ``read_focused`` /
            ``read`` and ``no_answer_threshold``).
    """

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.no_answer_threshold = float(getattr(reader, "no_answer_threshold", 0.0))

    @classmethod
    def load(cls, encoder: Any = None) -> "ReaderStage | None":
        """The committed reader over the retrieval encoder, sharing its embedding matrix; None
        when the encoder is not the project's e5 (the reader is fine-tuned from it: a
        hashing or other encoder gets sentence answers), or (logged) when the reader or its
        checkpoint is unavailable."""
        if not str(getattr(encoder, "model_id", "")).startswith("intfloat/multilingual-e5"):
            return None
        try:
            from reader.model import SpanReader

            return cls(SpanReader.load(base=encoder))
        except Exception as e:  # noqa: BLE001 - the assistant still answers with sentences
            log.warning("span reader unavailable (%s); answering with sentences only", e)
            return None

    def read(self, query: Query, hits: Sequence[SearchHit], scored: Sequence[ScoredSentence]):
        """``(reader result, spans)``: the reader's result for the question (a multi-part
        question's parts read separately: the result with the lowest no-answer margin, and
        the best span of each part) and the spans as ``SpanEvidence`` on the hits."""
        texts = [h.passage.text for h in hits]
        index = {id(h): i for i, h in enumerate(hits)}
        focus = [(index[id(s.hit)], s.sentence.start, s.sentence.end)
                 for s in list(scored)[:FOCUS_SENTENCES] if id(s.hit) in index]
        questions = list(query.parts) or [query.text]
        results = []
        for q in questions:
            if focus:
                results.append(self.reader.read_focused(q, texts, focus, top_n=TOP_SPANS))
            else:
                results.append(self.reader.read(q, texts, top_n=TOP_SPANS))
        main = min(results, key=lambda r: r.no_answer_score)
        spans: list[SpanEvidence] = []
        for r in results if len(results) > 1 else [main]:
            best = list(r.spans[:1])
            # a list question may take several spans of the best span's sentence
            extra = [sp for sp in r.spans[1:] if query.is_list and best and sp.passage_index == best[0].passage_index]
            for sp in best + extra:
                sent = _sentence_at(texts[sp.passage_index], sp.start, sp.end)
                if sent is not None:
                    spans.append(SpanEvidence(sp.text, sp.passage_index + 1, sp.start, sp.end,
                                              float(sp.score), sent))
        return main, spans

    @staticmethod
    def wants_span(query: Query) -> bool:
        """False for why/how/definition questions (``SENTENCE_QUESTIONS``)."""
        return not SENTENCE_QUESTIONS.search(query.own)


def _sentence_at(text: str, start: int, end: int) -> Sentence | None:
    """The sentence of ``text`` holding the span ``[start, end)`` (or the sentences it spans)."""
    sents = [s for s in split_sentences(text) if s.start < end and s.end > start]
    if not sents:
        return None
    lo, hi = sents[0].start, sents[-1].end
    return Sentence(text[lo:hi], lo, hi)


def span_answer_text(spans: Sequence[SpanEvidence], lang: str) -> str:
    """The answer text written from the spans' sentences: each supporting sentence once,
    with the marker of its hit (``…。[2]``)."""
    seen: set[tuple[int, int]] = set()
    parts = []
    for sp in spans:
        key = (sp.hit_number, sp.sentence.start)
        if key in seen:
            continue
        seen.add(key)
        t = sp.sentence.text.rstrip()
        end = "" if t.endswith(tuple("。！？!?；;…”’」』）)】\"'.")) else ("。" if lang == "zh" else ".")
        if t and t[-1] in "，,；;：:、":
            t, end = t[:-1], ("。" if lang == "zh" else ".")
        parts.append(f"{t}[{sp.hit_number}]{end}")
    return ("" if lang == "zh" else " ").join(parts)
