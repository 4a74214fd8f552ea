"""Moving a reader span on its passage to the answer it points at.

The trims of ``answering.span_trim`` cut a span's text; these rules read the passage around
the span: the clause, sentence or enumeration it belongs to, and what the question asks for
(its ``Query``: the category of ``哪个X``, the kind of ``哪些X``, the words before its question
word). ``answering.reading.answer_bounds`` applies them in this order around the trims
(``span_trim.DISABLED`` switches one off by name; ``python -m answering rules`` lists them,
``BEFORE_TRIMS`` and ``AFTER_TRIMS``):

Before the trims (after ``span_trim.whole_value``):

1. ``category_clause`` (``哪个X`` questions, ``Query.category``): a span across clause marks
   keeps its one clause that is a name ending in X (``…准备了早餐；湄潭县`` -> ``湄潭县`` for
   ``哪个县…？``).

After the trims:

2. ``counted_value`` (count and number questions counting a noun, ``AnswerType.noun``): a span
   that cannot be the asked value (``answer_type.span_of_type``: ``1.2`` of ``1.2万元`` for
   ``多少箱水果``) moves to the one quantity standing right next to the noun in its sentence
   (``40箱水果`` -> ``40箱``).
2a. ``cause_clause`` (why-questions, ``Query.asks_cause``): a span moves to the cause or
   purpose its sentence states besides what it explains, the one it lies in or the only one
   (``由于此前快递送不到村里，…`` -> ``此前快递送不到村里``; ``为打通投递“最后一公里”，…提早谋划`` ->
   ``打通投递“最后一公里”``).
3. ``cut_echo`` (every question): a span, or a later clause of it, opening with the words the
   question writes right before its question word (``query.question_echoes``) drops them and
   what precedes them (``力戒什么？`` / ``力戒形式主义`` -> ``形式主义``).
4. ``whole_list`` (list questions with no expected value type): a span holding an
   enumeration is cut to it, a span right after one is moved to its items
   (``赛前、赛中、赛后3个重要节点``: ``3个`` -> ``赛前、赛中、赛后``), and a span that is one of its
   items is widened to all of them; the first item may begin after the question's echo
   (``负责哪些工作？`` / ``负责慰问物资采购、…`` -> ``慰问物资采购、…``).
5. ``listed_enumeration`` (list questions asking items of a kind X, ``Query.listed``): the
   span moves to the one enumeration its sentence names as X (``A、B等X``: ``…等食品和防寒手套、
   护膝等劳保用品`` -> ``防寒手套、护膝`` for ``哪些劳保用品？``), or, naming none, the one whose
   every item opens with X (``统一提供菌棒、统一技术指导…`` for ``哪几个“统一”？``), and an
   enumeration ending with X drops it.
6. ``whole_category`` (``哪个X`` questions): a span stopping right before X, or inside X's
   last character, takes it, up to a word's end (``雲貴高`` of ``雲貴高原`` for ``哪一個高原？``;
   not ``中国家`` of ``中国家庭``), as does a name running on to X (``新疆`` of ``新疆维吾尔自治区``).
7. ``whole_title`` (every question): a span the title marks 《》 enclose exactly takes them
   (``《综合物流服务方案》``).

Every function takes and returns ``(start, end)`` character offsets into the passage text,
never an empty span, and leaves offsets outside the text as they are.
"""
from __future__ import annotations

import re

from answering import span_trim
from answering.answer_type import SPEAKER_VERBS, AnswerType, noun_distance, span_of_type, value_spans
from answering.span_trim import LEAD_MARKS
from answering.terms import jieba_modules, strict_name, tagged_offsets
from text.fold import match_key, offset_fold
from text.sentences import CLAUSE_MARKS, sentence_at


def _off(name: str) -> bool:
    """True when the rule ``name`` is switched off (``span_trim.DISABLED``)."""
    return name in span_trim.DISABLED


def _is_name(phrase: str) -> bool:
    """True when ``phrase`` is a noun phrase (every jieba word tagged a noun, ``n*``/``s``/``j``)
    holding a name (``terms.strict_name``: ``湄潭县``, ``黔西南州``); not ``我国人口大省`` or
    ``一座年轻的城市`` (cold review)."""
    words = tagged_offsets(phrase)
    return (all(flag.startswith(("n", "s", "j")) for _, flag, _ in words)
            and any(strict_name(match_key(word)) for word, _, _ in words))


def category_clause(category: str | None, text: str, start: int, end: int) -> tuple[int, int]:
    """Rule 1 (``哪个X`` questions, ``Query.category``; before the trims, on the passage):
    ``(start, end)`` of the one clause of a span across clause marks (``CLAUSE_MARKS``) that is
    an X: a name (``_is_name``) ending with the category word, at most ``LIST_ITEM_CHARS`` long
    (``绥阳县邮政分公司为投递员准备了早餐；湄潭县`` -> ``湄潭县`` for ``哪个县…？``; third news trial);
    the span when none or several are, and for offsets outside ``text``."""
    if not category or not 0 <= start < end <= len(text) or _off("category_clause"):
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


def counted_value(answer_type: AnswerType | None, text: str, start: int, end: int) -> tuple[int, int]:
    """Rule 2 (count and number questions that count a noun, ``AnswerType.noun``; on the
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
            or not 0 <= start < end <= len(text) or _off("counted_value")
            or span_of_type(answer_type, text[start:end])):
        return start, end
    sentence = sentence_at(text, start, start + 1)
    if sentence is None:
        return start, end
    adjacent = [(sentence.start + s, sentence.start + e) for s, e in value_spans(answer_type, sentence.text)
                if noun_distance(answer_type, sentence.text, s, e) == 0]
    return adjacent[0] if len(adjacent) == 1 else (start, end)


#: what states a cause in a clause (``由于此前快递送不到村里，…``; ``…停电是因为线路老化``;
#: ``主要原因是节前客流猛增``): the cause is the rest of the clause
CAUSE_MARKER = re.compile(r"是因为|因为|由于|原因是|原因在于")
#: what opens a clause continuing a cause (``由于冬季气温低、流感等呼吸道疾病高发，加上临近元旦、
#: 春节，…``; seventh news trial)
CAUSE_CONTINUATIONS = ("再加上", "加上", "加之", "以及")
#: what opens a purpose clause (``为打通投递“最后一公里”，…``): 为了, or 为 before a verb
#: (jieba ``v``; not ``为群众``, nor ``为服务点``: jieba tags 服务 ``vn``)
PURPOSE_OPENINGS = ("为了", "为")
#: a clause that only names who speaks (``曾凡军说``; ``answer_type.SPEAKER_VERBS``, and 认为):
#: the sentence's purpose may follow it
_SPEAKER_CLAUSE = re.compile("(?:" + "|".join(SPEAKER_VERBS + ("认为",)) + ")$")
#: sentence-ending marks left off a clause
_SENTENCE_END = "。！？!?…"


def _clauses(sentence: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each clause of ``sentence`` (cut after ``CLAUSE_MARKS``), without
    the marks and spaces around it; empty clauses left out."""
    out, at = [], 0
    for i, c in enumerate(sentence + "，"):
        if c in CLAUSE_MARKS or c in _SENTENCE_END:
            piece = sentence[at:i]
            lead = len(piece) - len(piece.lstrip())
            if piece.strip():
                out.append((at + lead, at + lead + len(piece.strip())))
            at = i + 1
    return out


def _purpose_start(clause: str) -> int | None:
    """Where the purpose a ``clause`` opens with begins (after 为了, or 为 before a verb), else None."""
    if clause.startswith(PURPOSE_OPENINGS[0]):
        return len(PURPOSE_OPENINGS[0])
    words = tagged_offsets(clause[:12])
    if len(words) > 1 and words[0][0] == PURPOSE_OPENINGS[1] and words[1][1] == "v":
        return 1
    return None


def _causes_and_purposes(sentence: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The causes (after a ``CAUSE_MARKER``, to their clause's end) and the purposes (a clause
    opening with a ``PURPOSE_OPENINGS`` word: the sentence's first clause, or the one after a
    speaker's, ``_SPEAKER_CLAUSE``; not ``为返乡人员提供…`` mid-sentence) of ``sentence``, as
    ``(start, end)`` offsets in it."""
    clauses = _clauses(sentence)
    causes, purposes = [], []
    for i, (a, b) in enumerate(clauses):
        m = CAUSE_MARKER.search(sentence, a, b)
        if m is not None and m.end() < b:
            end = b
            for c, d in clauses[i + 1:]:  # 由于X，加上Y，…: Y is the cause too
                if not sentence.startswith(CAUSE_CONTINUATIONS, c):
                    break
                end = d
            causes.append((m.end(), end))
            continue
        if causes and causes[-1][1] >= b:
            continue  # a continuation of the cause before
        first = i == 0 or (i == 1 and _SPEAKER_CLAUSE.search(sentence[clauses[0][0]:clauses[0][1]]))
        at = _purpose_start(sentence[a:b]) if first else None
        if at is not None and a + at < b:
            purposes.append((a + at, b))
    return causes, purposes


def cause_clause(asks_cause: bool, text: str, start: int, end: int) -> tuple[int, int]:
    """Rule 2a (why-questions, ``Query.asks_cause``; on the passage): ``(start, end)``, a span's
    offsets in its passage ``text``, moved to the cause or purpose the span's sentence states
    besides what it explains (``_causes_and_purposes``): the one the span lies in, else the
    sentence's one cause (``CAUSE_MARKER``: ``由于此前快递送不到村里，…村民每次取件都要前往县城`` ->
    ``此前快递送不到村里`` for ``为什么每次取件都得跑到县城？``), else, stating no cause, its one
    purpose (``为打通投递“最后一公里”，阿克陶县分公司提早谋划…`` -> ``打通投递“最后一公里”`` for
    ``为啥要提早谋划？``; after a speaker, ``曾凡军说，为解决果农“卖果难”，镇里引进了…``). Second,
    fourth and fifth news trials, where the reader read another clause of the sentence; a span
    in a cause stays there (``停电是因为线路老化，由于抢修及时，…``; cold review). Read on the
    offset-keeping fold (``為了``, ``由於``). Unchanged when the sentence states none or
    several and the span is in none, when the cause is all of it, and for offsets outside
    ``text``."""
    if not asks_cause or not 0 <= start < end <= len(text) or _off("cause_clause"):
        return start, end
    sentence = sentence_at(text, start, start + 1)
    if sentence is None or len(_clauses(sentence.text)) < 2:
        return start, end
    causes, purposes = _causes_and_purposes(offset_fold(sentence.text))
    at = start - sentence.start
    holding = [(a, b) for a, b in causes + purposes if a <= at < b]
    found = holding or (causes if causes else purposes)
    if len(found) != 1:
        return start, end
    a, b = found[0]
    return sentence.start + a, sentence.start + b


def _after_marks(text: str, at: int, end: int) -> int:
    """``at`` moved past the spaces and clause marks (``LEAD_MARKS``) that follow it, before ``end``."""
    while at < end - 1 and (text[at].isspace() or text[at] in LEAD_MARKS):
        at += 1
    return at


def cut_echo(echoes: tuple[str, ...], text: str, start: int, end: int,
             later_clauses: bool = False) -> tuple[int, int]:
    """Rule 3 (every question; on the passage): ``(start, end)``, a span's offsets in its
    passage ``text``, without the words that open it when the question writes them right
    before its question word (``echoes``: ``query.question_echoes``, 2-4 Han characters at a
    word boundary, not a name, time or numeral the answer is made of; compared on the
    offset-keeping fold, so any script or width), and without the spaces or marks after them:
    the question's predicate is what the answer completes, not part of it (``力戒什么？`` read
    ``力戒形式主义、官僚主义``, third news trial; ``分布在哪些地区？`` / ``分布在亚洲、美洲``). With
    ``later_clauses`` (a who-question: one entity answers it), a span whose later clause opens
    with them keeps what follows (``安排谁…？`` / ``增设检查员…，安排各组组长`` -> ``各组组长``;
    fourth news trial); not for others (``获得了什么？`` / ``金牌，获得了观众的掌声``; cold review). A span the cut would empty is kept. Of the CMRC
    trial questions whose reference follows or holds such words, 50 leave them out and 24
    hold them."""
    if not 0 <= start < end <= len(text) or _off("cut_echo"):
        return start, end
    span = offset_fold(text[start:end])
    clause_starts = [0] + ([i + 1 for i, c in enumerate(span) if c in CLAUSE_MARKS] if later_clauses else [])
    for echo in echoes:
        for at in clause_starts:
            if span.startswith(echo, at) and span[at + len(echo):].strip("".join(LEAD_MARKS)).strip():
                return _after_marks(text, start + at + len(echo), end), end
    return start, end


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
    """Rule 4 (list questions with no expected value type, ``哪些``/``哪几个``): ``(start, end)``,
    a span's offsets in its passage ``text`` (``echoes``: the question's, ``query.question_echoes``,
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
    if not 0 <= start < end <= len(text) or _off("whole_list"):
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
    """Rule 5 (list questions asking items of a kind, ``Query.listed``; after ``whole_list``,
    on the passage): ``(start, end)``, a span's offsets in its passage ``text``, moved to the
    enumeration its sentence names as that kind (``A、B等X``: items joined by ``LIST_MARK``
    right before the word ``LIST_END`` and X), when the sentence names exactly one and the
    span is not an enumeration of its own (one no ``等`` follows: ``北京、上海、广州三个城市``;
    cold review). An enumeration span ending with X drops it (``决策、咨询、管理职责体系`` ->
    ``决策、咨询、管理`` for ``哪些职责体系？``; fourth news trial). A sentence may list several kinds: ``…送去了糕点、牛奶、方便面等食品和防寒手套、
    护膝等劳保用品，…肉类、蔬菜等食材`` read ``肉类、蔬菜`` for ``哪些劳保用品？`` (second news
    trial); ``…带去了方便面、牛奶、自热米饭等慰问品和1600个口罩…`` read what follows the list for
    ``哪些慰问品？`` (third). An enumeration starts after the clause mark or ``等`` before its
    first item (``_first_item``, given the question's ``echoes``), or all after a joiner word
    there (``食品和防寒手套、护膝`` -> ``防寒手套、护膝``; not 与 of 参与). Words are jieba's, on
    the offset-keeping fold (``等`` of ``高等学校`` is none). Unchanged when the sentence names
    none or several, and for offsets outside ``text``."""
    if not listed or not 0 <= start < end <= len(text) or _off("listed_enumeration"):
        return start, end
    kind = offset_fold(listed)
    if _ends_with_kind(kind, text, start, end):
        return start, len(text[:end - len(kind)].rstrip())  # 决策、咨询、管理职责体系: the items
    if LIST_MARK in text[start:end] and not text[end:].lstrip().startswith(LIST_END):
        return start, end  # an enumeration of its own
    sentence = sentence_at(text, start, start + 1)
    if sentence is None:
        return start, end
    words = tagged_offsets(sentence.text)
    folded = offset_fold(sentence.text)
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
    if not found:
        found = [(sentence.start + a, sentence.start + b) for a, b in _items_opening_with(kind, folded)]
    return found[0] if len(found) == 1 else (start, end)


def _items_opening_with(kind: str, sentence: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each clause of ``sentence`` that is an enumeration of two or more
    items (joined by ``LIST_MARK``) every one of which opens with ``kind``: the items a quoted
    label names (``哪几个“统一”？`` / ``统一提供菌棒、统一技术指导、统一保底收购、统一品牌销售``; fifth
    news trial)."""
    out = []
    for a, b in _clauses(sentence):
        items = sentence[a:b].split(LIST_MARK)
        if len(items) >= 2 and all(item.strip().startswith(kind) and len(item.strip()) > len(kind) for item in items):
            out.append((a, b))
    return out


def _ends_with_kind(kind: str, text: str, start: int, end: int) -> bool:
    """True when the enumeration span ``text[start:end]`` ends with the words of ``kind`` (2+
    characters, whole jieba words: ``管理|职责|体系``, not 菜 of ``炒芹菜``) after a last item
    that is not a modifier (no ``的``: ``…相结合的方式`` keeps it), when no earlier item ends with
    it too (``衡水市分公司、邵阳市分公司`` keeps it; cold review)."""
    if len(kind) < 2 or LIST_MARK not in text[start:end] or not offset_fold(text[start:end]).endswith(kind):
        return False
    cut = end - len(kind)
    if cut <= text.rindex(LIST_MARK, start, end) + 1 or text[cut - 1] == "的":
        return False
    if any(offset_fold(item).strip().endswith(kind) for item in text[start:end].split(LIST_MARK)[:-1]):
        return False  # 衡水市分公司、邵阳市分公司: the kind is every item's own ending
    bounds, at = set(), start
    for word, _, _ in tagged_offsets(text[start:end]):
        at += len(word)
        bounds.add(at)
    return cut in bounds


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
    ``echoes`` (``query.question_echoes``, the longest found), the item begins right after it
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
    """Rule 6 (``哪个X`` questions, ``Query.category``): ``(start, end)``, a span's offsets in
    its passage ``text``, taking the category word X when the span stops right before it
    (``黔西南布依族苗族`` of ``…自治州``), or X's last character when the span ends inside X, in
    either case only up to the end of a jieba word: an XLM-R piece may end inside the word
    (``黔西南布依族苗族自治`` of ``…自治州`` for ``哪个自治州？``, news trial; ``雲貴高`` of ``雲貴高原``
    for ``哪一個高原？``, DRCD validation). Of the 1,518 CMRC and DRCD questions of these
    forms, 271 references end with X and 15 stop right before an X their passage writes next.
    A name running on to X takes it too (``_name_run_to_category``: ``新疆`` of ``新疆维吾尔自治区``)."""
    if not category or start >= end or end >= len(text) or _off("whole_category"):
        return start, end
    word, after = match_key(category), match_key(text[end: end + len(category)])
    if after == word and not match_key(text[start:end]).endswith(word):
        wider = end + len(category)  # the span stops right before the category word
    elif match_key(text[end - 1]) != word[-1] and match_key(text[end]) == word[-1]:
        wider = end + 1
    else:
        return start, _name_run_to_category(word, text, end) if not match_key(text[start:end]).endswith(word) else end
    # only to a word's end: 中国 of 中国家庭 is no 中国家 for 哪个国家 (cold review)
    jieba, _ = jieba_modules()
    ends, at = set(), start
    for w in jieba.lcut(offset_fold(text[start: wider + 4])):
        at += len(w)
        ends.add(at)
    return (start, wider) if wider in ends else (start, end)


#: the most words a name may run on between a span and its category word (``新疆|维吾尔|自治区``)
CATEGORY_RUN_WORDS = 2
#: jieba tags of the words of such a run before the category word: names and abbreviations
#: (``维吾尔``), not common nouns (``河南|粮食|大省``; cold review)
CATEGORY_RUN_TAGS = ("nr", "ns", "nt", "nz", "j")


def _name_run_to_category(word: str, text: str, end: int) -> int:
    """Where a span ending at ``end`` ends when the name runs on to the category word: at
    most ``CATEGORY_RUN_WORDS`` name words (``CATEGORY_RUN_TAGS``), then a noun ending with
    ``word`` (a match key): ``新疆`` of ``新疆维吾尔自治区`` -> ``…自治区`` for ``哪个自治区？``
    (fourth news trial); ``end`` otherwise (``四川是人口大省``, ``河南粮食大省``)."""
    at = end
    for i, (w, flag, _) in enumerate(tagged_offsets(text[end: end + 4 * (CATEGORY_RUN_WORDS + 1) + len(word)])):
        if i > CATEGORY_RUN_WORDS:
            return end
        at += len(w)
        if match_key(w).endswith(word) and flag.startswith("n"):
            return at
        if not flag.startswith(CATEGORY_RUN_TAGS):
            return end
    return end


#: title marks: a span they enclose exactly takes them (of the CMRC and DRCD references
#: enclosed by a pair in their passage, 71 hold 《》 and 12 leave them out; 「」 35 and 49)
TITLE_MARKS = ("《", "》")


def whole_title(text: str, start: int, end: int) -> tuple[int, int]:
    """Rule 7 (every question; on the passage): ``(start, end)`` widened to the title marks
    (``TITLE_MARKS``) that enclose the span exactly (``综合物流服务方案`` of
    ``《综合物流服务方案》`` -> ``《综合物流服务方案》``; news trial 2)."""
    open_, close = TITLE_MARKS
    if (start >= end or _off("whole_title") or text[start - 1: start] != open_
            or text[end: end + 1] != close or open_ in text[start:end] or close in text[start:end]):
        return start, end
    return start - 1, end + 1


#: the moves applied before ``span_trim.TRIM_RULES``, in ``reading.answer_bounds``' order (a test
#: checks it): (name, line of the rules listing)
BEFORE_TRIMS: tuple[tuple[str, str], ...] = (
    ("category_clause", "哪个X questions: a span across clauses keeps its one clause that is a name ending in X "
                        "(…准备了早餐；湄潭县 -> 湄潭县 for 哪个县)"),
)
#: the moves applied after ``span_trim.TRIM_RULES``, in order
AFTER_TRIMS: tuple[tuple[str, str], ...] = (
    ("counted_value", "count/number questions counting a noun: a span that is no value of the question's unit "
                      "moves to the one quantity right next to the noun in its sentence (1.2 -> 40箱 of 40箱水果)"),
    ("cause_clause", "why-questions: move the span to the cause or purpose its sentence states, the one it lies "
                     "in or the only one (由于此前快递送不到村里，… -> 此前快递送不到村里; 为打通…，… -> 打通…)"),
    ("cut_echo", "any question: a span opening with the words the question writes right before its question "
                 "word drops them (力戒形式主义 for 力戒什么 -> 形式主义); a who-question's later clause too"),
    ("whole_list", "list questions with no value type: cut or move a span to the enumeration it holds, follows "
                   "or is an item of (3个 of 赛前、赛中、赛后3个重要节点 -> 赛前、赛中、赛后)"),
    ("listed_enumeration", "哪些X questions: move the span to the one enumeration its sentence names as X "
                           "(…等食品和防寒手套、护膝等劳保用品 -> 防寒手套、护膝 for 哪些劳保用品); drop X ending it"),
    ("whole_category", "哪个X questions: a span stopping right before X, or inside X's last character, takes "
                       "it, up to a word's end (雲貴高 of 雲貴高原 for 哪一個高原), as does a name running on to X"),
    ("whole_title", "any question: a span 《》 enclose exactly takes them (《综合物流服务方案》)"),
)
