"""The evaluation tab's helpers (ui/evaluation_tab.py): a real run (HashingEncoder, a few seed
cases, retrieval only and with answers), its tables, and the comparison of two runs."""
from __future__ import annotations

import json
from pathlib import Path

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


# --------------------------------------------------------------------------- the tab's events
def _event(demo, api_name: str):
    """The function behind the page event named ``api_name``."""
    return next(f.fn for f in demo.fns.values() if f.api_name == api_name)


def _component(demo, elem_id: str):
    return next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == elem_id)


@pytest.fixture()
def page(tmp_path, repo_root):
    """The page (fake chat, HashingEncoder runs) and a two-case test set to upload."""
    from tests.fakes import FakeAssistant, fake_corpus
    from ui.layout import build_demo

    demo = build_demo(FakeAssistant(fake_corpus(), delay=0), feedback_dir=tmp_path / "fb",
                      runs_dir=tmp_path / "runs", eval_model="hashing")
    two = tmp_path / "two.jsonl"
    lines = (repo_root / SEED).read_text(encoding="utf-8").splitlines()[:2]
    two.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return demo, two, tmp_path / "runs", tmp_path / "fb"


def _cases_run(runs) -> list[int]:
    out = []
    for run_dir in list_runs(runs):
        out.append(len((Path(run_dir) / "results.jsonl").read_text(encoding="utf-8").splitlines()))
    return out


@pytest.mark.parametrize("blank", [None, "", 0])
def test_run_with_the_default_limit_runs_every_case(page, blank):
    # seen: the Limit box shows 0 for value=None and sends 0; the run refused "limit must be >= 1"
    demo, two, runs, _ = page
    default = _component(demo, "eval-limit").value
    for lim in (default, blank):
        out = _event(demo, "evaluate")(None, str(two), ["bm25"], 5, lim, False)
        assert out[0].startswith("✓"), out[0]
    assert _cases_run(runs) == [2, 2]


@pytest.mark.parametrize("bad, why", [(-3, "limit"), ("x", "limit")])
def test_a_bad_limit_is_reported_in_the_status_line(page, bad, why):
    # raising gr.Error put an Error badge over every output (the Compare dropdowns among them)
    demo, two, runs, _ = page
    out = _event(demo, "evaluate")(None, str(two), ["bm25"], 5, bad, False)
    assert why in out[0] and str(bad) in out[0] and out[0].startswith("✗")
    assert all(o == {"__type__": "update"} for o in out[1:])  # the other outputs stay as they are
    assert _cases_run(runs) == []


def test_other_run_problems_are_reported_in_the_status_line(page, tmp_path):
    demo, two, runs, _ = page
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n', encoding="utf-8")
    run = _event(demo, "evaluate")
    for args, why in (((None, str(bad), ["bm25"], 5, 0, False), "missing required field"),
                      ((None, None, ["bm25"], 5, 0, False), "Choose or upload a test set"),
                      ((None, str(two), ["bm25"], 0, 0, False), "top_k")):
        out = run(*args)
        assert out[0].startswith("✗") and why in out[0], out[0]
        assert all(o == {"__type__": "update"} for o in out[1:])
    assert _cases_run(runs) == []


def test_page_load_lists_the_current_test_sets_and_runs(page):
    # seen: the feedback test set written after startup was missing until a run refreshed the list
    demo, two, runs, fb = page
    testset = _component(demo, "eval-testset")
    assert not any("feedback" in label for label, _ in testset.choices)
    (fb / "feedback_testset.jsonl").write_text("", encoding="utf-8")
    run_dir = runs / "20990101-000000-x"
    run_dir.mkdir(parents=True)
    (run_dir / "metrics.json").write_text("{}", encoding="utf-8")
    ts, a, b = _event(demo, "evaluation_lists")()
    assert ("feedback_testset.jsonl (from feedback 来自评价)", str(fb / "feedback_testset.jsonl")) in ts["choices"]
    assert a["choices"] == b["choices"] == [("20990101-000000-x", str(run_dir))]


def test_settings_line_counts_are_singular_for_one(tmp_path):
    from ui.evaluation_tab import _settings_line

    line = _settings_line({"config": {"testset": "x.jsonl", "n_articles": 1, "n_passages": 1}}, tmp_path)
    assert "1 article / 1 passage ·" in line
    line = _settings_line({"config": {"testset": "x.jsonl", "n_articles": 7, "n_passages": 38}}, tmp_path)
    assert "7 articles / 38 passages ·" in line


def test_status_counts_one_failed_case_in_the_singular(page, monkeypatch):
    import ui.evaluation_tab as tab

    demo, two, runs, _ = page
    monkeypatch.setattr(tab, "failed_cases", lambda run_dir, k: (["mode"], [["bm25"]]))
    out = _event(demo, "evaluate")(None, str(two), ["bm25"], 5, 0, False)
    assert out[0].endswith("· 1 failed case 失败用例"), out[0]
