"""Follow-up condensing: a chat question + history -> a standalone question, as a structure.

``condense(question, history)`` returns a ``Condensed`` record (the standalone text, the rule
that made it, the earlier questions used, the terms carried over), never a bracketed suffix.

A question is a follow-up (``follow_up_signal``) when it shows one of these signals, in this
order; a question with none of them is standalone, and a question that names its own subject
(a proper noun, a Latin name or a number, and a predicate: not a bare ``那X呢？``) is never
merged with an earlier one:

* ``connective``: it starts with 那/那么/还有/另外/此外 (English and/also/what about/how about);
* ``anaphor``: it holds a pronoun or demonstrative (他/她/它/他们/其/该/此/这个/这些/这项/这位/那个/
  上述; he/she/it/they/this/that ..., unless a name of the question comes before the English
  pronoun: ``…did Guangdong Post use for its…`` points back at Guangdong Post);
* ``ellipsis``: ``那X呢？``-style (``…呢？`` of at most ``SHORT_CHARS`` characters), or no content
  word at all (``为什么？``);
* ``predicate``: a short question (at most ``SHORT_CHARS`` characters) whose first word is a
  predicate opener (``PREDICATE_OPENERS``: 是/被/由/又 …, as jieba cuts it: not 是否, 由于,
  都市报) and that names no subject of its own (``是被哪个机构评的？``, ``由谁主办？``): the
  subject is the earlier one;
* ``subjectless``: a short question (at most ``SHORT_CHARS`` characters) that names no subject
  of its own (no proper noun, number or Latin word: ``同比增长多少？``, ``有多少党员参加？``). It
  may still be a new question (``上月快递业务量是多少？`` after a question about stamps): the
  Assistant searches the merged text and keeps it only when the earlier topic's passages hold
  the new question's terms, else it searches the question alone (``Condensed.standalone``).

Rules, once a follow-up:

1. The previous user question is condensed first (recursively, at most ``MAX_DEPTH`` turns).
2. ``那X呢？`` / ``what about X?`` where X names something: X replaces the first proper noun of
   the previous question, or is put in front of it (rule ``ellipsis``). When X is an
   organisation (``terms.organisations``) it replaces the previous question's first
   organisation whole: ``那贵阳邮区中心呢？`` after
   ``贵州省分公司拨付了多少慰问金？`` -> ``贵阳邮区中心拨付了多少慰问金？``; a bare place keeps the
   organisation's kind (``那贵阳市呢？`` -> ``贵阳市分公司拨付…``).
   ``那A的B呢？`` with a name in A and an attribute B (content words, no name) asks a new
   attribute of a new entity: it is asked as B's kind asks (``ATTRIBUTE_FRAMES``: a role is
   asked 是谁, an amount 是多少; else 是什么): ``那贵州邮政的快递业务收入呢？`` after
   ``…累计处理邮件多少件？`` -> ``贵州邮政的快递业务收入是多少？``.
3. A person pronoun (他/她/他们; he/she/him/they) is replaced by the first person name of the
   previous question, else of the last answer (rule ``person``).
4. ``那`` + a question that names its own subject: the connective is dropped, nothing carried
   (rule ``standalone``).
5. Otherwise the subject terms of the previous question (its names and nouns the new question
   lacks, at most ``MAX_CARRIED``) and up to two names of the last answer are carried over:
   ``这项活动是哪个组织开展的？`` -> ``“五送” 快递员 活动 这项活动是哪个组织开展的？`` (rule
   ``context``; ``subjectless`` for that signal). The answer's names are not carried when the
   previous question asked for a time or an amount (``asks_value``). 它 as the subject of a
   new predicate points back at a thing, not an action: of those terms only the ones holding a
   name of the previous question go, when some do (``它的…`` carries them all)
   (``那它是从哪一年开始举办的？`` after ``衡水湖国际马拉松赛哪一年被评为金标赛事？`` carries
   ``衡水湖国际马拉松赛``, not ``评为金标赛事``, whose year is another answer).

``condense_with_llm`` does the same with an LLM and ``prompts/condense.txt`` (used only when
an LLM answerer is configured; it falls back to the rules on any error or empty output).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from answering.crosslingual import latin_names
from answering.terms import STOP_WORDS, _tagged, key_terms, language, normalise, organisations
from text.markers import CANON

SHORT_CHARS = 12
MAX_DEPTH = 3
MAX_CARRIED = 4

_ZH_START = re.compile(r"^\s*(那么|那|还有|另外|此外|以及)")
_ZH_PRONOUN = re.compile(r"他们|她们|他|她|它|其|该|此|这个|这些|这家|这项|这位|这次|这里|那个|那些|那位|上述")
_ZH_PERSON = re.compile(r"他们|她们|他|她")
#: a pronoun standing for a thing as the subject of a new predicate (rule 5:
#: ``它是从哪一年开始举办的？``); not ``它的…`` (``它的同比增长是多少？``: its figure, which
#: the earlier question's predicate names)
_ZH_THING = re.compile(r"它们?(?!们|的)")
#: words a question opens with when its predicate comes first and its subject is elided
#: (``predicate`` signal: ``是被哪个机构评的？``, ``由谁主办？``, ``又是哪一年开始的？``)
PREDICATE_OPENERS = frozenset({"是", "被", "由", "又", "也", "都", "曾", "曾经", "还是"})
#: what a question asks for, in order (first match wins): a pattern of the question and
#: whether its answer is a value, a time or an amount (``asks_value``, rule 5), not a thing
ASKED_KINDS = (
    (re.compile(r"什么时候|何时|哪一?年|哪一?天|何年|几月|几号"), True),
    (re.compile(r"哪里|哪儿|何处|什么地方|在哪"), False),
    (re.compile(r"谁"), False),
    (re.compile(r"多少|几"), True),
)
DEFAULT_FRAME = "是什么？"
#: how ``那A的B呢？`` asks for its attribute B (rule 2), by how B ends (first match wins;
#: ``DEFAULT_FRAME`` else): the previous question's frame does not fit a new attribute
#: (``那衡水市分公司的物流部经理呢？`` after a 多少 question is no amount; cold review)
ATTRIBUTE_FRAMES = (
    (re.compile(r"(经理|主任|书记|局长|总监|主席|负责人|董事长|总裁|校长|院长|市长|县长|省长|部长|老板|作者|"
                r"创始人|领导|队长|教练|发言人|主持人)$"), "是谁？"),
    (re.compile(r"(收入|数量|人数|金额|总量|量|增长|增幅|比例|率|面积|长度|高度|人口|产量|销量|价格|费用|成本|"
                r"利润|营收|规模|次数|天数|距离|温度|得分|分数)$"), "是多少？"),
    (re.compile(r"(时间|日期|年份|时候)$"), "是什么时候？"),
    (re.compile(r"(地点|位置|地址|所在地|总部|首都|省会)$"), "在哪里？"),
)
_EN_START = re.compile(r"^\s*(and|what about|how about|also)\b", re.I)
_EN_PRONOUN = re.compile(r"\b(he|she|it|they|his|her|its|their|him|them|this|that|these|those)\b", re.I)
_EN_PERSON = re.compile(r"\b(he|she|him|her|they|them)\b", re.I)
_ZH_ELLIPSIS = re.compile(r"^\s*(?:那么|那|还有|另外)?\s*(.+?)\s*(?:呢|怎么样|如何|又如何)\s*[?？]?\s*$")
_EN_ELLIPSIS = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(.+?)\s*\??\s*$", re.I)
_NAME_TAGS = ("nr", "ns", "nt", "nz", "nrt", "nrfg")
_EN_STOP_NAME = frozenset("what which who whom whose when where why how the a an and or is are was were did "
                          "do does in on at of for to by with from".split())


@dataclass(frozen=True)
class Condensed:
    """A standalone question made from a chat question and its history.

    Attributes:
        text: the standalone text to search and score.
        rule: ``standalone`` (no history or no follow-up signal, or a connective before a
            question with its own subject), ``ellipsis``, ``person``, ``context``, or
            ``subjectless`` (module docstring).
        context: the earlier user questions the text draws on, oldest first (empty when
            standalone).
        carried: the terms taken from them (names, nouns), in order.
        standalone: the question alone (stripped, a leading connective dropped): what is
            searched when a ``subjectless`` merge is not borne out by the passages.
    """

    text: str
    rule: str = "standalone"
    context: tuple[str, ...] = ()
    carried: tuple[str, ...] = ()
    standalone: str = ""

    @property
    def is_follow_up(self) -> bool:
        return self.rule != "standalone"


def _names_own_subject(q: str) -> bool:
    return any(t.kind in ("name", "number", "latin") for t in key_terms(q))


def _first_word(q: str) -> str:
    words = [w for w, _ in _tagged(q.strip()) if w.strip()]
    return words[0] if words else ""


def follow_up_signal(question: str) -> str | None:
    """The follow-up signal of ``question`` (``connective``, ``anaphor``, ``ellipsis``,
    ``predicate``, ``subjectless``) or None for a standalone question (module docstring)."""
    q = question.strip()
    if not q:
        return None
    if language(q) == "zh":
        n = len(normalise(q))
        if n <= SHORT_CHARS and re.search(r"呢\s*[?？]?\s*$", q):
            return "ellipsis"
        if _ZH_PRONOUN.search(q):
            return "anaphor"
        if _ZH_START.match(q):
            return "connective"
        if not key_terms(q):
            return "ellipsis"
        if n <= SHORT_CHARS and _first_word(q) in PREDICATE_OPENERS and not _names_own_subject(q):
            return "predicate"
        if n <= SHORT_CHARS and not _names_own_subject(q):
            return "subjectless"
        return None
    if _EN_START.match(q):
        return "connective"
    m = _EN_PRONOUN.search(q)
    if m and not latin_names(q[:m.start()]):
        return "anaphor"  # a pronoun after a name of the question points back at that name
    if len(q.split()) <= 2:
        return "ellipsis"
    return None


def is_follow_up(question: str) -> bool:
    """True when ``question`` shows a follow-up signal (``follow_up_signal``)."""
    return follow_up_signal(question) is not None


def _names(text: str, tags: Sequence[str] = _NAME_TAGS) -> list[str]:
    """Proper nouns of ``text`` in order (raw spelling), from jieba posseg (English:
    capitalised words)."""
    text = CANON.sub("", text)
    if language(text) == "en":
        out = []
        for m in re.findall(r"\b[A-Z][a-zA-Z]+(?:\s+[A-Z][a-zA-Z]+)*", text):
            words = m.split()
            while words and words[0].lower() in _EN_STOP_NAME:
                words.pop(0)
            if words:
                out.append(" ".join(words))
        return out
    return [w for w, f in _tagged(text) if f in tags and len(w) >= 2]


def _is_organisation(x: str) -> bool:
    """Whether ``x`` ends in an organisation (``terms.organisations``: ``贵阳邮区中心``,
    ``高雄市郵政分公司``; not ``贵阳市``)."""
    found = organisations(x)
    return bool(found) and found[-1].end == len(x.rstrip())


def _person_names(text: str) -> list[str]:
    if language(CANON.sub("", text)) == "en":
        return _names(text)
    return _names(text, ("nr", "nrfg", "nrt"))


def _subject_terms(prev: str, q: str) -> list[str]:
    """The content phrases of ``prev`` that ``q`` lacks (at most ``MAX_CARRIED``): maximal runs
    of its jieba words that are neither stop/question words, punctuation, nor already in ``q``
    (``贵阳邮区中心邮政双11期间快递业务收入是多少？`` -> ``贵阳邮区中心邮政双11``, ``快递业务收入``)."""
    have = normalise(q)
    runs: list[str] = []
    cur = ""
    for word, _flag in _tagged(CANON.sub("", prev)):
        w = normalise(word)
        content = bool(w) and w not in STOP_WORDS and any(ch.isalnum() for ch in w) and w not in have
        if content:
            cur += word.strip()
        else:
            if len(cur) >= 2:
                runs.append(cur)
            cur = ""
    if len(cur) >= 2:
        runs.append(cur)
    return list(dict.fromkeys(runs))[:MAX_CARRIED]


def asks_value(question: str) -> bool:
    """Whether ``question`` asks for a time or an amount (``ASKED_KINDS``): the names of its
    answer are names of the quoted sentence, never a thing a later question points back at,
    and the next question's answer is often one of them (rule 5: ``是被哪个机构评的？`` after
    ``…哪一年被评为金标赛事？`` carried 国际田联 and read 国际)."""
    return next((value for pattern, value in ASKED_KINDS if pattern.search(question)), False)


def attribute_frame(attribute: str) -> str:
    """The ending that asks for ``attribute`` (``ATTRIBUTE_FRAMES``; ``DEFAULT_FRAME`` when
    none matches): ``快递业务收入`` -> ``是多少？``, ``物流部经理`` -> ``是谁？``."""
    a = attribute.strip()
    for pattern, frame in ATTRIBUTE_FRAMES:
        if pattern.search(a):
            return frame
    return DEFAULT_FRAME


def _check_history(history) -> list:
    hist = list(history or ())
    for item in hist:
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            raise ValueError(f"history items must be (user, assistant) pairs, got {item!r}")
    return hist


def condense(question: str, history: Sequence[tuple[str, str]] = (), _depth: int = 0) -> Condensed:
    """The standalone form of ``question`` given ``history`` = [(user, assistant), ...]
    oldest first (module docstring). Raises ValueError when history items are not
    (user, assistant) pairs."""
    q = question.strip()
    hist = _check_history(history)
    zh = language(q) == "zh"
    body = re.sub(r"^\s*(那么|那)\s*", "", q) if zh else q
    signal = follow_up_signal(q)
    alone = body.strip() or q
    if not hist or not q or signal is None:
        return Condensed(q, standalone=q)
    prev_user, prev_answer = hist[-1]
    prev_user = str(prev_user or "").strip()
    prev_answer = CANON.sub("", str(prev_answer or ""))
    if not prev_user:
        return Condensed(q, standalone=q)
    if _depth >= MAX_DEPTH:
        prev, prev_ctx = prev_user, ()
    else:
        pc = condense(prev_user, hist[:-1], _depth + 1)
        prev, prev_ctx = pc.text, pc.context
    context = prev_ctx + (prev_user,)

    # 2. elliptical: 那X呢？ / what about X?
    m = (_ZH_ELLIPSIS if zh else _EN_ELLIPSIS).match(q)
    if m and not (_ZH_PRONOUN.search(m.group(1)) if zh else _EN_PRONOUN.search(m.group(1))):
        x = m.group(1).strip()
        owner, de, attribute = x.rpartition("的")
        own_terms, asked = key_terms(owner), key_terms(attribute)
        if (zh and de and asked and not any(t.kind in ("name", "latin", "number") for t in asked)
                and any(t.kind in ("name", "latin") for t in own_terms)):
            return Condensed(x + attribute_frame(attribute), "ellipsis", context, (), alone)
        x_is_name = any(t.kind in ("name", "latin", "number") for t in key_terms(x))
        if x_is_name and (not zh or len(normalise(x)) <= SHORT_CHARS):
            names = _names(prev)
            # an organisation replaces the earlier question's first organisation whole; a
            # bare place only the first proper noun (the organisation's kind stays)
            orgs = organisations(CANON.sub("", prev)) if zh and _is_organisation(x) else []
            old = orgs[0].name if orgs else names[0] if names else None
            if old is not None and old != x:
                return Condensed(prev.replace(old, x, 1), "ellipsis", context, (old,), alone)
            return Condensed(x + prev if zh else f"{x} {prev}", "ellipsis", context, (), alone)
    # 3. person pronoun -> person name
    pm = (_ZH_PERSON if zh else _EN_PERSON).search(body)
    if pm:
        persons = _person_names(prev) or _person_names(prev_answer)
        if persons:
            return Condensed(body[: pm.start()] + persons[0] + body[pm.end():], "person", context,
                             (persons[0],), alone)
    # 4. a connective before a question that names its own subject: nothing is carried
    if (signal == "connective" and zh and not _ZH_PRONOUN.search(body)
            and len(normalise(body)) > SHORT_CHARS and _names_own_subject(body)):
        return Condensed(body, "standalone", (), (), body)
    if signal == "connective" and not zh and _names_own_subject(body) and not _EN_PRONOUN.search(body):
        return Condensed(body, "standalone", (), (), body)
    # 5. carry the previous question's subject (and names of the last answer)
    carried = _subject_terms(prev, body)
    if zh and _ZH_THING.search(body):
        names = _names(prev)
        carried = [t for t in carried if any(n in t for n in names)] or carried
    have = normalise(body + " ".join(carried))
    if not (zh and asks_value(prev)):
        carried += [n for n in dict.fromkeys(_names(prev_answer)) if normalise(n) not in have][:2]
    if not carried:
        return Condensed(body, "standalone", (), (), body)
    joiner = " "
    text = joiner.join(carried) + joiner + body
    return Condensed(text, "subjectless" if signal == "subjectless" else "context", context,
                     tuple(carried), alone)


def condense_with_llm(llm, question: str, history: Sequence[tuple[str, str]] = ()) -> Condensed:
    """Condense with an LLM (``answering.llm`` backend) and ``prompts/condense.txt``; falls
    back to ``condense`` (rules) when the question is not a follow-up, or on error / empty
    output."""
    from answering.prompts import fill, load_prompt

    q = question.strip()
    hist = _check_history(history)
    if not hist or not q or not is_follow_up(q):
        return Condensed(q, standalone=q)
    convo = "\n".join(f"User: {u}\nAssistant: {CANON.sub('', a)[:500]}" for u, a in hist[-MAX_DEPTH:])
    try:
        out = llm.complete(fill(load_prompt("condense"), history=convo, question=q), max_new_tokens=96)
        out = out.strip().splitlines()[0].strip() if out.strip() else ""
    except Exception:  # any backend failure: the rules still give a usable query
        out = ""
    if not out:
        return condense(q, hist)
    return Condensed(out, "context", tuple(u for u, _ in hist[-MAX_DEPTH:]), (), q)
