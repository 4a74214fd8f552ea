"""Answer feedback (👍/👎 with an optional comment) stored server-side, and feedback → test case.

``FeedbackStore(directory)`` appends one JSON object per rating to ``feedback.jsonl``::

    {"id": "fb-…", "time": "2026-12-02T00:10:00+00:00", "rating": "up" | "down",
     "comment": str, "question": str, "query": str, "answer": str (with [n]),
     "refused": bool, "short_answer": {...} | null, "citations": [{number, title, article_id,
     passage_id, paragraph_no, quote, support}], "timings_ms": {stage: ms},
     "settings": {"mode", "top_k", "answerer"}, "index": {"fingerprint", "model", "built_at"},
     "should_refuse": true (only once a 👎 was marked "should have refused")}

and turns a rated answer into a case of the project's test-set format
(``evaluation.testset``: id, question, answers, gold_articles ``id:<article id>``, evidence,
tags) appended to ``feedback_testset.jsonl`` in the same directory, which the evaluation tab
offers as a test set.

Rules for the case (``testcase_from_feedback``):

* 👍 on an answer: answers = [the short answer] (or the first citation's quote when there is
  no short answer), gold_articles = the cited articles, evidence = the first quote; tags
  ``feedback``.
* 👍 on a refusal: an unanswerable case (tags ``feedback``, ``unanswerable``).
* 👎 with "应当拒答 Should have refused (资料中没有答案)" ticked (``should_refuse``; kept in the
  record as ``"should_refuse": true``): the same unanswerable case; the comment stays a
  comment.
* 👎 otherwise: the user must give the expected answer (the comment box); the case expects it,
  with gold_articles = the articles whose text holds it (``text:<answer>`` must resolve to one).
* 👍 with "should have refused" ticked contradicts itself and is refused (ValueError).
"""
from __future__ import annotations

import hashlib
import json
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from evaluation.testset import TestCase, load_testset, resolve_article_ref

FEEDBACK_FILE = "feedback.jsonl"
TESTSET_FILE = "feedback_testset.jsonl"
RATINGS = ("up", "down")


def _case_id(question: str) -> str:
    return "fb-" + hashlib.sha1(" ".join(question.split()).encode("utf-8")).hexdigest()[:10]


def testcase_from_feedback(record: dict[str, Any], corpus: Any | None = None,
                           expected: str | None = None, should_refuse: bool | None = None) -> TestCase:
    """The test case a rated answer stands for (rules in the module docstring).

    Args:
        record: a feedback record (``FeedbackStore.rate`` output).
        corpus: the Corpus (``.articles``), needed to resolve a 👎's expected answer.
        expected: the expected answer for a 👎 (else ``record["comment"]``).
        should_refuse: the user says the assistant should have refused (else
            ``record["should_refuse"]``); a 👎 then makes an unanswerable case.
    Returns:
        A validated ``TestCase`` (``TestCase.from_dict``).
    Raises:
        ValueError: 👎 without an expected answer (and not marked should-have-refused), an
            expected answer found in no article or in several, 👍 marked should-have-refused,
            or a record that yields an invalid case.
    """
    q = str(record.get("question", "")).strip()
    base = {"id": _case_id(q), "question": q}
    history = record.get("history") or []
    if history:
        base["history"] = [[str(u), str(a)] for u, a in history]
    refuse = bool(record.get("should_refuse") if should_refuse is None else should_refuse)
    unanswerable = {**base, "answers": [], "gold_articles": [], "tags": ["feedback", "unanswerable"]}
    if record.get("rating") == "up":
        if refuse:
            raise ValueError("👍 means the answer was right; to say it should have refused, rate it "
                             "👎 · 👍 与「应当拒答」矛盾：请改为 👎")
        if record.get("refused"):
            d = unanswerable
        else:
            cites = record.get("citations") or []
            if not cites:
                raise ValueError("this answer cites no passage: nothing to expect")
            sa = record.get("short_answer") or {}
            ans = (sa.get("text") or "").strip() or cites[0]["quote"].strip()
            arts = list(dict.fromkeys(c["article_id"] for c in cites))
            d = {**base, "answers": [ans], "gold_articles": [f"id:{a}" for a in arts],
                 "evidence": cites[0]["quote"].strip(), "tags": ["feedback"]}
    elif refuse:
        d = unanswerable
    else:
        exp = (expected if expected is not None else record.get("comment") or "").strip()
        if not exp:
            raise ValueError("👎: write the expected answer in the comment box first, or tick "
                             "「应当拒答 Should have refused」 · 请在评论框写下正确答案，或勾选「应当拒答」")
        if corpus is None:
            raise ValueError("👎: no corpus to find the expected answer in")
        try:
            arts = resolve_article_ref(f"text:{exp}", corpus)
        except ValueError as e:
            raise ValueError(f"the expected answer must be a phrase of exactly one article: {e}") from None
        d = {**base, "answers": [exp], "gold_articles": [f"id:{arts[0]}"], "evidence": exp,
             "tags": ["feedback"]}
    return TestCase.from_dict(d, where="feedback")


class FeedbackStore:
    """JSON Lines store of ratings and of the test set built from them (thread-safe appends).

    Args:
        directory: where ``feedback.jsonl`` and ``feedback_testset.jsonl`` live (created on
            first write).
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.feedback_path = self.directory / FEEDBACK_FILE
        self.testset_path = self.directory / TESTSET_FILE
        self._lock = threading.Lock()

    def _append(self, path: Path, obj: dict[str, Any]) -> None:
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(obj, ensure_ascii=False) + "\n")

    def rate(self, turn: dict[str, Any], rating: str, comment: str = "",
             index: dict[str, Any] | None = None) -> dict[str, Any]:
        """Append a rating of one chat turn and return the stored record.

        Args:
            turn: the chat's stored turn: ``question``, ``record`` (``answer_payload``),
                ``mode``, ``top_k``, ``answerer``, ``history`` (earlier [user, answer] pairs).
            rating: ``"up"`` or ``"down"``.
            comment: optional free text.
            index: ``{"fingerprint", "model", "built_at"}`` of the index that answered.
        Raises:
            ValueError: unknown rating or a turn without its answer record.
        """
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}, got {rating!r}")
        rec = turn.get("record")
        if not isinstance(rec, dict):
            raise ValueError("this turn has no answer to rate")
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        out = {"id": "fb-" + hashlib.sha1(f"{now}{turn.get('question')}{rating}".encode()).hexdigest()[:12],
               "time": now, "rating": rating, "comment": comment or "",
               "question": turn.get("question", rec.get("question", "")),
               "history": turn.get("history") or [],
               "query": rec.get("query"), "answer": rec.get("answer"), "refused": rec.get("refused"),
               "short_answer": rec.get("short_answer"), "citations": rec.get("citations", []),
               "timings_ms": rec.get("timings_ms", {}),
               "settings": {k: turn.get(k) for k in ("mode", "top_k", "answerer")},
               "index": index or {}}
        self._append(self.feedback_path, out)
        return out

    def comment(self, record: dict[str, Any], comment: str,
                should_refuse: bool | None = None) -> dict[str, Any]:
        """Append an updated copy of ``record`` carrying ``comment`` (and, when given,
        ``should_refuse``: True adds ``"should_refuse": true``, False drops it); the latest line
        of an id wins.  Returns the new record."""
        out = {**record, "comment": comment or ""}
        if should_refuse:
            out["should_refuse"] = True
        elif should_refuse is not None:
            out.pop("should_refuse", None)
        self._append(self.feedback_path, out)
        return out

    def records(self) -> list[dict[str, Any]]:
        """All ratings, the latest line of each id (oldest first); [] when none."""
        if not self.feedback_path.is_file():
            return []
        by_id: dict[str, dict[str, Any]] = {}
        for line in self.feedback_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                by_id[r["id"]] = r
        return list(by_id.values())

    def add_case(self, case: TestCase) -> Path:
        """Append ``case`` to ``feedback_testset.jsonl``; returns the file.

        Raises:
            ValueError: a case with the same id (the same question) is already there.
        """
        if self.testset_path.is_file():
            if any(c.id == case.id for c in load_testset(self.testset_path)):
                raise ValueError(f"the test set already holds a case for this question ({case.id})")
        self._append(self.testset_path, case.to_dict())
        return self.testset_path
