"""Run the benchmark and write ``BENCHMARKS.md`` and ``<out>/results.json``.

    python -m benchmarks.run [--sizes 10000,100000] [--large] [--queries 300]
                             [--out benchmarks/out] [--md BENCHMARKS.md] [--model e5]

Sections (see each module): ``build`` (benchmarks.build_bench), ``queries``
(benchmarks.query_bench), ``startup`` (benchmarks.child startup/build, subprocesses),
``scale`` (benchmarks.scale_bench, one subprocess per size), ``embedding``
(benchmarks.embed_bench), ``reader`` (benchmarks.reader_bench, its own process; skip with
``--no-reader``).  The default run takes several minutes on 2 cores, most of it
building the HNSW index at 100k passages; ``--large`` adds 1M passages (much longer).
``--store milvus`` runs the Milvus backend benchmark instead (``benchmarks.milvus_bench``,
its own options follow).
"""
from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from benchmarks.common import CMRC_FILE, REPO, load_questions, machine_facts, make_seeds_dir, run_child, write_json

DEFAULT_SIZES = (10_000, 100_000)
LARGE_SIZE = 1_000_000


def _sizes(text: str) -> list[int]:
    try:
        out = [int(x.replace("_", "")) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes must be comma-separated integers, got {text!r}") from None
    if not out or min(out) < 1:
        raise argparse.ArgumentTypeError(f"--sizes must be positive integers, got {text!r}")
    return out


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=_sizes, default=list(DEFAULT_SIZES),
                    help="passage counts for the scale section, comma-separated (default 10000,100000)")
    ap.add_argument("--large", action="store_true", help="add 1,000,000 passages to the scale section")
    ap.add_argument("--queries", type=int, default=300, help="questions timed one at a time (default 300)")
    ap.add_argument("--answer-queries", type=int, default=60, help="questions answered end to end (default 60)")
    ap.add_argument("--scale-queries", type=int, default=100, help="questions per scale size (default 100)")
    ap.add_argument("--cmrc-articles", type=int, default=60,
                    help="CMRC 2018 trial entries used as the real-text corpus (default 60 of 256; 0: none)")
    ap.add_argument("--build-repeats", type=int, default=2, help="alternating build/bare-encode repeats")
    ap.add_argument("--embed-texts", type=int, default=200, help="passages for the embedding options (0: skip)")
    ap.add_argument("--no-onnx", action="store_true", help="do not try the ONNX backend")
    ap.add_argument("--alternatives", action="store_true",
                    help="at the largest size also time HNSW efConstruction=40 and IVF-Flat (default on for"
                         " sizes above the exact-search limit)")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out", help="folder for results.json")
    ap.add_argument("--md", type=Path, default=REPO / "BENCHMARKS.md", help="markdown report path")
    ap.add_argument("--model", default="e5", help="encoder spec: e5 (default), hashing, or a local model path")
    ap.add_argument("--no-reader", action="store_true",
                    help="skip the span reader section (benchmarks.reader_bench, its own process)")
    a = ap.parse_args(argv)
    for name in ("queries", "answer_queries", "scale_queries"):
        if getattr(a, name) < 1:
            ap.error(f"--{name.replace('_', '-')} must be >= 1")
    if a.build_repeats < 1:
        ap.error("--build-repeats must be >= 1")
    if a.cmrc_articles < 0 or a.embed_texts < 0:
        ap.error("--cmrc-articles and --embed-texts must be >= 0")
    if a.cmrc_articles and not CMRC_FILE.is_file():
        print(f"benchmarks: CMRC trial set not found at {CMRC_FILE} (set CNQA_CMRC_FILE); "
              "running without the CMRC corpus", file=sys.stderr)
        a.cmrc_articles = 0
    return a


def _rel(p: Path) -> str:
    try:
        return str(Path(p).resolve().relative_to(REPO))
    except ValueError:
        return str(p)


def _log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run(a: argparse.Namespace, argv: Sequence[str]) -> dict[str, Any]:
    """Run every section; returns the results dict (also written to disk)."""
    from retrieval import store
    from retrieval.build import build_index, dense_text, index_text
    from retrieval.dense import EXACT_MAX_VECTORS
    from retrieval.embedder import load_encoder

    t_all = time.perf_counter()
    out_dir = Path(a.out)
    work = out_dir / "work"
    work.mkdir(parents=True, exist_ok=True)
    sizes = sorted(set(a.sizes + ([LARGE_SIZE] if a.large else [])))
    res: dict[str, Any] = {"command": "python -m benchmarks.run " + " ".join(shlex.quote(x) for x in argv),
                           "started": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": machine_facts(),
                           "model_spec": a.model, "results_path": _rel(out_dir / "results.json")}
    encoder = load_encoder(a.model)
    res["model_id"] = encoder.model_id
    res["dim"] = encoder.dim

    seed_dir = make_seeds_dir(work / "seeds-seed", include_seed=True)
    corpora = [("seed", seed_dir)]
    if a.cmrc_articles:
        corpora.append((f"cmrc-{a.cmrc_articles}", make_seeds_dir(work / "seeds-cmrc", include_seed=False,
                                                                   cmrc_articles=a.cmrc_articles)))
    # 1. build throughput
    from benchmarks.build_bench import bench_build

    res["build"] = []
    for name, d in corpora:
        _log(f"build: {name}")
        res["build"].append(bench_build(name, d, encoder, repeats=max(a.build_repeats, 3) if name == "seed"
                                        else a.build_repeats))

    write_json(out_dir / "results.partial.json", res)
    # 2. indexes for the query section (the largest one built in a subprocess: build RSS)
    index_dirs: dict[str, Path] = {}
    res["startup"] = {}
    for name, d in corpora:
        idx = work / f"index-{name}"
        shutil.rmtree(idx, ignore_errors=True)  # no embedding cache from an earlier run
        if name == corpora[-1][0]:
            _log(f"build child (peak RSS): {name}")
            res["startup"]["build_child"] = {"corpus": name, **run_child(
                ["build", "--seeds", str(d), "--index", str(idx), "--model", a.model], timeout=3600)}
        else:
            build_index(d, idx, encoder, show_progress=False)
        index_dirs[name] = idx

    # 3. query latency
    from benchmarks.query_bench import bench_queries

    questions = load_questions(a.queries, cmrc_articles=a.cmrc_articles or None)
    res["queries"] = []
    for name, _ in corpora:
        _log(f"queries: {name} ({len(questions)} questions)")
        res["queries"].append(bench_queries(name, index_dirs[name], encoder, questions,
                                            answer_queries=a.answer_queries))

    write_json(out_dir / "results.partial.json", res)
    # 4. startup + serving RSS (fresh process)
    last = corpora[-1][0]
    _log("startup child")
    res["startup"]["serve_child"] = {"corpus": last, **run_child(
        ["startup", "--index", str(index_dirs[last]), "--model", a.model, "--question", questions[0],
         "--queries", "10"], timeout=1800)}

    write_json(out_dir / "results.partial.json", res)
    # 5. scale
    from benchmarks.scale_bench import prepare_scale_data, project_memory

    vecs, texts = [], []
    for name, _ in corpora:
        cur = store.current_dir(index_dirs[name])
        v, _ = store.read_embeddings(cur)
        vecs.append(v)
        texts.extend(index_text(p) for p in store.read_passages(cur))
    import numpy as np

    data = prepare_scale_data(work / "scale-data.npz", np.vstack(vecs), texts,
                              load_questions(a.scale_queries, cmrc_articles=a.cmrc_articles or None))
    res["scale"] = []
    for size in sizes:
        _log(f"scale: {size} passages")
        args = ["scale", "--size", str(size), "--data", str(data), "--model", a.model,
                "--queries", str(a.scale_queries)]
        if (a.alternatives or size > EXACT_MAX_VECTORS) and size == max(sizes):
            args.append("--alternatives")
        res["scale"].append(run_child(args, timeout=4 * 3600))
        write_json(out_dir / "results.partial.json", res)
    res["scale_projection"] = project_memory(res["scale"])

    write_json(out_dir / "results.partial.json", res)
    # 6. embedding options
    from benchmarks.common import st_model

    if a.embed_texts and st_model(encoder) is None:
        res["embedding"] = {"skipped": f"{type(encoder).__name__} wraps no sentence-transformers model"}
    elif a.embed_texts:
        from benchmarks.embed_bench import bench_embedding
        from corpus.pipeline import load_corpus

        big = load_corpus(corpora[-1][1])
        seed = load_corpus(seed_dir)
        ptexts = [dense_text(p) for p in big.passages]
        while ptexts and len(ptexts) < a.embed_texts:
            ptexts = ptexts + ptexts
        _log(f"embedding options on {min(len(ptexts), a.embed_texts)} passages")
        res["embedding"] = bench_embedding(encoder, ptexts[:a.embed_texts],
                                           [dense_text(p) for p in seed.passages],
                                           _seed_questions(), try_onnx=not a.no_onnx)
    else:
        res["embedding"] = {"skipped": "--embed-texts 0"}
    # 7. the span reader: whole answer with it, beside a bare forward pass (own process: RSS)
    if not a.no_reader and a.model == "e5":
        _log("reader (benchmarks.reader_bench)")
        res["reader"] = _reader_child(out_dir / "reader.json")
    res["total_s"] = round(time.perf_counter() - t_all, 1)
    return res


def _reader_child(path: Path) -> dict[str, Any]:
    """``benchmarks.reader_bench`` in a fresh process; its results, or ``{"error": ...}``."""
    import subprocess

    p = subprocess.run([sys.executable, "-m", "benchmarks.reader_bench", "--out", str(path)], cwd=REPO,
                       capture_output=True, text=True, timeout=3600)
    if p.returncode != 0 or not path.is_file():
        return {"error": (p.stderr or p.stdout).strip().splitlines()[-1:] or [f"exit {p.returncode}"]}
    return json.loads(path.read_text(encoding="utf-8"))


def _seed_questions() -> list[str]:
    from benchmarks.common import SEED_TESTSET

    if not SEED_TESTSET.is_file():
        return ["快递服务点有多少个？"]
    qs = [json.loads(x)["question"] for x in SEED_TESTSET.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [q for q in qs if q.strip()] or ["快递服务点有多少个？"]


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--store" in argv:
        i = argv.index("--store")
        store = argv[i + 1] if i + 1 < len(argv) else ""
        if store not in ("faiss", "milvus"):
            print("benchmarks: --store must be faiss or milvus", file=sys.stderr)
            return 2
        argv = argv[:i] + argv[i + 2:]
        if store == "milvus":
            from benchmarks.milvus_bench import main as milvus_main

            return milvus_main(argv)
    a = parse_args(argv)
    res = run(a, argv)
    from benchmarks.report import render, write_report

    write_json(Path(a.out) / "results.json", res)
    (Path(a.out) / "results.partial.json").unlink(missing_ok=True)
    write_report(Path(a.md), render(res))  # the ingestion, Milvus and hand-written sections stay
    _log(f"wrote {a.md} and {Path(a.out) / 'results.json'} in {res['total_s']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
