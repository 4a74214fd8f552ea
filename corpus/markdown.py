"""Markdown to plain text blocks (deliberately simple; no Markdown library needed).

What is done, line by line after HTML stripping (:func:`corpus.clean.strip_html`):

* ATX headings ``# 标题`` (levels 1-6, closing ``#`` removed) become blocks of their own
  carrying their level (headline candidates);
* fenced code fences (```` ``` ````/``~~~``) are dropped, their content kept as text;
* blockquote markers ``>``, list markers (``-``, ``*``, ``+``, ``1.``), table pipes and
  table separator rows are removed; horizontal rules (``---``, ``***``) end a block;
* inline: images ``![alt](url)`` are removed, links ``[text](url)`` / ``[text][ref]``
  keep their text, autolinks ``<https://…>`` keep the address, emphasis ``**x**``,
  ``__x__``, ``*x*`` and code spans ```x``` keep their text; reference definitions
  ``[ref]: url`` are dropped.

Setext headings (text underlined with ``===``) and nested structures are not
interpreted (their text is kept).
"""
from __future__ import annotations

import re

from corpus.clean import normalize_page

_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HR = re.compile(r"^\s{0,3}([-*_=])(\s*\1){2,}\s*$")
_QUOTE = re.compile(r"^\s{0,3}(>\s?)+")
_LIST = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_REFLINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^>\s]+|[^>\s@]+@[^>\s]+)>")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ITALIC = re.compile(r"(?<![*\w])\*(?=\S)(.+?)(?<=\S)\*(?!\*)")
_CODE = re.compile(r"`([^`]+)`")


def strip_inline(line: str) -> str:
    """Remove inline Markdown markup from one line, keeping the visible text."""
    line = _IMAGE.sub("", line)
    line = _LINK.sub(r"\1", line)
    line = _REFLINK.sub(r"\1", line)
    line = _AUTOLINK.sub(r"\1", line)
    line = _CODE.sub(r"\1", line)
    line = _BOLD.sub(r"\2", line)
    line = _ITALIC.sub(r"\1", line)
    return line


def markdown_blocks(text: str) -> list[tuple[int, list[str]]]:
    """Split Markdown into text blocks.

    Returns:
        ``[(level, lines), ...]`` in order: level 1-6 for a heading block (one line), 0
        for a text block (lines without markup, not yet joined or cleaned).
    """
    text = normalize_page(text)
    blocks: list[tuple[int, list[str]]] = []
    cur: list[str] = []

    def end() -> None:
        nonlocal cur
        if cur:
            blocks.append((0, cur))
            cur = []

    for raw in text.split("\n"):
        if _FENCE.match(raw):
            continue
        if not raw.strip() or _HR.match(raw):
            end()
            continue
        m = _ATX.match(raw)
        if m:
            end()
            title = strip_inline(m.group(2)).strip()
            if title:
                blocks.append((len(m.group(1)), [title]))
            continue
        if _REFDEF.match(raw) or _TABLE_SEP.match(raw) and "-" in raw:
            continue
        line = _QUOTE.sub("", raw)
        line = _LIST.sub("", line)
        if line.strip().startswith("|"):
            line = " ".join(c.strip() for c in line.strip().strip("|").split("|"))
        line = strip_inline(line)
        if line.strip():
            cur.append(line)
    end()
    return blocks
