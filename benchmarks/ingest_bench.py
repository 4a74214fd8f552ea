"""Ingestion speed: adding one article to a large index, and parsing a 20 MB text file.

    python -m benchmarks.ingest_bench [--passages 100000] [--model e5|hashing] [--mb 20]
                                      [--out benchmarks/out/ingest.json]

1. **Incremental add.**  A seeds folder holding one JSON Lines file of ``--passages``
   synthetic articles of one passage each (150-300 characters of sentences sampled from
   the seed page, numbered so that every text is distinct) is indexed by
   ``retrieval.index.IndexManager`` from *stored vectors*: random unit vectors for every
   passage text are put in the manager's embedding journal first (as an interrupted
   build would have left them), so the initial build embeds nothing and its time is a
   full build from stored vectors (parse, tokenise, postings, FAISS HNSW, write: one
   segment).  Then one 2,000-character article is added with ``add_files`` (a second
   segment) and removed with ``remove`` (tombstones); the phases of the add are timed
   again on their own (embedding, postings, FAISS of the new segment, writing it, the
   in-memory live view); a merge of the new segment into the large one (the policy's
   "into-largest" compaction) and a forced full compaction (``compact(force=True)``:
   FAISS HNSW and postings rebuilt from the stored vectors) are timed; BM25 query time
   over one and two segments.  A full rebuild *with* embedding is projected as
   (passages in the index) x (measured embedding seconds per passage of the add).
2. **Parse a 20 MB text file.**  The seed page repeated (numbers varied) to ``--mb``
   MB of UTF-8, parsed by ``corpus.pipeline.parse_file`` (encoding detection, gibberish
   check, cleaning, segmentation, chunking).

Prints a Markdown table and writes the figures as JSON.
"""
from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "000_a77ed823f95b9e33.txt"


def _sentences() -> list[str]:
    import re

    text = re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))
    return [s for s in re.split(r"(?<=[。！？])", text) if 8 <= len(s) <= 120]


def _synthetic_jsonl(path: Path, n: int, rng: np.random.Generator) -> None:
    sents = _sentences()
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            parts, total = [f"第{i}号。"], 0
            for j in rng.integers(0, len(sents), size=12):
                parts.append(sents[j])
                total += len(sents[j])
                if total >= 150:
                    break
            f.write(json.dumps({"id": str(i), "title": f"合成文章{i}", "text": "".join(parts)[:290]},
                               ensure_ascii=False) + "\n")


def _article(chars: int = 2000) -> str:
    """A new article of about ``chars`` characters, absent from the synthetic corpus."""
    sents = _sentences()[::-1]
    body, k = [], 0
    while sum(map(len, body)) < chars:
        body.append(sents[k % len(sents)].replace("邮政", "星际邮政"))
        k += 1
    paras = ["".join(body[i:i + 4]) for i in range(0, len(body), 4)]
    return "火星邮局开业\n\n本报讯 " + "\n\n".join(paras) + "\n"


def bench_add(n: int, model: str, work: Path) -> dict:
    from corpus.pipeline import parse_file
    from retrieval import segments, store
    from retrieval.build import dense_text, index_text
    from retrieval.dense import DenseIndex
    from retrieval.embedder import load_encoder
    from retrieval.index import EmbeddingJournal, IndexManager
    from retrieval.segmented import Postings
    from retrieval.segments import CompactionPlan, Segment, apply_plan, live_view

    rng = np.random.default_rng(0)
    seeds, index = work / "seeds", work / "index"
    seeds.mkdir()
    encoder = load_encoder(model)
    encoder.encode_queries(["预热"])  # model loaded (and warmed) before anything is timed
    encoder.encode_passages(["预热"])
    t0 = time.perf_counter()
    _synthetic_jsonl(seeds / "synthetic.jsonl", n, rng)
    parsed = parse_file(seeds / "synthetic.jsonl", seeds)
    hashes = [store.text_hash(dense_text(p)) for p in parsed.passages]
    vecs = rng.standard_normal((len(hashes), encoder.dim)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    journal = EmbeddingJournal(index, encoder.model_id, encoder.dim)
    for i in range(0, len(hashes), 50_000):
        journal.append(hashes[i:i + 50_000], vecs[i:i + 50_000])
    setup_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    m = IndexManager.open(index, seeds, encoder)
    rebuild_s = time.perf_counter() - t0
    n_passages = len(m.corpus.passages)
    index_bytes = sum(p.stat().st_size for p in index.rglob("*") if p.is_file() and ".embeddings" not in p.parts)
    t0 = time.perf_counter()
    IndexManager.open(index, seeds, encoder, sync=False)  # a second process opening it
    open_s = time.perf_counter() - t0

    queries = ["邮政快递进村服务", "双11期间快递业务收入", "马拉松比赛", "乡村振兴", "网购产品"]
    lex = m.retriever.backend.lexical
    t0 = time.perf_counter()
    for q in queries:
        lex.scores(q)
    bm25_query_ms = (time.perf_counter() - t0) / len(queries) * 1000

    new = work / "mars.txt"
    new.write_text(_article(), encoding="utf-8")
    t0 = time.perf_counter()
    (res,) = m.add_files([new])
    add_s = time.perf_counter() - t0
    assert res.ok, res.error
    assert "火星" in m.search("火星邮局", top_k=1, mode="bm25")[0].passage.title
    sizes_after_add = m.segment_sizes

    # the phases of the add, again, one by one
    new_p = parse_file(seeds / "mars.txt", seeds)
    texts = [dense_text(p) for p in new_p.passages]
    t0 = time.perf_counter()
    new_vecs = np.asarray(encoder.encode_passages(texts), dtype=np.float32)
    embed_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    postings = Postings.from_texts([index_text(p) for p in new_p.passages], m.bm25_scheme)
    tokenize_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    dense = DenseIndex.build(new_vecs, encoder.dim)
    faiss_s = time.perf_counter() - t0
    seg = Segment(segments.new_segment_id(), new_p.articles, new_p.passages, new_vecs,
                  [store.text_hash(t) for t in texts], dense, postings)
    scratch = work / "scratch"
    t0 = time.perf_counter()
    segments.write_segment(scratch, seg, encoder.model_id, m.bm25_scheme)
    write_s = time.perf_counter() - t0
    refs = m._state.refs
    t0 = time.perf_counter()
    live_view(refs, encoder.dim, m.bm25_scheme)
    view_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    lex = m.retriever.backend.lexical
    for q in queries:
        lex.scores(q)
    bm25_query_2seg_ms = (time.perf_counter() - t0) / len(queries) * 1000

    # a merge of the small segment into the large one (what the policy does once the small
    # segments pass 10 % of the corpus), timed without publishing it
    t0 = time.perf_counter()
    merged = apply_plan(refs, CompactionPlan("into-largest", (0, 1), True), encoder.dim)
    segments.write_segment(scratch, merged[0].segment, encoder.model_id, m.bm25_scheme)
    merge_s = time.perf_counter() - t0
    shutil.rmtree(scratch, ignore_errors=True)

    t0 = time.perf_counter()
    m.remove("mars.txt")
    remove_s = time.perf_counter() - t0
    m.add_files([new])  # again (its vectors are cached): two segments to compact
    t0 = time.perf_counter()
    rules = m.compact(force=True)  # full rebuild of FAISS and postings from the stored vectors
    full_compaction_s = time.perf_counter() - t0
    per_passage = embed_s / max(1, len(texts))
    return {
        "passages": n_passages, "model": encoder.model_id, "index_mib": round(index_bytes / 2**20, 1),
        "setup_s": round(setup_s, 1), "rebuild_from_stored_vectors_s": round(rebuild_s, 1),
        "open_s": round(open_s, 1), "new_article_chars": new_p.characters, "new_passages": res.passages,
        "embedded": res.embedded, "segments_after_add": sizes_after_add,
        "add_s": round(add_s, 2), "add_parse_embed_s": res.seconds,
        "add_publish_s": round(add_s - res.seconds, 2), "remove_s": round(remove_s, 2),
        "phases_s": {"embed_new": round(embed_s, 3), "tokenise_new (postings)": round(tokenize_s, 3),
                     "faiss_new_segment": round(faiss_s, 3), "write_new_segment": round(write_s, 3),
                     "live_view (in memory)": round(view_s, 3)},
        "bm25_query_ms": {"1 segment": round(bm25_query_ms, 1), "2 segments": round(bm25_query_2seg_ms, 1)},
        "merge_into_largest_s": round(merge_s, 1), "full_compaction_s": round(full_compaction_s, 1),
        "full_compaction_rules": rules,
        "projected_full_rebuild_with_embedding_s": round(rebuild_s + per_passage * n_passages, 0),
    }


def bench_parse(mb: float, work: Path) -> dict:
    from corpus.pipeline import parse_file

    page = SEED.read_text(encoding="utf-8")
    copies = max(1, int(mb * 2**20 / len(page.encode("utf-8"))))
    big = work / "big.txt"
    with open(big, "w", encoding="utf-8") as f:
        for i in range(copies):
            f.write(page.replace("10 月", f"{i % 12 + 1} 月").replace("250", str(200 + i % 97)))
            f.write("\n\n")
    t0 = time.perf_counter()
    parsed = parse_file(big, work)
    s = time.perf_counter() - t0
    assert parsed.error is None, parsed.error
    return {"mib": round(big.stat().st_size / 2**20, 1), "characters": parsed.characters,
            "articles": len(parsed.articles), "passages": len(parsed.passages), "parse_s": round(s, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.ingest_bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--passages", type=int, default=100_000)
    ap.add_argument("--model", default="e5", help="encoder spec (e5, hashing...)")
    ap.add_argument("--mb", type=float, default=20.0, help="size of the text file to parse (MB)")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "ingest.json")
    a = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    try:
        parse = bench_parse(a.mb, work)
        print(f"parse: {parse}", flush=True)
        add = bench_add(a.passages, a.model, work)
        print(f"add: {add}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps({"parse": parse, "add": add}, ensure_ascii=False, indent=2), encoding="utf-8")
    ph, q = add["phases_s"], add["bm25_query_ms"]
    print(f"""
| {add['passages']:,}-passage index ({add['model']}) | seconds |
|---|---|
| add one article ({add['new_article_chars']:,} characters, {add['new_passages']} passages, {add['embedded']} embedded) | {add['add_s']} |
| of which: parse and embed it / the rest (postings, FAISS, write the segment and the head, swap) | {add['add_parse_embed_s']} / {add['add_publish_s']} |
| the phases again on their own: embed / tokenise (postings) / FAISS of the new segment | {ph['embed_new']} / {ph['tokenise_new (postings)']} / {ph['faiss_new_segment']} |
| ... write the new segment / the in-memory live view (vectors read in place) | {ph['write_new_segment']} / {ph['live_view (in memory)']} |
| remove it (tombstones in a new head) | {add['remove_s']} |
| merge the new segment into the large one (FAISS add, postings merge, write) | {add['merge_into_largest_s']} |
| full compaction: FAISS and postings rebuilt from stored vectors, written | {add['full_compaction_s']} |
| initial build from stored vectors (parse, tokenise, postings, FAISS, write) | {add['rebuild_from_stored_vectors_s']} |
| open the index in a second process (read, check sha256) | {add['open_s']} |
| full rebuild with embedding (projected: passages x embedding s/passage) | {add['projected_full_rebuild_with_embedding_s']:,.0f} |
| BM25 query, corpus-wide statistics: 1 segment / 2 segments (ms) | {q['1 segment']} / {q['2 segments']} |

| parse a text file | MiB | characters | articles | passages | seconds |
|---|---|---|---|---|---|
| seed page repeated | {parse['mib']} | {parse['characters']:,} | {parse['articles']:,} | {parse['passages']:,} | {parse['parse_s']} |
""")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
