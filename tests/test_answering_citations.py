"""Citation markers, renumbering, binding and the citation check (HashingEncoder, no model)."""
from __future__ import annotations

import pytest

from answering.citations import SUPPORT_MIN, CitationChecker, check_claim
from text.markers import (normalise_markers, renumber,
                                 strip_markers)
from answering.scoring import SentenceScorer
from text.sentences import split_answer_sentences, split_sentences
from corpus.types import Passage
from retrieval.encoder import HashingEncoder
from retrieval.types import SearchHit
from tests.test_answering_fakes import hits_of, make_passages


@pytest.mark.parametrize("raw, canon", [
    ("收入4329.7万元【1】。", "收入4329.7万元[1]。"),
    ("A［2］", "A[2]"),
    ("A[^1]", "A[1]"),
    ("A[^1][^3]", "A[1][3]"),
    ("A[1,2]", "A[1][2]"),
    ("A[1， 2]", "A[1][2]"),
    ("A[1、3]", "A[1][3]"),
    ("A【1,2】", "A[1][2]"),
    ("A[1-3]", "A[1][2][3]"),
    ("A[1–2]", "A[1][2]"),
    ("A[ID:2]", "A[2]"),
    ("A[citation: 4]", "A[4]"),
    ("A[来源1]", "A[1]"),
    ("A[1][2]", "A[1][2]"),
    ("（1）第一项；（2）第二项", "（1）第一项；（2）第二项"),  # enumerations are not citations
    ("(1) first", "(1) first"),
    ("see [a]", "see [a]"),
    ("A[1-99]", "A[1-99]"),  # absurd range left alone (then dropped as invalid by renumber? no: not canonical)
])
def test_normalise_markers(raw, canon):
    assert normalise_markers(raw) == canon


def test_renumber_in_order_of_first_use_and_drop_out_of_range():
    text, mapping = renumber("甲[3]。乙[1][3]。丙[7]。丁[0]。戊[1][1]。", n_passages=5)
    assert text == "甲[1]。乙[2][1]。丙。丁。戊[2]。"
    assert mapping == {1: 3, 2: 1}


def test_sentences_have_exact_spans():
    text = " “这是快递单号，谢谢。”接过网购产品。收入达4329.7万元，增长46.8%；处理邮件！\n新段落"
    sents = split_sentences(text)
    assert [s.text for s in sents] == ["“这是快递单号，谢谢。”", "接过网购产品。",
                                       "收入达4329.7万元，增长46.8%；", "处理邮件！", "新段落"]
    assert all(text[s.start:s.end] == s.text for s in sents)
    assert split_sentences("") == [] and split_sentences(" \n ") == []
    assert split_answer_sentences("甲。[1]乙[2]。") == ["甲。[1]", "乙[2]。"]


@pytest.fixture()
def checker():
    return CitationChecker(SentenceScorer(HashingEncoder(256)))


def test_checker_keeps_valid_citations_and_builds_exact_quotes(checker):
    ps = make_passages()
    hits = hits_of(ps, [2, 0, 1])  # [1]=xj, [2]=gz revenue, [3]=gz 吴沛
    raw = "今年“双11”期间，贵州邮政快递业务收入达4329.7万元【2】。吴沛带领党委班子成员慰问投递员1200多人[3]。"
    out = checker.check(raw, hits, lang="zh")
    assert out.unsupported == ()
    assert strip_markers(out.text).startswith("今年“双11”期间，贵州邮政快递业务收入达4329.7万元")
    assert "[1]" in out.text and "[2]" in out.text and "[3]" not in out.text
    c1, c2 = out.citations
    assert (c1.number, c1.passage_id) == (1, ps[0].id)
    assert (c2.number, c2.passage_id) == (2, ps[1].id)
    for c, p in ((c1, ps[0]), (c2, ps[1])):
        assert p.text[c.quote_start:c.quote_end] == c.quote and c.support >= 0.7
    assert "4329.7" in c1.quote and "1200" in c2.quote


def test_citation_to_passage_not_given_is_removed_and_sentence_rebound(checker):
    ps = make_passages()
    hits = hits_of(ps, [0, 2])
    out = checker.check("阿克陶县在全县118个行政村建立了118个快递服务点[9]。", hits, lang="zh")
    assert "[9]" not in out.text
    assert out.text.count("[1]") == 1 and len(out.citations) == 1
    assert out.citations[0].passage_id == ps[2].id  # bound to the passage that supports it


def test_uncited_sentence_is_bound_or_listed_unsupported(checker):
    ps = make_passages()
    hits = hits_of(ps, [0, 3])
    raw = "衡水湖国际马拉松赛自2012年开始每年举办一届。火星上的邮局每天投递三百封信。"
    out = checker.check(raw, hits, lang="zh")
    assert out.citations[0].passage_id == ps[3].id
    assert out.text.startswith("衡水湖国际马拉松赛自2012年开始每年举办一届[1]。")
    assert out.unsupported == ("火星上的邮局每天投递三百封信。",)
    assert "火星上的邮局每天投递三百封信。" in out.text and "未找到出处" not in out.text  # no flag in the text
    assert "火星上的邮局每天投递三百封信[" not in out.text


def test_wrong_number_is_unsupported(checker):
    # the cited passage says 发放慰问补贴61万余元; the answer claims 4329.7万元
    text = "贵州省邮政分公司累计慰问寄递人员5.8万余人次，发放慰问补贴61万余元。"
    p = Passage(id="gz#2:9", article_id="gz#2", title="贵州邮政旺季慰问", paragraph_no=2,
                start=0, end=len(text), text=text)
    hits = [SearchHit(p, 1.0, 1, 0.9, None)]
    bad = checker.check("贵州省邮政分公司发放慰问补贴4329.7万元[1]。", hits, lang="zh")
    assert bad.citations == () and bad.unsupported == ("贵州省邮政分公司发放慰问补贴4329.7万元。",)
    assert "[1]" not in bad.text
    good = checker.check("贵州省邮政分公司发放慰问补贴61万余元[1]。", hits, lang="zh")
    assert good.unsupported == () and len(good.citations) == 1
    assert good.citations[0].quote == text


def test_wrong_number_elsewhere_in_same_passage_is_caught_per_clause():
    sc = SentenceScorer(HashingEncoder(256))
    ps = make_passages()
    hit = hits_of(ps, [0])[0]  # holds both 61万余元 (subsidy) and 4329.7万元 (revenue)
    c = check_claim(sc, "贵州省邮政分公司累计慰问寄递人员5.8万余人次，发放慰问补贴4329.7万元", hit)
    assert "4329.7万" in c.missing
    ok = check_claim(sc, "贵州省邮政分公司累计慰问寄递人员5.8万余人次，发放慰问补贴61万余元", hit)
    assert ok.missing == () and ok.support >= SUPPORT_MIN


def test_wrong_name_is_unsupported(checker):
    ps = make_passages()
    hits = hits_of(ps, [1])
    out = checker.check("贵阳市邮政分公司总经理张伟带领党委班子成员慰问投递员1200多人[1]。", hits, lang="zh")
    assert out.citations == () and len(out.unsupported) == 1


def test_checker_rejects_bad_thresholds():
    with pytest.raises(ValueError):
        CitationChecker(SentenceScorer(HashingEncoder(64)), support_min=1.5)


def test_place_name_with_its_suffix_is_found_without_it(checker):
    # Qwen2.5-0.5B wrote 贵州省邮政 where the passage says 贵州邮政: the citation was dropped
    ps = make_passages()
    hits = hits_of(ps, [0])
    out = checker.check("贵州省邮政双11期间快递业务收入达4329.7万元[1]。", hits, lang="zh")
    assert out.unsupported == () and len(out.citations) == 1
    assert "4329.7万元" in out.citations[0].quote
    assert "[1]" in out.text


def test_verbatim_fragment_is_quoted_with_its_whole_sentence(checker):
    # the LLM answered a bare "2012": the quote must show the sentence, not just "2012"
    ps = make_passages()
    hits = hits_of(ps, [3])
    out = checker.check("2012", hits, lang="zh")
    assert len(out.citations) == 1
    c = out.citations[0]
    assert c.quote.startswith("衡水湖国际马拉松赛自2012年开始每年举办一届")
    assert ps[3].text[c.quote_start:c.quote_end] == c.quote
