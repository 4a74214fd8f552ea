"""Evaluation metrics against cases computed by hand, and retrieval metrics against ranx."""
from __future__ import annotations

import math
import warnings

import pytest

from evaluation import metrics as M

# ---------------------------------------------------------------- retrieval, by hand
# ranked = a b c d ; relevant = {b, d, e}
RANKED = ["a", "b", "c", "d"]
REL = {"b", "d", "e"}


def test_hit_at_k_by_hand():
    assert M.hit_at_k(RANKED, REL, 1) == 0.0  # a is not relevant
    assert M.hit_at_k(RANKED, REL, 2) == 1.0  # b at rank 2
    assert M.hit_at_k(RANKED, REL, 10) == 1.0


def test_recall_at_k_by_hand():
    assert M.recall_at_k(RANKED, REL, 1) == 0.0
    assert M.recall_at_k(RANKED, REL, 3) == pytest.approx(1 / 3)   # {b} of 3 relevant
    assert M.recall_at_k(RANKED, REL, 5) == pytest.approx(2 / 3)   # {b, d}; e never retrieved


def test_reciprocal_rank_by_hand():
    assert M.reciprocal_rank_at_k(RANKED, REL, 10) == 0.5           # first relevant at rank 2
    assert M.reciprocal_rank_at_k(RANKED, REL, 1) == 0.0            # cut before it
    assert M.reciprocal_rank_at_k(["x", "y", "z", "b"], REL, 3) == 0.0


def test_ndcg_by_hand():
    # DCG = 1/log2(2+1) + 1/log2(4+1) = 0.630930 + 0.430677 = 1.061606
    # IDCG (3 relevant) = 1/log2(2) + 1/log2(3) + 1/log2(4) = 1 + 0.630930 + 0.5 = 2.130930
    assert M.ndcg_at_k(RANKED, REL, 10) == pytest.approx(1.061606 / 2.130930, abs=1e-6)
    # k = 2: DCG = 0.630930; IDCG = 1 + 0.630930 (only min(3, 2) ideal slots)
    assert M.ndcg_at_k(RANKED, REL, 2) == pytest.approx(0.630930 / 1.630930, abs=1e-6)
    assert M.ndcg_at_k(["b", "d", "e"], REL, 10) == pytest.approx(1.0)


def test_retrieval_scores_dedupes_articles():
    # passages of article A at ranks 1 and 2, B at 3: article ranking A, B
    ranked_articles = ["A", "A", "B"]
    s = M.retrieval_scores(ranked_articles, {"B"})
    assert s["hit@1"] == 0.0 and s["hit@3"] == 1.0
    assert s["mrr@10"] == 0.5                      # B is the 2nd distinct article
    assert s["ndcg@10"] == pytest.approx(1 / math.log2(3))


def test_retrieval_errors():
    with pytest.raises(ValueError, match="relevant set is empty"):
        M.hit_at_k(["a"], set(), 1)
    with pytest.raises(ValueError, match="duplicate"):
        M.recall_at_k(["a", "a"], {"a"}, 1)
    with pytest.raises(ValueError, match="k must be"):
        M.ndcg_at_k(["a"], {"a"}, 0)


def test_mean_scores():
    assert M.mean_scores([{"x": 1.0}, {"x": 0.0}, {"x": 0.5}]) == {"x": 0.5}
    assert M.mean_scores([]) == {}


# ---------------------------------------------------------------- retrieval vs ranx
FIXTURE_QRELS = {
    "q1": {"d1": 1},
    "q2": {"d2": 1, "d5": 1},
    "q3": {"d9": 1},                     # never retrieved
    "q4": {"d1": 1, "d2": 1, "d3": 1, "d4": 1},
    "q5": {"d7": 1, "d8": 1},
    "q6": {"d11": 1},
}
FIXTURE_RUN = {
    "q1": ["d1", "d2", "d3"],
    "q2": ["d3", "d5", "d4", "d2", "d6", "d7", "d8", "d9", "d10", "d11", "d12"],
    "q3": ["d1", "d2"],
    "q4": ["d4", "d9", "d3", "d8", "d2", "d7", "d6", "d5", "d0", "d1"],
    "q5": ["d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10"],
    "q6": ["d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10", "d12", "d13", "d11"],  # rank 11
}


@pytest.mark.slow  # ranx JIT-compiles its metrics with numba on first use: ~50 s on 2 cores
def test_parity_with_ranx():
    warnings.filterwarnings("ignore")
    ranx = pytest.importorskip("ranx")
    qrels = ranx.Qrels(FIXTURE_QRELS)
    run = ranx.Run({q: {d: float(100 - i) for i, d in enumerate(docs)} for q, docs in FIXTURE_RUN.items()})
    names = [f"hit_rate@{k}" for k in M.K_VALUES] + [f"recall@{k}" for k in M.K_VALUES] + ["mrr@10", "ndcg@10"]
    theirs = ranx.evaluate(qrels, run, names)
    ours = M.mean_scores([M.retrieval_scores(FIXTURE_RUN[q], FIXTURE_QRELS[q]) for q in FIXTURE_QRELS])
    for name in names:
        key = name.replace("hit_rate", "hit")
        assert ours[key] == pytest.approx(float(theirs[name]), abs=1e-9), name
    # the fixture is not trivial: metrics differ across cut-offs
    assert 0 < ours["recall@1"] < ours["recall@10"] < 1


# ---------------------------------------------------------------- answers
def test_cmrc_tokens_and_em():
    assert M.cmrc_tokens("收入4329.7万元，增长46.8%[1]") == ["收", "入", "4329.7", "万", "元", "增", "长", "46.8", "%"]
    assert M.exact_match("“红旗窗口”。[2]", ["红旗窗口"]) == 1.0      # quotes, 。 and marker dropped
    assert M.exact_match("４３２９．７万元", ["4329.7万元"]) == 1.0      # full-width folded
    assert M.exact_match("红旗", ["红旗窗口"]) == 0.0
    with pytest.raises(ValueError):
        M.exact_match("x", [])


def test_char_f1_by_hand():
    # pred tokens: 阿 克 陶 县 在 118 个 行 政 村 (10); ref: 118 个 (2); LCS = 2
    # P = 2/10, R = 2/2, F1 = 2*0.2*1/(0.2+1) = 0.4/1.2 = 1/3
    assert M.char_f1("阿克陶县在118个行政村", ["118个"]) == pytest.approx(1 / 3)
    # pred 六 面 (2); ref 六 面 消 杀 (4): P = 1, R = 0.5, F1 = 1/1.5 = 2/3
    assert M.char_f1("六面", ["六面消杀"]) == pytest.approx(2 / 3)
    # best reference wins: second reference equals the prediction
    assert M.char_f1("六面", ["六面消杀", "六面"]) == pytest.approx(1.0)
    # longest common *substring*: pred 甲 乙 丙 丁, ref 甲 丙 -> L = 1; P = 1/4, R = 1/2, F1 = 0.25/0.75 = 1/3
    assert M.char_f1("甲乙丙丁", ["甲丙"]) == pytest.approx(1 / 3)
    assert M.char_f1("", ["甲"]) == 0.0


def test_contains_reference():
    assert M.contains_reference("阿克陶县在全县 118 个行政村建立了服务点。[1]", ["118个"]) == 1.0
    assert M.contains_reference("贵州邮政收入达4329.7万元[1]", ["4329.7万元"]) == 1.0
    assert M.contains_reference("收入达4329万元", ["4329.7万元"]) == 0.0
    assert M.contains_reference("无关", ["118个", "巴仁杏干"]) == 0.0


# ---------------------------------------------------------------- citations
def test_passage_supports():
    p = "今年“双11”期间，贵州邮政快递业务收入达4329.7 万元，同比增长46.8%；"
    assert M.passage_supports(p, ["4329.7万元"])
    assert not M.passage_supports(p, ["1794.6万件"])
    ev = "甲乙丙丁戊己庚辛壬癸"           # 10 characters
    assert M.passage_supports("……戊己庚辛壬癸子丑", [], ev)       # shares 6 >= ceil(0.5*10)
    assert M.passage_supports("子丑甲乙丙丁戊", [], ev)            # shares 5 = ceil(0.5*10)
    assert not M.passage_supports("子丑甲乙丙丁", [], ev)          # shares 4 < 5
    assert not M.passage_supports("", ["x"], None)


def test_supported_sentence_share():
    text = "甲是1。[1]乙是2[2]。丙是3。"
    # sentences: "甲是1。[1]" (marker after 。 kept with it), "乙是2[2]。", "丙是3。"
    assert M.split_sentences(text) == ["甲是1。[1]", "乙是2[2]。", "丙是3。"]
    assert M.supported_sentence_share(text, {1}) == (1, 3)
    assert M.supported_sentence_share(text, {1, 2}) == (2, 3)
    assert M.supported_sentence_share("", {1}) == (0, 0)


# ---------------------------------------------------------------- refusals, latency
def test_refusal_scores_by_hand():
    refused = [True, True, False, False, True]
    answerable = [False, True, True, False, False]
    # refused & unanswerable: cases 0, 4 -> 2; refused: 3; unanswerable: 0, 3, 4 -> 3
    # refused & answerable: case 1 -> 1 of 2 answerable
    s = M.refusal_scores(refused, answerable)
    assert s["refusal_precision"] == pytest.approx(2 / 3)
    assert s["refusal_recall"] == pytest.approx(2 / 3)
    assert s["false_refusal_rate"] == pytest.approx(0.5)
    assert M.refusal_scores([False], [True])["refusal_precision"] is None  # nothing refused
    with pytest.raises(ValueError):
        M.refusal_scores([True], [True, False])


def test_latency_percentiles_by_hand():
    # sorted 10 20 30 40 100: p50 = 30; p95 at position 0.95*4 = 3.8 -> 40 + 0.8*(100-40) = 88
    s = M.latency_percentiles([100, 20, 10, 40, 30])
    assert s["latency_p50_ms"] == pytest.approx(30.0)
    assert s["latency_p95_ms"] == pytest.approx(88.0)
    assert M.latency_percentiles([])["latency_p50_ms"] is None
    with pytest.raises(ValueError):
        M.latency_percentiles([1.0, -2.0])
