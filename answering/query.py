"""The parsed question: built once per message, read by every later stage.

``parse_query(question, history)`` does, in order:

1. **Content** (``content_problem``): a message with nothing to ask gets no search, only a
   short clarifying reply: no letter, digit or Han character (``！！！``, ``？``, ``🙂🙂``); digits
   alone (``123``); code (``DROP TABLE x;``, ``print(1)``: a code keyword with code punctuation);
   keyboard mash or a bare word (Latin only, fewer than ``MIN_LATIN_WORDS`` words and no
   question mark: ``qwerty``, ``asdf jkl``); a greeting alone (``你好``, ``hello``); Chinese with
   no content word (``啊啊啊``).
2. **Markup** (``corpus.clean.strip_html_elements``): HTML tags, and a script's or style's
   contents, are not read as the question's words (``<b>贵州邮政</b>…``); a message that is
   only markup is code; ``<Nature>`` and Markdown are text.
3. **Long input** (``locate_question``): a message over ``LONG_INPUT_CHARS`` characters (a pasted
   text with the question at its end) is not cut blindly: its last interrogative sentence (a
   ``？``/``?`` or a question word) is the question searched; with none, its last sentence; a
   question part still over ``MAX_QUESTION_CHARS`` keeps its last that-many characters. A
   notice says what was left out (``Query.notices``).
4. **Condensing** (``answering.condense``): follow-ups become a standalone text.
5. **Analysis** of the standalone text: language (majority script), script (Simplified /
   Traditional), match key, key terms, names, numbers, the expected answer type (from the
   user's own question first, else the standalone text), list and multi-part flags.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from answering.answer_type import AnswerType, expected_type
from answering.condense import Condensed, condense
from answering.terms import (Term, hard_terms, is_list_question, jieba_modules, key_terms, rare_characters,
                             organisations, strict_name, unlisted_names)
from corpus.clean import strip_html_elements
from text.chars import HAN, LATIN_WORD, language
from text.fold import match_key, offset_fold, script_of, segmentation_form
from text.numbers import dates, numbers
from text.sentences import split_sentences

LONG_INPUT_CHARS = 300
MAX_QUESTION_CHARS = 300
MIN_LATIN_WORDS = 3
#: ``content_problem`` looks for content words in pieces of this many characters (each read
#: with the next piece's first ``CONTENT_SCAN_OVERLAP``, so no word is cut), first to last,
#: and stops at the first piece holding one: jieba's tagger took 15 s on a message of 10,000
#: random Han characters read as one run (cold review, issue #10), 0.02 s in pieces of 200.
CONTENT_SCAN_CHARS = 200
CONTENT_SCAN_OVERLAP = 16
_CODE = re.compile(r"\b(select|drop|insert|delete|update|table|from|where|def|print|import|return|"
                   r"function|var|let|const|class|null)\b|[;{}=<>]|\(\)|\w\(", re.I)
_CODE_KEYWORD = re.compile(r"\b(select|drop|insert|delete|update|table|def|print|import|return|"
                           r"function|var|let|const|class)\b", re.I)
_QUESTION_WORD = re.compile(r"[？?]|吗|呢|什么|多少|哪|谁|怎么|怎样|如何|为什么|为何|是否|几|何时|"
                            r"\b(what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|can)\b",
                            re.I)
GREETINGS = frozenset({"你好", "您好", "嗨", "哈喽", "谢谢", "再见", "早上好", "晚上好", "hello", "hi",
                       "hey", "thanks", "thank you", "bye", "ok", "好的", "在吗"})


@dataclass(frozen=True)
class Query:
    """One user message, parsed once (module docstring).

    Attributes:
        question: the message as typed.
        own: the question part of it that is searched (the message itself, stripped, unless
            it was long: then the located question).
        text: the standalone text searched and scored (``own`` condensed with the history).
        condensed: the ``Condensed`` record (rule, context turns used, carried terms).
        has_content: False for a message with nothing to ask; ``content_problem`` says why.
        language: ``"zh"`` or ``"en"`` of ``own`` (majority script).
        script: ``"simplified"``, ``"traditional"`` or ``"none"`` (no Han character).
        key: ``text.fold.match_key(text)``.
        terms: key terms of ``text`` (``answering.terms.key_terms``).
        names: proper nouns and Latin words of ``text`` (``hard_terms`` minus numbers).
        unlisted: names of ``text`` that jieba's dictionary lacks (``answering.terms.
            unlisted_names``: ``史继偕``, ``符泳``), which the passages must hold too.
        rare: the rare Han characters of ``own`` (``answering.terms.rare_characters``:
            ``蓍``), which the passages must hold too; the message's own, not those a
            follow-up's standalone text carries from earlier turns.
        dates: the calendar dates of ``text`` (``text.numbers.dates``: ``(2009, 3, 17)``), which
            the passages must hold as dates, not as scattered numbers.
        numbers: numbers of ``text`` (``text.numbers.numbers``), and its month and day parts
            (``3月``, ``8日``: a date the passages must hold, whatever its digit count).
        subject: the question's leading noun phrase (``冰雪皇后什么时候…`` -> ``冰雪皇后``;
            ``subject_phrase``), which the passages must hold; None when the question opens
            with a verb, a preposition or a question word, or is a follow-up.
        attribute: the concrete attribute asked for by ``什么X`` / ``哪条X`` (``材质``, ``街道``),
            which the passages must name (``CONCRETE_ATTRIBUTES``); None otherwise.
        category: the noun a ``哪个X`` question asks an instance of (``哪个自治州`` -> ``自治州``,
            ``哪一個高原`` -> ``高原``; ``_category``), or None.
        listed: the kind a list question asks items of (``哪些劳保用品`` -> ``劳保用品``;
            ``_listed``), or None.
        answer_type: expected answer type, or None.
        is_list: a list question (哪些/列举/分别 ...).
        asks_cause: a why-question (``CAUSE_QUESTION``: 为什么, 为啥, 什么原因 ...), answered by
            the cause or purpose its sentence states (``span_moves.cause_clause``).
        parts: the interrogative sentences of ``own`` when it asks two or more questions.
        part_types: the expected answer type of each part (None where it has none).
        truncated: part of the message was left out of the search (long input).
        notices: messages for the user about how the message was read (e.g. what was cut).
    """

    question: str
    own: str
    text: str
    condensed: Condensed
    has_content: bool = True
    content_problem: str = ""
    language: str = "zh"
    script: str = "none"
    key: str = ""
    terms: tuple[Term, ...] = ()
    names: tuple[str, ...] = ()
    unlisted: tuple[str, ...] = ()
    rare: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    dates: tuple[tuple[int | None, int, int], ...] = ()
    answer_type: AnswerType | None = None
    attribute: str | None = None
    category: str | None = None
    listed: str | None = None
    subject: str | None = None
    is_list: bool = False
    asks_cause: bool = False
    parts: tuple[str, ...] = ()
    part_types: tuple[AnswerType | None, ...] = ()
    truncated: bool = False
    notices: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_follow_up(self) -> bool:
        return self.condensed.is_follow_up

    def with_text(self, text: str) -> "Query":
        """The same message analysed with another standalone text (the ``subjectless``
        arbitration falls back to the question alone)."""
        c = Condensed(text, "standalone", (), (), text)
        return _analyse(self.question, self.own, c, self.truncated, self.notices)

    def to_dict(self) -> dict:
        t = self.answer_type
        return {"question": self.question, "own": self.own, "text": self.text,
                "rule": self.condensed.rule, "context": list(self.condensed.context),
                "carried": list(self.condensed.carried), "has_content": self.has_content,
                "content_problem": self.content_problem, "language": self.language,
                "script": self.script, "names": list(self.names), "unlisted": list(self.unlisted),
                "rare": list(self.rare),
                "numbers": list(self.numbers), "dates": [list(d) for d in self.dates],
                "answer_type": None if t is None else {"kind": t.kind, "rule": t.rule,
                                                       "units": sorted(t.units), "cue": t.cue,
                                                       "role": t.role},
                "is_list": self.is_list, "asks_cause": self.asks_cause, "parts": list(self.parts),
                "part_types": [None if p is None else p.kind for p in self.part_types], "truncated": self.truncated,
                "notices": list(self.notices)}


def content_problem(message: str) -> str:
    """Why ``message`` has nothing to ask (``""`` when it has content): ``empty``,
    ``no_words``, ``digits_only``, ``code``, ``keyboard``, ``greeting``, ``no_content_words``."""
    m = strip_html_elements(message or "").strip()  # markup is no question
    if not m:
        return "empty" if not (message or "").strip() else "code"
    if not any(ch.isalnum() for ch in m):
        return "no_words"
    if match_key(m).strip("?？!！.。,，") in GREETINGS:
        return "greeting"
    if not HAN.search(m) and not LATIN_WORD.search(m):
        return "digits_only"
    if _CODE_KEYWORD.search(m) and len(_CODE.findall(m)) >= 2 and not re.search(r"[？?]\s*$", m):
        return "code"
    if not HAN.search(m):
        words = LATIN_WORD.findall(m)
        if len(words) < MIN_LATIN_WORDS and "?" not in m:
            return "keyboard"
        return ""
    if not numbers(m) and not any(_piece_has_terms(m, i) for i in range(0, len(m), CONTENT_SCAN_CHARS)):
        return "no_content_words"
    return ""


def _piece_has_terms(m: str, start: int) -> bool:
    """Whether the piece of ``m`` at ``start`` holds a key term. A piece other than the last
    counts only the terms that a piece running ``CONTENT_SCAN_OVERLAP`` further also finds:
    a word cut at the piece's end is read whole there (``时`` of a ``时间`` cut at the end is
    a term, ``时间`` a stop word; a term found only as such a cut is not content)."""
    width = CONTENT_SCAN_CHARS + CONTENT_SCAN_OVERLAP
    terms = {t.text for t in key_terms(m[start:start + width])}
    if not terms or start + CONTENT_SCAN_CHARS >= len(m):
        return bool(terms)
    return bool(terms & {t.text for t in key_terms(m[start:start + width + CONTENT_SCAN_OVERLAP])})


def locate_question(message: str) -> tuple[str, bool]:
    """``(question part, truncated)`` of a message (module docstring, step 3)."""
    m = message.strip()
    if len(m) <= LONG_INPUT_CHARS:
        return m, False
    sents = [s.text for s in split_sentences(m)]
    asking = [s for s in sents if _QUESTION_WORD.search(s)]
    part = (asking or sents or [m])[-1].strip()
    if len(part) > MAX_QUESTION_CHARS:
        part = part[-MAX_QUESTION_CHARS:]
    return part, True


def _cut_notice(message: str, part: str, lang: str) -> str:
    n = len(message.strip())
    shown = part if len(part) <= 40 else part[:40] + "…"
    if lang == "zh":
        return f"输入较长（{n} 字），只检索了其中的问题「{shown}」，其余 {n - len(part)} 字未用于检索。"
    return (f"Long input ({n} characters): only the question \u201c{shown}\u201d was searched; "
            f"the other {n - len(part)} characters were not used.")


def _parts(own: str) -> tuple[str, ...]:
    pieces = [p.strip() for p in re.split(r"(?<=[？?])", own) if p.strip()]
    asking = [p for p in pieces if re.search(r"[？?]$", p) and len(match_key(p)) >= 4]
    return tuple(asking) if len(asking) >= 2 else ()


#: attributes a text states in so many words (a material, a street, a colour): asked with
#: 什么X / 哪条X they must be named by the passages. Abstract ones (什么调整, 什么地位, 什么新货)
#: are answered by paraphrase and are not checked.
CONCRETE_ATTRIBUTES = frozenset("""材质 材料 颜色 街道 地址 门牌 品牌 型号 规格 尺寸 重量 长度 高度 深度 宽度 面积
    价格 售价 票价 口号 电话 邮编 网址 学历 专业 民族 籍贯 国籍 血型 星座 生日 车牌 编号 口味 味道 天气 气温
    温度 语言 货币 学校 医院 大学""".split())
#: measure words of ``哪个X`` (``_ATTRIBUTE``, ``_WHICH``)
WHICH_MEASURES = ("个", "条", "家", "所", "座", "种", "款", "类", "片", "处", "支", "部", "位")
_ATTRIBUTE = re.compile(r"什么([\u4e00-\u9fff]{2})|哪(?:" + "|".join(WHICH_MEASURES) + r")([\u4e00-\u9fff]{2})")
#: a why-question (on the match key: 為什麼 reads as 为什么): answered by a cause or purpose;
#: not 为 of a verb ending in it (``被评为什么``, ``作为什么``, ``称为什么``: what it was named;
#: cold review)
CAUSE_QUESTION = re.compile(r"(?<![评作称成认视改名选列定誉分变转划当])为(?:什么|何|啥)|何故|什么原因|原因是什么|怎么会"
                            r"|\bwhy\b", re.I)


def _asks_cause(own: str) -> bool:
    """True for a why-question (``CAUSE_QUESTION`` on the match key, or the text for ``why``)."""
    return CAUSE_QUESTION.search(match_key(own)) is not None or CAUSE_QUESTION.search(own) is not None


#: a month (``3月``, ``3月份``) or a day: ``8日``, or ``8号`` right after a month (``12月8号``);
#: a bare ``10号`` is a designation (``先锋10号``, ``3号线``), not a day
_DATE_PART = re.compile(r"(?<!\d)(\d{1,2})(?:月份?|月)|(?<!\d)(\d{1,2})日|(?<=月)(\d{1,2})号")


#: ``哪`` and the measure word of a ``哪个X`` question (``哪个``, ``哪一個``, ``哪条``, ``哪座``).
#: Not ``什么X``: the seed set's references leave X out (``“红旗窗口”`` for ``什么荣誉称号``)
_WHICH = re.compile(r"哪一?(?:" + "|".join(WHICH_MEASURES) + ")")


def _category(own: str) -> str | None:
    """The noun after ``哪个``/``哪一个``/``哪条``… (``_WHICH``), when jieba tags it a noun:
    ``兴仁县属于贵州的哪个自治州？`` -> ``自治州``; else None."""
    key = match_key(own)
    m = _WHICH.search(key)
    if not m:
        return None
    _, pseg = jieba_modules()
    first = next((w for w in pseg.cut(key[m.end():]) if w.word.strip()), None)
    return first.word if first is not None and first.flag.startswith("n") else None


#: the question word of a list question asking items of a kind (``哪些X``, ``哪几种X``, ``哪两个X``)
_LISTING = re.compile(r"哪些|哪几[个种类项样位家条]?|哪[两二三四五六七八九十][个种类项样位家条]")
#: the most characters of a listed kind (``_listed``)
LISTED_CHARS = 6


#: quotes a list question may put its kind in (``哪几个“统一”``)
OPENING_QUOTES = "“\"「『‘'"


def _listed(own: str) -> str | None:
    """The kind a list question asks items of: the nouns right after ``哪些``/``哪几种``/``哪两个``
    (``_LISTING``; jieba tags starting ``n`` or ``vn``, at most ``LISTED_CHARS`` characters):
    ``送了哪些劳保用品？`` -> ``劳保用品``, ``哪几种培训？`` -> ``培训``; None when no noun follows
    (``慰问品有哪些？``). A quoted kind is read inside its quotes (``哪几个“统一”？`` -> ``统一``;
    fifth news trial). On the question's match key (Simplified)."""
    key = match_key(own)
    m = _LISTING.search(key)
    if not m:
        return None
    _, pseg = jieba_modules()
    noun = ""
    for w in pseg.cut(key[m.end():].lstrip(OPENING_QUOTES)):
        if not w.flag.startswith(("n", "vn")) or len(noun) + len(w.word) > LISTED_CHARS:
            break
        noun += w.word
    return noun or None


#: the question words whose preceding words a span may echo (``力戒什么``, ``分布在哪些``); not
#: 何 of 如何, 为何, 任何 (``深入思考如何做到哪几点？`` asks with 哪)
ECHO_QUESTION_WORDS = re.compile(r"什么|哪|谁|多少|几|(?<![如为任])何")
#: the shortest and longest echo cut (characters): one character (``叫``, ``是``) is too common
#: a start of real answers to cut
ECHO_CHARS = (2, 4)
#: jieba tags of a last word before the question word that is part of the asked thing, not a
#: predicate: names (``北京哪所大学``), time words (``星期几``), numerals and measure words,
#: idioms (jieba: ``百分之`` i) and locatives
NOT_PREDICATE_TAGS = ("nr", "ns", "nt", "nz", "t", "m", "q", "i", "f")


def question_echoes(question: str) -> tuple[str, ...]:
    """The endings of what the question writes right before its question word
    (``ECHO_QUESTION_WORDS``) that a span may echo, longest first: the last jieba words, 2-4
    Han characters (``ECHO_CHARS``) at a word boundary, on the offset-keeping fold (Simplified,
    half-width): ``…全会精神时力戒什么？`` -> ``("时力戒", "力戒")``. None (``()``) when the last word
    is part of the asked thing (``NOT_PREDICATE_TAGS``: ``百分之多少``, ``星期几``, ``北京哪所大学``;
    cold review), or no Han word precedes the question word."""
    asked = offset_fold(question)
    m = ECHO_QUESTION_WORDS.search(asked)
    if m is None:
        return ()
    tail = re.search(r"[\u4e00-\u9fff]*\Z", asked[:m.start()]).group(0)
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


def _attribute(own: str) -> str | None:
    m = _ATTRIBUTE.search(match_key(own))
    if not m:
        return None
    word = m.group(1) or m.group(2)
    return word if word in CONCRETE_ATTRIBUTES else None


#: jieba part-of-speech tags a leading noun phrase is made of (nouns, names, abbreviations,
#: numerals and times, distinguishing adjectives: 古 of 古勒巴格村, verbal nouns: 投资 of
#: 越南投资发展银行, place words: 路口 of 路口镇) - anything else ends it.
SUBJECT_TAGS = ("n", "nr", "ns", "nt", "nz", "nrt", "nrfg", "ng", "j", "zg", "m", "t", "a", "eng", "l", "vn", "s")
_DEFINITION = re.compile(r"^\s*(?:请问|什么是|何为|何谓|介绍一下|介绍|文中提[及到]|文章提[及到]|一般认为)[，,]?\s*")
#: characters that open an anaphoric noun phrase (``此品牌``, ``该公司``): no subject of its own
DEMONSTRATIVES = frozenset("此该这本其")
_OPENING_QUOTES = frozenset("“‘《「『〈\"'")
_CLOSING_QUOTES = frozenset("”’》」』〉\"'")
_OPENING_PUNCT = _OPENING_QUOTES | _CLOSING_QUOTES  # a phrase may open with either
#: words that open a topic, not a subject (``有关尼罗河泛滥的日子…``: the subject is 尼罗河)
TOPIC_OPENERS = frozenset({"有关", "关于", "对于", "至于"})


#: adverbs jieba's dictionary tags as nouns (``顺势 n``): before a verb they open the predicate,
#: not the subject (``衡水邮政顺势拓展了…``; fourth news trial)
ADVERBIAL_NOUNS = frozenset({"顺势", "乘势", "全力", "大力", "专门", "全面", "重点", "全程", "专程"})
#: relative time words that, after the subject and before no noun, open the predicate
#: (``衡水湖马拉松后来才加了…``); not every jieba time word: dynasties are too (``北魏`` t)
SCENE_TIMES = frozenset({"后来", "当时", "现在", "目前", "最初", "最早", "此前", "以前", "此后", "以后", "之后",
                         "如今", "近年", "近日", "日前", "今年", "去年", "明年"})
#: what ends a leading clause of time (``同行来抢项目时，``, ``疫情发生以后，``): ``subject_phrase``
#: reads the subject after it
TIME_CLAUSE_ENDS = ("的时候", "时候", "时", "之后", "以后", "后", "之前", "以前", "期间", "那会儿")
_TIME_CLAUSE = re.compile(r"^[^，,。？?！!]{2,30}?(?:" + "|".join(TIME_CLAUSE_ENDS) + r")[，,]\s*")


def subject_phrase(own: str) -> str | None:
    """The leading noun phrase of a Chinese question (``_leading_phrase``), read after a
    leading clause of time (``TIME_CLAUSE_ENDS``: ``同行来抢马拉松物流项目时，衡水市分公司强调…``
    -> ``衡水市分公司``, third news trial) when that one names an organisation or a name
    (``_names_something``; ``冰雪皇后退出台湾市场时，门店…`` keeps 冰雪皇后, cold review)."""
    lead = _leading_phrase(own)
    simplified = segmentation_form(own).strip()
    m = _TIME_CLAUSE.match(simplified)
    after = _leading_phrase(simplified[m.end():]) if m is not None else None
    return after if after is not None and _names_something(after) else lead


def _names_something(phrase: str) -> bool:
    """True when ``phrase`` names an organisation (``terms.organisations``: 衡水市分公司) or a
    jieba word of it is a name (``terms.strict_name``); not 门店 or 同行."""
    from answering.terms import _tagged

    return bool(organisations(phrase)) or any(strict_name(match_key(word)) for word, _ in _tagged(phrase))


def _leading_phrase(own: str) -> str | None:
    """The leading noun phrase of a Chinese question: its first jieba words while they are
    nouns, names, numerals or quote/title marks (``SUBJECT_TAGS``), with at least 2 Han
    characters; None otherwise. News and encyclopedia questions open with what they ask
    about (``木吉乡布拉克村距离县城…``, ``《越南亡国史》讲述了…``); a leading time word
    (``目前，``, ``最初``: jieba ``t``) or topic opener (``有关``, ``关于``: ``TOPIC_OPENERS``) is
    skipped; a word ending in 于 (``隶属于``) ends the phrase, as does an adverb jieba tags a
    noun before a verb, adverb or preposition (``ADVERBIAL_NOUNS``; not ``国家重点研发计划``), or
    a relative time word after the phrase's first word when no noun follows it
    (``SCENE_TIMES``: ``衡水湖马拉松后来才…`` -> ``衡水湖马拉松``). Measured and not adopted
    (DRCD validation, issue #10): dropping a trailing ``境内`` and reading ``历史上…`` as no
    subject cost two no-answer refusals for one answer."""
    from answering.terms import _tagged

    # segmented in Simplified; the phrase is compared by match key, so it serves either script
    own = _DEFINITION.sub("", segmentation_form(own))  # 什么是“乡里制”？ asks about 乡里制
    parts: list[tuple[str, str]] = []
    words = list(_tagged(own))
    while words and (words[0][1] == "t" or not words[0][0].strip() or words[0][0] in "，,、"
                     or words[0][0] in TOPIC_OPENERS):
        words.pop(0)  # 目前，此品牌…/最初在巴黎…: a time word sets the scene, it is not the subject
    for i, (word, flag) in enumerate(words):
        if word in _OPENING_PUNCT or flag.startswith("n") or flag in SUBJECT_TAGS:
            if any(c in word for c in "哪什谁") or (flag == "l" and any(c in word for c in "几多")):
                break  # 哪些地方/vn, 什么样/l: the question word, not the subject
            if len(word) >= 2 and word.endswith("于") and word not in TOPIC_OPENERS:
                break  # 隶属于/位于/属于 (jieba may tag them n): the predicate begins
            nxt = words[i + 1][1] if i + 1 < len(words) else "x"
            if flag == "vn" and not (nxt.startswith("n") or nxt == "vn"):
                break  # a verbal noun modifies a noun (投资/vn 银行/n), else it is the predicate
            if parts and ((word in ADVERBIAL_NOUNS and nxt in ("v", "d", "p"))
                          or (word in SCENE_TIMES and not nxt.startswith(("n", "vn", "j")))):
                break  # 衡水邮政顺势拓展…, 衡水湖马拉松后来才…: the predicate's adverb or time
            parts.append((word, flag))
            if word in _CLOSING_QUOTES and any(w in _OPENING_QUOTES for w, _ in parts[:-1]):
                break  # “乡里制”: the quoted name is the phrase
        else:
            break
    while parts and parts[-1][1] == "m" and len(parts[-1][0]) >= 2 and not any(c.isdigit() for c in parts[-1][0]):
        parts.pop()  # 中国大多数的邮票: a quantifier after the noun is not part of its name
    out = "".join(w for w, _ in parts)
    han = len(HAN.findall(out))
    if out[:1] in DEMONSTRATIVES:
        return None  # 此品牌/该公司…: it points back at a subject named elsewhere
    return out.strip("".join(_OPENING_PUNCT)) if han >= 2 else None


def _date_parts(text: str) -> tuple[str, ...]:
    out = []
    for m in _DATE_PART.finditer(match_key(text)):
        out.append(f"{m.group(1)}月" if m.group(1) else f"{m.group(2) or m.group(3)}日")
    return tuple(out)


def _analyse(question: str, own: str, c: Condensed, truncated: bool, notices: tuple[str, ...]) -> Query:
    text = c.text or own
    lang = language(own)
    atype = expected_type(own) or (expected_type(text) if text != own else None)
    names = tuple(t for t in hard_terms(text) if numbers(t) != [t])
    parts = _parts(own)
    return Query(question=question, own=own, text=text, condensed=c, language=lang,
                 script=script_of(text), key=match_key(text), terms=key_terms(text), names=names,
                 unlisted=unlisted_names(text) if lang == "zh" else (),
                 rare=rare_characters(own) if lang == "zh" else (),
                 numbers=tuple(dict.fromkeys(numbers(text) + list(_date_parts(text)))),
                 dates=tuple(dict.fromkeys(dates(text))), answer_type=atype,
                 attribute=_attribute(own), category=_category(own), listed=_listed(own),
                 subject=subject_phrase(own) if c.rule == "standalone" and lang == "zh" else None,
                 is_list=is_list_question(own), asks_cause=_asks_cause(own),
                 parts=parts,
                 part_types=tuple(expected_type(p) for p in parts), truncated=truncated,
                 notices=notices)


def parse_query(question: str, history: Sequence[tuple[str, str]] = (), condenser=None) -> Query:
    """Parse one message (module docstring).

    Args:
        question: the message as typed (any length, script, width).
        history: earlier turns ``[(user, assistant), ...]``, oldest first.
        condenser: ``(question, history) -> Condensed`` (default ``answering.condense.condense``;
            the Assistant passes the LLM condenser when configured).
    Raises:
        ValueError: a non-str question, or history items that are not (user, assistant) pairs.
    """
    if not isinstance(question, str):
        raise ValueError(f"question must be a str, got {type(question).__name__}")
    plain = strip_html_elements(question).strip()  # <b>贵州邮政</b>…: the words, not the tags
    problem = content_problem(question)
    if problem:
        own = question.strip()
        # The words left once markup is gone: a message of only a script is answered in the
        # page's language ("？", "🙂" too), not read as English from its tag names.
        lang = "en" if LATIN_WORD.search(plain) and not HAN.search(plain) else "zh"
        return Query(question=question, own=own, text=own, condensed=Condensed(own, standalone=own),
                     has_content=False, content_problem=problem, language=lang,
                     key=match_key(own))
    own, truncated = locate_question(plain)
    notices = (_cut_notice(plain, own, language(own)),) if truncated else ()
    c = (condenser or condense)(own, history)
    return _analyse(question, own, c, truncated, notices)
