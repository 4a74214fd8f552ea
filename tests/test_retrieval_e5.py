"""The real pipeline on the seed page: multilingual-e5-small + BM25, hybrid search puts the
right article first.  Questions written by reading seeds/000_a77ed823f95b9e33.txt; each
expected article is named by a distinctive substring of its text (not by id)."""
from __future__ import annotations

import time

import pytest

from retrieval.build import build_index
from retrieval.searcher import Retriever

pytestmark = pytest.mark.slow

# (question, distinctive substring of the expected article's text)
AKTO = "阿克陶县木吉乡布拉克村村民"
GUIZHOU = "贵州邮政生产旺季关爱一线"
HENGSHUI = "物流部经理于雷"
CHANGZHOU = "专门开辟独立密闭场地处理"
SHAOYANG = "驻政务中心团队累计寄递证照邮件"
STUDY = "汪玉奇应邀作专题辅导"
SCITECH = "要完成好七项重点任务"

QUESTIONS = [
    ("贵州邮政双11期间快递业务收入是多少？", GUIZHOU),
    ("衡水湖马拉松从哪一年开始举办？", HENGSHUI),
    ("How many express service points did Aketao county set up?", AKTO),
    ("阿克陶县在多少个行政村建立了快递服务点？", AKTO),
    ("沙依库力农业开发有限公司今年推出了什么新产品？", AKTO),
    ("贵阳邮区中心在“双11”期间累计处理了多少邮件？", GUIZHOU),
    ("黔西南州分公司为一线员工采购了多少个医用口罩？", GUIZHOU),
    ("今年衡水湖马拉松邮政安排了多少辆配送车辆？", HENGSHUI),
    ("常州市邮政分公司怎样处理进口国际邮件？", CHANGZHOU),
    ("邵阳市分公司驻政务中心团队寄递了多少证照邮件？", SHAOYANG),
    ("江西省邮政分公司的专题辅导报告会请了哪位专家？", STUDY),
    ("中国邮政科技创新体系建设要完成几项重点任务？", SCITECH),
    ("衡水湖馬拉松從哪一年開始舉辦？", HENGSHUI),  # Traditional script
]


@pytest.fixture(scope="module")
def e5_index(tmp_path_factory, repo_root):
    from retrieval.embedder import load_encoder

    index = tmp_path_factory.mktemp("e5") / "index"
    encoder = load_encoder("e5")
    t0 = time.perf_counter()
    manifest = build_index(repo_root / "seeds", index, encoder, show_progress=False)
    seconds = time.perf_counter() - t0
    print(f"\ne5 seed index: {manifest.passage_count} passages, {manifest.article_count} articles, "
          f"built in {seconds:.1f} s")
    return index, encoder, manifest


@pytest.fixture(scope="module")
def e5_retriever(e5_index, repo_root):
    index, encoder, _ = e5_index
    return Retriever.open(index, seeds_dir=repo_root / "seeds", encoder=encoder, rebuild=False)


def _article_of(retriever, needle):
    ids = [a.id for a in retriever.corpus.articles if needle in a.text]
    assert len(ids) == 1, f"{needle!r} should be in exactly one article, found {ids}"
    return ids[0]


@pytest.mark.parametrize("question,needle", QUESTIONS, ids=[q for q, _ in QUESTIONS])
def test_hybrid_puts_right_article_first(e5_retriever, question, needle):
    expected = _article_of(e5_retriever, needle)
    hits = e5_retriever.search(question, top_k=5, mode="hybrid")
    assert hits[0].passage.article_id == expected, [
        (h.passage.article_id, h.passage.display_text[:30]) for h in hits]


def test_per_mode_summary(e5_retriever):
    """Top-1 article accuracy per mode (printed; hybrid must get all, the others most)."""
    correct = {m: 0 for m in ("hybrid", "dense", "bm25")}
    for q, needle in QUESTIONS:
        expected = _article_of(e5_retriever, needle)
        for m in correct:
            hits = e5_retriever.search(q, top_k=5, mode=m)
            correct[m] += bool(hits) and hits[0].passage.article_id == expected
    print("\ntop-1 article accuracy:", {m: f"{c}/{len(QUESTIONS)}" for m, c in correct.items()})
    assert correct["hybrid"] == len(QUESTIONS)
    assert correct["dense"] >= len(QUESTIONS) - 3 and correct["bm25"] >= len(QUESTIONS) - 3


def test_reopen_with_e5_reuses_everything(e5_index, repo_root):
    index, encoder, manifest = e5_index
    again = build_index(repo_root / "seeds", index, encoder, show_progress=False)
    assert again.embedded == 0 and again.reused == manifest.passage_count
