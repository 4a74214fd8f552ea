"""Expected answer type of a question, and whether a sentence holds a value of that type.

The evidence gate's similarity signals cannot tell "the corpus talks about this" from "the
corpus answers this": on the seed test set, answerable and near-topic unanswerable questions
have the same dense-score and term-coverage distributions (evaluation report, issue #5).
What separates them is the kind of thing asked for: `常州邮政今年处理了多少件进口国际邮件？`
needs a count of 件 and the Changzhou article holds none; `衡水湖的水有多深？` needs a depth and
the Hengshui article gives none. This is the classic answer-type check of factoid QA systems
(Harabagiu et al., 2000, "FALCON: Boosting Knowledge for Answer Engines"; Moldovan et al.,
2000), reduced to patterns for Chinese (and English) news questions.

The types are a table, ``TYPE_RULES``: each ``TypeRule`` has a name, the question pattern
that selects it (on the question's match key, or the raw English text), the ``AnswerType``
it yields, and example questions (the tests iterate over them). The first rule that matches
wins. ``VALUE_TESTS`` says, per kind, what counts as a value in a sentence. List them with
``python -m answering rules``.

* ``expected_type(question)`` -> ``AnswerType`` or None (no typed expectation: how/why/
  what/lists).
* ``matches(answer_type, sentence)`` -> True when the sentence holds a value of that type.
* ``value_spans(answer_type, text)`` -> where the values of that type are in ``text``
  (count, number, money, percent, day, year: ``VALUE_PATTERNS``), for trimming a reader span to its value.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Callable

from answering.terms import in_dictionary, jieba_modules, organisations
from text.fold import match_key, offset_fold
from text.numbers import MONEY, QUANTITY, has_numeral, has_quantity, quantity_pattern

# Measure words (units) grouped into interchangeable sets: "多少人" is answered by 名/人次.
UNIT_GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"人次", "人", "名", "位"}),
    frozenset({"天", "日"}),
    frozenset({"亩", "平方米", "平方公里", "平方千米", "公顷", "万平方米", "km2", "m2", "平方英里", "英亩"}),
    frozenset({"公里", "千米", "米", "厘米", "英里", "光年"}),
    frozenset({"吨", "公斤", "千克", "斤", "克"}),
    frozenset({"小时", "分钟", "秒"}),
)
MEASURE_WORDS: tuple[str, ...] = (
    "岁", "人次", "公里", "千米", "个", "名", "人", "位", "件", "天", "日", "年", "次", "家", "种", "项",
    "条", "届", "组", "辆", "台", "套", "枚", "吨", "箱", "份", "副", "瓶", "所", "座", "场", "批",
    "期", "万件", "米", "站", "辆次", "亩", "平方米", "平方公里", "公顷", "厘米", "公斤", "千克", "斤",
    "小时", "分钟", "架", "艘", "本", "张", "块", "株", "棵", "头", "只", "篇", "部", "所", "支", "户", "光年",
    "间", "栋", "盏", "颗", "桶", "袋", "盒", "趟", "起", "例", "宗")  # 间 客房, 起 火灾 (seventh news trial)
MONEY_UNITS = frozenset({"元", "万元", "亿元", "块"})
#: measure words that also begin ordinary words (年轻人, 人民币, 站点, 项目, 家庭, 天气 ...)
WORD_STARTERS = frozenset("年人站项家种天日条组场期所座批米块本张头只部支户间起例")
#: words a measure word begins that jieba keeps whole, while the measure word also counts
#: (``3次列车``, ``开了多少次会``: jieba glues 次 to what follows, so 次 is no ``WORD_STARTERS``):
#: ``次方`` of ``10的−14次方`` (a power) is no count of 次
NOT_UNIT_WORDS = frozenset({"次方"})
MONEY_WORDS: tuple[str, ...] = (
    "收入", "营收", "收益", "金额", "资金", "慰问金", "补贴", "补助", "钱", "费用", "投入", "投资",
    "专款", "营业额", "利润", "价格", "售价", "成本", "多少元", "revenue", "income", "money", "fund",
    "yuan", "cost", "price", "dollars")
GENERIC_MONEY = frozenset({"钱", "多少元", "金额", "费用", "money", "fund", "yuan", "revenue",
                           "income", "cost", "price", "dollars"})
_REVENUE = ("收入", "营收", "营业额", "营业收入", "收益")
MONEY_SYNONYMS: dict[str, tuple[str, ...]] = {w: _REVENUE for w in _REVENUE} | {
    "补贴": ("补贴", "补助", "慰问金"), "补助": ("补贴", "补助", "慰问金"), "慰问金": ("慰问金", "补贴", "补助"),
    "专款": ("专款", "资金", "拨付"), "资金": ("资金", "专款", "拨付", "投入"), "投入": ("投入", "资金"),
    "投资": ("投资", "投入", "资金")}
PERCENT_WORDS = ("百分之", "比例", "增长率", "增幅", "满意度", "占比", "percentage", "percent", "rate")

_MEASURE_BY_LENGTH = tuple(sorted(set(MEASURE_WORDS), key=len, reverse=True))
_MEASURE_ALT = "|".join(_MEASURE_BY_LENGTH)
#: a year of any era (``1231年``, ``前221年``, ``一九九八年``), a decade or a century
_YEAR_IN_TEXT = re.compile(r"(?<![\d.])\d{3,4}\s*年|[一二〇零][一二三四五六七八九〇零]{3}年|\d{1,2}\s*世纪")
#: a time of day, a part of the day, a season or a solar term (``12时26分``, ``每天下午``,
#: ``夏季``, ``夏至``): what ``什么时候`` may be answered with besides a date
_CLOCK_OR_SEASON = re.compile(r"\d{1,2}\s*[时点]\s*\d{0,2}\s*分?|[春夏秋冬][季天]|"
                              r"清晨|早上|早晨|上午|中午|午后|下午|傍晚|黄昏|晚上|夜间|夜里|凌晨|"
                              r"立春|雨水|惊蛰|春分|清明|谷雨|立夏|小满|芒种|夏至|小暑|大暑|立秋|处暑|白露|"
                              r"秋分|寒露|霜降|立冬|小雪|大雪|冬至|小寒|大寒")
_DAY_IN_TEXT = re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{1,2}\s*[日号]|[一二三四五六七八九十]+月[一二三四五六七八九十]+日")
_MONTH_IN_TEXT = re.compile(r"\d{1,2}\s*月|上旬|中旬|下旬|近期|日前|今年|去年|本月|上月")
#: a fraction (``五分之一``, ``3分之2``): a share, as a percentage is
_FRACTION = r"[\d零一二两三四五六七八九十百千万]+分之(?:\d+(?:\.\d+)?|[零一二三四五六七八九十百千]+)"
_PERCENT_IN_TEXT = re.compile(r"\d[\d.]*\s*%|百分之|成(?=[，。；])|" + _FRACTION)
_ANY_NUMBER = re.compile(r"\d|[一二三四五六七八九十两百千万]+(?=[个名人位件天年次家种项条届组辆台套枚吨元箱份副瓶])")
_INTERPUNCT_NAME = re.compile(r"[\u4e00-\u9fff]{2,}·[\u4e00-\u9fff]{2,}")
_PLACE_IN_TEXT = re.compile(r"[\u4e00-\u9fff]{1,6}(?:省|市|县|区|州|乡|镇|村|街道|路|湖|山|港|机场|中心|场地|园区)"
                            r"|\d+\s*[楼层]")
_ORG_IN_TEXT = re.compile(r"[\u4e00-\u9fff]{2,}(?:公司|集团|银行|局|厅|委员会|协会|学校|大学|医院|中心|部门|政府|分行|支行|组织|团队|企业|药业)")


@dataclass(frozen=True)
class AnswerType:
    """What a question asks for.

    Attributes:
        kind: ``count`` (a number with a unit from ``units``), ``money``, ``percent``,
            ``number`` (any number), ``year``, ``day``, ``time`` (a year, month or day, a time of day, a season),
            ``person``, ``place``, ``organisation``.
        units: accepted measure words for ``count`` (an interchangeable group).
        role: for ``person`` questions of the form ``…的总经理是谁``, the role noun the answer
            sentence must also name (``总经理``), else None.
        cue: for ``money`` questions, the kind of money asked about (``收入``, ``慰问金``) that
            the answer sentence must also name (or a synonym); for length questions the
            attribute words (``深``, ``高|海拔``, ``|``-separated), one of which it must name.
        rule: name of the ``TypeRule`` that produced it.
        noun: for ``count`` questions, the noun counted (``多少辆汽车`` -> ``汽车``): the answer's
            quantity must stand next to it (within ``NOUN_WINDOW`` characters): 5.3万余人次 of
            people greeted is no count of 员工. For ``number`` questions, the noun right after
            ``多少`` (``处理了多少邮件`` -> ``邮件``): the reader's spans prefer a value next to it
            (``noun_near``), the gate does not require it.
        endpoint: for count, money and percent questions, True when the question asks what a
            change reached (``营收涨到了多少``, ``ENDPOINT``): of ``100万元增长到800万元`` the answer
            is the value after ``到``.
        ordinal: for count questions, True when the question asks 第几 (``第几站``): a value
            written after 第 holds it (``value_spans``: ``第四站``, not ``四站``; 16 of the 19
            CMRC and DRCD references of 第几 questions begin with 第).
        asks_rate: for number questions, True when the question names a rate, share or
            change (``RATE_WORDS``: ``完工率``, ``占…``, ``比去年多了多少``), which a bare
            percentage answers; otherwise a bare percentage is no answer (``span_of_type``).
    """

    kind: str
    units: frozenset[str] = frozenset()
    role: str | None = None
    cue: str | None = None
    rule: str = ""
    noun: str | None = None
    endpoint: bool = False
    ordinal: bool = False
    asks_rate: bool = False


@dataclass(frozen=True)
class TypeRule:
    """One row of the answer-type table.

    Attributes:
        name: rule name (listed by ``python -m answering rules``).
        pattern: regex searched in the question's match key (Chinese rules) or in the raw
            question with ``re.I`` (English rules, ``english=True``).
        build: ``(match key, match) -> AnswerType | None`` (None: the rule does not apply
            after all, the next rule is tried).
        examples: questions that must get this rule's type (the tests iterate over them).
        english: the pattern is applied to the raw question, case-insensitively.
    """

    name: str
    pattern: re.Pattern
    build: Callable[[str, re.Match], AnswerType | None]
    examples: tuple[str, ...] = ()
    english: bool = False
    description: str = ""


def unit_group(unit: str) -> frozenset[str]:
    """The interchangeable unit group of ``unit`` (``名`` -> {人, 名, 人次, 位})."""
    for g in UNIT_GROUPS:
        if unit in g:
            return g
    return frozenset({unit})


def unit_is_word(text: str, at: int, unit: str) -> bool:
    """True when the measure word ``unit`` at ``text[at:]`` is a word of its own (jieba),
    not the first character of a longer word (``年`` of ``年轻人``, ``人`` of ``人民币``, ``站``
    of ``站点``: ``多少年轻人``, ``多少人民币``, ``多少站点`` ask no count of 年/人/站); always True
    for a unit outside ``WORD_STARTERS`` (辆/件/个/名…: classifiers, whatever follows: ``辆车``)
    unless it begins one of ``NOT_UNIT_WORDS`` (``次方``)."""
    if any(text.startswith(w, at) for w in NOT_UNIT_WORDS if w.startswith(unit)):
        return False
    if unit not in WORD_STARTERS:
        return True
    jieba, _ = jieba_modules()
    first = next((w for w in jieba.cut(text[at:at + 8]) if w.strip()), "")
    return first == unit or first in MEASURE_WORDS


def _role(q: str) -> str | None:
    """The noun right before ``是谁``, ``叫什么`` or ``由谁担任`` (``阿克陶县邮政分公司的总经理是谁`` ->
    ``总经理``; ``…的科主任由谁担任？`` -> ``科主任``, fifth news trial)."""
    m = re.search(r"([\u4e00-\u9fff]{2,})(?:是谁|叫什么|由谁(?:担任|出任))", q)
    if not m:
        return None
    jieba, _ = jieba_modules()
    words = [w for w in jieba.cut(m.group(1)) if w.strip()]
    last = words[-1] if words else ""
    return last if len(last) >= 2 else None


#: endings of a noun for a person by role or relation: ``物流部经理叫什么名字`` asks for a
#: person's name, ``英文名叫什么`` / ``机器人叫什么名字`` do not
PERSON_ROLE_ENDINGS: tuple[str, ...] = (
    "局长", "厂长", "校长", "院长", "市长", "县长", "镇长", "村长", "部长", "社长", "会长", "队长",
    "站长", "所长", "行长", "董事长", "科长", "处长", "组长", "班长", "园长", "馆长", "省长", "区长",
    "州长", "乡长", "船长", "机长", "车长", "秘书长", "司长", "团长", "厅长", "署长", "店长", "首长",
    "理事长", "委员长", "议长", "台长", "经理", "主任", "书记", "主席", "总裁", "董事", "委员", "老板",
    "代表", "教练", "员", "师", "者", "选手", "歌手", "车手", "棋手", "负责人", "创始人", "主持人",
    "发言人", "带头人", "联系人", "传承人", "妻子", "丈夫", "儿子", "女儿", "父亲", "母亲", "医生",
    "警官", "主编", "导演", "作家", "总监", "父", "母", "兄", "弟", "姐", "妹", "妻", "夫")


#: a word of at least three characters ending in 长 is a head by role (``护士长``, ``科室长``;
#: fifth news trial); shorter ones may be no person (``增长``, ``特长``)
HEAD_ENDING, HEAD_MIN_CHARS = "长", 3


def is_person_role(word: str) -> bool:
    """True when ``word`` is a noun for a person by role: it ends in ``PERSON_ROLE_ENDINGS``,
    or is a ``HEAD_ENDING`` word of ``HEAD_MIN_CHARS`` or more (``护士长``)."""
    return word.endswith(PERSON_ROLE_ENDINGS) or (len(word) >= HEAD_MIN_CHARS and word.endswith(HEAD_ENDING))


def _person_role(q: str) -> str | None:
    """``_role`` when it is a noun for a person by role (``is_person_role``: 主任 of
    ``…主任是谁``), else None (报告会 of ``…报告会是谁作的辅导``: an event, not a role; it was
    required in the answer's sentence and refused a question the page answers)."""
    role = _role(q)
    return role if role is not None and is_person_role(role) else None


def _named_person(q: str, m: re.Match) -> AnswerType | None:
    role = _role(q)
    if role is None or not is_person_role(role):
        return None
    return AnswerType("person", role=role, rule="person-name")


#: a number question about what a change reached (``涨到了多少``, ``提升至多少``; not ``领到多少``)
ENDPOINT = re.compile(r"(?:增长|增加|上涨|涨|提高|提升|上升|攀升|升|下降|降低|降|减少|减|扩大|缩小|"
                      r"回落|跌|达)(?:到|至)了?(?:百分之)?(?:多少|几)")
#: what a number question asks a rate, share or change by, which a percentage answers
#: (``完工率``, ``占…多少``, ``比去年多了多少``; ``AnswerType.asks_rate``)
RATE_WORDS = re.compile(r"率|比例|比重|占|百分|倍|增|降|涨|跌|提高|减少|同比|环比|比去年|比上|多了|少了|几成|%")
#: the kinds whose values the span trim cuts to (``answering.span_trim.VALUE_KINDS``, less day/year)
ENDPOINT_KINDS = frozenset({"count", "money", "percent"})


#: jieba tags of the nouns a verb right after 多少X modifies (``配送/v 车辆/n``); a verb not
#: followed by one is the question's predicate (``多少人参加/v 2008年…``), not what is counted
COUNTED_NOUN_TAGS = ("n", "vn")


def _counted_noun(q: str, end: int, nouns_only: bool = False) -> str | None:
    """The noun counted by ``多少个X``: the first jieba word after the measure word, when it is
    a Han word of 2+ characters (``多少辆汽车`` -> ``汽车``, ``多少辆配送车辆`` -> ``配送``;
    ``多少人`` -> None), unless it is a verb that no noun follows (``COUNTED_NOUN_TAGS``:
    ``多少人参加2008年…`` -> None, ``多少人受伤`` -> None). ``nouns_only`` (a number question's
    word right after ``多少``, where no measure word says a count follows): only a word tagged
    ``COUNTED_NOUN_TAGS`` (``多少邮件`` -> ``邮件``; ``多少左右``, ``多少已经完成`` -> None)."""
    _, pseg = jieba_modules()
    words = [w for w in pseg.cut(q[end:]) if w.word.strip()]
    if not words:
        return None
    first = words[0]
    if nouns_only and not first.flag.startswith(COUNTED_NOUN_TAGS):
        return None
    if first.flag == "v" and not (len(words) > 1 and words[1].flag.startswith(COUNTED_NOUN_TAGS)):
        return None  # the predicate
    return first.word if len(first.word) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in first.word) else None


def _count(q: str, m: re.Match) -> AnswerType | None:
    if not unit_is_word(q, m.start(1), m.group(1)):
        return None
    unit = m.group(1)
    if unit in MONEY_UNITS:
        return AnswerType("money", rule="count")
    return AnswerType("count", unit_group(unit), rule="count", noun=_counted_noun(q, m.end(1)),
                      ordinal=q[max(0, m.start() - 1): m.start()] == "第")


def _number(q: str, m: re.Match) -> AnswerType:
    noun = _counted_noun(q, m.end(), nouns_only=True) if m.group(0) == "多少" else None
    return AnswerType("number", rule="number", noun=noun)


def _money(q: str, m: re.Match) -> AnswerType | None:
    cues = [w for w in MONEY_WORDS if w in q]
    fee = re.search(r"[\u4e00-\u9fff]{1,3}费(?!用)", q)  # 报名费, 快递费: a fee of its own kind
    if fee:
        return AnswerType("money", cue=fee.group(0).split("的")[-1], rule="money")
    if not cues:
        return None
    specific = [w for w in cues if w not in GENERIC_MONEY]
    return AnswerType("money", cue=specific[0] if specific else None, rule="money")


def _fixed(kind: str, units: frozenset[str] = frozenset(), name: str = ""):
    return lambda q, m: AnswerType(kind, units, rule=name or kind)


#: a duration question asking how often (``多长时间举办一届？``, ``多久检测一次？``): type rule
#: ``frequency``, answered by a duration or a frequency (``每年``; ``span_of_type``)
HOW_OFTEN = re.compile(r"(?:多久|多长时间)[^，,。？?]{0,8}?一[次届回期轮]")
#: the units of a duration
DURATION_UNITS = frozenset({"天", "日", "小时", "分钟", "年", "个月", "周", "秒"})


#: the attribute a length question asks about must be named by the answer sentence: a
#: marathon's 42.195公里 does not say how deep the lake is (``衡水湖的水有多深？``).
LENGTH_CUES: dict[str, tuple[str, ...]] = {
    "多深": ("深",), "多高": ("高", "海拔"), "多宽": ("宽",), "多长": ("长", "全程", "里程"),
}


def _length(q: str, m: re.Match) -> AnswerType:
    word = m.group(0)
    cues = LENGTH_CUES.get(word)
    return AnswerType("count", UNIT_GROUPS[3], cue="|".join(cues) if cues else None, rule="length")


EN_LENGTH_CUES: dict[str, tuple[str, ...]] = {
    "deep": ("深",), "tall": ("高", "海拔"), "high": ("高", "海拔"), "wide": ("宽",), "long": ("长", "全程", "里程"),
}


def _en_length(q: str, m: re.Match) -> AnswerType:
    word = m.group(0).lower().split()[-1]
    cues = EN_LENGTH_CUES.get(word.rstrip("s") if word != "is" else "long")
    return AnswerType("count", UNIT_GROUPS[3], cue="|".join(cues) if cues else None)


#: what a 几号 question may ask the number of besides a day (``几号楼``, ``几号线``: a
#: designation; cold review)
DESIGNATION_NOUNS = "[楼线房门院床车窗口台位馆厅座栋桌牌队]"

_HOW_MANY = r"多少|(?<!哪)几[个位名次年月日天人件家种项条届组辆台]|多大|多远|多长|多高|多深|多宽|多重|多久"

TYPE_RULES: tuple[TypeRule, ...] = (
    TypeRule("year", re.compile(r"哪一?年|何年|什么年份|几几年|(?:西元|公元)前?几年"), _fixed("year"),
             ("衡水湖国际马拉松赛从哪一年开始举办？", "放射實驗室於西元幾年所成立?"), description="a year (2012年)"),
    TypeRule("day", re.compile(r"哪一?天|几月几[日号]|月几[日号]|几号(?!" + DESIGNATION_NOUNS + r")|哪一?日|什么日子|何日"),
             _fixed("day"),
             ("中国邮政科技创新体系建设的《意见》是哪天印发的？",), description="a day (11月8日)"),
    TypeRule("time", re.compile(r"何时|什么时候|几时"), _fixed("time"),
             ("阿克陶县政府什么时候推进快递进村？",), description="a year, month or day, a time of day or a season"),
    TypeRule("person-which", re.compile(r"(?<!排在)(?<!位居)(?<!名列)(?<!排)哪一?位(?![置数次名])"),
             lambda q, m: AnswerType("person", role=_person_role(q), rule="person-which"),
             ("木吉乡布拉克村的快递服务点是由哪位村民经营的？",), description="which person (never an organisation)"),
    TypeRule("person", re.compile(r"谁|什么人(?!员)"),
             lambda q, m: AnswerType("person", role=_person_role(q), rule="person"),
             ("衡水市体育局竞技体育科主任是谁？", "谁主持了会议？"), description="a person's name"),
    TypeRule("person-name", re.compile(r"叫什么"), _named_person,
             ("衡水市分公司寄递事业部物流部经理叫什么名字？",),
             description="the name of a person named by role (经理叫什么名字; not 英文名叫什么)"),
    TypeRule("area", re.compile(r"多大面积|面积(?:是|有)?多[少大]|占地(?:面积)?(?:有|是)?多[少大]|多少(?:亩|平方米|平方公里|公顷)"),
             _fixed("count", UNIT_GROUPS[2], "area"), ("新园区占地多少亩？", "这座湖的面积有多大？"),
             description="an area (300亩, 2万平方米)"),
    TypeRule("age", re.compile(r"多大(年纪|岁数)?[？?]?$|几岁|多少岁"), _fixed("count", frozenset({"岁"}), "age"),
             ("吴沛今年多大？",), description="an age (47岁)"),
    TypeRule("length", re.compile(r"多远|多长(?!时间)|多高|多深|多宽|距离.{0,6}多少|多少(?:公里|千米|米)"),
             _length, ("木吉乡布拉克村距离县城有多远？", "衡水湖的水有多深？"),
             description="a length, height, depth or distance (250公里, 3米, 一亿光年)"),
    TypeRule("weight", re.compile(r"多重|多少(?:吨|公斤|千克|斤)"), _fixed("count", UNIT_GROUPS[4], "weight"),
             ("这批物资有多重？",), description="a weight (5吨)"),
    TypeRule("frequency", HOW_OFTEN, _fixed("count", DURATION_UNITS, "frequency"),
             ("衡水湖国际马拉松赛多长时间举办一届？",), description="how often (每年, 3天)"),
    TypeRule("duration", re.compile(r"多久|多长时间|几个小时|多少(?:小时|分钟)"),
             _fixed("count", DURATION_UNITS, "duration"),
             ("培训持续了多长时间？",), description="a duration (3天, 2小时)"),
    TypeRule("count", re.compile(r"(?:多少|(?<!哪)几)\s*(" + _MEASURE_ALT + ")"), _count,
             ("阿克陶县分公司在多少个行政村建立了快递服务点？", "邵阳市邮政驻政务中心团队有多少名员工？"),
             description="a count with its measure word (118个, 近300名)"),
    TypeRule("percent", re.compile(r"(?:" + _HOW_MANY + r").*(?:" + "|".join(PERCENT_WORDS) + r")|(?:"
                                   + "|".join(PERCENT_WORDS) + r").*(?:" + _HOW_MANY + r")|增长了?多少|增加了?多少"),
             _fixed("percent"), ("快递收入同比增长多少？", "群众满意度是多少？"), description="a percentage or a share (46.8%, 五分之一)"),
    TypeRule("money", re.compile(_HOW_MANY), _money,
             ("贵州邮政双11期间快递业务收入是多少？", "海外营收是多少？"), description="money in any currency"),
    TypeRule("place", re.compile(r"在哪[里儿]|在哪(?![个一些几]|方面)|哪里|哪儿|何地|什么地方|(?<!排在)(?<!处于)(?<!居于)(?<!位居)(?<!排名)什么位置|什么地点|位于哪|哪条(?:街|路|大街|街道)|哪一?个(?:省|市|县|区|乡|镇|村|地方|国家|城市|地区)"),
             _fixed("place"), ("常州邮政在哪里处理进口国际邮件？",), description="a place"),
    TypeRule("organisation", re.compile(r"哪个(?:单位|公司|组织|机构|部门|企业|集团)|哪家(?:公司|企业|单位|机构|银行)?"),
             _fixed("organisation"), ("这项活动是哪个单位开展的？",), description="an organisation"),
    TypeRule("number", re.compile(_HOW_MANY), _number,
             ("阿克陶县建了多少站点？",), description="any number"),
    # English (names are transliterated, so "who" is not checked across languages)
    TypeRule("en-year", re.compile(r"\b(what|which)\s+year\b|\bsince when\b", re.I), _fixed("year"),
             ("What year did the marathon start?",), english=True, description="a year"),
    TypeRule("en-person", re.compile(r"^\s*who\b|\bwho (is|was|are|were)\b", re.I), _fixed("person"),
             ("Who won the marathon?",), english=True, description="a person"),
    TypeRule("en-percent", re.compile(r"\bby how much\b|\bpercent(age)?\b|\brate\b", re.I), _fixed("percent"),
             ("By how much did the mail volume grow?",), english=True, description="a percentage"),
    TypeRule("en-money", re.compile(r"\bhow much (money|revenue|income)\b|\brevenue\b|\bincome\b|\bcost\b|\bprices?\b|\bfees?\b", re.I),
             lambda q, m: AnswerType("money", cue="价格|售价|价|费" if m.group(0).lower().startswith(("price", "fee")) else None),
             ("How much revenue did Guizhou Post make?", "What is the price of the stamps?"), english=True,
             description="money (a price or fee: the sentence names 价/费)"),
    TypeRule("en-length", re.compile(r"\bhow (far|tall|deep|high|wide)\b|\bhow long is\b", re.I),
             _en_length, ("How tall is Mount Everest?",), english=True,
             description="a length"),
    TypeRule("en-number", re.compile(r"\bhow\s+(many|much|long)\b|\bnumber of\b", re.I), _fixed("number"),
             ("How many parcel service points did Akto set up?",), english=True, description="any number"),
    TypeRule("en-time", re.compile(r"\bwhen\b|\bwhat date\b|\bwhich day\b", re.I), _fixed("time"),
             ("When did the study session take place?",), english=True, description="a time"),
)

#: Rules disabled by name (an empty set: all on). Tests may switch one off.
DISABLED: set[str] = set()


def expected_type(question: str) -> AnswerType | None:
    """The answer type ``question`` asks for (first ``TYPE_RULES`` row that applies), or
    None. ``哪几`` asks for a list, not a count (``午餐有哪几个菜？`` -> None). ``endpoint`` is set for
    a number question matching ``ENDPOINT``. The question may be in any script or width (its
    match key is read)."""
    q = match_key(question or "")
    for rule in TYPE_RULES:
        if rule.name in DISABLED:
            continue
        m = rule.pattern.search(question if rule.english else q)
        if m:
            t = rule.build(q, m)
            if t is not None:
                if t.kind in ENDPOINT_KINDS and ENDPOINT.search(q):
                    t = replace(t, endpoint=True)
                if t.kind == "number" and RATE_WORDS.search(q):
                    t = replace(t, asks_rate=True)
                return t if t.rule == rule.name else replace(t, rule=rule.name)
    return None


#: the verbs news writes after who speaks (``馆长孙文静说``; also ``span_moves``' speaker clause)
SPEAKER_VERBS = ("说", "表示", "介绍", "指出", "告诉", "坦言", "强调", "称")
#: a name between a role and a speech verb (jieba: 孙 zg, 文静 n; sixth news trial): a person
#: whatever jieba tags the name
_ROLE_NAME_SPEAKER = re.compile(
    "(?:" + "|".join(sorted(PERSON_ROLE_ENDINGS, key=len, reverse=True)) + ")"
    + r"(?P<name>[\u4e00-\u9fff]{2,3}?)(?:" + "|".join(SPEAKER_VERBS) + ")")
#: characters no name between a role and a speech verb holds: prepositions, adverbs and
#: particles (``局长在会上表示``, ``负责人对记者说``, ``师们都说``; cold review)
NOT_IN_SPEAKER_NAME = frozenset("在对向给跟和与也都就还已正又便均曾将们的了着过上下会中时记")


def _role_name_speaker(sentence: str) -> bool:
    """True when ``sentence`` writes a role, a name and a speech verb (``馆长孙文静说``): the
    2-3 characters between hold none of ``NOT_IN_SPEAKER_NAME``."""
    return any(not set(m.group("name")) & NOT_IN_SPEAKER_NAME for m in _ROLE_NAME_SPEAKER.finditer(sentence))


@lru_cache(maxsize=8192)
def _has_person(sentence: str) -> bool:
    """True when ``sentence`` names a person: a name with an interpunct (``阿木提·马木提``), a
    role, a name and a speech verb (``_ROLE_NAME_SPEAKER``), or a jieba person name of two
    characters or more."""
    if _INTERPUNCT_NAME.search(sentence) or _role_name_speaker(match_key(sentence)):
        return True
    _, pseg = jieba_modules()
    return any(p.flag in ("nr", "nrfg", "nrt") and len(p.word) >= 2 for p in pseg.cut(sentence))


#: endings of a noun for people as a group or by duty (``专人``, ``党员干部``, ``各级领导干部``,
#: ``工作人员``), besides ``PERSON_ROLE_ENDINGS``: what a who-question with no role is answered
#: by when no one is named (``…六面消杀是交给谁来做的？`` -> ``专人``; ``引导谁…？`` ->
#: ``党员干部``; third and fourth news trials)
PEOPLE_NOUN_ENDINGS: tuple[str, ...] = (
    "干部", "党员", "人员", "职工", "员工", "专人", "群众", "村民", "居民", "市民", "工人", "农民",
    "学生", "家长", "老人", "团队", "员们", "者们")
#: one-character endings of a person noun of three characters or more (``投递员``, ``志愿者``),
#: and the words ending so that name no one (``总动员``; cold review)
PERSON_ONE_CHARACTER_ENDINGS, NOT_PEOPLE_ENDINGS = ("员", "者"), ("动员", "或者", "再者", "前者", "后者")
#: rules whose question may be answered by people named by a group noun (``谁``; not
#: ``哪位``, which asks for one person, nor a role's name, ``主任是谁``)
PEOPLE_NOUN_RULES = frozenset({"person"})
_PEOPLE_ENDINGS = PEOPLE_NOUN_ENDINGS + tuple(e for e in PERSON_ROLE_ENDINGS if len(e) >= 2)
#: longest group answer, characters (``各级领导干部``)
PEOPLE_ANSWER_CHARS = 12


def people_answer(answer_type: AnswerType | None, span: str) -> bool:
    """Whether ``span`` names people by group or duty and may answer a who-question with no
    role (``PEOPLE_NOUN_RULES``): at most ``PEOPLE_ANSWER_CHARS`` characters ending in
    ``PEOPLE_NOUN_ENDINGS`` or a two-character ``PERSON_ROLE_ENDINGS`` entry (``专人``,
    ``党员干部``), or, of three characters or more, in ``PERSON_ONE_CHARACTER_ENDINGS``
    (``投递员``; not ``总动员``). The reader's span must be such a noun, not merely its sentence
    hold one (cold review: ``全省交通骨干工程`` answered ``谁承建的？``)."""
    key = match_key(span).strip()
    if (answer_type is None or answer_type.rule not in PEOPLE_NOUN_RULES or answer_type.role is not None
            or not 2 <= len(key) <= PEOPLE_ANSWER_CHARS or key.endswith(NOT_PEOPLE_ENDINGS)):
        return False
    return key.endswith(_PEOPLE_ENDINGS) or (len(key) >= 3 and key.endswith(PERSON_ONE_CHARACTER_ENDINGS))


@lru_cache(maxsize=8192)
def _has_tag(sentence: str, tags: tuple[str, ...]) -> bool:
    _, pseg = jieba_modules()
    return any(p.flag in tags and len(p.word) >= 2 for p in pseg.cut(sentence))


NOUN_WINDOW = 10


def _count_value(t: AnswerType, s: str) -> bool:
    if not has_quantity(s, t.units):
        return False
    if t.cue is not None and not any(c in s for c in t.cue.split("|")):
        return False
    if t.noun is None:
        return True
    return any(noun_near(t, s, m.start(), m.end()) for m in re.finditer(quantity_pattern(t.units), s))


def noun_distance(answer_type: AnswerType, text: str, start: int, end: int) -> int | None:
    """Characters between the value ``text[start:end]`` and the nearest occurrence of the
    question's counted noun (``AnswerType.noun``: ``邮件`` of ``累计处理了多少邮件``) within
    ``NOUN_WINDOW`` characters of it (0: adjacent or overlapping; any script or width), or
    None when the question counts no noun or none occurs there."""
    if answer_type.noun is None:
        return None
    lo = max(0, start - NOUN_WINDOW)
    around, noun = offset_fold(text[lo: end + NOUN_WINDOW]), match_key(answer_type.noun)
    best = None
    at = around.find(noun)
    while at >= 0:
        ns, ne = lo + at, lo + at + len(noun)
        d = start - ne if ne <= start else (ns - end if ns >= end else 0)
        best = d if best is None else min(best, d)
        at = around.find(noun, at + 1)
    return best


def noun_near(answer_type: AnswerType, text: str, start: int, end: int) -> bool | None:
    """Whether the question's counted noun occurs within ``NOUN_WINDOW`` characters of the
    value ``text[start:end]`` (``noun_distance``; offsets in characters; any script or
    width). None when the question counts no noun."""
    if answer_type.noun is None:
        return None
    return noun_distance(answer_type, text, start, end) is not None


def _money_value(t: AnswerType, s: str) -> bool:
    if not MONEY.search(s):
        return False
    return t.cue is None or any(w in s for w in MONEY_SYNONYMS.get(t.cue, tuple(t.cue.split("|"))))


#: kind -> test of a sentence's match key (and the raw sentence for taggers).
VALUE_TESTS: dict[str, Callable[[AnswerType, str, str], bool]] = {
    "count": lambda t, s, raw: _count_value(t, s),
    "money": lambda t, s, raw: _money_value(t, s),
    "percent": lambda t, s, raw: _PERCENT_IN_TEXT.search(s) is not None,
    "number": lambda t, s, raw: _ANY_NUMBER.search(s) is not None,
    "year": lambda t, s, raw: _YEAR_IN_TEXT.search(s) is not None,
    "day": lambda t, s, raw: _DAY_IN_TEXT.search(s) is not None,
    "time": lambda t, s, raw: bool(_YEAR_IN_TEXT.search(s) or _DAY_IN_TEXT.search(s) or _MONTH_IN_TEXT.search(s)
                                   or _CLOCK_OR_SEASON.search(s)),
    "person": lambda t, s, raw: _has_person(raw) and (t.role is None or t.role in s),
    "place": lambda t, s, raw: bool(_PLACE_IN_TEXT.search(s)) or _has_tag(raw, ("ns",)),
    "organisation": lambda t, s, raw: bool(_ORG_IN_TEXT.search(s)) or _has_tag(raw, ("nt",)),
}


def matches(answer_type: AnswerType, sentence: str) -> bool:
    """True when ``sentence`` holds a value of ``answer_type`` (``VALUE_TESTS``). Numbers
    may be digits or Chinese numerals with a multiplier and 多/余 (``5.8万余人次``, ``近300名``,
    ``七项``); money in any currency (``12亿美元``, ``$5``). Raises ValueError for an unknown
    kind."""
    test = VALUE_TESTS.get(answer_type.kind)
    if test is None:
        raise ValueError(f"unknown answer type {answer_type.kind!r}")
    return bool(test(answer_type, match_key(sentence), sentence))


#: kinds whose value a short span can be tested for on its own (a count's noun or a
#: person's role usually lies outside the span, and taggers misread 2-character spans)
SPAN_KINDS = frozenset({"count", "money", "percent", "number", "year", "day", "time"})


#: kinds whose answer is written with a number (``text.numbers.has_numeral``); not times or
#: years (``戰國時代``)
NUMBER_KINDS = frozenset({"count", "money", "percent", "number"})


#: a duration, which does not answer when (``什么时候…做核酸检测？`` read ``21天`` of ``21天内``;
#: fourth news trial): a number of days, months, hours, minutes or weeks (not of years: ``97年``
#: may be a year; cold review)
_DURATION = re.compile(r"(?:约|近)?(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百]+)\s*(?:天|个月|小时|分钟|周|星期)")
#: person questions no organisation answers (``哪位村民``, ``经理叫什么名字``); ``谁主办了…`` may be
#: answered by one
PERSON_ONLY_RULES = frozenset({"person-which", "person-name"})


def _is_organisation(span: str) -> bool:
    """True when ``span`` is one organisation's name (``terms.organisations``: ``阿克陶县分公司``)."""
    orgs = organisations(span.strip())
    return len(orgs) == 1 and orgs[0].start == 0 and orgs[0].end == len(span.strip())


#: a frequency, which answers how often (``多长时间举办一届？`` -> ``每年``; third news trial)
_FREQUENCY = re.compile(r"每[一两二三四五六七八九十\d]*个?(?:年|月|周|星期|天|日|小时|季度)")


def list_span(span: str) -> bool:
    """Whether a short answer can answer a list question (``哪几样物资？``): it is not a count
    that names no item: a number of one or two digits, or a quantity with a multiplier, 多/余
    or a measure word (``2`` of ``2万多人``, ``3个``; fourth news trial). A year, a date or a
    code may be the items asked for (``2020年``, ``110``; cold review)."""
    key = match_key(span)
    m = _BARE_QUANTITY.fullmatch(key)
    if m is None or re.search(r"[年月日号]$", key):
        return True
    return not (re.fullmatch(r"\d{1,2}", key) or re.search(r"[万亿千百多余\u4e00-\u9fff]", key))


#: a bare percentage (``9.3%``, ``百分之十二``): a rate, no quantity
_BARE_PERCENT = re.compile(r"(?:约|近|超过)?(?:\d+(?:\.\d+)?\s*%|百分之[零一二三四五六七八九十百点]+)")


def span_of_type(answer_type: AnswerType | None, span: str) -> bool:
    """Whether a short answer can be the value a question of ``answer_type`` asks for: a
    count, amount, share or number is written with a numeral (``has_numeral``); a count is a
    quantity of one of its units (``span_matches``: ``40箱``, not ``1.2`` of ``1.2万元`` for
    ``多少箱``), and an amount of money an amount (``span_matches``) or a number with a
    multiplier (``3000万``). Shares and numbers take any numeral: a change (``增加了多少``, typed
    percent) may be ``一倍``, ``1200万元`` or ``100万元增长到800万元`` (cold review). A how-often
    question (``HOW_OFTEN``, rule ``frequency``) may be answered by a frequency (``_FREQUENCY``:
    ``每年`` for ``多长时间举办一届？``; third news trial), not ``培训持续了多长时间？`` (cold review).
    A time question's span is no bare duration (``_DURATION``: ``21天``), and a which-person or
    name question's no organisation (``PERSON_ONLY_RULES``: ``阿克陶县分公司`` for ``哪位村民…？``;
    fourth news trial). A number question that names no rate, share or change
    (``AnswerType.asks_rate``) is not answered by a bare percentage (``货物吞吐量是多少？`` read
    the growth rate ``9.3%``; sixth news trial).
    True for other kinds and untyped questions. ``铜`` (of 铜仁市) for ``拨专款多少元？`` and
    ``6`` (postcards) for ``每套卖多少钱？`` are not (second new-user trial; news trial)."""
    if answer_type is not None and answer_type.kind == "time":
        return _DURATION.fullmatch(match_key(span)) is None
    if answer_type is not None and answer_type.rule in PERSON_ONLY_RULES:
        return not _is_organisation(span)
    if answer_type is None or answer_type.kind not in NUMBER_KINDS:
        return True
    if answer_type.rule == "frequency" and _FREQUENCY.fullmatch(match_key(span)):
        return True
    if not has_numeral(span):
        return False
    if (answer_type.kind == "number" and _BARE_PERCENT.fullmatch(match_key(span).strip())
            and not answer_type.asks_rate):
        return False  # 货物吞吐量是多少？ read the growth rate 9.3% (sixth news trial)
    if answer_type.kind == "count":
        return span_matches(answer_type, span) is not False
    if answer_type.kind == "money":
        return bool(span_matches(answer_type, span)) or _BARE_AMOUNT.fullmatch(match_key(span)) is not None
    return True


#: a time relative to an event the text names (``运输前``, ``服务结束后``, ``赛事举办之初``,
#: ``赛后``, ``检查时``): what a when-question is answered with where the text gives no date
#: (``…什么时候组织全程服务人员做核酸检测的？`` -> ``运输前``; fourth news trial). The event is
#: two characters or more, or one of ``EVENT_TIME_ONE_CHARACTER`` (``赛后``, not ``最后``).
EVENT_TIME_ENDINGS = ("之前", "之后", "以前", "以后", "之初", "伊始", "期间", "之际", "前夕", "的时候",
                      "前", "后", "时")
EVENT_TIME_ONE_CHARACTER = "赛节会课餐饭战婚产术"
_EVENT_TIME = re.compile(rf"(?:[\u4e00-\u9fff]{{2,10}}?|[{EVENT_TIME_ONE_CHARACTER}])"
                         rf"(?:{'|'.join(EVENT_TIME_ENDINGS)})")
#: words of that shape that say no event (``与此同时``)
NOT_EVENT_TIMES = frozenset({"与此同时", "在此之前", "在此之后", "自那以后"})
#: endings that place or rank rather than time (``村委会门前``, ``经济落后``, ``成绩背后``,
#: ``排名靠前``; cold review)
NOT_EVENT_ENDINGS = ("门前", "眼前", "面前", "跟前", "窗前", "台前", "身后", "背后", "幕后", "落后", "滞后",
                     "靠前", "靠后", "最后", "然后", "随后", "此后", "前后", "先后", "空前", "领先")
#: endings after which the event must be a verb (jieba ``v``/``vn``: ``运输前``, ``检查时``),
#: not a noun for a place (``门前``)
VERB_EVENT_ENDINGS = ("之前", "之后", "以前", "以后", "前", "后", "时")


def event_time(span: str) -> bool:
    """True when ``span`` is a time relative to an event (``_EVENT_TIME``: ``运输前``,
    ``服务结束后``), with no numeral (``十几个小时`` is a duration), not ``NOT_EVENT_TIMES`` nor
    ending in ``NOT_EVENT_ENDINGS``, and, before a ``VERB_EVENT_ENDINGS`` ending, a verb or one
    of ``EVENT_TIME_ONE_CHARACTER`` (``赛后``)."""
    key = match_key(span).strip()
    if (_EVENT_TIME.fullmatch(key) is None or has_numeral(key) or key in NOT_EVENT_TIMES
            or key.endswith(NOT_EVENT_ENDINGS)):
        return False
    ending = next(e for e in EVENT_TIME_ENDINGS if key.endswith(e))
    event = key[: -len(ending)]
    if ending not in VERB_EVENT_ENDINGS or event in EVENT_TIME_ONE_CHARACTER:
        return True
    _, pseg = jieba_modules()
    words = list(pseg.cut(event))
    return bool(words) and words[-1].flag in ("v", "vn")


#: relative years and days, which answer 哪一年 / 哪天 as a date does (``去年建成通车``; cold
#: review: ``2019年`` of ``2019年开工`` was put before ``去年``)
RELATIVE_DATES: dict[str, tuple[str, ...]] = {
    "year": ("前年", "去年", "今年", "明年", "上年", "当年", "同年", "次年"),
    "day": ("前天", "昨天", "今天", "明天", "当天", "当日", "次日", "同日"),
}


def span_matches(answer_type: AnswerType, span: str) -> bool | None:
    """Whether an answer span (``4329.7万元``, ``118个``) is a value of ``answer_type``:
    as :func:`matches`, except that a count needs only its quantity and unit (its noun is
    in the sentence around it), and money only an amount (its revenue or subsidy word,
    ``AnswerType.cue``, is too: ``形成收入约1.7万元``), a time may be relative to an event
    (``event_time``: ``运输前``), and a year or day relative to now (``RELATIVE_DATES``:
    ``去年``). None for kinds outside ``SPAN_KINDS`` (not testable on a span alone)."""
    if answer_type.kind not in SPAN_KINDS:
        return None
    if answer_type.kind == "count":
        return has_quantity(span, answer_type.units)
    if answer_type.kind == "money":
        return matches(replace(answer_type, cue=None), span)
    if answer_type.kind == "time" and event_time(span):
        return True
    if any(word in span for word in RELATIVE_DATES.get(answer_type.kind, ())):
        return True
    return matches(answer_type, span)


#: approximation words written before a value, part of it (``近250公里``, ``约1.7万元``)
APPROXIMATION = r"(?:将近|大约|近|约|逾|超过|不足|不到)?"
#: a bare number or quantity (``2``, ``2万多``, ``3个``): no list of items (``list_span``)
_BARE_QUANTITY = re.compile(rf"{APPROXIMATION}{QUANTITY}\s*(?:{_MEASURE_ALT})?")
#: an amount written with a multiplier and no currency (``3000万``, ``1.2亿``): money in news
_BARE_AMOUNT = re.compile(rf"{APPROXIMATION}(?:\d(?:[\d.,]*\d)?|[零一二三四五六七八九十两百千]+)\s*[万亿千百]+[多余]?")

#: kind -> regex of one value of that kind in a (Simplified, half-width) text, with its
#: approximation word; a count's unit is one of the question's interchangeable units, a
#: number's any measure word that is a word of its own (``多少投递员``: ``1200多人``, not
#: ``1200年`` of ``1200年轻人``: ``value_spans``; a 19xx/20xx calendar year is no number value).
VALUE_PATTERNS: dict[str, Callable[[frozenset[str]], re.Pattern | None]] = {
    "count": lambda units: re.compile(rf"{APPROXIMATION}{quantity_pattern(units)}") if units else None,
    "number": lambda units: re.compile(rf"{APPROXIMATION}{quantity_pattern(frozenset(MEASURE_WORDS))}"),
    "money": lambda units: re.compile(rf"{APPROXIMATION}(?:{MONEY.pattern})", re.I),
    "percent": lambda units: re.compile(rf"{APPROXIMATION}(?:\d(?:[\d.]*\d)?\s*%|百分之[零一二三四五六七八九十百点]+|{_FRACTION})"),
    "year": lambda units: re.compile(r"(?:公元前|公元|前)?(?<![\d.])\d{3,4}\s*年(?![代前间初末底])"
                                     r"|[一二〇零][一二三四五六七八九〇零]{3}年(?![代前间初末底])"),
    "day": lambda units: re.compile(r"(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*[日号]|(?<![\d.])\d{1,2}\s*[日号]"
                                    r"|[一二三四五六七八九十]+月[一二三四五六七八九十]+日"),
}


#: numerals of an approximate quantity (``数百米``, ``几千人``; ``text.numbers.QUANTITY``)
APPROXIMATE_NUMERALS = "数几"


@lru_cache(maxsize=64)
def _value_pattern(kind: str, units: frozenset[str]) -> re.Pattern | None:
    build = VALUE_PATTERNS.get(kind)
    return build(units) if build else None


def value_spans(answer_type: AnswerType, text: str) -> list[tuple[int, int]]:
    """``(start, end)`` character offsets in ``text`` of each value of ``answer_type``
    (``VALUE_PATTERNS``), in order; ``[]`` for other kinds, or none found. Found on the
    text's offset-keeping fold (half-width, Simplified), so Traditional and full-width
    text is read too (``貴州郵政收入達４３２９.７萬元`` -> the span of ``４３２９.７萬元``); on the width
    fold alone when script folding changes the text's length. An ordinal question's value
    takes the 第 written before it (``AnswerType.ordinal``: ``第四站``). A 数/几 that ends a word
    (``人数百余人``: 人数) is left out of the value."""
    pattern = _value_pattern(answer_type.kind, answer_type.units)
    if pattern is None or not text:
        return []
    folded = offset_fold(text)
    found = [(m.start(), m.end()) for m in pattern.finditer(folded) if m.end() > m.start()]
    # 数/几 ending a word (人数百余人, 件数) is no approximate numeral (text.numbers.QUANTITY)
    found = [(s + 1, e) if folded[s] in APPROXIMATE_NUMERALS and s > 0 and in_dictionary(folded[s - 1: s + 1])
             else (s, e) for s, e in found]
    if answer_type.kind == "number":  # any measure word: it must be a word of its own
        found = [(s, e) for s, e in found if _ends_in_unit_word(folded, s, e)]
    if answer_type.ordinal:  # 第几站: the value is 第四站 (第 四站 on a PDF line)
        lead = [len(folded[:s].rstrip()) - 1 for s, _ in found]
        found = [(b, e) if b >= 0 and folded[b] == "第" else (s, e) for (s, e), b in zip(found, lead)]
    return found


def _ends_in_unit_word(text: str, start: int, end: int) -> bool:
    """True when the value ``text[start:end]`` ends in no measure word, or in one that is a
    word of its own (``unit_is_word``)."""
    unit = next((u for u in _MEASURE_BY_LENGTH if text.endswith(u, start, end)), None)
    return unit is None or unit_is_word(text, end - len(unit), unit)
