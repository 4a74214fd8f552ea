"""The web app through its HTTP API (gradio_client): /ask structure, XSS inertness, sessions.

The app is launched with ``build_demo`` on 127.0.0.1 and a free port, around the real
``Assistant`` over an in-memory ``Retriever`` (HashingEncoder) built from a throwaway seeds
directory written by the test.
"""
from __future__ import annotations

import html
import json
import socket
import threading
from pathlib import Path

import pytest

gradio_client = pytest.importorskip("gradio_client")
from gradio_client import Client  # noqa: E402

# Articles of the throwaway corpus (JSON Lines): one distinct fact each.
ARTICLES = [
    {"id": "gz", "title": "贵州邮政旺季慰问一线员工",
     "text": "贵州省邮政分公司工会开展“五送”快递员活动，累计慰问寄递人员5.8万余人次。\n"
             "今年“双11”期间，贵州邮政快递业务收入达4329.7万元，同比增长46.8%。"},
    {"id": "akt", "title": "阿克陶县推进快递进村",
     "text": "阿克陶县分公司提早谋划，在全县118个行政村建立了118个快递服务点，"
             "为服务点统一配备标识牌、货柜等设施。"},
    {"id": "hs", "title": "衡水邮政服务马拉松赛",
     "text": "衡水湖国际马拉松赛今年需要配送150吨物资，邮政安排了68辆配送车辆，"
             "保时保量完成了物流配送任务。"},
    {"id": "cz", "title": "常州严把进口国际邮件防疫关",
     "text": "常州市邮政分公司专门开辟独立密闭场地处理进口国际邮件，"
             "由专人严格按照防疫要求对邮件进行六面消杀。"},
]
# The hostile article. The corpus loader strips real tags but unescapes entities, so the seed
# file carries them entity-encoded and the loaded Article holds the raw markup as text.
XSS_TITLE = "<b>网店</b>价格公告"
XSS_TEXT = ("网店商品的价格是$100 and $200，<script>alert(1)</script>"
            "<img src=x onerror=alert(1)> **bold** 优惠活动持续到月底。")

QUESTIONS = {  # question -> title of the article that answers it
    "贵州邮政双11期间快递业务收入是多少？": "贵州邮政旺季慰问一线员工",
    "阿克陶县建立了多少个快递服务点？": "阿克陶县推进快递进村",
    "衡水湖国际马拉松赛今年需要配送多少吨物资？": "衡水邮政服务马拉松赛",
    "常州市邮政分公司怎样对进口国际邮件消杀？": "常州严把进口国际邮件防疫关",
}
XSS_QUESTION = "网店商品的价格是多少？"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_seeds(root: Path) -> Path:
    seeds = root / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    with open(seeds / "news.jsonl", "w", encoding="utf-8") as f:
        for a in ARTICLES + [{"id": "xss", "title": html.escape(XSS_TITLE),
                              "text": html.escape(XSS_TEXT, quote=False)}]:
            f.write(json.dumps(a, ensure_ascii=False) + "\n")
    return seeds


def real_assistant(seeds: Path, encoder, hashing: bool = True):
    """The real Assistant over ``Retriever.from_corpus(load_corpus(seeds), encoder)``.

    With the HashingEncoder (``hashing=True``) the evidence gate gets thresholds fitting its
    cosines (~0.1 unrelated, ~0.5 related; the module defaults are for e5, see answering/gate.py).
    """
    from answering.gate import EvidenceGate
    from answering.pipeline import Assistant
    from corpus.pipeline import load_corpus
    from retrieval.searcher import Retriever

    corpus = load_corpus(seeds)
    gate = EvidenceGate(min_top_dense=0.12, min_best_sentence=0.4, min_coverage=0.5) if hashing else None
    return Assistant(Retriever.from_corpus(corpus, encoder), gate=gate)


def launch(demo):
    """Launch ``demo`` on 127.0.0.1 and a free port; returns its URL."""
    port = free_port()
    demo.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True,
                        quiet=True)
    return f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from retrieval.encoder import HashingEncoder

    import app

    seeds = write_seeds(tmp_path_factory.mktemp("app_api"))
    assistant = real_assistant(seeds, HashingEncoder(dim=256))
    # precondition of the XSS test: the hostile markup reached the corpus as text
    assert any(a.title == XSS_TITLE and XSS_TEXT in a.text
               for a in assistant.retriever.corpus.articles)
    demo = app.build_demo(assistant)
    url = launch(demo)
    try:
        yield url, assistant.retriever.corpus
    finally:
        demo.close()


def _title_of(corpus, article_id: str) -> str:
    return corpus.article(article_id).title


def test_api_lists_named_endpoints_only(served):
    url, _ = served
    api = Client(url, verbose=False).view_api(print_info=False, return_format="dict")
    assert set(api["named_endpoints"]) == {"/ask", "/chat"}
    assert api["unnamed_endpoints"] == {}


def test_ask_returns_structured_cited_answer(served):
    url, corpus = served
    q = "贵州邮政双11期间快递业务收入是多少？"
    r = Client(url, verbose=False).predict(q, "", 5, "hybrid", api_name="/ask")
    assert set(r) >= {"answer", "query", "refused", "citations", "unsupported"}
    assert r["refused"] is False and r["query"]
    assert "4329.7" in r["answer"]
    assert r["citations"], r
    for c in r["citations"]:
        assert set(c) >= {"number", "title", "article_id", "passage_id", "paragraph_no",
                          "quote", "support"}
        assert f"[{c['number']}]" in r["answer"]
        assert c["passage_id"].startswith(c["article_id"] + ":")
        assert c["quote"] and c["quote"] in corpus.article(c["article_id"]).text
    first = r["citations"][0]
    assert _title_of(corpus, first["article_id"]) == QUESTIONS[q] == first["title"]


def test_ask_accepts_history_and_rejects_bad_input(served):
    url, _ = served
    client = Client(url, verbose=False)
    hist = json.dumps([["阿克陶县建立了多少个快递服务点？", "118个[1]"]], ensure_ascii=False)
    r = client.predict("贵州邮政双11期间快递业务收入是多少？", hist, 3, "bm25", api_name="/ask")
    assert r["refused"] is False and "4329.7" in r["answer"]
    for bad in (("问题", "", 5, "nope"), ("问题", "", 0, "hybrid"), ("问题", "{not json", 5, "hybrid"),
                ("   ", "", 5, "hybrid")):
        with pytest.raises(Exception) as ei:
            client.predict(*bad, api_name="/ask")
        assert "mode" in str(ei.value) or "k must" in str(ei.value) or "history_json" in str(
            ei.value) or "question" in str(ei.value)


def test_ask_refuses_off_topic_question(served):
    url, _ = served
    r = Client(url, verbose=False).predict("火星上的天气怎么样？", "", 5, "hybrid", api_name="/ask")
    assert r["refused"] is True and r["citations"] == [] and r["answer"]


def test_xss_passage_is_shown_inert(served):
    url, corpus = served
    chat, sources_html, picker, box = Client(url, verbose=False).predict(
        XSS_QUESTION, 5, "hybrid", "extractive", api_name="/chat")
    answer_html = chat[-1]["content"][0]["text"] if isinstance(chat[-1]["content"], list) \
        else chat[-1]["content"]
    # the XSS article is the one cited, and its text reaches the page escaped only
    assert "网店" in sources_html and "source-card" in sources_html
    assert "&lt;b&gt;网店&lt;/b&gt;价格公告" in sources_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in sources_html
    assert "&lt;img src=x onerror=alert(1)&gt;" in sources_html
    for html_out in (sources_html, answer_html):
        low = html_out.lower()
        assert "<script" not in low and "<img" not in low and "<b>网店" not in low
    # in the chat message no Markdown/LaTeX trigger survives as a raw character
    assert "$" not in answer_html and "**" not in answer_html
    assert picker["value"] == 1 and box == ""


def test_concurrent_sessions_do_not_mix(served):
    url, corpus = served
    results: dict[str, tuple] = {}
    errors: list[BaseException] = []

    def converse(q: str) -> None:
        try:
            client = Client(url, verbose=False)
            out1 = client.predict(q, 5, "hybrid", "extractive", api_name="/chat")
            out2 = client.predict(q + "请再说一遍。", 5, "hybrid", "extractive", api_name="/chat")
            api = client.predict(q, "", 5, "hybrid", api_name="/ask")
            results[q] = (out1, out2, api)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=converse, args=(q,)) for q in QUESTIONS]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    assert not errors, errors
    assert set(results) == set(QUESTIONS)
    for q, (out1, out2, api) in results.items():
        own = QUESTIONS[q]
        others = [t for t in QUESTIONS.values() if t != own]
        chat1, src1, _, _ = out1
        chat2, src2, picker2, _ = out2
        # each session's chat holds its own two questions only
        assert len(chat1) == 2 and len(chat2) == 4
        texts = json.dumps(chat2, ensure_ascii=False)
        assert all(other_q not in texts for other_q in QUESTIONS if other_q != q)
        # sources of this session's answers name its own article only
        for src in (src1, src2):
            assert own in src, (q, src[:300])
            assert not any(o in src for o in others), (q, src[:300])
        assert [c[1] for c in picker2["choices"]] == [1, 2]
        assert _title_of(corpus, api["citations"][0]["article_id"]) == own
