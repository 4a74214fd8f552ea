"""Milvus backend at 10k / 100k / 1M passages (``python -m benchmarks.run --store milvus``).

    python -m benchmarks.milvus_bench [--sizes 10000,100000,1000000] [--queries 50]
                                      [--index DIR ...] [--time-cap 1800] [--out DIR]

The corpus is built as ``benchmarks.scale_bench`` builds it for FAISS: the real passages
of the given indexes (their e5 vectors from ``embeddings.npy``) plus synthetic ones
(vectors from a Gaussian fitted to the real ones, text sampled from real sentences).
Queries are real CMRC questions embedded once with e5 in the parent process.  Each size
runs in a fresh subprocess (the app: it holds vectors and texts, prepares the lexical text
and calls pymilvus) talking to its own engine process, ``python -m milvus_lite server``
over a fresh data directory (milvus-lite 3.2.2 is a pure-Python engine; in a separate
process it no longer shares the app's interpreter lock, as a Milvus server would not, and
app and engine memory are measured apart: RSS of the app after loading its data, RSS of
the engine after building and while serving, its peak (``VmHWM``), and the data on disk).

Per size: build = lexical text preparation (our tokens, ``LexicalAnalyzer.OURS``) +
insert (``MilvusBackend.add`` per ``PROGRESS_ROWS`` chunk, no flush) + one flush at the
end; "first search" = the first dense, then the first BM25, search after it (the engine
loads the segments and builds the indexes it has not built yet; milvus-lite builds its BM25
inverted index in Python at the first BM25 search); query latency p50/p95 of the dense top 50, the BM25
top 50, and hybrid (both + ``retrieval.fusion.fuse`` + near-duplicate removal); recall@10
of the dense search against exact numpy search.  Dense index as ``DenseIndex`` chooses:
FLAT up to 50,000 vectors, HNSW above.  A size still running after ``--time-cap``
seconds is stopped and reported as such; an engine whose RSS passes
``--engine-rss-cap-gib`` is stopped (``EngineWatchdog``) and the size reports what it had
measured before (e.g. dense search without BM25).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _peak_rss_of(pid: int) -> int | None:
    """Peak RSS (``VmHWM``, bytes) of process ``pid``; None where /proc is missing."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def start_engine(data_dir: Path, timeout: float = 120.0) -> tuple[subprocess.Popen, str]:
    """Start ``python -m milvus_lite server`` on ``data_dir`` (a free local port).

    Returns:
        ``(process, uri)``.
    Raises:
        RuntimeError: the server exited or did not listen within ``timeout`` seconds.
    """
    port = _free_port()
    log = open(data_dir.parent / f"{data_dir.name}.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(data_dir),
                             "--host", "127.0.0.1", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"milvus-lite server exited with {proc.returncode} (log {log.name})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"milvus-lite server did not listen on port {port} within {timeout} s")


def stop_engine(proc: subprocess.Popen) -> None:
    """Stop the engine gracefully (SIGINT: it closes its data directory), else kill it."""
    import signal

    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class EngineWatchdog:
    """Kills the engine process when its RSS passes ``cap_bytes`` (so a size too large for
    the machine fails as a measurement instead of waking the system's OOM killer); the
    app's next call to the engine then raises and ``reason`` says why."""

    def __init__(self, proc: Any, cap_bytes: int, every_s: float = 1.0) -> None:
        import threading

        self.proc, self.cap, self.every, self.reason = proc, int(cap_bytes), every_s, None
        self.t0 = time.perf_counter()
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        while self.reason is None:
            try:
                rss = self.proc.memory_info().rss
            except Exception:  # the engine has exited
                return
            if rss > self.cap:
                self.reason = (f"engine stopped at its {mib(self.cap) / 1024:.1f} GiB RSS cap "
                               f"({time.perf_counter() - self.t0:.0f} s into the size)")
                self.proc.kill()
                return
            time.sleep(self.every)


def one(size: int, data: Path, work: Path, engine_rss_cap: int, bm25_budget_s: float) -> dict[str, Any]:
    """Build and time one size (inside the child process)."""
    from benchmarks.scale_bench import synth_texts, synth_vectors
    from retrieval.backend import RowMeta
    from retrieval.dense import EXACT_MAX_VECTORS

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
    engine, uri = start_engine(db)
    try:
        return _measure(res, size, uri, engine, engine_rss_cap, bm25_budget_s, index_type, vectors, texts, meta,
                        qvecs, qtexts, work)
    finally:
        stop_engine(engine)
        res["disk_mib"] = mib(_dir_bytes(db)) if db.exists() else None


def _measure(res: dict[str, Any], size: int, uri: str, engine: subprocess.Popen, engine_rss_cap: int,
             bm25_budget_s: float, index_type: str, vectors: np.ndarray, texts: list[str], meta: list[Any], qvecs: np.ndarray,
             qtexts: list[str], work: Path) -> dict[str, Any]:
    import psutil

    from retrieval.fusion import FusionConfig, fuse, remove_near_duplicates
    from retrieval.milvus import MilvusBackend, MilvusConfig

    eng = psutil.Process(engine.pid)
    res["engine_idle_rss_mib"] = mib(eng.memory_info().rss)
    watchdog = EngineWatchdog(eng, engine_rss_cap)
    backend = MilvusBackend(MilvusConfig(uri, collection="bench", index_type=index_type), vectors.shape[1])
    backend.create()
    t_text, _ = timed(lambda: [backend.lexical_text(t) for t in texts[:2000]])
    res["lexical_text_s_per_1k"] = round(t_text / min(2000, size) * 1000, 3)
    progress = work / f"progress-{size}.json"
    t0 = time.perf_counter()
    try:
        for s in range(0, size, PROGRESS_ROWS):  # in chunks, so a size stopped at the cap still reports its rate
            e = min(size, s + PROGRESS_ROWS)
            backend.add(list(range(s, e)), meta[s:e], texts[s:e], vectors[s:e], upsert=False, flush=False)
            progress.write_text(json.dumps({"size": size, "rows_inserted": e,
                                            "elapsed_s": round(time.perf_counter() - t0, 1),
                                            "engine_rss_mib": mib(eng.memory_info().rss)}), encoding="utf-8")
        res["insert_s"] = round(time.perf_counter() - t0, 1)
        backend.flush()
    except Exception as e:
        raise RuntimeError(watchdog.reason or f"build failed: {type(e).__name__}: {str(e)[:160]}") from e
    res["build_s"] = round(time.perf_counter() - t0, 1)
    res["rows_per_s"] = round(size / max(res["build_s"], 1e-9))
    res["engine_build_rss_mib"] = mib(eng.memory_info().rss)
    res["count"] = backend.count
    partial = work / f"partial-{size}.json"  # what a size stopped at the time cap had measured
    write_json(partial, res)

    n_cand = FusionConfig().candidates
    t_dense, recalls = [], []
    res["first_search_s"] = round(timed(lambda: backend.dense_search(qvecs[0], n_cand))[0], 1)  # loads segments
    for q in qvecs:
        t, hits = timed(lambda: backend.dense_search(q, n_cand))
        t_dense.append(t)
        exact = np.argpartition(-(vectors @ q), 10)[:10]
        recalls.append(len({i for i, _ in hits[:10]} & set(exact.tolist())) / 10)
    res["dense_search"] = percentiles_ms(t_dense)
    res["recall_at_10"] = round(float(np.mean(recalls)), 4)
    res["engine_dense_rss_mib"] = mib(eng.memory_info().rss)
    write_json(partial, res)
    try:  # the first BM25 search builds the engine's inverted index (pure Python in milvus-lite 3.2.2)
        res["first_bm25_search_s"] = round(timed(lambda: backend.lexical_search(qtexts[0], n_cand))[0], 1)
        t_lex, t_hyb = [], []
        t_lex0 = time.perf_counter()
        for q, qt in zip(qvecs, qtexts):
            if t_lex and time.perf_counter() - t_lex0 > bm25_budget_s:
                break  # percentiles_ms records how many queries were measured
            t_lex.append(timed(lambda: backend.lexical_search(qt, n_cand))[0])

            def hybrid():
                fused = fuse(backend.dense_search(q, n_cand), backend.lexical_search(qt, n_cand))
                return remove_near_duplicates(fused, lambda r: texts[r[0]], limit=5)

            t_hyb.append(timed(hybrid)[0])
        res["bm25_search"] = percentiles_ms(t_lex)
        res["hybrid_search"] = percentiles_ms(t_hyb)
    except Exception as e:  # the engine stopped (memory cap) or refused: keep what was measured
        res["bm25_error"] = watchdog.reason or f"{type(e).__name__}: {str(e)[:160]}"
    res["app_rss_mib"] = mib(rss_bytes())
    res["app_peak_rss_mib"] = mib(_peak_rss_of(os.getpid()))  # VmHWM: getrusage would count the parent before exec
    res["engine_serving_rss_mib"] = mib(eng.memory_info().rss)
    res["engine_peak_rss_mib"] = mib(_peak_rss_of(engine.pid))
    backend.close()
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
    load = results.get("load_average")
    load_txt = (f"load average {load['start']} at the start, {load['end']} at the end (1-minute)"
                if load else "load average not recorded")
    L = [MARK_BEGIN, "## Milvus backend (milvus-lite)", "",
         f"Command: `{results['command']}` ({results['started']}; pymilvus {results.get('pymilvus')}, "
         f"milvus-lite {results.get('milvus_lite')} as its own `milvus_lite server` process; "
         f"{results['queries']} real CMRC questions per size; {results.get('cpus', '?')} CPU cores shared with "
         f"other jobs, {load_txt}; OMP_NUM_THREADS={results.get('omp_num_threads') or 'unset'}). "
         "Build = lexical text + insert + one flush; first search = the first dense, then BM25, search "
         "after it (the engine loads segments and builds the indexes it has not built yet). Method: `benchmarks/milvus_bench.py`'s "
         "docstring.", "",
         "| passages | index | build (s) | rows/s | first dense / BM25 search (s) | dense p50 / p95 (ms) | BM25 p50 / p95 (ms) "
         "| hybrid p50 / p95 (ms) | recall@10 vs exact | app RSS (MiB) | engine RSS built / serving / peak (MiB) "
         "| on disk (MiB) |",
         "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results["sizes"]:
        if "build_s" in r and "dense_search" not in r:  # built, then stopped before the searches
            L.append(f"| {r['size']:,} | {r['index_type']} | {r['build_s']} | {r['rows_per_s']} | "
                     f"not measured: {r.get('stopped') or r.get('error')} | | | | | {r.get('app_rss_mib', '—')} | "
                     f"{r['engine_build_rss_mib']} / — / — | {r.get('disk_mib', '—')} |")
            continue
        if "dense_search" not in r:
            L.append(f"| {r['size']:,} | — | {r.get('error') or r.get('stopped')} | | | | | | | | | |")
            continue
        if "bm25_search" in r:
            n = r["bm25_search"]["n"]
            few = f" ({n} of {r['queries']} queries: time budget)" if n < r["queries"] else ""
            lex = (f"{r['bm25_search']['p50']} / {r['bm25_search']['p95']}{few} | "
                   f"{r['hybrid_search']['p50']} / {r['hybrid_search']['p95']}{few}")
        else:
            lex = f"not measured: {r.get('bm25_error') or r.get('stopped', '?')} | —"
        if "stopped" in r:
            r = dict(r, engine_serving_rss_mib=r.get("engine_dense_rss_mib"), app_rss_mib=r.get("app_rss_mib", "—"),
                     engine_peak_rss_mib=r.get("engine_peak_rss_mib", "—"), disk_mib=r.get("disk_mib", "—"))
        L.append(f"| {r['size']:,} | {r['index_type']} | {r['build_s']} | {r['rows_per_s']} | "
                 f"{r['first_search_s']} / {r.get('first_bm25_search_s', '—')} | "
                 f"{r['dense_search']['p50']} / {r['dense_search']['p95']} | {lex} | {r['recall_at_10']} | "
                 f"{r['app_rss_mib']} | {r['engine_build_rss_mib']} / {r['engine_serving_rss_mib']} / "
                 f"{r['engine_peak_rss_mib']} | {r['disk_mib']} |")
    L += ["", MARK_END]
    return "\n".join(L)


def write_section(md: Path, section: str) -> None:
    """Replace (or append) the Milvus section of ``md``."""
    from benchmarks.report import write_marked_section

    write_marked_section(md, section, MARK_BEGIN, MARK_END)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(prog="python -m benchmarks.milvus_bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES))
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--index", type=Path, action="append", default=None,
                    help="index dir(s) whose real vectors/texts seed the corpus (default <repo>/index)")
    ap.add_argument("--time-cap", type=int, default=1800, help="seconds per size before it is stopped")
    ap.add_argument("--engine-rss-cap-gib", type=float, default=12.0,
                    help="the engine process is stopped above this RSS (GiB); the size reports it")
    ap.add_argument("--bm25-budget-s", type=float, default=900.0,
                    help="seconds per size for the BM25 and hybrid queries (after the first); fewer are measured then")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out")
    ap.add_argument("--md", type=Path, default=REPO / "BENCHMARKS.md")
    ap.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, default=None, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    work = a.out / "milvus-work"
    work.mkdir(parents=True, exist_ok=True)
    if a.one is not None:
        import signal

        # the parent stops a size at its cap with SIGTERM: exit through one()'s finally (stops the engine)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        print(json.dumps(one(a.one, a.data, work, int(a.engine_rss_cap_gib * 2**30), a.bm25_budget_s)))
        return 0
    sizes = sorted({int(s.replace("_", "")) for s in a.sizes.split(",") if s.strip()})
    from importlib import metadata

    data = prepare(a.index or [REPO / "index"], a.queries, work / "milvus-data.npz")
    res: dict[str, Any] = {"command": "python -m benchmarks.run --store milvus " + " ".join(argv),
                           "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                           "pymilvus": metadata.version("pymilvus"), "milvus_lite": metadata.version("milvus-lite"),
                           "queries": a.queries, "cpus": os.cpu_count(),
                           "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
                           "load_average": {"start": round(os.getloadavg()[0], 2)}, "sizes": []}
    for size in sizes:
        print(f"[milvus bench {time.strftime('%H:%M:%S')}] {size} passages", file=sys.stderr, flush=True)
        cmd = [sys.executable, "-m", "benchmarks.milvus_bench", "--one", str(size), "--data", str(data),
               "--out", str(a.out), "--engine-rss-cap-gib", str(a.engine_rss_cap_gib),
               "--bm25-budget-s", str(a.bm25_budget_s)]
        t0 = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
        try:
            out, err = child.communicate(timeout=a.time_cap)
            lines = (err or "").strip().splitlines()
            row = (json.loads(out.strip().splitlines()[-1]) if child.returncode == 0
                   else {"size": size, "error": f"failed: {lines[-1][:200] if lines else child.returncode}"})
        except subprocess.TimeoutExpired:
            child.terminate()  # SIGTERM: the child stops its engine on the way out
            try:
                child.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                child.kill()
                child.communicate()
            row = {"size": size, "error": f"stopped at the {a.time_cap} s cap"}
        partial = work / f"partial-{size}.json"
        if "error" in row and partial.is_file():  # keep what the size measured before it stopped
            row = dict(json.loads(partial.read_text(encoding="utf-8")), stopped=row["error"])
        elif "error" in row and (work / f"progress-{size}.json").is_file():
            row["progress"] = json.loads((work / f"progress-{size}.json").read_text(encoding="utf-8"))
            p_ = row["progress"]
            row["error"] += (f"; {p_['rows_inserted']:,} rows inserted in {p_['elapsed_s']} s "
                             f"({p_['rows_inserted'] / max(p_['elapsed_s'], 1e-9):.0f} rows/s)")
        partial.unlink(missing_ok=True)
        row["wall_s"] = round(time.perf_counter() - t0, 1)
        res["sizes"].append(row)
        res["load_average"]["end"] = round(os.getloadavg()[0], 2)
        write_json(a.out / "milvus.json", res)
        write_section(a.md, render(res))  # after each size: a later size stopped still leaves these
        shutil.rmtree(work / f"milvus-{size}.db", ignore_errors=True)
    print(render(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
