"""Trimming a reader span to the value the question asks for.

The span reader learnt its span lengths from CMRC 2018, whose reference answers are often
whole clauses (47% hold a clause mark; DRCD's 1%), so for a news question such as
``黔西南州分公司投入了多少慰问金？`` it may read ``7.4万元，为员工做好疫情防控…`` where the
answer is ``7.4万元``. When the question's expected answer type (``answering.answer_type``)
is one a value can be found for in a short text, the span is cut to that value: the answer
of factoid QA systems is the typed entity, not the clause around it (Harabagiu et al.,
2000, "FALCON"; the answer-type check of ``answer_type`` reused as a boundary).

Rules (``TRIM_RULES``, applied in order, each once; ``DISABLED`` switches one off by name;
``python -m answering rules`` lists them):

1. ``value`` (count, money, percent, day, year questions): a span holding a value of the expected
   type (``answer_type.value_spans``) is cut to its values, from the first to the last one
   before the next clause mark (``CLAUSE_MARKS``), with the approximation word before the
   first one (``近``, ``约`` ...: part of the value): ``达4329.7万元`` -> ``4329.7万元``;
   ``近300名党员参加…`` -> ``近300名``; ``100万元增长到800万元`` stays (one clause).
2. ``speaker`` (person questions): a speech verb that ends the span (``SPEECH_VERBS``, with
   the punctuation after it) is cut: ``李妙称赞道。`` -> ``李妙``; ``张耿群说`` -> ``张耿群``.

A year followed by ``代``/``前``/``间``/``初``/``末``/``底`` is no year value (``1960年代``
and ``2500年前`` are DRCD answers themselves), so such a span keeps its length.

Measured with ``python -m evaluation run`` (reader validation split open-domain, CMRC 118 /
DRCD 420, and the seed set; checkpoint sha256 86942e76...): short-answer F1
0.555 / 0.748 / 0.665 untrimmed -> 0.553 / 0.749 / 0.714 (README, "The span reader").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from answering.answer_type import AnswerType, value_spans

#: clause marks: values on both sides of one belong to different statements
CLAUSE_MARKS = frozenset("，,；;。！？!?：:")
#: speech verbs that end a name span read from ``张耿群说``
SPEECH_VERBS = ("称赞道", "告诉记者", "介绍说", "表示", "介绍", "指出", "强调", "说道", "说", "称", "道")
_SPEAKER_END = re.compile("(?:" + "|".join(SPEECH_VERBS) + r")[\s。，,.：:“”\"]*$")
#: kinds the ``value`` rule trims to (``time`` answers keep their span: ``1998年4月``)
VALUE_KINDS = frozenset({"count", "money", "percent", "day", "year"})


@dataclass(frozen=True)
class TrimRule:
    """One span-trim rule.

    Attributes:
        name: rule name (``DISABLED`` and the rules listing use it).
        kinds: the answer-type kinds it applies to.
        trim: ``(answer type, span text) -> (start, end)`` offsets within the span text of
            the part kept (``(0, len(span))``: unchanged; never empty).
        description: one line for the rules listing.
    """

    name: str
    kinds: frozenset[str]
    trim: Callable[[AnswerType, str], tuple[int, int]]
    description: str = ""


def trim_to_value(answer_type: AnswerType, span: str) -> tuple[int, int]:
    """Rule 1: the span's values of ``answer_type`` up to the first clause mark after the
    first value (``(0, len(span))`` when it holds none)."""
    found = value_spans(answer_type, span)
    if not found:
        return 0, len(span)
    start, end = found[0]
    for s, e in found[1:]:
        if any(ch in CLAUSE_MARKS for ch in span[end:s]):
            break
        end = e
    return start, end


def trim_speaker(answer_type: AnswerType, span: str) -> tuple[int, int]:
    """Rule 2: the span without a speech verb that ends it (``李妙称`` -> ``李妙``); unchanged
    when nothing would be left."""
    m = _SPEAKER_END.search(span)
    if m is None or not span[:m.start()].strip():
        return 0, len(span)
    return 0, len(span[:m.start()].rstrip())


TRIM_RULES: tuple[TrimRule, ...] = (
    TrimRule("value", VALUE_KINDS, trim_to_value,
             "count/money/percent/day/year: cut to the values of the expected type (达4329.7万元 -> 4329.7万元)"),
    TrimRule("speaker", frozenset({"person"}), trim_speaker,
             "person: cut a trailing speech verb (李妙称 -> 李妙)"),
)

#: Rules disabled by name (an empty set: all on). Tests may switch one off.
DISABLED: set[str] = set()


def trim_span(answer_type: AnswerType | None, span: str) -> tuple[int, int]:
    """``(start, end)`` offsets within ``span`` of the part that answers a question of
    ``answer_type`` (``TRIM_RULES`` in order); ``(0, len(span))`` when no rule applies or
    ``answer_type`` is None. The part kept is never empty."""
    start, end = 0, len(span)
    if answer_type is None:
        return start, end
    for rule in TRIM_RULES:
        if rule.name in DISABLED or answer_type.kind not in rule.kinds:
            continue
        s, e = rule.trim(answer_type, span[start:end])
        if e > s:
            start, end = start + s, start + e
    return start, end
