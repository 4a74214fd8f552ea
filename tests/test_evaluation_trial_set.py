"""The new-user trial sets ``evaluation/testsets/trial.jsonl``, ``trial2.jsonl``, ``trial3.jsonl``
and ``trial4.jsonl`` over the seed page: 40 questions each that a helper wrote after reading the
page as a user would, without the rules' code (28 answerable, 12 near misses; each later set
in a later round, new questions only): format, and that every answerable case's answer and
evidence are the page's characters (two questions of the third set, tagged ``byline``, ask who
wrote an article: their answers are bylines) and every unanswerable one says why.

``trial5.jsonl``, ``trial6.jsonl`` and ``trial7.jsonl`` are the same over pages of their own
(``evaluation/pagesets/trial5/trial5.jsonl`` over ``…/trial5/page``, …): a helper wrote each
page (6-8 invented articles of a local newspaper, as messy as the seed's PDF text) and its
questions, blind to the rules, so the figures on them say how the rules carry to news they
were not written for."""
from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.testset import load_testset
from text.fold import match_key

REPO = Path(__file__).resolve().parents[1]
TRIALS = [REPO / "evaluation" / "testsets" / name for name in ("trial.jsonl", "trial2.jsonl", "trial3.jsonl", "trial4.jsonl")]
#: trial sets over pages of their own (``evaluation/pagesets/<name>/``, out of the bundled sets
#: the evaluation tab runs over the seed corpus): test set -> its page's seeds directory
PAGESETS = REPO / "evaluation" / "pagesets"
OWN_PAGE_TRIALS = {PAGESETS / name / f"{name}.jsonl": PAGESETS / name / "page" for name in ("trial5", "trial6", "trial7")}


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


@pytest.mark.parametrize("path", sorted(OWN_PAGE_TRIALS), ids=lambda p: p.name)
def test_a_trial_set_over_its_own_page_holds_the_pages_characters(path):
    from corpus.pipeline import load_corpus
    from evaluation.testset import resolve_gold_articles

    cases = load_testset(path)
    assert len(cases) == 40 and len({c.id for c in cases}) == 40 and sum(c.answerable for c in cases) == 28
    corpus = load_corpus(OWN_PAGE_TRIALS[path])
    page = match_key("\n".join(a.title + "\n" + a.text for a in corpus.articles))
    for c in cases:
        if c.answerable:
            assert any(match_key(a) in page for a in c.answers), c.id
            assert match_key(c.evidence) in page, c.id
            assert len(resolve_gold_articles(c, corpus)) == 1, c.id
        else:
            assert "unanswerable" in c.tags and c.note and c.note.strip(), c.id
