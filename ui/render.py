"""Rendering of an ``Answer`` for the web chat: chat message, sources panel, plain text, API record.

All pure functions of the records (no Gradio import, so they are unit-testable):

* ``render_answer_message(answer)`` -> the chat-message string handed to ``gr.Chatbot``
  (Markdown renderer, ``sanitize_html=True``, LaTeX off).  Every character of answer text that
  Markdown or HTML could interpret (all ASCII punctuation) is written as a numeric character
  reference, so corpus and answer text is shown literally: ``**bold**`` stays ``**bold**``,
  ``$100 and $200`` is not LaTeX, ``<script>`` is text.  Only our own markup is real HTML:
  notices, the short answer in ``<strong>``, citation badges ``<sup class="cite">[n]</sup>``
  (joined to their neighbours with U+2060 WORD JOINER so ``。`` never starts a line), the
  "检索问题 / Search query" line, the refusal's "why" line and the "not verified" block.
* ``render_sources_html(answer, ...)`` -> HTML for the sources panel (``gr.HTML``): one card per
  citation (``[n]``, title, date, byline, paragraph number, passage text with the supporting
  quote in ``<mark>`` and the short-answer span in ``<mark class="span">``, relevance score and
  the full article in ``<details>``), then the retrieved but uncited passages in a collapsed
  ``<details>``; a refusal lists the closest passages, collapsed, never as citations.
  Every corpus string goes through ``html.escape``.
* ``answer_payload(answer)`` -> the JSON-ready dict the ``/ask`` API endpoint returns.

The structured fields added by the answering issues (#9, #10) are read with ``getattr`` so the
renderer works with Answers that lack them: ``short_answer`` (``.text .passage_id .start .end
.score .citation``), ``notices`` (tuple of str), ``decision`` (``.reason``, ``.rules`` with
``.name .passed .value .threshold``) and ``search_query`` (str).
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

#: U+2060 WORD JOINER: no line break between a badge and the characters around it.
WJ = "\u2060"

#: Characters written as numeric character references in chat text (all ASCII punctuation).
_ENTITY_CHARS = frozenset(string.punctuation)

_MODE_LABELS = {
    "hybrid": "fused",  # retrieval.fusion (convex combination by default, RRF optional)
    "dense": "cosine",
    "bm25": "BM25",
}

SHOWN_QUERY_CHARS = 120  # a longer search query is shown cut, with "…"
SNIPPET_CHARS = 160      # characters of an uncited / closest passage shown before "…"

REFUSAL_DEFAULT = "抱歉，资料中没有找到答案。 Sorry, the sources do not answer this."


def plural(n: int, noun: str) -> str:
    """The English ``noun`` for a count of ``n``: singular for 1, else with an "s"
    (``plural(1, "passage") == "passage"``, ``plural(0, "passage") == "passages"``); the
    nouns of the page (document, article, passage, paragraph, case) are all regular."""
    return noun if n == 1 else noun + "s"


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
    Raises:
        ValueError: ``text`` is not a str.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    lines = text.replace("\r", "").split("\n")
    out_lines = []
    for line in lines:
        line = line.lstrip(" \t\u3000")
        out_lines.append("".join(f"&#{ord(c)};" if c in _ENTITY_CHARS else c for c in line))
    return "\n".join(out_lines)


# --------------------------------------------------------------------------- answer fields
def search_query(answer: Any) -> str:
    """The standalone query that was searched, as a string (``answer.search_query`` when the
    Answer has it, else ``answer.query`` when that is a string, else the question)."""
    q = getattr(answer, "search_query", None)
    if isinstance(q, str) and q:
        return q
    q = getattr(answer, "query", None)
    if isinstance(q, str):
        return q
    return str(getattr(answer, "question", "") or "")


def notices(answer: Any) -> list[str]:
    """``answer.notices`` as a list of non-blank strings ([] when absent)."""
    return [n for n in (getattr(answer, "notices", None) or ()) if isinstance(n, str) and n.strip()]


def short_answer(answer: Any) -> Any | None:
    """``answer.short_answer`` when it carries a non-blank ``.text``, else None."""
    sa = getattr(answer, "short_answer", None)
    text = getattr(sa, "text", None)
    return sa if isinstance(text, str) and text.strip() else None


#: What a refusal's gate rule means, said to the user (the rule names stay after it, for
#: evaluators): the reason ``best_sentence`` alone told a new user nothing (new-user trial).
RULE_REASONS = {
    "hits": "没有检索到任何段落",
    "subject": "找到的段落不是关于问题所说的对象",
    "attribute": "资料没有提到所问的属性",
    "cross_names": "资料中没有提到问题里的地名",
    "top_dense": "没有与问题足够相近的段落",
    "best_sentence": "没有与问题足够相近的句子",
    "coverage": "资料只涉及问题中的少数关键词",
    "answer_type": "资料中没有所问类型的答案（数量、日期、人名等）",
    "span_context": "找到的答案所在的段落和文章导语没有提到问题中的名称、数字或时期，或说的是另一个单位",
    "qualifier": "找到的答案说的是同类中的另一项（如问男子组，资料说女子组；问三级，资料只说一级、二级）",
    "span_type": "找到的答案不是所问的那一类（数量、金额、时间、人名或列举）",
    "relative_time": "找到的答案说的是另一个时间，或没说是所问的时间（如问去年，资料说今年）",
    "reader": "阅读模型在资料中找不到答案",
    "reader_partial": "资料只涉及部分关键词，阅读模型也找不到答案",
}


def plain_reason(reason: str) -> str:
    """The gate's reason in words (``RULE_REASONS``; ``missing: X`` -> ``资料中没有提到：X``);
    any other reason unchanged."""
    if reason.startswith("missing: "):
        return "资料中没有提到：" + reason[len("missing: "):]
    return RULE_REASONS.get(reason, reason)


def refusal_reason(answer: Any) -> str | None:
    """Short "why" of a refusal: the gate decision's reason in words (``plain_reason``), plus
    the names of its failed rules (``GateDecision.failed``: a waiver that did not hold is no
    failed rule); None when the Answer carries no decision."""
    d = getattr(answer, "decision", None)
    if d is None:
        return None
    reason = plain_reason(str(getattr(d, "reason", "") or "").strip())
    rules = getattr(d, "failed", None)
    if rules is None:
        rules = [r for r in (getattr(d, "rules", None) or ()) if getattr(r, "passed", True) is False]
    failed = [str(getattr(r, "name", "")) for r in rules if getattr(r, "name", None)]
    if failed:
        reason = f"{reason} (规则 rule: {', '.join(failed)})" if reason else f"规则 rule: {', '.join(failed)}"
    return reason or None


def strip_markers(text: str) -> str:
    """``text`` without its ``[n]`` markers, trimmed."""
    return MARKER_RE.sub("", text).strip()


#: display flags that answers saved before issue #9 carried in their text
LEGACY_FLAGS = ("（未找到出处）", " (no source found)")


def _remove_flags(text: str) -> str:
    """Drop the display flags that answers saved before issue #9 carried in their text (the
    checker no longer writes any: unsupported sentences come from ``Answer.unsupported``)."""
    for flag in LEGACY_FLAGS:
        text = text.replace(flag, "")
    return text


def _remove_unsupported(text: str, unsupported: Sequence[str]) -> tuple[str, list[str]]:
    """Remove each unsupported sentence (with its markers) from ``text``.

    Returns the remaining text and the unsupported sentences without markers (each listed
    once, in the given order).
    """
    shown: list[str] = []
    text = _remove_flags(text)
    for sent in unsupported:
        if not sent or not sent.strip():
            continue
        sent = _remove_flags(sent)
        bare = strip_markers(sent)
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


def cited_text(answer: Answer) -> tuple[str, list[str]]:
    """(answer text with its ``[n]`` markers, minus unsupported sentences and display flags;
    the unsupported sentences without markers)."""
    text, not_verified = _remove_unsupported(answer.text, tuple(answer.unsupported or ()))
    return text.strip(), not_verified


def shown_query(answer: Answer) -> str | None:
    """The search query to show beside an answer: None when it is the question itself or just
    the question cut to the retrieval limit (a 10,000-character question); else the
    rewritten follow-up, at most ``SHOWN_QUERY_CHARS`` characters."""
    q = search_query(answer).strip()
    question = (answer.question or "").strip()
    if not q or q == question or question.startswith(q):
        return None
    return q if len(q) <= SHOWN_QUERY_CHARS else q[:SHOWN_QUERY_CHARS] + "…"


# --------------------------------------------------------------------------- chat message
def _badge(number: int, title: str | None) -> str:
    tip = f"来源 Source [{number}]" + (f": {title}" if title else "")
    return (f'{WJ}<sup class="cite" title="{html.escape(tip, quote=True)}">'
            f"[{number}]</sup>{WJ}")


def _span_in_text(text: str, sa: Any) -> tuple[int, int] | None:
    """Where the short answer's span stands in the answer text: the first occurrence whose
    next marker is its citation ``[n]`` (the supporting sentence), else the first one."""
    needle = sa.text
    first = None
    for m in re.finditer(re.escape(needle), text):
        if first is None:
            first = (m.start(), m.end())
        nxt = MARKER_RE.search(text, m.end())
        if nxt is not None and int(nxt.group(1)) == getattr(sa, "citation", None):
            return m.start(), m.end()
    return first


def _escape_with_mark(text: str, span: tuple[int, int] | None, offset: int) -> str:
    """``escape_chat_text(text)``, wrapping the part of ``span`` (absolute offsets, ``text``
    starting at ``offset``) that falls in it in ``<mark class="span">``."""
    if span is None:
        return escape_chat_text(text)
    a, b = max(span[0] - offset, 0), min(span[1] - offset, len(text))
    if a >= b:
        return escape_chat_text(text)
    return (escape_chat_text(text[:a]) + '<mark class="span">' + escape_chat_text(text[a:b])
            + "</mark>" + escape_chat_text(text[b:]))


def render_answer_message(answer: Answer) -> str:
    """The chat-message content for ``answer`` (Markdown with a little sanitised HTML).

    Order: notices (``answer.notices``, e.g. a long question cut), the rewritten search query
    (when it differs from the question), the short answer in ``<strong>`` (when
    ``answer.short_answer`` is set), the cited text with ``[n]`` badges and the short-answer
    span highlighted in its supporting sentence, then the unsupported sentences under
    "未核实 Not verified" without badges.  A marker without a matching citation is shown as
    plain escaped text.  A refusal is its message plus a "why" line when ``answer.decision``
    is set; it never carries badges.

    Args:
        answer: a partial or final Answer.
    Returns:
        A string for ``gr.Chatbot`` (``render_markdown=True``, ``sanitize_html=True``,
        ``latex_delimiters=[]``).
    """
    parts: list[str] = []
    for n in notices(answer):
        parts.append(f'<span class="notice">ⓘ {escape_chat_text(n)}</span>\n\n')
    query = shown_query(answer)
    if query:
        parts.append(f'<span class="search-query">↳ 检索问题 / Search query: '
                     f"{escape_chat_text(query)}</span>\n\n")
    if answer.refused:
        body = strip_markers(_remove_flags(answer.text)) or REFUSAL_DEFAULT
        parts.append(f'<span class="refusal">{escape_chat_text(body)}</span>')
        why = refusal_reason(answer)
        if why:
            parts.append(f'\n\n<span class="refusal-why">原因 Why: {escape_chat_text(why)}</span>')
        if answer.passages:
            parts.append('\n\n<span class="refusal-why">来源面板列出了最接近的段落（不是答案）。'
                         " The Sources panel lists the closest passages (not an answer).</span>")
        return "".join(parts)

    text, not_verified = cited_text(answer)
    sa = short_answer(answer)
    span = _span_in_text(text, sa) if sa is not None else None
    if sa is not None:
        parts.append(f'<strong class="short-answer">{escape_chat_text(sa.text.strip())}</strong>\n\n')
    titles = {c.number: c.title for c in answer.citations}
    pos = 0
    body: list[str] = []
    for m in MARKER_RE.finditer(text):
        body.append(_escape_with_mark(text[pos:m.start()], span, pos))
        n = int(m.group(1))
        body.append(_badge(n, titles[n]) if n in titles else escape_chat_text(m.group(0)))
        pos = m.end()
    body.append(_escape_with_mark(text[pos:], span, pos))
    parts.append("".join(body).strip())
    if not_verified:
        items = "\n".join(f"- {escape_chat_text(s)}" for s in not_verified)
        parts.append("\n\n<span class=\"unverified\">⚠ 未核实（无引用） Not verified by the "
                     f"sources (not cited):</span>\n\n{items}")
    return "".join(parts)


# --------------------------------------------------------------------------- sources panel
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


def _short_span(passage_text: str, sa: Any | None, c: Citation) -> tuple[int, int] | None:
    """The short answer's span in this citation's passage, checked; None when it is not there."""
    if sa is None or getattr(sa, "passage_id", None) != c.passage_id:
        return None
    s, e = getattr(sa, "start", None), getattr(sa, "end", None)
    if isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(passage_text) \
            and passage_text[s:e] == sa.text:
        return s, e
    i = passage_text.find(sa.text)
    return (i, i + len(sa.text)) if i >= 0 else None


def _marked(text: str, span: tuple[int, int] | None,
            inner: tuple[int, int] | None = None) -> str:
    """``html.escape(text)`` with ``text[span]`` wrapped in ``<mark>`` and ``text[inner]``
    (the short-answer span) in ``<mark class="span">``; newlines -> ``<br>``."""
    cuts = {0, len(text)}
    for s in (span, inner):
        if s is not None:
            cuts.update((max(0, min(s[0], len(text))), max(0, min(s[1], len(text)))))
    bounds = sorted(cuts)
    out = []
    for a, b in zip(bounds, bounds[1:]):
        piece = html.escape(text[a:b])
        in_inner = inner is not None and inner[0] <= a and b <= inner[1]
        in_span = span is not None and span[0] <= a and b <= span[1]
        if in_inner:
            piece = f'<mark class="span">{piece}</mark>'
        elif in_span:
            piece = f"<mark>{piece}</mark>"
        out.append(piece)
    return "".join(out).strip().replace("\n", "<br>")


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
    label = _MODE_LABELS.get(str(mode or ""), "score")
    bits = [f"相关度 Relevance: <b>{hit.score:.3f}</b> ({html.escape(label)}, #{hit.rank})"]
    if hit.dense_score is not None and mode != "dense":
        bits.append(f"cosine {hit.dense_score:.3f}")
    if hit.bm25_score is not None and mode != "bm25":
        bits.append(f"BM25 {hit.bm25_score:.2f}")
    return " · ".join(bits)


def _lookup(article_lookup: Callable[[str], Article | None] | None, article_id: str) -> Article | None:
    if article_lookup is None:
        return None
    try:
        return article_lookup(article_id)
    except (KeyError, ValueError, LookupError):
        return None


def _meta_html(paragraph_no: int, byline: str | None, date: str | None) -> str:
    meta = []
    if date:
        meta.append(f"日期 Date {html.escape(date)}")
    if byline:
        meta.append(f"作者 By {html.escape(byline)}")
    meta.append(f"第 {paragraph_no} 段 · paragraph {paragraph_no}")
    return " · ".join(meta)


def _snippet(text: str) -> str:
    t = " ".join(text.split())
    return t if len(t) <= SNIPPET_CHARS else t[:SNIPPET_CHARS] + "…"


def _passage_list_html(hits: Sequence[SearchHit], mode: str | None,
                       article_lookup: Callable[[str], Article | None] | None) -> str:
    """Compact cards (title, date, paragraph, snippet, score) of passages that are not citations."""
    out = []
    for h in hits:
        p = h.passage
        art = _lookup(article_lookup, p.article_id)
        date = getattr(art, "date", None) if art is not None else None
        out.append(
            '<div class="passage-item">'
            f'<div class="source-title">{html.escape(p.title)}</div>'
            f'<div class="source-meta">{_meta_html(p.paragraph_no, p.byline, date)}</div>'
            f'<div class="passage-snippet">{html.escape(_snippet(p.text))}</div>'
            f'<div class="source-score">{_score_html(h, mode)}</div></div>')
    return "".join(out)


def render_sources_html(answer: Answer | None,
                        article_lookup: Callable[[str], Article | None] | None = None,
                        turn: int | None = None,
                        mode: str | None = None) -> str:
    """HTML for the sources panel of one answer.

    Args:
        answer: the answer whose citations to list; None -> an empty-state message.
        article_lookup: ``article_id -> Article`` (e.g. ``retriever.corpus.article``) used
            for the date and the "read the full article" element; lookup errors (KeyError,
            ValueError) just omit them.
        turn: 1-based answer number in the conversation, used in the heading and in the
            element ids ``src-<turn>-<n>`` (what a click on badge ``[n]`` scrolls to).
        mode: search mode the answer used (``hybrid``/``dense``/``bm25``), names the score.
    Returns:
        An HTML string; every corpus string (titles, bylines, dates, passage and article
        text, quotes, ids, the query) is ``html.escape``-d.  A heading line counts the
        retrieved and cited passages (so a change of k shows).  A refusal shows no source
        cards: the closest passages are listed in a collapsed ``<details class="closest">``
        marked "not an answer".  Retrieved passages that were not cited follow the cards in a
        collapsed ``<details class="uncited">``.
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
    n_ret = len(answer.passages)
    cited_ids = {c.passage_id for c in answer.citations} if not answer.refused else set()
    head += (f'<div class="retrieved-count">检索到 {n_ret} 段，引用 {len(cited_ids)} 段 · '
             f"Retrieved {n_ret} {plural(n_ret, 'passage')}, cited {len(cited_ids)}</div>")
    if answer.refused:
        out = head + ('<div class="sources-empty">此回答为拒答，没有引用来源。<br>'
                      "This answer is a refusal: it cites no sources.</div>")
        why = refusal_reason(answer)
        if why:
            out += f'<div class="refusal-why">原因 Why: {html.escape(why)}</div>'
        if answer.passages:
            out += ('<details class="closest"><summary>最接近的段落（不是答案） Closest passages '
                    f"(not an answer) ({n_ret})</summary>"
                    f"{_passage_list_html(answer.passages, mode, article_lookup)}</details>")
        return out
    if not answer.citations:
        return (head + '<div class="sources-empty">此回答没有引用来源。<br>'
                "This answer cites no sources.</div>")
    sa = short_answer(answer)
    cards = []
    for c in answer.citations:
        hit = _hit_for(answer, c.passage_id)
        passage: Passage | None = hit.passage if hit else None
        article = _lookup(article_lookup, c.article_id)
        byline = (passage.byline if passage else None) or (article.byline if article else None)
        date = getattr(article, "date", None) if article is not None else None
        if passage is not None:
            span = _quote_span(passage.text, c)
            text_html = _marked(passage.text, span, _short_span(passage.text, sa, c))
        else:
            span = None
            text_html = f"<mark>{html.escape(c.quote)}</mark>" if c.quote else ""
        score = _score_html(hit, mode)
        full = ""
        if article is not None:
            abs_span = None
            if passage is not None and span is not None:
                abs_span = (passage.start + span[0], passage.start + span[1])
            full = ('<details class="full-article"><summary>阅读全文 Read the full article'
                    f" ({len(article.paragraphs)} 段 {plural(len(article.paragraphs), 'paragraph')})</summary>"
                    f'<div class="article-body">{_article_html(article, abs_span, c.paragraph_no)}'
                    "</div></details>")
        cards.append(
            f'<div class="source-card" id="src-{t}-{c.number}">'
            f'<div class="source-title"><span class="num">[{c.number}]</span> '
            f"{html.escape(c.title)}</div>"
            f'<div class="source-meta">{_meta_html(c.paragraph_no, byline, date)}</div>'
            f'<blockquote class="passage">{text_html}</blockquote>'
            + (f'<div class="source-score">{score}</div>' if score else "")
            + f'<div class="source-id">{html.escape(c.article_id)} · {html.escape(c.passage_id)}</div>'
            + full + "</div>")
    uncited = [h for h in answer.passages if h.passage.id not in cited_ids]
    tail = ""
    if uncited:
        tail = ('<details class="uncited"><summary>检索到但未引用的段落 Retrieved but not cited '
                f"({len(uncited)})</summary>{_passage_list_html(uncited, mode, article_lookup)}</details>")
    return head + "".join(cards) + tail


# --------------------------------------------------------------------------- API record
def _short_answer_dict(answer: Any) -> dict[str, Any] | None:
    sa = short_answer(answer)
    if sa is None:
        return None
    return {"text": sa.text, "passage_id": getattr(sa, "passage_id", None),
            "start": getattr(sa, "start", None), "end": getattr(sa, "end", None),
            "score": (float(sa.score) if isinstance(getattr(sa, "score", None), (int, float)) else None),
            "citation": getattr(sa, "citation", None)}


def answer_payload(answer: Answer) -> dict[str, Any]:
    """The structured record the ``/ask`` endpoint returns (JSON-ready).

    Shape: ``{"answer": str, "question": str, "query": str (the standalone search query),
    "refused": bool, "refusal_reason": str | None, "short_answer": {text, passage_id, start,
    end, score, citation} | None, "notices": [str], "citations": [{"number", "title",
    "article_id", "passage_id", "paragraph_no", "quote", "support"}], "unsupported": [str],
    "timings_ms": {stage: milliseconds}}``.  A refusal has an empty citation list.
    """
    return {
        "answer": _remove_flags(answer.text),
        "question": answer.question,
        "query": search_query(answer),
        "refused": bool(answer.refused),
        "refusal_reason": refusal_reason(answer) if answer.refused else None,
        "short_answer": None if answer.refused else _short_answer_dict(answer),
        "notices": notices(answer),
        "citations": [] if answer.refused else [
            {"number": c.number, "title": c.title, "article_id": c.article_id,
             "passage_id": c.passage_id, "paragraph_no": c.paragraph_no, "quote": c.quote,
             "support": float(c.support)}
            for c in answer.citations],
        "unsupported": [strip_markers(_remove_flags(s)) for s in answer.unsupported],
        "timings_ms": {k: float(v) for k, v in (answer.timings or {}).items()},
    }


def turn_label(turn: int, question: str, width: int = 24) -> str:
    """Dropdown label for answer ``turn``: ``#n · <question prefix>`` (short, so the
    dropdown's arrow never covers it)."""
    q = " ".join(question.split())
    if len(q) > width:
        q = q[:width] + "…"
    return f"#{turn} · {q}"


__all__: Iterable[str] = ("escape_chat_text", "render_answer_message", "render_sources_html",
                          "answer_payload", "turn_label", "MARKER_RE", "search_query", "cited_text")
