"""Assistant end to end on hand-built passages with the HashingEncoder (fast, no model)."""
from __future__ import annotations

import threading

import pytest

from answering.gate import EvidenceGate
from answering.pipeline import Assistant
from answering.query import MAX_QUESTION_CHARS as MAX_QUERY_CHARS
from answering.types import Answer
from tests.test_answering_fakes import FakeRetriever, make_passages

# HashingEncoder cosines are ~0.3-0.4 for relevant passages (e5: ~0.9): thresholds for the fake.
HASH_GATE = dict(min_top_dense=0.2, min_best_sentence=0.6, min_coverage=0.5)


class SpyLLM:
    """Records calls; answers with a canned cited sentence."""

    name = "spy"

    def __init__(self, reply="今年“双11”期间，贵州邮政快递业务收入达4329.7万元【1】。"):
        self.reply = reply
        self.calls = 0

    def complete(self, prompt, max_new_tokens=512):
        self.calls += 1
        return self.reply

    def stream(self, prompt, max_new_tokens=512):
        self.calls += 1
        for i in range(0, len(self.reply), 3):
            yield self.reply[i:i + 3]


@pytest.fixture()
def retriever():
    return FakeRetriever(make_passages())


@pytest.fixture()
def assistant(retriever):
    return Assistant(retriever, gate=EvidenceGate(**HASH_GATE))


def _strip(answer: Answer) -> dict:
    d = answer.to_dict()
    d.pop("timings")
    return d


@pytest.mark.parametrize("question, fact, article", [
    ("贵州邮政双11期间快递业务收入是多少？", "4329.7万元", "gz#2"),
    ("吴沛慰问了多少投递员？", "1200多人", "gz#2"),
    ("阿克陶县建立了多少个快递服务点？", "118个快递服务点", "xj#1"),
    ("衡水湖国际马拉松赛是哪一年开始举办的？", "2012年", "hs#5"),
])
def test_extractive_answer_quotes_the_fact_and_cites_its_article(assistant, question, fact, article):
    a = assistant.ask(question, top_k=3)
    assert not a.refused and fact in a.text
    assert a.citations and a.citations[0].number == 1 and "[1]" in a.text
    cited = {c.article_id for c in a.citations}
    assert article in cited
    for c in a.citations:  # verbatim quotes with exact spans
        p = next(h.passage for h in a.passages if h.passage.id == c.passage_id)
        assert p.text[c.quote_start:c.quote_end] == c.quote and c.support >= 0.7
    assert set(a.timings) >= {"parse", "retrieve", "gate", "answer", "check", "total"}
    assert a.query == question


@pytest.mark.parametrize("question, lang_prefix", [
    ("顺丰速运今年的营业收入是多少？", "资料中没有找到"),
    ("特斯拉的CEO是谁？", "资料中没有找到"),
    ("Who is the CEO of Tesla?", "The documents do not contain"),
])
def test_refusal_has_no_citations_and_never_calls_the_llm(retriever, question, lang_prefix):
    spy = SpyLLM()
    a = Assistant(retriever, llm=spy, gate=EvidenceGate(**HASH_GATE)).ask(question, top_k=3)
    assert a.refused and a.text.startswith(lang_prefix)
    assert a.citations == () and "[" not in a.text
    assert spy.calls == 0
    finals = list(Assistant(retriever, llm=spy, gate=EvidenceGate(**HASH_GATE)).stream(question, top_k=3))
    assert len(finals) == 1 and finals[0].refused and spy.calls == 0


def test_generative_path_post_processes_the_llm_output(retriever):
    spy = SpyLLM("今年“双11”期间，贵州邮政快递业务收入达4329.7万元【1】。火星上有十个邮局[7]。")
    a = Assistant(retriever, llm=spy, gate=EvidenceGate(**HASH_GATE)).ask("贵州邮政双11期间快递业务收入是多少？", top_k=3)
    assert spy.calls == 1 and not a.refused
    assert a.text.startswith("今年“双11”期间，贵州邮政快递业务收入达4329.7万元[1]。")
    assert "[7]" not in a.text and "（未找到出处）" not in a.text  # no display flags in the text
    assert a.unsupported == ("火星上有十个邮局。",)
    assert a.unsupported == ("火星上有十个邮局。",)
    assert [c.number for c in a.citations] == [1] and a.citations[0].article_id == "gz#2"


def test_llm_that_declines_gives_a_refusal(retriever):
    spy = SpyLLM("资料中没有找到相关内容。")
    a = Assistant(retriever, llm=spy, gate=EvidenceGate(**HASH_GATE)).ask("贵州邮政双11期间快递业务收入是多少？", top_k=3)
    assert a.refused and a.citations == () and spy.calls == 1


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_empty_question_gets_a_graceful_answer(assistant, retriever, blank):
    a = assistant.ask(blank)
    assert a.refused and a.citations == () and a.text == "请输入一个问题。"
    assert retriever.calls == []  # nothing searched
    assert [x.text for x in assistant.stream(blank)] == ["请输入一个问题。"]


def test_bad_arguments_are_clear_errors(assistant, retriever):
    with pytest.raises(ValueError):
        assistant.ask(None)
    with pytest.raises(ValueError, match="k must"):
        assistant.ask("吴沛慰问了多少投递员？", top_k=0)
    with pytest.raises(ValueError, match="mode"):
        assistant.ask("吴沛慰问了多少投递员？", mode="magic")
    with pytest.raises(ValueError, match="answerer"):
        Assistant(retriever, answerer="oracle")
    with pytest.raises(ValueError, match="llm"):
        Assistant(retriever, answerer="generative")


def test_ten_thousand_character_question(assistant, retriever):
    q = "阿克陶县建立了多少个快递服务点？" * 625
    assert len(q) == 10_000
    a = assistant.ask(q, top_k=3)
    assert a.question == q and len(a.query) <= MAX_QUERY_CHARS
    assert len(retriever.calls[-1]) <= MAX_QUERY_CHARS
    assert not a.refused and "118个快递服务点" in a.text
    # a long question padded with filler still gets a well-formed answer (cited or refused)
    b = assistant.ask("阿克陶县建立了多少个快递服务点？" + "请详细说明。" * 1700, top_k=3)
    assert len(b.query) <= MAX_QUERY_CHARS
    assert (b.refused and b.citations == ()) or (b.citations and "[1]" in b.text)
    assert a.notices and b.notices  # the cut is never silent


def test_pasted_text_with_the_question_at_its_end_is_answered(assistant, retriever):
    # issue #9: long input was cut to its first 512 characters, so the question was lost
    pasted = "以下是我从网上复制的一段很长的背景材料，与问题无关。" * 40 + "阿克陶县建立了多少个快递服务点？"
    a = assistant.ask(pasted, top_k=3)
    assert not a.refused and "118个快递服务点" in a.text
    assert retriever.calls[-1] == "阿克陶县建立了多少个快递服务点？"
    assert a.notices and "阿克陶县建立了多少个快递服务点" in a.notices[0]


def test_follow_up_is_condensed_before_retrieval(assistant, retriever):
    hist = [("吴沛是哪个单位的总经理？", "贵阳市邮政分公司[1]。")]
    a = assistant.ask("他慰问了多少投递员？", history=hist, top_k=3)
    assert a.query == "吴沛慰问了多少投递员？" and retriever.calls[-1] == a.query
    assert "1200多人" in a.text


def test_stream_yields_growing_text_and_ends_with_the_ask_answer(assistant):
    q = "贵州邮政双11期间快递业务收入是多少？"
    parts = list(assistant.stream(q, top_k=3))
    assert len(parts) > 2
    texts = [p.text for p in parts]
    assert all(b.startswith(a) for a, b in zip(texts, texts[1:]))
    assert all(len(a) < len(b) for a, b in zip(texts, texts[1:]))
    assert all(not t.endswith("[") and not t[-2:-1] == "[" for t in texts[:-1])
    assert _strip(parts[-1]) == _strip(assistant.ask(q, top_k=3))


def test_generative_stream_grows_and_final_matches_ask(retriever):
    spy = SpyLLM("贵州邮政快递业务收入达4329.7万元【1】，同比增长46.8%[1]。")
    a = Assistant(retriever, llm=spy, gate=EvidenceGate(**HASH_GATE))
    parts = list(a.stream("贵州邮政双11期间快递业务收入是多少？", top_k=3))
    texts = [p.text for p in parts]
    assert len(parts) > 3 and all("【" not in t for t in texts)
    assert _strip(parts[-1]) == _strip(a.ask("贵州邮政双11期间快递业务收入是多少？", top_k=3))
    assert parts[-1].citations and not parts[-1].unsupported


def test_assistant_is_thread_safe(assistant):
    qs = ["贵州邮政双11期间快递业务收入是多少？", "吴沛慰问了多少投递员？", "阿克陶县建立了多少个快递服务点？"] * 3
    expected = {q: _strip(assistant.ask(q, top_k=3)) for q in set(qs)}
    results, errors = {}, []

    def run(i, q):
        try:
            results[i] = _strip(assistant.ask(q, top_k=3))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    ts = [threading.Thread(target=run, args=(i, q)) for i, q in enumerate(qs)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors
    assert all(results[i] == expected[q] for i, q in enumerate(qs))


def test_a_clause_quoted_alone_ends_as_a_sentence(assistant):
    # new-user trial: "…同比增长46.8%[1]；" — the quote stops at "；" inside its sentence
    a = assistant.ask("贵州邮政双11期间快递业务收入是多少？", top_k=3)
    assert not a.refused and "4329.7" in a.text
    assert not a.text.rstrip().endswith(("；", ";", "，")), a.text
    c = a.citations[0]
    ps = {h.passage.id: h.passage for h in a.passages}
    assert ps[c.passage_id].text[c.quote_start:c.quote_end] == c.quote  # the quote stays verbatim


class CountingEncoder:
    """A HashingEncoder that counts the query texts it encodes."""

    def __init__(self):
        from retrieval.encoder import HashingEncoder

        self.inner = HashingEncoder(256)
        self.model_id, self.dim = self.inner.model_id, self.inner.dim
        self.queries: list[str] = []

    def encode_queries(self, texts):
        self.queries += list(texts)
        return self.inner.encode_queries(texts)

    def encode_passages(self, texts):
        return self.inner.encode_passages(texts)


def test_a_question_is_embedded_once_for_search_and_sentence_scores(seed_file):
    from corpus.pipeline import load_corpus
    from retrieval.searcher import Retriever

    corpus = load_corpus(seed_file.parent)
    enc = CountingEncoder()
    a = Assistant(Retriever.from_corpus(corpus, enc), gate=EvidenceGate(**HASH_GATE))
    enc.queries.clear()
    a.ask("貴州郵政雙11期間快遞業務收入是多少？", top_k=3)
    # Traditional: searched folded to Simplified, its sentences scored against the text as typed
    assert enc.queries == ["贵州邮政双11期间快递业务收入是多少？", "貴州郵政雙11期間快遞業務收入是多少？"]
    enc.queries.clear()
    a.ask("贵州邮政双11期间快递业务收入是多少？", top_k=3)
    a.ask("贵州邮政双11期间快递业务收入是多少？", top_k=3)
    assert enc.queries == []  # the same vector: cached, for the search and the scores
    enc.queries.clear()
    a.ask("阿克陶县在多少个行政村建立了快递服务点？", top_k=3)
    assert enc.queries == ["阿克陶县在多少个行政村建立了快递服务点？"]  # one forward pass


def test_a_refusal_by_the_citation_check_says_so_not_ok(retriever):
    from ui.render import refusal_reason

    spy = SpyLLM("火星上有十个邮局[7]。")  # the gate passes; no sentence survives the check
    a = Assistant(retriever, llm=spy, gate=EvidenceGate(**HASH_GATE)).ask("贵州邮政双11期间快递业务收入是多少？", top_k=3)
    assert a.refused and spy.calls == 1
    assert not a.decision.answerable
    why = refusal_reason(a)
    assert not why.startswith("ok") and "citation" in why, why
