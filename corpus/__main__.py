"""``python -m corpus show [--seeds DIR] [--max-chars N] [-v]``: list the articles of a
seeds directory (id, title, byline, paragraph and passage counts)."""
from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter
from pathlib import Path

from corpus.pipeline import load_corpus

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m corpus", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    show = sub.add_parser("show", help="print each article: id, title, byline, counts")
    show.add_argument("--seeds", type=Path, default=REPO / "seeds")
    show.add_argument("--max-chars", type=int, default=300)
    show.add_argument("-v", "--verbose", action="store_true", help="also print paragraphs")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        corpus = load_corpus(args.seeds, max_chars=args.max_chars)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    n_pass = Counter(p.article_id for p in corpus.passages)
    for a in corpus.articles:
        mark = " (derived)" if a.title_derived else ""
        print(f"{a.id}\t{a.title}{mark}")
        print(f"    byline: {a.byline or '-'}   paragraphs: {len(a.paragraphs)}   "
              f"passages: {n_pass[a.id]}   chars: {len(a.text)}")
        if args.verbose:
            for i, p in enumerate(a.paragraphs, 1):
                print(f"    [{i}] {p}")
    print(f"{len(corpus.articles)} articles, {len(corpus.passages)} passages, "
          f"fingerprint {corpus.fingerprint[:12]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
