"""The must-refuse test set ``evaluation/testsets/refuse.jsonl`` over the seed page: format,
kinds, and that every case really is unanswerable from the corpus (the terms its note
marks with 「」 occur nowhere in the cleaned articles, the raw seed file included)."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from evaluation.testset import TestCase, load_testset

REPO = Path(__file__).resolve().parents[1]
REFUSE = REPO / "evaluation" / "testsets" / "refuse.jsonl"
SEED = REPO / "evaluation" / "testsets" / "seed.jsonl"
KINDS = ("off-topic-zh", "off-topic-en", "no-content", "near-miss", "entity-swap", "unseen-date-place")
_ABSENT = re.compile(r"「([^」]+)」")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _key(text: str) -> str:
    """Match key: NFKC, Traditional -> Simplified, lower-case, no whitespace."""
    from retrieval.normalize import fold_script

    return re.sub(r"\s+", "", fold_script(unicodedata.normalize("NFKC", text)).lower())


@pytest.fixture(scope="module")
def cases() -> list[TestCase]:
    return load_testset(REFUSE)


@pytest.fixture(scope="module")
def corpus_key() -> str:
    from corpus.pipeline import load_corpus

    corpus = load_corpus(REPO / "seeds")
    cleaned = "\n".join(a.title + "\n" + (a.byline or "") + "\n" + a.text for a in corpus.articles)
    raw = "\n".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "seeds").glob("*.txt")))
    return _key(cleaned) + "\n" + _key(raw)


def test_loads_unique_and_all_unanswerable(cases):
    assert len(cases) >= 70
    ids = [c.id for c in cases]
    assert len(set(ids)) == len(ids)
    # a question repeats only as its Traditional version (same match key, other script)
    by_key = Counter(_key(c.question) for c in cases)
    assert len({c.question.strip() for c in cases}) == len(cases), "a question repeats"
    for c in cases:
        if by_key[_key(c.question)] > 1:
            assert "traditional" in c.tags or any(
                "traditional" in d.tags for d in cases if _key(d.question) == _key(c.question) and d is not c), c.id
    for c in cases:
        assert not c.answerable and "unanswerable" in c.tags and not c.gold_articles, c.id
        assert c.note and c.note.strip(), f"{c.id}: every case says why the corpus does not answer it"


def test_one_kind_each_roughly_balanced(cases):
    kinds = []
    for c in cases:
        mine = [t for t in c.tags if t in KINDS]
        assert len(mine) == 1, f"{c.id}: exactly one kind tag of {KINDS}, got {c.tags}"
        kinds.append(mine[0])
    counts = Counter(kinds)
    assert set(counts) == set(KINDS)
    assert min(counts.values()) >= 10 and max(counts.values()) <= 2 * min(counts.values()), counts


def test_script_and_language_tags(cases):
    from retrieval.normalize import fold_script

    trad = [c for c in cases if "traditional" in c.tags]
    eng = [c for c in cases if "english" in c.tags]
    assert len(trad) >= 6 and len(eng) >= 15
    for c in trad:
        assert fold_script(c.question) != c.question, f"{c.id} is tagged traditional but is Simplified"
    for c in eng:
        assert not _CJK.search(c.question), f"{c.id} is tagged english but holds Chinese"
    for c in cases:
        if c.tags[0] == "off-topic-en":
            assert "english" in c.tags


def test_marked_terms_are_absent_from_the_corpus(cases, corpus_key):
    for c in cases:
        terms = _ABSENT.findall(c.note or "")
        if c.tags[0] != "no-content":
            assert terms, f"{c.id}: the note marks no absent term with 「」"
        for t in terms:
            assert _key(t) not in corpus_key, f"{c.id}: 「{t}」 does occur in the corpus"


def test_absent_term_check_can_fail(corpus_key):
    # the check above is meaningful: terms of the corpus are found by it
    for present in ("阿克陶县", "4329.7万元", "衡水湖", "黔西南州", "衡水湖國際馬拉松"):
        assert _key(present) in corpus_key


def test_no_duplicate_of_the_seed_set(cases):
    seed = {_key(c.question) for c in load_testset(SEED)}
    assert not [c.id for c in cases if _key(c.question) in seed]


def test_note_field_round_trip_and_validation():
    base = {"id": "x", "question": "q?", "answers": [], "gold_articles": [], "tags": ["unanswerable"]}
    c = TestCase.from_dict({**base, "note": "not in the corpus"})
    assert c.note == "not in the corpus" and c.to_dict()["note"] == "not in the corpus"
    assert "note" not in TestCase.from_dict(base).to_dict()
    for bad in (3, "  ", ["x"]):
        with pytest.raises(ValueError, match="'note'"):
            TestCase.from_dict({**base, "note": bad})
