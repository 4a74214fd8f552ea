"""Text normalisation for search, applied identically to queries and passages.

Two strengths:

* ``fold_script(text)`` — Traditional → Simplified Chinese with OpenCC's ``t2s`` config
  (OpenCC 1.4.2, https://github.com/BYVoid/OpenCC).  Used on the dense side: the e5
  tokenizer (XLM-R SentencePiece, ``nmt_nfkc``) already applies NFKC itself, and case
  carries meaning for it.
* ``normalize_text(text)`` — Unicode NFKC (full-width digits, Latin letters and ASCII
  punctuation → half-width; ``４３２９．７`` → ``4329.7``), then ``t2s``, then lower-casing.
  Used on the lexical (BM25) side and for near-duplicate detection.

Both are pure functions of the text; they change its length, so they are only ever used
to *match* text, never to compute the character spans stored in passages.
"""
from __future__ import annotations

import threading
import unicodedata

import opencc

#: OpenCC configuration used for script folding (Traditional Chinese → Simplified Chinese).
OPENCC_CONFIG = "t2s"

_converter: opencc.OpenCC | None = None
_lock = threading.Lock()


def _t2s() -> opencc.OpenCC:
    global _converter
    with _lock:
        if _converter is None:
            _converter = opencc.OpenCC(OPENCC_CONFIG)
        return _converter


def fold_script(text: str) -> str:
    """Return ``text`` with Traditional Chinese characters folded to Simplified (OpenCC t2s).

    Simplified text, Latin letters, digits and punctuation pass through unchanged.

    Raises:
        TypeError: when ``text`` is not a ``str``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    if not text:
        return text
    conv = _t2s()
    with _lock:  # the C++ converter is not documented as thread-safe
        return conv.convert(text)


def normalize_text(text: str) -> str:
    """Normalise text for lexical matching: NFKC, Traditional → Simplified, lower-case.

    Example: ``"衡水湖馬拉松 ＨＥＮＧＳＨＵＩ ４３２９．７萬元"`` →
    ``"衡水湖马拉松 hengshui 4329.7万元"``.

    Raises:
        TypeError: when ``text`` is not a ``str``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    return fold_script(unicodedata.normalize("NFKC", text)).lower()
