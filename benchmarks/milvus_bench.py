"""Milvus backend at 10k / 100k / 1M passages (``python -m benchmarks.run --store milvus``).

    python -m benchmarks.milvus_bench [--sizes 10000,100000,1000000] [--queries 50]
                                      [--index DIR ...] [--time-cap 1800] [--out DIR]

The corpus is built as ``benchmarks.scale_bench`` builds it for FAISS: the real passages
of the given indexes (their e5 vectors from ``embeddings.npy``) plus synthetic ones
(vectors from a Gaussian fitted to the real ones, text sampled from real sentences).
Queries are real CMRC questions embedded once with e5 in the parent process.  Each size
runs in a fresh subprocess with its own milvus-lite file (milvus-lite 3.2.2 runs its
engine inside the client's process, so "app" and "engine" memory are one RSS: the table
gives the RSS before the collection is opened (the app holding vectors and texts), the
growth while building and serving (the engine), and the collection's size on disk).

Per size: build = lexical text preparation (our tokens, ``LexicalAnalyzer.OURS``) +
insert + flush (until searchable); query latency p50/p95 of the dense top 50, the BM25
top 50, and hybrid (both + ``retrieval.fusion.fuse`` + near-duplicate removal); recall@10
of the dense search against exact numpy search.  Dense index as ``DenseIndex`` chooses:
FLAT up to 50,000 vectors, HNSW above.  A size still running after ``--time-cap``
seconds is stopped and reported as such.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from benchmarks.common import REPO, mib, peak_rss_bytes, percentiles_ms, rss_bytes, timed, write_json

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
MARK_BEGIN = "<!-- milvus-bench:begin -->"
MARK_END = "<!-- milvus-bench:end -->"
PROGRESS_ROWS = 20_000


def _dir_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def one(size: int, data: Path, work: Path) -> dict[str, Any]:
    """Build and time one size (inside the child process)."""
    from benchmarks.scale_bench import synth_texts, synth_vectors
    from retrieval.backend import RowMeta
    from retrieval.dense import EXACT_MAX_VECTORS
    from retrieval.fusion import FusionConfig, fuse, remove_near_duplicates
    from retrieval.milvus import MilvusBackend, MilvusConfig

    z = np.load(data, allow_pickle=False)
    real = np.ascontiguousarray(z["real_vectors"], dtype=np.float32)
    real_texts = [str(t) for t in z["real_texts"]]
    sentences = [str(t) for t in z["sentences"]]
    qtexts = [str(t) for t in z["query_texts"]]
    qvecs = np.ascontiguousarray(z["query_vectors"], dtype=np.float32)
    rng = np.random.default_rng(size)
    n_real = min(real.shape[0], size)
    res: dict[str, Any] = {"size": size, "real_embeddings": n_real, "synthetic": size - n_real,
                           "queries": len(qtexts)}
    rss0 = rss_bytes()
    syn = synth_vectors(real, size - n_real, rng)
    vectors = np.vstack([real[:n_real], syn]) if size > n_real else real[:n_real].copy()
    del syn
    texts = real_texts[:n_real] + synth_texts(sentences, size - n_real, rng)
    meta = [RowMeta(f"b{i}#1:1", f"b{i}#1", "", 1, "synthetic", "") for i in range(size)]
    res["app_data_rss_mib"] = mib(rss_bytes() - rss0)

    index_type = "FLAT" if size <= EXACT_MAX_VECTORS else "HNSW"
    res["index_type"] = index_type
    db = work / f"milvus-{size}.db"
    shutil.rmtree(db, ignore_errors=True)
    if db.is_file():
        db.unlink()
    r_before = rss_bytes()
    backend = MilvusBackend(MilvusConfig(str(db), collection="bench", index_type=index_type), vectors.shape[1])
    backend.create()
    t_text, _ = timed(lambda: [backend.lexical_text(t) for t in texts[:2000]])
    res["lexical_text_s_per_1k"] = round(t_text / min(2000, size) * 1000, 3)
    progress = work / f"progress-{size}.json"
    t0 = time.perf_counter()
    for s in range(0, size, PROGRESS_ROWS):  # in chunks, so a size stopped at the cap still reports its rate
        e = min(size, s + PROGRESS_ROWS)
        backend.add(list(range(s, e)), meta[s:e], texts[s:e], vectors[s:e], upsert=False)
        progress.write_text(json.dumps({"size": size, "rows_inserted": e,
                                        "elapsed_s": round(time.perf_counter() - t0, 1)}), encoding="utf-8")
    res["build_s"] = round(time.perf_counter() - t0, 1)
    res["engine_build_rss_mib"] = mib(rss_bytes() - r_before)
    res["count"] = backend.count

    n_cand = FusionConfig().candidates
    backend.dense_search(qvecs[0], n_cand)  # first search loads/warms the collection
    backend.lexical_search(qtexts[0], n_cand)
    t_dense, t_lex, t_hyb, recalls = [], [], [], []
    for q, qt in zip(qvecs, qtexts):
        t, hits = timed(lambda: backend.dense_search(q, n_cand))
        t_dense.append(t)
        exact = np.argpartition(-(vectors @ q), 10)[:10]
        recalls.append(len({i for i, _ in hits[:10]} & set(exact.tolist())) / 10)
        t, lex = timed(lambda: backend.lexical_search(qt, n_cand))
        t_lex.append(t)

        def hybrid():
            fused = fuse(backend.dense_search(q, n_cand), backend.lexical_search(qt, n_cand))
            return remove_near_duplicates(fused, lambda r: texts[r[0]], limit=5)

        t_hyb.append(timed(hybrid)[0])
    res["dense_search"] = percentiles_ms(t_dense)
    res["bm25_search"] = percentiles_ms(t_lex)
    res["hybrid_search"] = percentiles_ms(t_hyb)
    res["recall_at_10"] = round(float(np.mean(recalls)), 4)
    res["serving_rss_mib"] = mib(rss_bytes())
    res["engine_serving_rss_mib"] = mib(rss_bytes() - r_before)
    res["peak_rss_mib"] = mib(peak_rss_bytes())
    backend.close()
    res["disk_mib"] = mib(_dir_bytes(db))
    return res


def prepare(index_dirs: Sequence[Path], n_queries: int, path: Path) -> Path:
    """Write the ``.npz`` the children read: real vectors/texts of ``index_dirs``,
    sentences, ``n_queries`` CMRC questions and their e5 query vectors."""
    from benchmarks.common import load_questions
    from benchmarks.scale_bench import prepare_scale_data
    from retrieval import store
    from retrieval.build import index_text
    from retrieval.embedder import load_encoder

    vecs, texts = [], []
    for d in index_dirs:
        cur = store.current_dir(Path(d))
        v, _ = store.read_embeddings(cur)
        vecs.append(v)
        texts.extend(index_text(p) for p in store.read_passages(cur))
    qs = load_questions(n_queries)
    prepare_scale_data(path, np.vstack(vecs), texts, qs)
    z = dict(np.load(path, allow_pickle=False))
    z["query_vectors"] = np.asarray(load_encoder(None).encode_queries(qs), dtype=np.float32)
    np.savez(path, **z)
    return path


def render(results: dict[str, Any]) -> str:
    """The BENCHMARKS.md section (between ``MARK_BEGIN``/``MARK_END``)."""
    L = [MARK_BEGIN, "## Milvus backend (milvus-lite)", "",
         f"Command: `{results['command']}` ({results['started']}; pymilvus {results.get('pymilvus')}, "
         f"milvus-lite {results.get('milvus_lite')}; {results['queries']} real CMRC questions per size; "
         "2 shared CPU cores, other jobs running). Method: `benchmarks/milvus_bench.py`'s docstring.", "",
         "| passages | index | build (s) | dense p50 / p95 (ms) | BM25 p50 / p95 (ms) | hybrid p50 / p95 (ms) "
         "| recall@10 vs exact | app data RSS (MiB) | engine RSS growth build / serving (MiB) | on disk (MiB) |",
         "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results["sizes"]:
        if "error" in r:
            L.append(f"| {r['size']:,} | — | {r['error']} | | | | | | | |")
            continue
        L.append(f"| {r['size']:,} | {r['index_type']} | {r['build_s']} | {r['dense_search']['p50']} / "
                 f"{r['dense_search']['p95']} | {r['bm25_search']['p50']} / {r['bm25_search']['p95']} | "
                 f"{r['hybrid_search']['p50']} / {r['hybrid_search']['p95']} | {r['recall_at_10']} | "
                 f"{r['app_data_rss_mib']} | {r['engine_build_rss_mib']} / {r['engine_serving_rss_mib']} | "
                 f"{r['disk_mib']} |")
    L += ["", MARK_END]
    return "\n".join(L)


def write_section(md: Path, section: str) -> None:
    """Replace (or append) the Milvus section of ``md``."""
    text = md.read_text(encoding="utf-8") if md.is_file() else ""
    if MARK_BEGIN in text and MARK_END in text:
        a, b = text.index(MARK_BEGIN), text.index(MARK_END) + len(MARK_END)
        text = text[:a] + section + text[b:]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    md.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(prog="python -m benchmarks.milvus_bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES))
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--index", type=Path, action="append", default=None,
                    help="index dir(s) whose real vectors/texts seed the corpus (default <repo>/index)")
    ap.add_argument("--time-cap", type=int, default=1800, help="seconds per size before it is stopped")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out")
    ap.add_argument("--md", type=Path, default=REPO / "BENCHMARKS.md")
    ap.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, default=None, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    work = a.out / "milvus-work"
    work.mkdir(parents=True, exist_ok=True)
    if a.one is not None:
        print(json.dumps(one(a.one, a.data, work)))
        return 0
    sizes = sorted({int(s.replace("_", "")) for s in a.sizes.split(",") if s.strip()})
    from importlib import metadata

    data = prepare(a.index or [REPO / "index"], a.queries, work / "milvus-data.npz")
    res: dict[str, Any] = {"command": "python -m benchmarks.run --store milvus " + " ".join(argv),
                           "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                           "pymilvus": metadata.version("pymilvus"), "milvus_lite": metadata.version("milvus-lite"),
                           "queries": a.queries, "sizes": []}
    for size in sizes:
        print(f"[milvus bench {time.strftime('%H:%M:%S')}] {size} passages", file=sys.stderr, flush=True)
        cmd = [sys.executable, "-m", "benchmarks.milvus_bench", "--one", str(size), "--data", str(data),
               "--out", str(a.out)]
        t0 = time.perf_counter()
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=a.time_cap, cwd=REPO)
            row = (json.loads(p.stdout.strip().splitlines()[-1]) if p.returncode == 0
                   else {"size": size, "error": f"failed: {p.stderr.strip().splitlines()[-1][:200]}"})
        except subprocess.TimeoutExpired:
            row = {"size": size, "error": f"stopped at the {a.time_cap} s cap"}
        if "error" in row and (work / f"progress-{size}.json").is_file():
            row["progress"] = json.loads((work / f"progress-{size}.json").read_text(encoding="utf-8"))
            p_ = row["progress"]
            row["error"] += (f"; {p_['rows_inserted']:,} rows inserted in {p_['elapsed_s']} s "
                             f"({p_['rows_inserted'] / max(p_['elapsed_s'], 1e-9):.0f} rows/s)")
        row["wall_s"] = round(time.perf_counter() - t0, 1)
        res["sizes"].append(row)
        write_json(a.out / "milvus.json", res)
        shutil.rmtree(work / f"milvus-{size}.db", ignore_errors=True)
    write_section(a.md, render(res))
    print(render(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
