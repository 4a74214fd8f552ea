"""Cross-language evidence: do the names of an English question occur in Chinese passages?

An English question over a Chinese corpus shares no words with it, and e5's cross-lingual
cosines of unrelated texts are high (0.68-0.79 for off-topic English questions over the seed
page, the same range as answerable ones), so a cosine threshold alone lets anything through.
What an answerable English question about Chinese news carries is a transliterated name:
``Akto`` (阿克陶), ``Guiyang`` (贵阳), ``Hengshui`` (衡水), ``Guangdong`` (广东). ``name_in_pinyin``
matches such a name against the toneless pinyin (``pypinyin``) of the passages' Han text.

A name matches a run of 1-4 consecutive syllables when it equals their concatenation
(``guiyang`` = gui+yang), or when it is a subsequence of it that keeps every syllable's first
letter in order and at least ``SUBSEQUENCE_MIN`` of its letters (``akto`` in a+ke+tao; a
Uyghur place name romanised without pinyin's vowels).

``names_first`` puts the passages that hold the question's pinyin names first: e5's
cross-lingual cosines of an English question over Chinese news are nearly flat (0.731 to
0.724 over the seed page's best 8 for ``Which app platform did Guangdong Post use…``, whose
only passage naming 广东 ranked 8th), so the name is the strongest evidence of where the
answer lies.

``is_pinyin_name`` tells a name written in Hanyu Pinyin (``Beijing`` = bei+jing, ``Guizhou``)
from an English word (``Marathon``, ``Double``): the word splits into toneless pinyin
syllables (``PINYIN_SYLLABLES``, from ``pypinyin``'s character table). A Chinese place or
person named in pinyin is a name the passages must hold: a question about the Beijing
Marathon is not answered from a page about Hengshui's.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from functools import lru_cache
from typing import Sequence, TypeVar

from text.chars import HAN_RUN

SUBSEQUENCE_MIN = 0.6
MAX_SYLLABLES = 4
MIN_NAME_LETTERS = 3
_CAPITALISED = re.compile(r"\b[A-Z][a-z]{2,}\b")
_NOT_NAMES = frozenset("""what which who whom whose when where why how the this that these those there
    their they does did do is are was were has have had can could would should will may might and
    but for from with about into over after before besides during between since until while
    china chinese post postal office branch county city province mail lake mount river street
    name list tell give show find please explain describe compare""".split())


def latin_names(question: str) -> list[str]:
    """Capitalised words of an English question that may be transliterated names
    (``Guiyang``, ``Akto``), lower-cased, in order; question words, function words and
    ``_NOT_NAMES`` (words English writes capitalised in names of any language: Lake, Post,
    China) are left out."""
    out = []
    for w in _CAPITALISED.findall(question or ""):
        lw = w.lower()
        if lw not in _NOT_NAMES and lw not in out:
            out.append(lw)
    return out


@lru_cache(maxsize=4096)
def _syllables(run: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin

    return tuple(s.lower() for s in lazy_pinyin(run))


def _is_subsequence(word: str, target: str) -> bool:
    it = iter(target)
    return all(c in it for c in word)


def _matches_syllables(name: str, syl: tuple[str, ...]) -> bool:
    joined = "".join(syl)
    if name == joined:
        return True
    if len(name) < SUBSEQUENCE_MIN * len(joined) or name[0] != syl[0][0]:
        return False
    initials = "".join(s[0] for s in syl)
    return _is_subsequence(initials, name) and _is_subsequence(name, joined)


def name_in_pinyin(name: str, text: str) -> bool:
    """True when the lower-case Latin ``name`` (>= ``MIN_NAME_LETTERS`` letters) matches the
    pinyin of 1-``MAX_SYLLABLES`` consecutive Han characters of ``text`` (module docstring)."""
    name = name.lower()
    if len(name) < MIN_NAME_LETTERS or not name.isalpha():
        return False
    for run in HAN_RUN.findall(text or ""):
        syl = _syllables(run)
        for i in range(len(syl)):
            if not syl[i] or syl[i][0] != name[0]:
                continue
            for j in range(i + 1, min(len(syl), i + MAX_SYLLABLES) + 1):
                if _matches_syllables(name, syl[i:j]):
                    return True
    return False


#: syllables that are interjections (呣 m, 嗯 n/ng, 哼 hm/hng, 欸 ê): no name is spelt with them,
#: while English words split into them (``Amazon`` = a+ma+zo+n).
INTERJECTION_SYLLABLES = frozenset({"m", "n", "ng", "hm", "hng", "e", "ê"})


@lru_cache(maxsize=1)
def pinyin_syllables() -> frozenset[str]:
    """Every toneless Hanyu Pinyin syllable (about 410, ``ü`` written ``u`` or ``v``) of
    ``pypinyin``'s character table, less ``INTERJECTION_SYLLABLES``."""
    from pypinyin.pinyin_dict import pinyin_dict

    out = set()
    for readings in pinyin_dict.values():
        for r in readings.split(","):
            decomposed = unicodedata.normalize("NFKD", r)
            base = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
            if base.isascii() and base.isalpha():
                out.add(base)
                if "\u0308" in decomposed:  # ü (lü, nü) is also written v
                    out.add(base.replace("u", "v"))
    return frozenset(out - INTERJECTION_SYLLABLES)


@lru_cache(maxsize=4096)
def is_pinyin_name(word: str) -> bool:
    """True when the Latin ``word`` (case-insensitive, >= ``MIN_NAME_LETTERS`` letters) splits
    into two or more toneless pinyin syllables (``Beijing``, ``Guizhou``, ``Hengshui``; not
    ``Marathon``, ``Double``, ``Akto``)."""
    w = (word or "").lower()
    if len(w) < MIN_NAME_LETTERS or not w.isascii() or not w.isalpha():
        return False
    syl = pinyin_syllables()
    # splits[i]: fewest syllables spelling w[:i] (None: w[:i] cannot be spelt)
    splits: list[int | None] = [0] + [None] * len(w)
    for i in range(1, len(w) + 1):
        for j in range(max(0, i - 6), i):
            if splits[j] is not None and w[j:i] in syl:
                cand = splits[j] + 1
                splits[i] = cand if splits[i] is None else min(splits[i], cand)
    return splits[len(w)] is not None and splits[len(w)] >= 2


#: hits searched for an English question naming a place in pinyin, among which those holding
#: the name are put first (``names_first``); the answer reads the best ``top_k`` of them
NAME_CANDIDATES = 20

H = TypeVar("H")


def pinyin_names(question: str) -> list[str]:
    """The names of an English question written in Hanyu Pinyin (``latin_names`` that are
    ``is_pinyin_name``: ``guangdong`` of ``Which app platform did Guangdong Post use…``;
    not ``akto``), lower-cased, in order."""
    return [n for n in latin_names(question) if is_pinyin_name(n)]


def names_held(names: Sequence[str], passage) -> int:
    """How many of the lower-case Latin ``names`` a passage (``corpus.types.Passage``: its
    text or title) holds (``name_in_pinyin``)."""
    text = passage.text + "\n" + passage.title
    return sum(name_in_pinyin(n, text) for n in names)


def names_first(names: Sequence[str], hits: Sequence[H]) -> list[H]:
    """``hits`` (``retrieval.types.SearchHit``, best first) reordered: those whose passage
    holds more of ``names`` (``names_held``) first, ties in their order; ranks renumbered
    from 1, scores kept (a later hit may score above the first). The same order when
    ``names`` is empty or no hit holds one."""
    counts = [names_held(names, h.passage) for h in hits] if names else [0] * len(hits)
    order = sorted(range(len(hits)), key=lambda i: -counts[i])
    return [replace(hits[i], rank=r) for r, i in enumerate(order, start=1)]
