"""Name audit (evaluation/name_audit.py): questions whose required names are missing from
their own gold paragraph; no retrieval, no model."""
from __future__ import annotations

import json

from evaluation.__main__ import main
from evaluation.name_audit import audit, report


def _squad(*qas):
    """One article 'title' with one paragraph per (context, question) pair."""
    return [{"title": "托木斯克州", "paragraphs": [
        {"context": c, "qas": [{"id": f"q{i}", "question": q, "answers": []}]}
        for i, (c, q) in enumerate(qas)]}]


def test_a_name_missing_from_its_gold_paragraph_is_flagged_and_a_present_one_is_not():
    entries = _squad(
        ("史孟麟，字际明，明朝官员。其子史可程为进士。", "史继偕是谁的儿子？"),   # name absent
        ("史孟麟，字际明，明朝官员。其子史可程为进士。", "史孟麟字什么？"),       # name present
        ("首府為托木斯克市。", "首府是哪一个城市？"),                            # no names
        ("首府為托木斯克市。", "   "),                                            # blank: skipped
    )
    result = audit(entries)
    assert result.questions == 3
    assert result.with_names == 2
    assert [f.qid for f in result.flagged] == ["q0"]
    assert "史继偕" in result.flagged[0].missing
    assert abs(result.share_flagged - 1 / 3) < 1e-9


def test_the_title_counts_as_part_of_the_paragraph():
    result = audit(_squad(("首府為托木斯克市，面積31.6萬平方公里。", "托木斯克州的面积是多少？")))
    assert result.flagged == ()


def test_report_and_cli(tmp_path, capsys):
    text = report(audit(_squad(("其子史可程为进士。", "史继偕是谁的儿子？"))), show=5)
    assert "史继偕" in text and "1 (100.0%)" in text
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"version": "1", "data": _squad(
        ("其子史可程为进士。", "史继偕是谁的儿子？"))}, ensure_ascii=False), encoding="utf-8")
    assert main(["name-audit", str(path), "--show", "3"]) == 0
    out = capsys.readouterr().out
    assert "q0" in out and "史继偕" in out


def test_cli_bad_file_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["name-audit", str(bad)]) == 2
    assert "error" in capsys.readouterr().err


def test_a_rare_character_missing_from_its_gold_paragraph_is_flagged():
    # the gate's rare_characters rule requires 蓍 as it requires names
    result = audit(_squad(("锯草为菊科多年生草本植物。", "蓍的别名是什么？"),
                          ("千叶蓍又名锯草。", "蓍的别名是什么？")))
    assert result.with_names == 2
    assert [f.qid for f in result.flagged] == ["q0"] and result.flagged[0].missing == ("蓍",)
