"""The evaluation tab's helpers (ui/evaluation_tab.py): a real run (HashingEncoder, a few seed
cases, retrieval only and with answers), its tables, and the comparison of two runs."""
from __future__ import annotations

import json

import pytest

from ui.evaluation_tab import (compare_runs, failed_cases, list_runs, list_testsets, load_run,
                               metric_table, run_testset)

SEED = "evaluation/testsets/seed.jsonl"


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, repo_root):
    runs = tmp_path_factory.mktemp("runs")
    seen: list[tuple[int, int, str]] = []
    a, ra = run_testset(repo_root / SEED, runs, model="hashing", modes=["hybrid", "bm25"], top_k=5,
                        answers=False, limit=6, progress=lambda d, t, m: seen.append((d, t, m)))
    b, rb = run_testset(repo_root / SEED, runs, model="hashing", modes=["bm25"], top_k=5,
                        answers=True, limit=6)
    return runs, a, ra, b, rb, seen


def test_run_writes_the_cli_files_and_reports_progress(two_runs):
    runs, a, ra, _, _, seen = two_runs
    for name in ("results.jsonl", "metrics.json", "report.md", "recall_at_k.png"):
        assert (a / name).is_file(), name
    assert seen[-1] == (12, 12, "bm25") and [d for d, _, _ in seen] == list(range(1, 13))
    assert load_run(a) == json.loads((a / "metrics.json").read_text(encoding="utf-8")) == ra
    assert ra["modes"]["hybrid"]["n_cases"] == 6
    assert set(list_runs(runs)) == {str(a), str(two_runs[3])}


def test_metric_table_and_failed_cases(two_runs):
    _, a, ra, b, rb, _ = two_runs
    header, rows = metric_table(ra)
    assert header == ["metric", "hybrid", "bm25"]
    labels = [r[0] for r in rows]
    assert any(l.startswith("article Recall@5") for l in labels) and "latency p50 (ms)" in labels
    fh, frows = failed_cases(b, 5)
    assert fh == ["mode", "id", "why", "question", "expected", "returned"]
    results = [json.loads(x) for x in (b / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    from evaluation.report import is_failed

    assert len(frows) == sum(1 for r in results if is_failed(r, 5))
    for row in frows:
        assert row[0] == "bm25" and row[4] and row[5]


def test_compare_two_runs_shows_deltas_for_the_common_mode(two_runs):
    _, a, ra, b, rb, _ = two_runs
    header, rows = compare_runs(a, b)
    assert header == ["metric", "mode", "A", "B", "B − A"]
    assert {r[1] for r in rows} == {"bm25"}
    r5 = next(r for r in rows if r[0].startswith("article Recall@5"))
    va = ra["modes"]["bm25"]["article"]["recall@5"]
    vb = rb["modes"]["bm25"]["article"]["recall@5"]
    assert r5[2:] == [f"{va:.3f}", f"{vb:.3f}", f"{vb - va:+.3f}"]


def test_compare_and_run_reject_bad_input(two_runs, tmp_path):
    _, a, _, _, _, _ = two_runs
    with pytest.raises(ValueError, match="no metrics.json"):
        compare_runs(a, tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="missing required field"):
        run_testset(bad, tmp_path / "runs", model="hashing", answers=False)


def test_list_testsets_offers_bundled_and_feedback_sets(tmp_path):
    labels = [l for l, _ in list_testsets(None)]
    assert "seed.jsonl (bundled)" in labels
    fb = tmp_path / "feedback_testset.jsonl"
    assert len(list_testsets(fb)) == len(labels)  # not there yet
    fb.write_text("", encoding="utf-8")
    assert list_testsets(fb)[-1] == ("feedback_testset.jsonl (from feedback 来自评价)", str(fb))
