"""Index build/load, staleness, corruption, atomicity, the Retriever and the CLI (fast:
HashingEncoder, a small JSON Lines corpus written here)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from corpus.pipeline import corpus_fingerprint, load_corpus
from retrieval import store
from retrieval.build import build_index
from retrieval.encoder import HashingEncoder
from retrieval.lexical import LexicalIndex
from retrieval.searcher import Retriever
from retrieval.store import IndexCorruptError, IndexMissingError, IndexStaleError

REPO = Path(__file__).resolve().parents[1]

ARTICLES = [
    {"id": "akto", "title": "快递进村惠民生",
     "text": "阿克陶县分公司在全县118个行政村建立了118个快递服务点，为服务点统一配备标识牌、货柜等设施。\n"
             "木吉乡布拉克村距离县城近250公里，是全县最偏远的乡村。"},
    {"id": "guizhou", "title": "“五送”快递员 为旺季生产加油",
     "text": "今年“双11”期间，贵州邮政快递业务收入达4329.7万元，同比增长46.8%。\n"
             "贵阳邮区中心累计处理邮件1794.6万件，同比增长35.5%。"},
    {"id": "hengshui", "title": "十年牵手 共向未来",
     "text": "衡水湖国际马拉松赛自2012年开始每年举办一届。\n"
             "今年需要配送150吨物资，邮政安排了68辆配送车辆。"},
    {"id": "changzhou", "title": "严把进口国际邮件防疫关",
     "text": "江苏省常州市邮政分公司专门开辟独立密闭场地处理进口国际邮件，对邮件进行六面消杀。"},
    {"id": "dup", "title": "十年牵手 共向未来",  # a reprint: same title and text as hengshui
     "text": "衡水湖国际马拉松赛自2012年开始每年举办一届。\n"
             "今年需要配送150吨物资，邮政安排了68辆配送车辆。"},
]


def write_seeds(directory: Path, articles=ARTICLES) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "news.jsonl", "w", encoding="utf-8") as f:
        for a in articles:
            f.write(json.dumps(a, ensure_ascii=False) + "\n")
    return directory


class CountingEncoder(HashingEncoder):
    """HashingEncoder that counts the passage texts it embeds."""

    def __init__(self, dim: int = 64) -> None:
        super().__init__(dim)
        self.passages_encoded = 0
        self.queries_encoded = 0

    def encode_passages(self, texts, batch_size=32, show_progress=False):
        self.passages_encoded += len(texts)
        return super().encode_passages(texts)

    def encode_queries(self, texts):
        self.queries_encoded += len(texts)
        return super().encode_queries(texts)


@pytest.fixture()
def seeds(tmp_path):
    return write_seeds(tmp_path / "seeds")


@pytest.fixture()
def built(tmp_path, seeds):
    index = tmp_path / "index"
    index.mkdir()
    (index / "README.md").write_text("keep me\n", encoding="utf-8")
    build_index(seeds, index, HashingEncoder(64), show_progress=False)
    return index


def _top_article(hits):
    return hits[0].passage.article_id.split(":")[-1].split("#")[0]


# -- build / load ----------------------------------------------------------------------
def test_build_then_open_round_trip(built, seeds):
    cur = built / "current"
    names = {p.relative_to(cur).as_posix() for p in cur.rglob("*") if p.is_file()}
    assert {"manifest.json", "articles.jsonl", "passages.jsonl", "dense.faiss", "embeddings.npy",
            "embeddings.json", "bm25/lexical.json"} <= names
    assert (built / "README.md").read_text(encoding="utf-8") == "keep me\n"
    assert not list(built.glob(".tmp-*")) and not list(built.glob(".old-*"))

    corpus = load_corpus(seeds)
    m = json.loads((cur / "manifest.json").read_text(encoding="utf-8"))
    assert m["model_id"] == HashingEncoder(64).model_id and m["dim"] == 64
    assert m["corpus_fingerprint"] == corpus_fingerprint(seeds)
    assert m["passage_count"] == len(corpus.passages) and m["article_count"] == len(corpus.articles) == 5
    assert m["bm25_scheme"] == "words+bigrams" and m["dense_index"] == "flat-ip"
    assert "faiss-cpu" in m["versions"] and "bm25s" in m["versions"]

    r = Retriever.open(built, seeds_dir=seeds, encoder=HashingEncoder(64), rebuild=False)
    mem = Retriever.from_corpus(corpus, HashingEncoder(64))
    assert r.corpus.passages == corpus.passages and r.corpus.articles == corpus.articles
    assert r.manifest.passage_count == len(corpus.passages)
    for mode in ("hybrid", "dense", "bm25"):
        a = r.search("贵州邮政快递业务收入", top_k=3, mode=mode)
        b = mem.search("贵州邮政快递业务收入", top_k=3, mode=mode)
        assert [h.passage.id for h in a] == [h.passage.id for h in b]
        assert [h.score for h in a] == pytest.approx([h.score for h in b])


def test_open_without_index_builds_or_says_missing(tmp_path, seeds):
    with pytest.raises(IndexMissingError, match="retrieval build"):
        Retriever.open(tmp_path / "none", encoder=HashingEncoder(64))
    r = Retriever.open(tmp_path / "idx", seeds_dir=seeds, encoder=HashingEncoder(64))
    assert (tmp_path / "idx" / "current" / "manifest.json").is_file()
    assert _top_article(r.search("阿克陶县快递服务点", mode="bm25")) == "akto"


def test_model_mismatch_rebuilds_or_raises(built, seeds):
    with pytest.raises(IndexStaleError, match="model"):
        Retriever.open(built, seeds_dir=seeds, encoder=HashingEncoder(32), rebuild=False)
    with pytest.raises(IndexStaleError, match="model"):
        Retriever.open(built, encoder=HashingEncoder(32))  # no seeds: cannot rebuild
    r = Retriever.open(built, seeds_dir=seeds, encoder=HashingEncoder(32))
    assert r.manifest.model_id == HashingEncoder(32).model_id and r.manifest.dim == 32
    assert json.loads((built / "current" / "manifest.json").read_text())["dim"] == 32


def test_corpus_change_rebuilds(built, seeds):
    extra = ARTICLES + [{"id": "new", "title": "新文章", "text": "邮储银行安徽省分行组织专题辅导报告会。"}]
    write_seeds(seeds, extra)
    with pytest.raises(IndexStaleError, match="corpus changed"):
        Retriever.open(built, seeds_dir=seeds, encoder=HashingEncoder(64), rebuild=False)
    r = Retriever.open(built, seeds_dir=seeds, encoder=HashingEncoder(64))
    assert r.manifest.article_count == 6
    assert _top_article(r.search("安徽省分行专题辅导", mode="bm25")) == "new"


def test_rebuild_reuses_embeddings_of_unchanged_passages(tmp_path, seeds):
    index = tmp_path / "index"
    enc = CountingEncoder()
    m1 = build_index(seeds, index, enc, show_progress=False)
    n = m1.passage_count
    # identical passages (the reprint) are embedded once
    unique = len({(p.title, p.display_text) for p in load_corpus(seeds).passages})
    assert unique < n
    assert enc.passages_encoded == unique and m1.embedded == unique and m1.reused == n - unique
    m2 = build_index(seeds, index, enc, show_progress=False)
    assert enc.passages_encoded == unique and m2.embedded == 0 and m2.reused == n
    changed = [dict(a) for a in ARTICLES]
    changed[3]["text"] = "常州市邮政分公司加密核酸检测频次。"  # one passage changes
    write_seeds(seeds, changed)
    m3 = build_index(seeds, index, enc, show_progress=False)
    assert enc.passages_encoded == unique + 1 and m3.embedded == 1 and m3.reused == n - 1
    # a different model never reuses
    other = CountingEncoder(dim=32)
    build_index(seeds, index, other, show_progress=False)
    assert other.passages_encoded == unique
    # the reused vectors are the right ones
    r = Retriever.open(index, seeds_dir=seeds, encoder=CountingEncoder(64))
    fresh = Retriever.from_corpus(load_corpus(seeds), CountingEncoder(64))
    np.testing.assert_allclose(r._c.vectors, fresh._c.vectors, atol=1e-6)


# -- corruption and atomicity --------------------------------------------------------------
def test_corrupt_faiss_file_gives_clear_error_or_rebuild(built, seeds):
    (built / "current" / "dense.faiss").write_bytes(b"not a faiss index")
    with pytest.raises(IndexCorruptError, match="dense.faiss") as e:
        Retriever.open(built, encoder=HashingEncoder(64))
    assert e.value.path.name == "dense.faiss"
    r = Retriever.open(built, seeds_dir=seeds, encoder=HashingEncoder(64))  # rebuilds
    assert r.search("衡水湖马拉松", top_k=1)


def test_corrupt_faiss_without_checksum_is_caught_by_faiss(built):
    cur = built / "current"
    (cur / "dense.faiss").write_bytes(b"garbage")
    m = json.loads((cur / "manifest.json").read_text())
    m["files"]["dense.faiss"] = store.sha256_file(cur / "dense.faiss")  # checksum matches now
    (cur / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(IndexCorruptError, match="FAISS cannot read"):
        Retriever.open(built, encoder=HashingEncoder(64))


@pytest.mark.parametrize("content", ["{not json", "[]", '{"model_id": "x"}'])
def test_corrupt_manifest_gives_clear_error(built, content):
    (built / "current" / "manifest.json").write_text(content)
    with pytest.raises(IndexCorruptError, match="manifest.json"):
        Retriever.open(built, encoder=HashingEncoder(64))


def test_missing_passage_store_named(built):
    (built / "current" / "passages.jsonl").unlink()
    with pytest.raises(IndexCorruptError, match="passages.jsonl.*missing"):
        Retriever.open(built, encoder=HashingEncoder(64))


def test_failed_build_leaves_old_index_intact(built, seeds, monkeypatch):
    before = (built / "current" / "manifest.json").read_bytes()
    write_seeds(seeds, ARTICLES[:2])

    def boom(self, directory):
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(LexicalIndex, "save", boom)
    with pytest.raises(RuntimeError, match="simulated"):
        build_index(seeds, built, HashingEncoder(64), show_progress=False)
    assert (built / "current" / "manifest.json").read_bytes() == before
    assert not list(built.glob(".tmp-*"))
    monkeypatch.undo()
    r = Retriever.open(built, encoder=HashingEncoder(64))  # old index still loads
    assert r.manifest.article_count == 5


def test_interrupted_swap_is_recovered(built):
    os.rename(built / "current", built / ".old-abc")  # crash between the two renames
    r = Retriever.open(built, encoder=HashingEncoder(64))
    assert r.manifest.article_count == 5 and (built / "current").is_dir()


# -- searching -------------------------------------------------------------------------
@pytest.fixture(scope="module", params=["faiss", "milvus"])
def retriever(request, tmp_path_factory):
    """The searching tests run against both backends (Milvus: milvus-lite, skipped when
    it cannot start)."""
    seeds = write_seeds(tmp_path_factory.mktemp("s") / "seeds")
    r = Retriever.from_corpus(load_corpus(seeds), HashingEncoder(64))
    if request.param == "milvus":
        from retrieval.milvus import MilvusConfig

        r.attach_milvus(MilvusConfig(str(request.getfixturevalue("milvus_lite_dir") / "search.db")))
    return r


def test_bad_queries_raise_value_error(retriever):
    for q in ("", "   \n\t"):
        with pytest.raises(ValueError, match="empty query"):
            retriever.search(q)
    with pytest.raises(ValueError, match="k must be"):
        retriever.search("快递", top_k=0)
    with pytest.raises(ValueError, match="hybrid, dense, bm25"):
        retriever.search("快递", mode="sparse")


def test_traditional_query_matches_simplified_passage(retriever):
    hits = retriever.search("阿克陶縣建立了多少個快遞服務點？", top_k=3, mode="bm25")
    assert _top_article(hits) == "akto"
    assert "118个快递服务点" in hits[0].passage.text


def test_numbers_match_exactly_in_bm25(retriever):
    assert "4329.7万元" in retriever.search("4329.7万元", top_k=1, mode="bm25")[0].passage.text
    assert retriever.search("qwertyuiop", top_k=3, mode="bm25") == []


def test_hybrid_hits_carry_both_scores_and_are_distinct(retriever):
    hits = retriever.search("衡水湖马拉松从哪一年开始举办？", top_k=5)
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert all(h.dense_score is not None for h in hits)
    assert hits[0].bm25_score is not None and hits[0].bm25_score > 0
    texts = [h.passage.display_text for h in hits]
    reprinted = [p.display_text for p in retriever.corpus.passages if "2012年" in p.text]
    assert len(reprinted) == 2 and reprinted[0] == reprinted[1]  # the corpus holds a duplicate
    assert texts.count(reprinted[0]) == 1  # the top k holds it once
    assert len(set(texts)) == len(texts) == min(5, len(retriever.corpus.passages) - 1)
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))
    dense = retriever.search("衡水湖马拉松从哪一年开始举办？", top_k=3, mode="dense")
    assert all(h.bm25_score is None and h.dense_score == h.score for h in dense)


def test_long_query_works(retriever):
    q = ("贵州邮政快递业务收入" * 1000)[:10_000]
    assert len(q) == 10_000
    hits = retriever.search(q, top_k=3)
    assert hits and _top_article(hits) == "guizhou"


def test_concurrent_searches_agree_with_sequential(retriever):
    queries = ["阿克陶县快递服务点", "贵州邮政快递业务收入", "衡水湖马拉松", "常州进口国际邮件"] * 5
    expected = [[h.passage.id for h in retriever.search(q, top_k=3)] for q in queries]
    got: dict[int, list[str]] = {}
    errors: list[BaseException] = []

    def work(i, q):
        try:
            got[i] = [h.passage.id for h in retriever.search(q, top_k=3)]
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i, q)) for i, q in enumerate(queries)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert [got[i] for i in range(len(queries))] == expected


# -- CLI -------------------------------------------------------------------------------
def test_cli_build_and_search(tmp_path, seeds):
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    index = tmp_path / "cli-index"
    base = [sys.executable, "-m", "retrieval"]
    common = ["--seeds", str(seeds), "--index", str(index), "--model", "hashing", "-q"]
    out = subprocess.run(base + ["search", "贵州邮政双11期间快递业务收入是多少？", "-k", "2"] + common,
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "[1] “五送”快递员 为旺季生产加油" in out.stdout and "4329.7" in out.stdout
    assert "building index" in out.stderr
    out = subprocess.run(base + ["build"] + common, cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert "5 articles" in out.stdout and "reused" in out.stdout
    out = subprocess.run(base + ["search", "   "] + common, cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 2 and "empty query" in out.stderr
