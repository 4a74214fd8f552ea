"""Cleaning of PDF-extracted Chinese text (our own rules; each one is unit-tested).

The rules, in the order a page goes through them:

1. ``normalize_chars`` (one character in, one character out, so offsets never move):
   full-width digits and Latin letters -> half-width (``１０月`` -> ``10月``); ``％`` -> ``%``;
   ``．`` between digits -> ``.``; ideographic space U+3000, no-break space and tab ->
   space; CJK compatibility ideographs and Kangxi radicals (a common PDF-extraction
   artefact: ``⽇`` for ``日``) -> their unified ideograph (NFKC).  Chinese punctuation
   (``，。：；！？（）“”、``) stays full-width: it is *not* plain NFKC.
2. ``strip_html``: ``<script>``/``<style>`` elements are removed *with their contents*,
   HTML comments removed, ``<br>`` -> line break, closing block tags (``</p>``, ``</div>``,
   ``</li>``, ``</h1>``...) -> paragraph break, every other tag removed (text kept);
   entities with a semicolon (``&amp;`` ``&#12290;`` ``&nbsp;``) unescaped.  Only strings
   that look like tags (``<`` + ASCII letter or ``/``) are touched; ``《》`` never.
3. ``strip_control_chars``: control characters (C0 and C1, U+0000-U+001F and
   U+007F-U+009F, except line feed and tab) never reach a passage: a form feed or vertical
   tab (PDF page break) becomes a paragraph break, every other one is removed.
4. ``drop_folio_lines``: page-furniture lines are removed: a page number between dashes or
   dots (``— 3 —``, ``- 12 -``, ``·3·``), a line starting or ending with a folio naming the
   page, set off by a space (``第3版``, ``第 3 版 要闻``, ``2021年12月14日 星期二 第三版``,
   ``第 3 页 共 8 页``), or an English one (``Page 3``, ``Page 3 of 8``).  A folio is at most ``FOLIO_MAX_CHARS``
   characters, holds no sentence punctuation and is not bracketed: ``（上接第1版）`` is a
   continuation marker, kept for segmentation.
5. ``split_blocks``: blank lines separate blocks of lines.
6. ``merge_broken_blocks``: a blank line is not always a paragraph break: PDF column
   breaks put one mid-sentence (``贵阳邮区中\\n\\n心及各市``).  A block continues into the
   next when its last line (a) does not end a paragraph (no ``。！？；…`` or closing
   quote/bracket or ``：``; ``，、`` do not end one), (b) is as wide as a body line (at
   least ``FULL_LINE_RATIO`` of the median width of the surrounding body lines), (c) is
   not a short stand-alone line without any punctuation (a sub-heading like
   ``慰问工作全面开花`` stays apart), and neither side is a byline, a page-jump marker,
   a ``——`` subtitle or a dateline.
7. ``join_lines``: hard-wrapped lines are joined with no space, except between two
   Latin words (``machine\\nlearning`` -> ``machine learning``); numbers split by a wrap
   are rejoined (``1794.\\n6`` -> ``1794.6``, ``10\\n月`` -> ``10月``).
8. ``squeeze_spaces``: layout spaces are removed between two CJK characters
   (``邮 件 处 理 中 心`` -> ``邮件处理中心``), next to Chinese punctuation
   (``口 罩 、手 套`` -> ``口罩、手套``) and between CJK and digits (``今年 10 月`` ->
   ``今年10月``, ``1794.6 万件`` -> ``1794.6万件``), and between two digits inside a run of
   single characters, a letter-spaced line (``1 1 月 2 2 日`` -> ``11月22日``; ``1 2`` alone
   stays).  Spaces between Latin words, between
   a Latin word and CJK (``Nexon 开发``) and between digits and Latin (``100 km``) are
   kept (runs collapse to one space).  In *heading mode* (headlines, sub-headings,
   bylines) a space between two CJK phrases of two or more characters each is a
   deliberate separator and is kept as one space (``十年牵手 共向未来``,
   ``李文 张耿群``); letter-spacing between single characters is still removed.
"""
from __future__ import annotations

import html
import re
import statistics
from collections.abc import Sequence

from text.fold import fold_chars
from corpus.patterns import (
    DATELINE,
    PARAGRAPH_FINAL,
    display_width,
    has_cjk_punct,
    is_ascii_alnum,
    is_cjk_punct,
    is_han,
    is_structural,
)

#: Rule 6(b): a block's last line counts as a full body line when its display width is at
#: least this share of the median width of neighbouring body lines.
FULL_LINE_RATIO = 0.75
#: Rule 6(c): a single line without any punctuation and at most this many characters is
#: a sub-heading candidate and never glued to the next block.
SHORT_HEADING_CHARS = 16

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")

#: Rule 1 is the project's offset-keeping fold (one implementation: ``text.fold``).
normalize_chars = fold_chars


_TAG_LIKE = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_SCRIPT_OPEN = re.compile(r"<(script|style)\b[^>]*>.*\Z", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BLOCK_END = re.compile(
    r"</(?:p|div|li|h[1-6]|tr|table|ul|ol|blockquote|section|article|pre)\s*>|"
    r"<(?:p|div|h[1-6]|section|article)\b[^<>]*>",
    re.IGNORECASE,
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def strip_html(text: str) -> str:
    """Remove HTML markup (rule 2 in the module docstring); plain text passes unchanged.

    ``<script>``/``<style>`` contents are dropped (an unclosed one drops the rest of the
    text); block tags become paragraph breaks; other tags vanish; ``&..;`` entities are
    unescaped.
    """
    if "<" in text and _TAG_LIKE.search(text) or "<!--" in text:
        text = _SCRIPT.sub("", text)
        text = _SCRIPT_OPEN.sub("", text)
        text = _COMMENT.sub("", text)
        text = _BR.sub("\n", text)
        text = _BLOCK_END.sub("\n\n", text)
        text = _TAG_LIKE.sub("", text)
    if "&" in text:
        text = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    return text


#: The HTML elements ``strip_html_elements`` removes (a tag of any other name is text:
#: ``<Nature>``, ``<Harry Potter>``, ``x<y and y>z``).
HTML_ELEMENTS = frozenset(
    "a abbr article b big blockquote body br button code del div em font footer form h1 h2 h3 h4 h5 h6 "
    "head header hr html i iframe img input ins kbd label li link mark meta nav ol p pre q s section "
    "small span strike strong sub sup table tbody td th thead title tr tt u ul".split())
_ELEMENT_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/?>")


def strip_html_elements(text: str) -> str:
    """Remove the markup of a typed message (a chat question), keeping angle brackets that are
    text: ``<script>``/``<style>`` elements with their contents, comments, and the tags of
    ``HTML_ELEMENTS``; a tag of another name (``<Nature>``) stays. ``strip_html`` (rule 2)
    removes every tag-like run: right for a page, not for a question."""
    if "<" not in text:
        return text
    text = _COMMENT.sub("", _SCRIPT_OPEN.sub("", _SCRIPT.sub("", text)))
    return _ELEMENT_TAG.sub(lambda m: "" if m.group(1).lower() in HTML_ELEMENTS else m.group(0), text)


#: Rule 3: page breaks (form feed, vertical tab) become a paragraph break.
CONTROL_PAGE_BREAKS = "\f\v"
#: Rule 3: every other C0/C1 control character but line feed and tab is removed.
CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def strip_control_chars(text: str) -> str:
    """Remove control characters (rule 3 in the module docstring); ``\\f``/``\\v`` become
    ``\\n\\n``, ``\\n``, ``\\t`` and ``\\r`` are kept (line endings are handled before)."""
    for ch in CONTROL_PAGE_BREAKS:
        if ch in text:
            text = text.replace(ch, "\n\n")
    return CONTROL_CHARS.sub("", text)


#: Rule 4: longest folio line, in characters (after stripping).
FOLIO_MAX_CHARS = 40
_FOLIO_NUM = r"[0-9一二三四五六七八九十百零〇两]+"
#: Rule 4: a page number standing between dashes or dots: ``— 3 —``, ``- 12 -``, ``·3·``.
FOLIO_DASHED_NUMBER = re.compile(r"^[-—–－·•]+\s*[0-9]{1,4}\s*[-—–－·•]+$")
_FOLIO_PAGE = r"第\s*" + _FOLIO_NUM + r"\s*[版页頁](?:\s*共\s*" + _FOLIO_NUM + r"\s*[版页頁])?"
#: Rule 4: a line that starts or ends with the page's name, set off by a space:
#: ``第3版``, ``第 3 版 要闻``, ``2021年12月14日 星期二 第三版``, ``第 3 页 共 8 页`` (a body
#: line such as ``在第3版刊登`` does not match: the folio must stand apart).
FOLIO_PAGE_OF_PAPER = re.compile(r"^" + _FOLIO_PAGE + r"(?:\s|$)|(?:^|\s)" + _FOLIO_PAGE + r"$")
#: Rule 4: an English folio: ``Page 3``, ``page 3 of 8``.
FOLIO_ENGLISH = re.compile(r"^page\s+[0-9]{1,4}(?:\s*(?:of|/)\s*[0-9]{1,4})?$", re.IGNORECASE)
_FOLIO_FORBIDDEN = set("。，；：！？、“”（）()[]【】《》")


def is_folio_line(line: str) -> bool:
    """True when ``line`` is page furniture (rule 4 in the module docstring)."""
    s = line.strip()
    if not s or len(s) > FOLIO_MAX_CHARS:
        return False
    if FOLIO_DASHED_NUMBER.match(s) or FOLIO_ENGLISH.match(s):
        return True
    return bool(FOLIO_PAGE_OF_PAPER.search(s)) and not (_FOLIO_FORBIDDEN & set(s))


def drop_folio_lines(text: str) -> str:
    """Remove page-number and folio lines (rule 4 in the module docstring).  The line goes
    entirely: a folio inside a block (a page break mid-sentence) lets the sentence join up;
    one between blank lines leaves the blank lines."""
    if not any(c in text for c in "—-–－·•第Pp"):
        return text
    lines = text.split("\n")
    return "\n".join(ln for ln in lines if not is_folio_line(ln))


def normalize_page(text: str) -> str:
    """Line endings to ``\\n``, HTML stripped, invisible and control characters removed,
    characters normalised, folio lines dropped (rules 1-4)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n\n")
    text = strip_html(text)
    text = strip_control_chars(text)
    text = _INVISIBLE.sub("", text)
    return drop_folio_lines(normalize_chars(text))


def split_blocks(text: str) -> list[list[str]]:
    """Split text into blocks of lines separated by blank lines (rule 5).

    Lines keep their leading whitespace (indentation is a layout cue for headlines) and
    lose trailing whitespace.  Returns ``[]`` for blank text.
    """
    blocks: list[list[str]] = []
    cur: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            cur.append(line.rstrip())
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    return blocks


def _ends_paragraph(line: str) -> bool:
    s = line.rstrip()
    return not s or s[-1] in PARAGRAPH_FINAL


def _is_short_heading_line(line: str) -> bool:
    s = line.strip()
    return len(s) <= SHORT_HEADING_CHARS and not has_cjk_punct(s) and not any(
        c in ",.;:!?" for c in s
    )


def _blocks_continue(a: list[str], b: list[str]) -> bool:
    last, first = a[-1].strip(), b[0].strip()
    if _ends_paragraph(last) or is_structural(last) or is_structural(first):
        return False
    if last.startswith("—") or first.startswith("—") or DATELINE.match(first):
        return False
    if len(a) == 1 and _is_short_heading_line(last):
        return False
    if len(b) == 1 and _is_short_heading_line(first):
        return False
    ref_lines = [x.strip() for x in a[:-1] + b[:-1] if not is_structural(x)]
    if not ref_lines:
        ref_lines = [b[-1].strip()]
    ref = statistics.median(display_width(x) for x in ref_lines)
    return display_width(last) >= FULL_LINE_RATIO * ref


def merge_broken_blocks(blocks: Sequence[Sequence[str]]) -> list[list[str]]:
    """Glue blocks that a PDF column break split mid-sentence (rule 6).

    Args:
        blocks: blocks of lines as returned by :func:`split_blocks`.
    Returns:
        New list of blocks; a merged block holds the lines of both, in order.
    """
    out: list[list[str]] = []
    for blk in blocks:
        blk = list(blk)
        if out and _blocks_continue(out[-1], blk):
            out[-1].extend(blk)
        else:
            out.append(blk)
    return out


def _is_latin_word_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalpha() or ch in ",;:!?)\"'")


def join_lines(lines: Sequence[str]) -> str:
    """Join hard-wrapped lines into one paragraph string (rule 7).

    No space is inserted unless the wrap falls between two Latin words (previous line
    ends with an ASCII letter or ``,;:!?)``, next begins with an ASCII letter/digit).
    Trailing/leading whitespace at the wrap is dropped, so ``1794.`` + ``6`` -> ``1794.6``.
    """
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if out:
            a, b = out[-1], line[0]
            if _is_latin_word_char(a) and is_ascii_alnum(b):
                out += " "
            elif a == "." and len(out) > 1 and out[-2].isalpha() and is_ascii_alnum(b):
                out += " "  # end of an English sentence
        out += line
    return out


_SPACES = re.compile(r"[ \t]+")
_RUN_OF_SPACES = re.compile(r" +")


def _drop_space(left: str, right: str, ltok: str, rtok: str, heading: bool, spaced_run: bool = False) -> bool:
    """Decide whether a space between ``left`` and ``right`` characters is layout
    (``spaced_run``: the space lies in a run of single characters, a letter-spaced line)."""
    if is_cjk_punct(left) or is_cjk_punct(right):
        return True
    if spaced_run and left.isdigit() and right.isdigit():
        return True  # 1 1 月 2 2 日: a letter-spaced line spaces digits too
    lh, rh = is_han(left), is_han(right)
    if lh and rh:
        if not heading:
            return True
        # heading mode: keep separators between phrases, drop letter-spacing
        return len(ltok) == 1 or len(rtok) == 1
    if (lh and (right.isdigit() or right in "%")) or (rh and left.isdigit()):
        return True
    if lh and right == "." or rh and left == "%":
        return True
    return False


def squeeze_spaces(text: str, heading: bool = False) -> str:
    """Remove layout spaces, keep meaningful ones (rule 8 in the module docstring).

    Args:
        text: one paragraph (no line breaks expected; any are treated as spaces).
        heading: True for headlines, sub-headings and bylines (phrase spaces kept).
    Returns:
        The paragraph with runs of spaces collapsed and stripped at both ends.
    """
    text = _SPACES.sub(" ", text.replace("\n", " ")).strip()
    if " " not in text:
        return text
    parts = text.split(" ")
    out = parts[0]
    for i in range(1, len(parts)):
        ltok, rtok = parts[i - 1], parts[i]
        if not rtok:
            continue
        if not out:
            out = rtok
            continue
        # single-char tokens are judged by their real neighbours
        spaced_run = len(ltok) == 1 and len(rtok) == 1 and (
            (i >= 2 and len(parts[i - 2]) == 1) or (i + 1 < len(parts) and len(parts[i + 1]) == 1))
        if _drop_space(out[-1], rtok[0], ltok, rtok, heading, spaced_run):
            out += rtok
        else:
            out += " " + rtok
    return out


def clean_paragraph(lines: Sequence[str] | str, heading: bool = False) -> str:
    """Join a block's lines and remove layout spaces (rules 7 and 8).

    Args:
        lines: the lines of one block (or a single string, split on ``\\n``).
        heading: see :func:`squeeze_spaces`.
    Returns:
        One cleaned paragraph string without line breaks ("" for blank input).
    """
    if isinstance(lines, str):
        lines = lines.split("\n")
    return squeeze_spaces(join_lines(lines), heading=heading)


def clean_text(text: str) -> list[str]:
    """Clean a whole page of PDF text into paragraphs (rules 1-8), without segmentation.

    Returns:
        Non-empty cleaned paragraphs in reading order.
    """
    blocks = merge_broken_blocks(split_blocks(normalize_page(text)))
    paras = [clean_paragraph(b) for b in blocks]
    return [p for p in paras if p]
