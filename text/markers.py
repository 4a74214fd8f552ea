"""The citation-marker grammar: canonical ``[n]``, and the spellings LLMs produce.

* ``normalise_markers``: ``【1】``, ``［1］``, ``〔1〕``, ``[^1]``, ``[1,2]``/``[1，2]``/``[1、2]``/
  ``[1; 2]``, ``[1-3]`` (ranges of at most ``MAX_RANGE`` numbers expanded),
  ``[ID:1]``/``[citation:1]``/``[来源1]``/``[资料1]`` -> ``[1]``; ``[1][2]`` stays. Parenthesised
  numbers ``(1)``/``（1）`` are NOT converted: in Chinese text they are list enumerations far
  more often than citations.
* ``renumber``: markers renumbered 1, 2, ... in order of first use; markers naming a passage
  that was not given (0, or > the number of passages) removed; repeats (``[1][1]``) collapse.
* ``markers_of``, ``strip_markers``, ``cut_open_marker`` (a streamed text's unfinished tail).
"""
from __future__ import annotations

import re

MAX_RANGE = 20

#: A canonical marker ``[n]``; group 1 is the number.
CANON = re.compile(r"\[(\d{1,3})\]")

_OPEN = r"[\[【［〔]"
_CLOSE = r"[\]】］〕]"
_PREFIX = (r"(?:\^|(?:id|ID|Id|citation|Citation|ref|Ref|source|Source|doc|Doc|passage|Passage|"
           r"资料|来源|段落|文档|参考)\s*[:：#]?\s*)?")
_NUM = r"\^?\s*\d{1,3}"
_SEP = r"\s*(?:[,，、;；]|[-–—~～])\s*" + _PREFIX
_MARKER_RE = re.compile(_OPEN + r"\s*" + _PREFIX + r"(" + _NUM + r"(?:" + _SEP + _NUM + r")*)\s*" + _CLOSE)
_OPEN_TAIL = re.compile(r"[\[【［〔][^\]】］〕]{0,12}$")


def _expand(body: str) -> list[int] | None:
    body = re.sub(r"[\^\s]", "", body)
    body = re.sub(r"(?:id|citation|ref|source|doc|passage|资料|来源|段落|文档|参考)[:：#]?", "", body,
                  flags=re.IGNORECASE)
    out: list[int] = []
    for part in re.split(r"[,，、;；]", body):
        if not part:
            continue
        m = re.fullmatch(r"(\d+)[-–—~～](\d+)", part)
        if m:
            lo, hi = int(m.group(1)), int(m.group(2))
            if hi < lo or hi - lo + 1 > MAX_RANGE:
                return None
            out.extend(range(lo, hi + 1))
        elif part.isdigit():
            out.append(int(part))
        else:
            return None
    return out


def normalise_markers(text: str) -> str:
    """Rewrite every marker spelling (module docstring) as canonical ``[n][m]...``; other
    text is left untouched (``(1)`` stays)."""

    def repl(m: re.Match) -> str:
        nums = _expand(m.group(1))
        if nums is None:
            return m.group(0)
        return "".join(f"[{n}]" for n in nums)

    return _MARKER_RE.sub(repl, text)


def renumber(text: str, n_passages: int) -> tuple[str, dict[int, int]]:
    """Renumber canonical markers in order of first use.

    Args:
        text: text with canonical ``[n]`` markers (run ``normalise_markers`` first).
        n_passages: markers must name 1..n_passages; others are removed.
    Returns:
        ``(new_text, mapping)``, mapping new number -> original number. Adjacent duplicates
        (``[1][1]``) collapse to one marker.
    """
    old_to_new: dict[int, int] = {}

    def repl(m: re.Match) -> str:
        n = int(m.group(1))
        if not 1 <= n <= n_passages:
            return ""
        if n not in old_to_new:
            old_to_new[n] = len(old_to_new) + 1
        return f"[{old_to_new[n]}]"

    out = CANON.sub(repl, text)
    out = re.sub(r"(\[\d+\])(?:\1)+", r"\1", out)
    return out, {new: old for old, new in old_to_new.items()}


def markers_of(text: str) -> list[int]:
    """Numbers of the canonical markers of ``text``, in order, deduplicated."""
    return list(dict.fromkeys(int(n) for n in CANON.findall(text)))


def strip_markers(text: str) -> str:
    """``text`` without canonical markers, whitespace-trimmed."""
    return CANON.sub("", text).strip()


def cut_open_marker(text: str) -> str:
    """Drop a trailing, possibly unfinished marker (``…[1``, ``…【``) from streamed text."""
    return _OPEN_TAIL.sub("", text)
