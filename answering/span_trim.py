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

0a. ``counted_value`` (count and number questions counting a noun, ``AnswerType.noun``; applied
   after the trims, on the passage, by ``counted_value``): a span that cannot be the asked value
   (``answer_type.span_of_type``: ``1.2`` of ``1.2万元`` for ``多少箱水果``) moves to the one
   quantity of the question's unit standing right next to the noun in the span's sentence
   (``40箱水果`` -> ``40箱``).

0a'. ``cut_echo`` (every question; applied after ``counted_value``, on the passage, by
   ``cut_echo``): a span opening with the 2-4 characters the question writes right before
   its question word drops them (``力戒什么？`` / ``力戒形式主义`` -> ``形式主义``).

0b. ``whole_list`` (list questions with no expected value type; applied after the trims,
   on the passage, by ``whole_list``): a span holding an enumeration is cut to it, a span
   right after one is moved to its items (``赛前、赛中、赛后3个重要节点``: ``3个`` ->
   ``赛前、赛中、赛后``), and a span that is one of its items is widened to all of them.

0b'. ``listed_enumeration`` (list questions asking items of a kind X, ``Query.listed``;
   after ``whole_list``, on the passage, by ``listed_enumeration``): the span moves to the one
   enumeration its sentence names as X (``A、B等X``: ``…等食品和防寒手套、护膝等劳保用品`` ->
   ``防寒手套、护膝`` for ``哪些劳保用品？``).

0c. ``whole_category`` (``哪个X`` questions, ``Query.category``; on the passage, by
   ``whole_category``): a span stopping right before X, or inside X's last character, takes
   it, up to a word's end (``雲貴高`` of ``雲貴高原`` for ``哪一個高原？``; not ``中国家`` of
   ``中国家庭``). Before the trims, ``category_clause`` cuts a span across clauses to its one
   clause that is an X (``…准备了早餐；湄潭县`` -> ``湄潭县`` for ``哪个县…？``).

0d. ``whole_title`` (every question; on the passage, by ``whole_title``): a span the title
   marks 《》 enclose exactly takes them (``《综合物流服务方案》``).

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

from answering.answer_type import APPROXIMATION, AnswerType, matches, noun_distance, span_of_type, value_spans
from answering.terms import jieba_modules, strict_name, tagged_offsets
from text.chars import BRACKET_PAIRS, widen_to_whole
from text.fold import match_key, offset_fold
from text.sentences import CLAUSE_MARKS, split_sentences
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
_LEAD_MARKS = EDGE_MARKS | frozenset("。！？")  # not ASCII . ! ? (.NET)
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
#: rule 0's line in the rules listing (``python -m answering rules``)
WHOLE_LIST_DESCRIPTION = ("list questions with no value type: cut or move a span to the enumeration it holds, follows "
                          "or is an item of (3个 of 赛前、赛中、赛后3个重要节点 -> 赛前、赛中、赛后)")
WHOLE_CATEGORY_DESCRIPTION = ("哪个X questions: a span stopping right before X, or inside X's last character, takes "
                              "it, up to a word's end (雲貴高 of 雲貴高原 for 哪一個高原)")
COUNTED_VALUE_DESCRIPTION = ("count/number questions counting a noun: a span that is no value of the question's unit "
                             "moves to the one quantity right next to the noun in its sentence (1.2 -> 40箱 of 40箱水果)")
LISTED_ENUMERATION_DESCRIPTION = ("哪些X questions: move the span to the one enumeration its sentence names as X "
                                  "(…等食品和防寒手套、护膝等劳保用品 -> 防寒手套、护膝 for 哪些劳保用品)")
CATEGORY_CLAUSE_DESCRIPTION = ("哪个X questions, before the trims: a span across clauses keeps its one clause that is "
                               "an X (…准备了早餐；湄潭县 -> 湄潭县 for 哪个县)")
CUT_ECHO_DESCRIPTION = ("any question: a span opening with the 2-4 characters the question writes right before its "
                        "question word drops them (力戒形式主义 for 力戒什么 -> 形式主义)")
WHOLE_TITLE_DESCRIPTION = "any question: a span 《》 enclose exactly takes them (《综合物流服务方案》)"
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


#: the mark between the items of a Chinese enumeration (``赛前、赛中、赛后``)
LIST_MARK = "、"
#: what closes an enumeration besides a clause mark: ``口罩、手套、护目镜等防护用品``
LIST_END = "等"
#: longest item, characters: a longer run is a clause, not an enumeration's item
LIST_ITEM_CHARS = 16
#: words that join an enumeration's last item (``中国、美国和日本``)
LIST_JOINERS = ("以及", "和", "及", "与")
#: jieba tags of the words a first item is made of, read back from its ``LIST_MARK``
ITEM_TAGS = ("n", "nr", "ns", "nt", "nz", "t", "s", "f", "vn", "j", "m", "q", "eng", "x")
#: jieba tags that end an enumeration's last item read up to its clause's end (a count after
#: it, ``赛后3个重要节点``; a verb, a preposition, a particle)
LAST_ITEM_STOP_TAGS = ("m", "q", "v", "p", "u", "d", "c", "r", "y")


def whole_list(text: str, start: int, end: int, echoes: tuple[str, ...] = ()) -> tuple[int, int]:
    """Rule 0b (list questions with no expected value type, ``哪些``/``哪几个``): ``(start, end)``,
    a span's offsets in its passage ``text`` (``echoes``: the question's, ``question_echoes``,
    after which the first item may begin), moved to the enumeration (items joined by
    ``LIST_MARK``, the last one maybe by ``LIST_JOINERS``; up to a clause mark or ``等``) it
    holds, belongs to or directly follows:

    * a span holding an enumeration is cut to it (``为服务点统一配备标识牌、货柜等设施`` ->
      ``标识牌、货柜``; ``5.45万件，实现零丢失、零投诉，群众满意度达100%。`` -> ``零丢失、零投诉``), its
      last item taking a verb used as a noun the span stopped before (``_nominal_verb_end``:
      ``…、项目`` of ``…、项目跟进上更胜一筹`` -> ``…、项目跟进``);
    * a span right after an enumeration's last item, or after its ``等``, is the count or
      umbrella word of that list (``赛前、赛中、赛后3个重要节点`` read ``3个``; ``开发了烟草、葵花、
      中粮等多个优质物流客户`` read ``多个优质物流客户``; news trial): the answer is the items. A
      last item holding a verb is a clause, not an item (``北京市邮政分公司、上海市邮政分公司为
      快递员提供了免费体检``: the span stays; cold review);
    * a span that is one item (a ``LIST_MARK`` or joiner before it, a ``LIST_MARK`` after it)
      is widened to all of them (``欧洲`` of ``主要分布于欧洲、北美（美国和加拿大）和亚洲北部``).

    The first item is the span when the span is followed by a ``LIST_MARK`` and preceded by
    none; otherwise it is the nouns before its ``LIST_MARK`` (``_first_item``). Unchanged when
    no enumeration touches the span, when an item would run over ``LIST_ITEM_CHARS``
    characters, or for offsets outside ``text``."""
    if not 0 <= start < end <= len(text) or "whole_list" in DISABLED:
        return start, end
    stops = CLAUSE_MARKS | {LIST_END, "\n"}
    if LIST_MARK in text[start:end]:  # the span holds an enumeration: cut to it
        mark = text.index(LIST_MARK, start, end)
        lo = max([start] + [text.rfind(m, start, mark) + 1 for m in CLAUSE_MARKS | {"\n"}])
        hi = min([end] + [i for i in (text.find(m, mark, end) for m in stops) if i >= 0])
        found = _enumeration(text, lo, hi, keep_first=False, echoes=echoes)
        if found is None:
            return start, end
        return found[0], max(found[1], _nominal_verb_end(text, found[1]))
    lo = max((text.rfind(m, 0, start) for m in CLAUSE_MARKS | {"\n"}), default=-1) + 1
    hi = min([i for i in (text.find(m, end) for m in stops) if i >= 0] or [len(text)])
    before = start
    while before > lo and text[before - 1].isspace():
        before -= 1
    joined = text[lo:before].endswith(LIST_JOINERS)
    if before > lo and text[before - 1] == LIST_END:
        before -= 1
    if text[end: end + 1] == LIST_MARK:  # the span is an item, not the last
        first = text[before - 1: before] != LIST_MARK
        found = _enumeration(text, start if first else lo, hi, keep_first=first, echoes=echoes)
        return (found[0], _last_item_end(text, found[0], found[1])) if found else (start, end)
    if text[before - 1: before] == LIST_MARK or (joined and LIST_MARK in text[lo:before]):
        return _enumeration(text, lo, end, keep_first=False, echoes=echoes) or (start, end)  # the last item
    if LIST_MARK in text[lo:before]:  # the span follows the enumeration
        last = text[text.rindex(LIST_MARK, lo, before) + 1: before]
        _, pseg = jieba_modules()
        if any(w.flag.startswith("v") and w.flag != "vn" for w in pseg.cut(offset_fold(last))):
            return start, end  # the last "item" is a clause
        return _enumeration(text, lo, before, keep_first=False, echoes=echoes) or (start, end)
    return start, end




#: what ends an enumeration right after an item's verb, making the verb part of the item
#: (``项目跟进上更胜一筹``, ``项目跟进等工作``): a locative (jieba ``f``) or ``LIST_END``; not a clause mark
#: (``在北京、上海举行，`` ends the clause's predicate; cold review)
ITEM_VERB_END_TAGS = ("f",)


def _nominal_verb_end(text: str, end: int) -> int:
    """Where the last item ending at ``end`` ends when the word after it is a verb used as a
    noun: a verb (jieba ``v``) followed by a locative (``ITEM_VERB_END_TAGS``) or ``LIST_END``
    (``品牌信誉、…、项目|跟进上更胜一筹`` -> after ``跟进``; third news trial); ``end`` otherwise
    (``北京、上海|举办了``, ``北京、上海|举行，``)."""
    _, pseg = jieba_modules()
    words = list(pseg.cut(offset_fold(text[end: end + LIST_ITEM_CHARS])))
    if len(words) < 2 or not words[0].flag.startswith("v") or words[0].flag == "vn":
        return end
    after = words[1]
    if after.flag.startswith(ITEM_VERB_END_TAGS) or after.word.startswith(LIST_END):
        return end + len(words[0].word)
    return end


def listed_enumeration(listed: str | None, text: str, start: int, end: int,
                       echoes: tuple[str, ...] = ()) -> tuple[int, int]:
    """Rule 0b' (list questions asking items of a kind, ``Query.listed``; after ``whole_list``,
    on the passage): ``(start, end)``, a span's offsets in its passage ``text``, moved to the
    enumeration its sentence names as that kind (``A、B等X``: items joined by ``LIST_MARK``
    right before the word ``LIST_END`` and X), when the sentence names exactly one and the
    span is not an enumeration of its own (one no ``等`` follows: ``北京、上海、广州三个城市``;
    cold review). A sentence may list several kinds: ``…送去了糕点、牛奶、方便面等食品和防寒手套、
    护膝等劳保用品，…肉类、蔬菜等食材`` read ``肉类、蔬菜`` for ``哪些劳保用品？`` (second news
    trial); ``…带去了方便面、牛奶、自热米饭等慰问品和1600个口罩…`` read what follows the list for
    ``哪些慰问品？`` (third). An enumeration starts after the clause mark or ``等`` before its
    first item (``_first_item``, given the question's ``echoes``), or all after a joiner word
    there (``食品和防寒手套、护膝`` -> ``防寒手套、护膝``; not 与 of 参与). Words are jieba's, on
    the offset-keeping fold (``等`` of ``高等学校`` is none). Unchanged when the sentence names
    none or several, and for offsets outside ``text``."""
    if not listed or not 0 <= start < end <= len(text) or "listed_enumeration" in DISABLED:
        return start, end
    if LIST_MARK in text[start:end] and not text[end:].lstrip().startswith(LIST_END):
        return start, end  # an enumeration of its own
    sentence = next((s for s in split_sentences(text) if s.start <= start < s.end), None)
    if sentence is None:
        return start, end
    words = tagged_offsets(sentence.text)
    folded, kind = offset_fold(sentence.text), offset_fold(listed)
    found = []
    for word, _, at in words:
        if word != LIST_END or not folded.startswith(kind, at + len(word)):
            continue
        lo = max([folded.rfind(m, 0, at) + 1 for m in CLAUSE_MARKS | {"\n"}]
                 + [w_at + 1 for w, _, w_at in words if w == LIST_END and w_at < at])
        mark = folded.find(LIST_MARK, lo, at)
        if mark < 0:
            continue
        joined = max([w_at + len(w) for w, _, w_at in words if w in LIST_JOINERS and lo <= w_at < mark], default=-1)
        if joined >= 0:  # 食品和防寒手套、护膝: the first item follows the joiner
            enumeration = _enumeration(sentence.text, joined, at, keep_first=True)
        else:
            enumeration = _enumeration(sentence.text, lo, at, keep_first=False, echoes=echoes)
        if enumeration is not None:
            found.append((sentence.start + enumeration[0], sentence.start + enumeration[1]))
    return found[0] if len(found) == 1 else (start, end)


def _last_item_end(text: str, lo: int, hi: int) -> int:
    """Where the last item of the enumeration ``text[lo:hi]`` (read up to its clause's end)
    ends: before its first word tagged ``LAST_ITEM_STOP_TAGS`` (not a verbal noun) after the
    last ``LIST_MARK`` or joiner (``赛前、赛中、赛后3个重要节点`` -> after ``赛后``); ``hi`` when none."""
    mark = text.rindex(LIST_MARK, lo, hi) + 1
    for j in LIST_JOINERS:
        at = text.rfind(j, mark, hi)
        if at >= 0:
            mark = max(mark, at + len(j))
    _, pseg = jieba_modules()
    at = mark
    for w in pseg.cut(offset_fold(text[mark:hi])):
        if at > mark and w.flag.startswith(LAST_ITEM_STOP_TAGS) and w.flag != "vn":
            return at
        at += len(w.word)
    return hi


def _first_item(head: str, model: str, echoes: tuple[str, ...] = ()) -> int:
    """Where the first item of an enumeration begins in ``head`` (the text before its first
    ``LIST_MARK``): at its last word and the nouns before it (``ITEM_TAGS``; ``主要分布于欧洲``
    -> ``欧洲``, ``聚焦赛前`` -> ``赛前``, ``提供港铁蓝田站`` -> ``港铁蓝田站``), or, when neither its
    last word nor the one before is a noun (``开展快递配送``: jieba tags both verbs), as many
    words back as ``model``, the second item, has. When ``head`` writes one of the question's
    ``echoes`` (``question_echoes``, the longest found), the item begins right after it
    (``负责哪些工作？`` / ``明确由工会负责慰问物资采购`` -> ``慰问物资采购``, third news trial), if at
    most ``LIST_ITEM_CHARS`` follow. Words are tagged on the offset-keeping fold (any script)."""
    folded = offset_fold(head)
    for echo in echoes:  # 负责哪些工作？ / 明确由工会负责慰问物资采购、…
        at = folded.rfind(echo)
        if at >= 0 and 0 < len(head) - (at + len(echo)) <= LIST_ITEM_CHARS:
            return at + len(echo)
    _, pseg = jieba_modules()
    words = list(pseg.cut(folded))
    if not words:
        return len(head)

    def noun(w) -> bool:
        return w.flag.startswith(ITEM_TAGS) and w.word not in LIST_JOINERS

    n = 1
    while n < len(words) and noun(words[len(words) - 1 - n]):
        n += 1
    if n == 1 and not noun(words[-1]):
        n = max(1, len(list(pseg.cut(offset_fold(model.strip())))))
    return len(head) - sum(len(w.word) for w in words[len(words) - n:])


def _enumeration(text: str, lo: int, hi: int, keep_first: bool,
                 echoes: tuple[str, ...] = ()) -> tuple[int, int] | None:
    """``(start, hi)`` of the enumeration ending at ``hi`` in ``text[lo:hi]`` (at least two
    items joined by ``LIST_MARK``, none over ``LIST_ITEM_CHARS``; a last one may hold a
    joiner): its first item is all of the text before the first mark when ``keep_first``,
    else ``_first_item``. None when there is no such enumeration."""
    parts = text[lo:hi].split(LIST_MARK)
    items = parts[1:-1] + [x for x in re.split("|".join(LIST_JOINERS), parts[-1]) if x.strip()]
    if len(parts) < 2 or not all(0 < len(x.strip()) <= LIST_ITEM_CHARS for x in items):
        return None
    if keep_first:
        return lo, hi
    begin = _first_item(parts[0], parts[1], echoes)
    if len(parts[0]) - begin > LIST_ITEM_CHARS or begin >= len(parts[0]):
        return None
    return lo + begin, hi


def whole_category(category: str | None, text: str, start: int, end: int) -> tuple[int, int]:
    """Rule 0c (``哪个X`` questions, ``Query.category``): ``(start, end)``, a span's offsets in
    its passage ``text``, taking the category word X when the span stops right before it
    (``黔西南布依族苗族`` of ``…自治州``), or X's last character when the span ends inside X, in
    either case only up to the end of a jieba word: an XLM-R piece may end inside the word
    (``黔西南布依族苗族自治`` of ``…自治州`` for ``哪个自治州？``, news trial; ``雲貴高`` of ``雲貴高原``
    for ``哪一個高原？``, DRCD validation). Of the 1,518 CMRC and DRCD questions of these
    forms, 271 references end with X and 15 stop right before an X their passage writes next."""
    if not category or start >= end or end >= len(text) or "whole_category" in DISABLED:
        return start, end
    word, after = match_key(category), match_key(text[end: end + len(category)])
    if after == word and not match_key(text[start:end]).endswith(word):
        wider = end + len(category)  # the span stops right before the category word
    elif match_key(text[end - 1]) != word[-1] and match_key(text[end]) == word[-1]:
        wider = end + 1
    else:
        return start, end
    # only to a word's end: 中国 of 中国家庭 is no 中国家 for 哪个国家 (cold review)
    jieba, _ = jieba_modules()
    ends, at = set(), start
    for w in jieba.lcut(offset_fold(text[start: wider + 4])):
        at += len(w)
        ends.add(at)
    return (start, wider) if wider in ends else (start, end)


def counted_value(answer_type: AnswerType | None, text: str, start: int, end: int) -> tuple[int, int]:
    """Rule 0a (count and number questions that count a noun, ``AnswerType.noun``; on the
    passage): ``(start, end)``, a span's offsets in its passage ``text``, moved to the value
    of the question's kind (``answer_type.value_spans``) that stands right next to the
    counted noun (``answer_type.noun_distance`` 0) in the span's sentence, when the span
    cannot be the value asked for (``answer_type.span_of_type``) and exactly one value
    stands there. ``铜仁市邮政分公司用专款买了多少箱水果？`` read ``1.2`` of ``拨专款1.2万元购买600副手套、
    …、40箱水果、…``, a span the gate's ``span_type`` rule refused; the answer is ``40箱``
    (second news trial). The reader chose the sentence; the question's unit and noun say
    which of its quantities is asked for. Unchanged when none or several stand next to the
    noun (``去年30箱水果，今年40箱水果`` in one sentence), and for offsets outside ``text``."""
    if (answer_type is None or answer_type.kind not in ("count", "number") or answer_type.noun is None
            or not 0 <= start < end <= len(text) or "counted_value" in DISABLED
            or span_of_type(answer_type, text[start:end])):
        return start, end
    sentence = next((s for s in split_sentences(text) if s.start <= start < s.end), None)
    if sentence is None:
        return start, end
    adjacent = [(sentence.start + s, sentence.start + e) for s, e in value_spans(answer_type, sentence.text)
                if noun_distance(answer_type, sentence.text, s, e) == 0]
    return adjacent[0] if len(adjacent) == 1 else (start, end)


#: the question words whose preceding words a span may echo (``力戒什么``, ``分布在哪些``); not
#: 何 of 如何, 为何, 任何 (``深入思考如何做到哪几点？`` asks with 哪)
QUESTION_WORDS = re.compile(r"什么|哪|谁|多少|几|(?<![如为任])何")
#: the shortest and longest echo cut (characters): one character (``叫``, ``是``) is too common
#: a start of real answers to cut
ECHO_CHARS = (2, 4)


#: jieba tags of a last word before the question word that is part of the asked thing, not a
#: predicate: names (``北京哪所大学``), time words (``星期几``), numerals and measure words,
#: idioms (jieba: ``百分之`` i) and locatives
NOT_PREDICATE_TAGS = ("nr", "ns", "nt", "nz", "t", "m", "q", "i", "f")


def question_echoes(question: str) -> tuple[str, ...]:
    """The endings of what the question writes right before its question word
    (``QUESTION_WORDS``) that a span may echo, longest first: the last jieba words, 2-4
    Han characters (``ECHO_CHARS``) at a word boundary, on the offset-keeping fold (Simplified,
    half-width): ``…全会精神时力戒什么？`` -> ``("时力戒", "力戒")``. None (``()``) when the last word
    is part of the asked thing (``NOT_PREDICATE_TAGS``: ``百分之多少``, ``星期几``, ``北京哪所大学``;
    cold review), or no Han word precedes the question word."""
    asked = offset_fold(question)
    m = QUESTION_WORDS.search(asked)
    if m is None:
        return ()
    tail = re.search(r"[\u4e00-\u9fff]*$", asked[:m.start()]).group(0)
    if not tail:
        return ()
    _, pseg = jieba_modules()
    words = [(w.word, w.flag) for w in pseg.cut(tail)]
    if words[-1][1].startswith(NOT_PREDICATE_TAGS):
        return ()
    low, high = ECHO_CHARS
    out, echo = [], ""
    for word, _ in reversed(words):
        echo = word + echo
        if len(echo) > high:
            break
        if len(echo) >= low:
            out.append(echo)
    return tuple(reversed(out))


def _after_marks(text: str, at: int, end: int) -> int:
    """``at`` moved past the spaces and clause marks (``_LEAD_MARKS``) that follow it, before ``end``."""
    while at < end - 1 and (text[at].isspace() or text[at] in _LEAD_MARKS):
        at += 1
    return at


def cut_echo(question: str, text: str, start: int, end: int) -> tuple[int, int]:
    """Rule 0a' (every question; on the passage): ``(start, end)``, a span's offsets in its
    passage ``text``, without the words that open it when the question writes them right
    before its question word (``question_echoes``: 2-4 Han characters at a word boundary, not a
    name, time or numeral the answer is made of; compared on the offset-keeping fold, so any
    script or width), and without the spaces or marks after them: the question's predicate is
    what the answer completes, not part of it (``力戒什么？`` read ``力戒形式主义、官僚主义``, third news
    trial; ``分布在哪些地区？`` / ``分布在亚洲、美洲``). A span the cut would empty is kept. Of the
    CMRC trial questions whose reference follows or holds such words, 50 leave them out and 24
    hold them."""
    if not 0 <= start < end <= len(text) or "cut_echo" in DISABLED:
        return start, end
    span = offset_fold(text[start:end])
    for echo in question_echoes(question):
        if span.startswith(echo) and span[len(echo):].strip("".join(_LEAD_MARKS)).strip():
            return _after_marks(text, start + len(echo), end), end
    return start, end


def _is_name(phrase: str) -> bool:
    """True when ``phrase`` is a noun phrase (every jieba word tagged a noun, ``n*``/``s``/``j``)
    holding a name (``terms.strict_name``: ``湄潭县``, ``黔西南州``); not ``我国人口大省`` or
    ``一座年轻的城市`` (cold review)."""
    words = tagged_offsets(phrase)
    return (all(flag.startswith(("n", "s", "j")) for _, flag, _ in words)
            and any(strict_name(match_key(word)) for word, _, _ in words))


def category_clause(category: str | None, text: str, start: int, end: int) -> tuple[int, int]:
    """Rule 0c0 (``哪个X`` questions, ``Query.category``; before the trims, on the passage):
    ``(start, end)`` of the one clause of a span across clause marks (``CLAUSE_MARKS``) that is
    an X: a name (``_is_name``) ending with the category word, at most ``LIST_ITEM_CHARS`` long
    (``绥阳县邮政分公司为投递员准备了早餐；湄潭县`` -> ``湄潭县`` for ``哪个县…？``; third news trial);
    the span when none or several are, and for offsets outside ``text``."""
    if not category or not 0 <= start < end <= len(text) or "category_clause" in DISABLED:
        return start, end
    word, cuts = match_key(category), [start]
    cuts += [i + 1 for i in range(start, end) if text[i] in CLAUSE_MARKS] + [end]
    clauses = [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]
    if len(clauses) < 2:
        return start, end
    ones = []
    for a, b in clauses:
        clause = text[a:b].rstrip("".join(CLAUSE_MARKS)).strip()
        if clause and len(clause) <= LIST_ITEM_CHARS and match_key(clause).endswith(word) and _is_name(clause):
            lead = len(text[a:b]) - len(text[a:b].lstrip())
            ones.append((a + lead, a + lead + len(clause)))
    return ones[0] if len(ones) == 1 else (start, end)


#: title marks: a span they enclose exactly takes them (of the CMRC and DRCD references
#: enclosed by a pair in their passage, 71 hold 《》 and 12 leave them out; 「」 35 and 49)
TITLE_MARKS = ("《", "》")


def whole_title(text: str, start: int, end: int) -> tuple[int, int]:
    """Rule 0d (every question; on the passage): ``(start, end)`` widened to the title marks
    (``TITLE_MARKS``) that enclose the span exactly (``综合物流服务方案`` of
    ``《综合物流服务方案》`` -> ``《综合物流服务方案》``; news trial 2)."""
    open_, close = TITLE_MARKS
    if (start >= end or "whole_title" in DISABLED or text[start - 1: start] != open_
            or text[end: end + 1] != close or open_ in text[start:end] or close in text[start:end]):
        return start, end
    return start - 1, end + 1


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
    if first in _LEAD_MARKS or (first in BRACKET_PAIRS and BRACKET_PAIRS[first] not in span[1:]):
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
