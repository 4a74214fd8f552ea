"""Span trims (answering.span_trim): one test per rule, the switch, and the pipeline binding."""
from __future__ import annotations

import pytest

from answering import span_trim
from answering.answer_type import expected_type, value_spans
from answering.span_trim import (TRIM_RULES, category_clause, counted_value, cut_echo, listed_enumeration, trim_place, trim_edges, trim_paragraph, whole_category, whole_title, trim_role, trim_span, trim_speaker, trim_to_value, whole_list,
                                  whole_value)


def _trimmed(question: str, span: str) -> str:
    s, e = trim_span(expected_type(question), span)
    return span[s:e]


@pytest.mark.parametrize("question, span, kept", [
    ("黔西南州分公司投入了多少慰问金？", "7.4万元，为员工做好疫情防控和奋战旺季提供了物质支撑", "7.4万元"),
    ("贵州邮政双11期间快递业务收入是多少？", "贵州邮政快递业务收入达4329.7万元", "4329.7万元"),
    ("貴州郵政雙11期間快遞業務收入是多少？", "收入達４３２９.７萬元", "４３２９.７萬元"),
    ("有多少名党员参加？", "近300名党员参加十九届六中全会精神专题辅导报告会", "近300名"),
    ("群众满意度是多少？", "群众满意度达100%。", "100%"),
    ("配餐车是哪天驶进兴仁县邮件处理中心的？", "12月8日中午", "12月8日"),
    ("这项服务带来了多少收入？", "收入规模从最初的100万元增长到800万元", "100万元增长到800万元"),
    ("双11期间发放的慰问补贴有多少？", "5.8万余人次，发放慰问补贴61万余元", "61万余元"),
    ("双11期间发放的慰问补贴有多少？", "30万元，另有61万余元", "30万元"),
    ("衡水湖国际马拉松赛从哪一年开始举办？", "2012年开始", "2012年"),
    ("中國科大的西校區最早在哪一年時興建?", "1986年的", "1986年"),
    ("秦始皇在哪一年统一六国？", "公元前221年，秦灭齐", "公元前221年"),
    ("他在哪一年出生？", "1998年4月", "1998年"),
])
def test_rule_1_value_cuts_the_span_to_the_values_of_one_clause(question, span, kept):
    assert _trimmed(question, span) == kept


@pytest.mark.parametrize("question, span, kept", [
    # DRCD validation, open-domain: the reader read the width 12到500公里; the rule kept
    # 500公里, a length the passage does not state
    ("喀爾巴阡山脈的總長度大約為多少公里?", "寬度12到500公里", "12到500公里"),
    ("这种植物生长在海拔多少米的地区？", "生长于海拔200至2300米的地区", "200至2300米"),
    ("每天有多少人参观？", "每天约3000-5000人参观", "约3000-5000人"),
    ("这条公路长多少公里？", "全长约120～150公里", "约120～150公里"),
    ("这项服务带来了多少收入？", "由100增长到800万元", "800万元"),  # a verb between: no range
    ("营收涨到了多少？", "营收从100万元涨到800万元", "800万元"),     # the end value asked for
])
def test_rule_1_value_keeps_a_range_whose_first_number_has_no_unit(question, span, kept):
    assert _trimmed(question, span) == kept


@pytest.mark.parametrize("question, span", [
    ("贵州邮政双11期间快递业务收入是多少？", "业务量收均创历史新高"),   # no value: unchanged
    ("这一概念从哪一年代之后兴起？", "1960年代"),                     # a decade is no year value
    ("佛教艺术最早可以追溯至哪一年？", "2500年前"),                     # nor "years ago"
    ("这家公司在哪里？", "贵阳市南明区"),                                # no trim for places
    # DRCD validation in Simplified: 次 of 次方 is no measure word, so 14次 is no value
    ("恒星的质量一定都会大于多少？", "10的−14次方太阳质量"),
])
def test_rule_1_value_leaves_spans_without_a_value_of_a_trimmed_kind(question, span):
    assert _trimmed(question, span) == span


MAIL = "贵阳邮区中心双11期间累计处理了多少邮件？"


@pytest.mark.parametrize("question, span, kept", [
    # the seed page: a number question's span read the clause after the value
    (MAIL, "1794.6万件，同比增长35.5%，业务量收均创历史新高。", "1794.6万件"),
    ("阿克陶县建了多少站点？", "建立了118个快递服务点", "118个"),
    # of two values, the one nearest the counted noun (review of fadf1f4: the first was kept)
    (MAIL, "累计慰问5.3万余人次，处理邮件1794.6万件", "1794.6万件"),
    (MAIL, "累计慰问5.3万余人次、处理郵件1794.6万件", "1794.6万件"),
    (MAIL, "处理邮件1794.6万件，慰问5.3万余人次", "1794.6万件"),
    (MAIL, "处理邮件100到200万件", "100到200万件"),        # a range's unit-less first number stays
    (MAIL, "累计慰问5.3万余人次，发放补贴", "5.3万余人次"),  # no value next to the noun: as rule 1
])
def test_rule_1b_counted_cuts_a_number_question_s_span_to_the_value_of_its_noun(question, span, kept):
    assert _trimmed(question, span) == kept


@pytest.mark.parametrize("question", ["增长的部分有多少？", "How many parcel service points did Akto set up?"])
def test_rule_1b_counted_leaves_a_number_question_that_counts_no_noun(question):
    # an English question's span is judged by its value share (reading.CROSS_LANGUAGE_VALUE_SHARE)
    span = "为投递员送上热饭、饮料等慰问品，慰问投递员1200多人"
    assert _trimmed(question, span) == span


@pytest.mark.parametrize("span, kept", [
    ("李妙称赞道。", "李妙"), ("张耿群说。", "张耿群"), ("李妙称", "李妙"), ("于雷表示，", "于雷"),
    ("张耿群", "张耿群"), ("说", "说"),
])
def test_rule_2_speaker_cuts_a_trailing_speech_verb(span, kept):
    s, e = trim_speaker(expected_type("负责人是谁？"), span)
    assert span[s:e] == kept


@pytest.mark.parametrize("question, span, kept", [
    ("衡水邮政这块的营收涨到了多少？", "收入规模从最初的100万元增长到800万元", "800万元"),
    ("员工人数增加到了多少人？", "员工从120人增加到300人，", "300人"),
    ("發電量佔比提升至多少？", "發電量佔比由35%提升至48%", "48%"),
    ("风电占比提高到百分之多少？", "风电占比由35%提高到48%", "48%"),
    ("员工人数增加了多少人？", "员工从120人增加到300人", "120人增加到300人"),   # the change, not its end
    ("营收涨到了多少？", "营收从100万元涨到800万元和200万元", "800万元"),      # the value after 到
    ("每户能领到多少钱？", "每户领到500元补贴及200元消费券", "500元补贴及200元"),  # 领到: no change
    ("共收到多少件捐赠物资？", "收到衣物3000件及图书500件", "3000件及图书500件"),
])
def test_rule_1_value_keeps_the_end_value_when_the_question_asks_what_a_change_reached(question, span, kept):
    assert _trimmed(question, span) == kept


@pytest.mark.parametrize("question, span, kept", [
    ("衡水市分公司寄递事业部物流部经理叫什么名字？", "衡水市分公司寄递事业部物流部经理于雷说", "于雷"),
    ("阿克陶县邮政分公司的总经理是谁？", "阿克陶县邮政分公司总经理张耿群", "张耿群"),
    ("這支球隊的總教練是誰？", "球隊總教練：林書豪", "林書豪"),
    ("阿克陶县邮政分公司的总经理是谁？", "张耿群", "张耿群"),       # no role in the span
    ("阿克陶县邮政分公司的总经理是谁？", "总经理", "总经理"),       # nothing after the role
    ("谁主持了会议？", "党委书记王军", "党委书记王军"),             # the question names no role
    ("总经理是谁？", "总经理张耿群和副总经理李明", "张耿群和副总经理李明"),  # the first mention, a whole word
    ("该公司的经理是谁？", "总经理助理王五", "总经理助理王五"),     # 经理 only inside other words
    ("董事长是谁？", "董事长为王石", "董事长为王石"),               # no name right after the role
])
def test_rule_3_role_cuts_the_role_the_question_names(question, span, kept):
    assert _trimmed(question, span) == kept
    t = expected_type(question)
    s, e = trim_role(t, span)
    assert (s, e) == ((0, len(span)) if kept == span else (span.index(kept), len(span)))


@pytest.mark.parametrize("span, kept", [
    ("毛利家的", "毛利家"),               # a modifier 的 after a noun: the head was cut off
    ("西元前1534年的", "西元前1534年"),
    ("的水軍", "水軍"),                   # a leading 的: the modifier was cut off
    ("文章奧府」，", "文章奧府"),          # trailing clause mark and an unmatched closer
    ("「奧古斯都", "奧古斯都"),            # an unmatched opener
    ("《中華人民共和國村民委員會組織法", "中華人民共和國村民委員會組織法"),
    ("《西南军魂》，", "《西南军魂》"),
    ("、口罩、手套", "口罩、手套"),
    ("。衡水湖", "衡水湖"),
    ("销往全国各地。“", "销往全国各地。"),  # seed akto-07: an opener at the end opens the next clause
    ("口罩（", "口罩"),
    ("了一倍", "一倍"),                   # news trial: 比以前多了多少？ read 了一倍 of 多了一倍
    ("过三次", "三次"),                   # a leading aspect particle: no reference begins with one
])
def test_rule_4_edges_strips_what_no_answer_begins_or_ends_with(span, kept):
    s, e = trim_edges(None, span)
    assert span[s:e] == kept
    assert _trimmed("这是什么？", span) == kept      # for any question, typed or not


@pytest.mark.parametrize("span", [
    "因為該處是最溫暖的",       # 的 after an adjective: a whole nominal predicate
    "目的", "的士", "《西南军魂》", "“四个更大”重要要求", "7.4万元。", "，", "的", ".NET框架",
    "了解情况", "过去的一年", "着陆点",     # 了/过/着 inside a word
])
def test_rule_4_edges_leaves_complete_spans(span):
    assert trim_edges(None, span) == (0, len(span))


def test_a_rule_switched_off_leaves_the_span(monkeypatch):
    q, span = "群众满意度是多少？", "群众满意度达100%。"
    monkeypatch.setattr(span_trim, "DISABLED", {"value"})
    assert _trimmed(q, span) == span
    assert trim_to_value(expected_type(q), span) != (0, len(span))  # the rule itself still trims


def test_an_untyped_question_gets_only_the_edges_and_the_kept_part_is_never_empty():
    assert trim_span(None, "7.4万元，为员工") == (0, len("7.4万元，为员工"))   # no value trim
    assert trim_span(None, "7.4万元，") == (0, len("7.4万元"))                 # the edges rule
    for rule in TRIM_RULES:
        for span in ("", "。", "说"):
            s, e = trim_span(expected_type("负责人是谁？" if "person" in (rule.kinds or ()) else "投入了多少慰问金？"), span)
            assert (s, e) == (0, len(span))


def test_value_spans_offsets_index_the_raw_text():
    t = expected_type("快递业务收入是多少？")
    text = "貴州郵政收入達４３２９.７萬元，增長46.8%"
    [(s, e)] = value_spans(t, text)
    assert text[s:e] == "４３２９.７萬元"
    assert value_spans(expected_type("这家公司在哪里？"), text) == []


def test_the_short_answer_is_the_trimmed_span_with_its_passage_offsets():
    """The reader reads a clause; the answer is the value, its offsets into the passage,
    inside the citation quote."""
    from tests.test_answering_reading import FakeReader, _assistant

    a = _assistant(FakeReader("达4329.7万元，同比增长46.8%")).ask("贵州邮政双11期间快递业务收入是多少？", top_k=3)
    s = a.short_answer
    assert s is not None and s.text == "4329.7万元"
    passage = next(h.passage for h in a.passages if h.passage.id == s.passage_id)
    assert passage.text[s.start:s.end] == "4329.7万元"
    c = next(c for c in a.citations if c.number == s.citation)
    assert c.quote_start <= s.start < s.end <= c.quote_end


def test_offset_fold_keeps_the_length_so_offsets_index_the_raw_text():
    from text.fold import offset_fold

    for text in ("總經理：林書豪", "收入達４３２９.７萬元", "頭髮", ""):
        assert len(offset_fold(text)) == len(text)
    assert offset_fold("總經理：林書豪") == "总经理：林书豪"
    assert offset_fold("收入達４３２９.７萬元") == "收入达4329.7万元"


@pytest.mark.parametrize("question, passage, span, whole", [
    # DRCD validation, open-domain: the XLM-R pieces are 4|個國家 and 5|月|20|日; the reader
    # read 4 and 5月20, values the passage does not state on their own
    ("中國科大內共設有幾個國家人才培養基地?", "學校有國家重點學科建設項目以及4個國家人才培養基地。", "4", "4個"),
    ("蔣中正為第一屆中華民國總統，並於何時於南京舉行就職?", "兩人於5月20日於南京舉行就職典禮。", "5月20", "5月20日"),
    ("贵州邮政双11期间快递业务收入是多少？", "快递业务收入达4329.7万元，同比增长46.8%", "4329.7", "4329.7万元"),
    ("衡水湖国际马拉松赛从哪一年开始举办？", "赛事自2012年开始举办", "2012", "2012年"),
    ("配餐车是哪天驶进处理中心的？", "12月8日中午驶进", "12月8", "12月8日"),
    ("有多少名党员参加？", "近300名党员参加了报告会", "300名", "近300名"),
    # seed gz-11 (a number question, no measure word in it): the reader read 1200 of 1200多人
    ("贵阳市邮政分公司总经理吴沛带队慰问了多少投递员？", "吴沛带队慰问了1200多人。", "1200", "1200多人"),
    ("約多少人口生活在於庫頁島上?", "島上人口約49.3萬人。", "49.3", "約49.3萬人"),
    ("邮件量增长了多少？", "同比增长35.5%，创新高", "35.5", "35.5%"),   # a number may be a percentage
    ("他们一共捐了多少？", "共捐出1200人民币", "1200", "1200人民币"),   # or an amount of money
    # an ordinal question's value holds its 第 (news trial: 第几站？ read 四站 of 第四站; 16 of
    # the 19 CMRC and DRCD 第几 references begin with 第)
    ("2021年的衡水湖马拉松同时是全国马拉松锦标赛的第几站？", "全国马拉松锦标赛（第四站）日前开赛", "四站", "第四站"),
    ("托木斯克州的公路總長位居俄聯邦的第幾位?", "公路總長位居俄聯邦第63位。", "63位", "第63位"),
    ("全国马拉松锦标赛的第几站？", "锦标赛（第 四站）开赛", "四站", "第 四站"),        # a PDF space
    # third news trial (n3-07): an approximate numeral before a multiplier is part of the value
    ("「衡馬」賽場上的郵政車隊綿延多長？", "邮政车队绵延数百米，场面壮观", "百米", "数百米"),
    ("参赛的大概有多少人？", "当时参赛的只有几千人", "千人", "几千人"),
    # cold review: 数 of 人数 is no numeral of the value
    ("有多少人参会？", "本次会议参会人数百余人。", "百余", "百余人"),
    ("有多少人參會？", "本次會議參會人數千餘人。", "千餘", "千餘人"),
])
def test_whole_value_widens_a_span_that_cuts_a_value_of_the_expected_type(question, passage, span, whole):
    at = passage.index(span)
    s, e = whole_value(expected_type(question), passage, at, at + len(span))
    assert passage[s:e] == whole


@pytest.mark.parametrize("question, passage, span", [
    ("中國科大內共設有幾個國家人才培養基地?", "以及4個國家人才培養基地。", "4個"),   # already whole
    ("蟹狀星雲的波霎擁有多快的自轉速率？", "自轉速率為每秒30轉。", "每秒30"),        # untyped
    ("他是谁？", "董事长王石于2012年卸任", "王石"),                               # no value kind
    ("有多少名党员参加？", "共300名党员，另有50名群众", "300名"),                  # the next value is not cut
    ("阿克陶县建了多少站点？", "建成118个快递服务点，覆盖2012年以来", "118个"),     # already whole
    ("阿克陶县建了多少站点？", "自2012年起建成服务点", "2012"),                       # a calendar year is no number value
    ("有多少学生？", "共有1200年轻人报名", "1200"),      # 年 of 年轻人 is no measure word (review of 2ae5ee7)
    ("有多少学生？", "开设了3站点", "3"),
    ("有多少个站？", "建成第四个站", "四个"),     # 第 only for a question asking 第几
])
def test_whole_value_leaves_spans_that_cut_no_value_of_the_expected_type(question, passage, span):
    at = passage.index(span)
    assert whole_value(expected_type(question), passage, at, at + len(span)) == (at, at + len(span))


def test_whole_value_switched_off_leaves_the_span(monkeypatch):
    monkeypatch.setattr(span_trim, "DISABLED", {"whole_value"})
    passage = "以及4個國家人才培養基地。"
    assert whole_value(expected_type("共設有幾個國家人才培養基地?"), passage, 2, 3) == (2, 3)


def test_the_short_answer_is_the_whole_value_the_reader_cut():
    """The reader reads the bare number; the short answer is the value with its unit."""
    from tests.test_answering_reading import FakeReader, _assistant

    a = _assistant(FakeReader("4329.7")).ask("贵州邮政双11期间快递业务收入是多少？", top_k=3)
    s = a.short_answer
    assert s is not None and s.text == "4329.7万元"
    passage = next(h.passage for h in a.passages if h.passage.id == s.passage_id)
    assert passage.text[s.start:s.end] == "4329.7万元"


def test_value_share_is_the_share_of_the_span_inside_values_of_the_expected_type():
    from answering.span_trim import value_share

    number = expected_type("贵阳市邮政分公司总经理吴沛带队慰问了多少投递员？")
    assert value_share(number, "1200多人") == 1.0
    assert value_share(number, "慰问投递员1200多人") == 6 / 11
    assert value_share(number, "吴沛") == 0.0
    assert value_share(None, "1200多人") == 0.0 and value_share(number, "") == 0.0


@pytest.mark.parametrize("passage, span, items", [
    # news trial: the count or umbrella word after an enumeration was read, not its items
    ("聚焦赛前、赛中、赛后3个重要节点，明确专人负责。", "3个", "赛前、赛中、赛后"),
    ("借赛事服务相继开发了烟草、葵花、中粮等多个优质物流客户，收入增长。", "多个优质物流客户", "烟草、葵花、中粮"),
    ("规范开展快递配送、签收登记、末端消杀等工作。", "工作", "快递配送、签收登记、末端消杀"),
    # one item of an enumeration was read (CMRC validation: 欧洲 of 欧洲、北美…)
    ("主要分布于欧洲、北美（美国和加拿大）和亚洲北部。", "欧洲", "欧洲、北美（美国和加拿大）和亚洲北部"),
    ("为服务点统一配备标识牌、货柜等设施", "货柜", "标识牌、货柜"),
    # a span holding an enumeration is cut to it (seed and news trial: clause frames, 等X)
    ("为服务点统一配备标识牌、货柜等设施", "为服务点统一配备标识牌、货柜等设施", "标识牌、货柜"),
    ("累计寄递证照邮件5.45万件，实现零丢失、零投诉，群众满意度达100%。",
     "5.45万件，实现零丢失、零投诉，群众满意度达100%。", "零丢失、零投诉"),
    ("全程佩戴口罩、手套、护目镜等防护用品，筑牢屏障。", "口罩、手套、护目镜等防护用品，筑牢屏障。", "口罩、手套、护目镜"),
    ("负责人有中邮人寿江西分公司、中邮证券江西分公司", "中邮人寿江西分公司、中邮证券江西分公司",
     "中邮人寿江西分公司、中邮证券江西分公司"),
    # third news trial (n3-23): a span holding the enumeration stopped before its last item's
    # verb; an item written as noun + verb (项目跟进) ends where the enumeration does (上, 等)
    ("一致认为邮政在品牌信誉、运能保障、人员调配、项目跟进上更胜一筹。", "在品牌信誉、运能保障、人员调配、项目",
     "品牌信誉、运能保障、人员调配、项目跟进"),
    ("做好品牌信誉、项目跟进等工作。", "品牌信誉、项目", "品牌信誉、项目跟进"),
    ("北京、上海举办了会议。", "北京、上海", "北京、上海"),                # the verb is the clause's
    ("会议选在北京、上海举行，为期三天。", "北京、上海", "北京、上海"),      # cold review: a clause mark ends the verb's clause
])
def test_a_list_question_reads_the_whole_enumeration_next_to_its_span(passage, span, items):
    at = passage.index(span)
    s, e = whole_list(passage, at, at + len(span))
    assert passage[s:e] == items


@pytest.mark.parametrize("passage, span", [
    ("聚焦赛前、赛中、赛后3个重要节点", "赛前、赛中、赛后"),        # already the enumeration
    ("开发了多个优质物流客户，收入增长。", "多个优质物流客户"),  # no enumeration next to it
    ("收入从100万元增长到800万元，实现翻番。", "800万元"),
])
def test_list_widening_leaves_spans_without_an_enumeration_next_to_them(passage, span):
    at = passage.index(span)
    assert whole_list(passage, at, at + len(span)) == (at, at + len(span))


def test_which_several_is_a_list_question():
    from answering.terms import is_list_question
    assert is_list_question("于雷说疫情防控要聚焦哪几个重要节点？")
    assert is_list_question("午餐有哪幾個菜？")
    assert is_list_question("邵阳邮政驻政务中心团队寄递证照邮件做到了哪两个“零”？")


@pytest.mark.parametrize("span, kept", [
    # seed gz-23: a sub-heading and the paragraph after it were read as one span
    ("营造旺季生产氛围\n贵阳邮区中心是全省邮件处理的神经中枢", "贵阳邮区中心是全省邮件处理的神经中枢"),
    ("神经中枢。\n面对", "神经中枢。"),
])
def test_a_span_keeps_its_longest_paragraph(span, kept):
    s, e = trim_paragraph(None, span)
    assert span[s:e] == kept
    assert _trimmed("贵阳邮区中心在全省邮件处理中是什么地位？", span) == kept


@pytest.mark.parametrize("question, category", [
    ("兴仁县属于贵州的哪个自治州？", "自治州"),
    ("西雙版納全境位於哪一個高原之上?", "高原"),
    ("贵州邮政双11期间快递业务收入是多少？", None),
    ("衡水郵政在賽事剛舉辦時研究制定了什麼方案？", None),   # 什么X: the seed's references leave X out
])
def test_a_which_question_asks_for_an_instance_of_its_category(question, category):
    from answering.query import parse_query
    assert parse_query(question).category == category


@pytest.mark.parametrize("category, passage, span, whole", [
    # news trial: 兴仁县属于贵州的哪个自治州？ read 黔西南布依族苗族自治 of …自治州; DRCD validation:
    # 西雙版納全境位於哪一個高原之上? read 雲貴高 of 雲貴高原
    ("自治州", "黔西南布依族苗族自治州兴仁县", "黔西南布依族苗族自治", "黔西南布依族苗族自治州"),
    ("高原", "全境位於雲貴高原之上", "雲貴高", "雲貴高原"),
    ("高原", "全境位於雲貴高原之上", "雲貴高原", "雲貴高原"),       # whole already
    ("高原", "位於雲貴地區", "雲貴", "雲貴"),                           # the next character is not 原
    ("方案", "研究制定了《综合物流服务方案》", "综合物流服务", "综合物流服务方案"),   # news trial 2
    ("自治州", "黔西南布依族苗族自治州兴仁县", "黔西南布依族苗族", "黔西南布依族苗族自治州"),
    ("国家", "来自中国家庭的学生", "中国", "中国"),   # cold review: 中国家 is no word
])
def test_a_span_cut_before_its_categorys_last_character_takes_it(category, passage, span, whole):
    at = passage.index(span)
    s, e = whole_category(category, passage, at, at + len(span))
    assert passage[s:e] == whole


@pytest.mark.parametrize("passage, span, whole", [
    ("研究制定了《综合物流服务方案》，", "综合物流服务方案", "《综合物流服务方案》"),
    ("研究制定了《综合物流服务方案》，", "综合物流服务", "综合物流服务"),        # not enclosed exactly
    ("本剧播出前剧名《西南军魂》", "《西南军魂》", "《西南军魂》"),
    ("称为「第一公民」", "第一公民", "第一公民"),                             # 「」 references leave them out as often
])
def test_a_span_the_title_marks_enclose_takes_them(passage, span, whole):
    at = passage.index(span)
    s, e = whole_title(passage, at, at + len(span))
    assert passage[s:e] == whole


@pytest.mark.parametrize("passage, span, items", [
    # cold review: 和/及 join the last item; the first item is its nouns
    ("代表团来自中国、美国和日本。", "日本", "中国、美国和日本"),
    ("代表团来自中国、美国和日本。", "中国", "中国、美国和日本"),
    ("主要分布于欧洲、北美（美国和加拿大）和亚洲北部。", "亚洲北部", "欧洲、北美（美国和加拿大）和亚洲北部"),
    ("经过乍都节县、律实县及廊曼县，合并拍凤裕庭路。", "廊曼县", "乍都节县、律实县及廊曼县"),
])
def test_whole_list_reads_joined_last_items(passage, span, items):
    at = passage.index(span)
    s, e = whole_list(passage, at, at + len(span))
    assert passage[s:e] == items


@pytest.mark.parametrize("passage, span", [
    # cold review: an enumeration earlier in the clause, its last "item" a clause
    ("北京市邮政分公司、上海市邮政分公司为快递员提供了免费体检和意外保险。", "免费体检和意外保险"),
    ("该公司在贵阳、遵义建立了3个仓库。", "3个"),
    ("“赛前、赛中、赛后是三个节点”", "三个节点"),
])
def test_whole_list_leaves_a_span_after_a_clause(passage, span):
    at = passage.index(span)
    assert whole_list(passage, at, at + len(span)) == (at, at + len(span))


def test_whole_list_takes_offsets_past_the_text():
    assert whole_list("abc", 5, 9) == (5, 9)
    assert whole_category("高原", "abc", 5, 9) == (5, 9) and whole_title("abc", 5, 9) == (5, 9)


def test_an_item_read_up_to_the_clause_end_stops_at_a_count():
    passage = "聚焦赛前、赛中、赛后3个重要节点，明确专人负责。"
    at = passage.index("赛中")
    s, e = whole_list(passage, at, at + 2)
    assert passage[s:e] == "赛前、赛中、赛后"


#: 铜仁's sentence of the second news trial (t4-13): the reader read 1.2 of 1.2万元 for 多少箱水果
_TONGREN = "铜仁市邮政分公司拨专款1.2万元购买600副手套、1000个医用口罩、200份盒饭、40箱水果、100份蛋糕和面包。其余30箱送往贵阳。"


@pytest.mark.parametrize("question, passage, span, value", [
    ("铜仁市邮政分公司用专款买了多少箱水果送到投递一线？", _TONGREN, "1.2", "40箱"),
    ("铜仁市邮政分公司用专款买了多少箱水果送到投递一线？", _TONGREN, "600副", "40箱"),   # another unit
    ("铜仁市邮政分公司用专款买了多少箱水果送到投递一线？", _TONGREN, "40箱", "40箱"),     # already the value
    ("铜仁市分公司买了多少个医用口罩？", _TONGREN, "手套", "1000个"),
    ("共处理了多少邮件？", "累计处理邮件1794.6万件，其中包裹800万件。", "累计", "1794.6万件"),   # a number question's noun
])
def test_a_span_not_of_the_counted_kind_moves_to_the_quantity_next_to_the_counted_noun(question, passage, span, value):
    at = passage.index(span)
    s, e = counted_value(expected_type(question), passage, at, at + len(span))
    assert passage[s:e] == value


@pytest.mark.parametrize("question, passage, span", [
    # the noun's quantity is in another sentence: not the span's
    ("铜仁市邮政分公司用专款买了多少箱水果？", "拨专款1.2万元购买手套。另购40箱水果。", "1.2"),
    # two quantities next to the noun in the sentence: which one is not the rule's to say
    ("一共买了多少箱水果？", "去年买了30箱水果，今年买了40箱水果。", "去年"),
    # no counted noun in the question
    ("一共买了多少箱？", _TONGREN, "1.2"),
    # not a count question
    ("铜仁市邮政分公司拨了多少专款？", _TONGREN, "手套"),
])
def test_counted_value_leaves_a_span_it_cannot_tie_to_one_quantity(question, passage, span):
    at = passage.index(span)
    assert counted_value(expected_type(question), passage, at, at + len(span)) == (at, at + len(span))


def test_counted_value_takes_offsets_past_the_text_and_no_type():
    assert counted_value(expected_type("买了多少箱水果？"), "abc", 5, 9) == (5, 9)
    assert counted_value(None, _TONGREN, 0, 3) == (0, 3)


@pytest.mark.parametrize("question, passage, span, kept", [
    # third news trial (n3-28): the span opened with the question's verb right before 什么
    ("江苏省邮政分公司要求全省邮政在学习全会精神时力戒什么？", "加强统筹协调，力戒形式主义、官僚主义，把工作做实。",
     "力戒形式主义、官僚主义", "形式主义、官僚主义"),
    ("渡川之战发生于什么时候？", "渡川之战发生于天正3年（1575年）。", "发生于天正3年（1575年）", "天正3年（1575年）"),
    ("這個組織叫什麼？", "这个组织叫红旗窗口。", "叫红旗窗口", "叫红旗窗口"),         # one character is too little
    ("夜來香分佈在哪些地區？", "夜来香分布在亚洲、美洲。", "分布在亚洲、美洲", "亚洲、美洲"),   # any script
    ("力戒什么？", "力戒形式主义", "力戒", "力戒"),                      # nothing would be left
    # cold review: no cut inside the answer, when the words before the question word are a
    # name, a time word or a numeral phrase it is made of
    ("快递收入同比增长了百分之多少？", "快递收入同比增长了百分之十二。", "百分之十二", "百分之十二"),
    ("例会在星期几召开？", "例会定在星期三召开。", "星期三", "星期三"),
    ("他就读于北京哪所大学？", "他后来就读于北京大学。", "北京大学", "北京大学"),
    ("他就读于中国哪所大学？", "他后来就读于中国人民大学。", "中国人民大学", "中国人民大学"),
    # a mark or space after the cut words is no part of the answer
    ("会议要求力戒什么？", "会议要求力戒：形式主义。", "力戒：形式主义", "形式主义"),
    ("夜来香分布在哪些地区？", "夜来香分布在 亚洲、美洲。", "分布在 亚洲、美洲", "亚洲、美洲"),
])
def test_a_span_opening_with_the_words_before_the_question_word_drops_them(question, passage, span, kept):
    at = passage.index(span)
    s, e = cut_echo(question, passage, at, at + len(span))
    assert passage[s:e] == kept


@pytest.mark.parametrize("question, listed", [
    ("黔南州邮政工会给投递员送了哪些劳保用品？", "劳保用品"),
    ("遵义市邮政分公司领导给员工带去了哪些慰问品？", "慰问品"),
    ("阿克陶邮政给服务点负责人搞了哪几种培训？", "培训"),
    ("黔西南州分公司党委领导到哪些地方开展了慰问？", "地方"),
    ("遵義市郵政分公司帶去了哪些慰問品？", "慰问品"),                 # any script
    ("遵义市邮政分公司带去的慰问品有哪些？", None),                   # nothing after the question word
    ("兴仁县属于贵州的哪个自治州？", None),                            # not a list question
])
def test_a_list_question_asks_for_items_of_the_noun_after_its_question_word(question, listed):
    from answering.query import parse_query
    assert parse_query(question).listed == listed


#: two enumerations in one sentence, each named by its kind (second and third news trials)
_QIANNAN = "黔南州邮政分公司工会为投递员送去了糕点、牛奶、方便面等食品和防寒手套、护膝等劳保用品，给职工食堂送去了肉类、蔬菜等食材。"
_ZUNYI = "11月8日，遵义市邮政分公司领导为员工带去了方便面、牛奶、自热米饭等慰问品和1600个口罩，还为投递员送去了保温杯。"


@pytest.mark.parametrize("listed, passage, span, items", [
    ("劳保用品", _QIANNAN, "肉类、蔬菜", "防寒手套、护膝"),           # t4-14: another list of the sentence
    ("劳保用品", _QIANNAN, "糕点、牛奶、方便面", "防寒手套、护膝"),
    ("劳保用品", _QIANNAN, "防寒手套、护膝", "防寒手套、护膝"),         # already it
    ("食品", _QIANNAN, "肉类、蔬菜", "糕点、牛奶、方便面"),
    ("慰问品", _ZUNYI, "1600个口罩，还为投递员送去了保温杯。", "方便面、牛奶、自热米饭"),   # n3-22
    ("地方", _ZUNYI, "1600个口罩", "1600个口罩"),                   # no list of 地方
    ("慰问品", "遵义市带去了方便面等慰问品。另有牛奶、面包等慰问品。", "方便面", "方便面"),  # another sentence's
    ("慰问品", "带去了牛奶、面包等慰问品，又带去了米、油等慰问品。", "牛奶", "牛奶"),       # two: not the rule's to pick
    (None, _QIANNAN, "肉类、蔬菜", "肉类、蔬菜"),
    # cold review: 与 of 参与 and 和 of 共和国 are no joiners, 等 of 高等 no 等
    ("活动", "志愿者参与了植树、清扫等活动。", "清扫", "植树、清扫"),
    ("城市", "中华人民共和国的北京、上海等城市。", "北京", "北京、上海"),
    ("学校", "北京大学、清华大学为首批重点高等学校。", "北京大学、清华大学", "北京大学、清华大学"),
    # cold review: a span that is an enumeration of its own, no 等 after it, stays
    ("城市", "北京、上海、广州三个城市率先试点，杭州、南京等城市随后跟进。", "北京、上海、广州", "北京、上海、广州"),
])
def test_a_list_question_reads_the_enumeration_its_sentence_names_as_the_asked_kind(listed, passage, span, items):
    at = passage.index(span)
    s, e = listed_enumeration(listed, passage, at, at + len(span))
    assert passage[s:e] == items


@pytest.mark.parametrize("question, span, kept", [
    # third news trial (n3-19): the place and the clause it opens
    ("黔南邮政工会把肉和菜这些食材送到哪儿去了？", "职工食堂送去了肉类、蔬菜等食材，提高了员工的餐标。", "职工食堂"),
    ("首届比赛在哪里举行？", "南京市浦口区明发珍珠泉大酒店", "南京市浦口区明发珍珠泉大酒店"),   # 明发 (v) has no 了
    ("软枝黄蝉的原生地在哪里？", "原生于巴西", "原生于巴西"),                             # no noun opens it
    ("华西医院在哪里？", "成都", "成都"),
    # third news trial (n3-18): a trailing 处/那里 (its own word) makes a noun a place
    ("衡水市分公司是从哪里得知其他快递公司想参与的？", "大赛组委会处", "大赛组委会"),
    ("他从哪里得知的？", "组委会那里", "组委会"),
    ("他去了哪里？", "驻京办事处", "驻京办事处"),                       # 办事处 is one word
    ("他去了哪里？", "住处", "住处"),
    # cold review: the place after the predicate, and 处 after a quantity
    ("红军长征最终到达了哪里？", "中央红军到达了陕北吴起镇", "中央红军到达了陕北吴起镇"),
    ("地核在哪里？", "地球表面以下约2900公里处", "地球表面以下约2900公里处"),
])
def test_a_place_span_stops_before_the_predicate_it_opens(question, span, kept):
    s, e = trim_place(expected_type(question), span)
    assert span[s:e] == kept


@pytest.mark.parametrize("question, passage, span, items", [
    # third news trial (n3-21): the first item begins after the verb the question asks with
    ("铜仁市邮政分公司明确由工会负责哪些工作？", "明确由工会负责慰问物资采购、资料上报、宣传报道等工作。", "资料上报",
     "慰问物资采购、资料上报、宣传报道"),
    ("于雷说疫情防控要聚焦哪几个重要节点？", "于雷说，聚焦赛前、赛中、赛后3个重要节点。", "3个", "赛前、赛中、赛后"),
    # 如何 is no question word here: 哪幾點 is (n3-24 read 何固根基)
    ("甘肅省郵政分公司的培訓要引導幹部深入思考如何做到哪幾點？", "深入思考如何固根基、扬优势、补短板、强弱项。", "扬优势",
     "固根基、扬优势、补短板、强弱项"),
    # cold review: a name before the question word is no predicate (中国石油 keeps 中国)
    ("他投资了中国哪些企业？", "他投资了中国石油、中国石化、中国海油。", "中国石化",
     "中国石油、中国石化、中国海油"),
    ("铜仁市邮政分公司明确由工会负责哪些工作？", "明確由工會負責慰問物資採購、資料上報、宣傳報道等工作。", "資料上報",
     "慰問物資採購、資料上報、宣傳報道"),                              # Traditional
])
def test_the_first_item_begins_after_the_questions_verb(question, passage, span, items):
    from answering.span_trim import question_echoes
    at = passage.index(span)
    s, e = whole_list(passage, at, at + len(span), question_echoes(question))
    assert passage[s:e] == items


@pytest.mark.parametrize("category, passage, span, clause", [
    # third news trial (n3-17): a span across clauses keeps the one clause that is an X
    ("县", "绥阳县邮政分公司为投递员准备了早餐；湄潭县邮政分公司为员工准备了慰问品。",
     "绥阳县邮政分公司为投递员准备了早餐；湄潭县", "湄潭县"),
    ("县", "绥阳县、正安县；湄潭县准备了慰问品。", "正安县；湄潭县", "正安县；湄潭县"),   # two clauses are one
    ("县", "湄潭县邮政分公司准备了慰问品。", "湄潭县邮政分公司", "湄潭县邮政分公司"),     # one clause
    (None, "绥阳县准备了早餐；湄潭县准备了慰问品。", "绥阳县准备了早餐；湄潭县", "绥阳县准备了早餐；湄潭县"),
    # cold review: a clause ending with X that names none is no X
    ("省", "他来自四川，我国人口大省。", "四川，我国人口大省", "四川，我国人口大省"),
    ("城市", "会议在深圳举行，一座年轻的城市。", "深圳举行，一座年轻的城市", "深圳举行，一座年轻的城市"),
])
def test_a_which_span_across_clauses_keeps_the_one_clause_that_is_an_instance(category, passage, span, clause):
    at = passage.index(span)
    s, e = category_clause(category, passage, at, at + len(span))
    assert passage[s:e] == clause


def test_the_pipeline_cuts_a_which_span_to_its_clause_before_the_place_trim():
    """Third news trial (n3-17): the place trim cut ``绥阳县…准备了早餐；湄潭县`` at its first
    predicate, to 绥阳县…; the clause that is a 县 is kept first (``reading.answer_bounds``)."""
    from answering.query import parse_query
    from answering.reading import answer_bounds
    q = "哪个县的邮政分公司为邮件处理员工准备了慰问品、防疫物资和劳保用品？"
    query = parse_query(q)
    passage = "绥阳县邮政分公司为投递员、分拣员准备了热气腾腾的早餐；湄潭县邮政分公司为邮件处理员工准备了慰问品。"
    span = "绥阳县邮政分公司为投递员、分拣员准备了热气腾腾的早餐；湄潭县"
    s, e = answer_bounds(query, q, query.answer_type, passage, 0, len(span))
    assert passage[s:e] == "湄潭县"
