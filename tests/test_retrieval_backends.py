"""Both search backends (embedded FAISS + bm25s, Milvus via milvus-lite): filters, writes,
identical rankings, migration without re-embedding; fusion rules hand-computed (fast:
HashingEncoder, a small JSON Lines corpus)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from corpus.pipeline import load_corpus
from retrieval.backend import FaissBackend, RowMeta, SearchFilters
from retrieval.build import build_index
from retrieval.dense import DenseIndex
from retrieval.encoder import HashingEncoder
from retrieval.fusion import Adaptive, FusionConfig, FusionMethod, Normalization, fuse, leg_confidence
from retrieval.lexical import LexicalIndex
from retrieval.searcher import Retriever
from tests.test_retrieval_index import ARTICLES, CountingEncoder, write_seeds

DATES = {"akto": "2021-10-08", "guizhou": "2021-11-12", "hengshui": "2021-09-20", "changzhou": "2021-12-01"}
DATED = [dict(a, date=DATES[a["id"]]) if a["id"] in DATES else dict(a) for a in ARTICLES]
QUERIES = ["贵州邮政快递业务收入", "阿克陶縣建立了多少個快遞服務點？", "衡水湖马拉松从哪一年开始举办？",
           "常州进口国际邮件消杀", "快递"]


def _art(hit) -> str:
    return hit.passage.article_id.split(":")[-1].split("#")[0]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return load_corpus(write_seeds(tmp_path_factory.mktemp("b") / "seeds", DATED))


@pytest.fixture(scope="module")
def faiss_retriever(corpus):
    return Retriever.from_corpus(corpus, HashingEncoder(64))


@pytest.fixture(scope="module")
def milvus_retriever(corpus, milvus_lite_dir):
    from retrieval.milvus import MilvusConfig

    r = Retriever.from_corpus(corpus, HashingEncoder(64))
    r.attach_milvus(MilvusConfig(str(milvus_lite_dir / "backends.db")))
    return r


@pytest.fixture(params=["faiss", "milvus"])
def retriever(request):
    return request.getfixturevalue(f"{request.param}_retriever")


# -- filters ------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_filters_restrict_every_mode(retriever, mode):
    only = SearchFilters(article_ids=("news:guizhou#1",))
    hits = retriever.search("快递", top_k=5, mode=mode, filters=only)
    assert hits and {_art(h) for h in hits} == {"guizhou"}
    autumn = SearchFilters(date_from="2021-10-01", date_to="2021-11-30")
    hits = retriever.search("快递 邮件 马拉松", top_k=5, mode=mode, filters=autumn)
    assert hits and {_art(h) for h in hits} <= {"akto", "guizhou"}
    # the undated reprint fails any date bound; the source filter keeps everything here
    assert all(_art(h) != "dup" for h in retriever.search("衡水湖马拉松", top_k=5, mode=mode,
                                                         filters=SearchFilters(date_to="2030-01-01")))
    src = SearchFilters(sources=("news.jsonl",))
    assert len(retriever.search("快递", top_k=3, mode=mode, filters=src)) == len(
        retriever.search("快递", top_k=3, mode=mode))
    assert retriever.search("快递", top_k=3, mode=mode, filters=SearchFilters(sources=("other.txt",))) == []


def test_filter_applies_before_the_top_n(retriever):
    # hengshui ranks low for this query; restricted to it, it is still found
    hits = retriever.search("贵州邮政快递业务收入", top_k=2, mode="dense",
                            filters=SearchFilters(article_ids=("news:hengshui#1",)))
    assert hits and all(_art(h) == "hengshui" for h in hits)


def test_filters_validate_their_input(faiss_retriever):
    with pytest.raises(ValueError, match="ISO date"):
        SearchFilters(date_from="12/01/2021")
    with pytest.raises(ValueError, match="after"):
        SearchFilters(date_from="2021-12-01", date_to="2021-01-01")
    with pytest.raises(ValueError, match="matches nothing"):
        SearchFilters(article_ids=())
    assert SearchFilters(article_ids="a").article_ids == ("a",)
    assert SearchFilters().empty and not SearchFilters(date_to="2021-01-01").empty
    with pytest.raises(ValueError, match="SearchFilters"):
        faiss_retriever.search("快递", filters={"date_from": "2021-01-01"})  # type: ignore[arg-type]


# -- the two backends agree -----------------------------------------------------------
@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_milvus_ranks_as_faiss(faiss_retriever, milvus_retriever, mode):
    for q in QUERIES:
        a = faiss_retriever.search(q, top_k=5, mode=mode)
        b = milvus_retriever.search(q, top_k=5, mode=mode)
        assert [h.passage.id for h in a] == [h.passage.id for h in b], q
        assert [h.dense_score is None for h in a] == [h.dense_score is None for h in b]
        if mode == "dense":
            assert [h.score for h in a] == pytest.approx([h.score for h in b], abs=1e-5)


def test_milvus_jieba_analyzer_folds_traditional(corpus, milvus_lite_dir):
    from retrieval.milvus import LexicalAnalyzer, MilvusConfig

    r = Retriever.from_corpus(corpus, HashingEncoder(64))
    r.attach_milvus(MilvusConfig(str(milvus_lite_dir / "jieba.db"), analyzer=LexicalAnalyzer.JIEBA))
    hits = r.search("阿克陶縣快遞服務點", top_k=3, mode="bm25")
    assert hits and _art(hits[0]) == "akto"
    assert r.search("qwertyuiop", top_k=3, mode="bm25") == []


# -- writes -----------------------------------------------------------------------------
def _rows(n, dim=8, seed=0):
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((n, dim)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    meta = [RowMeta(f"p{i}", f"a{i % 3}", "标题", 1, "s.txt", f"2021-0{1 + i % 9}-01") for i in range(n)]
    texts = [f"第{i}段 快递 编号{i}" for i in range(n)]
    return v, meta, texts


def _faiss(n):
    v, meta, texts = _rows(n)
    return FaissBackend(DenseIndex.build(v), LexicalIndex.build(texts), v, meta, texts), v


def _milvus(n, directory):
    from retrieval.milvus import MilvusBackend, MilvusConfig

    v, meta, texts = _rows(n)
    b = MilvusBackend(MilvusConfig(str(directory / "writes.db"), collection="writes"), 8)
    b.create()
    b.add(list(range(n)), meta, texts, v)
    return b, v


@pytest.mark.parametrize("kind", ["faiss", "milvus"])
def test_add_and_remove_keep_row_ids(kind, request):
    b, v = _faiss(6) if kind == "faiss" else _milvus(6, request.getfixturevalue("milvus_lite_dir"))
    assert b.count == 6
    assert b.dense_search(v[4], 1)[0][0] == 4
    b.remove([1, 4, 99])
    assert b.count == 4
    assert 4 not in dict(b.dense_search(v[4], 6)) and b.dense_search(v[5], 1)[0][0] == 5
    nv, nmeta, ntexts = _rows(1, seed=7)
    b.add([10], nmeta, ["新增 独有词语"], nv)
    assert b.count == 5 and b.dense_search(nv[0], 1)[0][0] == 10
    assert b.lexical_search("独有词语", 3)[0][0] == 10
    b.add([10], nmeta, ["替换 另一个"], nv)  # same id: replaced, not duplicated
    assert b.count == 5 and b.lexical_search("独有词语", 3) == []
    assert set(b.dense_scores(v[0], [0, 2, 10])) == {0, 2, 10}
    assert b.dense_scores(v[0], [0])[0] == pytest.approx(1.0, abs=1e-5)
    flt = SearchFilters(date_from="2021-03-01", date_to="2021-03-31")
    assert [r for r, _ in b.dense_search(v[2], 6, flt)] == [2]


def test_milvus_bulk_load_in_batches_without_flush(milvus_lite_dir, monkeypatch):
    """A load in several ``add(flush=False)`` calls, each of several pipelined batches,
    writes every row once; after ``flush()`` each row is found by its vector and its text."""
    import retrieval.milvus as rm

    monkeypatch.setattr(rm, "INSERT_BATCH", 3)
    v, meta, texts = _rows(11)
    b = rm.MilvusBackend(rm.MilvusConfig(str(milvus_lite_dir / "bulk.db"), collection="bulk"), 8)
    b.create()
    for s in (0, 7):
        b.add(list(range(s, min(11, s + 7))), meta[s:s + 7], texts[s:s + 7], v[s:s + 7], upsert=False, flush=False)
    b.flush()
    assert b.count == 11
    assert [b.dense_search(v[i], 1)[0][0] for i in range(11)] == list(range(11))
    assert [b.lexical_search(f"编号{i}", 1)[0][0] for i in (0, 5, 10)] == [0, 5, 10]


def test_milvus_add_raises_the_error_of_a_refused_batch(milvus_lite_dir, monkeypatch):
    """A batch the engine refuses (a passage id over its VARCHAR limit) raises from
    ``add``; the batches before it stay written."""
    import retrieval.milvus as rm

    monkeypatch.setattr(rm, "INSERT_BATCH", 2)
    v, meta, texts = _rows(4)
    meta[3] = RowMeta("p" * 2000, "a0", "标题", 1, "s.txt", "")
    b = rm.MilvusBackend(rm.MilvusConfig(str(milvus_lite_dir / "refused.db"), collection="refused"), 8)
    b.create()
    with pytest.raises(Exception, match="length"):
        b.add(list(range(4)), meta, texts, v, upsert=False)
    b.flush()
    assert b.count == 2


# -- migration and --store milvus --------------------------------------------------------
def test_migrate_cli_then_open_with_milvus_without_re_embedding(tmp_path, milvus_lite_dir):
    seeds = write_seeds(tmp_path / "seeds", DATED)
    index = tmp_path / "index"
    build_index(seeds, index, HashingEncoder(64), show_progress=False)
    uri = str(milvus_lite_dir / "migrated.db")
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    res = subprocess.run([sys.executable, "-m", "retrieval", "migrate", "--to", "milvus", "--milvus-uri", uri,
                          "--index", str(index)], capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    n = json.loads((index / "current" / "manifest.json").read_text())["passage_count"]
    assert f"{n} rows" in res.stdout
    enc = CountingEncoder(64)
    m = Retriever.open(index, seeds_dir=seeds, encoder=enc, store_kind="milvus", milvus_uri=uri)
    assert m.backend.name == "milvus" and enc.passages_encoded == 0
    f = Retriever.open(index, seeds_dir=seeds, encoder=HashingEncoder(64))
    for q in QUERIES:
        assert [h.passage.id for h in m.search(q, top_k=3)] == [h.passage.id for h in f.search(q, top_k=3)]
    bad = subprocess.run([sys.executable, "-m", "retrieval", "migrate", "--to", "milvus", "--milvus-uri", uri,
                          "--index", str(tmp_path / "nothing")], capture_output=True, text=True, env=env,
                         timeout=300)
    assert bad.returncode == 2 and "error:" in bad.stderr


def test_open_rejects_an_unknown_store(tmp_path):
    seeds = write_seeds(tmp_path / "seeds")
    with pytest.raises(ValueError, match="faiss, milvus"):
        Retriever.open(tmp_path / "i", seeds_dir=seeds, encoder=HashingEncoder(64), store_kind="elastic")


# -- fusion rules, hand-computed ----------------------------------------------------------
def test_convex_minmax_fusion_hand_computed():
    dense = [("a", 0.9), ("b", 0.8), ("c", 0.5)]
    lexical = [("c", 10.0), ("a", 5.0), ("d", 0.0001)]
    cfg = FusionConfig(method=FusionMethod.CONVEX, weights=(0.5, 0.5), adaptive=Adaptive.NONE)
    got = dict(fuse(dense, lexical, cfg))
    # dense min-max: a 1, b 0.75, c 0; lexical: c 1, a ~0.49999, d 0; missing -> leg minimum 0
    assert got["a"] == pytest.approx(0.5 * 1 + 0.5 * (5.0 - 0.0001) / (10.0 - 0.0001))
    assert got["b"] == pytest.approx(0.375) and got["c"] == pytest.approx(0.5) and got["d"] == pytest.approx(0.0)
    assert [i for i, _ in fuse(dense, lexical, cfg)] == ["a", "c", "b", "d"]
    # no BM25 match: the dense order survives
    assert [i for i, _ in fuse(dense, [], cfg)] == ["a", "b", "c"]


def test_convex_tmm_uses_theoretical_minimum():
    dense = [("a", 0.9), ("b", 0.45)]
    lexical = [("b", 4.0), ("a", 3.0)]
    got = dict(fuse(dense, lexical, FusionConfig(method=FusionMethod.CONVEX, normalization=Normalization.TMM,
                                                 weights=(0.5, 0.5), adaptive=Adaptive.NONE)))
    assert got["a"] == pytest.approx(0.5 * 1.0 + 0.5 * 0.75)
    assert got["b"] == pytest.approx(0.5 * 0.5 + 0.5 * 1.0)


def test_gap_adaptive_weights_follow_the_confident_leg():
    assert leg_confidence([10.0, 5.0, 0.0], 0.0) == pytest.approx(0.5)
    assert leg_confidence([3.0], 0.0) == 1.0 and leg_confidence([], 0.0) == 0.0
    assert leg_confidence([2.0, 2.0], 0.0) == 0.0
    dense = [("x", 0.90), ("y", 0.89), ("z", 0.5)]  # flat top: not confident
    lexical = [("y", 20.0), ("x", 2.0)]  # y stands out
    plain = FusionConfig(method=FusionMethod.RRF, weights=(1.0, 1.0), adaptive=Adaptive.NONE)
    assert fuse(dense, lexical, plain)[0][0] == "x"  # tie on RRF goes to dense's first
    adaptive = FusionConfig(method=FusionMethod.RRF, weights=(1.0, 1.0), adaptive=Adaptive.GAP)
    assert fuse(dense, lexical, adaptive)[0][0] == "y"


def test_fusion_config_validates_and_round_trips():
    for bad in ({"weights": (-1, 1)}, {"weights": (0, 0)}, {"rrf_k": -1}, {"candidates": 0},
                {"method": "borda"}, {"normalization": "z"}, {"adaptive": "always"}):
        with pytest.raises(ValueError):
            FusionConfig(**bad)
    cfg = FusionConfig(method="convex", weights=[0.4, 0.6], normalization="tmm", adaptive="gap")
    assert cfg.method is FusionMethod.CONVEX and cfg.weights == (0.4, 0.6)
    assert FusionConfig.from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg


def test_default_fusion_is_the_measured_rule_and_is_recorded():
    cfg = FusionConfig()
    assert (cfg.method, cfg.normalization, cfg.adaptive, cfg.weights) == (
        FusionMethod.CONVEX, Normalization.MINMAX, Adaptive.GAP, (0.5, 0.5))
    # a leg whose top hit stands out wins over a flat one, whatever the raw score scales
    dense = [("x", 0.86), ("y", 0.85), ("z", 0.80)]
    lexical = [("y", 30.0), ("x", 3.0), ("z", 2.0)]
    assert fuse(dense, lexical, cfg)[0][0] == "y"
    assert fuse([("x", 0.95), ("y", 0.80), ("z", 0.79)], [("y", 5.0), ("x", 4.9), ("z", 1.0)], cfg)[0][0] == "x"


def test_retriever_records_its_fusion_in_the_manifest(corpus):
    rule = FusionConfig(method="rrf", weights=(1.0, 2.0), adaptive="none")
    r = Retriever.from_corpus(corpus, HashingEncoder(64), fusion=rule)
    assert r.fusion == rule and FusionConfig.from_dict(r.manifest.fusion) == rule
    assert FusionConfig.from_dict(Retriever.from_corpus(corpus, HashingEncoder(64)).manifest.fusion) == FusionConfig()
    with pytest.raises(ValueError, match="FusionConfig"):
        Retriever.from_corpus(corpus, HashingEncoder(64), fusion={"method": "rrf"})
