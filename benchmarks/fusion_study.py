"""Fusion study: dump both legs' candidates once, then score fusion rules offline.

    python -m benchmarks.fusion_study dump --testset T [--corpus C] --out DIR/dump.json
                                           [--index-out EVAL_OUT] [--depth 50]
    python -m benchmarks.fusion_study score DIR/*.json [--md table.md]

``dump`` opens (or builds) the same index ``python -m evaluation run --out EVAL_OUT`` uses
(``evaluation.runner.prepare_corpus``), condenses every case's question as the
retrieval-only evaluation does, and writes each leg's top ``depth`` candidates
(``Retriever.candidates``: the lists ``Retriever.search`` fuses) with the gold passages
and articles.  ``score`` applies every rule of ``RULES`` to the dumps with the very
``retrieval.fusion.fuse`` and near-duplicate removal ``Retriever.search`` uses, and prints
Hit@1 and MRR@10 at passage and article level per set for the rules and both single legs,
so a rule is measured in seconds instead of re-running the evaluation.  With the default
depth (50 = ``FusionConfig.candidates``) the scores equal ``python -m evaluation run``'s.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Sequence

from retrieval.fusion import Adaptive, FusionConfig, FusionMethod, Normalization, fuse, remove_near_duplicates

DEPTH = 10  # metric depth, as the evaluation's

#: name -> FusionConfig (None: a single leg).  Rules are data: add a row to try one.
_RRF = FusionMethod.RRF
_CVX = FusionMethod.CONVEX
_NO = Adaptive.NONE
_GAP = Adaptive.GAP
_MM = Normalization.MINMAX
_TMM = Normalization.TMM

RULES: dict[str, FusionConfig | str] = {
    "dense": "dense",
    "bm25": "bm25",
    **{f"rrf ({w[0]:g},{w[1]:g})": FusionConfig(method=_RRF, weights=w, adaptive=_NO)
       for w in ((1.0, 1.0), (1.0, 1.5), (1.0, 2.0), (1.0, 3.0))},
    "rrf (1,1.5) k=10": FusionConfig(method=_RRF, weights=(1.0, 1.5), rrf_k=10, adaptive=_NO),
    "rrf (1,1) gap": FusionConfig(method=_RRF, weights=(1.0, 1.0), adaptive=_GAP),
    "rrf (1,1.5) gap": FusionConfig(method=_RRF, weights=(1.0, 1.5), adaptive=_GAP),
    **{f"convex minmax a={a}": FusionConfig(method=_CVX, normalization=_MM, adaptive=_NO, weights=(a, 1 - a))
       for a in (0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7)},
    **{f"convex tmm a={a}": FusionConfig(method=_CVX, normalization=_TMM, adaptive=_NO, weights=(a, 1 - a))
       for a in (0.3, 0.5, 0.6, 0.7, 0.8, 0.9)},
    **{f"convex minmax gap a={a}": FusionConfig(method=_CVX, normalization=_MM, adaptive=_GAP, weights=(a, 1 - a))
       for a in (0.3, 0.4, 0.5, 0.6, 0.7)},
    **{f"convex tmm gap a={a}": FusionConfig(method=_CVX, normalization=_TMM, adaptive=_GAP, weights=(a, 1 - a))
       for a in (0.5, 0.7, 0.9)},
}


def dump(testset: Path, corpus: Path | None, eval_out: Path, depth: int,
         milvus: Any = None) -> dict[str, Any]:
    """The candidate dump of one test set (see module docstring); with ``milvus`` (a
    ``retrieval.milvus.MilvusConfig``) the legs come from that Milvus collection."""
    from answering.condense import condense
    from evaluation.runner import RunConfig, load_cases, prepare_corpus
    from evaluation.testset import evidence_passages, resolve_gold_articles
    from retrieval.embedder import load_encoder
    from retrieval.searcher import Retriever

    cfg = RunConfig(testset=testset, out_dir=eval_out, corpus=corpus, answers=False)
    cfg.validate()
    seeds_dir, index_dir, squad_file = prepare_corpus(cfg)
    retriever = Retriever.open(index_dir, seeds_dir=seeds_dir, encoder=load_encoder(None), show_progress=True)
    if milvus is not None:
        retriever.attach_milvus(milvus)
    c = retriever.corpus
    cases = load_cases(cfg, c, squad_file)
    rows = []
    used: set[int] = set()
    for case in cases:
        arts = resolve_gold_articles(case, c)
        pas = evidence_passages(case, c, arts) if arts else []
        if not arts:
            continue
        query = condense(case.question, [tuple(t) for t in case.history]) or case.question
        dense, lexical = retriever.candidates(query, depth)
        used.update(i for i, _ in dense)
        used.update(i for i, _ in lexical)
        rows.append({"id": case.id, "query": query, "gold_articles": arts, "gold_passages": pas,
                     "dense": [[i, round(s, 6)] for i, s in dense],
                     "bm25": [[i, round(s, 6)] for i, s in lexical]})
    ps = c.passages
    return {"testset": str(testset), "index": str(index_dir), "depth": depth,
            "passages": {str(i): {"id": ps[i].id, "article_id": ps[i].article_id, "text": ps[i].display_text}
                         for i in sorted(used)},
            "cases": rows}


def ranking(row: dict[str, Any], rule: FusionConfig | str) -> list[tuple[int, float]]:
    """The fused (or single-leg) candidate list of one dumped case."""
    dense = [(int(i), float(s)) for i, s in row["dense"]]
    lexical = [(int(i), float(s)) for i, s in row["bm25"]]
    if rule == "dense":
        return dense
    if rule == "bm25":
        return lexical
    return fuse(dense, lexical, rule)


def score(d: dict[str, Any], rule: FusionConfig | str) -> dict[str, float]:
    """Mean passage/article Hit@1 and MRR@10 of ``rule`` over a dump (cases with gold
    passages for the passage level, all cases for the article level)."""
    from evaluation import metrics as M

    ps = d["passages"]
    sums = {"p_hit1": 0.0, "p_mrr": 0.0, "a_hit1": 0.0, "a_mrr": 0.0}
    n_p = n_a = 0
    for row in d["cases"]:
        kept = remove_near_duplicates(ranking(row, rule), lambda r: ps[str(r[0])]["text"], limit=DEPTH)
        ranked_p = [ps[str(i)]["id"] for i, _ in kept]
        ranked_a = M.dedupe(ps[str(i)]["article_id"] for i, _ in kept)
        n_a += 1
        sums["a_hit1"] += M.hit_at_k(ranked_a, row["gold_articles"], 1)
        sums["a_mrr"] += M.reciprocal_rank_at_k(ranked_a, row["gold_articles"], DEPTH)
        if row["gold_passages"]:
            n_p += 1
            sums["p_hit1"] += M.hit_at_k(ranked_p, row["gold_passages"], 1)
            sums["p_mrr"] += M.reciprocal_rank_at_k(ranked_p, row["gold_passages"], DEPTH)
    return {"p_hit1": sums["p_hit1"] / max(n_p, 1), "p_mrr": sums["p_mrr"] / max(n_p, 1),
            "a_hit1": sums["a_hit1"] / max(n_a, 1), "a_mrr": sums["a_mrr"] / max(n_a, 1)}


def score_table(dumps: dict[str, dict[str, Any]], rules: dict[str, FusionConfig | str] = RULES) -> str:
    """A markdown table: one row per rule, per set ``passage Hit@1/MRR@10, article
    Hit@1/MRR@10``, and a last column saying whether the rule is >= both legs on all four
    figures of every set (``ok``) or by how much it misses at worst."""
    res = {name: {s: score(d, rule) for s, d in dumps.items()} for name, rule in rules.items()}
    keys = ("p_hit1", "p_mrr", "a_hit1", "a_mrr")
    head = "| rule | " + " | ".join(f"{s} p H@1 / MRR / a H@1 / MRR" for s in dumps) + " | vs best leg |"
    lines = [head, "|---" * (len(dumps) + 2) + "|"]
    for name in rules:
        cells = []
        worst = 0.0
        for s in dumps:
            r = res[name][s]
            cells.append(" / ".join(f"{r[k]:.3f}" for k in keys))
            if name not in ("dense", "bm25"):
                for k in keys:
                    worst = min(worst, r[k] - max(res["dense"][s][k], res["bm25"][s][k]))
        verdict = "" if name in ("dense", "bm25") else ("ok" if worst >= -1e-9 else f"{worst:+.3f}")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {verdict} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.fusion_study", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump", help="dump both legs' candidates for a test set")
    d.add_argument("--testset", type=Path, required=True)
    d.add_argument("--corpus", type=Path, default=None)
    d.add_argument("--index-out", type=Path, required=True, help="the evaluation --out whose index to use")
    d.add_argument("--depth", type=int, default=FusionConfig().candidates)
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--milvus-uri", default=None, help="take the legs from Milvus (milvus-lite file or server)")
    d.add_argument("--analyzer", choices=("ours", "jieba"), default="ours", help="Milvus lexical text")
    s = sub.add_parser("score", help="score the fusion rules on dumps")
    s.add_argument("dumps", type=Path, nargs="+")
    s.add_argument("--md", type=Path, default=None, help="also write the table here")
    s.add_argument("--only", default=None, help="score only the rules whose name matches this regex")
    a = ap.parse_args(argv)
    if a.cmd == "dump":
        milvus = None
        if a.milvus_uri:
            from retrieval.milvus import MilvusConfig

            milvus = MilvusConfig(a.milvus_uri, analyzer=a.analyzer)
        out = dump(a.testset, a.corpus, a.index_out, a.depth, milvus)
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
        print(f"wrote {a.out}: {len(out['cases'])} cases")
        return 0
    dumps = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in a.dumps}
    import re

    rules = {k: v for k, v in RULES.items() if k in ("dense", "bm25") or not a.only or re.search(a.only, k)}
    table = score_table(dumps, rules)
    print(table)
    if a.md:
        a.md.write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
