"""The segmented index (retrieval/segmented.py, retrieval/segments.py): BM25 with
corpus-wide statistics over segments against bm25s, dense search over segments against
one flat index, tombstones, the compaction policy, and what the manager writes on disk
for an add and a remove."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corpus.pipeline import load_corpus
from retrieval import segments, store
from retrieval.build import build_index, index_text
from retrieval.dense import DenseIndex
from retrieval.encoder import HashingEncoder
from retrieval.index import IndexManager, open_retriever
from retrieval.lexical import LexicalIndex
from retrieval.segmented import Postings, SegmentedDense, SegmentedLexical
from retrieval.segments import Segment, SegmentRef, plan_compaction

DIM = 64
SCHEME = "words+bigrams"
QUERIES = ["贵州邮政快递业务收入", "衡水湖马拉松", "阿克陶县快递服务点", "邮政", "4329.7万元", "不存在的词语甲乙"]
NEW_TEXT = ("火星邮局开业\n\n本报讯 火星上的第一家邮局于2099年开业，局长是张三。邮局每天处理来自地球的"
            "邮件三百件，投递员乘坐漫游车送件。\n")


@pytest.fixture(scope="module")
def texts(seed_file) -> list[str]:
    corpus = load_corpus(seed_file.parent)
    return [index_text(p) for p in corpus.passages if p.source == seed_file.name]


def _bm25s(texts: list[str], query: str) -> np.ndarray | None:
    """Scores of one bm25s index (``LexicalIndex.build``: bm25s's own indexing)."""
    return LexicalIndex.build(texts, SCHEME).scores(query)


def _assert_same_scores(got: np.ndarray | None, want: np.ndarray | None) -> None:
    if want is None:
        assert got is None
        return
    assert got is not None and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("query", QUERIES)
def test_bm25_over_one_segment_equals_bm25s(texts, query):
    lex = SegmentedLexical([Postings.from_texts(texts, SCHEME)], [np.zeros(0, np.int64)], SCHEME)
    _assert_same_scores(lex.scores(query), _bm25s(texts, query))


@pytest.mark.parametrize("query", QUERIES)
def test_bm25_over_segments_with_tombstones_uses_corpus_wide_statistics(texts, query):
    parts = [texts[:20], texts[20:35], texts[35:]]  # the last segment holds 3 passages
    dead = [np.array([1, 4, 7]), np.zeros(0, np.int64), np.array([0])]
    lex = SegmentedLexical([Postings.from_texts(p, SCHEME) for p in parts], dead, SCHEME)
    live = [t for p, d in zip(parts, dead) for i, t in enumerate(p) if i not in set(d.tolist())]
    assert lex.n_docs == len(live) == len(texts) - 4
    _assert_same_scores(lex.scores(query), _bm25s(live, query))


def test_bm25_of_a_term_only_in_deleted_rows_finds_nothing(texts):
    parts = [texts, ["火星邮局开业，局长是张三。"]]  # 火星 and 张三 occur in no other passage
    lex = SegmentedLexical([Postings.from_texts(p, SCHEME) for p in parts],
                           [np.zeros(0, np.int64), np.array([0])], SCHEME)
    assert lex.scores("火星张三") is None and lex.search("火星张三", 3) == []


def test_merged_postings_score_as_postings_built_from_the_kept_texts(texts):
    a, b = Postings.from_texts(texts[:25], SCHEME), Postings.from_texts(texts[25:], SCHEME)
    keep_a, keep_b = np.array([0, 2, 3, 10, 24]), np.arange(len(texts) - 25)
    merged = Postings.merge([(a, keep_a), (b, keep_b)])
    kept = [texts[i] for i in keep_a] + texts[25:]
    direct = Postings.from_texts(kept, SCHEME)
    none = [np.zeros(0, np.int64)]
    for q in QUERIES:
        _assert_same_scores(SegmentedLexical([merged], none, SCHEME).scores(q),
                            SegmentedLexical([direct], none, SCHEME).scores(q))
    assert np.array_equal(merged.lengths, direct.lengths)


def test_postings_round_trip(tmp_path, texts):
    p = Postings.from_texts(texts, SCHEME)
    p.save(tmp_path / "p.npz")
    q = Postings.load(tmp_path / "p.npz")
    assert q.words == p.words and all(np.array_equal(getattr(p, k), getattr(q, k))
                                      for k in ("indptr", "docs", "tfs", "lengths"))


def _unit(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_dense_over_flat_segments_equals_one_flat_index():
    vecs = [_unit(30, 1), _unit(12, 2), _unit(5, 3)]
    dead = [np.array([0, 3, 29]), np.zeros(0, np.int64), np.array([2])]
    seg = SegmentedDense([DenseIndex.build(v) for v in vecs], dead, DIM)
    live = np.concatenate([np.delete(v, d, axis=0) for v, d in zip(vecs, dead)])
    one = DenseIndex.build(live)
    assert seg.ntotal == live.shape[0] == 43 and seg.kind == "flat-ip"
    for q in _unit(5, 9):
        assert [r for r, _ in seg.search(q, 10)] == [r for r, _ in one.search(q, 10)]
        pos = np.array([0, 5, 26, 30, 41, 42])
        assert [r for r, _ in seg.search(q, 3, positions=pos)] == [r for r, _ in one.search(q, 3, positions=pos)]


def _ref(n: int, dead: int = 0) -> SegmentRef:
    """A stand-in segment of ``n`` rows (only sizes matter to the policy)."""
    class _S:  # noqa: D401 - the policy reads len(passages) and len(articles)
        passages = [None] * n
        articles = [None] * n
    return SegmentRef(_S(), np.arange(dead, dtype=np.int64), np.zeros(0, np.int64))  # type: ignore[arg-type]


def test_compaction_policy_thresholds():
    assert plan_compaction([_ref(1000)]) is None
    assert plan_compaction([_ref(1000), _ref(50), _ref(40)]) is None  # 90 of 1090 < 10 %
    p = plan_compaction([_ref(1000), _ref(70), _ref(50)])  # 120 of 1120 > 10 %
    assert (p.rule, p.positions, p.append_to_first) == ("into-largest", (0, 1, 2), True)
    assert plan_compaction([_ref(1000, dead=100)]) is None  # exactly 10 %: not yet
    p = plan_compaction([_ref(1000, dead=101), _ref(5)])
    assert (p.rule, p.positions) == ("purge", (0,))
    many = [_ref(10_000)] + [_ref(10 + i) for i in range(10)]  # 11 segments, 145 rows outside
    p = plan_compaction(many)
    assert p.rule == "tiered" and p.positions == tuple(range(1, 9))  # the 8 smallest
    assert plan_compaction([_ref(10)], force=True) is None
    assert plan_compaction([_ref(10), _ref(1)], force=True).rule == "full"


# --------------------------------------------------------------------------- the manager


def _segment_files(index: Path) -> dict[str, int]:
    """``{path: inode}`` of every file under ``segments/``."""
    root = index / segments.SEGMENTS_DIR
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob("*") if p.is_file()}


def _live_texts(m: IndexManager) -> list[str]:
    return [index_text(p) for p in m.corpus.passages]


def test_add_writes_one_new_segment_and_leaves_the_others_untouched(tmp_path, seeds):
    index = tmp_path / "index"
    m = IndexManager.open(index, seeds, HashingEncoder(DIM))
    before = _segment_files(index)
    (tmp_path / "mars.txt").write_text(NEW_TEXT, encoding="utf-8")
    (r,) = m.add_files([tmp_path / "mars.txt"])
    after = _segment_files(index)
    assert all(after.get(k) == ino for k, ino in before.items())  # same files, not rewritten
    new_dirs = {k.split("/")[0] for k in after} - {k.split("/")[0] for k in before}
    assert len(new_dirs) == 1 and m.segment_sizes == [(38, 0), (r.passages, 0)]
    # BM25 over the two segments scores as one bm25s index over the whole corpus
    for q in QUERIES + ["火星邮局局长"]:
        _assert_same_scores(m.retriever.backend.lexical.scores(q), _bm25s(_live_texts(m), q))
    # a plain reader sees the same corpus
    r2 = open_retriever(index, encoder=HashingEncoder(DIM))
    assert [p.id for p in r2.corpus.passages] == [p.id for p in m.corpus.passages]


def test_removing_whole_segments_and_merging_what_is_left(tmp_path, seeds):
    index = tmp_path / "index"
    m = IndexManager.open(index, seeds, HashingEncoder(DIM))
    for name, star in (("mars.txt", "火星"), ("jupiter.txt", "木星")):
        (tmp_path / name).write_text(NEW_TEXT.replace("火星", star), encoding="utf-8")
        m.add_files([tmp_path / name])
    assert m.segment_sizes == [(38, 0), (1, 0), (1, 0)]  # 2 of 40 rows outside the largest: kept
    m.remove("000_a77ed823f95b9e33.txt")  # its segment leaves the head; the two left are merged
    assert m.segment_sizes == [(2, 0)]
    assert [p.source for p in m.corpus.passages] == ["mars.txt", "jupiter.txt"]
    m2 = IndexManager.open(index, seeds, HashingEncoder(DIM), sync=False)
    assert [p.id for p in m2.corpus.passages] == [p.id for p in m.corpus.passages]
    m.remove("mars.txt")  # half of the segment deleted: purged
    assert m.segment_sizes == [(1, 0)] and "木星" in m.corpus.passages[0].text
    for q in QUERIES + ["木星邮局"]:
        _assert_same_scores(m.retriever.backend.lexical.scores(q), _bm25s(_live_texts(m), q))
    assert {p.name for p in (index / segments.SEGMENTS_DIR).iterdir()} == {m._state.refs[0].segment.id}


def test_tombstones_below_the_threshold_stay_in_the_head(tmp_path, seeds, seed_file):
    index = tmp_path / "index"
    page = seed_file.read_text(encoding="utf-8")
    for i in range(10):
        (seeds / f"p{i}.txt").write_text(page.replace("阿克陶", f"阿克陶{i}"), encoding="utf-8")
    m = IndexManager.open(index, seeds, HashingEncoder(DIM))
    assert m.segment_sizes == [(11 * 38, 0)]
    files = _segment_files(index)
    m.remove("p3.txt")  # 38 of 418 rows (9 %): a tombstone, no segment rewritten
    assert m.segment_sizes == [(418, 38)] and _segment_files(index) == files
    assert len(m.corpus.passages) == 380 and all(p.source != "p3.txt" for p in m.corpus.passages)
    assert all(h.passage.source != "p3.txt" for h in m.search("阿克陶3县邮政", top_k=10, mode="dense"))
    assert all(h.passage.source != "p3.txt" for h in m.search("阿克陶3县邮政", top_k=10, mode="bm25"))
    for q in QUERIES:
        _assert_same_scores(m.retriever.backend.lexical.scores(q), _bm25s(_live_texts(m), q))
    m.remove("p4.txt")  # 76 of 418 (18 %): the segment is purged (rebuilt from its vectors)
    assert m.segment_sizes == [(342, 0)]
    assert m.compact(force=True) == []  # already one segment without tombstones


def test_orphan_segments_are_collected(tmp_path, seeds):
    index = tmp_path / "index"
    m = IndexManager.open(index, seeds, HashingEncoder(DIM))
    live = set(_segment_files(index))
    orphan = index / segments.SEGMENTS_DIR / "00000000000000000001-deadbeef"
    orphan.mkdir()
    (orphan / "segment.json").write_text("{}", encoding="utf-8")
    half = index / segments.SEGMENTS_DIR / ".tmp-00000000000000000002-deadbeef"
    half.mkdir()
    r = open_retriever(index, encoder=HashingEncoder(DIM))  # recovery collects them
    assert len(r.corpus.passages) == 38
    assert not orphan.exists() and not half.exists() and set(_segment_files(index)) == live
    del m


def test_index_of_the_single_directory_layout_is_converted_without_reembedding(tmp_path, seeds):
    class Counting(HashingEncoder):
        embedded = 0

        def encode_passages(self, texts, batch_size=32, show_progress=False):
            Counting.embedded += len(texts)
            return super().encode_passages(texts)

    index = tmp_path / "index"
    build_index(seeds, index, HashingEncoder(DIM), show_progress=False)
    assert not segments.is_segmented(store.current_dir(index))
    m = IndexManager.open(index, seeds, Counting(DIM))
    assert Counting.embedded == 0 and segments.is_segmented(store.current_dir(index))
    assert len(m.corpus.passages) == 38 and m.search("衡水湖马拉松", top_k=1)[0].passage.title.startswith("十年牵手")


def test_a_corrupt_segment_is_named(tmp_path, seeds):
    index = tmp_path / "index"
    IndexManager.open(index, seeds, HashingEncoder(DIM))
    (seg_dir,) = [p for p in (index / segments.SEGMENTS_DIR).iterdir()]
    with open(seg_dir / store.EMBEDDINGS, "r+b") as f:
        f.seek(200)
        f.write(b"\x00\x01\x02\x03")
    with pytest.raises(store.IndexCorruptError, match="embeddings.npy"):
        open_retriever(index, encoder=HashingEncoder(DIM), rebuild=False)
    m = IndexManager.open(index, seeds, HashingEncoder(DIM))  # the manager rebuilds it
    assert len(m.corpus.passages) == 38


def test_segment_rejects_inconsistent_sizes(texts):
    v = _unit(3, 0)
    with pytest.raises(ValueError, match="2 passages, 3 vectors"):
        Segment("x", (), (None, None), v, ["a", "b", "c"], DenseIndex.build(v),  # type: ignore[arg-type]
                Postings.from_texts(texts[:3], SCHEME))


def test_a_segmented_index_migrates_to_milvus_without_reembedding(tmp_path, seeds, milvus_lite_dir):
    from retrieval.index import read_published
    from retrieval.milvus import MilvusConfig, migrate_index

    index = tmp_path / "index"
    m = IndexManager.open(index, seeds, HashingEncoder(DIM))
    (tmp_path / "mars.txt").write_text(NEW_TEXT, encoding="utf-8")
    m.add_files([tmp_path / "mars.txt"])
    manifest, articles, passages, vectors = read_published(index)
    assert [p.id for p in passages] == [p.id for p in m.corpus.passages]
    assert np.array_equal(vectors, m.retriever._c.vectors) and manifest == store.read_manifest(store.current_dir(index))
    written, count = migrate_index(index, MilvusConfig(str(milvus_lite_dir / "seg.db")))
    assert written == count == len(m.corpus.passages) == 39


def test_cli_compact(tmp_path, seeds, capsys):
    from retrieval.__main__ import main

    args = ["--seeds", str(seeds), "--index", str(tmp_path / "index"), "--model", "hashing", "-q"]
    (tmp_path / "mars.txt").write_text(NEW_TEXT, encoding="utf-8")
    assert main(["add", str(tmp_path / "mars.txt")] + args) == 0
    assert main(["compact"] + args) == 0
    assert "nothing to do" in capsys.readouterr().out  # 1 of 39 rows outside the largest segment
    assert main(["compact", "--full"] + args) == 0
    out = capsys.readouterr().out
    assert "compacted (full)" in out and "segments: 39 rows (0 deleted)" in out


def test_a_reader_racing_a_writer_reads_the_newer_head(tmp_path, seeds):
    """A reader that read the manifest of a head just replaced (its segments collected)
    loads the new head instead of failing or mixing the two."""
    from retrieval.index import load_retriever

    index = tmp_path / "index"
    m = IndexManager.open(index, seeds, HashingEncoder(DIM))
    old_manifest = store.read_manifest(store.current_dir(index))
    (tmp_path / "mars.txt").write_text(NEW_TEXT, encoding="utf-8")
    m.add_files([tmp_path / "mars.txt"])
    m.compact(force=True)  # the old segment is merged away and deleted
    r = load_retriever(store.current_dir(index), old_manifest, HashingEncoder(DIM), index)
    assert [p.id for p in r.corpus.passages] == [p.id for p in m.corpus.passages] and len(r.corpus.passages) == 39


def test_dense_over_an_hnsw_segment_skips_tombstones(monkeypatch):
    from retrieval import dense as dense_mod

    monkeypatch.setattr(dense_mod, "EXACT_MAX_VECTORS", 10)  # 300 vectors: an HNSW segment
    big, small = _unit(300, 4), _unit(8, 5)
    seg = SegmentedDense([DenseIndex.build(big), DenseIndex.build(small)], [np.arange(0, 300, 3), np.zeros(0, np.int64)],
                         DIM)
    assert seg.indexes[0].kind == "hnsw-ip" and seg.kind == "hnsw-ip" and seg.ntotal == 208
    live = np.concatenate([np.delete(big, np.arange(0, 300, 3), axis=0), small])
    exact = DenseIndex.build(live)  # 208 rows: flat
    for k, q in enumerate(big[:30:3]):  # queries equal to deleted vectors: never returned
        got = seg.search(q, 10)
        want = exact.search(q, 10)
        assert len(got) == 10 and len({r for r, _ in got} & {r for r, _ in want}) >= 9
        assert all(abs(s - float(live[r] @ q)) < 1e-5 for r, s in got)


def test_row_vectors_read_the_live_rows_in_place():
    from retrieval.segmented import RowVectors

    parts, dead = [_unit(6, 1), _unit(4, 2), _unit(3, 3)], [np.array([0, 5]), np.zeros(0, np.int64), np.array([1])]
    live = np.concatenate([np.delete(p, d, axis=0) for p, d in zip(parts, dead)])
    v = RowVectors(parts, dead, DIM)
    assert v.shape == live.shape == (10, DIM) and len(v) == 10
    assert np.array_equal(np.asarray(v), live) and np.array_equal(v[2:8], live[2:8])
    assert np.array_equal(v[[9, 0, 4]], live[[9, 0, 4]]) and np.array_equal(v[-1], live[-1])
    with pytest.raises(IndexError):
        v[[10]]
