"""The evaluation tab: pick a test set, run it, read the report, compare two runs.

A run is ``evaluation.runner.run(RunConfig(...))``, the same run as ``python -m evaluation
run`` writing the same files (``results.jsonl``, ``metrics.json``, ``report.md``,
``recall_at_k.png``) into ``<runs_dir>/<UTC time>-<test set name>/``.  The page shows the
metric table (``evaluation.report.metric_rows``), the Recall@k chart, the failed cases
(``evaluation.report.is_failed``: expected vs returned) and, for two run directories, the
metrics side by side with their differences.

The helpers (``list_testsets``, ``list_runs``, ``run_testset``, ``metric_table``,
``failed_cases``, ``compare_runs``) are plain functions; ``evaluation_tab`` builds the Gradio
components inside the caller's ``gr.Tab``.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from evaluation.report import is_failed, metric_rows
from ui.render import plural

REPO = Path(__file__).resolve().parents[1]
BUNDLED_DIR = REPO / "evaluation" / "testsets"
MODES = ("hybrid", "dense", "bm25")
FAILED_ANSWER_CHARS = 200


def list_testsets(feedback_testset: Path | None = None) -> list[tuple[str, str]]:
    """(label, path) of the bundled test sets (``evaluation/testsets/*.jsonl``) and, when it
    exists, the test set built from feedback."""
    # the seed set first: it is the default choice (it has answerable and unanswerable cases)
    out = [(f"{p.name} (bundled)", str(p))
           for p in sorted(BUNDLED_DIR.glob("*.jsonl"), key=lambda p: (p.name != "seed.jsonl", p.name))]
    if feedback_testset is not None and Path(feedback_testset).is_file():
        out.append((f"{Path(feedback_testset).name} (from feedback 来自评价)", str(feedback_testset)))
    return out


def list_runs(runs_dir: Path) -> list[str]:
    """Run directories under ``runs_dir`` holding a ``metrics.json``, newest first."""
    if not Path(runs_dir).is_dir():
        return []
    runs = [p for p in Path(runs_dir).iterdir() if (p / "metrics.json").is_file()]
    return [str(p) for p in sorted(runs, key=lambda p: p.name, reverse=True)]


def run_choices(runs_dir: Path) -> list[tuple[str, str]]:
    """(directory name, path) of the runs, newest first (the compare dropdowns)."""
    return [(Path(p).name, p) for p in list_runs(runs_dir)]


def run_testset(testset: str | Path, runs_dir: Path, *, model: str | None = None,
                corpus: Path | None = None, modes: Sequence[str] = ("hybrid",), top_k: int = 5,
                answers: bool = True, limit: int | None = None, llm: str | None = None,
                progress: Callable[[int, int, str], None] | None = None) -> tuple[Path, dict]:
    """Run one evaluation into a new directory under ``runs_dir``.

    Returns:
        (the run directory, the ``metrics.json`` content).
    Raises:
        ValueError: bad settings or an invalid test set (from ``RunConfig.validate`` and the
            test-set loader), with the reason.
    """
    from evaluation.runner import RunConfig, run

    testset = Path(testset)
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in testset.stem)[:40]
    out = Path(runs_dir) / f"{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{stem}"
    n = 1
    while out.exists():
        n += 1
        out = out.with_name(out.name.split("~")[0] + f"~{n}")
    cfg = RunConfig(testset=testset, out_dir=out, corpus=corpus, modes=tuple(modes), top_k=int(top_k),
                    answers=bool(answers), llm=llm, model=model, limit=limit, show_progress=False,
                    progress=progress)
    return out, run(cfg)


def parse_limit(value: Any) -> int | None:
    """The case limit of the Limit box: None (all cases) for empty, 0 or NaN (Gradio's Number
    shows and sends 0 when it has no value), else the whole number >= 1.

    Raises:
        ValueError: a negative, fractional or non-numeric value, with the reason.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"limit must be a whole number (0 or empty = all cases), got {value!r}") from None
    if f != f or f == 0:
        return None
    if f < 0 or f != int(f):
        raise ValueError(f"limit must be a whole number >= 1 (0 or empty = all cases), got {value!r}")
    return int(f)


def _fmt(v: Any) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def metric_table(result: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the metric table of one run: ``metric`` then one column per mode."""
    modes = list(result["modes"])
    return ["metric"] + modes, [[label] + [_fmt(v) for v in vals] for label, vals in metric_rows(result)]


def _rows(run_dir: Path) -> list[dict[str, Any]]:
    path = Path(run_dir) / "results.jsonl"
    if not path.is_file():
        return []
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def failed_cases(run_dir: Path, top_k: int) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the failed cases of a run: mode, id, why, question, expected, returned."""
    header = ["mode", "id", "why", "question", "expected", "returned"]
    out = []
    for r in _rows(run_dir):
        why = is_failed(r, top_k)
        if not why:
            continue
        expected = " / ".join(r.get("answers") or []) or "拒答 refuse (unanswerable)"
        if "answer" in r:
            got = ("拒答 refused: " if r.get("refused") else "") + " ".join(str(r["answer"]).split())
        else:
            got = "top articles: " + ", ".join(r.get("retrieved_articles", [])[:3])
        if len(got) > FAILED_ANSWER_CHARS:
            got = got[:FAILED_ANSWER_CHARS] + "…"
        out.append([r["mode"], r["id"], why, r["question"], expected, got])
    return header, out


def load_run(run_dir: str | Path) -> dict[str, Any]:
    """``metrics.json`` of a run directory.

    Raises:
        ValueError: the directory holds no ``metrics.json``.
    """
    path = Path(run_dir) / "metrics.json"
    if not path.is_file():
        raise ValueError(f"{run_dir}: no metrics.json (not an evaluation run)")
    return json.loads(path.read_text(encoding="utf-8"))


def compare_runs(run_a: str | Path, run_b: str | Path) -> tuple[list[str], list[list[str]]]:
    """(header, rows) comparing two runs: for each mode both ran and each metric row, the value
    in A, in B and the difference B - A (``+0.012``; "" when not numeric).

    Raises:
        ValueError: a directory is not a run, or the runs share no search mode.
    """
    a, b = load_run(run_a), load_run(run_b)
    common = [m for m in a["modes"] if m in b["modes"]]
    if not common:
        raise ValueError(f"the runs share no search mode ({list(a['modes'])} vs {list(b['modes'])})")
    def by_name(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
        # a label carries its case count ("article Hit@1 (n=91)"): match runs by the name
        return {label.split(" (n=")[0]: dict(zip(result["modes"], vals))
                for label, vals in metric_rows(result)}

    rows_a, rows_b = by_name(a), by_name(b)
    out = []
    for label, vals_a in rows_a.items():
        vals_b = rows_b.get(label)
        if vals_b is None:
            continue
        for m in common:
            va, vb = vals_a.get(m), vals_b.get(m)
            numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (va, vb))
            out.append([label, m, _fmt(va), _fmt(vb), f"{vb - va:+.3f}" if numeric else ""])
    return ["metric", "mode", "A", "B", "B − A"], out


def _settings_line(result: dict[str, Any], run_dir: Path) -> str:
    cfg = result.get("config", {})
    return (f"**{Path(run_dir).name}** · test set `{Path(str(cfg.get('testset'))).name}` · "
            f"{cfg.get('n_articles')} {plural(cfg.get('n_articles'), 'article')} / "
            f"{cfg.get('n_passages')} {plural(cfg.get('n_passages'), 'passage')} · encoder "
            f"`{cfg.get('encoder')}` · top_k {cfg.get('top_k')} · answers "
            f"{'on' if cfg.get('answers') else 'off'} · {cfg.get('run_s')} s · files in `{run_dir}`")


def evaluation_tab(*, runs_dir: Path, model: str | None = None, corpus: Path | None = None,
                   feedback_testset: Path | None = None, llm: str | None = None,
                   demo: Any | None = None) -> None:
    """Build the evaluation tab's components and events inside the caller's ``gr.Tab``.

    Args:
        runs_dir: where runs are written (one directory per run).
        model: encoder spec of the app (``--model``), used by the runs.
        corpus: the app's seeds directory when it is not the repository's ``seeds/``.
        feedback_testset: the test set built from feedback (offered when it exists).
        llm: LLM spec, offered as the generative answerer.
        demo: the page (``gr.Blocks``); given, each page load refreshes the test-set and run
            lists (a feedback test set or a run written since startup shows up on reload).
    """
    import gradio as gr
    import pandas as pd

    def choices() -> list[tuple[str, str]]:
        return list_testsets(feedback_testset)

    gr.Markdown("用测试集评测检索与回答质量（与 `python -m evaluation run` 相同，写出相同的文件）。"
                " Measure retrieval and answer quality on a test set: the same run as "
                "`python -m evaluation run`, the same files written.", elem_id="eval-intro")
    with gr.Row():
        testset = gr.Dropdown(choices=choices(), value=(choices()[0][1] if choices() else None),
                              label="测试集 Test set", elem_id="eval-testset", scale=3)
        upload = gr.File(label="或上传 Or upload a test set (JSONL, or SQuAD .json)",
                         file_types=[".jsonl", ".json"], type="filepath", elem_id="eval-upload",
                         scale=2)
    with gr.Row():
        modes = gr.CheckboxGroup([("混合 hybrid", "hybrid"), ("向量 dense", "dense"), ("关键词 bm25", "bm25")],
                                 value=["hybrid"], label="检索方式 Search modes", elem_id="eval-modes")
        top_k = gr.Number(value=5, precision=0, label="top_k (passages to the answerer)", elem_id="eval-k")
        # Gradio's Number shows (and sends) 0 for value=None: 0 is the "all cases" value
        limit = gr.Number(value=0, precision=0, label="只评前 N 条 Limit (0 = all cases)",
                          elem_id="eval-limit")
        answers = gr.Checkbox(value=True, label="评测回答 Evaluate answers (off: retrieval only)",
                              elem_id="eval-answers")
    run_btn = gr.Button("运行评测 Run evaluation", variant="primary", elem_id="eval-run")
    status = gr.Markdown("", elem_id="eval-status")
    with gr.Row():
        table = gr.Dataframe(headers=["metric", "mode"], label="指标 Metrics", interactive=False, wrap=True, elem_id="eval-metrics",
                             scale=3)
        chart = gr.Image(label="Recall@k", type="filepath", interactive=False, elem_id="eval-chart",
                         scale=2, buttons=["download"])
    failed = gr.Dataframe(headers=["mode", "id", "why", "question", "expected", "returned"],
                          label="失败的用例 Failed cases (expected vs returned)", interactive=False,
                          wrap=True, elem_id="eval-failed")
    with gr.Accordion("对比两次评测 Compare two runs", open=True, elem_id="eval-compare-box"):
        with gr.Row():
            run_a = gr.Dropdown(choices=run_choices(runs_dir), label="A (before)", elem_id="eval-run-a")
            run_b = gr.Dropdown(choices=run_choices(runs_dir), label="B (after)", elem_id="eval-run-b")
            cmp_btn = gr.Button("对比 Compare", elem_id="eval-compare")
        cmp_table = gr.Dataframe(headers=["metric", "mode", "A", "B", "B − A"], label="A 与 B 的指标 Metrics of A and B", interactive=False,
                                 elem_id="eval-compare-table")

    def failed_run(message: str) -> tuple:
        # a message in the status line, the other outputs untouched: raising gr.Error would put
        # an "Error" badge over every output (the Compare dropdowns among them) until a reload
        return (f"✗ {message}",) + tuple(gr.skip() for _ in range(6))

    def do_run(ts: str | None, up: str | None, ms: list[str], k: Any, lim: Any, ans: bool,
               progress=gr.Progress()):
        path = up or ts
        if not path:
            return failed_run("请选择或上传一个测试集 Choose or upload a test set.")
        try:
            k_int = int(k) if k is not None and float(k) == int(k) and int(k) >= 1 else None
            if k_int is None:
                raise ValueError(f"top_k must be a positive whole number, got {k!r}")
            lim_int = parse_limit(lim)
            progress((0, 1), desc="准备索引 Opening the index…")

            def cb(done: int, total: int, mode: str) -> None:
                progress((done, total), desc=f"{mode}", unit="cases")

            out, result = run_testset(path, runs_dir, model=model, corpus=corpus, modes=ms or ["hybrid"],
                                      top_k=k_int, answers=ans, limit=lim_int, progress=cb)
        except (ValueError, FileNotFoundError) as e:
            return failed_run(f"评测未运行 Not run: {e}")
        header, rows = metric_table(result)
        fh, frows = failed_cases(out, k_int)
        runs = list_runs(runs_dir)
        named = run_choices(runs_dir)
        n_failed = (f"{len(frows)} failed {plural(len(frows), 'case')} 失败用例" if frows
                    else "no failed case 无失败用例")
        return (f"✓ {_settings_line(result, out)} · {n_failed}",
                pd.DataFrame(rows, columns=header), str(out / "recall_at_k.png"),
                pd.DataFrame(frows, columns=fh),
                gr.update(choices=named, value=(runs[1] if len(runs) > 1 else runs[0])),
                gr.update(choices=named, value=runs[0]), gr.update(choices=choices()))

    def lists() -> tuple:
        # the page's load: test sets and runs written since startup (feedback, other tabs)
        named = run_choices(runs_dir)
        return gr.update(choices=choices()), gr.update(choices=named), gr.update(choices=named)

    def do_compare(a: str | None, b: str | None):
        if not a or not b:
            raise gr.Error("请选择两次评测 Choose two runs.", title="评测 Evaluation")
        try:
            header, rows = compare_runs(a, b)
        except ValueError as e:
            raise gr.Error(str(e), title="评测 Evaluation") from None
        return pd.DataFrame(rows, columns=header)

    run_btn.click(do_run, [testset, upload, modes, top_k, limit, answers],
                  [status, table, chart, failed, run_a, run_b, testset], api_name="evaluate",
                  api_visibility="private", concurrency_limit=1, concurrency_id="evaluation")
    cmp_btn.click(do_compare, [run_a, run_b], [cmp_table], api_name="compare_runs",
                  api_visibility="private")
    if demo is not None:
        demo.load(lists, None, [testset, run_a, run_b], api_name="evaluation_lists",
                  api_visibility="private", queue=False)
