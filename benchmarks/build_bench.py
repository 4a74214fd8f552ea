"""Index build throughput, end to end, beside the bare ``model.encode`` of the same passages.

End to end = ``retrieval.build.build_index(seeds_dir, fresh index_dir, encoder)``: parse,
clean, segment, chunk, embed, FAISS + BM25 index, persist.  Bare = the sentence-transformers
model inside the encoder encoding the same texts the build embeds
(``retrieval.build.dense_text`` of every passage) with the same prefix and batch size, in
one ``encode`` call.  The two alternate ``repeats`` times in the same process (the model
already loaded and warmed up); the medians give the ratio (our overhead).

A stage breakdown (parse+chunk, embedding as the build calls it, BM25, FAISS) shows where
any overhead goes.
"""
from __future__ import annotations

import shutil
import statistics
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import bare_passage_encoder, ratio, timed


def bench_build(name: str, seeds_dir: Path, encoder: Any, repeats: int = 2,
                breakdown: bool = True) -> dict[str, Any]:
    """Measure the build of ``seeds_dir``.

    Returns:
        ``{"corpus", "passages", "articles", "chars", "end_to_end_s" (median), "bare_encode_s"
        (median), "runs", "passages_per_s", "chars_per_s", "bare_passages_per_s",
        "bare_chars_per_s", "overhead_ratio" (end to end / bare), "stages_s"}``.
    Raises:
        ValueError: repeats < 1 or an empty corpus.
    """
    from corpus.pipeline import load_corpus
    from retrieval.build import EMBED_BATCH, build_index, dense_text, embed_passages
    from retrieval.dense import DenseIndex
    from retrieval.lexical import LexicalIndex
    from retrieval.build import index_text

    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    corpus = load_corpus(seeds_dir)
    if not corpus.passages:
        raise ValueError(f"no passages in {seeds_dir}")
    texts = [dense_text(p) for p in corpus.passages]
    chars = sum(len(p.text) for p in corpus.passages)
    bare = bare_passage_encoder(encoder, EMBED_BATCH)
    bare(texts[:8])  # warm-up (model load, first-call allocations)
    e2e: list[float] = []
    bare_s: list[float] = []
    work = Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        for r in range(repeats):
            order = ("bare", "ours") if r % 2 == 0 else ("ours", "bare")
            for what in order:
                if what == "bare":
                    bare_s.append(timed(lambda: bare(texts))[0])
                else:
                    idx = work / f"index{r}"
                    e2e.append(timed(lambda: build_index(seeds_dir, idx, encoder, show_progress=False))[0])
                    shutil.rmtree(idx, ignore_errors=True)
        stages: dict[str, float] = {}
        if breakdown:
            stages["parse_chunk"] = round(timed(lambda: load_corpus(seeds_dir))[0], 3)
            t, (vecs, _, _) = timed(lambda: embed_passages(texts, encoder))
            stages["embed_as_build"] = round(t, 3)
            stages["bm25"] = round(timed(lambda: LexicalIndex.build([index_text(p) for p in corpus.passages]))[0], 3)
            stages["faiss"] = round(timed(lambda: DenseIndex.build(vecs, encoder.dim))[0], 4)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    m_e2e, m_bare = statistics.median(e2e), statistics.median(bare_s)
    n = len(corpus.passages)
    return {"corpus": name, "passages": n, "articles": len(corpus.articles), "chars": chars,
            "repeats": repeats, "end_to_end_s": round(m_e2e, 3), "bare_encode_s": round(m_bare, 3),
            "runs": {"end_to_end_s": [round(x, 3) for x in e2e], "bare_encode_s": [round(x, 3) for x in bare_s]},
            "passages_per_s": round(n / m_e2e, 2), "chars_per_s": round(chars / m_e2e, 1),
            "bare_passages_per_s": round(n / m_bare, 2), "bare_chars_per_s": round(chars / m_bare, 1),
            "overhead_ratio": ratio(m_e2e, m_bare), "stages_s": stages}
