"""Chinese-aware tokeniser for BM25 (queries and passages go through the same function).

bm25s's default splitter treats a run of CJK characters as one token, so we tokenise
ourselves and hand bm25s pre-tokenised lists.  Text is first normalised with
``retrieval.normalize.normalize_text`` (NFKC, Traditional → Simplified, lower-case).

Schemes:

* ``"words"`` — jieba words in search mode (``rjieba.cut_for_search``: the Rust port of
  jieba 0.42, same dictionary and output, no start-up cost).  Search mode also emits the
  shorter dictionary words inside a long word (``阿克陶县`` → ``阿克``, ``阿克陶``,
  ``阿克陶县``; ``业务收入`` → ``业务``, ``收入``, ``业务收入``).  Numbers stay whole
  (``4329.7``, ``46.8%``); a token made of ASCII letters/digits joined by other signs also
  emits its parts (``46.8%`` → ``46.8``; ``covid-19`` → ``covid``, ``19``).
* ``"bigrams"`` — overlapping character bigrams over each run of Han characters (a run of
  one character gives that character), plus whole non-Han words and numbers (``4329.7``,
  ``hengshui``).  DESIGN.md: character-bigram BM25 slightly beat jieba-word BM25 on
  Chinese reading-comprehension sets.
* ``"words+bigrams"`` (default) — both lists concatenated: exact word matches score twice,
  while a question phrased with different word boundaries still matches on bigrams.

Tokens made only of punctuation, symbols or whitespace are dropped.
"""
from __future__ import annotations

import re
from typing import Iterator

import rjieba

from retrieval.normalize import normalize_text

SCHEMES: tuple[str, ...] = ("words", "bigrams", "words+bigrams")
DEFAULT_SCHEME = "words+bigrams"

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
# A Han run, or a run of other letters/digits (a decimal number kept whole: 4329.7).
_RUNS = re.compile(rf"(?P<han>[{_HAN}]+)|(?P<word>(?:(?![{_HAN}])[^\W_])+(?:\.\d+)*)")
_ASCII_PARTS = re.compile(r"\d+(?:\.\d+)*|[a-z]+")


def check_scheme(scheme: str) -> str:
    """Return ``scheme`` if valid, else raise ``ValueError`` naming the valid schemes."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown tokenisation scheme {scheme!r}; valid: {', '.join(SCHEMES)}")
    return scheme


def _words(text: str) -> Iterator[str]:
    for tok in rjieba.cut_for_search(text):
        tok = tok.strip()
        if not tok or not any(c.isalnum() for c in tok):
            continue
        yield tok
        if tok.isascii() and not tok.isalnum():
            for part in _ASCII_PARTS.findall(tok):
                if part != tok:
                    yield part


def _bigrams(text: str) -> Iterator[str]:
    for m in _RUNS.finditer(text):
        run = m.group("han")
        if run is None:
            yield m.group("word")
        elif len(run) == 1:
            yield run
        else:
            for i in range(len(run) - 1):
                yield run[i:i + 2]


def tokenize(text: str, scheme: str = DEFAULT_SCHEME) -> list[str]:
    """Tokenise ``text`` for BM25.

    Args:
        text: a query or passage, any script or width (it is normalised here).
        scheme: one of ``SCHEMES``.
    Returns:
        the tokens in text order (duplicates kept: they are term frequencies); empty when
        the text holds no letters, digits or Han characters.
    Raises:
        ValueError: on an unknown scheme.  TypeError: when ``text`` is not a ``str``.

    Example: ``tokenize("快递业务收入达4329.7万元", "words")`` →
    ``["快递", "业务", "收入", "业务收入", "达", "4329.7", "万元"]``.
    """
    check_scheme(scheme)
    norm = normalize_text(text)
    out: list[str] = []
    if scheme in ("words", "words+bigrams"):
        out.extend(_words(norm))
    if scheme in ("bigrams", "words+bigrams"):
        out.extend(_bigrams(norm))
    return out
