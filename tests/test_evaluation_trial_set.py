"""The new-user trial set ``evaluation/testsets/trial.jsonl`` over the seed page: 40 questions
a helper wrote after reading the page as a user would, without the rules' code (28 answerable,
12 near misses): format, and that every answerable case's answer and evidence are the page's
characters and every unanswerable one says why."""
from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.testset import load_testset
from text.fold import match_key

REPO = Path(__file__).resolve().parents[1]
TRIAL = REPO / "evaluation" / "testsets" / "trial.jsonl"


@pytest.fixture(scope="module")
def page_key() -> str:
    from corpus.pipeline import load_corpus

    corpus = load_corpus(REPO / "seeds")
    return match_key("\n".join(a.title + "\n" + a.text for a in corpus.articles))


def test_the_trial_set_loads_with_unique_ids_and_both_kinds():
    cases = load_testset(TRIAL)
    assert len(cases) == 40 and len({c.id for c in cases}) == 40
    assert sum(c.answerable for c in cases) == 28


def test_answers_and_evidence_are_the_pages_characters(page_key):
    for c in load_testset(TRIAL):
        if c.answerable:
            assert any(match_key(a) in page_key for a in c.answers), c.id
            assert match_key(c.evidence) in page_key, c.id
        else:
            assert "unanswerable" in c.tags and c.note and c.note.strip(), c.id
