"""Derived SQuAD runs: the held-out half (open-domain no-answer test), the Simplified
conversion (Traditional vs Simplified parity), the spread sample; HashingEncoder, offline."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation import squadfile as S
from evaluation.__main__ import main
from evaluation.runner import RunConfig, run, spread_sample
from evaluation.testset import TestCase

# HashingEncoder cosines are small: e5-tuned gate thresholds would refuse everything.
GATE = "min_top_dense=0.0,min_best_sentence=0.0,min_coverage=0.3"

TOPICS = [
    ("阿克陶县快递进村", "阿克陶县分公司在全县118个行政村建立了118个快递服务点。木吉乡布拉克村距离县城近250公里。",
     "阿克陶县建立了多少个快递服务点？", "118个"),
    ("衡水湖马拉松物流", "衡水湖国际马拉松赛今年需要配送150吨物资，邮政安排了68辆配送车辆。",
     "衡水湖马拉松今年配送了多少吨物资？", "150吨"),
    ("常州邮政防疫", "常州市邮政分公司专门开辟独立密闭场地处理进口国际邮件，由专人进行六面消杀。",
     "常州邮政对进口邮件进行几面消杀？", "六面"),
    ("贵州邮政双11", "今年双11期间，贵州邮政快递业务收入达4329.7万元，同比增长46.8%。",
     "贵州邮政双11快递业务收入是多少？", "4329.7万元"),
    ("邵阳政务寄递", "邵阳市分公司驻政务中心团队累计寄递证照邮件5.45万件，群众满意度达100%。",
     "邵阳团队寄递了多少证照邮件？", "5.45万件"),
]


def _squad(topics) -> dict:
    data = []
    for i, (title, ctx, q, ans) in enumerate(topics):
        data.append({"title": title, "paragraphs": [{"context": ctx, "qas": [
            {"id": f"Q{i}", "question": q, "answers": [{"text": ans, "answer_start": ctx.index(ans)}]}]}]})
    return {"version": "test", "data": data}


def _write(path: Path, obj: dict) -> Path:
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return path


def _rows(out: Path) -> list[dict]:
    return [json.loads(x) for x in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]


# --------------------------------------------------------------------------- held-out half


def test_holdout_half_alternates_entries_and_counts():
    kept, held, split = S.holdout_half(_squad(TOPICS))
    assert [e["title"] for e in kept["data"]] == ["阿克陶县快递进村", "常州邮政防疫", "邵阳政务寄递"]
    assert [e["title"] for e in held["data"]] == ["衡水湖马拉松物流", "贵州邮政双11"]
    assert (split.articles_indexed, split.articles_held_out) == (3, 2)
    assert (split.questions_indexed, split.questions_held_out) == (3, 2)
    assert kept["version"] == held["version"] == "test"
    with pytest.raises(ValueError, match="at least 2"):
        S.holdout_half(_squad(TOPICS[:1]))


def test_holdout_run_marks_held_out_questions_unanswerable(tmp_path):
    src = _write(tmp_path / "mini.json", _squad(TOPICS))
    out = tmp_path / "out"
    rc = main(["run", "--testset", str(src), "--holdout-half", "--model", "hashing", "--gate", GATE,
               "--out", str(out), "--no-progress"])
    assert rc == 0
    rows = _rows(out)
    # questions of both halves, in the file's order; only the indexed half is answerable
    assert [r["id"] for r in rows] == ["Q0", "Q1", "Q2", "Q3", "Q4"]
    assert [r["answerable"] for r in rows] == [True, False, True, False, True]
    for r in rows:
        assert ("held-out" in r["tags"]) == (not r["answerable"])
        assert ("indexed" in r["tags"]) == r["answerable"]
        assert "unanswerable" in r["tags"] or r["answers"]
    saved = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    cfg = saved["config"]
    assert cfg["n_articles"] == 3                     # only the indexed half became articles
    assert cfg["holdout"]["articles_held_out"] == 2 and cfg["holdout"]["questions_indexed"] == 3
    assert cfg["testset"] == str(src)
    hy = saved["modes"]["hybrid"]
    assert (hy["n_answerable"], hy["n_unanswerable"]) == (3, 2)
    tags = hy["refusal_by_tag"]
    assert tags["held-out"]["n_unanswerable"] == 2 and tags["held-out"]["n_answerable"] == 0
    assert tags["indexed"]["n_answerable"] == 3 and tags["indexed"]["refusal_recall"] is None
    refused_held = sum(1 for r in rows if not r["answerable"] and r["refused"])
    assert tags["held-out"]["refusal_recall"] == refused_held / 2
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "3 articles indexed (3 questions), 2 held out (2 questions" in report
    assert "## Refusals by tag (hybrid)" in report


def test_holdout_needs_a_squad_testset(tmp_path, capsys):
    ts = tmp_path / "set.jsonl"
    ts.write_text('{"id": "x", "question": "q?", "answers": [], "gold_articles": [], "tags": ["unanswerable"]}\n',
                  encoding="utf-8")
    assert main(["run", "--testset", str(ts), "--holdout-half", "--model", "hashing",
                 "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    assert "needs a SQuAD-format .json test set" in capsys.readouterr().err
    src = _write(tmp_path / "mini.json", _squad(TOPICS))
    assert main(["run", "--testset", str(src), "--script", "simplified", "--corpus", str(tmp_path),
                 "--model", "hashing", "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    assert "do not give another corpus" in capsys.readouterr().err
    assert main(["run", "--testset", str(src), "--sample", "2", "--limit", "2", "--model", "hashing",
                 "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    assert "not both" in capsys.readouterr().err


# --------------------------------------------------------------------------- Simplified


TRAD = [
    ("臺灣郵政快遞", "臺灣郵政今年快遞業務量增長了三成，達到一億兩千萬件。", "臺灣郵政快遞業務量增長了多少？", "三成"),
    ("衡水湖馬拉松", "衡水湖國際馬拉松賽今年需要配送150噸物資，郵政安排了68輛配送車輛。",
     "郵政安排了多少輛配送車輛？", "68輛"),
]


def test_to_simplified_converts_every_field_and_keeps_offsets():
    obj = _squad(TRAD)
    conv, stats = S.to_simplified(obj)
    e0, e1 = conv["data"]
    assert e0["title"] == "台湾邮政快递"
    assert e0["paragraphs"][0]["context"] == "台湾邮政今年快递业务量增长了三成，达到一亿两千万件。"
    assert e0["paragraphs"][0]["qas"][0]["question"] == "台湾邮政快递业务量增长了多少？"
    a = e1["paragraphs"][0]["qas"][0]["answers"][0]
    assert a["text"] == "68辆"
    ctx = e1["paragraphs"][0]["context"]
    assert ctx[a["answer_start"]:a["answer_start"] + len(a["text"])] == "68辆"
    assert (stats.answers, stats.moved, stats.respelled, stats.lost) == (2, 0, 0, 0)
    assert obj["data"][0]["title"] == "臺灣郵政快遞"      # the input is not modified


def test_reanchor_when_the_conversion_changes_lengths():
    # a converter that lengthens one word: the answer after it moves by 2 characters
    def conv(s: str) -> str:
        return s.replace("甲乙", "甲乙丙丁")

    ctx = "甲乙说答案是北京，别处也有北京。"
    start = ctx.index("北京")
    text, new, how = S.reanchor(ctx, conv(ctx), "北京", start, conv)
    assert (text, new, how) == ("北京", start + 2, "moved")
    assert conv(ctx)[new:new + 2] == "北京"
    # the answer converted alone differs from its in-context conversion: respelled from the context
    def conv2(s: str) -> str:
        return s.replace("乙丙", "子丑").replace("乙", "B")

    ctx2 = "甲乙丙丁"
    text, new, how = S.reanchor(ctx2, conv2(ctx2), "乙", 1, conv2)
    assert how == "respelled" and (text, new) == ("子", 1)


def test_script_simplified_run_over_a_traditional_file(tmp_path):
    src = _write(tmp_path / "trad.json", _squad(TRAD))
    out = tmp_path / "out"
    cfg = RunConfig(testset=src, out_dir=out, model="hashing", script="simplified", show_progress=False,
                    gate={"min_top_dense": 0.0, "min_best_sentence": 0.0, "min_coverage": 0.3})
    result = run(cfg)
    corpus_file = next((out / "corpus").iterdir())
    text = corpus_file.read_text(encoding="utf-8")
    assert "台湾邮政" in text and "臺灣" not in text    # the index was built from the Simplified file
    rows = _rows(out)
    assert [r["question"] for r in rows] == ["台湾邮政快递业务量增长了多少？", "邮政安排了多少辆配送车辆？"]
    assert [r["answers"] for r in rows] == [["三成"], ["68辆"]]
    hy = result["modes"]["hybrid"]
    assert hy["answered_rate"] == sum(1 for r in rows if not r["refused"]) / 2
    assert result["config"]["script"] == "simplified" and result["config"]["conversion"]["answers"] == 2
    assert "answered (not refused) rate" in (out / "report.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- sample


def test_spread_sample_is_deterministic_and_in_file_order():
    cases = [TestCase(id=str(i), question="q", tags=("unanswerable",)) for i in range(100)]
    a = spread_sample(cases, 10)
    assert a == spread_sample(cases, 10) and len(a) == 10
    idx = [int(c.id) for c in a]
    assert idx == sorted(idx) and len(set(idx)) == 10
    assert idx != list(range(10))                       # not the first N
    assert min(idx) < 50 <= max(idx)                    # both halves of the file
    assert len(spread_sample(cases, 500)) == 100
    assert spread_sample(cases, 10, seed=1) != a
    # chosen by id: dropping a case that was not picked changes nothing; dropping a picked
    # one swaps in exactly one other
    rest = [c for c in cases if c in a or int(c.id) % 3 == 0]
    assert spread_sample(rest, 10) == a
    fewer = [c for c in cases if c.id != a[0].id]
    assert len(set(c.id for c in spread_sample(fewer, 10)) & set(c.id for c in a)) == 9


def test_sample_with_holdout_covers_both_halves(tmp_path):
    topics = [(f"篇{i}", f"第{i}篇的内容讲述了编号{i}的事情。", f"第{i}篇讲了什么编号？", f"编号{i}")
              for i in range(40)]
    src = _write(tmp_path / "forty.json", _squad(topics))
    out = tmp_path / "out"
    result = run(RunConfig(testset=src, out_dir=out, model="hashing", holdout_half=True, sample=10,
                           answers=False, show_progress=False))
    rows = _rows(out)
    assert len(rows) == 10 and result["modes"]["hybrid"]["n_cases"] == 10
    assert {r["answerable"] for r in rows} == {True, False}
    ids = [int(r["id"][1:]) for r in rows]
    assert ids == sorted(ids)
    for r in rows:                                      # entry i is indexed iff i is even
        assert r["answerable"] == (int(r["id"][1:]) % 2 == 0)


def test_reader_val_questions_are_those_of_the_readers_validation_articles():
    """``--questions reader-val`` keeps the cases whose gold article the reader never
    trained on, and refuses files the reader was not trained on or a renumbering variant."""
    from evaluation.runner import RunConfig, reader_val_cases
    from evaluation.testset import TestCase
    from reader.data import DATA_FILES, val_articles

    path = DATA_FILES["cmrc"]
    if not path.is_file():
        pytest.skip("CMRC 2018 trial data not present")
    val = val_articles("cmrc")
    n_articles = 256
    cases = [TestCase(id=f"q{i}", question="问题？", answers=("答",),
                      gold_articles=(f"id:cmrc2018_trial:{i}#1",)) for i in range(n_articles)]
    kept = reader_val_cases(cases, path)
    assert [c.gold_articles[0][3:] for c in kept] == val
    assert 0 < len(kept) < n_articles
    with pytest.raises(ValueError, match="reader-val"):
        RunConfig(testset=Path("evaluation/testsets/seed.jsonl"), out_dir=Path("x"),
                  questions="reader-val").validate()
    with pytest.raises(ValueError, match="cannot be combined"):
        RunConfig(testset=path, out_dir=Path("x"), questions="reader-val", holdout_half=True).validate()
    with pytest.raises(ValueError, match="questions"):
        RunConfig(testset=path, out_dir=Path("x"), questions="val").validate()


def test_reader_val_unindexed_asks_the_validation_questions_over_a_corpus_without_them(tmp_path):
    """The reader's clean no-answer test: every question of its validation articles, over
    the other articles only; all must be refused."""
    from corpus.squad import load_squad_questions
    from reader.data import DATA_FILES, val_articles

    path = DATA_FILES["cmrc"]
    if not path.is_file():
        pytest.skip("CMRC 2018 trial data not present")
    val = set(val_articles("cmrc"))
    expected = {q.id for q in load_squad_questions(path) if q.article_id in val and q.question.strip()}
    out = tmp_path / "out"
    result = run(RunConfig(testset=path, out_dir=out, model="hashing", questions="reader-val-unindexed",
                           answers=False, show_progress=False))
    rows = _rows(out)
    assert {r["id"] for r in rows} == expected
    assert all(not r["answerable"] and "held-out" in r["tags"] for r in rows)
    cfg = result["config"]
    assert cfg["n_articles"] == 256 - len(val) and cfg["questions"] == "reader-val-unindexed"
    assert cfg["holdout"]["articles_held_out"] == len(val)
