"""The web page: ask questions about the news corpus, read cited answers, evaluate (``ui/``).

Run ``python app.py`` (or ``make run``) and open http://127.0.0.1:7860.

Options: ``--host`` (default 127.0.0.1), ``--port`` (7860), ``--index DIR`` (default
``<repo>/index``), ``--seeds DIR`` (``<repo>/seeds``), ``--model SPEC`` (encoder, see
``retrieval.embedder.load_encoder``: default e5, ``hashing`` for the offline fake),
``--llm SPEC`` (enables the generative answerer), ``--llm-base-url URL`` (its
OpenAI-compatible server; default env ``OPENAI_BASE_URL``), ``--feedback-dir DIR`` (ratings,
default ``<repo>/.cache/feedback``), ``--runs-dir DIR`` (evaluation runs, default
``<repo>/eval-out/ui``), ``--no-reader`` (sentence answers only; by default the trained span
reader leads each answer with its exact answer, see ``answering.reading``).

Startup loads the encoder once and the persisted index with ``retrieval.index.IndexManager``
(which recovers from a crash, builds a missing index, and adds/removes only the files of
``--seeds`` that changed; an unchanged corpus is never re-embedded, an unreadable file is
logged and skipped).  The "文档 Documents" tab (``ui/documents.py``) uploads files into the
live index.
"""
from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import argparse
import logging
import sys
from pathlib import Path
from typing import Sequence

from ui.layout import (CONCURRENCY, SEED_EXAMPLES, ChatDemo, build_demo, default_examples,  # noqa: F401
                       parse_history)

log = logging.getLogger("app")
REPO = Path(__file__).resolve().parent


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description="Cited news Q&A web page (Gradio).")
    ap.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    ap.add_argument("--index", type=Path, default=REPO / "index", help="index directory")
    ap.add_argument("--seeds", type=Path, default=REPO / "seeds", help="corpus directory")
    ap.add_argument("--model", default=None,
                    help="encoder spec: e5 (default), hashing, or a sentence-transformers path")
    ap.add_argument("--llm", default=None, help="LLM spec (openai:<model> or transformers:<path>); "
                    "enables the generative answerer")
    ap.add_argument("--llm-base-url", default=None,
                    help="OpenAI-compatible server of --llm openai:… (default env OPENAI_BASE_URL, "
                         "else http://127.0.0.1:11434/v1)")
    ap.add_argument("--feedback-dir", type=Path, default=REPO / ".cache" / "feedback",
                    help="where ratings and the feedback test set are stored")
    ap.add_argument("--runs-dir", type=Path, default=REPO / "eval-out" / "ui",
                    help="where the evaluation tab writes its runs")
    ap.add_argument("--reader", action=argparse.BooleanOptionalAction, default=True,
                    help="lead answers with the trained span reader's exact answer (default on, "
                         "with the e5 encoder; --no-reader: sentence answers only)")
    ap.add_argument("--store", choices=("faiss", "milvus"), default="faiss",
                    help="search backend: embedded FAISS + bm25s (default) or Milvus")
    ap.add_argument("--milvus-uri", default=None, help="Milvus URI (default: the milvus-lite file <index>/milvus.db)")
    return ap


def main(argv: Sequence[str] | None = None) -> None:
    """Parse options, load encoder + index once, and serve the page (blocks until stopped)."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for noisy in ("httpx", "faiss.loader", "sentence_transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    from retrieval.embedder import load_encoder
    from retrieval.index import IndexManager
    from retrieval.searcher import Retriever
    from answering.pipeline import Assistant

    if not args.seeds.is_dir():
        sys.exit(f"seeds directory not found: {args.seeds}")
    if args.llm_base_url and not args.llm:
        sys.exit("--llm-base-url needs --llm openai:<model>")
    encoder = load_encoder(args.model)
    log.info("encoder %s (dim %d)", encoder.model_id, encoder.dim)
    if args.store == "milvus":  # a Milvus collection fed from the built index (no uploads)
        retriever = Retriever.open(args.index, args.seeds, encoder, store_kind=args.store,
                                   milvus_uri=args.milvus_uri)
    else:
        retriever = IndexManager.open(args.index, args.seeds, encoder)  # recovers, builds, syncs
        for d in retriever.documents():
            if d.error:
                log.warning("corpus file %s skipped: %s", d.name, d.error)
    log.info("index %s: %d articles, %d passages", args.index,
             len(retriever.corpus.articles), len(retriever.corpus.passages))
    assistant = Assistant(retriever, reader="auto" if args.reader else None)  # searches the live index: uploads show up at once
    llm_assistant = None
    if args.llm:
        llm_assistant = Assistant(retriever, answerer="generative", llm=args.llm,
                                  llm_base_url=args.llm_base_url, reader=assistant.reader)
    server = args.llm_base_url or getattr(getattr(llm_assistant, "llm", None), "base_url", None)
    same_seeds = args.seeds.resolve() == (REPO / "seeds").resolve()
    demo = build_demo(assistant, llm_assistant=llm_assistant, llm_label=args.llm, llm_server=server,
                      corpus=retriever, manager=retriever,
                      feedback_dir=args.feedback_dir, runs_dir=args.runs_dir, eval_model=args.model,
                      eval_corpus=None if same_seeds else args.seeds)
    print(f"Open http://{args.host}:{args.port} in a browser.", flush=True)
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=64).launch(
        server_name=args.host, server_port=args.port, show_error=True)


if __name__ == "__main__":
    main()
