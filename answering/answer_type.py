"""Expected answer type of a question, and whether a sentence holds an answer of that type.

The evidence gate's similarity signals cannot tell "the corpus talks about this" from "the
corpus answers this": on the seed test set, answerable and near-topic unanswerable questions
have the same dense-score and term-coverage distributions (evaluation report, issue #5).
What separates them is the kind of thing asked for: `常州邮政今年处理了多少件进口国际邮件？`
needs a count of 件 and the Changzhou article holds none; `…的《意见》是哪天印发的？` needs a day
and the article names none. This is the classic answer-type check of factoid QA systems
(Harabagiu et al., 2000, "FALCON: Boosting Knowledge for Answer Engines"; Moldovan et al.,
2000), reduced to patterns for Chinese (and English) news questions.

* ``expected_type(question)`` -> ``AnswerType`` or None (no clear expectation: "how", "what",
  lists). Rule-based, documented in ``_RULES``.
* ``matches(answer_type, sentence)`` -> True when the sentence holds an answer of that type
  (a number followed by one of the expected units, a date, a year, a percentage, a person).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from answering.terms import jieba_modules, normalise, own_question

# A number written in digits or Chinese numerals, optionally with a multiplier and 多/余.
_NUM = r"(?:\d[\d.,]*|[零一二三四五六七八九十两百千]+)\s*(?:[万亿千百]\s*)?(?:多|余)?"

# Measure words (units) grouped into interchangeable sets: "多少人" is answered by 名/人次.
_UNIT_GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"人次", "人", "名", "位"}),
    frozenset({"天", "日"}),
    frozenset({"元", "万元", "亿元", "块"}),
    frozenset({"公里", "千米", "米"}),
)
_MEASURE = ("岁", "人次", "公里", "千米", "个", "名", "人", "位", "件", "天", "日", "年", "次", "家", "种",
            "项", "条", "届", "组", "辆", "台", "套", "枚", "吨", "元", "箱", "份", "副", "瓶",
            "所", "座", "场", "批", "期", "万件", "万元", "亿元", "米", "站", "辆次")
# measure words that also begin ordinary words (年轻人, 人民币, 站点, 项目, 家庭, 天气 ...)
_WORD_STARTERS = frozenset("年人站项家种天日条组场期所座批米")
_MONEY_WORDS = ("收入", "营收", "收益", "金额", "资金", "慰问金", "补贴", "补助", "钱", "费用", "投入",
                "专款", "营业额", "利润", "多少元", "revenue", "income", "money", "fund", "yuan")
_GENERIC_MONEY = frozenset({"钱", "多少元", "金额", "费用", "money", "fund", "yuan", "revenue", "income"})
_REVENUE = ("收入", "营收", "营业额", "营业收入", "收益")
_MONEY_SYNONYMS = {w: _REVENUE for w in _REVENUE} | {
    "补贴": ("补贴", "补助", "慰问金"), "补助": ("补贴", "补助", "慰问金"), "慰问金": ("慰问金", "补贴", "补助"),
    "专款": ("专款", "资金", "拨付"), "资金": ("资金", "专款", "拨付", "投入"), "投入": ("投入", "资金")}
_PERCENT_WORDS = ("百分之", "比例", "增长率", "增幅", "满意度", "percentage", "percent", "rate")

_ZH_COUNT = re.compile(r"(?:多少|(?<!哪)几)\s*(" + "|".join(sorted(_MEASURE, key=len, reverse=True)) + ")")
_ZH_HOW_MANY = re.compile(r"多少|(?<!哪)几[个位名次年月日天人件家种项条届组]|多大|多远|多长|多高")
_ZH_YEAR = re.compile(r"哪一?年|何年|什么年份|几几年")
_ZH_DAY = re.compile(r"哪一?天|几月几[日号]|哪一?日|什么日子|何日")
_ZH_WHEN = re.compile(r"何时|什么时候|几时")
_ZH_WHO = re.compile(r"谁|哪位|什么人(?!员)")
_EN_WHO = re.compile(r"^\s*who\b|\bwho (is|was|are|were)\b", re.I)
_ZH_AGE = re.compile(r"多大(年纪|岁数)?[？?]?$|几岁|多少岁")
_EN_HOW_MANY = re.compile(r"\bhow\s+(many|much|far|long)\b|\bnumber of\b", re.I)
_EN_YEAR = re.compile(r"\b(what|which)\s+year\b|\bsince when\b", re.I)
_EN_WHEN = re.compile(r"\bwhen\b|\bwhat date\b|\bwhich day\b", re.I)
_EN_PERCENT = re.compile(r"\bby how much\b|\bpercent(age)?\b|\brate\b", re.I)

_YEAR_IN_TEXT = re.compile(r"(?:19|20)\d\d\s*年")
_DAY_IN_TEXT = re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{1,2}\s*[日号]|[一二三四五六七八九十]+月[一二三四五六七八九十]+日")
_MONTH_IN_TEXT = re.compile(r"\d{1,2}\s*月|上旬|中旬|下旬|近期|日前|今年|去年")
_PERCENT_IN_TEXT = re.compile(r"\d[\d.]*\s*%|百分之")
_ANY_NUMBER = re.compile(r"\d|[一二三四五六七八九十两百千万]{1,}(?=[个名人位件天年次家种项条届组辆台套枚吨元箱份副瓶])")
_INTERPUNCT_NAME = re.compile(r"[\u4e00-\u9fff]{2,}·[\u4e00-\u9fff]{2,}")


@dataclass(frozen=True)
class AnswerType:
    """What a question asks for.

    Attributes:
        kind: "count" (a number with a unit from ``units``), "money", "percent", "number"
            (any number), "year", "day", "time" (a year, month or day), "person".
        units: accepted measure words for "count" (an interchangeable group: 人/名/人次/位).
        role: for "person" questions of the form ``…的总经理是谁``, the role noun the answer
            sentence must also name (``总经理``), else None.
        cue: for "money" questions, the kind of money asked about (``收入``, ``慰问金``,
            ``专款``) that the answer sentence must also name (or a synonym: 营收 ~ 收入), else
            None: a sum of 30万元 慰问金 does not answer a question about 收入.
    """

    kind: str
    units: frozenset[str] = frozenset()
    role: str | None = None
    cue: str | None = None


def _is_unit_word(q: str, m: re.Match) -> bool:
    """True when the measure word after 多少/几 is a word of its own, not the first character
    of a longer word (``多少年轻人``, ``多少人民币``, ``多少站点`` ask no count of 年/人/站)."""
    unit = m.group(1)
    if unit not in _WORD_STARTERS:  # 辆/件/个/名/吨…: classifiers, whatever follows (辆车)
        return True
    jieba, _ = jieba_modules()
    first = next((w for w in jieba.cut(q[m.start(1):]) if w.strip()), "")
    return first == unit or first in _MEASURE


def _unit_group(unit: str) -> frozenset[str]:
    for g in _UNIT_GROUPS:
        if unit in g:
            return g
    return frozenset({unit})


def expected_type(question: str) -> AnswerType | None:
    """The answer type ``question`` asks for, or None when it does not ask for a typed fact.

    Chinese rules, first match wins: ``哪一年`` -> year; ``哪天/几月几日`` -> day; ``何时/什么时候``
    -> time; ``是谁/哪位`` -> person; ``多少/几`` + measure word -> count of that unit (``多少名``
    accepts 人/名/人次/位); ``多少`` + a money word (收入, 慰问金 ...) -> money; ``多少`` + a
    percentage word (比例, 增幅 ...) -> percent; other ``多少/几`` -> number; ``哪几`` asks for a
    list, not a count (``午餐有哪几个菜？``) -> None. English: "what year"
    -> year, "by how much / percentage / rate" -> percent, "how many/much" -> number, "when" ->
    time ("who" is not checked across languages: names are transliterated). ``question`` should
    already be script-folded (Traditional -> Simplified).
    """
    question = own_question(question)
    q = normalise(question)
    if _ZH_YEAR.search(q) or _EN_YEAR.search(question):
        return AnswerType("year")
    if _ZH_DAY.search(q):
        return AnswerType("day")
    if _ZH_WHEN.search(q):
        return AnswerType("time")
    if _ZH_WHO.search(q) or _EN_WHO.search(question):
        return AnswerType("person", role=_role(q))
    if _ZH_AGE.search(q):
        return AnswerType("count", frozenset({"岁"}))
    m = _ZH_COUNT.search(q)
    if m and _is_unit_word(q, m):
        unit = m.group(1)
        if unit in ("元", "万元", "亿元"):
            return AnswerType("money")
        return AnswerType("count", _unit_group(unit))
    if _ZH_HOW_MANY.search(q):
        if any(w in q for w in _PERCENT_WORDS) or re.search(r"增长了?多少", q):
            return AnswerType("percent")
        cues = [w for w in _MONEY_WORDS if w in q]
        if cues:
            specific = [w for w in cues if w not in _GENERIC_MONEY]
            return AnswerType("money", cue=specific[0] if specific else None)
        return AnswerType("number")
    if _EN_PERCENT.search(question):
        return AnswerType("percent")
    if _EN_HOW_MANY.search(question):
        return AnswerType("number")
    if _EN_WHEN.search(question):
        return AnswerType("time")
    return None


_ROLE_BEFORE_WHO = re.compile(r"([\u4e00-\u9fff]{2,})是谁")


def _role(q: str) -> str | None:
    """The noun right before ``是谁`` (``阿克陶县邮政分公司的总经理是谁`` -> ``总经理``)."""
    m = _ROLE_BEFORE_WHO.search(q)
    if not m:
        return None
    jieba, _ = jieba_modules()
    words = [w for w in jieba.cut(m.group(1)) if w.strip()]
    last = words[-1] if words else ""
    return last if len(last) >= 2 else None


@lru_cache(maxsize=8192)
def _has_person(sentence: str) -> bool:
    if _INTERPUNCT_NAME.search(sentence):
        return True
    _, pseg = jieba_modules()
    return any(p.flag in ("nr", "nrfg", "nrt") and len(p.word) >= 2 for p in pseg.cut(sentence))


def matches(answer_type: AnswerType, sentence: str) -> bool:
    """True when ``sentence`` holds an answer of ``answer_type`` (see ``expected_type``).

    Numbers may be digits or Chinese numerals with a multiplier and 多/余 (``5.8万余人次``,
    ``近300名``, ``七项``); spaces and full-width forms are normalised first.
    """
    s = normalise(sentence)
    kind = answer_type.kind
    if kind == "count":
        units = "|".join(sorted(answer_type.units, key=len, reverse=True))
        return re.search(_NUM + r"(?:" + units + r")", s) is not None
    if kind == "money":
        return (re.search(_NUM + r"(?:元|块)", s) is not None
                and (answer_type.cue is None
                     or any(w in s for w in _MONEY_SYNONYMS.get(answer_type.cue, (answer_type.cue,)))))
    if kind == "percent":
        return _PERCENT_IN_TEXT.search(s) is not None
    if kind == "number":
        return _ANY_NUMBER.search(s) is not None
    if kind == "year":
        return _YEAR_IN_TEXT.search(s) is not None
    if kind == "day":
        return _DAY_IN_TEXT.search(s) is not None
    if kind == "time":
        return bool(_YEAR_IN_TEXT.search(s) or _DAY_IN_TEXT.search(s) or _MONTH_IN_TEXT.search(s))
    if kind == "person":
        return _has_person(sentence) and (answer_type.role is None or answer_type.role in s)
    raise ValueError(f"unknown answer type {kind!r}")
