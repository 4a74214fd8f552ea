"""Question + passage windows for the span reader, shared by training and inference.

A window is ``<s> question </s></s> passage[a:b] </s>`` (the XLM-R pair layout that the
Hugging Face tokenizer builds with ``tokenizer(question, passage)``), at most
``max_len`` tokens. A passage longer than one window is cut into overlapping windows
(``stride`` tokens of overlap), as the Hugging Face question-answering examples do with
``return_overflowing_tokens=True, stride=...`` (Devlin et al., 2019, "BERT", section 4.2).

We build the windows from the passage's own token ids and character offsets
(``tokenizer(passage, add_special_tokens=False, return_offsets_mapping=True)``) instead of
re-tokenising the pair for every window: XLM-R's SentencePiece tokenises the two segments
independently, so the ids are the same, the passage is tokenised once per read, and
:func:`focus_windows` can centre a window on any character range (the gate's sentences).

Token-to-character offsets are exact: ``passage[offsets[i][0]:offsets[i][1]]`` is the
text of context token ``i``; tokens with an empty offset (a lone ``▁``) are never the
start or end of a span.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

#: Default window length in tokens and overlap between consecutive windows (tokens).
MAX_LEN = 256
STRIDE = 96
#: The question keeps at most its last this many tokens.
MAX_QUERY_TOKENS = 64


@dataclass(frozen=True)
class Encoded:
    """One passage tokenised once: ``ids`` (n,) and ``offsets`` (n, 2) character spans."""

    ids: tuple[int, ...]
    offsets: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Window:
    """One model input.

    Attributes:
        input_ids: ``(len,)`` token ids, ``len <= max_len``.
        passage_index: which passage (index into the caller's list).
        ctx_start: index in ``input_ids`` of the first passage token.
        ctx_tok: ``(a, b)``: the window holds passage tokens ``a..b-1``.
        offsets: character spans ``(start, end)`` of the window's passage tokens
            (``offsets[i]`` belongs to ``input_ids[ctx_start + i]``).
    """

    input_ids: tuple[int, ...]
    passage_index: int
    ctx_start: int
    ctx_tok: tuple[int, int]
    offsets: tuple[tuple[int, int], ...]

    def char_span(self, start_tok: int, end_tok: int) -> tuple[int, int]:
        """Character span in the passage of window tokens ``start_tok..end_tok`` (inclusive,
        indices into ``input_ids``, both inside the passage part)."""
        return self.offsets[start_tok - self.ctx_start][0], self.offsets[end_tok - self.ctx_start][1]


def encode_passage(tokenizer, text: str) -> Encoded:
    """Token ids and character offsets of ``text`` (no special tokens)."""
    if not text:
        return Encoded((), ())
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    return Encoded(tuple(enc["input_ids"]), tuple(tuple(o) for o in enc["offset_mapping"]))


def encode_question(tokenizer, question: str, max_query_tokens: int = MAX_QUERY_TOKENS) -> tuple[int, ...]:
    """The question's token ids, keeping its LAST ``max_query_tokens`` tokens (the question
    word of a long Chinese question is usually at its end). Empty question: ``()``."""
    if not isinstance(question, str) or not question:
        return ()
    ids = tokenizer(question, add_special_tokens=False)["input_ids"]
    return tuple(ids[-max_query_tokens:]) if max_query_tokens > 0 else ()


def _make(tokenizer, q_ids, enc: Encoded, a: int, b: int, pidx: int) -> Window:
    head = [tokenizer.cls_token_id, *q_ids, tokenizer.sep_token_id, tokenizer.sep_token_id]
    ids = head + list(enc.ids[a:b]) + [tokenizer.sep_token_id]
    return Window(tuple(ids), pidx, len(head), (a, b), enc.offsets[a:b])


def context_budget(n_query: int, max_len: int) -> int:
    """Passage tokens that fit in one window beside a question of ``n_query`` tokens."""
    return max(1, max_len - n_query - 4)


def passage_windows(tokenizer, q_ids: Sequence[int], enc: Encoded, passage_index: int,
                    max_len: int = MAX_LEN, stride: int = STRIDE) -> list[Window]:
    """Overlapping windows covering the whole passage (at least one, even when empty).

    Consecutive windows share ``stride`` passage tokens (fewer when the budget is small);
    the last window ends at the passage's last token.
    """
    budget = context_budget(len(q_ids), max_len)
    n = len(enc.ids)
    step = max(1, budget - min(stride, budget // 2))
    out, a = [], 0
    while True:
        b = min(n, a + budget)
        out.append(_make(tokenizer, q_ids, enc, a, b, passage_index))
        if b >= n:
            return out
        a += step


def focus_windows(tokenizer, q_ids: Sequence[int], enc: Encoded, passage_index: int,
                  char_start: int, char_end: int, max_len: int = MAX_LEN) -> list[Window]:
    """One window centred on the characters ``[char_start, char_end)`` of the passage (the
    passage tokens overlapping them plus equal context on both sides); a range longer than
    a window gets the windows of :func:`passage_windows` that overlap it. Empty list when
    no passage token overlaps the range."""
    toks = [i for i, (s, e) in enumerate(enc.offsets) if s < char_end and e > char_start]
    if not toks:
        return []
    lo, hi = toks[0], toks[-1] + 1
    budget = context_budget(len(q_ids), max_len)
    n = len(enc.ids)
    if hi - lo > budget:
        return [w for w in passage_windows(tokenizer, q_ids, enc, passage_index, max_len)
                if w.ctx_tok[0] < hi and w.ctx_tok[1] > lo]
    extra = budget - (hi - lo)
    a = max(0, lo - extra // 2)
    b = min(n, a + budget)
    a = max(0, b - budget)
    return [_make(tokenizer, q_ids, enc, a, b, passage_index)]


def answer_tokens(window: Window, char_start: int, char_end: int) -> tuple[int, int]:
    """Training labels: ``(start, end)`` indices in ``window.input_ids`` of the answer
    ``[char_start, char_end)``, or ``(0, 0)`` (the ``<s>`` token, SQuAD 2.0's "no answer")
    when the window does not hold the whole answer."""
    offs = window.offsets
    if not offs or char_start < 0 or char_end <= char_start:
        return 0, 0
    if offs[0][0] > char_start or max(e for _, e in offs) < char_end:
        return 0, 0
    s_tok = next((i for i, (s, e) in enumerate(offs) if e > char_start and e > s), None)
    e_tok = None
    for i in range(len(offs) - 1, -1, -1):
        s, e = offs[i]
        if s < char_end and e > s:
            e_tok = i
            break
    if s_tok is None or e_tok is None or e_tok < s_tok:
        return 0, 0
    return window.ctx_start + s_tok, window.ctx_start + e_tok
