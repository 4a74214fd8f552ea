"""The web chat: ask questions about the news corpus, read cited answers, open the sources.

Run ``python app.py`` (or ``make run``) and open http://127.0.0.1:7860.

Options: ``--host`` (default 127.0.0.1), ``--port`` (7860), ``--index DIR`` (default
``<repo>/index``), ``--seeds DIR`` (``<repo>/seeds``), ``--model SPEC`` (encoder, see
``retrieval.embedder.load_encoder``: default e5, ``hashing`` for the offline fake),
``--llm SPEC`` (enables the LLM answerer next to the extractive one).

Startup loads the encoder once and the persisted index with ``retrieval.index.IndexManager``
(which recovers from a crash, builds a missing index, and adds/removes only the files of
``--seeds`` that changed; an unchanged corpus is never re-embedded, an unreadable file is
logged and skipped).  The "文档 Documents" tab (``ui/documents.py``) uploads files into the
live index.

Everything conversation-specific lives in per-session ``gr.State``; nothing mutable is kept at
module level, so two browser sessions never see each other's answers.  ``build_demo`` builds
the UI around any object with the ``Assistant`` interface (``ask``/``stream``), which is how
the tests launch it with a fake or a HashingEncoder-backed assistant.
"""
from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import gradio as gr

from answering.render import (answer_payload, escape_chat_text, render_answer_message,
                              render_sources_html, turn_label)
from answering.types import Answer

log = logging.getLogger("app")

REPO = Path(__file__).resolve().parent
SEED_SOURCE = "000_a77ed823f95b9e33.txt"
MODES = ("hybrid", "dense", "bm25")
MAX_K = 10
#: Concurrent assistant calls (chat + /ask share the group); 2 cores -> a few at a time.
CONCURRENCY = 4

#: Example questions about the seed page (seeds/000_a77ed823f95b9e33.txt).
SEED_EXAMPLES = (
    "贵州邮政双11期间快递业务收入是多少？",
    "阿克陶县在多少个行政村建立了快递服务点？",
    "衡水市分公司服务衡水湖国际马拉松赛多少年了？",
    "常州市邮政分公司如何处理进口国际邮件？",
    "邵阳市分公司驻政务中心团队累计寄递证照邮件多少件？",
)

APP_CSS = """
.gradio-container { max-width: 1400px !important; }
#app-title h1 { margin-bottom: 0; }
#app-title p { color: var(--body-text-color-subdued); margin-top: 4px; }
#chatbot sup.cite { font-size: 0.7em; font-weight: 600; line-height: 1; padding: 1px 4px;
  margin: 0 1px; border-radius: 6px; background: #e0ecff; color: #1d4ed8;
  vertical-align: super; cursor: help; white-space: nowrap; }
#chatbot sup.cite-weak { background: #fde68a; color: #92400e; }
#chatbot .search-query, #sources .search-query { color: #6b7280; font-size: 0.9em; }
#chatbot .unverified { color: #b45309; font-size: 0.9em; }
#chatbot .refusal { color: #6b7280; }
#sources { max-height: 780px; overflow-y: auto !important; padding: 4px 10px; }
#sources-title h3 { margin: 0; }
#sources .sources-head { font-weight: 600; margin: 2px 0 6px; }
#sources .sources-empty { color: #6b7280; padding: 16px 4px; }
#sources .source-card { border: 1px solid var(--border-color-primary); border-radius: 10px;
  padding: 10px 12px; margin: 8px 0; background: var(--background-fill-secondary); }
#sources .source-title { font-weight: 600; }
#sources .source-title .num { display: inline-block; min-width: 2em; color: #1d4ed8; }
#sources .source-meta, #sources .source-score, #sources .source-id { font-size: 0.85em;
  color: #6b7280; margin-top: 2px; }
#sources .source-meta .ok { color: #15803d; }
#sources .source-meta .warn { color: #b45309; }
#sources blockquote.passage { margin: 6px 0; padding: 6px 10px; border-left: 3px solid #93c5fd;
  background: var(--background-fill-primary); white-space: normal; }
#sources mark { background: #fef08a; color: inherit; padding: 0 1px; }
#sources details.full-article summary { cursor: pointer; color: #1d4ed8; font-size: 0.9em;
  margin-top: 4px; }
#sources .article-body p { margin: 4px 0; font-size: 0.92em; }
#sources .article-body p.cited-para { background: #eff6ff; }
#sources .article-body .pno { color: #9ca3af; font-size: 0.8em; }
"""


class ChatDemo(gr.Blocks):
    """``gr.Blocks`` whose ``launch`` applies the app's CSS (Gradio 6 takes ``css`` in launch)."""

    def launch(self, *args: Any, css: str | None = None, **kwargs: Any):  # type: ignore[override]
        kwargs.setdefault("footer_links", ["api", "gradio"])
        return super().launch(*args, css=(css or "") + APP_CSS, **kwargs)


def _new_session() -> dict[str, Any]:
    """Fresh per-session state: ``turns`` = [{question, answer: Answer, mode, user_md, bot_md}]."""
    return {"turns": []}


def _messages(turns: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """Chatbot value (messages format) rebuilt from the session's turns."""
    out: list[dict[str, str]] = []
    for t in turns:
        out.append({"role": "user", "content": t["user_md"]})
        out.append({"role": "assistant", "content": t["bot_md"]})
    return out


def _check_k_mode(k: Any, mode: Any) -> tuple[int, str]:
    try:
        k_int = int(k)
    except (TypeError, ValueError):
        raise ValueError(f"k must be an integer in 1..{MAX_K}, got {k!r}") from None
    if not 1 <= k_int <= MAX_K:
        raise ValueError(f"k must be in 1..{MAX_K}, got {k_int}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    return k_int, mode


def parse_history(history_json: str | None) -> list[tuple[str, str]]:
    """Parse the ``/ask`` history argument.

    Accepts ``""``/None (no history), a JSON list of ``[user, assistant]`` pairs, or a JSON
    list of ``{"role": "user"|"assistant", "content": str}`` messages (Chatbot format).

    Returns:
        ``[(user_msg, assistant_text), ...]`` oldest first.
    Raises:
        ValueError: when the text is not JSON of one of those shapes.
    """
    if history_json is None or not str(history_json).strip():
        return []
    try:
        data = json.loads(history_json)
    except json.JSONDecodeError as e:
        raise ValueError(f"history_json is not valid JSON: {e}") from None
    if not isinstance(data, list):
        raise ValueError("history_json must be a JSON list")
    pairs: list[tuple[str, str]] = []
    if all(isinstance(x, dict) for x in data):
        pending: str | None = None
        for m in data:
            role, content = m.get("role"), m.get("content")
            if role not in ("user", "assistant") or not isinstance(content, str):
                raise ValueError("history_json messages need role user/assistant and str content")
            if role == "user":
                pending = content
            elif pending is not None:
                pairs.append((pending, content))
                pending = None
        return pairs
    for x in data:
        if (not isinstance(x, (list, tuple)) or len(x) != 2
                or not all(isinstance(s, str) for s in x)):
            raise ValueError("history_json must be a list of [user, assistant] string pairs")
        pairs.append((x[0], x[1]))
    return pairs


def default_examples(corpus: Any | None) -> list[str]:
    """Example questions: the seed-page questions when the seed page is indexed, else
    ``「<title>」讲了什么？`` for up to five article titles of the corpus."""
    if corpus is None:
        return list(SEED_EXAMPLES)
    articles = list(getattr(corpus, "articles", ()) or ())
    if any(Path(a.source).name == SEED_SOURCE for a in articles):
        return list(SEED_EXAMPLES)
    titles = [a.title for a in articles if not a.title_derived][:5] or [a.title for a in articles][:5]
    return [f"「{t}」讲了什么？" for t in titles] or list(SEED_EXAMPLES)


def build_demo(assistant: Any, *, llm_assistant: Any | None = None,
               examples: Sequence[str] | None = None, corpus: Any | None = None,
               llm_label: str | None = None, title: str = "新闻问答 · Cited News Q&A",
               documents: Any | None = None) -> gr.Blocks:
    """Build the chat UI and the ``/ask`` API around an assistant.

    Args:
        assistant: object with ``stream(question, history, k, mode) -> Iterator[Answer]``
            (growing partial answers, the last final) and ``ask(...) -> Answer``; must be safe
            to call from several threads (events run up to ``CONCURRENCY`` at once).
        llm_assistant: optional second assistant using the LLM answerer; when given, the
            "answerer" setting offers it.
        examples: example questions to click; default from ``default_examples(corpus)``.
        corpus: the Corpus (``.article(id)``) for "read the full article"; default
            ``assistant.retriever.corpus`` when it exists.
        llm_label: label of the LLM answerer choice (e.g. the model spec).
        title: browser tab title.
        documents: a ``retrieval.index.IndexManager``: adds the "文档 Documents" tab (upload,
            list, delete, re-index); pass it as ``corpus`` too, so "read the full article"
            finds articles of documents uploaded after start.
    Returns:
        A ``gr.Blocks`` (a ``ChatDemo``: its ``launch`` adds the app CSS).  Endpoints:
        ``/chat`` (streaming chat, outputs the rendered messages and sources HTML), ``/ask``
        (structured answer), and private UI-only events.
    """
    if corpus is None:
        corpus = getattr(getattr(assistant, "retriever", None), "corpus", None)
    if examples is None:
        examples = default_examples(corpus)
    examples = [e for e in examples if e and e.strip()]
    article_lookup: Callable[[str], Any] | None = getattr(corpus, "article", None)
    answerers = {"extractive": assistant}
    if llm_assistant is not None:
        answerers["llm"] = llm_assistant

    def pick_assistant(name: str | None) -> Any:
        name = "llm" if name == "generative" else name
        return answerers.get(name or "extractive", assistant)

    def sources_for(state: dict[str, Any], turn: int | None) -> str:
        turns = state["turns"]
        if not turns:
            return render_sources_html(None)
        if turn is None or not 1 <= turn <= len(turns):
            turn = len(turns)
        t = turns[turn - 1]
        return render_sources_html(t["answer"], article_lookup, turn=turn, mode=t["mode"])

    def picker_update(state: dict[str, Any], value: int | None = None) -> dict:
        turns = state["turns"]
        choices = [(turn_label(i, t["question"]), i) for i, t in enumerate(turns, start=1)]
        return gr.update(choices=choices, value=value if value is not None else (len(turns) or None),
                         interactive=bool(turns))

    # ------------------------------------------------------------------ handlers
    def respond(message: str, state: dict[str, Any], k: float, mode: str,
                answerer: str) -> Iterator[tuple]:
        """Stream one answer into the chat; store it (with its sources) in the session."""
        state = state if isinstance(state, dict) and "turns" in state else _new_session()
        question = (message or "").strip()
        if not question:
            gr.Warning("请输入问题。Please type a question.")
            yield (_messages(state["turns"]), sources_for(state, None), picker_update(state),
                   state, message)
            return
        try:
            k_int, mode_ok = _check_k_mode(k, mode)
        except ValueError as e:
            raise gr.Error(str(e)) from None
        history = [(t["question"], t["answer"].text) for t in state["turns"]]
        user_md = escape_chat_text(question)
        chat = _messages(state["turns"]) + [
            {"role": "user", "content": user_md},
            {"role": "assistant", "content": "… 正在检索 Searching…"}]
        yield chat, sources_for(state, None), picker_update(state), state, ""
        final: Answer | None = None
        try:
            for partial in pick_assistant(answerer).stream(question, history, top_k=k_int, mode=mode_ok):
                final = partial
                chat[-1]["content"] = render_answer_message(partial) or "…"
                yield chat, gr.skip(), gr.skip(), gr.skip(), gr.skip()
        except ValueError as e:
            chat[-1]["content"] = escape_chat_text(f"⚠ 无法回答 Cannot answer: {e}")
            yield chat, gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        except Exception:  # noqa: BLE001 - show a message, keep the session alive
            log.exception("assistant failed on %r", question)
            chat[-1]["content"] = escape_chat_text("⚠ 出错了，请重试。 Something went wrong; please try again.")
            yield chat, gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        if final is None:
            chat[-1]["content"] = escape_chat_text("⚠ 没有得到回答。 No answer was produced.")
            yield chat, gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        state = {"turns": state["turns"] + [{
            "question": question, "answer": final, "mode": mode_ok,
            "user_md": user_md, "bot_md": render_answer_message(final)}]}
        turn = len(state["turns"])
        yield (_messages(state["turns"]), sources_for(state, turn), picker_update(state, turn),
               state, "")

    def show_turn(turn: Any, state: dict[str, Any]) -> str:
        try:
            n = int(turn)
        except (TypeError, ValueError):
            n = None
        return sources_for(state, n)

    def select_message(state: dict[str, Any], evt: gr.SelectData) -> tuple:
        idx = evt.index if isinstance(evt.index, int) else (evt.index[0] if evt.index else 0)
        turn = int(idx) // 2 + 1
        if not 1 <= turn <= len(state["turns"]):
            return gr.skip(), gr.skip()
        return sources_for(state, turn), picker_update(state, turn)

    def clear() -> tuple:
        state = _new_session()
        return [], render_sources_html(None), picker_update(state), state, ""

    def ask(question: str, history_json: str = "", k: int = 5, mode: str = "hybrid",
            answerer: str = "extractive") -> dict:
        """Answer one question; returns {answer, query, refused, citations, unsupported, ...}.

        history_json: "" or a JSON list of [user, assistant] pairs (or role/content messages).
        k: passages to retrieve (1-10). mode: hybrid | dense | bm25. answerer: extractive | llm.
        """
        if not isinstance(question, str) or not question.strip():
            raise gr.Error("question must be a non-empty string")
        try:
            history = parse_history(history_json)
            k_int, mode_ok = _check_k_mode(k, mode)
            if answerer not in answerers and not (answerer == "generative" and "llm" in answerers):
                raise ValueError(f"answerer must be one of {', '.join(answerers)}, got {answerer!r}")
            answer = pick_assistant(answerer).ask(question.strip(), history, top_k=k_int, mode=mode_ok)
        except ValueError as e:
            raise gr.Error(str(e)) from None
        return answer_payload(answer)

    # ------------------------------------------------------------------ layout
    with ChatDemo(title=title, analytics_enabled=False) as demo:
        state = gr.State(_new_session())
        gr.Markdown(
            "# 新闻问答助手 · Cited News Q&A\n"
            "就语料库中的新闻文章提问；回答中的 [n] 标注对应右侧的来源段落。"
            " Ask about the news articles; every [n] in an answer points to a source on the right.",
            elem_id="app-title")
        with gr.Tabs(elem_id="tabs"):
            with gr.Tab("对话 Chat", elem_id="tab-chat"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=420):
                        chatbot = gr.Chatbot(
                            label="对话 Chat", elem_id="chatbot", height=540,
                            render_markdown=True, sanitize_html=True, latex_delimiters=[],
                            allow_tags=False, line_breaks=True, feedback_options=None,
                            buttons=["copy"], layout="bubble",
                            placeholder="**你好！Hello!** 请就新闻语料提问，或点击下面的示例。"
                                        " Ask about the news corpus, or click an example below.")
                        with gr.Row():
                            msg = gr.Textbox(placeholder="输入问题，按回车发送… Type a question, press Enter…",
                                             show_label=False, scale=7, autofocus=True, max_lines=4,
                                             elem_id="question")
                            send = gr.Button("发送 Send", variant="primary", scale=1, min_width=90,
                                             elem_id="send")
                            clear_btn = gr.Button("清空 Clear", variant="secondary", scale=1, min_width=90,
                                                  elem_id="clear")
                        ex = None
                        if examples:
                            ex = gr.Examples(examples=[[e] for e in examples], inputs=[msg],
                                             label="示例问题（点击提问） Example questions (click to ask)",
                                             api_name="load_example", api_visibility="private")
                        with gr.Accordion("设置 Settings", open=True):
                            with gr.Row():
                                k_slider = gr.Slider(1, MAX_K, value=5, step=1,
                                                     label="检索段落数 Passages (k)", elem_id="k", scale=2, min_width=200)
                                mode_radio = gr.Radio(
                                    [("混合 Hybrid", "hybrid"), ("向量 Dense", "dense"), ("关键词 BM25", "bm25")],
                                    value="hybrid", label="检索方式 Search mode", elem_id="mode", scale=3)
                                answerer_radio = gr.Radio(
                                    [("抽取式 Extractive", "extractive")]
                                    + ([(f"大模型 LLM{f' ({llm_label})' if llm_label else ''}", "llm")]
                                       if llm_assistant is not None else []),
                                    value="extractive", label="回答方式 Answerer",
                                    interactive=llm_assistant is not None, elem_id="answerer", scale=2)
                    with gr.Column(scale=2, min_width=340):
                        gr.Markdown("### 来源 Sources", elem_id="sources-title")
                        picker = gr.Dropdown(choices=[], value=None, label="查看哪条回答的来源 Show sources of",
                                             interactive=False, elem_id="picker")
                        sources = gr.HTML(render_sources_html(None), label="来源 Sources", elem_id="sources",
                                          show_label=False, container=True, js_on_load=None)
            if documents is not None:  # the corpus view (ui/documents.py)
                with gr.Tab("文档 Documents", elem_id="tab-documents"):
                    from ui.documents import documents_tab

                    documents_tab(documents)

        outputs = [chatbot, sources, picker, state, msg]
        inputs = [msg, state, k_slider, mode_radio, answerer_radio]
        gr.on([msg.submit, send.click], respond, inputs, outputs, api_name="chat",
              concurrency_limit=CONCURRENCY, concurrency_id="assistant")
        if ex is not None:  # clicking an example fills the box and asks it
            ex.load_input_event.then(respond, inputs, outputs, api_name="example_chat",
                                     api_visibility="private", concurrency_limit=CONCURRENCY,
                                     concurrency_id="assistant")
        picker.input(show_turn, [picker, state], sources, api_name="show_sources",
                     api_visibility="private")
        chatbot.select(select_message, [state], [sources, picker], api_name="select_message",
                       api_visibility="private")
        clear_btn.click(clear, None, outputs, api_name="clear", api_visibility="private")
        chatbot.clear(clear, None, outputs, api_name="clear_chat", api_visibility="private")
        gr.api(ask, api_name="ask", concurrency_limit=CONCURRENCY, concurrency_id="assistant")
    return demo


def main(argv: Sequence[str] | None = None) -> None:
    """Parse options, load encoder + index once, and serve the chat (blocks until stopped)."""
    ap = argparse.ArgumentParser(description="Cited news Q&A web chat (Gradio).")
    ap.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    ap.add_argument("--index", type=Path, default=REPO / "index", help="index directory")
    ap.add_argument("--seeds", type=Path, default=REPO / "seeds", help="corpus directory")
    ap.add_argument("--model", default=None,
                    help="encoder spec: e5 (default), hashing, or a sentence-transformers path")
    ap.add_argument("--llm", default=None, help="LLM spec; enables the LLM answerer")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for noisy in ("httpx", "faiss.loader", "sentence_transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    from retrieval.embedder import load_encoder
    from retrieval.index import IndexManager
    from answering.pipeline import Assistant

    if not args.seeds.is_dir():
        sys.exit(f"seeds directory not found: {args.seeds}")
    encoder = load_encoder(args.model)
    log.info("encoder %s (dim %d)", encoder.model_id, encoder.dim)
    manager = IndexManager.open(args.index, args.seeds, encoder)  # recovers, builds, syncs
    for d in manager.documents():
        if d.error:
            log.warning("corpus file %s skipped: %s", d.name, d.error)
    log.info("index %s: %d articles, %d passages", args.index,
             len(manager.corpus.articles), len(manager.corpus.passages))
    assistant = Assistant(manager)  # searches the live index: uploads show up at once
    llm_assistant = Assistant(manager, llm=args.llm) if args.llm else None
    demo = build_demo(assistant, llm_assistant=llm_assistant, llm_label=args.llm,
                      corpus=manager, documents=manager)
    print(f"Open http://{args.host}:{args.port} in a browser.", flush=True)
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=64).launch(
        server_name=args.host, server_port=args.port, show_error=True)


if __name__ == "__main__":
    main()
