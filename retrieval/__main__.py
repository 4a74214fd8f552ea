"""Command line: build the index, search it.

    python -m retrieval build  [--seeds DIR] [--index DIR] [--model SPEC] [--scheme S]
    python -m retrieval search "问题" [--top-k 5] [--mode dense|bm25|hybrid]
                               [--seeds DIR] [--index DIR] [--model SPEC]

Defaults: ``--seeds <repo>/seeds``, ``--index <repo>/index``, ``--model`` the default of
``retrieval.embedder.load_encoder`` (multilingual-e5-small; ``hashing`` is the fast fake).
``search`` builds the index first when it is missing, stale or corrupt.
Exit status: 0 success, 1 no results, 2 bad usage or an index/corpus error.
"""
from __future__ import annotations

import argparse
import sys
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _encoder(spec: str | None):
    from retrieval.embedder import load_encoder

    return load_encoder(spec)


def _cmd_build(args: argparse.Namespace) -> int:
    from retrieval.build import build_index

    t0 = time.perf_counter()
    m = build_index(args.seeds, args.index, _encoder(args.model), show_progress=not args.quiet,
                    bm25_scheme=args.scheme)
    print(f"built {args.index / 'current'}: {m.article_count} articles, {m.passage_count} passages, "
          f"model {m.model_id} ({m.dim}-d, {m.dense_index}), BM25 {m.bm25_scheme}; "
          f"embedded {m.embedded}, reused {m.reused}; {time.perf_counter() - t0:.1f} s")
    return 0


def _cmd_search(args: argparse.Namespace) -> int:
    from retrieval.searcher import Retriever

    retriever = Retriever.open(args.index, seeds_dir=args.seeds, encoder=_encoder(args.model),
                               show_progress=not args.quiet)
    if args.mode != "bm25":  # load the model now, so the timing below is the search alone
        retriever.encoder.encode_queries(["warm-up"])
    t0 = time.perf_counter()
    hits = retriever.search(args.query, top_k=args.top_k, mode=args.mode)
    ms = (time.perf_counter() - t0) * 1000
    if not hits:
        print(f"no passages found ({args.mode}, {ms:.0f} ms)")
        return 1
    print(f"{len(hits)} passages ({args.mode}, {ms:.0f} ms):")
    for h in hits:
        p = h.passage
        parts = [f"score {h.score:.4f}"]
        if h.dense_score is not None:
            parts.append(f"cos {h.dense_score:.3f}")
        if h.bm25_score is not None:
            parts.append(f"bm25 {h.bm25_score:.2f}")
        print(f"\n[{h.rank}] {p.title}  ({', '.join(parts)})  {p.id} ¶{p.paragraph_no}")
        print(textwrap.indent(textwrap.fill(p.display_text, width=60), "    "))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    from retrieval.types import SearchMode
    from retrieval.tokenize import DEFAULT_SCHEME, SCHEMES

    ap = argparse.ArgumentParser(prog="python -m retrieval", description="Build and search the passage index.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--seeds", type=Path, default=REPO / "seeds", help="corpus directory (default: %(default)s)")
    common.add_argument("--index", type=Path, default=REPO / "index", help="index directory (default: %(default)s)")
    common.add_argument("--model", default=None, help="encoder spec: e5 (default), hashing, or a local model path")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    b = sub.add_parser("build", parents=[common], help="build the index from the seeds")
    b.add_argument("--scheme", choices=SCHEMES, default=DEFAULT_SCHEME, help="BM25 tokenisation")
    s = sub.add_parser("search", parents=[common], help="search the index (building it if needed)")
    s.add_argument("query")
    s.add_argument("-k", "--top-k", dest="top_k", type=int, default=5, help="passages to show (default 5)")
    s.add_argument("--mode", type=SearchMode, choices=list(SearchMode), default=SearchMode.HYBRID,
                   help="hybrid (default), dense or bm25")
    args = ap.parse_args(argv)

    from retrieval.store import RetrievalIndexError

    try:
        return _cmd_build(args) if args.cmd == "build" else _cmd_search(args)
    except (RetrievalIndexError, ValueError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
