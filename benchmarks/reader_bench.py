"""Reader latency and serving memory on the seed corpus.

    python -m benchmarks.reader_bench [--seeds seeds] [--testset evaluation/testsets/seed.jsonl]
                                      [--repeats 1] [--out benchmarks/out/reader.json]
                                      [--md BENCHMARKS.md]

For each seed question (hybrid retrieval of the top 5 passages), timed one at a time:

* ``answer (reader)``: the whole answer through ``answering.pipeline.Assistant`` with the
  span reader (parse, retrieve, score sentences, read the windows around the gate's best
  sentences, gate, bind and check citations): ``Answer.timings["total"]``; its ``read``
  part alone;
* ``answer (sentences)``: an Assistant without the reader (``--no-reader``) over its own
  Retriever, so that its query-vector cache is as cold as the reader's;
* ``read``: ``SpanReader.read`` of every window of the 5 passages;
* ``bare``: the reader's model alone (one forward pass per batch, no tokenising or
  decoding) on the same windows as ``read``.

Also: short-answer EM/F1/contains-reference of the reader's answer (``Answer.short_answer``,
empty when refused), and resident memory (RSS) before and after loading the reader
(``ReaderStage.load(encoder)``: word embeddings and tokenizer shared with the retrieval
encoder) and its first answer (both Retrievers loaded before). ``--md`` writes the "Reader" section of BENCHMARKS.md
(``benchmarks.report.render_reader``; other sections are kept); ``python -m benchmarks.run``
runs this module as a child process and renders the same section. Targets (issue 10): whole
answer p50 <= 150 ms, p95 <= 400 ms; memory growth <= 300 MB.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _pct(xs: list[float]) -> dict[str, float]:
    a = np.asarray(xs, dtype=float)
    if a.size == 0:
        return {"p50": None, "p95": None, "mean": None, "n": 0}
    return {"p50": round(float(np.percentile(a, 50)), 1), "p95": round(float(np.percentile(a, 95)), 1),
            "mean": round(float(a.mean()), 1), "n": int(a.size)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Reader latency and serving memory on the seed corpus.")
    ap.add_argument("--seeds", type=Path, default=REPO / "seeds")
    ap.add_argument("--testset", type=Path, default=REPO / "evaluation" / "testsets" / "seed.jsonl")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "reader.json")
    ap.add_argument("--md", type=Path, default=None, help="also write the Reader section of this markdown file")
    args = ap.parse_args(argv)
    argv = list(sys.argv[1:] if argv is None else argv)

    from answering.pipeline import Assistant
    from answering.reading import ReaderStage
    from benchmarks.common import machine_facts
    from corpus.pipeline import load_corpus
    from evaluation.metrics import char_f1, contains_reference, exact_match
    from reader import windows as W
    from retrieval.embedder import E5Encoder
    from retrieval.searcher import Retriever

    rows = [json.loads(line) for line in args.testset.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r.get("answers")]
    corpus = load_corpus(args.seeds)
    enc = E5Encoder()
    retriever = Retriever.from_corpus(corpus, enc)
    # its own Retriever (own query-vector cache): each question is new to both Assistants
    plain = Assistant(Retriever.from_corpus(corpus, enc))
    plain.ask("贵州邮政快递业务收入是多少？")  # warm-up: model, sentence embeddings
    rss0 = _rss_mb()
    t = time.perf_counter()
    stage = ReaderStage.load(enc)
    if stage is None:
        raise SystemExit("reader unavailable (see the log above)")
    load_ms = (time.perf_counter() - t) * 1000
    rss_load = _rss_mb()
    with_reader = Assistant(retriever, reader=stage)
    with_reader.ask("贵州邮政快递业务收入是多少？")
    rss1 = _rss_mb()
    reader = stage.reader

    lat: dict[str, list[float]] = {k: [] for k in ("answer_reader", "read_in_answer", "answer_sentences",
                                                    "read", "bare")}
    wins_a, em, f1, cont, refused = [], [], [], [], []
    for _ in range(args.repeats):
        for r in rows:
            q = r["question"]
            a = with_reader.ask(q)
            b = plain.ask(q)
            lat["answer_reader"].append(a.timings["total"])
            if "read" in a.timings:
                lat["read_in_answer"].append(a.timings["read"])
            lat["answer_sentences"].append(b.timings["total"])
            passages = [h.passage.text for h in retriever.search(q, top_k=5)]
            ra = reader.read(q, passages)
            qids = W.encode_question(reader.tokenizer, q, reader.max_query_tokens)
            wins = [w for i, p in enumerate(passages)
                    for w in W.passage_windows(reader.tokenizer, qids, W.encode_passage(reader.tokenizer, p),
                                               i, reader.max_len, reader.stride)]
            t = time.perf_counter()
            reader.logits(wins)
            lat["bare"].append((time.perf_counter() - t) * 1000)
            lat["read"].append(ra.ms)
            wins_a.append(ra.windows)
            pred = a.short_answer.text if (a.short_answer and not a.refused) else ""
            refused.append(bool(a.refused))
            em.append(exact_match(pred, r["answers"]))
            f1.append(char_f1(pred, r["answers"]))
            cont.append(contains_reference("" if a.refused else a.text, r["answers"]))
    res = {"command": "python -m benchmarks.reader_bench " + " ".join(shlex.quote(x) for x in argv),
           "started": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": machine_facts(),
           "load_avg_1min_end": round(os.getloadavg()[0], 2),
           "questions": len(rows), "repeats": args.repeats, "passages": len(corpus.passages),
           "latency_ms": {k: _pct(v) for k, v in lat.items()},
           "windows_read_all": float(np.mean(wins_a)),
           "answer_reader": {"short_em": round(float(np.mean(em)), 3), "short_f1": round(float(np.mean(f1)), 3),
                             "contains_reference": round(float(np.mean(cont)), 3),
                             "refused": round(float(np.mean(refused)), 3)},
           "memory_mb": {"rss_before_reader": round(rss0, 1), "rss_after_load": round(rss_load, 1),
                         "rss_after_first_answer": round(rss1, 1), "growth": round(rss1 - rss0, 1)},
           "reader_load_ms": round(load_ms, 1),
           "targets": {"answer_p50_ms": 150, "answer_p95_ms": 400, "memory_growth_mb": 300}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(res, indent=2, ensure_ascii=False))
    if args.md is not None:
        from benchmarks.report import READER_BEGIN, READER_END, render_reader, write_marked_section

        write_marked_section(args.md, render_reader(res), READER_BEGIN, READER_END)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
