"""Character bigrams over match keys, and bigram containment (a claim's share of bigrams
found in a source): the lexical half of citation support and of fuzzy name matching."""
from __future__ import annotations

import re

from text.fold import match_key
from text.markers import CANON

_WORDCHAR = re.compile(r"\w")


def char_bigrams(text: str) -> frozenset[str]:
    """Bigrams of the word characters of ``match_key(text)`` (markers removed); a text of
    one word character gives that character; ``frozenset()`` for none."""
    chars = [c for c in match_key(CANON.sub("", text)) if _WORDCHAR.match(c)]
    if len(chars) == 1:
        return frozenset(chars)
    return frozenset(a + b for a, b in zip(chars, chars[1:]))


def bigram_containment(claim: str, source: str) -> float:
    """Fraction of the claim's character bigrams (``char_bigrams``) that occur in
    ``source``, in [0, 1]; 0.0 for a claim without word characters."""
    c = char_bigrams(claim)
    if not c:
        return 0.0
    return len(c & char_bigrams(source)) / len(c)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b| (1.0 for two empty sets)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)
