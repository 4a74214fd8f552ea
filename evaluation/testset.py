"""Test sets: the JSON Lines format, gold-reference resolution, and SQuAD-format loading.

Format (one JSON object per line; blank lines and lines starting with ``//`` are skipped)::

    {"id": "akto-01",
     "question": "阿克陶县在多少个行政村建立了快递服务点？",
     "answers": ["118个", "118"],            # acceptable answers; [] = unanswerable
     "gold_articles": ["text:在全县118个行政村建立了118个快递服务点"],
     "evidence": "在全县118个行政村建立了118个快递服务点",   # optional
     "history": [["user turn", "assistant turn"]],          # optional, oldest first
     "gold_passages": ["<passage id>", ...],                # optional (SQuAD sets)
     "tags": ["number"],
     "note": "why the case is built this way"}               # optional

Fields (``id``, ``question``, ``answers``, ``gold_articles`` and ``tags`` are required keys,
even where their list may be empty; the others are optional; any other key is refused):

* ``id`` (str, unique in the file), ``question`` (non-empty str).
* ``answers``: list of non-empty strings, short spans as written in the *cleaned* corpus
  (layout spaces removed: ``4329.7万元``); alternatives a reader might write.  ``[]`` marks
  an unanswerable case, which must carry the tag ``unanswerable`` (and vice versa).
* ``gold_articles``: references to the article(s) that answer the question (non-empty for
  answerable cases).  A reference is resolved against a Corpus by
  :func:`resolve_article_ref`:

  - ``id:<article id>`` - the article with exactly that id;
  - ``title:<title>`` - the article(s) whose title equals it (after :func:`_norm`);
  - ``text:<substring>`` - the article(s) whose title + body text contains the substring
    (after :func:`_norm`, which drops whitespace and folds full-width forms, so layout
    spaces and line breaks do not matter).  Prefer this for articles without a headline:
    their titles are derived by the corpus code and may change;
  - anything else - an exact article id if one matches, else an exact title.

  A reference must match at least one article, and at most one unless it is an ``id:``
  (ids are unique anyway); otherwise ValueError names the case and the reference.
* ``evidence``: optional verbatim quote from the cleaned corpus supporting the answer
  (matching ignores whitespace); used to find the gold passages and to judge citations.
* ``history``: optional earlier turns ``[[user, assistant], ...]`` for follow-ups.
* ``gold_passages``: optional passage ids (known for SQuAD-format sets, where they depend on
  the chunking of the corpus the set was loaded with).
* ``tags``: list of short lower-case labels (``number``, ``date``, ``list``,
  ``paraphrase``, ``english``, ``traditional``, ``followup``, ``unanswerable`` ...).
* ``note``: optional free text for the person who reads the set (e.g. why the corpus does
  not answer an unanswerable case); never used in scoring.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Protocol, Sequence

from corpus.types import Article, Passage

KNOWN_FIELDS = ("id", "question", "answers", "gold_articles", "evidence", "history",
                "gold_passages", "tags", "note")
_TAG = re.compile(r"^[a-z][a-z0-9_-]*$")


class CorpusLike(Protocol):
    """What test-set resolution needs from ``corpus.pipeline.Corpus``."""

    articles: tuple[Article, ...]
    passages: tuple[Passage, ...]


@dataclass(frozen=True)
class TestCase:
    """One evaluation case (see the module docstring for the meaning of each field)."""

    __test__ = False  # not a pytest test class

    id: str
    question: str
    answers: tuple[str, ...] = ()
    gold_articles: tuple[str, ...] = ()
    evidence: str | None = None
    history: tuple[tuple[str, str], ...] = ()
    gold_passages: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    note: str | None = None

    @property
    def answerable(self) -> bool:
        """True when the case has at least one reference answer."""
        return bool(self.answers)

    @classmethod
    def from_dict(cls, d: Any, where: str = "test case") -> "TestCase":
        """Build and validate a case from a parsed JSON object.

        Args:
            d: the object.
            where: prefix for error messages (e.g. ``"seed.jsonl line 12"``).
        Raises:
            ValueError: naming ``where``, the case id and the offending field.
        """
        if not isinstance(d, dict):
            raise ValueError(f"{where}: expected a JSON object, got {type(d).__name__}")
        cid = d.get("id")
        label = f"{where} (id {cid!r})" if isinstance(cid, str) else where

        def fail(msg: str) -> None:
            raise ValueError(f"{label}: {msg}")

        unknown = sorted(set(d) - set(KNOWN_FIELDS))
        if unknown:
            fail(f"unknown field(s) {unknown}; allowed: {list(KNOWN_FIELDS)}")
        for req in ("id", "question", "answers", "gold_articles", "tags"):
            if req not in d:
                fail(f"missing required field '{req}'")
        if not isinstance(cid, str) or not cid.strip():
            fail("field 'id' must be a non-empty string")
        q = d["question"]
        if not isinstance(q, str) or not q.strip():
            fail("field 'question' must be a non-empty string")

        def str_list(name: str, allow_empty: bool = True) -> tuple[str, ...]:
            v = d.get(name, [])
            if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
                fail(f"field '{name}' must be a list of non-empty strings, got {v!r}")
            if not allow_empty and not v:
                fail(f"field '{name}' must not be empty")
            return tuple(v)

        answers = str_list("answers")
        gold = str_list("gold_articles")
        gold_p = str_list("gold_passages")
        tags = str_list("tags")
        for t in tags:
            if not _TAG.match(t):
                fail(f"tag {t!r} must be a lower-case word ([a-z0-9_-])")
        if answers and not gold:
            fail("an answerable case (non-empty 'answers') needs at least one 'gold_articles' reference")
        if not answers and "unanswerable" not in tags:
            fail("'answers' is empty but the tags lack 'unanswerable'")
        if answers and "unanswerable" in tags:
            fail("tagged 'unanswerable' but 'answers' is not empty")
        ev = d.get("evidence")
        if ev is not None and (not isinstance(ev, str) or not ev.strip()):
            fail("field 'evidence' must be a non-empty string when present")
        note = d.get("note")
        if note is not None and (not isinstance(note, str) or not note.strip()):
            fail("field 'note' must be a non-empty string when present")
        hist_raw = d.get("history", [])
        if not isinstance(hist_raw, list):
            fail("field 'history' must be a list of [user, assistant] pairs")
        history = []
        for i, turn in enumerate(hist_raw):
            if (not isinstance(turn, (list, tuple)) or len(turn) != 2
                    or not all(isinstance(x, str) for x in turn) or not turn[0].strip()):
                fail(f"history[{i}] must be a [user, assistant] pair of strings, got {turn!r}")
            history.append((turn[0], turn[1]))
        return cls(id=cid, question=q, answers=answers, gold_articles=gold, evidence=ev,
                   history=tuple(history), gold_passages=gold_p, tags=tags, note=note)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of this case (optional fields only when set)."""
        d: dict[str, Any] = {"id": self.id, "question": self.question,
                             "answers": list(self.answers),
                             "gold_articles": list(self.gold_articles)}
        if self.evidence is not None:
            d["evidence"] = self.evidence
        if self.history:
            d["history"] = [list(t) for t in self.history]
        if self.gold_passages:
            d["gold_passages"] = list(self.gold_passages)
        d["tags"] = list(self.tags)
        if self.note is not None:
            d["note"] = self.note
        return d


def load_testset(path: str | Path) -> list[TestCase]:
    """Read a JSON Lines test set.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: a line is not valid JSON, a case is invalid (the message names the
            file and line), ids repeat, or the file holds no case.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"test set not found: {path}")
    cases: list[TestCase] = []
    seen: dict[str, int] = {}
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        s = line.strip()
        if not s or s.startswith("//"):
            continue
        where = f"{path.name} line {no}"
        try:
            obj = json.loads(s)
        except json.JSONDecodeError as e:
            raise ValueError(f"{where}: invalid JSON ({e.msg} at column {e.colno})") from None
        case = TestCase.from_dict(obj, where=where)
        if case.id in seen:
            raise ValueError(f"{where}: duplicate id {case.id!r} (first on line {seen[case.id]})")
        seen[case.id] = no
        cases.append(case)
    if not cases:
        raise ValueError(f"{path}: the test set holds no case")
    return cases


def save_testset(cases: Iterable[TestCase], path: str | Path) -> None:
    """Write cases as JSON Lines (UTF-8, one object per line, non-ASCII kept)."""
    with Path(path).open("w", encoding="utf-8") as f:
        for c in cases:
            f.write(json.dumps(c.to_dict(), ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------- resolution


def _norm(text: str) -> str:
    """Matching form: NFKC (full-width -> half-width) with all whitespace removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def resolve_article_ref(ref: str, corpus: CorpusLike) -> list[str]:
    """Resolve one gold-article reference to article ids (rules in the module docstring).

    Raises:
        ValueError: the reference matches no article, or (other than ``id:``) several.
    """
    arts = corpus.articles
    if ref.startswith("id:"):
        aid = ref[3:]
        hits = [a.id for a in arts if a.id == aid]
    elif ref.startswith("title:"):
        t = _norm(ref[6:])
        hits = [a.id for a in arts if _norm(a.title) == t]
    elif ref.startswith("text:"):
        t = _norm(ref[5:])
        if not t:
            raise ValueError(f"gold article reference {ref!r} has an empty substring")
        hits = [a.id for a in arts if t in _norm(a.title + "\n" + a.text)]
    else:
        hits = [a.id for a in arts if a.id == ref] or [a.id for a in arts if _norm(a.title) == _norm(ref)]
    if not hits:
        raise ValueError(f"gold article reference {ref!r} matches no article of the corpus")
    if len(hits) > 1:
        raise ValueError(f"gold article reference {ref!r} is ambiguous: matches {hits}")
    return hits


def resolve_gold_articles(case: TestCase, corpus: CorpusLike) -> list[str]:
    """Article ids of all of ``case.gold_articles`` (deduplicated, in order).

    Raises ValueError naming the case when a reference does not resolve."""
    out: list[str] = []
    for ref in case.gold_articles:
        try:
            ids = resolve_article_ref(ref, corpus)
        except ValueError as e:
            raise ValueError(f"case {case.id!r}: {e}") from None
        out.extend(i for i in ids if i not in out)
    return out


def _norm_with_map(text: str) -> tuple[str, list[int]]:
    """Whitespace-free NFKC text and, for each of its characters, the index in ``text``."""
    chars: list[str] = []
    idx: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch):
            if not c.isspace():
                chars.append(c)
                idx.append(i)
    return "".join(chars), idx


def find_evidence(evidence: str, article: Article) -> tuple[int, int] | None:
    """Character span ``[start, end)`` of ``evidence`` in ``article.text``, matching after
    :func:`_norm` (so line breaks and layout spaces inside the article are ignored);
    None when absent."""
    target = _norm(evidence)
    if not target:
        return None
    norm, idx = _norm_with_map(article.text)
    pos = norm.find(target)
    if pos < 0:
        return None
    return idx[pos], idx[pos + len(target) - 1] + 1


def evidence_passages(case: TestCase, corpus: CorpusLike, article_ids: Sequence[str]) -> list[str]:
    """Gold passage ids of a case: ``case.gold_passages`` when given, else the passages of
    the gold articles whose span overlaps the evidence span ([] without evidence, or when
    the evidence is not found in a gold article)."""
    if case.gold_passages:
        return list(case.gold_passages)
    if not case.evidence:
        return []
    by_id = {a.id: a for a in corpus.articles}
    out: list[str] = []
    for aid in article_ids:
        art = by_id.get(aid)
        if art is None:
            continue
        span = find_evidence(case.evidence, art)
        if span is None:
            continue
        s, e = span
        out.extend(p.id for p in corpus.passages
                   if p.article_id == aid and p.start < e and s < p.end)
    return out


# --------------------------------------------------------------------------- SQuAD sets


def squad_testset(path: str | Path, corpus: CorpusLike,
                  skipped: list[str] | None = None) -> list[TestCase]:
    """Test cases of a SQuAD-format file (CMRC 2018, DRCD) against the Corpus built from it.

    Uses ``corpus.squad.load_squad_questions``.  Each question becomes a case with
    ``gold_articles = ["id:<article id>"]`` and ``gold_passages`` = the passages of that
    article whose span contains an answer start (answer starts are offsets into
    ``paragraphs[i].context``; they are mapped into ``Article.text`` by locating the
    answer text in the article's paragraph ``paragraph_no``, nearest to the given offset,
    because cleaning may shift characters).  Tagged ``squad``.

    Questions that are blank (CMRC 2018 trial has two) or whose answers were all dropped
    by the corpus loader cannot be asked or scored: they are left out, and their ids are
    appended to ``skipped`` when a list is given.

    Raises:
        ValueError: a question points to an article the corpus lacks.
    """
    from corpus.squad import load_squad_questions  # lazy: corpus helper's module

    by_id = {a.id: a for a in corpus.articles}
    passages_of: dict[str, list[Passage]] = {}
    for p in corpus.passages:
        passages_of.setdefault(p.article_id, []).append(p)
    cases: list[TestCase] = []
    for q in load_squad_questions(Path(path)):
        if not q.question.strip() or not any(a.strip() for a in q.answers):
            if skipped is not None:
                skipped.append(str(q.id))
            continue
        art = by_id.get(q.article_id)
        if art is None:
            raise ValueError(f"{Path(path).name}: question {q.id!r} refers to article "
                             f"{q.article_id!r}, which the corpus lacks")
        starts = _answer_offsets(art, q.paragraph_no, list(q.answers), list(q.answer_starts))
        gold_p: list[str] = []
        for off in starts:
            for p in passages_of.get(art.id, []):
                if p.start <= off < p.end and p.id not in gold_p:
                    gold_p.append(p.id)
        answers = [a for a in dict.fromkeys(a.strip() for a in q.answers) if a]
        cases.append(TestCase(id=str(q.id), question=q.question, answers=tuple(answers),
                              gold_articles=(f"id:{art.id}",), gold_passages=tuple(gold_p),
                              tags=("squad",)))
    return cases


def _answer_offsets(art: Article, paragraph_no: int, answers: list[str],
                    starts: list[int]) -> list[int]:
    """Map SQuAD answer starts (offsets in the raw context) to offsets in ``art.text``."""
    paras = art.paragraphs
    if not 1 <= paragraph_no <= len(paras):
        base, para = 0, art.text
    else:
        base = sum(len(p) + 1 for p in paras[: paragraph_no - 1])
        para = paras[paragraph_no - 1]
    out: list[int] = []
    for ans, st in zip(answers, starts):
        ans = ans.strip()
        if not ans:
            continue
        if para[st:st + len(ans)] == ans:
            out.append(base + st)
            continue
        occ = [m.start() for m in re.finditer(re.escape(ans), para)]
        if occ:
            out.append(base + min(occ, key=lambda o: abs(o - st)))
        elif 0 <= st < len(para):
            out.append(base + st)
    return out
