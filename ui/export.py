"""Plain-text and Markdown versions of answers and conversations (copy and export).

* ``plain_text(answer, article_lookup)``: what the chat's copy button puts on the clipboard:
  the short answer, the answer text with its ``[n]`` markers (no HTML, no character
  references, no display flags), the sentences that were not verified, and a sources list
  ``[n] title (date) · ¶p: 「quote」``.
* ``conversation_markdown(turns)``: the whole conversation as Markdown, each answer followed by
  its sources (the "export" button).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from ui.render import cited_text, notices, refusal_reason, search_query, short_answer, strip_markers


def _date_of(article_lookup: Callable[[str], Any] | None, article_id: str) -> str | None:
    if article_lookup is None:
        return None
    try:
        return getattr(article_lookup(article_id), "date", None)
    except (KeyError, ValueError, LookupError):
        return None


def source_lines(answer: Any, article_lookup: Callable[[str], Any] | None = None) -> list[str]:
    """``[n] title (date) · ¶p: 「quote」`` for each citation (none for a refusal)."""
    if answer.refused:
        return []
    out = []
    for c in answer.citations:
        date = _date_of(article_lookup, c.article_id)
        quote = " ".join((c.quote or "").split())
        out.append(f"[{c.number}] {c.title}" + (f" ({date})" if date else "")
                   + f" · ¶{c.paragraph_no}: 「{quote}」")
    return out


def plain_text(answer: Any, article_lookup: Callable[[str], Any] | None = None) -> str:
    """The answer as plain text with its ``[n]`` markers and a sources list.

    Args:
        answer: a final Answer.
        article_lookup: ``article_id -> Article`` for the article dates (optional).
    Returns:
        Text like ``4329.7万元\\n\\n今年…4329.7万元。[1]\\n\\n来源 Sources:\\n[1] 标题 · ¶2: 「…」``.
    """
    parts: list[str] = list(notices(answer))
    q = search_query(answer).strip()
    if q and q != (answer.question or "").strip() and not (answer.question or "").startswith(q):
        parts.append(f"检索问题 Search query: {q}")
    if answer.refused:
        parts.append(strip_markers(answer.text) or "资料中没有找到答案。")
        why = refusal_reason(answer)
        if why:
            parts.append(f"原因 Why: {why}")
        return "\n\n".join(parts)
    text, not_verified = cited_text(answer)
    sa = short_answer(answer)
    if sa is not None:
        parts.append(sa.text.strip())
    parts.append(text)
    if not_verified:
        parts.append("未核实 Not verified:\n" + "\n".join(f"- {s}" for s in not_verified))
    src = source_lines(answer, article_lookup)
    if src:
        parts.append("来源 Sources:\n" + "\n".join(src))
    return "\n\n".join(p for p in parts if p)


def conversation_markdown(turns: Sequence[dict[str, Any]], title: str = "对话 Conversation") -> str:
    """The conversation as Markdown.

    Args:
        turns: the chat's stored turns, each with ``question`` and ``plain`` (the
            ``plain_text`` of its answer); optional ``mode``, ``top_k``.
        title: the document heading.
    Returns:
        ``# title`` then, per turn, ``## n. question`` and the answer with its sources.
    """
    lines = [f"# {title}", ""]
    for i, t in enumerate(turns, start=1):
        q = " ".join(str(t.get("question", "")).split())
        lines += [f"## {i}. {q}", ""]
        settings = [f"{k} {t[k]}" for k in ("mode", "top_k", "answerer") if t.get(k) is not None]
        if settings:
            lines += [f"*{' · '.join(settings)}*", ""]
        body = str(t.get("plain", ""))
        answer, sep, sources = body.partition("\n\n来源 Sources:\n")
        lines += [answer, ""]
        if sep:
            lines += ["**来源 Sources**", ""] + [f"- {s}" for s in sources.split("\n") if s] + [""]
    return "\n".join(lines).rstrip() + "\n"
