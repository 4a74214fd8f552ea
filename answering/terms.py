"""Text helpers of the answering stage: normalisation, key terms, question types, language.

Everything here is rule-based and deterministic:

* Matching uses the project's one match key (``text.fold.match_key``: NFKC, Traditional ->
  Simplified, lower case, no whitespace); numbers come from ``text.numbers``.
* ``key_terms(text)``: the content words of a query or sentence (jieba segmentation, stop words
  and question words removed) with a weight: numbers, Latin words and proper nouns (jieba
  ``posseg`` tags ``nr``/``ns``/``nt``/``nz``/``nrt``/``nrfg``) weigh 2, other words 1.
* ``hard_terms(text)``: what the citation check requires to occur in the quote: numbers with
  their multiplier/percent sign (``4329.7万``, ``46.8%``), Latin words, Chinese proper nouns.
* ``asks_number`` / ``is_list_question``: question-type detection (``language`` is
  ``text.chars.language``).
"""
from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from text.chars import HAN, language  # noqa: F401  (language is part of this module's API)
from text.fold import fold_script, match_key
from text.numbers import contains_number, numbers  # noqa: F401

_JIEBA_LOCK = threading.Lock()
_JIEBA_READY = False


def jieba_modules():
    """Import jieba (and its posseg tagger) once, quietly; thread-safe."""
    global _JIEBA_READY
    import jieba
    import jieba.posseg as pseg

    if not _JIEBA_READY:
        with _JIEBA_LOCK:
            if not _JIEBA_READY:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _JIEBA_READY = True
    return jieba, pseg


#: ``normalise`` is the project's match key (kept as this module's name for it).
normalise = match_key
_CJK = HAN


# Words that carry no content for matching (question words, function words, fillers).
STOP_WORDS = frozenset(
    """
    的 了 是 在 和 与 及 或 有 为 对 把 被 从 到 于 也 都 就 还 又 而 并 等 这 那 其 该 此 之 以 中 上 下
    吗 呢 吧 啊 呀 么 嘛 么样 哪 哪些 哪个 哪里 哪儿 哪一年 哪年 哪天 什么 什么样 怎么 怎么样 怎样 如何 为什么 为何
    多少 几 几个 多 多久 多长 何时 何地 何 谁 是否 是不是 有没有 能否 请问 请 告诉 我 我们 你 你们 他 她 它
    他们 她们 它们 那么 那个 这个 这些 那些 一下 一些 一个 个 时候 时间 情况 内容 问题 关于 方面 资料 文中
    提到 文章 报道 介绍 说 讲 东西 样 哪样 一共 共 总共 累计 分别 主要 具体 相关 列举 列出 几位 位 人 名 次 年 月 日
    今年 去年 明年 期间 其中 以及 通过 进行 开展 做 做了 了解
    a an the of in on at to for from by with and or is are was were be been do does did what which who
    whom whose when where why how many much it its he she they them his her their this that these those
    about please tell me there any some
    """.split()
)

PROPER_TAGS = frozenset({"nr", "ns", "nt", "nz", "nrt", "nrfg", "eng"})

_LATIN = re.compile(r"[a-z][a-z\-']*[a-z]|[a-z]", re.IGNORECASE)
_PUNCT_ONLY = re.compile(r"^[\W_]+$")


@dataclass(frozen=True)
class Term:
    """A key term: ``text`` (normalised), ``weight`` (1.0 or 2.0), ``kind`` in
    {"number", "latin", "name", "word"}."""

    text: str
    weight: float
    kind: str




@lru_cache(maxsize=4096)
def _tagged(text: str) -> tuple[tuple[str, str], ...]:
    _, pseg = jieba_modules()
    return tuple((w.word, w.flag) for w in pseg.cut(text))


def key_terms(text: str) -> tuple[Term, ...]:
    """Content terms of ``text`` (deduplicated, in order of first occurrence).

    Numbers (``numbers()``), Latin words (>= 2 letters, not stop words) and jieba proper
    nouns weigh 2.0; other jieba words of >= 2 characters (or single non-stop CJK nouns)
    weigh 1.0. Stop words and punctuation are dropped.
    """
    norm = fold_script(unicodedata.normalize("NFKC", text))  # jieba segments Simplified text
    out: dict[str, Term] = {}
    for n in numbers(norm):
        out.setdefault(n, Term(n, 2.0, "number"))
    for word, flag in _tagged(norm):
        w = normalise(word)
        if not w or _PUNCT_ONLY.match(w) or w in STOP_WORDS:
            continue
        if re.fullmatch(r"[\d.%万亿千百]+", w):
            continue  # numbers handled above
        if _LATIN.fullmatch(w):
            if len(w) >= 2:
                out.setdefault(w, Term(w, 2.0, "latin"))
            continue
        if (flag in PROPER_TAGS or _PLACE.match(w)) and len(w) >= 2:
            out.setdefault(w, Term(w, 2.0, "name"))
        elif len(w) >= 2 or (flag.startswith("n") and _CJK.match(w)):
            out.setdefault(w, Term(w, 1.0, "word"))
    return tuple(out.values())


def hard_terms(text: str) -> tuple[str, ...]:
    """Terms the citation check requires in the quote: numbers (with multiplier/percent),
    Latin words of >= 2 letters and proper nouns (jieba ``nr``/``ns``/``nt``/``nrt``/``nrfg``;
    ``nz`` is left out: jieba tags too many ordinary words ``nz``). Normalised."""
    return tuple(t.text for t in key_terms(text)
                 if t.kind in ("number", "latin") or (t.kind == "name" and _is_strict_name(t.text)))


_PLACE = re.compile(r"^[\u4e00-\u9fff]{2,5}(?:省|市|县|区|州|乡|镇|村)$")


@lru_cache(maxsize=4096)
def _is_strict_name(word: str) -> bool:
    """jieba tags it a person/place/organisation name, or it looks like a place name (2-5 CJK
    characters + 省/市/县/区/州/乡/镇/村: jieba tags ``毕节市`` a common noun)."""
    if _PLACE.match(word):
        return True
    tags = {f for w, f in _tagged(word)}
    return bool(tags & {"nr", "ns", "nt", "nrt", "nrfg"})


_ADMIN_SUFFIX = re.compile(
    r"(?:特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|省|市|县|区|州)$")


def name_variants(name: str) -> list[str]:
    """``name`` and, for a place name with an administrative suffix, the name without it
    (``贵州省`` -> ``贵州``, as in ``贵州邮政``; news text drops 省/市/县 freely); the stem keeps
    at least 2 characters. Normalised."""
    name = normalise(name)
    out = [name]
    stem = _ADMIN_SUFFIX.sub("", name)
    if stem != name and len(stem) >= 2:
        out.append(stem)
    return out




_NUMBER_Q = re.compile(
    r"多少|几[个位名次年月日天人件家种项条届组辆台套枚吨万亿千百]?|哪一?年|哪天|何时|什么时候|几时|"
    r"多久|多长|多大|多高|多远|数量|金额|比例|百分之|增长了?多|"
    r"\bhow (many|much|long|old|far)\b|\bwhen\b|\bwhat year\b|\bnumber of\b",
    re.IGNORECASE,
)
_LIST_Q = re.compile(r"列举|哪些|有哪些|都有什么|包括什么|包括哪|分别|几项|which\b.*\b(are|were)\b|\blist\b",
                     re.IGNORECASE)




def asks_number(question: str) -> bool:
    """True when the question asks for a number, amount, date or time
    (多少/几/哪一年/何时/how many/when ...)."""
    return _NUMBER_Q.search(question or "") is not None


def is_list_question(question: str) -> bool:
    """True for list questions (列举/哪些/有哪些/分别/which ... are/list)."""
    return _LIST_Q.search(question or "") is not None
