"""The corpus overview shown when the page opens: documents, articles, passages, index model and date."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ui.render import plural


def index_info(retriever: Any) -> dict[str, Any]:
    """``{"fingerprint", "model", "built_at", "documents", "articles", "passages"}`` of a
    Retriever-like object (``.corpus``, ``.manifest``, ``.encoder``); missing parts are None."""
    corpus = getattr(retriever, "corpus", None)
    manifest = getattr(retriever, "manifest", None)
    articles = list(getattr(corpus, "articles", ()) or ())
    passages = getattr(corpus, "passages", None)
    model = getattr(manifest, "model_id", None) or getattr(getattr(retriever, "encoder", None), "model_id", None)
    return {
        "fingerprint": getattr(manifest, "corpus_fingerprint", None) or getattr(corpus, "fingerprint", None),
        "model": model,
        "built_at": getattr(manifest, "built_at", None),
        "documents": len({a.source for a in articles}) if articles else 0,
        "articles": len(articles),
        "passages": len(passages) if passages is not None else 0,
    }


def overview_markdown(retriever: Any) -> str:
    """One Markdown line: ``语料 Corpus: 1 个文档 document · 7 篇文章 articles · 38 个段落 passages ·
    index model … built …``."""
    info = index_info(retriever)
    if not info["articles"]:
        return "语料为空 The corpus is empty: add documents."
    n_doc, n_art, n_pas = info["documents"], info["articles"], info["passages"]
    parts = [f"**语料 Corpus**: {n_doc} 个文档 {plural(n_doc, 'document')} · {n_art} 篇文章 "
             f"{plural(n_art, 'article')} · {n_pas} 个段落 {plural(n_pas, 'passage')}"]
    if info["model"]:
        parts.append(f"索引模型 index model `{Path(str(info['model'])).name}`")
    if info["built_at"]:
        parts.append(f"建于 built {str(info['built_at'])[:19].replace('T', ' ')} UTC")
    return " · ".join(parts)
