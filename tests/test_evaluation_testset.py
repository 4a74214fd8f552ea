"""Test-set format: validation errors, gold-reference resolution, SQuAD loading, seed.jsonl."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from corpus.types import Article, Passage
from evaluation.testset import (TestCase, evidence_passages, find_evidence, load_testset,
                                resolve_article_ref, resolve_gold_articles, save_testset,
                                squad_testset)

SEED_SET = Path(__file__).resolve().parents[1] / "evaluation" / "testsets" / "seed.jsonl"
GOOD = {"id": "c1", "question": "多少个？", "answers": ["118个"],
        "gold_articles": ["text:118个行政村"], "tags": ["number"]}


def _write(tmp_path: Path, objs_or_lines) -> Path:
    p = tmp_path / "set.jsonl"
    lines = [o if isinstance(o, str) else json.dumps(o, ensure_ascii=False) for o in objs_or_lines]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_roundtrip(tmp_path):
    case = TestCase.from_dict({**GOOD, "evidence": "118个行政村", "history": [["q", "a"]]})
    assert case.history == (("q", "a"),) and case.answerable
    p = tmp_path / "rt.jsonl"
    save_testset([case], p)
    assert load_testset(p) == [case]
    assert TestCase.from_dict(case.to_dict()) == case


@pytest.mark.parametrize("change, message", [
    ({"question": "  "}, "'question' must be a non-empty string"),
    ({"answers": "118个"}, "'answers' must be a list"),
    ({"answers": []}, "tags lack 'unanswerable'"),
    ({"tags": ["number", "unanswerable"]}, "tagged 'unanswerable' but 'answers' is not empty"),
    ({"gold_articles": []}, "needs at least one 'gold_articles'"),
    ({"history": [["only one"]]}, r"history\[0\] must be a \[user, assistant\] pair"),
    ({"evidence": ""}, "'evidence' must be a non-empty string"),
    ({"tags": ["Number"]}, "lower-case"),
    ({"answer": ["x"]}, "unknown field"),
])
def test_validation_errors_name_line_and_field(tmp_path, change, message):
    bad = {**GOOD, "id": "c2", **change}
    p = _write(tmp_path, [GOOD, bad])
    with pytest.raises(ValueError, match=message) as e:
        load_testset(p)
    assert "set.jsonl line 2" in str(e.value) and "'c2'" in str(e.value)


def test_missing_field_invalid_json_duplicates_empty(tmp_path):
    with pytest.raises(ValueError, match="line 1.*missing required field 'question'"):
        load_testset(_write(tmp_path, [{k: v for k, v in GOOD.items() if k != "question"}]))
    with pytest.raises(ValueError, match="line 2: invalid JSON"):
        load_testset(_write(tmp_path, [GOOD, "{not json"]))
    with pytest.raises(ValueError, match="line 3: duplicate id 'c1' \\(first on line 1\\)"):
        load_testset(_write(tmp_path, [GOOD, "", GOOD]))
    with pytest.raises(ValueError, match="holds no case"):
        load_testset(_write(tmp_path, ["// only a comment"]))
    with pytest.raises(FileNotFoundError):
        load_testset(tmp_path / "nope.jsonl")


def _fake_corpus():
    a1 = Article(id="d#1", title="阿克陶县快递进村", paragraphs=("在全县118个行政村建立了", "118个快递服务点。"))
    a2 = Article(id="d#2", title="常州邮政", paragraphs=("进口国际邮件六面消杀。",))
    a3 = Article(id="d#3", title="常州邮政", paragraphs=("另一篇。",))
    ps = []
    for a in (a1, a2, a3):
        text, start = a.text, 0
        for n, para in enumerate(a.paragraphs, start=1):
            end = start + len(para) + (1 if n < len(a.paragraphs) else 0)
            ps.append(Passage(id=f"{a.id}:{n}", article_id=a.id, title=a.title, paragraph_no=n,
                              start=start, end=end, text=text[start:end]))
            start = end
    return SimpleNamespace(articles=(a1, a2, a3), passages=tuple(ps))


def test_resolve_references():
    c = _fake_corpus()
    assert resolve_article_ref("id:d#2", c) == ["d#2"]
    assert resolve_article_ref("d#2", c) == ["d#2"]                     # bare id
    assert resolve_article_ref("阿克陶县快递进村", c) == ["d#1"]           # bare title
    assert resolve_article_ref("title:阿克陶县 快递进村", c) == ["d#1"]    # whitespace ignored
    # text across a paragraph break, with layout spaces and full-width digits
    assert resolve_article_ref("text:建立了 １１８ 个快递", c) == ["d#1"]
    with pytest.raises(ValueError, match="matches no article"):
        resolve_article_ref("text:顺丰", c)
    with pytest.raises(ValueError, match="ambiguous"):
        resolve_article_ref("title:常州邮政", c)
    case = TestCase.from_dict({**GOOD, "gold_articles": ["text:顺丰"]})
    with pytest.raises(ValueError, match="case 'c1'"):
        resolve_gold_articles(case, c)


def test_evidence_span_and_passages():
    c = _fake_corpus()
    a1 = c.articles[0]
    s, e = find_evidence("118个行政村建立了118个快递", a1)
    assert a1.text[s:e] == "118个行政村建立了\n118个快递"
    assert find_evidence("六面消杀", a1) is None
    case = TestCase.from_dict({**GOOD, "evidence": "建立了118个快递服务点"})
    assert evidence_passages(case, c, ["d#1"]) == ["d#1:1", "d#1:2"]   # straddles both
    case2 = TestCase.from_dict({**GOOD, "evidence": "118个快递服务点"})
    assert evidence_passages(case2, c, ["d#1"]) == ["d#1:2"]
    assert evidence_passages(TestCase.from_dict(GOOD), c, ["d#1"]) == []  # no evidence


def test_squad_testset(tmp_path):
    from corpus.pipeline import load_corpus

    ctx1 = "甲" * 400 + "答案在这里。" + "乙" * 400
    data = {"version": "v1", "data": [
        {"title": "第一篇", "paragraphs": [{"context": ctx1, "qas": [
            {"id": "Q1", "question": "答案在哪？", "answers": [{"text": "答案在这里", "answer_start": 400}]}]}]},
        {"title": "第二篇", "paragraphs": [{"context": "北京是中国的首都。", "qas": [
            {"id": "Q2", "question": "中国的首都？", "answers": [{"text": "北京", "answer_start": 0},
                                                                  {"text": "北京", "answer_start": 0}]}]}]},
    ]}
    d = tmp_path / "sq"
    d.mkdir()
    (d / "mini.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    corpus = load_corpus(d)
    cases = squad_testset(d / "mini.json", corpus)
    assert [c.id for c in cases] == ["Q1", "Q2"]
    q1, q2 = cases
    assert q2.answers == ("北京",)                       # duplicates collapsed
    art1 = resolve_gold_articles(q1, corpus)
    assert len(art1) == 1 and corpus.article(art1[0]).title == "第一篇"
    assert q1.gold_passages, "the passage holding the answer start must be known"
    by_id = {p.id: p for p in corpus.passages}
    for pid in q1.gold_passages:
        p = by_id[pid]
        assert p.article_id == art1[0]
        assert p.start <= 400 < p.end
    # with 800+ characters the article is split, so passage gold is narrower than article gold
    assert len([p for p in corpus.passages if p.article_id == art1[0]]) > len(q1.gold_passages)


# ---------------------------------------------------------------- the shipped seed set
def test_seed_set_shape():
    cases = load_testset(SEED_SET)
    assert len(cases) >= 50
    tags = Counter(t for c in cases for t in c.tags)
    assert tags["unanswerable"] >= 8
    for t in ("number", "date", "list", "paraphrase", "english", "traditional", "followup"):
        assert tags[t] >= 3, t
    for c in cases:
        if c.answerable:
            assert c.evidence, c.id
        if "followup" in c.tags:
            assert c.history, c.id


@pytest.fixture(scope="module")
def seed_corpus(seed_file):
    from corpus.pipeline import load_corpus

    return load_corpus(seed_file.parent)


def test_seed_set_against_corpus(seed_corpus):
    from evaluation.metrics import loose_normalize

    cases = load_testset(SEED_SET)
    covered: Counter = Counter()
    for c in cases:
        arts = resolve_gold_articles(c, seed_corpus)
        covered.update(arts)
        if not c.answerable:
            continue
        # evidence verbatim (modulo whitespace) in a gold article, and holding an answer
        spans = [find_evidence(c.evidence, seed_corpus.article(a)) for a in arts]
        assert any(spans), f"{c.id}: evidence not found in the cleaned corpus"
        assert any(loose_normalize(a) in loose_normalize(c.evidence) for a in c.answers), c.id
        assert evidence_passages(c, seed_corpus, arts), c.id
    big = [a.id for a in seed_corpus.articles if len(a.text) >= 100]
    missing = [a for a in big if covered[a] < 3]
    assert not missing, f"articles without (enough) test cases: {missing}"


def test_readme_test_set_format_matches_the_loader(repo_root):
    """The README's evaluation-tab paragraph: its example line is a valid case, the keys it calls
    required are refused when missing, and the ones it calls optional may be left out."""
    import re

    from evaluation.testset import KNOWN_FIELDS

    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    para = readme[readme.index("An uploaded JSONL test set"):readme.index("(all the rules: `evaluation/testset.py`)")]
    example = json.loads(re.search(r"```json\n(.*?)\n\s*```", para, re.S).group(1))
    case = TestCase.from_dict(example)
    assert case.id == "akto-01" and case.answers == ("118个", "118")
    required = re.findall(r"`(\w+)`", para[para.index("**Required**"):para.index("**Optional**")])
    required = [k for k in dict.fromkeys(required) if k in KNOWN_FIELDS]
    optional = [k for k in re.findall(r"`(\w+)`", para[para.index("**Optional**"):]) if k in KNOWN_FIELDS]
    assert set(required) == {"id", "question", "answers", "gold_articles", "tags"}
    assert set(required) | set(optional) == set(KNOWN_FIELDS)
    for key in required:
        with pytest.raises(ValueError, match=f"missing required field '{key}'"):
            TestCase.from_dict({k: v for k, v in example.items() if k != key})
    unanswerable = {"id": "u", "question": "火星上有邮局吗？", "answers": [], "gold_articles": [],
                    "tags": ["unanswerable"]}
    assert not TestCase.from_dict(unanswerable).answerable  # empty lists, no optional key
