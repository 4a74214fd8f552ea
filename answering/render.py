"""Rendering of an ``Answer`` for the web chat: the chat message, the sources panel, the API record.

Three outputs, all pure functions of the records (no Gradio import, so they are unit-testable):

* ``render_answer_message(answer)`` -> the chat-message string handed to ``gr.Chatbot``
  (Markdown renderer, ``sanitize_html=True``, LaTeX off).  Every character of answer text that
  Markdown or HTML could interpret (``< > & " ' * _ ` $ [ ] ( ) # | ~ \\`` and all other ASCII
  punctuation) is written as a numeric character reference, so corpus and answer text is shown
  literally: ``**bold**`` stays ``**bold**``, ``$100 and $200`` is not LaTeX, ``<script>`` is text.
  Only our own markup is real HTML: citation badges ``<sup class="cite">[n]</sup>``, the
  "检索问题 / Search query" line and the "not verified" block for unsupported sentences.
* ``render_sources_html(answer, ...)`` -> HTML for the sources panel (``gr.HTML``): one card per
  citation (``[n]``, title, byline, paragraph number, passage text with the supporting quote in
  ``<mark>``, relevance score, verified flag, and a ``<details>`` element holding the full
  article).  Every corpus string goes through ``html.escape``.  A refusal shows no sources.
* ``answer_payload(answer)`` -> the JSON-ready dict the ``/ask`` API endpoint returns.
"""
from __future__ import annotations

import html
import re
import string
from typing import Any, Callable, Iterable, Sequence

from corpus.types import Article, Passage
from answering.types import Answer, Citation
from retrieval.types import SearchHit

#: Citation marker in ``Answer.text``: ``[n]`` with n a positive integer (ASCII brackets).
MARKER_RE = re.compile(r"\[(\d{1,3})\]")

#: Characters written as numeric character references in chat text (all ASCII punctuation).
_ENTITY_CHARS = frozenset(string.punctuation)

_MODE_LABELS = {
    "hybrid": "RRF",
    "dense": "cosine",
    "bm25": "BM25",
}


def escape_chat_text(text: str) -> str:
    """Make ``text`` inert for a Markdown + HTML chat renderer.

    Each ASCII punctuation character becomes ``&#NN;`` (so neither Markdown emphasis, links,
    code, headings, tables, autolinks, LaTeX ``$``, nor HTML tags can form), leading
    whitespace of each line is dropped (four spaces would start a code block) and ``\\r`` is
    removed.  Letters, digits, CJK text and newlines pass through unchanged.

    Args:
        text: any string (answer text, user question, corpus text).
    Returns:
        The escaped string; the browser displays exactly the original characters.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    lines = text.replace("\r", "").split("\n")
    out_lines = []
    for line in lines:
        line = line.lstrip(" \t\u3000")
        out_lines.append("".join(f"&#{ord(c)};" if c in _ENTITY_CHARS else c for c in line))
    return "\n".join(out_lines)


def _badge(number: int, title: str | None, supported: bool = True) -> str:
    tip = f"来源 Source [{number}]" + (f": {title}" if title else "")
    cls = "cite" if supported else "cite cite-weak"
    return (f'<sup class="{cls}" title="{html.escape(tip, quote=True)}">'
            f"[{number}]</sup>")


def _strip_markers(text: str) -> str:
    return MARKER_RE.sub("", text).strip()


def _remove_unsupported(text: str, unsupported: Sequence[str]) -> tuple[str, list[str]]:
    """Remove each unsupported sentence (with its markers) from ``text``.

    Returns the remaining text and the unsupported sentences without markers (each listed
    once, in the given order).
    """
    shown: list[str] = []
    for sent in unsupported:
        if not sent or not sent.strip():
            continue
        bare = _strip_markers(sent)
        if sent in text:
            text = text.replace(sent, "", 1)
        else:
            # The sentence may appear with its markers in the text while the record holds it
            # bare (or the other way round): match it with optional markers between characters.
            pat = r"(?:\[\d{1,3}\])*".join(re.escape(c) for c in bare) if bare else None
            if pat:
                m = re.search(pat + r"(?:\s*\[\d{1,3}\])*", text)
                if m:
                    text = text[:m.start()] + text[m.end():]
        if bare and bare not in shown:
            shown.append(bare)
    return text, shown


SHOWN_QUERY_CHARS = 120  # a longer search query is shown cut, with "…"


def shown_query(answer: Answer) -> str | None:
    """The search query to show beside an answer: None when it is the question itself or just
    the question cut to the retrieval limit (a 10,000-character question); else the
    rewritten follow-up, at most ``SHOWN_QUERY_CHARS`` characters."""
    q = (answer.query or "").strip()
    question = (answer.question or "").strip()
    if not q or q == question or question.startswith(q):
        return None
    return q if len(q) <= SHOWN_QUERY_CHARS else q[:SHOWN_QUERY_CHARS] + "…"


def render_answer_message(answer: Answer) -> str:
    """The chat-message content for ``answer`` (Markdown with a little sanitised HTML).

    * The answer text is escaped with ``escape_chat_text``; each ``[n]`` marker that names a
      citation of the answer becomes a badge ``<sup class="cite" title="来源 Source [n]: title">``;
      a marker without a matching citation is shown as plain escaped text, never as a badge.
    * When ``answer.query`` differs from ``answer.question`` (a condensed follow-up), a first
      line ``检索问题 / Search query: …`` shows the query.
    * Sentences in ``answer.unsupported`` are removed from the cited text and listed after it
      under "未核实 Not verified" without any citation badge.
    * A refusal is rendered as its (escaped) message; it never carries badges.

    Args:
        answer: a partial or final Answer.
    Returns:
        A string for ``gr.Chatbot`` (``render_markdown=True``, ``sanitize_html=True``,
        ``latex_delimiters=[]``).
    """
    parts: list[str] = []
    query = shown_query(answer)
    if query:
        parts.append(f'<span class="search-query">↳ 检索问题 / Search query: '
                     f"{escape_chat_text(query)}</span>\n\n")
    if answer.refused:
        body = _strip_markers(answer.text) or "抱歉，资料中没有找到答案。 Sorry, the sources do not answer this."
        parts.append(f'<span class="refusal">{escape_chat_text(body)}</span>')
        return "".join(parts)

    text, not_verified = _remove_unsupported(answer.text, answer.unsupported)
    titles = {c.number: (c.title, True) for c in answer.citations}
    pos = 0
    body: list[str] = []
    for m in MARKER_RE.finditer(text):
        body.append(escape_chat_text(text[pos:m.start()]))
        n = int(m.group(1))
        if n in titles:
            body.append(_badge(n, titles[n][0], titles[n][1]))
        else:
            body.append(escape_chat_text(m.group(0)))
        pos = m.end()
    body.append(escape_chat_text(text[pos:]))
    parts.append("".join(body).strip())
    if not_verified:
        items = "\n".join(f"- {escape_chat_text(s)}" for s in not_verified)
        parts.append("\n\n<span class=\"unverified\">⚠ 未核实（无引用） Not verified by the "
                     f"sources (not cited):</span>\n\n{items}")
    return "".join(parts)


def _hit_for(answer: Answer, passage_id: str) -> SearchHit | None:
    for h in answer.passages:
        if h.passage.id == passage_id:
            return h
    return None


def _quote_span(passage_text: str, c: Citation) -> tuple[int, int] | None:
    """Span of the citation's quote in the passage text, checked; None when not found."""
    qs, qe = c.quote_start, c.quote_end
    if c.quote and 0 <= qs < qe <= len(passage_text) and passage_text[qs:qe] == c.quote:
        return qs, qe
    if c.quote:
        i = passage_text.find(c.quote)
        if i >= 0:
            return i, i + len(c.quote)
    return None


def _marked(text: str, span: tuple[int, int] | None) -> str:
    """``html.escape(text)`` with ``text[span]`` wrapped in ``<mark>``; newlines -> ``<br>``."""
    if span is None:
        out = html.escape(text)
    else:
        a, b = span
        out = (html.escape(text[:a]) + "<mark>" + html.escape(text[a:b]) + "</mark>"
               + html.escape(text[b:]))
    return out.strip().replace("\n", "<br>")


def _article_html(article: Article, abs_span: tuple[int, int] | None, paragraph_no: int) -> str:
    """The full article as escaped ``<p>`` elements, the quote marked, its paragraph flagged."""
    out = []
    offset = 0
    for i, para in enumerate(article.paragraphs, start=1):
        lo, hi = offset, offset + len(para)
        span = None
        if abs_span is not None and abs_span[0] < hi and abs_span[1] > lo:
            span = (max(abs_span[0], lo) - lo, min(abs_span[1], hi) - lo)
        cls = ' class="cited-para"' if i == paragraph_no else ""
        out.append(f'<p{cls}><span class="pno">¶{i}</span> {_marked(para, span)}</p>')
        offset = hi + 1  # the "\n" joining paragraphs
    return "".join(out)


def _score_html(hit: SearchHit | None, mode: str | None) -> str:
    if hit is None:
        return ""
    label = _MODE_LABELS.get(mode or "", "score")
    bits = [f"相关度 Relevance: <b>{hit.score:.3f}</b> ({html.escape(label)}, #{hit.rank})"]
    if hit.dense_score is not None and mode != "dense":
        bits.append(f"cosine {hit.dense_score:.3f}")
    if hit.bm25_score is not None and mode != "bm25":
        bits.append(f"BM25 {hit.bm25_score:.2f}")
    return " · ".join(bits)


def render_sources_html(answer: Answer | None,
                        article_lookup: Callable[[str], Article | None] | None = None,
                        turn: int | None = None,
                        mode: str | None = None) -> str:
    """HTML for the sources panel of one answer.

    Args:
        answer: the answer whose citations to list; None -> an empty-state message.
        article_lookup: ``article_id -> Article`` (e.g. ``retriever.corpus.article``) used
            for the "read the full article" element; lookup errors (KeyError, ValueError)
            just omit it.
        turn: 1-based answer number in the conversation, used in the heading and in the
            element ids ``src-<turn>-<n>``.
        mode: search mode the answer used (``hybrid``/``dense``/``bm25``), names the score.
    Returns:
        An HTML string; every corpus string (titles, bylines, passage and article text,
        quotes, ids, the query) is ``html.escape``-d.  A refusal or an answer without
        citations yields a short message and no source cards.
    """
    if answer is None:
        return ('<div class="sources-empty">提问后，这里会列出回答引用的来源。<br>'
                "Ask a question; the sources cited by the answer appear here.</div>")
    t = turn if turn is not None else 0
    head = (f'<div class="sources-head">回答 #{t} 的来源 · Sources of answer #{t}</div>'
            if turn is not None else "")
    q = shown_query(answer)
    if q:
        head += (f'<div class="search-query">↳ 检索问题 / Search query: '
                 f"{html.escape(q)}</div>")
    if answer.refused:
        return (head + '<div class="sources-empty">此回答为拒答，没有引用来源。<br>'
                "This answer is a refusal: it cites no sources.</div>")
    if not answer.citations:
        return (head + '<div class="sources-empty">此回答没有引用来源。<br>'
                "This answer cites no sources.</div>")
    cards = []
    for c in answer.citations:
        hit = _hit_for(answer, c.passage_id)
        passage: Passage | None = hit.passage if hit else None
        article: Article | None = None
        if article_lookup is not None:
            try:
                article = article_lookup(c.article_id)
            except (KeyError, ValueError, LookupError):
                article = None
        byline = (passage.byline if passage else None) or (article.byline if article else None)
        if passage is not None:
            span = _quote_span(passage.text, c)
            text_html = _marked(passage.text, span)
        else:
            span = None
            text_html = f"<mark>{html.escape(c.quote)}</mark>" if c.quote else ""
        status = '<span class="ok">✓ 已核实 Verified</span>'
        meta = [f"第 {c.paragraph_no} 段 · paragraph {c.paragraph_no}"]
        if byline:
            meta.insert(0, f"作者 By {html.escape(byline)}")
        score = _score_html(hit, mode)
        full = ""
        if article is not None:
            abs_span = None
            if passage is not None and span is not None:
                abs_span = (passage.start + span[0], passage.start + span[1])
            full = ('<details class="full-article"><summary>阅读全文 Read the full article'
                    f" ({len(article.paragraphs)} 段 paragraphs)</summary>"
                    f'<div class="article-body">{_article_html(article, abs_span, c.paragraph_no)}'
                    "</div></details>")
        cards.append(
            f'<div class="source-card" id="src-{t}-{c.number}">'
            f'<div class="source-title"><span class="num">[{c.number}]</span> '
            f"{html.escape(c.title)}</div>"
            f'<div class="source-meta">{" · ".join(meta)} · {status}</div>'
            f'<blockquote class="passage">{text_html}</blockquote>'
            + (f'<div class="source-score">{score}</div>' if score else "")
            + f'<div class="source-id">{html.escape(c.article_id)} · {html.escape(c.passage_id)}</div>'
            + full + "</div>")
    return head + "".join(cards)


def answer_payload(answer: Answer) -> dict[str, Any]:
    """The structured record the ``/ask`` endpoint returns (JSON-ready).

    Shape: ``{"answer": str, "question": str, "query": str, "refused": bool,
    "citations": [{"number", "title", "article_id", "passage_id", "paragraph_no", "quote",
    "supported", "support"}], "unsupported": [str], "timings_ms": {stage: milliseconds}}``.
    A refusal has an empty citation list.
    """
    return {
        "answer": answer.text,
        "question": answer.question,
        "query": answer.query,
        "refused": bool(answer.refused),
        "citations": [] if answer.refused else [
            {"number": c.number, "title": c.title, "article_id": c.article_id,
             "passage_id": c.passage_id, "paragraph_no": c.paragraph_no, "quote": c.quote,
             "support": float(c.support)}
            for c in answer.citations],
        "unsupported": list(answer.unsupported),
        "timings_ms": {k: float(v) for k, v in answer.timings.items()},
    }


def turn_label(turn: int, question: str, width: int = 24) -> str:
    """Dropdown label for answer ``turn``: ``回答 #n Answer #n · <question prefix>``."""
    q = " ".join(question.split())
    if len(q) > width:
        q = q[:width] + "…"
    return f"回答 #{turn} Answer #{turn} · {q}"


__all__: Iterable[str] = ("escape_chat_text", "render_answer_message", "render_sources_html",
                          "answer_payload", "turn_label", "MARKER_RE")
