"""End to end on the seed corpus with the real multilingual-e5-small and the real Retriever."""
from __future__ import annotations

import pytest

from answering.pipeline import Assistant
from answering.terms import normalise

pytestmark = pytest.mark.slow

# (question, fact the answer must state, distinctive substring of the article holding it)
ANSWERABLE = [
    ("贵州邮政双11期间快递业务收入是多少？", "4329.7万元", "五送"),
    ("贵阳邮区中心双11期间累计处理了多少邮件？", "1794.6万件", "五送"),
    ("吴沛慰问了多少名投递员？", "1200多人", "吴沛"),
    ("贵州省邮政分公司发放了多少慰问补贴？", "61万余元", "五送"),
    ("阿克陶县在多少个行政村建立了快递服务点？", "118个", "阿克陶"),
    ("木吉乡布拉克村距离县城多远？", "250公里", "布拉克村"),
    ("衡水湖国际马拉松赛从哪一年开始举办？", "2012年", "衡水湖"),
    ("今年马拉松邮政安排了多少辆配送车辆？", "68辆", "衡水湖"),
    ("衡水市分公司共邮寄了多少枚奖牌？", "1200枚", "衡水湖"),
    ("常州市邮政分公司如何处理进口国际邮件？", "六面消杀", "常州"),
    ("截至12月12日邵阳市分公司驻政务中心团队累计寄递了多少证照邮件？", "5.45万件", "邵阳"),
    ("黔西南州分公司采购了多少个医用口罩？", "6万个", "黔西南"),
    ("邮储银行安徽省分行组织了多少名党员参加专题辅导报告会？", "300名党员", "安徽"),
]
UNANSWERABLE = [
    "顺丰速运今年的营业收入是多少？",
    "特斯拉的CEO是谁？",
    "北京今天的天气怎么样？",
    "苹果手机的最新型号是什么？",
    "2022年北京冬奥会的金牌数是多少？",
]


@pytest.fixture(scope="module")
def assistant(seed_file):
    from corpus.pipeline import load_corpus
    from retrieval.embedder import load_encoder
    from retrieval.searcher import Retriever

    corpus = load_corpus(seed_file.parent)
    return Assistant(Retriever.from_corpus(corpus, load_encoder(None)))


def _article_text(assistant, article_id):
    return normalise(assistant.retriever.corpus.article(article_id).text)


@pytest.mark.parametrize("question, fact, marker", ANSWERABLE)
def test_extractive_answer_states_the_fact_and_cites_its_article(assistant, question, fact, marker):
    a = assistant.ask(question)
    assert not a.refused, a.text
    assert normalise(fact) in normalise(a.text)
    holding = [c for c in a.citations if normalise(fact) in normalise(c.quote)]
    assert holding, (a.text, a.citations)
    for c in holding:
        assert normalise(marker) in _article_text(assistant, c.article_id)
        p = next(h.passage for h in a.passages if h.passage.id == c.passage_id)
        assert p.text[c.quote_start:c.quote_end] == c.quote
        assert f"[{c.number}]" in a.text and c.support >= 0.7
    assert [c.number for c in a.citations] == list(range(1, len(a.citations) + 1))
    assert a.unsupported == ()


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_unanswerable_questions_are_refused_without_citations(assistant, question):
    a = assistant.ask(question)
    assert a.refused and a.text.startswith("资料中没有找到")
    assert a.citations == () and "[" not in a.text


def test_follow_ups_on_the_real_corpus(assistant):
    first = assistant.ask("贵州邮政双11期间快递业务收入同比增长多少？")
    a = assistant.ask("那贵阳邮区中心呢？", history=[(first.question, first.text)])
    assert "贵阳邮区中心" in a.query and "35.5%" in normalise(a.text)
    # the page gives no revenue for 贵阳邮区中心: never the 4329.7万元 of the sentence before
    # its name (that figure belongs to 贵州邮政); a refusal or the hub's own figures are fine
    first = assistant.ask("贵州邮政双11期间快递业务收入是多少？")
    r = assistant.ask("那贵阳邮区中心呢？", history=[(first.question, first.text)])
    assert r.refused or ("4329.7" not in r.text and "贵阳邮区中心" in r.text)
    b = assistant.ask("他慰问了多少名投递员？", history=[("吴沛是哪个单位的总经理？", "贵阳市邮政分公司[1]。")])
    assert b.query.startswith("吴沛") and "1200多人" in normalise(b.text)


# -- the shipped default: the span reader leads (app, CLI and evaluation load it) ----------
@pytest.fixture(scope="module")
def reading(assistant):
    a = Assistant(assistant.retriever, reader="auto")
    assert a.reader is not None, "the committed reader did not load over e5"
    return a


@pytest.mark.parametrize("question, fact, marker", ANSWERABLE)
def test_with_the_reader_the_answer_states_the_fact(reading, question, fact, marker):
    a = reading.ask(question)
    assert not a.refused, a.text
    assert normalise(fact) in normalise(a.text)
    sa = a.short_answer
    assert sa is not None
    c = next(c for c in a.citations if c.number == sa.citation)
    p = next(h.passage for h in a.passages if h.passage.id == sa.passage_id)
    assert p.text[sa.start:sa.end] == sa.text and sa.text in c.quote


# questions whose reader span runs past the value asked for (a clause, a speech verb):
# the short answer is the value (answering.span_trim)
TRIMMED = [("贵州省邮政分公司在双11期间发放的慰问补贴有多少？", "61万余元"),
           ("衡水市體育局競技體育科主任是誰？", "李妙"),
           ("铜仁市邮政分公司拨了多少专款购买慰问物资？", "1.2万元"),
           ("衡水市分公司寄递事业部物流部经理叫什么名字？", "于雷"),          # role, speaker
           ("靠着给马拉松做物流引来的客户，衡水邮政这块的营收涨到了多少？", "800万元")]  # endpoint


@pytest.mark.parametrize("question, value", TRIMMED)
def test_with_the_reader_the_short_answer_is_the_value_asked_for(reading, question, value):
    a = reading.ask(question)
    assert not a.refused and a.short_answer is not None, a.text
    assert a.short_answer.text == value


# near-topic: the article exists but states no date; a reader margin just under the old
# waiver threshold (-13.49 at -13) once let the reader_confident waiver overrule answer_type
NEAR_TOPIC_UNANSWERABLE = ["中国邮政科技创新体系建设的《意见》是哪天印发的？"]


@pytest.mark.parametrize("question", UNANSWERABLE + NEAR_TOPIC_UNANSWERABLE)
def test_with_the_reader_unanswerable_questions_are_still_refused(reading, question):
    a = reading.ask(question)
    assert a.refused and a.short_answer is None, a.text


def test_cli_leads_with_the_exact_answer_unless_no_reader(seed_file, tmp_path, capsys):
    import json
    import re

    from answering.__main__ import main

    q = "贵州邮政双11期间快递业务收入是多少？"
    args = ["ask", q, "--index", str(tmp_path / "index"), "--seeds", str(seed_file.parent)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert re.match(r"答案 / Answer: 4329\.7万元 \[\d+\]\n", out), out
    assert main(args + ["--json"]) == 0
    assert json.loads(capsys.readouterr().out)["short_answer"]["text"] == "4329.7万元"
    assert main(args + ["--json", "--no-reader"]) == 0
    assert json.loads(capsys.readouterr().out)["short_answer"] is None
