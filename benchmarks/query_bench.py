"""Query latency, one question at a time, beside the bare libraries.

* ours: ``Retriever.search(q, top_k=5, mode="hybrid")`` on a persisted index (script folding,
  query embedding, FAISS, BM25 tokenisation + scoring, RRF fusion, near-duplicate removal);
  also ``mode="bm25"`` (no embedding) to attribute the lexical + fusion share.
* bare: ``SentenceTransformer.encode(["query: " + q])`` + ``faiss.IndexFlatIP.search`` over
  the index's own passage vectors, for the same number of candidates the Retriever asks
  FAISS for (``max(50, 4k)``).
* answer: ``Assistant(retriever).ask(q)`` (extractive), over the first ``answer_queries``.

Each question runs bare and ours back to back (alternating which goes first) so both see the
same machine load; the Retriever's query-vector cache is cleared before each search so a
repeated question is not served from it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np

from benchmarks.common import bare_query_encoder, percentiles_ms, ratio, timed


def _clear_cache(retriever: Any) -> None:
    cache = getattr(retriever, "_qcache", None)
    if cache is not None:
        cache.clear()


def bench_queries(name: str, index_dir: Path, encoder: Any, questions: Sequence[str],
                  answer_queries: int = 50, k: int = 5) -> dict[str, Any]:
    """Latency percentiles (ms) of hybrid retrieval, bare encode+FAISS, BM25-only and the
    full extractive answer over ``questions`` against the index in ``index_dir``.

    Returns:
        ``{"corpus", "passages", "queries", "hybrid", "bare", "bm25_only", "answer",
        "ratio_p50", "ratio_p95", "bare_encode_only", "bare_faiss_only"}`` (each latency a
        ``percentiles_ms`` dict).
    Raises:
        ValueError: no questions.
    """
    import faiss

    from answering.pipeline import Assistant
    from retrieval import store
    from retrieval.searcher import CANDIDATES_MIN, CANDIDATES_PER_K, Retriever

    if not questions:
        raise ValueError("no questions to time")
    retriever = Retriever.open(index_dir, encoder=encoder)
    vectors, _ = store.read_embeddings(store.current_dir(index_dir))
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(np.ascontiguousarray(vectors, dtype=np.float32))
    n_cand = min(max(CANDIDATES_MIN, CANDIDATES_PER_K * k), vectors.shape[0])
    bare_q = bare_query_encoder(encoder)
    # warm-up: first calls allocate
    for q in questions[:3]:
        flat.search(bare_q(q), n_cand)
        _clear_cache(retriever)
        retriever.search(q, top_k=k)
    ours, bare, bare_enc, bare_faiss, bm25 = [], [], [], [], []
    for i, q in enumerate(questions):
        def run_bare() -> None:
            te, v = timed(lambda: bare_q(q))
            tf, _ = timed(lambda: flat.search(np.ascontiguousarray(v, dtype=np.float32), n_cand))
            bare.append(te + tf)
            bare_enc.append(te)
            bare_faiss.append(tf)

        def run_ours() -> None:
            _clear_cache(retriever)
            ours.append(timed(lambda: retriever.search(q, top_k=k, mode="hybrid"))[0])

        for f in ((run_bare, run_ours) if i % 2 == 0 else (run_ours, run_bare)):
            f()
        bm25.append(timed(lambda: retriever.search(q, top_k=k, mode="bm25"))[0])
    assistant = Assistant(retriever)
    answers = []
    for q in questions[:max(1, answer_queries)]:
        _clear_cache(retriever)
        answers.append(timed(lambda: assistant.ask(q, top_k=k))[0])
    res = {"corpus": name, "passages": int(vectors.shape[0]), "queries": len(questions), "k": k,
           "faiss_candidates": n_cand, "hybrid": percentiles_ms(ours), "bare": percentiles_ms(bare),
           "bare_encode_only": percentiles_ms(bare_enc), "bare_faiss_only": percentiles_ms(bare_faiss),
           "bm25_only": percentiles_ms(bm25), "answer": percentiles_ms(answers)}
    res["ratio_p50"] = ratio(res["hybrid"]["p50"], res["bare"]["p50"])
    res["ratio_p95"] = ratio(res["hybrid"]["p95"], res["bare"]["p95"])
    # per-query paired ratio: robust to load changing during the run
    res["ratio_paired_median"] = round(float(np.median(np.asarray(ours) / np.asarray(bare))), 3)
    return res
