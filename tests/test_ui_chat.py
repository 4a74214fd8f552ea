"""The chat tab's handlers (ui/chat.py) called directly: settings checks, streaming outputs,
regenerate/edit/stop, error messages, ratings and feedback → test case."""
from __future__ import annotations

import html
import json
from types import SimpleNamespace

import pytest

from evaluation.testset import load_testset, resolve_gold_articles
from tests.fakes import FakeAssistant, fake_corpus
from ui.chat import SEARCHING, STOPPED, ChatController, check_top_k, new_session
from ui.feedback import FeedbackStore

Q1 = "贵州邮政双11快递业务收入是多少？"
Q2 = "阿克陶县建立了多少个快递服务点？"


def _ctl(tmp_path, **kw) -> ChatController:
    corpus = fake_corpus()
    fa = kw.pop("assistant", None) or FakeAssistant(corpus, delay=0, rich=True)
    return ChatController(fa, article_lookup=corpus.article, corpus=corpus,
                          feedback=FeedbackStore(tmp_path / "fb"), index_info={"fingerprint": "fp-x"},
                          export_dir=tmp_path / "export", **kw)


def _run(gen) -> list[tuple]:
    return list(gen)


def _ask(ctl, q, state=None, k=5, mode="hybrid", answerer="extractive"):
    outs = _run(ctl.respond(q, state or new_session(), k, mode, answerer))
    return outs, outs[-1][3]


@pytest.mark.parametrize("bad", [0, 15, 2.5, "x", None, -1, True])
def test_top_k_outside_1_to_10_or_fractional_is_refused(bad):
    with pytest.raises(ValueError, match="whole number from 1 to 10"):
        check_top_k(bad)


def test_top_k_accepts_whole_numbers():
    assert [check_top_k(v) for v in (1, 10, 5.0, "3")] == [1, 10, 5, 3]


def test_invalid_k_shows_a_message_and_keeps_the_question(tmp_path):
    # seen: 0, 15 or 2.5 were accepted silently
    ctl = _ctl(tmp_path)
    outs, _ = _ask(ctl, Q1, k=15)
    chat, *_rest, box = outs[-1]
    assert "top_k must be a whole number from 1 to 10 (got 15)" in html.unescape(chat[-1]["content"])
    assert not isinstance(box, str)  # gr.skip(): the typed question stays in the box
    assert ctl.assistant.calls == 0


def test_answer_streams_then_stores_the_turn_and_clears_the_box_only_at_the_start(tmp_path):
    # seen: text typed while an answer streamed was wiped when the answer ended
    ctl = _ctl(tmp_path)
    outs, state = _ask(ctl, Q1)
    assert outs[0][-1] == "" and outs[0][0][-1]["content"] == SEARCHING
    assert all(not isinstance(o[-1], str) for o in outs[1:])
    (turn,) = state["turns"]
    assert turn["question"] == Q1 and turn["top_k"] == 5 and turn["record"]["citations"]
    copy = json.loads(outs[-1][4])
    assert copy == {"user": [Q1], "bot": [turn["plain"]]} and "[1]" in copy["bot"][0] and "<sup" not in copy["bot"][0]
    assert open(outs[-1][5], encoding="utf-8").read().startswith("# 对话 Conversation")


def test_follow_up_gets_the_history_and_regenerate_replaces_the_last_answer(tmp_path):
    ctl = _ctl(tmp_path)
    _, s1 = _ask(ctl, Q1)
    _, s2 = _ask(ctl, Q2, state=s1)
    assert [t["question"] for t in s2["turns"]] == [Q1, Q2]
    outs = _run(ctl.regenerate(s2, 3, "bm25", "extractive"))
    s3 = outs[-1][3]
    assert [t["question"] for t in s3["turns"]] == [Q1, Q2]
    assert s3["turns"][-1]["top_k"] == 3 and s3["turns"][-1]["mode"] == "bm25"
    assert ctl.assistant.questions == [Q1, Q2, Q2]


def test_edit_resends_the_edited_question_and_drops_later_turns(tmp_path):
    ctl = _ctl(tmp_path)
    _, s1 = _ask(ctl, Q1)
    _, s2 = _ask(ctl, Q2, state=s1)
    outs = _run(ctl.edit(s2, 5, "hybrid", "extractive", SimpleNamespace(index=0, value="阿克陶县有多少个快递服务点？")))
    s3 = outs[-1][3]
    assert [t["question"] for t in s3["turns"]] == ["阿克陶县有多少个快递服务点？"]


def test_stop_keeps_the_partial_answer_marked_stopped(tmp_path):
    ctl = _ctl(tmp_path)
    _, s1 = _ask(ctl, Q1)
    chat = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "x"},
            {"role": "user", "content": "b"}, {"role": "assistant", "content": "部分回答"}]
    out = ctl.stopped(chat, s1)
    assert out[-1]["content"] == "部分回答\n\n" + STOPPED and out[1]["content"] == "x"
    assert ctl.stopped(chat[:2], s1)[-1]["content"] == "x"  # a finished answer is left alone


def test_llm_server_down_names_the_server(tmp_path):
    # seen: with the LLM server down the page said only "Something went wrong"
    from answering.llm import LLMError

    down = FakeAssistant(fake_corpus(), delay=0, error=LLMError(
        "cannot reach http://127.0.0.1:9/v1/chat/completions: [Errno 111] Connection refused"))
    ctl = _ctl(tmp_path, llm_assistant=down, llm_server="http://127.0.0.1:9/v1")
    outs, _ = _ask(ctl, Q1, answerer="generative")
    text = html.unescape(outs[-1][0][-1]["content"])
    assert "LLM server http://127.0.0.1:9/v1 failed or is not reachable" in text and "Connection refused" in text
    assert "Something went wrong" not in text


def test_generative_without_llm_is_explained(tmp_path):
    ctl = _ctl(tmp_path)
    outs, _ = _ask(ctl, Q1, answerer="generative")
    assert "start the app with --llm openai:MODEL" in html.unescape(outs[-1][0][-1]["content"])


def test_thumbs_up_is_stored_and_becomes_a_test_case(tmp_path):
    ctl = _ctl(tmp_path)
    _, s1 = _ask(ctl, Q1)
    state, rec, box, status = ctl.rate(s1, SimpleNamespace(index=1, liked=True, value=None))
    assert state["turns"][0]["rating"] == "up" and "Rating of answer #1 stored" in status
    lines = (tmp_path / "fb" / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    stored = json.loads(lines[0])
    assert stored["rating"] == "up" and stored["question"] == Q1 and stored["citations"]
    assert stored["index"] == {"fingerprint": "fp-x"} and stored["timings_ms"] == {"total": 12.5}
    rec, status = ctl.save_comment(rec, "很好")
    assert status == "评论已保存 Comment stored."
    msg = ctl.add_to_testset(rec, "很好")
    assert msg.startswith("✓ 已加入测试集") and "4329.7 万元" in msg
    (case,) = load_testset(tmp_path / "fb" / "feedback_testset.jsonl")
    assert case.question == Q1 and case.answers == ("4329.7 万元",) and case.gold_articles == ("id:fake#1",)
    assert resolve_gold_articles(case, fake_corpus()) == ["fake#1"] and case.tags == ("feedback",)
    assert "already holds" in ctl.add_to_testset(rec, "很好")


def test_thumbs_down_needs_an_expected_answer_found_in_one_article(tmp_path):
    ctl = _ctl(tmp_path)
    _, s1 = _ask(ctl, Q2)
    _, rec, _, _ = ctl.rate(s1, SimpleNamespace(index=1, liked=False, value=None))
    assert "Not added" in ctl.add_to_testset(rec, "")
    assert "Not added" in ctl.add_to_testset(rec, "火星")
    assert ctl.add_to_testset(rec, "118个快递服务点").startswith("✓")
    (case,) = load_testset(tmp_path / "fb" / "feedback_testset.jsonl")
    assert case.answers == ("118个快递服务点",) and case.gold_articles == ("id:fake#2",)


def test_thumbs_down_should_have_refused_is_an_unanswerable_case(tmp_path):
    # seen: a 👎 could not say "the assistant should have refused": it always asked for the
    # expected answer, so a wrong answer to an unanswerable question never became a test case
    ctl = _ctl(tmp_path)
    _, s1 = _ask(ctl, Q1)
    _, rec, _, status = ctl.rate(s1, SimpleNamespace(index=1, liked=False, value=None))
    assert "应当拒答" in status and "Should have refused" in status  # the hint names the box
    msg = ctl.add_to_testset(rec, "资料里没有这个数字", True)
    assert msg.startswith("✓") and "refuse (unanswerable)" in msg, msg
    (case,) = load_testset(tmp_path / "fb" / "feedback_testset.jsonl")
    assert case.question == Q1 and case.answers == () and case.gold_articles == ()
    assert not case.answerable and case.tags == ("feedback", "unanswerable")
    lines = (tmp_path / "fb" / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    latest = json.loads(lines[-1])
    assert latest["id"] == rec["id"] and latest["should_refuse"] is True
    assert latest["comment"] == "资料里没有这个数字"


def test_should_have_refused_is_refused_on_a_thumbs_up_and_off_by_default(tmp_path):
    ctl = _ctl(tmp_path)
    _, s1 = _ask(ctl, Q1)
    _, up, _, _ = ctl.rate(s1, SimpleNamespace(index=1, liked=True, value=None))
    assert "Not added" in ctl.add_to_testset(up, "", True)  # 👍 says the answer was right
    assert not (tmp_path / "fb" / "feedback_testset.jsonl").exists()
    stored = (tmp_path / "fb" / "feedback.jsonl").read_text(encoding="utf-8")
    assert "should_refuse" not in stored
    _, s2 = _ask(ctl, Q2)
    _, down, _, _ = ctl.rate(s2, SimpleNamespace(index=1, liked=False, value=None))
    assert "Not added" in ctl.add_to_testset(down, "资料里没有", False)  # box unticked: an expected answer


def test_thumbs_up_on_a_refusal_is_an_unanswerable_case(tmp_path):
    ctl = _ctl(tmp_path)
    _, s1 = _ask(ctl, "明天天气怎么样？")
    _, rec, _, _ = ctl.rate(s1, SimpleNamespace(index=1, liked=True, value=None))
    assert ctl.add_to_testset(rec, "").startswith("✓")
    (case,) = load_testset(tmp_path / "fb" / "feedback_testset.jsonl")
    assert not case.answerable and "unanswerable" in case.tags


def test_restore_and_new_conversation(tmp_path):
    ctl = _ctl(tmp_path)
    _, s1 = _ask(ctl, Q1)
    chat, sources, picker, state, copy, export = ctl.restore(json.loads(json.dumps(s1)))
    assert len(chat) == 2 and "Sources of answer #1" in sources and picker["value"] == 1
    assert ctl.restore(None)[0] == [] and ctl.restore({"turns": "junk"})[0] == []
    out = ctl.new_conversation()
    assert out[0] == [] and out[3] == {"turns": []} and out[-1] == ""


def test_real_generative_assistant_with_its_server_down_names_the_server(tmp_path):
    from answering.gate import EvidenceGate
    from answering.pipeline import Assistant
    from corpus.pipeline import load_corpus
    from retrieval.encoder import HashingEncoder
    from retrieval.searcher import Retriever
    from tests.fakes import write_seeds

    corpus = load_corpus(write_seeds(tmp_path))
    retriever = Retriever.from_corpus(corpus, HashingEncoder(256))
    gate = EvidenceGate(min_top_dense=0.12, min_best_sentence=0.4, min_coverage=0.5)
    llm = Assistant(retriever, llm="openai:qwen", llm_base_url="http://127.0.0.1:9/v1", gate=gate)
    ctl = ChatController(Assistant(retriever, gate=gate), llm_assistant=llm, corpus=corpus,
                         llm_server="http://127.0.0.1:9/v1", export_dir=tmp_path / "x")
    outs = list(ctl.respond("贵州邮政双11期间快递业务收入是多少？", new_session(), 5, "hybrid", "generative"))
    text = html.unescape(outs[-1][0][-1]["content"])
    assert "The LLM server http://127.0.0.1:9/v1 failed or is not reachable" in text, text
