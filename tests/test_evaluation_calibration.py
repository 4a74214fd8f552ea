"""The reader rule's open-domain calibration (evaluation.calibration), on hand-made rows."""
from __future__ import annotations

import json

import pytest

from evaluation.__main__ import main
from evaluation.calibration import margins, reader_threshold


def _row(margin, answerable=True, refused=False):
    return {"answer_metrics": {"f1": 1.0} if answerable else None, "refused": refused,
            "gate": {"reader": margin}}


def test_the_threshold_refuses_at_most_the_allowed_share_of_answerable_questions():
    rows = [_row(float(m)) for m in range(100)]          # margins 0..99, all answered
    rows += [_row(50.0, refused=True), _row(200.0, answerable=False), _row(None)]
    res = reader_threshold(rows, max_added=0.02)
    assert res["answerable"] == 102 and res["answered"] == 100
    assert res["refused_by_rule"] == 2 and res["threshold"] == 97.0  # refuses 98 and 99 only
    assert res["added_false_refusal"] <= 0.02
    assert reader_threshold(rows, max_added=0.0)["refused_by_rule"] == 0
    assert margins(rows) == [float(m) for m in range(100)]  # refused, unanswerable, no margin: out


def test_bad_input_is_a_clear_error(tmp_path, capsys):
    with pytest.raises(ValueError, match="reader margin"):
        reader_threshold([_row(None), _row(1.0, answerable=False)])
    with pytest.raises(ValueError, match="max_added"):
        reader_threshold([_row(1.0)], max_added=1.5)
    p = tmp_path / "results.jsonl"
    p.write_text("\n".join(json.dumps(_row(float(m))) for m in range(10)), encoding="utf-8")
    assert main(["reader-threshold", str(p), "--max-added", "0.1"]) == 0
    assert json.loads(capsys.readouterr().out)["threshold"] == 8.0
    assert main(["reader-threshold", str(tmp_path / "missing.jsonl")]) == 2


def test_the_net_threshold_refuses_more_unanswerable_than_answerable_questions():
    from evaluation.calibration import reader_threshold_net

    pos = [_row(float(m)) for m in range(100)]                      # answerable: margins 0..99
    neg = [_row(m, answerable=False) for m in (99.5, 98.5, 98.7, 10.0)]
    res = reader_threshold_net(pos, neg, max_added=0.05)
    # above 98: 3 unanswerable against 1 answerable (99) -> gain 2; lower thresholds gain less
    assert (res["threshold"], res["gain"]) == (98.0, 2)
    assert res["negatives_refused_by_rule"] == 3 and res["refused_by_rule"] == 1
    none = reader_threshold_net(pos, [_row(5.0, answerable=False)], max_added=0.05)
    assert none["gain"] == 0 and none["refused_by_rule"] == 0 and none["negatives_refused_by_rule"] == 0


def _waived(margin, answerable=True, waived=True):
    reason = "ok (waived by reader_confident: subject)" if waived else "subject"
    return {"answer_metrics": {"f1": 1.0} if answerable else None, "refused": not waived,
            "gate": {"gate_reason": reason, "reader_confident": margin}}


def test_the_waiver_threshold_lets_no_unanswerable_question_through(tmp_path, capsys):
    from evaluation.calibration import waiver_threshold

    pos = [_waived(m) for m in (-20.0, -16.2, -13.9, -8.0)] + [_waived(-30.0, waived=False)]
    neg = [_waived(-13.17, answerable=False), _waived(-9.0, answerable=False),
           _waived(-25.0, answerable=False, waived=False)]   # refused anyway: no constraint
    res = waiver_threshold(pos, neg)
    # the closest unanswerable margin waived is -13.17: the threshold is the whole number at
    # least 0.5 below it, and only the answerable margins at or below it stay waived
    assert res["threshold"] == -14.0 and res["closest_negative"] == -13.17
    assert res["negatives_waived"] == 2 and res["answerable_waived"] == 4
    assert res["answerable_waived_at_threshold"] == 2
    assert all(m > res["threshold"] for m in (-13.17, -9.0))
    assert waiver_threshold(pos, [])["threshold"] is None
    p, n = tmp_path / "pos.jsonl", tmp_path / "neg.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in pos), encoding="utf-8")
    n.write_text("\n".join(json.dumps(r) for r in neg), encoding="utf-8")
    assert main(["waiver-threshold", str(p), "--negatives", str(n)]) == 0
    assert json.loads(capsys.readouterr().out)["threshold"] == -14.0
    assert main(["waiver-threshold", str(p), "--negatives", str(tmp_path / "missing.jsonl")]) == 2


def test_the_clear_threshold_refuses_no_answerable_question(tmp_path, capsys):
    from evaluation.calibration import reader_threshold_clear

    pos = [_row(m) for m in (-3.0, 5.2, 9.996)] + [_row(50.0, refused=True)]   # refused: no constraint
    neg = [_row(m, answerable=False) for m in (12.0, 10.4, 3.0)]
    res = reader_threshold_clear(pos, neg)
    assert res["threshold"] == 11.0 and res["highest_answerable"] == 9.996  # ceil(9.996 + 0.5)
    assert res["negatives_refused_by_rule"] == 1                           # 12.0 only
    assert all(m <= res["threshold"] for m in margins(pos))
    with pytest.raises(ValueError, match="reader margin"):
        reader_threshold_clear([_row(None)])
    p = tmp_path / "pos.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in pos), encoding="utf-8")
    assert main(["reader-threshold", str(p), "--clear"]) == 0
    assert json.loads(capsys.readouterr().out)["threshold"] == 11.0
