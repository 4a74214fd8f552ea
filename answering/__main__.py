"""Command line: ``python -m answering ask "问题" [--llm SPEC] [--llm-base-url URL] [--top-k 5]
[--mode hybrid] [--json] [--index DIR] [--seeds DIR] [--model SPEC] [--no-reader]``; ``python -m answering rules`` lists the gate rules, the answer types and the span trims.

Prints the answer (led by the span reader's exact answer, ``Answer.short_answer``, unless
``--no-reader`` or a non-e5 encoder) and its numbered sources (title, paragraph, quote), or with ``--json`` the
``Answer.to_dict()``. The index is opened with ``Retriever.open(index, seeds, encoder)`` and
(re)built from ``seeds`` when missing or stale. Exit status 0 (answered or refused), 2 on bad
arguments or backend errors.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m answering", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("ask", help="answer one question with citations")
    a.add_argument("question")
    a.add_argument("--llm", default=None, help="openai:<model> or transformers:<path|file.gguf>")
    a.add_argument("--llm-base-url", default=None, help="OpenAI-compatible base URL (…/v1)")
    a.add_argument("-k", "--top-k", dest="top_k", type=int, default=5, help="passages to retrieve (default 5)")
    a.add_argument("--mode", default="hybrid", choices=["hybrid", "dense", "bm25"])
    a.add_argument("--json", action="store_true", help="print Answer.to_dict() as JSON")
    a.add_argument("--index", type=Path, default=REPO / "index")
    a.add_argument("--seeds", type=Path, default=REPO / "seeds")
    a.add_argument("--model", "--encoder", dest="model", default=None,
                   help="embedding model spec for load_encoder (default e5)")
    a.add_argument("--reader", action=argparse.BooleanOptionalAction, default=True,
                   help="lead with the trained span reader's exact answer (default on, as in the app)")
    sub.add_parser("rules", help="list the evidence gate's rules and thresholds, and the answer types")
    return p


def render(answer) -> str:
    """Human-readable answer plus numbered sources."""
    lines = [answer.text]
    sa = answer.short_answer
    if sa is not None and not answer.refused:
        lines.insert(0, f"答案 / Answer: {sa.text} [{sa.citation}]")
    for note in answer.notices:
        lines.insert(0, f"({note})")
    if answer.query and answer.query != answer.question.strip():
        lines.insert(0, f"(检索问题 / query: {answer.query})")
    if answer.citations:
        lines.append("")
        lines.append("来源 / Sources:")
        for c in answer.citations:
            lines.append(f"[{c.number}] 《{c.title}》 第{c.paragraph_no}段 ({c.passage_id}, "
                         f"support {c.support:.2f})")
            lines.append(f"    “{c.quote.strip()}”")
    if answer.unsupported:
        lines.append("")
        lines.append("未核实的句子（无出处） / Not verified (no source):")
        lines.extend(f"  - {s}" for s in answer.unsupported)
    if answer.refused and answer.decision is not None and not answer.decision.answerable:
        lines.append(f"(gate: {answer.decision.reason})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    args = _parser().parse_args(argv)
    if args.cmd == "rules":
        from answering.answer_type import TYPE_RULES
        from answering.gate import describe_rules

        print("Evidence gate rules (in order):")
        for r in describe_rules():
            on = "" if r["enabled"] else "  [off]"
            print(f"  {r['rule']:<16} {r['description']}" + (f"  (threshold: {r['threshold']})" if r["threshold"] is not None else "") + on)
        print("\nAnswer types (first match wins):")
        for t in TYPE_RULES:
            ex = t.examples[0] if t.examples else ""
            print(f"  {t.name:<13} {t.description:<46} e.g. {ex}")
        from answering.span_moves import AFTER_TRIMS, BEFORE_TRIMS
        from answering.span_trim import DISABLED, TRIM_RULES, WHOLE_VALUE_DESCRIPTION

        print("\nReader span trims and moves (in order):")
        trims = ([("whole_value", WHOLE_VALUE_DESCRIPTION), *BEFORE_TRIMS]
                 + [(r.name, r.description) for r in TRIM_RULES] + list(AFTER_TRIMS))
        for name, description in trims:
            print(f"  {name:<18} {description}" + ("  [off]" if name in DISABLED else ""))
        return 0
    from answering.llm import LLMError
    from answering.pipeline import Assistant
    from retrieval.embedder import load_encoder
    from retrieval.searcher import Retriever

    try:
        retriever = Retriever.open(args.index, args.seeds, encoder=load_encoder(args.model))
        assistant = Assistant(retriever, llm=args.llm, llm_base_url=args.llm_base_url,
                              reader="auto" if args.reader else None)
        answer = assistant.ask(args.question, top_k=args.top_k, mode=args.mode)
    except (ValueError, FileNotFoundError, LLMError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(render(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
