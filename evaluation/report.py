"""Render an evaluation result: ``report.md`` (tables, per-tag breakdown, failed cases) and
``recall_at_k.png`` (Recall@k per mode, matplotlib Agg backend, no display needed)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from evaluation.metrics import K_VALUES

MAX_FAILED = 60        # failed cases listed per mode
ANSWER_CHARS = 160     # answer text shown per failed case


def _fusion_text(f: dict | None) -> str:
    """One line describing a ``FusionConfig.to_dict()``."""
    if not f:
        return "n/a"
    rule = (f"RRF rrf_k = {f.get('rrf_k')}" if f.get("method") == "rrf"
            else f"convex combination of {f.get('normalization')}-normalised scores")
    return (f"{rule}, weights (dense, BM25) = {f.get('weights')}, adaptive = {f.get('adaptive')}, "
            f"{f.get('candidates')} candidates per leg")


def _fmt(v: Any) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def metric_rows(result: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    """(label, value per mode) rows of the main table, in display order."""
    modes = list(result["modes"])
    ms = [result["modes"][m] for m in modes]
    rows: list[tuple[str, list[Any]]] = [("cases (answerable / unanswerable)",
                                          [f"{x['n_cases']} ({x['n_answerable']} / {x['n_unanswerable']})" for x in ms])]
    for level in ("article", "passage"):
        if not any(x.get(level) for x in ms):
            continue
        n = ms[0][f"n_{level}_gold"]
        keys = [f"hit@{k}" for k in K_VALUES] + [f"recall@{k}" for k in K_VALUES] + ["mrr@10", "ndcg@10"]
        for key in keys:
            label = key.replace("hit@", "Hit@").replace("recall@", "Recall@").replace("mrr@", "MRR@").replace("ndcg@", "nDCG@")
            rows.append((f"{level} {label} (n={n})", [x[level].get(key) if x.get(level) else None for x in ms]))
    if "answer" in ms[0]:
        rows += [("answer exact match (CMRC)", [x["answer"]["em"] for x in ms]),
                 ("answer char F1 (CMRC)", [x["answer"]["f1"] for x in ms]),
                 ("answer contains reference", [x["answer"]["contains"] for x in ms]),
                 ("citation precision", [x["citation"]["precision"] for x in ms]),
                 ("citation recall", [x["citation"]["recall"] for x in ms]),
                 ("sentences with a supported citation", [x["citation"]["supported_sentence_share"] for x in ms]),
                 ("refusal precision", [x["refusal"]["refusal_precision"] for x in ms]),
                 ("refusal recall", [x["refusal"]["refusal_recall"] for x in ms]),
                 ("false-refusal rate", [x["refusal"]["false_refusal_rate"] for x in ms]),
                 ("answered (not refused) rate", [x.get("answered_rate") for x in ms])]
    rows += [("latency p50 (ms)", [x["latency"]["latency_p50_ms"] for x in ms]),
             ("latency p95 (ms)", [x["latency"]["latency_p95_ms"] for x in ms])]
    return rows


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        out.append("| " + " | ".join(_fmt(v).replace("|", "\\|") for v in r) + " |")
    return out


def is_failed(row: dict[str, Any], k: int) -> str | None:
    """Why a case failed, or None.  With answers: an answerable case refused or whose answer
    lacks every reference; an unanswerable case answered.  Retrieval only: an answerable
    case whose gold article is not in the top k."""
    if "refused" in row:
        if row["answerable"]:
            if row["refused"]:
                return "refused"
            if not row["answer_metrics"]["contains"]:
                return "wrong answer"
            return None
        return None if row["refused"] else "answered an unanswerable question"
    am = row.get("article_metrics")
    if am and am.get(f"hit@{k}", am.get("hit@5", 1.0)) == 0.0:
        return f"gold article not in top {k}"
    return None


def _by_tag(rows: Sequence[dict[str, Any]]) -> list[list[Any]]:
    tags: dict[str, list[dict]] = {}
    for r in rows:
        for t in r["tags"] or ["(none)"]:
            tags.setdefault(t, []).append(r)
    out = []
    for t in sorted(tags):
        rs = tags[t]
        hits = [r["article_metrics"]["hit@5"] for r in rs if r.get("article_metrics")]
        mrr = [r["article_metrics"]["mrr@10"] for r in rs if r.get("article_metrics")]
        cont = [r["answer_metrics"]["contains"] for r in rs if r.get("answer_metrics")]
        ref = [r["refused"] for r in rs if "refused" in r]
        out.append([t, len(rs), sum(hits) / len(hits) if hits else None,
                    sum(mrr) / len(mrr) if mrr else None,
                    sum(cont) / len(cont) if cont else None,
                    sum(ref) / len(ref) if ref else None])
    return out


def _variant_lines(cfg: dict[str, Any]) -> list[str]:
    """Header lines for the derived-file options (sample, held-out split, Simplified, the
    questions' script)."""
    out = []
    if cfg.get("sample"):
        out.append(f"- sample: {cfg['sample']} cases spread over the whole set (chosen by a hash of their id)")
    h = cfg.get("holdout")
    if h:
        out.append(f"- held-out split ({h['rule']}): {h['articles_indexed']} articles indexed "
                   f"({h['questions_indexed']} questions), {h['articles_held_out']} held out "
                   f"({h['questions_held_out']} questions, expected: refusal)")
    if cfg.get("question_script") and cfg["question_script"] != "original":
        out.append(f"- question script: {cfg['question_script']} (every question and a follow-up's "
                   "earlier questions converted by OpenCC; corpus unchanged)")
    if cfg.get("script") and cfg["script"] != "original":
        c = cfg.get("conversion") or {}
        out.append(f"- script: converted to {cfg['script']} (OpenCC t2s) before the run; answers "
                   f"{c.get('answers', 0)}: re-anchored {c.get('moved', 0)}, respelled "
                   f"{c.get('respelled', 0)}, lost {c.get('lost', 0)}")
    return out


def write_report(result: dict[str, Any], rows_by_mode: dict[str, list[dict]], corpus: Any,
                 path: Path) -> None:
    """Write the Markdown report (UTF-8)."""
    cfg = result["config"]
    titles = {a.id: a.title for a in corpus.articles}
    modes = list(result["modes"])
    lines = ["# Evaluation report", "",
             f"- test set: `{cfg['testset']}`", f"- corpus: `{cfg['corpus']}` "
             f"({cfg['n_articles']} articles, {cfg['n_passages']} passages); index `{cfg['index']}`",
             f"- encoder: `{cfg['encoder']}`; answerer: "
             f"{'off (retrieval only)' if not cfg['answers'] else (cfg['llm'] or 'extractive')}; "
             f"top_k = {cfg['top_k']} passages to the answerer; retrieval metrics at depth {cfg['depth']}",
             f"- fusion: {_fusion_text(cfg.get('fusion'))}"
             + (f"; gate overrides {cfg['gate']}" if cfg.get("gate") else ""),
             f"- run time {cfg['run_s']} s (index open/build {cfg['index_open_s']} s)"
             + (f"; {len(cfg['skipped_cases'])} unusable cases left out (blank question or no "
                f"answer): {', '.join(cfg['skipped_cases'][:10])}" if cfg.get("skipped_cases") else ""),
             *_variant_lines(cfg), "",
             "## Metrics", ""]
    lines += _table(["metric"] + modes, [[label] + vals for label, vals in metric_rows(result)])
    lines += ["", "Definitions and sources: `evaluation/metrics.py`.  Article-level metrics rank "
              "articles by their best passage; passage-level gold = passages overlapping the "
              "evidence quote (hand-written sets) or holding the answer start (SQuAD sets).", ""]
    for mode in modes:
        lines += [f"## By tag ({mode})", ""]
        lines += _table(["tag", "cases", "article Hit@5", "article MRR@10", "answer contains ref", "refused"],
                        _by_tag(rows_by_mode[mode]))
        lines.append("")
    for mode in modes:
        by_tag = result["modes"][mode].get("refusal_by_tag")
        if by_tag:
            lines += [f"## Refusals by tag ({mode})", "",
                      "Refusal recall = refused / unanswerable cases of the tag; false-refusal "
                      "rate = refused / answerable cases of the tag.", ""]
            lines += _table(["tag", "unanswerable", "refusal recall", "answerable", "false-refusal rate"],
                            [[t, v["n_unanswerable"], v["refusal_recall"], v["n_answerable"],
                              v["false_refusal_rate"]] for t, v in by_tag.items()])
            lines.append("")
    for mode in modes:
        failed = [(r, why) for r in rows_by_mode[mode] if (why := is_failed(r, cfg["top_k"]))]
        lines += [f"## Failed cases ({mode}): {len(failed)} of {len(rows_by_mode[mode])}", ""]
        for r, why in failed[:MAX_FAILED]:
            exp = " / ".join(r["answers"]) if r["answers"] else "(unanswerable: refuse)"
            lines.append(f"- **{r['id']}** ({why}; tags: {', '.join(r['tags'])}) {r['question']}")
            if r["query"] != r["question"]:
                lines.append(f"  - query: {r['query']}")
            lines.append(f"  - expected: {exp}")
            if "answer" in r:
                got = r["answer"].replace("\n", " ")
                got = got if len(got) <= ANSWER_CHARS else got[:ANSWER_CHARS] + "…"
                why_ref = ""
                if r["refused"]:
                    g = r.get("gate") or {}
                    why_ref = (f" (refused; gate: {g['gate_reason']})" if g.get("gate_reason")
                               and g.get("gate_answerable") is False else
                               " (refused after the gate passed)" if g.get("gate_answerable") else " (refused)")
                lines.append(f"  - got{why_ref}: {got}")
                cited = "; ".join(f"[{c['number']}] {c['passage_id']} {titles.get(c['article_id'], '')[:30]}"
                                  f"{'' if c['correct'] else ' ✗'}" for c in r["citations"])
                lines.append(f"  - cited: {cited or '(none)'}")
            gold = ", ".join(f"{a} {titles.get(a, '')[:30]}" for a in r["gold_articles"])
            top = ", ".join(f"{a} {titles.get(a, '')[:20]}" for a in r["retrieved_articles"][:3])
            if gold:
                lines.append(f"  - gold article: {gold}")
            lines.append(f"  - top articles: {top or '(none)'}")
        if len(failed) > MAX_FAILED:
            lines.append(f"- … {len(failed) - MAX_FAILED} more in results.jsonl")
        lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_chart(result: dict[str, Any], path: Path) -> None:
    """Recall@k (k = 1, 3, 5, 10) per mode: solid lines article level, dashed passage level."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (mode, m) in enumerate(result["modes"].items()):
        for level, style in (("article", "-o"), ("passage", "--s")):
            if m.get(level):
                ys = [m[level][f"recall@{k}"] for k in K_VALUES]
                ax.plot(K_VALUES, ys, style, color=colours[i % len(colours)], label=f"{mode} ({level})")
    ax.set_xlabel("k (passages retrieved)")
    ax.set_ylabel("Recall@k")
    ax.set_xticks(list(K_VALUES))
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title("Recall@k per search mode")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, loc="lower right")
    else:  # e.g. a must-refuse set: no case has a gold article
        ax.text(0.5, 0.5, "no case with gold articles or passages", ha="center", va="center",
                transform=ax.transAxes)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
