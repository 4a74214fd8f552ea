"""The page: title, corpus overview, light/dark switch and three tabs (对话 Chat, 文档 Documents,
评测 Evaluation), wired to the handlers of ``ui.chat`` and ``ui.evaluation_tab``.

``build_demo(assistant, ...)`` builds it around any object with the ``Assistant`` interface
(``ask``/``stream``), which is how the tests launch it with fakes or a HashingEncoder-backed
assistant.  Nothing conversation-specific lives at module level: the conversation is kept in
the browser (``gr.BrowserState``), so two browsers never see each other's answers and a reload
keeps it.  Public API: ``/ask`` only (named parameters); the UI events are private.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Sequence

import gradio as gr

from ui.chat import MAX_K, ChatController, check_mode, check_top_k, new_session
from ui.evaluation_tab import evaluation_tab
from ui.feedback import FeedbackStore
from ui.overview import index_info, overview_markdown
from ui.render import answer_payload, render_sources_html

log = logging.getLogger("ui.layout")

STATIC = Path(__file__).resolve().parent / "static"
REPO = Path(__file__).resolve().parents[1]
SEED_SOURCE = "000_a77ed823f95b9e33.txt"
#: Concurrent assistant calls (chat + /ask share the group); 2 cores -> a few at a time.
CONCURRENCY = 4
STORAGE_KEY = "news-qa-conversation"

#: Example questions about the seed page (seeds/000_a77ed823f95b9e33.txt).
SEED_EXAMPLES = (
    "贵州邮政双11期间快递业务收入是多少？",
    "阿克陶县在多少个行政村建立了快递服务点？",
    "衡水市分公司服务衡水湖国际马拉松赛多少年了？",
    "常州市邮政分公司如何处理进口国际邮件？",
    "邵阳市分公司驻政务中心团队累计寄递证照邮件多少件？",
)


class ChatDemo(gr.Blocks):
    """``gr.Blocks`` whose ``launch`` adds the page's CSS file and script (Gradio 6 takes them
    in ``launch``)."""

    def launch(self, *args: Any, **kwargs: Any):  # type: ignore[override]
        kwargs.setdefault("footer_links", ["api", "gradio"])
        paths = kwargs.pop("css_paths", None) or []
        paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
        kwargs["css_paths"] = [STATIC / "app.css", *paths]
        script = (STATIC / "app.js").read_text(encoding="utf-8")
        kwargs["head"] = (kwargs.get("head") or "") + f"<script>{script}</script>"
        return super().launch(*args, **kwargs)


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


def user_error(message: str, endpoint: str = "/ask") -> gr.Error:
    """A ``gr.Error`` for a caller's mistake (bad input): the client gets ``message``; the
    server log gets one INFO line (``<endpoint> refused: <message>``) instead of the traceback
    Gradio prints for a ``gr.Error`` by default (``print_exception=False``).

    Returns:
        The error, to be raised by the caller.
    """
    log.info("%s refused: %s", endpoint, " ".join(str(message).split()))
    return gr.Error(message, title="错误 Error", print_exception=False)


def state_secret(directory: Path) -> str:
    """The key that encrypts the conversation kept in the browser, stable across restarts
    (``<directory>/browser_state_secret``, created with 32 random characters on first use)."""
    import secrets

    path = Path(directory) / "browser_state_secret"
    try:
        value = path.read_text(encoding="utf-8").strip()
        if len(value) >= 16:
            return value
    except OSError:
        pass
    value = secrets.token_urlsafe(24)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value, encoding="utf-8")
    return value


def _documents_tab(manager: Any, overview: str, demo: gr.Blocks) -> list[Any]:
    try:
        from ui.documents import documents_tab
    except ImportError:
        gr.Markdown(overview + "\n\n文档管理（上传、删除）尚未启用。 Document management (upload, "
                    "delete) is not available in this build: put files in `seeds/` and restart.",
                    elem_id="documents-placeholder")
        return []
    return documents_tab(manager, demo=demo)


def build_demo(assistant: Any, *, llm_assistant: Any | None = None,
               examples: Sequence[str] | None = None, corpus: Any | None = None,
               llm_label: str | None = None, llm_server: str | None = None,
               manager: Any | None = None, feedback_dir: str | Path | None = None,
               runs_dir: str | Path | None = None, eval_model: str | None = None,
               eval_corpus: str | Path | None = None,
               title: str = "新闻问答 · Cited News Q&A") -> gr.Blocks:
    """Build the page and the ``/ask`` API around an assistant.

    Args:
        assistant: object with ``stream(question, history, top_k=, mode=) -> Iterator[Answer]``
            (growing partial answers, the last final) and ``ask(...) -> Answer``; must be safe
            to call from several threads (events run up to ``CONCURRENCY`` at once).
        llm_assistant: optional assistant using the generative (LLM) answerer.
        examples: example questions to click; default from ``default_examples(corpus)``,
            recomputed at each page load and after each upload, deletion or re-index.
        corpus: the Corpus (``.article(id)``); default ``assistant.retriever.corpus``.
        llm_label: label of the generative choice (e.g. the model spec).
        llm_server: the LLM's base URL, named when the server fails.
        manager: the index manager for the documents tab (default ``assistant.retriever``).
        feedback_dir: where ratings go (``feedback.jsonl``, ``feedback_testset.jsonl``);
            default ``<repo>/.cache/feedback``.
        runs_dir: where the evaluation tab writes runs; default ``<repo>/eval-out/ui``.
        eval_model: encoder spec for evaluation runs (the app's ``--model``).
        eval_corpus: seeds directory for evaluation runs (None: the repository's ``seeds/``).
        title: browser tab title.
    Returns:
        A ``ChatDemo`` (its ``launch`` adds the page's CSS and script).
    """
    retriever = getattr(assistant, "retriever", None)
    corpus_arg = corpus
    if corpus is None:
        corpus = getattr(retriever, "corpus", None)
    if manager is None:
        manager = retriever
    auto_examples = examples is None  # chosen from the corpus: they follow its changes

    def live_corpus() -> Any:
        # the corpus given (app.py: the IndexManager, whose articles follow uploads), else the
        # retriever's current one
        return corpus if corpus_arg is not None else getattr(retriever, "corpus", corpus)

    if examples is None:
        examples = default_examples(corpus)
    examples = [e for e in examples if e and e.strip()]
    store = FeedbackStore(Path(feedback_dir) if feedback_dir else REPO / ".cache" / "feedback")
    ctl = ChatController(assistant, llm_assistant=llm_assistant,
                         article_lookup=getattr(corpus, "article", None), feedback=store,
                         corpus=corpus, index_info=(lambda: index_info(retriever)) if retriever is not None else {},
                         llm_server=llm_server or llm_label)
    overview = overview_markdown(retriever) if retriever is not None else ""
    has_llm = llm_assistant is not None

    def ask(question: str, history_json: str = "", top_k: int = 5, mode: str = "hybrid",
            answerer: str = "extractive") -> dict:
        """Answer one question; returns {answer, query, refused, short_answer, citations, ...}.

        question: the question. history_json: "" or a JSON list of [user, assistant] pairs
        (or role/content messages). top_k: passages to retrieve (1-10). mode: hybrid | dense |
        bm25. answerer: extractive | generative.
        """
        if not isinstance(question, str) or not question.strip():
            raise user_error("question must be a non-empty string")
        try:
            history = parse_history(history_json)
            k_int, mode_ok = check_top_k(top_k), check_mode(mode)
            answer = ctl.pick(answerer).ask(question.strip(), history, top_k=k_int, mode=mode_ok)
        except ValueError as e:
            raise user_error(str(e)) from None
        return answer_payload(answer)

    def k_status(k: Any) -> str:
        try:
            n = check_top_k(k)
        except ValueError as e:
            return f"⚠ {e}"
        return f"每次检索 {n} 段 · retrieves {n} passage{'s' if n != 1 else ''} per question"

    def answerer_status(name: str) -> tuple:
        if name == "generative" and not has_llm:
            gr.Warning("没有配置大模型 No LLM is configured: start with --llm openai:MODEL "
                       "[--llm-base-url URL].", title="设置 Settings")
            return gr.update(value="extractive"), answerer_help(False)
        return gr.skip(), answerer_help(has_llm)

    def answerer_help(llm: bool) -> str:
        if llm:
            return (f"抽取式：逐句引用原文；生成式：大模型 {llm_label or ''} 改写并引用。 Extractive quotes"
                    " sentences of the sources; generative lets the LLM write the answer, citations checked.")
        return ("抽取式：逐句引用原文。生成式需要大模型：用 `--llm openai:MODEL --llm-base-url URL` 启动。"
                " Extractive quotes sentences of the sources. Generative needs an LLM: start the app "
                "with `--llm openai:MODEL --llm-base-url URL`.")

    with ChatDemo(title=title, analytics_enabled=False) as demo:
        state = gr.BrowserState(new_session(), storage_key=STORAGE_KEY, secret=state_secret(store.directory))
        rated = gr.State(None)
        with gr.Row(equal_height=False, elem_id="title-row"):
            gr.Markdown(
                "# 新闻问答助手 · Cited News Q&A\n"
                "就语料库中的新闻文章提问；回答中的 [n] 对应来源面板里的段落，点击 [n] 即可跳到该来源。"
                " Ask about the news articles; every [n] points to a passage in the Sources panel"
                " (click it to jump there).", elem_id="app-title")
            theme_btn = gr.Button("🌓 明/暗 Light/Dark", elem_id="theme-toggle", size="sm", scale=0,
                                  min_width=150)
        header = gr.Markdown(overview, elem_id="corpus-overview") if overview else None
        with gr.Tabs(elem_id="tabs"):
            with gr.Tab("对话 Chat", id="chat", elem_id="tab-chat"):
                with gr.Row(equal_height=False, elem_id="main-row"):
                    with gr.Column(scale=3, min_width=340):
                        chatbot = gr.Chatbot(
                            label="对话 Chat", show_label=False, elem_id="chatbot", height=540,
                            render_markdown=True, sanitize_html=True, latex_delimiters=[],
                            allow_tags=False, line_breaks=True,
                            feedback_options=("Like", "Dislike"), buttons=["copy"], layout="bubble",
                            editable="user",
                            placeholder="**你好！Hello!** 请就新闻语料提问，或点击下面的示例。"
                                        " Ask about the news corpus, or click an example below.")
                        with gr.Row():
                            msg = gr.Textbox(placeholder="输入问题，按回车发送… Type a question, press Enter…",
                                             show_label=False, scale=7, autofocus=True, max_lines=4,
                                             elem_id="question")
                            send = gr.Button("发送 Send", variant="primary", scale=1, min_width=80,
                                             elem_id="send")
                            stop = gr.Button("停止 Stop", variant="stop", scale=1, min_width=80,
                                             elem_id="stop")
                        with gr.Row():
                            regen = gr.Button("↻ 重新回答 Regenerate", size="sm", elem_id="regenerate")
                            new_btn = gr.Button("＋ 新对话 New conversation", size="sm", elem_id="new-chat")
                            export = gr.DownloadButton("⤓ 导出 Export (Markdown)", size="sm",
                                                       elem_id="export", value=None)
                        with gr.Column(visible=False, elem_id="feedback-box") as fb_box:
                            fb_status = gr.Markdown("", elem_id="feedback-status")
                            fb_comment = gr.Textbox(label="评论 / 正确答案 Comment, or the expected answer for 👎",
                                                    lines=2, elem_id="feedback-comment")
                            fb_refuse = gr.Checkbox(False, label="应当拒答（资料中没有答案） Should have refused "
                                                    "(the corpus holds no answer)", elem_id="feedback-refuse",
                                                    info="👎 时勾选：加入测试集为「应当拒答」的用例。 Tick with 👎 to "
                                                         "add an unanswerable case.")
                            with gr.Row():
                                fb_save = gr.Button("保存评论 Save comment", size="sm", elem_id="feedback-save")
                                fb_case = gr.Button("加入测试集 Add to test set", size="sm",
                                                    variant="primary", elem_id="add-to-testset")
                    with gr.Column(scale=2, min_width=300):
                        gr.Markdown("### 来源 Sources\n每条回答引用的段落。 The passages each answer cites.",
                                    elem_id="sources-title")
                        picker = gr.Dropdown(choices=[], value=None, label="查看哪条回答的来源 Sources of answer",
                                             interactive=False, elem_id="picker")
                        sources = gr.HTML(render_sources_html(None), elem_id="sources",
                                          show_label=False, container=True)
                ex = None
                if examples:
                    ex = gr.Examples(examples=[[e] for e in examples], inputs=[msg],
                                     label="示例问题（点击提问） Example questions (click to ask)",
                                     api_name="load_example", api_visibility="private", elem_id="examples")
                with gr.Accordion("设置 Settings", open=False, elem_id="settings"):
                    with gr.Row():
                        with gr.Column(min_width=200):
                            k_box = gr.Number(value=5, label=f"检索段落数 Passages (top_k, 1–{MAX_K})",
                                              elem_id="k", precision=None, step=1)
                            k_msg = gr.Markdown(k_status(5), elem_id="k-status")
                        mode_radio = gr.Radio(
                            [("混合 Hybrid", "hybrid"), ("向量 Dense", "dense"), ("关键词 BM25", "bm25")],
                            value="hybrid", label="检索方式 Search mode", elem_id="mode")
                        with gr.Column(min_width=220):
                            answerer_radio = gr.Radio(
                                [("抽取式 Extractive", "extractive"),
                                 (f"生成式 Generative{f' ({llm_label})' if llm_label else ''}", "generative")],
                                value="extractive", label="回答方式 Answerer", elem_id="answerer")
                            ans_msg = gr.Markdown(answerer_help(has_llm), elem_id="answerer-status")
                copy_box = gr.Textbox("[]", visible="hidden", elem_id="copy-texts", show_label=False)
            with gr.Tab("文档 Documents", id="documents", elem_id="tab-documents"):
                corpus_events = _documents_tab(manager, overview, demo)
            with gr.Tab("评测 Evaluation", id="evaluation", elem_id="tab-evaluation"):
                evaluation_tab(runs_dir=Path(runs_dir) if runs_dir else REPO / "eval-out" / "ui",
                               model=eval_model, corpus=Path(eval_corpus) if eval_corpus else None,
                               feedback_testset=store.testset_path, demo=demo)

        view_out = [chatbot, sources, picker, state, copy_box, export]
        outputs = view_out + [msg]
        settings = [k_box, mode_radio, answerer_radio]
        common = dict(concurrency_limit=CONCURRENCY, concurrency_id="assistant", api_visibility="private")
        ask_ev = gr.on([msg.submit, send.click], ctl.respond, [msg, state, *settings], outputs,
                       api_name="chat", trigger_mode="always_last", **common)
        regen_ev = regen.click(ctl.regenerate, [state, *settings], outputs, api_name="regenerate", **common)
        retry_ev = chatbot.retry(ctl.regenerate, [state, *settings], outputs, api_name="retry", **common)
        edit_ev = chatbot.edit(ctl.edit, [state, *settings], outputs, api_name="edit", **common)
        running = [ask_ev, regen_ev, retry_ev, edit_ev]
        if ex is not None:  # clicking an example fills the box and asks it
            running.append(ex.load_input_event.then(ctl.respond, [msg, state, *settings], outputs,
                                                    api_name="example_chat", **common))
        stop.click(ctl.stopped, [chatbot, state], [chatbot], cancels=running, api_name="stop",
                   api_visibility="private", queue=False)
        new_btn.click(ctl.new_conversation, None, outputs, cancels=running, api_name="new_conversation",
                      api_visibility="private")
        chatbot.clear(ctl.new_conversation, None, outputs, api_name="clear_chat", api_visibility="private")
        picker.input(ctl.show_turn, [picker, state], sources, api_name="show_sources",
                     api_visibility="private")
        chatbot.select(ctl.select_message, [state], [sources, picker], api_name="select_message",
                       api_visibility="private")
        chatbot.like(ctl.rate, [state], [state, rated, fb_box, fb_status], api_name="rate",
                     api_visibility="private").then(lambda: False, None, [fb_refuse], queue=False,
                                                    api_visibility="private")
        fb_save.click(ctl.save_comment, [rated, fb_comment], [rated, fb_status], api_name="save_comment",
                      api_visibility="private")
        fb_case.click(ctl.add_to_testset, [rated, fb_comment, fb_refuse], [fb_status], api_name="add_to_testset",
                      api_visibility="private")
        k_box.change(k_status, [k_box], [k_msg], api_name="check_k", api_visibility="private", queue=False)
        answerer_radio.change(answerer_status, [answerer_radio], [answerer_radio, ans_msg],
                              api_name="check_answerer", api_visibility="private")
        theme_btn.click(None, None, None, js="() => window.qaToggleTheme && window.qaToggleTheme()",
                        api_visibility="private")
        demo.load(ctl.restore, [state], view_out, api_name="restore", api_visibility="private")
        if header is not None:  # the corpus line follows uploads, deletions and re-indexing
            def overview_now() -> str:
                return overview_markdown(retriever)

            demo.load(overview_now, None, header, api_name="corpus_overview", api_visibility="private",
                      queue=False)
            for ev in corpus_events:
                ev.then(overview_now, None, header, api_visibility="private", queue=False)
        if ex is not None and auto_examples:  # the examples follow uploads and deletions too
            def examples_now() -> dict:
                return gr.update(samples=[[e] for e in default_examples(live_corpus())])

            demo.load(examples_now, None, ex.dataset, api_name="examples_load", api_visibility="private",
                      queue=False)
            for ev in corpus_events:
                ev.then(examples_now, None, ex.dataset, api_visibility="private", queue=False)
        gr.api(ask, api_name="ask", concurrency_limit=CONCURRENCY, concurrency_id="assistant")
    return demo
