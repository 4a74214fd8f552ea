"""The documents view of the web page: upload files into the corpus, see and manage it.

``documents_tab(manager)`` builds its components inside the caller's ``gr.Tab`` (or any
Blocks context): a drag-and-drop upload of one or several files, the documents table
(name, format, articles, passages, characters, date added, status), and delete (a
second click confirms) / re-index of one document.  Uploads are parsed, embedded and published by the
``retrieval.index.IndexManager`` while the chat keeps answering (its events run in their
own concurrency group, one at a time); the live index is swapped when a publication is
complete, so the next question sees the new document.  A ``gr.Progress`` bar follows
parsing and embedding; a file that fails is listed with its reason and changes nothing
else.
"""
from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any, Sequence

import gradio as gr

from corpus.loaders import SUPPORTED_SUFFIXES
from ui.render import plural

log = logging.getLogger(__name__)

#: Column headers of the documents table (bilingual, as the rest of the page).
COLUMNS = ["名称 Name", "格式 Format", "文章 Articles", "段落 Passages", "字数 Characters",
           "添加时间 Added (UTC)", "状态 Status"]
STATUS_LABELS = {"indexed": "✓ 已索引 indexed", "error": "✗ 错误 error"}
#: The Delete button's label, and its label once a first click asks to confirm.
DELETE_LABEL = "删除 Delete"
CONFIRM_LABEL = "确认删除 Confirm delete"
#: One upload or delete at a time; the chat's "assistant" group is separate.
CONCURRENCY_ID = "documents"


def document_rows(manager: Any) -> list[list[Any]]:
    """The documents table as rows of ``COLUMNS`` (an error row carries its reason)."""
    rows = []
    for d in manager.documents():
        status = STATUS_LABELS.get(d.status, d.status)
        if d.error:
            status = f"{status}: {d.error}"
        rows.append([d.name, d.format, d.articles, d.passages, d.characters,
                     d.added_at.replace("T", " ").replace("+00:00", ""), status])
    return rows


def _summary(manager: Any) -> str:
    docs = manager.documents()
    ok = [d for d in docs if d.status == "indexed"]
    n_art, n_pas = sum(d.articles for d in ok), sum(d.passages for d in ok)
    return (f"语料库：{len(ok)} 个文档，{n_art} 篇文章，{n_pas} 个段落。 Corpus: {len(ok)} "
            f"{plural(len(ok), 'document')}, {n_art} {plural(n_art, 'article')}, "
            f"{n_pas} {plural(n_pas, 'passage')}.")


def _results_md(results: Sequence[Any]) -> str:
    lines = []
    for r in results:
        name = html.escape(r.name)
        if r.ok:
            lines.append(f"- ✓ **{name}**：{r.articles} 篇文章，{r.passages} 个段落"
                         f"（新嵌入 {r.embedded}）{'，已替换旧版本' if r.replaced else ''}。 "
                         f"Added: {r.articles} {plural(r.articles, 'article')}, "
                         f"{r.passages} {plural(r.passages, 'passage')}.")
        else:
            lines.append(f"- ✗ **{name}**：未添加 not added — {html.escape(r.error or '')}")
    return "\n".join(lines)


def documents_tab(manager: Any, *, demo: gr.Blocks | None = None) -> list[Any]:
    """Build the documents view (upload, table, delete, re-index) in the current Blocks
    context; events are wired to ``manager`` (``retrieval.index.IndexManager``).  Given an
    object without ``documents``/``add_files`` (a plain in-memory ``Retriever``), it shows
    a note instead: such an index cannot take uploads.

    Args:
        manager: the index manager.
        demo: the page (``gr.Blocks``); given, each page load fills the table, the summary
            and the document dropdown from the current index (not the one at startup).
    Returns:
        The events that change the corpus (upload, delete, re-index), for the caller to
        chain its own updates to (``.then``); [] for the note.
    """
    if not all(hasattr(manager, a) for a in ("documents", "add_files", "remove", "reindex")):
        gr.Markdown("文档管理需要持久化索引（`python app.py`）。 Document management needs the "
                    "persisted index that `python app.py` opens (`retrieval.index.IndexManager`); "
                    "this page searches an in-memory index.", elem_id="documents-placeholder")
        return []

    def names() -> list[str]:
        return [d.name for d in manager.documents()]

    def refreshed(status: str) -> tuple:
        choices = names()
        return (document_rows(manager), gr.update(choices=choices, value=None),
                status, _summary(manager))

    def upload(files: Any, progress: gr.Progress = gr.Progress()) -> tuple:
        paths = [Path(f if isinstance(f, str) else getattr(f, "name", f)) for f in (files or [])]
        if not paths:
            return (*refreshed("请先选择文件。 Choose files first."), None)
        progress(0.0, desc="解析 Parsing")
        try:
            results = manager.add_files(paths, progress=lambda f, m: progress(f, desc=m))
        except Exception as e:  # noqa: BLE001 - the page stays up, the index is unchanged
            log.exception("upload failed")
            return (*refreshed(f"✗ 上传失败 Upload failed: {html.escape(str(e))}"), None)
        return (*refreshed(_results_md(results)), None)

    def delete(name: str | None, armed: str | None) -> tuple:
        # a first click on a document arms the button (its label asks to confirm); the
        # second click on the same document deletes it; picking another disarms it
        disarm = (None, gr.update(value=DELETE_LABEL))
        if not name:
            return (*refreshed("请选择一个文档。 Pick a document."), *disarm)
        if armed != name:
            return (gr.skip(), gr.skip(),
                    f"⚠ 再点一次「确认删除」即删除 **{html.escape(name)}**（文件及其索引）。 Click "
                    f"Delete again to delete **{html.escape(name)}** (the file and its index rows).",
                    gr.skip(), name, gr.update(value=CONFIRM_LABEL))
        try:
            d = manager.remove(name)
        except KeyError as e:
            return (*refreshed(f"✗ {html.escape(str(e.args[0]))}"), *disarm)
        return (*refreshed(f"已删除 Deleted **{html.escape(d.name)}** "
                           f"（{d.articles} 篇文章 {plural(d.articles, 'article')}，"
                           f"{d.passages} 个段落 {plural(d.passages, 'passage')}）。"), *disarm)

    def reindex(name: str | None, progress: gr.Progress = gr.Progress()) -> tuple:
        if not name:
            return refreshed("请选择一个文档。 Pick a document.")
        try:
            r = manager.reindex(name, progress=lambda f, m: progress(f, desc=m))
        except KeyError as e:
            return refreshed(f"✗ {html.escape(str(e.args[0]))}")
        return refreshed(_results_md([r]).replace("Added", "Re-indexed"))

    gr.Markdown("### 文档 Documents\n上传 PDF、Word（DOCX）、文本、Markdown、HTML、JSONL 或 SQuAD JSON "
                "文件，它们会被解析、嵌入并加入索引，对话可继续进行。 Upload files: they are parsed, "
                "embedded and added to the live index while the chat keeps answering.",
                elem_id="documents-intro")
    summary = gr.Markdown(_summary(manager), elem_id="documents-summary")
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=320):
            files = gr.File(label="拖放文件到这里 Drop files here (" + " ".join(SUPPORTED_SUFFIXES) + ")",
                            file_count="multiple", file_types=list(SUPPORTED_SUFFIXES),
                            type="filepath", elem_id="documents-upload")
            add_btn = gr.Button("添加到语料库 Add to corpus", variant="primary", elem_id="documents-add")
            status = gr.Markdown("", elem_id="documents-status")
        with gr.Column(scale=3, min_width=420):
            table = gr.Dataframe(value=document_rows(manager), headers=COLUMNS, interactive=False,
                                 wrap=True, label="语料库中的文档 Documents in the corpus",
                                 column_widths=["26%", "8%", "9%", "9%", "10%", "17%", "21%"],
                                 elem_id="documents-table")
            with gr.Row():
                pick = gr.Dropdown(choices=names(), value=None, label="选择文档 Document",
                                   interactive=True, elem_id="documents-pick", scale=3)
                del_btn = gr.Button(DELETE_LABEL, variant="stop", elem_id="documents-delete",
                                    scale=1, min_width=90)
                armed = gr.State(None)  # the document a first click on Delete asked to confirm
                re_btn = gr.Button("重新索引 Re-index", variant="secondary", elem_id="documents-reindex",
                                   scale=1, min_width=90)
                refresh_btn = gr.Button("刷新 Refresh", variant="secondary", elem_id="documents-refresh",
                                        scale=1, min_width=90)
    outputs = [table, pick, status, summary]
    add_ev = add_btn.click(upload, [files], outputs + [files], api_name="documents_add",
                           api_visibility="private", concurrency_limit=1, concurrency_id=CONCURRENCY_ID)
    del_ev = del_btn.click(delete, [pick, armed], outputs + [armed, del_btn], api_name="documents_delete",
                           api_visibility="private", concurrency_limit=1, concurrency_id=CONCURRENCY_ID)
    pick.change(lambda: (None, gr.update(value=DELETE_LABEL)), None, [armed, del_btn],
                api_name="documents_disarm", api_visibility="private", queue=False)
    re_ev = re_btn.click(reindex, [pick], outputs, api_name="documents_reindex", api_visibility="private",
                         concurrency_limit=1, concurrency_id=CONCURRENCY_ID)
    refresh_btn.click(lambda: refreshed(""), None, outputs, api_name="documents_refresh",
                      api_visibility="private")
    if demo is not None:
        demo.load(lambda: refreshed(""), None, outputs, api_name="documents_load",
                  api_visibility="private", queue=False)
    return [add_ev, del_ev, re_ev]
