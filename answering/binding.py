"""Binding an answer to the question: is a text about the question's subject?

One home for the tests the gate's rules (``answering.gate``), the reader stage's span
preference (``answering.reading``) and the name audit (``evaluation.name_audit``) read: a
name of the question occurs in a text (``name_found``, written differently or shortened),
which names must be the subject of an answer (``subject_names``), the text around an answer
(its paragraph, ``paragraph_context``; its paragraph, the one before and its article's
lede, ``span_context``; its paragraph up to it, ``paragraph_before``), what of the question
that text leaves out (``unbound``: names, numbers and periods, ``question_periods``; the
凡尔赛宫 of ``凡爾賽宮於1870年所爆發的哪一個戰爭期間被普魯士帝國軍隊占領?`` next to a span of an
article that never names it), another organisation it is about (``other_organisation``),
and a relative time it contradicts (``time_conflict``: 去年 against 今年).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from answering.query import Query
from answering.scoring import ScoredSentence
from answering.terms import (Organisation, is_organisation, name_variants, organisation_head, organisations,
                             jieba_modules, tagged_offsets)
from corpus.types import Passage
from retrieval.types import SearchHit
from text.fold import match_key
from text.ngrams import bigram_containment
from text.numbers import chinese_number_value, contains_number, numeral_forms
from text.sentences import CLAUSE_MARKS, FULL_STOPS


def name_found(name: str, text: str, min_share: float = 0.6) -> bool:
    """True when ``name`` (or its stem without 省/市/县…, ``terms.name_variants``) occurs in
    ``text`` (match keys), or, for a name of 3+ characters, when at least ``min_share`` of
    its character bigrams do (``黔东南州`` in ``黔东南苗族侗族自治州``). An organisation is
    found by its proper noun (``terms.organisation_head``): ``阿克陶邮政`` in ``阿克陶县分公司…``
    (news trial 2: refused on subject), and ``无锡市邮政分公司`` not in ``常州市邮政分公司…``,
    whose bigrams share 5 of 7."""
    head = organisation_head(name)
    if head is not None:
        return name_found(head, text, min_share)
    t = match_key(text)
    if any(match_key(v) in t for v in name_variants(name)):
        return True
    return len(name) >= 3 and bigram_containment(name, text) >= min_share


def subject_names(query: Query) -> tuple[str, ...]:
    """The names that must be the subject of an answer sentence: the question's names, less
    those that only came from the context of a ``context``/``subjectless`` follow-up (topic
    terms of an earlier question, not the subject of this one); the name a ``那X呢`` or a
    person pronoun stands for stays."""
    if query.condensed.rule in ("context", "subjectless"):
        own = match_key(query.own)
        return tuple(n for n in query.names if match_key(n) in own)
    return query.names


def paragraph_context(p: Passage, scored: Sequence[ScoredSentence], end: int | None = None) -> str:
    """The text of passage ``p`` (up to character ``end``, when given), the retrieved passages
    of its article and paragraph (those starting before it, when ``end`` is given), and the
    article's headline unless the title was derived."""
    parts = [p.text if end is None else p.text[:end]]
    seen = {p.id}
    for o in scored:
        q = o.hit.passage
        if (q.id not in seen and q.article_id == p.article_id
                and q.paragraph_no == p.paragraph_no and (end is None or q.start < p.start)):
            seen.add(q.id)
            parts.append(q.text)
    if not p.title_derived:
        parts.append(p.title)
    return "\n".join(parts)


def question_numbers(query: Query) -> list[str]:
    """The numbers of the question's own message that the ``numbers`` rule requires: two or
    more digits (``2012``), or a month or day (``3月``)."""
    own = match_key(query.own)
    return [n for n in query.numbers
            if match_key(n) in own and (sum(c.isdigit() for c in n) >= 2 or n[-1] in "月日")]


#: periods a question dates its subject by, in Chinese numerals or digits: a quarter
#: (``二季度``), a five-year plan (``十四五``), the Nth session, issue, batch, round, season
#: or stage (``第四站``); ``二季度`` against a page's ``三季度`` is another time (news trial)
PERIODS = re.compile(r"(?P<q>[一二三四1-4])季度|十[一二三四五六七八九]五"
                     r"|第(?P<nth>[一二三四五六七八九十两]+|\d+)(?P<unit>届|期|批|轮|季(?!度)|站)")


def question_periods(query: Query) -> list[tuple[str, tuple[str, ...]]]:
    """The periods of the question's own message (``PERIODS``), each with the ways a text may
    write it (digits or Chinese numerals: ``二季度`` -> ``("二季度", "2季度")``)."""
    out = []
    for m in PERIODS.finditer(match_key(query.own)):
        number = m.group("q") or m.group("nth")
        value = chinese_number_value(number) if number else None
        if value is None:
            out.append((m.group(0), (m.group(0),)))
            continue
        unit = "季度" if m.group("q") else m.group("unit")
        head = "" if m.group("q") else "第"
        out.append((m.group(0), tuple(head + f + unit for f in numeral_forms(value))))
    return out


def qualifiers(query: Query) -> set[str]:
    """Names of the question written directly before another of its names: the broader
    place of a chain (``新疆`` of ``新疆阿克陶县沙依库力…``), which an article about the narrower
    one need not repeat."""
    own = match_key(query.own)
    keys = {match_key(n) for n in query.names}
    return {n for n in query.names
            if any(own.find(match_key(n) + k) >= 0 for k in keys if k != match_key(n))}


def unbound(query: Query, context: str, min_share: float = 0.6, period_context: str | None = None) -> list[str]:
    """The subject names (``subject_names``, less ``qualifiers``), numbers
    (``question_numbers``) and periods (``question_periods``) of the question that ``context``
    (for periods ``period_context`` when given: a period qualifying a figure is stated before
    it or in its sentence) does not hold (``name_found``
    with ``min_share``; ``text.numbers.contains_number``); empty when the context is about
    the question."""
    broad = qualifiers(query)
    names = [n for n in subject_names(query) if n not in broad and not name_found(n, context, min_share)]
    key = match_key(context if period_context is None else period_context)
    periods = [label for label, forms in question_periods(query) if not any(f in key for f in forms)]
    return names + [n for n in question_numbers(query) if not contains_number(context, n)] + periods


#: paragraphs at an article's start that state its place, date and subject for the whole
#: article (its lede; a news feature opens with a scene, ``“今天的午餐有…”12月8日中午…``, and
#: states its news in the next paragraph)
LEDE_PARAGRAPHS = 2


def _in_article(p: Passage, article_text: Callable[[str], str | None] | None) -> tuple[str, int] | None:
    """``(article text, offset of p in it)`` when ``article_text`` knows p's article (by p's
    own offsets, else by finding its text), else None."""
    whole = article_text(p.article_id) if article_text is not None else None
    if whole is None:
        return None
    start = p.start if whole[p.start:p.end] == p.text else whole.find(p.text)
    return (whole, start) if start >= 0 else None


#: a paragraph of at most this many characters with no sentence-final mark is a sub-heading
#: (``营造旺季生产氛围``, ``慰问工作全面开花``)
HEADING_CHARS = 20
_SENTENCE_END = re.compile(f"[{FULL_STOPS}…]")


def _is_heading(paragraph: str) -> bool:
    return len(paragraph.strip()) <= HEADING_CHARS and not _SENTENCE_END.search(paragraph)


def span_context(p: Passage, offset: int, hits: Sequence[SearchHit],
                 article_text: Callable[[str], str | None] | None = None, until: int | None = None) -> str:
    """The text an answer at character ``offset`` of passage ``p`` is read in: the paragraph
    holding it (up to character ``until`` of ``p`` when given: the end of the answer's
    sentence), the paragraph before (``该分公司…`` names its company there; past sub-headings,
    ``_is_heading``: ``营造旺季生产氛围``), the article's
    lede (its first ``LEDE_PARAGRAPHS`` paragraphs) and its headline. Paragraphs come from
    ``article_text(article_id)`` (``Article.text``: paragraphs joined by ``"\n"``) when given
    and known, else from the retrieved passages of the article (``hits``, by
    ``paragraph_no``).

    A news article states its place and date once, in its lede (``今年10月…阿克陶县…``), and
    its later paragraphs answer questions that name them; a name only in a distant paragraph
    binds nothing (``黔东南州分公司采购了多少个医用口罩？`` read the ``6万个`` of 黔西南州分公司's
    paragraph, the article naming 黔东南 four paragraphs later; second new-user trial)."""
    found = _in_article(p, article_text)
    if found is not None:
        whole, start = found
        at = whole.count("\n", 0, start + offset)
        paragraphs = whole.split("\n")
        if until is not None:
            head = whole.rfind("\n", 0, start + offset) + 1
            paragraphs[at] = whole[head: start + until]
        before = at - 1
        while before > 0 and _is_heading(paragraphs[before]):
            before -= 1  # a sub-heading is no paragraph before: read past it
        keep = sorted(set(range(LEDE_PARAGRAPHS)) | set(range(before, at + 1)))
        text = "\n".join(paragraphs[i] for i in keep if 0 <= i < len(paragraphs))
    else:
        at = p.paragraph_no + p.text.count("\n", 0, offset)
        near = [h.passage.text for h in hits if h.passage.article_id == p.article_id and h.passage.id != p.id
                and (h.passage.paragraph_no <= LEDE_PARAGRAPHS or at - 1 <= h.passage.paragraph_no <= at)]
        own = p.text if until is None else p.text[:until]
        text = "\n".join(dict.fromkeys([own] + near))
    return text + "\n" + p.title


def paragraph_before(p: Passage, offset: int, article_text: Callable[[str], str | None] | None = None) -> str:
    """The text of the paragraph holding character ``offset`` of passage ``p``, from the
    paragraph's start up to that character (the article's text, ``article_text``, when known;
    else the passage's)."""
    found = _in_article(p, article_text)
    text, at = (found[0], found[1] + offset) if found is not None else (p.text, offset)
    return text[text.rfind("\n", 0, at) + 1: at]


def same_organisation(a: Organisation, b: Organisation) -> bool:
    """Whether two organisation mentions name one organisation: the proper noun of either
    occurs in the other (``name_found``: ``黔东南州邮政分公司`` and ``黔东南苗族侗族自治州邮政分公司``;
    ``贵州邮政`` and ``贵州省邮政分公司``)."""
    return name_found(a.head, b.name) or name_found(b.head, a.name)


#: what joins the organisations of one subject (``贵州省分公司工会、贵阳邮区中心及各市分公司工会
#: 分别制定了…``)
SUBJECT_JOINERS = ("、", "和", "及", "与", "以及")


def question_organisation(query: Query) -> Organisation | None:
    """The organisation the question asks about as its subject: one that opens the question's
    own message (a ``那X呢``/pronoun follow-up's condensed question) and is not a possessor (``黔东南州邮政分公司给投递员送了…`` -> it;
    ``余庆县邮政分公司的投递员收到了什么？``, ``运动员们在马拉松广场主题邮局…`` -> None)."""
    # a follow-up that names its subject is asked as its condensed question (那贵阳邮区中心呢？
    # -> 贵阳邮区中心拨付了多少慰问金？); one that carries terms is asked as typed
    own = (query.text if query.condensed.rule in ("ellipsis", "person") else query.own).strip()
    first = next(iter(organisations(own)), None)
    if first is None or first.start != 0 or own[first.end: first.end + 1] == "的":
        return None
    return first


def other_organisation(query: Query, before: str, near: str = "") -> str | None:
    """The organisation an answer is about when it is not the question's, when the question's
    subject is an organisation (``question_organisation``); else None. The answer is about:

    1. the organisation its own sentence names last as a clause's subject before it (at the
       sentence's start or after a clause mark, ``text.sentences.CLAUSE_MARKS``: not an object,
       ``来到马拉松广场主题邮局``; with those joined to it by
       ``SUBJECT_JOINERS``; or in short, ``_short_subject``): ``…贵州邮政快递业务收入达4329.7万元…；
       贵阳邮区中心累计处理邮件1794.6万件`` is 贵阳邮区中心's (news trial 2), ``省分公司拨付30万元
       慰问金`` is not 贵阳邮区中心's (a follow-up, ``那贵阳邮区中心呢？``);
    2. else the question's, when ``near`` (its sentence and the one before) names it: the
       subject may follow a date that opens the sentence (``11月11日，贵州省分公司党委领导…``);
    3. else the organisation ``before`` (its paragraph up to the answer, ``paragraph_before``)
       names last as a clause's subject: ``黔东南州邮政分公司给投递员送了多少副手套？`` read
       ``600副`` of ``…铜仁市邮政分公司工会成立慰问领导小组，…同时，拨专款1.2万元购买600副
       手套`` (news trial).

    An organisation written otherwise is another one: ``…給了土耳其一個發兵的機會，土國政府於…
    佔領島上38%的領土`` is refused for ``土耳其政府…多少百分比的國土?`` (DRCD validation: 1 of 420)."""
    asked = question_organisation(query)
    if asked is None:
        return None
    opens = max(before.rfind(m) for m in FULL_STOPS) + 1
    named = organisations(before)
    group = (_subject_group(before, named, opens) or _short_subject(before, opens)
             or (None if name_found(asked.head, near) else _subject_group(before, named, 0)))
    if not group or any(same_organisation(asked, o) for o in group):
        return None
    return group[0].name


def _subject_group(text: str, named: Sequence[Organisation], start: int) -> list[Organisation]:
    """Of ``named`` (``organisations(text)``), those ``text[start:]`` names last as a clause's
    subject, with those joined to it by ``SUBJECT_JOINERS``; [] when none."""
    named = [o for o in named if o.start >= start]
    subjects = [i for i, o in enumerate(named)
                if o.start == start or text[o.start - 1: o.start] in ("",) + tuple(CLAUSE_MARKS)]
    if not subjects:
        return []
    group = [named[subjects[-1]]]
    for o in named[subjects[-1] + 1:]:
        if text[group[-1].end: o.start] not in SUBJECT_JOINERS:
            break
        group.append(o)
    return group


#: characters opening an organisation word that points elsewhere (``该分公司``, ``各分公司``)
ANAPHORIC_OPENERS = "该本其此各"
#: the administrative level that opens a short organisation name (``省分公司``)
ADMIN_LEVELS = frozenset("省市县州区")


def _short_subject(text: str, start: int) -> list[Organisation]:
    """The organisation ``text[start:]`` names as a clause's subject in short, without its
    proper noun (``省分公司拨付30万元…``: a word ending in an ``ORGANISATION_SUFFIXES`` entry at
    a clause's start, not ``该分公司``), the last one; [] when none. It is its own head, so it
    is the question's when the question's organisation holds it (``贵州省分公司``)."""
    found, prev = [], (None, 0)
    for word, flag, at in tagged_offsets(text):
        begin, end = at, at + len(word)
        if prev[0] in ADMIN_LEVELS and prev[1] + 1 == begin:
            begin = prev[1]  # 省 / 分公司: jieba cuts the level off
        if (begin >= start and flag.startswith("n") and is_organisation(word)
                and text[begin] not in ANAPHORIC_OPENERS
                and (begin == start or text[begin - 1] in CLAUSE_MARKS)):
            found = [Organisation(text[begin:end], text[begin:end], begin, end)]
        prev = (word, at)
    return found


def last_sentences(text: str, n: int = 2) -> str:
    """The last ``n`` sentences of ``text`` (split after ``text.sentences.FULL_STOPS``; a final one
    without its mark counts)."""
    cut = len(text.rstrip())
    for _ in range(n):
        at = max(text.rfind(m, 0, cut - 1) for m in FULL_STOPS)
        if at < 0:
            return text
        cut = at + 1
    return text[cut:]


def span_unbound(query: Query, p: Passage, offset: int, sentence_end: int, hits: Sequence[SearchHit],
                 article_text: Callable[[str], str | None] | None = None, min_share: float = 0.6) -> list[str]:
    """What binds no answer at character ``offset`` of passage ``p`` (its sentence ending at
    ``sentence_end``) to the question, as the ``span_context`` gate rule and the reader's span
    preference read it: the question's names, numbers and periods its text
    (``span_context``; periods before the end of its sentence) does not hold (``unbound``), and
    ``about <organisation>`` when its paragraph's subject is another organisation
    (``other_organisation``). Empty when the answer is about the question."""
    away = unbound(query, span_context(p, offset, hits, article_text), min_share,
                   period_context=span_context(p, offset, hits, article_text, until=sentence_end))
    other = other_organisation(query, paragraph_before(p, offset, article_text),
                               last_sentences(paragraph_before(p, sentence_end, article_text)))
    return away + ([f"about {other}"] if other else [])


#: Relative times a news question and its answer must agree on: words of one group name
#: different times (``RELATIVE_TIME_GROUPS``; the ``relative_time`` gate rule).
RELATIVE_TIME_GROUPS: tuple[tuple[str, ...], ...] = (
    ("前年", "去年", "今年", "明年"),
    ("上个月", "上月", "本月", "这个月", "下个月", "下月"),
    ("上周", "本周", "下周"),
    ("前天", "昨天", "今天", "明天"),
)


#: Past relative times a news figure is not about unless its text says so: with no time, a
#: report's figure is the reporting period's (``去年…累计寄递了多少件？`` read ``截至12月12日…5.45万件``;
#: fourth news trial); each with the other ways news writes it
PAST_RELATIVE_TIMES: dict[str, tuple[str, ...]] = {
    "前年": ("前年",), "去年": ("去年", "上年", "上一年", "过去一年"), "上个月": ("上个月", "上月"),
    "上月": ("上个月", "上月"), "上周": ("上周", "上星期"), "前天": ("前天",), "昨天": ("昨天", "昨日"),
}
#: a comparison base, not the figure's time (``比去年同期增长``, ``同比``): no claim about when
_COMPARISON = re.compile(r"(?:比|较|与|同|和)(?:去年|上年|上月|上个月|上周)|(?:去年|上年|上月|上个月)同期")
#: absolute times that may be a past time of each grain: a year (``2020年``, ``二〇二〇年``) for
#: 去年, a month for 上月, a day for 昨天 (``12月5日``); ``截至12月12日`` says no year
_ABSOLUTE_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}\s*年|[一二〇零][一二三四五六七八九〇零]{3}年")
_ABSOLUTE_MONTH = re.compile(r"(?<!\d)\d{1,2}\s*月|[一二三四五六七八九十]+月")
_ABSOLUTE_DAY = re.compile(r"(?<!\d)\d{1,2}\s*[日号]|[一二三四五六七八九十]+日")
ABSOLUTE_TIMES: dict[str, re.Pattern] = {"前年": _ABSOLUTE_YEAR, "去年": _ABSOLUTE_YEAR, "上个月": _ABSOLUTE_MONTH,
                                         "上月": _ABSOLUTE_MONTH, "上周": _ABSOLUTE_DAY, "前天": _ABSOLUTE_DAY,
                                         "昨天": _ABSOLUTE_DAY}


#: what jieba glues to a relative time in one word (``今年以来``, ``去年底``, ``本月初``): the
#: word says that time (sixth news trial: ``今年以来…7起`` did not say 今年); not ``同期``, a
#: comparison base (``比去年同期增长``; ``_COMPARISON``, cold review)
RELATIVE_TIME_TAILS = ("以来", "年初", "年底", "年末", "上半年", "下半年", "初", "底", "末", "前", "后")


def _words(text: str) -> set[str]:
    """The jieba words of ``text``'s match key, and the relative time opening a word with a
    ``RELATIVE_TIME_TAILS`` tail (time words are matched whole: 前天 is none of ``之前天主教``,
    上月 none of ``登上月球``; ``今年以来`` says 今年)."""
    jieba, _ = jieba_modules()
    words = set(jieba.lcut(match_key(text)))
    times = {t for group in RELATIVE_TIME_GROUPS for t in group}
    return words | {t for w in words for t in times if w.startswith(t) and w[len(t):] in RELATIVE_TIME_TAILS}


def time_conflict(question: str, context: str) -> list[str]:
    """The relative times of ``question`` (``RELATIVE_TIME_GROUPS``, as whole words) that
    ``context`` contradicts: it says another time of the same group and never the question's
    (``去年…收入`` next to ``今年“双11”期间…收入达4329.7万元``), or, for a past time the question
    does not compare with (``PAST_RELATIVE_TIMES``; not ``比去年同期``), says no time of the
    group, none of the past time's other spellings and no absolute time of its grain
    (``ABSOLUTE_TIMES``: a year for 去年, a day for 昨天).
    Empty when they agree, or the context says none for a present or future time."""
    q_words = _words(_COMPARISON.sub("", match_key(question)))
    c_words = _words(_COMPARISON.sub("", match_key(context)))
    c = match_key(context)
    out = []
    for group in RELATIVE_TIME_GROUPS:
        asked = [w for w in group if w in q_words]
        said = [w for w in group if w in c_words]
        if asked and said and not any(w in c_words for w in asked):
            out += asked
        elif asked and not said:
            out += [w for w in asked if w in PAST_RELATIVE_TIMES and not ABSOLUTE_TIMES[w].search(c)
                    and not any(x in c for x in PAST_RELATIVE_TIMES[w])]
    return out


@dataclass(frozen=True)
class QualifierGroup:
    """Qualifiers that tell facts of one kind apart (``男子`` / ``女子``): a named rule of
    ``QUALIFIER_GROUPS``. With ``head``, the other qualifier counts only before the same
    ``QUALIFIER_HEAD_CHARS`` characters as the question's (``三级文物`` / ``二级文物``; not
    ``一级运动员`` / ``三级跳远``); without, anywhere in the sentence (``第二批培训班`` against
    ``第一批“乡村主播”培训班``: the words between differ)."""

    name: str
    words: tuple[str, ...]
    head: bool = True


#: The qualifier groups (the ``qualifier`` gate rule): a sentence naming another of a group,
#: and never the question's, is about another fact (fifth news trial: ``男子800米冠军是谁？``
#: was answered with the ``女子800米冠军``, ``三级文物有几件？`` with the 一级 count; seventh:
#: ``第一批…培训班有多少名女学员？`` with the 第二批's). Titles are no group: ``夺冠`` says 冠军
#: (cold review).
QUALIFIER_GROUPS: tuple[QualifierGroup, ...] = (
    QualifierGroup("sex", ("男子", "女子")),
    QualifierGroup("pupils", ("男生", "女生")),
    QualifierGroup("gender", ("男性", "女性")),
    QualifierGroup("grade", ("一级", "二级", "三级", "四级")),
    QualifierGroup("trade", ("进口", "出口")),
    QualifierGroup("prize", ("一等奖", "二等奖", "三等奖"), head=False),
    QualifierGroup("half-year", ("上半年", "下半年"), head=False),
    QualifierGroup("phase", ("一期", "二期", "三期", "四期"), head=False),
    QualifierGroup("batch", ("第一批", "第二批", "第三批", "第四批"), head=False),
)
#: the characters after a qualifier in the question that the sentence must write after the
#: other one, for a group with ``head``
QUALIFIER_HEAD_CHARS = 2


def qualifier_conflict(question: str, sentence: str) -> list[str]:
    """The qualifiers of ``question`` (``QUALIFIER_GROUPS``) that ``sentence`` contradicts: it
    never says the question's, and says another of its group (before the same
    ``QUALIFIER_HEAD_CHARS`` characters as the question, for a group with ``head``:
    ``男子800米冠军`` against ``夺得女子800米冠军``; on match keys). Empty when they agree or the
    sentence says none of the group."""
    q, c = match_key(question), match_key(sentence)
    out = []
    for group in QUALIFIER_GROUPS:
        for word in group.words:
            at = q.find(word)
            if at < 0 or word in c:
                continue
            head = q[at + len(word): at + len(word) + QUALIFIER_HEAD_CHARS] if group.head else ""
            if group.head and (len(head) < QUALIFIER_HEAD_CHARS or not head.isalnum()):
                continue
            if any(other + head in c for other in group.words if other != word):
                out.append(word)
    return out
