"""Rank fusion and near-duplicate removal (pure functions).

Reciprocal rank fusion (RRF): Cormack, Clarke & Büttcher (2009), "Reciprocal Rank Fusion
outperforms Condorcet and individual Rank Learning Methods", SIGIR '09.  An item's fused
score is ``sum_i w_i / (rrf_k + rank_i)`` over the rankings that contain it (rank 1-based,
rrf_k = 60 as in the paper, w_i = 1 unless weights are given).

Near-duplicates: two passages are duplicates when their normalised texts (NFKC,
Traditional → Simplified, lower-case, all whitespace removed) are identical, or when the
Jaccard similarity of their character-bigram sets is ≥ 0.9 (``DUPLICATE_JACCARD``) — e.g.
the same paragraph reprinted with a different byline or a few characters of layout
debris.  Keeping the first (best-ranked) of each group lets the top ``top_k`` hold
``top_k`` distinct passages.
"""
from __future__ import annotations

from typing import Callable, Hashable, Sequence, TypeVar

from retrieval.normalize import normalize_text

RRF_K = 60
DUPLICATE_JACCARD = 0.9

H = TypeVar("H", bound=Hashable)
T = TypeVar("T")


def reciprocal_rank_fusion(rankings: Sequence[Sequence[H]], rrf_k: float = RRF_K,
                           weights: Sequence[float] | None = None) -> list[tuple[H, float]]:
    """Fuse ranked lists of ids by reciprocal rank fusion.

    Args:
        rankings: each a list of ids, best first (an id repeated within one list counts
            only at its first position).
        rrf_k: the RRF constant (60, Cormack et al. 2009); must be >= 0.
        weights: one non-negative weight per ranking (default all 1.0).
    Returns:
        ``(id, fused score)`` for every id in any ranking, highest score first; ties go to
        the id with the better (lower) best rank, then to the earlier ranking, then to the
        earlier position of first appearance.
    Raises:
        ValueError: negative rrf_k, wrong number of weights, or a negative weight.
    """
    if rrf_k < 0:
        raise ValueError(f"rrf_k must be >= 0, got {rrf_k}")
    if weights is None:
        weights = [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(f"got {len(weights)} weights for {len(rankings)} rankings")
    if any(w < 0 for w in weights):
        raise ValueError(f"weights must be >= 0, got {list(weights)}")
    scores: dict[H, float] = {}
    best: dict[H, tuple[int, int, int]] = {}
    order = 0
    for li, (ranking, w) in enumerate(zip(rankings, weights)):
        seen: set[H] = set()
        for pos, item in enumerate(ranking, start=1):
            if item in seen:
                continue
            seen.add(item)
            scores[item] = scores.get(item, 0.0) + w / (rrf_k + pos)
            key = (pos, li, order)
            order += 1
            if item not in best or key < best[item]:
                best[item] = key
    return sorted(scores.items(), key=lambda kv: (-kv[1], best[kv[0]]))


def dedup_key(text: str) -> str:
    """The text used for duplicate detection: normalised, whitespace removed."""
    return "".join(normalize_text(text).split())


def char_bigrams(text: str) -> frozenset[str]:
    """Set of character bigrams of ``text`` (a 1-character text gives that character)."""
    if len(text) < 2:
        return frozenset([text]) if text else frozenset()
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b| (1.0 for two empty sets)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def remove_near_duplicates(items: Sequence[T], text_of: Callable[[T], str], limit: int | None = None,
                           threshold: float = DUPLICATE_JACCARD) -> list[T]:
    """Keep items in order, dropping each one that duplicates an item already kept.

    Args:
        items: ranked items, best first.
        text_of: gives an item's text.
        limit: stop once this many items are kept (None: no limit).
        threshold: bigram-Jaccard at or above which two texts are duplicates, in (0, 1].
    Returns:
        at most ``limit`` items, in their original order.
    Raises:
        ValueError: on a threshold outside (0, 1] or a limit < 0.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    kept: list[T] = []
    keys: list[str] = []
    grams: list[frozenset[str]] = []
    for item in items:
        if limit is not None and len(kept) >= limit:
            break
        key = dedup_key(text_of(item))
        g = char_bigrams(key)
        if any(key == k2 or jaccard(g, g2) >= threshold for k2, g2 in zip(keys, grams)):
            continue
        kept.append(item)
        keys.append(key)
        grams.append(g)
    return kept
