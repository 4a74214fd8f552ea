"""The reader stage in the pipeline (issue #10), with a fake span reader (no model)."""
from __future__ import annotations

from answering.gate import EvidenceGate
from answering.pipeline import Assistant
from answering.reading import ReaderStage
from reader.model import ReaderResult, Span
from tests.test_answering_fakes import FakeRetriever, make_passages
from tests.test_answering_pipeline import HASH_GATE




class FakeReader:
    """Finds ``answer`` verbatim in the passages; its no-answer margin is ``margin``."""

    no_answer_threshold = 0.0

    def __init__(self, answer: str, margin: float = -2.0):
        self.answer, self.margin, self.calls = answer, margin, []

    def _find(self, question, passages):
        self.calls.append(question)
        for i, p in enumerate(passages):
            at = p.find(self.answer)
            if at >= 0:
                return ReaderResult((Span(self.answer, i, at, at + len(self.answer), 9.0),), self.margin, 1, 0.0)
        return ReaderResult((), 5.0, 1, 0.0)

    def read(self, question, passages, top_n=3):
        return self._find(question, passages)

    def read_focused(self, question, passages, focus, top_n=3):
        return self._find(question, passages)


def _assistant(reader):
    return Assistant(FakeRetriever(make_passages()), gate=EvidenceGate(**HASH_GATE),
                     reader=ReaderStage(reader))


def test_the_answer_leads_with_the_span_and_cites_the_sentence_holding_it():
    a = _assistant(FakeReader("4329.7万元")).ask("贵州邮政双11期间快递业务收入是多少？", top_k=3)
    assert not a.refused and a.short_answer is not None
    s = a.short_answer
    assert s.text == "4329.7万元"
    c = next(c for c in a.citations if c.number == s.citation)
    assert c.passage_id == s.passage_id and c.quote_start <= s.start < s.end <= c.quote_end
    passage = next(h.passage for h in a.passages if h.passage.id == s.passage_id)
    assert passage.text[s.start:s.end] == "4329.7万元"
    assert "4329.7万元" in c.quote and f"[{s.citation}]" in a.text
    assert a.to_dict()["short_answer"]["text"] == "4329.7万元"
    assert "read" in a.timings


def test_the_reader_no_answer_margin_is_a_gate_rule():
    a = _assistant(FakeReader("4329.7万元", margin=3.0)).ask("贵州邮政双11期间快递业务收入是多少？", top_k=3)
    assert a.refused and a.decision.reason == "reader"
    r = a.decision.result("reader")
    assert r.value == 3.0 and r.threshold == 0.0 and not r.passed


def test_a_why_question_is_answered_with_sentences_and_the_span_highlighted_when_inside():
    reader = FakeReader("118个快递服务点")
    a = _assistant(reader).ask("阿克陶县为什么建立了118个快递服务点？", top_k=3)
    assert not a.refused
    assert a.shorts == () or a.shorts[0].text == "118个快递服务点"


def test_a_multi_part_question_is_read_once_per_part():
    reader = FakeReader("4329.7万元")
    _assistant(reader).ask("贵州邮政双11期间快递业务收入是多少？贵阳邮区中心处理了多少邮件？", top_k=3)
    assert reader.calls == ["贵州邮政双11期间快递业务收入是多少？", "贵阳邮区中心处理了多少邮件？"]
