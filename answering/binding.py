"""Binding an answer to the question: is a text about the question's subject?

One home for the tests the gate's rules (``answering.gate``), the reader stage's span
preference (``answering.reading``) and the name audit (``evaluation.name_audit``) read: a
name of the question occurs in a text (``name_found``, written differently or shortened),
which names must be the subject of an answer (``subject_names``), the text around an answer
(its paragraph, ``paragraph_context``; its article, ``article_context``), and what of the
question that text leaves out (``unbound``: the 凡尔赛宫 of ``凡爾賽宮於1870年所爆發的哪一個戰爭
期間被普魯士帝國軍隊占領?`` next to a span of an article that never names it), and a relative
time it contradicts (``time_conflict``: 去年 against 今年).
"""
from __future__ import annotations

from typing import Callable, Sequence

from answering.query import Query
from answering.scoring import ScoredSentence
from answering.terms import name_variants
from corpus.types import Passage
from retrieval.types import SearchHit
from text.fold import match_key
from text.ngrams import bigram_containment
from text.numbers import contains_number


def name_found(name: str, text: str, min_share: float = 0.6) -> bool:
    """True when ``name`` (or its stem without 省/市/县…, ``terms.name_variants``) occurs in
    ``text`` (match keys), or, for a name of 3+ characters, when at least ``min_share`` of
    its character bigrams do (``黔东南州`` in ``黔东南苗族侗族自治州``)."""
    t = match_key(text)
    if any(match_key(v) in t for v in name_variants(name)):
        return True
    return len(name) >= 3 and bigram_containment(name, text) >= min_share


def subject_names(query: Query) -> tuple[str, ...]:
    """The names that must be the subject of an answer sentence: the question's names, less
    those that only came from the context of a ``context``/``subjectless`` follow-up (topic
    terms of an earlier question, not the subject of this one); the name a ``那X呢`` or a
    person pronoun stands for stays."""
    if query.condensed.rule in ("context", "subjectless"):
        own = match_key(query.own)
        return tuple(n for n in query.names if match_key(n) in own)
    return query.names


def paragraph_context(p: Passage, scored: Sequence[ScoredSentence], end: int | None = None) -> str:
    """The text of passage ``p`` (up to character ``end``, when given), the retrieved passages
    of its article and paragraph (those starting before it, when ``end`` is given), and the
    article's headline unless the title was derived."""
    parts = [p.text if end is None else p.text[:end]]
    seen = {p.id}
    for o in scored:
        q = o.hit.passage
        if (q.id not in seen and q.article_id == p.article_id
                and q.paragraph_no == p.paragraph_no and (end is None or q.start < p.start)):
            seen.add(q.id)
            parts.append(q.text)
    if not p.title_derived:
        parts.append(p.title)
    return "\n".join(parts)


def question_numbers(query: Query) -> list[str]:
    """The numbers of the question's own message that the ``numbers`` rule requires: two or
    more digits (``2012``), or a month or day (``3月``)."""
    own = match_key(query.own)
    return [n for n in query.numbers
            if match_key(n) in own and (sum(c.isdigit() for c in n) >= 2 or n[-1] in "月日")]


def qualifiers(query: Query) -> set[str]:
    """Names of the question written directly before another of its names: the broader
    place of a chain (``新疆`` of ``新疆阿克陶县沙依库力…``), which an article about the narrower
    one need not repeat."""
    own = match_key(query.own)
    keys = {match_key(n) for n in query.names}
    return {n for n in query.names
            if any(own.find(match_key(n) + k) >= 0 for k in keys if k != match_key(n))}


def unbound(query: Query, context: str, min_share: float = 0.6) -> list[str]:
    """The subject names (``subject_names``, less ``qualifiers``) and numbers
    (``question_numbers``) of the question that ``context`` does not hold (``name_found``
    with ``min_share``; ``text.numbers.contains_number``); empty when the context is about
    the question."""
    broad = qualifiers(query)
    names = [n for n in subject_names(query) if n not in broad and not name_found(n, context, min_share)]
    return names + [n for n in question_numbers(query) if not contains_number(context, n)]


def article_context(p: Passage, hits: Sequence[SearchHit],
                    article_text: Callable[[str], str | None] | None = None) -> str:
    """The text of passage ``p``'s whole article and its headline: ``article_text(article_id)``
    when given and known, else the retrieved passages of that article (``hits``) and the
    headline. A news article states its place and date once, in its lede
    (``今年10月…阿克陶县…``), and its later paragraphs answer questions that name them."""
    whole = article_text(p.article_id) if article_text is not None else None
    if whole is None:
        whole = "\n".join(dict.fromkeys([p.text] + [h.passage.text for h in hits
                                                       if h.passage.article_id == p.article_id]))
    return whole + "\n" + p.title


#: Relative times a news question and its answer must agree on: words of one group name
#: different times (``RELATIVE_TIME_GROUPS``; the ``relative_time`` gate rule).
RELATIVE_TIME_GROUPS: tuple[tuple[str, ...], ...] = (
    ("前年", "去年", "今年", "明年"),
    ("上个月", "上月", "本月", "这个月", "下个月", "下月"),
    ("上周", "本周", "下周"),
    ("前天", "昨天", "今天", "明天"),
)


def time_conflict(question: str, context: str) -> list[str]:
    """The relative times of ``question`` (``RELATIVE_TIME_GROUPS``) that ``context`` contradicts:
    it says another time of the same group and never the question's (``去年…收入`` next to
    ``今年“双11”期间…收入达4329.7万元``). Empty when they agree or the context says none."""
    q, c = match_key(question), match_key(context)
    out = []
    for group in RELATIVE_TIME_GROUPS:
        asked = [w for w in group if w in q]
        said = [w for w in group if w in c]
        if asked and said and not any(w in c for w in asked):
            out += asked
    return out

