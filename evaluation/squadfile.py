"""Derived SQuAD files for evaluation runs: the held-out split and the Simplified conversion.

Both work on the parsed JSON object of a SQuAD-format file (``{"data": [{"title",
"paragraphs": [{"context", "qas": [{"id", "question", "answers": [{"text",
"answer_start"}]}]}]}]}``, as read by ``corpus.squad.read_squad``) and return new objects;
the input is never modified.

* :func:`holdout_half` - the open-domain no-answer test: data entries (articles) at even
  positions 0, 2, 4, ... are indexed, those at odd positions are held out.  Alternating
  entries (rather than the first half) keeps both halves spread over the whole file, so a
  file ordered by topic or source gives both halves the same mix; it is deterministic and
  needs no seed.  Questions about a held-out article cannot be answered from the index:
  the expected outcome is a refusal.
* :func:`to_simplified` - titles, contexts, questions and answers converted with OpenCC
  ``t2s`` (``retrieval.normalize.fold_script``), each ``answer_start`` re-anchored in the
  converted context (see the function), so the same questions can be asked of a
  Traditional corpus (DRCD) and of its Simplified conversion.
"""
from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

#: How :func:`holdout_half` splits a file (shown in reports).
HOLDOUT_RULE = "alternate data entries: even positions (0, 2, ...) indexed, odd positions held out"


@dataclass(frozen=True)
class HoldoutSplit:
    """Sizes of a held-out split (articles = SQuAD data entries; questions = all ``qas``,
    blank ones included)."""

    rule: str
    articles_indexed: int
    articles_held_out: int
    questions_indexed: int
    questions_held_out: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ConversionStats:
    """What :func:`to_simplified` did to the answers.

    Attributes:
        answers: answers seen.
        moved: answers whose ``answer_start`` changed (the converted text before it has
            another length).
        respelled: answers whose text was replaced by the converted context's own span
            (converting the answer alone gave a string absent from the converted context).
        lost: answers found nowhere in the converted context (kept with the converted
            offset; the corpus loader then drops them as it drops any unlocatable answer).
    """

    answers: int = 0
    moved: int = 0
    respelled: int = 0
    lost: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_squad_json(path: str | Path) -> dict[str, Any]:
    """The whole parsed object of a SQuAD file (``version`` and other keys kept).

    Raises:
        ValueError: not UTF-8 JSON, or not an object with a ``data`` list (via
            ``corpus.squad.read_squad``, which also checks every entry's layout).
    """
    from corpus.squad import read_squad  # validates the layout, names the bad entry

    read_squad(Path(path))
    return json.loads(Path(path).read_bytes().decode("utf-8-sig"))


def write_squad_json(obj: dict[str, Any], path: str | Path) -> bool:
    """Write ``obj`` as UTF-8 JSON unless the file already holds exactly that text (so an
    index built from it stays fresh).  Returns True when the file was (re)written."""
    path = Path(path)
    text = json.dumps(obj, ensure_ascii=False)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def _n_questions(entries: list[dict[str, Any]]) -> int:
    return sum(len(p.get("qas") or []) for e in entries for p in e["paragraphs"])


def holdout_half(obj: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], HoldoutSplit]:
    """Split a SQuAD object into ``(indexed, held_out, split)`` by :data:`HOLDOUT_RULE`.

    Raises:
        ValueError: fewer than 2 data entries (one half would be empty).
    """
    data = obj.get("data") or []
    if len(data) < 2:
        raise ValueError(f"holdout: the SQuAD file has {len(data)} data entries; at least 2 are needed")
    rest = {k: v for k, v in obj.items() if k != "data"}
    kept, held = data[0::2], data[1::2]
    split = HoldoutSplit(rule=HOLDOUT_RULE, articles_indexed=len(kept), articles_held_out=len(held),
                         questions_indexed=_n_questions(kept), questions_held_out=_n_questions(held))
    return ({**copy.deepcopy(rest), "data": copy.deepcopy(kept)},
            {**copy.deepcopy(rest), "data": copy.deepcopy(held)}, split)


def holdout_entries(obj: dict[str, Any], held: set[int], rule: str) -> tuple[dict[str, Any], dict[str, Any], HoldoutSplit]:
    """Split a SQuAD object into ``(indexed, held_out, split)``: the data entries at the
    positions ``held`` are held out, the others indexed (``rule`` describes the choice).

    Raises:
        ValueError: no entry held out, or none left to index.
    """
    data = obj.get("data") or []
    kept = [e for i, e in enumerate(data) if i not in held]
    out = [e for i, e in enumerate(data) if i in held]
    if not kept or not out:
        raise ValueError(f"holdout: {len(out)} of {len(data)} data entries held out; both parts must be non-empty")
    rest = {k: v for k, v in obj.items() if k != "data"}
    split = HoldoutSplit(rule=rule, articles_indexed=len(kept), articles_held_out=len(out),
                         questions_indexed=_n_questions(kept), questions_held_out=_n_questions(out))
    return ({**copy.deepcopy(rest), "data": copy.deepcopy(kept)},
            {**copy.deepcopy(rest), "data": copy.deepcopy(out)}, split)


def reanchor(context: str, converted: str, answer: str, start: int,
             convert: Callable[[str], str]) -> tuple[str, int, str]:
    """Place one answer in the converted context.

    Args:
        context: the original context; ``converted``: ``convert(context)``.
        answer: the original answer text; ``start``: its offset in ``context``.
        convert: the conversion (e.g. ``fold_script``).
    Returns:
        ``(text, start, how)``: the answer text and offset in ``converted`` and how they were
        found: ``"kept"`` (same offset), ``"moved"`` (the converted answer nearest to the
        expected offset, which is the length of the converted text before the answer),
        ``"respelled"`` (the converted answer does not occur: the span of the converted
        context at the expected offset, ending where the converted text up to the answer's
        end ends) or ``"lost"`` (nothing sensible: converted answer at the expected offset).
    """
    conv_answer = convert(answer)
    if 0 <= start <= len(context):
        expected = len(convert(context[:start])) if start else 0
    else:
        expected = start
    if 0 <= start and converted[start:start + len(conv_answer)] == conv_answer:
        return conv_answer, start, "kept"
    hits = []
    k = converted.find(conv_answer) if conv_answer else -1
    while k >= 0:
        hits.append(k)
        k = converted.find(conv_answer, k + 1)
    if hits:
        return conv_answer, min(hits, key=lambda h: (abs(h - expected), h)), "moved"
    if 0 <= start and start + len(answer) <= len(context):
        end = len(convert(context[:start + len(answer)]))
        span = converted[expected:end]
        if span.strip():
            return span, expected, "respelled"
    return conv_answer, max(expected, 0), "lost"


def to_simplified(obj: dict[str, Any],
                  convert: Callable[[str], str] | None = None) -> tuple[dict[str, Any], ConversionStats]:
    """Convert a SQuAD object to Simplified Chinese: titles, contexts, questions, answers.

    Args:
        obj: the parsed SQuAD file.
        convert: the converter (default ``retrieval.normalize.fold_script``, OpenCC ``t2s``).
    Returns:
        ``(converted object, stats)``; question ids and the layout are unchanged.  OpenCC
        converts phrases, so a converted text may differ in length from the original
        (rarely); each ``answer_start`` is re-anchored with :func:`reanchor`.
    """
    if convert is None:
        from retrieval.normalize import fold_script as convert
    out = copy.deepcopy(obj)
    n = moved = respelled = lost = 0
    for entry in out.get("data") or []:
        if isinstance(entry.get("title"), str):
            entry["title"] = convert(entry["title"])
        for p in entry["paragraphs"]:
            context = p["context"]
            conv_ctx = convert(context)
            p["context"] = conv_ctx
            for q in p.get("qas") or []:
                if isinstance(q.get("question"), str):
                    q["question"] = convert(q["question"])
                for a in q.get("answers") or []:
                    text = str(a.get("text", ""))
                    try:
                        start = int(a.get("answer_start", -1))
                    except (TypeError, ValueError):
                        start = -1
                    new_text, new_start, how = reanchor(context, conv_ctx, text, start, convert)
                    n += 1
                    moved += how == "moved" and new_start != start
                    respelled += how == "respelled"
                    lost += how == "lost"
                    a["text"], a["answer_start"] = new_text, new_start
    return out, ConversionStats(answers=n, moved=moved, respelled=respelled, lost=lost)
