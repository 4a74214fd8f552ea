"""The documents tab and the page's corpus line (ui/documents.py, ui/layout.py) without a
browser: a real ``IndexManager`` (HashingEncoder) over a copy of the seed page, the page's
events called as the server calls them."""
from __future__ import annotations

import pytest

from tests.fakes import FakeAssistant

MARS = "火星邮局开业一周年\n\n本报讯 火星邮局累计收寄地火往来邮件12.8万件，日均处理邮件350件。\n"
SEED_NAME = "000_a77ed823f95b9e33.txt"


def _fns(demo, api_name: str):
    return next(f for f in demo.fns.values() if f.api_name == api_name)


def _component(demo, elem_id: str):
    return next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == elem_id)


def _then(demo, api_name: str, elem_id: str):
    """The function chained after the event ``api_name`` that writes the component ``elem_id``."""
    first = _fns(demo, api_name)
    target = _component(demo, elem_id)
    chained = [f for f in demo.fns.values() if f.trigger_after == first._id and target in f.outputs]
    assert len(chained) == 1, f"nothing after {api_name} updates #{elem_id}"
    return chained[0].fn


@pytest.fixture()
def page(tmp_path, seeds, hashing_encoder):
    """The page over an IndexManager (the chat is a fake whose retriever is the manager, as in
    app.py where one object serves both) and a file to upload."""
    from retrieval.index import IndexManager
    from ui.layout import build_demo

    manager = IndexManager.open(tmp_path / "index", seeds, hashing_encoder)
    fa = FakeAssistant(delay=0)
    fa.retriever = manager
    demo = build_demo(fa, corpus=manager, manager=manager, feedback_dir=tmp_path / "fb",
                      runs_dir=tmp_path / "runs")
    mars = tmp_path / "up" / "mars.txt"
    mars.parent.mkdir()
    mars.write_text(MARS, encoding="utf-8")
    return demo, manager, mars


def test_page_load_shows_the_current_corpus_and_documents(page):
    # seen: after an upload and a reload, the corpus line and the documents table and dropdown
    # still showed the startup corpus (only the seed file) until Refresh was pressed
    demo, manager, mars = page
    assert "1 个文档" in _component(demo, "corpus-overview").value
    (r,) = manager.add_files([mars])
    assert r.ok
    line = _fns(demo, "corpus_overview").fn()
    assert "2 个文档" in line and f"{7 + r.articles} 篇文章" in line
    table, pick, *_ = _fns(demo, "documents_load").fn()
    assert [row[0] for row in table] == [SEED_NAME, "mars.txt"]
    assert pick["choices"] == [SEED_NAME, "mars.txt"] or \
        [c[0] if isinstance(c, tuple) else c for c in pick["choices"]] == [SEED_NAME, "mars.txt"]


def test_upload_delete_and_reindex_update_the_corpus_line(page):
    # seen: the corpus line under the title kept "1 个文档 · 7 篇文章" after an upload
    demo, manager, mars = page
    out = _fns(demo, "documents_add").fn([str(mars)])
    assert "mars.txt" in [row[0] for row in out[0]]
    assert "2 个文档" in _then(demo, "documents_add", "corpus-overview")()
    _fns(demo, "documents_reindex").fn("mars.txt")
    assert "2 个文档" in _then(demo, "documents_reindex", "corpus-overview")()
    _fns(demo, "documents_delete").fn("mars.txt", "mars.txt")  # the confirming second click
    line = _then(demo, "documents_delete", "corpus-overview")()
    assert "1 个文档" in line and "7 篇文章" in line


def test_counts_of_one_are_singular_in_the_messages(page):
    # seen: "Corpus: 1 documents", "Added: 1 articles, 1 passages"
    from ui.documents import _results_md, _summary

    demo, manager, mars = page
    assert "Corpus: 1 document, 7 articles, 38 passages." in _summary(manager)
    (r,) = manager.add_files([mars])
    assert (r.articles, r.passages) == (1, 1)
    assert "Added: 1 article, 1 passage." in _results_md([r])
    assert "Corpus: 2 documents, 8 articles, 39 passages." in _summary(manager)
    out = _fns(demo, "documents_delete").fn("mars.txt", "mars.txt")
    assert "（1 篇文章 article，1 个段落 passage）" in out[2]


def test_delete_needs_a_second_click_on_the_same_document(page, seeds):
    # seen: one click on 删除 Delete removed the file and its index rows, no confirmation
    demo, manager, mars = page
    manager.add_files([mars])
    assert (seeds / "mars.txt").exists()
    delete = _fns(demo, "documents_delete").fn
    skip = {"__type__": "update"}
    table, pick, status, summary, armed, button = delete("mars.txt", None)
    assert "mars.txt" in [d.name for d in manager.documents()]
    assert (table, pick, summary) == (skip, skip, skip)  # nothing changed yet
    assert armed == "mars.txt" and "mars.txt" in status and "again" in status
    assert "Confirm" in button["value"]
    # another document picked meanwhile: its first click only asks again
    assert delete(SEED_NAME, armed)[4] == SEED_NAME
    assert {d.name for d in manager.documents()} == {SEED_NAME, "mars.txt"}
    table, pick, status, summary, armed, button = delete("mars.txt", "mars.txt")
    assert [d.name for d in manager.documents()] == [SEED_NAME]
    assert [row[0] for row in table] == [SEED_NAME] and "Deleted" in status
    assert armed is None and button["value"] == "删除 Delete"
    assert not (seeds / "mars.txt").exists() and (seeds / SEED_NAME).exists()
    # picking another document disarms the button
    pick_change = next(f for f in demo.fns.values()
                       if any(t[1] == "change" and t[0] == _component(demo, "documents-pick")._id
                              for t in f.targets))
    assert pick_change.fn() == (None, {"__type__": "update", "value": "删除 Delete"})


def test_a_rating_stores_the_index_that_answered_not_the_startup_one(page):
    # seen: the index info stored with each rating (fingerprint, model, built_at) was taken once
    # at startup, so ratings given after an upload named the old corpus
    from types import SimpleNamespace

    demo, manager, mars = page
    ctl = _fns(demo, "rate").fn.__self__
    startup = manager.manifest.corpus_fingerprint
    _fns(demo, "documents_add").fn([str(mars)])
    live = manager.manifest
    assert live.corpus_fingerprint != startup
    state = list(ctl.respond("火星邮局累计收寄了多少邮件？", {"turns": []}, 5, "hybrid", "extractive"))[-1][3]
    _, rec, _, _ = ctl.rate(state, SimpleNamespace(index=1, liked=True, value=None))
    assert rec["index"]["fingerprint"] == live.corpus_fingerprint
    assert rec["index"]["built_at"] == live.built_at and rec["index"]["model"] == live.model_id


def _examples_of(update) -> list[str]:
    return [s[0] for s in update["samples"]]


def test_examples_follow_the_corpus(page):
    # seen: the example questions were chosen once at startup; with the seed page deleted they
    # still asked about it
    import asyncio

    from gradio.state_holder import SessionState

    demo, manager, mars = page
    assert _examples_of(_fns(demo, "examples_load").fn())[0] == "贵州邮政双11期间快递业务收入是多少？"
    _fns(demo, "documents_add").fn([str(mars)])
    _fns(demo, "documents_delete").fn(SEED_NAME, SEED_NAME)
    wanted = ["「火星邮局开业一周年」讲了什么？"]
    assert _examples_of(_then(demo, "documents_delete", "examples")()) == wanted
    assert _examples_of(_fns(demo, "examples_load").fn()) == wanted
    # as Gradio runs it: the page load refreshes the examples, then a click on the first one
    # fills the question box with the new example
    state = SessionState(demo)
    load = _fns(demo, "examples_load")
    asyncio.run(demo.process_api(block_fn=load, inputs=[], state=state))
    click = _fns(demo, "load_example")
    out = asyncio.run(demo.process_api(block_fn=click, inputs=[0], state=state))
    assert out["data"][0]["value"] == wanted[0]
