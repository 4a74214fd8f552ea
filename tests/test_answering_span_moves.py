"""Span moves (answering.span_moves): one test per rule, on the passage, and the pipeline order
(``reading.answer_bounds``)."""
from __future__ import annotations

import pytest

from answering.answer_type import expected_type
from answering.query import question_echoes
from answering.span_moves import (category_clause, counted_value, cut_echo, listed_enumeration, whole_category,
                                  whole_list, whole_title)


def _move(move, passage: str, span: str, *before, **options) -> tuple[tuple[int, int], tuple[int, int]]:
    """``(moved, own)``: the ``(start, end)`` that ``move(*before, passage, start, end,
    **options)`` returns for the first ``span`` of ``passage``, and that span's own."""
    at = passage.index(span)
    return move(*before, passage, at, at + len(span), **options), (at, at + len(span))


#: 铜仁's sentence of the second news trial (t4-13): the reader read 1.2 of 1.2万元 for 多少箱水果
_TONGREN = "铜仁市邮政分公司拨专款1.2万元购买600副手套、1000个医用口罩、200份盒饭、40箱水果、100份蛋糕和面包。其余30箱送往贵阳。"


#: two enumerations in one sentence, each named by its kind (second and third news trials)
_QIANNAN = "黔南州邮政分公司工会为投递员送去了糕点、牛奶、方便面等食品和防寒手套、护膝等劳保用品，给职工食堂送去了肉类、蔬菜等食材。"


_ZUNYI = "11月8日，遵义市邮政分公司领导为员工带去了方便面、牛奶、自热米饭等慰问品和1600个口罩，还为投递员送去了保温杯。"


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
    (s, e), _ = _move(whole_list, passage, span)
    assert passage[s:e] == items


@pytest.mark.parametrize("passage, span", [
    ("聚焦赛前、赛中、赛后3个重要节点", "赛前、赛中、赛后"),        # already the enumeration
    ("开发了多个优质物流客户，收入增长。", "多个优质物流客户"),  # no enumeration next to it
    ("收入从100万元增长到800万元，实现翻番。", "800万元"),
])
def test_list_widening_leaves_spans_without_an_enumeration_next_to_them(passage, span):
    moved, own = _move(whole_list, passage, span)
    assert moved == own


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
    # fourth news trial: a name runs on to its category word
    ("自治区", "阿克陶县位于新疆维吾尔自治区西南部", "新疆", "新疆维吾尔自治区"),
    ("自治區", "阿克陶縣位於新疆維吾爾自治區西南部", "新疆", "新疆維吾爾自治區"),
    ("大学", "他后来就读于中国人民大学", "中国", "中国人民大学"),
    ("省", "四川是人口大省", "四川", "四川"),                         # a verb first
    ("城市", "上海这座城市", "上海", "上海"),
])
def test_a_span_cut_before_its_categorys_last_character_takes_it(category, passage, span, whole):
    (s, e), _ = _move(whole_category, passage, span, category)
    assert passage[s:e] == whole


@pytest.mark.parametrize("passage, span, whole", [
    ("研究制定了《综合物流服务方案》，", "综合物流服务方案", "《综合物流服务方案》"),
    ("研究制定了《综合物流服务方案》，", "综合物流服务", "综合物流服务"),        # not enclosed exactly
    ("本剧播出前剧名《西南军魂》", "《西南军魂》", "《西南军魂》"),
    ("称为「第一公民」", "第一公民", "第一公民"),                             # 「」 references leave them out as often
])
def test_a_span_the_title_marks_enclose_takes_them(passage, span, whole):
    (s, e), _ = _move(whole_title, passage, span)
    assert passage[s:e] == whole


@pytest.mark.parametrize("passage, span, items", [
    # cold review: 和/及 join the last item; the first item is its nouns
    ("代表团来自中国、美国和日本。", "日本", "中国、美国和日本"),
    ("代表团来自中国、美国和日本。", "中国", "中国、美国和日本"),
    ("主要分布于欧洲、北美（美国和加拿大）和亚洲北部。", "亚洲北部", "欧洲、北美（美国和加拿大）和亚洲北部"),
    ("经过乍都节县、律实县及廊曼县，合并拍凤裕庭路。", "廊曼县", "乍都节县、律实县及廊曼县"),
])
def test_whole_list_reads_joined_last_items(passage, span, items):
    (s, e), _ = _move(whole_list, passage, span)
    assert passage[s:e] == items


@pytest.mark.parametrize("passage, span", [
    # cold review: an enumeration earlier in the clause, its last "item" a clause
    ("北京市邮政分公司、上海市邮政分公司为快递员提供了免费体检和意外保险。", "免费体检和意外保险"),
    ("该公司在贵阳、遵义建立了3个仓库。", "3个"),
    ("“赛前、赛中、赛后是三个节点”", "三个节点"),
])
def test_whole_list_leaves_a_span_after_a_clause(passage, span):
    moved, own = _move(whole_list, passage, span)
    assert moved == own


def test_whole_list_takes_offsets_past_the_text():
    assert whole_list("abc", 5, 9) == (5, 9)
    assert whole_category("高原", "abc", 5, 9) == (5, 9) and whole_title("abc", 5, 9) == (5, 9)


def test_an_item_read_up_to_the_clause_end_stops_at_a_count():
    passage = "聚焦赛前、赛中、赛后3个重要节点，明确专人负责。"
    at = passage.index("赛中")
    s, e = whole_list(passage, at, at + 2)
    assert passage[s:e] == "赛前、赛中、赛后"


@pytest.mark.parametrize("question, passage, span, value", [
    ("铜仁市邮政分公司用专款买了多少箱水果送到投递一线？", _TONGREN, "1.2", "40箱"),
    ("铜仁市邮政分公司用专款买了多少箱水果送到投递一线？", _TONGREN, "600副", "40箱"),   # another unit
    ("铜仁市邮政分公司用专款买了多少箱水果送到投递一线？", _TONGREN, "40箱", "40箱"),     # already the value
    ("铜仁市分公司买了多少个医用口罩？", _TONGREN, "手套", "1000个"),
    ("共处理了多少邮件？", "累计处理邮件1794.6万件，其中包裹800万件。", "累计", "1794.6万件"),   # a number question's noun
])
def test_a_span_not_of_the_counted_kind_moves_to_the_quantity_next_to_the_counted_noun(question, passage, span, value):
    (s, e), _ = _move(counted_value, passage, span, expected_type(question))
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
    moved, own = _move(counted_value, passage, span, expected_type(question))
    assert moved == own


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
    (s, e), _ = _move(cut_echo, passage, span, question_echoes(question))
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
    # fourth news trial: the kind written right after the last item is no part of it
    ("职责体系", "强化和清晰决策、咨询、管理职责体系。", "决策、咨询、管理职责体系", "决策、咨询、管理"),
    ("職責體系", "強化和清晰決策、諮詢、管理職責體系。", "決策、諮詢、管理職責體系", "決策、諮詢、管理"),
    ("体系", "强化决策、管理体系。", "管理体系", "管理体系"),            # no enumeration in the span
    # seed gz-07, CMRC validation: X ending the last item's word is part of it
    ("菜", "午餐有豆干肉丝、炒芹菜。", "豆干肉丝、炒芹菜", "豆干肉丝、炒芹菜"),
    ("族", "包含扁掌龙族、倾齿龙族。", "扁掌龙族、倾齿龙族", "扁掌龙族、倾齿龙族"),
    ("方式", "开展学习、宣讲相结合的方式。", "学习、宣讲相结合的方式", "学习、宣讲相结合的方式"),   # no item is left
])
def test_a_list_question_reads_the_enumeration_its_sentence_names_as_the_asked_kind(listed, passage, span, items):
    (s, e), _ = _move(listed_enumeration, passage, span, listed)
    assert passage[s:e] == items


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
    (s, e), _ = _move(whole_list, passage, span, echoes=question_echoes(question))
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
    (s, e), _ = _move(category_clause, passage, span, category)
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


@pytest.mark.parametrize("question, passage, span, later, kept", [
    # fourth news trial: a who-question's span whose later clause opens with the echo
    ("为确保全程对接，衡水市分公司安排谁与赛事工作人员同车同行？", "增设检查员对配送质量进行全面检查，安排各组组长与赛事工作人员同车同行。",
     "增设检查员对配送质量进行全面检查，安排各组组长", True, "各组组长"),
    # cold review of 85272da: the first clause may be the answer
    ("他在比赛中获得了什么？", "他在比赛中获得金牌，获得了观众的掌声。", "金牌，获得了观众的掌声", False,
     "金牌，获得了观众的掌声"),
])
def test_a_later_clause_opening_with_the_echo_is_cut_to_only_when_asked(question, passage, span, later, kept):
    (s, e), _ = _move(cut_echo, passage, span, question_echoes(question), later_clauses=later)
    assert passage[s:e] == kept


@pytest.mark.parametrize("listed, passage, span, kept", [
    # cold review of 85272da: the kind every item ends with stays
    ("分公司", "衡水市分公司、邵阳市分公司", "衡水市分公司、邵阳市分公司", "衡水市分公司、邵阳市分公司"),
    ("项目", "扶贫项目、教育项目", "扶贫项目、教育项目", "扶贫项目、教育项目"),
    ("体系", "决策、管理 体系", "决策、管理 体系", "决策、管理"),                  # no trailing space
])
def test_the_asked_kind_every_item_ends_with_stays(listed, passage, span, kept):
    (s, e), _ = _move(listed_enumeration, passage, span, listed)
    assert passage[s:e] == kept


@pytest.mark.parametrize("category, passage, whole", [
    # cold review of 85272da: a common noun between is no name running on
    ("省", "河南粮食大省地位稳固", "河南"),
    ("自治区", "位于新疆维吾尔自治区", "新疆维吾尔自治区"),
])
def test_a_name_runs_on_to_its_category_word_only_through_names(category, passage, whole):
    at = passage.index(whole[:2])
    s, e = whole_category(category, passage, at, at + 2)
    assert passage[s:e] == whole


def test_the_moves_are_listed_in_the_order_answer_bounds_applies_them():
    """``python -m answering rules`` lists ``BEFORE_TRIMS`` and ``AFTER_TRIMS``; the order is
    ``reading.answer_bounds``' (cold review of 85272da: the two could drift)."""
    import inspect
    from answering.reading import answer_bounds
    from answering.span_moves import AFTER_TRIMS, BEFORE_TRIMS

    source = inspect.getsource(answer_bounds).split('"""')[-1]
    at = [source.index(name + "(") for name, _ in BEFORE_TRIMS] + [source.index("trim_span(")]
    at += [source.index(name + "(") for name, _ in AFTER_TRIMS]
    assert at == sorted(at)


def test_question_echoes_end_at_the_question_word_whatever_the_line_breaks():
    assert question_echoes("力戒\n什么？") == ()                         # cold review of 85272da
    assert question_echoes("力戒什么？") == ("力戒",)


@pytest.mark.parametrize("question, asks", [
    ("阿克陶邮政为啥要提早谋划、在各村建快递服务点？", True),
    ("布拉克村的村民以前为什么每次取件都得跑到县城？", True),
    ("為什麼著陸埃歐的探測器都不需要安裝隔熱板?", True),
    ("是什么原因让村民跑县城？", True),
    ("Why did the villagers go to the county seat?", True),
    ("阿克陶县分公司在多少个行政村建立了快递服务点？", False),
    ("常州邮政如何处理进口国际邮件？", False),
])
def test_a_why_question_asks_for_a_cause(question, asks):
    from answering.query import parse_query

    assert parse_query(question).asks_cause is asks


_AKTO = ("为打通投递“最后一公里”，阿克陶县分公司提早谋划，在全县118个行政村建立了118个快递服务点，"
         "为服务点统一配备标识牌、货柜等设施。")
_BULAKE = "由于此前快递送不到村里，生活在这里的1000多名村民每次取件都要前往县城，给村民生活带来了不便。"


@pytest.mark.parametrize("passage, span, cause", [
    # second and fourth news trials: the cause or purpose opens the sentence the reader read in
    (_AKTO, "为服务点统一配备标识牌、货柜等设施", "打通投递“最后一公里”"),
    (_BULAKE, "快递送不到", "此前快递送不到村里"),
    ("探測器都不需要安裝隔熱板，因為埃歐的大氣層極端稀薄。", "隔熱板", "埃歐的大氣層極端稀薄"),
    ("村民跑县城，是因为快递送不到村里。", "村民跑县城", "快递送不到村里"),
    ("為了躲避戰亂，他們遷往南方。", "南方", "躲避戰亂"),
    # seventh news trial: a cause continued by 加上
    ("由于冬季气温低、流感等呼吸道疾病高发，加上临近元旦、春节，街头献血人数明显减少，而临床用血需求却在增加。",
     "街头献血人数明显减少", "冬季气温低、流感等呼吸道疾病高发，加上临近元旦、春节"),
    # fifth news trial: the purpose after the speaker's clause
    ("黄岭镇党委书记曾凡军说，为解决果农“卖果难”，镇里引进了清溪县绿源果业有限公司，投资1800万元。",
     "为解决果农“卖果难”，镇里引进了清溪县绿源果业有限公司，投资1800万元", "解决果农“卖果难”"),
])
def test_a_why_span_moves_to_the_cause_its_sentence_states(passage, span, cause):
    from answering.span_moves import cause_clause

    (s, e), _ = _move(cause_clause, passage, span, True)
    assert passage[s:e] == cause


@pytest.mark.parametrize("passage, span", [
    # 为 + a beneficiary, no purpose (为群众); a sentence stating no cause; two causes
    ("为群众，我们做了很多。", "很多"),
    ("阿克陶县分公司在全县建立了118个快递服务点。", "118个"),
    ("由于天冷，也因为路远，村民不去县城。", "村民不去县城"),
    # the cause clause is the whole sentence: nothing else for it to explain
    ("因为快递送不到村里。", "快递送不到"),
])
def test_cause_clause_leaves_a_span_whose_sentence_states_no_one_cause(passage, span):
    from answering.span_moves import cause_clause

    moved, own = _move(cause_clause, passage, span, True)
    assert moved == own


def test_cause_clause_applies_to_why_questions_only():
    from answering.span_moves import cause_clause

    at = _BULAKE.index("快递送不到")
    assert cause_clause(False, _BULAKE, at, at + 5) == (at, at + 5)
    assert cause_clause(True, _BULAKE, 500, 505) == (500, 505)


def test_a_list_of_a_quoted_kind_reads_the_enumeration_whose_items_open_with_it():
    """``石门村食用菌专业合作社对入社农户实行了哪几个“统一”？`` read ``合作社+基地+农户”模式``
    (fifth news trial): the items are the enumeration whose every item opens with 统一."""
    from answering.query import parse_query

    q = parse_query("石门村食用菌专业合作社对入社农户实行了哪几个“统一”？")
    assert q.listed == "统一"
    text = "2019年3月，合作社正式成立，采取“合作社+基地+农户”模式，统一提供菌棒、统一技术指导、统一保底收购、统一品牌销售。"
    at = text.index("合作社+基地")
    s, e = listed_enumeration(q.listed, text, at, at + 10)
    assert text[s:e] == "统一提供菌棒、统一技术指导、统一保底收购、统一品牌销售"
    # an enumeration some item of which does not open with the kind is not it
    other = "采取“合作社+基地+农户”模式，统一提供菌棒、技术指导、统一保底收购。"
    at = other.index("合作社+基地")
    assert listed_enumeration("统一", other, at, at + 10) == (at, at + 10)
