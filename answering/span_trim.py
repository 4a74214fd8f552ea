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

0. ``whole_value`` (count, number, money, percent, day, year and time questions; ``WHOLE_VALUE_KINDS``;
   applied first, on the passage, by ``whole_value``): the span is widened to every value of
   the expected type it cuts (``answer_type.value_spans``; a time question's values are days
   and years). A reader span ends on an XLM-R piece, and the pieces of ``4個國家`` are
   ``4|個國家``, so it may read ``4`` of a count, ``5月20`` of ``5月20日`` or ``1871年`` of
   ``1871年1月18日`` (a time question); ``300名`` of ``近300名`` -> ``近300名``; a number question's
   value is a quantity with any measure word, a percentage or an amount (``1200`` of
   ``1200多人``, ``35.5`` of ``35.5%``). A value the span
   holds whole, or does not touch, leaves it.

After rule 0 and after the trims below, the span is moved on its passage
(``answering.span_moves``: to the clause, the counted noun's quantity, the enumeration, the
category word, the title marks); ``answering.reading.answer_bounds`` applies both modules in
order.

1. ``value`` (count, money, percent, day, year questions): a span holding a value of the expected
   type (``answer_type.value_spans``) is cut to its values, from the first to the last one
   before the next clause mark (``CLAUSE_MARKS``), with the approximation word before the
   first one (``近``, ``约`` ...: part of the value): ``达4329.7万元`` -> ``4329.7万元``;
   ``近300名党员参加…`` -> ``近300名``; a range's first number without a unit stays with it
   (``RANGE_MARKS``: ``宽度12到500公里`` -> ``12到500公里``, not ``500公里``);
   ``100万元增长到800万元`` stays (one clause), unless the
   question asks what the change reached (``营收涨到了多少``: ``AnswerType.endpoint``), when the
   value after ``到`` is the answer: ``800万元``.
1b. ``counted`` (number questions that count a noun, ``AnswerType.noun``: ``累计处理了多少邮件``):
   the value of a number (a quantity with a measure word, ``answer_type.VALUE_PATTERNS``)
   nearest the noun (``answer_type.noun_distance``: ``累计慰问5.3万余人次，处理邮件1794.6万件`` ->
   ``1794.6万件``), else as rule 1: ``1794.6万件，同比增长35.5%，…`` -> ``1794.6万件`` (the seed page).
   A number question with no noun (``How many…``, ``增长的部分有多少``) keeps its span: the
   reader's span of an English question is judged by how much of it is a value
   (``answering.reading.CROSS_LANGUAGE_VALUE_SHARE``), which a cut would defeat.
2. ``speaker`` (person questions): a speech verb that ends the span (``SPEECH_VERBS``, with
   the punctuation after it) is cut: ``李妙称赞道。`` -> ``李妙``; ``张耿群说`` -> ``张耿群``.
3. ``role`` (person questions that name a role, ``AnswerType.role``): the span up to the
   name after the first mention of that role (a whole word) is cut, when a name follows it:
   ``物流部经理叫什么名字？`` / ``物流部经理于雷`` -> ``于雷``; ``董事长为王石`` stays. (CMRC and DRCD references to such
   questions hold the role in 5 of 84 cases, all of them whole clauses.)
3a. ``place`` (place questions): a span opening with a noun stops before the first verb an
   aspect particle follows, the predicate of the clause the place opens: ``职工食堂送去了肉类、
   蔬菜等食材…`` -> ``职工食堂`` (``明发珍珠泉大酒店`` stays: no particle follows 明发); a last
   ``处``/``那里`` is cut (``大赛组委会处`` -> ``大赛组委会``).
3b. ``paragraph`` (every question): a span across a paragraph break keeps its longest
   paragraph (a sub-heading and the paragraph after it -> the paragraph).
4. ``edges`` (every question, typed or not): what no answer begins or ends with is cut, one
   piece at a time: a clause mark at either end (``EDGE_MARKS``), an opening bracket or quote
   at the start whose closing one is not in the span, a closing one at the end whose
   opening one is not, and an opening one at the end (``text.chars.BRACKET_PAIRS``;
   ``销往全国各地。“`` -> ``销往全国各地。``), a leading structural ``的``, a
   trailing one after a noun, numeral or time word (``NOMINAL_TAGS``: ``毛利家的`` ->
   ``毛利家``; ``最溫暖的`` stays), and a leading aspect particle (``ASPECT_PARTICLES``, as
   jieba tags it: ``了一倍`` -> ``一倍``; ``了解`` stays). Of the 4,495 CMRC and DRCD
   references, 9 end in ``的``, none starts with it or with 了/着/过, 2 end in a comma and 5
   hold an unmatched bracket.

Measured with ``python -m evaluation run`` (reader validation split open-domain, CMRC 118 /
DRCD 420, and the seed set; checkpoint sha256 86942e76...): short-answer F1
0.555 / 0.748 / 0.665 untrimmed -> 0.553 / 0.749 / 0.714 with rules 1-2 -> 0.554 / 0.751 /
0.728 with all four (README, "The span reader").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable

from answering.answer_type import APPROXIMATION, AnswerType, matches, noun_distance, value_spans
from answering.terms import jieba_modules
from text.chars import BRACKET_PAIRS, widen_to_whole
from text.fold import offset_fold
from text.sentences import CLAUSE_MARKS
from text.numbers import QUANTITY

#: speech verbs that end a name span read from ``张耿群说``
SPEECH_VERBS = ("称赞道", "告诉记者", "介绍说", "表示", "介绍", "指出", "强调", "说道", "说", "称", "道")
_SPEAKER_END = re.compile("(?:" + "|".join(SPEECH_VERBS) + r")[\s。，,.：:“”\"]*$")
#: kinds the ``value`` rule trims to (``time`` answers keep their span: ``1998年4月``)
VALUE_KINDS = frozenset({"count", "money", "percent", "day", "year"})
#: rule 1: what joins a change's start value to its end value (``100万元增长到800万元``)
ENDPOINT_MARKS = ("到", "至")
#: rule 1: what joins the two numbers of a range (``12到500公里``, ``3000-5000人``); a range's
#: first number often has no unit and is kept with the value after it
RANGE_MARKS = ("到", "至", "~", "～", "-", "－", "—", "–")
_RANGE_START = re.compile(rf"{APPROXIMATION}{QUANTITY}\s*(?:{'|'.join(map(re.escape, RANGE_MARKS))})\s*$")
#: rule 3: jieba tags of the word the role must be followed by (punctuation between allowed:
#: ``总教练：林书豪``): a person's name (``董事长为王石`` stays whole)
NAME_TAGS = ("nr",)
#: rule 4: clause marks no answer begins or ends with (a final 。 of a clause answer stays)
EDGE_MARKS = frozenset("，,、；;：:")
#: marks no answer begins with: clause marks and full stops (not ASCII . ! ?: ``.NET``)
LEAD_MARKS = EDGE_MARKS | frozenset("。！？")
_CLOSERS = {c: o for o, c in BRACKET_PAIRS.items()}
#: rule 4: jieba tag prefixes of the words after which a final 的 is a cut-off modifier
NOMINAL_TAGS = ("n", "m", "t", "q", "j", "s", "f", "eng")


@dataclass(frozen=True)
class TrimRule:
    """One span-trim rule.

    Attributes:
        name: rule name (``DISABLED`` and the rules listing use it).
        kinds: the answer-type kinds it applies to (None: every question, typed or not).
        trim: ``(answer type or None, span text) -> (start, end)`` offsets within the span text of
            the part kept (``(0, len(span))``: unchanged; never empty).
        description: one line for the rules listing.
    """

    name: str
    kinds: frozenset[str] | None
    trim: Callable[[AnswerType | None, str], tuple[int, int]]
    description: str = ""

    def applies(self, answer_type: AnswerType | None) -> bool:
        """True when the rule is on and applies to a question of ``answer_type``."""
        if self.name in DISABLED:
            return False
        return self.kinds is None or (answer_type is not None and answer_type.kind in self.kinds)


#: rule 0: answer kind -> the kinds of value a span of it is widened to (a time question is
#: answered by a day or a year, a number question by a quantity, a percentage or an amount)
WHOLE_VALUE_KINDS: dict[str, tuple[str, ...]] = ({k: (k,) for k in sorted(VALUE_KINDS)}
                                                  | {"number": ("number", "percent", "money"),
                                                     "time": ("day", "year")})
WHOLE_VALUE_DESCRIPTION = ("count/number/money/percent/day/year/time: widen a span to the whole value it cuts on its "
                           "passage (4 of 4個國家 -> 4個)")


def whole_value(answer_type: AnswerType | None, text: str, start: int, end: int) -> tuple[int, int]:
    """Rule 0: ``(start, end)``, character offsets of a span in its passage ``text``, widened to
    every value of the expected type that it cuts, i.e. shares a character with and does not
    hold whole (``WHOLE_VALUE_KINDS``, ``answer_type.value_spans``): ``4`` of ``以及4個國家``
    -> the offsets of ``4個``. Unchanged for an untyped question (None), a kind without
    values, an empty span, or when the rule is in ``DISABLED``."""
    if answer_type is None or "whole_value" in DISABLED:
        return start, end
    return widen_to_whole(_whole_values(answer_type, text), start, end)


def _whole_values(answer_type: AnswerType, text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every value in ``text`` of the kinds ``WHOLE_VALUE_KINDS`` gives
    the question's kind (``[]`` for other kinds)."""
    types = [answer_type if kind == answer_type.kind else replace(answer_type, kind=kind)
             for kind in WHOLE_VALUE_KINDS.get(answer_type.kind, ())]
    return [v for t in types for v in value_spans(t, text)]


def value_share(answer_type: AnswerType | None, span: str) -> float:
    """Share (0-1) of the span's non-space characters inside values of the expected type
    (``WHOLE_VALUE_KINDS``: ``1200多人`` is 1.0 for a number question, ``慰问投递员1200多人``
    6/11); 0.0 for an untyped question (None), a kind without values or an empty span."""
    size = sum(not c.isspace() for c in span)
    if answer_type is None or not size:
        return 0.0
    inside = {i for s, e in _whole_values(answer_type, span) for i in range(s, e) if not span[i].isspace()}
    return len(inside) / size


def trim_to_value(answer_type: AnswerType, span: str) -> tuple[int, int]:
    """Rule 1: the span's values of ``answer_type`` up to the first clause mark after the
    first value, from a range's unit-less first number before them (``12到500公里``); for an
    ``endpoint`` question only the first value after ``到``/``至`` (``ENDPOINT_MARKS``), else
    the last one (``(0, len(span))`` when it holds none)."""
    found = value_spans(answer_type, span)
    if not found:
        return 0, len(span)
    run = found[:1]
    for s, e in found[1:]:
        if any(ch in CLAUSE_MARKS for ch in span[run[-1][1]:s]):
            break
        run.append((s, e))
    if answer_type.endpoint and len(run) > 1:
        after = [v for prev, v in zip(run, run[1:]) if any(m in span[prev[1]:v[0]] for m in ENDPOINT_MARKS)]
        return after[0] if after else run[-1]
    start = run[0][0]
    if not answer_type.endpoint:
        m = _RANGE_START.search(span, 0, start)
        if m is not None:
            start = m.start()
    return start, run[-1][1]


def trim_counted(answer_type: AnswerType, span: str) -> tuple[int, int]:
    """Rule 1b: a number question that counts a noun (``AnswerType.noun``) is cut to the
    span's value nearest the noun (``answer_type.noun_distance``, within its window; with
    a range's unit-less first number before it), else as rule 1 cuts a count
    (``trim_to_value``): ``累计慰问5.3万余人次，处理邮件1794.6万件`` -> ``1794.6万件`` for
    ``多少邮件``. ``(0, len(span))`` when it counts none."""
    if answer_type.noun is None:
        return 0, len(span)
    near = [(d, s, e) for s, e in value_spans(answer_type, span)
            if (d := noun_distance(answer_type, span, s, e)) is not None]
    if not near:
        return trim_to_value(answer_type, span)
    _, start, end = min(near)
    m = _RANGE_START.search(span, 0, start)
    return (m.start() if m is not None else start), end


def trim_speaker(answer_type: AnswerType, span: str) -> tuple[int, int]:
    """Rule 2: the span without a speech verb that ends it (``李妙称`` -> ``李妙``); unchanged
    when nothing would be left."""
    m = _SPEAKER_END.search(span)
    if m is None or not span[:m.start()].strip():
        return 0, len(span)
    return 0, len(span[:m.start()].rstrip())


def trim_role(answer_type: AnswerType, span: str) -> tuple[int, int]:
    """Rule 3: the span from the name after the first mention of the question's role
    (``answer_type.role``, a whole jieba word; punctuation between allowed): ``物流部经理于雷``
    -> ``于雷``. Unchanged when there is no role, the span does not name it as a word, or the
    word after it is no name (``NAME_TAGS``: ``董事长为王石``, ``总经理助理王五``)."""
    role, folded = answer_type.role, offset_fold(span)
    if not role or role not in folded:
        return 0, len(span)
    _, pseg = jieba_modules()
    after_role, at = False, 0
    for w in pseg.cut(folded):
        word, flag, start = w.word, w.flag, at
        at += len(word)
        if not after_role:
            after_role = word == role
        elif word.strip() and flag not in ("x", "w"):  # the first word after the role
            return (start, len(span)) if flag.startswith(NAME_TAGS) else (0, len(span))
    return 0, len(span)


#: words after a noun that make it a place (``组委会处``, ``组委会那里``): no part of the answer
PLACE_POINTERS = frozenset({"处", "那里", "那儿", "这里", "这儿"})
#: jieba tags of the words a place span may open with (nouns, place and organisation names)
PLACE_OPENING_TAGS = ("n", "ns", "nt", "nz", "s", "f")


def trim_place(answer_type: AnswerType, span: str) -> tuple[int, int]:
    """Rule 3a: a place span that opens with a noun stops before the first verb (jieba ``v``)
    that an aspect particle follows (``ASPECT_TAGS``: the clause's predicate):
    ``职工食堂送去了肉类、蔬菜等食材…`` -> ``职工食堂`` for ``送到哪儿去了？`` (third news trial).
    Unchanged for a span opening otherwise (``原生于巴西``) or with no such verb (``明发珍珠泉
    大酒店``: jieba tags 明发 a verb). Of the 350 CMRC and DRCD place references, 20 hold a
    verb after an opening noun, as clauses. No cut when a place follows the verb
    (``answer_type.matches``: ``中央红军到达了陕北吴起镇``; cold review). A last word that only
    points at the noun before it (``PLACE_POINTERS``) is cut: ``大赛组委会处`` -> ``大赛组委会``
    (``办事处`` is one word; ``约2900公里处`` keeps it after a quantity)."""
    _, pseg = jieba_modules()
    words = [(w.word, w.flag) for w in pseg.cut(offset_fold(span))]
    if not words or words[0][1] == "vn" or not words[0][1].startswith(PLACE_OPENING_TAGS):
        return 0, len(span)
    if len(words) > 1 and words[-1][0] in PLACE_POINTERS and not words[-2][1].startswith(("m", "q")):
        return 0, len(span) - len(words[-1][0])
    at = 0
    for (word, flag), nxt in zip(words, words[1:] + [("", "x")]):
        if at > 0 and flag == "v" and nxt[1] in ASPECT_TAGS:
            if matches(answer_type, span[at:]):
                break  # 中央红军到达了陕北吴起镇: the place follows the predicate (cold review)
            return 0, len(span[:at].rstrip())
        at += len(word)
    return 0, len(span)


#: aspect particles (jieba tags ul/uz/ug) no answer begins with: of the 4,495 CMRC and DRCD
#: references none starts with 了, 着 or 过; ``多了一倍`` was read ``了一倍`` (news trial)
ASPECT_PARTICLES = "了着过"
ASPECT_TAGS = frozenset({"ul", "uz", "ug"})


def _edge_cut(span: str) -> tuple[int, int]:
    """One piece rule 4 cuts from ``span``: ``(1, len)`` or ``(0, len - 1)`` (or ``len - 1``
    for a final 的), ``(0, len)`` when none."""
    n = len(span)
    first, last = span[0], span[-1]
    if first in LEAD_MARKS or (first in BRACKET_PAIRS and BRACKET_PAIRS[first] not in span[1:]):
        return 1, n
    if last in EDGE_MARKS or last in BRACKET_PAIRS or (last in _CLOSERS and _CLOSERS[last] not in span[:-1]):
        return 0, n - 1
    if first in ASPECT_PARTICLES:
        _, pseg = jieba_modules()
        lead = next(iter(pseg.cut(span)), None)
        if n > 1 and lead is not None and lead.word == first and lead.flag in ASPECT_TAGS:
            return 1, n
    if "的" in (first, last):
        _, pseg = jieba_modules()
        words = list(pseg.cut(span))
        if len(words) > 1 and words[0].word == "的":
            return 1, n
        if len(words) > 1 and words[-1].word == "的" and words[-2].flag.startswith(NOMINAL_TAGS):
            return 0, n - 1
    return 0, n


def trim_paragraph(answer_type: AnswerType | None, span: str) -> tuple[int, int]:
    """Rule 3b: a span across a paragraph break keeps its longest paragraph (``营造旺季生产氛围\n
    贵阳邮区中心是全省邮件处理的神经中枢``, a sub-heading and the paragraph after it, -> the
    paragraph; seed gz-23). No reference of CMRC, DRCD or the seed set crosses one."""
    if "\n" not in span:
        return 0, len(span)
    start, best = 0, (0, 0)
    for line in span.split("\n"):
        if len(line.strip()) > best[1] - best[0]:
            best = (start, start + len(line))
        start += len(line) + 1
    return best if best[1] > best[0] else (0, len(span))


def trim_edges(answer_type: AnswerType | None, span: str) -> tuple[int, int]:
    """Rule 4: ``span`` without the clause marks, unmatched brackets and cut-off ``的`` at its
    ends (``文章奧府」，`` -> ``文章奧府``, ``毛利家的`` -> ``毛利家``); never less than one
    character."""
    start, end = 0, len(span)
    while end - start > 1:
        s, e = _edge_cut(span[start:end])
        if (s, e) == (0, end - start):
            break
        start, end = start + s, start + e
    return start, end


TRIM_RULES: tuple[TrimRule, ...] = (
    TrimRule("value", VALUE_KINDS, trim_to_value,
             "count/money/percent/day/year: cut to the values of the expected type (达4329.7万元 -> 4329.7万元)"),
    TrimRule("counted", frozenset({"number"}), trim_counted,
             "number, the question counts a noun: cut to the value nearest it (慰问5.3万人次，处理邮件1794.6万件 -> 1794.6万件)"),
    TrimRule("speaker", frozenset({"person"}), trim_speaker,
             "person: cut a trailing speech verb (李妙称 -> 李妙)"),
    TrimRule("role", frozenset({"person"}), trim_role,
             "person, the question names a role: cut to the name after it (物流部经理于雷 -> 于雷)"),
    TrimRule("place", frozenset({"place"}), trim_place,
             "place: stop before the predicate the place opens (职工食堂送去了肉类… -> 职工食堂)"),
    TrimRule("paragraph", None, trim_paragraph,
             "any question: a span across a paragraph break keeps its longest paragraph"),
    TrimRule("edges", None, trim_edges,
             "any question: cut end clause marks, unmatched brackets, cut-off 的, a leading 了/着/过 (毛利家的 -> 毛利家)"),
)

#: Rules disabled by name (an empty set: all on). Tests may switch one off.
DISABLED: set[str] = set()


def trim_span(answer_type: AnswerType | None, span: str) -> tuple[int, int]:
    """``(start, end)`` offsets within ``span`` of the part that answers a question of
    ``answer_type`` (``TRIM_RULES`` in order; an untyped question, None, gets the rules for
    every question); ``(0, len(span))`` when no rule applies. The part kept is never empty."""
    start, end = 0, len(span)
    for rule in TRIM_RULES:
        if not rule.applies(answer_type):
            continue
        s, e = rule.trim(answer_type, span[start:end])
        if e > s:
            start, end = start + s, start + e
    return start, end
