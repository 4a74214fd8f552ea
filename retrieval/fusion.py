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

import math
from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any, Callable, Hashable, Sequence, TypeVar

from retrieval.normalize import normalize_text

RRF_K = 60
CANDIDATES_MIN = 50  #: default depth of each leg's candidate list in hybrid search
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


# --------------------------------------------------------------------------- fusion rules


class FusionMethod(str, Enum):
    """How hybrid search combines the dense and the BM25 candidate lists."""

    RRF = "rrf"  #: weighted reciprocal rank fusion (ranks only)
    CONVEX = "convex"  #: convex combination of normalised scores (Bruch et al. 2023)


class Normalization(str, Enum):
    """Score normalisation before a convex combination (Bruch, Gai & Ingber 2023, §4).

    * ``MINMAX`` — ``(s - min) / (max - min)`` over the leg's candidate list.
    * ``TMM`` — theoretical min-max: ``(s - m) / (max - m)`` with ``m`` the leg's
      theoretical minimum (0 for BM25, ``DENSE_THEORETICAL_MIN`` for cosine); the paper
      finds it as good as min-max and more robust (it does not depend on the worst
      candidate that happened to be retrieved).
    """

    MINMAX = "minmax"
    TMM = "tmm"


class Adaptive(str, Enum):
    """Query-adaptive weighting of the two legs (``FusionConfig.adaptive``).

    * ``NONE`` — fixed weights.
    * ``GAP`` — each leg's weight is multiplied by its *confidence*: the normalised score
      gap between its first and second candidate, ``(s1 - s2) / (s1 - m)``, so a leg whose
      top hit stands out counts more on this query than a leg with a flat top list.
    """

    NONE = "none"
    GAP = "gap"


#: theoretical minimum of the cosine for ``Normalization.TMM``: the cosine's bound is -1,
#: but e5's cosines sit in [0.6, 1] on any text, so -1 would squash them; 0 is used.
DENSE_THEORETICAL_MIN = 0.0


@dataclass(frozen=True)
class FusionConfig:
    """How ``Retriever.search`` fuses the dense and BM25 legs in hybrid mode.

    Fixed at construction of the Retriever and recorded in the index manifest.

    Default (issue #13): a convex combination (Bruch, Gai & Ingber 2023, "An Analysis of
    Fusion Functions for Hybrid Retrieval", ACM TOIS 42(1)) of min-max-normalised scores,
    ``w_d * n_dense + w_b * n_bm25``, with equal prior weights (0.5, 0.5) multiplied per
    query by each leg's confidence (``Adaptive.GAP``: the normalised gap between its first
    and second candidate).  No constant is fitted: alpha = 0.5 is "no preference", and
    every alpha in [0.3, 0.6] passes the rule below (0.7 does not), so 0.5 sits in the
    middle of the passing range.

    Measured with ``python -m benchmarks.fusion_study`` (each leg's top 50 per question
    dumped once from the indexes ``python -m evaluation run --answers off`` builds, then
    every rule scored with this very ``fuse`` and near-duplicate removal; for the old
    default the offline figures equal the evaluation's).  Hit@1 / MRR@10 at passage and
    article level; seed test set (91 answerable), CMRC 2018 trial (1,000), DRCD test
    (3,493, Traditional):

    ==========================  ===========================  ===========================  ===========================
    rule                        seed p H@1/MRR, a H@1/MRR    CMRC                         DRCD
    ==========================  ===========================  ===========================  ===========================
    dense                       .747 .839  .967 .981         .797 .882  .956 .967         .758 .836  .893 .923
    BM25                        .879 .894  .901 .905         .878 .932  .984 .990         .912 .943  .966 .979
    RRF (1, 1.5) (old default)  .879 .922  .978 .986         .874 .930  .979 .986         .889 .931  .956 .972
    RRF (1, 3)                  .868 .919  .967 .981         .875 .931  .982 .988         .900 .938  .961 .975
    RRF (1, 1.5) + gap          .890 .930  .978 .986         .902 .945  .985 .990         .910 .942  .964 .976
    convex min-max a=0.4        .901 .938  .967 .981         .906 .950  .990 .994         .927 .955  .976 .985
    convex min-max a=0.5        .901 .938  .967 .981         .909 .951  .987 .992         .913 .947  .964 .979
    convex TMM a=0.8            .901 .938  .967 .981         .897 .945  .987 .992         .926 .954  .975 .984
    convex min-max+gap a=0.5    .890 .932  .967 .981         .912 .951  .990 .993         .924 .952  .972 .981
    ==========================  ===========================  ===========================  ===========================

    Every RRF variant loses to BM25 on DRCD (the weak dense leg pulls good BM25 hits
    down; rank fusion cannot see that a leg's top hit stands out).  The chosen rule is
    >= the better leg on all 12 figures (ties only on seed article level, where dense is
    at 88/91) and beats it on the other 10.  Full table (all 30 rules): README, quality
    section.

    Attributes:
        method: ``FusionMethod.RRF`` or ``FusionMethod.CONVEX``.
        rrf_k: RRF constant (60, Cormack et al. 2009); RRF only.
        weights: ``(dense weight, BM25 weight)``, both >= 0, not both 0.  RRF: the
            per-list weights; CONVEX: the combination is ``w_d * n_d + w_b * n_b`` with
            ``n`` the normalised scores, i.e. alpha = w_d / (w_d + w_b) (Bruch et al.).
        normalization: ``Normalization`` for CONVEX.
        adaptive: ``Adaptive`` query-adaptive weighting (either method).
        candidates: each leg's candidate list depth is ``max(candidates, 4 * top_k)``.
    Raises:
        ValueError: (at construction) on a negative or all-zero weight, negative rrf_k,
            candidates < 1, or an unknown method/normalisation/adaptive value.
    """

    method: FusionMethod = FusionMethod.CONVEX
    rrf_k: float = RRF_K
    weights: tuple[float, float] = (0.5, 0.5)
    normalization: Normalization = Normalization.MINMAX
    adaptive: Adaptive = Adaptive.GAP
    candidates: int = CANDIDATES_MIN

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", FusionMethod(self.method))
        object.__setattr__(self, "normalization", Normalization(self.normalization))
        object.__setattr__(self, "adaptive", Adaptive(self.adaptive))
        w = tuple(float(x) for x in self.weights)
        if len(w) != 2 or any(not math.isfinite(x) or x < 0 for x in w) or sum(w) == 0:
            raise ValueError(f"weights must be two non-negative numbers, not both 0, got {self.weights!r}")
        object.__setattr__(self, "weights", w)
        if not math.isfinite(self.rrf_k) or self.rrf_k < 0:
            raise ValueError(f"rrf_k must be >= 0, got {self.rrf_k}")
        if isinstance(self.candidates, bool) or not isinstance(self.candidates, int) or self.candidates < 1:
            raise ValueError(f"candidates must be an integer >= 1, got {self.candidates!r}")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.update(method=self.method.value, normalization=self.normalization.value,
                 adaptive=self.adaptive.value, weights=list(self.weights))
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "FusionConfig":
        """Inverse of ``to_dict``; unknown keys are ignored.  Raises ValueError as the
        constructor does."""
        known = set(cls.__dataclass_fields__)
        kw = {k: v for k, v in dict(d).items() if k in known}
        if "weights" in kw:
            kw["weights"] = tuple(kw["weights"])
        return cls(**kw)


Candidates = Sequence[tuple[H, float]]


def _normalise(scores: list[float], method: Normalization, theoretical_min: float) -> tuple[list[float], float]:
    """Normalised scores of one leg (best first) and the minimum used."""
    if not scores:
        return [], 0.0
    top = scores[0]
    lo = min(scores) if method is Normalization.MINMAX else min(theoretical_min, min(scores))
    span = top - lo
    if span <= 0:
        return [1.0] * len(scores), lo
    return [(x - lo) / span for x in scores], lo


def leg_confidence(scores: Sequence[float], lo: float) -> float:
    """``(s1 - s2) / (s1 - lo)``: how far a leg's best candidate stands out, in [0, 1]
    (1.0 for a single candidate, 0.0 for none or a tie)."""
    if not scores:
        return 0.0
    if len(scores) == 1:
        return 1.0
    span = scores[0] - lo
    return max(0.0, min(1.0, (scores[0] - scores[1]) / span)) if span > 0 else 0.0


def fuse(dense: Candidates, lexical: Candidates, config: FusionConfig = FusionConfig()) -> list[tuple[H, float]]:
    """Fuse the dense and BM25 candidate lists by ``config``.

    Args:
        dense: ``(id, cosine)`` best first (a leg's top-N).
        lexical: ``(id, BM25 score > 0)`` best first (may be empty: no query token known).
        config: the fusion rule.
    Returns:
        ``(id, fused score)`` for every id in either list, highest first; ties go to the
        better rank in the earlier (dense) list, as in ``reciprocal_rank_fusion``.
    """
    wd, wb = config.weights
    if config.method is FusionMethod.RRF:
        if config.adaptive is Adaptive.GAP:
            cd = leg_confidence([s for _, s in dense], min((s for _, s in dense), default=0.0))
            cb = leg_confidence([s for _, s in lexical], 0.0)
            wd, wb = wd * cd, wb * cb
            if wd + wb == 0:
                wd, wb = config.weights
        return reciprocal_rank_fusion([[i for i, _ in dense], [i for i, _ in lexical]],
                                      rrf_k=config.rrf_k, weights=[wd, wb])
    nd, lo_d = _normalise([s for _, s in dense], config.normalization, DENSE_THEORETICAL_MIN)
    nb, lo_b = _normalise([s for _, s in lexical], config.normalization, 0.0)
    if config.adaptive is Adaptive.GAP:
        cd = leg_confidence([s for _, s in dense], lo_d)
        cb = leg_confidence([s for _, s in lexical], lo_b)
        if cd + cb > 0:
            wd, wb = wd * cd, wb * cb
    # an id missing from one leg's top-N scores below all of that leg's candidates: it
    # gets the leg's lowest normalised candidate score (0 under min-max)
    floor_d, floor_b = (min(nd) if nd else 0.0), (min(nb) if nb else 0.0)
    sd = {i: x for (i, _), x in zip(dense, nd)}
    sb = {i: x for (i, _), x in zip(lexical, nb)}
    order: dict[H, tuple[int, int]] = {}
    for li, cands in enumerate((dense, lexical)):
        for pos, (i, _) in enumerate(cands):
            if i not in order or (pos, li) < order[i]:
                order[i] = (pos, li)
    fused = {i: wd * sd.get(i, floor_d) + wb * sb.get(i, floor_b) for i in order}
    return sorted(fused.items(), key=lambda kv: (-kv[1], order[kv[0]]))
