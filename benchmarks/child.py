"""Subprocess entry points of the benchmark (so imports, model loading and peak RSS are
those of a fresh process).  Prints one JSON line on stdout.

    python -m benchmarks.child startup --index DIR --model SPEC --question Q [--queries N]
    python -m benchmarks.child build --seeds DIR --index DIR --model SPEC
    python -m benchmarks.child scale --size N --data FILE.npz --model SPEC [--queries N]

Not for users: ``benchmarks.run`` calls these.
"""
from __future__ import annotations

import time

T0 = time.perf_counter()  # before the heavy imports below and in the modes

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402


def _startup(a: argparse.Namespace) -> dict:
    from benchmarks.common import load_questions, peak_rss_bytes
    from retrieval.embedder import load_encoder
    from retrieval.searcher import Retriever

    t_import = time.perf_counter() - T0
    t = time.perf_counter()
    encoder = load_encoder(a.model)
    retriever = Retriever.open(Path(a.index), encoder=encoder)
    t_open = time.perf_counter() - t
    t = time.perf_counter()
    retriever.search(a.question, top_k=5)
    t_first = time.perf_counter() - t
    out = {"import_s": round(t_import, 3), "open_s": round(t_open, 3), "first_query_s": round(t_first, 3),
           "ready_s": round(time.perf_counter() - T0, 3)}
    try:
        t = time.perf_counter()
        import app  # noqa: F401
        from answering.pipeline import Assistant

        assistant = Assistant(retriever)
        demo = app.build_demo(assistant) if hasattr(app, "build_demo") else None
        out["build_demo_s"] = round(time.perf_counter() - t, 3) if demo is not None else None
        t = time.perf_counter()
        assistant.ask(a.question)
        out["first_answer_s"] = round(time.perf_counter() - t, 3)
        for q in load_questions(a.queries):
            assistant.ask(q)
    except Exception as e:  # noqa: BLE001 - the app is another area's; report, don't fail
        out["app_error"] = f"{type(e).__name__}: {e}"
    out["total_s"] = round(time.perf_counter() - T0, 3)
    out["peak_rss_bytes"] = peak_rss_bytes()
    return out


def _build(a: argparse.Namespace) -> dict:
    from benchmarks.common import peak_rss_bytes
    from retrieval.build import build_index
    from retrieval.embedder import load_encoder

    encoder = load_encoder(a.model)
    t = time.perf_counter()
    m = build_index(Path(a.seeds), Path(a.index), encoder, show_progress=False)
    return {"build_s": round(time.perf_counter() - t, 3), "passages": m.passage_count,
            "total_s": round(time.perf_counter() - T0, 3), "peak_rss_bytes": peak_rss_bytes()}


def _scale(a: argparse.Namespace) -> dict:
    from benchmarks.scale_bench import scale_one

    return scale_one(a.size, Path(a.data), a.model, a.queries, a.alternatives)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.child")
    sub = ap.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("startup")
    s.add_argument("--index", required=True)
    s.add_argument("--model", default="e5")
    s.add_argument("--question", required=True)
    s.add_argument("--queries", type=int, default=10, help="extra answers before reading peak RSS")
    b = sub.add_parser("build")
    b.add_argument("--seeds", required=True)
    b.add_argument("--index", required=True)
    b.add_argument("--model", default="e5")
    c = sub.add_parser("scale")
    c.add_argument("--size", type=int, required=True)
    c.add_argument("--data", required=True)
    c.add_argument("--model", default="e5")
    c.add_argument("--queries", type=int, default=100)
    c.add_argument("--alternatives", action="store_true",
                   help="also time HNSW efConstruction=40 and IVF (build, latency, recall)")
    a = ap.parse_args(argv)
    out = {"startup": _startup, "build": _build, "scale": _scale}[a.mode](a)
    sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
