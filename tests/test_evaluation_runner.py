"""End-to-end evaluation on a tiny synthetic corpus with the HashingEncoder (fast, offline)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation import metrics as M
from evaluation.__main__ import main
from evaluation.runner import RunConfig, run

ARTICLES = [
    {"id": "a", "title": "阿克陶县快递进村",
     "text": "今年10月，阿克陶县政府推进快递进村服务全覆盖。阿克陶县分公司在全县118个行政村建立了118个快递服务点。"
             "木吉乡布拉克村距离县城近250公里，是全县最偏远的乡村。"},
    {"id": "b", "title": "衡水湖马拉松物流",
     "text": "衡水湖国际马拉松赛自2012年开始每年举办一届。今年需要配送150吨物资，邮政安排了68辆配送车辆。"
             "衡水市分公司共邮寄奖牌近1200枚。"},
    {"id": "c", "title": "常州邮政严把进口邮件防疫关",
     "text": "常州市邮政分公司专门开辟独立密闭场地处理进口国际邮件，由专人对邮件进行六面消杀。"},
]
CASES = [
    {"id": "t1", "question": "阿克陶县建立了多少个快递服务点？", "answers": ["118个"],
     "gold_articles": ["text:118个快递服务点"], "evidence": "在全县118个行政村建立了118个快递服务点", "tags": ["number"]},
    {"id": "t2", "question": "衡水湖马拉松今年配送了多少吨物资？", "answers": ["150吨"],
     "gold_articles": ["title:衡水湖马拉松物流"], "evidence": "今年需要配送150吨物资", "tags": ["number"]},
    {"id": "t3", "question": "安排了多少辆车？", "answers": ["68辆"], "gold_articles": ["text:68辆配送车辆"],
     "evidence": "邮政安排了68辆配送车辆",
     "history": [["衡水湖马拉松今年配送了多少吨物资？", "今年需要配送150吨物资。"]], "tags": ["number", "followup"]},
    {"id": "t4", "question": "顺丰速运今年的营业收入是多少？", "answers": [], "gold_articles": [],
     "tags": ["unanswerable"]},
]
# HashingEncoder cosines are small: e5-tuned gate thresholds would refuse everything.
GATE = {"min_top_dense": 0.0, "min_best_sentence": 0.0, "min_coverage": 0.3}


@pytest.fixture()
def tiny(tmp_path: Path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "news.jsonl").write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in ARTICLES) + "\n",
                                      encoding="utf-8")
    ts = tmp_path / "set.jsonl"
    ts.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in CASES) + "\n", encoding="utf-8")
    return seeds, ts, tmp_path / "out"


def _rows(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]


def test_end_to_end_files_and_consistency(tiny):
    seeds, ts, out = tiny
    result = run(RunConfig(testset=ts, out_dir=out, corpus=seeds, modes=("hybrid", "bm25"),
                           model="hashing", gate=GATE, show_progress=False))
    for name in ("report.md", "results.jsonl", "metrics.json", "recall_at_k.png"):
        assert (out / name).is_file(), name
    assert (out / "recall_at_k.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert saved == json.loads(json.dumps(result))

    rows = _rows(out)
    assert len(rows) == len(CASES) * 2
    assert {(r["mode"], r["id"]) for r in rows} == {(m, c["id"]) for m in ("hybrid", "bm25") for c in CASES}
    # gold ids resolved against the corpus (article ids are <file stem>:<record id>#1)
    t2 = next(r for r in rows if r["id"] == "t2")
    assert len(t2["gold_articles"]) == 1 and t2["gold_articles"][0].startswith("news:b")
    assert t2["gold_passages"] and all(p.startswith(t2["gold_articles"][0] + ":") for p in t2["gold_passages"])
    t3 = next(r for r in rows if r["id"] == "t3")
    assert t3["query"] != t3["question"]            # the follow-up was condensed

    for mode in ("hybrid", "bm25"):
        mine = [r for r in rows if r["mode"] == mode]
        agg = saved["modes"][mode]
        assert (agg["n_cases"], agg["n_answerable"], agg["n_unanswerable"]) == (4, 3, 1)
        # retrieval: mean of per-case rows == metrics.json, and per-case values recompute
        for r in mine:
            if r["answerable"]:
                assert r["article_metrics"] == M.retrieval_scores(
                    M.dedupe(r["retrieved_articles"]), r["gold_articles"])
            else:
                assert r["article_metrics"] is None
        art = [r["article_metrics"] for r in mine if r["article_metrics"]]
        for key, val in agg["article"].items():
            assert val == pytest.approx(sum(a[key] for a in art) / len(art)), key
        # answers
        ans = [r for r in mine if r["answerable"]]
        for key in ("em", "f1", "contains"):
            assert agg["answer"][key] == pytest.approx(sum(r["answer_metrics"][key] for r in ans) / 3)
        for r in ans:
            pred = "" if r["refused"] else r["answer"]
            assert r["answer_metrics"]["contains"] == M.contains_reference(pred, r["answers"])
        # refusals and citations from the rows
        ref = M.refusal_scores([r["refused"] for r in mine], [r["answerable"] for r in mine])
        assert agg["refusal"] == ref
        rec = sum(1 for r in ans if any(c["correct"] for c in r["citations"])) / 3
        assert agg["citation"]["recall"] == pytest.approx(rec)
        lat = M.latency_percentiles([r["latency_ms"] for r in mine])
        assert agg["latency"] == lat
    # this tiny corpus is easy: each gold article is found, and the answers hold 118个 / 150吨
    assert saved["modes"]["bm25"]["article"]["hit@3"] == 1.0
    assert next(r for r in rows if r["id"] == "t1" and r["mode"] == "hybrid")["answer_metrics"]["contains"] == 1.0

    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| metric | hybrid | bm25 |" in report
    assert "article Recall@5" in report and "false-refusal rate" in report
    assert "## Failed cases (hybrid)" in report


def test_retrieval_only_cli(tiny, capsys):
    seeds, ts, out = tiny
    rc = main(["run", "--testset", str(ts), "--corpus", str(seeds), "--model", "hashing",
               "--mode", "dense,bm25", "--answers", "off", "--out", str(out), "--no-progress", "--limit", "3"])
    assert rc == 0
    rows = _rows(out)
    assert len(rows) == 6 and all("answer" not in r for r in rows)
    saved = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert "answer" not in saved["modes"]["dense"] and saved["modes"]["dense"]["n_cases"] == 3
    assert "Recall@5" in capsys.readouterr().out


def test_bad_arguments(tiny, capsys):
    seeds, ts, out = tiny
    assert main(["run", "--testset", str(ts), "--corpus", str(seeds), "--mode", "hybrid,sparse",
                 "--out", str(out), "--model", "hashing"]) == 2
    assert "unknown ['sparse']" in capsys.readouterr().err
    assert main(["run", "--testset", str(ts.parent / "missing.jsonl"), "--out", str(out)]) == 2
    bad = ts.parent / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "q", "answers": [], "gold_articles": [], "tags": []}\n', encoding="utf-8")
    assert main(["run", "--testset", str(bad), "--corpus", str(seeds), "--model", "hashing",
                 "--out", str(out), "--no-progress"]) == 2
    assert "bad.jsonl line 1" in capsys.readouterr().err


def test_question_script_asks_every_question_and_its_history_in_that_script(tiny):
    """--question-script traditional: the same cases over the same corpus, each question
    (and each follow-up's history) converted by OpenCC; answers and gold stay."""
    from evaluation.runner import load_cases

    seeds, ts, out = tiny
    cfg = RunConfig(testset=ts, out_dir=out, corpus=seeds, question_script="traditional")
    cases = {c.id: c for c in load_cases(cfg, None, None)}
    assert cases["t1"].question == "阿克陶縣建立了多少個快遞服務點？"
    assert cases["t1"].answers == ("118个",)
    assert cases["t3"].history[0][0] == "衡水湖馬拉松今年配送了多少噸物資？"
    assert cases["t3"].history[0][1] == "今年需要配送150吨物资。"      # the assistant's turn stays
    with pytest.raises(ValueError, match="question_script"):
        RunConfig(testset=ts, out_dir=out, question_script="klingon").validate()


def test_question_script_cli_records_it_in_metrics(tiny):
    seeds, ts, out = tiny
    assert main(["run", "--testset", str(ts), "--corpus", str(seeds), "--model", "hashing", "--answers", "off",
                 "--question-script", "traditional", "--out", str(out), "--no-progress"]) == 0
    saved = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert saved["config"]["question_script"] == "traditional"
    assert "question script: traditional" in (out / "report.md").read_text(encoding="utf-8")
    assert _rows(out)[0]["question"] == "阿克陶縣建立了多少個快遞服務點？"
