"""Reader latency and serving memory on the seed corpus.

    python -m benchmarks.reader_bench [--seeds seeds] [--testset evaluation/testsets/seed.jsonl]
                                      [--repeats 1] [--out benchmarks/out/reader.json]

For each seed question: hybrid retrieval of the top 5 passages, then

* ``read_focused``: the reader on windows centred on 3 focus sentences (the sentences of
  the top passages with the most character bigrams in common with the question, a
  stand-in for the evidence gate's best-scored sentences);
* ``read``: every window of the 5 passages;
* ``bare``: the reader's model alone (one forward pass, no tokenising or decoding) on
  the same windows as ``read``.

Reported: p50/p95 (ms) of each and of the whole answer (retrieval + ``read_focused``), the
windows read, short-answer EM/F1/contains-reference of the best span (``read_focused``),
and resident memory (RSS) before and after ``SpanReader.load(base=encoder)`` (the word
embeddings shared with the retrieval encoder). Targets (issue 10): whole answer p50 <= 150
ms, p95 <= 400 ms; memory growth <= 300 MB.
"""
from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
_SENT = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def focus_sentences(question: str, passages: list[str], n: int = 3) -> list[tuple[int, int, int]]:
    """``(passage_index, start, end)`` of the ``n`` sentences sharing most character
    bigrams with the question (ties: earlier passage first)."""
    qb = _bigrams(question)
    scored = []
    for pi, p in enumerate(passages):
        for m in _SENT.finditer(p):
            scored.append((-len(qb & _bigrams(m.group())), pi, m.start(), m.end()))
    scored.sort()
    return [(pi, s, e) for _, pi, s, e in scored[:n]]


def _pct(xs: list[float]) -> dict[str, float]:
    a = np.asarray(xs, dtype=float)
    return {"p50": round(float(np.percentile(a, 50)), 1), "p95": round(float(np.percentile(a, 95)), 1),
            "mean": round(float(a.mean()), 1), "n": int(a.size)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Reader latency and serving memory on the seed corpus.")
    ap.add_argument("--seeds", type=Path, default=REPO / "seeds")
    ap.add_argument("--testset", type=Path, default=REPO / "evaluation" / "testsets" / "seed.jsonl")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "reader.json")
    args = ap.parse_args(argv)

    from corpus.pipeline import load_corpus
    from evaluation.metrics import char_f1, contains_reference, exact_match
    from reader.model import SpanReader
    from reader import windows as W
    from retrieval.embedder import E5Encoder
    from retrieval.searcher import Retriever

    rows = [json.loads(line) for line in args.testset.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r.get("answers")]
    corpus = load_corpus(args.seeds)
    enc = E5Encoder()
    retriever = Retriever.from_corpus(corpus, enc)
    retriever.search("预热", top_k=5)
    rss0 = _rss_mb()
    t = time.perf_counter()
    reader = SpanReader.load(base=enc)
    load_ms = (time.perf_counter() - t) * 1000
    rss1 = _rss_mb()
    reader.read("预热？", ["预热。"])

    lat = {"retrieve": [], "read_focused": [], "read": [], "bare": [], "answer": []}
    wins_f, wins_a, em, f1, cont = [], [], [], [], []
    for _ in range(args.repeats):
        for r in rows:
            q = r["question"]
            t = time.perf_counter()
            hits = retriever.search(q, top_k=5)
            t_ret = (time.perf_counter() - t) * 1000
            passages = [h.passage.text for h in hits]
            focus = focus_sentences(q, passages)
            rf = reader.read_focused(q, passages, focus)
            ra = reader.read(q, passages)
            qids = W.encode_question(reader.tokenizer, q, reader.max_query_tokens)
            wins = [w for i, p in enumerate(passages)
                    for w in W.passage_windows(reader.tokenizer, qids, W.encode_passage(reader.tokenizer, p),
                                               i, reader.max_len, reader.stride)]
            t = time.perf_counter()
            reader.logits(wins)
            lat["bare"].append((time.perf_counter() - t) * 1000)
            lat["retrieve"].append(t_ret)
            lat["read_focused"].append(rf.ms)
            lat["read"].append(ra.ms)
            lat["answer"].append(t_ret + rf.ms)
            wins_f.append(rf.windows)
            wins_a.append(ra.windows)
            pred = rf.spans[0].text if rf.spans and rf.no_answer_score <= reader.no_answer_threshold else ""
            em.append(exact_match(pred, r["answers"]))
            f1.append(char_f1(pred, r["answers"]))
            cont.append(contains_reference(pred, r["answers"]) if pred else 0.0)
    res = {"questions": len(rows), "repeats": args.repeats, "passages": len(corpus.passages),
           "latency_ms": {k: _pct(v) for k, v in lat.items()},
           "windows": {"read_focused": float(np.mean(wins_f)), "read": float(np.mean(wins_a))},
           "short_answer_read_focused": {"em": round(float(np.mean(em)), 3), "f1": round(float(np.mean(f1)), 3),
                                         "contains_reference": round(float(np.mean(cont)), 3)},
           "memory_mb": {"rss_before_reader": round(rss0, 1), "rss_after_reader": round(rss1, 1),
                         "growth": round(rss1 - rss0, 1)},
           "reader_load_ms": round(load_ms, 1),
           "targets": {"answer_p50_ms": 150, "answer_p95_ms": 400, "memory_growth_mb": 300}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(res, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
