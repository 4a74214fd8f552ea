"""The reader stage: exact answer spans from the retrieved passages (retriever -> reader, as
DrQA, BERTserini and DPR do), bound to checked citations.

``ReaderStage`` wraps the project's trained span reader (``reader.model.SpanReader``). For a
parsed question and the gate's scored sentences it reads the windows around the best
``FOCUS_SENTENCES`` sentences (``read_focused``; a multi-part question is read once per
part), and returns the spans with the reader's no-answer margin, which the gate's ``reader``
rule holds to ``GateConfig.reader_null_max`` (calibrated open-domain: ``gate.READER_NULL_MAX``).
A question in the other script than the best passage is read converted to its script
(``reader_question``).

Spans of lower-ranked passages lose ``RETRIEVAL_RANK_PENALTY`` per rank (``_retrieval_prior``:
a rank-based variant of BERTserini's retriever-reader score fusion), so the reader's choice
leans on the retriever's. Within ``TYPED_SPAN_MARGIN`` of the best span, a span holding a
value of the expected type comes first (``_typed_first``), and, for a question that counts a
noun (``多少邮件``), one whose value stands next to that noun (``_noun_first``).
Each span becomes the short answer by ``answer_bounds``: widened to the whole value it cuts
(``span_trim.whole_value``: ``4`` of ``4個國家`` -> ``4個``), cut to the value the question asks
for (``answering.span_trim``: ``达4329.7万元`` -> ``4329.7万元`` for a money question), and moved
on its passage (``answering.span_moves``): to the counted noun's quantity (``1.2`` -> ``40箱`` of
``40箱水果``), past the words the question writes before its question word (``力戒什么`` /
``力戒形式主义`` -> ``形式主义``), for a list question to the enumeration it holds, belongs to or
follows (``3个`` of ``赛前、赛中、赛后3个重要节点`` -> ``赛前、赛中、赛后``) or that its sentence names
as the asked kind (``哪些劳保用品``: ``…等食品和防寒手套、护膝等劳保用品`` -> ``防寒手套、护膝``), for
``哪个X`` to X (``雲貴高`` -> ``雲貴高原``), and to the title marks that enclose it
(``《综合物流服务方案》``). ``read`` binds each span to the answer's quote: the sentence of the
passage that holds it (``text.sentences``), so the citation quote is that sentence and the
short answer is its exact characters (``Answer.shorts``).

Why/how/definition questions (``SENTENCE_QUESTIONS``) are not answered by a span: the answer
is the extractive answerer's sentences, with a span highlighted when one lies inside them.
So is a question in another language than the passages whose span is not a value of its
expected type (an untyped English question over Chinese news: ``CROSS_LANGUAGE_VALUE_SHARE``).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from typing import Any, Sequence

from answering.answer_type import noun_near, span_matches, span_of_type, value_spans
from answering.binding import span_unbound, time_conflict
from answering.query import Query, question_echoes
from answering.span_moves import (cause_clause, category_clause, counted_value, cut_echo, listed_enumeration,
                                  whole_category, whole_list, whole_title)
from answering.span_trim import trim_span, value_share, whole_value
from answering.scoring import ScoredSentence
from retrieval.types import SearchHit
from text.chars import language
from text.fold import script_of, to_script
from text.sentences import Sentence, sentence_at

log = logging.getLogger(__name__)

FOCUS_SENTENCES = 3
TOP_SPANS = 3
#: candidate spans read per question part (non-overlapping, best first): the typed-span
#: preference chooses among them
CANDIDATE_SPANS = 8
#: tokens of each window read around a focus sentence (question included; 0: the reader's
#: training window, 256). 160 against 256, reader validation open-domain (CMRC 118 / DRCD
#: 420) and seed set: F1 0.551 / 0.683 / 0.673 against 0.554 / 0.686 / 0.670, read time
#: p50 ~68 ms against ~92 ms on 2 cores (``benchmarks.reader_bench``)
FOCUS_WINDOW_TOKENS = 160
#: longest span read, tokens, when the question has an expected answer type (a name, a
#: number, a date: short) and when it has none (a list or a what-question may be a clause)
TYPED_SPAN_TOKENS = 30
UNTYPED_SPAN_TOKENS = 60
#: a span holding a value of the question's expected type (``answer_type.span_matches``)
#: is preferred to a better-scored untyped one within this many logits (start + end)
TYPED_SPAN_MARGIN = 4.0
#: ... and within this many when the best one is no answer of the question's kind at all
#: (``answer_type.span_of_type``: the gate's ``span_type`` rule would refuse it): ``什么时候…
#: 再次消毒？`` read ``21天`` (a duration) 6.5 logits above ``服务结束后`` (fourth news trial)
REFUSED_SPAN_MARGIN = 8.0
#: kinds whose span holding no value of theirs answers no question of the kind, though the
#: gate does not refuse it (a day or year may be written otherwise, ``除夕``): ``哪天下线的？``
#: read ``下线`` above ``12月10日`` (sixth news trial); the wider margin applies to them too
DATE_KINDS = frozenset({"day", "year"})
#: retriever-reader fusion: logits (start + end) a span loses per retrieval rank of its
#: passage below the first when spans are compared (``fused_score``); a rank-based variant
#: of BERTserini's (Yang et al. 2019) interpolation of retriever and reader scores, since
#: the fused retrieval score's scale depends on the fusion method. Open-domain short-answer
#: F1, seed / CMRC val / DRCD val / DRCD val in Simplified (``python -m evaluation run``,
#: default gate, the prior alone; chosen on these sets):
#: 0: 0.787 / 0.570 / 0.735 / 0.744;  1.0: 0.792 / 0.577 / 0.755 / 0.763;
#: 1.5: 0.792 / 0.571 / 0.751 / 0.764;  2.5: 0.792 / 0.571 / 0.749 / 0.766;
#: 4.0: 0.781 / 0.571 / 0.751 / 0.764 (1.0 leads on CMRC and DRCD by 0.004-0.006, within noise).
RETRIEVAL_RANK_PENALTY = 1.0
#: a question in another language than a span's passage (English over Chinese news) keeps
#: the span only when at least this share of it lies in values of the expected type
#: (``span_trim.value_share``: ``1200多人`` for ``How many…``, not a clause holding it); the
#: reader is trained on Chinese questions, and its spans for untyped English ones were
#: unrelated (seed ``Which pharmaceutical company…`` read ``…李妙称赞道。``). 0 keeps every span.
CROSS_LANGUAGE_VALUE_SHARE = 0.5
#: the extractive answerer's best-scored sentences quoted after the span's sentence when
#: they are other sentences (a second proof when the span is wrong)
SPAN_EVIDENCE = 1
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
        reader: a ``reader.model.SpanReader`` (or any object with its ``read_focused``
            (taking ``focus_len``) / ``read`` and ``no_answer_threshold``).
    """

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.no_answer_threshold = float(getattr(reader, "no_answer_threshold", 0.0))
        self._focus_len = {"focus_len": FOCUS_WINDOW_TOKENS} if FOCUS_WINDOW_TOKENS else {}

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

    def read(self, query: Query, hits: Sequence[SearchHit], scored: Sequence[ScoredSentence], article_text=None):
        """``(reader result, spans)``: the reader's result for the question (a multi-part
        question's parts read separately: the result with the lowest no-answer margin, and
        the best span of each part) and the spans as ``SpanEvidence`` on the hits. A question
        in another language than a span's passage (English over Chinese news) keeps the span
        only when it is mostly a value of the part's expected type (``CROSS_LANGUAGE_VALUE_SHARE``:
        a number, an amount, a date); otherwise the part is answered with sentences.
        ``article_text`` (article id -> whole text, or None) lets a one-part question's span
        of an article about the question come first (``_bound_first``)."""
        texts = [h.passage.text for h in hits]
        index = {id(h): i for i, h in enumerate(hits)}
        focus = [(index[id(s.hit)], s.sentence.start, s.sentence.end)
                 for s in list(scored)[:FOCUS_SENTENCES] if id(s.hit) in index]
        questions = [reader_question(q, texts) for q in (list(query.parts) or [query.text])]
        types = list(query.part_types) if query.parts else [query.answer_type]
        results = []
        for q, answer_type in zip(questions, types):
            longest = TYPED_SPAN_TOKENS if answer_type is not None else UNTYPED_SPAN_TOKENS
            if focus:
                r = self.reader.read_focused(q, texts, focus, top_n=CANDIDATE_SPANS,
                                             max_answer_tokens=longest, **self._focus_len)
            else:
                r = self.reader.read(q, texts, top_n=CANDIDATE_SPANS, max_answer_tokens=longest)
            r = _typed_first(_noun_first(_retrieval_prior(r), answer_type, texts), answer_type, texts)
            if len(questions) == 1:
                r = _bound_first(r, query, answer_type, hits, texts, article_text)
            results.append(r)
        spans: list[SpanEvidence] = []
        for q, r, answer_type in zip(questions, results, types):
            best = list(r.spans[:1])
            # a list question may take several spans of the best span's sentence
            extra = [sp for sp in r.spans[1:TOP_SPANS]
                     if query.is_list and best and sp.passage_index == best[0].passage_index]
            for sp in best + extra:
                text = texts[sp.passage_index]
                start, end = answer_bounds(query, q, answer_type, text, sp.start, sp.end)
                if (query.language != language(text)
                        and value_share(answer_type, text[start:end]) < CROSS_LANGUAGE_VALUE_SHARE):
                    continue  # another language: only a value of the expected type is read right
                sent = sentence_at(text, start, end)
                if any((x.hit_number, x.start, x.end) == (sp.passage_index + 1, start, end) for x in spans):
                    continue  # two spans moved to one enumeration (whole_list)
                if sent is not None:
                    spans.append(SpanEvidence(text[start:end], sp.passage_index + 1, start, end,
                                              float(sp.score), sent))
        return min(results, key=lambda r: r.no_answer_score), spans

    @staticmethod
    def wants_span(query: Query) -> bool:
        """False for why/how/definition questions (``SENTENCE_QUESTIONS``)."""
        return not SENTENCE_QUESTIONS.search(query.own)


def reader_question(question: str, texts: Sequence[str]) -> str:
    """``question`` in the script of the best passage (``texts[0]``; OpenCC, ``text.fold``):
    the reader was trained on each example in one script, and a Traditional question over a
    Simplified page reads worse (``貴州郵政雙11期間快遞業務收入是多少？`` over the seed page:
    no-answer margin 8.6, in Simplified 3.0). To Traditional in Taiwan standard characters
    (``to_script(..., taiwan=True)``: 峰, not s2t's 峯): DRCD validation, questions in
    Simplified over the Traditional corpus (``--question-script simplified``), EM / F1 0.638 /
    0.748 with ``s2t``, 0.657 / 0.761 with ``s2tw``. Unchanged when either has no Han
    character."""
    want = script_of(texts[0]) if texts else "none"
    have = script_of(question)
    if "none" in (want, have) or want == have:
        return question
    return to_script(question, want, taiwan=True)


def fused_score(span) -> float:
    """The span's reader score (start + end logit) less ``RETRIEVAL_RANK_PENALTY`` per
    retrieval rank of its passage below the first (``passage_index``: the hits are read in
    rank order)."""
    return span.score - RETRIEVAL_RANK_PENALTY * span.passage_index


def _retrieval_prior(result):
    """``result`` with its spans ordered by ``fused_score``, best first; each span keeps the
    reader's own score (the short answer's), and the no-answer margin is the reader's own
    (the gate's ``reader`` rule is calibrated on it)."""
    return replace(result, spans=tuple(sorted(result.spans, key=lambda sp: -fused_score(sp))))


def _first_within_margin(result, ok, margin: float = TYPED_SPAN_MARGIN):
    """``result`` with its spans reordered: when the first span fails ``ok``, the best span
    passing it comes first, if its ``fused_score`` is within ``margin`` logits of the first
    span's; otherwise ``result`` unchanged."""
    spans = list(result.spans)
    if len(spans) < 2 or ok(spans[0]):
        return result
    for i, sp in enumerate(spans[1:], start=1):
        if fused_score(sp) < fused_score(spans[0]) - margin:
            break
        if ok(sp):
            return replace(result, spans=(sp, *spans[:i], *spans[i + 1:]))
    return result


def _whole(answer_type, texts: Sequence[str], sp) -> tuple[int, str]:
    """``(start, text)`` of a span widened to the whole values it cuts (``whole_value``): what
    ``read`` trims and the preferences judge (``1500`` of ``1500公里`` is ``1500公里``)."""
    text = texts[sp.passage_index]
    start, end = whole_value(answer_type, text, sp.start, sp.end)
    return start, text[start:end]


def _typed_first(result, answer_type, texts: Sequence[str]):
    """``result`` with the best span holding a value of the expected type first, when the
    first span holds none (``_first_within_margin``; ``同比增长了多少？``: ``46.8%`` before
    ``4329.7万元``), within ``TYPED_SPAN_MARGIN``, or ``REFUSED_SPAN_MARGIN`` when the first span
    cannot answer the question's kind (``span_of_type``: ``21天`` for ``什么时候``; or a
    ``DATE_KINDS`` question's span holds no date: ``下线`` for ``哪天``). A span is
    judged widened to the whole values it cuts (``_whole``: ``1500`` of ``1500公里`` is a
    length). Unchanged for kinds a span cannot be tested for (``span_matches``: None).
    ``texts``: the passages the spans were read from."""
    if answer_type is None or not result.spans:
        return result
    first = _whole(answer_type, texts, result.spans[0])[1]
    wrong_kind = not span_of_type(answer_type, first) or (
        answer_type.kind in DATE_KINDS and span_matches(answer_type, first) is False)
    margin = REFUSED_SPAN_MARGIN if wrong_kind else TYPED_SPAN_MARGIN
    return _first_within_margin(
        result, lambda sp: bool(span_matches(answer_type, _whole(answer_type, texts, sp)[1])), margin)


def _noun_first(result, answer_type, texts: Sequence[str]):
    """``result`` with the best span holding a value of the expected type
    (``answer_type.value_spans``, the span widened as ``_whole``) that stands next to the
    question's counted noun first, when the first span holds none (``_first_within_margin``;
    ``answer_type.noun_near``: ``累计处理了多少邮件`` read ``慰问5.3万余人次`` where another passage
    says ``处理邮件1794.6万件``; ``双11`` next to 邮件 is no value). ``texts``: the passages the
    spans were read from. Applied before ``_typed_first``, so both margins count from the
    reader's best span."""
    if answer_type is None or answer_type.noun is None:
        return result

    def near(sp) -> bool:
        start, whole = _whole(answer_type, texts, sp)
        text = texts[sp.passage_index]
        return any(noun_near(answer_type, text, start + s, start + e)
                   for s, e in value_spans(answer_type, whole))

    return _first_within_margin(result, near)


def _bound_first(result, query: Query, answer_type, hits: Sequence[SearchHit], texts: Sequence[str],
                 article_text=None):
    """``result`` with the best span read in a text about the question first
    (``binding.span_unbound`` is empty, as the gate's ``span_context`` rule reads it: its
    paragraph, the one before and its article's lede name the question's subject names,
    numbers and periods, and it is about the question's organisation), when the first span's
    is not (``_first_within_margin``), and,
    when the first span holds a value of the expected type, only one that holds one too
    (``span_matches``). The gate's ``span_context`` rule refuses a first span that is not
    about the question; DRCD validation in Simplified: ``「Princeps」的中文翻译为?`` read
    ``胡佳`` of another article first, and ``第一公民`` of the one naming Princeps is now the
    answer instead of a refusal. Nor may its paragraph up to its sentence's end say another
    relative time than the question's (``binding.time_conflict``, as the ``relative_time``
    rule reads it: ``今年计划改造多少个老旧小区？`` read ``明年…计划改造…92个`` 1.7 logits above
    ``今年…计划改造…86个``; sixth news trial). ``texts``: the hits' passage texts the spans were
    read from; ``article_text``: article id -> its whole text, or None."""

    def about(sp) -> bool:
        ok = 0 <= sp.passage_index < len(hits)
        if not ok:
            return False
        text = texts[sp.passage_index]
        sentence = sentence_at(text, sp.start, sp.end)
        end = sentence.end if sentence is not None else sp.end
        paragraph = text[text.rfind("\n", 0, sp.start) + 1: end]
        return (not span_unbound(query, hits[sp.passage_index].passage, sp.start, end, hits, article_text)
                and not time_conflict(query.own, paragraph))

    def typed(sp) -> bool:
        return answer_type is None or span_matches(answer_type, _whole(answer_type, texts, sp)[1]) is not False

    if not result.spans:
        return result
    need_type = typed(result.spans[0])
    return _first_within_margin(result, lambda sp: about(sp) and (typed(sp) or not need_type))


def answer_bounds(query: Query, question: str, answer_type, text: str, start: int, end: int) -> tuple[int, int]:
    """The short answer's ``(start, end)`` character offsets in the passage ``text`` for the
    reader's span ``[start, end)`` of it: widened to the whole values it cuts
    (``span_trim.whole_value``), cut to the one clause that is a ``哪个X`` question's X
    (``span_moves.category_clause``), trimmed (``span_trim.trim_span``), then moved on the
    passage (``answering.span_moves``): to the counted noun's quantity (``counted_value``), for
    a why-question to the cause its sentence states (``cause_clause``), past
    the question's predicate (``cut_echo``; a who-question's later clause too), for a list
    question to the items (``whole_list``,
    ``listed_enumeration``), taking X (``whole_category``) and title marks (``whole_title``).
    ``question``: the part of the question the span answers, in the passage's script."""
    echoes = question_echoes(question)
    who = answer_type is not None and answer_type.kind == "person"
    start, end = whole_value(answer_type, text, start, end)
    start, end = category_clause(query.category, text, start, end)
    s, e = trim_span(answer_type, text[start:end])
    start, end = start + s, start + e
    start, end = counted_value(answer_type, text, start, end)
    start, end = cause_clause(query.asks_cause, text, start, end)
    start, end = cut_echo(echoes, text, start, end, later_clauses=who)
    if query.is_list and answer_type is None:  # 哪些/哪几个: the items, not their count
        start, end = whole_list(text, start, end, echoes)
        start, end = listed_enumeration(query.listed, text, start, end, echoes)
    start, end = whole_category(query.category, text, start, end)
    return whole_title(text, start, end)


def span_answer_text(spans: Sequence[SpanEvidence],
                     evidence: Sequence[tuple[int, Sentence]] = (), cap: int = 0) -> str:
    """The answer text written from the spans' sentences, each once with the marker of its
    hit (``…。[2]``), then the ``evidence`` sentences ``(hit number, sentence)`` that overlap
    none of them (the extractive answerer's best-scored sentences, a second proof when the
    span is wrong), up to ``cap`` sentences in all (0: no cap)."""
    from answering.extractive import join_quotes

    taken: list[tuple[int, Sentence]] = []

    def add(hit: int, sent: Sentence) -> None:
        if not any(h == hit and sent.start < t.end and sent.end > t.start for h, t in taken):
            taken.append((hit, sent))

    for sp in spans:
        add(sp.hit_number, sp.sentence)
    for hit, sent in evidence:
        if cap and len(taken) >= cap:
            break
        add(hit, sent)
    return join_quotes([(h, t.text.rstrip()) for h, t in taken])
