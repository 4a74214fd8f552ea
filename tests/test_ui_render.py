"""Unit tests of ui/render.py and ui/export.py (chat message, sources panel, plain text, API record)."""
from __future__ import annotations

import html
import re

import pytest

from answering.types import Answer, Citation
from retrieval.types import SearchHit
from tests.fakes import XSS_TEXT, FakeAssistant, fake_corpus, rich
from ui.export import conversation_markdown, plain_text
from ui.render import (WJ, answer_payload, escape_chat_text, plural, render_answer_message,
                       render_sources_html, turn_label)


# --------------------------------------------------------------------------- helpers
def _visible(s: str) -> str:
    """What a browser shows for escaped text: character references decoded."""
    return html.unescape(s)


def _xss_answer() -> Answer:
    corpus = fake_corpus()
    p = [x for x in corpus.passages if x.article_id == "fake#3"][0]
    q0 = p.text.index("<script>")
    quote = "<script>alert(1)</script>"
    c = Citation(number=1, passage_id=p.id, article_id=p.article_id, title=p.title,
                 paragraph_no=1, quote=quote, quote_start=q0, quote_end=q0 + len(quote))
    return Answer(question="价格？", query="价格？", text=f"{XSS_TEXT}[1]", citations=(c,),
                  passages=(SearchHit(p, 0.5, 1, dense_score=0.8, bm25_score=3.2),))


# --------------------------------------------------------------------------- tests
def test_escape_chat_text_makes_markup_inert():
    out = escape_chat_text(XSS_TEXT)
    for bad in ("<script", "<img", "**", "$", "_x_", "`", "onerror=alert(1)>"):
        assert bad not in out
    assert _visible(out) == XSS_TEXT  # the browser shows exactly the original characters
    assert "价格是" in out  # CJK untouched


def test_escape_chat_text_drops_code_block_indent_and_rejects_non_str():
    assert escape_chat_text("    code?\nx") == "code&#63;\nx"
    with pytest.raises(ValueError, match="text must be a str"):
        escape_chat_text(None)  # type: ignore[arg-type]


def test_answer_message_escapes_corpus_text_and_renders_badge():
    out = render_answer_message(_xss_answer())
    assert "<script" not in out and "<img" not in out and "$" not in out and "**" not in out
    badges = re.findall(r'<sup class="cite"[^>]*>\[1\]</sup>', out)
    assert len(badges) == 1
    assert 'title="来源 Source [1]: 危险&lt;b&gt;标题&lt;/b&gt;"' in out
    assert XSS_TEXT in _visible(re.sub(r"<sup[^>]*>.*?</sup>", "", out))


def test_marker_without_citation_is_not_a_badge():
    a = Answer(question="q", query="q", text="某事[2]。")
    out = render_answer_message(a)
    assert "<sup" not in out and _visible(out) == "某事[2]。"


def test_unsupported_sentence_is_listed_uncited():
    corpus = fake_corpus()
    p = corpus.passages[1]
    c = Citation(number=1, passage_id=p.id, article_id=p.article_id, title=p.title,
                 paragraph_no=2, quote="4329.7 万元", quote_start=p.text.index("4329.7"),
                 quote_end=p.text.index("4329.7") + len("4329.7 万元"))
    a = Answer(question="收入？", query="收入？", text="收入达 4329.7 万元[1]。增长了三倍[1]。",
               citations=(c,), passages=(SearchHit(p, 0.1, 1),), unsupported=("增长了三倍[1]。",))
    out = render_answer_message(a)
    body, _, tail = out.partition("Not verified")
    assert "增长了三倍" not in body and body.count("<sup") == 1
    assert "增长了三倍" in tail and "<sup" not in tail


def test_rewritten_query_is_shown():
    a = Answer(question="那增长呢？", query="贵州邮政双11快递业务收入增长", text="x")
    assert "检索问题 / Search query" in render_answer_message(a)
    assert "贵州邮政双11快递业务收入增长" in render_sources_html(a, turn=2)
    same = Answer(question="q?", query="q?", text="x")
    assert "Search query" not in render_answer_message(same)


def test_sources_html_escapes_everything_and_highlights_quote():
    corpus = fake_corpus()
    out = render_sources_html(_xss_answer(), corpus.article, turn=3, mode="hybrid")
    assert "<script" not in out and "<img" not in out and "<b>标题" not in out
    assert "&lt;script&gt;" in out and "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "**bold**" in out and "$100 and $200" in out  # literal in HTML (no Markdown there)
    # the supporting quote is marked, in the passage and in the full article
    assert out.count("<mark>&lt;script&gt;alert(1)&lt;/script&gt;</mark>") == 2
    assert 'id="src-3-1"' in out and "<details" in out and "Read the full article" in out
    assert "0.500" in out and "cosine 0.800" in out and "BM25 3.20" in out


def test_sources_html_card_fields():
    corpus = fake_corpus()
    a = FakeAssistant(corpus, delay=0).ask("贵州邮政双11快递业务收入是多少？")
    out = render_sources_html(a, corpus.article, turn=1, mode="bm25")
    assert a.citations[0].article_id == "fake#1"
    assert "[1]</span> 贵州邮政旺季慰问" in out and "作者 By 何云祥" in out
    assert "paragraph 2" in out and "<mark>今年“双 11”期间" in out
    assert 'class="cited-para"><span class="pno">¶2</span>' in out


def test_quote_span_falls_back_to_search_then_to_none():
    corpus = fake_corpus()
    p = corpus.passages[1]
    bad = Citation(number=1, passage_id=p.id, article_id=p.article_id, title=p.title,
                   paragraph_no=2, quote="46.8%", quote_start=0, quote_end=3)
    a = Answer(question="q", query="q", text="x[1]", citations=(bad,), passages=(SearchHit(p, 1, 1),))
    assert "<mark>46.8%</mark>" in render_sources_html(a)
    missing = Citation(number=1, passage_id=p.id, article_id=p.article_id, title=p.title,
                       paragraph_no=2, quote="不存在", quote_start=0, quote_end=3)
    a2 = Answer(question="q", query="q", text="x[1]", citations=(missing,),
                passages=(SearchHit(p, 1, 1),))
    assert "<mark>" not in render_sources_html(a2)


def test_refusal_has_no_sources():
    corpus = fake_corpus()
    a = FakeAssistant(corpus, delay=0).ask("明天天气怎么样？")
    assert a.refused and a.passages  # passages were retrieved but must not be shown
    out = render_sources_html(a, corpus.article, turn=1)
    assert "source-card" not in out and "refusal" in out
    msg = render_answer_message(a)
    assert "<sup" not in msg and "资料中没有找到答案" in msg
    payload = answer_payload(a)
    assert payload["refused"] is True and payload["citations"] == []


def test_empty_panel_and_answer_payload_shape():
    assert "Ask a question" in render_sources_html(None)
    a = _xss_answer()
    d = answer_payload(a)
    assert set(d) >= {"answer", "query", "refused", "citations", "unsupported"}
    assert d["citations"][0] == {"number": 1, "title": "危险<b>标题</b>", "article_id": "fake#3",
                                 "passage_id": "fake#3:1", "paragraph_no": 1,
                                 "quote": "<script>alert(1)</script>", "support": 1.0}


def test_turn_label_truncates():
    assert turn_label(2, "一二三四五六七八九十", width=4) == "#2 · 一二三四…"


def test_search_query_line_only_for_a_real_rewrite():
    from ui.render import SHOWN_QUERY_CHARS, shown_query
    from answering.types import Answer

    long_q = "邮政" * 5000
    assert shown_query(Answer(question=long_q, query=long_q[:512], text="x")) is None  # only cut
    assert shown_query(Answer(question="那贵州呢？", query="贵州邮政收入是多少？", text="x")) == "贵州邮政收入是多少？"
    rewritten = Answer(question="他呢？", query="吴沛" * 200, text="x")
    assert len(shown_query(rewritten)) == SHOWN_QUERY_CHARS + 1


def test_flagged_unsupported_sentence_is_shown_once_as_not_verified():
    # review: the checker writes "…信（未找到出处）。" in the text, so the sentence was shown twice
    from ui.render import render_answer_message
    from answering.types import Answer

    a = Answer(question="q", query="q", text="衡水湖国际马拉松赛自2012年开始每年举办一届。火星上的邮局每天投递三百封信。",
               unsupported=("火星上的邮局每天投递三百封信。",))
    html_out = render_answer_message(a)
    assert "未找到出处" not in html_out.split("未核实")[0]
    assert html_out.count("火星") == 1


# --------------------------------------------------------------------------- issue #12
def _gz_answer(**kw) -> Answer:
    return FakeAssistant(fake_corpus(), delay=0, **kw).ask("贵州邮政双11快递业务收入是多少？")


def test_badge_is_joined_to_the_following_full_stop():
    # seen: a [n] badge wrapped so that "。" started the next line
    corpus = fake_corpus()
    p = corpus.passages[1]
    c = Citation(number=1, passage_id=p.id, article_id=p.article_id, title=p.title, paragraph_no=2,
                 quote="4329.7 万元", quote_start=p.text.index("4329.7"), quote_end=p.text.index("4329.7") + 9)
    a = Answer(question="q", query="q", text="收入达 4329.7 万元[1]。", citations=(c,),
               passages=(SearchHit(p, 1.0, 1),))
    out = render_answer_message(a)
    assert re.search(f"万元{WJ}<sup[^>]*>\\[1\\]</sup>{WJ}。", out), out


def test_short_answer_leads_in_bold_and_is_highlighted_in_its_sentence_and_card():
    a = _gz_answer(rich=True)
    assert a.short_answer.text == "4329.7 万元"
    out = render_answer_message(a)
    lead, _, rest = out.partition("</strong>")
    assert lead.startswith('<strong class="short-answer">4329&#46;7 万元')
    assert '<mark class="span">4329&#46;7 万元</mark>' in rest and 'sup class="cite"' in rest
    src = render_sources_html(a, fake_corpus().article, turn=1)
    card = src[src.index('id="src-1-1"'):]
    assert '<mark class="span">4329.7 万元</mark>' in card


def test_notices_are_shown_in_the_message():
    a = FakeAssistant(fake_corpus(), delay=0, rich=True).ask("请问" * 60 + "贵州邮政双11快递业务收入是多少？")
    out = render_answer_message(a)
    assert out.startswith('<span class="notice">') and "问题过长" in out


def test_refusal_shows_why_and_closest_passages_never_as_citations():
    a = FakeAssistant(fake_corpus(), delay=0, rich=True).ask("明天天气怎么样？")
    msg = render_answer_message(a)
    assert "原因 Why: 资料中没有“天气” (规则 rule: names_present)" in html.unescape(msg)
    assert "<sup" not in msg
    src = render_sources_html(a, fake_corpus().article, turn=1)
    assert "source-card" not in src and 'id="src-' not in src
    assert '<details class="closest"><summary>最接近的段落（不是答案） Closest passages (not an answer)' in src
    assert src.count('class="passage-item"') == len(a.passages)
    assert answer_payload(a)["refusal_reason"].startswith("资料中没有")


def test_card_shows_article_date_and_uncited_passages_collapsed():
    corpus = fake_corpus()
    for k in (2, 4):
        a = FakeAssistant(corpus, delay=0).ask("贵州邮政双11快递业务收入是多少？", top_k=k)
        src = render_sources_html(a, corpus.article, turn=1)
        assert "日期 Date 2021-11-20" in src
        assert f"Retrieved {k} passages, cited 1" in src
        assert f"Retrieved but not cited ({k - 1})" in src
        assert src.count('class="passage-item"') == k - 1  # the k setting shows in the panel


def test_plain_text_has_markers_and_sources_but_no_markup():
    # seen: the copy button copied "1794&#46;6万件…<sup class="cite"…>[1]</sup>"
    corpus = fake_corpus()
    a = FakeAssistant(corpus, delay=0, rich=True).ask("贵州邮政双11快递业务收入是多少？")
    text = plain_text(a, corpus.article)
    assert "<" not in text and "&#" not in text and WJ not in text
    assert text.startswith("4329.7 万元\n\n今年“双 11”期间")
    assert "46.8%。[1]" in text
    assert "来源 Sources:\n[1] 贵州邮政旺季慰问 (2021-11-20) · ¶2: 「今年“双 11”期间" in text


def test_plain_text_lists_unsupported_apart_and_drops_flags():
    a = Answer(question="q", query="q", text="甲是一[1]。乙是二（未找到出处）。", unsupported=("乙是二。",))
    text = plain_text(a)
    assert "未找到出处" not in text and text.count("乙是二") == 1 and "未核实 Not verified:\n- 乙是二。" in text


def test_conversation_markdown_has_each_question_answer_and_sources():
    corpus = fake_corpus()
    fa = FakeAssistant(corpus, delay=0)
    turns = []
    for q in ("贵州邮政双11快递业务收入是多少？", "阿克陶县建立了多少个快递服务点？"):
        turns.append({"question": q, "plain": plain_text(fa.ask(q), corpus.article), "mode": "hybrid", "top_k": 5})
    md = conversation_markdown(turns)
    assert md.startswith("# 对话 Conversation\n")
    assert "## 1. 贵州邮政双11快递业务收入是多少？" in md and "## 2. 阿克陶县建立了多少个快递服务点？" in md
    assert md.count("**来源 Sources**") == 2 and "- [1] 快递进村 · ¶1: 「阿克陶县" in md


def test_search_query_prefers_the_structured_field():
    a = rich(Answer(question="那贵州呢？", query="ignored", text="x"), search_query="贵州邮政收入是多少？")
    assert "贵州邮政收入是多少？" in render_answer_message(a)
    assert answer_payload(a)["query"] == "贵州邮政收入是多少？"


def test_a_refusal_names_its_failed_rules_not_a_waiver_that_did_not_hold():
    from types import SimpleNamespace

    from answering.gate import GateDecision, RuleResult
    from ui.render import refusal_reason

    d = GateDecision(False, "missing: 特斯拉", (RuleResult("names", False, 0, 1, "missing: 特斯拉"),
                                              RuleResult("coverage", True, 0.9, 0.4),
                                              RuleResult("reader_confident", False, -2.0, -13.0)))
    why = refusal_reason(SimpleNamespace(decision=d))
    assert "names" in why and "reader_confident" not in why and "coverage" not in why


def test_plural_is_singular_for_one_only():
    assert [plural(n, "passage") for n in (0, 1, 2, 38)] == ["passages", "passage", "passages", "passages"]


def test_one_retrieved_passage_and_a_one_paragraph_article_are_singular():
    # seen: "Retrieved 1 passages", "(1 段 paragraphs)"
    corpus = fake_corpus()
    a = FakeAssistant(corpus, delay=0).ask("阿克陶县建立了多少个快递服务点？", top_k=1)
    src = render_sources_html(a, corpus.article, turn=1)
    assert "Retrieved 1 passage, cited 1<" in src
    assert "(1 段 paragraph)" in src and "paragraphs)" not in src


def test_a_refusal_says_why_in_words_before_its_rule_names():
    """A new user read ``原因 Why: best_sentence (规则 rule: best_sentence, coverage)`` and
    learnt nothing (new-user trial): the reason is said in words, the rule names follow."""
    from types import SimpleNamespace

    from answering.gate import RULES, GateDecision, RuleResult
    from ui.render import RULE_REASONS, refusal_reason

    d = GateDecision(False, "best_sentence", (RuleResult("best_sentence", False, 0.8, 1.0),
                                              RuleResult("coverage", False, 0.2, 0.4)))
    why = refusal_reason(SimpleNamespace(decision=d))
    assert why.startswith("没有与问题足够相近的句子") and "规则 rule: best_sentence, coverage" in why
    missing = GateDecision(False, "missing: 特斯拉", (RuleResult("names", False, 0, 1, "missing: 特斯拉"),))
    assert refusal_reason(SimpleNamespace(decision=missing)).startswith("资料中没有提到：特斯拉")
    # every rule that refuses without a "missing:" detail has words
    assert {r.name for r in RULES} - {"names", "unlisted_names", "rare_characters", "numbers"} <= set(RULE_REASONS)


def test_the_span_type_reason_names_every_kind_the_rule_refuses():
    """Clean-clone check: ``哪位村民…？`` refused on ``span_type`` read "not the asked quantity
    or amount"; the rule also refuses times, organisations for persons and bare counts for
    lists (answer_type.span_of_type, list_span)."""
    from types import SimpleNamespace

    from answering.gate import GateDecision, RuleResult
    from ui.render import refusal_reason

    d = GateDecision(False, "span_type", (RuleResult("span_type", False, "阿克陶县分公司", "person-which"),))
    why = refusal_reason(SimpleNamespace(decision=d))
    assert all(kind in why for kind in ("数量", "时间", "人名", "列举")) and "span_type" in why
