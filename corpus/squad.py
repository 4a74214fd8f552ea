"""SQuAD-format JSON (CMRC 2018, DRCD): reading entries and questions.

Layout: ``{"data": [{"title": str, "paragraphs": [{"context": str, "qas": [{"id",
"question", "answers": [{"text", "answer_start"}]}]}]}]}``.

Mapping to the corpus (must agree with :func:`corpus.pipeline.load_corpus`): data entry
``i`` of ``<stem>.json`` is article ``<stem>:<i>#1`` titled by its ``title``; its
non-blank contexts, in order, are paragraphs 1, 2, ... .  Contexts get only light,
offset-preserving cleaning (:func:`squad_paragraph`: one-for-one character
normalisation, surrounding whitespace stripped), and answer offsets are shifted by the
stripped leading whitespace.  Offsets that do not point at the answer text in the
source (CMRC 2018 counts UTF-16 code units, so a character outside the BMP such as
``𫚭`` shifts later answers by one) are re-anchored to the nearest occurrence of the
answer text; answers absent from the context are dropped (logged).
"""
from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from corpus.clean import normalize_chars

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SquadQuestion:
    """One SQuAD question mapped onto the corpus.

    Attributes:
        id: the question id from the file.
        question: question text (as in the file, characters normalised).
        answers: answer texts (normalised like the contexts).
        answer_starts: character offsets of each answer in paragraph ``paragraph_no`` of
            article ``article_id`` (``paragraph[s:s+len(a)] == a``).
        article_id: ``<file stem>:<data index>#1``.
        paragraph_no: 1-based paragraph number in that article.
    """

    id: str
    question: str
    answers: list[str]
    answer_starts: list[int]
    article_id: str
    paragraph_no: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "SquadQuestion":
        return cls(**d)


def squad_paragraph(context: str) -> tuple[str, int]:
    """Light, offset-preserving cleaning of one context.

    Line breaks become spaces (one for one), then :func:`corpus.clean.normalize_chars`
    (one for one), then surrounding whitespace is stripped.

    Returns:
        ``(paragraph, shift)``: an offset ``s`` in the raw context is ``s - shift`` in the
        paragraph.
    """
    norm = normalize_chars(context.replace("\r", " ").replace("\n", " "))
    stripped = norm.lstrip()
    return stripped.rstrip(), len(norm) - len(stripped)


def read_squad(path: Path) -> list[dict[str, Any]]:
    """Parse and validate a SQuAD file.

    Returns:
        The ``data`` entries (possibly empty for an empty file).
    Raises:
        ValueError: invalid JSON or layout, naming the file and the entry.
    """
    path = Path(path)
    raw = path.read_bytes()
    if not raw.strip():
        return []
    try:
        obj = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}: not valid UTF-8 JSON: {e}") from e
    if not isinstance(obj, dict) or not isinstance(obj.get("data"), list):
        raise ValueError(f'{path}: not SQuAD layout (expected an object with a "data" list)')
    for i, entry in enumerate(obj["data"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("paragraphs"), list):
            raise ValueError(f'{path}: data[{i}] has no "paragraphs" list')
        if not isinstance(entry.get("title", ""), str):
            raise ValueError(f'{path}: data[{i}].title is not a string')
        for j, p in enumerate(entry["paragraphs"]):
            if not isinstance(p, dict) or not isinstance(p.get("context"), str):
                raise ValueError(f'{path}: data[{i}].paragraphs[{j}] has no "context" string')
    return obj["data"]


def entry_paragraphs(entry: dict[str, Any]) -> list[tuple[dict[str, Any], str, int]]:
    """The non-blank paragraphs of one entry: ``[(raw paragraph dict, text, shift)]``."""
    out = []
    for p in entry["paragraphs"]:
        text, shift = squad_paragraph(p["context"])
        if text:
            out.append((p, text, shift))
    return out


def _anchor(para: str, answer: str, start: int) -> int:
    if 0 <= start and para[start : start + len(answer)] == answer:
        return start
    hits = []
    k = para.find(answer)
    while k >= 0:
        hits.append(k)
        k = para.find(answer, k + 1)
    if not hits:
        return -1
    return min(hits, key=lambda h: (abs(h - start), h))


def load_squad_questions(path: str | Path) -> list[SquadQuestion]:
    """Questions of a SQuAD-format file, mapped to corpus article ids and paragraphs.

    Args:
        path: the ``.json`` file (the same file placed in the seeds directory gives the
            matching articles).
    Returns:
        Questions in file order; a question none of whose answers occurs in its context
        is skipped (logged).
    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: invalid layout (see :func:`read_squad`) or a question without id/text.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"SQuAD file not found: {path}")
    stem = path.stem
    out: list[SquadQuestion] = []
    for i, entry in enumerate(read_squad(path)):
        for pno, (p, para, shift) in enumerate(entry_paragraphs(entry), start=1):
            for q in p.get("qas", []) or []:
                if not isinstance(q, dict) or not isinstance(q.get("question"), str):
                    raise ValueError(f"{path}: data[{i}] has a question without text")
                qid = str(q.get("id", f"{stem}:{i}:{pno}:{len(out)}"))
                answers, starts = [], []
                for a in q.get("answers", []) or []:
                    raw_text = normalize_chars(str(a.get("text", "")))
                    text = raw_text.strip()
                    if not text:
                        continue
                    lead = len(raw_text) - len(raw_text.lstrip())
                    s = _anchor(para, text, int(a.get("answer_start", -1)) + lead - shift)
                    if s < 0:
                        log.warning("%s: answer %r of %s not in its context; dropped", path, text, qid)
                        continue
                    answers.append(text)
                    starts.append(s)
                if not answers:
                    log.warning("%s: question %s has no locatable answer; skipped", path, qid)
                    continue
                out.append(
                    SquadQuestion(
                        id=qid,
                        question=normalize_chars(q["question"]).strip(),
                        answers=answers,
                        answer_starts=starts,
                        article_id=f"{stem}:{i}#1",
                        paragraph_no=pno,
                    )
                )
    return out
