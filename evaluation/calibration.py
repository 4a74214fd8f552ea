"""Open-domain calibration of the gate's ``reader`` rule (issue #10).

The reader's own threshold (``reader/checkpoint/config.json``) is set with the gold passage:
at most 3% of answerable validation questions refused. In the pipeline the reader reads the
windows around the gate's best sentences of the *retrieved* passages, so its margins run
higher, and the ``reader`` rule stacks on the gate's other rules. Measured on the reader's
validation questions, open-domain: at the gold-passage threshold the rule alone added 5.9
points of false refusals on CMRC and 3.3 on DRCD.

:func:`reader_threshold` sets the rule's threshold from evaluation rows instead:
``results.jsonl`` of runs with the reader on and the rule switched off
(``--gate reader_null_max=1000,reader_partial_max=1000``: the ``reader_partial`` rule, which
also reads the margin, off too; so every row carries its margin and the answer the rule
would refuse), on answerable questions only. It is the smallest margin at which the rule
refuses at most ``max_added`` of the answerable questions that the other rules let through.
``python -m evaluation reader-threshold RESULTS.jsonl ...`` prints it; the value adopted is
``answering.gate.READER_NULL_MAX`` was set that way until the both-scripts checkpoint; since
then by :func:`reader_threshold_clear` (``--clear``: no answerable validation question refused).

:func:`waiver_threshold` sets the ``reader_confident`` waiver's threshold
(``answering.gate.READER_CONFIDENT_MAX``) from runs with a permissive waiver: ``python -m
evaluation waiver-threshold ANSWERABLE.jsonl ... --negatives UNANSWERABLE.jsonl ...``. Both
move with every retrained checkpoint.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Iterable, Sequence


def margins(rows: Iterable[dict[str, Any]], answerable: bool = True) -> list[float]:
    """The reader margins of the answerable (or, with ``answerable=False``, unanswerable)
    rows the pipeline answered (the other rules passed), where the ``reader`` rule ran
    (same-language questions)."""
    return [float(r["gate"]["reader"]) for r in _cases(rows, answerable)
            if not r.get("refused") and (r.get("gate") or {}).get("reader") is not None]


def _cases(rows: Iterable[dict[str, Any]], answerable: bool) -> list[dict[str, Any]]:
    """The rows of answerable (or unanswerable) cases; rows without ``answer_metrics``
    (runs with ``--answers off``) are neither."""
    return [r for r in rows if "answer_metrics" in r and (r["answer_metrics"] is not None) == answerable]


def reader_threshold(rows: Sequence[dict[str, Any]], max_added: float = 0.01) -> dict[str, Any]:
    """The smallest threshold ``t`` (refuse when margin > t) at which the ``reader`` rule
    refuses at most ``max_added`` of the answerable rows.

    Args:
        rows: ``results.jsonl`` rows (see the module docstring).
        max_added: share of the answerable rows the rule may refuse (0.01 = 1 point of
            false refusals on top of the other rules').
    Returns:
        ``{"threshold", "answerable", "answered", "refused_by_rule", "added_false_refusal"}``.
    Raises:
        ValueError: no answerable row with a reader margin, or ``max_added`` outside [0, 1).
    """
    if not 0.0 <= max_added < 1.0:
        raise ValueError(f"max_added must be in [0, 1), got {max_added}")
    answerable = sum(1 for r in rows if r.get("answer_metrics") is not None)
    m = sorted(margins(rows), reverse=True)
    if not m:
        raise ValueError("no answerable row carries a reader margin: run with --reader on "
                         "--gate reader_null_max=1000,reader_partial_max=1000")
    allowed = math.floor(max_added * answerable + 1e-9)
    t = m[allowed] if allowed < len(m) else m[-1] - 1.0
    refused = sum(1 for x in m if x > t)
    return {"threshold": round(t, 4), "answerable": answerable, "answered": len(m),
            "refused_by_rule": refused, "added_false_refusal": round(refused / answerable, 4)}


def reader_threshold_net(pos_rows: Sequence[dict[str, Any]], neg_rows: Sequence[dict[str, Any]],
                         max_added: float = 0.01) -> dict[str, Any]:
    """The threshold at which the ``reader`` rule refuses the most unanswerable questions
    beyond the answerable ones it refuses (both among those the other rules answer), with
    at most ``max_added`` of the answerable refused; ties go to the higher threshold (fewer
    refusals). When no threshold refuses more unanswerable than answerable questions the
    result is the highest margin seen, so the rule refuses none of them (``"gain": 0``).

    Args:
        pos_rows: rows of answerable questions (``--questions reader-val``).
        neg_rows: rows of unanswerable ones (``--questions reader-val-unindexed``).
    Raises:
        ValueError: as :func:`reader_threshold`.
    """
    base = reader_threshold(pos_rows, max_added)
    pos = margins(pos_rows)
    neg = margins(neg_rows, answerable=False)
    top = max(pos + neg)
    best = (0, top)
    for t in sorted(set(pos + neg), reverse=True):
        if t < base["threshold"]:
            break
        gain = sum(x > t for x in neg) - sum(x > t for x in pos)
        if gain > best[0]:
            best = (gain, t)
    t = best[1]
    return {"threshold": round(t, 4), "gain": best[0], "negatives": len(neg_rows),
            "negatives_refused_by_rule": sum(x > t for x in neg),
            "answerable": base["answerable"], "refused_by_rule": sum(x > t for x in pos),
            "added_false_refusal": round(sum(x > t for x in pos) / base["answerable"], 4),
            "threshold_at_max_added": base["threshold"]}


def reader_threshold_clear(pos_rows: Sequence[dict[str, Any]], neg_rows: Sequence[dict[str, Any]] = (),
                           safety: float = 0.5) -> dict[str, Any]:
    """The ``reader`` rule's threshold that refuses none of the answerable questions the
    other rules answer: the smallest whole number at least ``safety`` (margin units, start +
    end logits) above every answerable margin, ``t = ceil(max(pos) + safety)``; with the
    unanswerable questions it still refuses (``neg_rows``).

    Raises:
        ValueError: no answerable row carries a reader margin.
    """
    pos = margins(pos_rows)
    if not pos:
        raise ValueError("no answerable row carries a reader margin: run with --reader on "
                         "--gate reader_null_max=1000,reader_partial_max=1000")
    neg = margins(neg_rows, answerable=False)
    t = float(math.ceil(max(pos) + safety))
    return {"threshold": t, "highest_answerable": round(max(pos), 4), "answerable": len(pos),
            "negatives": len(neg), "negatives_refused_by_rule": sum(x > t for x in neg)}


def waived_margins(rows: Iterable[dict[str, Any]], answerable: bool = True,
                   waiver: str = "reader_confident") -> list[float]:
    """The ``waiver``'s margins on the answerable (or unanswerable) rows it let through
    (``gate_reason`` ``"ok (waived by reader_confident: ...)"``)."""
    gates = [r.get("gate") or {} for r in _cases(rows, answerable)]
    return [float(g[waiver]) for g in gates
            if str(g.get("gate_reason", "")).startswith(f"ok (waived by {waiver}") and g.get(waiver) is not None]


def waiver_threshold(pos_rows: Sequence[dict[str, Any]], neg_rows: Sequence[dict[str, Any]],
                     safety: float = 0.5) -> dict[str, Any]:
    """The ``reader_confident`` waiver's threshold (waive when margin <= t) from runs with a
    permissive waiver (``--gate reader_confident_max=-5``): the highest whole number at least
    ``safety`` below every margin at which the waiver let an unanswerable question through,
    so that it lets none of them through; with the answerable questions it then still waives.

    Args:
        pos_rows: rows of answerable questions (``--questions reader-val``, seed set).
        neg_rows: rows of unanswerable ones (``--questions reader-val-unindexed``,
            ``refuse.jsonl``, the seed set).
        safety: the least gap, in margin units (start + end logits), between the threshold
            and the closest unanswerable margin: ``t = floor(min(neg) - safety)``.
    Returns:
        ``{"threshold", "negatives_waived", "closest_negative", "answerable_waived",
        "answerable_waived_at_threshold"}``; threshold None when the permissive run waived
        no unanswerable question (nothing to set it on).
    """
    pos = waived_margins(pos_rows)
    neg = waived_margins(neg_rows, answerable=False)
    if not neg:
        return {"threshold": None, "negatives_waived": 0, "closest_negative": None,
                "answerable_waived": len(pos), "answerable_waived_at_threshold": len(pos)}
    t = float(math.floor(min(neg) - safety))
    return {"threshold": t, "negatives_waived": len(neg), "closest_negative": round(min(neg), 4),
            "answerable_waived": len(pos), "answerable_waived_at_threshold": sum(x <= t for x in pos)}


def load_rows(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """The rows of several ``results.jsonl`` files. Raises FileNotFoundError."""
    rows = []
    for p in paths:
        rows += [json.loads(x) for x in Path(p).read_text(encoding="utf-8").splitlines() if x.strip()]
    return rows
