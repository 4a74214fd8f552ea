"""Character classes and line patterns shared by cleaning and segmentation.

Everything here is a pure function of one character or one line; no state.
"""
from __future__ import annotations

import re
import unicodedata

# --- character classes -------------------------------------------------------------

from text.chars import CJK_PUNCT, is_cjk_punct, is_han  # noqa: F401  (the one definition)

#: Characters that end a sentence (full- and half-width).
SENTENCE_END = frozenset("。！？；!?;…")

#: Closing quotes/brackets that belong to the sentence before them (``。”`` stays together).
CLOSERS = frozenset("”’」』）)》〉】〕〗]")

#: Characters after which a block of text is a finished paragraph (a following blank line
#: is a real paragraph break).  Deliberately excludes ``，、`` (a Chinese paragraph never
#: ends with them, so a block ending there was cut by a column break).
PARAGRAPH_FINAL = SENTENCE_END | CLOSERS | frozenset("：:.")

#: Punctuation that must never start a passage or a sentence piece.
LEADING_FORBIDDEN = CLOSERS | SENTENCE_END | frozenset("，、：:,.")


def is_cjk(ch: str) -> bool:
    """Han ideograph or CJK punctuation."""
    return is_han(ch) or is_cjk_punct(ch)


def is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def display_width(s: str) -> int:
    """Width of ``s`` in half-width cells: wide/full-width/ambiguous characters count 2."""
    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in s)


def has_cjk_punct(s: str) -> bool:
    return any(is_cjk_punct(c) for c in s)


# --- line patterns -------------------------------------------------------------------

_NAME = r"[\u3400-\u9fff·•A-Za-z][\u3400-\u9fff·•A-Za-z \u3000]{0,38}"

#: A line that is only a byline: ``□李莎``, ``□本报通讯员 韩艳锋 张升``, ``■ 记者 王强``.
BYLINE_LINE = re.compile(r"^\s*[□■]\s*(?P<name>" + _NAME + r")\s*$")

#: A byline at the end of a body line: ``...该公司负责人喀斯木·尧力达西说。 □李莎``.
#: The text before it must end a sentence, so a ``□`` standing for a missing glyph inside
#: a sentence is not taken for a byline.
INLINE_BYLINE = re.compile(
    r"^(?P<body>.*[。！？!?”’）)」』])\s*[□■]\s*(?P<name>" + _NAME + r")\s*$"
)

_NUM = r"[0-9一二三四五六七八九十百]+"

#: ``（上接第1版）`` / ``（接上版）``: the rest of an article continued from another page.
CONTINUATION = re.compile(r"^[（(]\s*(?:上接|接上|接)第?\s*(?:" + _NUM + r")?\s*版\s*[）)]$")

#: ``（下转第2版）`` / ``（转第2版）``: the article continues on another page.
JUMP = re.compile(r"^[（(]\s*(?:下转|转)第?\s*" + _NUM + r"\s*版\s*[）)]$")

#: A jump marker at the end of a body line: ``...培训。（下转第2版）`` (the marker is dropped).
INLINE_JUMP = re.compile(r"^(?P<body>.*\S)\s*[（(]\s*(?:下转|转)第?\s*" + _NUM + r"\s*版\s*[）)]\s*$")

#: Datelines that open a news item: ``本报讯``, ``本报北京12月1日电``, ``新华社北京电``.
DATELINE = re.compile(r"^(?:本报讯|本报[^\s，。：]{0,16}电|新华社[^\s，。：]{0,16}电)")


def byline_line(line: str) -> str | None:
    """The byline name if ``line`` is a standalone byline, else None."""
    m = BYLINE_LINE.match(line)
    return m.group("name") if m else None


def is_marker(line: str) -> bool:
    """True for a page-jump marker (``（上接第1版）``, ``（下转第2版）``)."""
    s = line.strip()
    return bool(CONTINUATION.match(s) or JUMP.match(s))


def is_structural(line: str) -> bool:
    """True for lines that are never part of running text: bylines and jump markers."""
    return byline_line(line) is not None or is_marker(line)
