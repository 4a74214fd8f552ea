"""Citations: binding answer sentences to passages and checking them.

The marker grammar (normalising the spellings LLMs produce, renumbering by first use,
stripping) is ``text.markers``; this module applies it to an answer and its passages.

``CitationChecker.check``: every answer sentence (``text.sentences``) is checked against the
passages it cites: support score (``scoring.SentenceScorer.support``) >= ``SUPPORT_MIN`` and
the hard rule: every number, Latin word and proper noun of the sentence
(``terms.hard_terms``) occurs in the quote (match keys; names may also occur in the passage
title). A sentence without a (valid or passing) citation is bound to the passage that
supports it best when that passage passes the same check with support >= ``BIND_MIN`` (as
RAGFlow's ``insert_citations`` binds answer pieces to chunks by hybrid similarity over a
threshold); otherwise it is unsupported.

Unsupported sentences (policy): they stay in ``Answer.text`` without any citation marker and
without any display flag, and are listed in ``Answer.unsupported``; the renderer shows them
apart as "not verified". So a sentence carrying ``[n]`` in the final text is always one that
passed the check, and every ``Citation`` of a final answer is a checked one.

Thresholds are constants here, overridable per ``CitationChecker``; they were set on the
multilingual-e5-small support scores of verbatim / paraphrased / unrelated sentences of the
seed corpus: verbatim quotes score 1.0, paraphrases 0.81-0.95, unrelated sentences of other
articles 0.43-0.51 and unrelated claims on the same topic 0.55-0.59 (the hard rule catches
wrong numbers and names independently of the score).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from answering.scoring import SentenceScorer
from answering.terms import hard_terms, name_variants, normalise
from answering.types import Citation
from retrieval.types import SearchHit
from text.chars import language
from text.markers import CANON, markers_of, normalise_markers, renumber, strip_markers  # noqa: F401
from text.ngrams import bigram_containment
from text.numbers import contains_number, numbers
from text.sentences import Sentence, split_answer_sentences, split_sentences

SUPPORT_MIN = 0.70
BIND_MIN = 0.75


@dataclass(frozen=True)
class SentenceCheck:
    """Check result of one claim against one passage.

    Attributes:
        support: support score in [0, 1] (``SentenceScorer.support``).
        quote: the supporting sentence(s): ``Sentence`` span in the passage text, from the
            first to the last sentence picked by the claim's clauses (``check_claim``).
        missing: hard terms of the claim found neither in the quote nor (names) the title.
    """

    support: float
    quote: Sentence | None
    missing: tuple[str, ...]

    def passes(self, threshold: float) -> bool:
        return self.quote is not None and not self.missing and self.support >= threshold


_CLAUSE = re.compile(r"[，,；;：:]")
_TERMINAL_RE = re.compile(r"[。！？!?；;.…]+[”’」』）)】\"']*$")
_NUMBER_RE = re.compile(r"\d+(?:[.．]\d+)?\s*[万亿千百]*\s*[%％]?")
TIE = 0.05  # a clause's sentence holding its numbers wins over a sentence this close to the best


def check_claim(scorer: SentenceScorer, claim: str, hit: SearchHit) -> SentenceCheck:
    """Check ``claim`` (markers stripped) against ``hit.passage``.

    The claim is split into clauses (at ``，；：``); each clause picks the passage sentence
    that supports its words best (numbers removed: they must not choose the sentence;
    ``0.5 * cosine + 0.5 * bigram containment``; among sentences within
    ``TIE`` of the best, one holding the clause's numbers is preferred). The quote is the span
    from the first to the last picked sentence. Hard rule: each clause's numbers must occur in
    its picked sentence (so "补贴4329.7万元" is not backed by a sentence saying "补贴61万余元");
    the claim's Latin words and proper nouns must occur in the quote or the passage title (a
    place name also without its administrative suffix: ``贵州省`` is found as ``贵州邮政``).
    A claim found verbatim in the passage (terminal punctuation aside) has support 1.0; its
    quote is the sentence(s) holding it (a bare ``2012`` is shown with its sentence). Otherwise support = max(best single-sentence support of the whole claim, length-weighted mean of the
    clauses' best supports).
    """
    text = hit.passage.text
    sents = split_sentences(text)
    claim = strip_markers(claim)
    if not sents or not claim:
        return SentenceCheck(0.0, None, tuple(hard_terms(claim)))
    body = _TERMINAL_RE.sub("", claim)
    at = text.find(body) if len(normalise(body)) >= 2 else -1
    if at >= 0:  # verbatim quote (the extractive answerer's case): support 1, nothing to embed
        # the quote is the whole sentence(s) holding it: a bare "2012" must show its context
        around = [x for x in sents if x.start < at + len(body) and x.end > at] or [
            Sentence(body, at, at + len(body))]
        lo, hi = min(x.start for x in around), max(x.end for x in around)
        return SentenceCheck(1.0, Sentence(text[lo:hi], lo, hi), ())
    clauses = [c for c in _CLAUSE.split(claim) if len(normalise(c)) >= 2] or [claim]
    # a clause picks its sentence by its words, not its numbers: the number must then be there
    keys = [c if len(normalise(_NUMBER_RE.sub("", c))) < 2 else _NUMBER_RE.sub("", c) for c in clauses]
    vecs = scorer.embed([claim] + keys + [x.text for x in sents])
    sv = vecs[1 + len(clauses):]

    def sup(i: int, piece: str) -> list[float]:
        cos = sv @ vecs[i]
        return [0.5 * max(float(c), 0.0) + 0.5 * bigram_containment(piece, x.text)
                for c, x in zip(cos, sents)]

    whole = max(sup(0, claim))
    picked: list[Sentence] = []
    missing: list[str] = []
    total_w = mean = 0.0
    for j, (clause, key) in enumerate(zip(clauses, keys), start=1):
        scores = sup(j, key)
        best = max(scores)
        nums = numbers(clause)
        order = sorted(range(len(sents)), key=lambda i: -scores[i])
        pick = order[0]
        for i in order:
            if scores[i] < best - TIE:
                break
            if all(contains_number(sents[i].text, n) for n in nums):
                pick = i
                break
        picked.append(sents[pick])
        missing += [n for n in nums if not contains_number(sents[pick].text, n)]
        w = len(normalise(clause))
        total_w += w
        mean += w * scores[pick]
    lo = min(x.start for x in picked)
    hi = max(x.end for x in picked)
    quote = Sentence(text[lo:hi], lo, hi)
    title = normalise(hit.passage.title or "")
    for t in hard_terms(claim):
        if numbers(t) == [t]:
            continue
        if not any(v in normalise(quote.text) or v in title for v in name_variants(t)):
            missing.append(t)
    support = min(1.0, max(whole, mean / total_w if total_w else 0.0))
    return SentenceCheck(support, quote, tuple(dict.fromkeys(missing)))


@dataclass(frozen=True)
class CheckedAnswer:
    """Output of ``CitationChecker.check``: final text (canonical, renumbered markers),
    citations ordered by number, unsupported sentences (markers stripped)."""

    text: str
    citations: tuple[Citation, ...]
    unsupported: tuple[str, ...]


class CitationChecker:
    """Normalises, binds, checks and renumbers the citations of an answer text.

    Args:
        scorer: the SentenceScorer (its encoder gives the cosine part of support).
        support_min: minimum support for a cited sentence (default ``SUPPORT_MIN``).
        bind_min: minimum support to bind an uncited sentence (default ``BIND_MIN``).
    """

    def __init__(self, scorer: SentenceScorer, support_min: float = SUPPORT_MIN,
                 bind_min: float = BIND_MIN) -> None:
        if not 0.0 <= support_min <= 1.0 or not 0.0 <= bind_min <= 1.0:
            raise ValueError(f"thresholds must be in [0, 1], got {support_min}, {bind_min}")
        self.scorer = scorer
        self.support_min = support_min
        self.bind_min = bind_min

    def check(self, text: str, hits: Sequence[SearchHit], lang: str | None = None) -> CheckedAnswer:
        """Post-process an answer written from ``hits`` (marker n = ``hits[n-1]``).

        Returns the final text where every marker names a citation that passed the check,
        unsupported sentences kept without markers or flags (module docstring), citations
        numbered by first use.
        """
        lang = lang or language(text)
        text = normalise_markers(text)
        n = len(hits)
        pieces: list[str] = []
        unsupported: list[str] = []
        # passage index (1-based in hits) -> (best support, quote span lo, hi)
        used: dict[int, list] = {}
        for sent in split_answer_sentences(text):
            claim = strip_markers(sent)
            if not claim or not re.search(r"\w", claim):
                continue
            cited = [m for m in markers_of(sent) if 1 <= m <= n]
            ok: list[tuple[int, SentenceCheck]] = []
            for m in cited:
                c = check_claim(self.scorer, claim, hits[m - 1])
                if c.passes(self.support_min):
                    ok.append((m, c))
            if not ok:
                # bind (or re-bind a wrong citation) to the best supporting passage
                best: tuple[int, SentenceCheck] | None = None
                for i, h in enumerate(hits, start=1):
                    c = check_claim(self.scorer, claim, h)
                    if c.passes(self.bind_min) and (best is None or c.support > best[1].support):
                        best = (i, c)
                if best is not None:
                    ok = [best]
            if not ok:
                unsupported.append(claim)
                pieces.append(claim)
                continue
            body = claim
            tail = ""
            mt = re.search(r"[。！？!?；;.…]+[”’」』）)】\"']*$", body)
            if mt:
                body, tail = body[: mt.start()], mt.group(0)
            pieces.append(body + "".join(f"[{m}]" for m, _ in ok) + tail)
            for m, c in ok:
                q = c.quote
                if m in used:
                    u = used[m]
                    used[m] = [max(u[0], c.support), min(u[1], q.start), max(u[2], q.end)]
                else:
                    used[m] = [c.support, q.start, q.end]
        joiner = "" if lang == "zh" else " "
        final, mapping = renumber(joiner.join(pieces), n)
        citations = []
        for new in sorted(mapping):
            old = mapping[new]
            h = hits[old - 1]
            sup, lo, hi = used[old]
            citations.append(make_citation(new, h, lo, hi, sup))
        return CheckedAnswer(final, tuple(citations), tuple(unsupported))




def make_citation(number: int, hit: SearchHit, start: int, end: int, support: float) -> Citation:
    """Citation ``number`` quoting ``hit.passage.text[start:end]`` (character span)."""
    p = hit.passage
    if not 0 <= start <= end <= len(p.text):
        raise ValueError(f"quote span {start}:{end} outside passage {p.id} of {len(p.text)} chars")
    return Citation(number=number, passage_id=p.id, article_id=p.article_id, title=p.title,
                    paragraph_no=p.paragraph_no, quote=p.text[start:end], quote_start=start,
                    quote_end=end, support=round(float(support), 4))
