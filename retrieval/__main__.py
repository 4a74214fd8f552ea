"""Command line: build the index, search it, manage its documents (as the web page does).

    python -m retrieval build  [--seeds DIR] [--index DIR] [--model SPEC] [--scheme S]
    python -m retrieval search "问题" [--top-k 5] [--mode dense|bm25|hybrid]
                               [--seeds DIR] [--index DIR] [--model SPEC]
                               [--store faiss|milvus] [--milvus-uri URI]
    python -m retrieval migrate --to milvus [--milvus-uri URI] [--collection NAME]
                               [--analyzer ours|jieba] [--index DIR] [--force]
    python -m retrieval add FILE...        copy into the seeds folder, parse, embed, publish
    python -m retrieval remove NAME...     delete from the seeds folder and the index
    python -m retrieval reindex NAME...    parse again and replace
    python -m retrieval list               the documents table
    python -m retrieval compact [--full]   merge segments as the policy asks (--full: into one)
                               (all take [--seeds DIR] [--index DIR] [--model SPEC])


Defaults: ``--seeds <repo>/seeds``, ``--index <repo>/index``, ``--model`` the default of
``retrieval.embedder.load_encoder`` (multilingual-e5-small; ``hashing`` is the fast fake).
Every command but ``migrate`` (and ``search --store milvus``) opens the index with
``retrieval.index.IndexManager`` (recovering from a crash, building it when missing or stale,
syncing it with the seeds folder); a corpus file that cannot be loaded is reported on stderr
and skipped, never fatal. ``migrate`` copies the built index into a Milvus collection without
re-embedding (its stored vectors); ``--milvus-uri`` defaults to the milvus-lite
file ``<index>/milvus.db``, a server is ``http://host:19530`` (token: ``$MILVUS_TOKEN``).
Exit status: 0 success, 1 no results / a file not added, 2 bad usage or an index/corpus error.
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


def _manager(args: argparse.Namespace, sync: bool = True):
    from retrieval.index import IndexManager

    progress = None if args.quiet else _print_progress
    manager = IndexManager.open(args.index, args.seeds, _encoder(args.model), sync=sync, progress=progress,
                                bm25_scheme=getattr(args, "scheme", None) or _default_scheme())
    _report_errors(manager)
    return manager


def _default_scheme() -> str:
    from retrieval.tokenize import DEFAULT_SCHEME

    return DEFAULT_SCHEME


def _print_progress(fraction: float, message: str) -> None:
    print(f"  {fraction:4.0%} {message}", file=sys.stderr)


def _report_errors(manager) -> None:
    for d in manager.documents():
        if d.error:
            print(f"skipped {d.name}: {d.error}", file=sys.stderr)


def _cmd_build(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    manager = _manager(args, sync=False)
    manager.rebuild(progress=None if args.quiet else _print_progress)
    m = manager.manifest
    print(f"built {args.index / 'current'}: {m.article_count} articles, {m.passage_count} passages, "
          f"model {m.model_id} ({m.dim}-d, {m.dense_index}), BM25 {m.bm25_scheme}; "
          f"embedded {m.embedded}, reused {m.reused}; {time.perf_counter() - t0:.1f} s")
    return 0


def _cmd_search(args: argparse.Namespace) -> int:
    if args.store == "milvus":
        from retrieval.searcher import Retriever

        retriever = Retriever.open(args.index, seeds_dir=args.seeds, encoder=_encoder(args.model),
                                   show_progress=not args.quiet, store_kind=args.store,
                                   milvus_uri=args.milvus_uri)
    else:
        retriever = _manager(args).retriever
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


def _cmd_migrate(args: argparse.Namespace) -> int:
    from retrieval.milvus import MilvusConfig, default_uri, migrate_index

    cfg = MilvusConfig(args.milvus_uri or default_uri(args.index), collection=args.collection,
                       analyzer=args.analyzer)
    t0 = time.perf_counter()
    written, count = migrate_index(args.index, cfg, force=args.force)
    what = f"wrote {written} rows" if written else "already in sync, wrote 0 rows"
    print(f"migrated {args.index / 'current'} to Milvus {cfg.uri} collection {cfg.collection!r}: {what}; "
          f"the collection holds {count} rows; {time.perf_counter() - t0:.1f} s")
    return 0


def _cmd_add(args: argparse.Namespace) -> int:
    manager = _manager(args)
    results = manager.add_files(args.files, progress=None if args.quiet else _print_progress)
    for r in results:
        if r.ok:
            print(f"added {r.name}: {r.articles} articles, {r.passages} passages "
                  f"({r.embedded} embedded){' (replaced)' if r.replaced else ''}")
        else:
            print(f"not added {r.name}: {r.error}", file=sys.stderr)
    return 0 if all(r.ok for r in results) else 1


def _cmd_remove(args: argparse.Namespace) -> int:
    manager = _manager(args)
    status = 0
    for name in args.names:
        try:
            d = manager.remove(name)
            print(f"removed {d.name}: {d.articles} articles, {d.passages} passages")
        except KeyError as e:
            print(f"error: {e.args[0]}", file=sys.stderr)
            status = 1
    return status


def _cmd_reindex(args: argparse.Namespace) -> int:
    manager = _manager(args)
    status = 0
    for name in args.names:
        try:
            r = manager.reindex(name)
        except KeyError as e:
            print(f"error: {e.args[0]}", file=sys.stderr)
            status = 1
            continue
        if r.ok:
            print(f"re-indexed {r.name}: {r.articles} articles, {r.passages} passages ({r.embedded} embedded)")
        else:
            print(f"not re-indexed {r.name}: {r.error}", file=sys.stderr)
            status = 1
    return status


def _cmd_list(args: argparse.Namespace) -> int:
    docs = _manager(args).documents()
    print(f"{'name':40} {'format':8} {'articles':>8} {'passages':>8} {'chars':>8}  {'added':25} status")
    for d in docs:
        print(f"{d.name:40} {d.format:8} {d.articles:8} {d.passages:8} {d.characters:8}  {d.added_at:25} "
              f"{d.status}{': ' + d.error if d.error else ''}")
    print(f"{len(docs)} documents")
    return 0


def _cmd_compact(args: argparse.Namespace) -> int:
    manager = _manager(args)
    t0 = time.perf_counter()
    rules = manager.compact(force=args.full)
    sizes = ", ".join(f"{n} rows ({d} deleted)" for n, d in manager.segment_sizes)
    print(f"compacted ({', '.join(rules) or 'nothing to do'}) in {time.perf_counter() - t0:.1f} s; "
          f"segments: {sizes or 'none'}")
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
    s.add_argument("--store", choices=("faiss", "milvus"), default="faiss",
                   help="search backend: embedded FAISS + bm25s (default) or Milvus")
    s.add_argument("--milvus-uri", default=None, help="Milvus URI (default: the milvus-lite file <index>/milvus.db)")
    s.add_argument("--mode", type=SearchMode, choices=list(SearchMode), default=SearchMode.HYBRID,
                   help="hybrid (default), dense or bm25")
    mg = sub.add_parser("migrate", parents=[common], help="copy the built index into Milvus (no re-embedding)")
    mg.add_argument("--to", choices=("milvus",), required=True, help="target store")
    mg.add_argument("--milvus-uri", default=None, help="Milvus URI (default: the milvus-lite file <index>/milvus.db)")
    mg.add_argument("--collection", default="passages", help="collection name (default passages)")
    mg.add_argument("--analyzer", choices=("ours", "jieba"), default="ours",
                    help="lexical text: our tokens (default) or Milvus's jieba analyzer")
    mg.add_argument("--force", action="store_true", help="recreate the collection even when it is in sync")
    a = sub.add_parser("add", parents=[common], help="add files to the corpus and the index")
    a.add_argument("files", nargs="+", type=Path)
    r = sub.add_parser("remove", parents=[common], help="remove documents (by name) from corpus and index")
    r.add_argument("names", nargs="+")
    ri = sub.add_parser("reindex", parents=[common], help="parse documents again and replace them")
    ri.add_argument("names", nargs="+")
    sub.add_parser("list", parents=[common], help="list the documents of the index")
    c = sub.add_parser("compact", parents=[common], help="merge index segments, purge deleted rows")
    c.add_argument("--full", action="store_true", help="merge everything into one segment")
    args = ap.parse_args(argv)

    from retrieval.milvus import MilvusUnavailableError
    from retrieval.store import RetrievalIndexError

    commands = {"build": _cmd_build, "search": _cmd_search, "migrate": _cmd_migrate, "add": _cmd_add,
                "remove": _cmd_remove, "reindex": _cmd_reindex, "list": _cmd_list,
                "compact": _cmd_compact}
    try:
        return commands[args.cmd](args)
    except (RetrievalIndexError, MilvusUnavailableError, ValueError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
