"""Training and validation examples for the span reader (CMRC 2018 trial + DRCD test).

Both files are SQuAD-format and read with :mod:`corpus.squad` (offsets re-anchored,
characters normalised exactly as the corpus loader does). Split: by ARTICLE (data entry),
``VAL_SHARE`` of each file's articles, chosen with ``random.Random(seed)``; validation
articles are never trained on.

Examples (:class:`QAExample`):

* ``positive``: a question with its gold paragraph and the first answer's span;
* ``retrieved``: a "no answer" negative: the question with a non-gold paragraph ranked
  high by BM25 (``retrieval.lexical.LexicalIndex``) over the same split's paragraphs,
  none of whose answer texts occur in it (the hard negatives of open-domain QA;
  Karpukhin et al., 2020, "Dense Passage Retrieval", section 3.2);
* ``random``: a "no answer" negative: the question with a paragraph of another article.

``neg_per_pos`` negatives per question on average (alternating the two kinds).

Script variants (:func:`script_variant`): every example again in the other script (CMRC
Simplified -> Traditional, DRCD Traditional -> Simplified; OpenCC via
``text.fold.to_script``), the answer's offsets kept exactly. Without them the reader learnt
DRCD's short answers on Traditional text only: DRCD's validation passages folded to
Simplified read at F1 0.694 against 0.784 for the originals (gold passage), while the
product's questions and news are Simplified.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from corpus.squad import entry_paragraphs, load_squad_questions, read_squad
from text.fold import script_of, to_script

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
DATA_FILES: dict[str, Path] = {
    "cmrc": SHARED_DATA / "cmrc2018-trial" / "cmrc2018_trial.json",
    "drcd": SHARED_DATA / "drcd-test" / "DRCD_test.json",
}
VAL_SHARE = 0.12
SEED = 13
KINDS = ("positive", "retrieved", "random")
#: The script each source is written in; its variant is the other one.
SOURCE_SCRIPTS = {"cmrc": "simplified", "drcd": "traditional"}
OTHER_SCRIPT = {"simplified": "traditional", "traditional": "simplified"}


@dataclass(frozen=True)
class QAExample:
    """One (question, passage) pair.

    Attributes:
        qid: question id (from the file).
        question: question text.
        context: the passage text.
        answers: gold answer texts (of the question; the context holds them only for
            ``kind == "positive"``).
        answer_start: character offset of ``answers[0]`` in ``context``; -1 for negatives.
        kind: one of ``KINDS``.
        source: ``"cmrc"`` or ``"drcd"``; a script variant's ``"cmrc-traditional"`` or
            ``"drcd-simplified"`` (:func:`script_variant`).
        article_id: the context's article (``<stem>:<data index>#1``).
    """

    qid: str
    question: str
    context: str
    answers: tuple[str, ...]
    answer_start: int
    kind: str
    source: str
    article_id: str

    @property
    def answerable(self) -> bool:
        return self.kind == "positive"

    @property
    def answer_end(self) -> int:
        return self.answer_start + len(self.answers[0]) if self.answerable else -1


@dataclass
class Split:
    """Examples of one file split by article: ``train``/``val`` lists and the validation
    article ids (recorded in the model card)."""

    source: str
    train: list[QAExample] = field(default_factory=list)
    val: list[QAExample] = field(default_factory=list)
    val_articles: list[str] = field(default_factory=list)
    n_articles: int = 0


def script_variant(ex: QAExample, script: str | None = None) -> QAExample:
    """``ex`` in another script: question, passage and answers converted (OpenCC), the
    source renamed ``<source>-<script>`` (``drcd-simplified``). The passage is converted in
    three pieces (before, answer, after), so ``answer_start`` indexes the converted answer
    exactly. ``script`` defaults to the other script of the example's source
    (``SOURCE_SCRIPTS``; for another source, of its passage's script).

    Raises:
        ValueError: an unknown script name, or a positive example whose ``answers[0]`` is
            not at ``answer_start`` in its passage (it would overwrite passage text).
    """
    if ex.answerable and ex.context[ex.answer_start:ex.answer_end] != ex.answers[0]:
        raise ValueError(f"{ex.qid}: the answer is not at answer_start={ex.answer_start}")
    if script is None:
        own = SOURCE_SCRIPTS.get(ex.source) or script_of(ex.context)
        script = OTHER_SCRIPT.get(own, "simplified")
    conv = lambda t: to_script(t, script)  # noqa: E731
    answers = tuple(conv(a) for a in ex.answers)
    if ex.answerable:
        before = conv(ex.context[:ex.answer_start])
        context = before + answers[0] + conv(ex.context[ex.answer_end:])
        start = len(before)
    else:
        context, start = conv(ex.context), -1
    return QAExample(ex.qid, conv(ex.question), context, answers, start, ex.kind,
                     f"{ex.source}-{script}", ex.article_id)


def _paragraph_table(path: Path) -> dict[str, list[str]]:
    """``article_id -> [paragraph text, ...]`` (paragraph_no - 1 indexes the list)."""
    stem = path.stem
    return {f"{stem}:{i}#1": [text for _, text, _ in entry_paragraphs(entry)]
            for i, entry in enumerate(read_squad(path))}


def _negatives(questions, paras: dict[str, list[str]], articles: Sequence[str], source: str,
               rng: random.Random, neg_per_pos: float) -> list[QAExample]:
    from retrieval.lexical import LexicalIndex

    flat = [(a, p) for a in articles for p in paras[a]]
    if len(set(a for a, _ in flat)) < 2:
        return []
    index = LexicalIndex.build([p for _, p in flat])
    out: list[QAExample] = []
    credit = 0.0
    for n, q in enumerate(questions):
        credit += neg_per_pos
        gold = paras[q.article_id][q.paragraph_no - 1]
        while credit >= 1.0:
            credit -= 1.0
            kind = KINDS[1 + (len(out) % 2)]
            ctx = art = None
            if kind == "retrieved":
                for i, _ in index.search(q.question, 8):
                    a, p = flat[i]
                    if p != gold and not any(ans in p for ans in q.answers):
                        ctx, art = p, a
                        break
            if ctx is None:  # "random", or BM25 found no usable paragraph
                kind = "random"
                for _ in range(20):
                    a, p = flat[rng.randrange(len(flat))]
                    if a != q.article_id and not any(ans in p for ans in q.answers):
                        ctx, art = p, a
                        break
            if ctx is not None:
                out.append(QAExample(q.id, q.question, ctx, tuple(q.answers), -1, kind, source, art))
    return out


def _data_path(source: str, path: str | Path | None, val_share: float) -> Path:
    """The file of ``source`` (``path`` when given). Raises ValueError for an unknown
    source or a share outside (0, 1)."""
    if path is None:
        if source not in DATA_FILES:
            raise ValueError(f"unknown source {source!r}; known: {', '.join(DATA_FILES)}")
        path = DATA_FILES[source]
    if not 0.0 < val_share < 1.0:
        raise ValueError(f"val_share must be in (0, 1), got {val_share}")
    return Path(path)


def _articles(paras: dict[str, list[str]]) -> list[str]:
    """Article ids in file order."""
    return sorted(paras, key=lambda a: int(a.split(":")[-1].split("#")[0]))


def _held_out(articles: list[str], source: str, seed: int, val_share: float) -> list[str]:
    """The validation articles: the first ``val_share`` of ``articles`` shuffled by
    ``random.Random(f"{seed}:{source}")`` (at least one)."""
    rng = random.Random(f"{seed}:{source}")
    shuffled = articles[:]
    rng.shuffle(shuffled)
    return shuffled[:max(1, round(val_share * len(articles)))]


def source_of(path: str | Path) -> str | None:
    """The ``DATA_FILES`` key of a SQuAD file (by file name), or None."""
    name = Path(path).name
    return next((k for k, v in DATA_FILES.items() if v.name == name), None)


def val_articles(source: str, path: str | Path | None = None, seed: int = SEED,
                 val_share: float = VAL_SHARE) -> list[str]:
    """The article ids ``<stem>:<data index>#1`` of ``source``'s validation split (the
    articles :func:`load_split` holds out), in file order. For an open-domain evaluation
    on the validation split (``python -m evaluation run ... --questions reader-val``).

    Raises:
        FileNotFoundError: the data file is missing.
        ValueError: unknown ``source`` or a bad share.
    """
    path = _data_path(source, path, val_share)
    articles = _articles(_paragraph_table(path))
    held = set(_held_out(articles, source, seed, val_share))
    return [a for a in articles if a in held]


def load_split(source: str, path: Path | None = None, seed: int = SEED,
               val_share: float = VAL_SHARE, neg_per_pos: float = 0.5) -> Split:
    """Examples of one SQuAD file, split by article.

    Args:
        source: a key of ``DATA_FILES`` (names the file when ``path`` is None).
        seed: seeds the article split and the negative sampling.
        val_share: share of the file's articles held out (at least one).
        neg_per_pos: "no answer" negatives per question, in both splits.
    Raises:
        FileNotFoundError: the data file is missing.
        ValueError: unknown ``source`` or a bad share.
    """
    path = _data_path(source, path, val_share)
    paras = _paragraph_table(path)
    questions = load_squad_questions(path)
    articles = _articles(paras)
    val_set = set(_held_out(articles, source, seed, val_share))
    split = Split(source, val_articles=sorted(val_set, key=articles.index), n_articles=len(articles))
    for part, arts in (("train", [a for a in articles if a not in val_set]),
                       ("val", [a for a in articles if a in val_set])):
        qs = [q for q in questions if q.article_id in set(arts)]
        pos = [QAExample(q.id, q.question, paras[q.article_id][q.paragraph_no - 1],
                         tuple(q.answers), q.answer_starts[0], "positive", source, q.article_id)
               for q in qs]
        neg = _negatives(qs, paras, arts, source, random.Random(f"{seed}:{source}:{part}"), neg_per_pos)
        getattr(split, part).extend(pos + neg)
    return split
