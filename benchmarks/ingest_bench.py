"""Ingestion speed: adding one article to a large index, and parsing a 20 MB text file.

    python -m benchmarks.ingest_bench [--passages 100000] [--model e5|hashing] [--mb 20]
                                      [--out benchmarks/out/ingest.json]

1. **Incremental add.**  A seeds folder holding one JSON Lines file of ``--passages``
   synthetic articles of one passage each (150-300 characters of sentences sampled from
   the seed page, numbered so that every text is distinct) is indexed by
   ``retrieval.index.IndexManager`` from *stored vectors*: random unit vectors for every
   passage text are put in the manager's embedding journal first (as an interrupted
   build would have left them), so the initial build embeds nothing and its time is a
   full rebuild from stored vectors (parse, tokenise, BM25, FAISS HNSW, write).  Then one
   2,000-character article is added with ``add_files`` and removed with ``remove``;
   every phase of the add is timed again on its own (embedding its passages with the
   encoder, tokenising them, FAISS ``with_added``, bm25s re-indexing from the stored token
   ids, writing and hashing the files).  A full rebuild *with* embedding is projected as
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
    from retrieval import store
    from retrieval.build import dense_text, index_text
    from retrieval.dense import DenseIndex
    from retrieval.embedder import load_encoder
    from retrieval.index import EmbeddingJournal, IndexManager
    from retrieval.lexical import LexicalIndex, tokenize_ids

    rng = np.random.default_rng(0)
    seeds, index = work / "seeds", work / "index"
    seeds.mkdir()
    encoder = load_encoder(model)
    encoder.encode_queries(["预热"])  # model loaded before anything is timed
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
    index_bytes = sum(p.stat().st_size for p in store.current_dir(index).rglob("*") if p.is_file())

    new = work / "mars.txt"
    new.write_text(_article(), encoding="utf-8")
    t0 = time.perf_counter()
    (res,) = m.add_files([new])
    add_s = time.perf_counter() - t0
    assert res.ok, res.error
    assert "火星" in m.search("火星邮局", top_k=1, mode="bm25")[0].passage.title

    # the phases of the add, again, one by one
    new_p = parse_file(seeds / "mars.txt", seeds)
    texts = [dense_text(p) for p in new_p.passages]
    t0 = time.perf_counter()
    new_vecs = encoder.encode_passages(texts)
    embed_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    vocab = dict(m._state.vocab)
    tokenize_ids([index_text(p) for p in new_p.passages], m.bm25_scheme, vocab)
    tokenize_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    m._state.dense.with_added(np.asarray(new_vecs, dtype=np.float32))
    faiss_add_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    LexicalIndex.build_from_ids(m._state.token_ids, m._state.vocab, m.bm25_scheme)
    bm25_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    DenseIndex.build(m._state.vectors, encoder.dim)
    faiss_rebuild_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    m.remove("mars.txt")
    remove_s = time.perf_counter() - t0
    per_passage = embed_s / max(1, len(texts))
    return {
        "passages": n_passages, "model": encoder.model_id, "index_mib": round(index_bytes / 2**20, 1),
        "setup_s": round(setup_s, 1), "rebuild_from_stored_vectors_s": round(rebuild_s, 1),
        "new_article_chars": new_p.characters, "new_passages": res.passages, "embedded": res.embedded,
        "add_s": round(add_s, 2), "remove_s": round(remove_s, 2),
        "phases_s": {"embed_new": round(embed_s, 3), "tokenise_new": round(tokenize_s, 3),
                     "faiss_with_added": round(faiss_add_s, 3), "bm25_reindex_from_ids": round(bm25_s, 2),
                     "faiss_rebuild (remove)": round(faiss_rebuild_s, 2)},
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
    ph = add["phases_s"]
    print(f"""
| {add['passages']:,}-passage index ({add['model']}) | seconds |
|---|---|
| add one article ({add['new_article_chars']:,} characters, {add['new_passages']} passages, {add['embedded']} embedded) | {add['add_s']} |
| of which: embed its passages / tokenise them / FAISS add | {ph['embed_new']} / {ph['tokenise_new']} / {ph['faiss_with_added']} |
| of which: bm25s re-index from stored token ids (whole corpus) | {ph['bm25_reindex_from_ids']} |
| remove it (FAISS rebuilt from stored vectors: {ph['faiss_rebuild (remove)']} s) | {add['remove_s']} |
| full rebuild from stored vectors (parse, tokenise, BM25, FAISS, write) | {add['rebuild_from_stored_vectors_s']} |
| full rebuild with embedding (projected: passages x embedding s/passage) | {add['projected_full_rebuild_with_embedding_s']:,.0f} |

| parse a text file | MiB | characters | articles | passages | seconds |
|---|---|---|---|---|---|
| seed page repeated | {parse['mib']} | {parse['characters']:,} | {parse['articles']:,} | {parse['passages']:,} | {parse['parse_s']} |
""")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
