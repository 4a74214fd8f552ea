"""Follow-up condensing (rules, no LLM): a structured ``Condensed`` record, never a suffix."""
from __future__ import annotations

import pytest

from answering.condense import condense, condense_with_llm, follow_up_signal, is_follow_up

GZ_Q = "贵州邮政双11期间快递业务收入是多少？"
GZ_A = "今年“双11”期间，贵州邮政快递业务收入达4329.7万元[1]；贵阳邮区中心累计处理邮件1794.6万件[1]。"


def test_self_contained_question_passes_through():
    q = "衡水湖国际马拉松赛是哪一年开始举办的？"
    c = condense(q, [(GZ_Q, GZ_A)])
    assert c.text == q and c.rule == "standalone" and c.context == ()
    assert condense("  " + q + " ", []).text == q
    assert not is_follow_up(q)


def test_elliptical_follow_up_takes_the_new_entity_and_keeps_the_context():
    c = condense("那贵阳邮区中心呢？", [(GZ_Q, GZ_A)])
    assert "贵阳邮区中心" in c.text and "双11" in c.text and "收入" in c.text
    assert "贵州" not in c.text  # the entity was replaced, not added
    assert c.rule == "ellipsis" and c.context == (GZ_Q,)


@pytest.mark.parametrize("prev, x, text", [
    # an organisation named by the user replaces the whole organisation of the earlier question
    ("贵州省分公司拨付了多少慰问金？", "贵阳邮区中心", "贵阳邮区中心拨付了多少慰问金？"),
    ("常州市邮政分公司为什么开辟独立密闭场地？", "江西省邮政分公司", "江西省邮政分公司为什么开辟独立密闭场地？"),
    (GZ_Q, "贵阳邮区中心", "贵阳邮区中心双11期间快递业务收入是多少？"),
    # a bare place replaces only the place: the organisation's kind stays
    ("贵州省分公司拨付了多少慰问金？", "贵阳市", "贵阳市分公司拨付了多少慰问金？"),
    ("阿克陶县分公司在多少个行政村建立了快递服务点？", "铜仁市", "铜仁市分公司在多少个行政村建立了快递服务点？"),
    # cold review: the organisation is not the first proper noun; Traditional text
    ("吴沛带领的贵阳市邮政分公司慰问了多少投递员？", "毕节市邮政分公司", "吴沛带领的毕节市邮政分公司慰问了多少投递员？"),
    ("臺北市郵政分公司撥付了多少慰問金？", "高雄市郵政分公司", "高雄市郵政分公司撥付了多少慰問金？"),
])
def test_an_elliptical_organisation_replaces_the_earlier_organisation_whole(prev, x, text):
    """``那贵阳邮区中心呢？`` after ``贵州省分公司拨付了多少慰问金？`` was searched as
    ``贵阳邮区中心分公司拨付…`` and answered with the province's 30万元 (second new-user
    trial): only the place name was replaced, and its organisation's suffix stayed."""
    c = condense(f"那{x}呢？", [(prev, "…[1]。")])
    assert c.text == text and c.rule == "ellipsis"


def test_person_pronoun_resolved_from_previous_question():
    c = condense("他慰问了多少人？", [("吴沛是哪个单位的总经理？", "贵阳市邮政分公司[1]。")])
    assert c.text == "吴沛慰问了多少人？" and c.rule == "person" and c.carried == ("吴沛",)


def test_person_pronoun_resolved_from_previous_answer():
    hist = [("谁带领党委班子成员为投递员送上热饭？",
             "贵阳市邮政分公司党委书记、总经理吴沛带领党委班子成员，为投递员送上热饭[1]。")]
    assert condense("他慰问了多少人？", hist).text == "吴沛慰问了多少人？"


def test_other_follow_ups_carry_the_previous_topic_as_terms_not_a_question():
    c = condense("这项活动是哪个组织开展的？", [("“五送”快递员活动送什么？", "送一盒热饭[1]。")])
    assert c.text.endswith("这项活动是哪个组织开展的？") and "五送" in c.text
    assert "送什么" not in c.text and "（" not in c.text  # issue #9: not two questions glued
    assert c.rule == "context" and "五送" in c.carried


def test_follow_up_chain_resolves_through_two_turns():
    hist = [(GZ_Q, GZ_A), ("那贵阳邮区中心呢？", "贵阳邮区中心累计处理邮件1794.6万件[1]。")]
    c = condense("同比增长了多少？", hist)
    assert "贵阳邮区中心" in c.text and "增长" in c.text
    assert c.context == (GZ_Q, "那贵阳邮区中心呢？")


def test_repeating_a_question_does_not_nest():
    # issue #9: repeating a question nested the brackets
    q = "这项服务带来了多少收入？"
    hist = [("衡水邮政今年为马拉松选手寄了多少奖牌？", "……[1]。"), (q, "约1.7万元[1]。")]
    c = condense(q, hist)
    assert c.text.count(q) == 1 and "（" not in c.text and c.text.count("奖牌") <= 1


def test_a_question_naming_its_own_subject_is_never_merged():
    # issue #9: "上月快递业务量是多少？" after "纪念邮票哪天首发？" was answered about stamps
    hist = [("纪念邮票哪天首发？", "12月1日[1]。")]
    assert condense("衡水邮政今年为马拉松选手寄了多少奖牌？", hist).rule == "standalone"
    c = condense("上月快递业务量是多少？", hist)
    assert c.rule in ("standalone", "subjectless")
    assert c.standalone == "上月快递业务量是多少？"  # the Assistant falls back to it


@pytest.mark.parametrize("question, signal", [
    ("那贵阳邮区中心呢？", "ellipsis"),
    ("它离县城多远？", "anaphor"),
    ("那么贵阳邮区中心处理了多少邮件？", "connective"),
    ("同比增长多少？", "subjectless"),
    ("为什么？", "ellipsis"),
    ("衡水湖国际马拉松赛是哪一年开始举办的？", None),
    ("What about Guiyang?", "connective"),
    ("How many people did he visit?", "anaphor"),
])
def test_follow_up_signals(question, signal):
    assert follow_up_signal(question) == signal


@pytest.mark.parametrize("question", [
    # the chat, after a question about Guiyang: "its" points back at Guangdong Post, named
    # before it, and the question was searched with Guiyang's terms and refused
    "Which app platform did Guangdong Post use for its audio study sessions on the plenum?",
    "How many points did the Akto branch set up, and what did it equip them with?",
])
def test_an_english_pronoun_after_a_name_of_the_question_is_no_follow_up_signal(question):
    assert follow_up_signal(question) is None
    hist = [("贵阳邮区中心双11期间累计处理了多少邮件？", "1794.6万件[1]。")]
    assert condense(question, hist).text == question


def test_english_follow_ups():
    assert condense("What about Guiyang?", [("What was the revenue of Guizhou Post?", "...")]).text \
        == "What was the revenue of Guiyang?"
    assert condense("How many people did he visit?", [("Who is Wu Pei?", "A manager [1].")]).text \
        == "How many people did Wu Pei visit?"


def test_bad_history_is_a_clear_error():
    with pytest.raises(ValueError, match="pairs"):
        condense("他是谁？", ["just a string"])


def test_llm_condensing_uses_the_llm_and_falls_back_on_error():
    class Good:
        def complete(self, prompt, max_new_tokens=96):
            assert "那贵阳邮区中心呢？" in prompt and GZ_Q in prompt
            return "贵阳邮区中心双11期间处理了多少邮件？\n"

    class Broken:
        def complete(self, prompt, max_new_tokens=96):
            raise RuntimeError("server down")

    assert condense_with_llm(Good(), "那贵阳邮区中心呢？", [(GZ_Q, GZ_A)]).text == "贵阳邮区中心双11期间处理了多少邮件？"
    assert condense_with_llm(Broken(), "那贵阳邮区中心呢？", [(GZ_Q, GZ_A)]) == condense("那贵阳邮区中心呢？", [(GZ_Q, GZ_A)])


def test_na_plus_self_contained_question_only_drops_the_connective():
    hist = [("贵州邮政双11期间快递业务收入是多少？", "今年“双11”期间，贵州邮政快递业务收入达4329.7万元[1]。")]
    assert condense("那贵阳邮区中心处理了多少邮件？", hist).text == "贵阳邮区中心处理了多少邮件？"
    assert condense("那贵阳邮区中心呢？", hist).text != "贵阳邮区中心呢？"


def test_na_x_ne_swaps_only_a_name():
    hist = [("贵州邮政双11期间快递业务收入是多少？", "今年“双11”期间，贵州邮政快递业务收入达4329.7万元[1]。")]
    q = condense("那去年呢？", hist).text
    assert "贵州" in q and "去年" in q


GY_Q = "贵阳邮区中心双11期间累计处理邮件多少件？"
HS_Q = "衡水湖国际马拉松赛哪一年被评为金标赛事？"


def test_na_x_de_y_ne_asks_y_of_x_in_the_earlier_frame():
    """``那贵州邮政的快递业务收入呢？`` after a question about 贵阳邮区中心's mail was condensed
    to ``贵州邮政的快递业务收入邮区中心双11期间…多少件？`` (贵阳 replaced by the whole phrase) and
    answered 1794.6万件 (new-user trial). X 的 Y names a new entity and a new attribute: the
    question is Y of X, asked the way the earlier question asked (多少)."""
    c = condense("那贵州邮政的快递业务收入呢？", [(GY_Q, "1794.6万件[1]。")])
    assert c.text == "贵州邮政的快递业务收入是多少？" and c.rule == "ellipsis"
    assert "邮区中心" not in c.text and "件" not in c.text  # nothing of the old attribute
    who = condense("那国际田联的主席呢？", [("衡水湖国际马拉松赛的赛事总监是谁？", "…")])
    assert who.text == "国际田联的主席是谁？"
    # without an attribute after 的, X still replaces the earlier name
    assert condense("那贵阳邮区中心的呢？", [(GZ_Q, GZ_A)]).text.startswith("贵阳邮区中心")


@pytest.mark.parametrize("question", ["是被哪个机构评的？", "被谁评的？", "由谁主办？", "又是哪一年开始的？"])
def test_a_question_opening_with_its_predicate_carries_the_earlier_subject(question):
    """``是被哪个机构评的？`` after ``衡水湖国际马拉松赛哪一年被评为金标赛事？`` was refused: as a
    ``subjectless`` merge it was dropped because the passages never say 机构 (new-user trial).
    A question opening with its predicate (是/被/由/又 …) has no subject of its own: its merge
    is kept (rule ``context``)."""
    assert follow_up_signal(question) == "predicate"
    c = condense(question, [(HS_Q, "2019年[1]。")])
    assert c.rule == "context" and "衡水湖国际马拉松赛" in c.text
    assert follow_up_signal("上月快递业务量是多少？") == "subjectless"  # a topic of its own


def test_it_carries_the_earlier_entity_not_its_predicate():
    """``那它是从哪一年开始举办的？`` after ``衡水湖国际马拉松赛哪一年被评为金标赛事？`` carried
    ``评为金标赛事`` too, and was answered 2019年 (the year of that award) instead of 2012年
    (new-user trial). 它/其 point back at a thing: only the earlier terms that hold a name go;
    a demonstrative with a noun (这项服务) may point at an action and still carries them all."""
    c = condense("那它是从哪一年开始举办的？", [(HS_Q, "2019年[1]。")])
    assert "衡水湖国际马拉松赛" in c.text and "金标" not in c.text
    hs = condense("这项服务带来了多少收入？", [("衡水邮政今年为马拉松选手寄了多少奖牌？", "近1200枚[1]。")])
    assert "奖牌" in hs.text  # 这项服务 is the mailing of medals


def test_names_of_an_answer_that_is_a_year_or_an_amount_are_not_carried():
    """``是被哪个机构评的？`` after ``…哪一年被评为金标赛事？`` (answered with the sentence
    ``2019年，衡水湖国际马拉松赛被国际田联评为…``) carried 国际田联, the answer it asked for, and the
    reader then read ``国际`` (new-user trial). A time or an amount is not what a follow-up
    points back at; an entity answer still is (``它离县城多远？`` after ``…是哪个？``)."""
    answer = "2019年，衡水湖国际马拉松赛被国际田联评为“金标赛事”[1]。"
    assert "国际田联" not in condense("是被哪个机构评的？", [(HS_Q, answer)]).text
    village = condense("它离县城多远？", [("阿克陶县最偏远的村是哪个？", "木吉乡布拉克村是阿克陶县最偏远的乡村[1]。")])
    assert "布拉克" in village.text


@pytest.mark.parametrize("question, prev, expected", [
    ("那衡水市分公司的物流部经理呢？", "阿克陶县分公司在多少个行政村建立了快递服务点？", "衡水市分公司的物流部经理是谁？"),
    ("那遵义市邮政分公司的慰问品呢？", "12月8日兴仁县邮件处理中心员工的午餐有哪几个菜？", "遵义市邮政分公司的慰问品是什么？"),
])
def test_na_a_de_b_ne_asks_as_the_attribute_asks(question, prev, expected):
    """The earlier question's frame does not fit a new attribute (cold review: ``…物流部经理是
    多少？`` read ``3个``; ``哪几个`` counted as an amount, ``…慰问品是多少？`` read ``1600个``)."""
    assert condense(question, [(prev, "…[1]。")]).text == expected


@pytest.mark.parametrize("question", ["是否所有快递员都领到了口罩？", "由于疫情影响，快递员的午餐由谁提供？",
                                      "都市报记者采访了哪些快递员？", "是谁带领党委班子成员为投递员送上热饭？"])
def test_a_long_question_or_one_opening_with_a_longer_word_is_no_predicate_follow_up(question):
    """Cold review: 是否/由于/都市报 open their own questions, and a long question opening with
    是谁 names what it asks about (吴沛's question was answered 国际田联)."""
    assert follow_up_signal(question) != "predicate"


def test_its_figure_carries_the_earlier_predicate():
    """``它的同比增长是多少？`` after ``贵阳邮区中心双11期间累计处理邮件多少件？``: 它 is the mail
    handled, so 处理邮件 is carried (cold review: only the name was, and it read 4329.7万元)."""
    c = condense("它的同比增长是多少？", [(GY_Q, "1794.6万件[1]。")])
    assert "处理邮件" in c.text and "贵阳邮区中心" in c.text
