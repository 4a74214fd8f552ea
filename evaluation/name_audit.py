"""Name audit: questions whose required names are missing from their own gold paragraph.

The evidence gate refuses a question when a name it requires (``Query.names``, jieba's
proper nouns through ``answering.terms.strict_name``, ``Query.unlisted``, and the rare
characters of ``Query.rare``) is found in none of the top passages
(``answering.binding.name_found``). A question whose required name is missing even from the
paragraph that answers it is a false refusal waiting to happen: the name rule mistook an
ordinary word (``范畴``), a glued fragment (``和宜兰``) or a spelling variant for a name.
This audit lists those questions for a SQuAD-format file, with no retrieval and no model,
in seconds::

    python -m evaluation name-audit ../shared/data/drcd-test/DRCD_test.json --show 20

The haystack is the gold paragraph plus its article title (the corpus loader indexes the
title with every passage).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable


@dataclass(frozen=True)
class MissingName:
    """One question whose required names are not all in its gold paragraph."""

    qid: str
    question: str
    missing: tuple[str, ...]


@dataclass(frozen=True)
class NameAudit:
    """The audit of one file: questions seen, questions with at least one required name, and
    the questions with a required name missing (``flagged``), in file order."""

    questions: int = 0
    with_names: int = 0
    flagged: tuple[MissingName, ...] = field(default_factory=tuple)

    @property
    def share_flagged(self) -> float:
        """Flagged questions / questions (0.0 for an empty file)."""
        return len(self.flagged) / self.questions if self.questions else 0.0


def _cases(entries: Iterable[dict[str, Any]]):
    for entry in entries:
        title = entry.get("title", "") or ""
        for p in entry.get("paragraphs", []):
            for qa in p.get("qas", []):
                q = (qa.get("question") or "").strip()
                if q:
                    yield str(qa.get("id", "")), q, title + "\n" + p["context"]


def audit(entries: Iterable[dict[str, Any]], name_match_min: float | None = None) -> NameAudit:
    """Audit the SQuAD ``data`` entries (``corpus.squad.read_squad``'s list).

    Args:
        entries: SQuAD data entries (``title``, ``paragraphs`` of ``context`` and ``qas``);
            blank questions are skipped.
        name_match_min: ``name_found``'s bigram share for names of 3+ characters (default
            ``GateConfig().name_match_min``, as the gate uses it).
    Returns:
        A ``NameAudit``.
    """
    from answering.binding import name_found
    from answering.gate import GateConfig
    from answering.query import parse_query

    share = GateConfig().name_match_min if name_match_min is None else name_match_min
    n = with_names = 0
    flagged: list[MissingName] = []
    for qid, question, hay in _cases(entries):
        n += 1
        q = parse_query(question)
        names = tuple(dict.fromkeys(q.names + q.unlisted + q.rare))
        if not names:
            continue
        with_names += 1
        missing = tuple(x for x in names if not name_found(x, hay, share))
        if missing:
            flagged.append(MissingName(qid, question, missing))
    return NameAudit(n, with_names, tuple(flagged))


def report(result: NameAudit, show: int = 20) -> str:
    """A plain-text summary: counts, then up to ``show`` flagged questions and the most
    frequent missing names."""
    from collections import Counter

    lines = [f"questions: {result.questions}; with required names: {result.with_names}; "
             f"a required name missing from the gold paragraph: {len(result.flagged)} "
             f"({result.share_flagged:.1%})"]
    counts = Counter(x for f in result.flagged for x in f.missing)
    if counts:
        lines.append("most frequent missing names: " + ", ".join(
            f"{name} x{c}" for name, c in counts.most_common(15)))
    for f in result.flagged[:show]:
        lines.append(f"  {f.qid}\t{'/'.join(f.missing)}\t{f.question}")
    return "\n".join(lines)
