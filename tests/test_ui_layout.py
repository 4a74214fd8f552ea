"""The page's structure (ui/layout.py, ui/overview.py) without a browser."""
from __future__ import annotations

import importlib.util

from tests.fakes import FakeAssistant, FakeRetriever, fake_corpus
from ui.layout import build_demo, state_secret
from ui.overview import index_info, overview_markdown


def test_overview_names_documents_articles_passages_model_and_date():
    r = FakeRetriever(fake_corpus())
    info = index_info(r)
    assert info == {"fingerprint": "fp-fake", "model": "fake-encoder", "built_at": "2026-12-01T12:00:00+00:00",
                    "documents": 1, "articles": 3, "passages": 4}
    md = overview_markdown(r)
    assert "1 个文档 document · 3 篇文章 articles · 4 个段落 passages" in md  # seen: "1 documents"
    assert "`fake-encoder`" in md and "2026-12-01 12:00:00 UTC" in md


def test_conversation_key_is_stable_across_restarts(tmp_path):
    a = state_secret(tmp_path)
    assert len(a) >= 16 and state_secret(tmp_path) == a
    assert (tmp_path / "browser_state_secret").read_text(encoding="utf-8") == a


def _texts(cfg) -> str:
    return " ".join(str(c.get("props", {}).get("value", "")) + " " + str(c.get("props", {}).get("label", ""))
                    for c in cfg["components"])


def test_page_has_the_three_tabs_and_the_overview(tmp_path):
    demo = build_demo(FakeAssistant(fake_corpus(), delay=0), feedback_dir=tmp_path / "fb",
                      runs_dir=tmp_path / "runs")
    cfg = demo.config
    labels = [c["props"].get("label") for c in cfg["components"] if c.get("type") == "tabitem"]
    assert labels == ["对话 Chat", "文档 Documents", "评测 Evaluation"]
    text = _texts(cfg)
    assert "3 篇文章 articles" in text
    if importlib.util.find_spec("ui.documents") is None:
        assert "Document management (upload, delete) is not available" in text
    chat = next(c for c in cfg["components"] if c["props"].get("elem_id") == "chatbot")
    assert chat["props"]["show_label"] is False  # seen: the label covered the top message


def _block(demo, elem_id: str):
    return next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == elem_id)


def test_feedback_box_has_a_should_have_refused_box_feeding_add_to_testset(tmp_path):
    # seen: a 👎 could not record "the assistant should have refused"
    from types import SimpleNamespace

    import gradio as gr

    demo = build_demo(FakeAssistant(fake_corpus(), delay=0), feedback_dir=tmp_path / "fb", runs_dir=tmp_path / "runs")
    box = _block(demo, "feedback-refuse")
    assert isinstance(box, gr.Checkbox) and box.value is False
    assert "应当拒答" in box.label and "Should have refused" in box.label
    add = next(f for f in demo.fns.values() if f.api_name == "add_to_testset")
    assert box in add.inputs
    # ticking it on one answer must not carry over to the next rating
    rate = next(f for f in demo.fns.values() if f.api_name == "rate")
    reset = [f for f in demo.fns.values() if f.trigger_after == rate._id and box in f.outputs]
    assert len(reset) == 1 and reset[0].fn() is False
    # the handler makes the unanswerable case from what the page sends
    ctl = add.fn.__self__
    state = list(ctl.respond("贵州邮政双11快递业务收入是多少？", {"turns": []}, 5, "hybrid", "extractive"))[-1][3]
    _, rec, _, _ = ctl.rate(state, SimpleNamespace(index=1, liked=False, value=None))
    assert add.fn(rec, "", True).startswith("✓")
