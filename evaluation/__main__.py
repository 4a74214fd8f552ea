"""Command line: ``python -m evaluation run --testset PATH [options]``.

Examples::

    python -m evaluation run --testset evaluation/testsets/seed.jsonl --mode hybrid,dense,bm25 --out eval-out/seed
    python -m evaluation run --testset ../shared/data/cmrc2018-trial/cmrc2018_trial.json --answers off --out eval-out/cmrc
    python -m evaluation run --testset ../shared/data/cmrc2018-trial/cmrc2018_trial.json --holdout-half --sample 300 --out eval-out/cmrc-holdout
    python -m evaluation run --testset ../shared/data/drcd-test/DRCD_test.json --script simplified --sample 300 --out eval-out/drcd-simp
    python -m evaluation run --testset ../shared/data/cmrc2018-trial/cmrc2018_trial.json --questions reader-val --reader on --out eval-out/cmrc
    python -m evaluation name-audit ../shared/data/drcd-test/DRCD_test.json --show 20

Exit status 0 on success, 2 on bad arguments or an invalid test set (message on stderr).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _gate(spec: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        key, sep, val = part.partition("=")
        if not sep:
            raise argparse.ArgumentTypeError(f"--gate expects KEY=VALUE[,KEY=VALUE], got {part!r}")
        try:
            out[key.strip()] = float(val)
        except ValueError:
            raise argparse.ArgumentTypeError(f"--gate {key}: {val!r} is not a number") from None
    return out


def _weights(spec: str) -> tuple[float, float]:
    try:
        a, b = (float(x) for x in spec.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--fusion-weights expects DENSE,BM25 (two numbers), got {spec!r}") from None
    return a, b


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m evaluation", description="Evaluate the assistant on a test set.")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run a test set and write report.md, results.jsonl, metrics.json, recall_at_k.png")
    r.add_argument("--testset", required=True, type=Path,
                   help="JSON Lines test set, or a SQuAD-format .json (CMRC 2018 / DRCD) that is corpus and test set")
    r.add_argument("--corpus", type=Path, default=None,
                   help="seeds directory or SQuAD .json (default: <repo>/seeds with the index <repo>/index)")
    r.add_argument("--mode", default="hybrid",
                   help="comma-separated search modes to compare: hybrid,dense,bm25 (default hybrid)")
    r.add_argument("--top-k", "--k", dest="top_k", type=int, default=5, help="passages given to the answerer (default 5)")
    r.add_argument("--answers", choices=("on", "off"), default="on",
                   help="off: retrieval metrics only, no Assistant (fast)")
    r.add_argument("--reader", choices=("on", "off"), default="on",
                   help="on (default, as in the app): exact answers from the trained span reader; "
                        "off: sentence answers only")
    r.add_argument("--llm", default=None, help="LLM spec for the generative answerer (default: extractive)")
    r.add_argument("--model", default=None, help="encoder spec: e5 (default), hashing, e5:<dir> or a model dir")
    r.add_argument("--out", type=Path, default=Path("eval-out"), help="output directory (default eval-out)")
    r.add_argument("--limit", type=int, default=None, help="evaluate only the first N cases")
    r.add_argument("--gate", type=_gate, default=None,
                   help="EvidenceGate overrides, e.g. min_top_dense=0.8,min_best_sentence=0.95,min_coverage=0.5")
    r.add_argument("--fusion", choices=("rrf", "convex"), default=None,
                   help="hybrid fusion method (default: FusionConfig's)")
    r.add_argument("--rrf-k", type=float, default=None, help="RRF constant (default: FusionConfig's, 60)")
    r.add_argument("--fusion-weights", type=_weights, default=None, help="hybrid weights DENSE,BM25")
    r.add_argument("--fusion-norm", choices=("minmax", "tmm"), default=None,
                   help="score normalisation of the convex combination")
    r.add_argument("--fusion-adaptive", choices=("none", "gap"), default=None,
                   help="query-adaptive leg weights")
    r.add_argument("--store", choices=("faiss", "milvus"), default="faiss",
                   help="search backend: embedded FAISS + bm25s (default) or Milvus")
    r.add_argument("--milvus-uri", default=None, help="Milvus URI (default: the milvus-lite file <index>/milvus.db)")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    r.add_argument("--sample", type=int, default=None,
                   help="evaluate N cases spread over the whole set (chosen by a hash of their id: deterministic, "
                        "the same questions in every variant of a file), not the first N")
    r.add_argument("--holdout-half", action="store_true",
                   help="SQuAD test set: index only the articles at even positions, ask the questions of all; "
                        "those about a held-out article must be refused")
    r.add_argument("--script", choices=("original", "simplified"), default="original",
                   help="simplified: convert the SQuAD test set to Simplified Chinese (OpenCC t2s) first")
    r.add_argument("--question-script", choices=("original", "simplified", "traditional"), default="original",
                   help="ask every question (and a follow-up's earlier questions) converted to this script "
                        "(OpenCC) over the unchanged corpus")
    r.add_argument("--questions", choices=("all", "reader-val", "reader-val-unindexed"), default="all",
                   help="reader-val: only the questions about the span reader's validation "
                        "articles (CMRC trial / DRCD test file; never trained on); "
                        "reader-val-unindexed: those questions over the corpus without their "
                        "articles (all must be refused)")
    c = sub.add_parser("reader-threshold",
                       help="the reader rule's open-domain threshold from results.jsonl files "
                            "(runs with --reader on --gate reader_null_max=1000,reader_partial_max=1000)")
    c.add_argument("results", nargs="+", type=Path)
    c.add_argument("--max-added", type=float, default=0.01,
                   help="share of answerable questions the rule may refuse (default 0.01)")
    c.add_argument("--clear", action="store_true",
                   help="the whole number at least 0.5 above every answerable margin: the rule refuses "
                        "no answerable question (with --negatives: how many unanswerable it still refuses)")
    c.add_argument("--negatives", nargs="+", type=Path, default=None,
                   help="results.jsonl of unanswerable questions (--questions reader-val-unindexed): "
                        "choose the threshold that refuses the most of them beyond the answerable ones")
    w = sub.add_parser("waiver-threshold",
                       help="the reader_confident waiver's threshold from results.jsonl files (runs with "
                            "--gate reader_confident_max=-5): below every unanswerable question it waived")
    w.add_argument("results", nargs="+", type=Path, help="results.jsonl of answerable questions")
    w.add_argument("--negatives", nargs="+", type=Path, required=True,
                   help="results.jsonl holding unanswerable questions")
    a = sub.add_parser("name-audit",
                       help="questions of a SQuAD file whose required names are missing from their own "
                            "gold paragraph (false refusals of the name rules; no model, seconds)")
    a.add_argument("testset", type=Path, help="SQuAD-format .json (CMRC 2018 / DRCD)")
    a.add_argument("--show", type=int, default=20, help="flagged questions to list (default 20)")
    return p


def _name_audit(args) -> int:
    from corpus.squad import read_squad
    from evaluation.name_audit import audit, report

    try:
        entries = read_squad(args.testset)
    except (ValueError, OSError) as e:
        print(f"evaluation: error: {e}", file=sys.stderr)
        return 2
    print(report(audit(entries), show=args.show))
    return 0


def _reader_threshold(args) -> int:
    from evaluation.calibration import load_rows, reader_threshold, reader_threshold_clear, reader_threshold_net

    def compute():
        if args.clear:
            return reader_threshold_clear(load_rows(args.results), load_rows(args.negatives or []))
        if args.negatives:
            return reader_threshold_net(load_rows(args.results), load_rows(args.negatives), args.max_added)
        return reader_threshold(load_rows(args.results), args.max_added)

    return _print_threshold(compute)


def _waiver_threshold(args) -> int:
    from evaluation.calibration import load_rows, waiver_threshold

    return _print_threshold(lambda: waiver_threshold(load_rows(args.results), load_rows(args.negatives)))


def _print_threshold(compute) -> int:
    """Print ``compute()`` as JSON; 2 with the reason on stderr for a missing, unreadable
    or unusable results file."""
    try:
        res = compute()
    except (ValueError, FileNotFoundError, json.JSONDecodeError) as e:
        print(f"evaluation: error: {e}", file=sys.stderr)
        return 2
    print(json.dumps(res))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "reader-threshold":
        return _reader_threshold(args)
    if args.command == "waiver-threshold":
        return _waiver_threshold(args)
    if args.command == "name-audit":
        return _name_audit(args)
    from evaluation.runner import RunConfig, run

    from retrieval.fusion import FusionConfig

    overrides = {key: val for key, val in (("method", args.fusion), ("rrf_k", args.rrf_k),
                                            ("weights", args.fusion_weights),
                                            ("normalization", args.fusion_norm),
                                            ("adaptive", args.fusion_adaptive)) if val is not None}
    try:
        fusion = FusionConfig(**overrides) if overrides else None
    except ValueError as e:
        print(f"evaluation: error: {e}", file=sys.stderr)
        return 2
    cfg = RunConfig(testset=args.testset, out_dir=args.out, corpus=args.corpus,
                    modes=tuple(m.strip() for m in args.mode.split(",") if m.strip()),
                    top_k=args.top_k, answers=args.answers == "on", llm=args.llm, model=args.model,
                    limit=args.limit, gate=args.gate, fusion=fusion,
                    store=args.store, milvus_uri=args.milvus_uri, show_progress=not args.no_progress)
    cfg.sample, cfg.holdout_half, cfg.script = args.sample, args.holdout_half, args.script
    cfg.question_script = args.question_script
    cfg.reader = args.reader == "on"
    cfg.questions = args.questions
    from retrieval.milvus import MilvusUnavailableError

    try:
        result = run(cfg)
    except (ValueError, FileNotFoundError, MilvusUnavailableError) as e:
        print(f"evaluation: error: {e}", file=sys.stderr)
        return 2
    from evaluation.report import metric_rows

    modes = list(result["modes"])
    print("metric\t" + "\t".join(modes))
    for label, vals in metric_rows(result):
        print(label + "\t" + "\t".join("n/a" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))
                                       for v in vals))
    print(f"wrote {args.out}/report.md, results.jsonl, metrics.json, recall_at_k.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
