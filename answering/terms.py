"""Text helpers of the answering stage: normalisation, key terms, question types, language.

Everything here is rule-based and deterministic:

* Matching uses the project's one match key (``text.fold.match_key``: NFKC, Traditional ->
  Simplified, lower case, no whitespace); numbers come from ``text.numbers``.
* ``key_terms(text)``: the content words of a query or sentence (jieba segmentation, stop words
  and question words removed) with a weight: numbers, Latin words and proper nouns (jieba
  ``posseg`` tags ``nr``/``ns``/``nt``/``nz``/``nrt``/``nrfg``) weigh 2, other words 1.
* ``hard_terms(text)``: what the citation check requires to occur in the quote: numbers with
  their multiplier/percent sign (``4329.7万``, ``46.8%``), Latin words, Chinese proper nouns.
* ``unlisted_names(text)``: names jieba's dictionary does not hold (``于海``, ``史继偕``,
  ``符泳``), which it leaves in single characters or joins with a neighbour by its HMM.
* ``rare_characters(text)``: Han characters jieba's dictionary barely uses (``蓍``, ``靺``):
  the mark of a rare name, which the passages must hold.
* ``asks_number`` / ``is_list_question``: question-type detection (``language`` is
  ``text.chars.language``).
"""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from text.chars import HAN, language  # noqa: F401  (language is part of this module's API)
from text.fold import match_key, offset_fold, segmentation_form
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

#: word endings that name an organisation (``贵州省分公司``, ``贵阳邮区中心``, ``贵州邮政``,
#: ``北京分行``): a proper noun followed by nouns ending in one is one organisation
#: (``organisations``)
ORGANISATION_SUFFIXES = ("公司", "中心", "邮政", "银行", "分行", "支行", "集团", "政府", "局", "厅",
                         "委员会", "工会", "协会", "医院", "学校", "大学", "学院", "研究所", "研究院",
                         "报社", "电视台", "合作社")
#: endings that name an organisation only after another noun (``贵阳`` ``邮区`` ``中心``,
#: ``邮政`` ``管理局``): right after a place they name a part of it (``贵阳市中心``), and a word
#: ending in one may be none (``格局``)
GENERIC_SUFFIXES = ("中心", "局")
#: nouns an organisation's name may run over after its proper noun (``黔东南`` ``苗族`` ``侗族``
#: ``自治州`` ``邮政`` ``分公司``)
ORGANISATION_WORDS = 5


@dataclass(frozen=True)
class Organisation:
    """An organisation named in a text: ``name`` (its characters), ``head`` (the proper noun it
    starts with: ``铜仁市`` of ``铜仁市邮政分公司``; the whole name when it is one word,
    ``北京大学``), ``start``/``end`` character offsets."""

    name: str
    head: str
    start: int
    end: int


def is_organisation(word: str) -> bool:
    """Whether ``word`` ends in an ``ORGANISATION_SUFFIXES`` entry (``分公司``, ``邮区中心``)."""
    return word.endswith(ORGANISATION_SUFFIXES)


def _ends_organisation(word: str, after_head: bool) -> bool:
    """Whether ``word`` ends an organisation's name: it ends in an ``ORGANISATION_SUFFIXES``
    entry, and one of ``GENERIC_SUFFIXES`` only when it does not follow the proper noun
    directly (``after_head``) and is no ``COMMON_GENERIC_WORDS`` word."""
    if not is_organisation(word):
        return False
    generic = word.endswith(GENERIC_SUFFIXES)
    return not (generic and (after_head or word in COMMON_GENERIC_WORDS))


#: words ending in a generic suffix that name no organisation (``格局`` of ``新疆市场格局``)
COMMON_GENERIC_WORDS = frozenset("格局 结局 布局 大局 时局 全局 棋局 饭局 开局 当局".split())


def tagged_offsets(text: str) -> list[tuple[str, str, int]]:
    """``(word, jieba posseg tag, start offset)`` of each word of ``text``, tagged on its
    Simplified form (``text.fold.offset_fold``, which keeps offsets): Traditional text is
    tagged as Simplified, and the offsets index ``text``."""
    _, pseg = jieba_modules()
    out, at = [], 0
    for w in pseg.cut(offset_fold(text)):
        out.append((w.word, w.flag, at))
        at += len(w.word)
    return out


@lru_cache(maxsize=4096)
def organisation_head(name: str) -> str | None:
    """The proper noun of ``name`` when ``name`` is one organisation (``organisations``:
    ``阿克陶邮政`` -> ``阿克陶``, ``无锡市邮政分公司`` -> ``无锡市``); None otherwise (``贵州``,
    ``邮政快递``, and a one-word name such as ``北京大学``, which is its own head)."""
    found = organisations(name)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(name) and found[0].head != name:
        return found[0].head
    return None


#: one-character suffixes of an administrative place that jieba may cut off its name
#: (``清溪/县 zg``, ``石门/村 zg``, ``三岔/乡政府``; fifth news trial)
PLACE_SUFFIX_CHARACTERS = "省市县区州乡镇村"
#: the suffix of a station named after its place (``清溪/站 v``: 清溪站, a railway station;
#: fifth news trial), joined only to a place or organisation name (``STATION_STEM_TAGS``;
#: not to a person's, ``李明/站在``, cold review)
STATION_SUFFIX = "站"
STATION_STEM_TAGS = frozenset({"ns", "nt"})
#: jieba tags of a word a place suffix may complete: nouns and names, distinguishing words
#: (``三岔 b``), abbreviations
PLACE_STEM_TAGS = ("n", "b", "j")
#: question words no place name holds (cold check of the fifth news trial: ``哪位/县领导``)
QUESTION_STEM = re.compile(r"[哪几谁啥]|什么|多少")


def _joined_place(prev: str, prev_flag: str, word: str) -> str | None:
    """The place or station ``prev`` and the one-character suffix ``word`` name together, or
    None: a place when the two match ``_PLACE`` and are no ``kind_of_place`` (``清溪县``, not
    ``行政区``), a station after a place name (``清溪站``; not ``服务站``, nor ``李明站在``)."""
    name = prev + word
    if not prev_flag.startswith(PLACE_STEM_TAGS) or QUESTION_STEM.search(prev):
        return None  # 哪位/县, 哪个/村: a question word, no place
    if word in PLACE_SUFFIX_CHARACTERS:
        return name if _PLACE.match(name) and not kind_of_place(name) else None
    if word == STATION_SUFFIX and prev_flag in STATION_STEM_TAGS and len(prev) >= 2:
        return name
    return None


def join_place_suffixes(words: Sequence[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """``words`` (``(word, jieba tag, start)``, as ``tagged_offsets``) with a word and the place
    suffix jieba cut off it joined into one name tagged ``ns`` (``_joined_place``): ``清溪``
    ``县`` -> ``清溪县``, ``清溪`` ``站`` -> ``清溪站``; a suffix that opens an organisation word
    is split off it (``三岔`` ``乡政府`` -> ``三岔乡`` ``政府``)."""
    out: list[tuple[str, str, int]] = []
    for word, flag, start in words:
        prev = out[-1] if out and out[-1][2] + len(out[-1][0]) == start else None
        if prev is not None and len(word) == 1 and (name := _joined_place(prev[0], prev[1], word)):
            out[-1] = (name, "ns", prev[2])
            continue
        if (prev is not None and len(word) > 1 and word[0] in PLACE_SUFFIX_CHARACTERS
                and is_organisation(word[1:]) and (name := _joined_place(prev[0], prev[1], word[0]))):
            out[-1] = (name, "ns", prev[2])
            out.append((word[1:], "n", start + 1))
            continue
        out.append((word, flag, start))
    return out


def organisations(text: str) -> list[Organisation]:
    """The organisations ``text`` names, in order: a proper noun (jieba posseg ``NAME_TAGS``
    or ``nz``, or a place by its suffix, ``毕节市``, which jieba tags a common noun; 2+
    characters) and the nouns after it (at most ``ORGANISATION_WORDS``) up to
    the last one ending in an ``ORGANISATION_SUFFIXES`` entry (a ``GENERIC_SUFFIXES`` one
    only after another noun): ``铜仁市邮政分公司工会成立…`` -> ``铜仁市邮政分公司工会``;
    ``贵州邮政双11…`` -> ``贵州邮政``; a proper noun that itself ends in one (``北京大学``,
    ``中国银行``). ``该分公司`` and ``各区（县）分公司`` name none (no proper noun starts
    them), nor does ``贵阳市中心``. Tagged on the text's Simplified form (``text.fold.
    offset_fold``), so Traditional text is read alike; names keep the text's characters."""
    words = join_place_suffixes(tagged_offsets(text))
    out = []
    i = 0
    while i < len(words):
        word, flag, start = words[i]
        place = (_PLACE.match(word) is not None and not kind_of_place(word)) or place_short_name(word)  # 毕节市 n, 铜仁 n
        if not ((flag in NAME_TAGS or flag == "nz" or place) and len(word) >= 2):
            i += 1
            continue
        end, last = (start + len(word), i) if _ends_organisation(word, after_head=False) else (None, i)
        for j in range(i + 1, min(len(words), i + 1 + ORGANISATION_WORDS)):
            w, f, s = words[j]
            if not (f.startswith("n") or f == "vn" or _ends_organisation(w, after_head=j == i + 1)):
                break  # nouns, verbs used as nouns (供电), and the word ending it (合作社 l)
            if _ends_organisation(w, after_head=j == i + 1):
                end, last = s + len(w), j
        if end is not None:
            out.append(Organisation(text[start:end], text[start: start + len(word)], start, end))
        i = last + 1
    return out


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


def _with_offsets(words: Sequence[tuple[str, str]]) -> list[tuple[str, str, int]]:
    """``(word, tag)`` pairs with each word's start offset (the words tile their text)."""
    out, at = [], 0
    for word, flag in words:
        out.append((word, flag, at))
        at += len(word)
    return out


#: jieba's tag of a morpheme: a character it knows only as part of words. Alone in a question
#: it is a one-character name (CMRC 2018 and DRCD questions: 蓍, 鲷, 氐, 莒, 鲎; 32 of 4,495
#: questions), a key term like a single noun (``蓍的别名是什么？`` was refused on coverage
#: 0 over its own article).
MORPHEME_TAGS = frozenset({"g"})


def key_terms(text: str) -> tuple[Term, ...]:
    """Content terms of ``text`` (deduplicated, in order of first occurrence).

    Numbers (``numbers()``), Latin words (>= 2 letters, not stop words) and jieba proper
    nouns weigh 2.0; other jieba words of >= 2 characters (or single non-stop CJK nouns, and
    single characters jieba tags a morpheme, ``MORPHEME_TAGS``) weigh 1.0. Stop words and
    punctuation are dropped.
    """
    norm = segmentation_form(text)
    out: dict[str, Term] = {}
    for n in numbers(norm):
        out.setdefault(n, Term(n, 2.0, "number"))
    for word, flag, _ in join_place_suffixes(_with_offsets(_tagged(norm))):
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
        elif len(w) >= 2 or ((flag.startswith("n") or flag in MORPHEME_TAGS) and _CJK.match(w)):
            out.setdefault(w, Term(w, 1.0, "word"))
    return tuple(out.values())


def hard_terms(text: str) -> tuple[str, ...]:
    """Terms the citation check requires in the quote: numbers (with multiplier/percent),
    Latin words of >= 2 letters and proper nouns (jieba ``nr``/``ns``/``nt``/``nrt``/``nrfg``;
    ``nz`` is left out: jieba tags too many ordinary words ``nz``). Normalised."""
    out = (t.text if t.kind in ("number", "latin") else strict_name(t.text) if t.kind == "name"
           else None for t in key_terms(text))
    return tuple(dict.fromkeys(t for t in out if t))


_PLACE = re.compile(r"^[\u4e00-\u9fff]{2,5}(?:省|市|县|区|州|乡|镇|村)$")
#: Ordinary words jieba's dictionary tags as person, place or organisation names (``范畴 nr``,
#: ``祖先 nr``, ``长度 ns``, ``城市 ns``, ``外国 nt``): no required names. Two sources: the table
#: ``answering/data/common_nouns_tagged_as_names.txt`` (the 1,500 most frequent entries of each
#: name tag, reviewed; its header says how), and words seen in questions that name the kind of
#: place, not the place (DRCD test: ``哪一個城市``, ``在哪一個海峽入海``, ``凌駕憲法``; fifth news
#: trial: ``多少学生下场比赛``, jieba ``下场比赛 ns``). A specific
#: region (东北, 江南, 中原) stays a name. Words for a kind of name (``英文名``, ``拉丁名``: CMRC trial
#: ``…银行的英文名是什么？``) are no names either.
COMMON_NOUNS_FILE = Path(__file__).parent / "data" / "common_nouns_tagged_as_names.txt"
COMMON_NOUNS_SEEN = frozenset(
    "城市 外国 入海 南北 山区 海峡 海岛 平原 高原 山脉 城镇 东南 西南 西北 王国 共和国 大街 宫殿 "
    "城堡 大坝 湖泊 冰川 海湾 河口 河谷 大洋 海洋 凌驾 英文名 拉丁名 下场比赛".split())


def _word_table(path: Path) -> frozenset[str]:
    """The words of a one-word-per-line table (``#`` comment lines and blanks skipped)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.lstrip().startswith("#"))


COMMON_NOUNS_TAGGED_AS_NAMES = COMMON_NOUNS_SEEN | _word_table(COMMON_NOUNS_FILE)
#: A word jieba's HMM made up that opens with the question numeral 几 is a count, not a name
#: (``几波`` of ``在幾波攻勢下``); 多 opens names (``多杰``).
QUESTION_NUMERALS = frozenset("几")


@lru_cache(maxsize=4096)
def strict_name(word: str) -> str | None:
    """The proper noun ``word`` stands for, or None when it is no name (match keys in, out).

    Rules (each a table below; the first that applies decides):

    1. A common noun jieba's dictionary tags as a name is no name
       (``COMMON_NOUNS_TAGGED_AS_NAMES``: 城市, 范畴, 祖先 ...).
    2. 2-5 CJK characters + 省/市/县/区/州/乡/镇/村 is a place (``_PLACE``: jieba tags
       ``毕节市`` a common noun), unless it names a kind of place (``kind_of_place``:
       ``行政区``, ``工业区``, ``自治区``; ``和平区``, ``保定市``, ``松滋市`` stay places).
    3. *Glue*: a word jieba made up (its HMM, or a rare dictionary entry of 3+ characters,
       ``made_up``) that begins with a function character (``GLUE_CHARS``) or ends with one or
       with a locative/aspect character (``END_GLUE_CHARS``), or begins with a locative,
       aspect, measure-word or verb character (``START_GLUE_CHARS``), stands for its core, the word
       with those characters stripped, when the core (2+ characters) is a name itself:
       ``和宜兰`` -> ``宜兰``, ``孙权派`` -> ``孙权``; ``叶有``, ``任教于``, ``东征中`` are no names.
       One opening with 几 is a count (``QUESTION_NUMERALS``: ``几波``).
    4. Otherwise jieba's tag decides: ``nr``/``ns``/``nt``/``nrt``/``nrfg`` (not ``nz``).
    """
    if word in COMMON_NOUNS_TAGGED_AS_NAMES:
        return None
    if _PLACE.match(word) and not kind_of_place(word):
        return word
    if made_up(word):
        if word[0] in QUESTION_NUMERALS:
            return None
        core = glue_core(word)
        if core != word:
            return strict_name(core) if len(core) >= 2 else None
    tags = {f for w, f in _tagged(word)}
    return word if tags & NAME_TAGS else None


def glue_core(word: str) -> str:
    """``word`` without the function characters jieba glued onto it (only for words jieba
    made up, ``made_up``): ``GLUE_CHARS`` stripped from both ends (``和宜兰`` -> ``宜兰``,
    ``季是`` -> ``季``), then ``END_GLUE_CHARS`` from the end and ``START_GLUE_CHARS`` from the
    start, each when what is left is one character or a dictionary word (``孙权派`` -> ``孙权``,
    ``人共`` -> ``人``, ``下西`` -> ``西``; ``华沙公约``, ``下北泽`` stay whole), and
    ``MEASURE_GLUE_CHARS`` from the start only down to a dictionary word of 2+ characters
    (``项发明`` -> ``发明``; ``项飙`` stays)."""
    glue = "".join(GLUE_CHARS)
    core = word.lstrip(glue).rstrip(glue)
    for chars, at_start, one_char_left_ok in _GLUE_STRIPS:
        short = core.lstrip(chars) if at_start else core.rstrip(chars)
        if short != core and ((one_char_left_ok and len(short) < 2) or (len(short) >= 2 and in_dictionary(short))):
            core = short
    return core


def made_up(word: str) -> bool:
    """True for a word jieba's HMM made up (not in the dictionary, ``in_dictionary``) or a
    rare dictionary entry of 3+ characters (frequency <= ``RARE_ENTRY_MAX_FREQ``): jieba's
    dictionary holds junk such as ``和宜兰`` (2), ``于宝庆`` (2), ``孙权派`` (6)."""
    if not in_dictionary(word):
        return True
    jieba, _ = jieba_modules()
    return len(word) >= 3 and jieba.dt.FREQ.get(word, 0) <= RARE_ENTRY_MAX_FREQ


_ADMIN_SUFFIX = re.compile(
    r"(?:特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|地区|省|市|县|区|州)$")
#: Groups of names that stand for the same state, place or person (``中国`` / ``中华人民共和国``,
#: ``孙中山`` / ``孙文``, ``满洲`` / ``满州``): the table ``answering/data/name_aliases.txt``
#: (its header says where the groups come from); ``name_variants`` adds a name's group.
NAME_ALIASES_FILE = Path(__file__).parent / "data" / "name_aliases.txt"


def _alias_groups(path: Path) -> dict[str, tuple[str, ...]]:
    """Each name of the table -> its whole group (match keys, in table order)."""
    out: dict[str, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            group = tuple(dict.fromkeys(normalise(w) for w in line.split()))
            for w in group:
                out[w] = group
    return out


NAME_ALIASES = _alias_groups(NAME_ALIASES_FILE)


def name_variants(name: str) -> list[str]:
    """The spellings that count as ``name`` in a passage, normalised: the name itself; for a
    place name with an administrative suffix, the name without it (``贵州省`` -> ``贵州``, as in
    ``贵州邮政``; ``台湾地区`` -> ``台湾``; news text drops 省/市/县 freely; the stem keeps at least 2
    characters); and the other names of its alias group (``NAME_ALIASES``: ``中国`` ->
    ``中华人民共和国``)."""
    name = normalise(name)
    out = [name]
    stem = _ADMIN_SUFFIX.sub("", name)
    if stem != name and len(stem) >= 2:
        out.append(stem)
    for v in list(out):
        out.extend(NAME_ALIASES.get(v, ()))
    return list(dict.fromkeys(out))


#: Function characters jieba's HMM glues onto a name it does not know (``季是`` of
#: ``生殖季是什么时候``, ``将呋塞`` of ``将呋塞米列入``, ``在萱`` of ``在萱侬律``).
GLUE_CHARS = frozenset("是有在的了和与及被把将从对向为于其也都就而以")
#: Locative, aspect and adverb characters jieba glues onto the end of a word (``东征中``,
#: ``孙权派``, ``叶时``, ``人共`` of ``布里亚特人共分为``, ``长约``, ``芝大年``): a made-up
#: word ending in one is no name of its own (``strict_name`` rule 3, ``unlisted_names`` rule 2).
END_GLUE_CHARS = frozenset("中内时后派共约指所年那专")
#: Locative, aspect and verb characters jieba glues onto the start of a word (``下西`` of
#: ``在誰的幫助下西羅馬``, ``著东`` of ``代表著東羅馬``, ``称区`` of ``大火之後稱區``; DRCD test,
#: name audit), and a date's unit (``日省`` of ``11月11日省分公司``; news trial 2): stripped
#: like ``END_GLUE_CHARS``.
START_GLUE_CHARS = frozenset("下着著称年月日号")
#: Measure words jieba glues onto the start of a word (``项发明`` of ``由於哪項發明``) that are
#: also surnames (``项立``, ``项飙``): stripped only down to a dictionary word of 2+ characters.
MEASURE_GLUE_CHARS = frozenset("项")
#: ``glue_core``'s strips, in order: (characters stripped, from the start?, may one character
#: be left?); otherwise what is left must be a dictionary word of 2+ characters
_GLUE_STRIPS: tuple[tuple[str, bool, bool], ...] = (
    ("".join(sorted(GLUE_CHARS | END_GLUE_CHARS)), False, True),
    ("".join(sorted(GLUE_CHARS | START_GLUE_CHARS)), True, True),
    ("".join(sorted(MEASURE_GLUE_CHARS)), True, False),
)
#: Prepositions that are also common surnames: a message opening with one may open with a name
#: jieba read as the preposition (``于/海为何…`` -> ``于海``; ``unlisted_names`` rule 1), while
#: ``从/博特罗普…`` opens with the preposition.
SURNAME_PREPOSITIONS = frozenset("于向")
#: A dictionary entry of 3+ characters this rare (jieba frequency) is treated like a word the
#: HMM made up (``made_up``): the dictionary's rare entries hold glued junk.
RARE_ENTRY_MAX_FREQ = 10
#: jieba tags of single characters that end a run of name fragments (verbs, prepositions,
#: particles, pronouns, conjunctions, adverbs, numerals, measure words, locatives,
#: punctuation): ``史/ng 继/vg 偕/vg`` is a run, ``人/n 站立/v`` is not.
RUN_BREAK_TAGS = frozenset({"v", "vd", "vn", "vi", "p", "u", "uj", "ul", "uz", "ug", "uv", "ud", "r",
                            "rr", "rz", "c", "d", "m", "mq", "q", "f", "x", "y", "e", "o", "zg", "w"})


#: jieba verb tags (an HMM word after one of them is not taken for a name) and clause ends.
VERB_TAGS = frozenset({"v", "vd", "vi", "vg", "vq", "p"})
CLAUSE_ENDS = frozenset("，,。；;：:？?！!、")


#: A place-suffixed dictionary word this frequent (jieba frequency) with an ordinary tag can
#: be a kind of place (``kind_of_place``): ``行政区`` 2,345, ``住宅区`` 141; jieba tags many real
#: places ``n`` too, rarer ones: ``保定市`` 40, ``大同市`` 41, ``鼓楼区`` 10.
KIND_OF_PLACE_MIN_FREQ = 100


def kind_of_place(word: str) -> bool:
    """True when a place-suffixed ``word`` names a kind of place, not a place: jieba's
    dictionary holds it as an ordinary word (``ORDINARY_TAGS``) with frequency >=
    ``KIND_OF_PLACE_MIN_FREQ``, and the characters before the suffix are an ordinary word
    (``common_word``): ``行政区`` (行政 n), ``直辖市``, ``旅游区``, ``自治区``. Not ``和平区`` (ns),
    ``保定市`` (40), ``松滋市`` (260, but 松滋 is no ordinary word), nor a word jieba lacks."""
    jieba, _ = jieba_modules()
    return (dictionary_tag(word) in ORDINARY_TAGS
            and jieba.dt.FREQ.get(word, 0) >= KIND_OF_PLACE_MIN_FREQ
            and common_word(word[:-1]))


#: suffixes a place's full name adds to its short one (``铜仁`` -> ``铜仁市``): ``place_short_name``
ADMIN_SUFFIXES = ("市", "州", "县", "省")
#: the least share (jieba frequency of the suffixed place / of the bare word) at which an
#: ordinary word whose suffixed form is a place stands for that place (``place_short_name``):
#: ``铜仁`` 5/21, ``遵义`` 25/179, ``包头`` 45/199, ``兴义`` 7/27; below it the word's own sense
#: wins (``外省`` 3/175 of 外省市, ``灯塔`` 3/179, ``名山`` 3/457, ``延长`` 2/1,229; cold review)
PLACE_SHORT_NAME_MIN_SHARE = 0.1


def place_short_name(word: str) -> bool:
    """True when ``word`` (2+ Han characters) is a place written without its suffix, as news
    writes a branch's short name (``铜仁邮政``, ``遵义邮政``): jieba tags it an ordinary word
    (``铜仁`` n, ``遵义`` v), its dictionary tags the word with an ``ADMIN_SUFFIXES`` suffix a
    place (``铜仁市`` ns), and that place is not rare beside the word
    (``PLACE_SHORT_NAME_MIN_SHARE``). ``铜仁邮政买了多少个医用口罩？`` named no organisation, so a
    figure of 黔西南州 answered it (news trial check). Not ``毕节``: jieba tags 毕节市 n."""
    if len(word) < 2 or not all("\u4e00" <= c <= "\u9fff" for c in word) or dictionary_tag(word) not in ORDINARY_TAGS:
        return False
    jieba, _ = jieba_modules()
    own = jieba.dt.FREQ.get(word, 0)
    return any(dictionary_tag(word + s) == "ns" and jieba.dt.FREQ.get(word + s, 0) >= PLACE_SHORT_NAME_MIN_SHARE * own
               for s in ADMIN_SUFFIXES)


def common_word(word: str) -> bool:
    """True when jieba's dictionary tags ``word`` as an ordinary word (``ORDINARY_TAGS``:
    ``行政`` n, ``工业`` n; not ``毕节`` ns, nor the abbreviation ``通化`` j) or it is an ordinary
    word tagged as a name (``COMMON_NOUNS_TAGGED_AS_NAMES``)."""
    if word in COMMON_NOUNS_TAGGED_AS_NAMES:
        return True
    return in_dictionary(word) and dictionary_tag(word) in ORDINARY_TAGS


def dictionary_tag(word: str) -> str | None:
    """jieba's dictionary tag of ``word`` (``行政区`` -> ``n``), None for a word it lacks."""
    _, pseg = jieba_modules()
    return pseg.dt.word_tag_tab.get(word)


#: jieba tags of ordinary words: nouns, verbs, verbal nouns, adjectives, adverbs, idioms and
#: fixed phrases (not names ``nr``/``ns``/``nt``, nor ``nz`` or the abbreviation tag ``j``,
#: which jieba gives many place names: ``通化 j``).
ORDINARY_TAGS = frozenset({"n", "v", "vn", "a", "an", "ad", "d", "l", "i"})
#: jieba's name tags: person, place, organisation, transliterated person (``nz`` is left out:
#: jieba tags too many ordinary words ``nz``).
NAME_TAGS = frozenset({"nr", "ns", "nt", "nrt", "nrfg"})


@lru_cache(maxsize=65536)
def in_dictionary(word: str) -> bool:
    """True when ``word`` is an entry of jieba's dictionary with a positive frequency (jieba
    lists some words with frequency 0: ``于海``)."""
    jieba, _ = jieba_modules()
    return bool(jieba.dt.FREQ.get(word))


@lru_cache(maxsize=4096)
def unlisted_names(text: str) -> tuple[str, ...]:
    """Names in ``text`` that jieba's dictionary does not hold, in order, match keys.

    jieba segments a name it does not know (a rare person, species or polity of an
    encyclopedia question) in one of two ways, and each gives a rule:

    1. *Fragments*: two or more consecutive single-character Han words, none of them a
       function word (``GLUE_CHARS``) or tagged as one (``RUN_BREAK_TAGS``): ``史/继/偕`` ->
       ``史继偕``, ``汗/国`` -> ``汗国``. The message's first word may be a preposition that is
       also a surname (``SURNAME_PREPOSITIONS``), since jieba reads the surname as the
       preposition (``于/海为何…`` -> ``于海``; ``从/博特罗普…`` opens with the preposition).
    2. *HMM words*: a noun of 2+ Han characters that jieba's HMM made up (not in the
       dictionary, ``in_dictionary``), with function characters stripped from its ends
       (``glue_core``: ``符泳``; ``季是`` -> ``季`` and ``人共`` -> ``人``: dropped, one character
       left), standing before any verb of its clause (where questions put what they ask
       about: ``在香港的泳坛，符泳以什么而闻名``);
       after the verb HMM words are as often ordinary words jieba lacks (``开车到…县城寄件``).

    The evidence gate requires them in the top passages (rule ``unlisted_names``): a
    question about a name the passages never hold is about an article the corpus lacks.
    Known names (``hard_terms``) are not repeated here.
    """
    norm = segmentation_form(text or "")
    tagged = [(w, f) for w, f in _tagged(norm) if w.strip()]
    out: list[str] = []
    run = ""
    for i, (w, f) in enumerate(tagged + [("。", "x")]):
        single = len(w) == 1 and _CJK.match(w) is not None
        if single and ((w not in GLUE_CHARS and f not in RUN_BREAK_TAGS)
                       or (i == 0 and w in SURNAME_PREPOSITIONS)):
            run += w
            continue
        if len(run) >= 2:
            out.append(run)
        run = ""
    verb_before = False  # in the current clause
    for w, f in tagged:
        if w in CLAUSE_ENDS:
            verb_before = False
            continue
        if f in VERB_TAGS:
            verb_before = True
            continue
        if verb_before or not f.startswith("n") or len(_CJK.findall(w)) < 2 or in_dictionary(w):
            continue
        core = glue_core(w)
        if len(_CJK.findall(core)) >= 2 and len(core) == len(_CJK.findall(core)):
            out.append(core)
    known = set(hard_terms(text))
    return tuple(dict.fromkeys(normalise(n) for n in out if normalise(n) not in known))


#: A Han character whose jieba dictionary weight (``character_weight``: the frequencies of
#: every dictionary word holding it, summed) is below this is rare: ``蓍`` 40 (the plant of a
#: CMRC article), ``靺`` 51, ``阡`` 164; common characters run in the thousands (``威``
#: 25,000+, ``尬`` 1,600 through ``尴尬``). With the gold passage (CMRC 2018 trial 1,002
#: questions, DRCD test 3,493), a rare character of the question (before ``rare_characters``'
#: rules 1-3) was missing from the passage and its title for 0 CMRC and 5 DRCD questions
#: (``抨`` of a question saying 抨擊 where the passage does not); with the rules, for 0 and 1
#: (``弒``; ``python -m evaluation name-audit``).
RARE_CHARACTER_MAX_WEIGHT = 500
#: jieba tag prefixes of function words (particles ``y``/``e``, pronouns ``r``/``yg``,
#: prepositions, conjunctions, adverbs, numerals, measure words, locatives, auxiliaries):
#: a rare character so tagged is no name (``rare_characters`` rule 3: 喔 e, 牠 yg, 砲 y).
FUNCTION_TAG_PREFIXES = ("y", "e", "r", "p", "c", "d", "m", "q", "f", "u", "o")
#: Rare particles, pronouns and Cantonese characters jieba tags ``x``/``zg``/``nr`` like name
#: characters (``rare_characters`` rule 3), match keys: 唷 x, 妳 zg, 啰 (囉), 呗 (唄).
NON_NAME_CHARACTERS = frozenset("妳唷啰冇嚟咩嘢啲乜噉啱呗吔")


@lru_cache(maxsize=1)
def _character_weights() -> dict[str, int]:
    """Han character -> summed jieba frequency of the dictionary words holding it (built
    once, ~0.15 s over jieba's ~350,000 entries, on the first question)."""
    jieba, _ = jieba_modules()
    out: dict[str, int] = {}
    for word, freq in jieba.dt.FREQ.items():
        if freq:
            for ch in set(word):
                out[ch] = out.get(ch, 0) + freq
    return out


def character_weight(ch: str) -> int:
    """The summed jieba dictionary frequency of the words holding ``ch`` (0 for a character no
    word holds); Traditional characters are looked up in Simplified (match key)."""
    return _character_weights().get(match_key(ch), 0) if ch else 0


@lru_cache(maxsize=4096)
def rare_characters(text: str) -> tuple[str, ...]:
    """The rare Han characters of ``text`` (match keys, in order, once each): the mark of a rare
    name (a plant, a polity, a transliteration: ``蓍的别名是什么？`` -> ``蓍``) that jieba may
    not even tag a name (``蓍`` is ``g``). The evidence gate requires them in the top passages
    (rule ``rare_characters``), as it does names. A character counts when its
    ``character_weight`` is below ``RARE_CHARACTER_MAX_WEIGHT`` and:

    1. jieba leaves it on its own or in a word its dictionary lacks (``in_dictionary``): one
       inside a dictionary word is an ordinary word the coverage rule weighs (``坍塌``,
       ``装潢``) or a name the names rule holds (``喀尔巴阡山脉``);
    2. some dictionary word holds it (weight above 0): one no word holds is a variant OpenCC
       does not fold (``擧`` for 舉), a Cantonese character (``嘅``) or ``〇``, which the
       passages may write otherwise;
    3. it is no function word: not tagged as one (``FUNCTION_TAG_PREFIXES``: ``喔``, ``牠``)
       nor listed (``NON_NAME_CHARACTERS``: ``唷``, ``妳``).
    """
    out: list[str] = []
    for word, flag in _tagged(segmentation_form(text or "")):
        if len(word) > 1 and in_dictionary(word):
            continue  # rule 1
        if flag.startswith(FUNCTION_TAG_PREFIXES):
            continue  # rule 3
        for ch in HAN.findall(match_key(word)):
            if 0 < character_weight(ch) < RARE_CHARACTER_MAX_WEIGHT and ch not in NON_NAME_CHARACTERS:
                out.append(ch)  # rule 2, rule 3
    return tuple(dict.fromkeys(out))


_NUMBER_Q = re.compile(
    r"多少|几[个位名次年月日天人件家种项条届组辆台套枚吨万亿千百]?|哪一?年|哪天|何时|什么时候|几时|"
    r"多久|多长|多大|多高|多远|数量|金额|比例|百分之|增长了?多|"
    r"\bhow (many|much|long|old|far)\b|\bwhen\b|\bwhat year\b|\bnumber of\b",
    re.IGNORECASE,
)
_LIST_Q = re.compile(r"列举|哪些|哪[几幾]|哪[两兩二三四五六七八九十][个個项項种種条條位家]|有哪些|都有什么|包括什么|包括哪|分别|几项|which\b.*\b(are|were)\b|\blist\b",
                     re.IGNORECASE)




def asks_number(question: str) -> bool:
    """True when the question asks for a number, amount, date or time
    (多少/几/哪一年/何时/how many/when ...)."""
    return _NUMBER_Q.search(question or "") is not None


def is_list_question(question: str) -> bool:
    """True for list questions (列举/哪些/哪几个/哪两个/有哪些/分别/which ... are/list)."""
    return _LIST_Q.search(question or "") is not None
