"""Evaluation metrics: retrieval, answers, citations, refusals, latency.

All functions are pure (no corpus, no model); the runner (``evaluation/runner.py``) feeds
them.  Per-query functions return a float in [0, 1]; the ``mean_*`` / aggregate helpers
average over queries (macro average, every query weighs the same), the convention of
TREC ``trec_eval`` and of ``ranx``.

Sources:

* Hit@k, Recall@k, MRR@k: Manning, Raghavan & Schütze, *Introduction to Information
  Retrieval* (2008), ch. 8; Voorhees, "The TREC-8 Question Answering Track Report" (1999)
  for mean reciprocal rank.  Hit@k is ``hit_rate@k`` and Recall@k ``recall@k`` in ``ranx``.
* nDCG@k: Järvelin & Kekäläinen, "Cumulated gain-based evaluation of IR techniques",
  ACM TOIS 20(4), 2002, with binary relevance, the log2(rank + 1) discount and the ideal
  DCG of the ideal ranking (all relevant items first, cut at k) - identical to
  ``trec_eval``'s ``ndcg_cut`` and ``ranx``'s ``ndcg@k``.
* Exact match and F1: the official CMRC 2018 evaluation script, ``cmrc2018_evaluate.py``
  (v5, https://github.com/ymcui/cmrc2018, ``squad-style-data/``): lower-case, strip,
  drop the punctuation listed there, split CJK into single characters (other text into
  words), F1 from the *longest common substring* of the token lists, max over references.
* Percentiles: numpy's default (linear interpolation, Hyndman & Fan 1996 type 7).
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np

from text.sentences import split_answer_sentences

K_VALUES: tuple[int, ...] = (1, 3, 5, 10)
"""Cut-offs reported for Hit@k and Recall@k."""

# --------------------------------------------------------------------------- retrieval


def _check_k(k: int) -> None:
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")


def dedupe(ranked: Iterable[str]) -> list[str]:
    """Keep the first occurrence of each id, in rank order.

    Used to turn a ranked passage list into a ranked *article* list (an article is ranked
    where its best passage is), the usual way to score document-level retrieval from
    passage retrieval.
    """
    seen: set[str] = set()
    out: list[str] = []
    for x in ranked:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


def _validate(ranked: Sequence[str], relevant: Iterable[str]) -> set[str]:
    rel = set(relevant)
    if not rel:
        raise ValueError("relevant set is empty: retrieval metrics are undefined for a query "
                         "without relevant items (leave unanswerable cases out)")
    if len(set(ranked)) != len(ranked):
        raise ValueError("ranked list holds duplicate ids; call dedupe() first")
    return rel


def hit_at_k(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """Hit@k: 1.0 when at least one relevant id is among the first k, else 0.0.

    Args:
        ranked: ids in rank order, best first, without duplicates.
        relevant: the relevant ids (non-empty).
        k: cut-off (>= 1).
    Raises:
        ValueError: empty relevant set, duplicate ids, or k < 1.
    """
    _check_k(k)
    rel = _validate(ranked, relevant)
    return 1.0 if any(x in rel for x in ranked[:k]) else 0.0


def recall_at_k(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """Recall@k = |relevant ∩ top-k| / |relevant| (Manning et al. 2008, §8.3)."""
    _check_k(k)
    rel = _validate(ranked, relevant)
    return sum(1 for x in ranked[:k] if x in rel) / len(rel)


def reciprocal_rank_at_k(ranked: Sequence[str], relevant: Iterable[str], k: int = 10) -> float:
    """Reciprocal rank cut at k: 1 / rank of the first relevant id within the first k, else 0.

    Its mean over queries is MRR@k (Voorhees 1999).
    """
    _check_k(k)
    rel = _validate(ranked, relevant)
    for i, x in enumerate(ranked[:k], start=1):
        if x in rel:
            return 1.0 / i
    return 0.0


def ndcg_at_k(ranked: Sequence[str], relevant: Iterable[str], k: int = 10) -> float:
    """nDCG@k with binary relevance (Järvelin & Kekäläinen 2002).

    DCG@k = sum over ranks i <= k of rel_i / log2(i + 1); IDCG@k is the DCG of the ideal
    list (min(|relevant|, k) relevant items at ranks 1..); nDCG@k = DCG@k / IDCG@k.
    """
    _check_k(k)
    rel = _validate(ranked, relevant)
    dcg = sum(1.0 / math.log2(i + 1) for i, x in enumerate(ranked[:k], start=1) if x in rel)
    idcg = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(rel), k) + 1))
    return dcg / idcg


def retrieval_scores(ranked: Sequence[str], relevant: Iterable[str],
                     ks: Sequence[int] = K_VALUES, depth: int = 10) -> dict[str, float]:
    """All retrieval metrics of one query: ``hit@k``, ``recall@k`` for k in ks,
    ``mrr@depth`` and ``ndcg@depth``.  ``ranked`` is deduplicated first."""
    ranked = dedupe(ranked)
    rel = set(relevant)
    out: dict[str, float] = {}
    for k in ks:
        out[f"hit@{k}"] = hit_at_k(ranked, rel, k)
    for k in ks:
        out[f"recall@{k}"] = recall_at_k(ranked, rel, k)
    out[f"mrr@{depth}"] = reciprocal_rank_at_k(ranked, rel, depth)
    out[f"ndcg@{depth}"] = ndcg_at_k(ranked, rel, depth)
    return out


def mean_scores(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    """Macro average of per-query score dicts (same keys).  Empty input -> {}."""
    if not rows:
        return {}
    keys = rows[0].keys()
    return {key: float(np.mean([r[key] for r in rows])) for key in keys}


# --------------------------------------------------------------------------- answers

# Punctuation removed by the official CMRC 2018 script (v5), plus its list of ASCII signs.
CMRC_PUNCTUATION: frozenset[str] = frozenset(
    ["-", ":", "_", "*", "^", "/", "\\", "~", "`", "+", "=",
     "，", "。", "：", "？", "！", "“", "”", "；", "’", "《", "》", "……", "·", "、",
     "「", "」", "（", "）", "－", "～", "『", "』"])

# Our NFKC step turns full-width signs into ASCII ("，" -> ","), so their half-width forms
# are dropped too (single characters only: "……" never matches one character).
_PUNCT: frozenset[str] = CMRC_PUNCTUATION | frozenset(
    f for f in (unicodedata.normalize("NFKC", c) for c in CMRC_PUNCTUATION) if len(f) == 1)

_CITATION_MARK = re.compile(r"\[\d+\]")
_CJK = re.compile(r"[\u4e00-\u9fa5]")
_WORD = re.compile(r"\d+(?:[.,]\d+)*|\w+|[^\w\s]", re.UNICODE)
# Extra punctuation for the containment check only (full-width forms are NFKC-folded).
_ANY_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def strip_citations(text: str) -> str:
    """Remove citation markers ``[n]`` from an answer text."""
    return _CITATION_MARK.sub("", text)


def _prep(text: str) -> str:
    # Our extension to the CMRC script: citation markers are dropped and text is NFKC
    # folded (full-width digits/letters -> ASCII), so "１２月" scores like "12月".
    return unicodedata.normalize("NFKC", strip_citations(text)).lower().strip()


def cmrc_tokens(text: str) -> list[str]:
    """CMRC 2018 ``mixed_segmentation(rm_punc=True)``: CJK characters one token each, other
    runs split into words (the script uses ``nltk.word_tokenize``; we use the regex
    ``\\d+(?:[.,]\\d+)*|\\w+|[^\\w\\s]``, which like nltk keeps ``4329.7`` whole and
    splits ``46.8%`` into ``46.8``, ``%``), punctuation
    dropped.  Input is first cleaned by :func:`_prep` (citation markers, NFKC, lower)."""
    out: list[str] = []
    buf = ""
    for ch in _prep(text):
        if ch in _PUNCT:
            continue
        if _CJK.match(ch):
            if buf:
                out.extend(_WORD.findall(buf))
                buf = ""
            out.append(ch)
        else:
            buf += ch
    if buf:
        out.extend(_WORD.findall(buf))
    return out


def cmrc_normalize(text: str) -> str:
    """CMRC 2018 ``remove_punctuation``: lower, strip, drop the listed punctuation and its
    NFKC (half-width) forms (after :func:`_prep`)."""
    return "".join(ch for ch in _prep(text) if ch not in _PUNCT)


def _lcs_len(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common *substring* (contiguous), as ``find_lcs`` in the
    CMRC 2018 script."""
    best = 0
    prev = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        cur = [0] * (len(b) + 1)
        ai = a[i - 1]
        for j in range(1, len(b) + 1):
            if ai == b[j - 1]:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    return best


def exact_match(prediction: str, references: Sequence[str]) -> float:
    """CMRC 2018 EM: 1.0 when the normalised prediction equals a normalised reference.

    Raises ValueError when ``references`` is empty (unanswerable cases are scored by the
    refusal metrics instead)."""
    if not references:
        raise ValueError("exact_match needs at least one reference answer")
    p = cmrc_normalize(prediction)
    return 1.0 if any(p == cmrc_normalize(r) for r in references) else 0.0


def char_f1(prediction: str, references: Sequence[str]) -> float:
    """CMRC 2018 F1 (``calc_f1_score``), max over references.

    tokens = :func:`cmrc_tokens`; L = longest common substring length (in tokens);
    P = L / len(pred tokens); R = L / len(ref tokens); F1 = 2PR / (P + R); 0 when L = 0.
    """
    if not references:
        raise ValueError("char_f1 needs at least one reference answer")
    pred = cmrc_tokens(prediction)
    best = 0.0
    for ref in references:
        ref_t = cmrc_tokens(ref)
        lcs = _lcs_len(ref_t, pred)
        if lcs == 0:
            continue
        p, r = lcs / len(pred), lcs / len(ref_t)
        best = max(best, 2 * p * r / (p + r))
    return best


def loose_normalize(text: str) -> str:
    """Citation markers removed, NFKC, lower case, all whitespace and punctuation removed.

    Used for containment checks, so layout spaces (``4329.7 万元``), full-width digits and
    punctuation differences do not matter.  Note that the decimal point goes too:
    ``4329.7`` -> ``43297``; both sides are normalised alike, so containment still holds.
    """
    return _ANY_PUNCT.sub("", _prep(text))


def contains_reference(prediction: str, references: Sequence[str]) -> float:
    """Answer-contains-reference (the "has answer" check of open-domain QA, e.g. DPR,
    Karpukhin et al. 2020): 1.0 when some reference, loosely normalised
    (:func:`loose_normalize`), is a substring of the loosely normalised prediction."""
    if not references:
        raise ValueError("contains_reference needs at least one reference answer")
    p = loose_normalize(prediction)
    for r in references:
        rn = loose_normalize(r)
        if rn and rn in p:
            return 1.0
    return 0.0


# --------------------------------------------------------------------------- citations


def passage_supports(passage_text: str, answers: Sequence[str], evidence: str | None = None,
                     min_evidence_share: float = 0.5) -> bool:
    """Does a cited passage back the expected answer?

    True when the (loosely normalised) passage contains one of ``answers``, or contains the
    ``evidence`` quote, or shares with it a contiguous run of at least
    ``min_evidence_share`` of the quote's characters (a quote that straddles two passages
    is then credited to both).  This is the project's definition of a "correct citation"
    (issue #5); it is a string check, not an entailment judgement.
    """
    p = loose_normalize(passage_text)
    for a in answers:
        an = loose_normalize(a)
        if an and an in p:
            return True
    if evidence:
        e = loose_normalize(evidence)
        if e and (e in p or _lcs_len(list(e), list(p)) >= max(1, math.ceil(min_evidence_share * len(e)))):
            return True
    return False


def split_sentences(text: str) -> list[str]:
    """The sentences of an answer (the project's one splitter, ``text.sentences``, the one the
    citation checker uses): a citation marker after the end mark stays with its sentence."""
    return split_answer_sentences(text)


def supported_sentence_share(text: str, supported_numbers: Iterable[int]) -> tuple[int, int]:
    """Count answer sentences that carry at least one supported citation marker.

    Args:
        text: the answer text with ``[n]`` markers.
        supported_numbers: the citation numbers of the answer (every citation of a final
            answer passed the check).
    Returns:
        (supported sentences, all sentences) - sum these over answers for a micro share.
    """
    ok = set(supported_numbers)
    sents = split_sentences(text)
    n_ok = sum(1 for s in sents if any(int(m) in ok for m in re.findall(r"\[(\d+)\]", s)))
    return n_ok, len(sents)


def safe_div(num: float, den: float) -> float | None:
    """num / den, or None when den == 0 (a metric with no cases is reported as n/a)."""
    return None if den == 0 else num / den


# --------------------------------------------------------------------------- refusals


def refusal_scores(refused: Sequence[bool], answerable: Sequence[bool]) -> dict[str, float | None]:
    """Refusal metrics, treating "refuse" as the positive prediction for unanswerable cases.

    refusal_precision = |refused ∧ unanswerable| / |refused|;
    refusal_recall = |refused ∧ unanswerable| / |unanswerable|;
    false_refusal_rate = |refused ∧ answerable| / |answerable|.
    A ratio with an empty denominator is None.
    """
    if len(refused) != len(answerable):
        raise ValueError(f"refused ({len(refused)}) and answerable ({len(answerable)}) differ in length")
    tp = sum(1 for r, a in zip(refused, answerable) if r and not a)
    n_ref = sum(1 for r in refused if r)
    n_unans = sum(1 for a in answerable if not a)
    fr = sum(1 for r, a in zip(refused, answerable) if r and a)
    n_ans = sum(1 for a in answerable if a)
    return {
        "refusal_precision": safe_div(tp, n_ref),
        "refusal_recall": safe_div(tp, n_unans),
        "false_refusal_rate": safe_div(fr, n_ans),
    }


# --------------------------------------------------------------------------- latency


def latency_percentiles(ms: Sequence[float]) -> dict[str, float | None]:
    """p50 and p95 of per-question latencies in milliseconds (numpy linear interpolation).
    Empty input -> None values."""
    if len(ms) == 0:
        return {"latency_p50_ms": None, "latency_p95_ms": None}
    arr = np.asarray(ms, dtype=float)
    if np.any(arr < 0) or not np.all(np.isfinite(arr)):
        raise ValueError("latencies must be finite and >= 0 ms")
    return {"latency_p50_ms": float(np.percentile(arr, 50)),
            "latency_p95_ms": float(np.percentile(arr, 95))}
