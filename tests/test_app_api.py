"""The web app through its HTTP API (gradio_client): /ask structure, XSS inertness, sessions.

The page is launched with ``ui.layout.build_demo`` on 127.0.0.1 and a free port, around the real
``Assistant`` over an in-memory ``Retriever`` (HashingEncoder) built from a throwaway seeds
directory written by the test.
"""
from __future__ import annotations

import json
import re
import threading

import pytest

gradio_client = pytest.importorskip("gradio_client")
from gradio_client import Client  # noqa: E402

from tests.fakes import (QUESTIONS, XSS_QUESTION, XSS_TITLE, launch,  # noqa: E402
                         real_assistant, write_seeds)
from tests.fakes import XSS_ARTICLE_TEXT as XSS_TEXT  # noqa: E402


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from retrieval.encoder import HashingEncoder

    from ui.layout import build_demo

    seeds = write_seeds(tmp_path_factory.mktemp("app_api"))
    assistant = real_assistant(seeds, HashingEncoder(dim=256))
    # precondition of the XSS test: the hostile markup reached the corpus as text
    assert any(a.title == XSS_TITLE and XSS_TEXT in a.text
               for a in assistant.retriever.corpus.articles)
    demo = build_demo(assistant, feedback_dir=tmp_path_factory.mktemp("fb"))
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
    assert set(api["named_endpoints"]) == {"/ask"}
    assert api["unnamed_endpoints"] == {}


def test_api_parameters_are_named(served):
    # seen: the API page listed "parameter_7" and unnamed outputs "1st" … "5th"
    url, _ = served
    api = Client(url, verbose=False).view_api(print_info=False, return_format="dict")
    ask = api["named_endpoints"]["/ask"]
    names = [p["parameter_name"] for p in ask["parameters"]]
    assert names == ["question", "history_json", "top_k", "mode", "answerer"]
    assert not any(re.fullmatch(r"parameter_\d+", n or "") for n in names)
    assert len(ask["returns"]) == 1


def test_ask_returns_structured_cited_answer(served):
    url, corpus = served
    q = "贵州邮政双11期间快递业务收入是多少？"
    r = Client(url, verbose=False).predict(q, "", 5, "hybrid", api_name="/ask")
    assert set(r) >= {"answer", "query", "refused", "citations", "unsupported"}
    assert r["refused"] is False and r["query"]
    assert "4329.7" in r["answer"]
    assert r["citations"], r
    for c in r["citations"]:
        assert set(c) >= {"number", "title", "article_id", "passage_id", "paragraph_no", "quote"}
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
    from ui.render import render_answer_message, render_sources_html

    r = Client(url, verbose=False).predict(XSS_QUESTION, "", 5, "hybrid", "extractive", api_name="/ask")
    assert r["citations"] and r["citations"][0]["title"] == XSS_TITLE
    # the same answer rendered for the page: markup only escaped
    from answering.types import Answer, Citation

    a = Answer(question=XSS_QUESTION, query=XSS_QUESTION, text=r["answer"],
               citations=tuple(Citation(number=c["number"], passage_id=c["passage_id"],
                                        article_id=c["article_id"], title=c["title"],
                                        paragraph_no=c["paragraph_no"], quote=c["quote"],
                                        quote_start=0, quote_end=0) for c in r["citations"]))
    sources_html = render_sources_html(a, corpus.article, turn=1)
    answer_html = render_answer_message(a)
    assert "&lt;b&gt;网店&lt;/b&gt;价格公告" in sources_html
    for html_out in (sources_html, answer_html):
        low = html_out.lower()
        assert "<script" not in low and "<img" not in low and "<b>网店" not in low
    assert "$" not in answer_html and "**" not in answer_html


def test_concurrent_clients_do_not_mix(served):
    url, corpus = served
    results: dict[str, tuple] = {}
    errors: list[BaseException] = []

    def converse(q: str) -> None:
        try:
            client = Client(url, verbose=False)
            first = client.predict(q, "", 5, "hybrid", "extractive", api_name="/ask")
            hist = json.dumps([[q, first["answer"]]], ensure_ascii=False)
            second = client.predict(q + "请再说一遍。", hist, 5, "hybrid", "extractive", api_name="/ask")
            results[q] = (first, second)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=converse, args=(q,)) for q in QUESTIONS]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    assert not errors, errors
    assert set(results) == set(QUESTIONS)
    for q, (first, second) in results.items():
        for r in (first, second):
            assert r["question"].startswith(q)
            assert _title_of(corpus, r["citations"][0]["article_id"]) == QUESTIONS[q]


def test_bad_ask_input_logs_one_line_and_no_traceback(served, capfd, caplog):
    # seen: each refused /ask call (empty question, bad top_k / mode / history_json) printed a
    # full Python traceback in the server log; the client's message must stay as clear as before
    import logging

    url, _ = served
    client = Client(url, verbose=False)
    bad_calls = ((("   ", "", 5, "hybrid"), "question must be a non-empty string"),
                 (("问题", "", 0, "hybrid"), "top_k must be a whole number from 1 to 10"),
                 (("问题", "", 5, "nope"), "mode must be one of hybrid, dense, bm25"),
                 (("问题", "{not json", 5, "hybrid"), "history_json is not valid JSON"))
    caplog.set_level(logging.INFO, logger="ui.layout")
    capfd.readouterr()
    for args, message in bad_calls:
        with pytest.raises(Exception) as ei:
            client.predict(*args, api_name="/ask")
        assert message in str(ei.value)
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "gradio.exceptions.Error" not in out + err
    lines = [x for x in (out + err).splitlines() if x.strip()]
    assert len(lines) <= len(bad_calls), lines
    refused = [r.getMessage() for r in caplog.records if r.name == "ui.layout"]
    assert len(refused) == len(bad_calls) and all("\n" not in m for m in refused), refused
    assert all(msg in line for (_, msg), line in zip(bad_calls, refused))
