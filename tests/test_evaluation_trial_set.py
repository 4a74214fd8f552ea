"""The new-user trial sets ``evaluation/testsets/trial.jsonl``, ``trial2.jsonl``, ``trial3.jsonl``
and ``trial4.jsonl`` over the seed page: 40 questions each that a helper wrote after reading the
page as a user would, without the rules' code (28 answerable, 12 near misses; each later set
in a later round, new questions only): format, and that every answerable case's answer and
evidence are the page's characters (two questions of the third set, tagged ``byline``, ask who
wrote an article: their answers are bylines) and every unanswerable one says why."""
from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.testset import load_testset
from text.fold import match_key

REPO = Path(__file__).resolve().parents[1]
TRIALS = [REPO / "evaluation" / "testsets" / name for name in ("trial.jsonl", "trial2.jsonl", "trial3.jsonl", "trial4.jsonl")]


@pytest.fixture(scope="module")
def page_key() -> str:
    from corpus.pipeline import load_corpus

    corpus = load_corpus(REPO / "seeds")
    return match_key("\n".join(a.title + "\n" + a.text for a in corpus.articles))


@pytest.fixture(scope="module")
def bylines_key() -> str:
    from corpus.pipeline import load_corpus

    return match_key("\n".join(a.byline or "" for a in load_corpus(REPO / "seeds").articles))


@pytest.mark.parametrize("path", TRIALS, ids=lambda p: p.name)
def test_the_trial_set_loads_with_unique_ids_and_both_kinds(path):
    cases = load_testset(path)
    assert len(cases) == 40 and len({c.id for c in cases}) == 40
    assert sum(c.answerable for c in cases) == 28


@pytest.mark.parametrize("path", TRIALS, ids=lambda p: p.name)
def test_answers_and_evidence_are_the_pages_characters(page_key, bylines_key, path):
    for c in load_testset(path):
        if c.answerable:
            where = bylines_key if "byline" in c.tags else page_key   # who wrote it: the byline
            assert any(match_key(a) in where for a in c.answers), c.id
            assert match_key(c.evidence) in page_key, c.id
        else:
            assert "unanswerable" in c.tags and c.note and c.note.strip(), c.id
