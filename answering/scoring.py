"""Sentence scoring shared by the evidence gate, the extractive answerer and the citation check.

``SentenceScorer`` holds an Encoder and a cache of sentence vectors (keyed by sentence text, so
a passage retrieved again costs nothing). It scores

* every sentence of the retrieved passages against a query (``score_hits``):
  ``score = W_COS * cosine + W_OVERLAP * overlap + NAME_BONUS * (fraction of the query's proper
  nouns named in the sentence itself) + NUMBER_BONUS * [question asks a number and the sentence
  holds a number the question does not] + TYPE_BONUS * [the sentence holds an answer of the
  question's expected type, ``answer_type.matches``] - RANK_PENALTY * (hit rank - 1)``, where cosine is between the query
  vector (``encode_queries``) and the sentence vector (``encode_passages``) and overlap is the
  weighted fraction of the query's key terms (``terms.key_terms``) found in the sentence (a term
  found only in the passage title counts half; a proper noun counts when its passage names it:
  in news prose the subject is named once, ``常州市邮政分公司…。同时，加强…``, and the next
  sentences that hold the answer do not repeat it);
* a claim (an answer sentence) against a passage (``support``): the best over the passage's
  sentences of ``0.5 * cosine + 0.5 * bigram containment`` (fraction of the claim's normalised
  character bigrams found in the sentence), in [0, 1] for non-negative cosines; a verbatim
  quote scores 1.0.

The combination of dense similarity and term overlap is the hybrid similarity RAGFlow uses to
bind answer sentences to chunks (``rag/nlp/search.py: insert_citations``, token weight +
vector weight); the weights here are ours.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from answering.answer_type import matches
from answering.terms import Term, asks_number, normalise
from retrieval.types import SearchHit
from text.markers import CANON
from text.ngrams import bigram_containment  # noqa: F401  (part of the scorer's vocabulary)
from text.numbers import numbers
from text.sentences import Sentence, split_sentences

W_COS = 1.0
W_OVERLAP = 0.5
NUMBER_BONUS = 0.1
TYPE_BONUS = 0.15  # the sentence holds an answer of the expected type (answering.answer_type)
NAME_BONUS = 0.15  # times the fraction of the query's proper nouns the sentence itself names
RANK_PENALTY = 0.01
MIN_SENTENCE_CHARS = 4  # shorter sentences (after normalisation) are not answer candidates

_MARKER = CANON


@dataclass(frozen=True)
class ScoredSentence:
    """A sentence of a retrieved passage with its score against the query.

    Attributes:
        hit: the SearchHit whose passage holds the sentence.
        sentence: the sentence, span in ``hit.passage.text`` (characters).
        cosine: query-sentence cosine in [-1, 1].
        overlap: weighted fraction of the query's key terms found, in [0, 1].
        has_number: the sentence holds a number that the query does not hold.
        score: combined score (module docstring), higher is better.
    """

    hit: SearchHit
    sentence: Sentence
    cosine: float
    overlap: float
    has_number: bool
    score: float


_SENTENCE_END = re.compile(r"[。！？!?；;…”’」』）)】\"'.]\s*$")
HEADING_MAX_CHARS = 16


def is_heading(text: str) -> bool:
    """A sub-heading line (``绿色理念 服务升级``): at most ``HEADING_MAX_CHARS`` characters, on a
    line of its own, without closing punctuation. Headings are not answers."""
    t = text.strip()
    return 0 < len(t) <= HEADING_MAX_CHARS and not _SENTENCE_END.search(t) and "，" not in t


def term_coverage(terms: Sequence[Term], text: str, title: str = "", context: str = "") -> float:
    """Weighted fraction of ``terms`` occurring in ``text`` (normalised); a proper noun (kind
    ``name``) found in ``context`` (the sentence's passage) counts as found; any other term
    found only in ``title`` counts half. 0.0 when there are no terms."""
    total = sum(t.weight for t in terms)
    if total == 0:
        return 0.0
    nt, ntitle, nctx = normalise(text), normalise(title), normalise(context)
    got = 0.0
    for t in terms:
        if t.text in nt or (t.kind == "name" and nctx and t.text in nctx):
            got += t.weight
        elif ntitle and t.text in ntitle:
            got += 0.5 * t.weight
    return got / total




class SentenceScorer:
    """Scores sentences with an Encoder; caches sentence vectors. Thread-safe.

    Args:
        encoder: any ``retrieval.encoder.Encoder``.
        cache_size: maximum number of cached sentence vectors (the cache is cleared when full).
        query_vector: ``text -> (dim,) float32`` query vector, e.g. the retriever's cached
            ``embed_query(text, fold=False)`` (the vector the search just computed: one e5
            forward pass per question instead of two, ~35 ms on 2 cores); default: the
            encoder's ``encode_queries``.
    """

    def __init__(self, encoder, cache_size: int = 50_000,
                 query_vector: Callable[[str], np.ndarray] | None = None) -> None:
        if encoder is None:
            raise ValueError("SentenceScorer needs an encoder, got None")
        self.encoder = encoder
        self.query_vector = query_vector
        self.cache_size = cache_size
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    # -- vectors -----------------------------------------------------------------------
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), dim)`` float32 L2-normalised passage-side vectors, cached by text;
        the missing ones are encoded in one batch."""
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            vecs = np.asarray(self.encoder.encode_passages(missing), dtype=np.float32)
            with self._lock:
                if len(self._cache) + len(missing) > self.cache_size:
                    self._cache.clear()
                for t, v in zip(missing, vecs):
                    self._cache[t] = v
        with self._lock:
            vecs = [self._cache.get(t) for t in texts]
        if any(v is None for v in vecs):  # evicted by another thread meanwhile: recompute
            return np.asarray(self.encoder.encode_passages(list(texts)), dtype=np.float32)
        if not vecs:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        return np.stack(vecs)

    def embed_query(self, query: str) -> np.ndarray:
        """``(dim,)`` float32 query vector (``query_vector`` when given)."""
        if self.query_vector is not None:
            return np.asarray(self.query_vector(query), dtype=np.float32).reshape(-1)
        return np.asarray(self.encoder.encode_queries([query]), dtype=np.float32)[0]

    # -- query vs retrieved sentences ---------------------------------------------------
    def score_hits(self, query, hits: Sequence[SearchHit]) -> list[ScoredSentence]:
        """Score every sentence (>= MIN_SENTENCE_CHARS characters) of every hit against
        ``query`` (an ``answering.query.Query``, or a question string, parsed here); returned
        best first. Empty when there are no hits/sentences."""
        if isinstance(query, str):
            from answering.query import parse_query

            query = parse_query(query)
        cands: list[tuple[SearchHit, Sentence]] = []
        for h in hits:
            for s in split_sentences(h.passage.text):
                if len(normalise(s.text)) >= MIN_SENTENCE_CHARS and not is_heading(s.text):
                    cands.append((h, s))
        if not cands:
            return []
        qv = self.embed_query(query.text)
        sv = self.embed([s.text for _, s in cands])
        cos = sv @ qv
        terms = query.terms
        names = [t for t in terms if t.kind == "name"]
        wants_number = asks_number(query.own)
        q_numbers = set(query.numbers)
        atype = query.answer_type
        out = []
        for (h, s), c in zip(cands, cos):
            ov = term_coverage(terms, s.text, h.passage.title, context=h.passage.text)
            # the answer to "how many" is a number the question does not already hold
            has_num = any(n not in q_numbers for n in numbers(s.text))
            ns = normalise(s.text)
            name_frac = sum(t.text in ns for t in names) / len(names) if names else 0.0
            score = (W_COS * float(c) + W_OVERLAP * ov + NAME_BONUS * name_frac
                     + (NUMBER_BONUS if wants_number and has_num else 0.0)
                     + (TYPE_BONUS if atype is not None and matches(atype, s.text) else 0.0)
                     - RANK_PENALTY * (h.rank - 1))
            out.append(ScoredSentence(h, s, float(c), ov, has_num, score))
        out.sort(key=lambda x: -x.score)
        return out

    # -- claim vs passage ---------------------------------------------------------------
    def support(self, claim: str, passage_text: str) -> tuple[float, Sentence | None]:
        """Best support of ``claim`` by a sentence of ``passage_text``:
        ``(max over sentences of 0.5*cosine + 0.5*bigram_containment, that sentence)``;
        ``(0.0, None)`` when the passage has no sentence."""
        sents = split_sentences(passage_text)
        if not sents:
            return 0.0, None
        clean = _MARKER.sub("", claim).strip()
        if not clean:
            return 0.0, None
        vecs = self.embed([clean] + [s.text for s in sents])
        cos = vecs[1:] @ vecs[0]
        best, best_s = -1.0, None
        for s, c in zip(sents, cos):
            v = 0.5 * max(float(c), 0.0) + 0.5 * bigram_containment(clean, s.text)
            if v > best:
                best, best_s = v, s
        return min(best, 1.0), best_s
