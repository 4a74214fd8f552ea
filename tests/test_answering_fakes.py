"""Hand-built passages and a fake retriever for the answering tests (no index, no model).

The passages are cleaned excerpts of the seed page (seeds/000_a77ed823f95b9e33.txt); the fake
retriever ranks them by HashingEncoder cosine, like the dense half of the real Retriever.
"""
from __future__ import annotations

import numpy as np
import pytest

from corpus.types import Passage
from retrieval.encoder import HashingEncoder
from retrieval.types import SearchHit

GZ = "“五送”快递员 为旺季生产加油——贵州邮政旺季慰问助推寄递业务发展"
TEXTS = [
    ("gz#2", GZ, 2,
     "贵州省邮政分公司、工会将“五送”快递员活动与“双11”慰问工作有机结合，累计慰问寄递人员5.8万余人次，"
     "发放慰问补贴61万余元，使全省邮政寄递员工凝聚起奋战“双11”的强大能量。今年“双11”期间，贵州邮政快递"
     "业务收入达4329.7万元，同比增长46.8%；贵阳邮区中心累计处理邮件1794.6万件，同比增长35.5%，业务量收均创历史新高。\n"),
    ("gz#2", GZ, 6,
     "贵阳市邮政分公司党委书记、总经理吴沛带领党委班子成员，为投递员送上热饭、饮料等慰问品，慰问投递员1200多人。"
     "贵阳邮区中心提高餐标，为职工食堂购买了米和油，为夜班员工准备了速食餐，累计慰问5.3万余人次。\n"),
    ("xj#1", "阿克陶县“快递进村”服务全覆盖", 4,
     "为打通投递“最后一公里”，阿克陶县分公司提早谋划，在全县118个行政村建立了118个快递服务点，"
     "为服务点统一配备标识牌、货柜等设施。\n"),
    ("hs#5", "十年牵手 共向未来——河北衡水市分公司服务衡水湖国际马拉松赛10周年巡礼", 5,
     "衡水湖国际马拉松赛自2012年开始每年举办一届。赛事举办之初，衡水市分公司积极寻求与大赛组委会合作，"
     "迅速组织精干力量，结合赛程组织研究制定《综合物流服务方案》。\n"),
    ("cz#4", "严把进口国际邮件防疫关", 1,
     "近期，江苏省常州市邮政分公司高度重视疫情防控工作，制定境外进口邮件疫情防控处置方案，"
     "专门开辟独立密闭场地处理进口国际邮件，由专人严格按照防疫要求对邮件进行六面消杀。\n"),
]


def make_passages() -> list[Passage]:
    out = []
    for i, (aid, title, pno, text) in enumerate(TEXTS, start=1):
        out.append(Passage(id=f"{aid}:{i}", article_id=aid, title=title, paragraph_no=pno,
                           start=0, end=len(text), text=text))
    return out


class FakeRetriever:
    """``.search(query, top_k, mode)`` by encoder cosine; ``.encoder``; ``.calls`` counts searches."""

    def __init__(self, passages, encoder=None):
        self.passages = list(passages)
        self.encoder = encoder or HashingEncoder(256)
        self._vecs = self.encoder.encode_passages([p.display_text for p in self.passages])
        self.calls: list[str] = []

    def search(self, query: str, top_k: int = 5, mode: str = "hybrid"):
        if not query or not query.strip():
            raise ValueError("query is empty")
        if mode not in ("hybrid", "dense", "bm25"):
            raise ValueError(f"unknown mode {mode!r}")
        self.calls.append(query)
        q = self.encoder.encode_queries([query])[0]
        sims = self._vecs @ q
        order = np.argsort(-sims)[:top_k]
        return [SearchHit(self.passages[i], float(sims[i]), r, float(sims[i]), None)
                for r, i in enumerate(order, start=1)]


def hits_of(passages, order=None) -> list[SearchHit]:
    """SearchHits for ``passages`` in the given order (indices), ranks 1..n, dense 0.9."""
    order = range(len(passages)) if order is None else order
    return [SearchHit(passages[i], 1.0 / r, r, 0.9, None) for r, i in enumerate(order, start=1)]


def test_fake_retriever_ranks_the_passage_holding_the_words_first():
    r = FakeRetriever(make_passages())
    hits = r.search("阿克陶县建立了多少个快递服务点", top_k=3)
    assert hits[0].passage.article_id == "xj#1"
    with pytest.raises(ValueError):
        r.search("  ")
