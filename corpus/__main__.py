"""``python -m corpus show [FILE_OR_DIR] [--seeds DIR] [--max-chars N] [-v]``: list the
articles of one corpus file (``.pdf``, ``.docx``, ``.txt`` ...) or of a seeds directory
(id, title, byline, paragraph and passage counts); files that cannot be loaded are listed
with the reason.  Exit status: 0 when some article was found, 2 otherwise."""
from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter
from pathlib import Path

from corpus.pipeline import load_corpus, parse_file
from corpus.types import Article, FileError, Passage

REPO = Path(__file__).resolve().parents[1]


def _print_articles(articles: tuple[Article, ...], passages: tuple[Passage, ...], verbose: bool) -> None:
    n_pass = Counter(p.article_id for p in passages)
    for a in articles:
        mark = " (derived)" if a.title_derived else ""
        print(f"{a.id}\t{a.title}{mark}")
        print(f"    byline: {a.byline or '-'}   paragraphs: {len(a.paragraphs)}   "
              f"passages: {n_pass[a.id]}   chars: {len(a.text)}")
        if verbose:
            for i, p in enumerate(a.paragraphs, 1):
                print(f"    [{i}] {p}")


def _print_errors(errors: list[FileError]) -> None:
    for e in errors:
        print(f"skipped {e.source}: {e.reason}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m corpus", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    show = sub.add_parser("show", help="print each article: id, title, byline, counts")
    show.add_argument("path", nargs="?", type=Path, default=None,
                      help="a corpus file or directory (default: --seeds)")
    show.add_argument("--seeds", type=Path, default=REPO / "seeds")
    show.add_argument("--max-chars", type=int, default=300)
    show.add_argument("-v", "--verbose", action="store_true", help="also print paragraphs")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    target = args.path if args.path is not None else args.seeds
    if target.is_file():
        parsed = parse_file(target.resolve(), target.resolve().parent, max_chars=args.max_chars)
        if parsed.error:
            _print_errors([FileError(parsed.source, parsed.error)])
            return 2
        _print_articles(parsed.articles, parsed.passages, args.verbose)
        print(f"{parsed.source} ({parsed.format}): {len(parsed.articles)} articles, "
              f"{len(parsed.passages)} passages, {parsed.characters} characters")
        return 0
    try:
        corpus = load_corpus(target, max_chars=args.max_chars)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    _print_errors(list(corpus.errors))
    _print_articles(corpus.articles, corpus.passages, args.verbose)
    print(f"{len(corpus.articles)} articles, {len(corpus.passages)} passages, "
          f"fingerprint {corpus.fingerprint[:12]}"
          + (f"; {len(corpus.errors)} file(s) skipped" if corpus.errors else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
