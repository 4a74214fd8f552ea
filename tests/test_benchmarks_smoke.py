"""Smoke test of the benchmark at a tiny size (HashingEncoder, no model), plus its helpers."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

from benchmarks import common, run as bench_run, scale_bench


def _positive(x) -> bool:
    return isinstance(x, (int, float)) and x > 0


def test_tiny_benchmark_writes_json_and_markdown(tmp_path):
    out, md = tmp_path / "out", tmp_path / "BENCH.md"
    rc = bench_run.main(["--model", "hashing", "--sizes", "1000", "--queries", "20", "--answer-queries", "2",
                         "--scale-queries", "8", "--cmrc-articles", "3", "--build-repeats", "1",
                         "--out", str(out), "--md", str(md)])
    assert rc == 0
    res = json.loads((out / "results.json").read_text(encoding="utf-8"))
    for section in ("machine", "build", "queries", "startup", "scale", "embedding"):
        assert section in res, section
    assert res["machine"]["cores"] >= 1 and "faiss-cpu" in res["machine"]["libraries"]
    # the CMRC trial set lives outside the repo (shared/): without it the run goes on without it
    assert [b["corpus"] for b in res["build"]] == ["seed"] + (["cmrc-3"] if common.CMRC_FILE.is_file() else [])
    for b in res["build"]:
        assert b["passages"] > 0 and _positive(b["end_to_end_s"]) and _positive(b["bare_encode_s"])
        assert _positive(b["overhead_ratio"]) and _positive(b["chars_per_s"])
    for q in res["queries"]:
        assert q["queries"] == 20
        for key in ("hybrid", "bare", "bm25_only", "answer"):
            assert q[key]["p50"] > 0 and q[key]["p50"] <= q[key]["p95"] <= q[key]["p99"]
        assert _positive(q["ratio_p50"])
    sv, bc = res["startup"]["serve_child"], res["startup"]["build_child"]
    assert _positive(sv["ready_s"]) and sv["peak_rss_bytes"] > 50 * 2**20
    assert "app_error" not in sv, sv.get("app_error")
    assert bc["passages"] > 0 and bc["peak_rss_bytes"] > 50 * 2**20
    (s,) = res["scale"]
    assert s["size"] == 1000 and s["real_embeddings"] + s["synthetic"] == 1000
    assert s["chosen_index"] == "flat-ip" and s["recall_at_10"] == 1.0  # exact vs exact
    assert s["hybrid_search"]["p95"] > 0 and s["serving_rss_mib"] > 0
    assert "skipped" in res["embedding"]  # the hashing encoder has no sentence-transformers model
    text = md.read_text(encoding="utf-8")
    for heading in ("# Benchmarks", "## Targets", "## Index build", "## Query latency", "## Startup and memory",
                    "## Scale", "## Embedding throughput options"):
        assert heading in text, heading
    assert "--model hashing --sizes 1000" in text
    assert re.search(r"^\| 1,000 \| \d+ \| flat-ip \|", text, re.M)


def test_percentiles_in_ms():
    p = common.percentiles_ms([0.001, 0.002, 0.003, 0.004, 0.005])
    assert p == {"n": 5, "p50": 3.0, "p95": 4.8, "p99": 4.96, "mean": 3.0}
    with pytest.raises(ValueError):
        common.percentiles_ms([])


def test_synthetic_vectors_follow_the_real_ones():
    rng = np.random.default_rng(0)
    centre = np.zeros(32, dtype=np.float32)
    centre[0] = 1.0
    real = centre + 0.1 * rng.standard_normal((200, 32)).astype(np.float32)
    real /= np.linalg.norm(real, axis=1, keepdims=True)
    syn = scale_bench.synth_vectors(real, 500, np.random.default_rng(1))
    assert syn.shape == (500, 32) and syn.dtype == np.float32
    assert np.allclose(np.linalg.norm(syn, axis=1), 1.0, atol=1e-5)
    # clustered like the real vectors (mean first coordinate ~0.87), not uniform on the sphere (~0)
    assert abs(float(syn[:, 0].mean()) - float(real[:, 0].mean())) < 0.03


def test_synthetic_texts_lengths():
    texts = scale_bench.synth_texts(["今天天气很好。", "邮政快递覆盖全部行政村。"], 50, np.random.default_rng(0),
                                    min_chars=30, max_chars=40)
    assert len(texts) == 50 and all(30 <= len(t) <= 40 for t in texts)


def test_recall_and_projection():
    exact = [np.arange(10), np.arange(10)]
    approx = [np.arange(10), np.array([0, 1, 2, 3, 4, 100, 101, 102, 103, 104])]
    assert scale_bench._recall(approx, exact) == 0.75
    rows = [{"size": 10_000, "serving_rss_mib": 600.0, "serving_rss_minus_start_mib": 100.0},
            {"size": 110_000, "serving_rss_mib": 1500.0, "serving_rss_minus_start_mib": 1000.0}]
    pj = scale_bench.project_memory(rows, target=1_110_000)
    # 900 MiB per 100k passages -> +9,000 MiB more for 1M more; base 500 MiB
    assert pj["serving_rss_gib"] == round((500 + 1000 + 9000) / 1024, 2)


def test_bad_sizes_are_rejected(capsys):
    with pytest.raises(SystemExit):
        bench_run.parse_args(["--sizes", "10k"])
    assert "--sizes" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        bench_run.parse_args(["--queries", "0"])


def test_a_new_benchmark_run_keeps_the_sections_it_does_not_render():
    # benchmarks.run used to overwrite BENCHMARKS.md whole: the ingestion and Milvus
    # sections (other benchmarks) and the hand-written notes were lost
    from benchmarks.report import merge_sections

    old = ("# Benchmarks\n\nold intro\n\n## Index build\n\nold build figures\n\n"
           "## Notes (by hand)\n\nkeep me\n\n## Ingestion (issue #11)\n\n| add | 1.93 |\n"
           "<!-- milvus-bench:begin -->\n## Milvus backend\n\n| 1M | 4049 |\n<!-- milvus-bench:end -->\n")
    new = "# Benchmarks\n\nnew intro\n\n## Index build\n\nnew build figures\n"
    out = merge_sections(old, new)
    assert "new build figures" in out and "old build figures" not in out and "old intro" not in out
    assert out.index("keep me") < out.index("| add | 1.93 |") < out.index("| 1M | 4049 |")
    assert "<!-- milvus-bench:begin -->" in out and "<!-- milvus-bench:end -->" in out
    assert merge_sections(out, new) == out  # idempotent


def _reader_results(p50: float, growth: float) -> dict:
    lat = {k: {"p50": p50, "p95": p50 * 2, "mean": p50, "n": 3}
           for k in ("answer_reader", "read_in_answer", "answer_sentences", "read", "bare")}
    return {"command": "python -m benchmarks.reader_bench", "started": "2026-12-02 07:00:00",
            "machine": {"load_avg_at_start": [0.5, 0.4, 0.3]}, "load_avg_1min_end": 0.6, "questions": 3,
            "repeats": 1, "passages": 38, "latency_ms": lat, "windows_read_all": 5.0,
            "answer_reader": {"short_em": 0.5, "short_f1": 0.7, "contains_reference": 0.9, "refused": 0.0},
            "memory_mb": {"rss_before_reader": 1000.0, "rss_after_load": 1000.0 + growth,
                          "rss_after_first_answer": 1000.0 + growth, "growth": growth},
            "reader_load_ms": 900.0, "targets": {"answer_p50_ms": 150, "answer_p95_ms": 400, "memory_growth_mb": 300}}


def test_the_reader_section_is_rendered_and_replaced_in_place(tmp_path):
    from benchmarks.report import READER_BEGIN, READER_END, render_reader, write_marked_section

    md = tmp_path / "B.md"
    md.write_text("# Benchmarks\n\n## Scale\n\nscale rows\n\n## Notes\n\nby hand\n", encoding="utf-8")
    write_marked_section(md, render_reader(_reader_results(120.0, 30.0)), READER_BEGIN, READER_END)
    text = md.read_text(encoding="utf-8")
    assert text.index("by hand") < text.index("## Reader (issue #10)")
    assert "| whole answer, with the reader | 120.0 | 240.0 |" in text and "**30 MiB**" in text
    assert text.count("**met**") == 2  # latency and memory targets
    assert "load average 0.5 at the start, 0.6 at the end" in text  # machine_facts' key
    write_marked_section(md, render_reader(_reader_results(500.0, 400.0)), READER_BEGIN, READER_END)
    text = md.read_text(encoding="utf-8")
    assert text.count("## Reader (issue #10)") == 1 and "120.0" not in text
    assert text.count("**missed**") == 2
    # a copy that lost its markers (another section re-rendered around it) is replaced too
    md.write_text(text.replace(READER_BEGIN, "").replace(READER_END, "") + "\n## Later\n\nlater\n",
                  encoding="utf-8")
    write_marked_section(md, render_reader(_reader_results(90.0, 10.0)), READER_BEGIN, READER_END)
    text = md.read_text(encoding="utf-8")
    assert text.count("## Reader (issue #10)") == 1 and "| 90.0 |" in text and "500.0" not in text
    assert text.index("## Reader") < text.index("## Later") and "later" in text
