"""Retrieval at 10k / 100k / 1M passages: exact (``IndexFlatIP``) versus the index the
project chooses (``retrieval.dense.DenseIndex.build``: exact up to 50k vectors, HNSW above).

Each size runs in a fresh subprocess (``python -m benchmarks.child scale``) so memory
figures are its own.  The corpus is the real passages embedded by the build benchmark
(their count is reported as ``real_embeddings``) plus synthetic ones:

* vectors: samples of a Gaussian with the mean and covariance of the real e5 passage
  vectors (covariance shrunk 10% towards its average variance), L2-normalised.  Real e5
  vectors are far from uniform on the sphere (cosines between unrelated passages are
  ~0.7-0.8), and approximate search behaves differently on uniform noise; a fit to real
  vectors keeps the difficulty realistic without embedding a million passages.
* text: 150-300 characters of sentences sampled from the real corpus (so BM25 sees real
  Chinese vocabulary and document lengths).

Queries are real questions (their e5 query vectors).  Recall@10 = mean over queries of
``|top10(approx) ∩ top10(exact)| / 10``.
"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, Sequence

import numpy as np

from benchmarks.common import mib, peak_rss_bytes, percentiles_ms, rss_bytes, timed

SHRINK = 0.1


def synth_vectors(real: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``(n, dim)`` float32 L2-normalised samples of a Gaussian fitted to ``real`` rows
    (mean; covariance shrunk ``SHRINK`` towards ``tr/d * I``); uniform on the sphere when
    fewer than 2 real rows are given."""
    d = real.shape[1]
    out = np.empty((n, d), dtype=np.float32)
    if real.shape[0] < 2:
        mean, chol = np.zeros(d), np.eye(d)
    else:
        mean = real.mean(axis=0).astype(np.float64)
        cov = np.cov(real.astype(np.float64), rowvar=False)
        cov = (1 - SHRINK) * cov + SHRINK * (np.trace(cov) / d) * np.eye(d)
        chol = np.linalg.cholesky(cov + 1e-9 * np.eye(d))
    step = 100_000
    for i in range(0, n, step):
        m = min(step, n - i)
        x = (rng.standard_normal((m, d)) @ chol.T + mean).astype(np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        out[i:i + m] = x
    return out


def synth_texts(sentences: Sequence[str], n: int, rng: np.random.Generator,
                min_chars: int = 150, max_chars: int = 300) -> list[str]:
    """``n`` passages of ``min_chars``-``max_chars`` characters made of random sentences."""
    if not sentences:
        sentences = ["邮政快递服务网点覆盖全部行政村。"]
    s = list(sentences)
    idx = rng.integers(0, len(s), size=(n, 12))
    out = []
    for row in idx:
        parts, total = [], 0
        for j in row:
            parts.append(s[j])
            total += len(s[j])
            if total >= min_chars:
                break
        out.append("".join(parts)[:max_chars])
    return out


def _faiss_bytes(index: Any) -> int:
    import faiss

    return int(faiss.serialize_index(index).size)


def _search_times(search, qvecs: np.ndarray, k: int) -> tuple[list[float], list[np.ndarray]]:
    times, ids = [], []
    for q in qvecs:
        t, r = timed(lambda: search(q.reshape(1, -1), k))
        times.append(t)
        ids.append(r)
    return times, ids


def _recall(approx: list[np.ndarray], exact: list[np.ndarray], k: int = 10) -> float:
    vals = [len(set(a[:k].tolist()) & set(e[:k].tolist())) / k for a, e in zip(approx, exact)]
    return round(float(np.mean(vals)), 4)


def scale_one(size: int, data: Path, model: str, n_queries: int = 100,
              alternatives: bool = False) -> dict[str, Any]:
    """Build and time one size (runs inside the child process; see module docstring).

    Args:
        size: passages in the corpus (real + synthetic).
        data: ``.npz`` from ``prepare_scale_data``.
        model: encoder spec for queries (must match the real vectors' model).
        n_queries: real questions timed.
        alternatives: also measure HNSW with efConstruction=40 and IVF-Flat.
    Raises:
        ValueError: size < 1.
    """
    import faiss

    from corpus.types import Passage
    from retrieval import dense as dense_mod
    from retrieval.build import Components
    from retrieval.dense import DenseIndex
    from retrieval.embedder import load_encoder
    from retrieval.lexical import LexicalIndex
    from retrieval.searcher import CANDIDATES_MIN, Retriever

    if size < 1:
        raise ValueError(f"size must be >= 1, got {size}")
    z = np.load(data, allow_pickle=False)
    real = np.ascontiguousarray(z["real_vectors"], dtype=np.float32)
    real_texts = [str(t) for t in z["real_texts"]]
    sentences = [str(t) for t in z["sentences"]]
    qtexts = [str(t) for t in z["query_texts"]][:n_queries]
    rng = np.random.default_rng(size)
    n_real = min(real.shape[0], size)
    res: dict[str, Any] = {"size": size, "real_embeddings": n_real, "synthetic": size - n_real,
                           "queries": len(qtexts)}
    rss0 = rss_bytes()
    t, syn = timed(lambda: synth_vectors(real, size - n_real, rng))
    vectors = np.vstack([real[:n_real], syn]) if size > n_real else real[:n_real].copy()
    del syn
    texts = real_texts[:n_real] + synth_texts(sentences, size - n_real, rng)
    passages = tuple(Passage(id=f"b{i}#1:1", article_id=f"b{i}#1", title="", paragraph_no=1, start=0,
                             end=len(tx), text=tx) for i, tx in enumerate(texts))
    res["chars"] = int(sum(len(x) for x in texts))
    del texts
    res["generate_s"] = round(t, 2)
    res["rss_vectors_passages_mib"] = mib(rss_bytes() - rss0)

    r0 = rss_bytes()
    t, lexical = timed(lambda: LexicalIndex.build([p.text for p in passages]))
    res["bm25_build_s"] = round(t, 2)
    res["bm25_rss_mib"] = mib(rss_bytes() - r0)

    r0 = rss_bytes()
    t, dense = timed(lambda: DenseIndex.build(vectors))
    res["chosen_index"] = dense.kind
    res["chosen_build_s"] = round(t, 2)
    res["chosen_bytes"] = _faiss_bytes(dense.index)
    res["chosen_rss_mib"] = mib(rss_bytes() - r0)
    if dense.kind == "flat-ip":
        flat = dense.index
        res["exact_build_s"] = res["chosen_build_s"]
    else:
        flat = faiss.IndexFlatIP(vectors.shape[1])
        res["exact_build_s"] = round(timed(lambda: flat.add(vectors))[0], 2)
    res["exact_bytes"] = _faiss_bytes(flat)

    encoder = load_encoder(model)
    t, qvecs = timed(lambda: np.ascontiguousarray(encoder.encode_queries(qtexts), dtype=np.float32))
    res["query_embed_batch_s"] = round(t, 2)
    k_dense = CANDIDATES_MIN

    def exact_search(q, k):
        return flat.search(q, k)[1][0]

    def chosen_search(q, k):
        return np.asarray([i for i, _ in dense.search(q, k)])

    exact_search(qvecs[:1], k_dense)
    chosen_search(qvecs[:1], k_dense)
    t_exact, ids_exact = _search_times(exact_search, qvecs, k_dense)
    t_chosen, ids_chosen = _search_times(chosen_search, qvecs, k_dense)
    nthreads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    t_exact1, _ = _search_times(exact_search, qvecs, k_dense)
    t_chosen1, _ = _search_times(chosen_search, qvecs, k_dense)
    faiss.omp_set_num_threads(nthreads)
    res["faiss_threads"] = nthreads
    res["exact_search"] = percentiles_ms(t_exact)
    res["chosen_search"] = percentiles_ms(t_chosen)
    res["exact_search_1thread"] = percentiles_ms(t_exact1)
    res["chosen_search_1thread"] = percentiles_ms(t_chosen1)
    res["recall_at_10"] = _recall(ids_chosen, ids_exact)
    res["hnsw_params"] = {"M": dense_mod.HNSW_M, "efConstruction": dense_mod.HNSW_EF_CONSTRUCTION,
                          "efSearch": dense_mod.HNSW_EF_SEARCH, "exact_max_vectors": dense_mod.EXACT_MAX_VECTORS}

    if alternatives:
        alts: dict[str, Any] = {}
        d = vectors.shape[1]
        h = faiss.IndexHNSWFlat(d, dense_mod.HNSW_M, faiss.METRIC_INNER_PRODUCT)
        h.hnsw.efConstruction = 40
        bt = timed(lambda: h.add(vectors))[0]
        for ef in (64, 128):
            h.hnsw.efSearch = ef
            tt, ids = _search_times(lambda q, k: h.search(q, k)[1][0], qvecs, k_dense)
            alts[f"hnsw_M{dense_mod.HNSW_M}_efc40_ef{ef}"] = {"build_s": round(bt, 2), "search": percentiles_ms(tt),
                                                           "recall_at_10": _recall(ids, ids_exact)}
        del h
        nlist = int(max(16, min(4096, 4 * np.sqrt(size))))
        quant = faiss.IndexFlatIP(d)
        ivf = faiss.IndexIVFFlat(quant, d, nlist, faiss.METRIC_INNER_PRODUCT)
        train = vectors[rng.choice(size, size=min(size, 50 * nlist), replace=False)]
        bt = timed(lambda: (ivf.train(train), ivf.add(vectors)))[0]
        for nprobe in (16, 32, 64):
            ivf.nprobe = nprobe
            tt, ids = _search_times(lambda q, k: ivf.search(q, k)[1][0], qvecs, k_dense)
            alts[f"ivf{nlist}_nprobe{nprobe}"] = {"build_s": round(bt, 2), "search": percentiles_ms(tt),
                                                 "recall_at_10": _recall(ids, ids_exact)}
        del ivf, quant
        res["alternatives"] = alts

    corpus = SimpleNamespace(passages=passages, articles=(), fingerprint="synthetic")
    comps = Components(vectors, [], dense, lexical, 0, size)
    retriever = Retriever(corpus, encoder, comps, manifest=None)
    hybrid, bm25 = [], []
    for q in qtexts[:2]:
        retriever.search(q, top_k=5)
    for q in qtexts:
        retriever._qcache.clear()
        hybrid.append(timed(lambda: retriever.search(q, top_k=5, mode="hybrid"))[0])
        bm25.append(timed(lambda: retriever.search(q, top_k=5, mode="bm25"))[0])
    res["hybrid_search"] = percentiles_ms(hybrid)
    res["bm25_search"] = percentiles_ms(bm25)
    res["serving_rss_mib"] = mib(rss_bytes())
    res["peak_rss_mib"] = mib(peak_rss_bytes())
    res["serving_rss_minus_start_mib"] = mib(rss_bytes() - rss0)
    return res


def prepare_scale_data(path: Path, real_vectors: np.ndarray, real_texts: Sequence[str],
                       query_texts: Sequence[str]) -> Path:
    """Write the ``.npz`` the scale child reads (real vectors and texts, sentences for
    synthetic text, query texts)."""
    from benchmarks.common import corpus_sentences

    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, real_vectors=np.asarray(real_vectors, dtype=np.float32),
             real_texts=np.asarray(list(real_texts), dtype=str),
             sentences=np.asarray(corpus_sentences(real_texts), dtype=str),
             query_texts=np.asarray(list(query_texts), dtype=str))
    return path


def project_memory(results: Sequence[dict[str, Any]], target: int = 1_000_000) -> dict[str, Any] | None:
    """Linear projection of serving memory to ``target`` passages from the two largest
    measured sizes (bytes per passage = slope of serving RSS minus start)."""
    rs = sorted((r for r in results if r.get("serving_rss_minus_start_mib") is not None), key=lambda r: r["size"])
    if len(rs) < 2 or rs[-1]["size"] >= target:
        return None
    a, b = rs[-2], rs[-1]
    slope = (b["serving_rss_minus_start_mib"] - a["serving_rss_minus_start_mib"]) / (b["size"] - a["size"])
    base = b["serving_rss_mib"] - b["serving_rss_minus_start_mib"]
    return {"passages": target, "serving_rss_gib": round((base + b["serving_rss_minus_start_mib"]
                                                          + slope * (target - b["size"])) / 1024, 2),
            "from_sizes": [a["size"], b["size"]], "kib_per_passage": round(slope * 1024, 2)}

