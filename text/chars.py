"""CJK character classes: one definition for the whole project.

Han ideographs are the CJK Unified Ideographs block and its extensions A to H, the
compatibility ideographs (and their supplement), and ``〇`` (U+3007, used as a digit in
dates: ``二〇二一年``). Ranges from the Unicode 15.1 block list (Blocks.txt).
"""
from __future__ import annotations

import re
from typing import Iterable

#: (first, last) code points of the Han ideograph ranges.
HAN_RANGES: tuple[tuple[int, int], ...] = (
    (0x3400, 0x4DBF),    # Extension A
    (0x4E00, 0x9FFF),    # Unified Ideographs
    (0xF900, 0xFAFF),    # Compatibility Ideographs
    (0x20000, 0x2A6DF),  # Extension B
    (0x2A700, 0x2EBEF),  # Extensions C, D, E, F
    (0x2F800, 0x2FA1F),  # Compatibility Ideographs Supplement
    (0x30000, 0x323AF),  # Extensions G, H
    (0x3007, 0x3007),    # 〇
)

#: A regular-expression character class body matching one Han ideograph.
HAN_CLASS = "".join(f"\\U{a:08x}-\\U{b:08x}" if a != b else f"\\U{a:08x}" for a, b in HAN_RANGES)
HAN = re.compile(f"[{HAN_CLASS}]")
HAN_RUN = re.compile(f"[{HAN_CLASS}]+")
LATIN_WORD = re.compile(r"[A-Za-z]+")
#: a number or Latin word that no answer span starts or ends inside: letters and digits
#: (ASCII and full-width), with thousands groups and a decimal part (``3,500``, ``3.5``)
ALNUM_RUN = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]+(?:,[0-9]{3})*(?:\.[0-9]+)?")

#: Chinese punctuation, full-width forms and quotes used in Chinese text.
CJK_PUNCT = frozenset(
    "，。、；：？！…—·“”‘’（）《》〈〉「」『』【】〔〕〖〗～﹏￥＃＠＆＊＋－／＝＜＞｜"
    "﹁﹂﹃﹄︰︱︳︴﹐﹑﹒﹔﹕﹖﹗"
)

#: opening -> closing bracket or quote (Chinese, full-width and ASCII forms); a text that
#: holds one without the other was cut in the middle of a title or quotation.
BRACKET_PAIRS: dict[str, str] = {
    "「": "」", "『": "』", "《": "》", "〈": "〉", "“": "”", "‘": "’", "（": "）", "(": ")",
    "【": "】", "〔": "〕", "［": "］", "[": "]", "﹁": "﹂", "﹃": "﹄",
}


def is_han(ch: str) -> bool:
    """True for one Han ideograph (``HAN_RANGES``)."""
    o = ord(ch)
    return any(a <= o <= b for a, b in HAN_RANGES)


def is_cjk_punct(ch: str) -> bool:
    """True for CJK punctuation (U+3000 block, full-width forms, Chinese quotes, ``…—·``)."""
    o = ord(ch)
    return ch in CJK_PUNCT or (0x3001 <= o <= 0x303F) or (0xFE30 <= o <= 0xFE4F) or (
        0xFF01 <= o <= 0xFF0F and ch != "％"
    )


def han_count(text: str) -> int:
    """Number of Han ideographs in ``text``."""
    return len(HAN.findall(text or ""))


def language(text: str) -> str:
    """``"zh"`` when the text's Han ideographs are at least as many as its Latin words (so
    ``Nexon开发的游戏叫什么？`` is Chinese and ``How many people did 吴沛 visit?`` is English),
    else ``"en"``. A text with neither is ``"en"``."""
    text = text or ""
    cjk = han_count(text)
    return "zh" if cjk and cjk >= len(LATIN_WORD.findall(text)) else "en"


def widen_to_whole(pieces: Iterable[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` widened so that neither end lies strictly inside one of ``pieces``
    (``(start, end)`` character offsets, end exclusive): a piece the span cuts is taken whole;
    a piece it holds whole, or does not touch, changes nothing. Unchanged for an empty span."""
    if end <= start:
        return start, end
    lo, hi = start, end
    for ps, pe in pieces:
        if ps < start < pe or ps < end < pe:
            lo, hi = min(lo, ps), max(hi, pe)
    return lo, hi


def whole_runs(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``text[start:end]`` so it neither starts nor ends inside an ``ALNUM_RUN``
    (``widen_to_whole``).

    The XLM-R tokenizer splits long numbers and model names into pieces (``12|345``,
    ``3|,|500``, ``iPhone|15|Pro``), so a span read over tokens may start or end between
    two of them and state a value the text does not hold (``345人`` of ``12345人``).

    Args:
        text: the passage.
        start / end: character offsets of the span in ``text`` (end exclusive).

    Returns:
        ``(start, end)``, widened to the whole runs cut at either end; unchanged when both
        ends already lie on run edges (or the span is empty).
    """
    return widen_to_whole((m.span() for m in ALNUM_RUN.finditer(text)), start, end)
