"""Event handlers of the chat tab: ask (streaming), stop, regenerate, edit, new conversation,
sources of an earlier answer, rating and "add to test set".

The conversation lives in the browser (``gr.BrowserState``, so a reload keeps it) as a JSON
dict ``{"turns": [turn, ...]}``; a turn holds only strings and JSON values::

    {"question": str, "answer_text": str (for follow-up history), "mode": str, "top_k": int,
     "answerer": str, "user_md": str, "bot_md": str (rendered message), "plain": str (copy text),
     "sources": str (sources-panel HTML), "record": answer_payload dict, "rating": None|"up"|"down"}

``ChatController`` holds the assistants and the stores; its methods are the Gradio handlers
and are plain functions of their inputs, so the tests call them directly.
"""
from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import gradio as gr

from ui.export import conversation_markdown, plain_text
from ui.feedback import FeedbackStore, testcase_from_feedback
from ui.render import (answer_payload, escape_chat_text, render_answer_message,
                       render_sources_html, turn_label)

log = logging.getLogger("ui.chat")

MODES = ("hybrid", "dense", "bm25")
MAX_K = 10
MAX_TURNS = 50  # turns kept in the browser (oldest dropped)
ANSWERERS = ("extractive", "generative")
SEARCHING = "… 正在检索 Searching…"
STOPPED = "⏹ 已停止 Stopped"


def new_session() -> dict[str, Any]:
    """An empty conversation."""
    return {"turns": []}


def _turns(state: Any) -> list[dict[str, Any]]:
    if isinstance(state, dict) and isinstance(state.get("turns"), list):
        return [t for t in state["turns"] if isinstance(t, dict) and "question" in t]
    return []


def check_top_k(value: Any) -> int:
    """``value`` as a passage count 1..MAX_K.

    Raises:
        ValueError: not a whole number (``2.5``, ``"x"``, None) or out of range (0, 15),
            with a message naming the valid range.
    """
    msg = f"检索段落数必须是 1 到 {MAX_K} 的整数 · top_k must be a whole number from 1 to {MAX_K}"
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{msg} (got {value!r})")
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{msg} (got {value!r})") from None
    if f != int(f) or not 1 <= int(f) <= MAX_K:
        raise ValueError(f"{msg} (got {value!r})")
    return int(f)


def check_mode(mode: Any) -> str:
    """``mode`` as one of hybrid / dense / bm25 (a ``SearchMode`` str enum works too).

    Raises:
        ValueError: any other value.
    """
    m = str(getattr(mode, "value", mode) or "")
    if m not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    return m


def messages(turns: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """Chatbot value (messages format) rebuilt from the turns."""
    out: list[dict[str, str]] = []
    for t in turns:
        out.append({"role": "user", "content": t["user_md"]})
        out.append({"role": "assistant", "content": t["bot_md"]})
    return out


def copy_texts(turns: Sequence[dict[str, Any]]) -> str:
    """JSON ``{"user": [questions], "bot": [plain answers]}``: what the copy buttons copy
    (read by ``ui/static/app.js``; the messages themselves hold escaped HTML)."""
    return json.dumps({"user": [t.get("question", "") for t in turns],
                       "bot": [t.get("plain", "") for t in turns]}, ensure_ascii=False)


class ChatController:
    """The chat's handlers around one or two assistants.

    Args:
        assistant: extractive ``Assistant``-like object (``stream``/``ask`` with
            ``(question, history, top_k=, mode=)``), safe to call from several threads.
        llm_assistant: optional generative one; None -> "generative" is explained, not run.
        article_lookup: ``article_id -> Article`` for dates and full articles.
        feedback: where ratings and the feedback test set go (None: ratings off).
        corpus: the Corpus (to resolve a 👎's expected answer).
        index_info: ``{"fingerprint", "model", "built_at"}`` stored with each rating, or a
            function returning it, called at each rating (the live index: uploads and
            deletions change it).
        llm_server: base URL or spec of the LLM, named in its error messages.
        export_dir: where conversation exports are written (default: a temp dir).
    """

    def __init__(self, assistant: Any, *, llm_assistant: Any | None = None,
                 article_lookup: Callable[[str], Any] | None = None,
                 feedback: FeedbackStore | None = None, corpus: Any | None = None,
                 index_info: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
                 llm_server: str | None = None,
                 export_dir: str | Path | None = None) -> None:
        self.assistant = assistant
        self.llm_assistant = llm_assistant
        self.article_lookup = article_lookup
        self.feedback = feedback
        self.corpus = corpus
        self.index_info = index_info or {}
        self.llm_server = llm_server
        self.export_dir = Path(export_dir) if export_dir else Path(tempfile.mkdtemp(prefix="chat-export-"))

    # ---------------------------------------------------------------- helpers
    def current_index_info(self) -> dict[str, Any]:
        """The index info to store with a rating now (``index_info``, called when it is a
        function); ``{}`` when it cannot be read (the rating is still stored)."""
        if not callable(self.index_info):
            return dict(self.index_info)
        try:
            return dict(self.index_info() or {})
        except Exception:  # noqa: BLE001 - a rating must not fail on the index's metadata
            log.exception("index info unavailable")
            return {}

    def pick(self, answerer: str | None) -> Any:
        """The assistant for an answerer name (``llm`` is accepted for ``generative``).

        Raises:
            ValueError: generative without a configured LLM, or an unknown name.
        """
        name = "generative" if answerer == "llm" else (answerer or "extractive")
        if name == "extractive":
            return self.assistant
        if name == "generative":
            if self.llm_assistant is None:
                raise ValueError("生成式回答需要大模型：用 --llm openai:MODEL [--llm-base-url URL] 启动。"
                                 " The generative answerer needs an LLM: start the app with "
                                 "--llm openai:MODEL [--llm-base-url URL].")
            return self.llm_assistant
        raise ValueError(f"answerer must be one of {', '.join(ANSWERERS)}, got {answerer!r}")

    def sources_for(self, turns: Sequence[dict[str, Any]], turn: int | None) -> str:
        if not turns:
            return render_sources_html(None)
        if turn is None or not 1 <= turn <= len(turns):
            turn = len(turns)
        return turns[turn - 1]["sources"]

    @staticmethod
    def picker(turns: Sequence[dict[str, Any]], value: int | None = None) -> dict:
        choices = [(turn_label(i, t["question"]), i) for i, t in enumerate(turns, start=1)]
        return gr.update(choices=choices, value=value if value is not None else (len(turns) or None),
                         interactive=bool(turns))

    def export_file(self, turns: Sequence[dict[str, Any]]) -> str | None:
        """Write the conversation as Markdown; returns its path (None when empty)."""
        if not turns:
            return None
        md = conversation_markdown(turns)
        name = "conversation-" + hashlib.sha1(md.encode("utf-8")).hexdigest()[:10] + ".md"
        self.export_dir.mkdir(parents=True, exist_ok=True)
        path = self.export_dir / name
        path.write_text(md, encoding="utf-8")
        return str(path)

    def view(self, turns: list[dict[str, Any]], turn: int | None = None) -> tuple:
        """(chatbot, sources, picker, state, copy texts, export) for ``turns``."""
        return (messages(turns), self.sources_for(turns, turn), self.picker(turns, turn),
                {"turns": turns[-MAX_TURNS:]}, copy_texts(turns), self.export_file(turns))

    def error_text(self, e: Exception, answerer: str) -> str:
        """The message shown when answering failed: names the LLM server for LLM errors."""
        is_llm = type(e).__name__ == "LLMError" or answerer in ("generative", "llm")
        if is_llm:
            server = self.llm_server or getattr(getattr(self.llm_assistant, "llm", None), "base_url", None) \
                or "LLM"
            return (f"⚠ 大模型服务器出错或无法连接 The LLM server {server} failed or is not reachable: {e}."
                    " 可改用抽取式回答 Switch the answerer to extractive, or start the server.")
        return f"⚠ 出错了，请重试 Something went wrong ({type(e).__name__}: {e}); please try again."

    # ---------------------------------------------------------------- answering
    def _answer(self, question: str, turns: list[dict[str, Any]], k: Any, mode: Any,
                answerer: str) -> Iterator[tuple]:
        """Stream one answer after ``turns``; yields (chatbot, sources, picker, state, copy,
        export, message box) tuples.  The message box is cleared when the question is taken
        and never touched afterwards (text typed meanwhile is kept)."""
        skip = gr.skip()
        try:
            k_int, mode_ok = check_top_k(k), check_mode(mode)
            assistant = self.pick(answerer)
        except ValueError as e:
            gr.Warning(str(e), title="设置 Settings")
            yield (messages(turns) + [{"role": "user", "content": escape_chat_text(question)},
                                      {"role": "assistant", "content": escape_chat_text(f"⚠ {e}")}],
                   skip, skip, skip, skip, skip, skip)
            return
        history = [(t["question"], t["answer_text"]) for t in turns]
        user_md = escape_chat_text(question)
        chat = messages(turns) + [{"role": "user", "content": user_md},
                                  {"role": "assistant", "content": SEARCHING}]
        yield list(chat), skip, skip, skip, skip, skip, ""
        final = None
        try:
            for partial in assistant.stream(question, history, top_k=k_int, mode=mode_ok):
                final = partial
                chat[-1] = {"role": "assistant", "content": render_answer_message(partial) or "…"}
                yield list(chat), skip, skip, skip, skip, skip, skip
        except Exception as e:  # noqa: BLE001 - show a message, keep the session alive
            if not isinstance(e, ValueError):
                log.exception("assistant failed on %r", question)
            text = (f"⚠ 无法回答 Cannot answer: {e}" if isinstance(e, ValueError)
                    and answerer not in ("generative", "llm") else self.error_text(e, answerer))
            chat[-1] = {"role": "assistant", "content": escape_chat_text(text)}
            yield list(chat), skip, skip, skip, skip, skip, skip
            return
        if final is None:
            chat[-1] = {"role": "assistant", "content": escape_chat_text("⚠ 没有得到回答。 No answer was produced.")}
            yield list(chat), skip, skip, skip, skip, skip, skip
            return
        n = len(turns) + 1
        record = answer_payload(final)
        turn = {"question": question, "answer_text": record["answer"], "mode": mode_ok, "top_k": k_int,
                "answerer": "generative" if answerer in ("generative", "llm") else "extractive",
                "user_md": user_md, "bot_md": render_answer_message(final),
                "plain": plain_text(final, self.article_lookup),
                "sources": render_sources_html(final, self.article_lookup, turn=n, mode=mode_ok),
                "record": record, "rating": None}
        yield (*self.view(turns + [turn], n), skip)

    def respond(self, message: str, state: Any, k: Any, mode: Any, answerer: str) -> Iterator[tuple]:
        """Ask ``message`` after the stored conversation (outputs: chatbot, sources, picker,
        state, copy texts, export, message box)."""
        turns = _turns(state)
        question = (message or "").strip()
        if not question:
            gr.Warning("请输入问题。 Please type a question.", title="提示 Notice")
            yield (*self.view(turns), gr.skip())
            return
        yield from self._answer(question, turns, k, mode, answerer)

    def regenerate(self, state: Any, k: Any, mode: Any, answerer: str) -> Iterator[tuple]:
        """Answer the last question again (replacing its answer) with the current settings."""
        turns = _turns(state)
        if not turns:
            yield (*self.view(turns), gr.skip())
            return
        yield from self._answer(turns[-1]["question"], turns[:-1], k, mode, answerer)

    def edit(self, state: Any, k: Any, mode: Any, answerer: str, evt: gr.EditData) -> Iterator[tuple]:
        """Resend an edited question: the turns after it are dropped (``evt``: ``gr.EditData``
        with ``.index`` of the edited user message and its new ``.value``)."""
        turns = _turns(state)
        idx = evt.index if isinstance(evt.index, int) else evt.index[0]
        turn = int(idx) // 2
        value = evt.value
        if isinstance(value, list):  # Gradio may hand content as [{"type": "text", "text": …}]
            value = " ".join(v.get("text", "") if isinstance(v, dict) else str(v) for v in value)
        question = str(value or "").strip()
        if not question or not 0 <= turn < len(turns):
            yield (*self.view(turns), gr.skip())
            return
        yield from self._answer(question, turns[:turn], k, mode, answerer)

    def stopped(self, chat: Any, state: Any) -> list:
        """After Stop: keep the partial answer on screen, marked as stopped (not stored)."""
        turns = _turns(state)
        chat = list(chat or [])
        if len(chat) > 2 * len(turns) and chat and chat[-1].get("role") == "assistant":
            content = chat[-1].get("content")
            if isinstance(content, list):
                content = " ".join(c.get("text", "") for c in content if isinstance(c, dict))
            content = "" if content == SEARCHING else str(content or "")
            chat[-1] = {"role": "assistant", "content": (content + "\n\n" if content else "") + STOPPED}
        return chat

    def new_conversation(self) -> tuple:
        """Forget the conversation (outputs as ``view`` plus the message box)."""
        return (*self.view([]), "")

    def restore(self, state: Any) -> tuple:
        """Page load: show the conversation kept in the browser."""
        return self.view(_turns(state))

    def show_turn(self, turn: Any, state: Any) -> str:
        try:
            n = int(turn)
        except (TypeError, ValueError):
            n = None
        return self.sources_for(_turns(state), n)

    def select_message(self, state: Any, evt: gr.SelectData) -> tuple:
        idx = evt.index if isinstance(evt.index, int) else (evt.index[0] if evt.index else 0)
        turns = _turns(state)
        turn = int(idx) // 2 + 1
        if not 1 <= turn <= len(turns):
            return gr.skip(), gr.skip()
        return self.sources_for(turns, turn), self.picker(turns, turn)

    # ---------------------------------------------------------------- feedback
    def rate(self, state: Any, evt: gr.LikeData) -> tuple:
        """👍/👎 on an answer (``evt``: ``gr.LikeData``).  Outputs: (state, rated record,
        feedback box visibility, status line)."""
        turns = _turns(state)
        idx = evt.index if isinstance(evt.index, int) else evt.index[0]
        n = int(idx) // 2
        if self.feedback is None or not 0 <= n < len(turns):
            return gr.skip(), gr.skip(), gr.skip(), "评价未保存 Rating not stored (feedback is off)."
        liked = evt.liked
        if liked is None or liked == "":
            return gr.skip(), None, gr.update(visible=False), "已取消评价 Rating removed."
        rating = "up" if liked is True or liked == "Like" else "down"
        t = dict(turns[n])
        t["history"] = [[x["question"], x["answer_text"]] for x in turns[:n]]
        rec = self.feedback.rate(t, rating, index=self.current_index_info())
        turns = [dict(x) for x in turns]
        turns[n]["rating"] = rating
        hint = ("可写评论，或加入测试集。 Add a comment, or add this case to the test set."
                if rating == "up" else
                "在评论框写下正确答案（语料中的原文），或勾选「应当拒答」，再加入测试集。 Write the "
                "expected answer (a phrase of the corpus) in the comment box, or tick \"Should have "
                "refused\", then add it to the test set.")
        return ({"turns": turns}, rec, gr.update(visible=True),
                f"{'👍' if rating == 'up' else '👎'} 已记录对回答 #{n + 1} 的评价 Rating of answer "
                f"#{n + 1} stored. {hint}")

    def save_comment(self, record: Any, comment: str) -> tuple:
        """Store the comment with the last rating; outputs (record, status)."""
        if not isinstance(record, dict) or self.feedback is None:
            return record, "请先评价一个回答 Rate an answer first."
        rec = self.feedback.comment(record, comment)
        return rec, "评论已保存 Comment stored."

    def add_to_testset(self, record: Any, comment: str, should_refuse: bool = False) -> str:
        """Turn the last rated answer into a test case (rules: ``ui.feedback``); returns the
        status line.  ``should_refuse``: the "应当拒答 Should have refused" box, which makes a
        👎 an unanswerable case (the comment then stays a comment) and is stored with the
        rating."""
        if not isinstance(record, dict) or self.feedback is None:
            return "请先评价一个回答 Rate an answer first."
        refuse = bool(should_refuse)
        keep = refuse if record.get("rating") == "down" else None  # a 👍 never stores the flag
        try:
            if (comment and comment != record.get("comment")) or \
                    (keep is not None and keep != bool(record.get("should_refuse"))):
                record = self.feedback.comment(record, comment or record.get("comment") or "", keep)
            case = testcase_from_feedback(record, self.corpus, expected=None if refuse else (comment or None),
                                          should_refuse=refuse)
            path = self.feedback.add_case(case)
        except ValueError as e:
            gr.Warning(str(e), title="测试集 Test set")
            return f"⚠ 未加入 Not added: {e}"
        exp = " / ".join(case.answers) if case.answers else "拒答 refuse (unanswerable)"
        return (f"✓ 已加入测试集 Added case `{case.id}` to `{path}` (expected: {exp}; "
                f"gold: {', '.join(case.gold_articles) or '—'}).")
