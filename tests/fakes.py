"""One kit of test fakes for the app and UI tests.

* ``fake_corpus()`` / ``FakeCorpus`` / ``FakeRetriever``: a hand-made three-article corpus
  (one hostile article full of markup) and a character-overlap retriever.
* ``FakeAssistant``: Assistant-shaped (``ask``/``stream``), cites the best passage, refuses on
  ``天气``; ``delay`` seconds between streamed pieces (``pieces`` of them) so streaming, Stop and
  a question sent mid-stream can be exercised; ``rich=True`` adds the structured fields the
  answering issues add (``short_answer``, ``notices``, ``decision``, ``search_query``).
* ``ShortAnswer``, ``Decision``, ``RuleResult``, ``RichAnswer``: those structured records.
* ``write_seeds(root)`` / ``real_assistant(seeds, encoder)``: a throwaway JSONL corpus
  (including an XSS article) and the real Assistant over it (HashingEncoder thresholds).
* ``free_port()`` / ``launch(demo)``: serve a Blocks on 127.0.0.1.
"""
from __future__ import annotations

import html
import json
import socket
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

from answering.types import Answer, Citation
from corpus.types import Article, Passage
from retrieval.types import SearchHit

XSS_TEXT = "价格是 $100 and $200，<script>alert(1)</script> 见 <img src=x onerror=alert(1)> 和 **bold** 与 _x_。"


# --------------------------------------------------------------------------- corpus
def make_article(aid: str, title: str, paragraphs: list[str], byline: str | None = None,
                 date: str | None = None) -> Article:
    return Article(id=aid, title=title, paragraphs=tuple(paragraphs), byline=byline,
                   source=f"{aid.split('#')[0]}.txt", date=date)


def article_passages(a: Article) -> list[Passage]:
    """One passage per paragraph, tiling Article.text (the "\\n" goes with the paragraph)."""
    out, off = [], 0
    for i, p in enumerate(a.paragraphs, start=1):
        text = p + ("\n" if i < len(a.paragraphs) else "")
        out.append(Passage(id=f"{a.id}:{i}", article_id=a.id, title=a.title, paragraph_no=i,
                           start=off, end=off + len(text), text=text, byline=a.byline,
                           source=a.source))
        off += len(text)
    return out


@dataclass(frozen=True)
class FakeCorpus:
    articles: tuple[Article, ...]
    passages: tuple[Passage, ...]
    fingerprint: str = "fake"

    def article(self, article_id: str) -> Article:
        for a in self.articles:
            if a.id == article_id:
                return a
        raise KeyError(article_id)


def fake_corpus() -> FakeCorpus:
    arts = [
        make_article("fake#1", "贵州邮政旺季慰问", [
            "贵州省邮政分公司开展慰问活动。",
            "今年“双 11”期间，贵州邮政快递业务收入达 4329.7 万元，同比增长 46.8%。"],
            byline="何云祥", date="2021-11-20"),
        make_article("fake#2", "快递进村", [
            "阿克陶县分公司在全县 118个行政村建立了 118个快递服务点。"], byline="李莎"),
        make_article("fake#3", "危险<b>标题</b>", [XSS_TEXT]),
    ]
    ps = [p for a in arts for p in article_passages(a)]
    return FakeCorpus(tuple(arts), tuple(ps))


@dataclass(frozen=True)
class FakeManifest:
    model_id: str = "fake-encoder"
    corpus_fingerprint: str = "fp-fake"
    built_at: str = "2026-12-01T12:00:00+00:00"


class FakeRetriever:
    """Ranks passages by characters shared with the query."""

    def __init__(self, corpus: FakeCorpus) -> None:
        self.corpus = corpus
        self.manifest = FakeManifest()
        self.encoder = None

    def search(self, query: str, top_k: int = 5, mode: str = "hybrid") -> list[SearchHit]:
        if not query.strip():
            raise ValueError("query must not be blank")
        q = set(query)
        scored = sorted(self.corpus.passages, key=lambda p: -len(q & set(p.text)))[:top_k]
        return [SearchHit(p, score=float(len(q & set(p.text))), rank=i + 1)
                for i, p in enumerate(scored)]


# --------------------------------------------------------------------------- structured answer fields
@dataclass(frozen=True)
class ShortAnswer:
    text: str
    passage_id: str
    start: int
    end: int
    score: float = 0.9
    citation: int = 1


@dataclass(frozen=True)
class RuleResult:
    name: str
    passed: bool
    value: float | str | None = None
    threshold: float | str | None = None


@dataclass(frozen=True)
class Decision:
    reason: str
    rules: list = field(default_factory=list)
    answerable: bool = False


@dataclass(frozen=True)
class RichAnswer(Answer):
    """An Answer with the fields the answering issues add (#9, #10)."""

    short_answer: ShortAnswer | None = None
    notices: tuple[str, ...] = ()
    decision: Decision | None = None
    search_query: str = ""


def rich(answer: Answer, **fields) -> RichAnswer:
    """``answer`` as a RichAnswer carrying ``fields``."""
    base = {k: getattr(answer, k) for k in ("question", "query", "text", "citations", "passages",
                                             "refused", "unsupported", "timings")}
    return RichAnswer(**base, **fields)


# --------------------------------------------------------------------------- assistant
class FakeAssistant:
    """Assistant-shaped fake: cites the best character-overlap passage; refuses on '天气'.

    ``stream`` yields ``pieces`` growing partial answers, sleeping ``delay`` s before each and
    before the final one.  ``rich`` adds a short answer (the first number of the quote), a
    notice for questions over 100 characters and a gate decision on refusals.
    Thread-safe; counts its calls.
    """

    def __init__(self, corpus: FakeCorpus | None = None, delay: float = 0.05, pieces: int = 2,
                 rich: bool = False, error: Exception | None = None) -> None:
        self.retriever = FakeRetriever(corpus or fake_corpus())
        self.delay = delay
        self.pieces = pieces
        self.rich = rich
        self.error = error
        self.calls = 0
        self.questions: list[str] = []
        self._lock = threading.Lock()

    def _final(self, question: str, history, top_k: int, mode: str) -> Answer:
        with self._lock:
            self.calls += 1
            self.questions.append(question)
        if self.error is not None:
            raise self.error
        query = question[-100:]
        if history and len(question) < 6:
            query = history[-1][0] + " " + question
        hits = tuple(self.retriever.search(query, top_k=top_k, mode=mode))
        notes = ("问题过长：只检索了最后 100 个字。 The question was cut to its last 100 characters.",) \
            if len(question) > 100 else ()
        if "天气" in question:
            a = Answer(question=question, query=query, text="资料中没有找到答案。", passages=hits, refused=True)
            if self.rich:
                return rich(a, decision=Decision("资料中没有“天气”", [RuleResult("names_present", False, 0.0, 1.0)]),
                            notices=notes, search_query=query)
            return a
        top = hits[0].passage
        sent = top.text.strip()
        c = Citation(number=1, passage_id=top.id, article_id=top.article_id, title=top.title,
                     paragraph_no=top.paragraph_no, quote=sent, quote_start=0,
                     quote_end=len(sent), support=0.9)
        a = Answer(question=question, query=query, text=f"{sent}[1]", citations=(c,), passages=hits,
                   timings={"total": 12.5})
        if not self.rich:
            return a
        import re

        m = re.search(r"\d[\d.]*\s*万元|\d+个", sent)
        sa = ShortAnswer(m.group(0), top.id, m.start(), m.end()) if m else None
        return rich(a, short_answer=sa, notices=notes, search_query=query)

    def ask(self, question: str, history=(), top_k: int = 5, mode: str = "hybrid") -> Answer:
        return self._final(question, list(history), top_k, mode)

    def stream(self, question: str, history=(), top_k: int = 5, mode: str = "hybrid") -> Iterator[Answer]:
        final = self._final(question, list(history), top_k, mode)
        n = max(1, len(final.text) // (self.pieces + 1))
        for i in range(1, self.pieces + 1):
            time.sleep(self.delay)
            yield Answer(question=final.question, query=final.query, text=final.text[:i * n],
                         passages=final.passages)
        time.sleep(self.delay)
        yield final


# --------------------------------------------------------------------------- real corpus on disk
ARTICLES = [
    {"id": "gz", "title": "贵州邮政旺季慰问一线员工", "date": "2021-11-20",
     "text": "贵州省邮政分公司工会开展“五送”快递员活动，累计慰问寄递人员5.8万余人次。\n"
             "今年“双11”期间，贵州邮政快递业务收入达4329.7万元，同比增长46.8%。"},
    {"id": "akt", "title": "阿克陶县推进快递进村",
     "text": "阿克陶县分公司提早谋划，在全县118个行政村建立了118个快递服务点，"
             "为服务点统一配备标识牌、货柜等设施。"},
    {"id": "hs", "title": "衡水邮政服务马拉松赛",
     "text": "衡水湖国际马拉松赛今年需要配送150吨物资，邮政安排了68辆配送车辆，"
             "保时保量完成了物流配送任务。"},
    {"id": "cz", "title": "常州严把进口国际邮件防疫关",
     "text": "常州市邮政分公司专门开辟独立密闭场地处理进口国际邮件，"
             "由专人严格按照防疫要求对邮件进行六面消杀。"},
]
# The hostile article. The corpus loader strips real tags but unescapes entities, so the seed
# file carries them entity-encoded and the loaded Article holds the raw markup as text.
XSS_TITLE = "<b>网店</b>价格公告"
XSS_ARTICLE_TEXT = ("网店商品的价格是$100 and $200，<script>alert(1)</script>"
                    "<img src=x onerror=alert(1)> **bold** 优惠活动持续到月底。")
XSS_QUESTION = "网店商品的价格是多少？"
QUESTIONS = {  # question -> title of the article that answers it
    "贵州邮政双11期间快递业务收入是多少？": "贵州邮政旺季慰问一线员工",
    "阿克陶县建立了多少个快递服务点？": "阿克陶县推进快递进村",
    "衡水湖国际马拉松赛今年需要配送多少吨物资？": "衡水邮政服务马拉松赛",
    "常州市邮政分公司怎样对进口国际邮件消杀？": "常州严把进口国际邮件防疫关",
}


def write_seeds(root: Path) -> Path:
    """Write ``root/seeds/news.jsonl`` (the four articles and the XSS one); returns the dir."""
    seeds = root / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    with open(seeds / "news.jsonl", "w", encoding="utf-8") as f:
        for a in ARTICLES + [{"id": "xss", "title": html.escape(XSS_TITLE),
                              "text": html.escape(XSS_ARTICLE_TEXT, quote=False)}]:
            f.write(json.dumps(a, ensure_ascii=False) + "\n")
    return seeds


def real_assistant(seeds: Path, encoder, hashing: bool = True):
    """The real Assistant over ``Retriever.from_corpus(load_corpus(seeds), encoder)``.

    With the HashingEncoder (``hashing=True``) the evidence gate gets thresholds fitting its
    cosines (~0.1 unrelated, ~0.5 related; the module defaults are for e5, see answering/gate.py).
    """
    from answering.gate import EvidenceGate
    from answering.pipeline import Assistant
    from corpus.pipeline import load_corpus
    from retrieval.searcher import Retriever

    corpus = load_corpus(seeds)
    gate = EvidenceGate(min_top_dense=0.12, min_best_sentence=0.4, min_coverage=0.5) if hashing else None
    return Assistant(Retriever.from_corpus(corpus, encoder), gate=gate)


# --------------------------------------------------------------------------- serving
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(demo) -> str:
    """Launch ``demo`` on 127.0.0.1 and a free port; returns its URL."""
    port = free_port()
    demo.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True,
                        quiet=True)
    return f"http://127.0.0.1:{port}/"


__all__ = ["FakeAssistant", "FakeCorpus", "FakeRetriever", "fake_corpus", "ShortAnswer", "Decision",
           "RuleResult", "RichAnswer", "rich", "write_seeds", "real_assistant", "free_port", "launch",
           "XSS_TEXT", "XSS_TITLE", "XSS_ARTICLE_TEXT", "XSS_QUESTION", "QUESTIONS", "ARTICLES",
           "make_article", "article_passages", "replace"]
