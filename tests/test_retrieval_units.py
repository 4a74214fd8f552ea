"""Unit tests of the retrieval components: normalisation, tokeniser, BM25, FAISS, fusion."""
from __future__ import annotations

import math

import numpy as np
import pytest

from retrieval import dense as dense_mod
from retrieval.dense import DenseIndex, check_vectors
from retrieval.fusion import (char_bigrams, jaccard, reciprocal_rank_fusion,
                              remove_near_duplicates)
from retrieval.lexical import LexicalIndex
from retrieval.normalize import fold_script, normalize_text
from retrieval.tokenize import SCHEMES, tokenize


# -- normalisation ---------------------------------------------------------------------
def test_normalize_folds_width_script_and_case():
    assert normalize_text("衡水湖馬拉松 ＨＥＮＧＳＨＵＩ ４３２９．７萬元") == "衡水湖马拉松 hengshui 4329.7万元"
    assert fold_script("阿克陶縣設立快遞服務點") == "阿克陶县设立快递服务点"
    assert fold_script("阿克陶县") == "阿克陶县"  # Simplified passes through
    with pytest.raises(TypeError):
        normalize_text(None)  # type: ignore[arg-type]


# -- tokeniser -------------------------------------------------------------------------
@pytest.mark.parametrize("scheme", SCHEMES)
def test_tokenizer_keeps_numbers_and_names_matchable(scheme):
    passage = set(tokenize("今年“双 11”期间，贵州邮政快递业务收入达 4329.7 万元，同比增长 46.8%；阿克陶县", scheme))
    assert {"4329.7", "46.8"} <= passage
    query = tokenize("4329.7万元", scheme)
    assert "4329.7" in query and set(query) <= passage
    assert set(tokenize("阿克陶县", scheme)) <= passage
    assert not any(t.strip("，。；“”% ") == "" for t in passage)  # no punctuation-only tokens


def test_tokenizer_words_scheme_details():
    toks = tokenize("快递业务收入达4329.7万元，阿克陶县 COVID-19 Ｈｅｌｌｏ", "words")
    assert toks[:7] == ["快递", "业务", "收入", "业务收入", "达", "4329.7", "万元"]
    assert "阿克陶县" in toks and "covid" in toks and "19" in toks and "hello" in toks
    assert tokenize("，。！ ？  ", "words+bigrams") == []
    assert tokenize("阿克陶縣", "words") == tokenize("阿克陶县", "words")


def test_tokenizer_bigrams_scheme():
    assert tokenize("快递进村，邮 4329.7万元 Hello", "bigrams") == ["快递", "递进", "进村", "邮", "4329.7", "万元", "hello"]
    with pytest.raises(ValueError, match="words\\+bigrams"):
        tokenize("x", "trigrams")


# -- BM25 ------------------------------------------------------------------------------
DOCS = [
    "阿克陶县邮政分公司在全县118个行政村建立了118个快递服务点。",
    "贵州邮政快递业务收入达4329.7万元，同比增长46.8%。",
    "衡水湖国际马拉松赛自2012年开始每年举办一届。",
    "邮政快递进村，快递服务点设到群众家门口，快递快递。",
    "江苏省邮政分公司召开电视电话会议。",
]


def reference_bm25(docs_tokens, query_tokens, k1=1.5, b=0.75):
    """Straightforward BM25 (Lucene idf: ln(1 + (N - df + 0.5)/(df + 0.5)))."""
    n = len(docs_tokens)
    avgdl = sum(len(d) for d in docs_tokens) / n
    out = []
    for d in docs_tokens:
        s = 0.0
        for t in dict.fromkeys(query_tokens):
            df = sum(1 for x in docs_tokens if t in x)
            if df == 0:
                continue
            tf = d.count(t)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            s += idf * tf / (tf + k1 * (1 - b + b * len(d) / avgdl))
        out.append(s)
    return np.array(out)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("query", ["快递服务点", "贵州邮政快递业务收入是多少？", "马拉松 2012年", "邮政 邮政 快递"])
def test_bm25_matches_reference_formula(scheme, query):
    idx = LexicalIndex.build(DOCS, scheme)
    ref = reference_bm25([tokenize(d, scheme) for d in DOCS], tokenize(query, scheme))
    got = idx.scores(query)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-6)
    hits = idx.search(query, 3)
    assert [i for i, _ in hits] == [int(i) for i in np.argsort(-ref, kind="stable")[:len(hits)]]


def test_bm25_unknown_and_empty_queries_and_round_trip(tmp_path):
    idx = LexicalIndex.build(DOCS)
    assert idx.search("鳄鱼恐龙", 5) == []
    assert idx.search("qwertyuiop", 5) == []
    assert idx.search("。。。", 5) == []
    assert idx.search("阿克陶县", 5)[0][0] == 0
    with pytest.raises(ValueError):
        idx.search("x", 0)
    idx.save(tmp_path / "bm25")
    again = LexicalIndex.load(tmp_path / "bm25")
    assert again.scheme == idx.scheme and again.n_docs == 5
    np.testing.assert_allclose(again.scores("快递服务点"), idx.scores("快递服务点"))
    empty = LexicalIndex.build([])
    assert empty.search("快递", 3) == []
    empty.save(tmp_path / "e")
    assert LexicalIndex.load(tmp_path / "e").search("快递", 3) == []


# -- FAISS -----------------------------------------------------------------------------
def _unit(n, d, seed=0):
    v = np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_dense_flat_exact_and_round_trip(tmp_path):
    v = _unit(200, 32)
    idx = DenseIndex.build(v)
    assert idx.kind == "flat-ip" and idx.ntotal == 200
    hits = idx.search(v[7], 5)
    assert hits[0][0] == 7 and hits[0][1] == pytest.approx(1.0, abs=1e-5)
    brute = np.argsort(-(v @ v[7]))[:5]
    assert [i for i, _ in hits] == list(brute)
    assert len(idx.search(v[0], 1000)) == 200
    idx.save(tmp_path / "d.faiss")
    assert DenseIndex.load(tmp_path / "d.faiss").search(v[7], 5) == hits
    with pytest.raises(ValueError, match="dimension"):
        idx.search(np.ones(8, dtype=np.float32), 3)


def test_dense_hnsw_above_threshold_has_high_recall(monkeypatch):
    monkeypatch.setattr(dense_mod, "EXACT_MAX_VECTORS", 500)
    v = _unit(3000, 32, seed=1)
    idx = DenseIndex.build(v)
    assert idx.kind == "hnsw-ip"
    q = _unit(50, 32, seed=2)
    recall = []
    for row in q:
        truth = set(np.argsort(-(v @ row))[:10])
        recall.append(len(truth & {i for i, _ in idx.search(row, 10)}) / 10)
    assert np.mean(recall) >= 0.95


def test_check_vectors_rejects_bad_input():
    with pytest.raises(ValueError, match="L2-normalised"):
        check_vectors(np.ones((2, 4), dtype=np.float32))
    with pytest.raises(ValueError, match="dimension"):
        check_vectors(_unit(2, 4), dim=8)
    with pytest.raises(ValueError, match="NaN"):
        check_vectors(np.full((1, 4), np.nan, dtype=np.float32))


# -- fusion ----------------------------------------------------------------------------
def test_rrf_hand_computed():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "d"]], rrf_k=60)
    assert [x for x, _ in fused] == ["b", "c", "a", "d"]
    expected = {"a": 1 / 61, "b": 1 / 62 + 1 / 61, "c": 1 / 63 + 1 / 62, "d": 1 / 63}
    for x, s in fused:
        assert s == pytest.approx(expected[x])


def test_rrf_weights_and_ties():
    # weights (1, 3): d = 3/63 = 0.0476 beats a = 1/61 = 0.0164; b = 1/62 + 3/61
    fused = dict(reciprocal_rank_fusion([["a", "b"], ["b", "c", "d"]], rrf_k=60, weights=[1, 3]))
    assert fused["b"] == pytest.approx(1 / 62 + 3 / 61)
    assert fused["d"] == pytest.approx(3 / 63) and fused["d"] > fused["a"]
    # k=0, mirrored lists: equal scores 1.5; tie goes to the first list's top item
    assert reciprocal_rank_fusion([["x", "y"], ["y", "x"]], rrf_k=0) == [("x", 1.5), ("y", 1.5)]
    # a repeat inside one ranking counts once
    assert reciprocal_rank_fusion([["x", "x", "y"]], rrf_k=0) == [("x", 1.0), ("y", 1 / 3)]
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], weights=[1, 2])
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], rrf_k=-1)


def test_near_duplicate_removal_hand_computed():
    base = "邮政快递进村服务全面覆盖"          # 12 characters, 11 bigrams
    plus_one = base + "。"                   # 12 bigrams, 11 shared: Jaccard 11/12 = 0.917
    plus_two = base + "率高"                 # 13 bigrams, 11 shared: 11/13 = 0.846
    spaced = "邮 政 快递进村服务全面覆盖"       # identical once whitespace is removed
    assert jaccard(char_bigrams(base), char_bigrams(plus_one)) == pytest.approx(11 / 12)
    items = [base, plus_one, "完全不同的文本", spaced, plus_two]
    assert remove_near_duplicates(items, lambda t: t) == [base, "完全不同的文本", plus_two]
    assert remove_near_duplicates(items, lambda t: t, limit=2) == [base, "完全不同的文本"]
    assert remove_near_duplicates(items, lambda t: t, threshold=0.8) == [base, "完全不同的文本"]
    assert remove_near_duplicates(["衛生", "卫生"], lambda t: t) == ["衛生"]  # script-folded
    with pytest.raises(ValueError):
        remove_near_duplicates(items, lambda t: t, threshold=0)


def test_search_mode_is_a_str_enum_and_rejects_unknown_modes():
    from retrieval.types import SearchMode

    assert SearchMode.BM25 == "bm25" and SearchMode("hybrid") is SearchMode.HYBRID
    assert SearchMode.parse("dense") is SearchMode.DENSE and str(SearchMode.DENSE) == "dense"
    assert [m.value for m in SearchMode] == ["hybrid", "dense", "bm25"]
    with pytest.raises(ValueError, match="valid modes: hybrid, dense, bm25"):
        SearchMode.parse("sparse")
    with pytest.raises(ValueError, match="unknown search mode"):
        SearchMode.parse(None)


def test_bm25_from_token_ids_equals_bm25s_own_index(seed_file):
    """LexicalIndex.build_from_ids (numpy) builds bm25s's lucene score matrix exactly."""
    import re

    import bm25s
    import numpy as np

    from retrieval.lexical import LexicalIndex, tokenize_ids

    texts = [x for x in re.split(r"\n\s*\n", seed_file.read_text(encoding="utf-8")) if x.strip()]
    vocab: dict[str, int] = {}
    ids = tokenize_ids(texts, "words+bigrams", vocab)
    ours = LexicalIndex.build_from_ids(ids, vocab, "words+bigrams")
    ref = bm25s.BM25(k1=1.5, b=0.75, method="lucene")
    ref.index(bm25s.tokenization.Tokenized(ids=[x.tolist() for x in ids], vocab=dict(vocab)),
              show_progress=False)
    for key in ("indices", "indptr"):
        assert np.array_equal(ours.bm25.scores[key], ref.scores[key])
    assert np.allclose(ours.bm25.scores["data"], ref.scores["data"], rtol=1e-6)
    assert ours.bm25.vocab_dict == ref.vocab_dict
    ref_index = LexicalIndex(ref, "words+bigrams", len(texts))
    for q in ("衡水湖马拉松", "贵州邮政快递业务收入"):
        assert np.allclose(ours.scores(q), ref_index.scores(q), rtol=1e-6)
        assert ours.search(q, 3) == ref_index.search(q, 3) or \
            [i for i, _ in ours.search(q, 3)] == [i for i, _ in ref_index.search(q, 3)]


def test_script_of_is_the_script_most_of_the_characters_belong_to():
    """A Simplified text with one variant character OpenCC t2s changes (凉茶舖: 舖 -> 铺; 5 CMRC
    trial passages) is Simplified, not Traditional."""
    from text.fold import script_of

    assert script_of("阿克陶縣設立快遞服務點") == "traditional"
    assert script_of("阿克陶县设立快递服务点") == "simplified"
    assert script_of("除了喝凉茶，凉茶舖还能做什么？") == "simplified"
    assert script_of("除了喝涼茶，涼茶舖還能做什麼？") == "traditional"
    assert script_of("人口") == "simplified"          # the same in both scripts
    assert script_of("How many? 🙂") == "none"
    assert script_of("") == "none"


def test_script_of_a_traditional_text_with_characters_both_scripts_write():
    """DRCD test questions (Taiwan Traditional) holding characters both scripts write, which
    OpenCC s2t still changes (峰 -> 峯, 吃 -> 喫, 台 -> 臺): they were called Simplified, and the
    reader read them converted to Traditional, with 峯 (DRCD val ``坦尚尼亞的最高峰…``: the
    right answer 吉力馬札羅山 became 赤道以南)."""
    from text.fold import script_of

    assert script_of("坦尚尼亞的最高峰也是哪一州的最高峰?") == "traditional"
    assert script_of("在香港哪一區域可以吃遍美食？") == "traditional"
    assert script_of("多少米為毓秀台的高度?") == "traditional"          # 為 against 台: a tie
    assert script_of("查理大帝在哪一年占領了杜林?") == "traditional"
    assert script_of("坦尚尼亚的最高峰也是哪一州的最高峰?") == "simplified"
    assert script_of("多少米为毓秀台的高度?") == "simplified"


def test_to_script_in_taiwan_standard_characters():
    from text.fold import to_script

    assert to_script("最高峰，吃遍", "traditional") == "最高峯，喫遍"          # OpenCC s2t: older variants
    assert to_script("最高峰，吃遍", "traditional", taiwan=True) == "最高峰，吃遍"
    assert to_script("贵州邮政", "traditional", taiwan=True) == "貴州郵政"
    assert to_script("貴州郵政", "simplified", taiwan=True) == "贵州邮政"     # no effect on Simplified
