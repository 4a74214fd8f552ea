"""Render the benchmark results (``benchmarks.run``) as Markdown (``BENCHMARKS.md``)."""
from __future__ import annotations

import re
from typing import Any

TARGET_BUILD_OVERHEAD = 1.10
TARGET_QUERY_RATIO = 1.5
TARGET_P95_100K_MS = 100.0
TARGET_RECALL = 0.95
TARGET_1M_GIB = 24.0


def _f(x: Any, nd: int = 1) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:,.{nd}f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def _ok(cond: bool | None) -> str:
    return "–" if cond is None else ("**met**" if cond else "**missed**")


def _mib(b: Any) -> str:
    return "–" if b is None else f"{b / 2**20:,.0f} MiB"


def targets(res: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """``(target, measured, verdict, where)`` rows."""
    rows = []
    for b in res.get("build", []):
        r = b.get("overhead_ratio")
        rows.append((f"build overhead over bare encode ≤ {TARGET_BUILD_OVERHEAD:.2f}× ({b['corpus']})",
                     f"{_f(r, 3)}×", _ok(None if r is None else r <= TARGET_BUILD_OVERHEAD), "Index build"))
    q = next((x for x in res.get("queries", []) if x["corpus"] == "seed"), None)
    if q:
        r = q.get("ratio_p50")
        rows.append((f"hybrid retrieval ≤ {TARGET_QUERY_RATIO}× bare encode+FAISS at seed size (p50; p95)",
                     f"{_f(r, 3)}×; {_f(q.get('ratio_p95'), 3)}×",
                     _ok(None if r is None else r <= TARGET_QUERY_RATIO), "Query latency"))
    s100 = next((s for s in res.get("scale", []) if s["size"] == 100_000), None)
    if s100:
        p95 = s100["hybrid_search"]["p95"]
        rows.append((f"hybrid p95 < {TARGET_P95_100K_MS:.0f} ms at 100k passages", f"{_f(p95)} ms",
                     _ok(p95 < TARGET_P95_100K_MS), "Scale"))
    for s in res.get("scale", []):
        if s.get("chosen_index") != "flat-ip":
            rows.append((f"recall@10 of the approximate index ≥ {TARGET_RECALL} ({s['size']:,})",
                         _f(s["recall_at_10"], 3), _ok(s["recall_at_10"] >= TARGET_RECALL), "Scale"))
    s1m = next((s for s in res.get("scale", []) if s["size"] >= 1_000_000), None)
    if s1m:
        g = s1m["peak_rss_mib"] / 1024
        rows.append((f"1M passages served within {TARGET_1M_GIB:.0f} GiB", f"peak {g:.1f} GiB (measured)",
                     _ok(g <= TARGET_1M_GIB), "Scale"))
    elif res.get("scale_projection"):
        g = res["scale_projection"]["serving_rss_gib"]
        rows.append((f"1M passages served within {TARGET_1M_GIB:.0f} GiB", f"{g:.1f} GiB (projected)",
                     _ok(g <= TARGET_1M_GIB), "Scale"))
    return rows


def render(res: dict[str, Any]) -> str:
    """The whole report as Markdown."""
    m = res["machine"]
    L: list[str] = []
    L.append("# Benchmarks\n")
    L.append("Speed, memory and scale of the pipeline, each measured beside the bare libraries in the "
             "same run (`benchmarks/`). Produced by:\n")
    env = m.get("env") or {}
    prefix = "".join(f"{k}={env[k]} " for k in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS", "PYTHONPATH") if k in env)
    L.append(f"```\n{prefix}{res['command']}\n```\n")
    L.append(f"Run {res['started']}, {res['total_s']:,.0f} s in all. Model `{res['model_id']}` ({res['dim']}-d). "
             f"Raw numbers: `{res.get('results_path', 'benchmarks/out/results.json')}`.\n")
    libs = ", ".join(f"{k} {v}" for k, v in m.get("libraries", {}).items())
    L.append(f"**Machine**: {m['cpu']}, {m['cores']} cores usable, {_f(m['ram_gib'])} GiB RAM, "
             f"{m['os']}, Python {m['python']}; {libs}. Environment: {m.get('env') or 'no OMP_* variables set'}. Load average at start {m.get('load_avg_at_start')} "
             "(other jobs share these cores: figures are medians / percentiles of repeated runs and "
             "ratios measured side by side).\n")

    L.append("## Targets\n")
    L.append("| target | measured | verdict | section |\n|---|---|---|---|")
    for row in targets(res):
        L.append("| " + " | ".join(row) + " |")
    L.append("")

    L.append("## Index build\n")
    L.append("End to end = `build_index(seeds, fresh dir, encoder)`: parse, clean, segment, chunk, embed, "
             "FAISS + BM25, persist. Bare = `SentenceTransformer.encode` of the same texts (same prefix, "
             "same batch size) in one call. Alternating runs, medians.\n")
    L.append("| corpus | passages | characters | end to end (s) | passages/s | chars/s | bare encode (s) "
             "| bare chars/s | overhead | stages (s) |\n|---|---|---|---|---|---|---|---|---|---|")
    for b in res.get("build", []):
        st = ", ".join(f"{k} {v}" for k, v in b.get("stages_s", {}).items())
        L.append(f"| {b['corpus']} | {b['passages']:,} | {b['chars']:,} | {b['end_to_end_s']:.2f} "
                 f"| {b['passages_per_s']:.1f} | {b['chars_per_s']:,.0f} | {b['bare_encode_s']:.2f} "
                 f"| {b['bare_chars_per_s']:,.0f} | {b['overhead_ratio']:.3f}× | {st} |")
    L.append("\n`embed_as_build` is the embedding step as `retrieval.build.embed_passages` runs it "
             "(one `encode` call per batch of 32 in corpus order).\n")

    L.append("## Query latency (one question at a time, ms)\n")
    L.append("Hybrid = `Retriever.search(q, top_k=5)` (script folding, e5 query embedding, FAISS, BM25, RRF, "
             "dedupe); its query-vector cache is cleared before each search. Bare = `model.encode(['query: ' + q])` "
             "+ `IndexFlatIP.search` for the same number of candidates. Answer = `Assistant.ask(q)` "
             "(extractive, includes retrieval).\n")
    L.append("| corpus | passages | questions | hybrid p50 / p95 / p99 | bare p50 / p95 / p99 | ratio p50 (p95; paired median) "
             "| bare encode p50 | bare FAISS p50 | BM25-only p50 / p95 | answer p50 / p95 / p99 (n) |\n"
             "|---|---|---|---|---|---|---|---|---|---|")
    for q in res.get("queries", []):
        h, b, a = q["hybrid"], q["bare"], q["answer"]
        L.append(f"| {q['corpus']} | {q['passages']:,} | {q['queries']} | {h['p50']:.1f} / {h['p95']:.1f} / {h['p99']:.1f} "
                 f"| {b['p50']:.1f} / {b['p95']:.1f} / {b['p99']:.1f} | {q['ratio_p50']:.3f}× ({q['ratio_p95']:.3f}×; "
                 f"{q['ratio_paired_median']:.3f}×) | {q['bare_encode_only']['p50']:.1f} | {q['bare_faiss_only']['p50']:.3f} "
                 f"| {q['bm25_only']['p50']:.2f} / {q['bm25_only']['p95']:.2f} "
                 f"| {a['p50']:.0f} / {a['p95']:.0f} / {a['p99']:.0f} ({a['n']}) |")
    L.append("")

    L.append("## Startup and memory\n")
    st = res.get("startup", {})
    sv, bc = st.get("serve_child"), st.get("build_child")
    if sv:
        L.append(f"Fresh process serving the `{sv['corpus']}` index: imports {sv['import_s']:.1f} s, "
                 f"`load_encoder` + `Retriever.open` {sv['open_s']:.1f} s, first query {sv['first_query_s']:.2f} s "
                 f"(model load happens here), ready to answer after **{sv['ready_s']:.1f} s** "
                 f"({sv['wall_s']:.1f} s wall incl. interpreter). `app.build_demo`: "
                 f"{_f(sv.get('build_demo_s'), 2)} s; first `Assistant.ask`: {_f(sv.get('first_answer_s'), 2)} s. "
                 f"Peak RSS serving (after 11 answers): **{_mib(sv['peak_rss_bytes'])}**."
                 + (f" App error: `{sv['app_error']}`." if sv.get("app_error") else "") + "\n")
    if bc:
        L.append(f"Fresh process building the `{bc['corpus']}` index ({bc['passages']:,} passages): "
                 f"{bc['build_s']:.1f} s build, {bc['wall_s']:.1f} s wall, peak RSS **{_mib(bc['peak_rss_bytes'])}**.\n")

    L.append("## Scale\n")
    sc = res.get("scale", [])
    if sc:
        L.append("Each size in a fresh process. Real passages (embedded by the build above) plus synthetic ones: "
                 "vectors drawn from a Gaussian fitted to the real e5 vectors, text made of sentences "
                 "sampled from the real corpus (`benchmarks/scale_bench.py`). Queries are real questions. "
                 "Latency in ms; FAISS searches ask for 50 candidates as the Retriever does.\n")
        L.append("| passages | real embeddings | chosen index | build (s) | exact FAISS p50 / p95 | chosen FAISS p50 / p95 "
                 "| FAISS 1 thread exact / chosen p50 | recall@10 | BM25 build (s) | BM25-only p50 / p95 "
                 "| **hybrid p50 / p95** | index bytes exact / chosen | serving RSS | peak RSS |\n"
                 "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for s in sc:
            L.append(f"| {s['size']:,} | {s['real_embeddings']:,} | {s['chosen_index']} | {s['chosen_build_s']:.1f} "
                     f"| {s['exact_search']['p50']:.2f} / {s['exact_search']['p95']:.2f} "
                     f"| {s['chosen_search']['p50']:.2f} / {s['chosen_search']['p95']:.2f} "
                     f"| {s['exact_search_1thread']['p50']:.2f} / {s['chosen_search_1thread']['p50']:.2f} "
                     f"| {s['recall_at_10']:.3f} | {s['bm25_build_s']:.1f} "
                     f"| {s['bm25_search']['p50']:.1f} / {s['bm25_search']['p95']:.1f} "
                     f"| **{s['hybrid_search']['p50']:.1f} / {s['hybrid_search']['p95']:.1f}** "
                     f"| {_mib(s['exact_bytes'])} / {_mib(s['chosen_bytes'])} | {s['serving_rss_mib']:,.0f} MiB "
                     f"| {s['peak_rss_mib']:,.0f} MiB |")
        hp = sc[0]["hnsw_params"]
        L.append(f"\nProject settings: exact `IndexFlatIP` up to {hp['exact_max_vectors']:,} vectors, above it HNSW "
                 f"M={hp['M']}, efConstruction={hp['efConstruction']}, efSearch={hp['efSearch']}.\n")
        for s in sc:
            if s.get("alternatives"):
                L.append(f"Alternatives at {s['size']:,} passages (same vectors and queries):\n")
                L.append("| index | build (s) | search p50 / p95 (ms) | recall@10 |\n|---|---|---|---|")
                L.append(f"| chosen ({s['chosen_index']}) | {s['chosen_build_s']:.1f} | {s['chosen_search']['p50']:.2f} / "
                         f"{s['chosen_search']['p95']:.2f} | {s['recall_at_10']:.3f} |")
                L.append(f"| exact IndexFlatIP | {s['exact_build_s']:.1f} | {s['exact_search']['p50']:.2f} / "
                         f"{s['exact_search']['p95']:.2f} | 1.000 |")
                for name, v in s["alternatives"].items():
                    L.append(f"| {name} | {v['build_s']:.1f} | {v['search']['p50']:.2f} / {v['search']['p95']:.2f} "
                             f"| {v['recall_at_10']:.3f} |")
                L.append("")
        pj = res.get("scale_projection")
        if pj:
            L.append(f"Serving memory projected linearly to {pj['passages']:,} passages from {pj['from_sizes']}: "
                     f"{pj['kib_per_passage']:.2f} KiB per passage → **{pj['serving_rss_gib']:.1f} GiB** "
                     "(run with `--large` to measure).\n")

    L.append("## Embedding throughput options\n")
    e = res.get("embedding", {})
    if e.get("skipped"):
        L.append(f"Skipped: {e['skipped']}.\n")
    elif e:
        L.append(f"{e['passages']} passages ({e['chars']:,} characters) as the build embeds them; baseline "
                 f"`{e['baseline']}` (run first and last, median). sentence-transformers sorts inputs by length "
                 f"before batching: **{e['sentence_transformers_sorts_by_length']}**. Quality: cosine to the fp32 "
                 "vectors and top-1 agreement of the seed questions over the seed passages (strict, and up to "
                 "ties: the variant's pick within 0.005 cosine of the fp32 pick under fp32 vectors).\n")
        L.append("| option | s | passages/s | chars/s | speed-up | cosine min / mean | top-1 agreement |\n"
                 "|---|---|---|---|---|---|---|")
        for name, o in e["options"].items():
            if "s" not in o:
                L.append(f"| {name} | – | – | – | – | {o.get('error') or o.get('skipped')} | – |")
                continue
            cos = f"{o['cos_min']:.4f} / {o['cos_mean']:.4f}" if "cos_min" in o else "(reference)" \
                if name == e["baseline"] else "–"
            agr = (f"{o['top1_agreement']:.3f} ({o['top1_same']}/{o['questions']}); up to ties "
                   f"{o.get('top1_agreement_up_to_ties', float('nan')):.3f}") if "top1_agreement" in o else "–"
            L.append(f"| {name} | {o['s']:.2f} | {o['passages_per_s']:.1f} | {o['chars_per_s']:,.0f} "
                     f"| {o['speedup']:.2f}× | {cos} | {agr} |")
        if any(k.startswith("onnxruntime_") for k in e["options"]):
            L.append("\nONNX Runtime rows: `benchmarks/onnx_probe.py` (export with `torch.onnx.export`, run with plain "
                     "`onnxruntime`), with `onnxruntime==1.32.0 onnx==1.23.2 flatbuffers==25.12.19 ml_dtypes==0.6.0 "
                     "protobuf==7.36.2` installed `--no-deps` into a separate folder on `PYTHONPATH` (not in the "
                     "project's requirements). sentence-transformers' own `backend=\"onnx\"` needs `optimum-onnx`, "
                     "which requires `transformers<4.58` and would downgrade the project's transformers 5.x.\n")
        else:
            L.append("")
    rd = res.get("reader")
    if rd and "latency_ms" in rd:
        L.append(render_reader(rd) + "\n")
    elif rd:
        L.append(f"## Reader (issue #10)\n\nNot measured: {rd.get('error')}\n")
    found = findings(res)
    notes = res.get("notes")
    if found or notes:
        L.append("## Findings (computed from the figures above)\n")
        L.extend(f"- {x}" for x in found)
        if notes:
            L.append("")
            L.extend(notes if isinstance(notes, list) else [str(notes)])
        L.append("")
    return "\n".join(L) + "\n"


def _quality_ok(o: dict[str, Any]) -> bool:
    """Cosine to fp32 ≥ 0.99 for every passage and ≥ 99% of top-1 picks equal up to ties."""
    return o.get("cos_min", 0) >= 0.99 and o.get("top1_agreement_up_to_ties", o.get("top1_agreement", 0)) >= 0.99


def findings(res: dict[str, Any]) -> list[str]:
    """Sentences derived mechanically from the results (no hand-tuned numbers)."""
    out: list[str] = []
    for b in res.get("build", []):
        st = b.get("stages_s", {})
        if st.get("embed_as_build") and b.get("bare_encode_s"):
            out.append(f"Build `{b['corpus']}`: embedding as the build does it took {st['embed_as_build']:.2f} s vs "
                       f"{b['bare_encode_s']:.2f} s for one bare `encode` call "
                       f"({st['embed_as_build'] / b['bare_encode_s']:.3f}×); parse+chunk {st.get('parse_chunk', 0):.2f} s, "
                       f"BM25 {st.get('bm25', 0):.2f} s, of {b['end_to_end_s']:.2f} s end to end.")
    e = res.get("embedding", {})
    opts = {k: v for k, v in e.get("options", {}).items() if "s" in v}
    if opts:
        base = e["baseline"]
        bs = sorted(((k, v) for k, v in opts.items() if k.startswith("fp32_b") and "threads" in k
                     and k.endswith(f"threads{e['torch_threads']}")), key=lambda kv: kv[1]["s"])
        if bs:
            out.append(f"Fastest fp32 batch size: `{bs[0][0]}` ({bs[0][1]['speedup']:.2f}× the baseline `{base}`).")
        t1 = opts.get("fp32_b32_threads1")
        if t1:
            out.append(f"torch with 1 thread: {t1['speedup']:.2f}× the {e['torch_threads']}-thread baseline.")
        un = opts.get("fp32_b32_one_call_per_batch_unsorted")
        if un:
            out.append(f"One `encode` call per batch of 32 in corpus order (no global length sort, as "
                       f"`retrieval.build.embed_passages` does): {un['speedup']:.2f}× the single sorted call.")
        good = sorted(((k, v) for k, v in opts.items() if k != base and "cos_min" in v and _quality_ok(v)),
                      key=lambda kv: kv[1]["s"])
        bad = [(k, v) for k, v in opts.items() if "cos_min" in v and not _quality_ok(v)]
        if good:
            k, v = good[0]
            out.append(f"Fastest variant at equal quality (cosine ≥ 0.99 to fp32 and ≥ 99% same top-1): `{k}`, "
                       f"{v['speedup']:.2f}× (cosine min {v['cos_min']:.4f}, top-1 {v['top1_agreement']:.3f}, "
                       f"up to ties {v.get('top1_agreement_up_to_ties', float('nan')):.3f}).")
        for k, v in bad:
            out.append(f"`{k}` fails the quality bar: {v['speedup']:.2f}× faster but cosine min {v['cos_min']:.4f}, "
                       f"top-1 agreement {v['top1_agreement']:.3f} (up to ties "
                       f"{v.get('top1_agreement_up_to_ties', float('nan')):.3f}).")
    for s in res.get("scale", []):
        alts = s.get("alternatives") or {}
        ok = sorted(((k, v) for k, v in alts.items() if v["recall_at_10"] >= TARGET_RECALL),
                    key=lambda kv: kv[1]["build_s"])
        if ok:
            k, v = ok[0]
            out.append(f"At {s['size']:,} passages the fastest-building index with recall@10 ≥ {TARGET_RECALL} is "
                       f"`{k}`: {v['build_s']:.1f} s to build vs {s['chosen_build_s']:.1f} s for the chosen "
                       f"{s['chosen_index']}, search p95 {v['search']['p95']:.2f} ms, recall {v['recall_at_10']:.3f}.")
        if s.get("chosen_index") != "flat-ip":
            out.append(f"At {s['size']:,} passages exact search p95 is {s['exact_search']['p95']:.1f} ms "
                       f"({s['exact_search_1thread']['p95']:.1f} ms with 1 FAISS thread) against "
                       f"{s['chosen_search']['p95']:.2f} ms for {s['chosen_index']}, whose build took "
                       f"{s['chosen_build_s']:.0f} s.")
        if s["bm25_search"]["p95"] > 0.5 * s["hybrid_search"]["p95"]:
            out.append(f"At {s['size']:,} passages BM25 takes {s['bm25_search']['p95']:.1f} ms at p95, "
                       f"{s['bm25_search']['p95'] / s['hybrid_search']['p95']:.0%} of the hybrid p95.")
    return out


_SECTION = re.compile(r"^## .*$", re.M)


def _sections(text: str) -> list[tuple[str, str]]:
    """``(heading line, the section's text up to the next heading)`` of each ``## `` section."""
    heads = list(_SECTION.finditer(text))
    return [(m.group(0).strip(), text[m.start(): heads[i + 1].start() if i + 1 < len(heads) else len(text)])
            for i, m in enumerate(heads)]


def merge_sections(old: str, new: str) -> str:
    """``new`` (a freshly rendered report) followed by every ``## `` section of ``old`` whose
    heading ``new`` does not have: the hand-written notes and the sections other benchmarks
    write (``benchmarks.ingest_bench``, ``benchmarks.milvus_bench``) survive a new run,
    in their order. A section is matched by its heading line."""
    have = {h for h, _ in _sections(new)}
    kept = [body.rstrip("\n") for h, body in _sections(old or "") if h not in have]
    return new.rstrip("\n") + "\n" + "".join("\n" + k + "\n" for k in kept)


def write_report(md, text: str) -> None:
    """Write ``text`` to ``md`` (a Path), keeping the sections of the existing file that
    ``text`` does not render (``merge_sections``)."""
    old = md.read_text(encoding="utf-8") if md.is_file() else ""
    md.write_text(merge_sections(old, text), encoding="utf-8")


def write_marked_section(md, section: str, begin: str, end: str) -> None:
    """Replace the text between the markers ``begin`` and ``end`` of ``md`` (a Path) by
    ``section`` (which holds both markers), or append it when ``md`` has none: the sections
    one benchmark module writes on its own (Milvus, reader) update in place."""
    text = md.read_text(encoding="utf-8") if md.is_file() else ""
    heading = next((ln.strip() for ln in section.splitlines() if ln.startswith("## ")), None)
    if begin in text and end in text and text.index(begin) < text.index(end):
        a, b = text.index(begin), text.index(end) + len(end)
        text = text[:a] + section + text[b:]
    elif heading and heading in {h for h, _ in _sections(text)}:
        # a markers-less copy (e.g. a marker lost when another section was re-rendered)
        text = text.replace(begin, "").replace(end, "")
        body = next(b for h, b in _sections(text) if h == heading)
        text = text.replace(body, section + "\n\n", 1)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    md.write_text(text, encoding="utf-8")


READER_BEGIN = "<!-- reader-bench:begin -->"
READER_END = "<!-- reader-bench:end -->"


def render_reader(r: dict[str, Any]) -> str:
    """The "Reader" section of BENCHMARKS.md from ``benchmarks.reader_bench``'s results
    (between ``READER_BEGIN``/``READER_END``)."""
    lat, mem, t = r["latency_ms"], r["memory_mb"], r["targets"]
    load = r.get("machine", {}).get("load_avg_at_start")
    L = [READER_BEGIN, "## Reader (issue #10)", "",
         f"Command: `{r['command']}` ({r['started']}; {r['questions']} seed questions x {r['repeats']}, "
         f"{r['passages']} passages; 1-minute load average {load[0] if load else '?'} at the start, "
         f"{r.get('load_avg_1min_end', '?')} at the end). Method: `benchmarks/reader_bench.py`'s docstring.", "",
         "| ms | p50 | p95 | mean | target |", "|---|---|---|---|---|"]
    names = {"answer_reader": "whole answer, with the reader", "read_in_answer": "of which the reader",
             "answer_sentences": "whole answer, sentences only (--no-reader)",
             "read": f"reader on all windows of the 5 passages ({r['windows_read_all']:.1f} windows)",
             "bare": "bare forward pass of the same model on those windows"}
    for k, label in names.items():
        x = lat.get(k) or {}
        tgt = (f"p50 ≤ {t['answer_p50_ms']}, p95 ≤ {t['answer_p95_ms']} "
               f"{_ok(x.get('p50') is not None and x['p50'] <= t['answer_p50_ms'] and x['p95'] <= t['answer_p95_ms'])}"
               if k == "answer_reader" else "")
        L.append(f"| {label} | {_f(x.get('p50'))} | {_f(x.get('p95'))} | {_f(x.get('mean'))} | {tgt} |")
    a = r["answer_reader"]
    L += ["", f"Serving memory: RSS {mem['rss_before_reader']:,.0f} MiB before loading the reader, "
              f"{mem['rss_after_first_answer']:,.0f} MiB after loading it and its first answer: growth "
              f"**{mem['growth']:,.0f} MiB** (target ≤ {t['memory_growth_mb']} "
              f"{_ok(mem['growth'] <= t['memory_growth_mb'])}); loading took {r['reader_load_ms']:,.0f} ms. "
              f"Seed answers with the reader: short-answer EM {a['short_em']}, F1 {a['short_f1']}, "
              f"answer contains the reference {a['contains_reference']}, refused {a['refused']}.", "",
          READER_END]
    return "\n".join(L)


def main(argv: list[str] | None = None) -> int:
    """Re-render a results.json (optionally with hand-written notes appended) as Markdown:
    ``python -m benchmarks.report benchmarks/out/results.json --notes NOTES.md --md BENCHMARKS.md``."""
    import argparse
    import json
    from pathlib import Path

    ap = argparse.ArgumentParser(prog="python -m benchmarks.report")
    ap.add_argument("results", type=Path)
    ap.add_argument("--notes", type=Path, default=None, help="Markdown appended as the last section")
    ap.add_argument("--md", type=Path, required=True)
    a = ap.parse_args(argv)
    res = json.loads(a.results.read_text(encoding="utf-8"))
    text = render(res)
    if a.notes:
        text += "\n" + a.notes.read_text(encoding="utf-8").strip() + "\n"
    write_report(a.md, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
