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
