"""Unit tests of answering/render.py (chat message, sources panel, API record).

Also home of the hand-made corpus and ``FakeAssistant`` the other app tests use when the
real Assistant is not importable.
"""
from __future__ import annotations

import html
import re
import threading
import time
from dataclasses import dataclass
from typing import Iterator

import pytest

from answering.render import (answer_payload, escape_chat_text, render_answer_message,
                              render_sources_html, turn_label)
from answering.types import Answer, Citation
from corpus.types import Article, Passage
from retrieval.types import SearchHit

XSS_TEXT = "价格是 $100 and $200，<script>alert(1)</script> 见 <img src=x onerror=alert(1)> 和 **bold** 与 _x_。"


# --------------------------------------------------------------------------- fakes
def _article(aid: str, title: str, paragraphs: list[str], byline: str | None = None) -> Article:
    return Article(id=aid, title=title, paragraphs=tuple(paragraphs), byline=byline,
                   source="fake.txt")


def _passages(a: Article) -> list[Passage]:
    """One passage per paragraph, tiling Article.text (the "\\n" goes with the paragraph)."""
    out, off = [], 0
    for i, p in enumerate(a.paragraphs, start=1):
        text = p + ("\n" if i < len(a.paragraphs) else "")
        out.append(Passage(id=f"{a.id}:{i}", article_id=a.id, title=a.title, paragraph_no=i,
                           start=off, end=off + len(text), text=text, byline=a.byline,
                           source=a.source))
        off += len(text)
    return out


@dataclass(frozen=True)
class FakeCorpus:
    articles: tuple[Article, ...]
    passages: tuple[Passage, ...]
    fingerprint: str = "fake"

    def article(self, article_id: str) -> Article:
        for a in self.articles:
            if a.id == article_id:
                return a
        raise KeyError(article_id)


def fake_corpus() -> FakeCorpus:
    arts = [
        _article("fake#1", "贵州邮政旺季慰问", [
            "贵州省邮政分公司开展慰问活动。",
            "今年“双 11”期间，贵州邮政快递业务收入达 4329.7 万元，同比增长 46.8%。"],
            byline="何云祥"),
        _article("fake#2", "快递进村", [
            "阿克陶县分公司在全县 118个行政村建立了 118个快递服务点。"], byline="李莎"),
        _article("fake#3", "危险<b>标题</b>", [XSS_TEXT]),
    ]
    ps = [p for a in arts for p in _passages(a)]
    return FakeCorpus(tuple(arts), tuple(ps))


class FakeRetriever:
    def __init__(self, corpus: FakeCorpus) -> None:
        self.corpus = corpus

    def search(self, query: str, top_k: int = 5, mode: str = "hybrid") -> list[SearchHit]:
        if not query.strip():
            raise ValueError("query must not be blank")
        q = set(query)
        scored = sorted(self.corpus.passages,
                        key=lambda p: -len(q & set(p.text)))[:top_k]
        return [SearchHit(p, score=float(len(q & set(p.text))), rank=i + 1)
                for i, p in enumerate(scored)]


class FakeAssistant:
    """Assistant-shaped fake: cites the best character-overlap passage; refuses on '天气'.

    ``stream`` yields a few growing partial answers (sleeping ``delay`` s between them) so
    streaming and concurrency are exercised.  Thread-safe (no shared mutable state).
    """

    def __init__(self, corpus: FakeCorpus | None = None, delay: float = 0.05) -> None:
        self.retriever = FakeRetriever(corpus or fake_corpus())
        self.delay = delay
        self.calls = 0
        self._lock = threading.Lock()

    def _final(self, question: str, history, top_k: int, mode: str) -> Answer:
        with self._lock:
            self.calls += 1
        query = question
        if history and len(question) < 6:
            query = history[-1][0] + " " + question
        hits = tuple(self.retriever.search(query, top_k=top_k, mode=mode))
        if "天气" in question:
            return Answer(question=question, query=query, text="资料中没有找到答案。",
                          passages=hits, refused=True)
        top = hits[0].passage
        sent = top.text.strip()
        c = Citation(number=1, passage_id=top.id, article_id=top.article_id, title=top.title,
                     paragraph_no=top.paragraph_no, quote=sent, quote_start=0,
                     quote_end=len(sent), support=0.9)
        return Answer(question=question, query=query, text=f"{sent}[1]", citations=(c,),
                      passages=hits)

    def ask(self, question: str, history=(), top_k: int = 5, mode: str = "hybrid") -> Answer:
        return self._final(question, list(history), top_k, mode)

    def stream(self, question: str, history=(), top_k: int = 5, mode: str = "hybrid") -> Iterator[Answer]:
        final = self._final(question, list(history), top_k, mode)
        n = max(1, len(final.text) // 3)
        for cut in (n, 2 * n):
            time.sleep(self.delay)
            yield Answer(question=final.question, query=final.query, text=final.text[:cut],
                         passages=final.passages)
        time.sleep(self.delay)
        yield final


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
                                 "quote": "<script>alert(1)</script>", "supported": True,
                                 "support": 1.0}


def test_turn_label_truncates():
    assert turn_label(2, "一二三四五六七八九十", width=4) == "回答 #2 Answer #2 · 一二三四…"


def test_search_query_line_only_for_a_real_rewrite():
    from answering.render import SHOWN_QUERY_CHARS, shown_query
    from answering.types import Answer

    long_q = "邮政" * 5000
    assert shown_query(Answer(question=long_q, query=long_q[:512], text="x")) is None  # only cut
    assert shown_query(Answer(question="那贵州呢？", query="贵州邮政收入是多少？", text="x")) == "贵州邮政收入是多少？"
    rewritten = Answer(question="他呢？", query="吴沛" * 200, text="x")
    assert len(shown_query(rewritten)) == SHOWN_QUERY_CHARS + 1


def test_flagged_unsupported_sentence_is_shown_once_as_not_verified():
    # review: the checker writes "…信（未找到出处）。" in the text, so the sentence was shown twice
    from answering.render import render_answer_message
    from answering.types import Answer

    a = Answer(question="q", query="q", text="衡水湖国际马拉松赛自2012年开始每年举办一届。火星上的邮局每天投递三百封信（未找到出处）。",
               unsupported=("火星上的邮局每天投递三百封信。",))
    html_out = render_answer_message(a)
    assert "未找到出处" not in html_out.split("未核实")[0]
    assert html_out.count("火星") == 1
