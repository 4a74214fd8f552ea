"""Follow-up condensing (rules, no LLM)."""
from __future__ import annotations

import pytest

from answering.condense import condense, condense_with_llm, is_follow_up

GZ_Q = "贵州邮政双11期间快递业务收入是多少？"
GZ_A = "今年“双11”期间，贵州邮政快递业务收入达4329.7万元[1]；贵阳邮区中心累计处理邮件1794.6万件[1]。"


def test_self_contained_question_passes_through():
    q = "衡水湖国际马拉松赛是哪一年开始举办的？"
    assert condense(q, [(GZ_Q, GZ_A)]) == q
    assert condense("  " + q + " ", []) == q
    assert not is_follow_up(q)


def test_elliptical_follow_up_takes_the_new_entity_and_keeps_the_context():
    out = condense("那贵阳邮区中心呢？", [(GZ_Q, GZ_A)])
    assert "贵阳邮区中心" in out and "双11" in out and "收入" in out
    assert "贵州" not in out  # the entity was replaced, not added


def test_person_pronoun_resolved_from_previous_question():
    out = condense("他慰问了多少人？", [("吴沛是哪个单位的总经理？", "贵阳市邮政分公司[1]。")])
    assert out == "吴沛慰问了多少人？"


def test_person_pronoun_resolved_from_previous_answer():
    hist = [("谁带领党委班子成员为投递员送上热饭？",
             "贵阳市邮政分公司党委书记、总经理吴沛带领党委班子成员，为投递员送上热饭[1]。")]
    assert condense("他慰问了多少人？", hist) == "吴沛慰问了多少人？"


def test_other_follow_ups_carry_the_previous_topic():
    out = condense("这项活动是哪个组织开展的？", [("“五送”快递员活动送什么？", "送一盒热饭[1]。")])
    assert out.startswith("这项活动是哪个组织开展的？") and "五送" in out


def test_follow_up_chain_resolves_through_two_turns():
    hist = [(GZ_Q, GZ_A), ("那贵阳邮区中心呢？", "贵阳邮区中心累计处理邮件1794.6万件[1]。")]
    out = condense("同比增长了多少？", hist)
    assert "贵阳邮区中心" in out and "增长" in out


def test_english_follow_ups():
    assert condense("What about Guiyang?", [("What was the revenue of Guizhou Post?", "...")]) \
        == "What was the revenue of Guiyang?"
    assert condense("How many people did he visit?", [("Who is Wu Pei?", "A manager [1].")]) \
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

    assert condense_with_llm(Good(), "那贵阳邮区中心呢？", [(GZ_Q, GZ_A)]) == "贵阳邮区中心双11期间处理了多少邮件？"
    assert condense_with_llm(Broken(), "那贵阳邮区中心呢？", [(GZ_Q, GZ_A)]) == condense("那贵阳邮区中心呢？", [(GZ_Q, GZ_A)])


def test_na_plus_self_contained_question_only_drops_the_connective():
    # new-user trial: the previous question was glued on and the answer quoted its sentences
    hist = [("贵州邮政双11期间快递业务收入是多少？", "今年“双11”期间，贵州邮政快递业务收入达4329.7万元[1]。")]
    assert condense("那贵阳邮区中心处理了多少邮件？", hist) == "贵阳邮区中心处理了多少邮件？"
    # still elliptical or pronoun-led: context is carried
    assert condense("那贵阳邮区中心呢？", hist) != "贵阳邮区中心呢？"


def test_na_x_ne_swaps_only_a_name():
    # review: "那去年呢？" became "去年邮政双11期间快递业务收入是多少？" (贵州 lost)
    hist = [("贵州邮政双11期间快递业务收入是多少？", "今年“双11”期间，贵州邮政快递业务收入达4329.7万元[1]。")]
    q = condense("那去年呢？", hist)
    assert "贵州" in q and "去年" in q
