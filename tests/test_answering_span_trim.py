"""Span trims (answering.span_trim): one test per rule, the switch, and the pipeline binding."""
from __future__ import annotations

import pytest

from answering import span_trim
from answering.answer_type import expected_type, value_spans
from answering.span_trim import TRIM_RULES, trim_span, trim_speaker, trim_to_value


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
    ("衡水邮政这块的营收涨到了多少？", "收入规模从最初的100万元增长到800万元", "100万元增长到800万元"),
    ("双11期间发放的慰问补贴有多少？", "5.8万余人次，发放慰问补贴61万余元", "61万余元"),
    ("双11期间发放的慰问补贴有多少？", "30万元，另有61万余元", "30万元"),
    ("衡水湖国际马拉松赛从哪一年开始举办？", "2012年开始", "2012年"),
    ("中國科大的西校區最早在哪一年時興建?", "1986年的", "1986年"),
    ("秦始皇在哪一年统一六国？", "公元前221年，秦灭齐", "公元前221年"),
    ("他在哪一年出生？", "1998年4月", "1998年"),
])
def test_rule_1_value_cuts_the_span_to_the_values_of_one_clause(question, span, kept):
    assert _trimmed(question, span) == kept


@pytest.mark.parametrize("question, span", [
    ("贵州邮政双11期间快递业务收入是多少？", "业务量收均创历史新高"),   # no value: unchanged
    ("这一概念从哪一年代之后兴起？", "1960年代"),                     # a decade is no year value
    ("佛教艺术最早可以追溯至哪一年？", "2500年前"),                     # nor "years ago"
    ("这家公司在哪里？", "贵阳市南明区"),                                # no trim for places
])
def test_rule_1_value_leaves_spans_without_a_value_of_a_trimmed_kind(question, span):
    assert _trimmed(question, span) == span


@pytest.mark.parametrize("span, kept", [
    ("李妙称赞道。", "李妙"), ("张耿群说。", "张耿群"), ("李妙称", "李妙"), ("于雷表示，", "于雷"),
    ("张耿群", "张耿群"), ("说", "说"),
])
def test_rule_2_speaker_cuts_a_trailing_speech_verb(span, kept):
    s, e = trim_speaker(expected_type("负责人是谁？"), span)
    assert span[s:e] == kept


def test_a_rule_switched_off_leaves_the_span(monkeypatch):
    q, span = "群众满意度是多少？", "群众满意度达100%。"
    monkeypatch.setattr(span_trim, "DISABLED", {"value"})
    assert _trimmed(q, span) == span
    assert trim_to_value(expected_type(q), span) != (0, len(span))  # the rule itself still trims


def test_no_type_no_trim_and_the_kept_part_is_never_empty():
    assert trim_span(None, "7.4万元，为员工") == (0, len("7.4万元，为员工"))
    for rule in TRIM_RULES:
        for span in ("", "。", "说"):
            s, e = trim_span(expected_type("负责人是谁？" if "person" in rule.kinds else "投入了多少慰问金？"), span)
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
